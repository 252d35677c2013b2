"""The audit log: who did what to which record, when, in which role. Written in the caller's transaction,
so a change and its audit row commit (or roll back) together."""

from sqlalchemy import insert, select

from app.extensions import db
from app.models import AuditLog

from . import clock


def _row(entity, entity_id, action, actor, from_status=None, to_status=None, note=None, role=None, at=None):
    return dict(
        entity=entity,
        entity_id=entity_id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor_id=getattr(actor, "id", None),
        actor_name=(f"{actor.first_name} {actor.last_name}".strip() if actor is not None else "Sistem"),
        actor_role=role,
        at=at or clock.now(),
        note=note,
    )


def catat(entity, entity_id, action, actor, from_status=None, to_status=None, note=None, role=None):
    """Add one audit row to the session (the caller commits)."""
    db.session.add(AuditLog(**_row(entity, entity_id, action, actor, from_status, to_status, note, role)))


def catat_many(rows):
    """catat() for a set: `rows` are dicts of catat's arguments; one INSERT in the caller's transaction."""
    if not rows:
        return
    now = clock.now()
    db.session.execute(insert(AuditLog), [_row(**{"at": now, **r}) for r in rows])


def riwayat(entity, entity_id, actions=None):
    """A record's history, oldest first; optionally only some actions."""
    stmt = select(AuditLog).where(AuditLog.entity == entity, AuditLog.entity_id == entity_id).order_by(AuditLog.id)
    rows = db.session.execute(stmt).scalars().all()
    return [r for r in rows if r.action in actions] if actions is not None else rows
