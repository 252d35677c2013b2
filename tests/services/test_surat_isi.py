"""What the official letters state (issue 12, item 11), read back from the stored signed PDFs with poppler:
the SP's letterhead, numbers, delivery address and date, the PPK's NIP (never the NRK), the Penyedia's
signer, the verification code and its QR code; the signature blocks on the last clause's page with a visible
signature mark each; the BAST naming the accepted addendum."""

import io
import os
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from sqlalchemy import select

from app.extensions import db
from app.models import Dokumen
from app.services import clock, documents, dokumen_pdf, katalog, tte, verifikasi_dokumen
from app.services.katalog import bersama, surat_pesanan
from tests.factories import PASS_PENYEDIA, PASS_PPK, pdf_bytes

PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"
PDFSIG = shutil.which("pdfsig") or "/usr/bin/pdfsig"
pytestmark = pytest.mark.skipif(
    not (os.path.exists(PDFTOTEXT) and os.path.exists(PDFSIG)), reason="poppler-utils not installed"
)

NIP = "198305122008012003"
NRK = "170099"
BULAN = "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember".split()


def _tgl(d):
    return f"{d.day} {BULAN[d.month - 1]} {d.year}"


def teks(pdf, *args):
    """The PDF's text (whitespace collapsed); `-layout` keeps a printed row together."""
    out = subprocess.run([PDFTOTEXT, *args, "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return " ".join(out.decode().split())


def _halaman(pdf):
    return int(re.search(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()).group(1))  # fmt: skip


def _dunia(f):
    """A Katalog world whose PPK has a NIP, a position and an NRK, and whose Penyedia user a position."""
    w = f.katalog_dunia()
    ppk, supplier = w["ppk"], w["supplier"]
    ppk.first_name, ppk.last_name, ppk.nip, ppk.nrk = "Siti", "Rahmawati", NIP, NRK
    ppk.jabatan = "Kepala Subbagian Umum"
    supplier.first_name, supplier.last_name, supplier.jabatan = "Andrew", "Wijaya", "Direktur"
    w["satker"].alamat = "Jl. Jenderal Gatot Subroto Kav. 40-41\nJakarta Selatan"
    db.session.commit()
    return w


def _dokumen(doc_id):
    doc = db.session.get(Dokumen, doc_id)
    return doc, documents.read(doc.stored_name)


def _tanda_tangan(pdf):
    """[(field name, 0-based page, rect, text of its visible mark)] of the PDF's signature fields."""
    reader = PdfFileReader(io.BytesIO(pdf))
    pages = [ref.idnum for ref in reader.root["/Pages"]["/Kids"]]
    out = []
    for name, value, ref in fields.enumerate_sig_fields(reader):
        if value is not None and value.get_object().get("/Type") == "/DocTimeStamp":
            continue  # the PAdES B-LTA document timestamp after each signature: invisible, not a signer's
        field = ref.get_object()
        stream = field["/AP"]["/N"].data if "/AP" in field else b""
        shown = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), stream)
        shown = b" ".join(re.findall(rb"\((.*?)\) Tj", shown)).decode("latin-1")
        page = pages.index(field.raw_get("/P").idnum) if "/P" in field else None
        out.append((name, page, [float(v) for v in field["/Rect"]], shown))
    return out


def test_sp_states_letterhead_numbers_address_date_nip_and_signer(f):
    w = f.katalog("diproses_penyedia", dunia=_dunia(f))
    p = w["pesanan"]
    doc, pdf = _dokumen(p.sp_dokumen_id)
    text, rows = teks(pdf), teks(pdf, "-layout")
    instansi, satker = w["satker"].instansi.nama, w["satker"].nama
    assert text.startswith(f"{instansi.upper()} {satker.upper()} Jl. Jenderal Gatot Subroto Kav. 40-41 Jakarta Selatan")
    assert f"SURAT PESANAN Nomor: {p.sp_nomor}" in text
    assert f"Nomor Pesanan: {p.nomor}" in text
    assert f"Instansi: {instansi}" in text
    assert "Alamat Pengiriman : Jl. Medan Merdeka Selatan 8-9, Jakarta Pusat" in rows
    assert f"Tanggal Tiba yang Diminta : {_tgl(p.tanggal_tiba_diminta)}" in rows
    # the PPK: name, position and the 18-digit NIP, in the parties block and under the signature
    assert "Pejabat Pembuat Komitmen: Siti Rahmawati" in text and "Jabatan: Kepala Subbagian Umum" in text
    assert f"NIP: {NIP}" in text and f"NIP. {NIP}" in text
    assert NRK not in text
    # the Penyedia: the company and the person who signs for it, by name and position
    assert f"Nama: {w['penyedia'].nama}" in text
    assert "Diwakili oleh: Andrew Wijaya Jabatan: Direktur" in text
    # the verification code, kept with the stored version, printed with the page the QR code opens
    kode = verifikasi_dokumen.kode("sp", p.id, p.sp_nomor)
    assert doc.kode_verifikasi == kode and re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}", kode)
    assert f"Kode verifikasi: {kode}" in text
    assert f"/verifikasi-dokumen/{kode}" in text
    # every signed version keeps the code: the PPK's one and the countersigned one
    versions = db.session.execute(select(Dokumen).where(Dokumen.jenis == "surat_pesanan")).scalars().all()
    assert len(versions) == 2 and {v.kode_verifikasi for v in versions} == {kode}


def test_sp_signatures_are_visible_and_stay_with_the_last_clause(f, tmp_path):
    w = f.katalog("diproses_penyedia", dunia=_dunia(f))
    p = w["pesanan"]
    _doc, pdf = _dokumen(p.sp_dokumen_id)
    last = _halaman(pdf)
    page = teks(pdf, "-f", str(last), "-l", str(last))
    # the last clause, the closing words and both signature blocks share the last page
    assert f"{len(dokumen_pdf.KLAUSUL_UMUM)}. {dokumen_pdf.KLAUSUL_UMUM[-1]}" in page
    assert "Surat Pesanan ini berlaku sejak ditandatangani" in page
    assert "Siti Rahmawati" in page and "Andrew Wijaya" in page
    # each block's caption, and each signer's visible mark (poppler reads the marks too)
    assert page.count("Ditandatangani secara elektronik oleh") == 2
    assert page.count("Ditandatangani secara elektronik") == 4
    # one visible mark per signer, in its own block, naming the signer, the time and the code
    kode = verifikasi_dokumen.kode("sp", p.id, p.sp_nomor)
    tempat = dokumen_pdf.baca_tempat_ttd(PdfFileReader(io.BytesIO(pdf)).trailer["/Info"]["/PortalTempatTtd"])
    marks = {name: (page_no, rect, shown) for name, page_no, rect, shown in _tanda_tangan(pdf)}
    assert set(marks) == {f"TTE-{w['ppk'].id}", f"TTE-{w['supplier'].id}"}
    for pihak, user, nama in (("ppk", w["ppk"], "Siti Rahmawati"), ("penyedia", w["supplier"], "Andrew Wijaya")):
        page_no, rect, shown = marks[f"TTE-{user.id}"]
        block_page, block = tempat[pihak]
        assert page_no == block_page == last - 1
        assert rect[2] - rect[0] > 150 and rect[3] - rect[1] > 40  # a visible box, not a zero-size one
        assert all(abs(a - b) <= 1 for a, b in zip(rect, block, strict=True))
        assert nama in shown and f"Kode verifikasi: {kode}" in shown and "WIB" in shown
    # still valid for pyHanko and for poppler
    assert [r.ok for r in tte.verify_pdf(pdf)] == [True, True]
    path = tmp_path / "sp.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([PDFSIG, str(path)], capture_output=True, text=True, check=False).stdout
    assert out.count("Signature is Valid.") == 2


def test_the_same_order_renders_the_same_letter_and_code(f, monkeypatch):
    """A preview rendered before signing is byte for byte the letter signed: no clock, no random value;
    the QR code carries the verification page of the letter's own code."""
    w = f.katalog("menunggu_ppk", dunia=_dunia(f))
    p, now = w["pesanan"], clock.now()
    nomor = surat_pesanan.sp_nomor(p, now)
    seen = []
    real = dokumen_pdf.QrCodeWidget

    def recording(value, **kw):
        seen.append(value)
        return real(value, **kw)

    monkeypatch.setattr(dokumen_pdf, "QrCodeWidget", recording)
    first = dokumen_pdf.surat_pesanan_pdf(surat_pesanan.sp_data(p, nomor, now))
    clock.advance(timedelta(minutes=7))
    second = dokumen_pdf.surat_pesanan_pdf(surat_pesanan.sp_data(p, nomor, now))
    assert first == second
    kode = verifikasi_dokumen.kode("sp", p.id, nomor)
    assert seen == [f"http://127.0.0.1:5000/verifikasi-dokumen/{kode}"] * 2
    assert PdfFileReader(io.BytesIO(first)).trailer["/Info"]["/PortalKodeVerifikasi"] == kode
    # another letter of the same order has another code
    assert verifikasi_dokumen.kode("bast", p.id, nomor) != kode


def test_bast_names_the_accepted_addendum_only(f):
    w = f.adendum(until="diterima", dunia=_dunia(f))
    p, diterima = w["pesanan"], w["adendum"]
    ditolak = katalog.adendum.ajukan(p.id, w["ppk"], {"ongkir": 30_000}, PASS_PPK)
    katalog.adendum.jawab(ditolak.id, "tolak", w["supplier"], alasan="Tidak perlu")
    # the accepted addendum's letter: its own code, signed visibly by both
    _doc, letter = _dokumen(diterima.dokumen_id)
    assert f"Nomor Pesanan: {p.nomor}" in teks(letter)
    assert len([m for m in _tanda_tangan(letter) if m[2][2] > m[2][0]]) == 2
    p = katalog.jalankan(p.id, "kirim", w["supplier"], lokasi="Gudang Cakung", status="Dikirim")
    periksa = {i.id: {"qty_diterima": i.qty, "kondisi": "Baik", "sesuai": True} for i in p.items}
    p = katalog.jalankan(p.id, "terima_barang", w["ppk"], periksa=periksa, passphrase=PASS_PPK)
    p = katalog.jalankan(p.id, "ttd_bast", w["supplier"], passphrase=PASS_PENYEDIA)
    doc, pdf = _dokumen(p.bast_dokumen_id)
    text = teks(pdf)
    tanggal = _tgl(clock.to_local(diterima.created_at).date())
    assert f"Surat Pesanan nomor {p.sp_nomor} tanggal {_tgl(clock.to_local(p.sp_ttd_ppk_at).date())}" in text
    assert f"sebagaimana telah diubah dengan Adendum nomor {diterima.nomor} tanggal {tanggal}" in text
    assert ditolak.nomor not in text
    assert f"Nomor Pesanan: {p.nomor}" in text and f"NIP. {NIP}" in text and NRK not in text
    kode = verifikasi_dokumen.kode("bast", p.id, p.bast_nomor)
    assert doc.kode_verifikasi == kode and f"Kode verifikasi: {kode}" in text
    assert [r.ok for r in tte.verify_pdf(pdf)] == [True, True]


def test_nip_is_the_account_s_or_the_verified_profile_s_never_the_nrk(f):
    w = f.katalog("menunggu_negosiasi")
    p, ppk = w["pesanan"], w["ppk"]
    ppk.nrk = NRK
    db.session.commit()
    assert bersama.pihak_surat(p)["ppk"]["nip"] == "-"
    f.profil("terverifikasi", dunia={"pemohon": ppk, "instansi": w["satker"].instansi})
    assert bersama.pihak_surat(p)["ppk"]["nip"] == "199008172015031001"  # the verified ASN profile's
    ppk.nip = NIP
    db.session.commit()
    assert bersama.pihak_surat(p)["ppk"]["nip"] == NIP


def test_a_pdf_the_portal_did_not_build_is_signed_invisibly(f):
    user = f.tte(f.user("PPK", satker=f.satker("satker")), PASS_PPK)
    signed = tte.sign_pdf(user, pdf_bytes("Uji"), PASS_PPK, "Uji")
    [(name, _page, rect, _shown)] = _tanda_tangan(signed)
    assert name == f"TTE-{user.id}" and rect[2] - rect[0] == 0 and rect[3] - rect[1] == 0
    assert [r.ok for r in tte.verify_pdf(signed)] == [True]
