"""The reports' "done when" walk, in headless Chromium against a running portal with its worker (`make run`):

    .venv/bin/python scripts/walk_laporan.py [http://127.0.0.1:5000]

As `manajemen`: the dashboard shows the figures; every workbook downloads from the Laporan page, opens in
LibreOffice (converted to PDF) with the dashboard's total and its charts; the detail export of the whole demo
database runs as a job whose progress bar reaches 100 %. As `ppk`: the same pages show only that satker.
Screenshots go to /tmp/walk-laporan/. Prints what it saw; exits non-zero on the first surprise."""

import io
import os
import re
import subprocess

from _walk import BASE, browser_page, login, say
from openpyxl import load_workbook

OUT = "/tmp/walk-laporan"
DARI = "2025-01-01"


def kpi(page):
    return int(page.get_attribute("#kpi-komitmen", "data-nilai"))


def ringkasan(data):
    wb = load_workbook(io.BytesIO(data))
    return wb, {r[0].value: r[1].value for r in wb["Ringkasan"].iter_rows(min_row=2)}


def soffice(path):
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", OUT, path], check=True,
                   capture_output=True, timeout=300)  # fmt: skip
    pdf = path[:-5] + ".pdf"
    pages = re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout)
    return pdf, int(pages.group(1))


def unduh(page, selector, name):
    with page.expect_download() as info:
        page.click(selector)
    path = os.path.join(OUT, name)
    info.value.save_as(path)
    return path


def walk(page, username):
    login(page, username)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{BASE}/dasbor/?dari={DARI}")
    page.wait_for_timeout(1500)  # the charts draw
    page.screenshot(path=f"{OUT}/dasbor-{username}.png", full_page=True)
    shown = kpi(page)
    charts = page.locator("canvas").count()
    satker_rows = page.locator("#tabel-target tbody tr").count()
    say(f"[{username}] dashboard: committed after tax {page.inner_text('#kpi-komitmen')} ({shown}), "
        f"realised {page.inner_text('#kpi-realisasi')}, UMKM share {page.inner_text('#kpi-umkm')}, "
        f"{charts} charts, {satker_rows} satker in the target table")  # fmt: skip

    page.goto(f"{BASE}/laporan/?dari={DARI}")
    page.screenshot(path=f"{OUT}/laporan-{username}.png", full_page=True)
    for jenis in ("belanja", "umkm", "penilaian", "kinerja"):
        path = unduh(page, f"#unduh-{jenis}", f"{jenis}-{username}.xlsx")
        with open(path, "rb") as f:
            data = f.read()
        wb = load_workbook(io.BytesIO(data))
        n_charts = sum(len(ws._charts) for ws in wb.worksheets) + len(wb.chartsheets)
        pdf, pages = soffice(path)
        text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True).stdout
        line = f"[{username}] {jenis}.xlsx: {len(data):,} bytes, sheets {wb.sheetnames}, {n_charts} charts; " \
               f"LibreOffice PDF {pages} pages"  # fmt: skip
        if jenis == "belanja":
            _, values = ringkasan(data)
            total = values["Komitmen Setelah Pajak"]
            assert total == shown, f"workbook total {total} != dashboard {shown}"
            rp = "Rp " + f"{total:,}".replace(",", ".")
            assert rp in text.replace("\xa0", " "), f"{rp} not in the PDF"
            line += f"; total {rp} = the dashboard's, printed in the PDF"
        say(line)

    # the detail export as a job: the page's button, then the progress bar until the download appears
    page.click("#buat-rincian")
    page.wait_for_load_state()
    row = page.locator("tr[data-laporan]").first
    seen = set()
    for _ in range(120):
        seen.add(row.get_attribute("data-status"))
        if row.get_attribute("data-status") == "selesai":
            break
        page.wait_for_timeout(500)
    bar = row.locator(".progress-bar")
    page.wait_for_timeout(800)  # Bootstrap animates the bar's width (0.6 s): the screenshot shows where it ends
    page.screenshot(path=f"{OUT}/laporan-saya-{username}.png", full_page=True)
    assert row.get_attribute("data-status") == "selesai", f"job did not finish: {seen}"
    page.reload()  # a finished job's bar fills its track as the page draws it
    filled = page.eval_on_selector(
        "tr[data-laporan] .progress-bar", "el => el.offsetWidth >= el.parentElement.clientWidth - 1"
    )
    assert filled, "the finished job's progress bar does not fill its track"
    # a finished job's bar fills its track, also after a reload (the CSP drops inline styles)
    page.reload()
    filled = page.eval_on_selector(
        "tr[data-laporan] .progress-bar", "el => el.offsetWidth >= el.parentElement.clientWidth - 1"
    )
    assert filled, "the finished job's progress bar does not fill its track"
    path = unduh(page, "tr[data-laporan] .laporan-aksi a", f"rincian-{username}.xlsx")
    wb = load_workbook(path, read_only=True)
    lines = sum(sum(1 for _ in wb[n].iter_rows(min_row=2)) for n in wb.sheetnames if n.startswith("Rincian"))
    say(f"[{username}] detail export job: states seen {sorted(seen)}, bar {bar.inner_text()}, {lines} lines, "
        f"{row.locator('.laporan-keadaan').inner_text()}")  # fmt: skip
    return shown, satker_rows


def main():
    os.makedirs(OUT, exist_ok=True)
    with browser_page() as page:
        all_total, all_satker = walk(page, "manajemen")
        own_total, own_satker = walk(page, "ppk")
        # the PPK's figures are a part of the whole, for one satker, and other satker are not offered
        login(page, "ppk")
        page.goto(f"{BASE}/laporan/")
        assert page.locator("#f-satker").count() == 0, "a satker choice for a PPK"
        assert own_satker <= 1 and own_total <= all_total
        say(f"ppk sees {own_satker} satker and Rp {own_total:,} of the province's Rp {all_total:,}; no satker choice")
    say(f"screenshots in {OUT}")


if __name__ == "__main__":
    main()
