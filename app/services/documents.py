"""Uploads: the type is decided by the file's content, never its name; size-limited; stored by a random name.

Checked all the way, not by the first bytes (issue 15 item 8): a PDF is parsed (pypdf) and every object it
reaches is looked at, refusing JavaScript, actions run on opening, embedded files and launch actions; an
image is decoded in full within UPLOAD_MAX_PIXELS and stored re-encoded, without its EXIF/GPS metadata."""

import hashlib
import io
import logging
import os
import uuid
import warnings

from flask import abort, current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from app.extensions import db
from app.models import Dokumen

from . import clock
from .errors import DomainError

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
log = logging.getLogger(__name__)

# What a PDF may not carry, by the name a key or an action type (/S) has in it, and how the refusal says it.
_PDF_JS = _l("JavaScript")
_PDF_AUTO = _l("aksi yang berjalan sendiri saat dibuka")
_PDF_EMBED = _l("berkas sisipan")
_PDF_LAUNCH = _l("perintah menjalankan program")
_PDF_KEYS = {
    "/JS": _PDF_JS,
    "/JavaScript": _PDF_JS,
    "/OpenAction": _PDF_AUTO,
    "/AA": _PDF_AUTO,
    "/EmbeddedFiles": _PDF_EMBED,
    "/EF": _PDF_EMBED,
    "/RichMedia": _PDF_EMBED,
    "/Launch": _PDF_LAUNCH,
}
_PDF_ACTIONS = {
    "/JavaScript": _PDF_JS,
    "/Launch": _PDF_LAUNCH,
    "/ImportData": _PDF_LAUNCH,
    "/RichMediaExecute": _PDF_LAUNCH,
    "/GoToE": _PDF_EMBED,
}
_PDF_MAX_OBJECTS = 200_000  # a walk past this many objects is refused rather than left to run


def sniff(data):
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def check_upload(data, allowed=(PDF, JPEG, PNG), max_bytes=None):
    """Return the content type, or raise a translated DomainError."""
    max_bytes = max_bytes or current_app.config["UPLOAD_MAX_BYTES"]
    if not data:
        raise DomainError(_l("Berkas kosong atau belum dipilih."))
    if len(data) > max_bytes:
        raise DomainError(_l("Berkas terlalu besar (maksimal %(mb)s MB).", mb=max_bytes // (1024 * 1024)), status=413)
    kind = sniff(data)
    if kind not in allowed:
        raise DomainError(_l("Berkas harus berupa PDF, JPEG, atau PNG (diperiksa dari isinya)."), status=415)
    if kind == PDF:
        if b"%%EOF" not in data[-2048:]:
            raise DomainError(_l("Berkas PDF rusak atau tidak lengkap."), status=415)
        _periksa_pdf(data)
    if kind in (JPEG, PNG):
        _buka_gambar(data)
    return kind


def _periksa_pdf(data):
    """Parse the PDF and walk every object reachable from its trailer; refuse active or embedded content."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DomainError(_l("Berkas PDF terkunci kata sandi dan tidak dapat diperiksa."), status=415)
        alasan = _isi_terlarang(reader.trailer)
    except DomainError:
        raise
    except Exception:  # pypdf raises many kinds on a broken file; each means "cannot be read"
        log.info("unreadable PDF upload", exc_info=True)
        raise DomainError(_l("Berkas PDF rusak atau tidak dapat dibaca."), status=415) from None
    if alasan is not None:
        raise DomainError(
            _l("Berkas PDF ditolak karena memuat %(isi)s. Cetak ulang sebagai PDF biasa lalu unggah lagi.", isi=alasan),
            status=415,
        )


def _isi_terlarang(root):
    """The first forbidden thing found in the object graph, or None (iterative: no recursion limit to hit)."""
    stack, seen, count = [root], set(), 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        count += 1
        if count > _PDF_MAX_OBJECTS:
            raise DomainError(_l("Berkas PDF terlalu rumit untuk diperiksa."), status=415)
        if isinstance(obj, DictionaryObject):  # streams are dictionaries too; their data is not run
            for k, v in obj.items():
                if k in _PDF_KEYS:
                    return _PDF_KEYS[k]
                if k == "/S" and v in _PDF_ACTIONS:
                    return _PDF_ACTIONS[v]
                if k == "/Type" and v == "/EmbeddedFile":
                    return _PDF_EMBED
                stack.append(v)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return None


def _buka_gambar(data):
    """The image decoded in full, its pixel count bounded before decoding (a small file can hold a huge one)."""
    limit = current_app.config["UPLOAD_MAX_PIXELS"]
    try:
        with warnings.catch_warnings():  # Pillow's own bomb warning: the bound below is ours
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
        width, height = img.size
        if width * height > limit:
            raise DomainError(
                _l(
                    "Gambar terlalu besar: %(w)s x %(h)s piksel (maksimal %(mp)s megapiksel).",
                    w=width,
                    h=height,
                    mp=limit // 1_000_000,
                ),  # fmt: skip
                status=413,
            )
        img.load()
    except DomainError:
        raise
    except Image.DecompressionBombError:  # beyond twice Pillow's own bound: refused before its size is read
        raise DomainError(
            _l("Gambar terlalu besar (maksimal %(mp)s megapiksel).", mp=limit // 1_000_000), status=413
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DomainError(_l("Berkas gambar rusak atau tidak valid."), status=415) from None
    return img


def bersihkan(data):
    """What is stored of an upload: an image re-encoded from its pixels (EXIF, GPS, comments and any bytes
    appended after the picture dropped; the EXIF orientation applied first so the photo stays upright);
    anything else as it came."""
    kind = sniff(data)
    if kind not in (JPEG, PNG):
        return data
    img = ImageOps.exif_transpose(_buka_gambar(data))
    out = io.BytesIO()
    if kind == JPEG:
        img = img if img.mode in ("RGB", "L", "CMYK") else img.convert("RGB")
        img.save(out, "JPEG", quality=90, optimize=True)
    else:
        img.save(out, "PNG", optimize=True)
    return out.getvalue()


def _tulis(data):
    data = bersihkan(data)
    folder = current_app.config["UPLOAD_DIR"]
    os.makedirs(folder, exist_ok=True)
    name = uuid.uuid4().hex
    with open(os.path.join(folder, name), "wb") as fh:
        fh.write(data)
    return name, hashlib.sha256(data).hexdigest(), data


def store(data):
    """Write bytes (images cleaned, `bersihkan`) under UPLOAD_DIR with a random name; return (stored_name, sha256)."""
    name, digest, _data = _tulis(data)
    return name, digest


def simpan(data, jenis, filename, user, content_type, pesanan_id=None):
    """Store checked bytes and add their Dokumen row (flushed, in the caller's transaction)."""
    stored, digest, data = _tulis(data)
    doc = Dokumen(
        pesanan_id=pesanan_id,
        jenis=jenis,
        filename=(filename or jenis)[:255],
        content_type=content_type,
        size=len(data),
        sha256=digest,
        stored_name=stored,
        uploaded_by_id=user.id,
        uploaded_at=clock.now(),
    )
    db.session.add(doc)
    db.session.flush()
    return doc


def read(stored_name):
    """The stored bytes, or 404 when the file is gone from disk (never a 500)."""
    try:
        with open(path_of(stored_name), "rb") as fh:
            return fh.read()
    except (FileNotFoundError, IsADirectoryError):
        abort(404)


def path_of(stored_name):
    return os.path.join(current_app.config["UPLOAD_DIR"], stored_name)
