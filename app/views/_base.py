"""Shared view plumbing: scoped ModelViews and the mapping of domain errors to responses."""

from babel.numbers import format_decimal
from flask import Response, abort, current_app, flash, g, request
from flask_appbuilder import ModelView, expose
from flask_appbuilder.exceptions import DatabaseException
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import get_filter_args
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import UniqueConstraint, inspect, select
from sqlalchemy.exc import SQLAlchemyError
from wtforms.validators import Length

from app.extensions import db
from app.formatting import rupiah, waktu
from app.models import Kategori, Produk, Ulasan
from app.models.catalog import KETERSEDIAAN, STATUS_LISTING
from app.services import akses_dokumen, batas, catalog, documents, scoping
from app.services.batas import ascii_angka
from app.services.errors import DomainError, NotFound


def _kosong_jadi_null(item):
    """An empty optional unique text field (NRK, NPWP, kode, ...) is stored as NULL: two empty ones are not
    a duplicate."""
    for col in inspect(type(item)).columns:
        if (col.unique or col.primary_key is False and _unique_in_table(col)) and col.nullable:
            if getattr(item, col.key, None) == "":
                setattr(item, col.key, None)


def _unique_in_table(col):
    return any(
        isinstance(c, UniqueConstraint) and len(c.columns) == 1 and col.name in c.columns for c in col.table.constraints
    ) or any(ix.unique and len(ix.columns) == 1 and col.name in ix.columns for ix in col.table.indexes)


def _pesan_db(item, exc):
    """What a person can do about a refused write, never the SQL (CVE-2023-34110's pattern): a duplicate
    names the field when the database says which; anything else is one translated sentence."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "unique" in text or "duplicate" in text:
        for col in inspect(type(item)).columns:
            if col.name in text and (col.unique or _unique_in_table(col)):
                return _l("%(kolom)s sudah dipakai; isi nilai lain.", kolom=col.name.upper())
        return _l("Data yang sama sudah ada; periksa isian yang harus unik.")
    return _l("Data tidak dapat disimpan; periksa isian lalu coba lagi.")


class SafeWriteMixin:
    """FAB's add/edit with two corrections: a refused write keeps the form with the person's input and says
    what is wrong in their language (FAB 5 flashes str(IntegrityError) — the INSERT and its parameters,
    password hash included — and redirects, losing the input); empty optional unique fields become NULL.
    The flow is FAB's own `_add`/`_edit` (baseviews.py), kept line for line except for those two points."""

    def _simpan(self, item, write):
        _kosong_jadi_null(item)
        try:
            write(item)
        except DomainError as e:  # a bound of the model (batas: a text too long), checked at the flush
            db.session.rollback()
            flash(str(e), "danger")
            return False
        except (SQLAlchemyError, DatabaseException) as e:
            db.session.rollback()
            flash(_pesan_db(item, e.__cause__ if isinstance(e, DatabaseException) else e), "danger")
            return False
        return True

    def _add(self):
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        form = self.add_form.refresh()
        if request.method == "POST":
            self._fill_form_exclude_cols(exclude_cols, form)
            if form.validate():
                self.process_form(form, True)
                item = self.datamodel.obj()
                try:
                    form.populate_obj(item)
                    self.pre_add(item)
                except Exception as e:  # FAB's contract: pre_add refuses by raising, with its message
                    flash(str(e), "danger")
                    return self._get_add_widget(form=form, exclude_cols=exclude_cols)
                if not self._simpan(item, self.datamodel.add):
                    return self._get_add_widget(form=form, exclude_cols=exclude_cols)
                self.post_add(item)
                flash(self.add_row_message, "success")
                return None
            return self._get_add_widget(form=form, exclude_cols=exclude_cols)
        self.update_redirect()
        return self._get_add_widget(form=form, exclude_cols=exclude_cols)

    def _edit(self, pk):
        if request.method != "POST":
            return super()._edit(pk)
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        pk = self.datamodel.get_pk_value(item)
        form = self.edit_form.refresh(request.form)
        self._fill_form_exclude_cols(exclude_cols, form)
        form._id = pk
        if form.validate():
            self.process_form(form, False)
            try:
                form.populate_obj(item)
                self.pre_update(item)
            except Exception as e:  # FAB's contract: pre_update refuses by raising, with its message
                db.session.rollback()
                flash(str(e), "danger")
                return self._get_edit_widget(form=form, exclude_cols=exclude_cols)
            if not self._simpan(item, self.datamodel.edit):
                return self._get_edit_widget(form=form, exclude_cols=exclude_cols)
            self.post_update(item)
            flash(self.edit_row_message, "success")
            return None
        return self._get_edit_widget(form=form, exclude_cols=exclude_cols)


class PortalModelView(SafeWriteMixin, ModelView):
    """FAB builds "Show X"/"Add X" titles in English by concatenation; ours are translated. FAB bounds a
    String(n) column's field by n; a typed Text column gets its bound from services/batas here."""

    def _init_forms(self):
        table = getattr(self.datamodel.obj, "__table__", None)
        bounds = {c.name: batas.TEKS.get(f"{table.name}.{c.name}") for c in table.columns} if table is not None else {}
        extra = {name: [Length(max=n)] for name, n in bounds.items() if n}
        if extra:
            merged = {k: list(v) for k, v in (self.validators_columns or {}).items()}
            for name, validators in extra.items():
                merged.setdefault(name, []).extend(validators)
            self.validators_columns = merged
        super()._init_forms()

    def _init_titles(self):
        noun = self.list_title or self._prettify_name(self.datamodel.model_name)
        self.show_title = self.show_title or _l("Rincian %(noun)s", noun=noun)
        self.add_title = self.add_title or _l("Tambah %(noun)s", noun=noun)
        self.edit_title = self.edit_title or _l("Ubah %(noun)s", noun=noun)
        super()._init_titles()


class ScopedModelView(PortalModelView):
    """A ModelView whose rows are filtered by the one row-level rule (scoping.OrgFilter).

    FAB applies base_filters to list/show/edit/delete; actions and downloads do not, so
    `scoped_items` re-loads action rows through the same rule (NOTES §1.3).
    """

    base_filters = [["id", scoping.OrgFilter, None]]
    page_size = 25

    @expose("/download/<string:filename>")
    @has_access
    def download(self, filename):
        """FAB's download checks only the permission, never the row (NOTES §1.3): closed here.
        Documents are served by PesananView.dokumen, which checks the order's organisation."""
        abort(404)

    def scoped_items(self, items):
        items = items if isinstance(items, list) else [items]
        model = self.datamodel.obj
        out = []
        for item in items:
            if item is None:
                abort(404)
            try:
                out.append(scoping.get_scoped(model, item.id, g.user))
            except NotFound:
                abort(404)
        return out


def datamodel(model):
    return SQLAInterface(model, db.session)


def run_each(items, fn, ok_message):
    """Run fn(item) per item; flash one success line and every refusal's message."""
    done = 0
    for item in items:
        try:
            fn(item)
            done += 1
        except DomainError as e:
            flash(f"{item}: {e}", "danger")
    if done:
        flash(str(ok_message) % {"n": done}, "success")


def load_or_404(model, pk):
    """The row through the one scoping rule, or 404 (another organisation's row is simply not there)."""
    try:
        return scoping.get_scoped(model, pk, g.user)
    except NotFound:
        abort(404)


def domain_error(e, rerender):
    """A refused step: 404 when the record is not there; otherwise the message flashed and the page drawn
    again with the error's status, from fresh state (the failed transaction is rolled back)."""
    if isinstance(e, NotFound):
        abort(404)
    flash(str(e), "danger")
    db.session.rollback()
    db.session.expire_all()
    return rerender(e.status)


EXT = {documents.PDF: "pdf", documents.JPEG: "jpg", documents.PNG: "png"}


def kirim_dokumen(jenis, owner_id, doc_id=None, filename=None, inline=False):
    """Serve one stored document by the one access rule (akses_dokumen): 404/403 as it decides, the read
    audited in its transaction; headers in one place."""
    try:
        doc, body = akses_dokumen.unduh(jenis, owner_id, g.user, doc_id)
    except NotFound:
        abort(404)
    except DomainError:
        abort(403)
    base = filename or f"{doc.jenis}-{owner_id}"
    name = "".join(c if c.isalnum() or c in "-_" else "-" for c in base) + "." + EXT.get(doc.content_type, "bin")
    headers = {
        "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{name}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    if inline:  # shown in a frame of the portal's own pages, never of another site
        headers["X-Frame-Options"] = "SAMEORIGIN"
        headers["Content-Security-Policy"] = "frame-ancestors 'self'"
    return Response(body, mimetype=doc.content_type, headers=headers)


# --- the product pages and shop search shared by both shops and the product lists --------------------


PRODUK_LABELS = {
    "nama": _l("Nama Produk"),
    "kategori": _l("Kategori"),
    "penyedia": _l("Penyedia"),
    "harga": _l("Harga Satuan"),
    "ppn_persen": _l("PPN (%)"),
    "ppnbm_persen": _l("PPnBM (%)"),
    "min_pesan": _l("Minimal Pesan"),
    "max_pesan": _l("Maksimal Pesan"),
    "stok": _l("Stok"),
    "ketersediaan": _l("Ketersediaan"),
    "satuan": _l("Satuan"),
    "deskripsi": _l("Deskripsi"),
    "tkdn_persen": _l("TKDN (%)"),
    "is_pdn": _l("Produk Dalam Negeri"),
    "status": _l("Status"),
    "alasan_tolak": _l("Alasan Ditolak"),
    "created_at": _l("Dibuat"),
}


def _persen_baca(value):
    """`11`, `11,5` (the reader's decimal comma), `-` when empty: never `11.00` or `None` on screen."""
    if value is None:
        return "-"
    return format_decimal(value.normalize(), locale=str(get_locale() or "id"))


def produk_formatters():
    return {
        "harga": rupiah,
        "status": lambda s: str(STATUS_LISTING.get(s, s)),
        "ketersediaan": lambda k: str(KETERSEDIAAN.get(k, k)),
        "created_at": waktu,
        "ppn_persen": _persen_baca,
        "ppnbm_persen": _persen_baca,
        "tkdn_persen": _persen_baca,
        "is_pdn": lambda v: str(_l("Ya") if v else _l("Tidak")),
        "deskripsi": lambda v: v or "-",
        "alasan_tolak": lambda v: v or "-",
    }


SORTS = [
    ("terbaru", _l("Terbaru")),
    ("harga_asc", _l("Harga terendah")),
    ("harga_desc", _l("Harga tertinggi")),
    ("rating", _l("Rating tertinggi")),
]


def _int_arg(args, name, limit=10**15):
    """A whole number from the query string (Indonesian dots allowed), clamped so no database overflows."""
    value = ascii_angka(args.get(name, "")).replace(".", "").strip()
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
        max_pages=current_app.config["SHOP_MAX_PAGES"],
        koleksi=args.get("koleksi") or None,
        penyedia_aktif=endpoint.startswith("KatalogTokoView"),
        kota=(args.get("kota") or "")[:16] or None,
    )
    kategori = db.session.execute(select(Kategori).where(Kategori.aktif).order_by(Kategori.level, Kategori.nama))
    return dict(
        page=page,
        kategori=kategori.scalars().all(),
        jelajah=jelajah,
        koleksi=catalog.KOLEKSI,
        ketersediaan=KETERSEDIAAN,
        sorts=SORTS,
        kota_list=catalog.kota_penyedia(),
        args=args,
        endpoint=endpoint,
    )


def produk_tayang(pk):
    try:
        produk = scoping.get_scoped(Produk, pk, g.user)
    except NotFound:
        abort(404)
    if produk.status != "tayang":
        abort(404)
    return produk


def halaman_produk(view, template, pk, **extra):
    """A listed product's page (Deskripsi / Feedback tabs), for both shops."""
    produk = produk_tayang(pk)
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
