"""Pay the three demo Katalog orders in a real browser, one per method, as the demo PPK, Penyedia, BUD and
Bendahara, against a running portal (`make run` on a fresh demo database):

    .venv/bin/python scripts/walk_pembayaran.py [http://127.0.0.1:5000]

KAT/<year>/000001 by LS (faktur pajak, bukti potong PPh 22, BUD), 000002 by UP kode bayar (Bendahara
Pengeluaran), 000003 by UP KKP (the PPK as card holder). Each must end Selesai; the script prints each
order's payment history as the page shows it. Demo passwords only (README).
"""

import os
import tempfile

from _walk import BASE, browser_page, click, login, say, status, tick
from reportlab.pdfgen import canvas

TMP = tempfile.mkdtemp(prefix="walk-bayar-")


def pdf(name, text):
    path = os.path.join(TMP, name)
    c = canvas.Canvas(path)
    c.drawString(72, 720, text)
    c.save()
    return path


def order_ids(page):
    """{nomor suffix: id} of the orders waiting for payment, from the PPK's payment list."""
    page.goto(f"{BASE}/katalog/?status=pesanan_tiba")
    ids = {}
    for row in page.locator("table tr").all():
        text = row.inner_text()
        for suffix in ("000001", "000002", "000003"):
            if f"/{suffix}" in text:
                href = row.locator("a[href*='/katalog/']").first.get_attribute("href")
                ids[suffix] = int(href.rstrip("/").rsplit("/", 1)[1])
    return ids


def history(page, table, order):
    say(f"  history of {order}:")
    for line in page.locator(f"#{table} tbody tr").all_inner_texts():
        say("    " + " | ".join(x.strip() for x in line.split("\t") if x.strip()))


def bendahara_pays(page, user, pk):
    login(page, user)
    page.goto(f"{BASE}/pembayaran/")
    queue = page.inner_text("#antrean-pembayaran")
    say(f"  {user}'s queue: {' / '.join(x for x in queue.splitlines()[1:3])}")
    page.goto(f"{BASE}/pembayaran/{pk}")
    tick(page, "#dokumen_diperiksa")
    click(page, "[data-aksi=konfirmasi_bayar]")
    say(f"  {user} confirms -> {status(page)}")
    click(page, "#petunjuk-bayar")
    kode = page.inner_text("#kode-bayar")
    say(f"  kode bayar: {' '.join(kode.split())[:160]}")
    click(page, "[data-aksi=simulasi]")
    say(f"  paid at the (simulated) bank, signed callback accepted -> {status(page)}")
    assert status(page) == "Selesai"
    history(page, "riwayat-pesanan", pk)


def main():
    with browser_page() as page:
        login(page, "ppk")
        ids = order_ids(page)
        say(f"orders ready to pay: {ids}")
        assert len(ids) == 3, "expected the three demo orders in Pesanan Tiba (fresh demo database)"

        say("1. LS (PMK 59/2022): faktur pajak, bukti potong, BUD")
        pk = ids["000001"]
        page.goto(f"{BASE}/pembayaran/ppk")
        say("  PPK's list: " + " / ".join(page.locator("#pesanan-bayar tbody tr").all_inner_texts()[0].split("\t")[:3]))
        page.goto(f"{BASE}/katalog/{pk}")
        click(page, "[data-metode=ls] [data-aksi=pilih_ls]")
        say(f"  PPK picks LS -> {status(page)}")
        if page.locator("[data-aksi=lanjutkan_bayar]").count():  # refused while documents are missing
            page.click("[data-aksi=lanjutkan_bayar]")
            say(f"  Lanjutkan Pembayaran too early: {page.locator('.alert-danger').first.inner_text().strip()}")
        else:
            say(f"  {' '.join(page.inner_text('#dokumen-kurang').split())}")
        login(page, "penyedia")
        page.goto(f"{BASE}/katalog/{pk}")
        page.fill("#nomor_tagihan", "010.000-26.00000001")
        page.set_input_files("#berkas-faktur", pdf("faktur.pdf", "Faktur Pajak 010.000-26.00000001"))
        click(page, "[data-aksi=unggah_faktur]")
        say(f"  Penyedia uploads the faktur pajak; receives {page.inner_text('#diterima-penyedia')}")
        login(page, "ppk")
        page.goto(f"{BASE}/katalog/{pk}")
        page.select_option("#jenis_pph", index=1)
        page.fill("#jumlah_pph", "Rp 150.000")
        page.set_input_files("#berkas-bukti-potong", pdf("bukti-potong.pdf", "Bukti Potong PPh 22"))
        click(page, "[data-aksi=unggah_bukti_potong]")
        click(page, "[data-aksi=lanjutkan_bayar]")
        say(f"  PPK uploads the bukti potong, Lanjutkan Pembayaran -> {status(page)}")
        page.select_option("#bendahara_id", index=0)
        click(page, "[data-aksi=ajukan_bendahara]")
        say(f"  PPK picks the BUD -> {status(page)}")
        bendahara_pays(page, "bud", pk)

        say("2. UP kode bayar (PMK 58/2023): Bendahara Pengeluaran of the satker")
        pk = ids["000002"]
        login(page, "ppk")
        page.goto(f"{BASE}/pembayaran/ppk")
        click(page, f"#pesanan-bayar tr:has(a[href$='/katalog/{pk}#pembayaran']) [data-aksi=pilih_up]")
        page.goto(f"{BASE}/katalog/{pk}")
        say(f"  PPK picks UP kode bayar from the list -> {status(page)}")
        page.select_option("#bendahara_id", index=0)
        click(page, "[data-aksi=ajukan_bendahara]")
        say(f"  PPK picks the Bendahara Pengeluaran -> {status(page)}")
        bendahara_pays(page, "bendahara", pk)

        say("3. UP KKP: the PPK pays as card holder")
        pk = ids["000003"]
        login(page, "ppk")
        page.goto(f"{BASE}/katalog/{pk}")
        click(page, "[data-metode=up_kkp] [data-aksi=pilih_kkp]")
        say(f"  PPK picks UP KKP (own card) -> {status(page)}")
        tick(page, "#setuju-kkp")
        click(page, "[data-aksi=bayar_kkp]")
        say(f"  PPK pays with the KKP -> {status(page)}")
        assert status(page) == "Selesai"
        history(page, "riwayat-pembayaran", pk)
    say("OK: three orders Selesai, one per method")


if __name__ == "__main__":
    main()
