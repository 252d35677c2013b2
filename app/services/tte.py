"""Tanda Tangan Elektronik (TTE): activation after the instansi's TTE verifier approved it, signing PDFs
with pyHanko through the certificate provider (tte_bsre: BSrE, or its simulator), and verification.

Activation (LKPP guide): the user asks with their verified NIK (tte_aktivasi.ajukan); a TTE verifier of
their instansi approves; only then does aktifkan() have the provider issue the certificate, protected by
the passphrase the user chooses now. A certificate that was active before this flow counts as approved.
Revocation (cabut: lost passphrase, leaving office, the verifier's Cabut Akses) destroys the stored key and
lists the serial, so no later signature can be made, and a signature dated after it reads as revoked.

Every signature is PAdES with an RFC 3161 signature timestamp and the validation data in the document's
DSS, followed by a document timestamp (PAdES B-LTA): a letter signed today still validates after the
signer's two-year certificate expired, because the timestamp proves when it was signed. The signing time
and the timestamps are the portal's clock (clock.now()). On the portal's letters the signature is visible:
a mark with the signer, the time and the verification code in the signer's block (dokumen_pdf.INFO_TEMPAT_TTD).
A wrong passphrase signs nothing and counts towards a lock-out.

Transactions: aktifkan() and cabut() commit (cabut(commit=False) inside the caller's). sign_pdf() commits
its own bookkeeping (attempt counter, audit rows) whether it signs or refuses, so call it before staging
other changes in the session (sign first, then store the result).
"""

import asyncio
import hashlib
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
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
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.formatting import waktu
from app.models import PencabutanTte, PermohonanTte, SertifikatTte
from app.models.tte import ALASAN_CABUT_TTE
from app.roles import ROLE_ADMIN, ROLE_SISTEM, ROLE_VERIFIKATOR_TTE

from . import audit, clock, dokumen_pdf, scoping, tte_bsre, tte_ca
from .errors import Conflict, DomainError, Forbidden
from .workflow import SYSTEM

AKTIF, BELUM_AKTIF, DICABUT = "aktif", "belum_aktif", "dicabut"
MIN_PASSPHRASE = 8
MAX_PASSPHRASE = 256  # bytes (UTF-8): bounded input, whatever the script
# kept for callers of the former single-module TTE
CA_ID, CA_SUBJECT, USER_YEARS, BACKDATE = tte_ca.CA_ID, tte_ca.CA_SUBJECT, tte_ca.USER_YEARS, tte_ca.BACKDATE
get_ca = tte_ca.get_ca


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


class TteDicabut(Conflict):
    def __init__(self):
        super().__init__(
            _l(
                "Sertifikat TTE Anda telah dicabut. Ajukan aktivasi TTE baru melalui menu Akun › "
                "Tanda Tangan Elektronik."
            )
        )


class TteBelumDisetujui(Conflict):
    def __init__(self):
        super().__init__(
            _l(
                "Aktivasi TTE harus disetujui verifikator TTE instansi Anda terlebih dahulu. "
                "Ajukan aktivasi dengan NIK Anda."
            )
        )


asn1_cert = tte_ca.asn1_cert  # kept for callers of this module
_asn1_cert = asn1_cert


def _aware(dt):
    return dt.replace(tzinfo=UTC)


def _naive(dt):
    return dt.astimezone(UTC).replace(tzinfo=None)


# --- activation -----------------------------------------------------------------------------------------


def sertifikat(user):
    return db.session.execute(select(SertifikatTte).where(SertifikatTte.user_id == user.id)).scalar_one_or_none()


def _is_active(sert, now=None):
    now = now or clock.now()
    return sert is not None and sert.status == AKTIF and sert.not_after is not None and sert.not_after > now


def status(user):
    """AKTIF when the user has a current certificate, else BELUM_AKTIF (never activated, expired, revoked)."""
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
        "dicabut": pencabutan(sert.serial) if sert.status == DICABUT else None,
    }


def pencabutan(serial):
    """The revocation of a certificate (PencabutanTte), or None."""
    if not serial:
        return None
    return db.session.execute(select(PencabutanTte).where(PencabutanTte.serial == serial)).scalar_one_or_none()


def permohonan_terakhir(user):
    return db.session.execute(
        select(PermohonanTte).where(PermohonanTte.user_id == user.id).order_by(PermohonanTte.id.desc()).limit(1)
    ).scalar_one_or_none()


def _dicabut_terakhir(user):
    return db.session.execute(
        select(func.max(PencabutanTte.revoked_at)).where(PencabutanTte.user_id == user.id)
    ).scalar_one_or_none()


def persetujuan(user):
    """The approved request that lets the user have a certificate issued now, or None: the latest request is
    Disetujui and was approved after the user's last revocation."""
    p = permohonan_terakhir(user)
    if p is None or p.status != "disetujui":
        return None
    dicabut = _dicabut_terakhir(user)
    if dicabut is not None and (p.updated_at or p.submitted_at) <= dicabut:
        return None
    return p


def boleh_aktifkan(user):
    """An approved request, or a certificate that was active before (it counts as approved: re-activation)."""
    sert = sertifikat(user)
    if sert is not None and sert.status == AKTIF and sert.cert_pem:
        return True
    return persetujuan(user) is not None


def aktifkan(user, passphrase, passphrase_ulang):
    """Have the provider issue the certificate; the key is stored wrapped under the passphrase (simulator).

    Only after the instansi's TTE verifier approved the request (or to renew a certificate that was active)."""
    passphrase = passphrase or ""
    if passphrase != (passphrase_ulang or ""):
        raise DomainError(_l("Passphrase dan ulangan passphrase tidak sama."))
    if len(passphrase) < MIN_PASSPHRASE:
        raise DomainError(_l("Passphrase minimal %(n)s karakter.", n=MIN_PASSPHRASE))
    if len(passphrase.encode()) > MAX_PASSPHRASE:
        raise DomainError(_l("Passphrase maksimal %(n)s karakter.", n=MAX_PASSPHRASE))
    sert = sertifikat(user)
    now = clock.now()
    if not boleh_aktifkan(user):
        raise TteBelumDisetujui()
    # Otherwise a lock-out could be sidestepped by re-activating: wait it out like a signature attempt.
    if sert is not None and sert.locked_until and sert.locked_until > now:
        raise TteTerkunci(sert.locked_until)
    approved = persetujuan(user)
    terbitan = tte_bsre.provider().terbitkan(user, approved.nik if approved else None, passphrase)
    cert = x509.load_pem_x509_certificate(terbitan.cert_pem.encode())
    action = "aktifkan" if sert is None or sert.cert_pem is None else "aktifkan_ulang"
    if sert is None:
        sert = SertifikatTte(user_id=user.id)
        db.session.add(sert)
    sert.status = AKTIF
    sert.cert_pem = terbitan.cert_pem
    sert.key_pem = terbitan.key_blob
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


def _boleh_cabut(actor, user):
    """The owner, an Admin, the portal itself, or a TTE verifier who sees the user's requests (scoping)."""
    if actor is not None and getattr(actor, "id", None) == user.id:
        return True
    roles = scoping.roles_of(actor)
    if roles & {ROLE_ADMIN, ROLE_SISTEM}:
        return True
    if ROLE_VERIFIKATOR_TTE not in roles:
        return False
    stmt = scoping.scoped_select(PermohonanTte, actor).where(PermohonanTte.user_id == user.id).limit(1)
    return db.session.execute(stmt).first() is not None


def cabut(user, actor, alasan, catatan=None, commit=True):
    """Revoke the user's certificate: the provider is told, the serial is listed with the time, and the
    stored key is destroyed, so no signature can be made with it any more."""
    if alasan not in ALASAN_CABUT_TTE:
        raise DomainError(_l("Pilih alasan pencabutan sertifikat."))
    if not _boleh_cabut(actor, user):
        raise Forbidden(_l("Anda tidak berwenang mencabut sertifikat TTE pengguna ini."))
    sert = sertifikat(user)
    if sert is None or sert.status != AKTIF or not sert.cert_pem:
        raise Conflict(_l("Tidak ada sertifikat TTE aktif untuk dicabut."))
    catatan = (catatan or "").strip()[:500] or None
    try:
        tte_bsre.provider().cabut(sert, alasan)
        now = clock.now()
        won = db.session.execute(
            update(SertifikatTte)
            .where(SertifikatTte.id == sert.id, SertifikatTte.status == AKTIF)
            .values(status=DICABUT, key_pem=None, failed_attempts=0, locked_until=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if won != 1:
            raise Conflict(_l("Sertifikat ini baru saja diubah. Muat ulang halaman lalu coba lagi."))
        db.session.add(
            PencabutanTte(serial=sert.serial, user_id=user.id, revoked_at=now, alasan=alasan, catatan=catatan,
                          oleh_id=getattr(actor, "id", None))
        )  # fmt: skip
        note = f"serial {sert.serial}: {ALASAN_CABUT_TTE[alasan]}" + (f" — {catatan}" if catatan else "")
        audit.catat("sertifikat_tte", sert.id, "cabut", actor, AKTIF, DICABUT, note=note)
        if commit:
            db.session.commit()
    except Exception:
        if commit:
            db.session.rollback()
        raise
    db.session.expire(sert)
    return sert


def cabut_karena_akses(user, actor):
    """Cabut Akses of a signing role (PPK, Penyedia) or of the user's last organisation: their TTE goes too,
    inside the caller's transaction."""
    sert = sertifikat(user)
    if sert is not None and sert.status == AKTIF and sert.cert_pem:
        cabut(user, SYSTEM, "cabut_akses", catatan=f"{actor.first_name} {actor.last_name}".strip(), commit=False)


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


class _PenandatanganPortal(signers.Signer):
    """pyHanko's signer whose raw signature comes from the provider: pyHanko builds the CMS and hashes the
    signed attributes, the provider signs that digest with the user's key under their passphrase."""

    def __init__(self, provider, sert, passphrase, rantai):
        self._provider, self._sert, self._passphrase = provider, sert, passphrase
        super().__init__(
            signing_cert=asn1_cert(sert.cert_pem),
            # the CA certificates travel inside the signature so verifiers can build the chain
            cert_registry=SimpleCertificateStore.from_certs([asn1_cert(p) for p in rantai]),
            embed_roots=True,
        )
        public = x509.load_pem_x509_certificate(sert.cert_pem.encode()).public_key()
        if isinstance(public, ec.EllipticCurvePublicKey):
            self._size = 2 * ((public.curve.key_size + 7) // 8) + 9  # the longest DER ECDSA value
        elif isinstance(public, rsa.RSAPublicKey):
            self._size = (public.key_size + 7) // 8
        else:
            self._size = 512

    def pakai(self, kunci):
        """Sign with this plain copy of the certificate row (tte_bsre.KunciPengguna)."""
        self._sert = kunci

    async def async_sign_raw(self, data, digest_algorithm, dry_run=False):
        if dry_run:  # pyHanko sizing the signature container: no key is touched
            return bytes(self._size)
        digest = hashlib.new(digest_algorithm, data).digest()
        return self._provider.tandatangani_digest(self._sert, self._passphrase, digest, digest_algorithm)


class _PdfSignerPortal(signers.PdfSigner):
    """PdfSigner whose signing time (/M, the visible mark) is the portal's clock, not the wall clock."""

    def __init__(self, *args, waktu_ttd, **kwargs):
        super().__init__(*args, **kwargs)
        self._waktu_ttd = waktu_ttd

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._waktu_ttd
        return session


def _akar(provider):
    """Trust roots of signatures and timestamps (asn1crypto), without duplicates."""
    pems = dict.fromkeys(tuple(provider.akar()) + tuple(tte_bsre.tsa_akar()))
    return [asn1_cert(p) for p in pems]


def _vc(roots, moment):
    # Trust only the provider's roots; our certificates carry no CRL/OCSP pointers (the portal's own
    # revocation list is checked by verify_pdf), and we never go online.
    return ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail", moment=moment)


def sign_pdf(user, pdf_bytes, passphrase, reason, location="Jakarta", field_name=None, tampak=None):
    """Sign pdf_bytes as `user` (PAdES B-LTA in a new field) and return the signed PDF bytes.

    The signature is visible when the letter marked the user's signature block (tampak_dari_pdf: SP, BAST
    and addendum letters of dokumen_pdf), or at `tampak` when given; `tampak=False` signs invisibly.

    Refuses (DomainError subclasses) when TTE is not active or revoked, the key is locked, or the passphrase
    is wrong; nothing is signed then. An already signed PDF gets one more signature as an incremental
    update, so earlier signatures stay valid.
    """
    sert = sertifikat(user)
    now = clock.now()
    if sert is not None and sert.status == DICABUT:
        raise TteDicabut()
    if not _is_active(sert, now) or not sert.cert_pem:
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
    passphrase = passphrase or ""
    # The provider is asked for its chain before an attempt is taken: an outage costs no attempt.
    provider = tte_bsre.provider()
    signer = _PenandatanganPortal(provider, sert, passphrase, provider.rantai())
    attempt = _take_attempt(sert, now)
    try:
        # Checked first where the provider can, so a wrong passphrase costs no PDF work.
        provider.periksa_passphrase(sert, passphrase)
    except tte_bsre.PassphraseDitolak:
        raise _wrong_passphrase(sert, user, attempt) from None
    # Right passphrase: the run of wrong ones is over (and a key wrapped the old way is re-wrapped now).
    values = {"failed_attempts": 0}
    blob = provider.kunci_baru(sert, passphrase)
    if blob:
        values["key_pem"] = blob
    db.session.execute(
        update(SertifikatTte)
        .where(SertifikatTte.id == sert.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(sert)
    timestamper = tte_bsre.timestamper()  # may create (and commit) the TSA row: before the snapshot below
    # pyHanko may run in a worker thread (_outside_event_loop) without the app context or the session:
    # the provider gets a plain copy of the certificate row, never the ORM object.
    signer.pakai(tte_bsre.KunciPengguna.dari(sert))
    moment = _aware(now)
    nama = f"{user.first_name} {user.last_name}".strip()
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=str(reason),
        location=location,
        name=nama,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        # B-LT: the chain and revocation data into the DSS; B-LTA: then a document timestamp over it all
        embed_validation_info=True,
        use_pades_lta=True,
        validation_context=_vc(_akar(provider), moment),
    )
    extra = {}
    if tampak:
        extra = dict(
            stamp_style=_gaya_tampak(tampak, nama or user.username, now),
            new_field_spec=fields.SigFieldSpec(sig_field_name=field_name, on_page=tampak.page, box=tampak.box),
        )
    try:
        pdf_signer = _PdfSignerPortal(meta, signer, timestamper=timestamper, waktu_ttd=moment, **extra)
        out = _outside_event_loop(pdf_signer.sign_pdf, writer)
    except tte_bsre.PassphraseDitolak:
        raise _wrong_passphrase(sert, user, attempt) from None
    except (SigningError, PdfError, LayoutError):
        raise DomainError(_l("Dokumen tidak dapat ditandatangani. Periksa berkas PDF lalu coba lagi."), 415) from None
    audit.catat("sertifikat_tte", sert.id, "tanda_tangan", user, note=f"{field_name}: {reason}"[:500])
    db.session.commit()
    return out.getvalue()


# --- verification ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HasilVerifikasi:
    """One signature's verdict. `ok` is the bottom line: intact, valid, trusted (at the time its timestamp
    proves, once the certificate has expired), not revoked before it, and no forbidden changes after it."""

    field_name: str
    signer: str | None
    signer_dn: str | None
    serial: str | None
    signing_time: datetime | None  # naive UTC: the timestamp's time when there is one, else the signer's
    intact: bool  # the signed bytes hash to what was signed
    valid: bool  # the cryptographic signature checks out
    trusted: bool  # the certificate chains to the provider's root (now, or at the timestamp's time)
    seluruh_dokumen: bool  # covers the whole file but for later timestamps and validation data
    coverage: str | None
    modification_level: str | None  # what changed after this signature (NONE, FORM_FILLING, ...)
    docmdp_ok: bool | None
    ok: bool
    error: str | None = None
    waktu_stempel: datetime | None = None  # naive UTC of the RFC 3161 signature timestamp (trusted and valid)
    lewat_masa_berlaku: bool = False  # the certificate has expired; trusted by the timestamp's time
    dicabut_at: datetime | None = None  # revoked at this time, before the signature: the signature is void


def _stempel(st):
    ts = getattr(st, "timestamp_validity", None)
    if ts is not None and ts.intact and ts.valid and ts.trusted and ts.timestamp is not None:
        return ts.timestamp
    return None


def verify_pdf(pdf_bytes):
    """Validate every signature in the PDF (document timestamps aside); return a list of HasilVerifikasi."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = [s for s in reader.embedded_signatures if s.sig_object_type != "/DocTimeStamp"]
    except (PdfError, ValueError, KeyError, TypeError, IndexError):
        raise DomainError(_l("Berkas PDF rusak atau tidak dapat dibaca."), status=415) from None
    roots = _akar(tte_bsre.provider())
    now = _aware(clock.now())
    hasil = []
    for sig in embedded:
        try:
            st = _outside_event_loop(
                validate_pdf_signature, sig, signer_validation_context=_vc(roots, now),
                ts_validation_context=_vc(roots, now),
            )  # fmt: skip
            stempel = _stempel(st)
            lewat = False
            if not st.trusted and stempel is not None:
                # Point-in-time validation: the trusted timestamp proves the signature existed then, so the
                # chain is checked at that moment (a certificate that expired since does not void it).
                past = _outside_event_loop(
                    validate_pdf_signature, sig, signer_validation_context=_vc(roots, stempel),
                    ts_validation_context=_vc(roots, now),
                )  # fmt: skip
                if past.trusted:
                    st, lewat = past, True
        except Exception as exc:  # a mangled signature must read as "not valid", not crash the page
            hasil.append(_broken(sig, exc))
            continue
        signer, dn, serial = _who(st.signing_cert)
        waktu_ttd = stempel or st.signer_reported_dt
        revoked = pencabutan(serial)
        dicabut_at = None
        if revoked is not None and (waktu_ttd is None or _naive(waktu_ttd) >= revoked.revoked_at):
            dicabut_at = revoked.revoked_at
        level = st.modification_level.name if st.modification_level else None
        hasil.append(
            HasilVerifikasi(
                field_name=sig.field_name,
                signer=signer,
                signer_dn=dn,
                serial=serial,
                signing_time=_naive(waktu_ttd) if waktu_ttd else None,
                intact=bool(st.intact),
                valid=bool(st.valid),
                trusted=bool(st.trusted),
                seluruh_dokumen=st.coverage == SignatureCoverageLevel.ENTIRE_FILE
                or (st.coverage == SignatureCoverageLevel.ENTIRE_REVISION and level == "LTA_UPDATES"),
                coverage=st.coverage.name if st.coverage else None,
                modification_level=level,
                docmdp_ok=st.docmdp_ok,
                ok=bool(st.bottom_line) and dicabut_at is None,
                waktu_stempel=_naive(stempel) if stempel else None,
                lewat_masa_berlaku=lewat,
                dicabut_at=dicabut_at,
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


def akar_pem():
    """The trust roots a reviewer installs so pdfsig/pyHanko report the portal's signatures as trusted."""
    return "".join(dict.fromkeys(tuple(tte_bsre.provider().akar()) + tuple(tte_bsre.tsa_akar())))
