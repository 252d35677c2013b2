"""Huey tasks. The database is the single truth: tasks only sweep it (deadlines, outbox)."""

import logging

from flask import current_app, has_app_context
from huey import crontab
from sqlalchemy import event

from app.extensions import db, huey
from app.models import EmailOutbox
from app.services import deadlines, mailer

log = logging.getLogger(__name__)
_app = None


def bind(app):
    global _app
    _app = app


def _context():
    """The bound app's context (app/worker.py binds one); else the current app (immediate mode, the CLI).
    tasks never creates an app itself, so it does not import the factory (no app <-> tasks cycle)."""
    if _app is not None:
        return _app.app_context()
    if has_app_context():
        return current_app._get_current_object().app_context()
    raise RuntimeError("app.tasks has no app: start the consumer with `huey_consumer app.worker.huey`")


# --- email outbox (app/services/mailer.py) ------------------------------------------------------
# The outbox rows are the queue; these tasks only wake the relay up. Losing a task (Huey has no
# acknowledgement, a killed consumer drops what it held) loses no email: the next run finds the rows.


@huey.periodic_task(crontab(minute="*"))
@huey.lock_task("send-outbox")  # a killed consumer leaves it set: start consumers with -f (--flush-locks)
def send_outbox():
    """Every minute: send the due outbox emails (one run at a time per Huey storage)."""
    with _context():
        result = mailer.send_due()
    log.info("send_outbox: %s", result)


# Every commit that writes outbox rows enqueues one send_outbox_now, after the commit (the worker must see
# the rows). A lost wake-up delays an email to the next minute tick; it never loses one.


@event.listens_for(db.session, "after_flush")
def _note_outbox_rows(session, _flush_context):
    if any(isinstance(obj, EmailOutbox) for obj in session.new):
        session.info[mailer.WAKE_KEY] = True


@event.listens_for(db.session, "after_commit")
def _wake_after_commit(session):
    if session.info.pop(mailer.WAKE_KEY, False):
        wake_sender()


@event.listens_for(db.session, "after_rollback")
def _no_wake_after_rollback(session):
    session.info.pop(mailer.WAKE_KEY, None)


def wake_sender():
    """Enqueue a send run. Not in immediate mode (tests): it would run inside the finished transaction."""
    if huey.immediate:
        return
    try:
        send_outbox_now()
    except Exception:  # the change is committed; a broker hiccup must not turn it into an error page
        log.exception("outbox: could not enqueue send_outbox_now; the minute tick will send")


@huey.task(retries=3, retry_delay=10)
def send_outbox_now():
    """Send at once: enqueued after every commit that wrote outbox rows (and by `flask portal clock advance`).

    Safe to run beside send_outbox and itself: claims are compare-and-set, so no email goes out twice."""
    with _context():
        result = mailer.send_due()
    log.info("send_outbox_now: %s", result)


@huey.periodic_task(crontab(minute="*"))
@huey.lock_task("sweep-deadlines")
def sweep_deadlines():
    """Fire due deadlines (Batal Otomatis, escalations) and send due reminders; idempotent."""
    with _context():
        result = deadlines.sweep()
    log.info("sweep_deadlines: %s", result)
    return result


@huey.task(retries=3, retry_delay=10)
def sweep_deadlines_now():
    """A wake-up hint to sweep before the next minute (`flask portal clock advance`, scripts/demo_jobs.py).

    Safe beside sweep_deadlines: every deadline fires through a compare-and-set, reminders are unique rows."""
    with _context():
        result = deadlines.sweep()
    log.info("sweep_deadlines_now: %s", result)
    return result
