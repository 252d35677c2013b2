from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, text


class Deadline(Model):
    """A due time written by the transition that starts a step and cleared by the one that ends it.

    The periodic sweep picks the due ones (indexed by due_at) and runs their expiry through the
    same service functions people use, so a repeated or concurrent sweep changes nothing more.
    """

    __tablename__ = "deadline"
    id = Column(Integer, primary_key=True)
    kind = Column(String(40), nullable=False)
    entity = Column(String(40), nullable=False)
    entity_id = Column(Integer, nullable=False)
    due_at = Column(DateTime, nullable=False)
    # aktif -> selesai (the step ended in time) | kedaluwarsa (the sweep fired it) | batal
    status = Column(String(12), nullable=False, default="aktif")
    created_at = Column(DateTime, nullable=False)
    closed_at = Column(DateTime)
    note = Column(String(250))

    __table_args__ = (
        Index("ix_deadline_status_due", "status", "due_at"),
        Index("ix_deadline_entity", "entity", "entity_id"),
        # the sweep's "what is due" reads only running rows (a small part of a long history)
        Index(
            "ix_deadline_aktif_due",
            "due_at",
            sqlite_where=text("status = 'aktif'"),
            postgresql_where=text("status = 'aktif'"),
        ),
        # At most one running deadline of a kind per record.
        Index(
            "uq_deadline_active",
            "kind",
            "entity",
            "entity_id",
            unique=True,
            sqlite_where=text("status = 'aktif'"),
            postgresql_where=text("status = 'aktif'"),
        ),
    )


class DeadlineReminder(Model):
    """One row per reminder sent, so each reminder goes out once whatever the number of sweeps."""

    __tablename__ = "deadline_reminder"
    id = Column(Integer, primary_key=True)
    deadline_id = Column(Integer, ForeignKey("deadline.id", ondelete="CASCADE"), nullable=False)
    minutes_before = Column(Integer, nullable=False)
    sent_at = Column(DateTime, nullable=False)

    __table_args__ = (UniqueConstraint("deadline_id", "minutes_before", name="uq_reminder_once"),)


class SweepRun(Model):
    """When each periodic job last ran and what it did (shown to Admin)."""

    __tablename__ = "sweep_run"
    name = Column(String(40), primary_key=True)
    last_started_at = Column(DateTime)
    last_finished_at = Column(DateTime)
    last_result = Column(String(250))
