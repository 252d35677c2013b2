"""Catalog: product listing workflow (Draft → Diajukan → Tayang | Ditolak), the shop search with its
collections (koleksi) and the three-level category browse, and a product's variants and services, which
its Penyedia changes as a pending change (usulan) that the Admin's approval of the product applies."""

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, false, func, or_, select, union_all, update
from sqlalchemy.orm import aliased, contains_eager

from app.extensions import db
from app.models import (
    Alamat,
    Kategori,
    KeranjangKatalog,
    KeranjangKatalogLayanan,
    LayananTambahan,
    Penyedia,
    PesananKatalogItem,
    PesananKatalogLayanan,
    PortalUser,
    Produk,
    ProdukFoto,
    ProdukVarian,
    UsulanVarianLayanan,
    Wilayah,
)
from app.models.catalog import STATUS_LISTING
from app.roles import ROLE_ADMIN, ROLE_PENYEDIA

from . import audit, clock, documents, money, predikat, scoping
from .errors import Conflict, DomainError, Forbidden
from .workflow import T, Workflow, apply, wajib_alasan


def _lengkap(ctx):
    p = ctx.obj
    if not p.deskripsi or p.harga is None or p.harga <= 0:
        raise DomainError(_l("Lengkapi deskripsi dan harga produk sebelum diajukan."))
    return {"alasan_tolak": None}


def _setujui(ctx):
    terapkan_usulan(ctx.obj)  # the pending change of variants and services goes live with the product


PENYEDIA, ADMIN = {ROLE_PENYEDIA}, {ROLE_ADMIN}
_alasan = wajib_alasan(_l("Alasan penolakan wajib diisi."), column="alasan_tolak")
# fmt: off
TRANSITIONS = (
    T("draft",    "ajukan",  "diajukan", PENYEDIA, _lengkap, label=_l("Ajukan ke Admin")),
    T("ditolak",  "ajukan",  "diajukan", PENYEDIA, _lengkap, label=_l("Ajukan ke Admin")),
    T("diajukan", "setujui", "tayang",   ADMIN,    None, _setujui, label=_l("Setujui")),
    T("diajukan", "tolak",   "ditolak",  ADMIN,    _alasan,  label=_l("Tolak"), style="danger", fields=("alasan",), panel="alasan"),
    T("tayang",   "tarik",   "draft",    PENYEDIA, label=_l("Tarik dari Tayang"), style="warning"),
)
# fmt: on


def _is_party(produk, actor, transition):
    roles = scoping.roles_of(actor) & transition.roles
    # a row test or (model class) a clause (predikat): the home page's queues are this rule
    return predikat.salah_satu(
        ROLE_ADMIN in roles,
        predikat.semua(ROLE_PENYEDIA in roles, bool(actor.penyedia_id), produk.penyedia_id == actor.penyedia_id),
    )


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


SORTS = {  # of the product entity: the table, or the keyword search's union of matches
    "terbaru": lambda p: (p.created_at.desc(), p.id.desc()),
    "harga_asc": lambda p: (p.harga.asc(), p.id),
    "harga_desc": lambda p: (p.harga.desc(), p.id),
    # the rating a shop card shows: its UMKM's (SPEC §3 "Supplier rating"), for the filter and the sort alike
    "rating": lambda p: (
        (Penyedia.rating_total * 100 / func.nullif(Penyedia.rating_count, 0)).desc().nulls_last(),
        Penyedia.rating_count.desc(),
        p.id,
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
    max_pages: int | None = None  # the pager's last page (SHOP_MAX_PAGES), None: no limit

    @property
    def semua_halaman(self):
        return max(1, -(-self.total // self.per_page))

    @property
    def pages(self):
        return min(self.semua_halaman, self.max_pages or self.semua_halaman)

    @property
    def terpotong(self):
        """More results than the pager reaches: the page asks for a narrower search."""
        return self.pages < self.semua_halaman


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


def kota_penyedia():
    """The kota/kabupaten where listed suppliers are (the shop's region filter), by name."""
    kel, kec, kota = aliased(Wilayah), aliased(Wilayah), aliased(Wilayah)
    stmt = (
        select(kota)
        .join(kec, kec.parent_code == kota.code)
        .join(kel, kel.parent_code == kec.code)
        .join(Penyedia, Penyedia.kelurahan_code == kel.code)
        .distinct()
        .order_by(kota.nama)
    )
    return db.session.execute(stmt).scalars().all()


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
    if not varian.aktif:  # e.g. still in a cart from before its Penyedia withdrew it
        raise DomainError(
            _l("Varian %(varian)s tidak lagi tersedia untuk produk %(nama)s.", varian=varian.nama, nama=produk.nama)
        )
    return varian


def layanan_dari(produk, layanan_ids):
    """The additional services a buyer chose (each once), all of them the product's own."""
    out, seen = [], set()
    for raw in layanan_ids or ():
        lid = scoping.as_id(raw)
        lay = db.session.get(LayananTambahan, lid) if lid else None
        if lay is None or lay.produk_id != produk.id:
            raise DomainError(_l("Layanan tambahan tidak dikenal untuk produk ini."))
        if not lay.aktif:
            raise DomainError(_l("Layanan tambahan %(nama)s tidak lagi tersedia.", nama=lay.nama))
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
    kota=None,
    max_pages=None,
):
    """Search what a buyer may see (Tayang only) by product or supplier name, with filters and a
    collection (`KOLEKSI`; an unknown one is ignored), the supplier's kota/kabupaten (`kota`, a region code).
    The rating filter and sort use the supplier's rating, the one the cards show. `penyedia_aktif`: only suppliers someone can answer
    for (the Katalog shop: an order nobody at the Penyedia could negotiate would only run out its 3x24 h)."""
    cond = [scoping.visible_clause(Produk, user), Produk.status == "tayang"]
    if penyedia_aktif:
        cond.append(penyedia_aktif_clause(Produk.penyedia_id))
    stmt = select(Produk).join(Penyedia, Produk.penyedia_id == Penyedia.id)
    koleksi = koleksi if koleksi in KOLEKSI else None
    kol_cond, daerah, hint = koleksi_clause(koleksi, user)
    if kol_cond is not None:
        cond.append(kol_cond)
    if ketersediaan:
        cond.append(Produk.ketersediaan == ketersediaan)
    if kategori_id:
        cond.append(Produk.kategori_id.in_(descendants(int(kategori_id))))
    if harga_min is not None:
        cond.append(Produk.harga >= int(harga_min))
    if harga_max is not None:
        cond.append(Produk.harga <= int(harga_max))
    if kota:
        cond.append(Penyedia.kelurahan_code.in_(kelurahan_di_kota(kota)))
    if rating_min:
        # the supplier's mean >= r  <=>  total >= r * count (integers; no float on the way)
        r = int(rating_min)
        cond.append(and_(Penyedia.rating_count > 0, Penyedia.rating_total >= r * Penyedia.rating_count))
    stmt = stmt.where(*cond)
    # deep pages cost their OFFSET in rows read: the pager stops at max_pages (a narrower search goes further)
    page = min(max(1, int(page or 1)), max_pages or 10**9)
    produk = Produk
    if q:
        # Product name OR supplier name as two disjoint branches, each read through its own index with every
        # filter in the same pass (pg_trgm GIN on the product name; the matching suppliers' products by
        # ix_produk_penyedia_id), then sorted together. An OR across the join scanned every product; ids
        # looked up first and the products read again cost a second pass over the matches.
        like = f"%{q.strip().lower()}%"
        nama = func.lower(Produk.nama).like(like)
        penyedia_cocok = Produk.penyedia_id.in_(select(Penyedia.id).where(func.lower(Penyedia.nama).like(like)))
        cocok = union_all(stmt.where(nama), stmt.where(penyedia_cocok, ~nama)).subquery("cocok")
        produk = aliased(Produk, cocok)
        stmt = select(produk).join(Penyedia, produk.penyedia_id == Penyedia.id)
    ordered = (
        # the card's supplier (name, rating, UMKM badge) comes with its product from the join already made
        stmt.options(contains_eager(produk.penyedia))
        .order_by(*SORTS.get(sort, SORTS["terbaru"])(produk))
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    if q:
        # every match is read to sort them anyway: the total rides on the page's own rows (COUNT(*) OVER ())
        # instead of a second pass. Without a keyword the sort's index gives the page's rows directly and the
        # total is an index count: a window would read every row.
        found = db.session.execute(ordered.add_columns(func.count().over().label("total"))).all()
        rows = [r[0] for r in found]
        # past the last page no row carries the total, and the pager still needs it
        total = found[0].total if found else (_jumlah(stmt) if page > 1 else 0)
    else:
        rows = db.session.execute(ordered).scalars().all()
        total = _jumlah(stmt)
    return Page(rows, total, page, per_page, koleksi=koleksi, daerah=daerah, hint=hint, max_pages=max_pages)


def _jumlah(stmt):
    return db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()


def penyedia_aktif_clause(penyedia_id):
    """The Penyedia has at least one active user (someone who gets its emails and can answer)."""
    return exists().where(PortalUser.penyedia_id == penyedia_id, PortalUser.active.is_(True))


def penyedia_aktif(penyedia_id):
    return bool(db.session.execute(select(penyedia_aktif_clause(penyedia_id))).scalar())


def cek_jumlah(produk, qty, varian=None):
    """A buyer's quantity of a product: within its min/max, and within stock for Ready Stock (both carts);
    a variant with its own stock (ProdukVarian.stok) is counted on that stock."""
    if qty < produk.min_pesan or qty > produk.max_pesan:
        raise DomainError(
            _l(
                "Jumlah pesanan %(nama)s harus antara %(min)s dan %(max)s.",
                nama=produk.nama,
                min=produk.min_pesan,
                max=produk.max_pesan,
            )
        )
    if produk.ketersediaan != "ready":
        return
    if varian is not None and varian.stok is not None:
        if qty > varian.stok:
            nama = f"{produk.nama} — {varian.nama}"
            raise DomainError(_l("Stok %(nama)s tersisa %(stok)s.", nama=nama, stok=varian.stok))
    elif qty > produk.stok:
        raise DomainError(_l("Stok %(nama)s tersisa %(stok)s.", nama=produk.nama, stok=produk.stok))


# --- the Penyedia's variants and services: a pending change the Admin approves with the product -----------
#
# The live rows are what the shops offer. A Penyedia's change (add, edit name / price / stock / PPN %,
# deactivate, remove) is kept in UsulanVarianLayanan while the product is Draft or Ditolak (the same rule
# as every other product edit), goes to the Admin with the product ("ajukan") and is written to the live
# rows by "setujui"; "tolak" leaves the live rows as they are and keeps the change for the Penyedia to mend.
# Each edit moves the product's version (compare-and-set), so it can't cross a colleague's edit, the
# submission or the approval.

BOLEH_UBAH = ("draft", "ditolak")
MODEL_USULAN = {"varian": ProdukVarian, "layanan": LayananTambahan}
KOLOM_USULAN = {
    "varian": ("nama", "harga", "stok", "aktif"),
    "layanan": ("nama", "harga", "ppn_persen", "ppnbm_persen", "aktif"),
}
PERUBAHAN = {"tetap": _l("Tetap"), "baru": _l("Baru"), "ubah": _l("Diubah"), "hapus": _l("Dihapus")}
_STOK = re.compile(r"[0-9]{1,9}|[0-9]{1,3}(?:\.[0-9]{3}){1,2}", re.ASCII)
_YA = {"1", "on", "true", "ya", "y"}


@dataclass
class BarisUsulan:
    """One variant or service: its live values (`sebelum`, None when new) and those after approval
    (`sesudah`, None when removed), as plain values for the pages."""

    kunci: str
    sebelum: dict | None
    sesudah: dict | None
    perubahan: str
    dipakai: bool = False

    @property
    def label(self):
        return PERUBAHAN[self.perubahan]

    @property
    def nilai(self):
        """What the Penyedia's form shows: the values after approval, else (removed) the live ones."""
        return self.sesudah or self.sebelum

    def berubah(self, kolom):
        return self.perubahan == "ubah" and self.sebelum[kolom] != self.sesudah[kolom]


@dataclass
class Usulan:
    ada: bool
    varian: list
    layanan: list
    diubah_at: object = None


def _baris_hidup(jenis, produk_id):
    model = MODEL_USULAN[jenis]
    return db.session.execute(select(model).where(model.produk_id == produk_id).order_by(model.id)).scalars().all()


def dipakai(jenis, row_id):
    """On a Katalog order or in a cart: such a row is deactivated, never deleted, so its references stay."""
    if jenis == "varian":
        refs = (
            exists().where(PesananKatalogItem.varian_id == row_id),
            exists().where(KeranjangKatalog.varian_id == row_id),
        )
    else:
        refs = (
            exists().where(PesananKatalogLayanan.layanan_id == row_id),
            exists().where(KeranjangKatalogLayanan.layanan_id == row_id),
        )
    return bool(db.session.execute(select(or_(*refs))).scalar())


def _json(jenis, row):
    """A live row's values as the pending change keeps them (percentages as exact text)."""
    out = {k: getattr(row, k) for k in KOLOM_USULAN[jenis]}
    for k in ("ppn_persen", "ppnbm_persen"):
        if k in out:
            out[k] = str(Decimal(out[k]).quantize(Decimal("0.01")))
    return out


def _tampil(values):
    """Plain values for a page (percentages back to Decimal)."""
    out = dict(values)
    for k in ("ppn_persen", "ppnbm_persen"):
        if k in out:
            out[k] = Decimal(out[k])
    return out


def _isi(row):
    if row is None:
        return {"varian": {}, "layanan": {}, "berikut": 1}
    return json.loads(row.isi)


def _usulan_row(produk_id):
    return db.session.execute(
        select(UsulanVarianLayanan).where(UsulanVarianLayanan.produk_id == produk_id)
    ).scalar_one_or_none()


def _baris(produk, isi, jenis):
    """The rows of one kind with the pending change `isi` (values as kept: percentages as text)."""
    changes, rows = isi[jenis], []
    for live in _baris_hidup(jenis, produk.id):
        key, before = str(live.id), _json(jenis, live)
        change = changes.get(key)
        used = dipakai(jenis, live.id)
        if change is None:
            rows.append(BarisUsulan(key, before, before, "tetap", used))
        elif change.get("hapus"):
            rows.append(BarisUsulan(key, before, None, "hapus", used))
        else:
            rows.append(BarisUsulan(key, before, {**before, **change}, "ubah", used))
    rows.extend(BarisUsulan(k, None, v, "baru") for k, v in changes.items() if k.startswith("baru-"))
    return rows


def rincian_usulan(produk):
    """Every variant and service of the product (inactive ones too) with the pending change, for the
    Penyedia's page and the Admin's review (before/after)."""
    row = _usulan_row(produk.id)
    isi = _isi(row)
    out = {}
    for jenis in MODEL_USULAN:
        out[jenis] = [
            BarisUsulan(
                x.kunci,
                _tampil(x.sebelum) if x.sebelum else None,
                _tampil(x.sesudah) if x.sesudah else None,
                x.perubahan,
                x.dipakai,
            )
            for x in _baris(produk, isi, jenis)
        ]
    return Usulan(row is not None, out["varian"], out["layanan"], row.updated_at if row is not None else None)


# - reading what the Penyedia typed -


def _nama(value, jenis):
    nama = " ".join(str(value or "").split())
    if not nama or len(nama) > 120:
        if jenis == "varian":
            raise DomainError(_l("Nama varian wajib diisi, paling banyak 120 karakter."))
        raise DomainError(_l("Nama layanan tambahan wajib diisi, paling banyak 120 karakter."))
    return nama


def _harga(value):
    try:
        harga = money.parse_rupiah(value)
    except ValueError:
        harga = 0
    if harga < 1:
        raise DomainError(_l("Harga tidak valid: tulis Rupiah bulat lebih dari nol, misalnya 125.000."))
    return harga


def _stok(value):
    """Empty: the product's own stock applies; else a whole number of units, 0 or more."""
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    if not _STOK.fullmatch(text) or int(text.replace(".", "")) >= 2**31:
        raise DomainError(
            _l("Stok varian tidak valid: kosongkan (memakai stok produk) atau tulis bilangan bulat 0 atau lebih.")
        )
    return int(text.replace(".", ""))


def persen_pajak(value):
    """A tax percentage as stored (Persen: exact hundredths): 0 to 100, at most two decimals, "11,5" or "11.5";
    the one rule for a service's PPN/PPnBM here and for any percentage an addendum changes."""
    try:
        pct = Decimal(str(value).strip().replace(",", "."))
        ok = pct.is_finite() and 0 <= pct <= 100 and pct == pct.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, ArithmeticError):
        ok = False
    if not ok:
        raise DomainError(_l("Persentase pajak tidak valid: 0 sampai 100, paling banyak dua desimal."))
    return pct


def _persen(value):
    return str(persen_pajak(value).quantize(Decimal("0.01")))


def _baca(jenis, data):
    values = {"nama": _nama(data.get("nama"), jenis), "harga": _harga(data.get("harga"))}
    if jenis == "varian":
        values["stok"] = _stok(data.get("stok"))
    else:
        values["ppn_persen"] = _persen(data.get("ppn_persen"))
        values["ppnbm_persen"] = _persen(data.get("ppnbm_persen", "0"))
    aktif = data.get("aktif")
    values["aktif"] = aktif is True or str(aktif or "").strip().lower() in _YA
    return values


# - changing the pending change -


def _jenis(jenis):
    if jenis not in MODEL_USULAN:
        raise DomainError(_l("Pilih varian atau layanan tambahan."))
    return jenis


def _tidak_dikenal(jenis, produk):
    if jenis == "varian":
        return DomainError(_l("Varian tidak dikenal untuk produk %(nama)s.", nama=produk.nama), status=404)
    return DomainError(_l("Layanan tambahan tidak dikenal untuk produk ini."), status=404)


def _simpan(produk, isi, jenis, kunci, data):
    values = _baca(jenis, data)
    changes = isi[jenis]
    live = {str(r.id): r for r in _baris_hidup(jenis, produk.id)}
    if not kunci:
        kunci = f"baru-{isi['berikut']}"
        isi["berikut"] += 1
    elif kunci not in live and kunci not in changes:
        raise _tidak_dikenal(jenis, produk)
    # two rows of one name would leave the buyer guessing which is which
    for row in _baris(produk, isi, jenis):
        if row.kunci != kunci and row.sesudah and row.sesudah["nama"].lower() == values["nama"].lower():
            raise DomainError(_l("Nama %(nama)s sudah dipakai di produk ini.", nama=values["nama"]))
    if kunci in live:
        before = _json(jenis, live[kunci])
        diff = {k: v for k, v in values.items() if before[k] != v}
        if diff:
            changes[kunci] = diff
        else:
            changes.pop(kunci, None)  # back to the live values: nothing to review
    else:
        changes[kunci] = values
    return values["nama"]


def _hapus(produk, isi, jenis, kunci):
    changes = isi[jenis]
    if kunci.startswith("baru-"):
        if changes.pop(kunci, None) is None:
            raise _tidak_dikenal(jenis, produk)
        return kunci
    row = next((r for r in _baris_hidup(jenis, produk.id) if str(r.id) == kunci), None)
    if row is None:
        raise _tidak_dikenal(jenis, produk)
    if dipakai(jenis, row.id):
        raise DomainError(
            _l(
                "%(nama)s sudah dipakai pada pesanan atau keranjang, jadi tidak dapat dihapus; nonaktifkan saja "
                "(hilangkan centang Aktif) agar tidak ditawarkan lagi.",
                nama=row.nama,
            ),
            status=409,
        )
    changes[kunci] = {"hapus": True}
    return row.nama


def _pulihkan(produk, isi, jenis, kunci):
    """Drop the pending change of one row (a new one disappears, a live one keeps its values)."""
    if isi[jenis].pop(kunci, None) is None:
        raise _tidak_dikenal(jenis, produk)
    return kunci


AKSI_USULAN = {"simpan": _simpan, "hapus": _hapus, "pulihkan": _pulihkan}


def _produk_sendiri(produk_id, actor):
    """The product through the one scoping rule (another Penyedia's is not found), the Penyedia's own."""
    produk = scoping.get_scoped(Produk, produk_id, actor)
    if ROLE_PENYEDIA not in scoping.roles_of(actor) or actor.penyedia_id != produk.penyedia_id:
        raise Forbidden(_l("Hanya Penyedia pemilik produk yang dapat mengubah varian dan layanan tambahannya."))
    if produk.status not in BOLEH_UBAH:
        raise Conflict(
            _l(
                "Varian dan layanan tambahan hanya dapat diubah saat produk berstatus Draft atau Ditolak "
                "(tarik produk dari tayang terlebih dahulu)."
            )
        )
    return produk


def _tulis_usulan(produk, row, isi, actor, action, nama):
    """Keep the pending change `isi` and move the product's version (compare-and-set), no commit."""
    version, status, now = produk.version, produk.status, clock.now()
    res = db.session.execute(
        update(Produk)
        .where(Produk.id == produk.id, Produk.version == version, Produk.status.in_(BOLEH_UBAH))
        .values(version=version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:
        raise Conflict(_l("Data ini baru saja diubah oleh pengguna lain. Muat ulang halaman lalu coba lagi."))
    db.session.expire(produk)
    if not (isi["varian"] or isi["layanan"]):
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(UsulanVarianLayanan(produk_id=produk.id, isi=json.dumps(isi), created_at=now))
    else:
        row.isi, row.updated_at = json.dumps(isi), now
    audit.catat("produk", produk.id, action, actor, status, status, note=nama, role=ROLE_PENYEDIA)


def _ubah(produk_id, actor, fn, action):
    try:
        produk = _produk_sendiri(produk_id, actor)
        row = _usulan_row(produk.id)
        isi = _isi(row)
        nama = fn(produk, isi)
        _tulis_usulan(produk, row, isi, actor, action, nama)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return produk


def ubah_usulan(produk_id, actor, jenis, aksi, data=None):
    """The Penyedia adds/edits (aksi "simpan"; no `kunci` = a new row), removes ("hapus") or restores
    ("pulihkan") one variant or service of its own product in the pending change; nothing reaches the shops
    before the Admin approves the product. data: kunci, nama, harga, stok (varian), ppn_persen,
    ppnbm_persen (layanan), aktif."""
    data = data or {}
    jenis = _jenis(jenis)
    fn = AKSI_USULAN.get(aksi)
    if fn is None:
        raise DomainError(_l("Aksi tidak dikenal."))
    kunci = str(data.get("kunci") or "").strip()
    if aksi != "simpan" and not kunci:
        raise DomainError(_l("Pilih varian atau layanan tambahan."))
    if aksi == "simpan":
        return _ubah(produk_id, actor, lambda p, isi: _simpan(p, isi, jenis, kunci, data), f"{aksi}_{jenis}")
    return _ubah(produk_id, actor, lambda p, isi: fn(p, isi, jenis, kunci), f"{aksi}_{jenis}")


def batalkan_usulan(produk_id, actor):
    """Discard the whole pending change: the live variants and services stay as they are."""

    def clear(produk, isi):
        if not (isi["varian"] or isi["layanan"]):
            raise DomainError(_l("Tidak ada usulan perubahan varian atau layanan tambahan."))
        isi["varian"], isi["layanan"] = {}, {}
        return None

    return _ubah(produk_id, actor, clear, "batalkan_usulan")


def terapkan_usulan(produk):
    """Write the pending change to the live rows (the Admin's "setujui", in its transaction). A row to
    remove that an order or a cart took meanwhile is deactivated instead."""
    row = _usulan_row(produk.id)
    if row is None:
        return
    isi = json.loads(row.isi)
    for jenis, model in MODEL_USULAN.items():
        live = {str(r.id): r for r in _baris_hidup(jenis, produk.id)}
        for key, change in isi[jenis].items():
            values = {k: v for k, v in _tampil(change).items() if k in KOLOM_USULAN[jenis]}
            if key.startswith("baru-"):
                db.session.add(model(produk_id=produk.id, **values))
            elif key in live and change.get("hapus"):
                if dipakai(jenis, live[key].id):
                    live[key].aktif = False
                else:
                    db.session.delete(live[key])
            elif key in live:
                for k, v in values.items():
                    setattr(live[key], k, v)
    db.session.delete(row)
    db.session.flush()


# --- the Produk Saya form: a product with its photos, variants and services in one transaction ---------

FOTO_MAKS = 5  # photos of one product, the cover included


class IsianProduk(DomainError):
    """A refused Produk Saya form: `rincian` says what is wrong where ("produk", "foto", or
    ("varian" | "layanan", row index)); nothing was written."""

    def __init__(self, rincian):
        super().__init__(_l("Produk belum disimpan: periksa isian yang ditandai, lalu simpan lagi."))
        self.rincian = rincian


def _baris_kosong(row):
    keys = ("nama", "harga", "stok") if "stok" in row else ("nama", "harga")
    return not str(row.get("kunci") or "").strip() and not any(str(row.get(k) or "").strip() for k in keys)


def foto_tersimpan(produk):
    """The product's stored photos in order: ("utama", name) for the cover, (ProdukFoto id, name) after it."""
    out = [("utama", produk.gambar)] if produk.gambar else []
    if produk.id:
        rows = db.session.execute(
            select(ProdukFoto).where(ProdukFoto.produk_id == produk.id).order_by(ProdukFoto.urutan, ProdukFoto.id)
        ).scalars()
        out.extend((str(r.id), r.stored_name) for r in rows)
    return out


def foto_produk_semua(produk):
    """Stored names of every photo of the product, the cover first (shop galleries, the form's previews)."""
    return [name for _key, name in foto_tersimpan(produk)]


def _periksa_foto(produk, foto_baru, foto_hapus, rincian):
    kept = [k for k, _n in foto_tersimpan(produk) if k not in foto_hapus]
    for filename, data in foto_baru:
        try:
            documents.check_upload(data, allowed=(documents.JPEG, documents.PNG))
        except DomainError as e:
            rincian.setdefault("foto", []).append(f"{filename}: {e}" if filename else str(e))
    if len(kept) + len(foto_baru) > FOTO_MAKS:
        rincian.setdefault("foto", []).append(str(_l("Paling banyak %(n)s foto per produk.", n=FOTO_MAKS)))


def _tulis_foto(produk, foto_baru, foto_hapus):
    if "utama" in foto_hapus:
        produk.gambar = None
    rows = db.session.execute(
        select(ProdukFoto).where(ProdukFoto.produk_id == produk.id).order_by(ProdukFoto.urutan, ProdukFoto.id)
    ).scalars()
    extras = []
    for r in rows:
        if str(r.id) in foto_hapus:
            db.session.delete(r)
        else:
            extras.append(r)
    urutan = max((r.urutan for r in extras), default=0)
    for _filename, data in foto_baru:
        stored = simpan_foto(data)
        if produk.gambar is None and not extras:
            produk.gambar = stored
        else:
            urutan += 1
            row = ProdukFoto(produk_id=produk.id, stored_name=stored, urutan=urutan)
            db.session.add(row)
            extras.append(row)
    if produk.gambar is None and extras:  # the cover went: the next photo takes its place
        produk.gambar = extras[0].stored_name
        db.session.delete(extras[0])


def periksa_baris(varian=(), layanan=()):
    """Read the form's variant and service rows as ubah_usulan would: (the rows to apply, as (order, jenis,
    index, kunci, row) with removals first; {(jenis, index): message} of the rows that can't be read)."""
    todo, rincian = [], {}
    for jenis, items in (("varian", varian), ("layanan", layanan)):
        for i, row in enumerate(items):
            hapus = str(row.get("hapus") or "").strip().lower() in _YA
            kunci = str(row.get("kunci") or "").strip()
            if (hapus and not kunci) or (not hapus and _baris_kosong(row)):
                continue
            if not hapus:
                try:
                    _baca(jenis, row)
                except DomainError as e:
                    rincian[(jenis, i)] = str(e)
                    continue
            todo.append((0 if hapus else 1, jenis, i, kunci, row))
    return todo, rincian


def simpan_produk_lengkap(
    actor, produk, varian=(), layanan=(), foto_baru=(), foto_hapus=(), baru=False, expected_version=None
):
    """Save what the Produk Saya form sent, all of it or nothing (one transaction).

    produk: the Produk with the form's values (new: not yet in the session; edit: the Penyedia's own row,
    loaded through scoping). varian / layanan: one dict per row as ubah_usulan reads it (kunci empty for a
    new row, "hapus" true to remove it); empty new rows are skipped. foto_baru: (filename, bytes) pairs;
    foto_hapus: keys of stored photos to drop ("utama" or a ProdukFoto id). The product goes through
    produk_baru / ubah_produk, the rows into the pending change (ubah_usulan's rules), the photos through
    simpan_foto. Raises IsianProduk with every problem found before anything is written."""
    foto_hapus = {str(k) for k in foto_hapus}
    foto_baru = [(name, data) for name, data in foto_baru if data or name]
    rows = {"varian": list(varian), "layanan": list(layanan)}
    rincian = {}
    try:
        if baru:
            produk_baru(produk, actor)
        else:
            if expected_version is not None and str(expected_version) != str(produk.version):
                raise Conflict(_l("Data ini baru saja diubah oleh pengguna lain. Muat ulang halaman lalu coba lagi."))
            ubah_produk(produk)
    except DomainError as e:
        if isinstance(e, Conflict):
            db.session.rollback()
            raise
        rincian["produk"] = str(e)
    todo, salah = periksa_baris(rows["varian"], rows["layanan"])
    rincian.update(salah)
    with db.session.no_autoflush:  # an edited product stays unwritten while its photos are counted
        _periksa_foto(produk, foto_baru, foto_hapus, rincian)
    if rincian:
        db.session.rollback()  # an edited product's form values leave the session unwritten
        raise IsianProduk(rincian)
    try:
        if baru:
            db.session.add(produk)
        db.session.flush()
        produk = _produk_sendiri(produk.id, actor)
        _tulis_foto(produk, foto_baru, foto_hapus)
        db.session.flush()
        usulan = _usulan_row(produk.id)
        isi = _isi(usulan)
        before = json.dumps(isi, sort_keys=True)
        # removals first, so a new row may take a removed row's name
        for urutan, jenis, i, kunci, row in sorted(todo, key=lambda t: t[0]):
            try:
                if urutan == 0:  # a removal
                    _hapus(produk, isi, jenis, kunci)
                else:
                    _simpan(produk, isi, jenis, kunci, row)
            except DomainError as e:
                rincian[(jenis, i)] = str(e)
        if rincian:
            raise IsianProduk(rincian)
        action = "tambah_produk" if baru else "ubah_produk"
        if baru and json.dumps(isi, sort_keys=True) == before:
            audit.catat("produk", produk.id, action, actor, None, "draft", note=produk.nama, role=ROLE_PENYEDIA)
        else:
            # the version moves on every save of an existing product, so two people's forms can't cross
            _tulis_usulan(produk, usulan, isi, actor, action, produk.nama)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return produk
