from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text

STATUS_LAPORAN = {
    "antre": _l("Menunggu giliran"),
    "berjalan": _l("Sedang dibuat"),
    "selesai": _l("Siap diunduh"),
    "gagal": _l("Gagal"),
}


class LaporanBerkas(Model):
    """A report workbook made by a job ("Laporan Saya"): who asked, the filters, progress, the file, expiry.

    The monthly Belanja workbook for Manajemen has no owner and `peran` = the role allowed to open it."""

    __tablename__ = "laporan_berkas"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"))
    peran = Column(String(40))
    jenis = Column(String(20), nullable=False)
    saringan = Column(Text, nullable=False)  # the query arguments, JSON
    status = Column(String(10), nullable=False, default="antre")
    progres = Column(Integer, nullable=False, default=0)  # percent
    baris = Column(Integer, nullable=False, default=0)
    pesan = Column(String(250))
    stored_name = Column(String(80), unique=True)
    ukuran = Column(Integer)
    created_at = Column(DateTime, nullable=False)
    started_at = Column(DateTime)
    finished_at = Column(DateTime)
    expires_at = Column(DateTime, nullable=False, index=True)

    __table_args__ = (Index("ix_laporan_berkas_user_created", "user_id", "created_at"),)

    @property
    def status_label(self):
        return STATUS_LAPORAN.get(self.status, self.status)
