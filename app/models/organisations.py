from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import relationship

JENIS_SATKER = {
    "satker": _l("Satuan Kerja"),
    "skpd": _l("SKPD"),
    "bumd": _l("BUMD"),
}


class Instansi(Model):
    __tablename__ = "instansi"
    id = Column(Integer, primary_key=True)
    kode = Column(String(20), unique=True, nullable=False)
    nama = Column(String(200), nullable=False)
    jenis = Column(String(40), nullable=False, default="pemda")

    def __repr__(self):
        return self.nama


class Satker(Model):
    """A buying or governing unit of an instansi: a satker, an SKPD, or a BUMD."""

    __tablename__ = "satker"
    id = Column(Integer, primary_key=True)
    instansi_id = Column(Integer, ForeignKey("instansi.id"), nullable=False, index=True)
    instansi = relationship(Instansi)
    kode = Column(String(30), unique=True, nullable=False)
    nama = Column(String(200), nullable=False)
    jenis = Column(String(10), nullable=False, default="satker")
    alamat = Column(Text)

    def __repr__(self):
        return self.nama


class Penyedia(Model):
    """A supplier company; UMKM ones have an SKPD pembina."""

    __tablename__ = "penyedia"
    id = Column(Integer, primary_key=True)
    nama = Column(String(200), nullable=False, index=True)
    npwp = Column(String(20), unique=True)
    nib = Column(String(20), unique=True)
    is_umkm = Column(Boolean, nullable=False, default=True)
    telepon = Column(String(20))
    email = Column(String(120))
    alamat = Column(Text)
    kelurahan_code = Column(String(16), ForeignKey("wilayah.code"), index=True)
    kelurahan = relationship("Wilayah", foreign_keys=[kelurahan_code])
    skpd_pembina_id = Column(Integer, ForeignKey("satker.id"), index=True)
    skpd_pembina = relationship(Satker, foreign_keys=[skpd_pembina_id])
    rating_total = Column(Integer, nullable=False, default=0)
    rating_count = Column(Integer, nullable=False, default=0)

    __table_args__ = (
        # the shop's keyword also matches the supplier's name: pg_trgm GIN on PostgreSQL, plain elsewhere
        Index(
            "ix_penyedia_nama_trgm",
            func.lower(nama).label("nama_trgm"),
            postgresql_using="gin",
            postgresql_ops={"nama_trgm": "gin_trgm_ops"},
        ),
    )

    @property
    def rating(self):
        if not self.rating_count:
            return None
        return round(self.rating_total / self.rating_count, 1)

    @property
    def kecamatan(self):
        return self.kelurahan.parent if self.kelurahan else None

    def __repr__(self):
        return self.nama
