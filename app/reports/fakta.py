"""The facts every report aggregates, defined once (docs/reports.md says the same in words).

- An order **counts as committed** from the moment the buyer is bound: E-Order when it enters Diproses
  (the Penyedia's confirmation, from the audit log), Katalog when the Surat Pesanan is signed by both
  (`sp_ttd_penyedia_at`: the Penyedia signs after the PPK).
- It **counts as realised** when it is finished and paid: E-Order when it enters Selesai, Katalog when it is
  Selesai (the payment's `dibayar_at`).
- Cancelled, rejected and auto-cancelled orders never count, whenever they were cancelled.
- Values are whole Rupiah before tax (goods, services and shipping), tax (PPN + PPnBM) and after tax.

`baris(s, user)` is one row per order line (goods, a Katalog service, a Katalog order's shipping) of the
orders that count in the period, already cut to the reader's scope and the filters. Reports GROUP BY over it
in the database; nothing here loads rows into Python.
"""

import functools
import uuid
from contextlib import contextmanager
from decimal import Decimal

from flask import g
from sqlalchemy import and_, case, func, literal, literal_column, null, or_, select, text, union_all
from sqlalchemy.sql.ddl import CreateTableAs, DropTable

from app.extensions import db
from app.models import (
    AuditLog,
    Instansi,
    LayananTambahan,
    Pembayaran,
    Penyedia,
    Pesanan,
    PesananItem,
    PesananKatalog,
    PesananKatalogItem,
    PesananKatalogLayanan,
    Produk,
    Satker,
)
from app.services import money, scoping

BATAL_EORDER = ("dibatalkan",)
BATAL_KATALOG = ("dibatalkan", "batal_otomatis", "ditolak_ppk")
TAHAP_EORDER = ("dipesan", "diproses", "dikirim", "diterima", "selesai", "dibatalkan")
ENTITY_EORDER = "pesanan"
ENTITY_KATALOG = "pesanan_katalog"
# Jakarta has had no daylight saving since 1964: WIB is UTC+7 all year.
WIB_JAM = 7


def dialek():
    return db.session.get_bind().dialect.name


def bulan(col):
    """'YYYY-MM' of a stored (naive UTC) time, in Jakarta."""
    if dialek() == "postgresql":
        return func.to_char(col + literal_column(f"interval '{WIB_JAM} hours'"), "YYYY-MM")
    return func.strftime("%Y-%m", col, f"+{WIB_JAM} hours")


def detik(awal, akhir):
    """Whole seconds from `awal` to `akhir` (an integer in both databases, never a float)."""
    if dialek() == "postgresql":
        return func.cast(func.extract("epoch", akhir - awal), db.BigInteger)
    return func.cast(func.strftime("%s", akhir), db.Integer) - func.cast(func.strftime("%s", awal), db.Integer)


def pertama(status):
    return func.min(case((AuditLog.to_status == status, AuditLog.at)))


def peristiwa_eorder(jendela=None):
    """When each E-Order order first entered each state (the audit log is the record of every transition);
    `jendela` (lo, hi]: only the orders with ids in that window (the detail export reads window by window)."""
    cols = [pertama(s).label(f"{s}_at") for s in TAHAP_EORDER]
    q = select(AuditLog.entity_id.label("pesanan_id"), *cols).where(
        AuditLog.entity == ENTITY_EORDER, AuditLog.to_status.in_(TAHAP_EORDER)
    )
    if jendela is not None:
        q = q.where(AuditLog.entity_id > jendela[0], AuditLog.entity_id <= jendela[1])
    return q.group_by(AuditLog.entity_id).subquery("ev_eorder")


def peristiwa_katalog():
    """When each Katalog order's negotiation ended, and how (from which state) it was cancelled."""
    return (
        select(
            AuditLog.entity_id.label("pesanan_id"),
            pertama("nego_selesai").label("nego_selesai_at"),
            func.min(case((AuditLog.to_status.in_(BATAL_KATALOG), AuditLog.at))).label("batal_at"),
            func.max(case((AuditLog.to_status == "batal_otomatis", AuditLog.from_status))).label("batal_dari"),
        )
        .where(AuditLog.entity == ENTITY_KATALOG, AuditLog.to_status.in_(("nego_selesai", *BATAL_KATALOG)))
        .group_by(AuditLog.entity_id)
        .subquery("ev_katalog")
    )


def dalam(col, s):
    return and_(col >= s.mulai_utc, col < s.akhir_utc)


def organisasi(q, satker_col, s):
    """`q` cut to the filter's satker and instansi (every report's organisation filter)."""
    if s.satker_id:
        q = q.where(satker_col == s.satker_id)
    if s.instansi_id:
        q = q.where(satker_col.in_(select(Satker.id).where(Satker.instansi_id == s.instansi_id)))
    return q


def _kategori(q, produk_col, s):
    if s.kategori_ids:
        q = q.where(produk_col.in_(select(Produk.id).where(Produk.kategori_id.in_(s.kategori_ids))))
    return q


def _kolom(alur, p, metode, komitmen, realisasi, jenis, baris_id, produk_id, nama, qty, harga, sebelum, ppn, ppnbm):
    return (
        literal(alur).label("alur"),
        p.id.label("pesanan_id"),
        p.nomor.label("nomor"),
        p.status.label("status"),
        p.satker_id.label("satker_id"),
        p.penyedia_id.label("penyedia_id"),
        metode.label("metode"),
        p.created_at.label("dibuat_at"),
        komitmen.label("komitmen_at"),
        realisasi.label("realisasi_at"),
        literal(jenis).label("jenis_baris"),
        baris_id.label("baris_id"),
        produk_id.label("produk_id"),
        nama.label("nama"),
        qty.label("qty"),
        harga.label("harga"),
        sebelum.label("sebelum"),
        ppn.label("ppn"),
        ppnbm.label("ppnbm"),
    )


def bagian_eorder(s, user, semua_status=False, jendela=None):
    """E-Order lines, scoped and filtered; `semua_status`: every ordered line placed in the period (the
    detail export), else the lines that count as committed or realised in the period."""
    ev = peristiwa_eorder(jendela)
    p, i = Pesanan, PesananItem
    komitmen = ev.c.diproses_at
    realisasi = case((p.status == "selesai", ev.c.selesai_at))
    q = (
        select(
            *_kolom(
                "eorder",
                p,
                p.metode_bayar,
                komitmen,
                realisasi,
                "barang",
                i.id,
                i.produk_id,
                i.nama_produk,
                i.qty,
                i.harga_satuan,
                i.subtotal,
                i.ppn,
                i.ppnbm,
            )  # fmt: skip
        )
        .select_from(i)
        .join(p, p.id == i.pesanan_id)
        .outerjoin(ev, ev.c.pesanan_id == p.id)
        .where(scoping.visible_clause(Pesanan, user), p.status != "draft")
    )
    if semua_status:
        q = q.where(dalam(func.coalesce(ev.c.dipesan_at, p.created_at), s))
    else:
        q = q.where(p.status.notin_(BATAL_EORDER), komitmen.isnot(None), or_(dalam(komitmen, s), dalam(realisasi, s)))
    if jendela is not None:
        q = q.where(p.id > jendela[0], p.id <= jendela[1])
    return _kategori(organisasi(q, p.satker_id, s), i.produk_id, s)


def _katalog_dasar(q, p, s, user, semua_status, komitmen, realisasi, jendela=None):
    q = q.where(scoping.visible_clause(PesananKatalog, user))
    if jendela is not None:
        q = q.where(p.id > jendela[0], p.id <= jendela[1])
    if semua_status:
        q = q.where(dalam(p.created_at, s))
    else:
        q = q.where(p.status.notin_(BATAL_KATALOG), komitmen.isnot(None), or_(dalam(komitmen, s), dalam(realisasi, s)))
    return organisasi(q, p.satker_id, s)


def bagian_katalog(s, user, semua_status=False, jendela=None):
    """Katalog goods lines, services and shipping, as three selects of the same columns."""
    p, pay = PesananKatalog, Pembayaran
    komitmen = p.sp_ttd_penyedia_at
    realisasi = case((p.status == "selesai", pay.dibayar_at))
    i, lay, lt = PesananKatalogItem, PesananKatalogLayanan, LayananTambahan

    barang = (
        select(
            *_kolom(
                "katalog",
                p,
                pay.metode,
                komitmen,
                realisasi,
                "barang",
                i.id,
                i.produk_id,
                i.nama,
                i.qty,
                i.harga,
                i.subtotal,
                i.ppn,
                i.ppnbm,
            )  # fmt: skip
        )
        .select_from(i)
        .join(p, p.id == i.pesanan_id)
        .outerjoin(pay, pay.pesanan_id == p.id)
    )
    barang = _kategori(_katalog_dasar(barang, p, s, user, semua_status, komitmen, realisasi, jendela), i.produk_id, s)

    layanan = (
        select(
            *_kolom(
                "katalog",
                p,
                pay.metode,
                komitmen,
                realisasi,
                "layanan",
                lay.id,
                lt.produk_id,
                lay.nama,
                literal(1),
                lay.harga,
                lay.harga,
                lay.ppn,
                lay.ppnbm,
            )  # fmt: skip
        )
        .select_from(lay)
        .join(p, p.id == lay.pesanan_id)
        .join(lt, lt.id == lay.layanan_id)
        .outerjoin(pay, pay.pesanan_id == p.id)
    )
    layanan = _kategori(
        _katalog_dasar(layanan, p, s, user, semua_status, komitmen, realisasi, jendela), lt.produk_id, s
    )

    parts = [barang, layanan]
    if not s.kategori_ids:
        # shipping has no product, so no category: a category filter leaves it out
        ongkir = (
            select(
                *_kolom(
                    "katalog",
                    p,
                    pay.metode,
                    komitmen,
                    realisasi,
                    "ongkir",
                    p.id,
                    null(),
                    literal("Ongkos kirim"),
                    literal(1),
                    p.ongkir,
                    p.ongkir,
                    p.ongkir_ppn,
                    p.ongkir_ppnbm,
                )  # fmt: skip
            )
            .select_from(p)
            .outerjoin(pay, pay.pesanan_id == p.id)
            .where(p.ongkir > 0)
        )
        parts.append(_katalog_dasar(ongkir, p, s, user, semua_status, komitmen, realisasi, jendela))
    return parts


def bagian(s, user, semua_status=False):
    parts = []
    if s.alur in ("semua", "eorder"):
        parts.append(bagian_eorder(s, user, semua_status))
    if s.alur in ("semua", "katalog"):
        parts.extend(bagian_katalog(s, user, semua_status))
    return parts


def baris(s, user):
    """Every counted line (see the module's docstring): a subquery, or inside `sesi()` a temporary table made
    once per filter and reader, so a report's many GROUP BYs read the lines without recomputing them."""
    cache = g.get("_fakta")
    if cache is None:
        return union_all(*bagian(s, user)).subquery("baris")
    key = (s, getattr(user, "id", None), tuple(sorted(scoping.roles_of(user))))
    if key not in cache:
        stmt = CreateTableAs(union_all(*bagian(s, user)), f"fakta_{uuid.uuid4().hex[:16]}", temporary=True)
        db.session.execute(stmt)
        if dialek() == "postgresql":
            db.session.execute(text(f"ANALYZE {stmt.table.name}"))  # a temporary table has no statistics
        cache[key] = stmt.table
    return cache[key]


def dengan_sesi(fn):
    """Run `fn` inside `sesi()` (a report's `hitung`)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with sesi():
            return fn(*args, **kwargs)

    return wrapper


@contextmanager
def sesi():
    """The counted lines computed once for everything inside (a report, the dashboard's four), then dropped.
    Nested uses share the outer one's tables."""
    if g.get("_fakta") is not None:
        yield
        return
    g._fakta = {}
    try:
        yield
    finally:
        for table in g.pop("_fakta").values():
            db.session.execute(DropTable(table, if_exists=True))


def kunci_pesanan(b):
    """A number that names one order across both flows (ids are per table)."""
    return b.c.pesanan_id * 2 + case((b.c.alur == "katalog", 1), else_=0)


class Tabel:
    """The tables a breakdown may group by, joined once to the counted lines."""

    def __init__(self, b):
        self.b = b
        self.penyedia = Penyedia.__table__.alias("penyedia")
        self.produk = Produk.__table__.alias("produk")
        self.satker = Satker.__table__.alias("satker")
        self.instansi = Instansi.__table__.alias("instansi")

    def sumber(self):
        return (
            self.b.join(self.penyedia, self.penyedia.c.id == self.b.c.penyedia_id)
            .join(self.satker, self.satker.c.id == self.b.c.satker_id)
            .join(self.instansi, self.instansi.c.id == self.satker.c.instansi_id)
            .outerjoin(self.produk, self.produk.c.id == self.b.c.produk_id)
        )


def ukuran(t, s):
    """The measures of every spending breakdown, each a SUM/COUNT over the counted lines."""
    b, produk = t.b, t.produk.c
    di_k, di_r = dalam(b.c.komitmen_at, s), dalam(b.c.realisasi_at, s)
    pajak = b.c.ppn + b.c.ppnbm

    def jumlah(cond, expr):
        return func.coalesce(func.sum(case((cond, expr), else_=0)), 0)

    ada_produk = and_(di_k, b.c.produk_id.isnot(None))
    return [
        func.count(func.distinct(case((di_k, kunci_pesanan(b))))).label("pesanan_komitmen"),
        jumlah(di_k, b.c.sebelum).label("komitmen_sebelum"),
        jumlah(di_k, pajak).label("komitmen_pajak"),
        jumlah(di_k, b.c.sebelum + pajak).label("komitmen_total"),
        func.count(func.distinct(case((di_r, kunci_pesanan(b))))).label("pesanan_realisasi"),
        jumlah(di_r, b.c.sebelum).label("realisasi_sebelum"),
        jumlah(di_r, pajak).label("realisasi_pajak"),
        jumlah(di_r, b.c.sebelum + pajak).label("realisasi_total"),
        jumlah(and_(di_k, t.penyedia.c.is_umkm.is_(True)), b.c.sebelum).label("umkm_sebelum"),
        jumlah(ada_produk, b.c.sebelum).label("produk_sebelum"),
        jumlah(and_(ada_produk, produk.is_pdn.is_(True)), b.c.sebelum).label("pdn_sebelum"),
        jumlah(and_(ada_produk, produk.tkdn_persen >= Decimal("25")), b.c.sebelum).label("tkdn25_sebelum"),
        jumlah(and_(ada_produk, produk.tkdn_persen >= Decimal("40")), b.c.sebelum).label("tkdn40_sebelum"),
    ]


UKURAN = (
    "pesanan_komitmen", "komitmen_sebelum", "komitmen_pajak", "komitmen_total",
    "pesanan_realisasi", "realisasi_sebelum", "realisasi_pajak", "realisasi_total",
    "umkm_sebelum", "produk_sebelum", "pdn_sebelum", "tkdn25_sebelum", "tkdn40_sebelum",
)  # fmt: skip


def agregat(s, user, dims=lambda t: [], order_by=None, limit=None, where=None):
    """GROUP BY `dims(t)` over the counted lines: a list of dicts, every measure a whole-Rupiah int."""
    t = Tabel(baris(s, user))
    cols = dims(t)
    q = select(*cols, *ukuran(t, s)).select_from(t.sumber())
    if where is not None:
        q = q.where(where(t))
    if cols:
        q = q.group_by(*cols)
    if order_by is not None:
        q = q.order_by(*order_by(t))
    if limit:
        q = q.limit(limit)
    rows = []
    for r in db.session.execute(q).mappings():
        row = dict(r)
        for k in UKURAN:
            row[k] = money.rupiah_bulat(row[k])
        rows.append(row)
    return rows
