"""Notifications go to the outbox in the caller's transaction; a Huey job sends them (issue 6)."""

from flask_babel import force_locale, gettext

from app.extensions import db
from app.models import EmailOutbox

from . import clock


def queue_email(to_addr, subject, body, key):
    if not to_addr:
        return
    if db.session.query(EmailOutbox.id).filter_by(idempotency_key=key).first():
        return
    db.session.add(
        EmailOutbox(
            idempotency_key=key,
            to_addr=to_addr,
            subject=subject,
            body_text=body,
            status="queued",
            created_at=clock.now(),
            next_attempt_at=clock.now(),
        )
    )


def pesanan_berubah(pesanan, recipients, action_label, status_label):
    """E-Order: tell the buyer of every step and the party who must act next (SPEC §8)."""
    with force_locale("id"):
        subject = gettext("Pesanan %(nomor)s: %(status)s", nomor=pesanan.nomor, status=str(status_label))
        body = gettext(
            "Pesanan %(nomor)s kini berstatus %(status)s setelah aksi %(aksi)s.\n"
            "Buka portal untuk melihat rincian dan langkah berikutnya.",
            nomor=pesanan.nomor,
            status=str(status_label),
            aksi=str(action_label),
        )
    for email in sorted({r for r in recipients if r}):
        queue_email(email, subject, body, key=f"pesanan:{pesanan.id}:v{pesanan.version}:{email}")
