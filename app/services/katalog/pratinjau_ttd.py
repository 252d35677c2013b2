"""The signer reads before signing (SPEC §6 steps 4, 6 and 8): the Surat Pesanan, the BAST and the addendum
letter are first shown unsigned, then the passphrase is asked.

The preview and the signing step render the letter with one function of the step's module from the same
data, and the render is deterministic (dokumen_pdf: no timestamp, no random file id), so what was read is
byte for byte what is signed. The preview page carries the letter's sha256 (`pratinjau`); the signing step
renders again and refuses when its bytes differ (another letter took the number meanwhile, the clauses or
the inspection were edited after the preview) or when no preview was made. The order page's forms always
send the key (empty when no preview was shown); callers that show nothing to anyone (the demo seed, the
tests' factories) leave the key out and sign what they render.

The unsigned bytes shown in the page's frame are kept for a short while under UPLOAD_DIR (shared by the
workers like every stored document), by a random token, for the one user and order they were made for."""

import hashlib
import hmac
import json
import os
import re
import secrets
import time
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from .. import clock
from ..errors import Conflict, DomainError, NotFound

KUNCI = "pratinjau"
BERLAKU = timedelta(minutes=30)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def sidik(pdf):
    """The letter's fingerprint the preview page carries to the signing step."""
    return hashlib.sha256(pdf).hexdigest()


def cocokkan(dari_form, pdf, berubah):
    """Before signing `pdf`: None (no form: the seed, the factories) signs as rendered; an empty value is a
    signing without preview; another fingerprint means the letter changed since it was read (`berubah`)."""
    if dari_form is None:
        return
    dari_form = str(dari_form).strip().lower()
    if not dari_form:
        raise DomainError(_l("Lihat pratinjau surat terlebih dahulu; passphrase diminta sesudah pratinjau."))
    if not hmac.compare_digest(dari_form.encode(), sidik(pdf).encode()):
        raise Conflict(berubah)


def _folder():
    return os.path.join(current_app.config["UPLOAD_DIR"], "pratinjau")


def _bersihkan(folder):
    """Drop what is a day old by the file's own time (the movable clock may be anywhere)."""
    batas = time.time() - 86400
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        try:
            if os.path.getmtime(path) < batas:
                os.remove(path)
        except OSError:
            continue


def simpan(actor, pesanan_id, jenis, nama, pdf):
    """Keep one preview for the page's frame; returns its token."""
    folder = _folder()
    os.makedirs(folder, exist_ok=True)
    _bersihkan(folder)
    token = secrets.token_urlsafe(24)
    meta = {"user": actor.id, "pesanan": pesanan_id, "jenis": jenis, "nama": nama, "at": clock.now().isoformat()}
    with open(os.path.join(folder, token + ".pdf"), "wb") as fh:
        fh.write(pdf)
    with open(os.path.join(folder, token + ".json"), "w", encoding="utf-8") as fh:
        json.dump(meta, fh)
    return token


def baca(token, actor, pesanan_id, jenis):
    """(filename, bytes) of a preview this user made for this order and letter, while it lasts; else NotFound."""
    if not _TOKEN.fullmatch(token or ""):
        raise NotFound()
    base = os.path.join(_folder(), token)
    try:
        with open(base + ".json", encoding="utf-8") as fh:
            meta = json.load(fh)
        with open(base + ".pdf", "rb") as fh:
            pdf = fh.read()
    except (OSError, ValueError):
        raise NotFound() from None
    made = datetime.fromisoformat(meta["at"])
    if (meta["user"], meta["pesanan"], meta["jenis"]) != (actor.id, pesanan_id, jenis) or not (
        made <= clock.now() <= made + BERLAKU
    ):
        raise NotFound()
    return meta["nama"], pdf
