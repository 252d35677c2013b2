"""Shipping addresses: region chain, postal code, one Utama per user."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Alamat, Wilayah
from app.services import alamat as alamat_service
from app.services.errors import DomainError


def _chain():
    kel = (
        db.session.execute(select(Wilayah).where(Wilayah.level == "kelurahan", Wilayah.code.like("31.74.%")))
        .scalars()
        .first()
    )
    kec = db.session.get(Wilayah, kel.parent_code)
    kota = db.session.get(Wilayah, kec.parent_code)
    return dict(provinsi_code="31", kota_code=kota.code, kecamatan_code=kec.code, kelurahan_code=kel.code)


def _new(**kw):
    values = dict(nama="Gudang", jenis="kegiatan", jalan="Jl. Gatot Subroto 1", kode_pos="12950", **_chain())
    values.update(kw)
    return Alamat(**values)


def test_reference_holds_all_of_jakarta():
    def count(level, prefix):
        return db.session.query(Wilayah).filter(Wilayah.level == level, Wilayah.code.like(prefix)).count()

    assert count("provinsi", "%") == 38
    assert count("kota", "31.%") == 6
    assert count("kecamatan", "31.%") == 44
    assert count("kelurahan", "31.%") == 267


def test_new_utama_demotes_the_old_one(f):
    user = f.pembeli()
    first = f.alamat(user, jenis="utama")
    second = _new(jenis="utama")
    alamat_service.siapkan(second, user)
    db.session.add(second)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Alamat, first.id).jenis == "kegiatan"
    assert db.session.get(Alamat, second.id).jenis == "utama"
    assert (second.user_id, second.satker_id, second.negara) == (user.id, user.satker_id, "Indonesia")


@pytest.mark.parametrize(
    "change",
    [
        {"kode_pos": "1234"},
        {"kode_pos": "12a45"},
        {"kelurahan_code": "31.71.01.1001"},  # a kelurahan of another kecamatan
        {"kota_code": "32.73"},
        {"jenis": "rumah"},
        {"latitude": 123.0},
    ],
)
def test_refusals(f, change):
    user = f.pembeli()
    with pytest.raises(DomainError):
        alamat_service.siapkan(_new(**change), user)


def test_supplier_has_no_shipping_address(f):
    with pytest.raises(DomainError):
        alamat_service.siapkan(_new(), f.penyedia_user())


def test_editing_an_address_to_utama_demotes_the_old_one_in_the_same_transaction(f):
    """The edited address is already in the session: the demotion must run before it is flushed."""
    user = f.pembeli()
    first = f.alamat(user, jenis="utama")
    second = f.alamat(user, jenis="kegiatan")
    second.jenis = "utama"  # what FAB's populate_obj does before pre_update
    alamat_service.siapkan(second, user)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Alamat, first.id).jenis == "kegiatan"
    assert db.session.get(Alamat, second.id).jenis == "utama"


def test_a_refused_edit_demotes_nothing(f):
    user = f.pembeli()
    first = f.alamat(user, jenis="utama")
    second = f.alamat(user, jenis="kegiatan")
    second.jenis, second.kode_pos = "utama", "12"
    with pytest.raises(DomainError):
        alamat_service.siapkan(second, user)
    db.session.rollback()
    assert db.session.get(Alamat, first.id).jenis == "utama"


@pytest.mark.parametrize("jalan", ["", "   ", "\t \n "])
def test_street_of_only_spaces_is_refused(f, jalan):
    with pytest.raises(DomainError, match="bukan hanya spasi"):
        alamat_service.siapkan(_new(jalan=jalan), f.pembeli())


def test_name_and_street_are_trimmed(f):
    a = _new(nama="  Gudang   Utara ", jalan="  Jl. Sudirman 5  ")
    alamat_service.siapkan(a, f.pembeli())
    assert (a.nama, a.jalan) == ("Gudang Utara", "Jl. Sudirman 5")


def test_coordinates_are_exact_decimals(f):
    from decimal import Decimal

    a = _new(latitude="-6,1754001", longitude="106.8272")
    alamat_service.siapkan(a, f.pembeli())
    assert (a.latitude, a.longitude) == (Decimal("-6.175400"), Decimal("106.827200"))


@pytest.mark.parametrize(
    "coords",
    [
        {"latitude": "90.5", "longitude": "106"},
        {"latitude": "-6", "longitude": "181"},
        {"latitude": "abc", "longitude": "106"},
        {"latitude": "NaN", "longitude": "106"},
        {"latitude": "-6.2", "longitude": ""},  # half a pin
    ],
)
def test_bad_coordinates_are_refused(f, coords):
    with pytest.raises(DomainError, match="Titik peta"):
        alamat_service.siapkan(_new(**coords), f.pembeli())


def test_new_address_starts_in_the_organisations_kecamatan(f):
    chain = _chain()
    satker = f.satker()
    user = f.pembeli(satker=satker)
    assert alamat_service.wilayah_awal(user) == {}
    satker.kecamatan_code = chain["kecamatan_code"]
    db.session.commit()
    assert alamat_service.wilayah_awal(user) == {
        "provinsi_code": "31",
        "kota_code": chain["kota_code"],
        "kecamatan_code": chain["kecamatan_code"],
    }


def test_a_second_address_starts_as_kegiatan(f):
    user = f.pembeli()
    assert alamat_service.isian_awal(user)["jenis"] == "utama"
    f.alamat(user, jenis="utama")
    assert alamat_service.isian_awal(user)["jenis"] == "kegiatan"
