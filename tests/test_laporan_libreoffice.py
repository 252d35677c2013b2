"""Every workbook opens cleanly in LibreOffice: `soffice --headless --convert-to pdf` succeeds and the PDF shows
the totals in Indonesian notation (a real office suite reading the file, not openpyxl reading its own)."""

import os
import shutil
import subprocess

import pytest

from app.reports import belanja, kinerja, penilaian, rincian, saringan, umkm
from app.services import money
from tests.laporan_data import laporan_data  # noqa: F401

SOFFICE = shutil.which("soffice")


@pytest.mark.skipif(not SOFFICE and not os.environ.get("CI"), reason="LibreOffice (soffice) is not installed")
def test_workbooks_convert_to_pdf(data, app, tmp_path):
    m = data["manajemen"]
    s = saringan.baca({}, m)
    with app.test_request_context():
        for name, mod in (("belanja", belanja), ("umkm", umkm), ("penilaian", penilaian), ("kinerja", kinerja),
                          ("rincian", rincian)):  # fmt: skip
            (tmp_path / f"{name}.xlsx").write_bytes(mod.buku_laporan(s, m))
        total = belanja.hitung(s, m)["total"]
    files = sorted(str(p) for p in tmp_path.glob("*.xlsx"))
    profile = tmp_path / "profile"
    proc = subprocess.run(
        [
            SOFFICE or "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *files,
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    for f in files:
        pdf = f[:-5] + ".pdf"
        assert os.path.getsize(pdf) > 1000, pdf
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "belanja.pdf"), "-"], capture_output=True,
                          text=True).stdout  # fmt: skip
    assert "Laporan Belanja" in text and "Jumlah" in text
    # Rupiah in Indonesian notation, the total as the workbook holds it
    assert money.format_rupiah(total["komitmen_total"]).replace("\xa0", " ") in text.replace("\xa0", " ")
