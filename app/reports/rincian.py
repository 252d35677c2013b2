"""Rincian: every line of every order placed in the period (drafts aside, whatever the status since), one row
each, streamed from the database into XlsxWriter's constant-memory mode (see _Penulis for why not openpyxl).

Memory stays flat as the data grows: the orders are read in windows of ids (each window one query over the
lines of at most WINDOW orders, with the audit events of those orders only), every row goes straight to the
write-only sheet, and a sheet that reaches Excel's 1,048,576 rows continues on the next one."""

import os
import tempfile

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, union_all
from xlsxwriter import Workbook

from app.extensions import db
from app.formatting import waktu
from app.models import Pesanan, PesananKatalog
from app.models.eorder import METODE_BAYAR, STATUS_PESANAN
from app.models.payments import METODE_BAYAR_LABEL
from app.models.purchasing import STATUS_KATALOG
from app.services import clock

from . import belanja, buku, fakta, umum
from .saringan import ALUR

JUDUL = _l("Rincian Baris Pesanan")
EXCEL_ROWS = 1_048_576
WINDOW = 2000
JENIS_BARIS = {"barang": _l("Barang"), "layanan": _l("Layanan tambahan"), "ongkir": _l("Ongkos kirim")}
DEFINISI = [
    (
        _l("Rincian"),
        _l(
            "Setiap baris pesanan yang dipesan (E-Order) atau di-checkout (Katalog) dalam periode, apa pun "
            "statusnya kini (keranjang/Draft tidak termasuk). Kolom Komitmen dan Realisasi menunjukkan apakah "
            "dan kapan baris itu dihitung dalam laporan lain."
        ),
    ),
]
KOLOM = [
    (_l("Alur"), "teks", 12),
    (_l("Nomor Pesanan"), "teks", 24),
    (_l("Status"), "teks", 22),
    (_l("Dibuat"), "waktu", 20),
    (_l("Komitmen"), "waktu", 20),
    (_l("Realisasi"), "waktu", 20),
    (_l("Instansi"), "teks", 30),
    (_l("Satker"), "teks", 30),
    (_l("Penyedia"), "teks", 30),
    (_l("UMKM"), "teks", 7),
    (_l("Kategori Level 1"), "teks", 20),
    (_l("Kategori Level 2"), "teks", 20),
    (_l("Kategori Level 3"), "teks", 20),
    (_l("Jenis Baris"), "teks", 16),
    (_l("Produk / Uraian"), "teks", 36),
    (_l("Kuantitas"), "angka", 10),
    (_l("Harga Satuan"), "rupiah", 16),
    (_l("Sebelum Pajak"), "rupiah", 16),
    (_l("PPN"), "rupiah", 14),
    (_l("PPnBM"), "rupiah", 14),
    (_l("Setelah Pajak"), "rupiah", 16),
    (_l("Metode Bayar"), "teks", 22),
]


def baris_per_lembar():
    """Data rows per sheet: Excel's limit less the header (smaller in tests, to see the split)."""
    return int(current_app.config.get("REPORT_XLSX_MAX_ROWS", EXCEL_ROWS - 1))


def _jendela(model, s):
    """(lo, hi] id windows over the table; empty windows cost one index probe each."""
    lo, hi = db.session.execute(select(func.min(model.id), func.max(model.id))).one()
    if lo is None:
        return []
    return [(start, min(start + WINDOW, hi)) for start in range(lo - 1, hi, WINDOW)]


def _query(parts):
    b = union_all(*parts).subquery("baris")
    t = fakta.Tabel(b)
    q = (
        select(
            b,
            t.instansi.c.nama.label("instansi"),
            t.satker.c.nama.label("satker"),
            t.penyedia.c.nama.label("penyedia"),
            t.penyedia.c.is_umkm,
            t.produk.c.kategori_id,
        )
        .select_from(t.sumber())
        .order_by(b.c.pesanan_id, b.c.jenis_baris, b.c.baris_id)
    )
    return q


def rencana(s, user):
    """The windows to read, in order: (flow, window)."""
    out = []
    if s.alur in ("semua", "eorder"):
        out += [("eorder", w) for w in _jendela(Pesanan, s)]
    if s.alur in ("semua", "katalog"):
        out += [("katalog", w) for w in _jendela(PesananKatalog, s)]
    return out


def baris(s, user, alur, jendela):
    """The rows of one window, as dicts."""
    if alur == "eorder":
        parts = [fakta.bagian_eorder(s, user, semua_status=True, jendela=jendela)]
    else:
        parts = fakta.bagian_katalog(s, user, semua_status=True, jendela=jendela)
    return db.session.execute(_query(parts)).mappings()


def _lokal(dt):
    return clock.to_local(dt).replace(tzinfo=None) if dt else None


class _Label:
    """Every label the rows repeat, translated once per export (a million gettext calls cost minutes)."""

    def __init__(self):
        self.alur = {k: str(v) for k, v in ALUR.items()}
        self.status = {
            "eorder": {k: str(v) for k, v in STATUS_PESANAN.items()},
            "katalog": {k: str(v) for k, v in STATUS_KATALOG.items()},
        }
        self.metode = {
            "eorder": {k: str(v) for k, v in METODE_BAYAR.items()},
            "katalog": {k: str(v) for k, v in METODE_BAYAR_LABEL.items()},
        }
        self.jenis = {k: str(v) for k, v in JENIS_BARIS.items()}
        self.ya, self.tidak = gettext("Ya"), gettext("Tidak")


def _nilai_baris(r, jalur, label):
    alur = r["alur"]
    kategori = jalur.get(r["kategori_id"], (None, None, None)) if r["kategori_id"] else (None, None, None)
    pajak = int(r["ppn"]) + int(r["ppnbm"])
    return [
        label.alur[alur],
        r["nomor"],
        label.status[alur].get(r["status"], r["status"]),
        _lokal(r["dibuat_at"]),
        _lokal(r["komitmen_at"]),
        _lokal(r["realisasi_at"]),
        r["instansi"],
        r["satker"],
        r["penyedia"],
        label.ya if r["is_umkm"] else label.tidak,
        *kategori,
        label.jenis.get(r["jenis_baris"], r["jenis_baris"]),
        label.jenis["ongkir"] if r["jenis_baris"] == "ongkir" else r["nama"],
        int(r["qty"]),
        int(r["harga"]),
        int(r["sebelum"]),
        int(r["ppn"]),
        int(r["ppnbm"]),
        int(r["sebelum"]) + pajak,
        label.metode[alur].get(r["metode"], r["metode"]) if r["metode"] else "-",
    ]


class _Penulis:
    """Constant-memory sheets of KOLOM (XlsxWriter: each row goes to a temporary file as it is written, strings
    inline, so memory does not grow with the rows); a new sheet when one is full.

    Why XlsxWriter here and openpyxl elsewhere: the aggregate workbooks are small and built with openpyxl's
    charts; this one writes 20-odd million cells, and openpyxl's write-only mode spends ~7 µs on each
    formatted cell (a new cell object and a style lookup per value: 1,000,000 lines in ~170 s), XlsxWriter
    ~4 µs (bench/README.md). Values go through the typed writers (write_string never turns a text that
    starts with "=" into a formula, nor a URL into a link)."""

    def __init__(self, wb):
        self.wb, self.ws, self.n, self.sheets, self.total = wb, None, 0, 0, 0
        self.maks = baris_per_lembar()
        self.headers = [str(h) for h, _, _ in KOLOM]
        self.header_fmt = wb.add_format({"bold": True, "bg_color": "#DCE6F1"})
        # per column: (the typed writer's name, its number format or None)
        self.kolom = []
        for _, kind, _ in KOLOM:
            fmt = wb.add_format({"num_format": buku.FORMAT[kind]}) if buku.FORMAT.get(kind) else None
            method = {"teks": "write_string", "waktu": "write_datetime"}.get(kind, "write_number")
            self.kolom.append((method, fmt))

    def _lembar_baru(self):
        self._tutup()
        self.sheets += 1
        name = gettext("Rincian") if self.sheets == 1 else f"{gettext('Rincian')} ({self.sheets})"
        ws = self.wb.add_worksheet(name)
        for col, (_, _, width) in enumerate(KOLOM):
            ws.set_column(col, col, width)
        ws.freeze_panes(1, 0)
        for col, h in enumerate(self.headers):
            ws.write_string(0, col, h, self.header_fmt)
        self.ws, self.n = ws, 0
        self.writers = [(getattr(ws, method), fmt) for method, fmt in self.kolom]

    def _tutup(self):
        if self.ws is not None:
            self.ws.autofilter(0, 0, self.n, len(KOLOM) - 1)

    def tulis(self, values):
        if self.ws is None or self.n >= self.maks:
            self._lembar_baru()
        self.n += 1
        row = self.n
        for col, (v, (write, fmt)) in enumerate(zip(values, self.writers, strict=True)):
            if v is not None:
                write(row, col, v, fmt)
        self.total += 1

    def selesai(self):
        if self.ws is None:
            self._lembar_baru()
        self._tutup()


def _sampul(wb, s, user):
    ws = wb.add_worksheet(gettext("Sampul"))
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 100)
    bold = wb.add_format({"bold": True})
    cover = umum.sampul(JUDUL, s, user, DEFINISI)
    rows = [
        (cover.judul, None),
        None,
        (gettext("Dibuat pada"), waktu(cover.dibuat)),
        (gettext("Dibuat oleh"), cover.oleh),
    ]
    rows += list(cover.saringan) + [None] + list(cover.definisi)
    ws.write_string(0, 0, str(cover.judul), wb.add_format({"bold": True, "font_size": 14}))
    for r, line in enumerate(rows[1:], start=1):
        if line is None:
            continue
        a, b = line
        ws.write_string(r, 0, str(a), bold)
        if b is not None:
            ws.write_string(r, 1, str(b))


def tulis(s, user, berkas, kemajuan=None):
    """Write the workbook to the file `berkas`; `kemajuan(done, total, rows)` after every window. Rows written."""
    wb = Workbook(berkas, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    try:
        _sampul(wb, s, user)
        penulis = _Penulis(wb)
        jalur = belanja._jalur_kategori()
        label = _Label()
        windows = rencana(s, user)
        for k, (alur, jendela) in enumerate(windows, start=1):
            for r in baris(s, user, alur, jendela):
                penulis.tulis(_nilai_baris(r, jalur, label))
            if kemajuan is not None:
                kemajuan(k, len(windows), penulis.total)
        penulis.selesai()
    finally:
        wb.close()
    return penulis.total


def buku_laporan(s, user):
    """The bytes (the small, direct answer); large exports run as a job writing to a file (tugas.py)."""
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        tulis(s, user, path)
        with open(path, "rb") as f:
            return f.read()
    finally:
        os.unlink(path)


def perkiraan(s, user):
    """How many lines the export would hold, counted in the database (to choose direct answer or job)."""
    parts = fakta.bagian(s, user, semua_status=True)
    return db.session.execute(select(func.count()).select_from(union_all(*parts).subquery())).scalar_one()
