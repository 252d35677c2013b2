"""Penyedia products, Admin approval and the buyer's address book over HTTP."""

from sqlalchemy import select

from app.extensions import db
from app.models import Alamat, Produk, Wilayah


def _fresh(model, pk):
    db.session.expire_all()
    return db.session.get(model, pk)


def test_penyedia_adds_product_with_indonesian_price_then_admin_approves(app, f, login):
    penyedia = f.penyedia()
    user = f.penyedia_user(penyedia)
    c = login(user, app.test_client())
    kategori = f.kategori()
    form = {
        "nama": "Kue Lapis Legit",
        "kategori": str(kategori.id),
        "harga": "Rp 125.000",
        "ppn_persen": "11",
        "ppnbm_persen": "0",
        "min_pesan": "5",
        "max_pesan": "100",
        "stok": "300",
        "ketersediaan": "h1",
        "satuan": "loyang",
        "deskripsi": "Kue lapis legit premium.",
    }
    resp = c.post("/produk-saya/add", data=form)
    assert resp.status_code == 302, resp.data[:2000]
    produk = db.session.execute(select(Produk).where(Produk.nama == "Kue Lapis Legit")).scalar_one()
    assert (produk.harga, produk.penyedia_id, produk.status) == (125_000, penyedia.id, "draft")
    assert str(produk.ppn_persen) == "11.00"

    resp = c.post("/produk-saya/action_post", data={"action": "ajukan", "rowid": [str(produk.id)]})
    assert resp.status_code == 302 and _fresh(Produk, produk.id).status == "diajukan"
    # no edits while it waits for review
    c.post(f"/produk-saya/edit/{produk.id}", data={**form, "harga": "1"})
    assert _fresh(Produk, produk.id).harga == 125_000

    buyer = login(f.pembeli(), app.test_client())
    assert buyer.get(f"/toko/produk/{produk.id}").status_code == 404  # not Tayang yet

    admin = login(f.user("Admin"), app.test_client())
    queue = admin.get("/persetujuan-produk/list/")
    assert b"Kue Lapis Legit" in queue.data
    resp = admin.post("/persetujuan-produk/action_post", data={"action": "setujui", "rowid": [str(produk.id)]})
    assert resp.status_code == 302 and _fresh(Produk, produk.id).status == "tayang"
    page = buyer.get(f"/toko/produk/{produk.id}")
    assert page.status_code == 200 and b"Rp 125.000" in page.data.replace(b"\xc2\xa0", b" ")


def test_bad_price_is_refused_with_a_message(app, f, login):
    c = login(f.penyedia_user(), app.test_client())
    resp = c.post(
        "/produk-saya/add",
        data={"nama": "X", "kategori": str(f.kategori().id), "harga": "seratus", "min_pesan": "1", "max_pesan": "2"},
    )
    assert resp.status_code == 400 and b"1.250.000" in resp.data  # the form again, with the example
    assert db.session.query(Produk).count() == 0


def test_admin_rejects_with_reason(app, f, login):
    produk = f.produk(f.penyedia(), status="diajukan")
    admin = login(f.user("Admin"), app.test_client())
    admin.post(f"/persetujuan-produk/tolak/{produk.id}", data={"alasan": ""})
    assert _fresh(Produk, produk.id).status == "diajukan"
    admin.post(f"/persetujuan-produk/tolak/{produk.id}", data={"alasan": "Harga tidak wajar"})
    p = _fresh(Produk, produk.id)
    assert (p.status, p.alasan_tolak) == ("ditolak", "Harga tidak wajar")


def test_refusal_form_is_drawn_from_the_listing_table(app, f, login):
    """The show page offers Tolak (panel "alasan" of catalog.PRODUK) only while the product waits for approval."""
    penyedia = f.penyedia()
    waiting, listed = f.produk(penyedia, status="diajukan"), f.produk(penyedia, status="tayang")
    admin = login(f.user("Admin"), app.test_client())
    html = admin.get(f"/persetujuan-produk/show/{waiting.id}").data.decode()
    assert 'id="form-tolak"' in html and 'data-aksi="tolak"' in html
    assert 'id="form-tolak"' not in admin.get(f"/persetujuan-produk/show/{listed.id}").data.decode()


def test_penyedia_withdraws_a_listed_product(app, f, login):
    penyedia = f.penyedia()
    listed = f.produk(penyedia, status="tayang")
    other = f.produk(f.penyedia(), status="tayang")
    c = login(f.penyedia_user(penyedia), app.test_client())
    resp = c.post("/produk-saya/action_post", data={"action": "tarik", "rowid": [str(other.id)]})
    assert resp.status_code == 404 and _fresh(Produk, other.id).status == "tayang"  # another company's: not found
    c.post("/produk-saya/action_post", data={"action": "tarik", "rowid": [str(listed.id)]})
    assert _fresh(Produk, listed.id).status == "draft"


def test_pembeli_adds_address_with_region_chain(app, f, login):
    user = f.pembeli()
    old = f.alamat(user, jenis="utama")
    c = login(user, app.test_client())
    kel = (
        db.session.execute(select(Wilayah).where(Wilayah.level == "kelurahan", Wilayah.code.like("31.75.%")))
        .scalars()
        .first()
    )
    kec = db.session.get(Wilayah, kel.parent_code)
    form = {
        "nama": "Gedung Baru",
        "jenis": "utama",
        "jalan": "Jl. Pemuda No. 10",
        "provinsi_code": "31",
        "kota_code": kec.parent_code,
        "kecamatan_code": kec.code,
        "kelurahan_code": kel.code,
        "kode_pos": "13220",
        "latitude": "-6.193000",
        "longitude": "106.889000",
    }
    assert c.get("/alamat/add").status_code == 200
    resp = c.post("/alamat/add", data={**form, "kode_pos": "132"}, follow_redirects=True)
    assert b"5 angka" in resp.data
    assert db.session.query(Alamat).count() == 1
    resp = c.post("/alamat/add", data=form)
    assert resp.status_code == 302
    new = db.session.execute(select(Alamat).where(Alamat.nama == "Gedung Baru")).scalar_one()
    assert (new.jenis, new.user_id, round(new.latitude, 3)) == ("utama", user.id, -6.193)
    assert _fresh(Alamat, old.id).jenis == "kegiatan"


def test_admin_links_a_user_to_one_organisation(app, f, login):
    from app.models import PortalUser

    admin = login(f.user("Admin"), app.test_client())
    satker, penyedia = f.satker(), f.penyedia()
    role = app.appbuilder.sm.find_role("Pembeli")
    base = {
        "first_name": "Sari",
        "last_name": "Wulandari",
        "username": "sari",
        "email": "sari@bumd.local",
        "nrk": "200101",
        "active": "y",
        "roles": [str(role.id)],
        "password": "Rahasia-Uji-2026",
        "conf_password": "Rahasia-Uji-2026",
    }
    # Each refused add leaves FAB's half-built user in this test's shared session: roll it back.
    admin.post("/users/add", data={**base, "satker": str(satker.id), "penyedia": str(penyedia.id)})
    db.session.rollback()
    admin.post("/users/add", data=base)  # a buyer without a satker
    db.session.rollback()
    assert db.session.query(PortalUser).filter_by(username="sari").count() == 0
    resp = admin.post("/users/add", data={**base, "satker": str(satker.id)})
    assert resp.status_code == 302
    user = db.session.query(PortalUser).filter_by(username="sari").one()
    assert (user.satker_id, user.nrk) == (satker.id, "200101")


def test_product_photo_checked_by_content_and_served_only_to_those_who_see_it(app, f, login):
    import io

    from tests.factories import png_bytes

    penyedia = f.penyedia()
    user = f.penyedia_user(penyedia)
    c = login(user, app.test_client())
    form = {
        "nama": "Tas Anyaman",
        "kategori": str(f.kategori().id),
        "harga": "75.000",
        "ppn_persen": "11",
        "ppnbm_persen": "0",
        "min_pesan": "1",
        "max_pesan": "10",
        "stok": "20",
        "ketersediaan": "ready",
        "satuan": "buah",
        "deskripsi": "Tas anyaman pandan.",
    }
    fake = {**form, "foto": (io.BytesIO(b"%PDF-1.4 not an image %%EOF"), "foto.png")}
    c.post("/produk-saya/add", data=fake, content_type="multipart/form-data")
    assert db.session.query(Produk).count() == 0
    real = {**form, "foto": (io.BytesIO(png_bytes()), "foto.png")}
    assert c.post("/produk-saya/add", data=real, content_type="multipart/form-data").status_code == 302
    produk = db.session.execute(select(Produk)).scalar_one()
    assert produk.gambar
    assert c.get(f"/toko/produk/{produk.id}/foto").mimetype == "image/png"  # the owner sees its Draft's photo
    buyer = login(f.pembeli(), app.test_client())
    assert buyer.get(f"/toko/produk/{produk.id}/foto").status_code == 404  # Draft: not for buyers
    other = login(f.penyedia_user(), app.test_client())
    assert other.get(f"/toko/produk/{produk.id}/foto").status_code == 404
