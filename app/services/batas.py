"""The bounds of what a person types, in one place (issue 15 item 8).

- Text: a `String(n)` column holds at most n characters (PostgreSQL enforces it, SQLite does not); a `Text`
  column a person types into has its maximum in TEKS. Every flush checks both, whatever wrote the row (a
  form, the API, a service), and refuses an over-long value with a translated DomainError naming the field;
  the forms read the same numbers (`maks`) to refuse it sooner, next to the field. Text columns only the
  portal writes (keys, emails, JSON it builds) are listed in SISTEM, so a new Text column must be put in one
  of the two (a test checks it).
- Numbers: `bulat` reads a whole number as a person types it, in any Unicode decimal digits (Arabic-Indic,
  Devanagari, full-width…), normalised to ASCII first, so every form accepts the same digits.
"""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, Text, event, inspect
from sqlalchemy.orm import Session

from .errors import DomainError

ANGKA_MAKS = 10**13  # as money.ANGKA_MAKS: far above any count or amount, and inside BIGINT
_ANGKA = re.compile(r"[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+")

# table.column -> the most characters a person may type there
TEKS = {
    "alamat.jalan": 500,
    "satker.alamat": 500,
    "penyedia.alamat": 500,
    "pesanan.alamat_kirim": 1000,  # the snapshot of an address (name, street, region names, postal code)
    "permohonan_tte.alasan": 2000,  # a TTE verifier's reason for rejecting an activation
    "pencabutan_tte.catatan": 2000,  # the note of a TTE revocation
    "pesanan.catatan": 2000,
    "pesanan.alasan_pembatalan": 2000,
    "pesanan.alasan_tolak": 2000,
    "pesanan.catatan_penerimaan": 2000,
    "pesanan_katalog.alamat_kirim": 1000,
    "pesanan_katalog.alasan": 2000,
    "pesanan_katalog.klausul": 5000,
    "profil_pengguna.alasan": 2000,
    "akses_pengguna.alasan": 2000,
    "produk.deskripsi": 10_000,
    "produk.alasan_tolak": 2000,
    "ulasan.teks": 2000,
    "negosiasi_ronde.catatan": 2000,
    "pengiriman_event.catatan": 2000,
    "bast_item.catatan": 2000,
    "penilaian_katalog.ulasan": 2000,
    "adendum.alasan": 2000,
    "pesan_chat.teks": 2000,
}
# Text columns the portal itself fills (never a person's typing): no bound here
SISTEM = {
    "sertifikat_tte.cert_pem",
    "sertifikat_tte.key_pem",
    "tte_ca.cert_pem",
    "tte_ca.key_pem",
    "tte_tsa.cert_pem",
    "tte_tsa.key_pem",
    "audit_log.note",
    "email_outbox.body_text",
    "email_outbox.body_html",
    "email_outbox.last_error",
    "callback_pembayaran.body",
    "adendum.perubahan",
    "adendum.ringkasan",
    "usulan_varian_layanan.isi",
    "laporan_berkas.saringan",  # the report filters as JSON (built from bounded query arguments)
    "ab_api_key.scopes",  # FAB's own
}


def maks(column):
    """The bound of a typed Text column, by "table.column" (what the forms give their Length validators)."""
    return TEKS[column]


def _batas_kolom(col):
    key = f"{col.table.name}.{col.name}"
    if key in TEKS:
        return TEKS[key]
    if isinstance(col.type, String) and not isinstance(col.type, Text) and col.type.length:
        return col.type.length
    return None


def _label(col):
    return col.info.get("label") or col.name.replace("_", " ")


def periksa_objek(obj):
    """Raise a DomainError for the first text attribute of obj longer than its column allows."""
    mapper = inspect(type(obj), raiseerr=False)
    if mapper is None:
        return
    for attr in mapper.column_attrs:
        col = attr.columns[0]
        if not hasattr(col, "table"):
            continue
        value = getattr(obj, attr.key, None)
        if not isinstance(value, str):
            continue
        limit = _batas_kolom(col)
        if limit is not None and len(value) > limit:
            raise DomainError(
                _l(
                    "Isian %(kolom)s terlalu panjang: %(n)s karakter, paling banyak %(maks)s.",
                    kolom=_label(col),
                    n=len(value),
                    maks=limit,
                )  # fmt: skip
            )


def _sebelum_flush(session, _context, _instances):
    for obj in list(session.new) + list(session.dirty):
        periksa_objek(obj)


def bulat(value, message, minimum=0, maximum=ANGKA_MAKS):
    """A whole number as typed (`12`, `1250000`, `1.250.000`, or the same in Arabic-Indic or any other
    decimal digits); anything else ("10,5", "1e3", "²", "+5") is refused with `message`. Every form that
    reads a count or an amount goes through here, so they all accept the same digits."""
    if isinstance(value, bool):
        raise DomainError(message)
    if isinstance(value, int):
        number = value
    else:
        text = ascii_angka(str(value if value is not None else "").strip())
        if len(text) > 30 or not _ANGKA.fullmatch(text):
            raise DomainError(message)
        number = int(text.replace(".", ""))
    if number < minimum or number > maximum:
        raise DomainError(message)
    return number


def jumlah(value, message):
    """A quantity as typed: `bulat`, with a huge one held at 10^9 (above every product's maximum, so the
    min/max rule refuses it by name, and within any integer column)."""
    return min(bulat(value, message, maximum=10**30), 10**9)


def ascii_angka(text):
    """`text` with every Unicode decimal digit replaced by its ASCII digit (everything else kept)."""
    text = str(text)
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def init_app(app):
    if not event.contains(Session, "before_flush", _sebelum_flush):
        event.listen(Session, "before_flush", _sebelum_flush)
