"""WTForms used by the custom pages (CSRF comes from Flask-WTF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FileField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, NumberRange, Optional

from app.models.eorder import JENIS_DOKUMEN, METODE_BAYAR


class DetailPesananForm(FlaskForm):
    # Ownership of the address is checked by the service, not by the choice list.
    alamat_id = SelectField(_l("Alamat Pengiriman"), coerce=int, validators=[Optional()], validate_choice=False)
    tanggal_kegiatan = DateField(_l("Tanggal Kegiatan"), validators=[Optional()])
    waktu_kegiatan = TimeField(_l("Waktu Kegiatan"), validators=[Optional()])
    nama_kegiatan = StringField(_l("Nama Kegiatan"), validators=[Optional()])
    catatan = TextAreaField(_l("Catatan"), validators=[Optional()])
    metode_bayar = RadioField(
        _l("Metode Pembayaran"), choices=list(METODE_BAYAR.items()), default="cod", validators=[InputRequired()]
    )


class AlasanForm(FlaskForm):
    alasan = TextAreaField(_l("Alasan"), validators=[InputRequired()])


class PenerimaanForm(FlaskForm):
    jumlah_sesuai = BooleanField(_l("Jumlah produk yang diterima sesuai pesanan"))
    kondisi_baik = BooleanField(_l("Seluruh produk diterima dalam kondisi baik"))
    waktu_tempat_sesuai = BooleanField(_l("Pesanan tiba sesuai waktu dan lokasi yang disepakati"))
    catatan = TextAreaField(_l("Catatan"))

    @staticmethod
    def checks():
        return ("jumlah_sesuai", "kondisi_baik", "waktu_tempat_sesuai")


class PenilaianForm(FlaskForm):
    bintang = RadioField(_l("Penilaian"), choices=[(str(i), "★" * i) for i in range(5, 0, -1)])
    ulasan = TextAreaField(_l("Ulasan"))


class UploadForm(FlaskForm):
    jenis = SelectField(_l("Jenis Dokumen"), choices=list(JENIS_DOKUMEN.items()))
    berkas = FileField(_l("Berkas (PDF, JPEG, atau PNG)"))


class TambahKeranjangForm(FlaskForm):
    qty = IntegerField(_l("Jumlah"), validators=[InputRequired(), NumberRange(min=1)])
