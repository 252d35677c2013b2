from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, Index, Integer, String, Text


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
    claimed_at = Column(DateTime)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(Text)
    created_at = Column(DateTime, nullable=False)
    next_attempt_at = Column(DateTime)
    sent_at = Column(DateTime)

    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)
