"""Pembayaran (SPEC §6 step 9): how a Katalog order is paid after its BAST.

The order's status carries the workflow (app/services/purchasing.py); these tables hold what the
steps record: the method and its figures, the LS tax documents, the Bendahara chosen, the KKP
payment link (only its SHA-256), every kode bayar issued, and the gateway callbacks already seen.
"""

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from .base import Rupiah

METODE_BAYAR_LABEL = {
    "ls": _l("LS (Langsung)"),
    "up_kode_bayar": _l("UP dengan Kode Bayar"),
    "up_kkp": _l("UP dengan Kartu Kredit Pemerintah (KKP)"),
}
JENIS_PPH = {
    "pph22": _l("PPh Pasal 22"),
    "pph23": _l("PPh Pasal 23"),
    "pph4_2": _l("PPh Pasal 4 ayat (2)"),
    "pph21": _l("PPh Pasal 21"),
}
JENIS_TAGIHAN = {
    "faktur_pajak": _l("Faktur Pajak"),
    "invoice": _l("Invoice"),
    "kwitansi": _l("Kwitansi"),
    "lainnya": _l("Dokumen Tagihan Lain"),
}
STATUS_KODE_BAYAR = {
    "aktif": _l("Aktif"),
    "dibayar": _l("Dibayar"),
    "kedaluwarsa": _l("Kedaluwarsa"),
}


class Pembayaran(Model):
    """One per Katalog order once the PPK picks a method; a new pick (after Ganti Metode) updates it."""

    __tablename__ = "pembayaran"
    id = Column(Integer, primary_key=True)
    pesanan_id = Column(
        Integer, ForeignKey("pesanan_katalog.id", ondelete="CASCADE"), nullable=False, unique=True, index=True
    )
    pesanan = relationship("PesananKatalog")
    metode = Column(String(14), nullable=False)
    rezim_pajak = Column(String(20), nullable=False)
    # the figures at the time of the pick (money.rincian_bayar): paid by the satker, fee, paid to the Penyedia
    total = Column(Rupiah, nullable=False)
    biaya_transaksi = Column(Rupiah, nullable=False)
    diterima_penyedia = Column(Rupiah, nullable=False)
    # the BUD (LS) or Bendahara Pengeluaran (UP kode bayar) the PPK sent the order to
    bendahara_id = Column(Integer, ForeignKey("ab_user.id"), index=True)
    bendahara = relationship("PortalUser", foreign_keys=[bendahara_id])
    # LS: the Penyedia's billing document (faktur pajak or another) ...
    tagihan_dokumen_id = Column(Integer, ForeignKey("dokumen.id", name="fk_pembayaran_tagihan_dokumen"))
    tagihan_jenis = Column(String(14))
    tagihan_nomor = Column(String(60))
    # ... and the PPK's bukti potong PPh (type and amount), or the "not needed" tick
    bukti_potong_dokumen_id = Column(Integer, ForeignKey("dokumen.id", name="fk_pembayaran_bukti_potong_dokumen"))
    pph_jenis = Column(String(8))
    pph_jumlah = Column(Rupiah)
    tanpa_bukti_potong = Column(Boolean, nullable=False, default=False)
    # UP: the platform's invoice, which counts as the faktur pajak (PMK 58/2023)
    invoice_nomor = Column(String(60))
    invoice_dokumen_id = Column(Integer, ForeignKey("dokumen.id", name="fk_pembayaran_invoice_dokumen"))
    # UP KKP: the card holder (the PPK, or another holder who gets a single-use link by email)
    kkp_oleh_ppk = Column(Boolean, nullable=False, default=False)
    kkp_nama = Column(String(120))
    kkp_email = Column(String(120))
    kkp_token_hash = Column(String(64), unique=True)
    kkp_token_expires_at = Column(DateTime)
    kkp_token_used_at = Column(DateTime)
    # the payment itself
    dibayar_at = Column(DateTime)
    dibayar_oleh = Column(String(200))
    referensi = Column(String(64))
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime)

    __table_args__ = (
        CheckConstraint("diterima_penyedia = total - biaya_transaksi", name="ck_pembayaran_diterima"),
        CheckConstraint("biaya_transaksi >= 0 AND biaya_transaksi <= total", name="ck_pembayaran_biaya"),
        CheckConstraint("pph_jumlah IS NULL OR pph_jumlah > 0", name="ck_pembayaran_pph"),
    )

    @property
    def metode_label(self):
        return METODE_BAYAR_LABEL.get(self.metode, self.metode)

    @property
    def pph_label(self):
        return JENIS_PPH.get(self.pph_jenis, self.pph_jenis)

    @property
    def tagihan_label(self):
        return JENIS_TAGIHAN.get(self.tagihan_jenis, self.tagihan_jenis)


class KodeBayar(Model):
    """A payment code issued by the Bendahara's confirmation; valid 7x24 h; paid once or expired."""

    __tablename__ = "kode_bayar"
    id = Column(Integer, primary_key=True)
    pesanan_id = Column(Integer, ForeignKey("pesanan_katalog.id", ondelete="CASCADE"), nullable=False, index=True)
    pesanan = relationship("PesananKatalog")
    kode = Column(String(32), nullable=False, unique=True)
    jumlah = Column(Rupiah, nullable=False)
    status = Column(String(12), nullable=False, default="aktif", index=True)
    diterbitkan_oleh_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False)
    diterbitkan_oleh = relationship("PortalUser", foreign_keys=[diterbitkan_oleh_id])
    created_at = Column(DateTime, nullable=False)
    berlaku_sampai = Column(DateTime, nullable=False, index=True)
    dibayar_at = Column(DateTime)
    referensi = Column(String(64))

    __table_args__ = (CheckConstraint("jumlah > 0", name="ck_kode_bayar_jumlah"),)

    @property
    def status_label(self):
        return STATUS_KODE_BAYAR.get(self.status, self.status)


class CallbackPembayaran(Model):
    """A gateway/bank notification already processed: its event id is never processed again (replays)."""

    __tablename__ = "callback_pembayaran"
    id = Column(Integer, primary_key=True)
    event_id = Column(String(64), nullable=False, unique=True)
    referensi = Column(String(64), nullable=False, index=True)
    jumlah = Column(Rupiah, nullable=False)
    diterima_at = Column(DateTime, nullable=False)
    body = Column(Text, nullable=False)
