"""TTE as BSrE issues it: the activation request a TTE verifier of the instansi decides, the register of
revoked certificates, and the simulator's timestamp authority (TSA) key."""

from flask_appbuilder import Model
from flask_babel import lazy_gettext
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

STATUS_PERMOHONAN_TTE = {
    "menunggu": lazy_gettext("Menunggu Verifikasi"),
    "disetujui": lazy_gettext("Disetujui"),
    "ditolak": lazy_gettext("Ditolak"),
}
# Why a certificate was revoked (the guide's cases); the verifier's Cabut Akses revokes as "cabut_akses".
ALASAN_CABUT_TTE = {
    "passphrase_hilang": lazy_gettext("Passphrase hilang atau diketahui orang lain"),
    "berhenti_tugas": lazy_gettext("Tidak lagi menjabat / pindah tugas"),
    "cabut_akses": lazy_gettext("Akses pengguna dicabut"),
    "lainnya": lazy_gettext("Alasan lain"),
}


class PermohonanTte(Model):
    """Aktivasi TTE: a request with the user's verified NIK, decided by a TTE verifier of the instansi."""

    __tablename__ = "permohonan_tte"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False, index=True)
    user = relationship("PortalUser", foreign_keys=[user_id])
    instansi_id = Column(Integer, ForeignKey("instansi.id"), nullable=False, index=True)
    instansi = relationship("Instansi")
    nik = Column(String(16), nullable=False)
    status = Column(String(10), nullable=False, default="menunggu", index=True)
    version = Column(Integer, nullable=False, default=1)
    alasan = Column(Text)
    submitted_at = Column(DateTime, nullable=False)
    batas_waktu = Column(DateTime, index=True)
    updated_at = Column(DateTime)

    @property
    def status_label(self):
        return STATUS_PERMOHONAN_TTE.get(self.status, self.status)


class PencabutanTte(Model):
    """One revoked certificate (the portal's revocation list): signatures made after `revoked_at` are void."""

    __tablename__ = "pencabutan_tte"
    id = Column(Integer, primary_key=True)
    serial = Column(String(40), nullable=False, unique=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False, index=True)
    revoked_at = Column(DateTime, nullable=False)
    alasan = Column(String(24), nullable=False)
    catatan = Column(Text)
    oleh_id = Column(Integer, ForeignKey("ab_user.id"))

    @property
    def alasan_label(self):
        return ALASAN_CABUT_TTE.get(self.alasan, self.alasan)


class TteTsa(Model):
    """The simulator's timestamp authority (one row): an RSA key certified by the simulator CA for
    timeStamping; its key is encrypted like the CA key (a key derived from SECRET_KEY)."""

    __tablename__ = "tte_tsa"
    id = Column(Integer, primary_key=True)
    cert_pem = Column(Text, nullable=False)
    key_pem = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False)
