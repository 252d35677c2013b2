"""The product pages the Penyedia and the Admin read print people's words: no `None`, `True` or `11.00`."""

import re
from decimal import Decimal

RAW = re.compile(rb">\s*(None|True|False|11\.00|0\.00)\s*<")


def test_product_show_pages_have_no_raw_values(f, login, client):
    penyedia = f.penyedia()
    owner = f.penyedia_user(penyedia)
    produk = f.produk(penyedia, deskripsi=None, tkdn_persen=None, ppn_persen=Decimal("11"), status="diajukan")
    login(owner)
    page = client.get(f"/produk-saya/show/{produk.id}")
    assert page.status_code == 200
    assert not RAW.search(page.data), RAW.search(page.data)
    assert b">Ya<" in page.data or b"Ya" in page.data  # Produk Dalam Negeri
    login(f.user("Admin"))
    page = client.get(f"/persetujuan-produk/show/{produk.id}")
    assert page.status_code == 200
    assert not RAW.search(page.data), RAW.search(page.data)
