"""RUP `terpakai` is only moved by compare-and-set in the service layer: a PPK editing the RUP while PPs check
out against it never writes back a stale `terpakai` (issue: 10 edits racing 10 checkouts lost orders from
the budget, every run on SQLite). Real logged-in clients in real threads, on SQLite and PostgreSQL."""

import threading

from sqlalchemy import select

from app.extensions import db
from app.models import PesananKatalog, PortalUser, Rup
from tests.conftest import PASSWORD
from tests.factories import katalog_checkout_form

N = 10


def _checkout_form(w):
    return katalog_checkout_form(w)


def _edit_form(w, i):
    rup = w["rup"]
    return {"kode": rup.kode, "nama": f"Belanja ATK revisi {i}", "tahun": str(rup.tahun),
            "satker": str(w["satker"].id), "pagu": "Rp 50.000.000"}  # fmt: skip


def _race(app, jobs):
    """jobs: [(user_id, fn(client) -> status)] each in its own thread with its own logged-in client."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(i, user_id, fn):
        with app.app_context():
            c = app.test_client()
            username = db.session.get(PortalUser, user_id).username
            assert c.post("/login/", data={"username": username, "password": PASSWORD}).status_code == 302
            db.session.remove()
            barrier.wait()
            try:
                results[i] = fn(c)
            except Exception as e:  # pragma: no cover - shown in the assertion
                results[i] = repr(e)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, *job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def test_rup_edits_racing_checkouts_lose_no_order(app, f):
    w = f.katalog_dunia(pagu=50_000_000)
    rup_id = w["rup"].id
    jobs = []
    for i in range(N):
        jobs.append((w["pp"].id, lambda c: c.post("/katalog/checkout", data=_checkout_form(w),
                                                  content_type="multipart/form-data").status_code))  # fmt: skip
        jobs.append((w["ppk"].id, lambda c, i=i: c.post(f"/rup/edit/{rup_id}", data=_edit_form(w, i)).status_code))
    results = _race(app, jobs)
    assert all(r in (200, 302, 409) for r in results), results
    db.session.expire_all()
    orders = db.session.execute(select(PesananKatalog).where(PesananKatalog.rup_id == rup_id)).scalars().all()
    rup = db.session.get(Rup, rup_id)
    assert orders, results
    # every order placed is in the budget, and nothing else is
    assert rup.terpakai == sum(p.anggaran_terpakai for p in orders) == sum(p.total for p in orders)
    assert rup.pagu == 50_000_000


def test_pagu_below_what_is_committed_is_refused_and_terpakai_is_not_a_field(app, f, login):
    w = f.katalog_dunia(pagu=50_000_000)
    order = f.katalog_checkout(w, qty=10)  # 10 x 100.000 + PPN 11 % = 1.110.000 committed
    ppk = login(w["ppk"], app.test_client())
    page = ppk.get(f"/rup/edit/{w['rup'].id}").data.decode()
    assert 'name="terpakai"' not in page
    form = {**_edit_form(w, 1), "pagu": "Rp 1.000.000", "terpakai": "0"}
    resp = ppk.post(f"/rup/edit/{w['rup'].id}", data=form)
    assert resp.status_code in (200, 302)
    db.session.expire_all()
    rup = db.session.get(Rup, w["rup"].id)
    assert (rup.pagu, rup.terpakai) == (50_000_000, order.total)
    form = {**_edit_form(w, 2), "pagu": "Rp 1.110.000", "terpakai": "0"}  # exactly what is committed: allowed
    assert ppk.post(f"/rup/edit/{w['rup'].id}", data=form).status_code == 302
    db.session.expire_all()
    rup = db.session.get(Rup, w["rup"].id)
    assert (rup.pagu, rup.terpakai, rup.nama) == (1_110_000, 1_110_000, "Belanja ATK revisi 2")
