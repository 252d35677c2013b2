from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, Index, Integer, String, Text

# Emails a person is waiting for on the screen (an OTP code, the link that sets a password) go before the
# bulk of notifications: a burst of 200 order emails must not hold them back.
PRIORITY_URGENT = 0
PRIORITY_NORMAL = 1
URGENT_KEY_PREFIXES = ("otp:", "set_password:", "reset_password:")


def priority_of(idempotency_key):
    return PRIORITY_URGENT if (idempotency_key or "").startswith(URGENT_KEY_PREFIXES) else PRIORITY_NORMAL


def _default_priority(context):
    return priority_of(context.get_current_parameters().get("idempotency_key"))


class EmailOutbox(Model):
    """An email written in the same commit as the change that causes it; a job sends it."""

    __tablename__ = "email_outbox"
    id = Column(Integer, primary_key=True)
    idempotency_key = Column(String(80), unique=True, nullable=False)
    to_addr = Column(String(200), nullable=False)
    subject = Column(String(250), nullable=False)
    body_text = Column(Text, nullable=False)
    body_html = Column(Text)
    # queued -> sending (claimed by a worker) -> sent | queued again (retry) | failed (permanent)
    status = Column(String(10), nullable=False, default="queued")
    # 0 urgent (OTP, password links), 1 normal; claimed lowest first (from the key unless given)
    priority = Column(Integer, nullable=False, default=_default_priority, server_default="1")
    claimed_at = Column(DateTime)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(Text)
    created_at = Column(DateTime, nullable=False)
    next_attempt_at = Column(DateTime)
    sent_at = Column(DateTime)

    __table_args__ = (Index("ix_outbox_status_next", "status", "priority", "next_attempt_at"),)
