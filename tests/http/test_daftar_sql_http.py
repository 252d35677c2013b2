"""Issue 14 item 2 for the lists people read: a page costs the same SQL statements at page size 10 and 100.

Each test walks one real order (or request) through the service, then clones it into 110+ rows that each
name a DIFFERENT supplier / satker / applicant (with one shared related row, an N+1 would hide in the
session's identity map), asks the page at ?per_page=10 and ?per_page=100 with statements counted on the
engine (tests/sqlcount.py), and fails if the count grows. Each also checks the page shows what it should."""

import itertools

import pytest
from sqlalchemy import inspect, select

from app.extensions import db
from app.models import (
    AksesPengguna,
    KodeBayar,
    Pembayaran,
    Penyedia,
    Pesanan,
    PesananKatalog,
    PortalUser,
    Produk,
    ProfilPengguna,
    Satker,
)
from app.services import clock
from tests.sqlcount import hitung_sql

N = 110
_seq = itertools.count(1)


def _clone(obj, n, **per_row):
    """n copies of a row (columns only, new id); per_row: column -> f(i) for the values that must differ."""
    cols = {a.key: getattr(obj, a.key) for a in inspect(type(obj)).mapper.column_attrs if a.key != "id"}
    rows = []
    for i in range(n):
        values = dict(cols)
        values.update({k: f(i) for k, f in per_row.items()})
        rows.append(type(obj)(**values))
    db.session.add_all(rows)
    db.session.commit()
    return rows


def _penyedia(n):
    rows = [Penyedia(nama=f"UMKM Klon {next(_seq)}", npwp=f"9{next(_seq):014d}", nib=f"9{next(_seq):012d}",
                     is_umkm=True) for _ in range(n)]  # fmt: skip
    db.session.add_all(rows)
    db.session.commit()
    return rows


def _satker(n, instansi_id):
    rows = [Satker(instansi_id=instansi_id, kode=f"KL{next(_seq)}", nama=f"Satker Klon {next(_seq)}", jenis="bumd")
            for _ in range(n)]  # fmt: skip
    db.session.add_all(rows)
    db.session.commit()
    return rows


def _users(n):
    rows = [PortalUser(first_name=f"Klon{i}", last_name="Uji", username=f"klon{next(_seq)}",
                       email=f"klon{next(_seq)}@uji.local", active=True, password="x") for i in range(n)]  # fmt: skip
    db.session.add_all(rows)
    db.session.commit()
    return rows


def _count(client, url):
    db.session.expire_all()  # nothing cached from building the data: every row the page reads is loaded
    with hitung_sql() as h:
        resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code, resp.data[:300])
    return h.n, resp.get_data(as_text=True)


def _assert_flat(client, path, min_rows=100):
    sep = "&" if "?" in path else "?"
    small, html10 = _count(client, f"{path}{sep}per_page=10")
    big, html100 = _count(client, f"{path}{sep}per_page=100")
    assert html100.count("data-pesanan=") + html100.count("data-produk=") + html100.count("data-profil=") + \
        html100.count("data-akses=") >= min_rows, path  # fmt: skip
    assert big == small, f"{path}: {small} statements at 10 rows, {big} at 100"
    return html10, html100


def test_riwayat_pesanan_and_pesanan_masuk(app, login, f):
    s = f.scenario("dipesan")
    p = s["pesanan"]
    others = _penyedia(N)
    _clone(p, N, nomor=lambda i: f"EO/K/{i:06d}", penyedia_id=lambda i: others[i].id)
    buyers = _satker(N, s["pembeli"].satker.instansi_id)
    _clone(p, N, nomor=lambda i: f"EO/M/{i:06d}", satker_id=lambda i: buyers[i].id, status=lambda i: "diproses")
    c = login(s["pembeli"])
    html10, html100 = _assert_flat(c, "/pesananku/list/")
    assert 'class="rupiah"' in html100 and "Tambah Saringan" not in html100 and 'name="rowid"' not in html100
    assert 'id="halaman"' not in html100 or "Berikutnya" in html100
    c = login(s["penyedia_user"], app.test_client())
    html10, html100 = _assert_flat(c, "/pesanan-masuk/list/")
    assert 'name="rowid"' in html100 and 'data-aksi="konfirmasi"' in html100  # the two bulk steps stay, labelled
    # the buyer's BUMD never sees the clones of another satker
    assert "EO/M/000001" not in login(s["pembeli"], app.test_client()).get("/pesananku/list/?q=EO/M").data.decode()


def test_produk_saya(app, login, f):
    s = f.scenario("draft")
    _clone(s["produk"], N, nama=lambda i: f"Produk Klon {i}", status=lambda i: "draft")
    c = login(s["penyedia_user"])
    html10, html100 = _assert_flat(c, "/produk-saya/list/")
    assert 'data-aksi="ajukan"' in html100 and 'class="rupiah"' in html100


@pytest.fixture
def katalog_rows(f):
    """A Katalog world with one order walked to Menunggu Pembayaran Bendahara (UP kode bayar), cloned N times
    for N different suppliers in that state with their payment rows, and N in Kode Bayar Terbit with a code."""
    w = f.katalog("menunggu_bendahara")
    p = w["pesanan"]
    pay = db.session.execute(select(Pembayaran).where(Pembayaran.pesanan_id == p.id)).scalar_one()
    others = _penyedia(2 * N)
    waiting = _clone(p, N, nomor=lambda i: f"KAT/K/{i:06d}", penyedia_id=lambda i: others[i].id,
                     checkout_token=lambda i: None, sp_nomor=lambda i: None, bast_nomor=lambda i: None)  # fmt: skip
    _clone(pay, N, pesanan_id=lambda i: waiting[i].id)
    coded = _clone(p, N, nomor=lambda i: f"KAT/T/{i:06d}", penyedia_id=lambda i: others[N + i].id,
                   status=lambda i: "kode_bayar_terbit", checkout_token=lambda i: None, sp_nomor=lambda i: None,
                   bast_nomor=lambda i: None)  # fmt: skip
    _clone(pay, N, pesanan_id=lambda i: coded[i].id)
    now = clock.now()
    db.session.add_all([KodeBayar(pesanan_id=x.id, kode=f"KB{x.id:010d}", jumlah=x.total, status="aktif",
                                  diterbitkan_oleh_id=w["bendahara"].id, created_at=now,
                                  berlaku_sampai=now + clock.parse_duration("7d")) for x in coded])  # fmt: skip
    db.session.commit()
    return w


def test_katalog_list_pp_ppk_penyedia(app, login, katalog_rows):
    w = katalog_rows
    for who in ("pp", "ppk"):
        c = login(w[who], app.test_client())
        html10, html100 = _assert_flat(c, "/katalog/")
        assert html100.count("KAT/T/") + html100.count("KAT/K/") >= 100
        assert 'class="rupiah"' in html100 and 'id="bilah-saring"' in html100
    c = login(w["supplier"], app.test_client())
    html = c.get("/katalog/").get_data(as_text=True)
    assert "KAT/K/" not in html and w["pesanan"].nomor in html  # the clones belong to other suppliers


def test_bendahara_queue(app, login, katalog_rows):
    c = login(katalog_rows["bendahara"])
    _assert_flat(c, "/pembayaran/")
    html10, html100 = _assert_flat(c, "/pembayaran/?status=kode_bayar_terbit")
    assert html100.count('data-sisa="') >= 100 and "KB" in html100  # the codes and their time left


def test_ppk_pembayaran(app, login, f):
    w = f.katalog("pesanan_tiba")
    p = w["pesanan"]
    others = _penyedia(N)
    _clone(p, N, nomor=lambda i: f"KAT/P/{i:06d}", penyedia_id=lambda i: others[i].id,
           checkout_token=lambda i: None, sp_nomor=lambda i: None, bast_nomor=lambda i: None)  # fmt: skip
    c = login(w["ppk"])
    html10, html100 = _assert_flat(c, "/pembayaran/ppk")
    assert 'data-aksi="pilih_up"' in html100


def test_verifikator_queue(app, login, f):
    w = f.profil()
    row = w["profil"]
    applicants = _users(N)
    _clone(row, N, user_id=lambda i: applicants[i].id)
    a = f.akses(dunia=f.verifikasi() | {"instansi": w["instansi"], "satker": w["satker"]})["profil"]
    assert a is not None
    akses = db.session.execute(select(AksesPengguna)).scalars().first()
    places = _satker(N, w["instansi"].id)
    _clone(akses, N, user_id=lambda i: applicants[i].id, satker_id=lambda i: places[i].id)
    c = login(w["verifikator"])
    small, _ = _count(c, "/verifikasi/?per_page=10")
    big, html = _count(c, "/verifikasi/?per_page=100")
    assert html.count("data-profil=") == 100 and html.count("data-akses=") == 100
    assert big == small, f"{small} statements at 10 rows, {big} at 100"
    assert db.session.execute(select(ProfilPengguna.id)).first()


def test_filters_status_search_dates_and_pages(app, login, f):
    s = f.scenario("dipesan")
    p = s["pesanan"]
    _clone(p, 30, nomor=lambda i: f"EO/F/{i:06d}", status=lambda i: "diproses" if i % 2 else "dipesan",
           nama_kegiatan=lambda i: f"Rapat {i}")  # fmt: skip
    c = login(s["pembeli"])
    html = c.get("/pesananku/list/?status=diproses&per_page=10").get_data(as_text=True)
    assert html.count("data-pesanan=") == 10 and 'data-status="dipesan"' not in html
    assert "Berikutnya" in html and "dari 15" in html
    html = c.get("/pesananku/list/?q=rapat%2017").get_data(as_text=True)
    assert html.count("data-pesanan=") == 1 and "EO/F/000017" in html
    tomorrow = clock.today_local().toordinal() + 1
    from datetime import date

    html = c.get(f"/pesananku/list/?dari={date.fromordinal(tomorrow).isoformat()}").get_data(as_text=True)
    assert "data-pesanan=" not in html
    # bad input: ignored, never a 500
    for q in ("?page=abc", "?page=999999999", "?per_page=-5", "?dari=2026-13-40", "?status=<x>", "?q=%25%5F"):
        assert c.get(f"/pesananku/list/{q}").status_code == 200, q
    assert db.session.execute(select(Pesanan.id)).first() and db.session.execute(select(Produk.id)).first()
    assert db.session.execute(select(PesananKatalog.id)).first() is None


@pytest.mark.parametrize("shop", ["/toko/", "/katalog-toko/"])
def test_shop_grid(app, login, f, shop):
    """Both shops' result grids: a card names its supplier (rating, UMKM badge), each of a different
    supplier here, yet 3 and 24 cards a page cost the same statements (SHOP_PAGE_SIZE)."""
    pembeli = f.pembeli() if shop == "/toko/" else f.katalog("nego_pp")["pp"]
    suppliers = _penyedia(30)
    for i, y in enumerate(suppliers):
        f.penyedia_user(penyedia=y)  # the Katalog shop lists only suppliers someone can answer for
        f.produk(y, nama=f"Kursi Klon {i}")
    c = login(pembeli)
    old = app.config["SHOP_PAGE_SIZE"]
    counts = {}
    try:
        for size in (3, 24):
            app.config["SHOP_PAGE_SIZE"] = size
            for url in (f"{shop}?q=kursi+klon", f"{shop}?sort=harga_asc"):
                n, html = _count(c, url)
                assert html.count("data-produk=") >= size, (url, size)
                counts[(size, url)] = n
    finally:
        app.config["SHOP_PAGE_SIZE"] = old
    for url in (f"{shop}?q=kursi+klon", f"{shop}?sort=harga_asc"):
        assert counts[(3, url)] == counts[(24, url)], (url, counts)


def test_shop_pager_stops_at_max_pages(app, login, f):
    """Deep shop pages cost their OFFSET: the pager ends at SHOP_MAX_PAGES, a page past it shows the last one
    reachable, and that page says how to find the rest."""
    pembeli = f.pembeli()
    y = _penyedia(1)[0]
    for i in range(7):
        f.produk(y, nama=f"Meja Dalam {i}")
    c = login(pembeli)
    old = app.config["SHOP_PAGE_SIZE"], app.config["SHOP_MAX_PAGES"]
    app.config["SHOP_PAGE_SIZE"], app.config["SHOP_MAX_PAGES"] = 2, 3
    try:
        html = c.get("/toko/?q=meja+dalam&page=999").get_data(as_text=True)
        first = c.get("/toko/?q=meja+dalam").get_data(as_text=True)
    finally:
        app.config["SHOP_PAGE_SIZE"], app.config["SHOP_MAX_PAGES"] = old
    assert "7 produk ditemukan" in html and html.count("data-produk=") == 2
    assert 'id="hasil-terpotong"' in html and "page=4" not in html
    assert 'class="active"><a href="/toko/?q=meja+dalam&amp;page=3"' in html
    assert 'id="hasil-terpotong"' not in first
