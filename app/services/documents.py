"""Uploads: the type is decided by the file's content, never its name; size-limited; stored by a random name."""

import hashlib
import io
import os
import uuid

from flask import abort, current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError

from app.extensions import db
from app.models import Dokumen

from . import clock
from .errors import DomainError

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"


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
    if kind == PDF and b"%%EOF" not in data[-2048:]:
        raise DomainError(_l("Berkas PDF rusak atau tidak lengkap."), status=415)
    if kind in (JPEG, PNG):
        try:
            Image.open(io.BytesIO(data)).verify()
        except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
            raise DomainError(_l("Berkas gambar rusak atau tidak valid."), status=415) from None
    return kind


def store(data):
    """Write bytes under UPLOAD_DIR with a random name; return (stored_name, sha256)."""
    folder = current_app.config["UPLOAD_DIR"]
    os.makedirs(folder, exist_ok=True)
    name = uuid.uuid4().hex
    with open(os.path.join(folder, name), "wb") as fh:
        fh.write(data)
    return name, hashlib.sha256(data).hexdigest()


def simpan(data, jenis, filename, user, content_type, pesanan_id=None):
    """Store checked bytes and add their Dokumen row (flushed, in the caller's transaction)."""
    stored, digest = store(data)
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
