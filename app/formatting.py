"""Indonesian formatting of money, dates and times, as Jinja filters."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_time
from babel.numbers import format_decimal
from flask import request, session
from flask_babel import format_date, format_datetime, get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from .extensions import db
from .services import clock, money


def rupiah(amount):
    return money.format_rupiah(amount, locale=str(get_locale() or "id"))


def angka(value):
    """A whole count with the reader's grouping: `90.461` in Indonesian, `90,461` in English."""
    return format_decimal(int(value or 0), format="#,##0", locale=str(get_locale() or "id"))


def tanggal(value):
    if value is None:
        return "-"
    if isinstance(value, datetime):
        value = clock.to_local(value).date()
    return format_date(value, "long")


# Babel's short time patterns (`14.30` in id, `2:30 PM` in en); WIB because every time is Jakarta's.
def _clock_time(value):
    locale = str(get_locale() or "id")
    return f"{format_time(value, 'short', locale=locale)} WIB"


def waktu(value):
    """A stored (naive UTC) datetime shown in Jakarta time: `22 November 2026 14.30 WIB`."""
    if value is None:
        return "-"
    local = clock.to_local(value).replace(tzinfo=None)
    return f"{format_date(local.date(), 'long')} {_clock_time(local.time())}"


def jam(value):
    if value is None:
        return "-"
    return _clock_time(value)


def persen(value):
    """A percentage as typed back into a form: `11`, `11.5` (no trailing zeros)."""
    if value is None:
        return ""
    text = format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)
    return text


def persen1(value):
    """A computed percentage for reading, one decimal in the reader's locale: `25,0` in Indonesian."""
    if value is None:
        return ""
    return format_decimal(value, format="0.0", locale=str(get_locale() or "id"))


def rating(obj):
    """The mean of a product's or supplier's ratings, one decimal in the reader's locale (`4,5` in Indonesian),
    from its integer total and count (Decimal, never float); "" when nobody has rated yet."""
    count = getattr(obj, "rating_count", 0) or 0
    if not count:
        return ""
    mean = (Decimal(obj.rating_total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return format_decimal(mean, format="0.0", locale=str(get_locale() or "id"))


def ya_tidak(value):
    """A yes/no column for reading: `Ya` / `Tidak`, never `True`/`False`/`None`."""
    return gettext("Ya") if value else gettext("Tidak")


# The steps that cannot be undone ask first (static/portal/portal.js opens one dialog for data-konfirmasi);
# keyed by the step's action name, the same in E-Order, Katalog, Pembayaran and the verification screens.
_TOLAK = _l("Tolak? Keputusan ini dikirim ke pihak lain dan tidak dapat ditarik kembali.")
_METODE = _l("Pilih metode pembayaran ini? Rincian pajak dan biaya mengikuti metode yang dipilih.")
KONFIRMASI = {
    "batalkan": _l("Batalkan pesanan ini? Pesanan yang dibatalkan tidak dapat dilanjutkan."),
    "setujui_pembatalan": _l("Setujui pembatalan? Pesanan menjadi Dibatalkan dan tidak dapat dilanjutkan."),
    "konfirmasi_penerimaan": _l(
        "Konfirmasi penerimaan? Pesanan dinyatakan Diterima sesuai centang Anda dan tidak dapat diubah lagi."
    ),
    "tolak": _TOLAK,
    "tolak_ppk": _TOLAK,
    "adendum-tolak": _TOLAK,
    "cabut": _l("Cabut akses ini? Peran dan sesi orang tersebut langsung berakhir."),
    "pilih_ls": _METODE,
    "pilih_up": _METODE,
    "pilih_kkp": _METODE,
    "bayar_kkp": _l("Bayar sekarang dengan KKP? Pembayaran yang sudah dikirim tidak dapat dibatalkan."),
    "konfirmasi_bayar": _l("Terbitkan kode bayar untuk pesanan ini? Kode bayar dikirim ke PPK."),
    "simulasi": _l("Bayar kode ini (simulasi bank)? Pesanan menjadi Selesai."),
}


def konfirmasi(action):
    """` data-konfirmasi="…"` for a button whose step cannot be undone, else nothing."""
    text = KONFIRMASI.get(str(action))
    return Markup(' data-konfirmasi="%s"') % str(text) if text else ""


def bahasa():
    """The page language for <html lang>: `id`, or `en` when English is chosen."""
    return str(get_locale() or "id").split("_")[0]


def init_app(app):
    app.jinja_env.filters.update(
        rupiah=rupiah,
        angka=angka,
        tanggal=tanggal,
        waktu=waktu,
        jam=jam,
        persen=persen,
        persen1=persen1,
        rating=rating,
        ya_tidak=ya_tidak,
    )

    @app.before_request
    def _remember_locale():
        """The language choice belongs to the person: saved on /lang/<code>, restored at each login."""
        if not getattr(current_user, "is_authenticated", False):
            return
        languages = app.config["LANGUAGES"]
        if request.endpoint == "LocaleView.index":
            code = (request.view_args or {}).get("locale")
            if code in languages and current_user.locale != code:
                current_user.locale = code
                db.session.commit()
            session["locale_user"] = current_user.id
            return
        if session.get("locale_user") != current_user.id:
            if current_user.locale in languages:
                session["locale"] = current_user.locale
            session["locale_user"] = current_user.id

    app.jinja_env.globals.update(
        today=date.today, format_datetime=format_datetime, konfirmasi=konfirmasi, bahasa=bahasa
    )
