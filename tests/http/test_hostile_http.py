"""A table of hostile values sent to every route of the app, as every main role and anonymously: never a 5xx
(issue 15 item 1). Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (where a NUL byte, an
over-long string or a negative OFFSET reach the database as errors of their own).

Sampling, to stay within a couple of minutes: a role first probes each route once; where it is refused (403,
401, the login page) nothing more is sent. Where it may enter, every hostile kind is sent once: each path
parameter gets the world's real id (or the kind's hostile value for the "path" kinds), and every parameter
name the app reads (request.args/form names in the source, transition fields, WTForms fields, FAB columns,
FAB's page/size/sort/filter arguments, the API's Rison `q`) carries the kind's value. Routes that end a
session or delete rows run last."""

import io
import json
import logging
import os
import re
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from flask_appbuilder import ModelView
from flask_wtf import FlaskForm

from app import forms
from app.services import eorder, katalog
from app.services.katalog import adendum, pembayaran
from tests.conftest import PASSWORD
from tests.factories import pdf_bytes

APP_DIR = Path(__file__).resolve().parents[2] / "app"
HUGE = "99999999999999999999"

# kind -> (query value, form value); the API gets the same as JSON (numbers as numbers where they are numbers).
# "junk" and "digits" are refined per parameter in _values (a sort column, a Rison q, a date, a path).
KINDS = {
    "huge": (HUGE, HUGE),
    "negative": ("-5", "-5"),
    "nul": ("a\x00b", "a\x00b"),
    "long": ("x" * 900, "y" * 6000),  # under the layer's caps: the views and the database see them
    "junk": ("../../etc/passwd", "nomor;drop' OR 1=1 --"),
    "digits": ("١٢", "١٢"),  # Arabic-Indic 12
}
# path parameters: an `<int:…>` one only gets the huge id (anything else is no route at all); FAB's string `<pk>`
# and the other string segments get each of theirs
PATH_INT = (HUGE,)
PATH_PK = (HUGE, "-1", "1;drop")
PATH_STR = ("%00", "z" * 3000, "..%2F..%2Fetc%2Fpasswd")
FILE_FIELDS = ("berkas", "gambar_file", "dokumen_persiapan", "selfie", "ktp", "surat_tugas", "gambar", "dokumen")


def _names_in_source():
    pattern = re.compile(
        r"""request\.(?:args|form|files)\.(?:get|getlist)\(\s*["']([A-Za-z0-9_]+)["']|form\[["']([a-z_]+)["']\]"""
    )
    names = set()
    for path in APP_DIR.rglob("*.py"):
        for m in pattern.finditer(path.read_text()):
            names.add(m.group(1) or m.group(2))
    return names


def _names(app):
    names = _names_in_source()
    for wf in (eorder.EORDER, katalog.KATALOG, adendum.ADENDUM):
        for t in wf.transitions:
            names.update(t.fields)
    for obj in vars(forms).values():
        if isinstance(obj, type) and issubclass(obj, FlaskForm):
            names.update(name for name, _ in obj._unbound_fields or ())
    for view in app.appbuilder.baseviews:
        if isinstance(view, ModelView):
            for attr in ("add_columns", "edit_columns", "search_columns"):
                names.update(c for c in getattr(view, attr, None) or () if "." not in c)
            names.update((view.add_form_extra_fields or {}).keys())
    return sorted(names - set(FILE_FIELDS) - {"csrf_token"})


def _view_args(app, view):
    """FAB's list arguments of a ModelView: page, size, sort and a filter on each searchable column."""
    name = type(view).__name__
    return {f"page_{name}": "page", f"psize_{name}": "page", f"_oc_{name}": "column", f"_od_{name}": "asc"} | {
        f"_flt_{i}_{col}": "value" for i, col in enumerate((view.search_columns or [])[:3])
    }


def _world(f):
    """Every main role with rows of its own: an E-Order draft and a shipped one, a Katalog order awaiting
    payment and one in negotiation, an addendum, a verification queue."""
    draft = f.scenario("detail")
    kirim = f.scenario("dikirim")
    w = f.katalog("kode_bayar_terbit")
    nego = f.katalog("nego_pp", dunia=w)
    ad = f.adendum("ppk")
    v = f.akses("menunggu")
    users = {
        "Admin": f.user("Admin"),
        "Pembeli": draft["pembeli"],
        "Penyedia": kirim["penyedia_user"],
        "PP": w["pp"],
        "PPK": w["ppk"],
        "Penyedia-katalog": ad["supplier"],
        "Bendahara": w.get("bendahara") or w["bp"],
        "Verifikator": v["verifikator"],
        "Pengguna": v["pemohon"],
        "Auditor": f.user("Auditor"),
        "Manajemen": f.user("Manajemen"),
    }
    p = draft["pesanan"]
    ids = {
        "/pesanan": p.id,
        "/api": p.id,
        "/katalog-toko/produk": w["produk"].id,
        "/toko/produk": draft["produk"].id,
        "/produk-saya": kirim["produk"].id,
        "/katalog": nego["pesanan"].id,
        "/pembayaran": w["pesanan"].id,
        "/verifikasi": v["akses"].id,
    }
    extra = {
        "item_id": p.items[0].id,
        "adendum_id": ad["adendum"].id,
        "kode_id": w["kode"].id if w.get("kode") else 1,
        "doc_id": kirim["pesanan"].dokumen[0].id if getattr(kirim["pesanan"], "dokumen", None) else 1,
    }
    return users, ids, extra


def _real(rule, name, ids, extra):
    if name in extra:
        return [str(extra[name])]
    if name == "pk":
        best = max((prefix for prefix in ids if rule.startswith(prefix)), key=len, default=None)
        return [str(ids[best] if best else 1)]
    if name == "action":
        if rule.startswith("/pesanan") or rule.startswith("/api"):
            return eorder.EORDER.actions()
        if "/adendum/" in rule:
            return adendum.ADENDUM.actions()
        if rule.startswith("/pembayaran"):
            return sorted(pembayaran.AKSI)
        if "/ringkasan-nego/" in rule:
            return ["ajukan_nego", "tawar"]
        return katalog.KATALOG.actions()
    if name == "jenis":
        return sorted(set(pembayaran.JENIS_DOKUMEN) | set(katalog.PRATINJAU) | {"adendum"})
    if name == "kind":
        return ["profil", "akses"]
    if name == "locale":
        return ["id", "en"]
    if name == "version":
        return ["v1"]
    return ["x"]


def _row_pk(view):
    """The first row a FAB view's `<pk>` can name (the row may be out of the role's scope: then 404)."""
    try:
        item = view.datamodel.session.query(view.datamodel.obj).first()
    except Exception:
        return "1"
    return str(view.datamodel.get_pk_value(item)) if item is not None else "1"


def _routes(app):
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.endswith("static") or rule.rule.startswith("/static"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule, method))
    last = ("logout", "/delete", "reset", "kata-sandi", "cabut", "hapus")
    return sorted(out, key=lambda rm: (any(w in rm[0].rule for w in last) or rm[1] == "DELETE", rm[0].rule, rm[1]))


def _values(kind, names, view_args, api):
    q_value, form_value = KINDS[kind]
    query = {}
    for arg, what in view_args.items():
        if what == "asc":
            query[arg] = "asc"
        elif kind == "junk":
            query[arg] = {"column": "nomor;drop", "page": "abc", "value": "1e309"}[what]
        elif kind == "digits" and what == "value":
            query[arg] = "2026-13-45"
        else:
            query[arg] = q_value
    if api:
        query["q"] = {"junk": "(((", "negative": "(page:-1,page_size:-5)", "huge": f"(page:{HUGE})"}.get(
            kind, f"(filters:!((col:nomor,opr:ct,value:'{q_value[:50]}')),order_column:'{q_value[:30]}')"
        )
    else:
        query.setdefault("q", q_value)
        for n in ("page", "sort", "kategori", "harga_min", "harga_max", "rating_min", "koleksi", "ketersediaan"):
            query.setdefault(n, q_value)
    form = {n: form_value for n in names}
    if kind == "digits":  # a date that is no date, where a date is read
        form.update({n: "2026-13-45" for n in names if "tanggal" in n or "waktu" in n})
    return query, form


def _url(rule, params):
    url = rule.rule
    for name, value in params.items():
        url = re.sub(r"<(?:[a-z]+:)?" + name + r">", value, url)
    return url


def _denied(resp):
    if resp.status_code in (401, 403):
        return True
    return resp.status_code in (301, 302, 303) and "/login" in resp.headers.get("Location", "")


def _login(app, user):
    c = app.test_client()
    if user is not None:
        resp = c.post("/login/", data={"username": user.username, "password": PASSWORD})
        assert resp.status_code == 302, resp.data[:300]
    return c


def _send(c, rule, method, url, query, form, kind, api, token):
    kwargs = {"query_string": query}
    if api:
        if token:
            kwargs["headers"] = {"Authorization": f"Bearer {token}"}
        if method in ("POST", "PUT", "PATCH"):
            body = {k: (10**20 if kind == "huge" else -5 if kind == "negative" else v) for k, v in form.items()}
            kwargs["data"] = json.dumps(body)
            kwargs["content_type"] = "application/json"
    elif method in ("POST", "PUT", "PATCH", "DELETE"):
        data = dict(form)
        if kind in ("junk", "digits"):  # files: not what their names promise
            for name in FILE_FIELDS:
                body = b"%PDF-1.4 not really %%EOF" if kind == "junk" else pdf_bytes()[:200]
                data[name] = (io.BytesIO(body), "../../x.pdf")
        kwargs["data"] = data
        kwargs["content_type"] = "multipart/form-data"
    return c.open(url, method=method, **kwargs)


TIMES = {}
# three groups of about equal weight, one world each (building it takes seconds): the Admin enters everything
GROUPS = {
    "admin": ["Admin"],
    "eorder-akun": ["anonim", "Pembeli", "Penyedia", "Pengguna", "Verifikator", "Auditor"],
    "katalog": ["PP", "PPK", "Penyedia-katalog", "Bendahara", "Manajemen"],
}


@pytest.mark.parametrize("group", GROUPS)
def test_no_route_answers_5xx_to_hostile_input(app, f, group, caplog):
    users, ids, extra = _world(f)
    names = _names(app)
    views = {type(v).__name__: v for v in app.appbuilder.baseviews}
    failures, sent = [], 0
    for role in GROUPS[group]:
        sent += _as_role(app, users.get(role), role, names, views, ids, extra, failures, caplog)
    if os.environ.get("HOSTILE_TIMES"):
        for k, v in sorted(TIMES.items(), key=lambda kv: -kv[1])[:25]:
            print(f"{v:6.2f}s {k}")
    assert not failures, f"{len(failures)} of {sent} requests answered 5xx:\n" + "\n".join(failures[:80])


def _as_role(app, user, role, names, views, ids, extra, failures, caplog):
    c = _login(app, user)
    token = None
    if user is not None:
        resp = c.post(
            "/api/v1/security/login", json={"username": user.username, "password": PASSWORD, "provider": "db"}
        )
        token = resp.get_json()["access_token"]
    sent = 0
    for rule, method in _routes(app):
        view = views.get(rule.endpoint.split(".")[0])
        view_args = _view_args(app, view) if isinstance(view, ModelView) and rule.endpoint.endswith(".list") else {}
        api = rule.rule.startswith("/api/")
        plans = []  # (kind, path params)
        reals = {a: _real(rule.rule, a, ids, extra) for a in rule.arguments}
        if "pk" in rule.arguments and isinstance(view, ModelView) and not rule.rule.startswith("/api"):
            reals["pk"] = [_row_pk(view)]
        for i, kind in enumerate(KINDS):
            plans.append((kind, {a: v[i % len(v)] for a, v in reals.items()}))
        for a, v in reals.items():  # every real action / document kind once more
            for j, value in enumerate(v[len(KINDS) :]):
                plans.append((list(KINDS)[j % len(KINDS)], {**{b: w[0] for b, w in reals.items()}, a: value}))
        for a in rule.arguments:
            conv = type(rule._converters[a]).__name__
            hostile = PATH_INT if "Integer" in conv or "Int" in conv else PATH_PK if a == "pk" else PATH_STR
            for j, value in enumerate(hostile):
                kind = list(KINDS)[(j + len(a)) % len(KINDS)]
                plans.append((kind, {**{b: w[0] for b, w in reals.items()}, a: value}))
        t0 = time.perf_counter()
        for n, (kind, params) in enumerate(plans):
            query, form = _values(kind, names, view_args, api)
            url = _url(rule, {k: quote(v, safe="%") if "%" not in v else v for k, v in params.items()})
            resp = _send(c, rule, method, url, query, form, kind, api, token)
            sent += 1
            if resp.status_code >= 500:
                why = next((logging.Formatter().formatException(r.exc_info) for r in caplog.records if r.exc_info), "")
                failures.append(f"{resp.status_code} {role} {method} {url[:120]} [{kind}] {why.splitlines()[-1:]}")
            caplog.clear()
            if n == 0 and _denied(resp):
                break  # this role may not enter: one probe is enough
            if user is not None and resp.status_code in (302, 303) and "/login" in resp.headers.get("Location", ""):
                c = _login(app, user)  # a hostile value ended the session (e.g. a password change): carry on
        TIMES[(rule.rule, method)] = TIMES.get((rule.rule, method), 0) + time.perf_counter() - t0
    return sent
