"""A real browser (Debian chromium driven by Playwright) walks the E-Order flow end to end."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Pesanan
from app.services import clock
from tests.browser.conftest import login as _login
from tests.browser.conftest import tick
from tests.factories import pdf_bytes

pytestmark = pytest.mark.browser


def test_eorder_from_cart_to_selesai(server, page, f, tmp_path):
    penyedia = f.penyedia(nama="Kedai Bakso Andrew")
    supplier = f.penyedia_user(penyedia)
    f.produk(penyedia, nama="Snack Box Gurih Andrew", min_pesan=10, max_pesan=200, stok=500)
    f.produk(f.penyedia(nama="Konveksi Berkah"), nama="Kaos Seragam")
    buyer = f.pembeli()
    f.alamat(buyer)
    base = server

    # Pembeli: find the product by the UMKM's name, put it in the cart, fill the detail, confirm.
    _login(page, base, buyer.username)
    page.goto(f"{base}/toko/")
    page.fill("#q", "Bakso Andrew")
    page.click("#form-cari button[type=submit]")
    assert "Kaos Seragam" not in page.content()
    page.click("text=Snack Box Gurih Andrew")
    page.fill("#qty", "25")
    page.click("#form-keranjang button[type=submit]")
    # the buyer stays in the shop and chooses; the new Draft ships to the Utama address
    page.click("#modal-lihat-keranjang")
    page.wait_for_selector("#form-detail")
    assert page.locator("#alamat_id option:checked").inner_text() != "— pilih alamat —"
    page.click("[data-aksi=konfirmasi_pesanan]")  # refused: no activity date yet
    assert "tanggal" in page.locator(".alert-danger").first.inner_text().lower()
    page.fill("#tanggal_kegiatan", (clock.today_local() + timedelta(days=5)).isoformat())
    page.fill("#waktu_kegiatan", "09:30")
    page.fill("#nama_kegiatan", "Rapat Koordinasi Direksi")
    page.fill("#catatan", "Antar ke lobi gedung")
    assert page.is_checked("input[name=metode_bayar][value=cod]")
    page.click("#form-detail button[type=submit]")
    page.click("[data-aksi=konfirmasi_pesanan]")
    assert page.inner_text("#status-pesanan") == "Dipesan"
    order_url = page.url

    # Penyedia: confirm, ship, upload invoice and kwitansi.
    _login(page, base, supplier.username)
    page.goto(f"{base}/pesanan-masuk/list/")
    page.goto(order_url)
    page.click("[data-aksi=konfirmasi]")
    assert page.inner_text("#status-pesanan") == "Diproses"
    page.click("[data-aksi=kirim]")
    assert page.inner_text("#status-pesanan") == "Dikirim"
    doc = tmp_path / "dokumen.pdf"
    doc.write_bytes(pdf_bytes("Invoice Kedai Bakso Andrew"))
    for jenis in ("invoice", "kwitansi"):
        page.select_option("#jenis", jenis)
        page.set_input_files("#berkas", str(doc))
        page.click("[data-aksi=upload_dokumen]")
        page.wait_for_selector(f"[data-dokumen={jenis}]", state="attached")
        assert not page.locator(".alert-danger").count(), page.locator(".alert-danger").first.inner_text()

    # Pembeli: download the invoice, confirm receipt with the three checks, rate → Selesai.
    _login(page, base, buyer.username)
    page.goto(order_url)
    with page.expect_download() as dl:
        page.click("[data-dokumen=invoice]")
    assert open(dl.value.path(), "rb").read().startswith(b"%PDF-")
    for name in ("jumlah_sesuai", "kondisi_baik", "waktu_tempat_sesuai"):
        tick(page, f"input[name={name}]")
    page.fill("textarea[name=catatan]", "Semua sesuai")
    page.click("[data-aksi=konfirmasi_penerimaan]")
    assert "tidak dapat diubah lagi" in page.inner_text("#konfirmasi-teks")  # it asks first
    with page.expect_navigation():
        page.click("#konfirmasi-ya")
    assert page.inner_text("#status-pesanan") == "Diterima"
    tick(page, "input[name=bintang][value='5']")
    page.fill("textarea[name=ulasan]", "Enak dan tepat waktu")
    page.click("[data-aksi=beri_penilaian]")
    assert page.inner_text("#status-pesanan") == "Selesai"

    history = page.inner_text("#riwayat")
    for step in ("Konfirmasi Pesanan", "Kirim", "Konfirmasi Penerimaan", "Beri Penilaian"):
        assert step in history
    assert supplier.first_name in history and buyer.first_name in history
    db.session.expire_all()
    assert db.session.execute(select(Pesanan.status)).scalar_one() == "selesai"
