"""Tanda Tangan Elektronik: the user's TTE status, activation with a passphrase, and a test signature."""

from flask import Response, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from app.services import documents, tte
from app.services.errors import DomainError


class TteView(BaseView):
    route_base = "/tte"
    default_view = "index"

    def _render(self, status=200):
        sert = tte.sertifikat(g.user)
        return (
            self.render_template(
                "tte/index.html",
                status_tte=tte.status(g.user),
                rincian=tte.rincian(sert) if sert is not None and sert.cert_pem else None,
                min_passphrase=tte.MIN_PASSPHRASE,
            ),
            status,
        )

    @expose("/")
    @has_access
    def index(self):
        return self._render()

    @expose("/aktifkan", methods=["POST"])
    @has_access
    def aktifkan(self):
        try:
            tte.aktifkan(g.user, request.form.get("passphrase"), request.form.get("passphrase_ulang"))
        except DomainError as e:
            flash(str(e), "danger")
            return self._render(e.status)
        flash(
            _l("TTE Anda sudah aktif. Simpan passphrase Anda baik-baik: portal tidak dapat memulihkannya."), "success"
        )
        return redirect(url_for("TteView.index"))

    @expose("/uji", methods=["POST"])
    @has_access
    def uji(self):
        """Sign an uploaded PDF with the user's key and hand it back, to try TTE before real documents."""
        berkas = request.files.get("berkas")
        data = berkas.read() if berkas else b""
        try:
            documents.check_upload(data, allowed=(documents.PDF,))
            signed = tte.sign_pdf(g.user, data, request.form.get("passphrase"), str(_l("Uji tanda tangan elektronik")))
        except DomainError as e:
            flash(str(e), "danger")
            return self._render(e.status)
        return Response(
            signed,
            mimetype="application/pdf",
            headers={
                "Content-Disposition": 'attachment; filename="uji-tte-ditandatangani.pdf"',
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "no-store",
            },
        )


def register(appbuilder):
    appbuilder.add_view(
        TteView,
        "Tanda Tangan Elektronik",
        label=_l("Tanda Tangan Elektronik"),
        icon="fa-signature",
        category="Akun",
        category_label=_l("Akun"),
        category_icon="fa-user-circle",
    )
