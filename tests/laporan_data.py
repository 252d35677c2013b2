"""The small fixed dataset the report tests compute by hand (tests/services/test_laporan.py, the HTTP twin)."""

import pytest

from app.extensions import db
from app.services import eorder

# E-Order: 4 x Rp 25.000 per order, PPN 11 % -> Rp 100.000 + Rp 11.000
EO_SEBELUM, EO_PAJAK = 100_000, 11_000
# Katalog: 10 x Rp 90.000 (negotiated), PPN 11 % -> Rp 900.000 + Rp 99.000, shipping as checked out
KT_SEBELUM_BARANG, KT_PAJAK_BARANG = 900_000, 99_000


@pytest.fixture(name="data")
def laporan_data(f):
    selesai = f.scenario("selesai")
    diproses = f.scenario("diproses")
    diproses["penyedia"].is_umkm = False
    batal = f.scenario("diproses")
    eorder.jalankan(batal["pesanan"].id, "ajukan_pembatalan", batal["pembeli"], alasan="Acara dibatalkan")
    eorder.jalankan(batal["pesanan"].id, "setujui_pembatalan", batal["penyedia_user"])
    dipesan = f.scenario("dipesan")
    k_selesai = f.katalog("selesai")
    k_batal = f.katalog("batal_otomatis")
    manajemen = f.user("Manajemen")
    db.session.commit()
    return dict(
        selesai=selesai,
        diproses=diproses,
        batal=batal,
        dipesan=dipesan,
        k=k_selesai,
        k_batal=k_batal,
        manajemen=manajemen,
    )
