"""The deadline sweep fires its expiries in sets (issue 14): the same outcome as one deadline at a time — the
table's rows, versions, audit rows, RUP money, waits and outbox emails — for a statement count that does not
grow with the number of due deadlines; a record that moved on is left out, and a failing set falls back to
one deadline at a time."""

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import AuditLog, Deadline, DeadlineReminder, EmailOutbox, KodeBayar, PesananKatalog, ProfilPengguna, Rup
from app.services import clock, deadlines, katalog, verifikasi
from app.services.katalog import bersama
from app.services.workflow import SYSTEM, apply_many
from tests.services.test_akun import profil_args, registered
from tests.sqlcount import hitung_sql

# the waiting states of an order and the deadline each one runs
WAITING = ("nego_pp", "nego_pp", "nego_penyedia", "menunggu_ppk", "konfirmasi_penyedia", "kode_bayar_terbit")
KINDS = {
    "nego_pp": "negosiasi",
    "nego_penyedia": "negosiasi",
    "menunggu_ppk": "persetujuan_ppk",
    "konfirmasi_penyedia": "ttd_sp",
    "kode_bayar_terbit": "kode_bayar",
}
LATE = timedelta(days=8)  # past the 3x24 h waits and the 7x24 h kode bayar


def _orders(f, states=WAITING):
    w = f.katalog_dunia(pagu=10**10)
    orders = [f.katalog(until=s, dunia=w)["pesanan"] for s in states]
    return w, orders


def _one_by_one(monkeypatch):
    """The per-deadline path (_fire with on_expiry), as before the sets: the kinds without on_expiry_many."""
    for name, kind in list(deadlines.KINDS.items()):
        monkeypatch.setitem(deadlines.KINDS, name, dataclasses.replace(kind, on_expiry_many=None))


def _outcome(w, orders, before):
    """What the sweep did to the orders, with ids, numbers and addresses replaced by their place and role."""
    db.session.expire_all()
    ids = {p.id: n for n, p in enumerate(orders)}
    who = {w["pp"].email: "pp", w["ppk"].email: "ppk", w["supplier"].email: "penyedia"}
    who.update({w[k].email: k for k in ("bp", "bud") if k in w})
    nomor = {p.id: p.nomor for p in orders}
    out = {"orders": [], "mail": [], "audit": [], "deadlines": []}
    for p in orders:
        p = db.session.get(PesananKatalog, p.id)
        kode = db.session.execute(select(KodeBayar.status).where(KodeBayar.pesanan_id == p.id)).scalars().all()
        out["orders"].append(
            (p.status, p.version - before[p.id], p.anggaran_terpakai, p.batas_waktu, p.alasan, sorted(kode))
        )
    for m in db.session.execute(select(EmailOutbox).order_by(EmailOutbox.idempotency_key)).scalars():
        _, pid, v, email = m.idempotency_key.split(":", 3) if m.idempotency_key.startswith("katalog:") else [0] * 4
        pid = int(pid)
        if pid in ids and int(v[1:]) > before[pid]:
            text = (m.subject + "|" + m.body_text).replace(nomor[pid], "{nomor}")
            out["mail"].append((ids[pid], int(v[1:]) - before[pid], who[email], m.to_addr == email, text, m.status))
    for a in db.session.execute(
        select(AuditLog).where(
            AuditLog.entity == "pesanan_katalog", AuditLog.action.in_(["batal_otomatis", "kode_kedaluwarsa"])
        )
    ).scalars():
        if a.entity_id in ids:
            out["audit"].append(
                (ids[a.entity_id], a.action, a.from_status, a.to_status, a.actor_id, a.actor_name, a.actor_role, a.note)
            )
    for d in db.session.execute(select(Deadline).where(Deadline.entity == "pesanan_katalog")).scalars():
        if d.entity_id in ids:
            note = "{kode}" if d.kind == "kode_bayar" else d.note  # the code itself is random
            out["deadlines"].append((ids[d.entity_id], d.kind, d.status, note))
    for key in out:
        out[key].sort(key=repr)
    out["rup_terpakai"] = db.session.get(Rup, w["rup"].id).terpakai
    return out


def _versions(orders):
    return {p.id: p.version for p in orders}


def test_sets_do_what_one_deadline_at_a_time_does(f, monkeypatch):
    w1, first = _orders(f)
    start = clock.now()
    clock.advance(timedelta(days=10))  # the second set is due only after the first one's sweep
    w2, second = _orders(f)
    v1, v2 = _versions(first), _versions(second)
    with monkeypatch.context() as m:
        _one_by_one(m)
        assert deadlines.sweep(now=start + LATE)["fired"] == len(WAITING)
    assert deadlines.KINDS["negosiasi"].on_expiry_many is not None  # the sets are back
    db.session.rollback()
    with hitung_sql() as h:
        assert deadlines.sweep(now=clock.now() + LATE)["fired"] == len(WAITING)
    old, new = _outcome(w1, first, v1), _outcome(w2, second, v2)
    for key in new:
        assert new[key] == old[key], (key, new[key], old[key])
    assert h.n < 40  # one deadline at a time: ~20 statements each
    # and what both did, spelled out
    assert [o[:5] for o in new["orders"]] == sorted(
        [("batal_otomatis", 1, 0, None, "Batas waktu 3x24 jam terlewati.")] * 5
        + [("kode_kedaluwarsa", 1, second[-1].anggaran_terpakai, None, None)],
        key=repr,
    )
    assert sorted(o[5] for o in new["orders"]) == [[]] * 5 + [["kedaluwarsa"]]
    assert new["rup_terpakai"] == second[-1].anggaran_terpakai  # only the paid-for order still holds money
    assert len(new["audit"]) == len(WAITING)
    assert {a[4:] for a in new["audit"]} == {(None, "Sistem", "Sistem", None)}
    mail = {(m[0], m[1], m[2]) for m in new["mail"]}
    expected = {(i, 1, r) for i in range(5) for r in ("pp", "penyedia")} | {(5, 1, "bp"), (5, 1, "ppk")}
    assert mail == expected and len(new["mail"]) == len(expected)
    running = [d for d in new["deadlines"] if d[2] == "aktif"]
    assert running == []
    fired = sorted((d[0], d[1]) for d in new["deadlines"] if d[2] == "kedaluwarsa")
    assert fired == sorted(enumerate(KINDS[s] for s in WAITING))
    # a second sweep changes nothing
    before = _outcome(w2, second, v2)
    assert deadlines.sweep(now=clock.now() + LATE + timedelta(hours=1)) == {"fired": 0, "reminded": 0}
    assert _outcome(w2, second, v2) == before


def test_a_record_that_moved_on_is_left_out_with_the_reason(f):
    w, orders = _orders(f, ("nego_pp", "nego_pp", "nego_pp"))
    moved = orders[1]
    # someone else's change that did not close the wait (a concurrent worker, a repair by hand)
    db.session.execute(
        update(PesananKatalog).where(PesananKatalog.id == moved.id).values(status="nego_selesai", version=9)
    )
    db.session.commit()
    terpakai = db.session.get(Rup, w["rup"].id).terpakai
    held = {p.id: p.anggaran_terpakai for p in orders}
    with hitung_sql() as h:
        assert deadlines.sweep(now=clock.now() + LATE)["fired"] == 2
    assert h.n <= 20  # in the set, not one by one
    db.session.expire_all()
    p = db.session.get(PesananKatalog, moved.id)
    assert (p.status, p.version, p.anggaran_terpakai) == ("nego_selesai", 9, held[moved.id])
    d = db.session.execute(select(Deadline).where(Deadline.entity_id == moved.id)).scalars().all()
    assert [(x.kind, x.status) for x in d] == [("negosiasi", "batal")]
    assert "Nego Selesai" in d[0].note or "status sekarang" in d[0].note
    assert db.session.query(AuditLog).filter_by(entity_id=moved.id, action="batal_otomatis").count() == 0
    assert (
        not db.session.query(EmailOutbox).filter(EmailOutbox.idempotency_key.like(f"katalog:{moved.id}:v10:%")).count()
    )
    assert db.session.get(Rup, w["rup"].id).terpakai == terpakai - held[orders[0].id] - held[orders[2].id] > 0
    for p in (orders[0], orders[2]):
        assert db.session.get(PesananKatalog, p.id).status == "batal_otomatis"


def test_a_failing_set_falls_back_to_one_deadline_at_a_time(f):
    w, orders = _orders(f, ("nego_pp", "nego_pp", "nego_pp"))
    bad = orders[0]
    # the order says it holds more than its RUP does: the set's one RUP UPDATE refuses, so the set rolls back
    # and each deadline goes alone; this one is refused by pakai_anggaran, the others fire
    db.session.execute(update(PesananKatalog).where(PesananKatalog.id == bad.id).values(anggaran_terpakai=10**10 - 1))
    db.session.commit()
    with hitung_sql() as h:
        assert deadlines.sweep(now=clock.now() + LATE)["fired"] == 2
    assert h.n > 30  # the per-deadline path ran
    db.session.expire_all()
    assert db.session.get(PesananKatalog, bad.id).status == "nego_pp"
    d = db.session.execute(select(Deadline).where(Deadline.entity_id == bad.id)).scalar_one()
    assert d.status == "batal" and "RUP" in d.note
    assert [db.session.get(PesananKatalog, p.id).status for p in orders[1:]] == ["batal_otomatis"] * 2


def _nego(w, f, n):
    for _ in range(n):
        p = f.katalog_checkout(w, qty=1)
        katalog.jalankan(p.id, "ajukan_nego", w["pp"], harga={p.items[0].id: 90_000})


def _statements(now):
    db.session.rollback()
    with hitung_sql() as h:
        result = deadlines.sweep(now=now)
    return h.n, result


def test_a_batch_costs_the_same_statements_for_5_or_50_due(f):
    w = f.katalog_dunia(pagu=10**10)
    _statements(clock.now())  # the sweep_run row exists from here on
    _nego(w, f, 5)
    few, result = _statements(clock.now() + LATE)
    assert result == {"fired": 5, "reminded": 0}
    clock.advance(LATE + timedelta(days=1))
    _nego(w, f, 50)
    many, result = _statements(clock.now() + LATE)
    assert result == {"fired": 50, "reminded": 0}
    assert many == few <= 20, (few, many)
    assert db.session.execute(select(func.count()).where(PesananKatalog.status == "batal_otomatis")).scalar_one() == 55
    assert db.session.get(Rup, w["rup"].id).terpakai == 0


def _requests(f, n, tag):
    satker = f.satker("satker")
    f.user("Verifikator", satker=f.satker("skpd", instansi=satker.instansi))
    out = []
    for i in range(n):
        user = registered(f"{tag}{i}", f"{tag}{i}@example.com")
        out.append(verifikasi.ajukan_profil(user, **profil_args(satker.instansi)))
    return out


def _decide_behind_the_sweep(req):
    """A decision written without closing the deadline (the sweep must leave the request alone)."""
    db.session.execute(update(ProfilPengguna).where(ProfilPengguna.id == req.id).values(status="terverifikasi"))
    db.session.commit()


def test_escalations_in_a_set(f):
    admins = [f.user("Admin", satker=f.satker("skpd")) for _ in range(2)]
    _statements(clock.now())
    waiting, fired = [], []
    counts = []
    for n, tag in ((4, "awal"), (12, "banyak")):
        reqs = _requests(f, n, tag)
        _decide_behind_the_sweep(reqs[0])
        due = clock.now() + timedelta(hours=72)
        _statements(due - timedelta(minutes=1))  # the reminders, marked past, not sent late
        count, result = _statements(due)
        assert result == {"fired": n - 1, "reminded": 0}
        counts.append(count)
        d = db.session.execute(select(Deadline).where(Deadline.entity_id == reqs[0].id)).scalar_one()
        assert (d.status, d.note) == ("batal", "Permintaan sudah diputuskan.")
        waiting += reqs[1:]
        clock.advance(timedelta(days=4))
    assert counts[0] == counts[1] <= 20, counts
    fired = db.session.execute(select(Deadline.id, Deadline.entity_id).where(Deadline.status == "kedaluwarsa")).all()
    assert sorted(r.entity_id for r in fired) == sorted(r.id for r in waiting)
    keys = set(db.session.execute(select(EmailOutbox.idempotency_key, EmailOutbox.to_addr)).all())
    esc = {(k, to) for k, to in keys if k.startswith("eskalasi:")}
    assert esc == {(f"eskalasi:{d}:{a.email}", a.email) for d, _ in fired for a in admins}
    mail = db.session.execute(select(EmailOutbox).where(EmailOutbox.idempotency_key.like("eskalasi:%"))).scalars()
    assert {m.subject for m in mail} == {"Eskalasi: verifikasi melewati 3x24 jam"}
    audit = db.session.execute(select(AuditLog).where(AuditLog.action == "eskalasi")).scalars().all()
    assert sorted(a.entity_id for a in audit) == sorted(r.id for r in waiting)
    assert {(a.entity, a.actor_id, a.actor_name, a.actor_role, a.note) for a in audit} == {
        ("profil_pengguna", None, "Sistem", None, "Melewati 3x24 jam")
    }
    assert _statements(clock.now() + timedelta(days=10))[1] == {"fired": 0, "reminded": 0}


@pytest.mark.parametrize("n", [1, 3])
def test_apply_many_refuses_what_apply_refuses(f, n):
    """A person's step is not the portal's to take in a set: the role rule refuses them all, changes nothing."""
    w, orders = _orders(f, ("nego_pp",) * n)
    applied, errors = _apply_many(orders, "terima")
    assert applied == [] and set(errors) == {p.id for p in orders}
    db.session.rollback()
    applied, errors = _apply_many(orders, "kode_kedaluwarsa")  # a SYSTEM row, but not from this state
    assert applied == [] and all("status sekarang" in e for e in errors.values())
    db.session.rollback()
    assert {db.session.get(PesananKatalog, p.id).status for p in orders} == {"nego_pp"}


def _apply_many(orders, action):
    return apply_many(katalog.KATALOG, [p.id for p in orders], action, SYSTEM)


def _reminder_mail():
    """(key, to, subject, body) of every reminder email, sorted."""
    return sorted(
        db.session.execute(
            select(EmailOutbox.idempotency_key, EmailOutbox.to_addr, EmailOutbox.subject, EmailOutbox.body_text).where(
                EmailOutbox.idempotency_key.like("pengingat:%")
            )
        ).all()
    )


def _reminders_again(monkeypatch):
    """Forget the reminders sent and switch to one deadline at a time (the path before the sets)."""
    db.session.execute(EmailOutbox.__table__.delete().where(EmailOutbox.idempotency_key.like("pengingat:%")))
    db.session.execute(DeadlineReminder.__table__.delete())
    db.session.commit()
    for name, kind in list(deadlines.KINDS.items()):
        monkeypatch.setitem(deadlines.KINDS, name, dataclasses.replace(kind, recipients_many=None))
    monkeypatch.setattr(deadlines, "_remind_many", lambda rows, now, sent: None)


def test_reminders_in_sets_match_one_at_a_time(f, monkeypatch):
    """The 24 h reminders of waits in several states (the PP's, the Penyedia's, the PPK's turn): the same emails —
    keys, recipients, texts — in one batch as one deadline at a time."""
    w, orders = _orders(f, WAITING[:5])
    now = clock.now() + timedelta(hours=49)  # 23 h before the 3x24 h waits end
    assert deadlines.sweep(now=now) == {"fired": 0, "reminded": 5}
    in_sets = _reminder_mail()
    who = {w["pp"].email, w["ppk"].email, w["supplier"].email}
    assert len(in_sets) >= 5 and {m.to_addr for m in in_sets} <= who and len({m.to_addr for m in in_sets}) == 3
    _reminders_again(monkeypatch)
    assert deadlines.sweep(now=now) == {"fired": 0, "reminded": 5}
    assert _reminder_mail() == in_sets


def test_reminders_cost_the_same_statements_for_5_or_50(f):
    w = f.katalog_dunia(pagu=10**10)
    _statements(clock.now())  # the sweep_run row exists from here on
    counts = []
    for n in (5, 50):
        start = clock.now()
        _nego(w, f, n)
        count, result = _statements(start + timedelta(hours=49))
        assert result == {"fired": 0, "reminded": n}
        counts.append(count)
        clock.advance(timedelta(days=4))
        _statements(clock.now())  # those waits expire, out of the next round's way
    assert counts[0] == counts[1] <= 15, counts
    assert len({k.split(":")[1] for k, *_ in _reminder_mail()}) == 55


def test_verification_reminders_in_a_set(f, monkeypatch):
    """Reminders of many Verifikasi Profil requests: one batch to their instansi's Verifikator only, the same
    statements for 3 and 11 requests, the same emails as one at a time."""
    _statements(clock.now())
    counts = []
    for n, tag in ((3, "ingat"), (11, "ingatbanyak")):
        reqs = _requests(f, n, tag)
        due = clock.now() + timedelta(hours=72)
        count, result = _statements(due - timedelta(hours=23))
        assert result == {"fired": 0, "reminded": n}
        counts.append(count)
        ids = set(db.session.execute(select(Deadline.id).where(Deadline.entity_id.in_([r.id for r in reqs]))).scalars())
        mine = [(k, to) for k, to, *_ in _reminder_mail() if int(k.split(":")[1]) in ids]
        assert len(mine) == n and len({to for _, to in mine}) == 1  # the instansi's one Verifikator
        clock.advance(timedelta(days=4))
        _statements(clock.now())
    assert counts[0] == counts[1] <= 15, counts


def test_a_failing_reminder_set_falls_back_to_one_at_a_time(f, monkeypatch):
    w = f.katalog_dunia(pagu=10**10)
    start = clock.now()
    _nego(w, f, 3)

    def boom(rows):
        raise RuntimeError("recipients of a set failed")

    for name in bersama.WAITS:
        monkeypatch.setitem(deadlines.KINDS, name, dataclasses.replace(deadlines.KINDS[name], recipients_many=boom))
    assert deadlines.sweep(now=start + timedelta(hours=49)) == {"fired": 0, "reminded": 3}
    assert len({k.split(":")[1] for k, *_ in _reminder_mail()}) == 3
    assert deadlines.sweep(now=start + timedelta(hours=49, minutes=1)) == {"fired": 0, "reminded": 0}
