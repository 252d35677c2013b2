"""The PP's Katalog shop and cart over HTTP (browse → cart → checkout of ticked lines), and the collections
and category browse in both shops."""

import html
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import KeranjangKatalog, PesananKatalog, Wilayah
from app.services import clock
from app.services import keranjang_katalog as keranjang
from tests.factories import pdf_bytes
from tests.services import test_catalog_extras as extras

pp_cart, toko = extras.pp_cart, extras.toko  # the fixtures: a PP's satker with a product with variants; the collections
kategori_tiga = extras.kategori_tiga


def _text(resp):
    return html.unescape(resp.data.decode()).replace("\xa0", " ")


def _count(model):
    db.session.expire_all()
    return db.session.execute(select(func.count(model.id))).scalar_one()


def _form(c, ids, **kw):
    data = {
        "keranjang_id": [str(i) for i in ids],
        "rup_id": str(c["rup"].id),
        "ppk_id": str(c["ppk"].id),
        "alamat_kirim": "Jl. Gatot Subroto Kav. 40-41, Jakarta Selatan",
        "jenis_pengiriman": "Dikirim ke alamat satuan kerja",
        "tahapan_pengiriman": "1",
        "tanggal_tiba_diminta": (clock.today_local() + timedelta(days=10)).isoformat(),
        "opsi_kirim": "kurir_penyedia",
        "kurir_nama": "",
        "ongkir_estimasi": "",
        "estimasi_hari": "",
        "dokumen_persiapan": (io.BytesIO(pdf_bytes("Dokumen persiapan")), "persiapan.pdf"),
    }
    data.update(kw)
    return data


def _checkout(client, c, ids, **kw):
    return client.post("/katalog/checkout", data=_form(c, ids, **kw), content_type="multipart/form-data")


def test_pp_walks_browse_cart_checkout(app, pp_cart, login):
    c = pp_cart
    kaos = c["kaos"]
    s, xxl = kaos.varian
    sablon, _antar = kaos.layanan_tambahan
    pp = login(c["pp"], app.test_client())

    home = _text(pp.get("/"))
    assert "Belanja Katalog" in home and "Keranjang Katalog" in home  # menu Katalog

    shop = _text(pp.get("/katalog-toko/?q=kaos"))
    assert f'data-produk="{kaos.id}"' in shop and 'id="koleksi-tkdn"' in shop and 'id="jumlah-keranjang">0<' in shop

    page = _text(pp.get(f"/katalog-toko/produk/{kaos.id}"))
    assert f'id="varian-{xxl.id}"' in page and 'XXL — <span class="harga-varian">Rp 90.000' in page
    assert f'id="layanan-{sablon.id}"' in page and 'Sablon Logo — <span class="harga-layanan">Rp 250.000' in page
    assert "belum termasuk PPN 11%" in page  # a service is taxed like the product, at its own percentage
    assert 'id="tambah-keranjang"' in page and 'id="rating-penyedia"' in page

    resp = pp.post(
        f"/katalog-toko/produk/{kaos.id}/keranjang",
        data={"qty": "10", "varian_id": str(xxl.id), "layanan_id": [str(sablon.id)]},
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/katalog-toko/produk/{kaos.id}?masuk=1")
    stay = _text(pp.get(resp.headers["Location"]))
    assert 'href="/keranjang-katalog/" class="btn btn-primary btn-sm" id="lihat-keranjang"' in stay
    line = db.session.execute(select(KeranjangKatalog)).scalar_one()
    assert (line.user_id, line.qty, line.varian_id, line.layanan_ids) == (c["pp"].id, 10, xxl.id, [sablon.id])

    cart = _text(pp.get("/keranjang-katalog/"))
    assert f'id="penyedia-{c["penyedia"].id}"' in cart and f'id="pilih-{line.id}"' in cart
    assert "Rp 1.150.000" in cart  # 10 × 90.000 + Sablon Logo 250.000
    assert pp.post(f"/keranjang-katalog/{line.id}/ubah", data={"qty": "12"}).status_code == 302
    assert db.session.get(KeranjangKatalog, line.id).qty == 12

    page = _text(pp.get(f"/katalog/checkout?keranjang={line.id}"))
    assert f'id="keranjang-{line.id}" checked' in page and "Kaos Seragam — XXL" in page
    assert (
        'id="rup_cari"' in page and "RUP-K1" in page and "pagu Rp 50.000.000" in page and "sisa Rp 50.000.000" in page
    )
    assert f'value="{c["ppk"].id}"' in page

    resp = _checkout(pp, c, [line.id])
    assert resp.status_code == 302, _text(resp)[:3000]
    pk = int(re.search(r"/katalog/(\d+)$", resp.headers["Location"]).group(1))
    p = db.session.get(PesananKatalog, pk)
    assert [(i.nama, i.harga, i.qty, i.varian_id) for i in p.items] == [("Kaos Seragam — XXL", 90_000, 12, xxl.id)]
    assert [(x.nama, x.harga) for x in p.layanan] == [("Sablon Logo", 250_000)]
    assert _count(KeranjangKatalog) == 0
    assert 'id="keranjang-kosong"' in _text(pp.get("/keranjang-katalog/"))


def test_cart_quantity_refusal_is_a_clear_message(app, pp_cart, login):
    c = pp_cart
    pp = login(c["pp"], app.test_client())
    url = f"/katalog-toko/produk/{c['kaos'].id}/keranjang"
    resp = pp.post(url, data={"qty": "200", "varian_id": str(c["kaos"].varian[0].id)}, follow_redirects=True)
    assert "Jumlah pesanan Kaos Seragam harus antara 5 dan 100." in _text(resp)
    resp = pp.post(url, data={"qty": "10"}, follow_redirects=True)
    assert "Pilih varian Kaos Seragam." in _text(resp)
    assert _count(KeranjangKatalog) == 0


def test_two_penyedia_in_one_checkout_are_refused(app, pp_cart, f, login):
    c = pp_cart
    a = keranjang.tambah(c["pp"], c["kaos"].id, 5, varian_id=c["kaos"].varian[0].id)
    b = keranjang.tambah(c["pp"], f.produk(f.penyedia(), min_pesan=1).id, 2)
    pp = login(c["pp"], app.test_client())
    resp = _checkout(pp, c, [a.id, b.id])
    assert resp.status_code == 400 and "satu Penyedia" in _text(resp)
    assert _count(PesananKatalog) == 0 and _count(KeranjangKatalog) == 2


def test_another_users_cart_line_is_404(app, pp_cart, f, login):
    c = pp_cart
    colleague = f.user("PP", satker=c["satker"])
    line = keranjang.tambah(colleague, c["kaos"].id, 5, varian_id=c["kaos"].varian[0].id)
    pp = login(c["pp"], app.test_client())
    assert pp.get(f"/katalog/checkout?keranjang={line.id}").status_code == 404
    assert _checkout(pp, c, [line.id]).status_code == 404
    assert pp.post(f"/keranjang-katalog/{line.id}/ubah", data={"qty": "6"}).status_code == 404
    assert pp.post(f"/keranjang-katalog/{line.id}/hapus").status_code == 404
    assert f'data-keranjang="{line.id}"' not in _text(pp.get("/keranjang-katalog/"))
    assert _count(KeranjangKatalog) == 1 and _count(PesananKatalog) == 0


@pytest.mark.parametrize("role", ["Pembeli", "Penyedia", "PPK"])
def test_other_roles_cannot_use_the_pp_cart(app, pp_cart, f, login, role):
    c = pp_cart
    user = f.penyedia_user() if role == "Penyedia" else f.user(role, satker=c["satker"])
    client = login(user, app.test_client())
    assert client.get("/katalog-toko/").status_code == 403
    assert client.get(f"/katalog-toko/produk/{c['kaos'].id}").status_code == 403
    assert client.get("/keranjang-katalog/").status_code == 403
    resp = client.post(f"/katalog-toko/produk/{c['kaos'].id}/keranjang", data={"qty": "5"})
    assert resp.status_code == 403 and _count(KeranjangKatalog) == 0


def test_katalog_shop_collections_and_category_browse(app, toko, f, login):
    satker = f.satker("satker")
    pp = f.user("PP", satker=satker)
    client = login(pp, app.test_client())
    page = _text(client.get("/katalog-toko/?koleksi=tkdn"))
    assert "Meja TKDN" in page and "Batik UMKK" not in page and "TKDN 45,50%" in page
    page = _text(client.get("/katalog-toko/?koleksi=daerahmu"))
    assert 'id="hint-koleksi"' in page and "0 produk ditemukan" in page
    f.alamat(pp, jenis="utama")  # PPs keep addresses too (Pengaturan → Alamat)
    assert client.get("/alamat/list/").status_code == 200
    page = _text(client.get("/katalog-toko/?koleksi=daerahmu"))
    kota = db.session.get(Wilayah, extras.JAKPUS).nama
    assert 'id="daerah-koleksi"' in page and kota in page and "Meja TKDN" in page and "Laptop PDN Non UMKM" not in page
    root, l2, k3 = kategori_tiga()
    page = _text(client.get(f"/katalog-toko/?kategori={root.id}"))
    assert "Meja TKDN" in page and f'data-kategori="{l2.id}"' in page  # its children are links
    page = _text(client.get(f"/katalog-toko/?kategori={k3.id}"))
    trail = page[page.index('id="jejak-kategori"') : page.index("</ol>", page.index('id="jejak-kategori"'))]
    assert [root.nama, l2.nama, k3.nama] == [n for n in (root.nama, l2.nama, k3.nama) if n in trail]
    assert "Meja TKDN" in page and "Batik UMKK" not in page
    detail = _text(client.get(f"/katalog-toko/produk/{toko['tkdn'].id}"))
    assert 'id="tkdn">45,50%' in detail


def test_eorder_shop_has_collections_and_category_browse(app, toko, f, login):
    buyer = f.pembeli()
    client = login(buyer, app.test_client())
    page = _text(client.get("/toko/?koleksi=pdn_umkk"))
    assert "Batik UMKK" in page and "Printer Impor" not in page and 'id="koleksi-pdn_umkk"' in page
    page = _text(client.get("/toko/?koleksi=daerahmu"))
    assert "Pengaturan → Alamat" in page
    f.alamat(buyer, jenis="utama")
    page = _text(client.get("/toko/?koleksi=daerahmu&q=meja"))
    assert "Meja TKDN" in page and "1 produk ditemukan" in page
    root, _l2, _k3 = kategori_tiga()
    page = _text(client.get(f"/toko/?kategori={root.id}&koleksi=tkdn"))
    assert "Meja TKDN" in page and 'id="sub-kategori"' in page
    assert 'id="tkdn">45,50%' in _text(client.get(f"/toko/produk/{toko['tkdn'].id}"))
