"""`flask portal seed-scale` (issue 14): a small size built by the same bulk path, checked against every rule
the flows keep: counts in proportion, figures by money.py, each status reached by the workflow's own table
(the audit log replays to it), deadlines running only where the state waits, budgets within their pagu."""

from collections import defaultdict

import pytest
from sqlalchemy import func, select

from app import seed_scale
from app.extensions import db
from app.models import (
    AksesPengguna,
    AuditLog,
    Deadline,
    KodeBayar,
    Pembayaran,
    PenilaianKatalog,
    Penyedia,
    Pesanan,
    PesananItem,
    PesananKatalog,
    PesananKatalogItem,
    Produk,
    ProfilPengguna,
    Rup,
    Ulasan,
)
from app.services import clock, eorder, katalog, money, verifikasi

ORDERS = 300


@pytest.fixture
def built(app):
    counts = seed_scale.build(orders=ORDERS, seed=1)
    return counts


def _count(model, *where):
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_counts_follow_the_shape(built):
    size = seed_scale.sizes(ORDERS)
    assert _count(Pesanan) == ORDERS
    assert _count(PesananKatalog) == size["pesanan_katalog"]
    assert _count(Produk) == size["produk"]
    assert _count(Penyedia) == size["penyedia"]
    lines = _count(PesananItem)
    assert 2.5 * ORDERS <= lines <= 4.5 * ORDERS  # ~3.3 lines an order: 1,000,000 at 300,000
    assert built["pesanan_item"] == lines


def test_the_same_seed_builds_the_same_data(app):
    seed_scale.build(orders=40, seed=7)
    first = db.session.execute(select(Pesanan.status, Pesanan.total).order_by(Pesanan.id)).all()
    with pytest.raises(RuntimeError):  # never twice into one database
        seed_scale.build(orders=40, seed=7)
    assert len(first) == 40 and len({s for s, _ in first}) > 1
    assert seed_scale.sizes(300_000) == {
        "satker": 500,
        "penyedia": 5_000,
        "produk": 100_000,
        "pesanan": 300_000,
        "pesanan_katalog": 50_000,
        "verifikasi": 2_000,
    }


def test_totals_are_the_sums_of_the_lines_by_the_money_rule(built):
    lines = defaultdict(list)
    for it in db.session.execute(select(PesananItem)).scalars():
        assert it.subtotal == it.harga_satuan * it.qty
        assert (it.ppn, it.ppnbm) == (money.percent_of(it.subtotal, it.ppn_persen),
                                      money.percent_of(it.subtotal, it.ppnbm_persen))  # fmt: skip
        lines[it.pesanan_id].append(it)
    for p in db.session.execute(select(Pesanan)).scalars():
        assert lines[p.id], p.nomor
        assert p.subtotal == sum(x.subtotal for x in lines[p.id])
        assert p.total == p.subtotal + p.ppn + p.ppnbm == sum(x.total for x in lines[p.id])
    klines = defaultdict(list)
    for it in db.session.execute(select(PesananKatalogItem)).scalars():
        klines[it.pesanan_id].append(it)
    for p in db.session.execute(select(PesananKatalog)).scalars():
        r = money.rincian(
            [(x.harga, x.qty, x.ppn_persen, x.ppnbm_persen) for x in klines[p.id]],
            (),
            (p.ongkir, p.ongkir_ppn_persen, p.ongkir_ppnbm_persen),
        )
        assert (p.subtotal, p.ppn, p.ppnbm, p.total) == (r.subtotal, r.ppn, r.ppnbm, r.total)
        assert p.anggaran_terpakai == (0 if p.status in seed_scale.CANCELLED else p.total)


def _replay(entity, wf, start):
    """Every record's audit rows, replayed through the workflow's table, end at its status."""
    table = {(t.source, t.action): t.target for t in wf.transitions}
    state = {}
    rows = db.session.execute(
        select(AuditLog).where(AuditLog.entity == entity, AuditLog.to_status.isnot(None)).order_by(AuditLog.id)
    ).scalars()
    for a in rows:
        if a.from_status is None:
            assert a.to_status == start, (a.entity_id, a.action)
            state[a.entity_id] = start
            continue
        assert state.get(a.entity_id) == a.from_status, (a.entity_id, a.action)
        assert table.get((a.from_status, a.action)) == a.to_status, (a.from_status, a.action, a.to_status)
        state[a.entity_id] = a.to_status
    return state


def test_every_status_is_reached_by_the_workflow(built):
    state = _replay("pesanan", eorder.EORDER, "draft")
    assert state == dict(db.session.execute(select(Pesanan.id, Pesanan.status)).all())
    state = _replay("pesanan_katalog", katalog.KATALOG, "menunggu_negosiasi")
    assert state == dict(db.session.execute(select(PesananKatalog.id, PesananKatalog.status)).all())
    for model, wf, entity in ((ProfilPengguna, verifikasi.PROFIL, "profil_pengguna"),
                              (AksesPengguna, verifikasi.AKSES, "akses_pengguna")):  # fmt: skip
        assert _replay(entity, wf, "menunggu") == dict(db.session.execute(select(model.id, model.status)).all())
    statuses = {s for (s,) in db.session.execute(select(PesananKatalog.status).distinct())}
    assert "selesai" in statuses and len(statuses) >= 8  # the flows' states, not only the ends


def test_deadlines_run_only_where_the_state_waits(built):
    running = db.session.execute(
        select(Deadline.kind, Deadline.entity, Deadline.entity_id).where(Deadline.status == "aktif")
    ).all()
    katalog_status = dict(db.session.execute(select(PesananKatalog.id, PesananKatalog.status)).all())
    waiting = {i for i, s in katalog_status.items() if s in seed_scale.KATALOG_WAIT}
    seen = set()
    for kind, entity, entity_id in running:
        if entity == "pesanan_katalog":
            assert seed_scale.KATALOG_WAIT[katalog_status[entity_id]] == kind
            seen.add(entity_id)
        else:
            model = {"profil_pengguna": ProfilPengguna, "akses_pengguna": AksesPengguna}[entity]
            assert db.session.get(model, entity_id).status == "menunggu"
    assert seen == waiting  # and every waiting order has its one running deadline
    soonest = db.session.execute(select(func.min(Deadline.due_at)).where(Deadline.status == "aktif")).scalar_one()
    assert soonest > clock.now()  # nothing is overdue: a first sweep has nothing to fire


def test_payments_ratings_and_budgets(built):
    for pay in db.session.execute(select(Pembayaran)).scalars():
        assert pay.diterima_penyedia == pay.total - pay.biaya_transaksi
        assert pay.total == pay.pesanan.total
    for k in db.session.execute(select(KodeBayar)).scalars():
        assert (k.status == "aktif") == (k.pesanan.status == "kode_bayar_terbit")
    selesai = _count(PesananKatalog, PesananKatalog.status == "selesai")
    assert _count(PenilaianKatalog, PenilaianKatalog.jenis == "pesanan") == selesai
    # product ratings are the sums of their reviews
    sums = dict(db.session.execute(select(Ulasan.produk_id, func.sum(Ulasan.bintang)).group_by(Ulasan.produk_id)).all())
    for pid, total, count in db.session.execute(select(Produk.id, Produk.rating_total, Produk.rating_count)):
        assert total == sums.get(pid, 0) and (count > 0) == (pid in sums)
    for r in db.session.execute(select(Rup)).scalars():
        committed = db.session.execute(
            select(func.coalesce(func.sum(PesananKatalog.anggaran_terpakai), 0)).where(PesananKatalog.rup_id == r.id)
        ).scalar_one()
        assert r.terpakai == committed <= r.pagu
