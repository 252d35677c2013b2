"""TTE over HTTP: the settings page per role, activation, a test signature, refusals with their status codes."""

import io

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, SertifikatTte
from app.services import tte
from tests.factories import pdf_bytes, png_bytes

PASS = "passphrase-ppk-2026"


def _uji(c, data, passphrase=PASS, name="dokumen.pdf"):
    return c.post(
        "/tte/uji",
        data={"berkas": (io.BytesIO(data), name), "passphrase": passphrase},
        content_type="multipart/form-data",
    )


def _text(resp):
    return resp.get_data(as_text=True)


@pytest.fixture
def ppk(f):
    user = f.user("PPK", satker=f.satker())
    f.tte_disetujui(user)  # approved by the instansi's TTE verifier (tests/http/test_tte_aktivasi_http.py)
    return user


def test_ppk_activates_and_signs_a_pdf(app, login, ppk):
    c = login(ppk, app.test_client())
    page = c.get("/tte/")
    assert page.status_code == 200
    assert 'id="status-tte">Tanda Tangan Belum Aktif' in _text(page)

    resp = c.post("/tte/aktifkan", data={"passphrase": PASS, "passphrase_ulang": PASS})
    assert resp.status_code == 302
    page = c.get("/tte/")
    html = _text(page)
    assert 'id="status-tte">Tanda Tangan Aktif' in html
    assert f"UID={ppk.username}" in html and "CN=Portal Pengadaan Root CA TTE" in html
    sert = db.session.execute(select(SertifikatTte)).scalar_one()
    assert sert.serial in html

    resp = _uji(c, pdf_bytes("Surat Pesanan"))
    assert resp.status_code == 200, _text(resp)[:500]
    assert resp.mimetype == "application/pdf"
    assert "attachment" in resp.headers["Content-Disposition"]
    [h] = tte.verify_pdf(resp.data)
    assert h.ok and h.signer == f"{ppk.first_name} {ppk.last_name}"


def test_penyedia_may_use_tte(app, login, f):
    c = login(f.penyedia_user(), app.test_client())
    assert c.get("/tte/").status_code == 200


def test_pembeli_gets_403(app, login, f):
    c = login(f.pembeli(), app.test_client())
    assert c.get("/tte/").status_code == 403
    assert c.post("/tte/aktifkan", data={"passphrase": PASS, "passphrase_ulang": PASS}).status_code == 403
    assert db.session.execute(select(SertifikatTte)).first() is None


def test_anonymous_is_sent_to_login(app):
    resp = app.test_client().get("/tte/")
    assert resp.status_code in (302, 401) and "login" in resp.headers.get("Location", "login")


def test_mismatched_passphrase_is_refused(app, login, ppk):
    c = login(ppk, app.test_client())
    resp = c.post("/tte/aktifkan", data={"passphrase": PASS, "passphrase_ulang": PASS + "x"})
    assert resp.status_code == 400
    assert "tidak sama" in _text(resp)
    assert tte.status(ppk) == tte.BELUM_AKTIF


def test_non_pdf_upload_is_refused_with_415(app, login, ppk):
    tte.aktifkan(ppk, PASS, PASS)
    c = login(ppk, app.test_client())
    resp = _uji(c, png_bytes(), name="dokumen.pdf")  # the name lies; the content decides
    assert resp.status_code == 415
    assert "Berkas harus berupa PDF" in _text(resp)


def test_wrong_passphrase_is_403_with_message(app, login, ppk):
    tte.aktifkan(ppk, PASS, PASS)
    c = login(ppk, app.test_client())
    resp = _uji(c, pdf_bytes(), passphrase="bukan-passphrase")
    assert resp.status_code == 403
    assert resp.mimetype == "text/html"
    assert "Passphrase TTE salah" in _text(resp)
    db.session.expire_all()
    assert db.session.execute(select(SertifikatTte.failed_attempts)).scalar_one() == 1
    assert db.session.execute(select(AuditLog).where(AuditLog.action == "passphrase_salah")).scalar_one()


def test_signing_before_activation_points_to_the_menu(app, login, ppk):
    c = login(ppk, app.test_client())
    resp = _uji(c, pdf_bytes())
    assert resp.status_code == 409
    assert "Tanda Tangan Elektronik" in _text(resp) and "belum aktif" in _text(resp)
