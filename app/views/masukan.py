"""One layer that bounds what a request may carry, before any view or FAB code reads it (issue 15 item 1).

Every request passes `periksa` once: ids fit the database's 64-bit integers (a path `<int:…>` beyond them is
simply not found), no string carries a NUL byte (PostgreSQL refuses them mid-query), no query value is longer
than a search needs, FAB's page and page-size arguments are clamped, an unknown sort column is dropped, a
list filter holds a value its column can compare, and an API `q` is valid Rison with sane pages. What cannot
be made sane is refused with 400 and a translated sentence, shown by the error pages (galat) — nothing
further runs, so nothing changes. FAB's own `/download/<file>` (no ownership check, and no UPLOAD_FOLDER
here) is not found on every view that does not replace it.
"""

import json
import math
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import prison
from flask import abort, current_app, request
from flask_appbuilder import ModelView
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, DateTime, Float, Integer, Numeric
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from app.services import batas

INT_MAKS = 2**63 - 1  # SQLite INTEGER and PostgreSQL BIGINT
HALAMAN_MAKS = 100_000  # a list page past this is past any real list (and page*size stays far from overflow)
UKURAN_HALAMAN_MAKS = 100
_FILTER = re.compile(r"_flt_(\d)_(.*)")  # as FAB's get_filter_args reads it (unanchored)


class InputDitolak(BadRequest):
    """A 400 whose sentence the error page shows instead of the generic one."""

    def __init__(self, pesan):
        super().__init__()
        self.pesan = pesan


class BoundedInt(IntegerConverter):
    """`<int:…>` with the database's bound: a larger id matches no route (404) instead of overflowing."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", INT_MAKS)
        super().__init__(map, *args, **kwargs)


def _bilangan(text):
    """The integer a string spells (ASCII or any Unicode decimal digits, as int() reads them), else None."""
    s = text.strip()
    body = s[1:] if s[:1] in "+-" else s
    return int(s) if body.isdecimal() else None


def _terlalu_besar(value):
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) > INT_MAKS
    if isinstance(value, float):
        return not math.isfinite(value) or abs(value) > INT_MAKS
    if isinstance(value, str) and len(value.strip()) > 18:
        n = _bilangan(value)
        return n is not None and abs(n) > INT_MAKS
    return False


def _periksa_nilai(value, maks_panjang):
    """Refuse a NUL, a number beyond 64 bits or an over-long string, anywhere inside `value`."""
    if isinstance(value, dict):
        for k, v in value.items():
            _periksa_nilai(k, maks_panjang)
            _periksa_nilai(v, maks_panjang)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _periksa_nilai(v, maks_panjang)
    elif isinstance(value, str):
        if "\x00" in value:
            raise InputDitolak(_l("Isian memuat karakter yang tidak diizinkan (NUL)."))
        if maks_panjang and len(value) > maks_panjang:
            raise InputDitolak(_l("Isian terlalu panjang (maksimal %(n)s karakter).", n=maks_panjang))
    if _terlalu_besar(value):
        raise InputDitolak(_l("Angka terlalu besar."))


def _views():
    ab = current_app.appbuilder
    cache = getattr(ab, "_masukan_views", None)
    if cache is None:
        cache = ab._masukan_views = {type(v).__name__: v for v in ab.baseviews}
    return cache


def _halaman(name, value):
    """FAB reads `page_<View>` and `psize_<View>` with a bare int(): out of range or not a number is a 500."""
    n = _bilangan(value) if len(value) < 30 else None
    if n is None:
        return None
    if "psize_" in name:
        return str(min(max(n, 1), UKURAN_HALAMAN_MAKS))
    return str(min(max(n, 0), HALAMAN_MAKS))


def _sort_dikenal(name, value):
    view = _views().get(name[len("_oc_") :])
    return isinstance(view, ModelView) and value in (view.order_columns or ())


def _filter_terbaca(view, column, value):
    """A list filter's value its column can be compared with (FAB passes it to the database as typed)."""
    if getattr(view, "datamodel", None) is None or not value:
        return True
    model = view.datamodel.obj
    col = getattr(getattr(model, "__table__", None), "c", {}).get(column) if hasattr(model, "__table__") else None
    if col is None:
        return True  # a relation filter: FAB looks the row up by its key, bounded above
    kind = col.type
    try:
        if isinstance(kind, (Integer,)):
            return _bilangan(value) is not None
        if isinstance(kind, (Numeric, Float)):
            return Decimal(value.strip()).is_finite()
        if isinstance(kind, DateTime):
            datetime.fromisoformat(value)
        elif isinstance(kind, Date):
            date.fromisoformat(value[:10])
    except (ValueError, OverflowError, InvalidOperation):
        return False
    return True


def _args_rapi():
    """request.args with FAB's page, size and sort arguments made sane (they are never a reason to refuse)."""
    out, changed = [], False
    view = _views().get(request.blueprint) if request.blueprint else None
    for name, value in request.args.items(multi=True):
        if "page_" in name or "psize_" in name:
            fixed = _halaman(name, value)
            changed |= fixed != value
            if fixed is not None:
                out.append((name, fixed))
            continue
        if name.startswith("_oc_") and not _sort_dikenal(name, value):
            changed = True
            continue
        flt = _FILTER.search(name)
        if flt and getattr(view, "_filters", None) is not None:
            index, column = int(flt[1]), flt[2]
            if index >= len(getattr(view._filters, "_all_filters", {}).get(column, ())):
                changed = True  # FAB indexes the column's filter list with it: out of range is a 500
                continue
            if not _filter_terbaca(view, column, value):
                raise InputDitolak(_l("Nilai saringan tidak sesuai jenis kolomnya."))
        out.append((name, value))
    if changed:
        request.args = ImmutableMultiDict(out)


def _rison():
    """An API `q` must be Rison (or JSON, as FAB allows) with a page at or above 0."""
    value = request.args.get("q")
    if not value:
        return
    try:
        data = prison.loads(value)
    except Exception:
        try:
            data = json.loads(value)
        except ValueError:
            raise InputDitolak(_l("Argumen q bukan Rison yang sah.")) from None
    _periksa_nilai(data, 0)
    if isinstance(data, dict):
        page = data.get("page")
        if page is not None and (not isinstance(page, int) or isinstance(page, bool) or not 0 <= page <= HALAMAN_MAKS):
            raise InputDitolak(_l("Nomor halaman harus bilangan bulat 0 sampai %(n)s.", n=HALAMAN_MAKS))


def _celah_fab():
    """FAB routes that answer 500 to a name they do not know: an action that is not the view's, and its own
    `/download/<file>` (no ownership check, and no UPLOAD_FOLDER here) where a view has not replaced it."""
    endpoint = request.endpoint or ""
    view = _views().get(request.blueprint) if request.blueprint else None
    if endpoint.endswith(".chart"):  # FAB's chart reads its group with a bare int() and indexes with it
        group = str((request.view_args or {}).get("group_by", "0"))
        if not (group.isascii() and group.isdigit() and int(group) < len(getattr(view, "definitions", ()))):
            abort(404)
    if not isinstance(view, ModelView):
        return
    if endpoint.endswith(".download") and type(view).download is ModelView.download:
        abort(404)
    if endpoint.endswith(".action") or endpoint.endswith(".action_post"):
        name = (request.view_args or {}).get("name") if endpoint.endswith(".action") else request.form.get("action")
        if name not in view.actions:
            abort(404)


def periksa():
    cfg = current_app.config
    _celah_fab()
    if "\x00" in request.path:
        abort(404)
    for v in (request.view_args or {}).values():
        if isinstance(v, str) and _terlalu_besar(v):
            abort(404)  # FAB's `<pk>` is a string segment: a row id beyond the database's integers is not there
    _periksa_nilai(list(request.args.items(multi=True)), cfg["MASUKAN_MAKS_ARG"])
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        _periksa_nilai(list(request.form.items(multi=True)), cfg["MASUKAN_MAKS_ISIAN"])
        if request.is_json:
            _periksa_nilai(request.get_json(silent=True), cfg["MASUKAN_MAKS_ISIAN"])
    _args_rapi()
    if request.path.startswith("/api/"):
        _rison()


def init_app(app):
    """Call before AppBuilder registers its views: the converter is read when each route is added."""
    app.url_map.converters["int"] = BoundedInt
    batas.init_app(app)  # and what is stored: every flush checks text lengths (app/services/batas.py)
    app.before_request(periksa)
