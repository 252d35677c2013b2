"""Admin (BPPBJ / LKPP Pengelola): master data, categories, product approval, audit log."""

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import FilterEqual, FilterSmaller, SQLAFilterConverter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import StringField

from app.extensions import db
from app.formatting import rupiah, waktu
from app.models import AuditLog, Instansi, Kategori, Penyedia, Pesanan, Produk, Satker, Wilayah
from app.models.catalog import JENIS_KATEGORI
from app.models.eorder import STATUS_PESANAN
from app.models.organisations import JENIS_SATKER
from app.services import catalog, scoping
from app.services.errors import DomainError, NotFound

from ._base import PRODUK_LABELS, PortalModelView, ScopedModelView, datamodel, produk_formatters, run_each


class InstansiView(PortalModelView):
    datamodel = datamodel(Instansi)
    list_title = _l("Instansi")
    list_columns = ["kode", "nama", "jenis"]
    search_columns = ["kode", "nama"]
    label_columns = {"kode": _l("Kode"), "nama": _l("Nama"), "jenis": _l("Jenis")}


class SatkerView(PortalModelView):
    datamodel = datamodel(Satker)
    list_title = _l("Satker / SKPD / BUMD")
    list_columns = ["kode", "nama", "jenis", "instansi"]
    add_columns = edit_columns = ["instansi", "kode", "nama", "jenis", "alamat", "kecamatan"]
    search_columns = ["kode", "nama", "jenis"]
    label_columns = {
        "kode": _l("Kode"),
        "nama": _l("Nama"),
        "jenis": _l("Jenis"),
        "instansi": _l("Instansi"),
        "alamat": _l("Alamat"),
        "kecamatan": _l("Kecamatan"),
    }
    description_columns = {"kecamatan": _l("Alamat pengiriman baru pengguna satker ini dimulai dari kecamatan ini.")}
    add_form_query_rel_fields = edit_form_query_rel_fields = {"kecamatan": [["level", FilterEqual, "kecamatan"]]}
    formatters_columns = {"jenis": lambda j: str(JENIS_SATKER.get(j, j))}


class PenyediaAdminView(PortalModelView):
    datamodel = datamodel(Penyedia)
    list_title = _l("Penyedia")
    list_columns = ["nama", "is_umkm", "kelurahan", "skpd_pembina", "telepon"]
    add_columns = edit_columns = [
        "nama",
        "npwp",
        "nib",
        "is_umkm",
        "telepon",
        "email",
        "alamat",
        "kelurahan",
        "skpd_pembina",
    ]
    search_columns = ["nama", "npwp", "nib", "is_umkm"]
    label_columns = {
        "nama": _l("Nama"),
        "npwp": _l("NPWP"),
        "nib": _l("NIB"),
        "is_umkm": _l("UMKM"),
        "telepon": _l("Telepon"),
        "email": _l("Email"),
        "alamat": _l("Alamat"),
        "kelurahan": _l("Kelurahan"),
        "skpd_pembina": _l("SKPD Pembina"),
    }
    add_form_query_rel_fields = edit_form_query_rel_fields = {
        "kelurahan": [["level", FilterEqual, "kelurahan"]],
        "skpd_pembina": [["jenis", FilterEqual, "skpd"]],
    }


class WilayahView(PortalModelView):
    datamodel = datamodel(Wilayah)
    list_title = _l("Wilayah")
    base_permissions = ["can_list", "can_show"]
    list_columns = ["code", "nama", "level", "parent"]
    search_columns = ["code", "nama", "level"]
    label_columns = {"code": _l("Kode"), "nama": _l("Nama"), "level": _l("Tingkat"), "parent": _l("Induk")}


class KategoriView(PortalModelView):
    datamodel = datamodel(Kategori)
    list_title = _l("Kategori")
    list_columns = ["nama", "jenis", "level", "parent", "aktif"]
    add_columns = edit_columns = ["nama", "jenis", "level", "parent", "aktif"]
    search_columns = ["nama", "jenis", "level", "aktif"]
    label_columns = {
        "nama": _l("Nama"),
        "jenis": _l("Jenis"),
        "level": _l("Tingkat"),
        "parent": _l("Induk"),
        "aktif": _l("Aktif"),
    }
    formatters_columns = {"jenis": lambda j: str(JENIS_KATEGORI.get(j, j))}

    def pre_add(self, item):
        self._check(item)

    def pre_update(self, item):
        self._check(item)

    @staticmethod
    def _check(item):
        expected = (item.parent.level + 1) if item.parent else 1
        if item.level != expected:
            raise ValueError(str(_l("Tingkat kategori harus %(n)s (satu di bawah induknya, maksimal 3).", n=expected)))
        if item.level > 3:
            raise ValueError(str(_l("Kategori paling dalam tiga tingkat.")))


class ProdukApprovalView(PortalModelView):
    """Persetujuan Produk: the queue of Diajukan products; approve in bulk, reject one with a reason."""

    datamodel = datamodel(Produk)
    route_base = "/persetujuan-produk"
    list_title = _l("Persetujuan Produk")
    base_permissions = ["can_list", "can_show", "can_tolak", "setujui"]
    base_filters = [["status", FilterEqual, "diajukan"]]
    list_columns = ["nama", "penyedia", "kategori", "harga", "ketersediaan", "created_at"]
    show_columns = list(PRODUK_LABELS)
    show_template = "admin/produk_show.html"
    search_columns = ["nama", "penyedia", "kategori"]
    base_order = ("id", "asc")
    label_columns = PRODUK_LABELS

    def __init__(self, **kwargs):
        self.formatters_columns = produk_formatters()
        super().__init__(**kwargs)

    def render_template(self, template, **kwargs):
        """The show page draws the refusal form from the table's row (panel "alasan"), when it applies, and the
        variants and services before/after the Penyedia's pending change."""
        if template == self.show_template and kwargs.get("pk") is not None:
            item = db.session.get(Produk, kwargs["pk"])
            kwargs["panels"] = catalog.PRODUK.panels(item, g.user) if item is not None else {}
            kwargs["usulan"] = catalog.rincian_usulan(item) if item is not None else None
        return super().render_template(template, **kwargs)

    @action("setujui", catalog.PRODUK.label("setujui"), _l("Tayangkan produk terpilih?"), "fa-check")
    def setujui(self, items):
        items = items if isinstance(items, list) else [items]
        run_each(items, lambda p: catalog.jalankan(p.id, "setujui", g.user), _l("%(n)s produk ditayangkan."))
        return redirect(url_for("ProdukApprovalView.list"))

    @expose("/tolak/<int:pk>", methods=["POST"])
    @has_access
    def tolak(self, pk):
        try:
            catalog.jalankan(pk, "tolak", g.user, **catalog.PRODUK.input("tolak", request.form.to_dict()))
        except NotFound:
            return redirect(url_for("ProdukApprovalView.list")), 404
        except DomainError as e:
            flash(str(e), "danger")
            return redirect(url_for("ProdukApprovalView.show", pk=pk))
        flash(_l("Produk ditolak."), "success")
        return redirect(url_for("ProdukApprovalView.list"))


# --- big lists (issue 14): one statement for the rows and their relations, a capped count, text filters ----------

LIST_COUNT_CAP = 10_000  # a list's count stops here ("at least 10,000"): counting 1.1 M audit rows cost more


class NamaMemuat(BaseFilter):
    """A related row's name contains the text (Satker/Penyedia): a text box instead of a dropdown of every one."""

    name = _l("Nama memuat")
    arg_name = "nama_ct"

    def apply(self, query, value):
        value = str(value or "").strip().lower()
        if not value:
            return query
        rel = getattr(self.model, self.column_name).property
        target = rel.mapper.class_
        (fk,) = rel.local_columns
        return query.filter(fk.in_(select(target.id).where(func.lower(target.nama).like(f"%{value}%"))))


class _NamaRelasiConverter(SQLAFilterConverter):
    relasi = ("satker", "penyedia")

    def convert(self, col_name):
        if col_name in self.relasi:
            return [NamaMemuat(col_name, self.datamodel)]
        return super().convert(col_name)


class BigListInterface(SQLAInterface):
    """FAB's interface with the list's columns selected in one statement (dotted names: the relation joined,
    not loaded row by row), relation filters by name, and a count capped at `count_cap`."""

    filter_converter_class = _NamaRelasiConverter

    def __init__(self, obj, select_columns, count_cap=LIST_COUNT_CAP):
        super().__init__(obj, db.session)
        self.list_select_columns, self.count_cap = list(select_columns), count_cap

    def query(self, filters=None, order_column="", order_direction="", page=None, page_size=None, **kwargs):
        kwargs.setdefault("select_columns", self.list_select_columns)
        if page and page_size:
            # the pager reaches count_cap rows (the count stops there); a page past it, typed into the URL,
            # is the last one reachable: OFFSET 1.9 M on the audit log read every row before it (~0.5 s)
            page = min(int(page), max(0, -(-self.count_cap // int(page_size)) - 1))
        return super().query(filters, order_column, order_direction, page, page_size, **kwargs)

    def query_count(self, query, filters=None, select_columns=None):
        inner = self._apply_inner_all(query, filters, select_columns=select_columns, aliases_mapping={})
        return inner.limit(self.count_cap).count()


class KeysetMixin:
    """Deep pages of a big list by keyset: "Lebih lama" carries the last id shown (?sebelum=<id>) and the next
    rows are `id < sebelum ORDER BY id DESC LIMIT n`, one index range read at any depth (OFFSET 1.9 M on the
    audit log read every row before it, ~0.5 s). Only in the list's own order, newest first by id (a unique
    key); sorted by another column, the pager serves (bounded by the capped count)."""

    list_template = "admin/list_keyset.html"

    def _get_list_widget(self, filters, actions=None, order_column="", order_direction="", page=None,
                         page_size=None, widgets=None, **kwargs):  # fmt: skip
        keyset = order_column in ("", None, "id") and order_direction in ("", None, "desc")
        sebelum = scoping.as_id(request.args.get("sebelum")) if keyset else None
        if sebelum:
            filters = filters.copy()
            filters.add_filter("id", FilterSmaller, sebelum)
        widgets = super()._get_list_widget(filters, actions, order_column, order_direction, page=page,
                                           page_size=page_size, widgets=widgets, **kwargs)  # fmt: skip
        pks = widgets["list"].template_args.get("pks") or []
        if keyset:
            args = {k: v for k, v in request.args.items() if not k.startswith("page_") and k != "sebelum"}
            full = len(pks) >= (page_size or self.page_size)
            widgets["keyset"] = {
                "lebih_lama": url_for(request.endpoint, **args, sebelum=pks[-1]) if full and pks else None,
                "terbaru": url_for(request.endpoint, **args) if sebelum else None,
            }
        return widgets


def _name_box(label):
    return StringField(label, description=_l("Sebagian nama"))


class PesananAdminView(KeysetMixin, ScopedModelView):
    """Semua Pesanan E-Order, read-only, for Admin and Auditor."""

    datamodel = BigListInterface(
        Pesanan, ["id", "nomor", "total", "status", "created_at", "satker.nama", "penyedia.nama"]
    )
    add_columns = edit_columns = ["nomor"]  # read-only view: keeps FAB from building forms of every column
    route_base = "/semua-pesanan"
    list_title = _l("Semua Pesanan E-Order")
    base_permissions = ["can_list", "can_show"]
    list_columns = ["nomor", "satker", "penyedia", "total", "status", "created_at"]
    search_columns = ["nomor", "status", "satker", "penyedia"]
    search_form_extra_fields = {"satker": _name_box(_l("Pembeli")), "penyedia": _name_box(_l("Penyedia"))}
    base_order = ("id", "desc")
    label_columns = {
        "nomor": _l("Nomor"),
        "satker": _l("Pembeli"),
        "penyedia": _l("Penyedia"),
        "total": _l("Total"),
        "status": _l("Status"),
        "created_at": _l("Dibuat"),
    }

    def __init__(self, **kwargs):
        self.formatters_columns = {
            "total": rupiah,
            "status": lambda s: str(STATUS_PESANAN.get(s, s)),
            "created_at": waktu,
        }
        super().__init__(**kwargs)

    @expose("/show/<int:pk>")
    @has_access
    def show(self, pk):
        return redirect(url_for("PesananView.detail", pk=pk))


class AuditLogView(KeysetMixin, PortalModelView):
    """Log Audit: append-only; no add, edit or delete ("Tercatat Secara Digital")."""

    # the columns it lists are its own (no relation); the count is capped (LIST_COUNT_CAP)
    datamodel = BigListInterface(
        AuditLog, ["id", "at", "entity", "entity_id", "action", "from_status", "to_status", "actor_name", "note"]
    )
    list_title = _l("Log Audit")
    base_permissions = ["can_list", "can_show"]
    list_columns = ["at", "entity", "entity_id", "action", "from_status", "to_status", "actor_name", "note"]
    search_columns = ["entity", "entity_id", "action", "actor_name"]
    base_order = ("id", "desc")
    label_columns = {
        "at": _l("Waktu"),
        "entity": _l("Entitas"),
        "entity_id": _l("ID"),
        "action": _l("Aksi"),
        "from_status": _l("Dari"),
        "to_status": _l("Ke"),
        "actor_name": _l("Oleh"),
        "actor_role": _l("Peran"),
        "note": _l("Catatan"),
    }

    def __init__(self, **kwargs):
        # an empty column reads "-", never "None" (a checkout has no "from", most steps no note)
        dash = {
            c: (lambda v: "-" if v in (None, "") else v) for c in ("from_status", "to_status", "note", "actor_name")
        }
        self.formatters_columns = {"at": waktu, **dash}
        super().__init__(**kwargs)


def register(appbuilder):
    cat = dict(category="Master Data", category_label=_l("Master Data"), category_icon="fa-database")
    appbuilder.add_view(InstansiView, "Instansi", label=_l("Instansi"), icon="fa-building", **cat)
    appbuilder.add_view(SatkerView, "Satker", label=_l("Satker / SKPD / BUMD"), icon="fa-sitemap", **cat)
    appbuilder.add_view(PenyediaAdminView, "Daftar Penyedia", label=_l("Penyedia"), icon="fa-store", **cat)
    appbuilder.add_view(WilayahView, "Wilayah", label=_l("Wilayah"), icon="fa-map", **cat)
    appbuilder.add_view(KategoriView, "Kategori", label=_l("Kategori"), icon="fa-tags", **cat)
    appbuilder.add_view(
        ProdukApprovalView,
        "Persetujuan Produk",
        label=_l("Persetujuan Produk"),
        icon="fa-check-square",
        category="Katalog",
        category_label=_l("Katalog"),
        category_icon="fa-book",
    )
    audit_cat = dict(category="Audit", category_label=_l("Audit"), category_icon="fa-clipboard-list")
    appbuilder.add_view(
        PesananAdminView, "Semua Pesanan E-Order", label=_l("Semua Pesanan E-Order"), icon="fa-list", **audit_cat
    )
    appbuilder.add_view(AuditLogView, "Log Audit", label=_l("Log Audit"), icon="fa-history", **audit_cat)
