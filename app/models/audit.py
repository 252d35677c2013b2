from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import relationship


class AuditLog(Model):
    """Append-only record of every state change, upload and restricted download (SPEC §10)."""

    __tablename__ = "audit_log"
    id = Column(Integer, primary_key=True)
    entity = Column(String(40), nullable=False)
    entity_id = Column(Integer, nullable=False)
    action = Column(String(40), nullable=False)
    from_status = Column(String(30))
    to_status = Column(String(30))
    actor_id = Column(Integer, ForeignKey("ab_user.id"))
    actor = relationship("PortalUser")
    actor_name = Column(String(200))
    actor_role = Column(String(40))
    at = Column(DateTime, nullable=False)
    note = Column(Text)

    __table_args__ = (
        Index("ix_audit_entity", "entity", "entity_id", "at"),
        Index("ix_audit_at", "at"),  # Admin's Log Audit, newest first
    )
