"""Anyone checks a signed letter at /verifikasi-dokumen/ (issue 12, item 12), without logging in: by its
verification code (the QR code's target) or by uploading the PDF. Genuine, an earlier signed version,
tampered, unknown; never a price or personal data on the page; a wrong code is a clear 404, never a 500."""

import io
import re

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import Dokumen
from app.services import documents, verifikasi_dokumen
from tests.factories import pdf_bytes

NIP = "198305122008012003"


@pytest.fixture
def sp(f):
    """An order whose SP both sides signed; the PPK has a NIP. Returns the world with the code and both
    signed versions of the letter (the PPK's, then the countersigned one)."""
    w = f.katalog_dunia()
    w["ppk"].nip, w["ppk"].first_name, w["ppk"].last_name = NIP, "Siti", "Rahmawati"
    w["supplier"].first_name, w["supplier"].last_name = "Andrew", "Wijaya"
    w["satker"].alamat = "Jl. Kebon Sirih No. 22"
    db.session.commit()
    w = f.katalog("diproses_penyedia", dunia=w)
    p = w["pesanan"]
    rows = db.session.execute(select(Dokumen).where(Dokumen.jenis == "surat_pesanan").order_by(Dokumen.id))
    w["versi"] = [documents.read(d.stored_name) for d in rows.scalars()]
    w["kode"] = verifikasi_dokumen.kode("sp", p.id, p.sp_nomor)
    return w


def _html(resp):
    return resp.data.decode().replace("\xa0", " ")


def _unggah(client, data, kode=None, url="/verifikasi-dokumen/"):
    form = {"berkas": (io.BytesIO(data), "surat.pdf")}
    if kode is not None:
        form["kode"] = kode
    return client.post(url, data=form, content_type="multipart/form-data")


def _tidak_ada_data_pribadi(html, w):
    p = w["pesanan"]
    # no price, no total (an amount as printed: "Rp" then a figure; a random CSRF token may hold "Rp")
    assert not re.search(r"Rp\s?\d", html) and f"{p.total:,}".replace(",", ".") not in html
    assert NIP not in html
    for secret in (p.alamat_kirim, w["satker"].alamat, w["ppk"].email, w["supplier"].email, w["penyedia"].npwp):
        assert secret not in html


def test_a_code_opens_the_genuine_letter_for_anyone(client, sp):
    p, kode = sp["pesanan"], sp["kode"]
    resp = client.get(f"/verifikasi-dokumen/{kode}")  # nobody logged in
    html = _html(resp)
    assert resp.status_code == 200
    assert 'data-putusan="asli"' in html and "Dokumen asli." in html
    assert f'id="nomor-dokumen">{p.sp_nomor}<' in html and f'id="nomor-pesanan">{p.nomor}<' in html
    assert "Surat Pesanan" in html and p.satker.nama in html and p.penyedia.nama in html
    # who signed, as what; the newest version's hash; two versions stored
    assert "Siti Rahmawati" in html and f"PPK {p.satker.nama}" in html
    assert "Andrew Wijaya" in html and f"Penyedia {p.penyedia.nama}" in html
    assert html.count('label-success">Sah<') == 2
    newest = db.session.execute(select(Dokumen).where(Dokumen.id == p.sp_dokumen_id)).scalar_one()
    assert newest.sha256 in html
    _tidak_ada_data_pribadi(html, sp)
    # typed as people type it, or sent by the form: the same page
    assert 'data-putusan="asli"' in _html(client.get(f"/verifikasi-dokumen/{kode.replace('-', '').lower()}"))
    resp = client.get("/verifikasi-dokumen/", query_string={"kode": f" {kode.lower()} "})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/verifikasi-dokumen/{kode}")
    form = client.get("/verifikasi-dokumen/")
    assert form.status_code == 200 and 'id="form-kode"' in _html(form) and 'id="form-berkas"' in _html(form)


def test_an_uploaded_file_is_genuine_earlier_tampered_or_unknown(client, sp):
    ppk_only, signed = sp["versi"]
    html = _html(_unggah(client, signed))
    assert 'data-putusan="asli"' in html and "Dokumen asli dan tidak berubah." in html
    assert sp["pesanan"].sp_nomor in html and html.count('label-success">Sah<') == 4  # the file's, the portal's
    _tidak_ada_data_pribadi(html, sp)
    # the PPK's version, before the Penyedia countersigned: genuine, but not the letter as it stands
    html = _html(_unggah(client, ppk_only, kode=sp["kode"]))
    assert 'data-putusan="asli_lama"' in html
    # one byte changed inside the signed range: not what was signed, and its signatures fail
    tampered = signed.replace(b"/Producer (ReportLab", b"/Producer (ReportLeb", 1)
    assert tampered != signed
    for resp in (_unggah(client, tampered), _unggah(client, tampered, url=f"/verifikasi-dokumen/{sp['kode']}")):
        html = _html(resp)
        assert resp.status_code == 200 and 'data-putusan="berubah"' in html and "TIDAK SESUAI" in html
        assert "Dokumen asli" not in html and 'label-danger">Tidak sah<' in html
        assert sp["pesanan"].sp_nomor in html  # which letter it claims to be
    # a PDF the portal never issued
    html = _html(_unggah(client, pdf_bytes("Surat lain")))
    assert 'data-putusan="tidak_dikenal"' in html and "Dokumen asli" not in html


def test_unknown_or_malformed_code_is_a_clear_404(client, sp):
    for kode in ("AAAA-BBBB-CCCC", '"><script>x', "1234"):
        resp = client.get(f"/verifikasi-dokumen/{kode}")
        html = _html(resp)
        assert resp.status_code == 404 and "Kode verifikasi tidak terdaftar" in html
        assert "<script>x" not in html and 'data-putusan="asli"' not in html
    resp = client.get("/verifikasi-dokumen/", query_string={"kode": "../sp/1"})  # from the form, not a code
    assert resp.status_code == 404 and "Kode verifikasi tidak terdaftar" in _html(resp)
    resp = _unggah(client, sp["versi"][-1], kode="AAAA-BBBB-CCCC")
    assert resp.status_code == 404 and "Kode verifikasi tidak terdaftar" in _html(resp)


def test_an_upload_that_is_no_pdf_is_refused(client, sp):
    resp = _unggah(client, b"bukan pdf sama sekali")
    assert resp.status_code == 415 and "PDF" in _html(resp)
    resp = client.post("/verifikasi-dokumen/", data={}, content_type="multipart/form-data")
    assert resp.status_code == 400 and "Berkas kosong" in _html(resp)


def test_the_qr_link_names_the_public_host(app):
    kode = "ABCD-EFGH-JKLM"
    with app.test_request_context(base_url="https://eproc.example.go.id"):
        assert verifikasi_dokumen.tautan(kode) == f"https://eproc.example.go.id/verifikasi-dokumen/{kode}"
        app.config["PUBLIC_BASE_URL"] = "https://e-katalog.jakarta.go.id/"
        try:
            assert verifikasi_dokumen.tautan(kode) == f"https://e-katalog.jakarta.go.id/verifikasi-dokumen/{kode}"
        finally:
            app.config["PUBLIC_BASE_URL"] = ""


def test_the_page_is_rate_limited(app):
    limited = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        RATELIMIT_ENABLED=True,
        VERIFIKASI_DOKUMEN_RATE_LIMIT="3 per minute",
    )
    c = limited.test_client()
    assert [c.get("/verifikasi-dokumen/bukan-kode").status_code for _ in range(4)] == [404, 404, 404, 429]
