"""Rincian: every line of every order placed in the period (drafts aside, whatever the status since), one row
each, streamed from the database into openpyxl's write-only mode.

Memory stays flat as the data grows: the orders are read in windows of ids (each window one query over the
lines of at most WINDOW orders, with the audit events of those orders only), every row goes straight to the
write-only sheet, and a sheet that reaches Excel's 1,048,576 rows continues on the next one."""

import os
import tempfile

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select, union_all

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


def _nilai_baris(r, jalur):
    status = (STATUS_PESANAN if r["alur"] == "eorder" else STATUS_KATALOG).get(r["status"], r["status"])
    metode_label = METODE_BAYAR if r["alur"] == "eorder" else METODE_BAYAR_LABEL
    kategori = jalur.get(r["kategori_id"], (None, None, None)) if r["kategori_id"] else (None, None, None)
    pajak = int(r["ppn"]) + int(r["ppnbm"])
    return [
        str(ALUR[r["alur"]]),
        r["nomor"],
        str(status),
        _lokal(r["dibuat_at"]),
        _lokal(r["komitmen_at"]),
        _lokal(r["realisasi_at"]),
        r["instansi"],
        r["satker"],
        r["penyedia"],
        gettext("Ya") if r["is_umkm"] else gettext("Tidak"),
        *kategori,
        str(JENIS_BARIS.get(r["jenis_baris"], r["jenis_baris"])),
        str(JENIS_BARIS["ongkir"]) if r["jenis_baris"] == "ongkir" else r["nama"],
        int(r["qty"]),
        int(r["harga"]),
        int(r["sebelum"]),
        int(r["ppn"]),
        int(r["ppnbm"]),
        int(r["sebelum"]) + pajak,
        str(metode_label.get(r["metode"], r["metode"])) if r["metode"] else "-",
    ]


class _Penulis:
    """Write-only sheets of KOLOM; a new sheet when one is full."""

    def __init__(self, wb):
        self.wb, self.ws, self.n, self.sheets, self.total = wb, None, 0, 0, 0
        self.maks = baris_per_lembar()
        self.headers = [str(h) for h, _, _ in KOLOM]
        self.formats = [buku.FORMAT.get(k) for _, k, _ in KOLOM]

    def _lembar_baru(self):
        self._tutup()
        self.sheets += 1
        name = gettext("Rincian") if self.sheets == 1 else f"{gettext('Rincian')} ({self.sheets})"
        ws = self.wb.create_sheet(name)
        for col, (_, _, width) in enumerate(KOLOM, start=1):
            ws.column_dimensions[get_column_letter(col)].width = width
        ws.freeze_panes = "A2"
        header = []
        for h in self.headers:
            cell = WriteOnlyCell(ws, value=h)
            cell.font = Font(bold=True)
            cell.fill = buku.HEADER_FILL
            header.append(cell)
        ws.append(header)
        self.ws, self.n = ws, 0

    def _tutup(self):
        if self.ws is not None:
            self.ws.auto_filter.ref = f"A1:{get_column_letter(len(KOLOM))}{self.n + 1}"

    def tulis(self, values):
        if self.ws is None or self.n >= self.maks:
            self._lembar_baru()
        row = []
        for v, fmt in zip(values, self.formats, strict=True):
            if fmt and v is not None:
                cell = WriteOnlyCell(self.ws, value=v)
                cell.number_format = fmt
                row.append(cell)
            else:
                row.append(v)
        self.ws.append(row)
        self.n += 1
        self.total += 1

    def selesai(self):
        if self.ws is None:
            self._lembar_baru()
        self._tutup()


def _sampul(wb, s, user):
    ws = wb.create_sheet(gettext("Sampul"))
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 100
    bold = Font(bold=True)
    cover = umum.sampul(JUDUL, s, user, DEFINISI)

    def line(a, b=None):
        ca = WriteOnlyCell(ws, value=str(a))
        ca.font = bold
        ws.append([ca, str(b) if b is not None else None])

    big = WriteOnlyCell(ws, value=cover.judul)
    big.font = Font(bold=True, size=14)
    ws.append([big])
    ws.append([])
    line(gettext("Dibuat pada"), waktu(cover.dibuat))
    line(gettext("Dibuat oleh"), cover.oleh)
    for a, b in cover.saringan:
        line(a, b)
    ws.append([])
    for a, b in cover.definisi:
        line(a, b)


def tulis(s, user, berkas, kemajuan=None):
    """Write the workbook to the file `berkas`; `kemajuan(done, total, rows)` after every window. Rows written."""
    wb = Workbook(write_only=True)
    _sampul(wb, s, user)
    penulis = _Penulis(wb)
    jalur = belanja._jalur_kategori()
    windows = rencana(s, user)
    for k, (alur, jendela) in enumerate(windows, start=1):
        for r in baris(s, user, alur, jendela):
            penulis.tulis(_nilai_baris(r, jalur))
        if kemajuan is not None:
            kemajuan(k, len(windows), penulis.total)
    penulis.selesai()
    wb.save(berkas)
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
