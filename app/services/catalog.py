"""Catalog: product listing workflow (Draft → Diajukan → Tayang | Ditolak) and the shop search."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.models import Kategori, Penyedia, Produk
from app.models.catalog import STATUS_LISTING
from app.security import ROLE_ADMIN, ROLE_PENYEDIA

from . import clock, documents, scoping
from .errors import DomainError
from .workflow import T, Workflow, apply


def _lengkap(ctx):
    p = ctx.obj
    if not p.deskripsi or p.harga is None or p.harga <= 0:
        raise DomainError(_l("Lengkapi deskripsi dan harga produk sebelum diajukan."))
    return {"alasan_tolak": None}


def _alasan(ctx):
    alasan = (ctx.data.get("alasan") or "").strip()
    if not alasan:
        raise DomainError(_l("Alasan penolakan wajib diisi."))
    return {"alasan_tolak": alasan}


PENYEDIA, ADMIN = {ROLE_PENYEDIA}, {ROLE_ADMIN}
TRANSITIONS = (
    T("draft", "ajukan", "diajukan", PENYEDIA, guard=_lengkap, label=_l("Ajukan")),
    T("ditolak", "ajukan", "diajukan", PENYEDIA, guard=_lengkap, label=_l("Ajukan")),
    T("diajukan", "setujui", "tayang", ADMIN, label=_l("Setujui")),
    T("diajukan", "tolak", "ditolak", ADMIN, guard=_alasan, label=_l("Tolak"), style="danger"),
    T("tayang", "tarik", "draft", PENYEDIA, label=_l("Tarik dari Tayang"), style="warning"),
)


def _is_party(produk, actor, transition):
    roles = scoping.roles_of(actor) & transition.roles
    return ROLE_ADMIN in roles or (ROLE_PENYEDIA in roles and actor.penyedia_id == produk.penyedia_id)


PRODUK = Workflow(
    entity="produk",
    model=Produk,
    transitions=TRANSITIONS,
    labels=STATUS_LISTING,
    party=_is_party,
    noun=_l("Produk"),
)


def jalankan(produk_id, action, actor, **data):
    return apply(PRODUK, produk_id, action, actor, **data)


def periksa_produk(p):
    """Rules of a product a supplier edits (the database checks the same, less kindly)."""
    if p.harga is None or p.harga <= 0:
        raise DomainError(_l("Harga harus lebih dari nol."))
    if p.min_pesan is None or p.min_pesan < 1:
        raise DomainError(_l("Minimal pesan paling sedikit 1."))
    if p.max_pesan is None or p.max_pesan < p.min_pesan:
        raise DomainError(_l("Maksimal pesan tidak boleh kurang dari minimal pesan."))
    if p.stok is None or p.stok < 0:
        raise DomainError(_l("Stok tidak boleh negatif."))
    for name in ("ppn_persen", "ppnbm_persen"):
        value = getattr(p, name)
        if value is None or value < 0:
            raise DomainError(_l("Persentase pajak tidak boleh negatif."))


def produk_baru(p, user):
    """A product a supplier adds starts as its own Draft (the listing workflow takes it from there)."""
    if not user.penyedia_id:
        raise DomainError(_l("Akun Anda belum terhubung ke perusahaan Penyedia."))
    p.penyedia_id = user.penyedia_id
    p.status, p.version, p.created_at = "draft", 1, clock.now()
    periksa_produk(p)


def ubah_produk(p):
    if p.status not in ("draft", "ditolak"):
        raise DomainError(_l("Produk hanya dapat diubah saat berstatus Draft atau Ditolak."))
    p.updated_at = clock.now()
    periksa_produk(p)


def simpan_foto(data):
    """Check a product photo by its content (JPEG/PNG only) and store it; return the stored name."""
    documents.check_upload(data, allowed=(documents.JPEG, documents.PNG))
    stored, _digest = documents.store(data)
    return stored


def descendants(kategori_id):
    """The category and every category below it (three levels at most)."""
    rows = db.session.execute(select(Kategori.id, Kategori.parent_id)).all()
    children = {}
    for cid, parent in rows:
        children.setdefault(parent, []).append(cid)
    out, frontier = {kategori_id}, [kategori_id]
    while frontier:
        nxt = []
        for c in frontier:
            nxt.extend(children.get(c, []))
        out.update(nxt)
        frontier = nxt
    return out


SORTS = {
    "terbaru": (Produk.created_at.desc(), Produk.id.desc()),
    "harga_asc": (Produk.harga.asc(), Produk.id),
    "harga_desc": (Produk.harga.desc(), Produk.id),
    "rating": (
        (Produk.rating_total * 100 / func.nullif(Produk.rating_count, 0)).desc().nulls_last(),
        Produk.id,
    ),
}


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))


def cari(
    user,
    q=None,
    ketersediaan=None,
    kategori_id=None,
    harga_min=None,
    harga_max=None,
    rating_min=None,
    sort="terbaru",
    page=1,
    per_page=12,
):
    """Search what a buyer may see (Tayang only) by product or supplier name, with filters."""
    cond = [scoping.visible_clause(Produk, user), Produk.status == "tayang"]
    stmt = select(Produk).join(Penyedia, Produk.penyedia_id == Penyedia.id)
    if q:
        like = f"%{q.strip().lower()}%"
        cond.append(or_(func.lower(Produk.nama).like(like), func.lower(Penyedia.nama).like(like)))
    if ketersediaan:
        cond.append(Produk.ketersediaan == ketersediaan)
    if kategori_id:
        cond.append(Produk.kategori_id.in_(descendants(int(kategori_id))))
    if harga_min is not None:
        cond.append(Produk.harga >= int(harga_min))
    if harga_max is not None:
        cond.append(Produk.harga <= int(harga_max))
    if rating_min:
        # mean >= r  <=>  total >= r * count (integers; no float on the way)
        r = int(rating_min)
        cond.append(and_(Produk.rating_count > 0, Produk.rating_total >= r * Produk.rating_count))
    stmt = stmt.where(*cond)
    total = db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    page = max(1, int(page or 1))
    rows = (
        db.session.execute(
            stmt.order_by(*SORTS.get(sort, SORTS["terbaru"])).limit(per_page).offset((page - 1) * per_page)
        )
        .scalars()
        .all()
    )
    return Page(rows, total, page, per_page)
