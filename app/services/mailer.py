"""The outbox relay: claim due emails, send them over SMTP, record the outcome (issue 6).

Rows are written by `notify.queue_email` in the transaction of the change that causes them; this
module is the only code that moves them on:

    queued --claim--> sending --SMTP 250--> sent
                         |---temporary failure--> queued (attempts+1, next_attempt_at = now + backoff)
                         |---permanent failure / MAIL_MAX_ATTEMPTS reached--> failed --Admin resend--> queued
                         '---claim older than MAIL_CLAIM_TIMEOUT (worker died)--> queued again

Delivery guarantee: AT-LEAST-ONCE, with duplicates recognisable.
  A claim is committed (status 'sending', claimed_at, attempts+1) BEFORE the SMTP conversation and the
  result is committed right after the server's final reply. SMTP has no two-phase commit, so if a worker
  dies in between (after the server accepted the message but before 'sent' is committed), nobody can know
  whether the message went out. We then prefer sending it again over losing it: once the claim is older
  than MAIL_CLAIM_TIMEOUT the row is reclaimed and sent again. The window is the few milliseconds between
  the server's "250 OK" and our commit. Every attempt of a row carries the same Message-ID, derived from
  its idempotency key, so a receiving server or mail client can tell the two copies apart and drop one.
  Nothing else can make a row go out twice:
  - the idempotency key is unique, so a change queued twice is one row;
  - a claim is a compare-and-set (FOR UPDATE SKIP LOCKED on PostgreSQL; UPDATE ... WHERE status='queued'
    on both), so two workers never claim the same row;
  - every later write is a compare-and-set on (status='sending', claimed_at=<our stamp>), so a worker
    whose claim was taken over never overwrites the new owner's result, and it re-checks (and renews)
    its claim just before each message, so a long batch is not taken over while it waits.
  A row whose claim expires MAIL_MAX_ATTEMPTS times (a message that keeps killing the worker) is marked
  failed for Admin instead of being retried for ever.
"""

import hashlib
import logging
import smtplib
import ssl
from datetime import UTC, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db
from app.models import EmailOutbox, SweepRun
from app.roles import ROLE_ADMIN

from . import audit, clock
from .errors import Conflict, Forbidden, NotFound
from .scoping import roles_of

log = logging.getLogger(__name__)

RUN_NAME = "send_outbox"
STATUSES = ("queued", "sending", "sent", "failed")

DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_CLAIM_TIMEOUT = 60  # seconds: a killed worker's claim is taken back about a minute later
DEFAULT_BATCH_SIZE = 20  # claimed together; small, so the last of a batch is sent long before its claim expires
DEFAULT_RETRY_BASE = 60  # seconds: 1, 2, 4, 8 ... minutes
DEFAULT_RETRY_MAX = 3600  # seconds: never wait more than an hour between attempts
DEFAULT_TIMEOUT = 30  # seconds per SMTP operation


class TemporaryFailure(Exception):
    """Try again later (server down, timeout, 4xx)."""


class PermanentFailure(Exception):
    """Retrying cannot help (recipient refused with 5xx, message rejected)."""


# --- configuration ------------------------------------------------------------------------------


def _cfg(name, default):
    value = current_app.config.get(name)
    return default if value is None or value == "" else value


def _seconds(value):
    return value.total_seconds() if isinstance(value, timedelta) else int(value)


def max_attempts():
    return int(_cfg("MAIL_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def claim_timeout():
    return timedelta(seconds=_seconds(_cfg("MAIL_CLAIM_TIMEOUT", DEFAULT_CLAIM_TIMEOUT)))


def backoff(attempts):
    """Wait before attempt number attempts+1: 1, 2, 4, 8 ... minutes, capped at MAIL_RETRY_MAX."""
    base = _seconds(_cfg("MAIL_RETRY_BASE", DEFAULT_RETRY_BASE))
    cap = _seconds(_cfg("MAIL_RETRY_MAX", DEFAULT_RETRY_MAX))
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def message_id(idempotency_key):
    """The same Message-ID for every attempt of one outbox row, so a resend after a crash is recognisable.

    The key is hashed: it may hold characters a Message-ID cannot (':' and '@' of an address)."""
    sender = parseaddr(_cfg("MAIL_DEFAULT_SENDER", "noreply@portal.local"))[1]
    domain = sender.rpartition("@")[2] or "portal.local"
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:40]
    return f"<outbox.{digest}@{domain}>"


# --- the wake-up ---------------------------------------------------------------------------------
# A commit that writes outbox rows asks for a send run at once (app/tasks.py enqueues it after the commit,
# once per commit however many rows it wrote); the minute tick remains the safety net.

WAKE_KEY = "outbox.wake"


def wake_after_commit():
    """Ask for a send run once the current transaction commits (e.g. a failed email put back by Admin)."""
    db.session.info[WAKE_KEY] = True


# --- the run ------------------------------------------------------------------------------------


def send_due(limit=None, now=None):
    """Send every due email, in batches of `limit` (MAIL_BATCH_SIZE) until none is due; safe to run again at
    any time and from several workers at once (each batch is claimed by compare-and-set).

    Urgent rows (OTP codes, password links: EmailOutbox.priority 0) are claimed first in every batch, so a
    burst of notifications delays them by one batch at most. Returns {"sent", "retry", "failed", "reclaimed"}."""
    batch = int(limit or _cfg("MAIL_BATCH_SIZE", DEFAULT_BATCH_SIZE))
    started = now or clock.now()
    _mark_run(started=started)
    counts = {"sent": 0, "retry": 0, "failed": 0, "reclaimed": _reclaim(started)}
    with _Smtp() as smtp:  # one connection for the whole run, opened on the first message
        while True:
            at = now or clock.now()
            claimed = _claim(batch, at)
            if not claimed:
                break
            for claim in claimed:
                outcome = _deliver(claim, at, smtp)
                if outcome:
                    counts[outcome] += 1
    result = f"sent {counts['sent']}, retry {counts['retry']}, failed {counts['failed']}"
    if counts["reclaimed"]:
        result += f", reclaimed {counts['reclaimed']}"
    _mark_run(finished=max(started, clock.now()), result=result)
    return counts


def _reclaim(now):
    """Rows left in 'sending' by a worker that died: back to the queue (or failed when out of attempts)."""
    stale = or_(EmailOutbox.claimed_at.is_(None), EmailOutbox.claimed_at <= now - claim_timeout())
    note = "klaim kedaluwarsa: pengirim berhenti di tengah pengiriman; hasilnya tidak diketahui, dikirim ulang"
    base = update(EmailOutbox).where(EmailOutbox.status == "sending", stale)
    base = base.execution_options(synchronize_session=False)
    gave_up = db.session.execute(
        base.where(EmailOutbox.attempts >= max_attempts()).values(status="failed", last_error=note, claimed_at=None)
    ).rowcount
    requeued = db.session.execute(
        base.values(status="queued", next_attempt_at=now, last_error=note, claimed_at=None)
    ).rowcount
    db.session.commit()
    if gave_up or requeued:
        log.warning("outbox: reclaimed %s stale claim(s), %s marked failed", requeued, gave_up)
    return requeued + gave_up


def _claim(limit, now):
    """Take up to `limit` due rows for this run; commit before any SMTP work. Returns their ids."""
    due = (
        select(EmailOutbox.id)
        .where(
            EmailOutbox.status == "queued",
            or_(EmailOutbox.next_attempt_at.is_(None), EmailOutbox.next_attempt_at <= now),
        )
        .order_by(EmailOutbox.priority, EmailOutbox.next_attempt_at, EmailOutbox.id)
        .limit(limit)
    )
    if _dialect() == "postgresql":
        # Another worker's claimed-but-uncommitted rows are skipped rather than waited for.
        due = due.with_for_update(skip_locked=True)
    ids = db.session.execute(due).scalars().all()
    claimed = []
    for row_id in ids:
        # Compare-and-set: on SQLite (no row locks) this is what makes exactly one worker win.
        won = db.session.execute(
            update(EmailOutbox)
            .where(EmailOutbox.id == row_id, EmailOutbox.status == "queued")
            .values(status="sending", claimed_at=now, attempts=EmailOutbox.attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if won == 1:
            claimed.append((row_id, now))
    db.session.commit()
    return claimed


def _deliver(claim, now, smtp):
    row_id, stamp = claim
    # Re-check and renew the claim just before sending: a batch may wait long on a slow server.
    renewed = max(now, clock.now())
    ours = (EmailOutbox.id == row_id, EmailOutbox.status == "sending", EmailOutbox.claimed_at == stamp)
    still_ours = db.session.execute(
        update(EmailOutbox).where(*ours).values(claimed_at=renewed).execution_options(synchronize_session=False)
    ).rowcount
    if still_ours != 1:
        db.session.rollback()
        log.warning("outbox %s: claim taken over by another worker; skipped", row_id)
        return None
    row = db.session.get(EmailOutbox, row_id, populate_existing=True)
    attempts, to_addr = row.attempts, row.to_addr
    try:
        msg, broken = build_message(row), None
    except (ValueError, TypeError) as e:  # e.g. a line break in a stored header: retrying cannot help
        msg, broken = None, e
    db.session.commit()  # no transaction stays open during the SMTP conversation

    ours = (EmailOutbox.id == row_id, EmailOutbox.status == "sending", EmailOutbox.claimed_at == renewed)
    try:
        if broken is not None:
            raise PermanentFailure(_describe(broken))
        smtp.send(msg, to_addr)
    except PermanentFailure as e:
        return _finish(ours, "failed", status="failed", last_error=_short(e))
    except Exception as e:  # TemporaryFailure, or a surprise that must not leave the rest of the batch claimed
        if not isinstance(e, TemporaryFailure):
            log.exception("outbox %s: unexpected error while sending", row_id)
        if attempts >= max_attempts():
            return _finish(ours, "failed", status="failed", last_error=_short(e))
        return _finish(ours, "retry", status="queued", last_error=_short(e), next_attempt_at=now + backoff(attempts))
    return _finish(ours, "sent", status="sent", sent_at=max(now, clock.now()))


def _finish(ours, outcome, **values):
    done = db.session.execute(
        update(EmailOutbox).where(*ours).values(claimed_at=None, **values).execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if done != 1:
        # Only possible when our claim was reclaimed mid-send (the server outlived MAIL_CLAIM_TIMEOUT).
        log.warning("outbox: result %s not recorded, the claim was taken over", outcome)
        return None
    return outcome


def _short(exc):
    return str(exc)[:500] or exc.__class__.__name__


def build_message(row):
    sender = _cfg("MAIL_DEFAULT_SENDER", "noreply@portal.local")
    msg = EmailMessage()
    msg["Subject"] = row.subject
    msg["From"] = sender
    msg["To"] = row.to_addr
    msg["Date"] = format_datetime(clock.now().replace(tzinfo=UTC))
    msg["Message-ID"] = message_id(row.idempotency_key)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to notifications
    msg.set_content(row.body_text)
    if row.body_html:
        msg.add_alternative(row.body_html, subtype="html")
    return msg


class _Smtp:
    """One SMTP connection per run, opened on first use; with no MAIL_SERVER the message is only logged.

    If the server cannot be reached, every later message of the run fails the same way without a new
    connection attempt (a down server must not cost limit x timeout seconds)."""

    def __init__(self):
        self.server = _cfg("MAIL_SERVER", "")
        self.conn = None
        self.down = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._close()

    def _connect(self):
        port = int(_cfg("MAIL_PORT", 25))
        timeout = _seconds(_cfg("MAIL_TIMEOUT", DEFAULT_TIMEOUT))
        if current_app.config.get("MAIL_USE_SSL"):
            conn = smtplib.SMTP_SSL(self.server, port, timeout=timeout, context=ssl.create_default_context())
        else:
            conn = smtplib.SMTP(self.server, port, timeout=timeout)
        try:
            if current_app.config.get("MAIL_USE_TLS"):
                conn.starttls(context=ssl.create_default_context())
            if current_app.config.get("MAIL_USERNAME"):
                conn.login(current_app.config["MAIL_USERNAME"], current_app.config.get("MAIL_PASSWORD") or "")
        except Exception:
            conn.close()
            raise
        return conn

    def _close(self):
        if self.conn is not None:
            try:
                self.conn.quit()
            except (OSError, smtplib.SMTPException):
                self.conn.close()
            self.conn = None

    def _drop(self):
        try:
            self.conn.close()
        finally:
            self.conn = None

    def send(self, msg, to_addr):
        if not self.server:
            # WARNING, not INFO: the consumer shows only warnings of app loggers, and in production an
            # empty MAIL_SERVER means nobody receives anything.
            log.warning("EMAIL not sent (MAIL_SERVER empty) to=%s subject=%s\n%s", to_addr, msg["Subject"], msg)
            return
        if self.down is not None:
            raise TemporaryFailure(self.down)
        if self.conn is None:
            try:
                self.conn = self._connect()
            except (OSError, smtplib.SMTPException) as e:
                self.down = f"{_describe(e)} ({self.server}:{_cfg('MAIL_PORT', 25)})"
                raise TemporaryFailure(self.down) from e
        try:
            self.conn.send_message(msg, to_addrs=[to_addr])
        except smtplib.SMTPRecipientsRefused as e:
            codes = [code for code, _ in e.recipients.values()]
            failure = PermanentFailure if codes and all(500 <= c < 600 for c in codes) else TemporaryFailure
            raise failure(_describe(e)) from e
        except smtplib.SMTPDataError as e:
            # The server refused this message (550/552/554: content, size, policy): the same bytes fail again.
            raise (PermanentFailure if 500 <= e.smtp_code < 600 else TemporaryFailure)(_describe(e)) from e
        except smtplib.SMTPNotSupportedError as e:  # e.g. a non-ASCII address on a server without SMTPUTF8
            raise PermanentFailure(_describe(e)) from e
        except smtplib.SMTPServerDisconnected as e:
            self._drop()
            raise TemporaryFailure(_describe(e)) from e
        except smtplib.SMTPException as e:
            # Sender refused, auth lost, 4xx ...: a problem of the server or our settings, not of this
            # message. Retried with backoff and marked failed after MAIL_MAX_ATTEMPTS.
            self._close()
            raise TemporaryFailure(_describe(e)) from e
        except OSError as e:  # timeout, connection reset: a fresh connection for the next message
            self._drop()
            raise TemporaryFailure(_describe(e)) from e


def _describe(exc):
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{addr}: {code} {_text(msg)}" for addr, (code, msg) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{exc.__class__.__name__}: {exc}"


def _text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


# --- Admin --------------------------------------------------------------------------------------


def resend(outbox_id, actor):
    """Admin puts a failed email back in the queue (attempts from zero), with an audit row."""
    row = db.session.get(EmailOutbox, outbox_id)
    if row is None:
        raise NotFound()
    if ROLE_ADMIN not in roles_of(actor):
        raise Forbidden(_l("Hanya Admin yang dapat mengirim ulang email."))
    now = clock.now()
    won = db.session.execute(
        update(EmailOutbox)
        .where(EmailOutbox.id == outbox_id, EmailOutbox.status == "failed")
        .values(status="queued", attempts=0, next_attempt_at=now, claimed_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        db.session.rollback()
        raise Conflict(_l("Hanya email yang gagal yang dapat dikirim ulang."))
    audit.catat(
        "email_outbox",
        outbox_id,
        "kirim_ulang",
        actor,
        from_status="failed",
        to_status="queued",
        note=(row.last_error or "")[:250] or None,
    )
    wake_after_commit()
    db.session.commit()
    db.session.expire(row)
    return row


def counts_by_status():
    rows = db.session.execute(select(EmailOutbox.status, func.count()).group_by(EmailOutbox.status)).all()
    found = dict(rows)
    return {s: found.get(s, 0) for s in STATUSES}


# --- SweepRun -----------------------------------------------------------------------------------


def _dialect():
    return db.session.get_bind().dialect.name


def _mark_run(started=None, finished=None, result=None):
    values = {}
    if started is not None:
        values["last_started_at"] = started
    if finished is not None:
        values.update(last_finished_at=finished, last_result=result)
    dialect = _dialect()
    if dialect in ("postgresql", "sqlite"):
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        # An upsert: two runs creating the row at once both succeed.
        stmt = insert(SweepRun).values(name=RUN_NAME, **values)
        db.session.execute(stmt.on_conflict_do_update(index_elements=[SweepRun.name], set_=values))
    else:  # pragma: no cover - other databases are not supported by the portal
        run = db.session.get(SweepRun, RUN_NAME) or SweepRun(name=RUN_NAME)
        for key, value in values.items():
            setattr(run, key, value)
        db.session.add(run)
    db.session.commit()
