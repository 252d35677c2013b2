from flask_appbuilder.security.sqla.models import User
from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String
from sqlalchemy.orm import relationship


class PortalUser(User):
    """FAB's user plus NRK and the one organisation the user belongs to."""

    __tablename__ = "ab_user"
    __table_args__ = (
        CheckConstraint("satker_id IS NULL OR penyedia_id IS NULL", name="ck_user_one_org"),
        {"extend_existing": True},
    )
    nrk = Column(String(32), unique=True)
    telepon = Column(String(20))
    satker_id = Column(Integer, ForeignKey("satker.id"), index=True)
    satker = relationship("Satker")
    penyedia_id = Column(Integer, ForeignKey("penyedia.id"), index=True)
    penyedia = relationship("Penyedia")
    # Bumped on logout/password change so a copied session cookie stops working.
    session_version = Column(Integer, nullable=False, default=1, server_default="1")

    @property
    def organisation(self):
        return self.satker or self.penyedia

    @property
    def role_names(self):
        return {r.name for r in self.roles}
