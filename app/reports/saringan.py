"""The filters every report and the dashboard take, read once from a request and checked against the reader's
scope (app/services/scoping.py): a filter naming a satker, instansi or category the reader may not see is
"not found", never a set of zeros that would confirm it exists."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import Instansi, Kategori, Satker
from app.services import clock, scoping
from app.services.errors import DomainError, NotFound

ALUR = {"semua": _l("Semua alur"), "eorder": _l("E-Order"), "katalog": _l("Katalog Elektronik")}
# a year of daily figures is what management asks for; a longer range is a mistake more often than not
MAKS_HARI = 3 * 366


@dataclass(frozen=True)
class Saringan:
    dari: date
    sampai: date
    instansi_id: int | None = None
    satker_id: int | None = None
    kategori_id: int | None = None
    alur: str = "semua"
    # the category and its descendants (categories are a small table: resolved once, here)
    kategori_ids: tuple = field(default=(), compare=False)

    @property
    def mulai_utc(self):
        """The first instant of `dari` in Jakarta, as the naive UTC the database stores."""
        return _utc(self.dari)

    @property
    def akhir_utc(self):
        """The first instant after `sampai` in Jakarta (the range is half-open)."""
        return _utc(self.sampai + timedelta(days=1))

    def query_args(self):
        args = {"dari": self.dari.isoformat(), "sampai": self.sampai.isoformat(), "alur": self.alur}
        for key, value in (("instansi", self.instansi_id), ("satker", self.satker_id), ("kategori", self.kategori_id)):
            if value:
                args[key] = value
        return args


def _utc(day):
    local = datetime(day.year, day.month, day.day, tzinfo=clock.WIB)
    return local.astimezone(UTC).replace(tzinfo=None)


def _tanggal(raw, name):
    try:
        return date.fromisoformat(raw.strip())
    except (ValueError, AttributeError):
        raise DomainError(
            _l("Tanggal %(name)s tidak valid: tulis sebagai TTTT-BB-HH, misalnya 2026-11-22.", name=name)
        ) from None


def bawaan():
    """The default period: this year up to today (Jakarta)."""
    today = clock.today_local()
    return date(today.year, 1, 1), today


def _id(args, key, label):
    raw = (args.get(key) or "").strip()
    if not raw:
        return None
    value = scoping.as_id(raw)
    if value is None:
        raise NotFound(_l("%(label)s tidak ditemukan.", label=label))
    return value


def baca(args, user):
    """A Saringan from query arguments (dari, sampai, instansi, satker, kategori, alur), or a DomainError."""
    awal, akhir = bawaan()
    dari = _tanggal(args["dari"], "dari") if args.get("dari") else awal
    sampai = _tanggal(args["sampai"], "sampai") if args.get("sampai") else akhir
    if sampai < dari:
        raise DomainError(_l("Tanggal sampai tidak boleh sebelum tanggal dari."))
    if (sampai - dari).days > MAKS_HARI:
        raise DomainError(_l("Rentang tanggal paling panjang tiga tahun."))
    alur = (args.get("alur") or "semua").strip()
    if alur not in ALUR:
        raise DomainError(_l("Alur tidak dikenal: pilih eorder, katalog atau semua."))

    instansi_id = _id(args, "instansi", _l("Instansi"))
    satker_id = _id(args, "satker", _l("Satker"))
    kategori_id = _id(args, "kategori", _l("Kategori"))
    if instansi_id is not None and not _boleh(Instansi, instansi_id, user):
        raise NotFound(_l("Instansi tidak ditemukan."))
    if satker_id is not None and not _boleh(Satker, satker_id, user):
        raise NotFound(_l("Satker tidak ditemukan."))
    kategori_ids = ()
    if kategori_id is not None:
        kategori_ids = turunan(kategori_id)
        if not kategori_ids:
            raise NotFound(_l("Kategori tidak ditemukan."))
    return Saringan(dari, sampai, instansi_id, satker_id, kategori_id, alur, kategori_ids)


def _boleh(model, pk, user):
    return (
        db.session.execute(select(model.id).where(model.id == pk, scoping.visible_clause(model, user))).first()
        is not None
    )


def turunan(kategori_id):
    """The category and every category below it (three levels at most)."""
    rows = db.session.execute(select(Kategori.id, Kategori.parent_id)).all()
    if kategori_id not in {r.id for r in rows}:
        return ()
    anak = {}
    for r in rows:
        anak.setdefault(r.parent_id, []).append(r.id)
    found, todo = [], [kategori_id]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(anak.get(current, ()))
    return tuple(sorted(found))


def pilihan(user):
    """What the filter form offers this reader: the instansi, satker and categories in their scope."""
    instansi = db.session.execute(
        select(Instansi.id, Instansi.nama).where(scoping.visible_clause(Instansi, user)).order_by(Instansi.nama)
    ).all()
    satker = db.session.execute(
        select(Satker.id, Satker.nama, Satker.instansi_id)
        .where(scoping.visible_clause(Satker, user))
        .order_by(Satker.nama)
        .limit(2000)
    ).all()
    kategori = db.session.execute(
        select(Kategori.id, Kategori.nama, Kategori.level).where(Kategori.level == 1).order_by(Kategori.nama)
    ).all()
    return {"instansi": instansi, "satker": satker, "kategori": kategori, "alur": ALUR}
