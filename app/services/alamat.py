"""Shipping addresses: region chain from the reference table, postal code, at most one Utama."""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.extensions import db
from app.models import Alamat, Pesanan, Wilayah

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


def siapkan(alamat, user):
    """Validate and complete an address before FAB saves it (same commit)."""
    if not user.satker_id:
        raise DomainError(_l("Hanya pengguna dari satker/BUMD yang dapat menyimpan alamat pengiriman."))
    alamat.user_id = user.id
    alamat.satker_id = user.satker_id
    alamat.negara = "Indonesia"
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
    for attr in ("latitude", "longitude"):
        value = getattr(alamat, attr)
        setattr(alamat, attr, None if value in (None, "") else float(value))  # lat/lon degrees, not money
    if alamat.latitude is not None and not -90 <= alamat.latitude <= 90:
        raise DomainError(_l("Titik peta tidak valid."))
    if alamat.longitude is not None and not -180 <= alamat.longitude <= 180:
        raise DomainError(_l("Titik peta tidak valid."))
    if alamat.jenis == "utama":
        # A new Utama replaces the old one: the user keeps exactly one.
        db.session.execute(
            update(Alamat)
            .where(Alamat.user_id == user.id, Alamat.jenis == "utama", Alamat.id != (alamat.id or 0))
            .values(jenis="kegiatan")
            .execution_options(synchronize_session=False)
        )
