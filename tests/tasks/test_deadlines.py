"""Deadlines with a moved clock: fire at 3x24 h (not a minute before), remind once, survive crashes."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, Deadline, DeadlineReminder, EmailOutbox, SweepRun
from app.services import clock, deadlines, verifikasi
from tests.services.test_akun import profil_args, registered


def _emails(fragment):
    return db.session.execute(
        select(func.count(EmailOutbox.id)).where(EmailOutbox.subject.contains(fragment))
    ).scalar_one()


@pytest.fixture
def waiting(f):
    satker = f.satker("satker")
    verifier = f.user("Verifikator", satker=f.satker("skpd", instansi=satker.instansi))
    admin = f.user("Admin", satker=f.satker("skpd"))
    user = registered()
    profil = verifikasi.ajukan_profil(user, **profil_args(satker.instansi))
    row = db.session.execute(select(Deadline).where(Deadline.entity_id == profil.id)).scalar_one()
    return dict(profil=profil, verifier=verifier, admin=admin, deadline=row)


def test_deadline_written_when_the_step_starts(waiting):
    row, profil = waiting["deadline"], waiting["profil"]
    assert (row.kind, row.status, row.due_at) == (
        "verifikasi_profil",
        "aktif",
        profil.submitted_at + timedelta(hours=72),
    )


def test_fires_at_three_days_not_a_minute_before(waiting):
    due = waiting["deadline"].due_at
    assert deadlines.sweep(now=due - timedelta(minutes=1))["fired"] == 0
    assert _emails("Eskalasi") == 0
    assert deadlines.sweep(now=due)["fired"] == 1
    db.session.expire_all()
    assert db.session.get(Deadline, waiting["deadline"].id).status == "kedaluwarsa"
    assert _emails("Eskalasi") == 1  # to the one Admin
    assert db.session.query(AuditLog).filter_by(action="eskalasi", entity_id=waiting["profil"].id).count() == 1
    # a second sweep, later, changes nothing more
    assert deadlines.sweep(now=due + timedelta(hours=5)) == {"fired": 0, "reminded": 0}
    assert _emails("Eskalasi") == 1
    assert db.session.get(SweepRun, "sweep_deadlines").last_result == "fired 0, reminded 0"


def test_each_reminder_once(waiting):
    due = waiting["deadline"].due_at
    assert deadlines.sweep(now=due - timedelta(hours=25))["reminded"] == 0
    assert deadlines.sweep(now=due - timedelta(hours=24))["reminded"] == 1
    assert deadlines.sweep(now=due - timedelta(hours=23))["reminded"] == 0
    assert deadlines.sweep(now=due - timedelta(hours=3))["reminded"] == 1
    assert deadlines.sweep(now=due - timedelta(hours=2))["reminded"] == 0
    assert _emails("Pengingat") == 2
    to = {e.to_addr for e in db.session.query(EmailOutbox).filter(EmailOutbox.subject.contains("Pengingat"))}
    assert to == {waiting["verifier"].email}


def test_decision_in_time_ends_the_deadline(waiting):
    verifikasi.putuskan_profil(waiting["profil"].id, "setujui", waiting["verifier"])
    db.session.expire_all()
    assert db.session.get(Deadline, waiting["deadline"].id).status == "selesai"
    assert deadlines.sweep(now=waiting["deadline"].due_at + timedelta(days=1))["fired"] == 0
    assert _emails("Eskalasi") == 0


def test_worker_down_for_a_day_catches_up_without_late_reminders(waiting):
    later = waiting["deadline"].due_at + timedelta(days=1)
    assert deadlines.sweep(now=later) == {"fired": 1, "reminded": 0}
    assert _emails("Pengingat") == 0 and _emails("Eskalasi") == 1


def test_missed_reminders_are_not_all_sent_late(waiting):
    due = waiting["deadline"].due_at
    assert deadlines.sweep(now=due - timedelta(hours=2))["reminded"] == 1  # 24 h and 3 h both past: one email
    assert _emails("Pengingat") == 1
    assert db.session.query(DeadlineReminder).count() == 2
    assert deadlines.sweep(now=due - timedelta(hours=1))["reminded"] == 0


def test_crash_mid_sweep_loses_nothing(waiting, monkeypatch):
    kind = deadlines.KINDS["verifikasi_profil"]

    def crash(row):
        raise RuntimeError("worker killed")

    monkeypatch.setitem(deadlines.KINDS, "verifikasi_profil", deadlines.Kind(crash, kind.recipients))
    due = waiting["deadline"].due_at
    with pytest.raises(RuntimeError):
        deadlines.sweep(now=due)
    db.session.rollback()
    assert db.session.get(Deadline, waiting["deadline"].id).status == "aktif"  # nothing half-done
    monkeypatch.setitem(deadlines.KINDS, "verifikasi_profil", kind)
    assert deadlines.sweep(now=due)["fired"] == 1
    assert _emails("Eskalasi") == 1


def test_concurrent_sweeps_fire_once(app, waiting):
    due = waiting["deadline"].due_at
    barrier = threading.Barrier(3)
    results = []

    def run():
        with app.app_context():
            barrier.wait()
            try:
                results.append(deadlines.sweep(now=due)["fired"])
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == [0, 0, 1]
    db.session.expire_all()
    assert _emails("Eskalasi") == 1
    assert clock.now() < due  # the clock itself was never moved
