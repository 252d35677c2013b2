"""WTForms used by the custom pages (CSRF comes from Flask-WTF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FileField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.models.accounts import JENIS_AKSES, JENIS_PROFIL, STATUS_KEPEGAWAIAN
from app.models.eorder import JENIS_DOKUMEN, METODE_BAYAR
from app.services.batas import maks


def _maks(n):
    """A typed field's bound, with its message (the same numbers the flush check in services/batas holds)."""
    return Length(max=n, message=_l("Paling banyak %(max)d karakter."))


class DetailPesananForm(FlaskForm):
    # Ownership of the address is checked by the service, not by the choice list.
    alamat_id = SelectField(_l("Alamat Pengiriman"), coerce=int, validators=[Optional()], validate_choice=False)
    tanggal_kegiatan = DateField(_l("Tanggal Kegiatan"), validators=[Optional()])
    waktu_kegiatan = TimeField(_l("Waktu Kegiatan"), validators=[Optional()])
    nama_kegiatan = StringField(_l("Nama Kegiatan"), validators=[Optional(), _maks(200)])
    catatan = TextAreaField(_l("Catatan"), validators=[Optional(), _maks(maks("pesanan.catatan"))])
    metode_bayar = RadioField(
        _l("Metode Pembayaran"), choices=list(METODE_BAYAR.items()), default="cod", validators=[InputRequired()]
    )


class AlasanForm(FlaskForm):
    alasan = TextAreaField(_l("Alasan"), validators=[InputRequired(), _maks(maks("pesanan.alasan_tolak"))])


class PenerimaanForm(FlaskForm):
    jumlah_sesuai = BooleanField(_l("Jumlah produk yang diterima sesuai pesanan"))
    kondisi_baik = BooleanField(_l("Seluruh produk diterima dalam kondisi baik"))
    waktu_tempat_sesuai = BooleanField(_l("Pesanan tiba sesuai waktu dan lokasi yang disepakati"))
    catatan = TextAreaField(_l("Catatan"), validators=[_maks(maks("pesanan.catatan_penerimaan"))])

    @staticmethod
    def checks():
        return ("jumlah_sesuai", "kondisi_baik", "waktu_tempat_sesuai")


class PenilaianForm(FlaskForm):
    bintang = RadioField(_l("Penilaian"), choices=[(str(i), "★" * i) for i in range(5, 0, -1)])
    ulasan = TextAreaField(_l("Ulasan"), validators=[_maks(maks("ulasan.teks"))])


class UploadForm(FlaskForm):
    jenis = SelectField(_l("Jenis Dokumen"), choices=list(JENIS_DOKUMEN.items()))
    berkas = FileField(_l("Berkas (PDF, JPEG, atau PNG)"))


class TambahKeranjangForm(FlaskForm):
    qty = IntegerField(_l("Jumlah"), validators=[InputRequired(), NumberRange(min=1)])


class DaftarForm(FlaskForm):
    username = StringField(_l("Nama Pengguna"), validators=[InputRequired(), _maks(64)])
    email = StringField(_l("Email Pribadi"), validators=[InputRequired(), _maks(254)])
    telepon = StringField(_l("Nomor Handphone"), validators=[InputRequired(), _maks(20)])
    setuju = BooleanField(_l("Saya menyetujui Syarat dan Ketentuan"))


class KataSandiForm(FlaskForm):
    password = PasswordField(_l("Kata Sandi"), validators=[InputRequired()])
    password_ulang = PasswordField(_l("Ulangi Kata Sandi"), validators=[InputRequired()])


class OtpForm(FlaskForm):
    kode = StringField(_l("Kode OTP"), validators=[InputRequired(), _maks(12)])


class ProfilForm(FlaskForm):
    jenis_profil = RadioField(_l("Tipe Profil"), choices=list(JENIS_PROFIL.items()), validators=[InputRequired()])
    status_kepegawaian = SelectField(
        _l("Status Kepegawaian"), choices=[("", "—")] + list(STATUS_KEPEGAWAIAN.items()), validate_choice=False
    )
    instansi_id = SelectField(_l("Instansi"), coerce=str, validate_choice=False)
    nip = StringField(_l("NIP / NRP"), validators=[_maks(30)])
    nik = StringField(_l("NIK"), validators=[InputRequired(), _maks(20)])
    nama_ktp = StringField(_l("Nama Lengkap sesuai KTP"), validators=[InputRequired(), _maks(200)])
    tanggal_lahir = DateField(_l("Tanggal Lahir"), validators=[InputRequired()])
    selfie = FileField(_l("Swafoto (JPEG/PNG)"))
    ktp = FileField(_l("Foto KTP (JPEG/PNG)"))


class AksesForm(FlaskForm):
    akses = SelectField(_l("Jenis Akses"), choices=list(JENIS_AKSES.items()))
    satker_id = SelectField(_l("Satuan Kerja"), coerce=str, validate_choice=False)
    penyedia_id = SelectField(_l("Perusahaan Penyedia"), coerce=str, validate_choice=False)
    perusahaan_baru = BooleanField(_l("Daftarkan perusahaan baru (Admin Utama)"))
    nama = StringField(_l("Nama Perusahaan"), validators=[_maks(200)])
    npwp = StringField(_l("NPWP"), validators=[_maks(30)])
    nib = StringField(_l("NIB"), validators=[_maks(30)])
    alamat = TextAreaField(_l("Alamat Usaha"), validators=[_maks(maks("penyedia.alamat"))])
    is_umkm = BooleanField(_l("Usaha Mikro, Kecil, atau Menengah (UMKM)"))
    surat_tugas = FileField(_l("Surat Tugas (PDF)"))
