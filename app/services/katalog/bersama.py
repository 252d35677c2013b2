"""What every Katalog step shares: the role sets, the row helper, the 3x24 h waits, the document number
and the parties block of the letters. Imports no step module."""

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.models import PesananKatalog
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

    def _t(source, action, target, roles, guard=None, effect=None, fields=(), panel="tombol", visible=None):
        return T(source, action, target, roles, guard, effect, labels[action], styles.get(action, "primary"),
                 visible, fields, panel)  # fmt: skip

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


def pihak_surat(p):
    """The parties block of the SP, BAST, addendum and invoice: satker, PPK and Penyedia."""
    return {
        "satker": {"nama": p.satker.nama, "alamat": p.satker.alamat or "-"},
        "ppk": {"nama": p.ppk.nama_lengkap, "nip": p.ppk.nrk or "-"},
        "penyedia": {"nama": p.penyedia.nama, "npwp": p.penyedia.npwp or "-", "alamat": p.penyedia.alamat or "-"},
    }


def lepas_anggaran(ctx):
    """The order ends before the SP binds anyone: its waits end and the RUP gets its money back."""
    selesai_tunggu(ctx)
    angka.pakai_anggaran(ctx.obj, 0)


def otomatis(ctx):
    return {"alasan": str(_l("Batas waktu 3x24 jam terlewati."))}
