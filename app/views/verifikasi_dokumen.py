"""Verifikasi Dokumen (public, no login): check a signed letter by its verification code (the QR code on the
letter opens /verifikasi-dokumen/<kode>) or by uploading the PDF. The rules are in
app/services/verifikasi_dokumen.py; this view only reads the input and renders the answer."""

from flask import current_app, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.utils.limit import Limit
from flask_limiter.util import get_remote_address

from app.services import verifikasi_dokumen
from app.services.errors import DomainError

TEMPLATE = "verifikasi_dokumen/index.html"


def _batas():
    # anonymous and cheap to ask: enough for people, too slow to walk the code space
    return current_app.config.get("VERIFIKASI_DOKUMEN_RATE_LIMIT") or "30 per minute"


class VerifikasiDokumenView(BaseView):
    route_base = "/verifikasi-dokumen"
    default_view = "index"
    limits = [Limit(limit_value=_batas, key_func=get_remote_address)]

    def _page(self, status=200, **context):
        context.setdefault("kode", "")
        context.setdefault("surat", None)
        context.setdefault("hasil", None)
        context.setdefault("error", None)
        context["contoh_kode"] = verifikasi_dokumen.CONTOH_KODE
        return self.render_template(TEMPLATE, **context), status

    def _unggah(self, kode):
        berkas = request.files.get("berkas")
        data = berkas.read() if berkas else b""
        try:
            hasil = verifikasi_dokumen.periksa_berkas(data, kode)
        except DomainError as e:
            return self._page(e.status, kode=kode or "", error=str(e))
        return self._page(kode=hasil.dokumen.kode if hasil.dokumen else (kode or ""), surat=hasil.dokumen, hasil=hasil)

    @expose("/", methods=["GET", "POST"])
    def index(self):
        if request.method == "POST":
            return self._unggah(request.form.get("kode"))
        kode = request.args.get("kode")
        if kode and verifikasi_dokumen.rapikan(kode):
            # the form's GET lands on the same address the QR code opens
            return redirect(url_for("VerifikasiDokumenView.kode", kode=verifikasi_dokumen.rapikan(kode)))
        if kode:
            return self.kode(kode)
        return self._page()

    @expose("/<kode>", methods=["GET", "POST"])
    def kode(self, kode):
        if request.method == "POST":
            return self._unggah(kode)
        try:
            surat = verifikasi_dokumen.periksa_kode(kode)
        except DomainError as e:
            return self._page(e.status, kode=kode[:40], error=str(e))
        return self._page(kode=surat.kode, surat=surat)


def register(appbuilder):
    appbuilder.add_view_no_menu(VerifikasiDokumenView)
