"""Order documents as PDF (reportlab platypus): Surat Pesanan, Berita Acara Serah Terima and Adendum.

Each builder takes a plain dict (no models, so callers decide where the figures come from) and returns the
bytes of a plain, unencrypted A4 PDF, ready to be signed by tte.sign_pdf (signatures added as incremental
updates, PPK first, then Penyedia). The document's metadata title is its nomor. The bytes depend on the data
only (reportlab's invariant mode: no timestamp, no random id), so the same data renders the same PDF twice.

Money: amounts are ints, printed with money.format_rupiah and spelled out with terbilang_rupiah. The builders
compute no figures: they print the ones they are given, and refuse floats (TypeError) so nothing passes
through binary floating point on its way onto an official letter. The Surat Pesanan is refused (ValueError)
when its figures contradict each other: totals.total must be subtotal + ppn + ppnbm + layanan + ongkir
(layanan counts only if given in totals), and a line with an int qty must have subtotal = harga_satuan x qty.

Shared by the three builders (see _render): the letterhead (instansi, satker, address), the header (title,
nomor, tanggal, order number), the parties table, the signature blocks and the verification box (the code
and a QR code to the public verification page). Each signature block leaves a blank space where the signer's
visible electronic signature goes; where it landed is written into the PDF's document information with the
verification code (INFO_TEMPAT_TTD, INFO_KODE), and tte.sign_pdf reads them back. Text is set in the PDF
standard font Helvetica (no font files needed); characters outside Latin-1/WinAnsi would print as boxes.

Data shape, common keys (all three builders):
    nomor: str, tanggal: date, pesanan_nomor?: str (the order's number),
    satker: {nama, alamat, instansi?: str}, ppk: {nama, nip, jabatan?: str},
    penyedia: {nama, npwp, alamat, penandatangan?: str, jabatan?: str} (penandatangan: who signs for it),
    kode_verifikasi?: str (`ABCD-EFGH-JKLM`), url_verifikasi?: str (the QR code's target)
surat_pesanan_pdf adds:
    rup: {kode, nama}, jadwal: {tanggal_kirim: date} (the requested arrival date), alamat_kirim?: str,
    lines: [{nama, qty, satuan, harga_satuan: int, subtotal: int, ppn: int, ppnbm: int}],
    layanan?: [{nama, harga: int, ppn?: int, ppnbm?: int}], ongkir?: int (if given, must equal totals.ongkir),
    ongkir_pajak?: {ppn: int, ppnbm: int} (Kurir Penyedia shipping taxes, counted in totals.ppn/ppnbm),
    totals: {subtotal, ppn, ppnbm, ongkir, total, layanan?} (ints; layanan = additional services not already
    in subtotal, printed as its own row), klausul: [str] (PPK's, may be empty)
bast_pdf adds:
    sp_nomor: str, sp_tanggal?: date, adendum?: [{nomor, tanggal?: date}] (the accepted addenda),
    lines: [{nama, satuan?, qty_dipesan, qty_diterima, kondisi: str, sesuai: bool, catatan?: str}],
    catatan?: str, total?: int
adendum_pdf adds:
    sp_nomor: str, sp_tanggal?: date, pengusul: {nama, peran}, alasan?: str,
    perubahan: [{perubahan, sebelum, sesudah}] (str), total_lama?: int, total_baru: int
"""

import io
import re
from contextlib import nullcontext
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from xml.sax.saxutils import escape

from babel.dates import format_date
from babel.numbers import format_decimal
from flask import has_app_context
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfdoc import PDFDate, PDFDictionary, PDFInfo, PDFName, PDFString
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .money import format_rupiah
from .terbilang import terbilang_rupiah

LOCALE = "id"
MARGIN = 2 * cm
LEBAR = A4[0] - 2 * MARGIN  # usable width: 17 cm
FONT, FONT_TEBAL = "Helvetica", "Helvetica-Bold"
PEMBUAT = _l("Portal Pengadaan - Katalog Elektronik")

# Two entries of the PDF's document information tell tte.sign_pdf which verification code the letter carries
# and where each party's signature block landed (0-based page, box in points): the second signer signs the
# stored PDF, not the data it was built from. Only this module writes them; baca_kode() and baca_tempat_ttd()
# read them back.
INFO_KODE = "PortalKodeVerifikasi"
INFO_TEMPAT_TTD = "PortalTempatTtd"
PIHAK_TTD = ("ppk", "penyedia")
KODE_RE = re.compile(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}")
TINGGI_TTD = 1.8 * cm  # the blank space above a signer's name, where the visible signature goes

JUDUL_SP = _l("SURAT PESANAN")
JUDUL_BAST = _l("BERITA ACARA SERAH TERIMA")
JUDUL_ADENDUM = _l("ADENDUM SURAT PESANAN")

# Printed before the PPK's own clauses on every Surat Pesanan; %(tanggal_kirim)s is filled in (every clause is
# formatted with the same mapping, so the others may use it too).
KLAUSUL_UMUM = (
    _l(
        "Penyedia mengirimkan barang/jasa sesuai rincian di atas paling lambat tanggal %(tanggal_kirim)s ke alamat "
        "yang ditetapkan oleh Pihak Pertama."
    ),
    _l("Nilai total pesanan sudah termasuk PPN, PPnBM, dan ongkos kirim sebagaimana dirinci di atas."),
    _l(
        "Serah terima barang/jasa dituangkan dalam Berita Acara Serah Terima (BAST) yang ditandatangani oleh kedua "
        "belah pihak."
    ),
    _l("Pembayaran dilakukan setelah BAST ditandatangani, sesuai ketentuan peraturan perundang-undangan."),
    _l("Perubahan atas Surat Pesanan ini hanya dapat dilakukan melalui adendum yang disetujui oleh kedua belah pihak."),
)

_BIASA = ParagraphStyle("biasa", fontName=FONT, fontSize=10, leading=13)
_PARAGRAF = ParagraphStyle("paragraf", parent=_BIASA, alignment=TA_JUSTIFY, spaceAfter=6)
_BUTIR = ParagraphStyle("butir", parent=_BIASA, leftIndent=0.7 * cm, bulletIndent=0, spaceAfter=4)
_JUDUL = ParagraphStyle("judul", parent=_BIASA, fontName=FONT_TEBAL, fontSize=14, leading=18, alignment=TA_CENTER)
_TENGAH = ParagraphStyle("tengah", parent=_BIASA, alignment=TA_CENTER)
# a section heading never ends a page alone: it keeps with what follows it
_SEKSI = ParagraphStyle("seksi", parent=_BIASA, fontName=FONT_TEBAL, spaceBefore=10, spaceAfter=4, keepWithNext=1)
_SEL = ParagraphStyle("sel", parent=_BIASA, fontSize=7.5, leading=9.5)
# Amounts wrap only at the space after "Rp", never inside the figure.
_SEL_KANAN = ParagraphStyle("sel_kanan", parent=_SEL, alignment=TA_RIGHT, splitLongWords=0)
_SEL_TENGAH = ParagraphStyle("sel_tengah", parent=_SEL, alignment=TA_CENTER)
_SEL_KEPALA = ParagraphStyle("sel_kepala", parent=_SEL, fontName=FONT_TEBAL, alignment=TA_CENTER)
_KANAN = ParagraphStyle("kanan", parent=_BIASA, alignment=TA_RIGHT)
_KANAN_TEBAL = ParagraphStyle("kanan_tebal", parent=_KANAN, fontName=FONT_TEBAL)
_KOP_INSTANSI = ParagraphStyle("kop_instansi", parent=_TENGAH, fontName=FONT_TEBAL, fontSize=12, leading=15)
_KOP_SATKER = ParagraphStyle("kop_satker", parent=_TENGAH, fontName=FONT_TEBAL, fontSize=11, leading=14)
_KOP_ALAMAT = ParagraphStyle("kop_alamat", parent=_TENGAH, fontSize=8.5, leading=11)
_KECIL = ParagraphStyle("kecil", parent=_BIASA, fontSize=8, leading=10.5, alignment=TA_LEFT)

_GARIS = colors.HexColor("#808080")
_LATAR_KEPALA = colors.HexColor("#E6E6E6")


# --- formatting -----------------------------------------------------------------------------------------


def _t(value):
    """User text made safe for Paragraph markup ("PT Maju & Jaya", "<script>"); line breaks kept."""
    if value is None or value == "":
        return "-"
    return escape(str(value)).replace("\n", "<br/>")


def _uang(amount):
    """The amount itself if it is an int; floats (and anything else) are refused rather than rounded."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"Rupiah amounts must be int, not {type(amount).__name__}")
    return amount


def _rp(amount):
    """`Rp 1.250.000`."""
    return format_rupiah(_uang(amount), locale=LOCALE)


def _terbilang(amount):
    return terbilang_rupiah(_uang(amount))


def _cek_sp(data):
    """Refuse a Surat Pesanan whose printed figures would contradict each other (the caller computes them)."""
    totals = data["totals"]
    total = _uang(totals["total"])
    parts = [_uang(totals[k]) for k in ("subtotal", "ppn", "ppnbm", "ongkir")]
    if totals.get("layanan") is not None:
        parts.append(_uang(totals["layanan"]))
    if data.get("ongkir") is not None and _uang(data["ongkir"]) != totals["ongkir"]:
        raise ValueError("ongkir and totals['ongkir'] differ")
    if sum(parts) != total:
        raise ValueError("totals['total'] is not subtotal + ppn + ppnbm + layanan + ongkir")
    for line in data["lines"]:
        qty = line["qty"]
        if isinstance(qty, int) and _uang(line["harga_satuan"]) * qty != _uang(line["subtotal"]):
            raise ValueError(f"line {line['nama']!r}: subtotal is not harga_satuan x qty")
    # the tax totals are the sums of the printed line, service and shipping taxes (when lines carry them)
    pajak_kirim = data.get("ongkir_pajak") or {}
    for key in ("ppn", "ppnbm"):
        rows = [*data["lines"], *(data.get("layanan") or [])]
        if rows and all(key in x for x in rows):
            if sum(_uang(x[key]) for x in rows) + _uang(pajak_kirim.get(key, 0)) != _uang(totals[key]):
                raise ValueError(f"totals[{key!r}] is not the sum of the line, service and shipping {key}")


def _tgl(d):
    """`22 November 2026`."""
    return "-" if d is None else format_date(d, "long", locale=LOCALE)


def _qty(qty, satuan=None):
    text = format_decimal(qty, locale=LOCALE)
    return f"{text} {satuan}" if satuan else text


# --- building blocks ------------------------------------------------------------------------------------


def _p(markup, style=_BIASA):
    return Paragraph(markup, style)


def _tabel(kepala, baris, lebar, kanan=(), tengah=()):
    """A gridded table; the header row repeats on every page. Columns in `kanan` are right-aligned (amounts)."""

    def sel(i, value):
        style = _SEL_KANAN if i in kanan else _SEL_TENGAH if i in tengah else _SEL
        return Paragraph(value, style)

    data = [[Paragraph(_t(h), _SEL_KEPALA) for h in kepala]]
    data += [[sel(i, value) for i, value in enumerate(row)] for row in baris]
    table = Table(data, colWidths=lebar, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, _GARIS),
                ("BACKGROUND", (0, 0), (-1, 0), _LATAR_KEPALA),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _ringkasan(baris, total_label, total):
    """Right-hand block of labelled amounts ending with a bold total; `baris` is [(label, int)]."""
    data = [[_p(_t(label), _KANAN), _p(_rp(amount), _KANAN)] for label, amount in baris]
    data.append([_p(_t(total_label), _KANAN_TEBAL), _p(_rp(total), _KANAN_TEBAL)])
    table = Table(data, colWidths=[5.5 * cm, 4.5 * cm], hAlign="RIGHT")
    table.setStyle(
        TableStyle(
            [
                ("LINEABOVE", (0, -1), (-1, -1), 0.75, colors.black),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _keterangan(pasangan):
    """Label/value lines (`Kode RUP: ...`) as a borderless two-column table."""
    data = [[_p(_t(label)), _p(":" + "&nbsp;" + value)] for label, value in pasangan]
    table = Table(data, colWidths=[4.5 * cm, LEBAR - 4.5 * cm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _terbilang_baris(amount):
    return _p(f"<b>{gettext('Terbilang:')}</b> <i>{_t(_terbilang(amount))}</i>", _PARAGRAF)


def _kop(data):
    """The letterhead: the instansi and the satker issuing the letter, its address, ruled off."""
    satker = data["satker"]
    kop = []
    if satker.get("instansi"):
        kop.append(_p(_t(str(satker["instansi"]).upper()), _KOP_INSTANSI))
    kop.append(_p(_t(str(satker["nama"]).upper()), _KOP_SATKER))
    if satker.get("alamat") and satker["alamat"] != "-":
        kop.append(_p(_t(satker["alamat"]), _KOP_ALAMAT))
    garis = Table([[""]], colWidths=[LEBAR], rowHeights=[2])
    garis.setStyle(TableStyle([("LINEABOVE", (0, 0), (-1, 0), 1.5, colors.black)]))
    return [*kop, Spacer(1, 0.15 * cm), garis, Spacer(1, 0.4 * cm)]


def _kepala(judul, data):
    kepala = [
        *_kop(data),
        _p(_t(judul), _JUDUL),
        _p(gettext("Nomor: %(nomor)s", nomor=_t(data["nomor"])), _TENGAH),
        _p(gettext("Tanggal: %(tanggal)s", tanggal=_tgl(data["tanggal"])), _TENGAH),
    ]
    if data.get("pesanan_nomor"):
        kepala.append(_p(gettext("Nomor Pesanan: %(nomor)s", nomor=_t(data["pesanan_nomor"])), _TENGAH))
    return [*kepala, Spacer(1, 0.6 * cm)]


def _kolom_pihak(judul, pasangan):
    sel = [_p(f"<b>{_t(judul)}</b>")]
    sel += [_p(f"<b>{_t(label)}</b>: {_t(value)}") for label, value in pasangan]
    return sel


def _para_pihak(data):
    satker, ppk, penyedia = data["satker"], data["ppk"], data["penyedia"]
    kiri = [(gettext("Satuan Kerja"), satker["nama"])]
    if satker.get("instansi"):
        kiri.append((gettext("Instansi"), satker["instansi"]))
    kiri += [(gettext("Alamat"), satker.get("alamat")), (gettext("Pejabat Pembuat Komitmen"), ppk["nama"])]
    if ppk.get("jabatan"):
        kiri.append((gettext("Jabatan"), ppk["jabatan"]))
    kiri.append((gettext("NIP"), ppk.get("nip")))
    kanan = [
        (gettext("Nama"), penyedia["nama"]),
        (gettext("NPWP"), penyedia.get("npwp")),
        (gettext("Alamat"), penyedia.get("alamat")),
    ]
    if penyedia.get("penandatangan"):
        kanan.append((gettext("Diwakili oleh"), penyedia["penandatangan"]))
        if penyedia.get("jabatan"):
            kanan.append((gettext("Jabatan"), penyedia["jabatan"]))
    kiri = _kolom_pihak(gettext("Pihak Pertama (Pemesan)"), kiri)
    kanan = _kolom_pihak(gettext("Pihak Kedua (Penyedia)"), kanan)
    table = Table([[kiri, kanan]], colWidths=[LEBAR / 2, LEBAR / 2])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, _GARIS),
                ("INNERGRID", (0, 0), (-1, -1), 0.5, _GARIS),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return [table, Spacer(1, 0.3 * cm)]


class _TempatTtd(Flowable):
    """The blank space above a signer's name. Drawn, it tells the canvas where it landed (page and box), so
    the signer's visible electronic signature is placed exactly there (tte.sign_pdf)."""

    def __init__(self, pihak):
        super().__init__()
        self.pihak, self.height = pihak, TINGGI_TTD

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return self.width, self.height

    def draw(self):
        catat = getattr(self.canv, "catat_tempat_ttd", None)
        if catat is not None:
            catat(self.pihak, (*self.canv.absolutePosition(0, 0), *self.canv.absolutePosition(self.width, self.height)))


def _blok_ttd(pihak, peran, instansi, nama, keterangan, tempat):
    """One signature block; `tempat` (ppk/penyedia) names the space where that party's electronic signature
    is shown. `keterangan`: the lines under the name (position, NIP)."""
    sel = [
        _p(_t(pihak), _TENGAH),
        _p(f"<b>{_t(peran)}</b>", _TENGAH),
        _p(_t(instansi) if instansi else "&nbsp;", _TENGAH),
        _TempatTtd(tempat),
        _p(f"<u><b>{_t(nama)}</b></u>", _TENGAH),
    ]
    sel += [_p(_t(baris), _TENGAH) for baris in keterangan if baris]
    sel.append(_p(f"<i>{gettext('Ditandatangani secara elektronik')}</i>", _TENGAH))
    return sel


def _qr(isi, ukuran=2.4 * cm):
    widget = QrCodeWidget(isi, barLevel="M")
    x1, y1, x2, y2 = widget.getBounds()
    gambar = Drawing(ukuran, ukuran, transform=[ukuran / (x2 - x1), 0, 0, ukuran / (y2 - y1), 0, 0])
    gambar.add(widget)
    return gambar


def _kotak_verifikasi(data):
    """The verification code and a QR code opening the public verification page (/verifikasi-dokumen/<kode>)."""
    kode, url = data.get("kode_verifikasi"), data.get("url_verifikasi")
    if not kode:
        return []
    teks = [
        _p(gettext("Kode verifikasi: %(kode)s", kode=f"<b>{_t(kode)}</b>"), _KECIL),
        _p(
            gettext(
                "Siapa pun dapat memeriksa keaslian dan keutuhan dokumen ini dengan memindai kode QR atau membuka "
                "%(url)s, serta membandingkan berkasnya dengan yang tersimpan di portal.",
                url=_t(url) if url else gettext("halaman Verifikasi Dokumen portal"),
            ),
            _KECIL,
        ),
    ]
    table = Table([[_qr(url) if url else "", teks]], colWidths=[2.8 * cm, LEBAR - 2.8 * cm])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, _GARIS),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (0, 0), 2),
            ]
        )
    )
    return [Spacer(1, 0.5 * cm), table]


def _tanda_tangan(data, penutup):
    ppk, penyedia = data["ppk"], data["penyedia"]
    kiri = _blok_ttd(
        gettext("Pihak Pertama"),
        gettext("Pejabat Pembuat Komitmen"),
        data["satker"]["nama"],
        ppk["nama"],
        [ppk.get("jabatan"), gettext("NIP. %(nip)s", nip=ppk["nip"]) if ppk.get("nip") else None],
        "ppk",
    )
    if penyedia.get("penandatangan"):
        kanan = _blok_ttd(
            gettext("Pihak Kedua"),
            gettext("Penyedia"),
            penyedia["nama"],
            penyedia["penandatangan"],
            [penyedia.get("jabatan")],
            "penyedia",
        )
    else:
        kanan = _blok_ttd(gettext("Pihak Kedua"), gettext("Penyedia"), None, penyedia["nama"], [], "penyedia")
    table = Table([[kiri, kanan]], colWidths=[LEBAR / 2, LEBAR / 2])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    # The closing words (and the SP's last clause) stay on the signatures' page: no page holds signatures alone.
    return KeepTogether([*penutup, Spacer(1, 0.8 * cm), table, *_kotak_verifikasi(data)])


class _Info(PDFInfo):
    """The document information plus the portal's own entries (INFO_KODE, INFO_TEMPAT_TTD)."""

    tambahan = None

    def format(self, document):
        # the standard entries as reportlab writes them (PDFInfo.format), with ours added
        entries = {
            "Title": PDFString(self.title),
            "Author": PDFString(self.author),
            "Producer": PDFString(self.producer),
            "Creator": PDFString(self.creator),
            "Subject": PDFString(self.subject),
            "Keywords": PDFString(self.keywords),
            "Trapped": PDFName(self.trapped),
        }
        datum = PDFDate(ts=document._timeStamp, dateFormatter=self._dateFormatter)
        entries["ModDate"] = entries["CreationDate"] = datum
        entries.update({k: PDFString(v) for k, v in (self.tambahan or {}).items() if v})
        return PDFDictionary(entries).format(document)


def _tulis_tempat(tempat):
    return "; ".join(
        f"{pihak} {page} " + " ".join(f"{v:.2f}" for v in box) for pihak, (page, box) in sorted(tempat.items())
    )


def baca_kode(value):
    """The verification code of a letter's INFO_KODE entry, or None when absent or malformed."""
    value = str(value or "").strip()
    return value if KODE_RE.fullmatch(value) else None


def baca_tempat_ttd(value):
    """{pihak: (0-based page, (x1, y1, x2, y2) in whole points)} from a letter's INFO_TEMPAT_TTD entry; malformed
    parts left out."""
    tempat = {}
    for bagian in str(value or "").split(";"):
        kata = bagian.split()
        if len(kata) != 6 or kata[0] not in PIHAK_TTD or not kata[1].isdigit():
            continue
        try:  # page points, read exactly (the project keeps float out of what it stores and compares)
            x1, y1, x2, y2 = (Decimal(v) for v in kata[2:])
        except InvalidOperation:
            continue
        if all(v.is_finite() for v in (x1, y1, x2, y2)) and 0 <= x1 < x2 <= A4[0] and 0 <= y1 < y2 <= A4[1]:
            # whole points: what the signature field is placed on (tte.py) anyway
            tempat[kata[0]] = (int(kata[1]), tuple(int(v.to_integral_value(ROUND_HALF_UP)) for v in (x1, y1, x2, y2)))
    return tempat


def _kanvas(nomor, kode=None):
    """Canvas class that prints `nomor - [kode verifikasi] - Halaman x dari y` at the foot of every page
    (two-pass page count) and writes the verification code and the signature blocks' places into the PDF."""
    tempat = {}

    class Kanvas(canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._halaman = []
            info = _Info()
            info.__dict__.update(self._doc.info.__dict__)
            self._doc.info = info

        def catat_tempat_ttd(self, pihak, box):
            tempat[pihak] = (len(self._halaman), box)

        def showPage(self):
            self._halaman.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            jumlah = len(self._halaman)
            for i, keadaan in enumerate(self._halaman, start=1):
                self.__dict__.update(keadaan)
                self.setFont(FONT, 8)
                self.setFillColor(_GARIS)
                self.drawString(MARGIN, MARGIN / 2, str(nomor))
                if kode:
                    self.drawCentredString(A4[0] / 2, MARGIN / 2, gettext("Kode verifikasi: %(kode)s", kode=kode))
                self.drawRightString(
                    A4[0] - MARGIN, MARGIN / 2, gettext("Halaman %(i)s dari %(jumlah)s", i=i, jumlah=jumlah)
                )
                super().showPage()
            self._doc.info.tambahan = {INFO_KODE: kode, INFO_TEMPAT_TTD: _tulis_tempat(tempat)}
            super().save()

    return Kanvas


def _render(judul, data, badan, penutup):
    """The one layout of all three documents: header, parties, the document's own body (`badan`), then its
    closing words (`penutup`) kept on one page with the signature blocks."""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=str(data["nomor"]),
        subject=str(judul).title(),
        author=str(data["satker"]["nama"]),
        creator=str(PEMBUAT),
        lang=LOCALE,
        # no timestamp or random file id: the preview the PPK reads is byte for byte the PDF it signs
        invariant=1,
    )
    story = [*_kepala(judul, data), *_para_pihak(data), *badan, _tanda_tangan(data, penutup)]
    doc.build(story, canvasmaker=_kanvas(data["nomor"], baca_kode(data.get("kode_verifikasi"))))
    return buf.getvalue()


def _rujukan_sp(data):
    nomor = f"<b>{_t(data['sp_nomor'])}</b>"
    if data.get("sp_tanggal"):
        return gettext(
            "Surat Pesanan nomor %(nomor)s tanggal %(tanggal)s", nomor=nomor, tanggal=_tgl(data["sp_tanggal"])
        )
    return gettext("Surat Pesanan nomor %(nomor)s", nomor=nomor)


def _rujukan_adendum(adenda):
    """`, sebagaimana telah diubah dengan Adendum nomor X tanggal Y dan ...` for the accepted addenda."""
    bagian = []
    for a in adenda or []:
        nomor = f"<b>{_t(a['nomor'])}</b>"
        if a.get("tanggal"):
            bagian.append(
                gettext("Adendum nomor %(nomor)s tanggal %(tanggal)s", nomor=nomor, tanggal=_tgl(a["tanggal"]))
            )
        else:
            bagian.append(gettext("Adendum nomor %(nomor)s", nomor=nomor))
    if not bagian:
        return ""
    return gettext(", sebagaimana telah diubah dengan %(adendum)s", adendum=f" {gettext('dan')} ".join(bagian))


def _daftar_bernomor(items):
    return [Paragraph(_t(item), _BUTIR, bulletText=f"{i}.") for i, item in enumerate(items, start=1)]


def _locale_surat():
    """Official letters are always in Indonesian, whatever the user's UI language (no-op without an app)."""
    return force_locale(LOCALE) if has_app_context() else nullcontext()


# --- the documents --------------------------------------------------------------------------------------


def surat_pesanan_pdf(data) -> bytes:
    """Surat Pesanan (SP), signed by the PPK and then the Penyedia."""
    with _locale_surat():
        _cek_sp(data)
        totals = data["totals"]
        tanggal_kirim = _tgl(data["jadwal"]["tanggal_kirim"])
        badan = [
            _p(
                gettext(
                    "Yang bertanda tangan di bawah ini, Pejabat Pembuat Komitmen selaku Pihak Pertama, memesan "
                    "barang/jasa kepada Penyedia selaku Pihak Kedua melalui Katalog Elektronik dengan rincian sebagai "
                    "berikut:"
                ),
                _PARAGRAF,
            ),
            _keterangan(
                [
                    (gettext("Kode RUP"), _t(data["rup"]["kode"])),
                    (gettext("Nama Paket (RUP)"), _t(data["rup"]["nama"])),
                    *([(gettext("Alamat Pengiriman"), _t(data["alamat_kirim"]))] if data.get("alamat_kirim") else []),
                    (gettext("Tanggal Tiba yang Diminta"), tanggal_kirim),
                ]
            ),
            _p(gettext("Rincian Barang/Jasa"), _SEKSI),
            _tabel(
                [
                    gettext("No"),
                    gettext("Nama Barang/Jasa"),
                    gettext("Kuantitas"),
                    gettext("Harga Satuan"),
                    gettext("Subtotal"),
                    gettext("PPN"),
                    gettext("PPnBM"),
                ],
                [
                    [
                        str(i),
                        _t(line["nama"]),
                        _t(_qty(line["qty"], line.get("satuan"))),
                        _rp(line["harga_satuan"]),
                        _rp(line["subtotal"]),
                        _rp(line["ppn"]),
                        _rp(line["ppnbm"]),
                    ]
                    for i, line in enumerate(data["lines"], start=1)
                ],
                [0.7 * cm, 3.7 * cm, 1.8 * cm, 2.9 * cm, 2.9 * cm, 2.6 * cm, 2.4 * cm],
                kanan=(3, 4, 5, 6),
                tengah=(0, 2),
            ),
        ]
        layanan = data.get("layanan") or []
        if layanan:
            badan += [
                _p(gettext("Layanan Tambahan"), _SEKSI),
                _tabel(
                    [gettext("No"), gettext("Nama Layanan"), gettext("Harga"), gettext("PPN"), gettext("PPnBM")],
                    [
                        [str(i), _t(x["nama"]), _rp(x["harga"]), _rp(x.get("ppn", 0)), _rp(x.get("ppnbm", 0))]
                        for i, x in enumerate(layanan, start=1)
                    ],
                    [0.8 * cm, LEBAR - 10.8 * cm, 4.0 * cm, 3.0 * cm, 3.0 * cm],
                    kanan=(2, 3, 4),
                    tengah=(0,),
                ),
            ]
        pajak_kirim = data.get("ongkir_pajak")
        if pajak_kirim and (pajak_kirim["ppn"] or pajak_kirim["ppnbm"]):
            # Kurir Penyedia: shipping is taxed like a line; its PPN/PPnBM are part of the totals below
            badan += [
                _p(gettext("Ongkos Kirim (Kurir Penyedia)"), _SEKSI),
                _tabel(
                    [gettext("Ongkos Kirim"), gettext("PPN"), gettext("PPnBM")],
                    [[_rp(totals["ongkir"]), _rp(pajak_kirim["ppn"]), _rp(pajak_kirim["ppnbm"])]],
                    [LEBAR - 6.0 * cm, 3.0 * cm, 3.0 * cm],
                    kanan=(0, 1, 2),
                ),
            ]
        # services before the taxes: PPN and PPnBM are those of goods, services and Kurir Penyedia shipping
        ringkasan = [(gettext("Subtotal"), totals["subtotal"])]
        if totals.get("layanan") is not None:
            ringkasan.append((gettext("Layanan Tambahan"), totals["layanan"]))
        ringkasan += [
            (gettext("PPN"), totals["ppn"]),
            (gettext("PPnBM"), totals["ppnbm"]),
            (gettext("Ongkos Kirim"), totals["ongkir"]),
        ]
        badan += [
            Spacer(1, 0.3 * cm),
            _ringkasan(ringkasan, gettext("Total"), totals["total"]),
            Spacer(1, 0.2 * cm),
            _terbilang_baris(totals["total"]),
            _p(gettext("Ketentuan"), _SEKSI),
            *_daftar_bernomor(
                [str(k) % {"tanggal_kirim": tanggal_kirim} for k in KLAUSUL_UMUM] + list(data.get("klausul") or [])
            ),
        ]
        # the last clause goes with the closing words onto the signatures' page
        penutup = [
            badan.pop(),
            _p(gettext("Surat Pesanan ini berlaku sejak ditandatangani oleh kedua belah pihak."), _PARAGRAF),
        ]
        return _render(JUDUL_SP, data, badan, penutup)


def bast_pdf(data) -> bytes:
    """Berita Acara Serah Terima (BAST): the PPK's inspection of what was delivered against the SP."""
    with _locale_surat():
        badan = [
            _p(
                gettext(
                    "Pada tanggal %(tanggal)s, Pihak Kedua telah menyerahkan dan Pihak Pertama telah menerima serta "
                    "memeriksa barang/jasa berdasarkan %(rujukan)s, dengan hasil pemeriksaan sebagai berikut:",
                    tanggal=_tgl(data["tanggal"]),
                    rujukan=_rujukan_sp(data) + _rujukan_adendum(data.get("adendum")),
                ),
                _PARAGRAF,
            ),
            _p(gettext("Hasil Pemeriksaan"), _SEKSI),
            _tabel(
                [
                    gettext("No"),
                    gettext("Nama Barang/Jasa"),
                    gettext("Qty Dipesan"),
                    gettext("Qty Diterima"),
                    gettext("Kondisi"),
                    gettext("Sesuai"),
                    gettext("Catatan"),
                ],
                [
                    [
                        str(i),
                        _t(line["nama"]),
                        _t(_qty(line["qty_dipesan"], line.get("satuan"))),
                        _t(_qty(line["qty_diterima"], line.get("satuan"))),
                        _t(line.get("kondisi")),
                        gettext("Ya") if line["sesuai"] else gettext("Tidak"),
                        _t(line.get("catatan")),
                    ]
                    for i, line in enumerate(data["lines"], start=1)
                ],
                [0.8 * cm, 4.7 * cm, 2.0 * cm, 2.0 * cm, 2.0 * cm, 1.4 * cm, 4.1 * cm],
                tengah=(0, 2, 3, 5),
            ),
            Spacer(1, 0.3 * cm),
        ]
        if data.get("catatan"):
            badan.append(_p(f"<b>{gettext('Catatan:')}</b> {_t(data['catatan'])}", _PARAGRAF))
        if data.get("total") is not None:
            badan += [
                _p(
                    gettext("Nilai barang/jasa yang diserahterimakan: %(total)s", total=f"<b>{_rp(data['total'])}</b>"),
                    _PARAGRAF,
                ),
                _terbilang_baris(data["total"]),
            ]
        penutup = [
            _p(
                gettext(
                    "Demikian Berita Acara Serah Terima ini dibuat dengan sebenarnya dan ditandatangani secara "
                    "elektronik oleh kedua belah pihak untuk dipergunakan sebagaimana mestinya."
                ),
                _PARAGRAF,
            )
        ]
        return _render(JUDUL_BAST, data, badan, penutup)


def adendum_pdf(data) -> bytes:
    """Adendum Surat Pesanan: the changes (before/after) and the new total, signed by both sides."""
    with _locale_surat():
        pengusul = data["pengusul"]
        badan = [
            _p(
                gettext(
                    "Adendum ini mengubah %(rujukan)s dengan rincian perubahan sebagai berikut.",
                    rujukan=_rujukan_sp(data),
                ),
                _PARAGRAF,
            ),
            _keterangan(
                [
                    (
                        gettext("Diajukan oleh"),
                        f"{_t(pengusul['nama'])} ({_t(pengusul.get('peran'))})",
                    )
                ]
                + ([(gettext("Alasan Perubahan"), _t(data["alasan"]))] if data.get("alasan") else [])
            ),
            _p(gettext("Rincian Perubahan"), _SEKSI),
            _tabel(
                [gettext("No"), gettext("Perubahan"), gettext("Sebelum"), gettext("Sesudah")],
                [
                    [str(i), _t(x["perubahan"]), _t(x["sebelum"]), _t(x["sesudah"])]
                    for i, x in enumerate(data["perubahan"], start=1)
                ],
                [0.8 * cm, 4.6 * cm, 5.8 * cm, 5.8 * cm],
                tengah=(0,),
            ),
            Spacer(1, 0.3 * cm),
        ]
        ringkasan = (
            [(gettext("Total sebelum adendum"), data["total_lama"])] if data.get("total_lama") is not None else []
        )
        badan += [
            _ringkasan(ringkasan, gettext("Total setelah adendum"), data["total_baru"]),
            Spacer(1, 0.2 * cm),
            _terbilang_baris(data["total_baru"]),
        ]
        penutup = [
            _p(
                gettext(
                    "Ketentuan lain dalam Surat Pesanan yang tidak diubah melalui adendum ini tetap berlaku. "
                    "Adendum ini merupakan bagian yang tidak terpisahkan dari Surat Pesanan dan berlaku sejak "
                    "ditandatangani oleh kedua belah pihak."
                ),
                _PARAGRAF,
            )
        ]
        return _render(JUDUL_ADENDUM, data, badan, penutup)
