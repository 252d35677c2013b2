"""The main pages of each role read as Indonesian sentences: no Python reprs (None, True, False, "[Pembeli]")
and none of Flask-AppBuilder's English words, in the text a person reads (and in titles, placeholders,
labels for screen readers)."""

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import PesananKatalog, Ulasan

# Python values that leaked into a page, and FAB's English a person should never meet in Indonesian
# ("No" is left out: Indonesian writes "No." for nomor)
REPR = re.compile(r"\b(None|True|False)\b|\[(?:<\w+ )?'?[A-Z][a-z][\w ]*'?(?:, '?[A-Z][\w ]+'?)*\]")
INGGRIS = re.compile(
    r"\b(Cancel|Search|Add Filter|Record Count|User confirmation needed|Delete|Edit record|Show record|"
    r"Actions|Back|Save|Refresh|List|User info|Personal Info|Login count|Submit|Yes|Close|Next|Previous)\b"
)
VISIBLE_ATTRS = {"title", "alt", "placeholder", "aria-label"}


class _Teks(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.teks, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        self.teks.extend(v for k, v in attrs if k in VISIBLE_ATTRS and v)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.teks.append(data.strip())


def teks_halaman(html):
    parser = _Teks()
    parser.feed(html)
    return parser.teks


def cacat(html):
    """Every piece of read text that shows a Python repr or an English FAB word."""
    return [t for t in teks_halaman(html) if REPR.search(t) or INGGRIS.search(t)]


def test_the_check_catches_what_it_should():
    assert cacat("<p>Aktif? True</p><p>Peran [Pembeli]</p><p>NRK None</p>") == [
        "Aktif? True",
        "Peran [Pembeli]",
        "NRK None",
    ]
    assert cacat('<button title="Cancel">x</button><p>Search</p>') == ["Cancel", "Search"]
    assert cacat("<p>Aktif: Ya</p><p>Peran: Pembeli</p><script>var x = None;</script>") == []
    assert cacat("<p>Rp 1.276.500</p><p>TKDN 40,5%</p><p>[PDF]</p>") == []


def _crawl(client, paths):
    found = {}
    for path in paths:
        resp = client.get(path, follow_redirects=True)
        assert resp.status_code == 200, (path, resp.status_code)
        html = resp.data.decode()
        assert re.search(r'<html lang="id">', html), path
        bad = cacat(html)
        if bad:
            found[path] = bad[:5]
    assert not found, found


@pytest.fixture
def dunia(f):
    penyedia = f.penyedia(nama="Kedai Bakso Andrew")
    produk = f.produk(penyedia, nama="Snack Box Gurih Andrew")
    s = f.scenario(until="selesai")
    return {
        "penyedia": penyedia,
        "produk": produk,
        "pesanan": s["pesanan"],
        "pembeli": s["pembeli"],
        "penyedia_user": s["penyedia_user"],
    }


def test_eorder_pages_of_pembeli_and_penyedia_read_as_indonesian(app, f, login, dunia):
    pesanan = dunia["pesanan"]
    c = login(dunia["pembeli"], app.test_client())
    _crawl(
        c,
        [
            "/",
            "/toko/",
            "/toko/?rating_min=4&sort=rating",
            f"/toko/produk/{dunia['produk'].id}",
            "/pesananku/list/",
            "/keranjang/list/",
            f"/pesanan/{pesanan.id}",
            "/alamat/list/",
            "/alamat/add",
            "/users/userinfo/",
        ],
    )
    _crawl(
        login(dunia["penyedia_user"], app.test_client()),
        ["/", "/pesanan-masuk/list/", f"/pesanan/{pesanan.id}", "/users/userinfo/"],
    )


def test_selesai_order_shows_the_rating_given(app, f, login, dunia):
    pesanan = dunia["pesanan"]
    html = login(dunia["pembeli"], app.test_client()).get(f"/pesanan/{pesanan.id}").data.decode()
    ulasan = db.session.execute(select(Ulasan).where(Ulasan.pesanan_id == pesanan.id)).scalars().all()
    assert ulasan and 'id="penilaian-diberikan"' in html
    assert f'data-bintang="{ulasan[0].bintang}"' in html


def test_katalog_pages_of_pp_and_ppk_read_as_indonesian(app, f, login):
    w = f.katalog(until="pesanan_tiba")
    p = w["pesanan"]
    _crawl(
        login(w["pp"], app.test_client()), ["/", "/katalog-toko/", "/katalog/", f"/katalog/{p.id}", "/users/userinfo/"]
    )
    _crawl(login(w["ppk"], app.test_client()), ["/", "/katalog/", f"/katalog/{p.id}"])


def test_english_choice_sets_html_lang_en(app, f, login):
    c = login(f.pembeli(), app.test_client())
    c.get("/lang/en")
    assert '<html lang="en">' in c.get("/toko/").data.decode()


def test_katalog_order_page_opens_the_tab_of_the_step(app, f, login):
    """Negotiation → Negosiasi; Surat Pesanan to sign → its tab; after the BAST the PPK lands on Pembayaran."""
    cases = (
        ("menunggu_negosiasi", "pp", "negosiasi"),
        ("menunggu_ppk", "ppk", "sp"),
        ("pesanan_tiba", "ppk", "pembayaran"),
    )
    for until, who, tab in cases:
        w = f.katalog(until=until)
        p = db.session.get(PesananKatalog, w["pesanan"].id)
        html = login(w[who], app.test_client()).get(f"/katalog/{p.id}").data.decode()
        assert re.search(rf'class="tab-pane active" id="tab-{tab}"', html), (until, who)
        assert len(re.findall(r'class="tab-pane active"', html)) == 1


def test_admin_bendahara_and_verifikator_pages_read_as_indonesian(app, f, login):
    w = f.katalog(until="menunggu_bendahara")
    _crawl(login(w["bendahara"], app.test_client()), ["/", "/users/userinfo/"])
    admin = f.user("Admin")
    _crawl(login(admin, app.test_client()), ["/", "/users/list/", f"/users/show/{admin.id}", "/users/userinfo/"])
