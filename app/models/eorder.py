from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    text,
)
from sqlalchemy.orm import relationship

from .base import Persen, Rupiah

STATUS_PESANAN = {
    "draft": _l("Draft"),
    "dipesan": _l("Dipesan"),
    "diproses": _l("Diproses"),
    "dikirim": _l("Dikirim"),
    "diterima": _l("Diterima"),
    "selesai": _l("Selesai"),
    "dibatalkan": _l("Dibatalkan"),
}
STEPPER = ("draft", "dipesan", "diproses", "dikirim", "diterima", "selesai")
METODE_BAYAR = {
    "cod": _l("Cash On Delivery (COD)"),
    "transfer": _l("Transfer Bank"),
    "va": _l("Virtual Account"),
    "kkp": _l("Kartu Kredit Pemerintah"),
}
JENIS_DOKUMEN = {"invoice": _l("Invoice"), "kwitansi": _l("Kwitansi")}


class Pesanan(Model):
    """An E-Order order of one BUMD buyer to one UMKM supplier."""

    __tablename__ = "pesanan"
    id = Column(Integer, primary_key=True)
    nomor = Column(String(40), unique=True, nullable=False)
    status = Column(String(12), nullable=False, default="draft", index=True)
    version = Column(Integer, nullable=False, default=1)
    satker_id = Column(Integer, ForeignKey("satker.id"), nullable=False, index=True)
    satker = relationship("Satker")
    pembeli_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False, index=True)
    pembeli = relationship("PortalUser", foreign_keys=[pembeli_id])
    penyedia_id = Column(Integer, ForeignKey("penyedia.id"), nullable=False, index=True)
    penyedia = relationship("Penyedia")
    alamat_id = Column(Integer, ForeignKey("alamat.id"))
    alamat = relationship("Alamat")
    # The shipping address as it was when the order was placed (the address book may change later).
    alamat_kirim = Column(Text)
    tanggal_kegiatan = Column(Date)
    waktu_kegiatan = Column(Time)
    nama_kegiatan = Column(String(200))
    catatan = Column(Text)
    metode_bayar = Column(String(10), nullable=False, default="cod")
    subtotal = Column(Rupiah, nullable=False, default=0)
    ppn = Column(Rupiah, nullable=False, default=0)
    ppnbm = Column(Rupiah, nullable=False, default=0)
    total = Column(Rupiah, nullable=False, default=0)
    # A pending cancellation request: which party asked ("pembeli"/"penyedia") and why.
    pembatalan_oleh = Column(String(10))
    alasan_pembatalan = Column(Text)
    alasan_tolak = Column(Text)
    jumlah_sesuai = Column(Boolean)
    kondisi_baik = Column(Boolean)
    waktu_tempat_sesuai = Column(Boolean)
    catatan_penerimaan = Column(Text)
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime)

    items = relationship(
        "PesananItem", back_populates="pesanan", cascade="all, delete-orphan", order_by="PesananItem.id"
    )
    dokumen = relationship("Dokumen", back_populates="pesanan", order_by="Dokumen.id")

    __table_args__ = (
        CheckConstraint("total = subtotal + ppn + ppnbm", name="ck_pesanan_total"),
        Index("ix_pesanan_penyedia_status", "penyedia_id", "status"),
        Index("ix_pesanan_satker_status", "satker_id", "status"),
        # the lists, newest first, of a satker, a supplier, a status, everyone (Admin)
        Index("ix_pesanan_satker_created", "satker_id", "created_at"),
        Index("ix_pesanan_penyedia_created", "penyedia_id", "created_at"),
        Index("ix_pesanan_status_created", "status", "created_at"),
        Index("ix_pesanan_created", "created_at"),
        # One cart (Draft) per buyer and supplier, even under a double click.
        Index(
            "uq_pesanan_draft_per_penyedia",
            "pembeli_id",
            "penyedia_id",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
    )

    @property
    def status_label(self):
        return STATUS_PESANAN.get(self.status, self.status)

    def dokumen_terakhir(self, jenis):
        found = [d for d in self.dokumen if d.jenis == jenis]
        return found[-1] if found else None

    def __repr__(self):
        return self.nomor


class PesananItem(Model):
    __tablename__ = "pesanan_item"
    id = Column(Integer, primary_key=True)
    pesanan_id = Column(Integer, ForeignKey("pesanan.id", ondelete="CASCADE"), nullable=False, index=True)
    pesanan = relationship(Pesanan, back_populates="items")
    produk_id = Column(Integer, ForeignKey("produk.id"), nullable=False)
    produk = relationship("Produk")
    nama_produk = Column(String(200), nullable=False)
    harga_satuan = Column(Rupiah, nullable=False)
    qty = Column(Integer, nullable=False)
    ppn_persen = Column(Persen, nullable=False)
    ppnbm_persen = Column(Persen, nullable=False)
    subtotal = Column(Rupiah, nullable=False)
    ppn = Column(Rupiah, nullable=False)
    ppnbm = Column(Rupiah, nullable=False)

    __table_args__ = (
        CheckConstraint("qty > 0", name="ck_item_qty"),
        Index("ix_pesanan_item_produk", "produk_id"),  # a product's sales (lowest price, reports)
    )

    @property
    def total(self):
        return self.subtotal + self.ppn + self.ppnbm


class Dokumen(Model):
    """An uploaded file (Invoice, Kwitansi, ...), checked by content, served only to its parties."""

    __tablename__ = "dokumen"
    id = Column(Integer, primary_key=True)
    pesanan_id = Column(Integer, ForeignKey("pesanan.id"), index=True)
    pesanan = relationship(Pesanan, back_populates="dokumen")
    jenis = Column(String(20), nullable=False)
    filename = Column(String(255), nullable=False)
    content_type = Column(String(60), nullable=False)
    size = Column(Integer, nullable=False)
    sha256 = Column(String(64), nullable=False)
    # Signed letters (SP, BAST, addendum): the code printed on the letter, shared by every signed version
    # of it; the newest row is the current one (app/services/verifikasi_dokumen.py).
    kode_verifikasi = Column(String(14), index=True)
    stored_name = Column(String(80), nullable=False, unique=True)
    uploaded_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False)
    uploaded_at = Column(DateTime, nullable=False)
