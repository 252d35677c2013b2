"""A real browser walks Katalog e-purchasing: negotiation in two rounds, PPK, Surat Pesanan signed by
both, shipping events, BAST signed by both, ratings; then an accepted and a rejected addendum. Every letter
is read (inline, unsigned) before its passphrase, and what is signed starts with the bytes read."""

import hashlib
import re
import subprocess
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Adendum, PesananKatalog
from app.services import clock
from tests.browser.conftest import login as _login
from tests.browser.conftest import submit, tick
from tests.services import test_purchasing

pytestmark = pytest.mark.browser
k = test_purchasing.k
PPK_PASS, UMKM_PASS = "rahasia-ppk-123", "rahasia-umkm-456"


def _status(page):
    return page.inner_text("#status-pesanan").strip()


def _no_error(page):
    errors = page.locator(".alert-danger")
    assert not errors.count(), errors.first.inner_text()


def _click(page, aksi):
    submit(page, f"[data-aksi={aksi}]")  # the new page, not the old one still loading its frame
    _no_error(page)


def _signatures_valid(page, selector):
    """Download the PDF the way a person does and count the signatures poppler's pdfsig accepts
    (Playwright's event loop runs in this thread, so pyHanko's own asyncio check runs in pdfsig's place)."""
    with page.expect_download() as dl:
        page.click(selector)
    path = dl.value.path()
    assert open(path, "rb").read(5) == b"%PDF-"
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
    return out.count("Signature Validation: Signature is Valid.")


def _frame(page, selector):
    """The PDF a frame of the page shows, fetched in the page's own session."""
    resp = page.request.get(page.eval_on_selector(selector, "el => el.src"))  # absolute, like the frame's
    assert resp.headers["content-type"] == "application/pdf"
    assert resp.headers["content-disposition"].startswith("inline")
    return resp.body()


def _preview(page, jenis):
    """The unsigned letter shown before the passphrase (its fingerprint is the one the form carries)."""
    body = _frame(page, f"#surat-pratinjau-{jenis}")
    assert hashlib.sha256(body).hexdigest() == page.get_attribute("input[name=pratinjau]", "value")
    return body


def _order(k):
    p = test_purchasing._checkout(k)
    return f"/katalog/{p.id}", p.items[0].id


def test_katalog_from_negotiation_to_ratings_and_addenda(server, page, k, f):
    base = server
    url, item = _order(k)

    # TTE activated by the signers themselves, in the browser, once their instansi's TTE verifier approved
    # (the whole activation in the browser: scripts/walk_tte.py)
    for user, phrase in ((k["ppk"], PPK_PASS), (k["supplier"], UMKM_PASS)):
        f.tte_disetujui(user)
        _login(page, base, user.username)
        page.goto(f"{base}/tte/")
        page.fill("#passphrase", phrase)
        page.fill("#passphrase_ulang", phrase)
        page.click("#form-aktifkan button[type=submit]")
        assert page.inner_text("#status-tte").strip() == "Tanda Tangan Aktif"

    # round 1: the PP proposes; round 2: the Penyedia counters; the PP accepts and submits to the PPK
    _login(page, base, k["pp"].username)
    page.goto(base + url)
    assert page.locator(".harga-terendah").count() == 1
    page.fill(f"#harga_{item}", "Rp 90.000")
    page.fill("#ongkir-ajukan_nego", "Rp 40.000")
    _click(page, "ajukan_nego")
    assert _status(page) == "Negosiasi Diajukan PP"
    _login(page, base, k["supplier"].username)
    page.goto(base + url)
    page.fill(f"#harga_{item}", "Rp 95.000")
    _click(page, "tawar")
    assert _status(page) == "Negosiasi Diajukan Penyedia"
    _login(page, base, k["pp"].username)
    page.goto(base + url)
    _click(page, "terima")
    _click(page, "ajukan_ppk")
    assert _status(page) == "Menunggu Persetujuan PPK"
    assert page.locator("#riwayat-negosiasi [data-ronde]").count() == 2

    # PPK: review, clauses, wrong passphrase refused, then Buat Pesanan signs the SP
    _login(page, base, k["ppk"].username)
    page.goto(f"{base}/katalog/?status=menunggu_ppk")
    page.goto(base + url)
    assert "Informasi Penyedia" in page.inner_text("#info-penyedia")
    page.fill("#klausul", "Barang dikemas per ruangan.")
    assert not page.locator("#passphrase-buat_pesanan").count()  # first the letter, then the passphrase
    _click(page, "pratinjau-sp")
    preview = _preview(page, "sp")
    # editing the clauses after the preview hides the signing until the letter is previewed again
    page.fill("#klausul", "Barang dikemas per ruangan. Diubah.")
    assert not page.is_visible("#passphrase-buat_pesanan") and page.is_visible(".pratinjau-usang")
    page.fill("#klausul", "Barang dikemas per ruangan.")
    _click(page, "pratinjau-sp")
    assert _preview(page, "sp") == preview and page.is_visible("#passphrase-buat_pesanan")
    tick(page, "#setuju-buat_pesanan")
    page.fill("#passphrase-buat_pesanan", "salah-passphrase")
    page.click("[data-aksi=buat_pesanan]")
    assert "Passphrase TTE salah" in page.inner_text(".alert-danger")
    # the letter is shown again with the passphrase
    assert page.input_value("#klausul") == "Barang dikemas per ruangan." and _preview(page, "sp") == preview
    tick(page, "#setuju-buat_pesanan")
    page.fill("#passphrase-buat_pesanan", PPK_PASS)
    _click(page, "buat_pesanan")
    assert _status(page) == "Menunggu Konfirmasi Penyedia"

    # Penyedia signs the SP, ships and records an event
    _login(page, base, k["supplier"].username)
    page.goto(base + url)
    assert _frame(page, "#surat-ttd-sp")[: len(preview)] == preview  # the letter beside the passphrase
    page.fill("#passphrase-ttd_sp", UMKM_PASS)
    _click(page, "ttd_sp")
    assert _status(page) == "Diproses Penyedia"
    assert _signatures_valid(page, "#unduh-sp") == 2
    page.fill("#lokasi-kirim", "Gudang Cakung")
    page.fill("#status-kirim", "Barang dikirim dengan truk")
    _click(page, "kirim")
    page.fill("#lokasi-catat_pengiriman", "Jl. Medan Merdeka Selatan")
    page.fill("#status-catat_pengiriman", "Tiba di lobi")
    _click(page, "catat_pengiriman")
    assert _status(page) == "Dalam Pengiriman"

    # PP follows it; the PPK inspects, signs the BAST; the Penyedia countersigns
    _login(page, base, k["pp"].username)
    page.goto(base + url)
    timeline = page.inner_text("#lacak-pengiriman")
    assert "Gudang Cakung" in timeline and "Tiba di lobi" in timeline
    _login(page, base, k["ppk"].username)
    page.goto(base + url)
    page.fill(f"#qty_diterima_{item}", "10")
    assert not page.locator("#passphrase-terima_barang").count()
    _click(page, "pratinjau-bast")
    preview = _preview(page, "bast")
    tick(page, "#setuju-terima_barang")
    page.fill("#passphrase-terima_barang", PPK_PASS)
    _click(page, "terima_barang")
    assert _status(page) == "Pesanan Tiba"
    _login(page, base, k["supplier"].username)
    page.goto(base + url)
    assert _frame(page, "#surat-ttd-bast")[: len(preview)] == preview
    page.fill("#passphrase-ttd_bast", UMKM_PASS)
    _click(page, "ttd_bast")
    assert _signatures_valid(page, "#unduh-bast") == 2

    # ratings by the PPK
    _login(page, base, k["ppk"].username)
    page.goto(base + url)
    assert "active" in page.get_attribute("#tab-pembayaran", "class")  # the step now: the payment method
    page.click("#tautan-bast")  # the ratings sit with the BAST; each one comes back to them (#penilaian)
    for jenis in ("pesanan", "layanan", "kurir"):
        page.select_option(f"#bintang-{jenis}", "5" if jenis != "layanan" else "4")
        _click(page, f"nilai-{jenis}")
    assert page.locator("#penilaian .bintang").count() == 3

    # another order: an accepted addendum (PPK proposes, Penyedia signs), then a rejected one
    db.session.expire_all()
    url2, item2 = _order(k)
    p2 = db.session.get(PesananKatalog, int(url2.rsplit("/", 1)[1]))
    from app.services import katalog

    p2 = katalog.jalankan(p2.id, "ajukan_nego", k["pp"], harga={item2: 90_000})
    p2 = katalog.jalankan(p2.id, "terima", k["supplier"])
    p2 = katalog.jalankan(p2.id, "ajukan_ppk", k["pp"])
    p2 = katalog.jalankan(p2.id, "buat_pesanan", k["ppk"], passphrase=PPK_PASS)
    katalog.jalankan(p2.id, "ttd_sp", k["supplier"], passphrase=UMKM_PASS)
    page.goto(base + url2)
    page.click("#tautan-adendum")
    page.fill(f"#adendum-qty-{item2}", "12")  # +20 %: refused at the preview, before any passphrase
    page.click("[data-aksi=adendum-pratinjau]")
    assert "20,0%" in page.inner_text("#pratinjau-ditolak") and "10%" in page.inner_text("#pratinjau-ditolak")
    assert not page.locator("#passphrase-adendum").count() and not page.locator("[data-aksi=adendum-ajukan]").count()
    page.fill(f"#adendum-qty-{item2}", "11")
    page.click("[data-aksi=adendum-pratinjau]")
    rows = page.inner_text("#pratinjau-adendum")
    assert "10" in rows and "11" in rows
    preview = _preview(page, "adendum")
    tick(page, "#setuju-adendum")
    page.fill("#passphrase-adendum", PPK_PASS)
    _click(page, "adendum-ajukan")
    assert "Adendum Sedang Disiapkan" in page.inner_text("#status-adendum")
    _login(page, base, k["supplier"].username)
    page.goto(base + url2)
    assert _frame(page, "iframe[id^=surat-adendum-]")[: len(preview)] == preview
    page.fill("#passphrase-adendum-terima", UMKM_PASS)
    _click(page, "adendum-terima")
    assert not page.locator("#status-adendum").count()
    page.fill("#adendum-tanggal", (clock.today_local() + timedelta(days=20)).isoformat())
    page.click("[data-aksi=adendum-pratinjau]")
    tick(page, "#setuju-adendum")
    page.fill("#passphrase-adendum", UMKM_PASS)
    _click(page, "adendum-ajukan")
    _login(page, base, k["ppk"].username)
    page.goto(base + url2)
    page.fill("#alasan-adendum", "Jadwal tidak bisa diundur")
    _click(page, "adendum-tolak")
    statuses = page.locator("#adendum .adendum .label").all_inner_texts()
    assert statuses == ["Adendum Diterima", "Adendum Ditolak"]

    db.session.expire_all()
    p2 = db.session.get(PesananKatalog, p2.id)
    assert p2.items[0].qty == 11 and p2.tanggal_tiba_diminta == clock.today_local() + timedelta(days=14)
    assert [a.status for a in db.session.query(Adendum).order_by(Adendum.id)] == ["diterima", "ditolak"]
    assert re.match(r"SP/", p2.sp_nomor)
