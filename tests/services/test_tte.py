"""TTE: activation, signing with a passphrase (rate-limited), multi-party signing and verification."""

import io
import os
import shutil
import subprocess
import threading
from datetime import timedelta

import pytest
from reportlab.pdfgen import canvas
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, SertifikatTte, TteCa
from app.services import clock, tte
from app.services.errors import DomainError

PASS = "passphrase-ppk-2026"
PASS_PENYEDIA = "passphrase-penyedia-2026"
PDFSIG = "/usr/bin/pdfsig"


def kontrak_pdf(nilai="Nilai Rp 1.000.000"):
    """An uncompressed PDF, so a test can change a visible amount inside the content stream."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pageCompression=0)
    c.drawString(72, 720, "Surat Pesanan Uji")
    c.drawString(72, 700, nilai)
    c.save()
    return buf.getvalue()


def _audit(action):
    return (
        db.session.execute(select(AuditLog).where(AuditLog.entity == "sertifikat_tte", AuditLog.action == action))
        .scalars()
        .all()
    )


@pytest.fixture
def ppk(f):
    user = f.user("PPK", satker=f.satker())
    f.tte_disetujui(user)  # the instansi's TTE verifier approved the activation (tests/services/test_tte_aktivasi.py)
    return user


@pytest.fixture
def penyedia(f):
    user = f.penyedia_user()
    f.tte_disetujui(user)
    return user


def test_activation_issues_a_certificate_from_the_portal_ca(ppk):
    assert tte.status(ppk) == tte.BELUM_AKTIF
    sert = tte.aktifkan(ppk, PASS, PASS)
    assert tte.status(ppk) == tte.AKTIF
    assert sert.key_pem.startswith("scrypt-aes256gcm$")  # the key only under the passphrase (tte_ca.bungkus)
    ca = db.session.execute(select(TteCa)).scalar_one()
    assert "ENCRYPTED" in ca.key_pem and "BEGIN CERTIFICATE" in ca.cert_pem

    from cryptography import x509
    from cryptography.x509.oid import NameOID

    cert = x509.load_pem_x509_certificate(sert.cert_pem.encode())
    ca_cert = x509.load_pem_x509_certificate(ca.cert_pem.encode())
    assert cert.issuer == ca_cert.subject
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == f"{ppk.first_name} {ppk.last_name}"
    assert cert.subject.get_attributes_for_oid(NameOID.USER_ID)[0].value == ppk.username
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == ppk.satker.nama
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature and ku.content_commitment and not ku.key_cert_sign
    assert ca_cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    days = (sert.not_after - clock.now()).days
    assert 728 <= days <= 731
    assert sert.serial == f"{cert.serial_number:X}"
    assert len(_audit("aktifkan")) == 1


def test_reactivation_replaces_the_key_and_the_ca_is_reused(ppk):
    first = tte.aktifkan(ppk, PASS, PASS)
    old_key, old_serial = first.key_pem, first.serial
    again = tte.aktifkan(ppk, "passphrase-baru-2026", "passphrase-baru-2026")
    assert again.id == first.id and again.key_pem != old_key and again.serial != old_serial
    assert len(_audit("aktifkan_ulang")) == 1
    assert len(db.session.execute(select(TteCa)).scalars().all()) == 1
    with pytest.raises(DomainError):
        tte.sign_pdf(ppk, kontrak_pdf(), PASS, "Uji")  # the old passphrase no longer opens anything


@pytest.mark.parametrize(
    "a, b, fragment",
    [("passphrase-1", "passphrase-2", "tidak sama"), ("pendek", "pendek", "minimal 8")],
)
def test_bad_passphrase_at_activation_is_refused(ppk, a, b, fragment):
    with pytest.raises(DomainError) as e:
        tte.aktifkan(ppk, a, b)
    assert fragment in str(e.value)
    assert tte.status(ppk) == tte.BELUM_AKTIF
    assert db.session.execute(select(SertifikatTte)).first() is None


def test_sign_and_verify(ppk):
    tte.aktifkan(ppk, PASS, PASS)
    signed = tte.sign_pdf(ppk, kontrak_pdf(), PASS, "Menyetujui Surat Pesanan")
    assert signed.startswith(b"%PDF") and len(signed) > len(kontrak_pdf())
    [h] = tte.verify_pdf(signed)
    assert h.intact and h.valid and h.trusted and h.ok and h.seluruh_dokumen
    assert h.signer == f"{ppk.first_name} {ppk.last_name}"
    assert h.field_name == f"TTE-{ppk.id}"
    assert h.signing_time is not None
    assert len(_audit("tanda_tangan")) == 1


def test_two_signers_on_one_document_both_verify(ppk, penyedia):
    tte.aktifkan(ppk, PASS, PASS)
    tte.aktifkan(penyedia, PASS_PENYEDIA, PASS_PENYEDIA)
    once = tte.sign_pdf(ppk, kontrak_pdf(), PASS, "PPK menyetujui")
    twice = tte.sign_pdf(penyedia, once, PASS_PENYEDIA, "Penyedia menyetujui", location="Bekasi")
    assert twice.startswith(once)  # incremental: the first signature's bytes are untouched
    first, second = tte.verify_pdf(twice)
    assert first.signer == f"{ppk.first_name} {ppk.last_name}" and second.signer.startswith(penyedia.first_name)
    for h in (first, second):
        assert h.intact and h.valid and h.trusted and h.ok, h
    assert not first.seluruh_dokumen and second.seluruh_dokumen
    assert first.modification_level in ("NONE", "LTA_UPDATES", "FORM_FILLING")
    with pytest.raises(DomainError) as e:
        tte.sign_pdf(ppk, twice, PASS, "lagi")  # the same field twice
    assert e.value.status == 409


def test_tampered_pdf_fails(ppk):
    tte.aktifkan(ppk, PASS, PASS)
    signed = tte.sign_pdf(ppk, kontrak_pdf(), PASS, "Uji")
    assert signed.count(b"Nilai Rp 1.000.000") == 1
    tampered = signed.replace(b"Nilai Rp 1.000.000", b"Nilai Rp 9.000.000")
    [h] = tte.verify_pdf(tampered)
    assert not h.intact and not h.ok


def test_tampered_first_revision_of_a_twice_signed_pdf_fails_both(ppk, penyedia):
    tte.aktifkan(ppk, PASS, PASS)
    tte.aktifkan(penyedia, PASS_PENYEDIA, PASS_PENYEDIA)
    twice = tte.sign_pdf(penyedia, tte.sign_pdf(ppk, kontrak_pdf(), PASS, "a"), PASS_PENYEDIA, "b")
    results = tte.verify_pdf(twice.replace(b"Nilai Rp 1.000.000", b"Nilai Rp 9.000.000"))
    assert len(results) == 2 and not any(h.intact or h.ok for h in results)


def test_unsigned_pdf_has_no_signatures_and_garbage_is_refused(ppk):
    assert tte.verify_pdf(kontrak_pdf()) == []
    with pytest.raises(DomainError) as e:
        tte.verify_pdf(b"%PDF-1.4 not really")
    assert e.value.status == 415


def test_belum_aktif_is_refused_with_the_activation_hint(ppk):
    with pytest.raises(tte.TteBelumAktif) as e:
        tte.sign_pdf(ppk, kontrak_pdf(), PASS, "Uji")
    assert "Tanda Tangan Elektronik" in str(e.value)


def test_wrong_passphrase_signs_nothing_and_locks_after_five(ppk):
    tte.aktifkan(ppk, PASS, PASS)
    pdf = kontrak_pdf()
    for i in range(4):
        with pytest.raises(tte.PassphraseSalah) as e:
            tte.sign_pdf(ppk, pdf, "salah-salah", "Uji")
        assert e.value.status == 403
        assert f"Sisa percobaan: {4 - i}" in str(e.value)
    # the refusals were committed although the call raised
    db.session.rollback()
    assert db.session.execute(select(SertifikatTte.failed_attempts)).scalar_one() == 4
    assert len(_audit("passphrase_salah")) == 4

    with pytest.raises(tte.TteTerkunci) as e:
        tte.sign_pdf(ppk, pdf, "salah-salah", "Uji")  # the fifth
    assert "WIB" in str(e.value)
    db.session.rollback()
    sert = db.session.execute(select(SertifikatTte)).scalar_one()
    assert sert.locked_until > clock.now() + timedelta(minutes=14)
    assert len(_audit("terkunci")) == 1 and len(_audit("passphrase_salah")) == 5

    with pytest.raises(tte.TteTerkunci):
        tte.sign_pdf(ppk, pdf, PASS, "Uji")  # even the right one, while locked
    with pytest.raises(tte.TteTerkunci):
        tte.aktifkan(ppk, "passphrase-lain-1", "passphrase-lain-1")  # no way around it by re-activating
    assert _audit("tanda_tangan") == []

    clock.advance(timedelta(minutes=16))
    signed = tte.sign_pdf(ppk, pdf, PASS, "Uji")
    assert tte.verify_pdf(signed)[0].ok


def test_right_passphrase_resets_the_counter(ppk):
    tte.aktifkan(ppk, PASS, PASS)
    for _ in range(3):
        with pytest.raises(tte.PassphraseSalah):
            tte.sign_pdf(ppk, kontrak_pdf(), "salah-salah", "Uji")
    tte.sign_pdf(ppk, kontrak_pdf(), PASS, "Uji")
    db.session.expire_all()
    assert db.session.execute(select(SertifikatTte.failed_attempts)).scalar_one() == 0
    for _ in range(4):  # a fresh allowance: four more wrong ones do not lock
        with pytest.raises(tte.PassphraseSalah):
            tte.sign_pdf(ppk, kontrak_pdf(), "salah-salah", "Uji")


def test_expired_certificate_counts_as_belum_aktif(ppk):
    tte.aktifkan(ppk, PASS, PASS)
    clock.advance(timedelta(days=365 * 2 + 2))
    assert tte.status(ppk) == tte.BELUM_AKTIF
    with pytest.raises(tte.TteBelumAktif):
        tte.sign_pdf(ppk, kontrak_pdf(), PASS, "Uji")


@pytest.mark.skipif(not os.path.exists(PDFSIG), reason="pdfsig (poppler-utils) not installed")
def test_pdfsig_accepts_the_signature(ppk, penyedia, tmp_path):
    tte.aktifkan(ppk, PASS, PASS)
    tte.aktifkan(penyedia, PASS_PENYEDIA, PASS_PENYEDIA)
    twice = tte.sign_pdf(penyedia, tte.sign_pdf(ppk, kontrak_pdf(), PASS, "a"), PASS_PENYEDIA, "b")
    path = tmp_path / "ditandatangani.pdf"
    path.write_bytes(twice)
    out = subprocess.run([shutil.which("pdfsig") or PDFSIG, str(path)], capture_output=True, text=True).stdout
    validity = [line.strip() for line in out.splitlines() if "Signature Validation:" in line]
    # each signature is followed by its document timestamp (PAdES B-LTA), which poppler lists unverified
    assert (
        validity
        == [
            "- Signature Validation: Signature is Valid.",
            "- Signature Validation: Signature has not yet been verified.",
        ]
        * 2
    ), out
    assert out.count("Signer Certificate Common Name: Portal Pengadaan Timestamp Authority") == 2, out

    bad = tmp_path / "diubah.pdf"
    bad.write_bytes(twice.replace(b"Nilai Rp 1.000.000", b"Nilai Rp 9.000.000"))
    out = subprocess.run([PDFSIG, str(bad)], capture_output=True, text=True).stdout
    assert "Signature is Valid" not in out, out


def _parallel(app, n, fn):
    """Run fn() n times at once, each in its own thread, app context and DB session; return results."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        with app.app_context():
            barrier.wait()
            try:
                results[i] = ("ok", fn())
            except DomainError as e:
                results[i] = (type(e).__name__, str(e))
            except Exception as e:  # pragma: no cover - shown in the assertion
                results[i] = ("error", repr(e))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_ca_created_once_under_a_race(app):
    results = _parallel(app, 3, lambda: tte.get_ca().cert_pem)
    assert all(kind == "ok" for kind, _ in results), results
    assert len({pem for _, pem in results}) == 1
    assert len(db.session.execute(select(TteCa)).scalars().all()) == 1


def test_parallel_guesses_cannot_exceed_the_allowance(app, ppk):
    tte.aktifkan(ppk, PASS, PASS)
    user_id, pdf = ppk.id, kontrak_pdf()

    def guess():
        from app.models import PortalUser

        return tte.sign_pdf(db.session.get(PortalUser, user_id), pdf, "tebakan-salah", "Uji")

    results = _parallel(app, 8, guess)
    kinds = [kind for kind, _ in results]
    assert "ok" not in kinds and "error" not in kinds, results
    assert set(kinds) <= {"PassphraseSalah", "TteTerkunci"}, results
    # Only the allowance was ever tried; the rest were turned away before their passphrase was looked at.
    assert len(_audit("passphrase_salah")) == 5
    assert len(_audit("terkunci")) == 1
    with pytest.raises(tte.TteTerkunci):
        tte.sign_pdf(ppk, pdf, PASS, "Uji")
