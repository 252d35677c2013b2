"""Accessibility: axe-core (the axe-playwright-python package ships it) finds no serious or critical
violation on the main pages — login, home, both shops, a product page, a Katalog order page, a list page —
at a laptop's and a phone's width; the confirmation dialog guards an irreversible step and "Kembali" keeps
the order as it was. Screenshots of the shop, a product page and a Katalog order page go to
docs/screenshots/ when SCREENSHOTS=1."""

import os
import pathlib

import pytest

from app.extensions import db
from app.models import Pesanan
from tests.browser.conftest import login

pytestmark = pytest.mark.browser
SIZES = ((1366, 768), (390, 844))
SHOTS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _serious(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_main_pages_have_no_serious_accessibility_violations(server, page, f):
    buyer = f.pembeli()
    f.alamat(buyer)
    produk = f.produk(f.penyedia(nama="Kedai Bakso Andrew"), nama="Snack Box Gurih Andrew")
    w = f.katalog(until="menunggu_ppk")
    pages = {
        None: ["/login/"],
        buyer.username: ["/", "/toko/", f"/toko/produk/{produk.id}", "/pesananku/list/"],
        w["ppk"].username: [f"/katalog/{w['pesanan'].id}", "/katalog-toko/"],
    }
    found = {}
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        for user, paths in pages.items():
            if user:
                login(page, server, user)
            else:
                page.goto(f"{server}/logout/")
            for path in paths:
                page.goto(server + path)
                page.wait_for_load_state("networkidle")
                bad = _serious(page)
                if bad:
                    found[f"{path} @{width}"] = bad
    assert not found, "\n".join(f"{k}: {v}" for k, v in found.items())


def test_irreversible_step_asks_first(server, page, f):
    s = f.scenario(until="dipesan")
    p = s["pesanan"]
    login(page, server, s["penyedia_user"].username)
    page.goto(f"{server}/pesanan/{p.id}")
    page.fill("#alasan-tolak", "Stok habis")
    page.click("[data-aksi=tolak]")
    dialog = page.locator("#konfirmasi-dialog")
    dialog.wait_for(state="visible")
    assert "tidak dapat ditarik kembali" in page.inner_text("#konfirmasi-teks")
    page.click("#konfirmasi-batal")
    dialog.wait_for(state="hidden")
    db.session.expire_all()
    assert db.session.get(Pesanan, p.id).status == "dipesan"  # "Kembali": nothing happened
    page.click("[data-aksi=tolak]")
    dialog.wait_for(state="visible")
    with page.expect_navigation():
        page.click("#konfirmasi-ya")
    db.session.expire_all()
    assert db.session.get(Pesanan, p.id).status == "dibatalkan"


@pytest.mark.skipif(not os.environ.get("SCREENSHOTS"), reason="SCREENSHOTS=1 writes docs/screenshots/")
def test_screenshots(server, page, f):
    buyer = f.pembeli()
    f.alamat(buyer)
    produk = f.produk(f.penyedia(nama="Kedai Bakso Andrew"), nama="Snack Box Gurih Andrew")
    w = f.katalog(until="menunggu_ppk")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        login(page, server, buyer.username)
        for name, path in (("toko", "/toko/"), ("produk", f"/toko/produk/{produk.id}")):
            page.goto(server + path)
            page.screenshot(path=str(SHOTS / f"{name}-{width}x{height}.png"))
        login(page, server, w["ppk"].username)
        page.goto(f"{server}/katalog/{w['pesanan'].id}")
        page.screenshot(path=str(SHOTS / f"katalog-pesanan-{width}x{height}.png"))
