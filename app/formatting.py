"""Indonesian formatting of money, dates and times, as Jinja filters."""

from datetime import date, datetime

from babel.dates import format_time
from babel.numbers import format_decimal
from flask import request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from .extensions import db
from .services import clock, money


def rupiah(amount):
    return money.format_rupiah(amount, locale=str(get_locale() or "id"))


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


def init_app(app):
    app.jinja_env.filters.update(rupiah=rupiah, tanggal=tanggal, waktu=waktu, jam=jam, persen=persen, persen1=persen1)

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

    app.jinja_env.globals.update(today=date.today, format_datetime=format_datetime)
