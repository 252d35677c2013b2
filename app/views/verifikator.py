"""Verifikator: queues of profile and access requests of their own instansi, with the 3x24 h SLA."""

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from app.models import AksesPengguna, ProfilPengguna
from app.models.accounts import JENIS_AKSES, JENIS_PROFIL
from app.services import clock, daftar, scoping, verifikasi
from app.services.errors import DomainError, NotFound

from ._base import kirim_dokumen

KINDS = {
    "profil": (ProfilPengguna, verifikasi.PROFIL, verifikasi.putuskan_profil),
    "akses": (AksesPengguna, verifikasi.AKSES, verifikasi.putuskan_akses),
}


class VerifikasiView(BaseView):
    route_base = "/verifikasi"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        overdue = request.args.get("terlambat") == "1"
        status = request.args.get("status", "menunggu")
        status = status if status in ("menunggu", "aktif") else "menunggu"
        # one page per table: the profile table pages with `page`, the access table with `hal_akses`
        s = daftar.saringan(request.args, ("menunggu", "aktif"), default_status="menunggu")
        s_akses = daftar.saringan(
            {**request.args.to_dict(), "page": request.args.get("hal_akses", "1")}, ("menunggu", "aktif"), "menunggu"
        )
        return self.render_template(
            "verifikasi/index.html",
            profil=verifikasi.antrean(ProfilPengguna, g.user, status=status, overdue_only=overdue, saringan=s),
            akses=verifikasi.antrean(AksesPengguna, g.user, status=status, overdue_only=overdue, saringan=s_akses),
            now=clock.now(),
            status=status,
            overdue=overdue,
            jenis_akses=JENIS_AKSES,
            jenis_profil=JENIS_PROFIL,
        )

    @expose("/<kind>/<int:pk>", methods=["GET", "POST"])
    @has_access
    def detail(self, kind, pk):
        if kind not in KINDS:
            abort(404)
        model, workflow, decide = KINDS[kind]
        try:
            row = scoping.get_scoped(model, pk, g.user)
        except NotFound:
            abort(404)
        status = 200
        if request.method == "POST":
            action = request.form.get("aksi", "")
            try:
                decide(
                    pk, action, g.user, alasan=request.form.get("alasan"), expected_version=request.form.get("version")
                )
            except NotFound:
                abort(404)
            except DomainError as e:
                flash(str(e), "danger")
                status = e.status
                row = scoping.get_scoped(model, pk, g.user)
            else:
                flash(_l("Keputusan tersimpan."), "success")
                return redirect(url_for("VerifikasiView.index"))
        return (
            self.render_template(
                f"verifikasi/{kind}.html",
                row=row,
                actions=workflow.available(row, g.user),
                now=clock.now(),
                jenis_akses=JENIS_AKSES,
                jenis_profil=JENIS_PROFIL,
            ),
            status,
        )

    @expose("/dokumen/<int:doc_id>")
    @has_access
    def dokumen(self, doc_id):
        return kirim_dokumen("identitas", None, doc_id, inline=True)


def register(appbuilder):
    appbuilder.add_view(
        VerifikasiView,
        "Verifikasi",
        label=_l("Antrean Verifikasi"),
        icon="fa-user-check",
        category="Verifikasi",
        category_label=_l("Verifikasi"),
        category_icon="fa-user-shield",
    )
