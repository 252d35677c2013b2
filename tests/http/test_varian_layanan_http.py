"""The Penyedia's variants and services page (/produk-saya/<pk>/varian-layanan), the Admin's before/after
review and the shop over HTTP: changes wait for the Admin's approval; refusals say why, change nothing, 4xx."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import LayananTambahan, Produk, ProdukVarian, UsulanVarianLayanan


@pytest.fixture
def toko(f):
    penyedia = f.penyedia()
    user = f.penyedia_user(penyedia)
    produk = f.produk(penyedia, nama="Kaos Seragam", harga=80_000, min_pesan=1, stok=60)
    produk.varian.append(ProdukVarian(nama="Ukuran S-XL", harga=80_000))
    produk.layanan_tambahan.append(LayananTambahan(nama="Sablon Logo", harga=250_000))
    db.session.commit()
    pp = f.user("PP", satker=f.satker("satker"))
    return dict(produk=produk, user=user, penyedia=penyedia, pp=pp, admin=f.user("Admin"))


def _text(resp):
    return resp.data.decode().replace("\xa0", " ")


def _live(produk_id):
    db.session.expire_all()
    v = db.session.execute(select(ProdukVarian).where(ProdukVarian.produk_id == produk_id).order_by(ProdukVarian.id))
    x = db.session.execute(
        select(LayananTambahan).where(LayananTambahan.produk_id == produk_id).order_by(LayananTambahan.id)
    )
    return (
        [(r.nama, r.harga, r.stok, r.aktif) for r in v.scalars()],
        [(r.nama, r.harga, r.ppn_persen, r.aktif) for r in x.scalars()],
    )


AWAL = ([("Ukuran S-XL", 80_000, None, True)], [("Sablon Logo", 250_000, Decimal("11.00"), True)])


def _url(produk):
    return f"/produk-saya/{produk.id}/varian-layanan"


def _action(c, name, produk):
    resp = c.post("/produk-saya/action_post", data={"action": name, "rowid": [str(produk.id)]})
    assert resp.status_code == 302


def test_changes_reach_the_shop_only_when_the_admin_approves(app, toko, login):
    p = toko["produk"]
    sablon = p.layanan_tambahan[0]
    c = login(toko["user"], app.test_client())
    _action(c, "tarik", p)
    page = c.get(_url(p))
    assert page.status_code == 200 and "Ukuran S-XL" in _text(page) and 'id="tambah-varian"' in _text(page)
    resp = c.post(_url(p), data={"jenis": "varian", "aksi": "simpan", "nama": "XXL", "harga": "90.000",
                                 "stok": "5", "aktif": "1"})  # fmt: skip
    assert resp.status_code == 303
    layanan = {"nama": "Sablon Logo", "harga": "275.000", "ppn_persen": "12", "ppnbm_persen": "0", "aktif": "1"}
    resp = c.post(_url(p), data={"jenis": "layanan", "aksi": "simpan", "kunci": str(sablon.id), **layanan})
    assert resp.status_code == 303
    page = _text(c.get(_url(p)))
    assert 'id="ada-usulan"' in page and 'data-perubahan="baru"' in page
    assert _live(p.id) == AWAL  # nothing live yet

    shop = login(toko["pp"], app.test_client())
    assert shop.get(f"/katalog-toko/produk/{p.id}").status_code == 404  # Draft: not in the shop
    _action(c, "ajukan", p)

    admin = login(toko["admin"], app.test_client())
    review = _text(admin.get(f"/persetujuan-produk/show/{p.id}"))
    assert 'id="ada-usulan"' in review
    row = review.split(f'id="usulan-layanan-{sablon.id}"')[1].split("</tr>")[0]
    assert "Rp 250.000" in row and "Rp 275.000" in row and "PPN 11%" in row and "PPN 12%" in row
    assert 'id="usulan-varian-baru-1" data-perubahan="baru"' in review and "Rp 90.000" in review
    resp = admin.post("/persetujuan-produk/action_post", data={"action": "setujui", "rowid": [str(p.id)]})
    assert resp.status_code == 302

    assert _live(p.id) == (
        [("Ukuran S-XL", 80_000, None, True), ("XXL", 90_000, 5, True)],
        [("Sablon Logo", 275_000, Decimal("12.00"), True)],
    )
    page = _text(shop.get(f"/katalog-toko/produk/{p.id}"))
    assert "XXL" in page and "Rp 90.000" in page and "Rp 275.000" in page and "Rp 250.000" not in page


def test_refused_product_keeps_its_live_variants(app, toko, login):
    p = toko["produk"]
    c = login(toko["user"], app.test_client())
    _action(c, "tarik", p)
    v = p.varian[0]
    assert c.post(_url(p), data={"jenis": "varian", "aksi": "hapus", "kunci": str(v.id)}).status_code == 303
    _action(c, "ajukan", p)
    admin = login(toko["admin"], app.test_client())
    review = _text(admin.get(f"/persetujuan-produk/show/{p.id}"))
    assert f'id="usulan-varian-{v.id}" data-perubahan="hapus"' in review
    admin.post(f"/persetujuan-produk/tolak/{p.id}", data={"alasan": "Varian jangan dihapus"})
    assert _live(p.id) == AWAL
    page = _text(c.get(_url(p)))  # the change waits for the Penyedia to mend it
    assert 'id="ada-usulan"' in page and "Pulihkan" in page


def test_another_penyedia_gets_404_and_changes_nothing(app, toko, f, login):
    p = toko["produk"]
    c = login(toko["user"], app.test_client())
    _action(c, "tarik", p)
    stranger = login(f.penyedia_user(), app.test_client())
    assert stranger.get(_url(p)).status_code == 404
    resp = stranger.post(_url(p), data={"jenis": "varian", "aksi": "simpan", "nama": "XXL", "harga": "90.000"})
    assert resp.status_code == 404
    resp = stranger.post(_url(p), data={"jenis": "varian", "aksi": "hapus", "kunci": str(p.varian[0].id)})
    assert resp.status_code == 404
    assert db.session.query(UsulanVarianLayanan).count() == 0 and _live(p.id) == AWAL


def test_a_buyer_cannot_use_the_page(app, toko, login):
    p = toko["produk"]
    pp = login(toko["pp"], app.test_client())
    resp = pp.post(_url(p), data={"jenis": "varian", "aksi": "simpan", "nama": "XXL", "harga": "90.000"})
    assert resp.status_code in (302, 403, 404)
    assert db.session.query(UsulanVarianLayanan).count() == 0


@pytest.mark.parametrize(
    "data,pesan",
    [
        ({"jenis": "varian", "nama": "XXL", "harga": "10,5"}, "Harga tidak valid"),
        ({"jenis": "varian", "nama": "", "harga": "90.000"}, "Nama varian wajib diisi"),
        ({"jenis": "varian", "nama": "XXL", "harga": "90.000", "stok": "-3"}, "Stok varian tidak valid"),
        ({"jenis": "layanan", "nama": "Antar", "harga": "100.000", "ppn_persen": "101", "ppnbm_persen": "0"},
         "Persentase pajak tidak valid"),
        ({"jenis": "layanan", "nama": "Antar", "harga": "100.000", "ppn_persen": "11.123", "ppnbm_persen": "0"},
         "Persentase pajak tidak valid"),
        ({"jenis": "layanan", "nama": " ", "harga": "100.000", "ppn_persen": "11", "ppnbm_persen": "0"},
         "Nama layanan tambahan wajib diisi"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_message(app, toko, login, data, pesan):
    p = toko["produk"]
    c = login(toko["user"], app.test_client())
    _action(c, "tarik", p)
    resp = c.post(_url(p), data={**data, "aksi": "simpan", "aktif": "1"})
    assert resp.status_code == 400 and pesan in _text(resp)
    assert db.session.query(UsulanVarianLayanan).count() == 0 and _live(p.id) == AWAL


def test_a_listed_product_is_withdrawn_first(app, toko, login):
    p = toko["produk"]
    c = login(toko["user"], app.test_client())
    page = _text(c.get(_url(p)))
    assert 'id="tidak-dapat-diubah"' in page and 'id="tambah-varian"' not in page
    resp = c.post(_url(p), data={"jenis": "varian", "aksi": "simpan", "nama": "XXL", "harga": "90.000"})
    assert resp.status_code == 409 and "tarik produk dari tayang" in _text(resp)
    assert db.session.query(UsulanVarianLayanan).count() == 0
    assert db.session.get(Produk, p.id).status == "tayang"


def test_a_variant_on_an_order_cannot_be_deleted_only_deactivated(app, f, login):
    w = f.katalog_dunia()
    produk = w["produk"]
    produk.varian.append(ProdukVarian(nama="Besar", harga=150_000))
    db.session.commit()
    besar = produk.varian[0]
    f.katalog("menunggu_negosiasi", dunia=w, qty=2, lines=[{"produk_id": produk.id, "qty": 2, "varian_id": besar.id}])
    c = login(w["supplier"], app.test_client())
    _action(c, "tarik", produk)
    page = _text(c.get(_url(produk)))
    assert "Dipakai pesanan/keranjang" in page
    resp = c.post(_url(produk), data={"jenis": "varian", "aksi": "hapus", "kunci": str(besar.id)})
    assert resp.status_code == 409 and "nonaktifkan" in _text(resp)
    assert db.session.query(UsulanVarianLayanan).count() == 0
    # unticking Aktif is the way: after approval it is no longer offered, and the order keeps its reference
    resp = c.post(_url(produk), data={"jenis": "varian", "aksi": "simpan", "kunci": str(besar.id), "nama": "Besar",
                                      "harga": "150.000"})  # fmt: skip
    assert resp.status_code == 303
    _action(c, "ajukan", produk)
    admin = login(f.user("Admin"), app.test_client())
    admin.post("/persetujuan-produk/action_post", data={"action": "setujui", "rowid": [str(produk.id)]})
    assert _live(produk.id)[0] == [("Besar", 150_000, None, False)]
    shop = login(w["pp"], app.test_client())
    assert 'id="pilihan-varian"' not in _text(shop.get(f"/katalog-toko/produk/{produk.id}"))
