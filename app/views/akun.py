"""Registration (public) and Akun Saya: the three stages of SPEC §2 from the person's side."""

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.forms import AksesForm, DaftarForm, KataSandiForm, OtpForm, ProfilForm
from app.models import AksesPengguna, Instansi, Penyedia, Satker
from app.models.accounts import JENIS_AKSES
from app.services import akun, verifikasi
from app.services.errors import DomainError

from ._base import kirim_dokumen


def _errors(form):
    for field, errors in form.errors.items():
        flash(f"{getattr(form, field).label.text}: {'; '.join(errors)}", "danger")


def _file(name):
    berkas = request.files.get(name)
    return (berkas.filename, berkas.read()) if berkas and berkas.filename else (None, b"")


class RegistrasiView(BaseView):
    """Public pages: sign up, and set the password from the emailed link."""

    route_base = "/daftar"
    default_view = "index"

    @expose("/", methods=["GET", "POST"])
    def index(self):
        form = DaftarForm()
        status = 200
        if request.method == "POST":
            if form.validate():
                try:
                    akun.daftar(form.username.data, form.email.data, form.telepon.data, form.setuju.data)
                except DomainError as e:
                    flash(str(e), "danger")
                    status = e.status
                else:
                    return self.render_template("akun/terkirim.html", email=form.email.data.strip().lower())
            else:
                _errors(form)
                status = 400
        return self.render_template("akun/daftar.html", form=form), status

    @expose("/kata-sandi/<token>", methods=["GET", "POST"])
    def kata_sandi(self, token):
        form = KataSandiForm()
        try:
            akun.cek_token(token)
        except DomainError as e:
            flash(str(e), "danger")
            return self.render_template("akun/kata_sandi.html", form=None), e.status
        if request.method == "POST":
            try:
                akun.buat_kata_sandi(token, form.password.data or "", form.password_ulang.data or "")
            except DomainError as e:
                flash(str(e), "danger")
                return self.render_template("akun/kata_sandi.html", form=form), e.status
            flash(_l("Kata sandi dibuat. Silakan masuk."), "success")
            return redirect(self.appbuilder.get_url_for_login)
        return self.render_template("akun/kata_sandi.html", form=form)


class AkunView(BaseView):
    """Akun Saya: identity (phone OTP), profile, access requests — each with its status."""

    route_base = "/akun"
    default_view = "index"

    def _page(self, status=200, profil_form=None, akses_form=None):
        user = g.user
        profil_form = profil_form or ProfilForm()
        profil_form.instansi_id.choices = [("", "—")] + [
            (str(i.id), i.nama) for i in db.session.execute(select(Instansi).order_by(Instansi.nama)).scalars()
        ]
        akses_form = akses_form or AksesForm()
        akses_form.satker_id.choices = [("", "—")] + [
            (str(s.id), f"{s.nama} — {s.instansi}")
            for s in db.session.execute(select(Satker).order_by(Satker.nama)).scalars()
        ]
        akses_form.penyedia_id.choices = [("", "—")] + [
            (str(p.id), p.nama) for p in db.session.execute(select(Penyedia).order_by(Penyedia.nama)).scalars()
        ]
        permintaan = (
            db.session.execute(
                select(AksesPengguna).where(AksesPengguna.user_id == user.id).order_by(AksesPengguna.id.desc())
            )
            .scalars()
            .all()
        )
        return (
            self.render_template(
                "akun/index.html",
                tahap=akun.tahap(user),
                otp_form=OtpForm(),
                profil_form=profil_form,
                akses_form=akses_form,
                permintaan=permintaan,
                jenis_akses=JENIS_AKSES,
            ),
            status,
        )

    def _run(self, fn, ok, **forms):
        try:
            fn()
        except DomainError as e:
            flash(str(e), "danger")
            return self._page(e.status, **forms)
        flash(ok, "success")
        return redirect(url_for("AkunView.index"))

    @expose("/")
    @has_access
    def index(self):
        return self._page()

    @expose("/otp/kirim", methods=["POST"])
    @has_access
    def kirim_otp(self):
        return self._run(
            lambda: akun.kirim_otp(g.user, request.form.get("telepon")),
            _l("Kode OTP dikirim. Periksa email Anda (pengganti SMS/WhatsApp)."),
        )

    @expose("/otp/verifikasi", methods=["POST"])
    @has_access
    def verifikasi_otp(self):
        return self._run(
            lambda: akun.verifikasi_otp(g.user, request.form.get("kode")), _l("Nomor handphone terverifikasi.")
        )

    @expose("/profil", methods=["POST"])
    @has_access
    def profil(self):
        form = ProfilForm()
        if not form.validate():
            _errors(form)
            return self._page(400, profil_form=form)
        return self._run(
            lambda: verifikasi.ajukan_profil(
                g.user,
                jenis_profil=form.jenis_profil.data,
                status_kepegawaian=form.status_kepegawaian.data or None,
                nip=form.nip.data,
                nik=form.nik.data,
                nama_ktp=form.nama_ktp.data,
                tanggal_lahir=form.tanggal_lahir.data,
                instansi_id=form.instansi_id.data or None,
                selfie=_file("selfie"),
                ktp=_file("ktp"),
            ),
            _l("Profil diajukan. Verifikasi paling lama 3x24 jam."),
            profil_form=form,
        )

    @expose("/akses", methods=["POST"])
    @has_access
    def akses(self):
        form = AksesForm()
        baru = None
        if form.perusahaan_baru.data:
            baru = {
                "nama": form.nama.data,
                "npwp": form.npwp.data,
                "nib": form.nib.data,
                "alamat": form.alamat.data,
                "is_umkm": form.is_umkm.data,
                "email": g.user.email,
                "telepon": g.user.telepon,
            }
        return self._run(
            lambda: verifikasi.ajukan_akses(
                g.user,
                akses=form.akses.data,
                satker_id=form.satker_id.data or None,
                penyedia_id=form.penyedia_id.data or None,
                perusahaan_baru=baru,
                surat_tugas=_file("surat_tugas"),
            ),
            _l("Akses diajukan. Verifikasi paling lama 3x24 jam."),
            akses_form=form,
        )

    @expose("/dokumen/<int:doc_id>")
    @has_access
    def dokumen(self, doc_id):
        """KTP, selfie and Surat Tugas shown inline to the person and their verifiers; 404 for anyone else."""
        return kirim_dokumen("identitas", None, doc_id, inline=True)


def register(appbuilder):
    appbuilder.add_view_no_menu(RegistrasiView())
    appbuilder.add_view(
        AkunView,
        "Akun Saya",
        label=_l("Akun Saya"),
        icon="fa-id-card",
        category="Akun",
        category_label=_l("Akun"),
        category_icon="fa-user-circle",
    )
