"""The platform's invoice for UP payments (PMK 58/2023): it states that it counts as the faktur pajak.

Built with the same reportlab blocks as the Surat Pesanan (app/services/dokumen_pdf.py): the caller gives
the figures (ints), the builder prints them, refuses floats and figures that contradict each other.

Data: nomor, tanggal, pesanan, sp_nomor, bast_nomor, metode, rezim,
      satker {nama, alamat}, ppk {nama}, penyedia {nama, npwp, alamat},
      lines [{nama, qty, satuan, harga_satuan, subtotal, ppn, ppnbm}], layanan [{nama, harga, ppn, ppnbm}],
      ongkir_pajak? {ppn, ppnbm} (Kurir Penyedia shipping; counted in totals.ppn/ppnbm),
      totals {subtotal, ppn, ppnbm, ongkir, total} (subtotal includes the services, as on the order).
"""

import io

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import SimpleDocTemplate, Spacer

from .dokumen_pdf import (
    _BIASA,
    _PARAGRAF,
    _SEKSI,
    LOCALE,
    MARGIN,
    PEMBUAT,
    _kanvas,
    _kepala,
    _keterangan,
    _locale_surat,
    _p,
    _qty,
    _ringkasan,
    _rp,
    _t,
    _tabel,
    _terbilang_baris,
    _uang,
)

JUDUL_INVOICE = _l("INVOICE")


def _cek(data):
    totals = data["totals"]
    parts = [_uang(totals[k]) for k in ("subtotal", "ppn", "ppnbm", "ongkir")]
    if sum(parts) != _uang(totals["total"]):
        raise ValueError("totals['total'] is not subtotal + ppn + ppnbm + ongkir")


def invoice_pdf(data) -> bytes:
    with _locale_surat():
        _cek(data)
        totals = data["totals"]
        pajak_kirim = data.get("ongkir_pajak")
        satker, penyedia = data["satker"], data["penyedia"]
        penjual = gettext("Penjual (Penyedia)")  # outside the f-string, so pybabel extracts it
        story = [
            *_kepala(JUDUL_INVOICE, data),
            _p(f"<b>{penjual}</b>", _BIASA),
            _keterangan(
                [
                    (gettext("Nama"), _t(penyedia["nama"])),
                    (gettext("NPWP"), _t(penyedia.get("npwp"))),
                    (gettext("Alamat"), _t(penyedia.get("alamat"))),
                ]
            ),
            Spacer(1, 0.2 * cm),
            _p(f"<b>{gettext('Pembeli')}</b>", _BIASA),
            _keterangan(
                [
                    (gettext("Satuan Kerja"), _t(satker["nama"])),
                    (gettext("Alamat"), _t(satker.get("alamat"))),
                    (gettext("Pejabat Pembuat Komitmen"), _t(data["ppk"]["nama"])),
                ]
            ),
            Spacer(1, 0.2 * cm),
            _keterangan(
                [
                    (gettext("Nomor Pesanan"), _t(data["pesanan"])),
                    (gettext("Surat Pesanan"), _t(data.get("sp_nomor"))),
                    (gettext("BAST"), _t(data.get("bast_nomor"))),
                    (gettext("Metode Pembayaran"), _t(data["metode"])),
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
                ]
                + [
                    [
                        str(len(data["lines"]) + i),
                        _t(x["nama"]),
                        "1",
                        _rp(x["harga"]),
                        _rp(x["harga"]),
                        _rp(x.get("ppn", 0)),
                        _rp(x.get("ppnbm", 0)),
                    ]
                    for i, x in enumerate(data.get("layanan") or [], start=1)
                ]  # fmt: skip
                + (
                    # Kurir Penyedia shipping is taxed like a line; its PPN/PPnBM are in the totals below
                    [
                        [
                            "",
                            _t(gettext("Ongkos kirim (Kurir Penyedia)")),
                            "1",
                            _rp(totals["ongkir"]),
                            "-",
                            _rp(pajak_kirim["ppn"]),
                            _rp(pajak_kirim["ppnbm"]),
                        ]
                    ]
                    if pajak_kirim and (pajak_kirim["ppn"] or pajak_kirim["ppnbm"])
                    else []
                ),  # fmt: skip
                [0.7 * cm, 3.7 * cm, 1.8 * cm, 2.9 * cm, 2.9 * cm, 2.6 * cm, 2.4 * cm],
                kanan=(3, 4, 5, 6),
                tengah=(0, 2),
            ),
            Spacer(1, 0.3 * cm),
            _ringkasan(
                [
                    (gettext("Subtotal"), totals["subtotal"]),
                    (gettext("PPN"), totals["ppn"]),
                    (gettext("PPnBM"), totals["ppnbm"]),
                    (gettext("Ongkos Kirim"), totals["ongkir"]),
                ],
                gettext("Total Tagihan"),
                totals["total"],
            ),
            Spacer(1, 0.2 * cm),
            _terbilang_baris(totals["total"]),
            _p(gettext("Keterangan Pajak"), _SEKSI),
            _p(
                gettext(
                    "Sesuai %(rezim)s, PPN dan PPh atas transaksi ini dipungut dan disetorkan oleh pihak lain "
                    "(penyelenggara Katalog Elektronik), bukan oleh Bendahara satuan kerja.",
                    rezim=_t(data["rezim"]),
                ),
                _PARAGRAF,
            ),
            _p(
                "<b>"
                + gettext(
                    "Invoice ini merupakan dokumen tertentu yang kedudukannya dipersamakan dengan Faktur Pajak; "
                    "Penyedia tidak perlu menerbitkan faktur pajak tersendiri."
                )
                + "</b>",
                _PARAGRAF,
            ),
        ]
        buf = io.BytesIO()
        doc = SimpleDocTemplate(
            buf,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=str(data["nomor"]),
            subject=str(JUDUL_INVOICE).title(),
            author=str(penyedia["nama"]),
            creator=str(PEMBUAT),
            lang=LOCALE,
        )
        doc.build(story, canvasmaker=_kanvas(data["nomor"]))
        return buf.getvalue()
