"""RUP (Rencana Umum Pengadaan) budget lines, kept by Admin and by the PPK of the satker.

`terpakai` is never typed by anyone: checkout, negotiation, addenda and cancellations move it
(katalog.angka.pakai_anggaran, a compare-and-set). Here only the line itself is created and edited."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, inspect, select, update

from app.extensions import db
from app.models import PesananKatalog, Rup, Satker
from app.roles import ROLE_ADMIN

from . import clock, money, scoping
from .errors import DomainError, Forbidden


def _check(item, actor, terpakai=0):
    roles = scoping.roles_of(actor)
    if ROLE_ADMIN not in roles:
        if not actor.satker_id:
            raise Forbidden(_l("Hanya PPK satuan kerja atau Admin yang dapat mengelola RUP."))
        # a PPK keeps the budget lines of their own satker only, whatever the form posted
        item.satker = db.session.get(Satker, actor.satker_id)
    if item.satker is None and not item.satker_id:
        raise DomainError(_l("Pilih satuan kerja RUP."))
    item.kode = (item.kode or "").strip()
    item.nama = (item.nama or "").strip()
    if not item.kode or not item.nama:
        raise DomainError(_l("Kode dan nama RUP wajib diisi."))
    taken = db.session.execute(
        select(Rup.id).where(func.lower(Rup.kode) == item.kode.lower(), Rup.id != (item.id or 0))
    ).first()
    if taken:
        raise DomainError(_l("Kode RUP %(kode)s sudah dipakai.", kode=item.kode))
    year = clock.today_local().year
    if not isinstance(item.tahun, int) or not (year - 5 <= item.tahun <= year + 5):
        raise DomainError(_l("Tahun anggaran tidak valid."))
    if not isinstance(item.pagu, int) or item.pagu <= 0:
        raise DomainError(_l("Pagu harus lebih dari nol Rupiah."))
    if item.pagu < terpakai:
        raise _pagu_kurang(terpakai)


def _pagu_kurang(terpakai):
    return DomainError(
        _l(
            "Pagu tidak boleh kurang dari anggaran yang sudah terpakai (%(terpakai)s).",
            terpakai=money.format_rupiah(terpakai),
        )
    )


def rup_baru(item, actor):
    item.terpakai = 0
    with db.session.no_autoflush:  # the form already filled the item: check before anything is written
        _check(item, actor)


def ubah_rup(item, actor):
    """An edit of the line itself. `terpakai` is never part of it: the edit writes only the columns the
    form changed, and the new pagu is set by a compare-and-set against what orders have committed at that
    moment (a checkout committing meanwhile either happened before, and is counted, or waits for this one
    and is checked against the new pagu) — so no edit can write back a stale `terpakai` or leave the
    committed amount above the pagu."""
    with db.session.no_autoflush:
        terpakai, satker_lama = db.session.execute(select(Rup.terpakai, Rup.satker_id).where(Rup.id == item.id)).one()
        _check(item, actor, terpakai)
        satker_baru = item.satker.id if item.satker is not None else item.satker_id
        if satker_baru != satker_lama and _dipakai(item, terpakai):
            raise DomainError(_l("RUP yang sudah dipakai pesanan tidak dapat dipindah ke satuan kerja lain."))
    if "terpakai" in inspect(item).attrs and inspect(item).attrs.terpakai.history.has_changes():
        raise DomainError(_l("Anggaran terpakai tidak dapat diubah dari formulir."))
    won = db.session.execute(
        update(Rup)
        .where(Rup.id == item.id, Rup.terpakai <= item.pagu)
        .values(pagu=item.pagu)
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        raise _pagu_kurang(db.session.execute(select(Rup.terpakai).where(Rup.id == item.id)).scalar_one())


def _dipakai(item, terpakai):
    used = db.session.execute(select(func.count(PesananKatalog.id)).where(PesananKatalog.rup_id == item.id))
    return bool(used.scalar_one() or terpakai)


def hapus_rup(item):
    terpakai = db.session.execute(select(Rup.terpakai).where(Rup.id == item.id)).scalar_one()
    if _dipakai(item, terpakai):
        raise DomainError(_l("RUP yang sudah dipakai pesanan tidak dapat dihapus."))


def pilihan_rup(user):
    """The RUP lines a PP may check out against: those of their own satker, newest year first."""
    if not user.satker_id:
        return []
    stmt = scoping.scoped_select(Rup, user).where(Rup.satker_id == user.satker_id).order_by(Rup.tahun.desc(), Rup.kode)
    return db.session.execute(stmt).scalars().all()
