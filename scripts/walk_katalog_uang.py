"""The money of one Katalog order, checked in a real browser from cart to payment (issue 12, "done when"),
against a running portal on a fresh demo database (`make run`):

    .venv/bin/python scripts/walk_katalog_uang.py [http://127.0.0.1:5000]

The PP orders a variant of "Nasi Kotak Bakso Urat Komplit" with a taxed additional service and Kurir
Penyedia shipping (taxed too); the live Ringkasan Harga Nego is read as prices are typed; the same total,
to the Rupiah, must then be on the order page, the Surat Pesanan, the BAST, the invoice and the kode bayar.
The QR code printed on the SP is read back from the rendered page (poppler + ZXing) and opened without
logging in: the page must say "asli". Last, a burst of concurrent checkouts and RUP edits (real browser
contexts at once): the RUP's terpakai must grow by exactly the orders placed. Demo passwords only (README).
"""

import asyncio
import os
import re
import subprocess
from datetime import date, timedelta

import zxingcpp
from _walk import BASE, PASSWORD, browser_page, login, no_error, say, status, tick
from PIL import Image
from walk_katalog import (
    PASSPHRASE,
    TMP,
    baca_pratinjau,
    click,
    isi_checkout,
    pdfsig,
    persiapan,
    sama_dengan_pratinjau,
    tte_penandatangan,
)
from walk_pembayaran import bendahara_pays

PRODUK = "Nasi Kotak Bakso Urat Komplit"


def rp(text):
    """`Rp 1.234.500` as an int."""
    return int(re.sub(r"[^0-9]", "", text))


def fmt(amount):
    return "Rp " + f"{amount:,}".replace(",", ".")


def teks_pdf(page, url, name):
    """The PDF at `url` (as the logged-in user) and its text as poppler reads it."""
    resp = page.request.get(BASE + url)
    assert resp.status == 200 and resp.headers["content-type"] == "application/pdf", (url, resp.status)
    path = os.path.join(TMP, name)
    with open(path, "wb") as fh:
        fh.write(resp.body())
    out = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True).stdout
    return path, " ".join(out.replace("\xa0", " ").split())


def qr_dari(path):
    """The QR codes printed on the PDF: rendered by poppler, read by ZXing (the portal decides nothing)."""
    prefix = path[:-4] + "-hal"
    subprocess.run(["pdftoppm", "-r", "150", "-png", path, prefix], check=True)
    found = []
    for png in sorted(p for p in os.listdir(TMP) if p.startswith(os.path.basename(prefix))):
        found += [r.text for r in zxingcpp.read_barcodes(Image.open(os.path.join(TMP, png)))]
    return found


def pesan(page):
    """PP: the variant, a taxed service, 40 boxes, Kurir Penyedia; returns the order's URL."""
    login(page, "pp")
    page.goto(f"{BASE}/katalog-toko/?q={PRODUK.replace(' ', '+')}")
    page.locator("#hasil-katalog a[href*='/katalog-toko/produk/']", has_text=PRODUK).first.click()
    page.wait_for_load_state()
    varian = page.locator("#pilihan-varian input[type=radio]").nth(1)
    varian.check()
    layanan = page.locator("#pilihan-layanan input[type=checkbox]").first
    layanan.check()
    say(f"  {page.inner_text('#nama-produk')}: {page.inner_text('#pilihan-varian label >> nth=1').strip()}")
    say(f"  service: {' '.join(page.locator('#pilihan-layanan .checkbox').first.inner_text().split())}")
    page.fill("#qty", "40")
    click(page, "#tambah-keranjang")
    page.goto(f"{BASE}/keranjang-katalog/")
    page.locator("[data-aksi=checkout]").first.click()
    page.wait_for_load_state()
    say(f"  checkout summary: total on the RUP {page.inner_text('#ringkasan-total')}")
    isi_checkout(page)
    say(f"  -> {page.inner_text('h2').splitlines()[0]} [{status(page)}], total {page.inner_text('#total-pesanan')}")
    return page.url.split("#")[0]


def ringkasan(page, name):
    box = f"#ringkasan-{name}"
    return {k: rp(page.inner_text(f"{box} [data-r={k}]")) for k in ("barang", "layanan", "ppn", "ongkir", "total")}


def negosiasi(page, url):
    """PP types prices and shipping; the summary follows (from the server's money.py) before sending."""
    page.goto(url)
    item = page.locator("#rincian [data-item]").first.get_attribute("data-item")
    svc = page.locator("#rincian [data-layanan]").first.get_attribute("data-layanan")
    before = ringkasan(page, "ajukan_nego")
    page.fill(f"#harga_{item}", "Rp 36.500")
    page.fill(f"#layanan_{svc}", "Rp 225.000")
    page.fill("#ongkir-ajukan_nego", "Rp 75.000")
    page.wait_for_function(
        "([sel, old]) => { const e = document.querySelector(sel); return e && e.textContent.trim() !== old; }",
        arg=["#ringkasan-ajukan_nego [data-r=total]", fmt(before["total"])],
    )
    page.wait_for_timeout(500)  # the last keystroke's answer
    live = ringkasan(page, "ajukan_nego")
    say(f"  live Ringkasan Harga Nego: {live}")
    ongkir_ppn = page.inner_text("#ringkasan-ajukan_nego tr:has([data-r=ongkir]) th")
    say(f"  {' '.join(ongkir_ppn.split())}")
    click(page, "[data-aksi=ajukan_nego]")
    total = rp(page.inner_text("#total-pesanan"))
    say(f"  sent -> {status(page)}, order total {fmt(total)}")
    assert total == live["total"], (total, live)
    login(page, "penyedia")
    page.goto(url)
    assert not page.locator("#rup-info, .rup-sisa").count()  # the Penyedia never sees the buyer's budget
    click(page, "[data-aksi=terima]")
    login(page, "pp")
    page.goto(url)
    click(page, "[data-aksi=ajukan_ppk]")
    say(f"  Penyedia accepts, PP submits -> {status(page)}")
    return live


def surat_pesanan(page, url, pk):
    login(page, "ppk")
    page.goto(url)
    click(page, "[data-aksi=pratinjau-sp]")
    pratinjau = baca_pratinjau(page, "sp")
    tick(page, "#setuju-buat_pesanan")
    page.fill("#passphrase-buat_pesanan", PASSPHRASE["ppk"])
    click(page, "[data-aksi=buat_pesanan]")
    login(page, "penyedia")
    page.goto(url)
    page.fill("#passphrase-ttd_sp", PASSPHRASE["penyedia"])
    click(page, "[data-aksi=ttd_sp]")
    say(f"  SP signed by both -> {status(page)}")
    sama_dengan_pratinjau(pratinjau, pdfsig(page, "#unduh-sp", "sp-uang.pdf"))
    return teks_pdf(page, f"/katalog/{pk}/dokumen/sp", "sp-teks.pdf")


def serah_terima(page, url, pk):
    page.fill("#lokasi-kirim", "Dapur Kedai Bakso Andrew, Rawamangun")
    page.fill("#status-kirim", "Dikirim dengan mobil boks")
    click(page, "[data-aksi=kirim]")
    login(page, "ppk")
    page.goto(url)
    click(page, "[data-aksi=pratinjau-bast]")
    tick(page, "#setuju-terima_barang")
    page.fill("#passphrase-terima_barang", PASSPHRASE["ppk"])
    click(page, "[data-aksi=terima_barang]")
    login(page, "penyedia")
    page.goto(url)
    page.fill("#passphrase-ttd_bast", PASSPHRASE["penyedia"])
    click(page, "[data-aksi=ttd_bast]")
    say(f"  BAST signed by both -> {status(page)}")
    return teks_pdf(page, f"/katalog/{pk}/dokumen/bast", "bast-teks.pdf")


def bayar(page, url, pk):
    login(page, "ppk")
    page.goto(url)
    dibayar = rp(page.inner_text("#pilihan-metode tr[data-metode=up_kode_bayar] td:nth-child(3)"))
    click(page, "#pilihan-metode tr[data-metode=up_kode_bayar] [data-aksi=pilih_up]")
    page.select_option("#bendahara_id", index=0)
    click(page, "[data-aksi=ajukan_bendahara]")
    _path, invoice = teks_pdf(page, f"/pembayaran/katalog/{pk}/dokumen/invoice", "invoice-teks.pdf")
    bendahara_pays(page, "bendahara", pk)
    kode = rp(page.inner_text("#kode-bayar .kode + *")) if page.locator("#kode-bayar .kode + *").count() else None
    return dibayar, invoice, kode


async def _burst(n, rup_id, produk_id, ppk_id):
    """n checkouts by the PP and n edits of the same RUP by the PPK, all posted at once from their own
    browser contexts; returns the totals of the orders made."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                                           headless=True, args=["--no-sandbox", "--disable-gpu"])  # fmt: skip

        async def masuk(user):
            ctx = await browser.new_context(locale="id-ID")
            page = await ctx.new_page()
            await page.goto(f"{BASE}/login/")
            await page.fill("input[name=username]", user)
            await page.fill("input[name=password]", PASSWORD)
            await page.click("input[type=submit], button[type=submit]")
            await page.wait_for_load_state()
            return page

        async def siap_checkout(page):
            await page.goto(f"{BASE}/katalog/checkout")
            csrf = await page.get_attribute("input[name=csrf_token]", "value")
            token = await page.get_attribute("input[name=token]", "value")
            with open(persiapan(), "rb") as fh:
                berkas = fh.read()
            form = {"csrf_token": csrf, "token": token, "produk_id": str(produk_id), "qty": "10",
                    "rup_id": str(rup_id), "ppk_id": str(ppk_id), "alamat_kirim": "Jl. Kebon Sirih 22, Jakarta",
                    "jenis_pengiriman": "Dikirim ke kantor", "tahapan_pengiriman": "1",
                    "tanggal_tiba_diminta": (date.today() + timedelta(days=14)).isoformat(),
                    "opsi_kirim": "kurir_penyedia",
                    "dokumen_persiapan": {"name": "persiapan.pdf", "mimeType": "application/pdf",
                                          "buffer": berkas}}  # fmt: skip
            return lambda: page.request.post(f"{BASE}/katalog/checkout", multipart=form, max_redirects=0)

        async def siap_ubah(page, i):
            await page.goto(f"{BASE}/rup/edit/{rup_id}")
            form = {"csrf_token": await page.get_attribute("input[name=csrf_token]", "value")}
            for name in ("kode", "tahun", "pagu"):
                form[name] = await page.input_value(f"#{name}")
            form["nama"] = f"{await page.input_value('#nama')} (rev {i})"
            form["satker"] = await page.eval_on_selector("#satker", "e => e.value")
            return lambda: page.request.post(f"{BASE}/rup/edit/{rup_id}", form=form, max_redirects=0)

        pps = [await masuk("pp") for _ in range(n)]
        ppks = [await masuk("ppk") for _ in range(n)]
        jobs = [await siap_checkout(p) for p in pps] + [await siap_ubah(p, i) for i, p in enumerate(ppks)]
        answers = await asyncio.gather(*(job() for job in jobs))
        made = [a.headers.get("location", "") for a in answers[:n] if a.status == 302]
        codes = sorted({a.status for a in answers})
        totals = []
        for loc in made:
            page = pps[0]
            await page.goto(loc if loc.startswith("http") else BASE + loc)
            totals.append(rp(await page.inner_text("#total-pesanan")))
        await browser.close()
        return totals, codes


def rup_angka(page, rup_id):
    page.goto(f"{BASE}/rup/show/{rup_id}")
    cells = {
        k.strip(): v.strip()
        for k, v in (row.split("\t", 1) for row in page.locator("table tr").all_inner_texts() if "\t" in row)
    }
    return rp(cells["Pagu"]), rp(cells["Terpakai"])


def main():
    with browser_page() as page:
        tte_penandatangan(page)

        say("2. PP: cart -> checkout (variant, taxed service, Kurir Penyedia)")
        url = pesan(page)
        pk = int(url.rstrip("/").rsplit("/", 1)[1])

        say("3. Negotiation with the live summary")
        live = negosiasi(page, url)
        total = live["total"]

        say("4. Surat Pesanan")
        _sp, sp = surat_pesanan(page, url, pk)
        for figure in (total, live["ppn"], live["ongkir"]):
            assert fmt(figure) in sp, (figure, sp[:3000])
        assert "Ongkos Kirim (Kurir Penyedia)" in sp and "Layanan Tambahan" in sp
        say(f"  SP text has total {fmt(total)}, PPN {fmt(live['ppn'])}, shipping {fmt(live['ongkir'])} and its PPN")

        say("5. BAST")
        _bast, bast = serah_terima(page, url, pk)
        assert fmt(total) in bast, bast[:3000]
        say(f"  BAST text has total {fmt(total)}")

        say("6. Payment by UP kode bayar")
        dibayar, invoice, _kode = bayar(page, url, pk)
        assert dibayar == total and fmt(total) in invoice, (dibayar, total)
        say(f"  PPK's 'Dibayar Satker' {fmt(dibayar)}; the invoice says {fmt(total)}; order {status(page)}")

        say("7. The QR code on the SP opens the public verification page")
        sp_path = os.path.join(TMP, "sp-teks.pdf")
        qr = [u for u in qr_dari(sp_path) if "/verifikasi-dokumen/" in u]
        assert len(qr) == 1, qr
        page.goto(f"{BASE}/logout/")
        page.goto(qr[0].replace(qr[0].split("/verifikasi-dokumen/")[0], BASE))
        no_error(page)
        hasil = " ".join(page.inner_text("body").split())
        putusan = page.get_attribute("#putusan", "data-putusan")
        assert putusan == "asli" and not re.search(r"Rp\s?\d", hasil), (putusan, hasil[:800])
        say(f"  QR -> {qr[0]}: {page.inner_text('#putusan').strip()[:200]} [{putusan}]")

        say("8. A burst of concurrent checkouts and RUP edits")
        login(page, "pp")
        page.goto(f"{BASE}/katalog/checkout")
        rup_id = page.locator("#rup_id option").nth(1).get_attribute("value")
        ppk_id = page.locator("#ppk_id option").nth(1).get_attribute("value")
        page.goto(f"{BASE}/katalog-toko/?q=Snack+Box+Gurih")
        href = page.locator("#hasil-katalog a[href*='/katalog-toko/produk/']").first.get_attribute("href")
        produk_id = int(href.rstrip("/").rsplit("/", 1)[1])
        login(page, "ppk")
        pagu0, terpakai0 = rup_angka(page, rup_id)
    totals, codes = asyncio.run(_burst(8, rup_id, produk_id, ppk_id))
    with browser_page() as page:
        login(page, "ppk")
        pagu1, terpakai1 = rup_angka(page, rup_id)
        say(f"  {len(totals)} orders placed, answers {codes}; pagu {fmt(pagu0)} -> {fmt(pagu1)}")
        naik = terpakai1 - terpakai0
        say(f"  terpakai {fmt(terpakai0)} -> {fmt(terpakai1)} (+{fmt(naik)}); orders {fmt(sum(totals))}")
        assert totals and naik == sum(totals) and pagu1 == pagu0
    say("OK: one total, to the Rupiah, from the negotiation summary to the kode bayar; the QR says asli")


if __name__ == "__main__":
    main()
