"""What every Katalog step shares: the role sets, the row helper, the 3x24 h waits, the document number
and the parties block of the letters. Imports no step module."""

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.models import AksesPengguna, PesananKatalog, PortalUser, ProfilPengguna, Rup
from app.roles import ROLE_BENDAHARA, ROLE_PENYEDIA, ROLE_PP, ROLE_PPK, ROLE_SISTEM

from .. import clock, deadlines
from ..workflow import T
from . import angka

ENTITY = "pesanan_katalog"
PP, PPK, PENYEDIA, BENDAHARA, SISTEM = {ROLE_PP}, {ROLE_PPK}, {ROLE_PENYEDIA}, {ROLE_BENDAHARA}, {ROLE_SISTEM}
RESPONSE_HOURS = 72
# every kind of 3x24 h wait of the order (an addendum's own wait belongs to the addendum)
WAITS = ("negosiasi", "persetujuan_ppk", "ttd_sp")


def baris(labels, styles=None):
    """The row maker of one step: `_t(from, action, to, who, guard, effect, fields, panel, visible)`,
    the label and style taken from the step's own dicts."""
    styles = styles or {}

    def _t(source, action, target, roles, guard=None, effect=None, fields=(), panel="tombol", visible=None,
           effect_many=None):  # fmt: skip
        return T(source, action, target, roles, guard, effect, labels[action], styles.get(action, "primary"),
                 visible, fields, panel, effect_many)  # fmt: skip

    return _t


def tunggu(ctx, kind):
    """Start the 3x24 h wait `kind` on the order (swept to Batal Otomatis when it passes)."""
    due = clock.now() + timedelta(hours=current_app.config.get("KATALOG_RESPONSE_HOURS", RESPONSE_HOURS))
    deadlines.mulai(kind, ENTITY, ctx.obj.id, due)
    ctx.obj.batas_waktu = due


def selesai_tunggu(ctx):
    for kind in WAITS:
        deadlines.tutup(kind, ENTITY, ctx.obj.id)
    ctx.obj.batas_waktu = None


def nomor_dokumen(p, column, signed_at, setting, default, now):
    """`{prefix}/{satker}/{year}/{seq}` from a configurable format; seq counts the satker's documents of the year."""
    year = clock.to_local(now).year
    count = db.session.execute(
        select(func.count(PesananKatalog.id)).where(
            PesananKatalog.satker_id == p.satker_id,
            column.isnot(None),
            func.extract("year", signed_at) == year,
        )
    ).scalar_one()
    return current_app.config.get(setting, default).format(satker=p.satker.kode, year=year, seq=count + 1)


def nip(user):
    """The 18-digit NIP printed for an official: the one on the account, else the one of their verified ASN
    profile (Verifikasi Profil); never the NRK, a login number."""
    if user.nip:
        return user.nip
    return db.session.execute(
        select(ProfilPengguna.nip)
        .where(
            ProfilPengguna.user_id == user.id,
            ProfilPengguna.status == "terverifikasi",
            ProfilPengguna.status_kepegawaian == "ASN",
            ProfilPengguna.nip.isnot(None),
        )
        .order_by(ProfilPengguna.id.desc())
    ).scalar()


def wakil_penyedia(penyedia_id):
    """Who signs the letters for a Penyedia company: its active Admin Utama (Verifikasi Akses), else its
    longest-standing active user. Named on the letter before they sign, so it is decided by the company's
    accounts, not by whoever happens to countersign."""
    aktif = (PortalUser.penyedia_id == penyedia_id, PortalUser.active.is_(True))
    admin = db.session.execute(
        select(PortalUser)
        .join(AksesPengguna, AksesPengguna.user_id == PortalUser.id)
        .where(*aktif, AksesPengguna.penyedia_id == penyedia_id, AksesPengguna.akses == "admin_utama")
        .where(AksesPengguna.status == "aktif")
        .order_by(AksesPengguna.id)
    ).scalar()
    return admin or db.session.execute(select(PortalUser).where(*aktif).order_by(PortalUser.id)).scalar()


def pihak_surat(p):
    """The parties block of the SP, BAST, addendum and invoice: satker (with its instansi), the PPK (name,
    position, NIP) and the Penyedia (with the person who signs for it)."""
    penyedia = {"nama": p.penyedia.nama, "npwp": p.penyedia.npwp or "-", "alamat": p.penyedia.alamat or "-"}
    wakil = wakil_penyedia(p.penyedia_id)
    if wakil is not None:
        penyedia.update(penandatangan=wakil.nama_lengkap or wakil.username, jabatan=wakil.jabatan)
    return {
        "satker": {"nama": p.satker.nama, "alamat": p.satker.alamat or "-", "instansi": p.satker.instansi.nama},
        "ppk": {"nama": p.ppk.nama_lengkap, "nip": nip(p.ppk) or "-", "jabatan": p.ppk.jabatan},
        "penyedia": penyedia,
    }


def lepas_anggaran(ctx):
    """The order ends before the SP binds anyone: its waits end and the RUP gets its money back."""
    selesai_tunggu(ctx)
    angka.pakai_anggaran(ctx.obj, 0)


def lepas_anggaran_many(ctxs):
    """lepas_anggaran for a set of orders (the sweep's Batal Otomatis): one UPDATE closes their waits, one
    gives each RUP back what its orders held, one clears the orders' figures."""
    if not ctxs:
        return
    orders = [c.obj for c in ctxs]
    ids = [p.id for p in orders]
    deadlines.tutup_many(WAITS, ENTITY, ids)
    held = {}  # rup id -> what its orders of this set hold
    for p in orders:
        if p.anggaran_terpakai:
            held[p.rup_id] = held.get(p.rup_id, 0) + p.anggaran_terpakai
    if held:
        back = case(held, value=Rup.id)
        done = db.session.execute(
            update(Rup)
            .where(Rup.id.in_(list(held)), Rup.terpakai >= back)
            .values(terpakai=Rup.terpakai - back)
            .returning(Rup.id)
            .execution_options(synchronize_session=False)
        ).scalars()
        if len(set(done)) != len(held):
            # a RUP holds less than its orders say (pakai_anggaran refuses that): the per-order path decides
            raise RuntimeError("RUP commitment out of step with its orders")
    db.session.execute(
        update(PesananKatalog)
        .where(PesananKatalog.id.in_(ids))
        .values(anggaran_terpakai=0, batas_waktu=None)
        .execution_options(synchronize_session=False)
    )
    for p in orders:  # the loaded orders say what the database now holds
        set_committed_value(p, "anggaran_terpakai", 0)
        set_committed_value(p, "batas_waktu", None)


def otomatis(ctx):
    return {"alasan": str(_l("Batas waktu 3x24 jam terlewati."))}
