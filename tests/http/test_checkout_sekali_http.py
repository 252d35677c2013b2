"""A double-submitted checkout makes one order (issue: the direct checkout form posted 20 times at once made 20
orders, 20 budget commitments and 20 preparation documents). Real logged-in clients posting the same form with
its one-time token at once, on SQLite and PostgreSQL; the cart path and the token's refusals too."""

import re
import threading

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, Dokumen, PesananKatalog, PortalUser, Rup
from app.services import keranjang_katalog
from tests.conftest import PASSWORD
from tests.factories import katalog_checkout_form

N = 20


def _form(w, token, **kw):
    return katalog_checkout_form(w, token=token, **kw)


def _count(model, *where):
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _token(c):
    html = c.get("/katalog/checkout").data.decode()
    return re.search(r'name="token" value="([A-Za-z0-9_-]+)"', html).group(1)


def test_the_same_form_posted_twenty_times_at_once_makes_one_order(app, f):
    w = f.katalog_dunia()
    barrier = threading.Barrier(N)
    results = [None] * N
    token = {}

    def worker(i):
        with app.app_context():
            c = app.test_client()
            username = db.session.get(PortalUser, w["pp"].id).username
            assert c.post("/login/", data={"username": username, "password": PASSWORD}).status_code == 302
            if i == 0:
                token["t"] = _token(c)
            db.session.remove()
            barrier.wait()  # everyone has logged in and the form's token is known
            try:
                resp = c.post("/katalog/checkout", data=_form(w, token["t"]), content_type="multipart/form-data")
                results[i] = (resp.status_code, resp.headers.get("Location"))
            except Exception as e:  # pragma: no cover - shown in the assertion
                results[i] = repr(e)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert all(isinstance(r, tuple) and r[0] == 302 for r in results), results
    assert len({r[1] for r in results}) == 1, "every post lands on the one order"
    assert _count(PesananKatalog) == 1
    p = db.session.execute(select(PesananKatalog)).scalar_one()
    assert db.session.get(Rup, w["rup"].id).terpakai == p.total  # committed once
    assert _count(Dokumen, Dokumen.jenis == "persiapan") == 1
    assert _count(AuditLog, AuditLog.action == "checkout") == 1


def test_cart_checkout_posted_again_returns_its_order(app, f, login):
    w = f.katalog_dunia()
    line = keranjang_katalog.tambah(w["pp"], w["produk"].id, 2)
    pp = login(w["pp"], app.test_client())
    token = _token(pp)
    form = _form(w, token, keranjang_id=[str(line.id)], produk_id=[], qty=[])
    first = pp.post("/katalog/checkout", data=form, content_type="multipart/form-data")
    again = pp.post("/katalog/checkout", data=_form(w, token, keranjang_id=[str(line.id)], produk_id=[], qty=[]),
                    content_type="multipart/form-data", follow_redirects=True)  # fmt: skip
    assert first.status_code == 302 and again.status_code == 200 and "sudah dibuat" in again.data.decode()
    assert _count(PesananKatalog) == 1


def test_a_new_form_makes_a_new_order_and_a_forged_token_is_refused(app, f, login):
    w = f.katalog_dunia()
    pp = login(w["pp"], app.test_client())
    for _ in range(2):  # two forms opened one after the other: two orders, as the PP meant
        assert (
            pp.post("/katalog/checkout", data=_form(w, _token(pp)), content_type="multipart/form-data").status_code
            == 302
        )
    assert _count(PesananKatalog) == 2
    for bad in ("pendek", "x" * 65, "<script>alert(1)</script>aaaaaaaaaaaa"):
        resp = pp.post("/katalog/checkout", data=_form(w, bad), content_type="multipart/form-data")
        assert resp.status_code == 400 and "Formulir checkout tidak valid" in resp.data.decode()
    assert _count(PesananKatalog) == 2
    # another PP's token does not hand over that PP's order
    other = f.user("PP", satker=w["satker"])
    p = db.session.execute(select(PesananKatalog).order_by(PesananKatalog.id)).scalars().first()
    c = login(other, app.test_client())
    resp = c.post("/katalog/checkout", data=_form(w, p.checkout_token), content_type="multipart/form-data")
    assert resp.status_code in (400, 409) and _count(PesananKatalog) == 2


def test_checkout_page_shows_what_will_be_committed(app, f, login):
    """Before committing, the PP sees the PPN-inclusive total, the RUP's remainder after this order, and that
    the preparation document cannot be changed afterwards; the order then commits exactly that total."""
    w = f.katalog_dunia(pagu=5_000_000)  # product Rp 100.000, PPN 11 %
    line = keranjang_katalog.tambah(w["pp"], w["produk"].id, 3)
    pp = login(w["pp"], app.test_client())
    html = pp.get(f"/katalog/checkout?keranjang={line.id}").data.decode().replace("\xa0", " ")
    assert 'id="ringkasan-checkout"' in html and 'id="ringkasan-total">Rp 333.000<' in html
    assert "sisa setelah pesanan ini Rp 4.667.000" in html and 'id="peringatan-persiapan"' in html
    token = re.search(r'name="token" value="([A-Za-z0-9_-]+)"', html).group(1)
    form = _form(w, token, keranjang_id=[str(line.id)], produk_id=[], qty=[])
    assert pp.post("/katalog/checkout", data=form, content_type="multipart/form-data").status_code == 302
    p = db.session.execute(select(PesananKatalog)).scalar_one()
    assert p.total == 333_000 and db.session.get(Rup, w["rup"].id).sisa == 4_667_000
