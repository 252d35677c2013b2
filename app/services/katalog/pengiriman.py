"""Shipping (SPEC §6 step 5): the Penyedia records shipping events (the first one ships the order) and,
for a third-party courier, asks for a pickup once; the PP and PPK follow them in Lacak Pengiriman."""

from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import PengirimanEvent

from .. import clock, predikat
from ..errors import Conflict, DomainError
from . import adendum, bersama
from .bersama import PENYEDIA

LABELS = {"kirim": _l("Kirim"), "catat_pengiriman": _l("Catat Pengiriman"), "minta_pickup": _l("Minta Pickup")}
STYLES = {"catat_pengiriman": "default"}


def _event(ctx):
    d = ctx.data
    lokasi, status = (d.get("lokasi") or "").strip(), (d.get("status") or "").strip()
    if not lokasi or not status:
        raise DomainError(_l("Isi lokasi dan status pengiriman."))
    waktu = d.get("waktu") or clock.now()
    if not isinstance(waktu, datetime):
        try:
            # typed in Jakarta time; stored as UTC like every time in the portal
            typed = datetime.fromisoformat(str(waktu))
            if typed.tzinfo is not None:
                raise ValueError("times are typed in WIB, without an offset")
            waktu = typed.replace(tzinfo=clock.WIB).astimezone(UTC).replace(tzinfo=None)
        except (ValueError, OverflowError):
            raise DomainError(_l("Waktu pengiriman tidak valid.")) from None
    # an event is something that happened: not in the future, not before the SP was signed
    signed = ctx.obj.sp_ttd_penyedia_at
    if waktu > clock.now() + timedelta(minutes=5) or (signed and waktu < signed - timedelta(minutes=5)):
        raise DomainError(_l("Waktu pengiriman harus antara penandatanganan Surat Pesanan dan sekarang."))
    ctx.data["_event"] = dict(waktu=waktu, lokasi=lokasi[:200], status=status[:200], catatan=d.get("catatan"))
    return {}


def _simpan_event(ctx):
    db.session.add(
        PengirimanEvent(pesanan_id=ctx.obj.id, user_id=ctx.actor.id, created_at=clock.now(), **ctx.data["_event"])
    )


def _pickup(ctx):
    p = ctx.obj
    if p.opsi_kirim != "pihak_ketiga":
        raise DomainError(_l("Permintaan pickup hanya untuk kurir pihak ketiga."))
    if p.pickup_diminta_at:
        raise Conflict(_l("Pickup sudah diminta."))
    if adendum.pending(p):  # after the pickup no addendum may change the order, so answer the pending one first
        raise Conflict(_l("Selesaikan adendum yang menunggu jawaban sebelum meminta pickup."))
    return {"pickup_diminta_at": clock.now()}


def _pickup_terbuka(p, actor):
    """A pickup request only makes sense once, and only for a third-party courier."""
    return predikat.semua(p.opsi_kirim == "pihak_ketiga", predikat.kosong(p.pickup_diminta_at))


def lacak(p):
    stmt = select(PengirimanEvent).where(PengirimanEvent.pesanan_id == p.id).order_by(PengirimanEvent.waktu)
    return db.session.execute(stmt).scalars().all()


EVENT = ("waktu", "lokasi", "status", "catatan")
_t = bersama.baris(LABELS, STYLES)
# fmt: off
ROWS = (
    _t("diproses_penyedia", "kirim",            "dalam_pengiriman",  PENYEDIA, _event,  _simpan_event, EVENT, "event"),
    _t("diproses_penyedia", "catat_pengiriman", "diproses_penyedia", PENYEDIA, _event,  _simpan_event, EVENT, "event"),
    _t("dalam_pengiriman",  "catat_pengiriman", "dalam_pengiriman",  PENYEDIA, _event,  _simpan_event, EVENT, "event"),
    _t("diproses_penyedia", "minta_pickup",     "diproses_penyedia", PENYEDIA, _pickup, None, visible=_pickup_terbuka),
)
# fmt: on
