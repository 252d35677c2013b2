"""The demo's product photos: drawn per kind of product, the same bytes for the same name, a real JPEG the
upload check accepts, small enough for a demo (≤ 40 KB)."""

import io

from PIL import Image

from app import foto_demo
from app.services import documents


def test_same_name_same_photo_and_a_valid_small_jpeg(app):
    a = foto_demo.foto("Nasi Kotak Bakso Urat Komplit", "Makanan & Minuman")
    assert a == foto_demo.foto("Nasi Kotak Bakso Urat Komplit", "Makanan & Minuman")
    assert a != foto_demo.foto("Kaos Seragam Batik", "Pakaian dan Aksesoris Laki-Laki")
    assert len(a) <= 40_000
    assert Image.open(io.BytesIO(a)).size == (400, 300)
    assert documents.check_upload(a, allowed=(documents.JPEG,)) == documents.JPEG


def test_the_picture_fits_the_product():
    assert foto_demo.jenis_gambar("Kertas HVS A4 70 gsm (1 rim)") == "buku"  # "kertas" is no "tas"
    assert foto_demo.jenis_gambar("Tas Laptop Kulit") == "tas"
    assert foto_demo.jenis_gambar("Sewa Bus Pariwisata 45 Kursi") == "bus"
    assert foto_demo.jenis_gambar("Sewa Lampu Sorot LED 200 Watt (per hari)") == "lampu"
    assert foto_demo.jenis_gambar("Sesuatu", "Perangkat Lunak") == "aplikasi"  # by category when no word fits
    assert foto_demo.jenis_gambar("Sesuatu") == "kotak"
