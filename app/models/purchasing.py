"""Katalog v6 e-purchasing (SPEC §6): RUP budget lines, the order a PP checks out, negotiation
rounds, chat, and (later steps) shipping events, BAST inspection, ratings and addenda."""

from decimal import Decimal

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from .base import Persen, Rupiah

STATUS_KATALOG = {
    "menunggu_negosiasi": _l("Menunggu Negosiasi"),
    "nego_pp": _l("Negosiasi Diajukan PP"),
    "nego_penyedia": _l("Negosiasi Diajukan Penyedia"),
    "nego_selesai": _l("Negosiasi Selesai"),
    "menunggu_ppk": _l("Menunggu Persetujuan PPK"),
    "konfirmasi_penyedia": _l("Menunggu Konfirmasi Penyedia"),
    "diproses_penyedia": _l("Diproses Penyedia"),
    "dalam_pengiriman": _l("Dalam Pengiriman"),
    "pesanan_tiba": _l("Pesanan Tiba"),
    # Pembayaran (SPEC §6 step 9; app/services/pembayaran.py)
    "ls_dokumen": _l("Pembayaran LS: Dokumen Pajak"),
    "pilih_bendahara": _l("Menunggu Pilihan Bendahara"),
    "menunggu_bendahara": _l("Menunggu Pembayaran Bendahara"),
    "dikembalikan": _l("Dikembalikan ke PPK"),
    "kode_bayar_terbit": _l("Kode Bayar Terbit"),
    "kode_kedaluwarsa": _l("Kode Bayar Kedaluwarsa"),
    "kkp_menunggu": _l("Menunggu Pembayaran KKP"),
    "selesai": _l("Selesai"),
    "ditolak_ppk": _l("Ditolak PPK"),
    "dibatalkan": _l("Dibatalkan"),
    "batal_otomatis": _l("Batal Otomatis"),
}
OPSI_KIRIM = {"kurir_penyedia": _l("Kurir Penyedia"), "pihak_ketiga": _l("Kurir Pihak Ketiga")}


class Rup(Model):
    """Rencana Umum Pengadaan: a satker's budget line; `terpakai` follows the orders committed to it."""

    __tablename__ = "rup"
    id = Column(Integer, primary_key=True)
    kode = Column(String(30), unique=True, nullable=False)
    nama = Column(String(250), nullable=False)
    tahun = Column(Integer, nullable=False)
    satker_id = Column(Integer, ForeignKey("satker.id"), nullable=False, index=True)
    satker = relationship("Satker")
    pagu = Column(Rupiah, nullable=False)
    terpakai = Column(Rupiah, nullable=False, default=0)

    __table_args__ = (CheckConstraint("terpakai >= 0 AND terpakai <= pagu", name="ck_rup_terpakai"),)

    @property
    def sisa(self):
        return self.pagu - self.terpakai

    def __repr__(self):
        return f"{self.kode} — {self.nama}"


class PesananKatalog(Model):
    """An e-purchasing order of a satker (PP, PPK) to one Penyedia."""

    __tablename__ = "pesanan_katalog"
    id = Column(Integer, primary_key=True)
    nomor = Column(String(40), unique=True, nullable=False)
    # the one-time token of the checkout form this order came from: a form posted twice makes one order
    checkout_token = Column(String(64), unique=True, index=True)
    status = Column(String(20), nullable=False, index=True)
    version = Column(Integer, nullable=False, default=1)
    satker_id = Column(Integer, ForeignKey("satker.id"), nullable=False, index=True)
    satker = relationship("Satker")
    pp_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False, index=True)
    pp = relationship("PortalUser", foreign_keys=[pp_id])
    ppk_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False, index=True)
    ppk = relationship("PortalUser", foreign_keys=[ppk_id])
    penyedia_id = Column(Integer, ForeignKey("penyedia.id"), nullable=False, index=True)
    penyedia = relationship("Penyedia")
    rup_id = Column(Integer, ForeignKey("rup.id"), nullable=False, index=True)
    rup = relationship(Rup)
    # e-purchasing preparation document: immutable, readable only by Auditor (every read audited)
    dokumen_persiapan_id = Column(Integer, ForeignKey("dokumen.id"), nullable=False)
    alamat_kirim = Column(Text, nullable=False)
    jenis_pengiriman = Column(String(40), nullable=False)
    tahapan_pengiriman = Column(Integer, nullable=False, default=1)
    tanggal_tiba_diminta = Column(Date, nullable=False)
    opsi_kirim = Column(String(16), nullable=False)
    kurir_nama = Column(String(80))
    ongkir_estimasi = Column(Rupiah, nullable=False, default=0)
    estimasi_hari = Column(Integer)
    ongkir = Column(Rupiah, nullable=False, default=0)
    # Kurir Penyedia shipping is taxed like a product (LKPP guide), with its own percentages an addendum
    # may change; a third-party courier's cost is passed through untaxed (0 %). Its PPN/PPnBM are counted
    # in `ppn`/`ppnbm` and kept here too so every letter prints the same figures.
    ongkir_ppn_persen = Column(Persen, nullable=False, default=Decimal("0"), server_default="0")
    ongkir_ppnbm_persen = Column(Persen, nullable=False, default=Decimal("0"), server_default="0")
    ongkir_ppn = Column(Rupiah, nullable=False, default=0, server_default="0")
    ongkir_ppnbm = Column(Rupiah, nullable=False, default=0, server_default="0")
    subtotal = Column(Rupiah, nullable=False, default=0)
    ppn = Column(Rupiah, nullable=False, default=0)
    ppnbm = Column(Rupiah, nullable=False, default=0)
    total = Column(Rupiah, nullable=False, default=0)
    # what is committed on the RUP for this order (released when it is cancelled)
    anggaran_terpakai = Column(Rupiah, nullable=False, default=0)
    alasan = Column(Text)
    klausul = Column(Text)
    # Surat Pesanan: number, the signed PDF (PPK, then Penyedia) and when each signed
    sp_nomor = Column(String(60))
    sp_dokumen_id = Column(Integer, ForeignKey("dokumen.id", name="fk_pesanan_katalog_sp_dokumen"))
    sp_ttd_ppk_at = Column(DateTime)
    sp_ttd_penyedia_at = Column(DateTime)
    # Pengiriman: a third-party courier's pickup request (addenda are closed after it)
    pickup_diminta_at = Column(DateTime)
    # BAST: number (auto, editable, unique), the signed PDF, and when each side signed
    bast_nomor = Column(String(60))
    bast_dokumen_id = Column(Integer, ForeignKey("dokumen.id", name="fk_pesanan_katalog_bast_dokumen"))
    bast_ttd_ppk_at = Column(DateTime)
    bast_ttd_penyedia_at = Column(DateTime)
    batas_waktu = Column(DateTime)
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime)

    items = relationship(
        "PesananKatalogItem", back_populates="pesanan", cascade="all, delete-orphan", order_by="PesananKatalogItem.id"
    )
    layanan = relationship(
        "PesananKatalogLayanan",
        back_populates="pesanan",
        cascade="all, delete-orphan",
        order_by="PesananKatalogLayanan.id",
    )

    __table_args__ = (
        CheckConstraint("total = subtotal + ppn + ppnbm + ongkir", name="ck_katalog_total"),
        UniqueConstraint("sp_nomor", name="uq_pesanan_katalog_sp_nomor"),
        UniqueConstraint("bast_nomor", name="uq_pesanan_katalog_bast_nomor"),
        Index("ix_katalog_satker_status", "satker_id", "status"),
        Index("ix_katalog_penyedia_status", "penyedia_id", "status"),
        Index("ix_katalog_satker_created", "satker_id", "created_at"),
        Index("ix_katalog_penyedia_created", "penyedia_id", "created_at"),
        Index("ix_katalog_status_created", "status", "created_at"),
        Index("ix_katalog_created", "created_at"),
    )

    @property
    def status_label(self):
        return STATUS_KATALOG.get(self.status, self.status)

    def __repr__(self):
        return self.nomor


class PesananKatalogItem(Model):
    __tablename__ = "pesanan_katalog_item"
    id = Column(Integer, primary_key=True)
    pesanan_id = Column(Integer, ForeignKey("pesanan_katalog.id", ondelete="CASCADE"), nullable=False, index=True)
    pesanan = relationship(PesananKatalog, back_populates="items")
    produk_id = Column(Integer, ForeignKey("produk.id"), nullable=False)
    produk = relationship("Produk")
    varian_id = Column(Integer, ForeignKey("produk_varian.id"))
    nama = Column(String(250), nullable=False)
    satuan = Column(String(30), nullable=False)
    qty = Column(Integer, nullable=False)
    harga_katalog = Column(Rupiah, nullable=False)
    harga = Column(Rupiah, nullable=False)  # the agreed (or latest proposed) unit price
    ppn_persen = Column(Persen, nullable=False)
    ppnbm_persen = Column(Persen, nullable=False)
    subtotal = Column(Rupiah, nullable=False)
    ppn = Column(Rupiah, nullable=False)
    ppnbm = Column(Rupiah, nullable=False)

    __table_args__ = (
        CheckConstraint("qty > 0", name="ck_katalog_item_qty"),
        Index("ix_katalog_item_produk", "produk_id"),  # the lowest-price lookups of the order detail
    )


class PesananKatalogLayanan(Model):
    """An additional service ("layanan tambahan") on the order, with its own (negotiated) price."""

    __tablename__ = "pesanan_katalog_layanan"
    id = Column(Integer, primary_key=True)
    pesanan_id = Column(Integer, ForeignKey("pesanan_katalog.id", ondelete="CASCADE"), nullable=False, index=True)
    pesanan = relationship(PesananKatalog, back_populates="layanan")
    layanan_id = Column(Integer, ForeignKey("layanan_tambahan.id"), nullable=False)
    nama = Column(String(120), nullable=False)
    harga_katalog = Column(Rupiah, nullable=False)
    harga = Column(Rupiah, nullable=False)
    # taxed like a line (qty 1), percentages as checked out (an addendum may change them)
    ppn_persen = Column(Persen, nullable=False, default=Decimal("0"), server_default="0")
    ppnbm_persen = Column(Persen, nullable=False, default=Decimal("0"), server_default="0")
    ppn = Column(Rupiah, nullable=False, default=0, server_default="0")
    ppnbm = Column(Rupiah, nullable=False, default=0, server_default="0")


class NegosiasiRonde(Model):
    """One proposal in the negotiation history (riwayat negosiasi): who proposed what, and when."""

    __tablename__ = "negosiasi_ronde"
    id = Column(Integer, primary_key=True)
    pesanan_id = Column(Integer, ForeignKey("pesanan_katalog.id", ondelete="CASCADE"), nullable=False, index=True)
    nomor_ronde = Column(Integer, nullable=False)
    oleh = Column(String(10), nullable=False)  # "pp" or "penyedia"
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False)
    user = relationship("PortalUser")
    ongkir = Column(Rupiah, nullable=False, default=0)
    total = Column(Rupiah, nullable=False)
    catatan = Column(Text)
    created_at = Column(DateTime, nullable=False)
    harga = relationship("NegosiasiHarga", cascade="all, delete-orphan", order_by="NegosiasiHarga.id")

    __table_args__ = (UniqueConstraint("pesanan_id", "nomor_ronde", name="uq_negosiasi_ronde"),)


class NegosiasiHarga(Model):
    __tablename__ = "negosiasi_harga"
    id = Column(Integer, primary_key=True)
    ronde_id = Column(Integer, ForeignKey("negosiasi_ronde.id", ondelete="CASCADE"), nullable=False, index=True)
    item_id = Column(Integer, ForeignKey("pesanan_katalog_item.id", ondelete="CASCADE"))
    layanan_id = Column(Integer, ForeignKey("pesanan_katalog_layanan.id", ondelete="CASCADE"))
    harga = Column(Rupiah, nullable=False)

    __table_args__ = (CheckConstraint("(item_id IS NULL) <> (layanan_id IS NULL)", name="ck_nego_one_target"),)


class PengirimanEvent(Model):
    """A shipping event the Penyedia records (Lacak Pengiriman)."""

    __tablename__ = "pengiriman_event"
    id = Column(Integer, primary_key=True)
    pesanan_id = Column(Integer, ForeignKey("pesanan_katalog.id", ondelete="CASCADE"), nullable=False, index=True)
    waktu = Column(DateTime, nullable=False)
    lokasi = Column(String(200), nullable=False)
    status = Column(String(200), nullable=False)
    catatan = Column(Text)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False)
    created_at = Column(DateTime, nullable=False)


class BastItem(Model):
    """The PPK's inspection of one line at handover."""

    __tablename__ = "bast_item"
    id = Column(Integer, primary_key=True)
    pesanan_id = Column(Integer, ForeignKey("pesanan_katalog.id", ondelete="CASCADE"), nullable=False, index=True)
    item_id = Column(Integer, ForeignKey("pesanan_katalog_item.id", ondelete="CASCADE"), nullable=False)
    item = relationship(PesananKatalogItem)
    qty_diterima = Column(Integer, nullable=False)
    kondisi = Column(String(40), nullable=False)
    sesuai = Column(Integer, nullable=False)  # 1 = fit for purpose
    catatan = Column(Text)

    __table_args__ = (CheckConstraint("qty_diterima >= 0", name="ck_bast_qty"),)


JENIS_PENILAIAN = {
    "pesanan": _l("Pesanan"),
    "layanan": _l("Layanan Penyedia"),
    "kurir": _l("Kurir Penyedia"),
}


class PenilaianKatalog(Model):
    """The PPK's ratings of an order: the order, the supplier's service, the supplier's courier."""

    __tablename__ = "penilaian_katalog"
    id = Column(Integer, primary_key=True)
    pesanan_id = Column(Integer, ForeignKey("pesanan_katalog.id", ondelete="CASCADE"), nullable=False, index=True)
    jenis = Column(String(10), nullable=False)
    bintang = Column(Integer, nullable=False)
    ulasan = Column(Text)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False)
    created_at = Column(DateTime, nullable=False)

    __table_args__ = (
        UniqueConstraint("pesanan_id", "jenis", name="uq_penilaian_katalog_jenis"),
        CheckConstraint("bintang BETWEEN 1 AND 5", name="ck_penilaian_katalog_bintang"),
    )


STATUS_ADENDUM = {
    "diajukan": _l("Adendum Sedang Disiapkan"),
    "diterima": _l("Adendum Diterima"),
    "ditolak": _l("Adendum Ditolak"),
}


class Adendum(Model):
    """A change to a signed Surat Pesanan, proposed (and signed) by one side, accepted or rejected by the other."""

    __tablename__ = "adendum"
    id = Column(Integer, primary_key=True)
    pesanan_id = Column(Integer, ForeignKey("pesanan_katalog.id", ondelete="CASCADE"), nullable=False, index=True)
    pesanan = relationship(PesananKatalog)
    nomor = Column(String(60), nullable=False, unique=True)
    status = Column(String(10), nullable=False, default="diajukan", index=True)
    version = Column(Integer, nullable=False, default=1)
    pengusul = Column(String(10), nullable=False)  # "ppk" or "penyedia"
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False)
    perubahan = Column(Text, nullable=False)  # the requested changes (JSON)
    ringkasan = Column(Text, nullable=False)  # the before/after table shown and printed (JSON)
    total_lama = Column(Rupiah, nullable=False)
    total_baru = Column(Rupiah, nullable=False)
    dokumen_id = Column(Integer, ForeignKey("dokumen.id"), nullable=False)
    alasan = Column(Text)
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime)

    @property
    def status_label(self):
        return STATUS_ADENDUM.get(self.status, self.status)


class PesanChat(Model):
    """A message between PP and Penyedia about one order."""

    __tablename__ = "pesan_chat"
    id = Column(Integer, primary_key=True)
    pesanan_id = Column(Integer, ForeignKey("pesanan_katalog.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False)
    user = relationship("PortalUser")
    teks = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False)
