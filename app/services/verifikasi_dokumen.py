"""Public verification of the portal's signed letters (SP, BAST, addendum): anyone, without logging in, checks
a letter by its verification code (printed on it, and in its QR code) or by uploading the PDF they hold.

The code is derived from the letter's identity, never drawn at random, so the preview rendered before
signing carries the same code as the signed letter: the first 60 bits of HMAC-SHA256(SECRET_KEY,
"kode-verifikasi:<jenis>:<order id>:<nomor>") in base32, `ABCD-EFGH-JKLM`. Every signed version of a letter
is a Dokumen row with that code (the PPK's, then the countersigned one); the newest is the letter as it
stands. What the visitor learns: that the letter exists, its kind and number, the order's number, the
satker and the Penyedia, who signed it and when, and whether a file is byte for byte a version the portal
stored (SHA-256) with valid signatures. Never prices, NIP, addresses or emails.
"""

import base64
import hashlib
import hmac
import io
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, has_request_context, request
from flask_babel import lazy_gettext as _l
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import select

from app.extensions import db
from app.models import Adendum, Dokumen, PesananKatalog, PortalUser

from . import documents, dokumen_pdf, tte
from .errors import DomainError, NotFound

PATH = "/verifikasi-dokumen/"
CONTOH_KODE = "ABCD-EFGH-JKLM"  # the form's placeholder: what a code looks like
# kind of letter: (Dokumen.jenis, label)
JENIS = {
    "sp": ("surat_pesanan", _l("Surat Pesanan")),
    "bast": ("bast", _l("Berita Acara Serah Terima")),
    "adendum": ("adendum", _l("Adendum Surat Pesanan")),
}
_JENIS_DOKUMEN = {dok: jenis for jenis, (dok, _label) in JENIS.items()}
_ALFABET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

# verdicts on an uploaded file
ASLI, ASLI_LAMA, BERUBAH, TIDAK_DIKENAL = "asli", "asli_lama", "berubah", "tidak_dikenal"


class KodeTidakDikenal(NotFound):
    def __init__(self):
        super().__init__(
            _l("Kode verifikasi tidak terdaftar. Periksa kembali kode pada dokumen (misalnya ABCD-EFGH-JKLM).")
        )


# --- the code ----------------------------------------------------------------------------------------


def kode(jenis, pesanan_id, nomor):
    """The verification code of a letter: `ABCD-EFGH-JKLM`, the same every time it is rendered."""
    if jenis not in JENIS:
        raise ValueError(f"unknown letter kind {jenis!r}")
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    mac = hmac.new(secret, f"kode-verifikasi:{jenis}:{pesanan_id}:{nomor}".encode(), hashlib.sha256).digest()
    text = base64.b32encode(mac).decode()[:12]
    return f"{text[:4]}-{text[4:8]}-{text[8:]}"


def rapikan(text):
    """A code as typed (lower case, spaces, no dashes) in its printed form, or None when it cannot be one."""
    raw = "".join(ch for ch in str(text or "").upper() if ch not in " -\t")
    if len(raw) != 12 or not set(raw) <= _ALFABET:
        return None
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def tautan(kode_verifikasi):
    """The page the QR code opens: PUBLIC_BASE_URL, else the request's own address, else PORTAL_URL. Set
    PUBLIC_BASE_URL in production so every letter names the public host whoever renders it."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base and has_request_context():
        base = request.url_root
    base = base or current_app.config.get("PORTAL_URL") or "http://127.0.0.1:5000"
    return base.rstrip("/") + PATH + kode_verifikasi


def data_surat(jenis, p, nomor):
    """The letter data keys of the code: {kode_verifikasi, url_verifikasi} (dokumen_pdf)."""
    k = kode(jenis, p.id, nomor)
    return {"kode_verifikasi": k, "url_verifikasi": tautan(k)}


def tandai(doc, jenis, p, nomor):
    """Keep the code with a stored signed version of a letter (in the caller's transaction)."""
    doc.kode_verifikasi = kode(jenis, p.id, nomor)
    return doc


# --- what the page says ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Penandatangan:
    nama: str
    peran: str  # "PPK Satker X", "Penyedia PT Y"
    waktu: datetime | None  # naive UTC, as the signature reports it
    sah: bool  # this signature is intact, valid and made with a certificate of the portal CA
    bertanda_waktu: bool = False  # carries a trusted RFC 3161 timestamp (its time is `waktu`)
    dicabut_at: datetime | None = None  # the certificate was revoked then, before this signature: void


@dataclass(frozen=True)
class SuratTerdaftar:
    """One registered letter as the public may see it."""

    kode: str
    jenis: str
    jenis_label: str
    nomor: str
    pesanan_nomor: str
    satker: str
    penyedia: str
    sha256: str  # of the newest signed version
    versi: int  # how many signed versions the portal stored
    penandatangan: tuple = field(default_factory=tuple)
    utuh: bool = True  # the stored file still hashes to what was recorded, and its signatures are valid


@dataclass(frozen=True)
class HasilBerkas:
    """An uploaded file checked against what the portal stored."""

    putusan: str  # ASLI, ASLI_LAMA, BERUBAH or TIDAK_DIKENAL
    sha256: str
    dokumen: SuratTerdaftar | None
    tanda_tangan: tuple = field(default_factory=tuple)  # Penandatangan of the uploaded file's own signatures
    terbaca: bool = True  # the signatures of the uploaded file could be read at all


def _versi(kode_verifikasi):
    return (
        db.session.execute(select(Dokumen).where(Dokumen.kode_verifikasi == kode_verifikasi).order_by(Dokumen.id))
        .scalars()
        .all()
    )


def _pemilik(doc):
    """(jenis, order, nomor) of a signed letter's Dokumen row."""
    jenis = _JENIS_DOKUMEN.get(doc.jenis)
    if jenis == "adendum":
        a = db.session.execute(select(Adendum).where(Adendum.dokumen_id == doc.id)).scalar_one_or_none()
        return (jenis, a.pesanan, a.nomor) if a is not None else (None, None, None)
    column = PesananKatalog.sp_dokumen_id if jenis == "sp" else PesananKatalog.bast_dokumen_id
    p = db.session.execute(select(PesananKatalog).where(column == doc.id)).scalar_one_or_none()
    if p is None:
        return None, None, None
    return jenis, p, p.sp_nomor if jenis == "sp" else p.bast_nomor


def _peran(field_name, signer_dn):
    """The signer's role, "PPK <satker>" or "Penyedia <company>", from the field `TTE-<user id>` (sign_pdf)."""
    user_id = field_name.removeprefix("TTE-")
    user = db.session.get(PortalUser, int(user_id)) if user_id.isdigit() and len(user_id) < 10 else None
    if user is not None and user.penyedia is not None:
        return f"{_l('Penyedia')} {user.penyedia.nama}"
    if user is not None and user.satker is not None:
        return f"{_l('PPK')} {user.satker.nama}"
    return signer_dn or "-"


def _penandatangan(pdf_bytes):
    """The signatures of a PDF as the public sees them; None when the file can't be read as a PDF."""
    try:
        hasil = tte.verify_pdf(pdf_bytes)
    except DomainError:
        return None
    return tuple(
        Penandatangan(
            nama=h.signer or "-",
            peran=_peran(h.field_name, h.signer_dn),
            waktu=h.signing_time,
            sah=h.ok,
            bertanda_waktu=h.waktu_stempel is not None,
            dicabut_at=h.dicabut_at,
        )  # fmt: skip
        for h in hasil
    )


def periksa_kode(text):
    """The registered letter of a verification code, or KodeTidakDikenal (404)."""
    k = rapikan(text)
    versi = _versi(k) if k else []
    if not versi:
        raise KodeTidakDikenal()
    terbaru = versi[-1]
    jenis, p, nomor = _pemilik(terbaru)
    if p is None:
        raise KodeTidakDikenal()
    body = documents.read(terbaru.stored_name)
    penandatangan = _penandatangan(body) or ()
    utuh = hashlib.sha256(body).hexdigest() == terbaru.sha256 and bool(penandatangan)
    utuh = utuh and all(t.sah for t in penandatangan)
    return SuratTerdaftar(
        kode=k,
        jenis=jenis,
        jenis_label=str(JENIS[jenis][1]),
        nomor=nomor,
        pesanan_nomor=p.nomor,
        satker=p.satker.nama,
        penyedia=p.penyedia.nama,
        sha256=terbaru.sha256,
        versi=len(versi),
        penandatangan=penandatangan,
        utuh=utuh,
    )


def _kode_di_berkas(data):
    """The verification code a PDF says it carries (the letter's INFO_KODE entry), if any."""
    try:
        info = PdfFileReader(io.BytesIO(data), strict=False).trailer["/Info"]
        return dokumen_pdf.baca_kode(info.get("/" + dokumen_pdf.INFO_KODE))
    except (PdfError, KeyError, TypeError, ValueError, AttributeError, IndexError):
        return None


def periksa_berkas(data, text=None):
    """Check an uploaded PDF: byte for byte the newest signed version (ASLI), an earlier signed version
    (ASLI_LAMA), a letter of the portal that differs from every stored version (BERUBAH), or nothing the
    portal issued (TIDAK_DIKENAL). The code is the one typed, else the one the file says it carries, else
    found by the file's hash. A typed code that is not registered is KodeTidakDikenal (404)."""
    documents.check_upload(data, allowed=(documents.PDF,))
    digest = hashlib.sha256(data).hexdigest()
    if text and str(text).strip():
        k = rapikan(text)
        if k is None or not _versi(k):
            raise KodeTidakDikenal()
    else:
        k = _kode_di_berkas(data)
        if k is None or not _versi(k):
            k = db.session.execute(
                select(Dokumen.kode_verifikasi).where(Dokumen.sha256 == digest, Dokumen.kode_verifikasi.isnot(None))
            ).scalar()
    putusan, surat = TIDAK_DIKENAL, None
    if k is not None:
        try:
            surat = periksa_kode(k)
        except KodeTidakDikenal:
            surat = None
    if surat is not None:
        versi = [v.sha256 for v in _versi(k)]
        putusan = ASLI if versi[-1] == digest else ASLI_LAMA if digest in versi else BERUBAH
    tanda_tangan = _penandatangan(data)
    return HasilBerkas(
        putusan=putusan, sha256=digest, dokumen=surat, tanda_tangan=tanda_tangan or (), terbaca=tanda_tangan is not None
    )
