from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext
from sqlalchemy import CheckConstraint, Column, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship


class PortalUser(User):
    """FAB's user plus NRK and the one organisation the user belongs to."""

    __tablename__ = "ab_user"
    __table_args__ = (
        CheckConstraint("satker_id IS NULL OR penyedia_id IS NULL", name="ck_user_one_org"),
        {"extend_existing": True},
    )
    nrk = Column(String(32), unique=True)
    # Printed on the letters the user signs: the ASN NIP (18 digits, checked where it is typed) and position.
    nip = Column(String(18))
    jabatan = Column(String(120))
    telepon = Column(String(20))
    satker_id = Column(Integer, ForeignKey("satker.id"), index=True)
    satker = relationship("Satker")
    penyedia_id = Column(Integer, ForeignKey("penyedia.id"), index=True)
    penyedia = relationship("Penyedia")
    # Bumped on logout/password change so a copied session cookie stops working.
    session_version = Column(Integer, nullable=False, default=1, server_default="1")
    # Identitas Digital
    syarat_disetujui_at = Column(DateTime)
    email_terverifikasi_at = Column(DateTime)
    telepon_terverifikasi_at = Column(DateTime)
    # Lock-out after repeated failed logins
    locked_until = Column(DateTime)
    # The interface language the person chose (id/en), restored at every login
    locale = Column(String(5))

    @property
    def organisation(self):
        return self.satker or self.penyedia

    @property
    def role_names(self):
        return {r.name for r in self.roles}

    @property
    def nama_lengkap(self):
        return f"{self.first_name or ''} {self.last_name or ''}".strip()


class AccountToken(Model):
    """A single-use emailed link (e.g. set the password); only its SHA-256 is stored."""

    __tablename__ = "account_token"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False, index=True)
    purpose = Column(String(20), nullable=False)
    token_hash = Column(String(64), nullable=False, unique=True)
    created_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=False)
    used_at = Column(DateTime)


class OtpChallenge(Model):
    """A 6-digit code sent to the user's phone (through a pluggable sender); hashed, expiring, attempt-limited."""

    __tablename__ = "otp_challenge"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False, index=True)
    telepon = Column(String(20), nullable=False)
    code_hash = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    verified_at = Column(DateTime)


STATUS_VERIFIKASI = {
    "menunggu": lazy_gettext("Menunggu Verifikasi"),
    "terverifikasi": lazy_gettext("Terverifikasi"),
    "ditolak": lazy_gettext("Ditolak"),
}
STATUS_AKSES = {
    "menunggu": lazy_gettext("Menunggu Verifikasi"),
    "aktif": lazy_gettext("Aktif"),
    "ditolak": lazy_gettext("Ditolak"),
    "dicabut": lazy_gettext("Dicabut"),
}
JENIS_PROFIL = {"penyedia": lazy_gettext("Penyedia"), "non_penyedia": lazy_gettext("Non Penyedia")}
STATUS_KEPEGAWAIAN = {"ASN": "ASN", "TNI": "TNI", "POLRI": "POLRI"}
JENIS_AKSES = {
    "pp": lazy_gettext("Pejabat Pengadaan (PP)"),
    "ppk": lazy_gettext("Pejabat Pembuat Komitmen (PPK)"),
    "bendahara_pengeluaran": lazy_gettext("Bendahara Pengeluaran"),
    "bud": lazy_gettext("Bendahara Umum Daerah (BUD)"),
    "admin_utama": lazy_gettext("Admin Utama Perusahaan"),
    "anggota_perusahaan": lazy_gettext("Anggota Perusahaan"),
}


class ProfilPengguna(Model):
    """Verifikasi Profil: identity data and photos, checked by a Verifikator within 3x24 h."""

    __tablename__ = "profil_pengguna"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False, index=True)
    user = relationship("PortalUser", foreign_keys=[user_id])
    instansi_id = Column(Integer, ForeignKey("instansi.id"), nullable=False, index=True)
    instansi = relationship("Instansi")
    jenis_profil = Column(String(12), nullable=False)
    status_kepegawaian = Column(String(5))
    nip = Column(String(18))
    nik = Column(String(16), nullable=False)
    nama_ktp = Column(String(200), nullable=False)
    tanggal_lahir = Column(Date, nullable=False)
    selfie_id = Column(Integer, ForeignKey("dokumen.id"), nullable=False)
    ktp_id = Column(Integer, ForeignKey("dokumen.id"), nullable=False)
    selfie = relationship("Dokumen", foreign_keys=[selfie_id])
    ktp = relationship("Dokumen", foreign_keys=[ktp_id])
    status = Column(String(14), nullable=False, default="menunggu", index=True)
    version = Column(Integer, nullable=False, default=1)
    alasan = Column(Text)
    submitted_at = Column(DateTime, nullable=False)
    batas_waktu = Column(DateTime, index=True)
    updated_at = Column(DateTime)

    @property
    def status_label(self):
        return STATUS_VERIFIKASI.get(self.status, self.status)


class AksesPengguna(Model):
    """Verifikasi Akses: a request to act for a satker or a Penyedia company; only Aktif grants the role."""

    __tablename__ = "akses_pengguna"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False, index=True)
    user = relationship("PortalUser", foreign_keys=[user_id])
    instansi_id = Column(Integer, ForeignKey("instansi.id"), nullable=False, index=True)
    instansi = relationship("Instansi")
    akses = Column(String(24), nullable=False)
    satker_id = Column(Integer, ForeignKey("satker.id"), index=True)
    satker = relationship("Satker")
    penyedia_id = Column(Integer, ForeignKey("penyedia.id"), index=True)
    penyedia = relationship("Penyedia")
    surat_tugas_id = Column(Integer, ForeignKey("dokumen.id"), nullable=False)
    surat_tugas = relationship("Dokumen", foreign_keys=[surat_tugas_id])
    status = Column(String(10), nullable=False, default="menunggu", index=True)
    version = Column(Integer, nullable=False, default=1)
    alasan = Column(Text)
    submitted_at = Column(DateTime, nullable=False)
    batas_waktu = Column(DateTime, index=True)
    updated_at = Column(DateTime)

    __table_args__ = (CheckConstraint("(satker_id IS NULL) <> (penyedia_id IS NULL)", name="ck_akses_one_org"),)

    @property
    def status_label(self):
        return STATUS_AKSES.get(self.status, self.status)


class SertifikatTte(Model):
    """A user's signing key (TTE): certificate from the portal CA, private key encrypted by the passphrase."""

    __tablename__ = "sertifikat_tte"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False, unique=True)
    status = Column(String(12), nullable=False, default="belum_aktif")
    cert_pem = Column(Text)
    key_pem = Column(Text)
    serial = Column(String(40))
    not_after = Column(DateTime)
    activated_at = Column(DateTime)
    failed_attempts = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime)


class TteCa(Model):
    """The portal's own certificate authority (one row); its key is encrypted with a key from SECRET_KEY."""

    __tablename__ = "tte_ca"
    id = Column(Integer, primary_key=True)
    cert_pem = Column(Text, nullable=False)
    key_pem = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False)
