"""Order documents as PDF (Surat Pesanan, BAST, Adendum): well-formed, readable text, exact Rupiah figures, and
signable by two parties with incremental pyHanko signatures. No app and no database needed."""

import io
import os
import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from app.services import dokumen_pdf
from app.services.dokumen_pdf import adendum_pdf, bast_pdf, surat_pesanan_pdf

PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"
PDFSIG = shutil.which("pdfsig") or "/usr/bin/pdfsig"
needs_pdftotext = pytest.mark.skipif(not os.path.exists(PDFTOTEXT), reason="pdftotext (poppler-utils) not installed")


@pytest.fixture(autouse=True)
def _clean():
    """Overrides conftest's autouse fixture of the same name: these tests need no app and no database."""
    yield


# --- data -----------------------------------------------------------------------------------------------


def _umum(nomor):
    return {
        "nomor": nomor,
        "tanggal": date(2026, 11, 22),
        "satker": {"nama": "Biro Pengadaan Barang & Jasa", "alamat": "Jl. Medan Merdeka Barat No. 1\nJakarta Pusat"},
        "ppk": {"nama": "Siti Rahmawati", "nip": "198001012005012001"},
        "penyedia": {"nama": "PT Maju <Jaya> Sentosa", "npwp": "01.234.567.8-901.000", "alamat": "Jl. Gatot Subroto 5"},
    }


def sp_data(**changes):
    data = {
        **_umum("SP/BPPBJ/2026/000123"),
        "rup": {"kode": "RUP-44556677", "nama": "Pengadaan Laptop Kantor 2026"},
        "lines": [
            {
                "nama": "Laptop 14 inci",
                "qty": 1,
                "satuan": "unit",
                "harga_satuan": 1_000_000,
                "subtotal": 1_000_000,
                "ppn": 110_000,
                "ppnbm": 0,
            },
            {
                "nama": "Mouse nirkabel",
                "qty": 5,
                "satuan": "buah",
                "harga_satuan": 10_000,
                "subtotal": 50_000,
                "ppn": 5_500,
                "ppnbm": 2_500,
            },
        ],
        "layanan": [{"nama": "Instalasi sistem operasi", "harga": 75_000}],
        "ongkir": 7_000,
        "totals": {
            "subtotal": 1_050_000,
            "ppn": 115_500,
            "ppnbm": 2_500,
            "layanan": 75_000,
            "ongkir": 7_000,
            "total": 1_250_000,
        },
        "klausul": ["Barang dikirim dalam kemasan asli pabrikan.", "Garansi resmi minimal satu tahun."],
        "jadwal": {"tanggal_kirim": date(2026, 12, 5)},
    }
    data.update(changes)
    return data


def bast_data(**changes):
    data = {
        **_umum("BAST/BPPBJ/2026/000045"),
        "sp_nomor": "SP/BPPBJ/2026/000123",
        "sp_tanggal": date(2026, 11, 1),
        "lines": [
            {
                "nama": "Laptop 14 inci",
                "satuan": "unit",
                "qty_dipesan": 1_000,
                "qty_diterima": 1_000,
                "kondisi": "Baik",
                "sesuai": True,
                "catatan": "",
            },
            {
                "nama": "Mouse nirkabel",
                "satuan": "buah",
                "qty_dipesan": 5,
                "qty_diterima": 4,
                "kondisi": "Rusak ringan",
                "sesuai": False,
                "catatan": "Satu unit menyusul",
            },
        ],
        "total": 1_250_000,
    }
    data.update(changes)
    return data


def adendum_data(**changes):
    data = {
        **_umum("ADD/BPPBJ/2026/000007"),
        "sp_nomor": "SP/BPPBJ/2026/000123",
        "pengusul": {"nama": "Siti Rahmawati", "peran": "Pejabat Pembuat Komitmen"},
        "alasan": "Penyesuaian kebutuhan unit kerja",
        "perubahan": [
            {"perubahan": "Kuantitas Mouse nirkabel", "sebelum": "5 buah", "sesudah": "6 buah"},
            {"perubahan": "Tanggal pengiriman", "sebelum": "5 Desember 2026", "sesudah": "12 Desember 2026"},
        ],
        "total_lama": 1_250_000,
        "total_baru": 1_277_750,
    }
    data.update(changes)
    return data


BUILDERS = [(surat_pesanan_pdf, sp_data), (bast_pdf, bast_data), (adendum_pdf, adendum_data)]


def teks(pdf, layout=False):
    """The PDF's text with whitespace runs collapsed, so wrapped lines read as one.

    pdftotext's default reading order takes a table column by column (good for one cell's wrapped text);
    layout=True keeps each printed row together (good for "Total Rp 1.250.000").
    """
    args = [PDFTOTEXT, *(["-layout"] if layout else []), "-", "-"]
    out = subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()
    return " ".join(out.split())


# --- form -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("build,make", BUILDERS)
def test_plain_pdf_with_nomor_as_title(build, make):
    data = make()
    pdf = build(data)
    assert isinstance(pdf, bytes)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    reader = PdfFileReader(io.BytesIO(pdf))
    assert not reader.encrypted
    assert reader.trailer["/Info"]["/Title"] == data["nomor"]
    assert len(list(reader.embedded_signatures)) == 0


@needs_pdftotext
@pytest.mark.parametrize("build,make", BUILDERS)
def test_shared_header_parties_and_signature_blocks(build, make):
    data = make()
    text = teks(build(data))
    assert f"Nomor: {data['nomor']}" in text
    assert "Tanggal: 22 November 2026" in text
    # User text is escaped, not read as markup; line breaks in addresses survive.
    assert "Biro Pengadaan Barang & Jasa" in text
    assert "PT Maju <Jaya> Sentosa" in text
    assert "Jl. Medan Merdeka Barat No. 1 Jakarta Pusat" in text
    assert "01.234.567.8-901.000" in text
    assert "Pejabat Pembuat Komitmen" in text and "Penyedia" in text
    assert "NIP. 198001012005012001" in text
    assert text.count("Ditandatangani secara elektronik") == 2
    assert re.search(r"Halaman 1 dari \d+", text)


# --- Surat Pesanan --------------------------------------------------------------------------------------


@needs_pdftotext
def test_surat_pesanan_text():
    pdf = surat_pesanan_pdf(sp_data())
    text, rows = teks(pdf), teks(pdf, layout=True)
    assert text.startswith("BIRO PENGADAAN BARANG & JASA")  # the letterhead, then the title
    assert "Jakarta Pusat SURAT PESANAN Nomor:" in text
    assert "RUP-44556677" in text and "Pengadaan Laptop Kantor 2026" in text
    assert "1 Laptop 14 inci 1 unit Rp 1.000.000 Rp 1.000.000 Rp 110.000 Rp 0" in rows
    assert "2 Mouse nirkabel 5 buah Rp 10.000 Rp 50.000 Rp 5.500 Rp 2.500" in rows
    assert "1 Instalasi sistem operasi Rp 75.000" in rows
    assert "Subtotal Rp 1.050.000" in rows
    assert "PPN Rp 115.500" in rows
    assert "PPnBM Rp 2.500" in rows
    assert "Layanan Tambahan Rp 75.000" in rows
    assert "Ongkos Kirim Rp 7.000" in rows
    assert "Total Rp 1.250.000" in rows
    assert "Terbilang: Satu juta dua ratus lima puluh ribu rupiah" in text
    assert "5 Desember 2026" in text
    assert "5 buah" in text
    assert "Layanan Tambahan" in text and "Instalasi sistem operasi" in text
    # The PPK's clauses come after the standard ones, numbered on.
    n = len(dokumen_pdf.KLAUSUL_UMUM)
    assert f"{n + 1}. Barang dikirim dalam kemasan asli pabrikan." in text
    assert f"{n + 2}. Garansi resmi minimal satu tahun." in text


@needs_pdftotext
def test_surat_pesanan_minimal():
    """No additional services, no extra clauses, no shipping cost, no top-level ongkir."""
    totals = {"subtotal": 1_050_000, "ppn": 115_500, "ppnbm": 2_500, "ongkir": 0, "total": 1_168_000}
    data = sp_data(layanan=[], klausul=[], totals=totals)
    del data["ongkir"]
    pdf = surat_pesanan_pdf(data)
    text = teks(pdf)
    assert "Layanan Tambahan" not in text
    assert "Ongkos Kirim Rp 0" in teks(pdf, layout=True)
    assert "Terbilang: Satu juta seratus enam puluh delapan ribu rupiah" in text
    assert f"{len(dokumen_pdf.KLAUSUL_UMUM)}. " in text
    assert f"{len(dokumen_pdf.KLAUSUL_UMUM) + 1}. " not in text


@needs_pdftotext
def test_a_trillion_renders_exactly():
    """10^12 and 10^12 + 1 print digit for digit: ints all the way, no float on the way."""
    triliun = 10**12
    line = {
        "nama": "Paket besar",
        "qty": 1,
        "satuan": "paket",
        "harga_satuan": triliun + 1,
        "subtotal": triliun + 1,
        "ppn": 0,
        "ppnbm": 0,
    }
    totals = {"subtotal": triliun + 1, "ppn": 0, "ppnbm": 0, "ongkir": 0, "total": triliun + 1}
    pdf = surat_pesanan_pdf(sp_data(lines=[line], layanan=[], ongkir=0, totals=totals))
    text, rows = teks(pdf), teks(pdf, layout=True)
    assert "Total Rp 1.000.000.000.001" in rows
    assert "Rp 1.000.000.000.001 Rp 1.000.000.000.001 Rp 0 Rp 0" in rows  # harga satuan, subtotal: unwrapped
    assert "Terbilang: Satu triliun satu rupiah" in text
    line = {**line, "harga_satuan": triliun, "subtotal": triliun}
    totals = {**totals, "subtotal": triliun, "total": triliun}
    pdf = surat_pesanan_pdf(sp_data(lines=[line], layanan=[], ongkir=0, totals=totals))
    text, rows = teks(pdf), teks(pdf, layout=True)
    assert "Total Rp 1.000.000.000.000" in rows
    assert "Terbilang: Satu triliun rupiah" in text


@pytest.mark.parametrize(
    "changes",
    [
        {"ongkir": 0, "totals": {"subtotal": 1_250_000, "ppn": 0, "ppnbm": 0, "ongkir": 0, "total": 1_250_000.0}},
        {"layanan": [{"nama": "Instalasi", "harga": 75_000.0}]},
        {"ongkir": 7_000.0},
        {"ongkir": 0, "totals": {"subtotal": 1_250_000, "ppn": 0, "ppnbm": 0, "ongkir": 0.0, "total": 1_250_000}},
    ],
)
def test_float_amounts_refused(changes):
    with pytest.raises(TypeError):
        surat_pesanan_pdf(sp_data(**changes))


def test_float_line_amount_refused():
    data = sp_data()
    data["lines"][0]["harga_satuan"] = 999_999.5
    with pytest.raises(TypeError):
        surat_pesanan_pdf(data)


def test_sample_figures_add_up():
    """The fixture itself is coherent (it passes the builder's own checks below)."""
    surat_pesanan_pdf(sp_data())


@pytest.mark.parametrize(
    "changes",
    [
        {"ongkir": 15_000},  # differs from totals.ongkir
        {"totals": {"subtotal": 1_050_000, "ppn": 115_500, "ppnbm": 2_500, "ongkir": 7_000, "total": 1_250_000}},
        {"totals": {"subtotal": 1_050_000, "ppn": 115_500, "ppnbm": 2_500, "ongkir": 7_000, "total": 1_175_001}},
    ],
)
def test_contradicting_figures_refused(changes):
    with pytest.raises(ValueError):
        surat_pesanan_pdf(sp_data(**changes))


def test_line_subtotal_must_be_price_times_qty():
    data = sp_data()
    data["lines"][1]["subtotal"] = 49_999
    with pytest.raises(ValueError):
        surat_pesanan_pdf(data)


@needs_pdftotext
def test_long_order_spans_pages_and_keeps_signatures():
    line = sp_data()["lines"][1]
    lines = [dict(line, nama=f"Barang nomor {i}") for i in range(1, 121)]
    totals = {"subtotal": 120 * 50_000, "ppn": 120 * 5_500, "ppnbm": 120 * 2_500, "ongkir": 0, "total": 120 * 58_000}
    pdf = surat_pesanan_pdf(sp_data(lines=lines, layanan=[], ongkir=0, totals=totals))
    text = teks(pdf)
    pages = int(text.rsplit("Halaman ", 1)[1].split(" dari ")[1].split()[0])
    assert pages >= 2
    assert f"Halaman {pages} dari {pages}" in text
    assert "Barang nomor 1 " in text and "Barang nomor 120 " in text
    assert text.count("Ditandatangani secara elektronik") == 2


# --- BAST and Adendum -----------------------------------------------------------------------------------


@needs_pdftotext
def test_bast_text():
    text = teks(bast_pdf(bast_data()))
    assert text.startswith("BIRO PENGADAAN BARANG & JASA")  # the letterhead, then the title
    assert "Jakarta Pusat BERITA ACARA SERAH TERIMA Nomor:" in text
    assert "Surat Pesanan nomor SP/BPPBJ/2026/000123 tanggal 1 November 2026" in text
    assert "1.000 unit" in text and "4 buah" in text
    assert "Baik" in text and "Rusak ringan" in text and "Satu unit menyusul" in text
    assert " Ya " in text and " Tidak " in text
    assert "Rp 1.250.000" in text
    assert "Terbilang: Satu juta dua ratus lima puluh ribu rupiah" in text
    assert "Demikian Berita Acara Serah Terima ini dibuat" in text


@needs_pdftotext
def test_bast_without_optional_parts():
    data = bast_data(sp_tanggal=None)
    del data["total"]
    text = teks(bast_pdf(data))
    assert "Surat Pesanan nomor SP/BPPBJ/2026/000123," in text
    assert "Terbilang" not in text


@needs_pdftotext
def test_adendum_text():
    pdf = adendum_pdf(adendum_data())
    text, rows = teks(pdf), teks(pdf, layout=True)
    assert text.startswith("BIRO PENGADAAN BARANG & JASA")  # the letterhead, then the title
    assert "Jakarta Pusat ADENDUM SURAT PESANAN Nomor:" in text
    assert "SP/BPPBJ/2026/000123" in text
    assert "Siti Rahmawati (Pejabat Pembuat Komitmen)" in text
    assert "Penyesuaian kebutuhan unit kerja" in text
    assert "1 Kuantitas Mouse nirkabel 5 buah 6 buah" in rows
    assert "2 Tanggal pengiriman 5 Desember 2026 12 Desember 2026" in rows
    assert "Total sebelum adendum Rp 1.250.000" in rows
    assert "Total setelah adendum Rp 1.277.750" in rows
    assert "Terbilang: Satu juta dua ratus tujuh puluh tujuh ribu tujuh ratus lima puluh rupiah" in text


def test_adendum_float_total_refused():
    with pytest.raises(TypeError):
        adendum_pdf(adendum_data(total_baru=1_277_750.0))


# --- signable -------------------------------------------------------------------------------------------


def _cert(subject, issuer, public_key, signing_key, ca):
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    cert = builder.sign(signing_key, hashes.SHA256())
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


@pytest.fixture(scope="module")
def pki():
    """A throwaway CA and two signers (PPK and Penyedia), as the portal's own CA would issue them."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("Uji CA", "Uji CA", ca_key.public_key(), ca_key, ca=True)
    result = {"ca": ca}
    for name in ("PPK Uji", "Penyedia Uji"):
        key = ec.generate_private_key(ec.SECP256R1())
        der = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        result[name] = signers.SimpleSigner(
            signing_cert=_cert(name, "Uji CA", key.public_key(), ca_key, ca=False),
            signing_key=asn1_keys.PrivateKeyInfo.load(der),
            cert_registry=SimpleCertificateStore.from_certs([ca]),
        )
    return result


def _sign(pdf, signer, field_name):
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason="Uji tanda tangan",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    return signers.sign_pdf(writer, meta, signer=signer).getvalue()


@pytest.mark.parametrize("build,make", BUILDERS)
def test_two_incremental_signatures_validate(pki, build, make, tmp_path):
    pdf = build(make())
    signed = _sign(_sign(pdf, pki["PPK Uji"], "TTE-PPK"), pki["Penyedia Uji"], "TTE-Penyedia")
    # Incremental: the unsigned document is the first bytes of the signed one.
    assert signed.startswith(pdf)
    embedded = list(PdfFileReader(io.BytesIO(signed)).embedded_signatures)
    assert [s.field_name for s in embedded] == ["TTE-PPK", "TTE-Penyedia"]
    for sig in embedded:
        context = ValidationContext(trust_roots=[pki["ca"]], allow_fetching=False, revocation_mode="soft-fail")
        status = validate_pdf_signature(sig, signer_validation_context=context)
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
        assert status.bottom_line, status.pretty_print_details()
    if os.path.exists(PDFSIG):  # a second, independent verifier (it does not trust our CA, but checks the maths)
        path = tmp_path / "ditandatangani.pdf"
        path.write_bytes(signed)
        out = subprocess.run([PDFSIG, str(path)], capture_output=True, text=True).stdout
        assert out.count("Signature is Valid.") == 2, out
