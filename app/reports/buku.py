"""The workbook every aggregate report writes: a cover sheet, one sheet per breakdown (bold frozen header,
autofilter, fitted widths, Rupiah/percentage/date formats, a totals row, native charts), a chart sheet.

A report gives `Lembar`s (a pandas DataFrame of an aggregate each, never of raw rows) and the cover's text;
this module only lays them out, with openpyxl."""

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.formatting import waktu

# Excel's own number format codes; [$-421] is Indonesian (LCID 0x0421): `Rp 1.250.000`, `42,5%` and month
# names in Indonesian whatever the reader's spreadsheet locale (checked in LibreOffice).
FORMAT = {
    "rupiah": '[$-421]"Rp "#,##0',
    "persen": "[$-421]0.0%",
    "angka": "[$-421]#,##0",
    "hari": "[$-421]0.0",
    "desimal": "[$-421]0.00",
    "tanggal": "[$-421]d mmmm yyyy",
    "waktu": "[$-421]d mmmm yyyy hh:mm",
}
# columns whose totals row is a sum; others are recomputed by the report (a share) or left empty
DIJUMLAH = ("rupiah", "angka")
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
BOLD = Font(bold=True)
MAKS_LEBAR = 60
LEBAR_SAMPUL = 90
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Grafik:
    jenis: str  # "bar", "line", "pie"
    judul: str
    kategori: str  # the column of the categories
    nilai: tuple  # the columns of the values
    baris_maks: int = 20  # charts show the first rows (the breakdowns come sorted)


@dataclass
class Lembar:
    judul: str
    df: object  # pandas DataFrame; column names are the printed headers
    jenis_kolom: dict  # header -> a FORMAT key ("teks" or missing: no format)
    total: dict | None = None  # header -> value of the totals row; None: sums of the rupiah/angka columns
    tanpa_total: bool = False
    grafik: list = field(default_factory=list)
    catatan: str | None = None  # written on the cover beside the sheet's name
    jenis_baris: list | None = None  # a FORMAT key per row for every column but the first (a key-figure list)


@dataclass
class Sampul:
    judul: str
    saringan: list  # (label, value) pairs, already readable
    oleh: str
    dibuat: datetime
    definisi: list  # (term, definition) pairs


def nama_lembar(judul, dipakai):
    name = _BAD_SHEET_CHARS.sub(" ", str(judul))[:31].strip() or "Lembar"
    base, n = name, 2
    while name.lower() in dipakai:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    dipakai.add(name.lower())
    return name


def _nilai(v):
    """A cell value openpyxl writes as a number or text (pandas gives numpy scalars and NaN)."""
    if v is None:
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()
    if isinstance(v, float):
        # pandas turns a missing value into NaN; a real figure never arrives as float (money is int/Decimal)
        if v != v:
            return None
        raise TypeError("reports must not carry float figures")
    if isinstance(v, datetime):
        return v
    if isinstance(v, (int, Decimal, date, str, bool)):
        return v
    return str(v)


def _lebar(value, kind):
    if value is None:
        return 0
    if kind == "rupiah" and isinstance(value, (int, Decimal)):
        return len(f"Rp {int(value):,}") + 1
    if kind in ("tanggal", "waktu"):
        return 18 if kind == "tanggal" else 22
    if kind == "persen":
        return 7
    return len(str(value))


def _sampul(ws, sampul, lembar):
    ws.title = nama_lembar(gettext("Sampul"), set())
    ws["A1"] = sampul.judul
    ws["A1"].font = Font(bold=True, size=14)
    row = 3
    for label, value in [
        (gettext("Dibuat pada"), waktu(sampul.dibuat)),
        (gettext("Dibuat oleh"), sampul.oleh),
        *sampul.saringan,
    ]:
        ws.cell(row=row, column=1, value=str(label)).font = BOLD
        ws.cell(row=row, column=2, value=str(value))
        row += 1
    row += 1
    ws.cell(row=row, column=1, value=gettext("Definisi")).font = Font(bold=True, size=12)
    row += 1
    for term, text in sampul.definisi:
        ws.cell(row=row, column=1, value=str(term)).font = Font(bold=True)
        ws.cell(row=row, column=1).alignment = Alignment(vertical="top")
        cell = ws.cell(row=row, column=2, value=str(text))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        # neither Excel nor LibreOffice grows a row for wrapped text written by a library: size it here
        ws.row_dimensions[row].height = 15 * (1 + len(str(text)) // LEBAR_SAMPUL)
        row += 1
    row += 1
    ws.cell(row=row, column=1, value=gettext("Lembar")).font = Font(bold=True, size=12)
    row += 1
    for sheet in lembar:
        ws.cell(row=row, column=1, value=sheet.judul)
        if sheet.catatan:
            ws.cell(row=row, column=2, value=str(sheet.catatan)).alignment = Alignment(wrap_text=True)
        row += 1
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = LEBAR_SAMPUL
    _cetak(ws)


def _tabel(ws, sheet):
    headers = [str(c) for c in sheet.df.columns]
    kinds = [sheet.jenis_kolom.get(h, "teks") for h in headers]
    widths = [len(h) + 2 for h in headers]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for values in sheet.df.itertuples(index=False, name=None):
        ws.append([_nilai(v) for v in values])
    n = len(sheet.df)
    for col, kind in enumerate(kinds, start=1):
        for r in range(2, n + 2):
            cell = ws.cell(row=r, column=col)
            k = sheet.jenis_baris[r - 2] if sheet.jenis_baris and col > 1 else kind
            if FORMAT.get(k):
                cell.number_format = FORMAT[k]
            widths[col - 1] = max(widths[col - 1], _lebar(cell.value, k))
    if not sheet.tanpa_total and n:
        total = sheet.total
        if total is None:
            total = {
                h: sum(int(v) for v in sheet.df[h] if _nilai(v) is not None)
                for h, k in zip(headers, kinds, strict=True)
                if k in DIJUMLAH
            }
        row = [total.get(h) for h in headers]
        if row[0] is None:
            row[0] = gettext("Jumlah")
        ws.append([_nilai(v) for v in row])
        for col, kind in enumerate(kinds, start=1):
            cell = ws.cell(row=n + 2, column=col)
            cell.font = BOLD
            cell.fill = TOTAL_FILL
            if FORMAT.get(kind):
                cell.number_format = FORMAT[kind]
            widths[col - 1] = max(widths[col - 1], _lebar(cell.value, kind))
    ws.freeze_panes = "A2"
    last = get_column_letter(len(headers))
    ws.auto_filter.ref = f"A1:{last}{max(n + 1, 1)}"
    for col, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = min(MAKS_LEBAR, max(8, w + 2))
    ws.print_title_rows = "1:1"
    _cetak(ws)
    return headers, n


def _cetak(ws):
    """Printed (and converted to PDF) landscape, one page wide."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def _grafik(ws, headers, n, g):
    rows = min(n, g.baris_maks)
    if not rows:
        return None
    chart = {"bar": BarChart, "line": LineChart, "pie": PieChart}[g.jenis]()
    chart.title = str(g.judul)
    cat_col = headers.index(str(g.kategori)) + 1
    for name in g.nilai:
        col = headers.index(str(name)) + 1
        chart.add_data(Reference(ws, min_col=col, min_row=1, max_row=rows + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=cat_col, min_row=2, max_row=rows + 1))
    chart.width, chart.height = 22, 11
    if g.jenis == "bar":
        chart.type = "bar" if rows > 8 else "col"
        chart.y_axis.numFmt = "#,##0"
    return chart


def tulis(sampul, lembar):
    """The workbook's bytes."""
    wb = Workbook()
    _sampul(wb.active, sampul, lembar)
    used = {wb.active.title.lower()}
    utama = None
    for sheet in lembar:
        ws = wb.create_sheet(nama_lembar(sheet.judul, used))
        headers, n = _tabel(ws, sheet)
        anchor_col = get_column_letter(len(headers) + 2)
        for k, g in enumerate(sheet.grafik):
            chart = _grafik(ws, headers, n, g)
            if chart is not None:
                ws.add_chart(chart, f"{anchor_col}{2 + k * 24}")
                if utama is None:
                    utama = (ws, headers, n, g)
    if utama is not None:
        # the main chart again on a sheet of its own, for printing and presenting
        cs = wb.create_chartsheet(nama_lembar(gettext("Grafik"), used))
        cs.add_chart(_grafik(*utama))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
