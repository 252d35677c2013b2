"""The bank's side of a payment: a verified callback the portal refused is kept for reconciliation, and
the KKP holder's single-use link is checked. Applying the payment itself is katalog.terima_callback."""

import hashlib

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import Pembayaran, PesananKatalog
from app.roles import ROLE_SISTEM

from .. import audit, clock
from ..errors import Conflict, NotFound
from ..workflow import SYSTEM
from .bersama import ENTITY


def catat_ditolak(data, pesanan_id, reason):
    """A verified bank callback the portal refused is kept in the audit log in a commit of its own, so a
    payment the bank did take (e.g. on an expired code) can be reconciled and refunded, not lost."""
    note = f"event {data['event_id']}, kode {data['referensi']}, jumlah {data['jumlah']}, "
    note += f"referensi bank {data.get('referensi_bank')}: {reason}"
    audit.catat(ENTITY, pesanan_id, "callback_ditolak", SYSTEM, note=note[:2000], role=ROLE_SISTEM)
    db.session.commit()


def cek_tautan(token):
    """(payment row, order) of a KKP link, or a DomainError saying why it cannot be used."""
    digest = hashlib.sha256((token or "").encode()).hexdigest()
    row = db.session.execute(select(Pembayaran).where(Pembayaran.kkp_token_hash == digest)).scalar_one_or_none()
    if row is None:
        raise NotFound(_l("Tautan pembayaran tidak dikenal."))
    p = db.session.get(PesananKatalog, row.pesanan_id)
    if row.kkp_token_used_at is not None or p.status != "kkp_menunggu":
        raise Conflict(_l("Tautan pembayaran ini sudah dipakai."))
    if row.kkp_token_expires_at <= clock.now():
        raise Conflict(_l("Tautan pembayaran ini sudah kedaluwarsa. Minta PPK mengirim ulang tautan."))
    return row, p
