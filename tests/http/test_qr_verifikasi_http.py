"""The QR code printed on a signed letter opens the public verification page, which says "asli" (issue 12,
items 11–12): the letter is rendered by poppler (pdftoppm), the QR code read back by ZXing, and its URL
opened anonymously — nothing of the portal's own code decides what the image says."""

import re
import subprocess
from urllib.parse import urlsplit

import pytest
import zxingcpp
from PIL import Image

from app.extensions import db
from app.models import Dokumen
from app.services import documents


def _qr_urls(pdf, tmp_path):
    path = tmp_path / "surat.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(path), str(tmp_path / "hal")], check=True)
    found = []
    for png in sorted(tmp_path.glob("hal*.png")):
        found += [r.text for r in zxingcpp.read_barcodes(Image.open(png)) if r.format == zxingcpp.BarcodeFormat.QRCode]
    return found


@pytest.mark.parametrize("jenis", ["sp", "bast"])
def test_the_printed_qr_code_opens_the_page_that_says_asli(app, f, client, tmp_path, jenis):
    w = f.katalog("pesanan_tiba")
    p = w["pesanan"]
    doc = db.session.get(Dokumen, p.sp_dokumen_id if jenis == "sp" else p.bast_dokumen_id)
    urls = _qr_urls(documents.read(doc.stored_name), tmp_path)
    assert len(urls) == 1, urls
    target = urlsplit(urls[0])
    assert target.path.startswith("/verifikasi-dokumen/") and target.path.rstrip("/").rsplit("/", 1)[1]
    resp = client.get(target.path)  # anonymous
    html = resp.data.decode()
    assert resp.status_code == 200 and 'data-putusan="asli"' in html  # genuine, the newest version
    assert p.nomor in html and not re.search(r"Rp\s?\d", html)  # which order, never a price
