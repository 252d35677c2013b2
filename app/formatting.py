"""Indonesian formatting of money, dates and times, as Jinja filters."""

from datetime import date, datetime

from flask_babel import format_date, format_datetime, get_locale

from .services import clock, money


def rupiah(amount):
    return money.format_rupiah(amount, locale=str(get_locale() or "id"))


def tanggal(value):
    if value is None:
        return "-"
    if isinstance(value, datetime):
        value = clock.to_local(value).date()
    return format_date(value, "long")


def waktu(value):
    """A stored (naive UTC) datetime shown in Jakarta time: `22 November 2026 14.30 WIB`."""
    if value is None:
        return "-"
    local = clock.to_local(value).replace(tzinfo=None)
    return f"{format_date(local.date(), 'long')} {local.strftime('%H.%M')} WIB"


def jam(value):
    if value is None:
        return "-"
    return f"{value.strftime('%H.%M')} WIB"


def init_app(app):
    app.jinja_env.filters.update(rupiah=rupiah, tanggal=tanggal, waktu=waktu, jam=jam)
    app.jinja_env.globals.update(today=date.today, format_datetime=format_datetime)
