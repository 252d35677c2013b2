"""Shipping addresses: region chain from the reference table, postal code, at most one Utama."""

import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.extensions import db
from app.models import Alamat, Pesanan, Satker, Wilayah

from .errors import DomainError


def sebelum_hapus(alamat):
    """An address an order was placed with stays (the order keeps its snapshot anyway); carts let go."""
    used = db.session.execute(
        select(Pesanan.id).where(Pesanan.alamat_id == alamat.id, Pesanan.status != "draft").limit(1)
    ).first()
    if used:
        raise DomainError(_l("Alamat ini dipakai oleh pesanan dan tidak dapat dihapus."))
    db.session.execute(
        update(Pesanan)
        .where(Pesanan.alamat_id == alamat.id, Pesanan.status == "draft")
        .values(alamat_id=None)
        .execution_options(synchronize_session=False)
    )


_DERAJAT = Decimal("0.000001")  # six decimals: about 0.1 m, finer than any map pin


def _derajat(value, batas):
    """A map coordinate in degrees as an exact Decimal (None when no pin), within ±batas."""
    if value is None or str(value).strip() == "":
        return None
    try:
        degrees = Decimal(str(value).strip().replace(",", "."))
        ok = degrees.is_finite() and -batas <= degrees <= batas
    except (InvalidOperation, ValueError):
        ok = False
    if not ok:
        raise DomainError(_l("Titik peta tidak valid."))
    return degrees.quantize(_DERAJAT)


def isian_awal(user):
    """What a new address form starts with: Kegiatan when the user already has an Utama (so saving the
    form as it comes never demotes it), and the organisation's kecamatan (wilayah_awal)."""
    punya_utama = db.session.execute(
        select(Alamat.id).where(Alamat.user_id == user.id, Alamat.jenis == "utama").limit(1)
    ).first()
    return {"jenis": "kegiatan" if punya_utama else "utama", **wilayah_awal(user)}


def wilayah_awal(user):
    """Where a new address form starts: the kecamatan of the user's organisation (Satker.kecamatan) with its
    kota and provinsi; empty when the organisation has none set."""
    satker = db.session.get(Satker, user.satker_id) if user.satker_id else None
    kec = satker.kecamatan if satker is not None else None
    if kec is None or kec.level != "kecamatan":
        return {}
    kota = db.session.get(Wilayah, kec.parent_code)
    if kota is None:
        return {}
    return {"provinsi_code": kota.parent_code, "kota_code": kota.code, "kecamatan_code": kec.code}


def siapkan(alamat, user):
    """Validate and complete an address before FAB saves it (same commit): add and edit alike."""
    # no_autoflush throughout: on an edit the address is already in the session, and any load (even of an
    # expired attribute) would flush its new values, Utama included, before the old Utama is demoted below
    with db.session.no_autoflush:
        _siapkan(alamat, user)


def _siapkan(alamat, user):
    if not user.satker_id:
        raise DomainError(_l("Hanya pengguna dari satker/BUMD yang dapat menyimpan alamat pengiriman."))
    alamat.user_id = user.id
    alamat.satker_id = user.satker_id
    alamat.negara = "Indonesia"
    alamat.nama = " ".join(str(alamat.nama or "").split())
    if not alamat.nama:
        raise DomainError(_l("Nama alamat wajib diisi."))
    alamat.jalan = str(alamat.jalan or "").strip()
    if not alamat.jalan:
        raise DomainError(_l("Jalan wajib diisi: tulis nama jalan dan nomornya, bukan hanya spasi."))
    chain = [
        (alamat.provinsi_code, "provinsi", None),
        (alamat.kota_code, "kota", alamat.provinsi_code),
        (alamat.kecamatan_code, "kecamatan", alamat.kota_code),
        (alamat.kelurahan_code, "kelurahan", alamat.kecamatan_code),
    ]
    for code, level, parent in chain:
        w = db.session.get(Wilayah, code) if code else None
        if w is None or w.level != level or (parent and w.parent_code != parent):
            raise DomainError(_l("Pilihan wilayah tidak konsisten: periksa provinsi, kota, kecamatan, dan kelurahan."))
    if not re.fullmatch(r"\d{5}", alamat.kode_pos or ""):
        raise DomainError(_l("Kode pos harus 5 angka."))
    if alamat.jenis not in ("utama", "kegiatan"):
        raise DomainError(_l("Jenis alamat harus Utama atau Kegiatan."))
    alamat.latitude = _derajat(alamat.latitude, 90)
    alamat.longitude = _derajat(alamat.longitude, 180)
    if (alamat.latitude is None) != (alamat.longitude is None):
        raise DomainError(_l("Titik peta tidak valid."))
    if alamat.jenis == "utama":
        # A new or edited Utama replaces the old one (the user keeps exactly one), in this transaction:
        # the UPDATE runs before the address is flushed, so the one-Utama index never sees two.
        db.session.execute(
            update(Alamat)
            .where(Alamat.user_id == user.id, Alamat.jenis == "utama", Alamat.id != (alamat.id or 0))
            .values(jenis="kegiatan")
            .execution_options(synchronize_session=False)
        )
