"""Pembeli (BUMD buyer): shop, cart, order history, shipping addresses."""

from decimal import Decimal

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.models.sqla.filters import FilterEqual, FilterEqualFunction
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Optional

from app.extensions import db
from app.formatting import rupiah, tanggal, waktu
from app.models import Alamat, Pesanan, Produk, Wilayah
from app.models.addresses import JENIS_ALAMAT
from app.models.eorder import STATUS_PESANAN
from app.services import alamat as alamat_service
from app.services import clock, daftar, eorder, scoping
from app.services.errors import DomainError, NotFound

from ._base import ScopedModelView, datamodel, foto_produk, halaman_produk, konteks_toko


def _current_user_id():
    return g.user.id


class TokoView(BaseView):
    """E-Order shop: search by product or UMKM name, filters, sort, pagination; product page."""

    route_base = "/toko"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        # the search page (filters, collections, category browse) is shared with the Katalog shop
        return self.render_template("toko/index.html", **konteks_toko(g.user, request.args, "TokoView.index"))

    @expose("/produk/<int:pk>")
    @has_access
    def produk(self, pk):
        masuk = request.args.get("masuk", "")
        keranjang = url_for("PesananView.detail", pk=int(masuk)) if masuk.isascii() and masuk.isdigit() else None
        return halaman_produk(self, "toko/produk.html", pk, keranjang_url=keranjang)

    @expose("/produk/<int:pk>/foto")
    @has_access
    def foto(self, pk):
        try:
            produk = scoping.get_scoped(Produk, pk, g.user)  # a Penyedia sees its own drafts' photos too
        except NotFound:
            abort(404)
        return foto_produk(produk)

    @expose("/produk/<int:pk>/keranjang", methods=["POST"])
    @has_access
    def tambah(self, pk):
        try:
            pesanan = eorder.tambah_ke_keranjang(g.user, pk, request.form.get("qty"))
        except NotFound:
            abort(404)
        except DomainError as e:
            flash(str(e), "danger")
            return redirect(url_for("TokoView.produk", pk=pk)), 303
        # the buyer stays in the shop and chooses: Lihat Keranjang (the Draft) or Lanjut Belanja
        return redirect(url_for("TokoView.produk", pk=pk, masuk=pesanan.id))


class PesananPembeliView(ScopedModelView):
    """Pesananku → Riwayat Pesanan: every order of the buyer's BUMD."""

    datamodel = datamodel(Pesanan)
    add_columns = edit_columns = ["nomor"]  # read-only view: keeps FAB from building forms of every column
    route_base = "/pesananku"
    list_title = _l("Riwayat Pesanan")
    base_permissions = ["can_list", "can_show"]
    list_template = "pesanan/list.html"
    # FilterEqual is FAB's 4th string filter, hence `_flt_3_status` in the tabs' links
    extra_args = {"status_tabs": list(STATUS_PESANAN.items())}
    list_columns = ["nomor", "penyedia", "nama_kegiatan", "tanggal_kegiatan", "total", "status", "updated_at"]
    search_columns = ["nomor", "status", "nama_kegiatan"]
    order_columns = ["nomor", "tanggal_kegiatan", "total", "updated_at"]
    base_order = ("id", "desc")
    label_columns = {
        "nomor": _l("Nomor"),
        "penyedia": _l("Penyedia"),
        "nama_kegiatan": _l("Nama Kegiatan"),
        "tanggal_kegiatan": _l("Tanggal Kegiatan"),
        "total": _l("Total"),
        "status": _l("Status"),
        "updated_at": _l("Diperbarui"),
    }

    def __init__(self, **kwargs):
        self.formatters_columns = {
            "total": rupiah,
            "status": lambda s: str(STATUS_PESANAN.get(s, s)),
            "tanggal_kegiatan": tanggal,
            "updated_at": waktu,
        }
        super().__init__(**kwargs)

    @expose("/show/<int:pk>")
    @has_access
    def show(self, pk):
        return redirect(url_for("PesananView.detail", pk=pk))

    # --- the list people read: status tabs, search, date range, pages (app/services/daftar.py) ----------
    list_pihak = "penyedia"  # which party the list names beside each order

    def list_extra(self):
        """More WHERE parts of this list (the cart: the buyer's own Drafts)."""
        return ()

    def list_tabs(self):
        return self.extra_args["status_tabs"]

    def list_aksi(self):
        return []

    @expose("/list/")
    @has_access
    def list(self):
        tabs = self.list_tabs()
        s = daftar.saringan(request.args, [code for code, _ in tabs])
        endpoint = f"{self.__class__.__name__}.list"
        return self.render_template(
            "daftar/pesanan_eorder.html",
            h=daftar.pesanan_eorder(g.user, s, self.list_extra()),
            tabs=tabs,
            judul=self.list_title,
            endpoint=endpoint,
            endpoint_aksi=f"{self.__class__.__name__}.action_post",
            aksi=self.list_aksi(),
            pihak=self.list_pihak,
            now=clock.now(),
        )


class KeranjangView(PesananPembeliView):
    """Pesananku → Keranjang: the buyer's own Draft orders, one per supplier."""

    route_base = "/keranjang"
    list_title = _l("Keranjang")
    list_template = "appbuilder/general/model/list.html"
    base_filters = [
        ["id", scoping.OrgFilter, None],
        ["status", FilterEqual, "draft"],
        ["pembeli_id", FilterEqualFunction, _current_user_id],
    ]

    def list_extra(self):
        return (Pesanan.status == "draft", Pesanan.pembeli_id == g.user.id)

    def list_tabs(self):
        return []


_FC = {"class": "form-control"}


class KoordinatField(StringField):
    """A map coordinate shown with the Indonesian decimal comma (`-6,175400`); the service reads both marks."""

    def _value(self):
        if self.data is None or self.data == "" or isinstance(self.data, str):
            return self.data or ""
        return format(Decimal(str(self.data)).quantize(Decimal("0.000001")), "f").replace(".", ",")


def _wilayah_choices(level):
    """All regions of a level (a few hundred in all); the page's script narrows them by parent code."""

    def choices():
        stmt = select(Wilayah.code, Wilayah.nama).where(Wilayah.level == level).order_by(Wilayah.nama)
        return [("", "—")] + [(c, n) for c, n in db.session.execute(stmt)]

    return choices


class AlamatView(ScopedModelView):
    """Pengaturan → Alamat: the buyer's shipping addresses with region dropdowns and a map pin."""

    datamodel = datamodel(Alamat)
    route_base = "/alamat"
    list_title = _l("Alamat Pengiriman")
    add_template = "alamat/add.html"
    edit_template = "alamat/edit.html"
    list_columns = ["nama", "jenis", "jalan", "kelurahan", "kecamatan", "kota", "kode_pos"]
    show_columns = [
        "nama",
        "jenis",
        "jalan",
        "negara",
        "provinsi",
        "kota",
        "kecamatan",
        "kelurahan",
        "kode_pos",
        "latitude",
        "longitude",
    ]
    add_columns = [
        "nama",
        "jenis",
        "jalan",
        "negara",
        "provinsi_code",
        "kota_code",
        "kecamatan_code",
        "kelurahan_code",
        "kode_pos",
        "latitude",
        "longitude",
    ]
    edit_columns = add_columns
    search_columns = ["nama", "jalan", "kode_pos"]
    label_columns = {
        "nama": _l("Nama Alamat"),
        "jenis": _l("Jenis"),
        "jalan": _l("Jalan"),
        "negara": _l("Negara"),
        "provinsi": _l("Provinsi"),
        "kota": _l("Kota/Kabupaten"),
        "kecamatan": _l("Kecamatan"),
        "kelurahan": _l("Kelurahan"),
        "provinsi_code": _l("Provinsi"),
        "kota_code": _l("Kota/Kabupaten"),
        "kecamatan_code": _l("Kecamatan"),
        "kelurahan_code": _l("Kelurahan"),
        "kode_pos": _l("Kode Pos"),
        "latitude": _l("Lintang"),
        "longitude": _l("Bujur"),
    }
    add_form_extra_fields = {
        "jenis": SelectField(
            _l("Jenis"), choices=list(JENIS_ALAMAT.items()), validators=[InputRequired()], render_kw=_FC
        ),
        "provinsi_code": SelectField(
            _l("Provinsi"), choices=_wilayah_choices("provinsi"), validators=[InputRequired()], render_kw=_FC
        ),
        "kota_code": SelectField(
            _l("Kota/Kabupaten"), choices=_wilayah_choices("kota"), validators=[InputRequired()], render_kw=_FC
        ),
        "kecamatan_code": SelectField(
            _l("Kecamatan"), choices=_wilayah_choices("kecamatan"), validators=[InputRequired()], render_kw=_FC
        ),
        "kelurahan_code": SelectField(
            _l("Kelurahan"), choices=_wilayah_choices("kelurahan"), validators=[InputRequired()], render_kw=_FC
        ),
        # the service sets Indonesia whatever is sent; shown so the form reads like the manual's
        "negara": StringField(_l("Negara"), default="Indonesia", render_kw={**_FC, "readonly": True}),
        # visible text inputs (one per coordinate): the map pin fills them, and they can be typed; a
        # HiddenInput widget made FAB print each twice (hidden_tag() and the row), the row's copy empty
        "latitude": KoordinatField(
            _l("Lintang"),
            validators=[Optional()],
            description=_l("Terisi saat Anda menandai lokasi di peta; boleh diketik, misalnya -6,175400."),
            render_kw={**_FC, "inputmode": "decimal", "autocomplete": "off"},
        ),
        "longitude": KoordinatField(
            _l("Bujur"),
            validators=[Optional()],
            description=_l("Terisi saat Anda menandai lokasi di peta; boleh diketik, misalnya 106,827200."),
            render_kw={**_FC, "inputmode": "decimal", "autocomplete": "off"},
        ),
    }
    edit_form_extra_fields = add_form_extra_fields

    def __init__(self, **kwargs):
        self.formatters_columns = {"jenis": lambda j: str(JENIS_ALAMAT.get(j, j))}
        super().__init__(**kwargs)

    def _get_add_widget(self, form, exclude_cols=None, widgets=None):
        if request.method == "GET":  # a new address starts in the organisation's kecamatan
            for name, code in alamat_service.isian_awal(g.user).items():
                form[name].data = code
        return super()._get_add_widget(form, exclude_cols=exclude_cols, widgets=widgets)

    def _prepare(self, item):
        try:
            alamat_service.siapkan(item, g.user)
        except DomainError as e:
            raise ValueError(str(e)) from e

    def pre_add(self, item):
        self._prepare(item)

    def pre_update(self, item):
        self._prepare(item)

    def pre_delete(self, item):
        try:
            alamat_service.sebelum_hapus(item)
        except DomainError as e:
            raise ValueError(str(e)) from e


def register(appbuilder):
    appbuilder.add_view(
        TokoView,
        "Toko",
        label=_l("Toko E-Order"),
        icon="fa-store",
        category="Pesananku",
        category_label=_l("Pesananku"),
        category_icon="fa-shopping-cart",
    )
    appbuilder.add_view(
        KeranjangView, "Keranjang", label=_l("Keranjang"), icon="fa-shopping-basket", category="Pesananku"
    )
    appbuilder.add_view(
        PesananPembeliView, "Riwayat Pesanan", label=_l("Riwayat Pesanan"), icon="fa-history", category="Pesananku"
    )
    appbuilder.add_view(
        AlamatView,
        "Alamat",
        label=_l("Alamat"),
        icon="fa-map-marker",
        category="Pengaturan",
        category_label=_l("Pengaturan"),
        category_icon="fa-cog",
    )
