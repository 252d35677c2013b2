"""What every list page people read shares: the filter arguments (status tab, search box, date range,
page) read safely from the query string, and one pagination rule with a capped count.

The count stops at CAP (shown as "10.000+"): COUNT(*) over a province's orders would cost more than the
page itself, and nobody pages that far. The page itself is LIMIT/OFFSET on an indexed order.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager

from app.extensions import db
from app.models import Kategori, Penyedia, Pesanan, PesananKatalog, Produk, Satker

from . import clock, scoping

CAP = 10_000
PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25
MAX_PAGE = CAP // min(PAGE_SIZES)


@dataclass(frozen=True)
class Saringan:
    status: str | None = None
    q: str = ""
    dari: date | None = None
    sampai: date | None = None
    page: int = 1
    per_page: int = DEFAULT_PAGE_SIZE

    def args(self, **changes):
        """The query-string arguments of this filter (for links), with `changes` applied."""
        out = {
            "status": self.status,
            "q": self.q or None,
            "dari": self.dari.isoformat() if self.dari else None,
            "sampai": self.sampai.isoformat() if self.sampai else None,
            "page": self.page if self.page > 1 else None,
            "per_page": self.per_page if self.per_page != DEFAULT_PAGE_SIZE else None,
        }
        out.update(changes)
        return {k: v for k, v in out.items() if v not in (None, "")}


def _tanggal(text):
    try:
        return date.fromisoformat((text or "").strip()[:10]) if text else None
    except ValueError:
        return None


def _bulat(text, default, low, high):
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        return default
    return min(max(int(text), low), high)


def saringan(args, statuses=(), default_status=None):
    """A Saringan from request.args: an unknown status, a bad date or page simply falls back (never a 500)."""
    # `_flt_3_status`: the FAB filter argument the old list links used
    status = args.get("status") or args.get("_flt_3_status") or default_status
    if status not in statuses:
        status = default_status if default_status in statuses else None
    per_page = _bulat(args.get("per_page"), DEFAULT_PAGE_SIZE, 1, max(PAGE_SIZES))
    per_page = per_page if per_page in PAGE_SIZES else DEFAULT_PAGE_SIZE
    dari, sampai = _tanggal(args.get("dari")), _tanggal(args.get("sampai"))
    if dari and sampai and dari > sampai:
        dari, sampai = sampai, dari
    return Saringan(
        status=status,
        q=(args.get("q") or "").strip()[:100],
        dari=dari,
        sampai=sampai,
        page=_bulat(args.get("page"), 1, 1, MAX_PAGE),
        per_page=per_page,
    )


def _utc(day):
    """Midnight WIB of a calendar day, as the naive UTC the database stores."""
    local = datetime.combine(day, time.min, tzinfo=clock.WIB)
    return local.astimezone(UTC).replace(tzinfo=None)


def terapkan(stmt, s, status_col=None, text_cols=(), date_col=None):
    """The filter's WHERE parts on a statement: the status tab, the search box (case-insensitive substring on
    `text_cols`), the date range (calendar days in Jakarta time on `date_col`)."""
    if s.status and status_col is not None:
        stmt = stmt.where(status_col == s.status)
    if s.q and text_cols:
        pattern = "%" + s.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(*[func.lower(c).like(pattern, escape="\\") for c in text_cols]))
    if date_col is not None and s.dari:
        stmt = stmt.where(date_col >= _utc(s.dari))
    if date_col is not None and s.sampai:
        stmt = stmt.where(date_col < _utc(s.sampai + timedelta(days=1)))
    return stmt


@dataclass
class Halaman:
    items: list
    page: int
    per_page: int
    total: int  # capped at CAP
    saringan: Saringan

    @property
    def lebih(self):
        return self.total >= CAP

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def dari_no(self):
        return 0 if not self.items else (self.page - 1) * self.per_page + 1

    @property
    def sampai_no(self):
        return (self.page - 1) * self.per_page + len(self.items)

    def window(self, size=2):
        """Page numbers around the current one (the rest is reached by Sebelumnya/Berikutnya)."""
        return list(range(max(1, self.page - size), min(self.pages, self.page + size) + 1))


def hitung(stmt, cap=CAP):
    """COUNT of a statement's rows, stopping at `cap` (one statement)."""
    inner = stmt.with_only_columns(*stmt.selected_columns[:1]).order_by(None).limit(cap).subquery()
    return db.session.execute(select(func.count()).select_from(inner)).scalar_one()


def halaman(stmt, s, order_by, scalars=True):
    """One page of a filtered statement: two statements (the capped count, the page)."""
    total = hitung(stmt)
    page = min(s.page, max(1, -(-total // s.per_page)))
    rows = db.session.execute(stmt.order_by(*order_by).limit(s.per_page).offset((page - 1) * s.per_page))
    items = rows.unique().scalars().all() if scalars else rows.all()
    return Halaman(items=items, page=page, per_page=s.per_page, total=total, saringan=s)


# --- the lists' statements: scoped by the one rule, relations joined (a page costs the same at any size) -------


def pesanan_eorder(user, s, extra=()):
    """E-Order orders the user may see (Riwayat Pesanan / Pesanan Masuk), newest first, supplier and buyer
    joined; the search box looks in the number, the activity and both parties' names."""
    stmt = (
        select(Pesanan)
        .join(Penyedia, Penyedia.id == Pesanan.penyedia_id)
        .join(Satker, Satker.id == Pesanan.satker_id)
        .where(scoping.visible_clause(Pesanan, user), *extra)
        .options(contains_eager(Pesanan.penyedia), contains_eager(Pesanan.satker))
    )
    stmt = terapkan(stmt, s, Pesanan.status, (Pesanan.nomor, Pesanan.nama_kegiatan, Penyedia.nama, Satker.nama),
                    Pesanan.created_at)  # fmt: skip
    return halaman(stmt, s, (Pesanan.id.desc(),))


def pesanan_katalog(user, s):
    """Katalog orders the user may see, newest first, supplier and satker joined."""
    stmt = (
        select(PesananKatalog)
        .join(Penyedia, Penyedia.id == PesananKatalog.penyedia_id)
        .join(Satker, Satker.id == PesananKatalog.satker_id)
        .where(scoping.visible_clause(PesananKatalog, user))
        .options(contains_eager(PesananKatalog.penyedia), contains_eager(PesananKatalog.satker))
    )
    stmt = terapkan(stmt, s, PesananKatalog.status, (PesananKatalog.nomor, Penyedia.nama, Satker.nama),
                    PesananKatalog.created_at)  # fmt: skip
    return halaman(stmt, s, (PesananKatalog.created_at.desc(), PesananKatalog.id.desc()))


def produk_saya(user, s):
    """The supplier's own products (Produk Saya), newest first, with their category."""
    stmt = (
        select(Produk)
        .outerjoin(Kategori, Kategori.id == Produk.kategori_id)
        .where(scoping.visible_clause(Produk, user))
        .options(contains_eager(Produk.kategori))
    )
    stmt = terapkan(stmt, s, Produk.status, (Produk.nama,), Produk.created_at)
    return halaman(stmt, s, (Produk.id.desc(),))
