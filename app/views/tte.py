"""Pengaturan Tanda Tangan Elektronik: the user's TTE status ("Tanda Tangan Aktif"/"Belum Aktif") with the
activation guide, the activation request with the verified NIK, issuing the certificate with a passphrase
once the instansi's TTE verifier approved, revocation, a test signature, and the trust root download."""

from flask import Response, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from app.models.tte import ALASAN_CABUT_TTE
from app.services import clock, documents, tte, tte_aktivasi, verifikasi
from app.services.errors import DomainError

# what the owner may give as the reason to revoke their own certificate
ALASAN_SENDIRI = ("passphrase_hilang", "berhenti_tugas", "lainnya")
PANDUAN_VIDEO = "https://www.youtube.com/watch?v=QNs3lW8UMaI"


def halaman(user):
    """What the settings page shows (also the order pages' hint): status, certificate, request, next step."""
    sert = tte.sertifikat(user)
    permohonan = tte.permohonan_terakhir(user)
    profil = verifikasi.profil_terakhir(user)
    aktif = tte.status(user) == tte.AKTIF
    if aktif:
        langkah = "aktif"
    elif tte.boleh_aktifkan(user):
        langkah = "buat_passphrase"
    elif permohonan is not None and permohonan.status == "menunggu":
        langkah = "menunggu"
    else:
        langkah = "ajukan"
    return {
        "status_tte": tte.AKTIF if aktif else tte.BELUM_AKTIF,
        "langkah": langkah,
        "rincian": tte.rincian(sert) if sert is not None and sert.cert_pem else None,
        "permohonan": permohonan,
        "profil_nik": profil.nik if profil is not None and profil.status == "terverifikasi" else None,
        "now": clock.now(),
    }


class TteView(BaseView):
    route_base = "/tte"
    default_view = "index"

    def _render(self, status=200):
        return (
            self.render_template(
                "tte/index.html",
                **halaman(g.user),
                min_passphrase=tte.MIN_PASSPHRASE,
                alasan_cabut={k: ALASAN_CABUT_TTE[k] for k in ALASAN_SENDIRI},
                panduan_video=PANDUAN_VIDEO,
            ),
            status,
        )

    @expose("/")
    @has_access
    def index(self):
        return self._render()

    @expose("/ajukan", methods=["POST"])
    @has_access
    def ajukan(self):
        try:
            tte_aktivasi.ajukan(g.user, request.form.get("nik"))
        except DomainError as e:
            flash(str(e), "danger")
            return self._render(e.status)
        flash(_l("Permohonan aktivasi TTE terkirim ke verifikator TTE instansi Anda."), "success")
        return redirect(url_for("TteView.index"))

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

    @expose("/cabut", methods=["POST"])
    @has_access
    def cabut(self):
        alasan = request.form.get("alasan", "")
        try:
            if alasan not in ALASAN_SENDIRI:
                raise DomainError(_l("Pilih alasan pencabutan sertifikat."))
            tte.cabut(g.user, g.user, alasan, request.form.get("catatan"))
        except DomainError as e:
            flash(str(e), "danger")
            return self._render(e.status)
        flash(
            _l("Sertifikat TTE Anda telah dicabut. Ajukan aktivasi baru bila Anda masih perlu menandatangani."), "info"
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

    @expose("/akar.pem")
    def akar(self):
        """Public: the trust root(s) to install so pdfsig/pyHanko report the portal's signatures trusted."""
        return Response(
            tte.akar_pem(),
            mimetype="application/x-pem-file",
            headers={"Content-Disposition": 'attachment; filename="akar-tte-portal.pem"'},
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
