"""A real browser pays three Katalog orders, one per method: LS through the BUD, UP kode bayar through the
Bendahara Pengeluaran, UP KKP by the PPK; each ends Selesai with its steps in the history."""

import pytest

from app.extensions import db
from app.models import PesananKatalog
from tests.browser.conftest import login as _login
from tests.browser.conftest import tick
from tests.factories import pdf_bytes
from tests.services import test_pembayaran as tp
from tests.services import test_purchasing

pytestmark = pytest.mark.browser
k = test_purchasing.k


def _click(page, selector):
    asks = page.locator(selector).first.get_attribute("data-konfirmasi") is not None
    page.click(selector)
    if asks:  # a step that cannot be undone asks first: answer the dialog as a person would
        with page.expect_navigation():
            page.click("#konfirmasi-ya")
    page.wait_for_load_state()
    errors = page.locator(".alert-danger")
    assert not errors.count(), errors.first.inner_text()


def _status(page):
    return page.inner_text("#status-pesanan").strip()


def _bendahara_pays(page, base, user, pk):
    _login(page, base, user.username)
    page.goto(f"{base}/pembayaran/")
    assert page.locator(f"#antrean-pembayaran a[href$='/pembayaran/{pk}']").count() == 1
    page.goto(f"{base}/pembayaran/{pk}")
    tick(page, "#dokumen_diperiksa")
    _click(page, "[data-aksi=konfirmasi_bayar]")
    assert _status(page) == "Kode Bayar Terbit"
    _click(page, "#petunjuk-bayar")
    assert "Berlaku sampai" in page.inner_text("#berlaku")
    _click(page, "[data-aksi=simulasi]")
    assert _status(page) == "Selesai"
    return page.inner_text("#riwayat-pesanan")


def test_three_orders_paid_one_per_method(server, page, k, f, tmp_path):
    base = server
    bud = tp.bendahara(f, k["satker"], akses="bud")
    bp = tp.bendahara(f, k["satker"])
    ls, up, kkp = (tp.tiba(k) for _ in range(3))
    faktur = tmp_path / "faktur.pdf"
    faktur.write_bytes(pdf_bytes("Faktur Pajak"))

    # LS: documents first (refused without them), then the BUD
    _login(page, base, k["ppk"].username)
    page.goto(f"{base}/katalog/{ls.id}")
    _click(page, "[data-metode=ls] [data-aksi=pilih_ls]")
    page.click("[data-aksi=lanjutkan_bayar]")
    assert "belum lengkap" in page.inner_text(".alert-danger")
    _login(page, base, k["supplier"].username)
    page.goto(f"{base}/katalog/{ls.id}")
    page.fill("#nomor_tagihan", "010.000-26.00000001")
    page.set_input_files("#berkas-faktur", str(faktur))
    _click(page, "[data-aksi=unggah_faktur]")
    _login(page, base, k["ppk"].username)
    page.goto(f"{base}/katalog/{ls.id}")
    tick(page, "#tanpa_bukti_potong")
    _click(page, "[data-aksi=unggah_bukti_potong]")
    _click(page, "[data-aksi=lanjutkan_bayar]")
    page.select_option("#bendahara_id", str(bud.id))
    _click(page, "[data-aksi=ajukan_bendahara]")
    assert _status(page) == "Menunggu Pembayaran Bendahara"
    history = _bendahara_pays(page, base, bud, ls.id)
    for step in ("Bayar dengan LS", "Unggah Faktur Pajak", "Lanjutkan Pembayaran", "Pembayaran Diterima"):
        assert step in history

    # UP kode bayar, chosen from the PPK's payment list
    _login(page, base, k["ppk"].username)
    page.goto(f"{base}/pembayaran/ppk")
    _click(page, f"#pesanan-bayar tr:has(a[href$='/katalog/{up.id}#pembayaran']) [data-aksi=pilih_up]")
    page.goto(f"{base}/katalog/{up.id}")
    page.select_option("#bendahara_id", str(bp.id))
    _click(page, "[data-aksi=ajukan_bendahara]")
    history = _bendahara_pays(page, base, bp, up.id)
    assert "Bayar dengan UP Kode Bayar" in history and "Konfirmasi dan Terbitkan Kode Bayar" in history

    # UP KKP by the PPK as card holder
    _login(page, base, k["ppk"].username)
    page.goto(f"{base}/katalog/{kkp.id}")
    _click(page, "[data-metode=up_kkp] [data-aksi=pilih_kkp]")
    tick(page, "#setuju-kkp")
    _click(page, "[data-aksi=bayar_kkp]")
    assert _status(page) == "Selesai"
    assert "Bayar dengan KKP" in page.inner_text("#riwayat-pembayaran")

    db.session.expire_all()
    assert [db.session.get(PesananKatalog, p.id).status for p in (ls, up, kkp)] == ["selesai"] * 3
