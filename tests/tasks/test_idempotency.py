"""Exactly-once as far as SMTP allows: one row per key, never resent once sent, one sender per row,
and a worker that dies mid-send leaves a row that is reclaimed after MAIL_CLAIM_TIMEOUT (not before)."""

import smtplib
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import EmailOutbox, SweepRun
from app.models.eorder import STATUS_PESANAN
from app.services import clock, mailer, notify


def _rows():
    db.session.expire_all()
    return db.session.execute(select(EmailOutbox).order_by(EmailOutbox.id)).scalars().all()


def test_the_same_key_queued_twice_is_one_row():
    notify.queue_email("a@uji.local", "S", "B", key="pesanan:1:v2:a@uji.local")
    notify.queue_email("a@uji.local", "S", "B", key="pesanan:1:v2:a@uji.local")  # same transaction
    db.session.commit()
    notify.queue_email("a@uji.local", "S lagi", "B", key="pesanan:1:v2:a@uji.local")  # a later transaction
    db.session.commit()
    assert db.session.execute(select(func.count(EmailOutbox.id))).scalar_one() == 1


def test_an_order_step_notifies_each_recipient_once(f):
    s = f.scenario(until="dipesan")
    keys = [r.idempotency_key for r in _rows()]
    assert len(keys) == len(set(keys))
    p = s["pesanan"]
    notify.pesanan_berubah(p, [s["pembeli"].email, s["pembeli"].email], "x", STATUS_PESANAN["dipesan"])
    db.session.commit()
    assert [r.idempotency_key for r in _rows()] == keys  # repeating the same step queues nothing new


def test_a_sent_row_is_never_sent_again(smtp):
    notify.queue_email("a@uji.local", "S", "B", key="k1")
    db.session.commit()
    assert mailer.send_due()["sent"] == 1
    for _ in range(3):
        clock.advance(timedelta(hours=3))
        assert mailer.send_due()["sent"] == 0
    assert len(smtp.envelopes) == 1
    (row,) = _rows()
    assert (row.status, row.attempts) == ("sent", 1)


@pytest.mark.parametrize("n", [2, 4])
def test_concurrent_runs_send_each_message_exactly_once(app, smtp, n):
    total = 30
    for i in range(total):
        notify.queue_email(f"u{i}@uji.local", f"Subjek {i}", "Isi", key=f"k:{i}")
    db.session.commit()
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run():
        with app.app_context():
            try:
                barrier.wait()
                while True:  # small batches, so the runs interleave their claims and sends
                    result = mailer.send_due(limit=4)
                    results.append(result)
                    if not result["sent"]:
                        break
            except Exception as e:  # pragma: no cover - shown in the assertion
                errors.append(repr(e))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert errors == []
    assert sum(r["sent"] for r in results) == total
    assert len(smtp.envelopes) == total  # count the envelopes the server received
    assert smtp.recipients() == sorted(f"u{i}@uji.local" for i in range(total))
    assert len({m["Message-ID"] for m in smtp.messages()}) == total
    assert {(r.status, r.attempts) for r in _rows()} == {("sent", 1)}
    assert db.session.get(SweepRun, "send_outbox").last_result.startswith("sent ")


def _die_mid_send(row_id, attempts=1):
    """What a worker killed after its claim leaves behind: status sending, no result."""
    db.session.execute(
        update(EmailOutbox)
        .where(EmailOutbox.id == row_id)
        .values(status="sending", claimed_at=clock.now(), attempts=attempts)
    )
    db.session.commit()


def test_a_worker_killed_mid_send_is_reclaimed_after_the_timeout_only(smtp):
    notify.queue_email("a@uji.local", "S", "B", key="k-mati")
    db.session.commit()
    (row,) = _rows()
    _die_mid_send(row.id)

    clock.advance(timedelta(seconds=59))
    assert mailer.send_due() == {"sent": 0, "retry": 0, "failed": 0, "reclaimed": 0}
    assert _rows()[0].status == "sending" and smtp.envelopes == []

    clock.advance(timedelta(seconds=2))  # past MAIL_CLAIM_TIMEOUT (60 s)
    assert mailer.send_due() == {"sent": 1, "retry": 0, "failed": 0, "reclaimed": 1}
    clock.advance(timedelta(hours=1))
    mailer.send_due()
    assert len(smtp.envelopes) == 1
    (row,) = _rows()
    assert (row.status, row.attempts) == ("sent", 2)  # the lost attempt counts
    assert "klaim kedaluwarsa" in row.last_error


def test_a_worker_killed_after_the_server_accepted_resends_with_the_same_message_id(smtp):
    """At-least-once: the outcome of a crash between SMTP 250 and our commit is unknown, so the row is
    sent again; the repeated Message-ID lets the receiving side recognise the duplicate."""
    notify.queue_email("a@uji.local", "S", "B", key="k-250")
    db.session.commit()
    (row,) = _rows()
    _die_mid_send(row.id)
    with smtplib.SMTP("127.0.0.1", smtp.port) as conn:  # the dead worker's message did reach the server
        conn.send_message(mailer.build_message(row))

    clock.advance(timedelta(minutes=11))
    mailer.send_due()
    first, second = smtp.messages()
    assert first["Message-ID"] == second["Message-ID"] == mailer.message_id("k-250")


def test_a_row_that_keeps_killing_the_worker_ends_failed(app, monkeypatch, smtp):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    notify.queue_email("a@uji.local", "S", "B", key="k-racun")
    db.session.commit()
    (row,) = _rows()
    _die_mid_send(row.id, attempts=3)
    clock.advance(timedelta(minutes=11))
    assert mailer.send_due()["reclaimed"] == 1
    (row,) = _rows()
    assert row.status == "failed" and smtp.envelopes == []


def test_a_run_is_recorded(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    notify.queue_email("a@uji.local", "S", "B", key="k")
    db.session.commit()
    start = clock.now()
    mailer.send_due()
    run = db.session.get(SweepRun, "send_outbox")
    assert run.last_started_at >= start and run.last_finished_at >= run.last_started_at
    assert run.last_result == "sent 1, retry 0, failed 0"
    clock.advance(timedelta(minutes=1))
    mailer.send_due()
    db.session.expire_all()
    assert db.session.get(SweepRun, "send_outbox").last_result == "sent 0, retry 0, failed 0"
    assert db.session.execute(select(func.count()).select_from(SweepRun)).scalar_one() == 1
