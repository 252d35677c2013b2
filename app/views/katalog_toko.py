"""Katalog shop and cart of the PP (SPEC §3, §6 step 1): search, collections, the category tree,
product pages with variants and additional services, a personal cart grouped per Penyedia,
and the way to checkout with the ticked lines of one Penyedia.

`konteks_toko()` builds the search page for both shops (this one and the E-Order TokoView).
"""

from flask import Response, abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import Kategori, Produk, Ulasan
from app.models.catalog import KETERSEDIAAN
from app.security import ROLE_PP
from app.services import catalog, documents, scoping
from app.services import keranjang_katalog as keranjang
from app.services.errors import DomainError, NotFound

SORTS = [
    ("terbaru", _l("Terbaru")),
    ("harga_asc", _l("Harga terendah")),
    ("harga_desc", _l("Harga tertinggi")),
    ("rating", _l("Rating tertinggi")),
]


def _int_arg(args, name, limit=10**15):
    """A whole number from the query string (Indonesian dots allowed), clamped so no database overflows."""
    value = args.get(name, "").replace(".", "").strip()
    return min(int(value), limit) if value.isascii() and value.isdigit() and len(value) < 20 else None


def konteks_toko(user, args, endpoint):
    """Everything a shop's search page shows: results, filters, collections and the category browse."""
    jelajah = catalog.jelajah(_int_arg(args, "kategori", limit=2**31 - 1))
    page = catalog.cari(
        user,
        q=args.get("q") or None,
        ketersediaan=args.get("ketersediaan") or None,
        kategori_id=jelajah.kategori.id if jelajah.kategori else None,
        harga_min=_int_arg(args, "harga_min"),
        harga_max=_int_arg(args, "harga_max"),
        rating_min=_int_arg(args, "rating_min"),
        sort=args.get("sort", "terbaru"),
        page=_int_arg(args, "page", limit=100_000) or 1,
        per_page=current_app.config["SHOP_PAGE_SIZE"],
        koleksi=args.get("koleksi") or None,
    )
    kategori = db.session.execute(select(Kategori).where(Kategori.aktif).order_by(Kategori.level, Kategori.nama))
    return dict(
        page=page,
        kategori=kategori.scalars().all(),
        jelajah=jelajah,
        koleksi=catalog.KOLEKSI,
        ketersediaan=KETERSEDIAAN,
        sorts=SORTS,
        args=args,
        endpoint=endpoint,
    )


def _produk_tayang(pk):
    try:
        produk = scoping.get_scoped(Produk, pk, g.user)
    except NotFound:
        abort(404)
    if produk.status != "tayang":
        abort(404)
    return produk


def halaman_produk(view, template, pk, **extra):
    """A listed product's page (Deskripsi / Feedback tabs), for both shops."""
    produk = _produk_tayang(pk)
    ulasan = (
        db.session.execute(select(Ulasan).where(Ulasan.produk_id == produk.id).order_by(Ulasan.created_at.desc()))
        .scalars()
        .all()
    )
    return view.render_template(
        template,
        produk=produk,
        ulasan=ulasan,
        ketersediaan=KETERSEDIAAN,
        jejak=catalog.jelajah(produk.kategori_id).jejak,
        **extra,
    )


def foto_produk(produk):
    """A product photo, served after the caller's visibility check."""
    if not produk.gambar:
        abort(404)
    data = documents.read(produk.gambar)
    return Response(data, mimetype=documents.sniff(data), headers={"X-Content-Type-Options": "nosniff"})


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
        return halaman_produk(self, "katalog_toko/produk.html", pk, form=request.args)

    @expose("/produk/<int:pk>/foto")
    @has_access
    def foto(self, pk):
        return foto_produk(_produk_tayang(pk))

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
        flash(_l("Produk masuk ke Keranjang Katalog."), "success")
        return redirect(url_for("KeranjangKatalogView.index"))


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
