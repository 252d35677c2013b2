"""A real browser walks SPEC §2: register, set password from the emailed link, OTP, profile,
access; a Verifikator approves both; the person logs in with the granted role."""

import pytest

from app.extensions import db
from app.models import PortalUser
from tests.browser.conftest import login as _login
from tests.browser.conftest import tick
from tests.conftest import PASSWORD
from tests.factories import pdf_bytes, png_bytes
from tests.services.test_akun import DOB, NIK, NIP, otp_from_outbox, token_from_outbox

pytestmark = pytest.mark.browser


def test_registration_to_granted_role(server, page, f, tmp_path):
    base = server
    satker = f.satker("satker")
    verifier = f.user("Verifikator", satker=f.satker("skpd", instansi=satker.instansi))

    page.goto(f"{base}/")
    page.click("#link-daftar")
    page.fill("#username", "budi.santoso")
    page.fill("#email", "budi.santoso@gmail.com")
    page.fill("#telepon", "0812-3456-7890")
    tick(page, "#setuju")
    page.click("#form-daftar button[type=submit]")
    page.wait_for_selector("#daftar-terkirim")

    page.goto(f"{base}/daftar/kata-sandi/{token_from_outbox('budi.santoso@gmail.com')}")
    page.fill("#password", PASSWORD)
    page.fill("#password_ulang", PASSWORD)
    page.click("#form-kata-sandi button[type=submit]")
    _login(page, base, "budi.santoso")

    page.goto(f"{base}/akun/")
    page.click("#kirim-otp")
    page.fill("#kode", otp_from_outbox("budi.santoso@gmail.com"))
    page.click("#verifikasi-otp")
    page.wait_for_selector("#telepon-ok")

    selfie, ktp, surat = tmp_path / "selfie.png", tmp_path / "ktp.png", tmp_path / "surat-tugas.pdf"
    selfie.write_bytes(png_bytes())
    ktp.write_bytes(png_bytes())
    surat.write_bytes(pdf_bytes("Surat Tugas"))
    tick(page, "input[name=jenis_profil][value=non_penyedia]")
    page.select_option("#status_kepegawaian", "ASN")
    page.select_option("#instansi_id", str(satker.instansi_id))
    page.fill("#nip", NIP)
    page.fill("#nik", NIK)
    page.fill("#tanggal_lahir", DOB.isoformat())
    page.fill("#nama_ktp", "Budi Santoso")
    page.set_input_files("#selfie", str(selfie))
    page.set_input_files("#ktp", str(ktp))
    page.click("#form-profil button[type=submit]")
    assert page.inner_text("#status-profil") == "Menunggu Verifikasi"

    _login(page, base, verifier.username)
    page.goto(f"{base}/verifikasi/")
    page.click("#antrean-profil a")
    assert page.inner_text("#nama-ktp") == "Budi Santoso"
    page.click("[data-aksi=setujui]")

    _login(page, base, "budi.santoso")
    page.goto(f"{base}/akun/")
    assert page.inner_text("#status-profil") == "Terverifikasi"
    page.select_option("#akses", "ppk")
    page.select_option("#satker_id", str(satker.id))
    page.set_input_files("#surat_tugas", str(surat))
    page.click("#form-akses button[type=submit]")
    assert "Menunggu Verifikasi" in page.inner_text("#daftar-akses")

    _login(page, base, verifier.username)
    page.goto(f"{base}/verifikasi/")
    page.click("#antrean-akses a")
    assert page.inner_text("#organisasi") == satker.nama
    page.click("[data-aksi=setujui]")

    _login(page, base, "budi.santoso")
    page.goto(f"{base}/akun/")
    assert "Aktif" in page.inner_text("#daftar-akses")
    db.session.expire_all()
    user = db.session.query(PortalUser).filter_by(username="budi.santoso").one()
    assert "PPK" in {r.name for r in user.roles} and user.satker_id == satker.id
