"""Catalog: product listing workflow (Draft → Diajukan → Tayang | Ditolak), the shop search with its
collections (koleksi) and the three-level category browse, and a product's variants and services."""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, false, func, or_, select, update
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import Alamat, Kategori, LayananTambahan, Penyedia, PortalUser, Produk, ProdukVarian, Wilayah
from app.models.catalog import STATUS_LISTING
from app.roles import ROLE_ADMIN, ROLE_PENYEDIA

from . import clock, documents, scoping
from .errors import DomainError
from .workflow import T, Workflow, apply, wajib_alasan


def _lengkap(ctx):
    p = ctx.obj
    if not p.deskripsi or p.harga is None or p.harga <= 0:
        raise DomainError(_l("Lengkapi deskripsi dan harga produk sebelum diajukan."))
    return {"alasan_tolak": None}


PENYEDIA, ADMIN = {ROLE_PENYEDIA}, {ROLE_ADMIN}
_alasan = wajib_alasan(_l("Alasan penolakan wajib diisi."), column="alasan_tolak")
# fmt: off
TRANSITIONS = (
    T("draft",    "ajukan",  "diajukan", PENYEDIA, _lengkap, label=_l("Ajukan ke Admin")),
    T("ditolak",  "ajukan",  "diajukan", PENYEDIA, _lengkap, label=_l("Ajukan ke Admin")),
    T("diajukan", "setujui", "tayang",   ADMIN,    label=_l("Setujui")),
    T("diajukan", "tolak",   "ditolak",  ADMIN,    _alasan,  label=_l("Tolak"), style="danger", fields=("alasan",), panel="alasan"),
    T("tayang",   "tarik",   "draft",    PENYEDIA, label=_l("Tarik dari Tayang"), style="warning"),
)
# fmt: on


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


def jalankan(produk_id, action, actor, expected_version=None, **data):
    return apply(PRODUK, produk_id, action, actor, expected_version=expected_version, **PRODUK.input(action, data))


def tambah_rating(model, row_id, bintang):
    """One more rating of a product or a supplier (Produk/Penyedia), counted in the database."""
    db.session.execute(
        update(model)
        .where(model.id == row_id)
        .values(rating_total=model.rating_total + bintang, rating_count=model.rating_count + 1)
        .execution_options(synchronize_session=False)
    )


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
    koleksi: str | None = None
    daerah: object = None  # the kota/kabupaten (Wilayah) of "Produk dari Daerahmu"
    hint: object = None  # a translated note for the buyer (e.g. no Utama address yet)

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))


# --- collections (SPEC §3 "Koleksi") ----------------------------------------------------------------

KOLEKSI = {
    "tkdn": _l("Produk Bersertifikat TKDN"),
    "pdn_umkk": _l("PDN - UMKK"),
    "daerahmu": _l("Produk dari Daerahmu"),
}
HINT_TANPA_UTAMA = _l(
    "Produk dari Daerahmu dicocokkan dengan alamat Utama Anda. "
    "Tambahkan alamat berjenis Utama di Pengaturan → Alamat untuk melihat koleksi ini."
)


def alamat_utama(user):
    """The user's Utama address (at most one), or None."""
    if user is None or not getattr(user, "id", None):
        return None
    stmt = select(Alamat).where(Alamat.user_id == user.id, Alamat.jenis == "utama")
    return db.session.execute(stmt).scalars().first()


def daerah_user(user):
    """The region "Produk dari Daerahmu" matches: the kota/kabupaten of the user's Utama address.

    Kota/kabupaten, not kelurahan (too narrow: a handful of suppliers at most) nor province
    (DKI Jakarta is one province, so every supplier would match)."""
    alamat = alamat_utama(user)
    return alamat.kota if alamat is not None else None


def kelurahan_di_kota(kota_code):
    """Codes of every kelurahan of a kota/kabupaten, through the region tree (not code prefixes)."""
    kel, kec = aliased(Wilayah), aliased(Wilayah)
    return select(kel.code).join(kec, kel.parent_code == kec.code).where(kec.parent_code == kota_code)


def koleksi_clause(koleksi, user):
    """(condition, daerah, hint) of a collection; Produk joined with its Penyedia.

    - tkdn: products with a TKDN percentage (> 0 %);
    - pdn_umkk: domestic products (is_pdn) of UMKM/UMKK suppliers;
    - daerahmu: the supplier's kelurahan lies in the kota/kabupaten of the user's Utama address;
      without an Utama address nothing matches and the hint says how to add one."""
    if koleksi == "tkdn":
        return and_(Produk.tkdn_persen.is_not(None), Produk.tkdn_persen > 0), None, None
    if koleksi == "pdn_umkk":
        return and_(Produk.is_pdn.is_(True), Penyedia.is_umkm.is_(True)), None, None
    if koleksi == "daerahmu":
        kota = daerah_user(user)
        if kota is None:
            return false(), None, HINT_TANPA_UTAMA
        return Penyedia.kelurahan_code.in_(kelurahan_di_kota(kota.code)), kota, None
    return None, None, None


# --- the three-level category browse -----------------------------------------------------------------


@dataclass
class Jelajah:
    """Where the buyer stands in the category tree: the category (None = all), its breadcrumb trail
    from level 1 down to it, and the active categories one level below (level 1 at the top)."""

    kategori: Kategori | None = None
    jejak: list = field(default_factory=list)
    anak: list = field(default_factory=list)


def jelajah(kategori_id=None):
    kategori = db.session.get(Kategori, int(kategori_id)) if kategori_id else None
    if kategori is not None and not kategori.aktif:
        kategori = None
    jejak, node = [], kategori
    while node is not None and len(jejak) < 3:
        jejak.insert(0, node)
        node = node.parent
    parent = Kategori.parent_id == kategori.id if kategori is not None else Kategori.parent_id.is_(None)
    anak = db.session.execute(select(Kategori).where(parent, Kategori.aktif).order_by(Kategori.nama)).scalars().all()
    return Jelajah(kategori, jejak, anak)


# --- a product's variants and additional services -------------------------------------------------------


def varian_dari(produk, varian_id):
    """The variant a buyer chose: required when the product has variants, and it must be the product's own."""
    if varian_id in (None, ""):
        if produk.varian:
            raise DomainError(_l("Pilih varian %(nama)s.", nama=produk.nama))
        return None
    varian = db.session.get(ProdukVarian, scoping.as_id(varian_id)) if scoping.as_id(varian_id) else None
    if varian is None or varian.produk_id != produk.id:
        raise DomainError(_l("Varian tidak dikenal untuk produk %(nama)s.", nama=produk.nama))
    return varian


def layanan_dari(produk, layanan_ids):
    """The additional services a buyer chose (each once), all of them the product's own."""
    out, seen = [], set()
    for raw in layanan_ids or ():
        lid = scoping.as_id(raw)
        lay = db.session.get(LayananTambahan, lid) if lid else None
        if lay is None or lay.produk_id != produk.id:
            raise DomainError(_l("Layanan tambahan tidak dikenal untuk produk ini."))
        if lay.id not in seen:
            seen.add(lay.id)
            out.append(lay)
    return out


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
    koleksi=None,
    penyedia_aktif=False,
):
    """Search what a buyer may see (Tayang only) by product or supplier name, with filters and a
    collection (`KOLEKSI`; an unknown one is ignored). `penyedia_aktif`: only suppliers someone can answer
    for (the Katalog shop: an order nobody at the Penyedia could negotiate would only run out its 3x24 h)."""
    cond = [scoping.visible_clause(Produk, user), Produk.status == "tayang"]
    if penyedia_aktif:
        cond.append(penyedia_aktif_clause(Produk.penyedia_id))
    stmt = select(Produk).join(Penyedia, Produk.penyedia_id == Penyedia.id)
    koleksi = koleksi if koleksi in KOLEKSI else None
    kol_cond, daerah, hint = koleksi_clause(koleksi, user)
    if kol_cond is not None:
        cond.append(kol_cond)
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
    return Page(rows, total, page, per_page, koleksi=koleksi, daerah=daerah, hint=hint)


def penyedia_aktif_clause(penyedia_id):
    """The Penyedia has at least one active user (someone who gets its emails and can answer)."""
    return exists().where(PortalUser.penyedia_id == penyedia_id, PortalUser.active.is_(True))


def penyedia_aktif(penyedia_id):
    return bool(db.session.execute(select(penyedia_aktif_clause(penyedia_id))).scalar())


def cek_jumlah(produk, qty):
    """A buyer's quantity of a product: within its min/max, and within stock for Ready Stock (both carts)."""
    if qty < produk.min_pesan or qty > produk.max_pesan:
        raise DomainError(
            _l(
                "Jumlah pesanan %(nama)s harus antara %(min)s dan %(max)s.",
                nama=produk.nama,
                min=produk.min_pesan,
                max=produk.max_pesan,
            )
        )
    if produk.ketersediaan == "ready" and qty > produk.stok:
        raise DomainError(_l("Stok %(nama)s tersisa %(stok)s.", nama=produk.nama, stok=produk.stok))
