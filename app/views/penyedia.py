"""Penyedia (UMKM): own products with their listing workflow, incoming orders."""

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_babel import lazy_gettext as _l

from app.formatting import rupiah, tanggal
from app.models import Pesanan, Produk
from app.models.catalog import KETERSEDIAAN, STATUS_LISTING
from app.models.eorder import STATUS_PESANAN
from app.services import catalog, clock, daftar, eorder
from app.services.errors import DomainError

from . import produk_saya
from ._base import PRODUK_LABELS, ScopedModelView, datamodel, domain_error, load_or_404, produk_formatters, run_each


def _aksi_massal(view):
    """The view's bulk steps the user may take, as (name, label, confirmation) for labelled buttons."""
    sm = view.appbuilder.sm
    return [
        (name, a.text, a.confirmation)
        for name, a in sorted(view.actions.items())
        if sm.has_access(view.get_action_permission_name(name), view.class_permission_name)
    ]


class ProdukPenyediaView(ScopedModelView):
    """Produk Saya: a supplier edits its own products while Draft or Ditolak, then submits them."""

    datamodel = datamodel(Produk)
    route_base = "/produk-saya"
    list_title = _l("Produk Saya")
    list_columns = ["nama", "kategori", "harga", "stok", "ketersediaan", "status"]
    show_columns = list(PRODUK_LABELS)
    # add and edit are the one Produk Saya form (views/produk_saya.py), not FAB's generated ones; one column
    # keeps FAB from building forms of every column it never shows
    add_columns = edit_columns = ["nama"]
    search_columns = ["nama", "status", "ketersediaan"]
    label_columns = PRODUK_LABELS
    show_template = "penyedia/produk_show.html"

    def __init__(self, **kwargs):
        self.formatters_columns = produk_formatters()
        super().__init__(**kwargs)

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        return produk_saya.tambah(self)

    @expose("/edit/<int:pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        return produk_saya.ubah(self, pk)

    @expose("/<int:pk>/foto/<kunci>")
    @has_access
    @permission_name("show")
    def foto(self, pk, kunci):
        return produk_saya.foto(pk, kunci)

    def pre_delete(self, item):
        if item.status != "draft":
            raise ValueError(str(_l("Hanya produk Draft yang dapat dihapus.")))

    def render_template(self, template, **kwargs):
        """The show page lists the variants and services with their pending change."""
        if template == self.show_template and kwargs.get("pk") is not None:
            produk = load_or_404(Produk, kwargs["pk"])
            kwargs["usulan"] = catalog.rincian_usulan(produk)
            kwargs["foto"] = catalog.foto_tersimpan(produk)
            kwargs["boleh_ubah"] = produk.status in catalog.BOLEH_UBAH
        return super().render_template(template, **kwargs)

    # --- variants and additional services: a pending change reviewed with the product -----------------

    def _halaman_varian(self, pk, status=200):
        produk = load_or_404(Produk, pk)
        page = self.render_template(
            "penyedia/varian_layanan.html",
            produk=produk,
            usulan=catalog.rincian_usulan(produk),
            boleh_ubah=produk.status in catalog.BOLEH_UBAH,
            status_label=STATUS_LISTING.get(produk.status, produk.status),
        )
        return page, status

    @expose("/<int:pk>/varian-layanan", methods=["GET"])
    @has_access
    @permission_name("show")
    def varian_layanan(self, pk):
        return self._halaman_varian(pk)

    @expose("/<int:pk>/varian-layanan", methods=["POST"])
    @has_access
    @permission_name("edit")
    def ubah_varian_layanan(self, pk):
        form = request.form.to_dict()
        try:
            if form.get("aksi") == "batalkan_usulan":
                catalog.batalkan_usulan(pk, g.user)
                flash(_l("Usulan perubahan dibatalkan; varian dan layanan tambahan tetap seperti yang tayang."), "info")
            else:
                catalog.ubah_usulan(pk, g.user, form.get("jenis"), form.get("aksi"), form)
                flash(
                    _l(
                        "Perubahan disimpan sebagai usulan. Ajukan produk ke Admin; perubahan berlaku di toko "
                        "setelah disetujui."
                    ),
                    "success",
                )
        except DomainError as e:
            return domain_error(e, lambda status: self._halaman_varian(pk, status))
        return redirect(url_for("ProdukPenyediaView.varian_layanan", pk=pk), 303)

    # --- the list people read (app/services/daftar.py): status tabs, search, pages; labelled bulk buttons ----

    @expose("/list/")
    @has_access
    def list(self):
        tabs = list(STATUS_LISTING.items())
        s = daftar.saringan(request.args, [code for code, _ in tabs])
        return self.render_template(
            "daftar/produk_saya.html",
            h=daftar.produk_saya(g.user, s),
            tabs=tabs,
            judul=self.list_title,
            aksi=_aksi_massal(self),
            ketersediaan=KETERSEDIAAN,
            status_label=lambda code: STATUS_LISTING.get(code, code),
            boleh_ubah=catalog.BOLEH_UBAH,
            boleh_tambah=self.appbuilder.sm.has_access("can_add", self.class_permission_name),
            now=clock.now(),
        )

    # FAB's list actions are declared on the class; their labels are the table's (catalog.PRODUK)
    @action("ajukan", catalog.PRODUK.label("ajukan"), _l("Ajukan produk terpilih untuk ditayangkan?"), "fa-paper-plane")
    def ajukan(self, items):
        run_each(
            self.scoped_items(items), lambda p: catalog.jalankan(p.id, "ajukan", g.user), _l("%(n)s produk diajukan.")
        )
        return redirect(url_for("ProdukPenyediaView.list"))

    @action(
        "tarik", catalog.PRODUK.label("tarik"), _l("Tarik produk terpilih dari tayang (kembali ke Draft)?"), "fa-undo"
    )
    def tarik(self, items):
        run_each(
            self.scoped_items(items), lambda p: catalog.jalankan(p.id, "tarik", g.user), _l("%(n)s produk ditarik.")
        )
        return redirect(url_for("ProdukPenyediaView.list"))


class PesananPenyediaView(ScopedModelView):
    """Pesanan Masuk: orders to this supplier by status; bulk konfirmasi / kirim through the service."""

    datamodel = datamodel(Pesanan)
    add_columns = edit_columns = ["nomor"]  # read-only view: keeps FAB from building forms of every column
    route_base = "/pesanan-masuk"
    list_title = _l("Pesanan Masuk")
    base_permissions = ["can_list", "can_show"]
    list_template = "pesanan/list.html"
    # FilterEqual is FAB's 4th string filter, hence `_flt_3_status` in the tabs' links
    extra_args = {"status_tabs": [(k, v) for k, v in STATUS_PESANAN.items() if k != "draft"]}
    list_columns = ["nomor", "satker", "nama_kegiatan", "tanggal_kegiatan", "total", "status"]
    search_columns = ["nomor", "status", "nama_kegiatan"]
    base_order = ("id", "desc")
    label_columns = {
        "nomor": _l("Nomor"),
        "satker": _l("Pembeli"),
        "nama_kegiatan": _l("Nama Kegiatan"),
        "tanggal_kegiatan": _l("Tanggal Kegiatan"),
        "total": _l("Total"),
        "status": _l("Status"),
    }

    def __init__(self, **kwargs):
        self.formatters_columns = {
            "total": rupiah,
            "status": lambda s: str(STATUS_PESANAN.get(s, s)),
            "tanggal_kegiatan": tanggal,
        }
        super().__init__(**kwargs)

    @expose("/show/<int:pk>")
    @has_access
    def show(self, pk):
        return redirect(url_for("PesananView.detail", pk=pk))

    # --- the list people read (app/services/daftar.py); the two bulk steps stay, with labelled buttons ----

    @expose("/list/")
    @has_access
    def list(self):
        tabs = self.extra_args["status_tabs"]
        s = daftar.saringan(request.args, [code for code, _ in tabs])
        return self.render_template(
            "daftar/pesanan_eorder.html",
            h=daftar.pesanan_eorder(g.user, s),
            tabs=tabs,
            judul=self.list_title,
            endpoint="PesananPenyediaView.list",
            endpoint_aksi="PesananPenyediaView.action_post",
            aksi=_aksi_massal(self),
            pihak="pembeli",
            now=clock.now(),
        )

    def _bulk(self, items, name, message):
        run_each(self.scoped_items(items), lambda p: eorder.jalankan(p.id, name, g.user), message)
        return redirect(url_for("PesananPenyediaView.list"))

    @action("konfirmasi", eorder.EORDER.label("konfirmasi"), _l("Konfirmasi pesanan terpilih?"), "fa-check")
    def konfirmasi(self, items):
        return self._bulk(items, "konfirmasi", _l("%(n)s pesanan dikonfirmasi."))

    @action("kirim", eorder.EORDER.label("kirim"), _l("Tandai pesanan terpilih sebagai dikirim?"), "fa-truck")
    def kirim(self, items):
        return self._bulk(items, "kirim", _l("%(n)s pesanan dikirim."))


def register(appbuilder):
    appbuilder.add_view(
        ProdukPenyediaView,
        "Produk Saya",
        label=_l("Produk Saya"),
        icon="fa-box",
        category="Penyedia",
        category_label=_l("Penyedia"),
        category_icon="fa-store-alt",
    )
    appbuilder.add_view(
        PesananPenyediaView, "Pesanan Masuk", label=_l("Pesanan Masuk"), icon="fa-inbox", category="Penyedia"
    )
