"""Katalog shop and cart of the PP (SPEC §3, §6 step 1): search, collections, the category tree,
product pages with variants and additional services, a personal cart grouped per Penyedia,
and the way to checkout with the ticked lines of one Penyedia.

`konteks_toko()` builds the search page for both shops (this one and the E-Order TokoView).
"""

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from app.roles import ROLE_PP
from app.services import keranjang_katalog as keranjang
from app.services import scoping
from app.services.errors import DomainError, NotFound

from ._base import foto_produk, halaman_produk, konteks_toko, produk_tayang


class KatalogTokoView(BaseView):
    """Katalog → Belanja Katalog: the PP's shop (Tayang products only)."""

    route_base = "/katalog-toko"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        ctx = konteks_toko(g.user, request.args, "KatalogTokoView.index")
        jumlah = keranjang.jumlah_baris(g.user) if ROLE_PP in scoping.roles_of(g.user) else None
        return self.render_template("katalog_toko/index.html", jumlah_keranjang=jumlah, **ctx)

    @expose("/produk/<int:pk>")
    @has_access
    def produk(self, pk):
        keranjang_url = url_for("KeranjangKatalogView.index") if request.args.get("masuk") else None
        return halaman_produk(self, "katalog_toko/produk.html", pk, form=request.args, keranjang_url=keranjang_url)

    @expose("/produk/<int:pk>/foto")
    @has_access
    def foto(self, pk):
        return foto_produk(produk_tayang(pk))

    @expose("/produk/<int:pk>/keranjang", methods=["POST"])
    @has_access
    def tambah(self, pk):
        form = request.form
        try:
            keranjang.tambah(
                g.user,
                pk,
                form.get("qty"),
                varian_id=form.get("varian_id") or None,
                layanan_ids=form.getlist("layanan_id"),
            )
        except NotFound:
            abort(404)
        except DomainError as e:
            flash(str(e), "danger")
            return redirect(url_for("KatalogTokoView.produk", pk=pk)), 303
        # the PP stays in the shop and chooses: Lihat Keranjang or Lanjut Belanja
        return redirect(url_for("KatalogTokoView.produk", pk=pk, masuk=1))


class KeranjangKatalogView(BaseView):
    """Katalog → Keranjang Katalog: the PP's own cart lines, one box per Penyedia; tick lines of one
    Penyedia and go to the checkout (KatalogView.checkout)."""

    route_base = "/keranjang-katalog"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        try:
            lines = keranjang.baris(g.user)
        except DomainError as e:  # a cart is a PP's own; an Admin who opens the menu is told so, in Indonesian
            flash(str(e), "info")
            lines = []
        return self.render_template("katalog_toko/keranjang.html", grup=keranjang.per_penyedia(lines))

    @expose("/<int:pk>/ubah", methods=["POST"])
    @has_access
    def ubah(self, pk):
        try:
            keranjang.ubah(g.user, pk, request.form.get("qty"))
        except NotFound:
            abort(404)
        except DomainError as e:
            flash(str(e), "danger")
            return redirect(url_for("KeranjangKatalogView.index")), 303
        flash(_l("Jumlah diperbarui."), "success")
        return redirect(url_for("KeranjangKatalogView.index"))

    @expose("/<int:pk>/hapus", methods=["POST"])
    @has_access
    def hapus(self, pk):
        try:
            keranjang.hapus(g.user, pk)
        except NotFound:
            abort(404)
        except DomainError as e:
            flash(str(e), "danger")
            return redirect(url_for("KeranjangKatalogView.index")), 303
        flash(_l("Produk dihapus dari keranjang."), "success")
        return redirect(url_for("KeranjangKatalogView.index"))


def register(appbuilder):
    appbuilder.add_view(
        KatalogTokoView,
        "Belanja Katalog",
        label=_l("Belanja Katalog"),
        icon="fa-store",
        category="Katalog",
        category_label=_l("Katalog"),
        category_icon="fa-book",
    )
    appbuilder.add_view(
        KeranjangKatalogView,
        "Keranjang Katalog",
        label=_l("Keranjang Katalog"),
        icon="fa-shopping-basket",
        category="Katalog",
    )
