from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Index, String
from sqlalchemy.orm import relationship

LEVELS = {
    "provinsi": _l("Provinsi"),
    "kota": _l("Kota/Kabupaten"),
    "kecamatan": _l("Kecamatan"),
    "kelurahan": _l("Kelurahan"),
}


class Wilayah(Model):
    """Region reference (Kemendagri codes): provinsi > kota/kabupaten > kecamatan > kelurahan."""

    __tablename__ = "wilayah"
    code = Column(String(16), primary_key=True)
    nama = Column(String(120), nullable=False)
    level = Column(String(12), nullable=False)
    parent_code = Column(String(16), ForeignKey("wilayah.code"), index=True)
    parent = relationship("Wilayah", remote_side=[code])

    __table_args__ = (Index("ix_wilayah_level_nama", "level", "nama"),)

    def __repr__(self):
        return self.nama
