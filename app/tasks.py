"""Huey tasks. The database is the single truth: tasks only sweep it (deadlines, outbox)."""

import logging
import smtplib
from email.message import EmailMessage

from huey import crontab
from sqlalchemy import select

from app.extensions import db, huey
from app.models import EmailOutbox
from app.services import clock

log = logging.getLogger(__name__)
_app = None


def bind(app):
    global _app
    _app = app


def _context():
    if _app is None:
        from app import create_app

        bind(create_app())
    return _app.app_context()


def send_pending(limit=50):
    """Send queued outbox emails; print them to the log when no SMTP server is configured."""
    cfg = _app.config if _app else {}
    rows = (
        db.session.execute(
            select(EmailOutbox).where(EmailOutbox.status == "queued").order_by(EmailOutbox.id).limit(limit)
        )
        .scalars()
        .all()
    )
    sent = 0
    for row in rows:
        try:
            if cfg.get("MAIL_SERVER"):
                msg = EmailMessage()
                msg["Subject"], msg["From"], msg["To"] = row.subject, cfg["MAIL_DEFAULT_SENDER"], row.to_addr
                msg["Message-ID"] = f"<{row.idempotency_key.replace(':', '.')}@portal>"
                msg.set_content(row.body_text)
                with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10) as smtp:
                    if cfg.get("MAIL_USE_TLS"):
                        smtp.starttls()
                    if cfg.get("MAIL_USERNAME"):
                        smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
                    smtp.send_message(msg)
            else:
                log.info("EMAIL to=%s subject=%s\n%s", row.to_addr, row.subject, row.body_text)
            row.status, row.sent_at = "sent", clock.now()
            sent += 1
        except (OSError, smtplib.SMTPException) as e:
            row.attempts += 1
            row.last_error = str(e)[:500]
        db.session.commit()
    return sent


@huey.periodic_task(crontab(minute="*"))
@huey.lock_task("send-outbox")
def send_outbox():
    with _context():
        return send_pending()
