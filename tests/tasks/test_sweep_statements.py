"""The deadline sweep at scale: it drains a backlog in one run within its time budget, and a reminder or an
escalation costs a constant, small number of SQL statements whatever the number of users (issue 14)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Deadline, EmailOutbox
from app.services import clock, deadlines, tte_aktivasi, verifikasi
from tests.services.test_akun import profil_args, registered
from tests.sqlcount import hitung_sql


def _crowd(f, satker, n):
    """Users who are neither the recipients nor related: the old recipient lookup loaded every one."""
    for _ in range(n):
        f.user("Pembeli", satker=satker)
    other = f.satker("skpd")  # Verifikators of another instansi are not recipients
    for _ in range(max(1, n // 5)):
        f.user("Verifikator", satker=other)


@pytest.fixture
def request_waiting(f):
    satker = f.satker("satker")
    verifier = f.user("Verifikator", satker=f.satker("skpd", instansi=satker.instansi))
    admin = f.user("Admin", satker=f.satker("skpd"))
    profil = verifikasi.ajukan_profil(registered(), **profil_args(satker.instansi))
    row = db.session.execute(select(Deadline).where(Deadline.entity_id == profil.id)).scalar_one()
    return dict(satker=satker, verifier=verifier, admin=admin, due=row.due_at)


def _sweep_statements(now):
    db.session.rollback()
    with hitung_sql() as h:
        result = deadlines.sweep(now=now)
    return h.n, result


def test_nothing_due_costs_the_same_whatever_is_pending(f, request_waiting):
    due = request_waiting["due"]
    quiet = due - timedelta(hours=30)  # before the 24 h reminder: nothing to do
    _sweep_statements(quiet)  # the first run also creates its sweep_run row
    base, result = _sweep_statements(quiet)
    assert result == {"fired": 0, "reminded": 0}
    for i in range(5):  # more pending requests, none due
        user = registered(f"tenang{i}", f"tenang{i}@example.com")
        verifikasi.ajukan_profil(user, **profil_args(request_waiting["satker"].instansi))
    more, result = _sweep_statements(quiet)
    assert result == {"fired": 0, "reminded": 0}
    assert more == base <= 12


@pytest.mark.parametrize("crowd", [0, 25])
def test_a_reminder_costs_at_most_ten_statements(f, request_waiting, crowd):
    _crowd(f, request_waiting["satker"], crowd)
    due = request_waiting["due"]
    _sweep_statements(due - timedelta(hours=30))
    idle, _ = _sweep_statements(due - timedelta(hours=30))
    busy, result = _sweep_statements(due - timedelta(hours=24))
    assert result["reminded"] == 1
    assert busy - idle <= 10, (busy, idle)
    to = db.session.execute(select(EmailOutbox.to_addr).where(EmailOutbox.subject.contains("Pengingat"))).scalars()
    assert set(to) == {request_waiting["verifier"].email}  # the instansi's Verifikator only


@pytest.mark.parametrize("crowd", [0, 25])
def test_an_escalation_costs_at_most_ten_statements(f, request_waiting, crowd):
    _crowd(f, request_waiting["satker"], crowd)
    due = request_waiting["due"]
    # the reminders are past (marked, not sent late): only the escalation is left
    _sweep_statements(due - timedelta(minutes=1))
    idle, _ = _sweep_statements(due - timedelta(minutes=1))
    busy, result = _sweep_statements(due)
    assert result == {"fired": 1, "reminded": 0}
    assert busy - idle <= 10, (busy, idle)
    to = db.session.execute(select(EmailOutbox.to_addr).where(EmailOutbox.subject.contains("Eskalasi"))).scalars()
    assert set(to) == {request_waiting["admin"].email}


def _pending(f, n):
    satker = f.satker("satker")
    f.user("Verifikator", satker=f.satker("skpd", instansi=satker.instansi))
    for i in range(n):
        verifikasi.ajukan_profil(registered(f"warga{i}", f"warga{i}@example.com"), **profil_args(satker.instansi))
    return db.session.execute(select(func.max(Deadline.due_at))).scalar_one()


def test_one_sweep_drains_a_backlog_larger_than_a_batch(f):
    due = _pending(f, 5)
    assert deadlines.sweep(now=due, limit=2) == {"fired": 5, "reminded": 0}
    assert db.session.execute(select(func.count()).where(Deadline.status == "aktif")).scalar_one() == 0


def test_the_time_budget_stops_a_sweep_and_the_next_one_goes_on(f):
    due = _pending(f, 3)
    assert deadlines.sweep(now=due, limit=1, budget=0) == {"fired": 0, "reminded": 0}
    assert deadlines.sweep(now=due, limit=1) == {"fired": 3, "reminded": 0}
    assert deadlines.sweep(now=due + timedelta(minutes=1)) == {"fired": 0, "reminded": 0}


def test_reminders_of_many_deadlines_go_out_once_in_one_sweep(f):
    due = _pending(f, 4)
    now = due - timedelta(hours=23)
    assert deadlines.sweep(now=now, limit=3)["reminded"] == 4
    assert deadlines.sweep(now=now + timedelta(minutes=1))["reminded"] == 0
    assert clock.now() < due


@pytest.mark.parametrize("crowd", [0, 25])
def test_a_tte_reminder_and_escalation_cost_at_most_ten_statements(f, crowd):
    """The TTE activation's SLA finds its recipients by one joined query too (it loaded every user with their
    roles): the instansi's TTE verifier for the reminder, the Admins for the escalation."""
    w = f.akses("aktif")
    verifier = f.user("Verifikator TTE", satker=f.satker("skpd", instansi=w["instansi"]))
    f.user("Verifikator TTE", satker=f.satker("skpd"))  # another instansi's: not a recipient
    admin = f.user("Admin")
    _crowd(f, f.satker("satker", instansi=w["instansi"]), crowd)
    due = tte_aktivasi.ajukan(w["pemohon"], "3171011708900001").batas_waktu
    _sweep_statements(due - timedelta(hours=30))
    idle, _ = _sweep_statements(due - timedelta(hours=30))
    busy, result = _sweep_statements(due - timedelta(hours=24))
    assert result["reminded"] == 1 and busy - idle <= 10, (busy, idle)
    fired, result = _sweep_statements(due)
    assert result["fired"] == 1 and fired - idle <= 10, (fired, idle)
    mail = db.session.execute(select(EmailOutbox.subject, EmailOutbox.to_addr)).all()
    assert {to for s, to in mail if s.startswith("Pengingat: aktivasi TTE")} == {verifier.email}
    assert {to for s, to in mail if s.startswith("Eskalasi: aktivasi TTE")} == {admin.email}
