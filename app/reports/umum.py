"""What every report shares: the cover's text (filters in words, the definitions), DataFrame building,
shares and means as Decimal, the traffic-light status against a target."""

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.formatting import tanggal
from app.models import Instansi, Kategori, Satker
from app.services import clock, money

from . import buku
from .saringan import ALUR

DEFINISI = [
    (
        _l("Komitmen"),
        _l(
            "Pesanan dihitung sebagai komitmen sejak pembeli terikat: E-Order saat Penyedia mengonfirmasi "
            "(status Diproses), Katalog saat Surat Pesanan ditandatangani kedua pihak."
        ),
    ),
    (
        _l("Realisasi"),
        _l(
            "Pesanan dihitung sebagai realisasi saat selesai dan dibayar: E-Order saat Selesai, Katalog saat "
            "Selesai setelah pembayaran diterima."
        ),
    ),
    (
        _l("Pesanan batal"),
        _l("Pesanan yang dibatalkan, ditolak atau batal otomatis tidak pernah dihitung."),
    ),
    (
        _l("Nilai"),
        _l(
            "Rupiah utuh: sebelum pajak (barang, layanan tambahan dan ongkos kirim), pajak (PPN dan PPnBM) "
            "dan setelah pajak."
        ),
    ),
    (
        _l("Porsi UMKM, PDN, TKDN"),
        _l(
            "Porsi UMKM: nilai komitmen sebelum pajak kepada Penyedia UMKM dibagi seluruh nilai komitmen sebelum "
            "pajak. Porsi PDN dan TKDN (produk dengan TKDN paling sedikit 25 % dan 40 %): nilai baris produk "
            "dibagi seluruh nilai baris produk (ongkos kirim tidak berproduk)."
        ),
    ),
    (
        _l("Periode"),
        _l(
            "Komitmen dihitung pada tanggal komitmennya dan realisasi pada tanggal realisasinya, dalam waktu "
            "Jakarta (WIB)."
        ),
    ),
]


def bulat(value, places="0.01"):
    return Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def rata(total, count):
    """A mean as Decimal with two places, None when nothing was counted."""
    if not count:
        return None
    return bulat(Decimal(int(total)) / Decimal(int(count)))


def persen_cfg(name, default):
    return Decimal(str(current_app.config.get(name, default)))


STATUS_TARGET = {
    "hijau": _l("Hijau"),
    "kuning": _l("Kuning"),
    "merah": _l("Merah"),
    "kosong": _l("Tidak ada data"),
}


def status_target(porsi, target, margin):
    """hijau at or above the target, kuning within `margin` percentage points below, else merah."""
    if porsi is None:
        return "kosong"
    persen = porsi * 100
    if persen >= target:
        return "hijau"
    if persen >= target - margin:
        return "kuning"
    return "merah"


def frame(rows, kolom):
    """A DataFrame of `rows` (dicts) with the columns `kolom` [(key, header)], in that order."""
    data = {str(header): [r.get(key) for r in rows] for key, header in kolom}
    return pd.DataFrame(data, columns=[str(h) for _, h in kolom])


def _nama(model, pk):
    if not pk:
        return None
    return db.session.execute(select(model.nama).where(model.id == pk)).scalar()


def uraian(s):
    """The filters in words, for the cover sheet and the page."""
    semua = gettext("Semua")
    return [
        (gettext("Periode"), f"{tanggal(s.dari)} – {tanggal(s.sampai)}"),
        (gettext("Instansi"), _nama(Instansi, s.instansi_id) or semua),
        (gettext("Satker"), _nama(Satker, s.satker_id) or semua),
        (gettext("Kategori"), _nama(Kategori, s.kategori_id) or semua),
        (gettext("Alur"), str(ALUR[s.alur])),
    ]


def oleh(user):
    if user is None:
        return gettext("Sistem")
    name = f"{user.first_name or ''} {user.last_name or ''}".strip() or user.username
    return f"{name} ({user.username})"


def sampul(judul, s, user, definisi=()):
    return buku.Sampul(
        judul=str(judul),
        saringan=uraian(s),
        oleh=oleh(user),
        dibuat=clock.now(),
        definisi=[(str(a), str(b)) for a, b in (*DEFINISI, *definisi)],
    )


def porsi(a, b):
    return money.porsi(a, b)
