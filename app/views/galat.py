"""Error pages in the portal's layout and language, with a way back; the API answers the same codes as JSON.

Every HTTP error (and any unexpected exception, as 500) goes through `tangani`: a page for people, JSON for
/api/. Rendering the full layout needs the database (the menu reads the user's roles); when that fails too,
a plain page in the same words is sent instead, so an error page never raises."""

import logging

from flask import current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db
from app.services import auth

log = logging.getLogger(__name__)

PESAN = {
    400: (
        _l("Permintaan tidak valid"),
        _l("Isian atau alamat yang dikirim tidak dapat dibaca. Periksa lalu coba lagi."),
    ),
    403: (_l("Akses ditolak"), _l("Anda tidak berwenang membuka halaman ini.")),
    404: (_l("Tidak ditemukan"), _l("Halaman atau data yang Anda cari tidak ada atau bukan milik organisasi Anda.")),
    405: (_l("Cara akses tidak diizinkan"), _l("Halaman ini tidak dapat dibuka dengan cara tersebut.")),
    409: (_l("Data sudah berubah"), _l("Data ini diubah orang lain sementara Anda membukanya. Muat ulang halaman.")),
    413: (_l("Terlalu besar"), _l("Berkas atau isian yang dikirim melebihi batas ukuran.")),
    429: (_l("Terlalu banyak permintaan"), _l("Tunggu sebentar lalu coba lagi.")),
    500: (_l("Terjadi kesalahan"), _l("Kesalahan ini sudah dicatat. Silakan coba lagi beberapa saat lagi.")),
}


def _api():
    return request.path.startswith("/api/")


def tangani(exc):
    if not isinstance(exc, HTTPException):
        log.exception("unhandled error on %s", request.path)
        db.session.rollback()
        exc = InternalServerError()
    auth.sesi_tetap()
    if exc.response is not None:  # an answer already made for this error (e.g. the API login's rate limit)
        return exc.response
    code = exc.code or 500
    judul, isi = PESAN.get(code, (exc.name, exc.description))
    isi = getattr(exc, "pesan", None) or isi  # a refusal that says what was wrong (masukan.InputDitolak)
    if _api():
        return jsonify(code=code, message=str(isi)), code
    headers = dict(exc.get_headers()) if code in (405, 429) else {}
    headers.pop("Content-Type", None)
    try:
        appbuilder = current_app.appbuilder
        html = render_template("galat/galat.html", kode=code, judul=judul, isi=isi,
                               base_template=appbuilder.base_template, appbuilder=appbuilder)  # fmt: skip
    except Exception:  # the layout itself failed (e.g. the database is down): the same words, plainly
        log.exception("error page layout failed")
        db.session.rollback()
        html = f"<!doctype html><title>{judul}</title><h1>{code} {judul}</h1><p>{isi}</p><p><a href='/'>Beranda</a></p>"
    return html, code, headers


def init_app(app):
    for code in PESAN:
        app.register_error_handler(code, tangani)
    app.register_error_handler(Exception, tangani)
