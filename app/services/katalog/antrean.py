"""The payment pages' queries: the Bendahara's queue and history, the PPK's payment list, the order's
payment history and its payment documents."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Adendum, KodeBayar, Pembayaran, PesananKatalog
from app.roles import ROLE_ADMIN

from .. import audit, daftar, scoping
from . import pembayaran
from .bersama import ENTITY


def _antrean_stmt(actor, states):
    stmt = (
        select(PesananKatalog, Pembayaran)
        .join(Pembayaran, Pembayaran.pesanan_id == PesananKatalog.id)
        .where(PesananKatalog.status.in_(states), scoping.visible_clause(PesananKatalog, actor))
    )
    if ROLE_ADMIN not in scoping.roles_of(actor):
        stmt = stmt.where(Pembayaran.bendahara_id == actor.id)
    return stmt


def kode_aktif_per_pesanan(ids):
    """{order id: its active kode bayar} for a page of orders, in one statement (not one per row)."""
    if not ids:
        return {}
    rows = db.session.execute(select(KodeBayar).where(KodeBayar.pesanan_id.in_(ids), KodeBayar.status == "aktif"))
    return {k.pesanan_id: k for k in rows.scalars()}


def antrean(actor, status=None, saringan=None):
    """A Bendahara's queue: their orders waiting for them, oldest first ([(order, payment, code)]); with a
    `saringan` (app/services/daftar.Saringan) one page of it as daftar.Halaman, a fixed number of
    statements whatever its size (satker and supplier joined, the codes in one query)."""
    states = (status,) if status in pembayaran.STATUS_ANTREAN else pembayaran.STATUS_ANTREAN
    stmt = _antrean_stmt(actor, states).options(joinedload(PesananKatalog.satker), joinedload(PesananKatalog.penyedia))
    order = (PesananKatalog.updated_at, PesananKatalog.id)
    if saringan is None:
        rows = db.session.execute(stmt.order_by(*order)).all()
        kode = kode_aktif_per_pesanan([p.id for p, _ in rows])
        return [(p, row, kode.get(p.id)) for p, row in rows]
    stmt = daftar.terapkan(stmt, saringan, None, (PesananKatalog.nomor,), PesananKatalog.updated_at)
    page = daftar.halaman(stmt, saringan, order, scalars=False)
    kode = kode_aktif_per_pesanan([p.id for p, _ in page.items])
    page.items = [(p, row, kode.get(p.id)) for p, row in page.items]
    return page


def jumlah_antrean(actor):
    """{status: n} of the Bendahara's queue, one GROUP BY."""
    counts = {s: 0 for s in pembayaran.STATUS_ANTREAN}
    inner = _antrean_stmt(actor, pembayaran.STATUS_ANTREAN).with_only_columns(PesananKatalog.status).subquery()
    for status, n in db.session.execute(select(inner.c.status, func.count()).group_by(inner.c.status)):
        counts[status] = n
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


def pesanan_ppk(actor, saringan=None):
    """The PPK's orders ready for, or in, payment (the method choice list), oldest first; with a `saringan`
    one page as daftar.Halaman of (order, payment or None, addendum pending?) in a fixed number of statements."""
    stmt = scoping.scoped_select(PesananKatalog, actor).where(
        PesananKatalog.ppk_id == actor.id, PesananKatalog.status.in_(("pesanan_tiba",) + pembayaran.STATUS_BAYAR)
    )
    order = (PesananKatalog.updated_at, PesananKatalog.id)
    if saringan is None:
        return db.session.execute(stmt.order_by(*order)).scalars().all()
    stmt = (
        stmt.add_columns(Pembayaran)
        .outerjoin(Pembayaran, Pembayaran.pesanan_id == PesananKatalog.id)
        .options(joinedload(PesananKatalog.penyedia))
    )
    stmt = daftar.terapkan(stmt, saringan, PesananKatalog.status, (PesananKatalog.nomor,), PesananKatalog.updated_at)
    page = daftar.halaman(stmt, saringan, order, scalars=False)
    ids = [p.id for p, _ in page.items]
    pending = set()
    if ids:
        pending = set(
            db.session.execute(
                select(Adendum.pesanan_id).where(Adendum.pesanan_id.in_(ids), Adendum.status == "diajukan")
            ).scalars()
        )
    page.items = [(p, row, p.id in pending) for p, row in page.items]
    return page
