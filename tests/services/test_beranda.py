"""The home page's queues (app/services/beranda.py): per role, each queue holds exactly the rows on which the
transition table offers the user that step now (Workflow.available, row by row, in Python) within the
scoping rule; another organisation's rows never appear; the statement count does not grow with the data."""

import re
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import EmailOutbox, KeranjangKatalog, PesananKatalog
from app.services import beranda, clock, eorder, scoping
from tests.factories import pdf_bytes
from tests.sqlcount import hitung_sql


def _walk(f, pembeli, produk, penyedia_user, until):
    """An E-Order order of `pembeli` for `produk`, walked to `until` through the service."""
    p = eorder.tambah_ke_keranjang(pembeli, produk.id, 4)
    steps = ["isi_detail", "konfirmasi_pesanan", "konfirmasi", "kirim", "dokumen", "konfirmasi_penerimaan"]
    targets = {"draft": 0, "detail": 1, "dipesan": 2, "diproses": 3, "dikirim": 4, "dokumen": 5, "diterima": 6}
    for action in steps[: targets[until]]:
        if action == "isi_detail":
            eorder.jalankan(p.id, action, pembeli, **f.detail(pembeli))
        elif action == "dokumen":
            for jenis in ("invoice", "kwitansi"):
                eorder.jalankan(p.id, "upload_dokumen", penyedia_user, jenis=jenis, data=pdf_bytes(), filename="a.pdf")
        elif action == "konfirmasi_penerimaan":
            eorder.jalankan(p.id, action, pembeli, jumlah_sesuai=True, kondisi_baik=True, waktu_tempat_sesuai=True)
        else:
            actor = pembeli if action == "konfirmasi_pesanan" else penyedia_user
            eorder.jalankan(p.id, action, actor)
    db.session.refresh(p)
    return p


def _eorder_world(f):
    """One BUMD (several buyers) ordering from one UMKM, an order in each state; and another BUMD + UMKM."""
    penyedia = f.penyedia()
    supplier = f.penyedia_user(penyedia)
    satker = f.satker("bumd")
    buyers = [f.pembeli(satker=satker) for _ in range(7)]
    produk = f.produk(penyedia)
    orders = {}
    states = ["draft", "detail", "dipesan", "diproses", "dikirim", "dokumen", "diterima"]
    for b, until in zip(buyers, states, strict=True):
        orders[until] = _walk(f, b, produk, supplier, until)
    # a cancellation request from the buyer, waiting for the supplier's answer
    eorder.jalankan(orders["diproses"].id, "ajukan_pembatalan", buyers[3], alasan="Acara diundur")
    other = f.scenario("dipesan")
    return dict(supplier=supplier, buyers=buyers, orders=orders, other=other)


def _expected(a, user):
    """The rows of the queue's model on which the table offers `user` one of the queue's actions now."""
    model = a.alur.model
    rows = db.session.execute(scoping.scoped_select(model, user)).scalars().all()
    return {r.id for r in rows if any(t.action in a.aksi for t in a.alur.available(r, user))}


def _check_queues(user, limit=5):
    out = beranda.beranda(user, limit=limit)
    seen = {}
    for b in out:
        for a in b.antrean:
            seen[(b.peran, a.kunci)] = a
            got = {x.pk for x in a.butir}
            if a.alur is not None and not a.kunci.endswith("_terlambat"):
                want = _expected(a, user)
                assert a.jumlah == len(want), (a.kunci, a.jumlah, want)
                assert got <= want, (a.kunci, got, want)
                assert len(got) == min(limit, len(want)), a.kunci
            assert len(a.butir) == min(limit, a.jumlah), a.kunci
            for x in a.butir:
                assert x.url.startswith("/") or x.url.startswith("http"), x.url
    return seen


def _pks(seen, key):
    return {x.pk for x in seen[key].butir}


def test_eorder_queues_per_role_are_the_tables_steps(f, app):
    w = _eorder_world(f)
    o, buyers, supplier = w["orders"], w["buyers"], w["supplier"]
    with app.test_request_context():
        seen = _check_queues(supplier)
        assert _pks(seen, ("Penyedia", "konfirmasi")) == {o["dipesan"].id}
        # Diproses waits on a cancellation answer: Kirim is not offered (the table's visible rule), the answer is
        assert _pks(seen, ("Penyedia", "kirim")) == set()
        assert _pks(seen, ("Penyedia", "pembatalan")) == {o["diproses"].id}
        assert _pks(seen, ("Penyedia", "dokumen")) == {o["dikirim"].id, o["dokumen"].id}
        assert w["other"]["pesanan"].id not in {x.pk for a in seen.values() for x in a.butir}

        # a buyer sees their own cart, not a colleague's; ordered orders of the BUMD are everyone's
        seen = _check_queues(buyers[0])
        assert _pks(seen, ("Pembeli", "draft")) == {o["draft"].id}
        assert _pks(seen, ("Pembeli", "terima")) == {o["dikirim"].id, o["dokumen"].id}
        assert _pks(seen, ("Pembeli", "nilai")) == {o["diterima"].id}
        assert _pks(seen, ("Pembeli", "pembatalan")) == set()  # the buyer's side asked; the supplier answers
        seen = _check_queues(buyers[1])
        assert _pks(seen, ("Pembeli", "draft")) == {o["detail"].id}
        # the other BUMD's buyer sees none of these
        seen = _check_queues(w["other"]["pembeli"])
        assert all(not a.butir for a in seen.values())
        seen = _check_queues(w["other"]["penyedia_user"])
        assert _pks(seen, ("Penyedia", "konfirmasi")) == {w["other"]["pesanan"].id}


def test_katalog_queues_per_role(f, app):
    w = f.katalog("nego_pp")
    nego = w["pesanan"]
    ppk_wait = f.katalog("menunggu_ppk", dunia=w)["pesanan"]
    bayar = f.katalog("menunggu_bendahara", dunia=w)["pesanan"]  # the factory returns the same world dict
    bendahara = w["bendahara"]
    kode = f.katalog("kode_bayar_terbit", dunia=w)["kode"]
    other = f.katalog("nego_pp")  # another satker and Penyedia
    db.session.add(KeranjangKatalog(user_id=w["pp"].id, produk_id=w["produk"].id, qty=2, created_at=clock.now()))
    db.session.commit()
    with app.test_request_context():
        seen = _check_queues(w["supplier"])
        assert _pks(seen, ("Penyedia", "nego")) == {nego.id}
        seen = _check_queues(w["pp"])
        assert _pks(seen, ("PP", "nego")) == set()  # nego_pp waits on the Penyedia
        assert seen[("PP", "keranjang")].jumlah == 1
        seen = _check_queues(w["ppk"])
        assert _pks(seen, ("PPK", "persetujuan")) == {ppk_wait.id}
        seen = _check_queues(bendahara)
        assert _pks(seen, ("Bendahara", "konfirmasi_bayar")) == {bayar.id}
        assert _pks(seen, ("Bendahara", "kode_bayar")) == {kode.id}
        item = seen[("Bendahara", "kode_bayar")].butir[0]
        assert item.batas == kode.berlaku_sampai
        # the other satker's PP / Penyedia see only their own
        seen = _check_queues(other["supplier"])
        assert _pks(seen, ("Penyedia", "nego")) == {other["pesanan"].id}
        seen = _check_queues(other["ppk"])
        assert all(not a.butir for a in seen.values())


def test_katalog_deadline_is_the_orders_wait(f, app):
    w = f.katalog("nego_pp")
    p = w["pesanan"]
    with app.test_request_context():
        seen = _check_queues(w["supplier"])
        item = seen[("Penyedia", "nego")].butir[0]
        assert item.batas == p.batas_waktu and p.batas_waktu is not None
        assert item.url.endswith(f"/katalog/{p.id}")


def test_verifikator_and_admin_queues(f, app):
    w = f.profil()
    f.akses(dunia=w)  # the same applicant's access request (its profile is verified)
    stranger = f.profil()  # another instansi's request
    admin = f.user("Admin")
    db.session.add(EmailOutbox(idempotency_key="k1", to_addr="a@uji.local", subject="Gagal", body_text="x",
                               status="failed", attempts=5, created_at=clock.now()))  # fmt: skip
    produk = f.produk(f.penyedia(), status="diajukan")
    db.session.commit()
    with app.test_request_context():
        seen = _check_queues(w["verifikator"])
        assert seen[("Verifikator", "akses")].jumlah == 1
        assert stranger["profil"].id not in _pks(seen, ("Verifikator", "profil"))
        seen = _check_queues(admin)
        assert _pks(seen, ("Admin", "produk")) == {produk.id}
        assert seen[("Admin", "email_gagal")].jumlah == 1
        assert seen[("Admin", "profil_terlambat")].jumlah == 0
    clock.advance(timedelta(hours=73))
    with app.test_request_context():
        seen = _check_queues(admin)
        assert seen[("Admin", "profil_terlambat")].jumlah >= 1
        assert seen[("Admin", "akses_terlambat")].jumlah == 1


def test_summary_roles_get_counts_and_links(f, app):
    s = f.scenario("dipesan")
    auditor = f.user("Auditor")
    with app.test_request_context():
        out = beranda.beranda(auditor)
    (b,) = out
    assert {a.kunci: a.jumlah for a in b.antrean}["eorder_berjalan"] == 1
    assert ("/dasbor/", "/laporan/") == tuple(href for _, href in b.tautan)
    assert s["pesanan"].status == "dipesan"


def test_statement_count_does_not_grow_with_the_data(f, app):
    w = _eorder_world(f)
    supplier, buyer = w["supplier"], w["buyers"][0]

    def count(user):
        db.session.expire_all()
        with app.test_request_context(), hitung_sql() as h:
            beranda.beranda(user)
        return h.n

    before = (count(supplier), count(buyer))
    # ten more orders waiting on the supplier, and more carts for the buyer's satker
    produk2 = f.produk(w["orders"]["dipesan"].penyedia)
    for b in w["buyers"][:5]:
        _walk(f, b, produk2, supplier, "dipesan")
    more = [f.pembeli(satker=buyer.satker) for _ in range(5)]
    for b in more:
        _walk(f, b, produk2, supplier, "dikirim")
    assert (count(supplier), count(buyer)) == before


def test_count_is_capped(f, app, monkeypatch):
    w = _eorder_world(f)
    monkeypatch.setattr(beranda, "CAP", 1)
    with app.test_request_context():
        seen = {a.kunci: a for b in beranda.beranda(w["supplier"]) for a in b.antrean}
    assert seen["dokumen"].jumlah == 1 and seen["dokumen"].lebih


@pytest.mark.parametrize("role", ["Pengguna"])
def test_a_user_without_work_roles_gets_nothing(f, app, role):
    user = f.user(role)
    with app.test_request_context():
        assert beranda.beranda(user) == []


def test_home_page_over_http_per_role(f, app, client, login):
    w = _eorder_world(f)
    k = f.katalog("nego_pp")
    cases = [
        (w["supplier"], "konfirmasi", w["orders"]["dipesan"].nomor),
        (w["buyers"][0], "terima", w["orders"]["dikirim"].nomor),
        (k["supplier"], "nego", k["pesanan"].nomor),
    ]
    for user, kunci, nomor in cases:
        login(user)
        html = client.get("/").get_data(as_text=True)
        block = re.search(rf'id="antrean-{kunci}".*?</div>\s*</div>', html, re.S)
        assert block, kunci
        assert nomor in block.group(0)
        assert 'data-jumlah="0"' not in block.group(0)
    # no other organisation's order on the supplier's page
    login(w["supplier"])
    html = client.get("/").get_data(as_text=True)
    assert w["other"]["pesanan"].nomor not in html and k["pesanan"].nomor not in html
    login(k["ppk"])
    html = client.get("/").get_data(as_text=True)
    assert 'id="antrean-persetujuan"' in html and k["pesanan"].nomor not in html
    assert current_app  # the page rendered in the app's context
    assert db.session.execute(select(PesananKatalog.id)).first()


def test_anonymous_home_page_shows_login(client):
    html = client.get("/").get_data(as_text=True)
    assert 'id="link-daftar"' in html and "antrean-" not in html


def test_where_equals_available_for_every_eorder_action(f, app):
    """Workflow.where (SQL) and Workflow.available (row by row) agree for every action and every party."""
    w = _eorder_world(f)
    users = [w["supplier"], *w["buyers"][:2], w["other"]["pembeli"]]
    wf = eorder.EORDER
    for user in users:
        rows = db.session.execute(scoping.scoped_select(wf.model, user)).scalars().all()
        for action in wf.actions():
            sql = set(
                db.session.execute(
                    select(wf.model.id).where(scoping.visible_clause(wf.model, user), wf.where(user, {action}))
                ).scalars()
            )
            py = {r.id for r in rows if any(t.action == action for t in wf.available(r, user))}
            assert sql == py, (user.username, action, sql, py)
