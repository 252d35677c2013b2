"""TTE as BSrE issues it: activation through the instansi's TTE verifier (queue, SLA, audit), revocation,
signatures that stay valid after the certificate expired (RFC 3161 timestamp, PAdES B-LTA), the scrypt-
wrapped key, and production refusing the simulator."""

import shutil
import subprocess
from datetime import timedelta

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import AuditLog, Deadline, EmailOutbox, PencabutanTte, PermohonanTte, SertifikatTte
from app.services import clock, deadlines, tte, tte_aktivasi, tte_bsre, tte_ca, verifikasi
from app.services.errors import Conflict, DomainError, Forbidden, NotFound
from tests.services.test_tte import kontrak_pdf

NIK = "3171011708900001"  # the factories' verified profile
PASS = "passphrase-baru-2026"


@pytest.fixture
def w(f):
    """A PPK with a verified profile (NIK) and an active access, the plain Verifikator of the instansi, its
    TTE verifier, and the TTE verifier of another instansi."""
    w = f.akses("aktif")
    w["ppk"] = w["pemohon"]
    w["tte_verifikator"] = f.user("Verifikator TTE", satker=f.satker("skpd", instansi=w["instansi"]))
    w["lain"] = f.user("Verifikator TTE", satker=f.satker("skpd"))
    w["admin"] = f.user("Admin")
    return w


def _audit(entity, action):
    return (
        db.session.execute(select(AuditLog).where(AuditLog.entity == entity, AuditLog.action == action)).scalars().all()
    )


# --- the request and the queue ----------------------------------------------------------------------------


def test_request_goes_to_the_instansi_tte_verifier_only(w):
    row = tte_aktivasi.ajukan(w["ppk"], NIK)
    assert (row.status, row.instansi_id, row.nik) == ("menunggu", w["instansi"].id, NIK)
    assert row.batas_waktu == row.submitted_at + timedelta(hours=72)
    assert tte_aktivasi.antrean(w["tte_verifikator"]) == [row]
    assert tte_aktivasi.antrean(w["admin"]) == [row]
    # another instansi's TTE verifier, and a Verifikator without the TTE permission, do not see it
    assert tte_aktivasi.antrean(w["lain"]) == []
    assert tte_aktivasi.antrean(w["verifikator"]) == []
    for outsider in (w["lain"], w["verifikator"]):
        with pytest.raises((NotFound, Forbidden)):
            tte_aktivasi.putuskan(row.id, "setujui", outsider)
    db.session.refresh(row)
    assert row.status == "menunggu"
    # the applicant cannot approve their own request
    with pytest.raises(Forbidden):
        tte_aktivasi.putuskan(row.id, "setujui", w["ppk"])
    assert _audit("permohonan_tte", "ajukan")


def test_certificate_only_after_approval(w):
    with pytest.raises(tte.TteBelumDisetujui):
        tte.aktifkan(w["ppk"], PASS, PASS)
    row = tte_aktivasi.ajukan(w["ppk"], NIK)
    with pytest.raises(tte.TteBelumDisetujui):
        tte.aktifkan(w["ppk"], PASS, PASS)  # still waiting
    assert db.session.execute(select(SertifikatTte)).first() is None
    tte_aktivasi.putuskan(row.id, "setujui", w["tte_verifikator"], expected_version=row.version)
    db.session.refresh(row)
    assert row.status == "disetujui"
    assert db.session.get(Deadline, db.session.execute(select(Deadline.id)).scalar_one()).status == "selesai"
    assert db.session.execute(select(EmailOutbox).where(EmailOutbox.subject == "Aktivasi TTE Anda disetujui")).first()
    sert = tte.aktifkan(w["ppk"], PASS, PASS)
    assert tte.status(w["ppk"]) == tte.AKTIF and sert.cert_pem
    [h] = tte.verify_pdf(tte.sign_pdf(w["ppk"], kontrak_pdf(), PASS, "Uji"))
    assert h.ok
    [setujui] = _audit("permohonan_tte", "setujui")
    assert setujui.actor_id == w["tte_verifikator"].id and setujui.actor_role == "Verifikator TTE"


def test_reject_needs_a_reason_and_allows_a_new_request(w):
    row = tte_aktivasi.ajukan(w["ppk"], NIK)
    with pytest.raises(DomainError, match="Alasan"):
        tte_aktivasi.putuskan(row.id, "tolak", w["tte_verifikator"], alasan="  ")
    tte_aktivasi.putuskan(row.id, "tolak", w["tte_verifikator"], alasan="Bukan PPK pada SK")
    db.session.refresh(row)
    assert (row.status, row.alasan) == ("ditolak", "Bukan PPK pada SK")
    with pytest.raises(tte.TteBelumDisetujui):
        tte.aktifkan(w["ppk"], PASS, PASS)
    again = tte_aktivasi.ajukan(w["ppk"], NIK)
    assert again.status == "menunggu" and again.id != row.id


@pytest.mark.parametrize(
    "nik,message",
    [("3171011708900002", "tidak sama"), ("1234", "16 angka"), ("31710117089000٠١", "16 angka"), ("", "16 angka")],
)
def test_request_refuses_another_nik(w, nik, message):
    with pytest.raises(DomainError, match=message):
        tte_aktivasi.ajukan(w["ppk"], nik)
    assert db.session.execute(select(PermohonanTte)).first() is None


def test_request_refusals(f, w):
    no_profile = f.user("PPK", satker=w["satker"])
    with pytest.raises(DomainError, match="terverifikasi"):
        tte_aktivasi.ajukan(no_profile, NIK)
    with pytest.raises(DomainError, match="PPK"):
        tte_aktivasi.ajukan(w["verifikator"], NIK)  # not a signer
    tte_aktivasi.ajukan(w["ppk"], NIK)
    with pytest.raises(Conflict):
        tte_aktivasi.ajukan(w["ppk"], NIK)  # one waiting request at a time
    assert db.session.execute(select(PermohonanTte)).scalars().all().__len__() == 1


def test_penyedia_signer_goes_to_the_operator_instansi(app, f):
    from app.models import Instansi

    operator = Instansi(kode=app.config.get("PENYEDIA_INSTANSI_KODE", "PEMPROV-DKI"), nama="Pemprov DKI", jenis="pemda")
    db.session.add(operator)
    db.session.commit()
    assert tte_aktivasi.instansi_tujuan(f.penyedia_user()).id == operator.id


def test_sla_reminds_the_tte_verifier_and_escalates_to_admin(w):
    row = tte_aktivasi.ajukan(w["ppk"], NIK)
    due = row.batas_waktu
    assert deadlines.sweep(now=due - timedelta(hours=24))["reminded"] == 1
    reminder = db.session.execute(select(EmailOutbox).where(EmailOutbox.subject.like("Pengingat: aktivasi TTE%")))
    assert [e.to_addr for e in reminder.scalars()] == [w["tte_verifikator"].email]
    assert deadlines.sweep(now=due)["fired"] == 1
    assert db.session.execute(select(EmailOutbox).where(EmailOutbox.subject.like("Eskalasi: aktivasi TTE%"))).first()
    assert len(_audit("permohonan_tte", "eskalasi")) == 1


def test_legacy_active_certificate_counts_as_approved(f):
    """A certificate activated before the queue existed stays usable and may be renewed."""
    ppk = f.user("PPK", satker=f.satker())
    f.tte(ppk, PASS)
    db.session.execute(PermohonanTte.__table__.delete())
    db.session.commit()
    assert tte.boleh_aktifkan(ppk)
    tte.aktifkan(ppk, "passphrase-lain-2026", "passphrase-lain-2026")
    assert tte.status(ppk) == tte.AKTIF


# --- revocation ------------------------------------------------------------------------------------------


def test_revoked_certificate_signs_nothing_and_needs_a_new_approval(w):
    row = tte_aktivasi.ajukan(w["ppk"], NIK)
    tte_aktivasi.putuskan(row.id, "setujui", w["tte_verifikator"])
    tte.aktifkan(w["ppk"], PASS, PASS)
    before = tte.sign_pdf(w["ppk"], kontrak_pdf(), PASS, "sebelum dicabut")
    with pytest.raises(Forbidden):
        tte.cabut(w["ppk"], w["lain"], "berhenti_tugas")  # another instansi's verifier
    with pytest.raises(DomainError):
        tte.cabut(w["ppk"], w["ppk"], "entah")
    tte.cabut(w["ppk"], w["ppk"], "passphrase_hilang", "tertulis di buku yang hilang")
    sert = tte.sertifikat(w["ppk"])
    old_serial = sert.serial
    assert sert.status == tte.DICABUT and sert.key_pem is None
    assert tte.status(w["ppk"]) == tte.BELUM_AKTIF
    assert db.session.execute(select(PencabutanTte.serial)).scalar_one() == sert.serial
    with pytest.raises(tte.TteDicabut):
        tte.sign_pdf(w["ppk"], kontrak_pdf(), PASS, "sesudah dicabut")
    with pytest.raises(tte.TteBelumDisetujui):
        tte.aktifkan(w["ppk"], PASS, PASS)  # the old approval is spent
    with pytest.raises(Conflict):
        tte.cabut(w["ppk"], w["ppk"], "lainnya")  # nothing left to revoke
    [h] = tte.verify_pdf(before)
    assert h.ok and h.dicabut_at is None  # signed before the revocation: still valid
    # a new request, a new approval, a new certificate
    again = tte_aktivasi.ajukan(w["ppk"], NIK)
    tte_aktivasi.putuskan(again.id, "setujui", w["tte_verifikator"])
    assert tte.aktifkan(w["ppk"], PASS, PASS).serial != old_serial


def test_signature_dated_after_the_revocation_reads_revoked(w, f):
    f.tte(w["ppk"], PASS)
    clock.advance(timedelta(days=1))
    later = tte.sign_pdf(w["ppk"], kontrak_pdf(), PASS, "tanggal sesudah pencabutan")
    clock.reset()
    tte.cabut(w["ppk"], w["tte_verifikator"], "berhenti_tugas")
    [h] = tte.verify_pdf(later)
    assert h.valid and h.intact and h.dicabut_at is not None and not h.ok


def test_cabut_akses_revokes_the_tte(w, f):
    f.tte(w["ppk"], PASS)
    verifikasi.putuskan_akses(w["akses"].id, "cabut", w["verifikator"], alasan="Mutasi ke instansi lain")
    sert = tte.sertifikat(w["ppk"])
    assert sert.status == tte.DICABUT
    assert db.session.execute(select(PencabutanTte.alasan)).scalar_one() == "cabut_akses"
    with pytest.raises(tte.TteDicabut):
        tte.sign_pdf(w["ppk"], kontrak_pdf(), PASS, "Uji")


# --- signatures that last ------------------------------------------------------------------------------


def test_every_signature_is_timestamped_and_lta(w, f):
    f.tte(w["ppk"], PASS)
    signed = tte.sign_pdf(w["ppk"], kontrak_pdf(), PASS, "Uji")
    reader = PdfFileReader(__import__("io").BytesIO(signed))
    kinds = [s.sig_object_type for s in reader.embedded_signatures]
    assert kinds == ["/Sig", "/DocTimeStamp"]  # the signature, then the archival document timestamp
    assert "/DSS" in reader.root  # validation data for long-term validation
    [h] = tte.verify_pdf(signed)
    assert h.ok and h.waktu_stempel is not None
    assert abs((h.waktu_stempel - clock.now()).total_seconds()) < 60


def test_still_valid_three_years_later_with_the_timestamp(w, f):
    f.tte(w["ppk"], PASS)
    clock.advance(timedelta(days=30))  # the portal clock, not the wall clock, dates the signature
    signed = tte.sign_pdf(w["ppk"], kontrak_pdf(), PASS, "Uji")
    signed_at = clock.now()
    [h] = tte.verify_pdf(signed)
    assert abs((h.signing_time - signed_at).total_seconds()) < 5 and not h.lewat_masa_berlaku
    clock.advance(timedelta(days=3 * 365))
    assert tte.sertifikat(w["ppk"]).not_after < clock.now()  # the two-year certificate has expired
    [h] = tte.verify_pdf(signed)
    assert h.ok and h.trusted and h.lewat_masa_berlaku
    assert abs((h.waktu_stempel - signed_at).total_seconds()) < 5
    # without a timestamp the same expired certificate would not be trusted
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    sig = PdfFileReader(__import__("io").BytesIO(signed)).embedded_signatures[0]
    roots = [tte.asn1_cert(tte_ca.get_ca().cert_pem)]
    vc = ValidationContext(trust_roots=roots, allow_fetching=False, moment=tte._aware(clock.now()))
    assert not validate_pdf_signature(sig, signer_validation_context=vc).trusted


def test_pdfsig_on_a_signed_sp_reports_a_valid_signature_and_a_timestamp(f, tmp_path):
    """The Surat Pesanan signed by the PPK and the Penyedia, as pdfsig reads it."""
    from app.models import Dokumen
    from app.services import documents

    p = f.katalog(until="diproses_penyedia")["pesanan"]  # signed by the PPK, countersigned by the Penyedia

    doc = db.session.get(Dokumen, p.sp_dokumen_id)
    path = tmp_path / "sp.pdf"
    path.write_bytes(documents.read(doc.stored_name))
    pdfsig = shutil.which("pdfsig") or "/usr/bin/pdfsig"
    out = subprocess.run([pdfsig, str(path)], capture_output=True, text=True).stdout
    assert out.count("Signature Validation: Signature is Valid.") == 2, out
    assert out.count("Signer Certificate Common Name: Portal Pengadaan Timestamp Authority") == 2, out
    results = tte.verify_pdf(path.read_bytes())
    assert len(results) == 2 and all(h.ok and h.waktu_stempel is not None for h in results)


# --- the key and the seam ------------------------------------------------------------------------------


def test_key_wrapped_with_scrypt(app):
    key = tte_ca.new_user_key()
    blob = tte_ca.bungkus(key, "rahasia-sekali")
    wrap, log_n, r, p, *_ = blob.split("$")
    assert (wrap, int(log_n), int(r), int(p)) == ("scrypt-aes256gcm", app.config["TTE_KDF_LOG_N"], 8, 1)
    assert tte_ca.buka(blob, "rahasia-sekali").private_numbers() == key.private_numbers()
    with pytest.raises(tte_ca.KunciTerkunci):
        tte_ca.buka(blob, "rahasia-sekalI")
    # production strength by default (README): N = 2**17, r = 8, p = 1
    from config import Config

    assert (Config.TTE_KDF_LOG_N, Config.TTE_KDF_R, Config.TTE_KDF_P) == (17, 8, 1)


def test_old_pem_key_is_rewrapped_on_the_next_signature(f):
    ppk = f.user("PPK", satker=f.satker())
    f.tte(ppk, PASS)
    sert = tte.sertifikat(ppk)
    key = tte_ca.buka(sert.key_pem, PASS)
    sert.key_pem = tte_ca._pem_key(key, PASS.encode())  # as keys were stored before scrypt
    db.session.commit()
    assert tte.verify_pdf(tte.sign_pdf(ppk, kontrak_pdf(), PASS, "Uji"))[0].ok
    db.session.refresh(sert)
    assert sert.key_pem.startswith("scrypt-aes256gcm$")


def _prod(monkeypatch, **extra):
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    monkeypatch.setenv("PEMBAYARAN_CALLBACK_SECRET", "s" * 40)
    base = dict(FAB_SAFE_REDIRECT_HOSTS=["eproc.example.go.id"], TRUSTED_HOSTS=["eproc.example.go.id"])
    base.update(extra)
    try:
        create_app("production", **base)
    except RuntimeError as e:
        return str(e)
    return ""


def test_production_refuses_the_simulator(monkeypatch):
    problems = tte_bsre.production_problems({"TTE_PROVIDER": tte_bsre.DEFAULT_PROVIDER})
    assert any("simulator" in p for p in problems) and any("TTE_TSA_URL" in p for p in problems)
    assert tte_bsre.production_problems({"TTE_SIMULATOR_ALLOWED": True}) == []
    assert tte_bsre.production_problems(
        {"TTE_PROVIDER": "app.services.tte_bsre.BsreClient", "TTE_BSRE_URL": "https://bsre.example",
         "TTE_BSRE_AKAR": "/etc/bsre.pem", "TTE_TSA_URL": "https://tsa.example"}
    ) == []  # fmt: skip
    assert "TTE_BSRE_URL" in " ".join(tte_bsre.production_problems({"TTE_PROVIDER": "x.BsreClient"}))
    assert "TTE_PROVIDER is the BSrE simulator" in _prod(monkeypatch)
    assert "TTE_PROVIDER" not in _prod(monkeypatch, TTE_SIMULATOR_ALLOWED=True)


def test_provider_errors_reach_the_user_without_signing(app, w, f, monkeypatch):
    f.tte(w["ppk"], PASS)
    monkeypatch.setitem(app.config, "TTE_PROVIDER", "app.services.tte_bsre.BsreClient")
    monkeypatch.setitem(app.config, "TTE_BSRE_URL", "")
    with pytest.raises(tte_bsre.PenyediaTteError) as e:
        tte.sign_pdf(w["ppk"], kontrak_pdf(), PASS, "Uji")
    assert e.value.status in (502, 503)


def test_cli_exports_the_trust_root_and_pdfsig_trusts_it(app, f, tmp_path):
    """`flask portal tte-akar` writes the root; installed in an NSS database, pdfsig calls the SP trusted."""
    from app.models import Dokumen
    from app.services import documents

    out = tmp_path / "akar.pem"
    result = app.test_cli_runner().invoke(args=["portal", "tte-akar", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text() == tte.akar_pem() and "BEGIN CERTIFICATE" in out.read_text()
    certutil = shutil.which("certutil")
    if certutil is None:
        pytest.skip("certutil (libnss3-tools) not installed")
    p = f.katalog(until="diproses_penyedia")["pesanan"]
    sp = tmp_path / "sp.pdf"
    sp.write_bytes(documents.read(db.session.get(Dokumen, p.sp_dokumen_id).stored_name))
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run([certutil, "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run([certutil, "-A", "-d", f"sql:{nss}", "-n", "Portal TTE", "-t", "CT,C,C", "-i", str(out)], check=True)
    pdfsig = shutil.which("pdfsig") or "/usr/bin/pdfsig"
    before = subprocess.run([pdfsig, str(sp)], capture_output=True, text=True).stdout
    assert "Certificate is Trusted" not in before
    after = subprocess.run([pdfsig, "-nssdir", f"sql:{nss}", str(sp)], capture_output=True, text=True).stdout
    assert after.count("Certificate Validation: Certificate is Trusted.") == 2, after


def test_signs_inside_a_running_event_loop(app, f):
    """An async caller (a browser driver in the same thread): pyHanko runs in a worker thread, which has no app
    context nor session; the first signature also creates the TSA row (a commit that expires the ORM rows)."""
    import asyncio

    ppk = f.user("PPK", satker=f.satker())
    f.tte(ppk, PASS)

    async def sign():
        return tte.sign_pdf(ppk, kontrak_pdf(), PASS, "Uji")

    [h] = tte.verify_pdf(asyncio.run(sign()))
    assert h.ok and h.waktu_stempel is not None
