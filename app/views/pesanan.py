"""The order page shared by buyer and supplier: stepper, lines, detail, documents, actions, history."""

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.forms import AlasanForm, DetailPesananForm, PenerimaanForm, PenilaianForm, UploadForm
from app.models import Alamat, Pesanan, Ulasan
from app.models.eorder import STATUS_PESANAN, STEPPER
from app.services import eorder
from app.services.errors import DomainError

from ._base import domain_error, kirim_dokumen, load_or_404


def _load(pk):
    return load_or_404(Pesanan, pk)


class PesananView(BaseView):
    route_base = "/pesanan"
    default_view = "detail"

    def _render(self, pesanan, status=200):
        alamat = (
            db.session.execute(select(Alamat).where(Alamat.user_id == g.user.id).order_by(Alamat.jenis.desc()))
            .scalars()
            .all()
        )
        detail_form = DetailPesananForm(obj=pesanan)
        detail_form.alamat_id.choices = [(0, _l("— pilih alamat —"))] + [(a.id, str(a)) for a in alamat]
        if pesanan.alamat_id:
            detail_form.alamat_id.data = pesanan.alamat_id
        panels = eorder.EORDER.panels(pesanan, g.user)
        actions = {a: t for rows in panels.values() for a, t in rows.items()}
        return (
            self.render_template(
                "pesanan/detail.html",
                pesanan=pesanan,
                stepper=STEPPER,
                labels=STATUS_PESANAN,
                actions=actions,
                panels=panels,
                detail_form=detail_form,
                alasan_form=AlasanForm(),
                penerimaan_form=PenerimaanForm(),
                penilaian_form=PenilaianForm(),
                upload_form=UploadForm(),
                riwayat=eorder.riwayat(pesanan),
                # the rating given (Diterima → Selesai), shown on the order afterwards
                ulasan=db.session.execute(select(Ulasan).where(Ulasan.pesanan_id == pesanan.id)).scalars().all(),
                action_labels=eorder.ACTION_LABELS,
                pihak=("penyedia" if g.user.penyedia_id == pesanan.penyedia_id else "pembeli"),
            ),
            status,
        )

    @expose("/<int:pk>")
    @has_access
    def detail(self, pk):
        return self._render(_load(pk))

    @expose("/<int:pk>/aksi/<action>", methods=["POST"])
    @has_access
    def aksi(self, pk, action):
        pesanan = _load(pk)
        data = eorder.EORDER.input(action, request.form.to_dict())
        if action == "isi_detail":
            form = DetailPesananForm()
            if not form.validate():
                for field, errors in form.errors.items():
                    flash(f"{getattr(form, field).label.text}: {'; '.join(errors)}", "danger")
                return self._render(pesanan, 400)
            data = {
                "alamat_id": form.alamat_id.data or None,
                "tanggal_kegiatan": form.tanggal_kegiatan.data,
                "waktu_kegiatan": form.waktu_kegiatan.data,
                "nama_kegiatan": form.nama_kegiatan.data,
                "catatan": form.catatan.data,
                "metode_bayar": form.metode_bayar.data,
            }
        elif action == "upload_dokumen":
            berkas = request.files.get("berkas")
            data = {
                "jenis": request.form.get("jenis"),
                "data": berkas.read() if berkas else b"",
                "filename": berkas.filename if berkas else None,
            }
        elif action == "konfirmasi_penerimaan":
            data = {k: request.form.get(k) in ("y", "on", "1", "true") for k in PenerimaanForm.checks()}
            data["catatan"] = request.form.get("catatan")
        elif action == "beri_penilaian":
            data = {"bintang": request.form.get("bintang"), "ulasan": request.form.get("ulasan")}
        try:
            eorder.jalankan(pesanan.id, action, g.user, expected_version=request.form.get("version"), **data)
        except DomainError as e:
            return domain_error(e, lambda status: self._render(_load(pk), status))
        flash(_l("Berhasil: %(aksi)s.", aksi=_label(action)), "success")
        return redirect(url_for("PesananView.detail", pk=pk))

    @expose("/<int:pk>/item/<int:item_id>", methods=["POST"])
    @has_access
    def item(self, pk, item_id):
        _load(pk)
        try:
            eorder.ubah_item(g.user, pk, item_id, request.form.get("qty"))
        except DomainError as e:
            return domain_error(e, lambda status: self._render(_load(pk), status))
        flash(_l("Keranjang diperbarui."), "success")
        return redirect(url_for("PesananView.detail", pk=pk))

    @expose("/<int:pk>/dokumen/<int:doc_id>")
    @has_access
    def dokumen(self, pk, doc_id):
        """An invoice or kwitansi of the order, by the one document-access rule (akses_dokumen)."""
        pesanan = _load(pk)
        return kirim_dokumen("eorder", pesanan.id, doc_id)


def _label(action):
    return eorder.ACTION_LABELS.get(action, action)


def register(appbuilder):
    appbuilder.add_view_no_menu(PesananView())
