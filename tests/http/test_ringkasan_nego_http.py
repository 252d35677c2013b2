"""The live "Ringkasan Harga Nego" over HTTP (issue 12 item 2): the page draws it with the price form and
refreshes it from the server as prices are typed — the figures are the service's, a bad price is named,
nothing is stored, and only the order's PP and Penyedia may ask."""

from decimal import Decimal

import pytest

from app.extensions import db
from app.models import LayananTambahan, PesananKatalog
from tests.factories import Factories


@pytest.fixture
def w(f):
    w = f.katalog_dunia(pagu=10**9)
    svc = LayananTambahan(produk_id=w["produk"].id, nama="Instalasi", harga=200_000, ppn_persen=Decimal("11"))
    db.session.add(svc)
    db.session.commit()
    lines = [{"produk_id": w["produk"].id, "qty": 10, "layanan_ids": [svc.id]}]
    w["pesanan"] = Factories().katalog_checkout(w, lines=lines)
    return w


def _text(resp):
    return resp.data.decode().replace("\xa0", " ")


def test_page_draws_the_summary_with_the_price_form(app, w, login):
    p = w["pesanan"]
    html = _text(login(w["pp"], app.test_client()).get(f"/katalog/{p.id}"))
    assert "Ringkasan Harga Nego" in html and f'/katalog/{p.id}/ringkasan-nego/ajukan_nego"' in html
    # goods 1.000.000 + service 200.000; PPN 110.000 + 22.000; total 1.332.000
    assert 'data-r="layanan">Rp 200.000' in html and 'data-r="ppn">Rp 132.000' in html
    assert 'data-r="total">Rp 1.332.000' in html


def test_summary_follows_the_typed_prices_and_stores_nothing(app, w, login):
    p = w["pesanan"]
    pp = login(w["pp"], app.test_client())
    form = {f"harga_{p.items[0].id}": "Rp 90.000", f"layanan_{p.layanan[0].id}": "150.000", "ongkir": "50.000"}
    resp = pp.post(f"/katalog/{p.id}/ringkasan-nego/ajukan_nego", data=form)
    html = _text(resp)
    # 900.000 + 150.000; PPN 99.000 + 16.500 + shipping 5.500 = 121.000; total 1.221.000
    assert resp.status_code == 200 and 'data-r="ppn">Rp 121.000' in html and 'data-r="total">Rp 1.221.000' in html
    assert "PPN ongkos kirim Rp 5.500" in html
    db.session.expire_all()
    assert db.session.get(PesananKatalog, p.id).total == 1_332_000
    # sending the same form stores exactly the figures the summary showed
    resp = pp.post(f"/katalog/{p.id}/aksi/ajukan_nego", data={**form, "version": p.version})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(PesananKatalog, p.id).total == 1_221_000


@pytest.mark.parametrize(
    ("value", "message"),
    [("Rp 850.000", "melebihi harga katalog"), ("sembilan puluh", "tidak valid"), ("10,5", "tidak valid")],
)
def test_a_bad_price_is_named_not_computed(app, w, login, value, message):
    p = w["pesanan"]
    resp = login(w["pp"], app.test_client()).post(
        f"/katalog/{p.id}/ringkasan-nego/ajukan_nego", data={f"harga_{p.items[0].id}": value}
    )
    assert resp.status_code == 422 and message in _text(resp) and 'data-r="total"' not in _text(resp)


def test_only_the_orders_pp_and_penyedia_may_ask(app, w, login, f):
    p = w["pesanan"]
    url = f"/katalog/{p.id}/ringkasan-nego/tawar"
    assert login(w["supplier"], app.test_client()).post(url, data={}).status_code == 200
    assert login(w["ppk"], app.test_client()).post(url, data={}).status_code == 403
    other = f.penyedia_user(f.penyedia())
    assert login(other, app.test_client()).post(url, data={}).status_code == 404
    pp = login(w["pp"], app.test_client())
    assert pp.post(f"/katalog/{p.id}/ringkasan-nego/checkout", data={}).status_code == 404
