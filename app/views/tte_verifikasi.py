"""Verifikasi TTE: the TTE verifier's queue of activation requests of their instansi, with the SLA, the
decision (Setujui / Tolak with a reason) and revoking a certificate of that instansi."""

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from app.models import PermohonanTte
from app.models.tte import ALASAN_CABUT_TTE
from app.services import audit, clock, scoping, tte, tte_aktivasi
from app.services.errors import DomainError, NotFound

ALASAN_VERIFIKATOR = ("berhenti_tugas", "passphrase_hilang", "lainnya")


class VerifikasiTteView(BaseView):
    route_base = "/verifikasi-tte"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        overdue = request.args.get("terlambat") == "1"
        status = request.args.get("status", "menunggu")
        if status not in ("menunggu", "disetujui", "ditolak"):
            status = "menunggu"
        return self.render_template(
            "tte/antrean.html",
            rows=tte_aktivasi.antrean(g.user, status=status, overdue_only=overdue),
            now=clock.now(),
            status=status,
            overdue=overdue,
        )

    def _detail(self, row, status=200):
        sert = tte.sertifikat(row.user)
        return (
            self.render_template(
                "tte/permohonan.html",
                row=row,
                actions=tte_aktivasi.PERMOHONAN.available(row, g.user),
                sert=sert,
                rincian=tte.rincian(sert) if sert is not None and sert.cert_pem else None,
                riwayat=audit.riwayat(tte_aktivasi.ENTITY, row.id),
                alasan_cabut={k: ALASAN_CABUT_TTE[k] for k in ALASAN_VERIFIKATOR},
                now=clock.now(),
            ),
            status,
        )

    def _row(self, pk):
        try:
            return scoping.get_scoped(PermohonanTte, pk, g.user)
        except NotFound:
            abort(404)

    @expose("/<int:pk>", methods=["GET", "POST"])
    @has_access
    def detail(self, pk):
        row = self._row(pk)
        if request.method == "POST":
            try:
                tte_aktivasi.putuskan(
                    pk,
                    request.form.get("aksi", ""),
                    g.user,
                    alasan=request.form.get("alasan"),
                    expected_version=request.form.get("version"),
                )
            except NotFound:
                abort(404)
            except DomainError as e:
                flash(str(e), "danger")
                return self._detail(self._row(pk), e.status)
            flash(_l("Keputusan tersimpan."), "success")
            return redirect(url_for("VerifikasiTteView.index"))
        return self._detail(row)

    @expose("/<int:pk>/cabut", methods=["POST"])
    @has_access
    def cabut(self, pk):
        """Revoke the certificate of the request's user (leaving office, a passphrase known to others)."""
        row = self._row(pk)
        alasan = request.form.get("alasan", "")
        try:
            if alasan not in ALASAN_VERIFIKATOR:
                raise DomainError(_l("Pilih alasan pencabutan sertifikat."))
            tte.cabut(row.user, g.user, alasan, request.form.get("catatan"))
        except DomainError as e:
            flash(str(e), "danger")
            return self._detail(self._row(pk), e.status)
        flash(_l("Sertifikat TTE pengguna telah dicabut."), "success")
        return redirect(url_for("VerifikasiTteView.detail", pk=pk))


def register(appbuilder):
    appbuilder.add_view(
        VerifikasiTteView,
        "Verifikasi TTE",
        label=_l("Antrean Verifikasi TTE"),
        icon="fa-signature",
        category="Verifikasi",
        category_label=_l("Verifikasi"),
        category_icon="fa-user-shield",
    )
