"""A UMKM owner on a phone adds a product with photos, variants and a service in one form (issue 16 item 8),
and a buyer pins an address on the map (item 6): the page's own script, not just the POST."""

import pytest
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.models import Produk, ProdukFoto
from app.services import catalog
from tests.browser.conftest import login, submit

pytestmark = pytest.mark.browser


def _jpeg(path, color):
    Image.new("RGB", (64, 48), color).save(path, "JPEG")
    return str(path)


def test_phone_owner_adds_a_product_with_rows_added_by_button(server, page, f, tmp_path):
    penyedia = f.penyedia()
    user = f.penyedia_user(penyedia)
    kategori = f.kategori()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, server, user.username)
    page.goto(f"{server}/produk-saya/add")
    page.fill("#nama", "Kopi Robusta Bubuk")
    page.select_option("#kategori", str(kategori.id))
    page.fill("#deskripsi", "Kopi robusta sangrai sedang, 250 gram.")
    page.fill("#harga", "")
    page.type("#harga", "1250000")
    assert page.input_value("#harga") == "1.250.000"  # the dots appear as the owner types
    page.fill("#stok", "40")
    page.set_input_files("#foto", [_jpeg(tmp_path / "a.jpg", "brown"), _jpeg(tmp_path / "b.jpg", "black")])
    page.wait_for_function("document.querySelectorAll('#pratinjau-foto img[src^=\"data:\"]').length === 2")
    for nama, harga in (("250 gram", "125000"), ("1 kg", "450000")):
        page.click("#tambah-varian")
        row = page.locator("#daftar-varian .baris-isian").last
        row.locator("input[name$='-nama']").fill(nama)
        row.locator("input[name$='-harga']").type(harga)
    # a third row added by mistake and removed again
    page.click("#tambah-varian")
    page.locator("#daftar-varian .baris-isian").last.locator(".tombol-hapus").click()
    assert page.locator("#daftar-varian .baris-isian").count() == 2
    page.click("#tambah-layanan")
    row = page.locator("#daftar-layanan .baris-isian").last
    row.locator("input[name$='-nama']").fill("Giling sesuai permintaan")
    row.locator("input[name$='-harga']").type("10000")
    submit(page, "#simpan-produk")
    assert "/produk-saya/show/" in page.url, page.content()[:3000]

    db.session.expire_all()
    produk = db.session.execute(select(Produk).where(Produk.nama == "Kopi Robusta Bubuk")).scalar_one()
    assert (produk.harga, produk.stok, produk.penyedia_id) == (1_250_000, 40, penyedia.id)
    assert produk.gambar and db.session.query(ProdukFoto).filter_by(produk_id=produk.id).count() == 1
    rincian = catalog.rincian_usulan(produk)
    assert [(x.nilai["nama"], x.nilai["harga"]) for x in rincian.varian] == [("250 gram", 125_000), ("1 kg", 450_000)]
    assert [x.nilai["nama"] for x in rincian.layanan] == ["Giling sesuai permintaan"]
    assert page.locator("#foto-produk img").count() == 2


def test_buyer_pins_the_address_and_sees_the_coordinates(server, page, f):
    user = f.pembeli()
    login(page, server, user.username)
    page.goto(f"{server}/alamat/add")
    assert page.input_value("#negara") == "Indonesia"
    assert page.input_value("#latitude") == "" and page.locator("input[name=latitude]").count() == 1
    page.locator("#peta").click(position={"x": 120, "y": 100})
    assert page.input_value("#latitude").startswith("-6,")
    assert page.input_value("#longitude").startswith("106,")
