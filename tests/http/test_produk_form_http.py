"""Issue 16 item 8: Produk Saya's one form: product, photos, variants and services in one POST."""

import io
import os
import re

import pytest
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.models import LayananTambahan, Produk, ProdukFoto, ProdukVarian, UsulanVarianLayanan
from tests.factories import png_bytes


def _fresh(model, pk):
    db.session.expire_all()
    return db.session.get(model, pk)


def _jpeg():
    buf = io.BytesIO()
    Image.new("RGB", (8, 6), "blue").save(buf, "JPEG")
    return buf.getvalue()


def _form(kategori, **kw):
    data = {
        "nama": "Nasi Kotak Ayam Bakar",
        "kategori": str(kategori.id),
        "deskripsi": "Nasi, ayam bakar, lalapan, sambal.",
        "harga": "1.250.000",
        "satuan": "paket",
        "stok": "1.000",
        "min_pesan": "10",
        "max_pesan": "500",
        "ketersediaan": "h1",
        "ppn_persen": "11",
        "ppnbm_persen": "0",
        "tkdn_persen": "45,5",
        "is_pdn": "y",
        # rows as the page names them; the gap (0, 2) is a row removed in the browser before sending
        "varian-0-nama": "Paket Kecil",
        "varian-0-harga": "950.000",
        "varian-0-stok": "",
        "varian-0-aktif": "1",
        "varian-2-nama": "Paket Besar",
        "varian-2-harga": "Rp 1.500.000",
        "varian-2-stok": "200",
        "varian-2-aktif": "1",
        "layanan-0-nama": "Antar ke lokasi",
        "layanan-0-harga": "75.000",
        "layanan-0-ppn_persen": "11",
        "layanan-0-ppnbm_persen": "0",
        "layanan-0-aktif": "1",
    }
    data.update(kw)
    return data


def _with_photos(data, *photos):
    data = dict(data)
    data["foto"] = [(io.BytesIO(body), name) for name, body in photos]
    return data


@pytest.fixture
def penyedia_client(app, f, login):
    penyedia = f.penyedia()
    user = f.penyedia_user(penyedia)
    return penyedia, login(user, app.test_client())


def test_the_form_page_is_one_page_with_every_section(app, f, penyedia_client):
    _p, c = penyedia_client
    resp = c.get("/produk-saya/add")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    for part in ("bagian-foto", "bagian-informasi", "bagian-harga", "bagian-varian", "bagian-layanan"):
        assert f'id="{part}"' in html
    assert 'type="file" id="foto" name="foto" accept="image/jpeg,image/png" multiple' in html
    assert 'id="tambah-varian"' in html and 'id="tambah-layanan"' in html
    assert 'inputmode="numeric"' in html and 'placeholder="1.250.000"' in html
    assert '<meta name="viewport"' in html  # phone-sized


def test_add_with_two_photos_two_variants_and_one_service_in_one_post(app, f, penyedia_client):
    penyedia, c = penyedia_client
    data = _with_photos(_form(f.kategori()), ("depan.jpg", _jpeg()), ("samping.png", png_bytes()))
    resp = c.post("/produk-saya/add", data=data, content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    produk = db.session.execute(select(Produk)).scalar_one()
    assert (produk.nama, produk.harga, produk.stok, produk.status) == (
        "Nasi Kotak Ayam Bakar",
        1_250_000,
        1000,
        "draft",
    )
    assert produk.penyedia_id == penyedia.id and str(produk.tkdn_persen) == "45.50"
    assert resp.headers["Location"].endswith(f"/produk-saya/show/{produk.id}")
    # two photos: the cover on the product, the second after it
    extra = db.session.execute(select(ProdukFoto).where(ProdukFoto.produk_id == produk.id)).scalars().all()
    assert produk.gambar and len(extra) == 1
    assert c.get(f"/produk-saya/{produk.id}/foto/utama").mimetype == "image/jpeg"
    assert c.get(f"/produk-saya/{produk.id}/foto/{extra[0].id}").mimetype == "image/png"
    # variants and the service wait in the pending change, reviewed with the product
    assert db.session.query(ProdukVarian).count() == 0
    assert db.session.query(UsulanVarianLayanan).filter_by(produk_id=produk.id).count() == 1

    c.post("/produk-saya/action_post", data={"action": "ajukan", "rowid": [str(produk.id)]})
    admin = c.application.test_client()
    admin.post("/logout/")
    from tests.conftest import PASSWORD

    admin_user = f.user("Admin")
    admin.post("/login/", data={"username": admin_user.username, "password": PASSWORD})
    show = admin.get(f"/persetujuan-produk/show/{produk.id}").get_data(as_text=True)
    assert "Paket Kecil" in show and "Antar ke lokasi" in show
    admin.post("/persetujuan-produk/action_post", data={"action": "setujui", "rowid": [str(produk.id)]})
    assert _fresh(Produk, produk.id).status == "tayang"
    varian = db.session.execute(select(ProdukVarian).order_by(ProdukVarian.id)).scalars().all()
    assert [(v.nama, v.harga, v.stok) for v in varian] == [
        ("Paket Kecil", 950_000, None),
        ("Paket Besar", 1_500_000, 200),
    ]
    layanan = db.session.execute(select(LayananTambahan)).scalar_one()
    assert (layanan.nama, layanan.harga, str(layanan.ppn_persen)) == ("Antar ke lokasi", 75_000, "11.00")


def test_a_bad_variant_price_refuses_everything_and_keeps_the_input(app, f, penyedia_client):
    _p, c = penyedia_client
    files_before = set(os.listdir(app.config["UPLOAD_DIR"])) if os.path.isdir(app.config["UPLOAD_DIR"]) else set()
    data = _with_photos(_form(f.kategori(), **{"varian-2-harga": "mahal"}), ("depan.jpg", _jpeg()))
    resp = c.post("/produk-saya/add", data=data, content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert db.session.query(Produk).count() == 0 and db.session.query(UsulanVarianLayanan).count() == 0
    after = set(os.listdir(app.config["UPLOAD_DIR"])) if os.path.isdir(app.config["UPLOAD_DIR"]) else set()
    assert after == files_before  # no photo written for a refused product
    # what is wrong, in the row where it is wrong
    row = re.search(
        r'<div class="baris-isian[^"]*has-error[^"]*"[^>]*id="baris-varian-2".*?</div>\s*</div>', html, re.S
    )
    assert row and "Harga tidak valid" in html
    # the typed input stays: product fields, both variants (with the wrong value), the service
    for typed in ('value="Nasi Kotak Ayam Bakar"', 'value="1.250.000"', 'value="Paket Kecil"', 'value="mahal"',
                  'value="Antar ke lokasi"', 'value="45,5"'):  # fmt: skip
        assert typed in html, typed
    assert "pilih fotonya lagi" in html  # a browser never refills a file input: the page says so


def test_a_product_field_error_and_a_row_error_are_both_shown(app, f, penyedia_client):
    _p, c = penyedia_client
    data = _form(f.kategori(), harga="seratus", **{"layanan-0-ppn_persen": "150"})
    html = c.post("/produk-saya/add", data=data).get_data(as_text=True)
    assert "contoh 1.250.000" in html and "Persentase pajak tidak valid" in html
    assert db.session.query(Produk).count() == 0


def test_the_service_rules_are_the_services(app, f, penyedia_client):
    """min > max is catalog.periksa_produk's rule: the form shows its message, not a database error."""
    _p, c = penyedia_client
    resp = c.post("/produk-saya/add", data=_form(f.kategori(), min_pesan="50", max_pesan="5"))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "Maksimal pesan tidak boleh kurang dari minimal pesan" in html
    assert "CHECK" not in html and db.session.query(Produk).count() == 0


def test_two_variants_of_one_name_are_refused(app, f, penyedia_client):
    _p, c = penyedia_client
    resp = c.post("/produk-saya/add", data=_form(f.kategori(), **{"varian-2-nama": "paket kecil"}))
    assert resp.status_code == 400 and "sudah dipakai di produk ini" in resp.get_data(as_text=True)
    assert db.session.query(Produk).count() == 0


@pytest.mark.parametrize(
    "photos, pesan",
    [
        ([("palsu.png", b"%PDF-1.4 bukan gambar %%EOF")], "palsu.png: Berkas harus berupa"),
        ([(f"f{i}.png", png_bytes()) for i in range(6)], "Paling banyak 5 foto"),
    ],
)
def test_bad_photos_are_refused_with_a_message(app, f, penyedia_client, photos, pesan):
    _p, c = penyedia_client
    resp = c.post(
        "/produk-saya/add", data=_with_photos(_form(f.kategori()), *photos), content_type="multipart/form-data"
    )
    assert resp.status_code == 400 and pesan in resp.get_data(as_text=True)
    assert db.session.query(Produk).count() == 0


def test_empty_new_rows_are_skipped(app, f, penyedia_client):
    _p, c = penyedia_client
    data = _form(
        f.kategori(), **{"varian-5-nama": "", "varian-5-harga": "", "varian-5-stok": "", "varian-5-aktif": "1"}
    )
    assert c.post("/produk-saya/add", data=data).status_code == 302
    produk = db.session.execute(select(Produk)).scalar_one()
    from app.services import catalog

    assert [x.nilai["nama"] for x in catalog.rincian_usulan(produk).varian] == ["Paket Kecil", "Paket Besar"]


def _saved(c, f):
    data = _with_photos(_form(f.kategori()), ("depan.jpg", _jpeg()), ("samping.png", png_bytes()))
    assert c.post("/produk-saya/add", data=data, content_type="multipart/form-data").status_code == 302
    return db.session.execute(select(Produk)).scalar_one()


def test_edit_shows_the_rows_then_changes_removes_and_adds_in_one_post(app, f, penyedia_client):
    from app.services import catalog

    _p, c = penyedia_client
    produk = _saved(c, f)
    html = c.get(f"/produk-saya/edit/{produk.id}").get_data(as_text=True)
    assert 'value="Paket Kecil"' in html and 'value="950.000"' in html and 'value="Antar ke lokasi"' in html
    assert 'value="1.250.000"' in html and 'value="45,5"' in html
    rows = catalog.rincian_usulan(produk)
    kecil, besar = rows.varian
    (antar,) = rows.layanan
    extra = db.session.execute(select(ProdukFoto)).scalar_one()
    data = {
        **{k: v for k, v in _form(f.kategori()).items() if not k.startswith(("varian-", "layanan-"))},
        "nama": "Nasi Kotak Ayam Bakar Spesial",
        "version": str(produk.version),
        "varian-0-kunci": kecil.kunci, "varian-0-nama": "Paket Kecil", "varian-0-harga": "990.000",
        "varian-0-aktif": "1",
        "varian-1-kunci": besar.kunci, "varian-1-nama": "Paket Besar", "varian-1-harga": "1.500.000",
        "varian-1-stok": "200", "varian-1-aktif": "1", "varian-1-hapus": "1",
        "varian-2-nama": "Paket Hemat", "varian-2-harga": "800.000", "varian-2-aktif": "1",
        "layanan-0-kunci": antar.kunci, "layanan-0-nama": "Antar ke lokasi", "layanan-0-harga": "75.000",
        "layanan-0-ppn_persen": "11", "layanan-0-ppnbm_persen": "0", "layanan-0-aktif": "1", "layanan-0-hapus": "1",
        "foto_hapus": "utama",
    }  # fmt: skip
    resp = c.post(f"/produk-saya/edit/{produk.id}", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    produk = _fresh(Produk, produk.id)
    assert produk.nama == "Nasi Kotak Ayam Bakar Spesial"
    after = catalog.rincian_usulan(produk)
    assert [(x.nilai["nama"], x.nilai["harga"]) for x in after.varian] == [
        ("Paket Kecil", 990_000),
        ("Paket Hemat", 800_000),
    ]
    assert after.layanan == []
    # the cover went: the second photo took its place
    assert produk.gambar == extra.stored_name and db.session.query(ProdukFoto).count() == 0


def test_an_edit_from_a_stale_page_is_refused(app, f, penyedia_client):
    _p, c = penyedia_client
    produk = _saved(c, f)
    data = {**_form(f.kategori()), "version": str(produk.version - 1), "nama": "Nama Lain"}
    resp = c.post(f"/produk-saya/edit/{produk.id}", data=data)
    assert resp.status_code == 409 and "baru saja diubah" in resp.get_data(as_text=True)
    assert _fresh(Produk, produk.id).nama == "Nasi Kotak Ayam Bakar"
    assert 'value="Nama Lain"' in resp.get_data(as_text=True)  # the typed input stays


def test_a_listed_product_is_not_edited(app, f, penyedia_client):
    penyedia, c = penyedia_client
    listed = f.produk(penyedia)
    resp = c.get(f"/produk-saya/edit/{listed.id}")
    assert resp.status_code == 302
    c.post(f"/produk-saya/edit/{listed.id}", data={**_form(f.kategori()), "version": str(listed.version)})
    assert _fresh(Produk, listed.id).nama == listed.nama


def test_another_penyedia_gets_404(app, f, penyedia_client, login):
    _p, c = penyedia_client
    produk = _saved(c, f)
    other = login(f.penyedia_user(), app.test_client())
    assert other.get(f"/produk-saya/edit/{produk.id}").status_code == 404
    data = {**_form(f.kategori()), "version": str(produk.version), "nama": "Diambil"}
    assert other.post(f"/produk-saya/edit/{produk.id}", data=data).status_code == 404
    assert other.get(f"/produk-saya/{produk.id}/foto/utama").status_code == 404
    assert _fresh(Produk, produk.id).nama == "Nasi Kotak Ayam Bakar"


def test_a_buyer_cannot_open_the_form(app, f, login):
    c = login(f.pembeli(), app.test_client())
    assert c.get("/produk-saya/add").status_code in (302, 403)
    assert c.post("/produk-saya/add", data={"nama": "X"}).status_code in (302, 403)
    assert db.session.query(Produk).count() == 0


def test_refusal_in_english(app, f, penyedia_client):
    _p, c = penyedia_client
    c.get("/lang/en")
    html = c.post("/produk-saya/add", data=_form(f.kategori(), **{"varian-2-harga": "mahal"})).get_data(as_text=True)
    assert "Product not saved" in html and "Photos" in html
