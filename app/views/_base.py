"""Shared view plumbing: scoped ModelViews and the mapping of domain errors to responses."""

from flask import Response, abort, current_app, flash, g
from flask_appbuilder import ModelView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.formatting import rupiah, waktu
from app.models import Kategori, Produk, Ulasan
from app.models.catalog import KETERSEDIAAN, STATUS_LISTING
from app.services import akses_dokumen, catalog, documents, scoping
from app.services.errors import DomainError, NotFound


class PortalModelView(ModelView):
    """FAB builds "Show X"/"Add X" titles in English by concatenation; ours are translated."""

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


def produk_formatters():
    return {
        "harga": rupiah,
        "status": lambda s: str(STATUS_LISTING.get(s, s)),
        "ketersediaan": lambda k: str(KETERSEDIAAN.get(k, k)),
        "created_at": waktu,
    }


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
        penyedia_aktif=endpoint.startswith("KatalogTokoView"),
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
