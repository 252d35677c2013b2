"""A negotiated price never exceeds the catalogue price the order was checked out with (issue: Rp 850.000 was
accepted for a Rp 85.000 item): refused on the PP's proposal, the Penyedia's counter and the acceptance, with
a clear message, changing nothing; the catalogue price is shown beside every price input."""

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import PesananKatalog, PesananKatalogItem, ProdukVarian
from app.services import katalog
from app.services.errors import DomainError


def _fresh(pk):
    db.session.expire_all()
    return db.session.get(PesananKatalog, pk)


def test_pp_proposal_above_the_catalogue_is_refused(f):
    w = f.katalog("menunggu_negosiasi")  # product at Rp 100.000
    p = w["pesanan"]
    item = p.items[0].id
    with pytest.raises(DomainError) as e:
        katalog.jalankan(p.id, "ajukan_nego", w["pp"], harga={item: 100_001})
    assert "Rp 100.000" in str(e.value).replace("\xa0", " ") and "katalog" in str(e.value)
    after = _fresh(p.id)
    assert (after.status, after.version, after.items[0].harga) == ("menunggu_negosiasi", p.version, 100_000)
    # at the catalogue price exactly, or below, it is a proposal
    assert katalog.jalankan(p.id, "ajukan_nego", w["pp"], harga={item: 100_000}).status == "nego_pp"


def test_penyedia_counter_above_the_catalogue_is_refused(f):
    w = f.katalog("nego_pp")
    p = w["pesanan"]
    with pytest.raises(DomainError):
        katalog.jalankan(p.id, "tawar", w["supplier"], harga={p.items[0].id: 850_000})
    assert _fresh(p.id).status == "nego_pp"


def test_acceptance_rechecks_the_catalogue(f):
    w = f.katalog("nego_pp")
    p = w["pesanan"]
    # a price stored around the rule (an old order, a direct write) is caught when the deal is accepted
    db.session.execute(update(PesananKatalogItem).where(PesananKatalogItem.pesanan_id == p.id).values(harga=850_000))
    db.session.commit()
    with pytest.raises(DomainError):
        katalog.jalankan(p.id, "terima", w["supplier"])
    assert _fresh(p.id).status == "nego_pp"


def test_catalogue_price_beside_every_price_input(app, f, login):
    w = f.katalog("menunggu_negosiasi")
    p = w["pesanan"]
    html = login(w["pp"], app.test_client()).get(f"/katalog/{p.id}").data.decode().replace("\xa0", " ")
    assert f'name="harga_{p.items[0].id}"' in html
    assert "Harga katalog Rp 100.000" in html
    resp = login(w["pp"], app.test_client()).post(
        f"/katalog/{p.id}/aksi/ajukan_nego", data={f"harga_{p.items[0].id}": "Rp 850.000", "version": p.version}
    )
    assert resp.status_code == 400 and "melebihi harga katalog" in resp.data.decode()
    assert _fresh(p.id).status == "menunggu_negosiasi"


def test_lowest_price_is_per_variant(f):
    w = f.katalog_dunia()
    besar = ProdukVarian(produk_id=w["produk"].id, nama="Besar", harga=150_000)
    kecil = ProdukVarian(produk_id=w["produk"].id, nama="Kecil", harga=60_000)
    db.session.add_all([besar, kecil])
    db.session.commit()
    for varian, harga in ((besar, 140_000), (kecil, 55_000)):
        lines = [{"produk_id": w["produk"].id, "qty": 2, "varian_id": varian.id}]
        p = f.katalog_checkout(w, lines=lines)
        katalog.jalankan(p.id, "ajukan_nego", w["pp"], harga={p.items[0].id: harga})
        katalog.jalankan(p.id, "terima", w["supplier"])
    low = katalog.angka.harga_terendah
    assert (low(w["produk"].id, besar.id), low(w["produk"].id, kecil.id)) == (140_000, 55_000)
    assert low(w["produk"].id) is None  # the product itself (no variant) never sold


def test_no_order_with_a_penyedia_nobody_can_answer_for(app, f, login):
    w = f.katalog_dunia()
    w["supplier"].active = False
    db.session.commit()
    with pytest.raises(DomainError) as e:
        f.katalog_checkout(w)
    assert w["penyedia"].nama in str(e.value)
    assert db.session.query(PesananKatalog).count() == 0
    pp = login(w["pp"], app.test_client())
    link = f"/katalog-toko/produk/{w['produk'].id}"
    assert link not in pp.get(f"/katalog-toko/?q={w['produk'].nama}").data.decode()
    w["supplier"].active = True
    db.session.commit()
    assert link in pp.get(f"/katalog-toko/?q={w['produk'].nama}").data.decode()
    assert f.katalog_checkout(w).status == "menunggu_negosiasi"
