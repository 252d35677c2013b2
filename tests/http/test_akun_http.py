"""SPEC §2 over HTTP: a person registers, verifies email and phone, submits profile and access;
a Verifikator of the instansi approves both; the person then holds the role."""

import io

from app.extensions import db
from app.models import AksesPengguna, PortalUser, ProfilPengguna
from tests.factories import pdf_bytes, png_bytes
from tests.services.test_akun import DOB, NIK, NIP, otp_from_outbox, token_from_outbox

PASSWORD = "Rahasia-Uji-2026"


def _login(client, username, password=PASSWORD):
    client.get("/logout/")
    resp = client.post("/login/", data={"username": username, "password": password})
    assert resp.status_code == 302


def test_registration_to_active_role_over_http(app, f):
    satker = f.satker("satker")
    verifier = f.user("Verifikator", satker=f.satker("skpd", instansi=satker.instansi))
    outsider = f.user("Verifikator", satker=f.satker("skpd"))
    c = app.test_client()

    assert c.get("/daftar/").status_code == 200
    resp = c.post("/daftar/", data={"username": "budi", "email": "budi@gmail.com", "telepon": "081234567890"})
    assert resp.status_code == 400 and b"Syarat" in resp.data
    resp = c.post(
        "/daftar/", data={"username": "budi", "email": "budi@gmail.com", "telepon": "081234567890", "setuju": "y"}
    )
    assert resp.status_code == 200 and b"daftar-terkirim" in resp.data
    token = token_from_outbox("budi@gmail.com")
    assert c.get(f"/daftar/kata-sandi/{token}").status_code == 200
    resp = c.post(f"/daftar/kata-sandi/{token}", data={"password": "pendek", "password_ulang": "pendek"})
    assert resp.status_code == 400
    resp = c.post(f"/daftar/kata-sandi/{token}", data={"password": PASSWORD, "password_ulang": PASSWORD})
    assert resp.status_code == 302
    assert c.get(f"/daftar/kata-sandi/{token}").status_code == 409  # used

    _login(c, "budi")
    assert c.get("/akun/").status_code == 200
    assert c.get("/pesananku/list/").status_code == 403  # no role yet
    assert c.post("/akun/otp/kirim", data={"telepon": "0812 3456 7890"}).status_code == 302
    assert c.post("/akun/otp/verifikasi", data={"kode": otp_from_outbox("budi@gmail.com")}).status_code == 302
    assert b'id="telepon-ok"' in c.get("/akun/").data

    form = {
        "jenis_profil": "non_penyedia",
        "status_kepegawaian": "ASN",
        "instansi_id": str(satker.instansi_id),
        "nip": NIP,
        "nik": NIK,
        "nama_ktp": "Budi Santoso",
        "tanggal_lahir": DOB.isoformat(),
    }
    files = {"selfie": (io.BytesIO(png_bytes()), "selfie.png"), "ktp": (io.BytesIO(b"GIF89a"), "ktp.png")}
    resp = c.post("/akun/profil", data={**form, **files}, content_type="multipart/form-data")
    assert resp.status_code == 415 and b"Foto KTP" in resp.data
    files = {"selfie": (io.BytesIO(png_bytes()), "selfie.png"), "ktp": (io.BytesIO(png_bytes()), "ktp.png")}
    resp = c.post("/akun/profil", data={**form, **files}, content_type="multipart/form-data")
    assert resp.status_code == 302
    profil = db.session.query(ProfilPengguna).one()
    assert profil.nik == NIK

    v = app.test_client()
    _login(v, verifier.username)
    assert b"Budi Santoso" in v.get("/verifikasi/").data
    page = v.get(f"/verifikasi/profil/{profil.id}")
    assert page.status_code == 200 and f"/verifikasi/dokumen/{profil.ktp_id}".encode() in page.data
    assert v.get(f"/verifikasi/dokumen/{profil.ktp_id}").mimetype == "image/png"
    o = app.test_client()
    _login(o, outsider.username)
    assert b"Budi Santoso" not in o.get("/verifikasi/").data
    assert o.get(f"/verifikasi/profil/{profil.id}").status_code == 404
    assert o.get(f"/verifikasi/dokumen/{profil.ktp_id}").status_code == 404
    assert o.post(f"/verifikasi/profil/{profil.id}", data={"aksi": "setujui"}).status_code == 404
    assert v.post(f"/verifikasi/profil/{profil.id}", data={"aksi": "setujui"}).status_code == 302

    resp = c.post(
        "/akun/akses",
        data={"akses": "ppk", "satker_id": str(satker.id), "surat_tugas": (io.BytesIO(pdf_bytes()), "st.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    assert c.get("/tte/").status_code == 403  # PPK's page: not while the access waits for verification
    akses = db.session.query(AksesPengguna).one()
    page = v.get(f"/verifikasi/akses/{akses.id}")
    assert page.status_code == 200 and satker.nama.encode() in page.data
    assert v.get(f"/verifikasi/dokumen/{akses.surat_tugas_id}").data.startswith(b"%PDF")
    assert v.post(f"/verifikasi/akses/{akses.id}", data={"aksi": "tolak", "alasan": ""}).status_code == 400
    assert v.post(f"/verifikasi/akses/{akses.id}", data={"aksi": "setujui"}).status_code == 302

    _login(c, "budi")
    user = db.session.query(PortalUser).filter_by(username="budi").one()
    db.session.refresh(user)
    assert "PPK" in {r.name for r in user.roles} and user.satker_id == satker.id
    assert c.get("/tte/").status_code == 200  # the granted role's page opens

    assert v.post(f"/verifikasi/akses/{akses.id}", data={"aksi": "cabut", "alasan": "Mutasi"}).status_code == 302
    assert c.get("/tte/").status_code in (302, 403)  # revoked: the old session ends, the role is gone
    _login(c, "budi")
    assert c.get("/tte/").status_code == 403


def test_identity_documents_are_not_for_other_people(app, f):
    from app.services import verifikasi
    from tests.services.test_akun import profil_args, registered

    satker = f.satker("satker")
    a = registered("anisa", "anisa@gmail.com")
    profil = verifikasi.ajukan_profil(a, **profil_args(satker.instansi))
    stranger = f.pembeli()
    c = app.test_client()
    _login(c, stranger.username)
    assert c.get(f"/akun/dokumen/{profil.selfie_id}").status_code == 404
    auditor = f.user("Auditor")
    _login(c, auditor.username)
    assert c.get(f"/akun/dokumen/{profil.selfie_id}").status_code == 404
    _login(c, "anisa")
    assert c.get(f"/akun/dokumen/{profil.selfie_id}").mimetype == "image/png"
