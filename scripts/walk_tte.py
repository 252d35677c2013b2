"""Walk TTE as BSrE issues it in a real browser, against a running demo portal whose clock can be moved:

    export CLOCK_OFFSET_FILE=/tmp/portal-clock.offset   # the same value the server was started with
    .venv/bin/python scripts/walk_tte.py [http://127.0.0.1:5000]

The newly appointed PPK `ppk.baru` (verified profile, no TTE; a rerun first revokes the certificate the last
run issued: "passphrase hilang") asks for TTE with their NIK; the demo verifikator, TTE verifier of
PEMPROV-DKI, approves it in Antrean Verifikasi TTE; the PPK creates the passphrase and the certificate is
issued. The PP orders from Kedai Bakso Andrew with ppk.baru as PPK; the PPK signs the Surat Pesanan after its
preview, the Penyedia countersigns. The SP is checked with pdfsig and pyHanko (trust root from /tte/akar.pem:
valid, trusted, timestamped); then the portal's clock is moved three years ahead (`flask portal clock
advance`), past the two-year certificate, and the public verification page still calls both signatures
valid, by their timestamps. The clock is set back at the end.
"""

import io
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from _walk import BASE, browser_page, login, say, status
from walk_katalog import (
    PASSPHRASE,
    TMP,
    aktivasi_tte,
    baca_pratinjau,
    click,
    ensure_tte,
    pdfsig,
    sama_dengan_pratinjau,
)

PPK_BARU, NIK_BARU, PASSPHRASE_BARU = "ppk.baru", "3171016306910005", "Baru-TTE-2026!"
FLASK = os.path.join(os.path.dirname(sys.executable), "flask")


def portal_clock(*args):
    out = subprocess.run([FLASK, "portal", "clock", *args], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def cabut_bila_aktif(page):
    """A rerun: the certificate of the last run is revoked first (the owner lost the passphrase)."""
    login(page, PPK_BARU)
    page.goto(f"{BASE}/tte/")
    if page.locator("#form-cabut").count():
        page.select_option("#alasan-cabut", "passphrase_hilang")
        page.fill("#catatan-cabut", "walk_tte: mulai dari awal")
        click(page, "[data-aksi=cabut]")
        say(
            f"  {PPK_BARU}: certificate revoked ({page.inner_text('#sertifikat-dicabut')}) -> "
            f"{page.inner_text('#status-tte').strip()}"
        )


def pesan_dengan_ppk_baru(page):
    """PP: an order of Kedai Bakso Andrew with ppk.baru as its PPK, negotiated once, submitted to the PPK."""
    from datetime import date, timedelta

    from walk_katalog import persiapan

    login(page, "pp")
    page.goto(f"{BASE}/katalog-toko/?q=Andrew")
    page.locator("#hasil-katalog a[href*='/katalog-toko/produk/']").first.click()
    page.fill("#qty", "10")
    page.click("#tambah-keranjang")
    page.wait_for_load_state()
    page.goto(f"{BASE}/keranjang-katalog/")
    page.locator("[data-aksi=checkout]").first.click()
    page.wait_for_load_state()
    page.select_option("#rup_id", index=1)
    page.select_option("#ppk_id", label="Zulaikha Rahmawati")
    page.fill("#alamat_kirim", "Jl. Gunung Sahari Raya No. 4, Pasar Baru, Sawah Besar, Jakarta Pusat 10710")
    page.fill("#jenis_pengiriman", "Dikirim ke kantor")
    page.fill("#tanggal_tiba_diminta", (date.today() + timedelta(days=14)).isoformat())
    page.check("#opsi-kurir_penyedia")
    page.set_input_files("#dokumen_persiapan", persiapan())
    click(page, "[data-aksi=checkout]")
    url = page.url
    item = page.locator("#rincian [data-item]").first.get_attribute("data-item")
    page.fill(f"#harga_{item}", "Rp 13.000")
    page.fill("#ongkir-ajukan_nego", "Rp 20.000")
    click(page, "[data-aksi=ajukan_nego]")
    login(page, "penyedia")
    page.goto(url)
    click(page, "[data-aksi=terima]")
    login(page, "pp")
    page.goto(url)
    click(page, "[data-aksi=ajukan_ppk]")
    say(f"  PP: order {url.rsplit('/', 1)[-1]} to PPK Zulaikha Rahmawati -> {status(page)}")
    return url


def pyhanko_check(path, akar):
    """pyHanko's own validator with the exported trust root: trusted, and the timestamp it carries."""
    from pyhanko.keys import load_certs_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = list(load_certs_from_pemder([akar]))
    with open(path, "rb") as fh:
        reader = PdfFileReader(io.BytesIO(fh.read()))
        for sig in reader.embedded_signatures:
            if sig.sig_object_type == "/DocTimeStamp":
                say(f"  pyHanko: {sig.field_name}: document timestamp (PAdES B-LTA)")
                continue
            vc = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
            st = validate_pdf_signature(sig, signer_validation_context=vc, ts_validation_context=vc)
            ts = st.timestamp_validity
            say(
                f"  pyHanko: {sig.field_name}: intact={st.intact} valid={st.valid} trusted={st.trusted} "
                f"timestamp={ts.timestamp:%Y-%m-%d %H:%M:%S} UTC (trusted={ts.trusted})"
            )
            assert st.bottom_line and ts is not None and ts.trusted, st.pretty_print_details()


def kode_verifikasi(path):
    """The letter's verification code, from the PDF's Info entry the portal writes (dokumen_pdf.INFO_KODE)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    with open(path, "rb") as fh:
        info = PdfFileReader(io.BytesIO(fh.read()), strict=False).trailer["/Info"]
        kode = str(info["/PortalKodeVerifikasi"])
    assert re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}", kode), kode
    return kode


def verifikasi_publik(page, kode, label):
    page.goto(f"{BASE}/verifikasi-dokumen/{kode}")
    rows = page.locator("#penandatangan tbody tr")
    for i in range(rows.count()):
        say(f"  [{label}] {' | '.join(' '.join(c.split()) for c in rows.nth(i).locator('td').all_inner_texts())}")
    sah = page.locator("#penandatangan .label-success").count()
    stempel = page.locator("#penandatangan [data-stempel]").count()
    return sah, stempel


def main():
    if not os.environ.get("CLOCK_OFFSET_FILE"):
        raise SystemExit("set CLOCK_OFFSET_FILE to the file the server was started with (README, walk_tte)")
    with browser_page() as page:
        say("1. A new PPK asks for TTE; the instansi's TTE verifier approves; the certificate is issued")
        cabut_bila_aktif(page)
        aktivasi_tte(page, PPK_BARU, NIK_BARU, PASSPHRASE_BARU)
        login(page, "penyedia")
        ensure_tte(page, "penyedia")

        say("2. PP orders with the new PPK")
        url = pesan_dengan_ppk_baru(page)

        say("3. The PPK reads and signs the Surat Pesanan; the Penyedia countersigns")
        login(page, PPK_BARU)
        page.goto(url)
        click(page, "[data-aksi=pratinjau-sp]")
        sp_pratinjau = baca_pratinjau(page, "sp")
        page.check("#setuju-buat_pesanan")
        page.fill("#passphrase-buat_pesanan", PASSPHRASE_BARU)
        click(page, "[data-aksi=buat_pesanan]")
        say(f"  PPK signs -> {status(page)}")
        login(page, "penyedia")
        page.goto(url)
        page.fill("#passphrase-ttd_sp", PASSPHRASE["penyedia"])
        click(page, "[data-aksi=ttd_sp]")
        say(f"  Penyedia countersigns -> {status(page)}")
        sp = pdfsig(page, "#unduh-sp", "surat-pesanan-ppk-baru.pdf")
        sama_dengan_pratinjau(sp_pratinjau, sp)
        out = subprocess.run(["pdfsig", sp], capture_output=True, text=True, check=False).stdout
        say(
            f"  pdfsig: {out.count('Signature is Valid.')} valid signatures, "
            f"{out.count('Common Name: Portal Pengadaan Timestamp Authority')} document timestamps by the portal TSA"
        )

        say("4. The trust root, and pyHanko's verdict with it")
        akar = page.request.get(f"{BASE}/tte/akar.pem").body()
        akar_path = os.path.join(TMP, "akar-tte-portal.pem")
        with open(akar_path, "wb") as fh:
            fh.write(akar)
        say(f"  /tte/akar.pem -> {akar_path}")
        with ThreadPoolExecutor(max_workers=1) as pool:  # pyHanko's asyncio.run, away from Playwright's loop
            pool.submit(pyhanko_check, sp, akar_path).result()
        kode = kode_verifikasi(sp)
        sah, stempel = verifikasi_publik(page, kode, "today")
        assert sah == 2 and stempel == 2, (sah, stempel)

        say("5. Three years later: the certificate has expired, the timestamps still prove when it was signed")
        say(f"  {portal_clock('advance', '1095d', '--no-wake')}")
        try:
            login(page, PPK_BARU)
            page.goto(f"{BASE}/tte/")
            say(
                f"  {PPK_BARU}: {page.inner_text('#status-tte').strip()} (certificate until "
                f"{page.inner_text('#rincian-sertifikat tr:nth-child(5) td')})"
            )
            sah, stempel = verifikasi_publik(page, kode, "+3 years")
            assert sah == 2 and stempel == 2, (sah, stempel)
            say(f"  verification page, clock +3 years: {sah} of 2 signatures valid, {stempel} timestamped")
        finally:
            say(f"  {portal_clock('reset')}")
    say("done")


if __name__ == "__main__":
    main()
