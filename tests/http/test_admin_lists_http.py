"""Admin's big lists at scale (issue 14): Semua Pesanan E-Order and Log Audit load their rows and relations in
a constant number of statements (page size 10 and 100), count at most LIST_COUNT_CAP rows, and filter by a
satker's or supplier's name in a text box instead of a dropdown of every one."""

import re

import pytest
from sqlalchemy import event, select

from app import seed_scale
from app.extensions import db
from app.models import Penyedia, Pesanan
from app.views import admin
from tests.sqlcount import hitung_sql


@pytest.fixture
def admin_client(app, f, login):
    seed_scale.build(orders=300, seed=3)
    return login(f.user("Admin", satker=f.satker("skpd")))


def _statements(c, url):
    c.get(url)  # warm: the first request also loads the user, roles and translations
    with hitung_sql() as h:
        resp = c.get(url)
    assert resp.status_code == 200
    return h.n, resp.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "view"),
    [("/semua-pesanan/list/", "PesananAdminView"), ("/auditlogview/list/", "AuditLogView")],
)
def test_statements_do_not_grow_with_the_page_size(admin_client, url, view):
    small, page10 = _statements(admin_client, f"{url}?psize_{view}=10")
    large, page100 = _statements(admin_client, f"{url}?psize_{view}=100")
    assert large == small, (small, large)
    assert small <= 12
    rows10 = page10.count("<tr") - 1
    rows100 = page100.count("<tr") - 1
    assert rows100 > rows10 >= 10


def test_order_list_shows_names_and_filters_by_a_name_without_a_dropdown(admin_client):
    _, html = _statements(admin_client, "/semua-pesanan/list/")
    # no <select> with an <option> per satker or supplier
    assert len(re.findall(r"<option", html)) < 60
    some = db.session.execute(select(Pesanan).order_by(Pesanan.id.desc())).scalars().first()
    assert some.satker.nama in html and some.penyedia.nama in html
    target = db.session.execute(select(Penyedia).order_by(Penyedia.id)).scalars().first()
    resp = admin_client.get(
        f"/semua-pesanan/list/?_flt_0_penyedia={target.nama.split()[-1]}&psize_PesananAdminView=100"
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    shown = set(re.findall(r"EO/\d{4}/\d{7}", page))
    mine = set(db.session.execute(select(Pesanan.nomor).where(Pesanan.penyedia_id == target.id)).scalars())
    assert shown and shown <= mine | _same_suffix(target)


def _same_suffix(target):
    """Suppliers whose name ends with the same number text (e.g. "... 1" matches "... 12")."""
    suffix = target.nama.split()[-1]
    ids = db.session.execute(select(Penyedia.id).where(Penyedia.nama.contains(suffix))).scalars().all()
    return set(db.session.execute(select(Pesanan.nomor).where(Pesanan.penyedia_id.in_(ids))).scalars())


def test_the_count_is_capped(admin_client, monkeypatch):
    monkeypatch.setattr(admin.PesananAdminView.datamodel, "count_cap", 50)
    resp = admin_client.get("/semua-pesanan/list/")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert re.search(r"Jumlah Data:</strong>\s*50\b", html)  # at most the cap, not the 300 orders
    monkeypatch.setattr(admin.PesananAdminView.datamodel, "count_cap", 10_000)
    html = admin_client.get("/semua-pesanan/list/").get_data(as_text=True)
    assert re.search(r"Jumlah Data:</strong>\s*300\b", html)  # under the cap: the exact count


def test_a_page_past_the_cap_is_the_last_reachable_one(admin_client, monkeypatch):
    """A page number typed past what the capped pager reaches reads no deeper than the cap (OFFSET bounded)."""
    monkeypatch.setattr(admin.PesananAdminView.datamodel, "count_cap", 50)
    deep = admin_client.get("/semua-pesanan/list/?psize_PesananAdminView=25&page_PesananAdminView=9999")
    last = admin_client.get("/semua-pesanan/list/?psize_PesananAdminView=25&page_PesananAdminView=1")
    assert deep.status_code == last.status_code == 200
    nomor = re.compile(r"EO/\d{4}/\d+")
    assert nomor.findall(deep.get_data(as_text=True)) == nomor.findall(last.get_data(as_text=True))  # rows 26-50
    assert nomor.findall(deep.get_data(as_text=True))


@pytest.mark.parametrize(("url", "table"), [("/semua-pesanan/list/", "pesanan"), ("/auditlogview/list/", "audit_log")])
def test_deep_pages_by_keyset(admin_client, url, table):
    """ "Lebih lama" continues after the last row shown: `id < last`, first rows of that (no OFFSET)."""
    first = admin_client.get(url).get_data(as_text=True)
    link = re.search(r'href="([^"]+)" id="keyset-lebih-lama"', first)
    assert link, "no Lebih lama link under a full page"
    href = link.group(1).replace("&amp;", "&")
    last = int(re.search(r"sebelum=(\d+)", href).group(1))
    sent = []

    def _grab(conn, cursor, statement, parameters, context, executemany):
        if f"FROM {table}" in statement and "LIMIT" in statement and "count(" not in statement.lower():
            sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", _grab)
    try:
        resp = admin_client.get(href)
    finally:
        event.remove(db.engine, "before_cursor_execute", _grab)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'id="keyset-terbaru"' in html and 'id="keyset-lebih-lama"' in html
    (statement, parameters), *_ = sent
    assert f"{table}.id <" in statement and last in tuple(parameters if isinstance(parameters, (list, tuple))
                                                          else parameters.values())  # fmt: skip
    if table == "pesanan":
        shown = list(dict.fromkeys(re.findall(r"EO/\d{4}/\d+", html)))
        expected = (
            db.session.execute(select(Pesanan.nomor).where(Pesanan.id < last).order_by(Pesanan.id.desc()).limit(25))
            .scalars()
            .all()
        )
        assert shown == expected


def test_keyset_only_in_the_lists_own_order(admin_client):
    """Sorted by another column, the list has no keyset link (the pager serves) and sebelum is ignored."""
    html = admin_client.get("/semua-pesanan/list/?_oc_PesananAdminView=total&_od_PesananAdminView=asc&sebelum=5")
    assert html.status_code == 200
    assert 'id="keyset-lebih-lama"' not in html.get_data(as_text=True)


def test_log_audit_shows_no_none(admin_client):
    html = admin_client.get("/auditlogview/list/?psize_AuditLogView=100").get_data(as_text=True)
    assert "checkout" in html and ">None<" not in html and "None\n" not in html
