"""SPEC §2 through the service layer: identity, profile and access verification, and every refusal."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AksesPengguna, AuditLog, EmailOutbox, PortalUser, ProfilPengguna
from app.services import akun, clock, verifikasi
from app.services.errors import Conflict, DomainError, Forbidden, NotFound
from tests.factories import pdf_bytes, png_bytes

DOB = date(1990, 8, 17)
NIK = "3171011708900001"
NIP = "199008172015031001"


def last_email(to):
    return (
        db.session.execute(select(EmailOutbox).where(EmailOutbox.to_addr == to).order_by(EmailOutbox.id.desc()))
        .scalars()
        .first()
    )


def token_from_outbox(email):
    return re.search(r"/daftar/kata-sandi/([\w-]+)", last_email(email).body_text).group(1)


def otp_from_outbox(email):
    return re.search(r": (\d{6})\n", last_email(email).body_text).group(1)


def registered(username="budi", email="budi.santoso@gmail.com", verified=True):
    user = akun.daftar(username, email, "0812-3456-7890", True)
    if verified:
        akun.buat_kata_sandi(token_from_outbox(email), "Rahasia-Uji-2026", "Rahasia-Uji-2026")
        akun.kirim_otp(user)
        akun.verifikasi_otp(user, otp_from_outbox(email))
    return db.session.get(PortalUser, user.id)


def profil_args(instansi, **kw):
    args = dict(
        jenis_profil="non_penyedia",
        status_kepegawaian="ASN",
        nip=NIP,
        nik=NIK,
        nama_ktp="Budi Santoso",
        tanggal_lahir=DOB,
        instansi_id=instansi.id if instansi else None,
        selfie=("selfie.png", png_bytes()),
        ktp=("ktp.png", png_bytes()),
    )
    args.update(kw)
    return args


@pytest.fixture
def org(f):
    satker = f.satker("satker")
    verifier = f.user("Verifikator", satker=f.satker("skpd", instansi=satker.instansi))
    other_verifier = f.user("Verifikator", satker=f.satker("skpd"))  # another instansi
    return dict(satker=satker, instansi=satker.instansi, verifier=verifier, other=other_verifier)


# --- Identitas Digital -------------------------------------------------------------------------


def test_registration_sets_password_once_and_verifies_phone(app):
    user = akun.daftar("Budi", "Budi.Santoso@Gmail.com", "+62 812 3456 7890", True)
    assert (user.username, user.email, user.telepon) == ("budi", "budi.santoso@gmail.com", "081234567890")
    assert [r.name for r in user.roles] == ["Pengguna"]
    token = token_from_outbox(user.email)
    akun.buat_kata_sandi(token, "Rahasia-Uji-2026", "Rahasia-Uji-2026")
    assert app.appbuilder.sm.auth_user_db("budi", "Rahasia-Uji-2026") is not None
    with pytest.raises(Conflict):  # single use
        akun.buat_kata_sandi(token, "Rahasia-Lain-2026", "Rahasia-Lain-2026")
    assert app.appbuilder.sm.auth_user_db("budi", "Rahasia-Lain-2026") is None
    akun.kirim_otp(user)
    with pytest.raises(DomainError):
        akun.verifikasi_otp(user, "000000" if otp_from_outbox(user.email) != "000000" else "111111")
    akun.verifikasi_otp(user, otp_from_outbox(user.email))
    assert db.session.get(PortalUser, user.id).telepon_terverifikasi_at is not None


@pytest.mark.parametrize(
    "args,message",
    [
        (("ab", "a@b.co", "081234567890", True), "Nama pengguna"),
        (("budi", "bukan-email", "081234567890", True), "email"),
        (("budi", "b@x.id", "12345", True), "handphone"),
        (("budi", "b@x.id", "081234567890", False), "Syarat"),
    ],
)
def test_registration_refusals(args, message):
    with pytest.raises(DomainError) as e:
        akun.daftar(*args)
    assert message in str(e.value)
    assert db.session.query(PortalUser).count() == 0


def test_duplicate_username_or_email(app):
    akun.daftar("budi", "budi@gmail.com", "081234567890", True)
    for args in (("budi", "lain@gmail.com"), ("budi2", "BUDI@gmail.com")):
        with pytest.raises(Conflict):
            akun.daftar(*args, "081234567890", True)


def test_password_link_expires():
    user = akun.daftar("budi", "budi@gmail.com", "081234567890", True)
    token = token_from_outbox(user.email)
    clock.advance(timedelta(hours=24, seconds=1))
    with pytest.raises(DomainError) as e:
        akun.buat_kata_sandi(token, "Rahasia-Uji-2026", "Rahasia-Uji-2026")
    assert e.value.status == 410
    with pytest.raises(NotFound):
        akun.buat_kata_sandi("tidak-ada", "Rahasia-Uji-2026", "Rahasia-Uji-2026")


def test_password_mismatch_and_too_short():
    user = akun.daftar("budi", "budi@gmail.com", "081234567890", True)
    token = token_from_outbox(user.email)
    with pytest.raises(DomainError):
        akun.buat_kata_sandi(token, "Rahasia-Uji-2026", "Rahasia-Uji-2027")
    with pytest.raises(DomainError):
        akun.buat_kata_sandi(token, "pendek", "pendek")
    akun.buat_kata_sandi(token, "Rahasia-Uji-2026", "Rahasia-Uji-2026")  # still usable after refusals


def test_otp_expires_after_five_minutes():
    user = akun.daftar("budi", "budi@gmail.com", "081234567890", True)
    akun.kirim_otp(user)
    code = otp_from_outbox(user.email)
    clock.advance(timedelta(minutes=5))
    with pytest.raises(DomainError) as e:
        akun.verifikasi_otp(user, code)
    assert e.value.status == 410


def test_otp_attempt_limit():
    user = akun.daftar("budi", "budi@gmail.com", "081234567890", True)
    akun.kirim_otp(user)
    code = otp_from_outbox(user.email)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(DomainError):
            akun.verifikasi_otp(user, wrong)
    with pytest.raises(Forbidden):
        akun.verifikasi_otp(user, code)  # even the right code: a new one is needed
    akun.kirim_otp(user)
    akun.verifikasi_otp(user, otp_from_outbox(user.email))


# --- identity numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "nik,ok",
    [
        (NIK, True),
        ("3171015708900001", True),  # a woman: day + 40
        ("317101170890000", False),  # 15 digits
        ("9971011708900001", False),  # no province 99
        ("3100011708900001", False),  # kabupaten 00
        ("3171011808900001", False),  # another birth date
        ("3171011708900000", False),  # sequence 0000
    ],
)
def test_nik(nik, ok):
    if ok:
        assert verifikasi.validate_nik(nik, DOB) == nik
    else:
        with pytest.raises(DomainError):
            verifikasi.validate_nik(nik, DOB)


@pytest.mark.parametrize(
    "nip,ok", [(NIP, True), ("19900817201503100", False), ("199008172015131001", False), ("199108172015031001", False)]
)
def test_nip(nip, ok):
    if ok:
        assert verifikasi.validate_nip(nip, DOB) == nip
    else:
        with pytest.raises(DomainError):
            verifikasi.validate_nip(nip, DOB)


@pytest.mark.parametrize("raw,expected", [("24565", "000000000000024565"), ("NRP 11-0402/P", "000000000000110402")])
def test_nrp_normalised(raw, expected):
    assert verifikasi.normalise_nrp(raw) == expected


# --- Verifikasi Profil and Akses ---------------------------------------------------------------


def test_profile_then_access_grants_role_and_organisation(org):
    user = registered()
    profil = verifikasi.ajukan_profil(user, **profil_args(org["instansi"]))
    assert profil.status == "menunggu" and profil.batas_waktu == profil.submitted_at + timedelta(hours=72)
    with pytest.raises(DomainError):  # access needs a verified profile
        verifikasi.ajukan_akses(user, "ppk", ("st.pdf", pdf_bytes()), satker_id=org["satker"].id)
    with pytest.raises(NotFound):  # a verifier of another instansi does not see it
        verifikasi.putuskan_profil(profil.id, "setujui", org["other"])
    verifikasi.putuskan_profil(profil.id, "setujui", org["verifier"])
    assert "terverifikasi" in last_email(user.email).subject
    assert (db.session.get(PortalUser, user.id).first_name, user.last_name) == ("Budi", "Santoso")

    akses = verifikasi.ajukan_akses(user, "ppk", ("surat-tugas.pdf", pdf_bytes()), satker_id=org["satker"].id)
    user = db.session.get(PortalUser, user.id)
    assert "PPK" not in {r.name for r in user.roles} and user.satker_id is None  # not before Aktif
    with pytest.raises(NotFound):
        verifikasi.putuskan_akses(akses.id, "setujui", org["other"])
    verifikasi.putuskan_akses(akses.id, "setujui", org["verifier"])
    db.session.expire_all()
    user = db.session.get(PortalUser, user.id)
    assert "PPK" in {r.name for r in user.roles} and user.satker_id == org["satker"].id
    actions = {a.action for a in db.session.query(AuditLog).filter_by(entity="ab_user", entity_id=user.id)}
    assert "beri_peran" in actions

    verifikasi.putuskan_akses(akses.id, "cabut", org["verifier"], alasan="Mutasi jabatan")
    db.session.expire_all()
    user = db.session.get(PortalUser, user.id)
    assert "PPK" not in {r.name for r in user.roles} and user.satker_id is None
    assert db.session.get(AksesPengguna, akses.id).status == "dicabut"


def test_rejected_profile_can_be_resubmitted(org):
    user = registered()
    profil = verifikasi.ajukan_profil(user, **profil_args(org["instansi"]))
    with pytest.raises(Conflict):
        verifikasi.ajukan_profil(user, **profil_args(org["instansi"]))  # one open request at a time
    with pytest.raises(DomainError):
        verifikasi.putuskan_profil(profil.id, "tolak", org["verifier"], alasan="")
    verifikasi.putuskan_profil(profil.id, "tolak", org["verifier"], alasan="Foto KTP buram")
    assert "ditolak" in last_email(user.email).subject and "buram" in last_email(user.email).body_text
    again = verifikasi.ajukan_profil(user, **profil_args(org["instansi"]))
    assert again.id != profil.id and again.status == "menunggu"


@pytest.mark.parametrize(
    "change,status",
    [
        ({"nik": "3171011808900001"}, 400),
        ({"nip": "19900817201503100"}, 400),
        ({"status_kepegawaian": "PNS"}, 400),
        ({"nama_ktp": ""}, 400),
        ({"instansi_id": None}, 400),
        ({"selfie": ("s.png", pdf_bytes())}, 415),
        ({"ktp": ("k.jpg", b"\xff\xd8\xff not really a jpeg")}, 415),
    ],
)
def test_profile_refusals(org, change, status):
    user = registered()
    with pytest.raises(DomainError) as e:
        verifikasi.ajukan_profil(user, **profil_args(org["instansi"], **change))
    assert e.value.status == status
    assert db.session.query(ProfilPengguna).count() == 0


def test_profile_needs_identity_first(org):
    user = registered(verified=False)
    with pytest.raises(DomainError):
        verifikasi.ajukan_profil(user, **profil_args(org["instansi"]))


def test_tni_nrp_is_normalised(org):
    user = registered()
    profil = verifikasi.ajukan_profil(user, **profil_args(org["instansi"], status_kepegawaian="TNI", nip="24565"))
    assert profil.nip == "000000000000024565"


def test_access_refusals(org, f):
    user = registered()
    profil = verifikasi.ajukan_profil(user, **profil_args(org["instansi"]))
    verifikasi.putuskan_profil(profil.id, "setujui", org["verifier"])
    with pytest.raises(DomainError) as e:
        verifikasi.ajukan_akses(user, "ppk", ("st.png", png_bytes()), satker_id=org["satker"].id)
    assert e.value.status == 415
    with pytest.raises(DomainError):
        verifikasi.ajukan_akses(user, "admin_utama", ("st.pdf", pdf_bytes()), penyedia_id=f.penyedia().id)
    verifikasi.ajukan_akses(user, "pp", ("st.pdf", pdf_bytes()), satker_id=org["satker"].id)
    with pytest.raises(Conflict):
        verifikasi.ajukan_akses(user, "pp", ("st.pdf", pdf_bytes()), satker_id=org["satker"].id)
    with pytest.raises(Conflict):  # one organisation per account
        verifikasi.ajukan_akses(user, "ppk", ("st.pdf", pdf_bytes()), satker_id=f.satker("satker").id)


def test_nobody_verifies_themselves(org):
    user = registered()
    profil = verifikasi.ajukan_profil(user, **profil_args(org["instansi"]))
    admin_self = db.session.get(PortalUser, user.id)
    admin_self.roles.append(db.session.execute(select(type(admin_self.roles[0])).filter_by(name="Admin")).scalar_one())
    db.session.commit()
    with pytest.raises(Forbidden):
        verifikasi.putuskan_profil(profil.id, "setujui", admin_self)


def test_new_penyedia_company_by_admin_utama(f, app):
    from app.models import Instansi, Penyedia

    operator = Instansi(kode=app.config.get("PENYEDIA_INSTANSI_KODE", "PEMPROV-DKI"), nama="Pemprov DKI", jenis="pemda")
    db.session.add(operator)
    db.session.commit()
    verifier = f.user("Verifikator", satker=f.satker("skpd", instansi=operator))
    user = registered("sari", "sari.umkm@gmail.com")
    profil = verifikasi.ajukan_profil(
        user, **profil_args(None, jenis_profil="penyedia", status_kepegawaian=None, nip=None, instansi_id=None)
    )
    assert profil.instansi_id == operator.id
    verifikasi.putuskan_profil(profil.id, "setujui", verifier)
    baru = {"nama": "Batik Sari Asli", "npwp": "01.234.567.8-901.000", "nib": "1234567890123", "is_umkm": True}
    akses = verifikasi.ajukan_akses(user, "admin_utama", ("st.pdf", pdf_bytes()), perusahaan_baru=baru)
    penyedia = db.session.get(Penyedia, akses.penyedia_id)
    assert (penyedia.nama, penyedia.npwp, penyedia.is_umkm) == ("Batik Sari Asli", "012345678901000", True)
    verifikasi.putuskan_akses(akses.id, "setujui", verifier)
    db.session.expire_all()
    user = db.session.get(PortalUser, user.id)
    assert "Penyedia" in {r.name for r in user.roles} and user.penyedia_id == penyedia.id


def test_queue_is_own_instansi_oldest_first(org, f):
    a = registered("anisa", "anisa@gmail.com")
    b = registered("bayu", "bayu@gmail.com")
    pa = verifikasi.ajukan_profil(a, **profil_args(org["instansi"]))
    clock.advance(timedelta(minutes=5))
    pb = verifikasi.ajukan_profil(b, **profil_args(org["instansi"]))
    assert [p.id for p in verifikasi.antrean(ProfilPengguna, org["verifier"])] == [pa.id, pb.id]
    assert verifikasi.antrean(ProfilPengguna, org["other"]) == []
    admin = f.user("Admin")
    clock.advance(timedelta(hours=72) - timedelta(minutes=1))  # a's 3x24 h are over, b's are not yet
    assert [p.id for p in verifikasi.antrean(ProfilPengguna, admin, overdue_only=True)] == [pa.id]
