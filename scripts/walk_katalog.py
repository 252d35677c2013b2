"""Walk Katalog e-purchasing in a real browser with the demo users, against a running portal (`make run`).

    .venv/bin/python scripts/walk_katalog.py [http://127.0.0.1:5000]

PP browses the catalog, fills the cart, checks out; two negotiation rounds; the PPK signs the Surat
Pesanan; the Penyedia countersigns, ships and records events; the PPK inspects and signs the BAST; the
Penyedia countersigns; the PPK rates. Then, on a second order, an accepted and a rejected addendum.
Each letter is previewed (unsigned, inline) before its passphrase, and the signed file is checked to start
with the previewed bytes. It prints what a person would see and checks the signatures with poppler's pdfsig.
Demo passwords only (README); the TTE passphrases are activated on the way when not yet active.
"""

import os
import re
import subprocess
import tempfile
from datetime import date, timedelta

from _walk import BASE, browser_page, login, no_error, say, status, submit, tick

# the seed activates both with the documented demo passphrase (README); a fresh activation uses it too
PASSPHRASE = {"ppk": "Demo-TTE-12345", "penyedia": "Demo-TTE-12345"}
TMP = tempfile.mkdtemp(prefix="walk-katalog-")


def click(page, selector):
    """A form post; waits for the new page (the old one, with a frame still loading its PDF, must not pass)."""
    submit(page, selector)
    no_error(page)


AKTIF = "Tanda Tangan Aktif"


def tte_status(page):
    page.goto(f"{BASE}/tte/")
    return page.inner_text("#status-tte").strip()


def aktivasi_tte(page, user, nik, passphrase, verifikator="verifikator"):
    """The activation as the LKPP guide has it: the user asks with their verified NIK, the instansi's TTE
    verifier approves in Antrean Verifikasi TTE, the user creates the passphrase and the certificate is issued."""
    login(page, user)
    page.goto(f"{BASE}/tte/")
    if page.get_attribute("#permohonan-tte", "data-langkah") == "ajukan":
        page.fill("#nik", nik)
        click(page, "[data-aksi=ajukan]")
        say(f"  {user}: asks for TTE with NIK {nik} -> {page.inner_text('#status-permohonan')}")
    if page.get_attribute("#permohonan-tte", "data-langkah") == "menunggu":
        login(page, verifikator)
        page.goto(f"{BASE}/verifikasi-tte/")
        row = page.locator(f"#antrean-tte tr:has-text('({user})')").first
        row.locator("a").click()
        page.wait_for_load_state()
        say(
            f"  {verifikator} (TTE verifier): request of {page.inner_text('#nama-pemohon')}, NIK "
            f"{page.inner_text('#nik-pemohon')}, {page.inner_text('#status-permohonan')}"
        )
        click(page, "[data-aksi=setujui]")
        login(page, user)
        page.goto(f"{BASE}/tte/")
    if page.get_attribute("#permohonan-tte", "data-langkah") == "buat_passphrase":
        page.fill("#passphrase", passphrase)
        page.fill("#passphrase_ulang", passphrase)
        click(page, "#form-aktifkan button[type=submit]")
    say(f"  {user}: {page.inner_text('#status-tte').strip()}")
    assert page.inner_text("#status-tte").strip() == AKTIF


def ensure_tte(page, user):
    """The demo signers' TTE: the seed activated it; otherwise the approved activation is finished here."""
    if tte_status(page) != AKTIF:
        page.fill("#passphrase", PASSPHRASE[user])
        page.fill("#passphrase_ulang", PASSPHRASE[user])
        page.click("#form-aktifkan button[type=submit]")
        no_error(page)
    say(f"  {user}: TTE {page.inner_text('#status-tte').strip()}")


def pdfsig(page, selector, name):
    with page.expect_download() as dl:
        page.click(selector)
    path = os.path.join(TMP, name)
    dl.value.save_as(path)
    out = subprocess.run(["pdfsig", path], capture_output=True, text=True, check=False).stdout
    valid = out.count("Signature Validation: Signature is Valid.")
    signers = re.findall(r"Signer Certificate Common Name: (.+)", out)
    say(f"  {name}: {os.path.getsize(path)} bytes, {valid} valid signature(s): {', '.join(signers)}")
    assert valid == 2, out
    return path


def baca_pratinjau(page, name):
    """The letter shown before the passphrase: fetched from its frame like the browser does (same session)."""
    src = page.get_attribute(f"#surat-pratinjau-{name}", "src")
    resp = page.request.get(BASE + src)
    assert resp.headers["content-type"] == "application/pdf", resp.headers
    assert resp.headers["content-disposition"].startswith("inline"), resp.headers
    path = os.path.join(TMP, f"pratinjau-{name}.pdf")
    with open(path, "wb") as fh:
        fh.write(resp.body())
    say(f"  preview of the {name} letter: {os.path.getsize(path)} bytes, unsigned, shown before the passphrase")
    return path


def sama_dengan_pratinjau(pratinjau, signed):
    """pyHanko signs as an incremental update: the signed file starts with the very bytes previewed."""
    with open(pratinjau, "rb") as a, open(signed, "rb") as b:
        head = a.read()
        assert b.read()[: len(head)] == head, f"{signed} is not {pratinjau} signed"
    say(f"  {os.path.basename(signed)} starts with the previewed bytes: the letter read is the letter signed")


def checkout(page, qty):
    """PP: browse, add a product of Kedai Bakso Andrew to the cart, check out against a RUP."""
    login(page, "pp")
    page.goto(f"{BASE}/katalog-toko/?q=Andrew")
    page.locator("#hasil-katalog a[href*='/katalog-toko/produk/']").first.click()
    nama = page.inner_text("#nama-produk")
    page.fill("#qty", str(qty))
    page.click("#tambah-keranjang")
    no_error(page)
    isi_checkout(page)
    say(f"  PP checkout: {nama} x{qty} -> {page.inner_text('h2').splitlines()[0]} [{status(page)}]")
    say(f"  total {page.inner_text('#total-pesanan')}")
    return page.url


def persiapan():
    """The preparation document a PP uploads at checkout (a one-line demo PDF)."""
    doc = os.path.join(TMP, "persiapan.pdf")
    if not os.path.exists(doc):
        from reportlab.pdfgen import canvas

        c = canvas.Canvas(doc)
        c.drawString(72, 720, "Dokumen Persiapan E-Purchasing (demo)")
        c.save()
    return doc


def isi_checkout(page):
    """From the cart: check out its first Penyedia's lines against the first RUP, Kurir Penyedia."""
    page.goto(f"{BASE}/keranjang-katalog/")
    page.locator("[data-aksi=checkout]").first.click()
    page.wait_for_load_state()
    page.select_option("#rup_id", index=1)
    page.select_option("#ppk_id", index=1)
    page.fill("#alamat_kirim", "Jl. Medan Merdeka Selatan 8-9, Gambir, Jakarta Pusat 10110")
    page.fill("#jenis_pengiriman", "Dikirim ke kantor")
    page.fill("#tanggal_tiba_diminta", (date.today() + timedelta(days=14)).isoformat())
    tick(page, "#opsi-kurir_penyedia")
    page.set_input_files("#dokumen_persiapan", persiapan())
    click(page, "[data-aksi=checkout]")


def tte_penandatangan(page):
    say("1. TTE of the signers")
    for user in ("ppk", "penyedia"):
        login(page, user)
        ensure_tte(page, user)


def main():
    with browser_page() as page:
        tte_penandatangan(page)

        say("2. PP checkout")
        url = checkout(page, 20)
        item = page.locator("#rincian [data-item]").first.get_attribute("data-item")

        say("3. Negotiation, two rounds")
        harga = page.inner_text(f"#rincian [data-item='{item}'] td:nth-child(3)")
        say(f"  catalog price {harga}; lowest ever sold {page.inner_text('.harga-terendah')}")
        page.fill(f"#harga_{item}", "Rp 12.000")
        page.fill("#ongkir-ajukan_nego", "Rp 25.000")
        click(page, "[data-aksi=ajukan_nego]")
        say(f"  PP proposes 12.000 + ongkir 25.000 -> {status(page)}; total {page.inner_text('#total-pesanan')}")
        login(page, "penyedia")
        page.goto(url)
        page.fill(f"#harga_{item}", "Rp 13.500")
        click(page, "[data-aksi=tawar]")
        say(f"  Penyedia counters 13.500 -> {status(page)}; total {page.inner_text('#total-pesanan')}")
        login(page, "pp")
        page.goto(url)
        click(page, "[data-aksi=terima]")
        click(page, "[data-aksi=ajukan_ppk]")
        say(f"  PP accepts, submits -> {status(page)}; rounds: {page.locator('[data-ronde]').count()}")

        say("4. PPK: review and Surat Pesanan")
        login(page, "ppk")
        page.goto(f"{BASE}/katalog/?status=menunggu_ppk")
        page.goto(url)
        say(f"  {page.inner_text('#batas-waktu')}")
        page.fill("#klausul", "Barang dikemas per ruangan.\nPembayaran setelah BAST.")
        assert not page.locator("#passphrase-buat_pesanan").count()  # the passphrase comes after the preview
        click(page, "[data-aksi=pratinjau-sp]")
        sp_pratinjau = baca_pratinjau(page, "sp")
        tick(page, "#setuju-buat_pesanan")
        page.fill("#passphrase-buat_pesanan", PASSPHRASE["ppk"])
        click(page, "[data-aksi=buat_pesanan]")
        say(f"  Buat Pesanan -> {status(page)}")
        login(page, "penyedia")
        page.goto(url)
        say(f"  Penyedia reads the signed SP beside its passphrase: {page.locator('#surat-ttd-sp').count()} frame")
        page.fill("#passphrase-ttd_sp", PASSPHRASE["penyedia"])
        click(page, "[data-aksi=ttd_sp]")
        say(f"  Penyedia signs the SP -> {status(page)}")
        sama_dengan_pratinjau(sp_pratinjau, pdfsig(page, "#unduh-sp", "surat-pesanan.pdf"))

        say("5. Shipping")
        page.fill("#lokasi-kirim", "Dapur Kedai Bakso Andrew, Cakung")
        page.fill("#status-kirim", "Dikirim dengan mobil boks")
        click(page, "[data-aksi=kirim]")
        page.fill("#lokasi-catat_pengiriman", "Jl. Medan Merdeka Selatan")
        page.fill("#status-catat_pengiriman", "Tiba di lobi, diterima satpam")
        click(page, "[data-aksi=catat_pengiriman]")
        say(f"  -> {status(page)}")
        login(page, "pp")
        page.goto(url)
        for line in page.inner_text("#lacak-pengiriman").splitlines():
            say(f"  Lacak Pengiriman: {line}")

        say("6. BAST")
        login(page, "ppk")
        page.goto(url)
        click(page, "[data-aksi=pratinjau-bast]")
        bast_pratinjau = baca_pratinjau(page, "bast")
        tick(page, "#setuju-terima_barang")
        page.fill("#passphrase-terima_barang", PASSPHRASE["ppk"])
        click(page, "[data-aksi=terima_barang]")
        say(f"  PPK inspects, reads and signs -> {status(page)}")
        login(page, "penyedia")
        page.goto(url)
        page.fill("#passphrase-ttd_bast", PASSPHRASE["penyedia"])
        click(page, "[data-aksi=ttd_bast]")
        sama_dengan_pratinjau(bast_pratinjau, pdfsig(page, "#unduh-bast", "bast.pdf"))

        say("7. Ratings")
        login(page, "ppk")
        page.goto(url)
        page.click("#tautan-bast")  # the ratings sit in the BAST tab
        for jenis, n in (("pesanan", "5"), ("layanan", "4"), ("kurir", "5")):
            page.select_option(f"#bintang-{jenis}", n)
            page.fill(f"#ulasan-{jenis}", "Tepat waktu dan sesuai")
            click(page, f"[data-aksi=nilai-{jenis}]")
        say(f"  {' | '.join(x.strip() for x in page.locator('#penilaian .penilaian').all_inner_texts())}")
        say(f"  supplier rating now {page.inner_text('#rating-penyedia')}")

        say("8. Addenda on a second order")
        url2 = checkout(page, 20)
        item2 = page.locator("#rincian [data-item]").first.get_attribute("data-item")
        page.fill(f"#harga_{item2}", "Rp 13.000")
        click(page, "[data-aksi=ajukan_nego]")
        login(page, "penyedia")
        page.goto(url2)
        click(page, "[data-aksi=terima]")
        login(page, "pp")
        page.goto(url2)
        click(page, "[data-aksi=ajukan_ppk]")
        login(page, "ppk")
        page.goto(url2)
        click(page, "[data-aksi=pratinjau-sp]")
        tick(page, "#setuju-buat_pesanan")
        page.fill("#passphrase-buat_pesanan", PASSPHRASE["ppk"])
        click(page, "[data-aksi=buat_pesanan]")
        login(page, "penyedia")
        page.goto(url2)
        page.fill("#passphrase-ttd_sp", PASSPHRASE["penyedia"])
        click(page, "[data-aksi=ttd_sp]")
        login(page, "ppk")
        page.goto(url2)
        page.click("#tautan-adendum")  # the PPK's own step here is the addendum, not the open shipping tab
        page.fill(f"#adendum-qty-{item2}", "25")
        page.click("[data-aksi=adendum-pratinjau]")  # refused at the preview: no passphrase is asked
        say(f"  PPK previews 20 -> 25: {page.inner_text('#pratinjau-ditolak')}")
        page.fill(f"#adendum-qty-{item2}", "22")
        page.fill("#adendum-klausul", "Dikirim dua tahap.")
        page.click("[data-aksi=adendum-pratinjau]")
        for row in page.locator("#pratinjau-adendum tbody tr").all_inner_texts():
            say(f"  preview: {' | '.join(row.split(chr(9)))}")
        adendum_pratinjau = baca_pratinjau(page, "adendum")
        tick(page, "#setuju-adendum")
        page.fill("#passphrase-adendum", PASSPHRASE["ppk"])
        click(page, "[data-aksi=adendum-ajukan]")
        say(f"  proposed -> {page.inner_text('#status-adendum')}")
        login(page, "penyedia")
        page.goto(url2)
        page.fill("#passphrase-adendum-terima", PASSPHRASE["penyedia"])
        click(page, "[data-aksi=adendum-terima]")
        say(f"  Penyedia accepts -> total {page.inner_text('#total-pesanan')}")
        page.fill("#adendum-ongkir", "Rp 30.000")
        page.click("[data-aksi=adendum-pratinjau]")
        tick(page, "#setuju-adendum")
        page.fill("#passphrase-adendum", PASSPHRASE["penyedia"])
        click(page, "[data-aksi=adendum-ajukan]")
        login(page, "ppk")
        page.goto(url2)
        page.fill("#alasan-adendum", "Ongkos kirim sudah termasuk dalam harga")
        click(page, "[data-aksi=adendum-tolak]")
        say(f"  PPK rejects the Penyedia's -> total {page.inner_text('#total-pesanan')}")
        for label in page.locator("#adendum .adendum strong, #adendum .adendum .label").all_inner_texts():
            say(f"  {label}")
        sama_dengan_pratinjau(adendum_pratinjau, pdfsig(page, ".unduh-adendum >> nth=0", "adendum-1.pdf"))
    say("OK")


if __name__ == "__main__":
    main()
