"""Uploads checked all the way, text bounds at the flush, one reader of typed numbers (issue 15 item 8)."""

import io

import pytest
from PIL import Image
from sqlalchemy import Text, inspect

from app.extensions import db
from app.models import Alamat
from app.services import batas, documents, eorder, keranjang_katalog
from app.services.errors import DomainError
from app.services.katalog import angka
from tests import unggahan
from tests.factories import pdf_bytes


@pytest.mark.parametrize(
    "build, reason",
    [
        (unggahan.pdf_openaction_js, "aksi yang berjalan sendiri saat dibuka"),
        (unggahan.pdf_named_js, "JavaScript"),
        (unggahan.pdf_escaped_js, "JavaScript"),
        (unggahan.pdf_embedded_file, "berkas sisipan"),
        (unggahan.pdf_launch_link, "perintah menjalankan program"),
    ],
)
def test_a_pdf_with_active_or_embedded_content_is_refused(app, build, reason):
    data = build()
    assert data.startswith(b"%PDF-")  # a first-bytes check alone would take it
    with pytest.raises(DomainError) as e:
        documents.check_upload(data)
    assert e.value.status == 415 and reason in str(e.value) and "PDF" in str(e.value)


def test_a_plain_pdf_passes_and_a_broken_one_is_refused(app):
    assert documents.check_upload(pdf_bytes()) == documents.PDF
    broken = b"%PDF-1.7\n" + b"\x00garbage" * 50 + b"\n%%EOF"
    with pytest.raises(DomainError, match="rusak"):
        documents.check_upload(broken)


def test_a_108_megapixel_png_is_refused_and_the_bound_is_configurable(app):
    data = unggahan.png_108_megapixel()
    assert len(data) < app.config["UPLOAD_MAX_BYTES"]  # small on disk: only the pixel bound stops it
    with pytest.raises(DomainError) as e:
        documents.check_upload(data, allowed=(documents.PNG,))
    assert e.value.status == 413 and "12000 x 9000" in str(e.value)
    small = unggahan.png(3000, 2000)
    assert documents.check_upload(small) == documents.PNG
    app.config["UPLOAD_MAX_PIXELS"] = 5_000_000
    try:
        with pytest.raises(DomainError, match="5 megapiksel"):
            documents.check_upload(unggahan.png(3000, 2000))
    finally:
        app.config["UPLOAD_MAX_PIXELS"] = 25_000_000


def test_a_truncated_image_is_decoded_in_full_and_refused(app):
    data = unggahan.jpeg_truncated()
    Image.open(io.BytesIO(data)).verify()  # the header-level check the code used to do accepts it
    with pytest.raises(DomainError, match="rusak"):
        documents.check_upload(data)


def test_a_stored_photo_loses_its_exif_and_gps_and_stays_upright(app, f):
    data = unggahan.jpeg_with_gps(width=40, height=20, orientation=6)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # it has GPS when it arrives
    user = f.pembeli()
    doc = documents.simpan(data, "selfie", "selfie.jpg", user, documents.check_upload(data))
    stored = documents.read(doc.stored_name)
    img = Image.open(io.BytesIO(stored))
    assert dict(img.getexif()) == {} and b"KameraRahasia" not in stored and b"Exif" not in stored
    assert img.size == (20, 40)  # the EXIF rotation applied before the tag went away
    assert doc.size == len(stored)
    # the same for a product photo (stored without a Dokumen row)
    name, _digest = documents.store(data)
    assert b"KameraRahasia" not in documents.read(name)


def test_bytes_appended_after_an_image_are_not_stored(app, f):
    data = unggahan.png() + b"<script>alert(1)</script>"
    assert documents.check_upload(data) == documents.PNG
    name, _digest = documents.store(data)
    assert b"<script>" not in documents.read(name)


def test_every_text_column_is_bounded_or_written_only_by_the_portal():
    from app.extensions import db as _db

    text_columns = {
        f"{t.name}.{c.name}" for t in _db.metadata.sorted_tables for c in t.columns if isinstance(c.type, Text)
    }
    assert text_columns - set(batas.TEKS) - batas.SISTEM == set()
    assert set(batas.TEKS) | batas.SISTEM <= text_columns  # no stale names


def test_an_over_long_text_is_refused_at_the_flush_with_the_field_named(app, f):
    user = f.pembeli()
    alamat = f.alamat(user)
    alamat.jalan = "J" * 200_000
    with pytest.raises(DomainError) as e:
        db.session.commit()
    db.session.rollback()
    assert "jalan" in str(e.value) and "500" in str(e.value)
    assert len(db.session.get(Alamat, alamat.id).jalan) < 100
    # a String(n) column holds n on SQLite too, as PostgreSQL would
    n = inspect(Alamat).columns["nama"].type.length
    alamat.nama = "N" * (n + 1)
    with pytest.raises(DomainError, match="nama"):
        db.session.flush()
    db.session.rollback()


def test_the_katalog_checkout_refuses_a_200000_character_address(app, f):
    w = f.katalog_dunia()
    with pytest.raises(DomainError, match="alamat kirim"):
        f.katalog_checkout(w, alamat_kirim="Jl. " + "x" * 200_000)
    db.session.rollback()


@pytest.mark.parametrize(
    "typed, value", [("12", 12), ("١٢", 12), ("۱۲", 12), ("१२", 12), ("１２", 12), (" 1.250 ", 1250)]
)
def test_one_reader_of_typed_numbers(typed, value):
    assert batas.bulat(typed, "x") == value
    assert angka.bulat(typed, "x") == value  # the Katalog's reader is the same one


@pytest.mark.parametrize("typed", ["10,5", "1e3", "²", "+5", "-5", "", None, "1" * 40, "12a"])
def test_the_reader_refuses_what_is_not_a_whole_number(typed):
    with pytest.raises(DomainError):
        batas.bulat(typed, "x")


def test_both_carts_take_arabic_indic_digits(app, f):
    s = f.scenario("draft")
    p = eorder.tambah_ke_keranjang(s["pembeli"], s["produk"].id, "٥")
    assert sum(i.qty for i in p.items) == 4 + 5
    w = f.katalog_dunia()
    line = keranjang_katalog.tambah(w["pp"], w["produk"].id, "٣")
    assert line.qty == 3
