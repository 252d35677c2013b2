"""Email goes out at once (issue 15 item 7): a commit that writes outbox rows enqueues ONE send run, a
rollback enqueues none; a run drains every due row in batches; OTP codes and password links go first."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db, huey
from app.models import EmailOutbox
from app.models.outbox import PRIORITY_NORMAL, PRIORITY_URGENT
from app.services import clock, mailer, notify, otp


@pytest.fixture
def queued_huey():
    """The suite's Huey runs tasks inline (immediate); here it queues them like a real broker."""
    huey.immediate = False
    huey.flush()
    yield huey
    huey.flush()
    huey.immediate = True


def _pending_names(h):
    return [task.name for task in h.pending()]


def test_a_commit_with_outbox_rows_enqueues_one_send(queued_huey):
    for i in range(3):
        notify.queue_email(f"u{i}@uji.local", "Subjek", "Isi", key=f"k:{i}")
    assert queued_huey.pending_count() == 0  # nothing before the commit: the worker could not see the rows
    db.session.commit()
    assert _pending_names(queued_huey) == ["send_outbox_now"]  # once per commit, not per row


def test_a_rollback_enqueues_nothing(queued_huey):
    notify.queue_email("u@uji.local", "Subjek", "Isi", key="k:batal")
    db.session.flush()  # the rows were written in the transaction, then it is rolled back
    db.session.rollback()
    db.session.commit()  # a later commit without outbox rows
    assert queued_huey.pending_count() == 0
    assert db.session.execute(select(EmailOutbox)).first() is None


def test_a_commit_without_outbox_rows_enqueues_nothing(queued_huey, f):
    f.user("Admin")
    db.session.commit()
    assert queued_huey.pending_count() == 0


def test_each_commit_enqueues_its_own_send(queued_huey):
    for i in range(2):
        notify.queue_email(f"u{i}@uji.local", "Subjek", "Isi", key=f"k:{i}")
        db.session.commit()
    assert _pending_names(queued_huey) == ["send_outbox_now", "send_outbox_now"]


def test_admin_resend_enqueues_a_send(queued_huey, f):
    notify.queue_email("u@uji.local", "Subjek", "Isi", key="k:gagal")
    db.session.commit()
    queued_huey.flush()
    db.session.execute(update(EmailOutbox).values(status="failed"))
    db.session.commit()
    assert queued_huey.pending_count() == 0
    row = db.session.execute(select(EmailOutbox)).scalar_one()
    mailer.resend(row.id, f.user("Admin"))
    assert _pending_names(queued_huey) == ["send_outbox_now"]


def test_the_enqueued_task_sends_the_email(queued_huey, bound_tasks, smtp):
    notify.queue_email("segera@uji.local", "Kode", "Isi", key="k:segera")
    db.session.commit()
    task = queued_huey.dequeue()
    queued_huey.execute(task)  # what a consumer thread does with it
    assert smtp.recipients() == ["segera@uji.local"]
    assert db.session.execute(select(EmailOutbox.status)).scalar_one() == "sent"


def test_a_run_drains_every_due_row_in_batches(app, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BATCH_SIZE", 7)
    for i in range(45):
        notify.queue_email(f"u{i}@uji.local", f"Subjek {i}", "Isi", key=f"k:{i}")
    db.session.commit()
    assert mailer.send_due()["sent"] == 45  # one run, seven batches (not 50 a minute)
    assert len(smtp.envelopes) == 45
    assert set(db.session.execute(select(EmailOutbox.status)).scalars()) == {"sent"}


def test_a_down_server_ends_the_run(app, smtp_down, monkeypatch):
    """Failed sends move to a later attempt, so a drain over a down server stops instead of spinning."""
    monkeypatch.setitem(app.config, "MAIL_BATCH_SIZE", 3)
    for i in range(8):
        notify.queue_email(f"u{i}@uji.local", "S", "Isi", key=f"k:{i}")
    db.session.commit()
    assert mailer.send_due() == {"sent": 0, "retry": 8, "failed": 0, "reclaimed": 0}


def test_otp_and_password_links_are_urgent(f):
    user = f.pembeli()
    otp.EmailOtpSender().send(user, "081234567890", "123456", key="otp:991")
    notify.queue_email("a@uji.local", "Buat kata sandi", "tautan", key="set_password:5:abc")
    notify.queue_email("b@uji.local", "Pesanan", "Isi", key="pesanan:1:v2:b@uji.local")
    db.session.commit()
    rows = dict(db.session.execute(select(EmailOutbox.idempotency_key, EmailOutbox.priority)).all())
    assert rows == {
        "otp:991": PRIORITY_URGENT,
        "set_password:5:abc": PRIORITY_URGENT,
        "pesanan:1:v2:b@uji.local": PRIORITY_NORMAL,
    }


def test_an_otp_queued_after_a_burst_goes_out_in_the_first_batch(app, smtp, f, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BATCH_SIZE", 10)
    for i in range(60):
        notify.queue_email(f"massal{i}@uji.local", f"Pesanan {i}", "Isi", key=f"pesanan:{i}:v1:x")
    db.session.commit()
    clock.advance(timedelta(seconds=5))  # the OTP is requested after the burst was written
    user = f.pembeli()
    otp.EmailOtpSender().send(user, "081234567890", "654321", key="otp:77")
    db.session.commit()
    mailer.send_due()
    order = [m["To"] for m in smtp.messages()]
    assert len(order) == 61
    assert order[0] == user.email  # ahead of 60 older notifications
