"""Catalog extras (issue 4): collections, the three-level category browse, variants and services with
their own prices, and the PP's Katalog cart up to the checkout of its ticked lines."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Kategori,
    KeranjangKatalog,
    KeranjangKatalogLayanan,
    LayananTambahan,
    PesananKatalog,
    ProdukVarian,
    Rup,
    Wilayah,
)
from app.services import catalog, clock, katalog
from app.services import keranjang_katalog as keranjang
from app.services.errors import Conflict, DomainError, Forbidden, NotFound
from tests.factories import pdf_bytes

JAKPUS, JAKTIM = "31.71", "31.75"


def kelurahan_di(kota_code, nth=0):
    """A kelurahan of a kota, the nth one (by code), so two suppliers can sit in different kecamatan."""
    rows = db.session.execute(
        select(Wilayah.code).where(Wilayah.level == "kelurahan", Wilayah.code.like(f"{kota_code}.%"))
    ).scalars()
    return sorted(rows)[nth]


def kategori_tiga():
    """A level-3 category with its level-2 parent and level-1 root."""
    k3 = db.session.execute(select(Kategori).where(Kategori.level == 3).order_by(Kategori.id)).scalars().first()
    return k3.parent.parent, k3.parent, k3


@pytest.fixture
def toko(f):
    """Suppliers in Jakarta Pusat (UMKM) and Jakarta Timur (not UMKM), products for every collection."""
    pusat = f.penyedia(nama="UMKM Menteng")
    pusat.kelurahan_code = kelurahan_di(JAKPUS, nth=-1)  # another kecamatan than the buyer's address
    timur = f.penyedia(nama="PT Timur Raya")
    timur.kelurahan_code, timur.is_umkm = kelurahan_di(JAKTIM), False
    db.session.commit()
    for penyedia in (pusat, timur):  # the Katalog shop offers only suppliers someone can answer for
        f.penyedia_user(penyedia)
    root, _l2, k3 = kategori_tiga()
    items = dict(
        tkdn=f.produk(pusat, nama="Meja TKDN", tkdn_persen=Decimal("45.50"), is_pdn=True),
        nol=f.produk(pusat, nama="Kursi TKDN Nol", tkdn_persen=Decimal("0"), is_pdn=False),
        umkk=f.produk(pusat, nama="Batik UMKK", is_pdn=True),
        impor=f.produk(pusat, nama="Printer Impor", is_pdn=False),
        besar=f.produk(timur, nama="Laptop PDN Non UMKM", is_pdn=True, tkdn_persen=Decimal("30")),
    )
    items["tkdn"].kategori_id = k3.id  # level 3; the others sit on a level-2 category
    db.session.commit()
    return dict(pusat=pusat, timur=timur, root=root, k3=k3, **items)


def _names(page):
    return sorted(p.nama for p in page.items)


def test_tkdn_collection_lists_products_with_a_tkdn_percentage(toko, f):
    page = catalog.cari(f.pembeli(), koleksi="tkdn")
    assert _names(page) == ["Laptop PDN Non UMKM", "Meja TKDN"]
    assert toko["tkdn"].tkdn_persen == Decimal("45.50")


def test_pdn_umkk_collection_needs_a_domestic_product_of_an_umkm(toko, f):
    page = catalog.cari(f.pembeli(), koleksi="pdn_umkk")
    assert _names(page) == ["Batik UMKK", "Meja TKDN"]


def test_daerahmu_matches_the_kota_of_the_utama_address(toko, f):
    buyer = f.pembeli()
    f.alamat(buyer, jenis="utama")  # Jakarta Pusat (the factory's address)
    page = catalog.cari(buyer, koleksi="daerahmu")
    assert page.daerah.code == JAKPUS and page.hint is None
    # the supplier sits in another kelurahan and kecamatan of the same kota: it matches
    assert toko["pusat"].kelurahan.parent.code != db.session.get(Wilayah, kelurahan_di(JAKPUS)).parent_code
    assert _names(page) == ["Batik UMKK", "Kursi TKDN Nol", "Meja TKDN", "Printer Impor"]


def test_daerahmu_without_a_match(toko, f):
    buyer = f.pembeli()
    f.alamat(buyer, jenis="utama")
    toko["pusat"].kelurahan_code = kelurahan_di(JAKTIM, nth=1)
    db.session.commit()
    page = catalog.cari(buyer, koleksi="daerahmu")
    assert page.items == [] and page.total == 0 and page.hint is None


def test_daerahmu_without_utama_address_gives_a_hint(toko, f):
    buyer = f.pembeli()
    page = catalog.cari(buyer, koleksi="daerahmu")
    assert page.items == [] and "alamat Utama" in str(page.hint)
    f.alamat(buyer, jenis="kegiatan")  # a Kegiatan address is not the buyer's region
    page = catalog.cari(buyer, koleksi="daerahmu")
    assert page.items == [] and page.hint is not None


def test_collections_combine_with_search_and_unknown_collection_is_ignored(toko, f):
    buyer = f.pembeli()
    assert _names(catalog.cari(buyer, koleksi="tkdn", q="laptop")) == ["Laptop PDN Non UMKM"]
    assert catalog.cari(buyer, koleksi="xyz").total == 5


def test_three_level_browse(toko, f):
    buyer = f.pembeli()
    root, l2, k3 = kategori_tiga()
    # a level-1 category finds the level-3 product
    assert "Meja TKDN" in _names(catalog.cari(buyer, kategori_id=root.id))
    top = catalog.jelajah(None)
    assert top.kategori is None and {k.level for k in top.anak} == {1} and root in top.anak
    at_root = catalog.jelajah(root.id)
    assert at_root.jejak == [root] and l2 in at_root.anak and all(k.level == 2 for k in at_root.anak)
    leaf = catalog.jelajah(k3.id)
    assert leaf.jejak == [root, l2, k3] and leaf.anak == []
    assert catalog.jelajah(10**6).kategori is None  # an unknown id browses from the top


# --- the PP's cart -------------------------------------------------------------------------------------


@pytest.fixture
def pp_cart(f):
    satker = f.satker("satker")
    pp = f.user("PP", satker=satker)
    ppk = f.user("PPK", satker=satker)
    penyedia = f.penyedia()
    f.penyedia_user(penyedia)  # someone at the supplier answers Katalog orders
    kaos = f.produk(penyedia, nama="Kaos Seragam", harga=80_000, min_pesan=5, max_pesan=100, stok=60)
    kaos.varian.extend([ProdukVarian(nama="Ukuran S-XL", harga=80_000), ProdukVarian(nama="XXL", harga=90_000)])
    kaos.layanan_tambahan.append(LayananTambahan(nama="Sablon Logo", harga=250_000))
    kaos.layanan_tambahan.append(LayananTambahan(nama="Antar ke Lokasi", harga=100_000))
    rup = Rup(kode="RUP-K1", nama="Belanja Seragam", tahun=2026, satker_id=satker.id, pagu=50_000_000, terpakai=0)
    db.session.add(rup)
    db.session.commit()
    return dict(satker=satker, pp=pp, ppk=ppk, penyedia=penyedia, kaos=kaos, rup=rup)


def detail(c, **kw):
    args = dict(
        dokumen_persiapan=("persiapan.pdf", pdf_bytes("Dokumen persiapan")),
        rup_id=c["rup"].id,
        ppk_id=c["ppk"].id,
        alamat_kirim="Jl. Gatot Subroto Kav. 40-41, Jakarta Selatan",
        jenis_pengiriman="Dikirim ke alamat satuan kerja",
        tanggal_tiba_diminta=clock.today_local() + timedelta(days=10),
        opsi_kirim="kurir_penyedia",
    )
    args.update(kw)
    return args


def _cart_count():
    db.session.expire_all()
    return db.session.execute(select(func.count(KeranjangKatalog.id))).scalar_one()


def test_variant_price_and_services_reach_the_order_and_the_cart_empties(pp_cart):
    c = pp_cart
    xxl = c["kaos"].varian[1]
    sablon, antar = c["kaos"].layanan_tambahan
    line = keranjang.tambah(c["pp"], c["kaos"].id, 10, varian_id=xxl.id, layanan_ids=[str(sablon.id), sablon.id])
    assert (line.qty, line.harga_satuan, line.layanan_ids, line.perkiraan) == (10, 90_000, [sablon.id], 1_150_000)
    # the same choice again adds to the line; another service set is another line
    keranjang.tambah(c["pp"], c["kaos"].id, 5, varian_id=xxl.id, layanan_ids=[sablon.id])
    other = keranjang.tambah(c["pp"], c["kaos"].id, 5, varian_id=c["kaos"].varian[0].id, layanan_ids=[antar.id])
    assert _cart_count() == 2 and db.session.get(KeranjangKatalog, line.id).qty == 15

    p = keranjang.checkout(c["pp"], [str(line.id), str(other.id)], **detail(c))
    item = next(i for i in p.items if i.varian_id == xxl.id)
    assert (item.nama, item.harga_katalog, item.harga, item.qty) == ("Kaos Seragam — XXL", 90_000, 90_000, 15)
    assert sorted((x.nama, x.harga) for x in p.layanan) == [("Antar ke Lokasi", 100_000), ("Sablon Logo", 250_000)]
    lines = 15 * 90_000 + 5 * 80_000
    # services are taxed like lines (PPN 11 % by default): 11 % of 350.000 = 38.500
    assert p.subtotal == lines + 350_000 and p.ppn == lines * 11 // 100 + 38_500
    assert _cart_count() == 0
    assert db.session.execute(select(func.count(KeranjangKatalogLayanan.id))).scalar_one() == 0


def test_variant_must_be_chosen_and_be_the_products_own(pp_cart, f):
    c = pp_cart
    with pytest.raises(DomainError, match="Pilih varian"):
        keranjang.tambah(c["pp"], c["kaos"].id, 5)
    stranger = f.produk(c["penyedia"], nama="Topi")
    stranger.varian.append(ProdukVarian(nama="Merah", harga=1))
    stranger.layanan_tambahan.append(LayananTambahan(nama="Bordir", harga=1))
    db.session.commit()
    with pytest.raises(DomainError, match="Varian tidak dikenal"):
        keranjang.tambah(c["pp"], c["kaos"].id, 5, varian_id=stranger.varian[0].id)
    with pytest.raises(DomainError, match="Layanan tambahan tidak dikenal"):
        keranjang.tambah(
            c["pp"], c["kaos"].id, 5, varian_id=c["kaos"].varian[0].id, layanan_ids=[stranger.layanan_tambahan[0].id]
        )
    # the checkout applies the same rules to rows posted without the cart
    with pytest.raises(DomainError, match="Pilih varian"):
        katalog.checkout.checkout(c["pp"], lines=[{"produk_id": c["kaos"].id, "qty": 5}], **detail(c))
    assert _cart_count() == 0 and db.session.query(PesananKatalog).count() == 0


@pytest.mark.parametrize(
    ("qty", "pesan"),
    [
        ("4", "harus antara 5 dan 100"),
        (101, "harus antara 5 dan 100"),
        (61, "Stok Kaos Seragam tersisa 60"),
        ("dua", "bilangan bulat"),
        ("0", "minimal 1"),
        ("99999999999999999999", "harus antara 5 dan 100"),
    ],
)
def test_cart_quantity_refusals(pp_cart, qty, pesan):
    c = pp_cart
    with pytest.raises(DomainError, match=pesan):
        keranjang.tambah(c["pp"], c["kaos"].id, qty, varian_id=c["kaos"].varian[0].id)
    assert _cart_count() == 0


def test_adding_again_and_changing_keep_the_rules(pp_cart):
    c = pp_cart
    s = c["kaos"].varian[0].id
    line = keranjang.tambah(c["pp"], c["kaos"].id, 40, varian_id=s)
    with pytest.raises(DomainError, match="tersisa 60"):
        keranjang.tambah(c["pp"], c["kaos"].id, 30, varian_id=s)  # 70 > stock
    with pytest.raises(DomainError, match="antara 5 dan 100"):
        keranjang.ubah(c["pp"], line.id, 3)
    keranjang.ubah(c["pp"], line.id, 20)
    assert db.session.get(KeranjangKatalog, line.id).qty == 20
    # two variants of one Ready Stock product share its stock at checkout
    keranjang.tambah(c["pp"], c["kaos"].id, 45, varian_id=c["kaos"].varian[1].id)
    ids = [x.id for x in keranjang.baris(c["pp"])]
    with pytest.raises(DomainError, match="tersisa 60"):
        keranjang.checkout(c["pp"], ids, **detail(c))
    assert _cart_count() == 2


def test_lines_of_two_penyedia_are_refused_in_one_checkout(pp_cart, f):
    c = pp_cart
    a = keranjang.tambah(c["pp"], c["kaos"].id, 5, varian_id=c["kaos"].varian[0].id)
    other = f.produk(f.penyedia_user().penyedia, nama="Snack Box", min_pesan=1)
    b = keranjang.tambah(c["pp"], other.id, 3)
    groups = keranjang.per_penyedia(keranjang.baris(c["pp"]))
    assert len(groups) == 2 and all(len(lines) == 1 for _, lines in groups)
    with pytest.raises(DomainError, match="satu Penyedia"):
        keranjang.checkout(c["pp"], [a.id, b.id], **detail(c))
    assert _cart_count() == 2 and db.session.query(PesananKatalog).count() == 0
    assert db.session.get(Rup, c["rup"].id).terpakai == 0
    p = keranjang.checkout(c["pp"], [b.id], **detail(c))
    assert p.penyedia_id == other.penyedia_id and [x.id for x in keranjang.baris(c["pp"])] == [a.id]


def test_another_users_cart_line_is_not_found(pp_cart, f):
    c = pp_cart
    colleague = f.user("PP", satker=c["satker"])
    line = keranjang.tambah(colleague, c["kaos"].id, 5, varian_id=c["kaos"].varian[0].id)
    for call in (
        lambda: keranjang.checkout(c["pp"], [line.id], **detail(c)),
        lambda: keranjang.ubah(c["pp"], line.id, 6),
        lambda: keranjang.hapus(c["pp"], line.id),
        lambda: keranjang.ambil(c["pp"], "x"),
    ):
        with pytest.raises(NotFound):
            call()
    assert keranjang.baris(c["pp"]) == [] and _cart_count() == 1
    # even straight to the service: a line that is not the PP's is never deleted by its checkout
    with pytest.raises(Conflict):
        katalog.checkout.checkout(
            c["pp"],
            lines=[{"produk_id": c["kaos"].id, "qty": 5, "varian_id": c["kaos"].varian[0].id}],
            keranjang_ids=[line.id],
            **detail(c),
        )
    assert _cart_count() == 1 and db.session.query(PesananKatalog).count() == 0


def test_failed_checkout_keeps_the_cart_and_a_second_checkout_of_the_same_lines_fails(pp_cart):
    c = pp_cart
    line = keranjang.tambah(c["pp"], c["kaos"].id, 50, varian_id=c["kaos"].varian[1].id)
    c["rup"].pagu = 1_000_000
    db.session.commit()
    with pytest.raises(DomainError, match="RUP-K1"):
        keranjang.checkout(c["pp"], [line.id], **detail(c))  # 4.995.000 > pagu
    assert _cart_count() == 1
    c["rup"].pagu = 50_000_000
    db.session.commit()
    keranjang.checkout(c["pp"], [line.id], **detail(c))
    with pytest.raises(NotFound):
        keranjang.checkout(c["pp"], [line.id], **detail(c))
    assert db.session.query(PesananKatalog).count() == 1


@pytest.mark.parametrize("role", ["Pembeli", "Penyedia", "PPK"])
def test_only_a_pp_has_a_katalog_cart(pp_cart, f, role):
    c = pp_cart
    user = f.penyedia_user() if role == "Penyedia" else f.user(role, satker=c["satker"])
    with pytest.raises(Forbidden):
        keranjang.tambah(user, c["kaos"].id, 5, varian_id=c["kaos"].varian[0].id)
    with pytest.raises(Forbidden):
        keranjang.baris(user)
    assert _cart_count() == 0
