"""Product listing workflow and the shop search."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, Produk, Wilayah
from app.services import catalog
from app.services.errors import Conflict, DomainError, Forbidden, NotFound


def test_listing_workflow(f):
    penyedia = f.penyedia()
    user = f.penyedia_user(penyedia)
    admin = f.user("Admin")
    p = f.produk(penyedia, status="draft")
    with pytest.raises(Forbidden):
        catalog.jalankan(p.id, "setujui", user)
    assert catalog.jalankan(p.id, "ajukan", user).status == "diajukan"
    with pytest.raises(Conflict):
        catalog.jalankan(p.id, "ajukan", user)
    with pytest.raises(DomainError):
        catalog.jalankan(p.id, "tolak", admin, alasan="")
    p = catalog.jalankan(p.id, "tolak", admin, alasan="Foto kurang jelas")
    assert (p.status, p.alasan_tolak) == ("ditolak", "Foto kurang jelas")
    assert catalog.jalankan(p.id, "ajukan", user).alasan_tolak is None
    assert catalog.jalankan(p.id, "setujui", admin).status == "tayang"
    assert db.session.query(AuditLog).filter_by(entity="produk", entity_id=p.id).count() == 4


def test_other_supplier_cannot_submit(f):
    p = f.produk(f.penyedia(), status="draft")
    with pytest.raises(NotFound):
        catalog.jalankan(p.id, "ajukan", f.penyedia_user())


def test_incomplete_product_cannot_be_submitted(f):
    penyedia = f.penyedia()
    p = f.produk(penyedia, status="draft", deskripsi="")
    with pytest.raises(DomainError):
        catalog.jalankan(p.id, "ajukan", f.penyedia_user(penyedia))


@pytest.fixture
def shop(f):
    a = f.penyedia(nama="Kedai Bakso Andrew")
    b = f.penyedia(nama="Konveksi Berkah")
    items = [
        f.produk(a, nama="Snack Box Gurih", harga=25_000, ketersediaan="ready"),
        f.produk(a, nama="Nasi Kotak", harga=35_000, ketersediaan="h1", rating_total=9, rating_count=2),
        f.produk(b, nama="Kaos Seragam", harga=85_000, ketersediaan="po", rating_total=3, rating_count=1),
        f.produk(b, nama="Kemeja Batik", harga=150_000, status="draft"),
    ]
    return dict(buyer=f.pembeli(), items=items)


def _names(page):
    return [p.nama for p in page.items]


def test_search_by_product_and_supplier_name(shop):
    buyer = shop["buyer"]
    assert sorted(_names(catalog.cari(buyer, q="andrew"))) == ["Nasi Kotak", "Snack Box Gurih"]
    assert _names(catalog.cari(buyer, q="kaos")) == ["Kaos Seragam"]
    assert _names(catalog.cari(buyer, q="batik")) == []  # Draft is never shown


def test_filters_and_sorts(shop):
    buyer = shop["buyer"]
    assert _names(catalog.cari(buyer, ketersediaan="h1")) == ["Nasi Kotak"]
    assert _names(catalog.cari(buyer, harga_min=30_000, harga_max=90_000, sort="harga_asc")) == [
        "Nasi Kotak",
        "Kaos Seragam",
    ]
    assert _names(catalog.cari(buyer, sort="harga_desc"))[0] == "Kaos Seragam"


def test_rating_filter_and_sort_use_the_rating_the_card_shows(shop):
    """The cards show the UMKM's rating; `?rating_min=4` once showed a ★3.0 UMKM's product because it
    filtered by the product's own (hidden) rating. Now filter and sort use the UMKM's."""
    buyer = shop["buyer"]
    a, b = shop["items"][0].penyedia, shop["items"][2].penyedia
    a.rating_total, a.rating_count = 9, 2  # ★4,5
    b.rating_total, b.rating_count = 3, 1  # ★3,0 — its Kaos Seragam has a product rating of 3.0 as well
    shop["items"][2].rating_total, shop["items"][2].rating_count = 10, 2  # hidden product rating 5.0
    db.session.commit()
    assert sorted(_names(catalog.cari(buyer, rating_min=4))) == ["Nasi Kotak", "Snack Box Gurih"]
    assert "Kaos Seragam" in _names(catalog.cari(buyer, rating_min=3))
    assert _names(catalog.cari(buyer, sort="rating"))[-1] == "Kaos Seragam"


def test_region_filter_by_the_suppliers_kota(shop, f):
    buyer = shop["buyer"]
    a = shop["items"][0].penyedia
    kel = (
        db.session.execute(select(Wilayah).where(Wilayah.level == "kelurahan", Wilayah.code.like("31.71.%")))
        .scalars()
        .first()
    )
    a.kelurahan_code = kel.code
    db.session.commit()
    kota = db.session.get(Wilayah, db.session.get(Wilayah, kel.parent_code).parent_code)
    assert sorted(_names(catalog.cari(buyer, kota=kota.code))) == ["Nasi Kotak", "Snack Box Gurih"]
    assert kota in catalog.kota_penyedia()
    assert _names(catalog.cari(buyer, kota="99.99")) == []  # an unknown region finds nothing, no error
    kategori = shop["items"][0].kategori
    parent = kategori.parent
    assert len(catalog.cari(buyer, kategori_id=parent.id).items) == 3  # any level: the parent finds its children


def test_pagination(shop):
    buyer = shop["buyer"]
    first = catalog.cari(buyer, per_page=2, page=1)
    second = catalog.cari(buyer, per_page=2, page=2)
    assert first.total == 3 and first.pages == 2
    assert len(first.items) == 2 and len(second.items) == 1
    assert not set(_names(first)) & set(_names(second))


def test_supplier_sees_only_its_own_products_in_scope(f):
    a, b = f.penyedia(), f.penyedia()
    mine = f.produk(a, status="draft")
    f.produk(b, status="draft")
    from sqlalchemy import select

    from app.services import scoping

    user = f.penyedia_user(a)
    rows = db.session.execute(scoping.scoped_select(Produk, user)).scalars().all()
    assert [p.id for p in rows] == [mine.id]
    assert db.session.execute(select(Produk)).scalars().all()  # sanity: both exist
