"""The payment pages' queries: the Bendahara's queue and history, the PPK's payment list, the order's
payment history and its payment documents."""

from sqlalchemy import select

from app.extensions import db
from app.models import KodeBayar, Pembayaran, PesananKatalog
from app.roles import ROLE_ADMIN

from .. import audit, scoping
from . import pembayaran
from .bersama import ENTITY


def antrean(actor, status=None):
    """A Bendahara's queue: their orders waiting for them, oldest first ([(order, payment, code)])."""
    states = (status,) if status in pembayaran.STATUS_ANTREAN else pembayaran.STATUS_ANTREAN
    stmt = (
        select(PesananKatalog, Pembayaran)
        .join(Pembayaran, Pembayaran.pesanan_id == PesananKatalog.id)
        .where(PesananKatalog.status.in_(states), scoping.visible_clause(PesananKatalog, actor))
        .order_by(PesananKatalog.updated_at, PesananKatalog.id)
    )
    if ROLE_ADMIN not in scoping.roles_of(actor):
        stmt = stmt.where(Pembayaran.bendahara_id == actor.id)
    return [(p, row, pembayaran.kode_aktif(p)) for p, row in db.session.execute(stmt).all()]


def jumlah_antrean(actor):
    counts = {s: 0 for s in pembayaran.STATUS_ANTREAN}
    for p, _, _ in antrean(actor):
        counts[p.status] += 1
    return counts


def riwayat(actor, limit=200):
    """Every kode bayar of the Bendahara's orders, newest first, with the order's payment row."""
    stmt = (
        select(KodeBayar, PesananKatalog, Pembayaran)
        .join(PesananKatalog, PesananKatalog.id == KodeBayar.pesanan_id)
        .join(Pembayaran, Pembayaran.pesanan_id == PesananKatalog.id)
        .where(scoping.visible_clause(PesananKatalog, actor))
        .order_by(KodeBayar.created_at.desc(), KodeBayar.id.desc())
        .limit(limit)
    )
    if ROLE_ADMIN not in scoping.roles_of(actor):
        stmt = stmt.where(Pembayaran.bendahara_id == actor.id)
    return db.session.execute(stmt).all()


def riwayat_pesanan(p, hanya_pembayaran=False):
    """The order's history (audit rows), oldest first; optionally the payment steps only."""
    return audit.riwayat(ENTITY, p.id, actions={t.action for t in pembayaran.ROWS} if hanya_pembayaran else None)


def pesanan_ppk(actor):
    """The PPK's orders ready for, or in, payment (the method choice list), oldest first."""
    stmt = (
        scoping.scoped_select(PesananKatalog, actor)
        .where(
            PesananKatalog.ppk_id == actor.id, PesananKatalog.status.in_(("pesanan_tiba",) + pembayaran.STATUS_BAYAR)
        )
        .order_by(PesananKatalog.updated_at, PesananKatalog.id)
    )
    return db.session.execute(stmt).scalars().all()
