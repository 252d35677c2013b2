from decimal import Decimal

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, String, Text, func, true
from sqlalchemy.orm import backref, relationship

from .base import Persen, Rupiah

JENIS_KATEGORI = {"barang": _l("Barang"), "digital": _l("Digital"), "jasa": _l("Jasa")}
KETERSEDIAAN = {"ready": _l("Ready Stock"), "h1": _l("H-1"), "po": _l("PO")}
STATUS_LISTING = {
    "draft": _l("Draft"),
    "diajukan": _l("Diajukan"),
    "tayang": _l("Tayang"),
    "ditolak": _l("Ditolak"),
}


class Kategori(Model):
    """Barang / Digital / Jasa, three levels deep."""

    __tablename__ = "kategori"
    id = Column(Integer, primary_key=True)
    nama = Column(String(120), nullable=False)
    jenis = Column(String(10), nullable=False, default="barang")
    level = Column(Integer, nullable=False, default=1)
    parent_id = Column(Integer, ForeignKey("kategori.id"), index=True)
    parent = relationship("Kategori", remote_side=[id])
    aktif = Column(Boolean, nullable=False, default=True)

    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 3", name="ck_kategori_level"),)

    def __repr__(self):
        return self.nama


class Produk(Model):
    __tablename__ = "produk"
    id = Column(Integer, primary_key=True)
    penyedia_id = Column(Integer, ForeignKey("penyedia.id"), nullable=False, index=True)
    penyedia = relationship("Penyedia")
    kategori_id = Column(Integer, ForeignKey("kategori.id"), nullable=False, index=True)
    kategori = relationship(Kategori)
    nama = Column(String(200), nullable=False)
    harga = Column(Rupiah, nullable=False)
    ppn_persen = Column(Persen, nullable=False, default=Decimal("11"))
    ppnbm_persen = Column(Persen, nullable=False, default=Decimal("0"))
    min_pesan = Column(Integer, nullable=False, default=1)
    max_pesan = Column(Integer, nullable=False, default=100)
    stok = Column(Integer, nullable=False, default=0)
    ketersediaan = Column(String(8), nullable=False, default="ready")
    satuan = Column(String(30), nullable=False, default="pack")
    deskripsi = Column(Text)
    gambar = Column(String(255))
    tkdn_persen = Column(Persen)
    is_pdn = Column(Boolean, nullable=False, default=True)
    status = Column(String(10), nullable=False, default="draft", index=True)
    alasan_tolak = Column(Text)
    version = Column(Integer, nullable=False, default=1)
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime)
    rating_total = Column(Integer, nullable=False, default=0)
    rating_count = Column(Integer, nullable=False, default=0)

    __table_args__ = (
        CheckConstraint("harga >= 0", name="ck_produk_harga"),
        CheckConstraint("min_pesan >= 1 AND max_pesan >= min_pesan", name="ck_produk_minmax"),
        CheckConstraint("stok >= 0", name="ck_produk_stok"),
        Index("ix_produk_status_kategori", "status", "kategori_id"),
        Index("ix_produk_created", "created_at"),  # the shop's default order (terbaru)
        Index("ix_produk_harga", "harga"),  # the shop by price
        # keyword search (LIKE '%kw%' on lower(nama)): a pg_trgm GIN index on PostgreSQL, plain elsewhere
        Index(
            "ix_produk_nama_trgm",
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

    def __repr__(self):
        return self.nama


class ProdukVarian(Model):
    __tablename__ = "produk_varian"
    id = Column(Integer, primary_key=True)
    produk_id = Column(Integer, ForeignKey("produk.id", ondelete="CASCADE"), nullable=False, index=True)
    nama = Column(String(120), nullable=False)
    harga = Column(Rupiah, nullable=False)
    # `Produk.varian` is what buyers are offered: the active variants only. One already on an order or in a
    # cart is deactivated instead of deleted, so the order keeps its reference (services/catalog.py).
    produk = relationship(
        Produk,
        backref=backref(
            "varian",
            primaryjoin="and_(Produk.id == ProdukVarian.produk_id, ProdukVarian.aktif.is_(True))",
            order_by="ProdukVarian.id",
            passive_deletes="all",  # a deleted product's rows go by the database's ON DELETE CASCADE
        ),
    )
    # NULL: lines of this variant take the product's own stock; a number: this variant's own Ready Stock
    stok = Column(Integer)
    aktif = Column(Boolean, nullable=False, default=True, server_default=true())

    __table_args__ = (CheckConstraint("stok IS NULL OR stok >= 0", name="ck_produk_varian_stok"),)

    def __repr__(self):
        return self.nama


class LayananTambahan(Model):
    __tablename__ = "layanan_tambahan"
    id = Column(Integer, primary_key=True)
    produk_id = Column(Integer, ForeignKey("produk.id", ondelete="CASCADE"), nullable=False, index=True)
    # the active services only, as with ProdukVarian
    produk = relationship(
        Produk,
        backref=backref(
            "layanan_tambahan",
            primaryjoin="and_(Produk.id == LayananTambahan.produk_id, LayananTambahan.aktif.is_(True))",
            order_by="LayananTambahan.id",
            passive_deletes="all",  # a deleted product's rows go by the database's ON DELETE CASCADE
        ),
    )
    nama = Column(String(120), nullable=False)
    harga = Column(Rupiah, nullable=False)
    aktif = Column(Boolean, nullable=False, default=True, server_default=true())
    # a service is taxed like a product (LKPP guide): its own PPN / PPnBM percentage
    ppn_persen = Column(Persen, nullable=False, default=Decimal("11"), server_default="1100")  # hundredths
    ppnbm_persen = Column(Persen, nullable=False, default=Decimal("0"), server_default="0")

    def __repr__(self):
        return self.nama


class Ulasan(Model):
    """A buyer's review of a product after an order; feeds product and supplier ratings."""

    __tablename__ = "ulasan"
    id = Column(Integer, primary_key=True)
    produk_id = Column(Integer, ForeignKey("produk.id"), nullable=False, index=True)
    produk = relationship(Produk, backref="ulasan")
    penyedia_id = Column(Integer, ForeignKey("penyedia.id"), nullable=False, index=True)
    pesanan_id = Column(Integer, ForeignKey("pesanan.id"), index=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False)
    user = relationship("PortalUser")
    bintang = Column(Integer, nullable=False)
    teks = Column(Text)
    created_at = Column(DateTime, nullable=False)

    __table_args__ = (CheckConstraint("bintang BETWEEN 1 AND 5", name="ck_ulasan_bintang"),)
