from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import relationship

JENIS_ALAMAT = {"utama": _l("Utama"), "kegiatan": _l("Kegiatan")}


class Alamat(Model):
    """A buyer's shipping address; at most one Utama per user (partial unique index)."""

    __tablename__ = "alamat"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False, index=True)
    satker_id = Column(Integer, ForeignKey("satker.id"), nullable=False, index=True)
    nama = Column(String(120), nullable=False)
    jenis = Column(String(10), nullable=False, default="kegiatan")
    jalan = Column(Text, nullable=False)
    negara = Column(String(40), nullable=False, default="Indonesia")
    provinsi_code = Column(String(16), ForeignKey("wilayah.code"), nullable=False)
    kota_code = Column(String(16), ForeignKey("wilayah.code"), nullable=False)
    kecamatan_code = Column(String(16), ForeignKey("wilayah.code"), nullable=False)
    kelurahan_code = Column(String(16), ForeignKey("wilayah.code"), nullable=False)
    provinsi = relationship("Wilayah", foreign_keys=[provinsi_code])
    kota = relationship("Wilayah", foreign_keys=[kota_code])
    kecamatan = relationship("Wilayah", foreign_keys=[kecamatan_code])
    kelurahan = relationship("Wilayah", foreign_keys=[kelurahan_code])
    kode_pos = Column(String(5), nullable=False)
    # Coordinates of the map pin: geographic degrees, not money.
    latitude = Column(Float)
    longitude = Column(Float)

    __table_args__ = (
        Index(
            "uq_alamat_utama_per_user",
            "user_id",
            unique=True,
            sqlite_where=text("jenis = 'utama'"),
            postgresql_where=text("jenis = 'utama'"),
        ),
    )

    def __repr__(self):
        return f"{self.nama} — {self.jalan}"
