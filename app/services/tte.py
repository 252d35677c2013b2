"""Tanda Tangan Elektronik (TTE): the portal's own CA, per-user signing keys and PDF signing/verification.

The portal is its own certificate authority: one CA (table tte_ca) issues each user a certificate for a
key pair generated at activation. The user's private key is stored only encrypted with their passphrase,
so the portal cannot sign for them without it; the CA key is encrypted with a key derived from SECRET_KEY
(rotating SECRET_KEY therefore needs the CA key re-encrypted).

Signing and verification use pyHanko (PAdES, incremental updates, so several parties can sign one PDF).
On the portal's letters the signature is visible: a mark with the signer, the time and the verification code
in the blank space of the signer's block, where the letter says it is (dokumen_pdf.INFO_TEMPAT_TTD).
A wrong passphrase signs nothing and counts towards a lock-out.

Transactions: get_ca() commits when it creates the CA. aktifkan() commits. sign_pdf() commits its own
bookkeeping (attempt counter, audit rows) whether it signs or refuses, so call it before staging other
changes in the session (sign first, then store the result).
"""

import asyncio
import base64
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509.oid import NameOID
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from pyhanko import stamp
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import LayoutError
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.formatting import waktu
from app.models import SertifikatTte, TteCa

from . import audit, clock, dokumen_pdf
from .errors import Conflict, DomainError, Forbidden

AKTIF, BELUM_AKTIF = "aktif", "belum_aktif"
MIN_PASSPHRASE = 8
MAX_PASSPHRASE = 256
# The portal has exactly one CA; a fixed primary key makes a second concurrent insert fail on the PK.
CA_ID = 1
CA_SUBJECT = x509.Name(
    [
        x509.NameAttribute(NameOID.COMMON_NAME, "Portal Pengadaan Root CA TTE"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Portal Pengadaan"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
    ]
)
CA_YEARS = 10
USER_YEARS = 2
# Certificates start a little in the past (as public CAs do) so verifiers whose clock lags slightly behind
# ours, or a signing time taken from the wall clock while the portal clock is moved in tests, still fall inside.
BACKDATE = timedelta(hours=1)
_CA_KEY_INFO = b"portal-pengadaan/tte-ca-key/v1"


class TteBelumAktif(Conflict):
    def __init__(self):
        super().__init__(
            _l(
                "TTE Anda belum aktif. Aktifkan terlebih dahulu melalui menu Akun › Tanda Tangan Elektronik "
                "dengan membuat passphrase."
            )
        )


class PassphraseSalah(Forbidden):
    def __init__(self, sisa):
        super().__init__(_l("Passphrase TTE salah. Sisa percobaan: %(sisa)s.", sisa=sisa))


class TteTerkunci(DomainError):
    status = 429

    def __init__(self, sampai=None):
        self.sampai = sampai
        if sampai is None:
            super().__init__(_l("Terlalu banyak percobaan passphrase sekaligus. Coba lagi sebentar lagi."))
            return
        super().__init__(
            _l(
                "TTE Anda terkunci karena terlalu banyak passphrase salah. Coba lagi setelah %(waktu)s.",
                waktu=waktu(sampai),
            )
        )


# --- keys and certificates ------------------------------------------------------------------------------


def _new_key():
    # EC P-256: fast to generate at activation, accepted by pyHanko, poppler and Adobe.
    return ec.generate_private_key(ec.SECP256R1())


def _ca_password():
    """The CA key's password: HKDF-SHA256 of SECRET_KEY, so a database dump alone does not reveal the CA key."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_CA_KEY_INFO).derive(secret)
    return base64.b64encode(raw)


def _pem_key(key, password):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password),
    ).decode()


def _aware(dt):
    return dt.replace(tzinfo=UTC)


def _naive(dt):
    return dt.astimezone(UTC).replace(tzinfo=None)


def _new_ca_row():
    key = _new_key()
    now = clock.now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(CA_SUBJECT)
        .issuer_name(CA_SUBJECT)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_aware(now - BACKDATE))
        .not_valid_after(_aware(now + timedelta(days=365 * CA_YEARS)))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return TteCa(
        id=CA_ID,
        cert_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        key_pem=_pem_key(key, _ca_password()),
        created_at=now,
    )


def get_ca():
    """The portal CA row, created (and committed) on first use."""
    ca = db.session.get(TteCa, CA_ID)
    if ca is not None:
        return ca
    try:
        with db.session.begin_nested():
            db.session.add(_new_ca_row())
    except IntegrityError:
        # Someone else created it at the same moment; theirs wins.
        return db.session.execute(select(TteCa).where(TteCa.id == CA_ID)).scalar_one()
    db.session.commit()
    return db.session.get(TteCa, CA_ID)


def _ca_cert(ca):
    return x509.load_pem_x509_certificate(ca.cert_pem.encode())


def _asn1_cert(pem):
    """pyHanko speaks asn1crypto; the PEMs are written by cryptography."""
    return asn1_x509.Certificate.load(
        x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)
    )


def _ca_key(ca):
    return serialization.load_pem_private_key(ca.key_pem.encode(), password=_ca_password())


def _user_subject(user):
    attrs = [
        x509.NameAttribute(NameOID.COMMON_NAME, f"{user.first_name} {user.last_name}".strip() or user.username),
        x509.NameAttribute(NameOID.USER_ID, user.username),
    ]
    org = user.organisation
    if org is not None:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org.nama))
    attrs.append(x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"))
    return x509.Name(attrs)


def _issue_user_cert(user, key, ca):
    ca_cert, ca_key = _ca_cert(ca), _ca_key(ca)
    now = clock.now()
    return (
        x509.CertificateBuilder()
        .subject_name(_user_subject(user))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_aware(now - BACKDATE))
        .not_valid_after(_aware(now + timedelta(days=365 * USER_YEARS)))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # a.k.a. nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


# --- activation -----------------------------------------------------------------------------------------


def sertifikat(user):
    return db.session.execute(select(SertifikatTte).where(SertifikatTte.user_id == user.id)).scalar_one_or_none()


def _is_active(sert, now=None):
    now = now or clock.now()
    return sert is not None and sert.status == AKTIF and sert.not_after is not None and sert.not_after > now


def status(user):
    """AKTIF when the user has a current certificate, else BELUM_AKTIF (never activated, or expired)."""
    return AKTIF if _is_active(sertifikat(user)) else BELUM_AKTIF


def rincian(sert):
    """What the settings page shows about a certificate: subject and issuer (RFC 4514), serial, dates."""
    cert = x509.load_pem_x509_certificate(sert.cert_pem.encode())
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "serial": sert.serial,
        "not_after": sert.not_after,
        "activated_at": sert.activated_at,
        "locked_until": sert.locked_until if sert.locked_until and sert.locked_until > clock.now() else None,
    }


def aktifkan(user, passphrase, passphrase_ulang):
    """Generate the user's key pair and certificate; the key is stored encrypted with the passphrase."""
    passphrase = passphrase or ""
    if passphrase != (passphrase_ulang or ""):
        raise DomainError(_l("Passphrase dan ulangan passphrase tidak sama."))
    if len(passphrase) < MIN_PASSPHRASE:
        raise DomainError(_l("Passphrase minimal %(n)s karakter.", n=MIN_PASSPHRASE))
    if len(passphrase.encode()) > MAX_PASSPHRASE:  # the key's encryption takes at most 1023 bytes
        raise DomainError(_l("Passphrase maksimal %(n)s karakter.", n=MAX_PASSPHRASE))
    sert = sertifikat(user)
    now = clock.now()
    # Otherwise a lock-out could be sidestepped by re-activating: wait it out like a signature attempt.
    if sert is not None and sert.locked_until and sert.locked_until > now:
        raise TteTerkunci(sert.locked_until)
    ca = get_ca()
    key = _new_key()
    cert = _issue_user_cert(user, key, ca)
    action = "aktifkan" if sert is None or sert.cert_pem is None else "aktifkan_ulang"
    if sert is None:
        sert = SertifikatTte(user_id=user.id)
        db.session.add(sert)
    sert.status = AKTIF
    sert.cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    sert.key_pem = _pem_key(key, passphrase.encode())
    sert.serial = f"{cert.serial_number:X}"
    sert.not_after = _naive(cert.not_valid_after_utc)
    sert.activated_at = now
    sert.failed_attempts = 0
    sert.locked_until = None
    try:
        db.session.flush()
        audit.catat("sertifikat_tte", sert.id, action, user, note=f"serial {sert.serial}")
        db.session.commit()
    except IntegrityError:
        # Two activations of the same user at once: the unique user_id lets only one through.
        db.session.rollback()
        raise Conflict(_l("Aktivasi TTE sedang diproses. Muat ulang halaman lalu coba lagi.")) from None
    return sert


# --- signing --------------------------------------------------------------------------------------------


def _max_attempts():
    return int(current_app.config.get("TTE_MAX_FAILED_ATTEMPTS", 5))


def _lock_duration():
    return timedelta(minutes=int(current_app.config.get("TTE_LOCK_MINUTES", 15)))


def _take_attempt(sert, now):
    """Take one attempt from the allowance BEFORE the passphrase is tried, atomically, and commit it.

    Checking the lock and counting only afterwards would let many parallel guesses slip past the check
    before any of them is counted; this way at most TTE_MAX_FAILED_ATTEMPTS guesses are ever tried per
    lock period. Returns this attempt's number.
    """
    taken = db.session.execute(
        update(SertifikatTte)
        .where(
            SertifikatTte.id == sert.id,
            or_(SertifikatTte.locked_until.is_(None), SertifikatTte.locked_until <= now),
            SertifikatTte.failed_attempts < _max_attempts(),
        )
        .values(failed_attempts=SertifikatTte.failed_attempts + 1)
        .returning(SertifikatTte.failed_attempts)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    db.session.commit()
    if taken is None:
        db.session.refresh(sert)
        # Locked, or the whole allowance is held by attempts still running in parallel.
        raise TteTerkunci(sert.locked_until if sert.locked_until and sert.locked_until > now else None)
    return taken


def _wrong_passphrase(sert, user, attempt):
    """Record the wrong passphrase (the attempt is already counted), lock after the last one; return the refusal."""
    audit.catat("sertifikat_tte", sert.id, "passphrase_salah", user, note=f"percobaan ke-{attempt}")
    if attempt >= _max_attempts():
        locked_until = clock.now() + _lock_duration()
        # The counter starts afresh, so the lock expiring gives a new allowance.
        db.session.execute(
            update(SertifikatTte)
            .where(SertifikatTte.id == sert.id)
            .values(locked_until=locked_until, failed_attempts=0)
            .execution_options(synchronize_session=False)
        )
        audit.catat("sertifikat_tte", sert.id, "terkunci", user, note=f"sampai {locked_until:%Y-%m-%d %H:%M} UTC")
        db.session.commit()
        return TteTerkunci(locked_until)
    db.session.commit()
    return PassphraseSalah(_max_attempts() - attempt)


def _open_pdf(pdf_bytes):
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    except (PdfError, ValueError, KeyError, TypeError, IndexError):
        raise DomainError(_l("Berkas PDF rusak atau tidak dapat dibaca."), status=415) from None
    if writer.prev.encrypted:
        raise DomainError(_l("PDF yang dilindungi kata sandi tidak dapat ditandatangani."), status=415)
    return writer


def _outside_event_loop(fn, *args, **kwargs):
    """pyHanko's sync API calls asyncio.run(), which refuses to start inside a running event loop (an
    async server, a browser driver in the same thread): then the pure-crypto call runs in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


@dataclass(frozen=True)
class Tampak:
    """Where a signature is shown: 0-based page, box (x1, y1, x2, y2) in PDF points from the bottom left,
    and the letter's verification code printed in the mark."""

    page: int
    box: tuple
    kode: str | None = None


def _pihak(user):
    """Which signature block of a letter is the user's: a Penyedia company's user signs as Penyedia, an
    official of a satker as PPK (an account belongs to one organisation only)."""
    return "penyedia" if user.penyedia_id else "ppk"


def tampak_dari_pdf(reader, user):
    """The user's signature block as the letter marked it (dokumen_pdf.INFO_TEMPAT_TTD), or None: a PDF the
    portal did not build (the TTE trial upload) is signed invisibly."""
    try:
        info = reader.trailer["/Info"]
        tempat = dokumen_pdf.baca_tempat_ttd(info.get("/" + dokumen_pdf.INFO_TEMPAT_TTD))
        kode = dokumen_pdf.baca_kode(info.get("/" + dokumen_pdf.INFO_KODE))
        halaman = int(reader.root["/Pages"]["/Count"])
    except (KeyError, TypeError, ValueError, AttributeError, PdfError):
        return None
    page, box = tempat.get(_pihak(user), (None, None))
    if page is None or page >= halaman:
        return None
    return Tampak(page=page, box=tuple(round(v) for v in box), kode=kode)


def _latin1(text):
    # the mark is set in a PDF standard font: keep what it can print
    return str(text).encode("latin-1", "replace").decode("latin-1")


def _gaya_tampak(tampak, nama, now):
    """The visible mark: who signed, when (WIB) and the verification code, in Indonesian like the letter."""
    with force_locale("id"):
        baris = [str(_l("Ditandatangani secara elektronik oleh")), nama, waktu(now)]
        if tampak.kode:
            baris.append(str(_l("Kode verifikasi: %(kode)s", kode=tampak.kode)))
    teks = "\n".join(_latin1(b).replace("%", "%%") for b in baris)
    return stamp.TextStampStyle(
        stamp_text=teks,
        border_width=1,
        border_color=(0.35, 0.35, 0.35),
        text_box_style=TextBoxStyle(font_size=8, leading=10),
    )


def sign_pdf(user, pdf_bytes, passphrase, reason, location="Jakarta", field_name=None, tampak=None):
    """Sign pdf_bytes as `user` (PAdES signature in a new field) and return the signed PDF bytes.

    The signature is visible when the letter marked the user's signature block (tampak_dari_pdf: SP, BAST
    and addendum letters of dokumen_pdf), or at `tampak` when given; `tampak=False` signs invisibly.

    Refuses (DomainError subclasses) when TTE is not active, the key is locked, or the passphrase is wrong;
    nothing is signed then. An already signed PDF gets one more signature as an incremental update, so
    earlier signatures stay valid.
    """
    sert = sertifikat(user)
    now = clock.now()
    if not _is_active(sert, now):
        raise TteBelumAktif()
    if sert.locked_until and sert.locked_until > now:
        raise TteTerkunci(sert.locked_until)
    # Document problems are refused before the passphrase is tried, so they cost no attempt.
    writer = _open_pdf(pdf_bytes)
    field_name = field_name or f"TTE-{user.id}"
    if any(name == field_name for name, _, _ in fields.enumerate_sig_fields(writer.prev, filled_status=True)):
        raise Conflict(_l("Dokumen ini sudah Anda tanda tangani."))
    if tampak is None:
        tampak = tampak_dari_pdf(writer.prev, user)
    attempt = _take_attempt(sert, now)
    try:
        key = serialization.load_pem_private_key(sert.key_pem.encode(), password=(passphrase or "").encode())
    except (ValueError, TypeError):
        raise _wrong_passphrase(sert, user, attempt) from None
    # Right passphrase: the run of wrong ones is over.
    db.session.execute(
        update(SertifikatTte)
        .where(SertifikatTte.id == sert.id)
        .values(failed_attempts=0)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    ca = get_ca()
    signer = signers.SimpleSigner(
        signing_cert=_asn1_cert(sert.cert_pem),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        # The CA certificate travels inside the signature so verifiers can build the chain.
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(ca.cert_pem)]),
    )
    nama = f"{user.first_name} {user.last_name}".strip()
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=str(reason),
        location=location,
        name=nama,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    if tampak:
        pdf_signer = signers.PdfSigner(
            meta,
            signer,
            stamp_style=_gaya_tampak(tampak, nama or user.username, now),
            new_field_spec=fields.SigFieldSpec(sig_field_name=field_name, on_page=tampak.page, box=tampak.box),
        )
    else:
        pdf_signer = signers.PdfSigner(meta, signer)
    try:
        out = _outside_event_loop(pdf_signer.sign_pdf, writer)
    except (SigningError, PdfError, LayoutError):
        raise DomainError(_l("Dokumen tidak dapat ditandatangani. Periksa berkas PDF lalu coba lagi."), 415) from None
    audit.catat("sertifikat_tte", sert.id, "tanda_tangan", user, note=f"{field_name}: {reason}"[:500])
    db.session.commit()
    return out.getvalue()


# --- verification ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HasilVerifikasi:
    """One signature's verdict. `ok` is the bottom line: intact, valid, trusted and no forbidden changes."""

    field_name: str
    signer: str | None
    signer_dn: str | None
    serial: str | None
    signing_time: datetime | None  # naive UTC, as reported by the signer
    intact: bool  # the signed bytes hash to what was signed
    valid: bool  # the cryptographic signature checks out
    trusted: bool  # the certificate chains to the portal CA
    seluruh_dokumen: bool  # covers the whole file (only the last signature can)
    coverage: str | None
    modification_level: str | None  # what changed after this signature (NONE, FORM_FILLING, ...)
    docmdp_ok: bool | None
    ok: bool
    error: str | None = None


def _validation_context(ca):
    # Trust only the portal CA; our certificates carry no CRL/OCSP pointers and we never go online.
    return ValidationContext(
        trust_roots=[_asn1_cert(ca.cert_pem)],
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=_aware(clock.now()),
    )


def verify_pdf(pdf_bytes):
    """Validate every signature in the PDF against the portal CA; return a list of HasilVerifikasi."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError, IndexError):
        raise DomainError(_l("Berkas PDF rusak atau tidak dapat dibaca."), status=415) from None
    ca = get_ca()
    hasil = []
    for sig in embedded:
        try:
            st = _outside_event_loop(validate_pdf_signature, sig, signer_validation_context=_validation_context(ca))
        except Exception as exc:  # a mangled signature must read as "not valid", not crash the page
            hasil.append(_broken(sig, exc))
            continue
        signer, dn, serial = _who(st.signing_cert)
        hasil.append(
            HasilVerifikasi(
                field_name=sig.field_name,
                signer=signer,
                signer_dn=dn,
                serial=serial,
                signing_time=_naive(st.signer_reported_dt) if st.signer_reported_dt else None,
                intact=bool(st.intact),
                valid=bool(st.valid),
                trusted=bool(st.trusted),
                seluruh_dokumen=st.coverage == SignatureCoverageLevel.ENTIRE_FILE,
                coverage=st.coverage.name if st.coverage else None,
                modification_level=st.modification_level.name if st.modification_level else None,
                docmdp_ok=st.docmdp_ok,
                ok=bool(st.bottom_line),
            )
        )
    return hasil


def _who(asn1_cert):
    """(common name, RFC 4514 subject, serial in hex) of a certificate."""
    subject = x509.load_der_x509_certificate(asn1_cert.dump()).subject
    return asn1_cert.subject.native.get("common_name"), subject.rfc4514_string(), f"{asn1_cert.serial_number:X}"


def _broken(sig, exc):
    try:
        signer, dn, serial = _who(sig.signer_cert)
    except Exception:
        signer = dn = serial = None
    return HasilVerifikasi(
        field_name=sig.field_name,
        signer=signer,
        signer_dn=dn,
        serial=serial,
        signing_time=None,
        intact=False,
        valid=False,
        trusted=False,
        seluruh_dokumen=False,
        coverage=None,
        modification_level=None,
        docmdp_ok=None,
        ok=False,
        error=f"{type(exc).__name__}: {exc}"[:300],
    )
