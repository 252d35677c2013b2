"""The PP's Katalog cart (SPEC §6 step 1): lines kept between visits until they are checked out.

One line = a product, optionally one of its variants, a quantity and any of its additional
services. Prices are not copied here: the cart always shows today's catalogue price, and the
checkout takes the price at that moment.
"""

from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import relationship


class KeranjangKatalog(Model):
    __tablename__ = "keranjang_katalog"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True)
    # A product or variant that disappears from the catalogue takes its cart lines with it.
    produk_id = Column(Integer, ForeignKey("produk.id", ondelete="CASCADE"), nullable=False, index=True)
    produk = relationship("Produk")
    varian_id = Column(Integer, ForeignKey("produk_varian.id", ondelete="CASCADE"), index=True)
    varian = relationship("ProdukVarian")
    qty = Column(Integer, nullable=False)
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime)

    layanan = relationship(
        "KeranjangKatalogLayanan",
        back_populates="keranjang",
        cascade="all, delete-orphan",
        order_by="KeranjangKatalogLayanan.id",
    )

    __table_args__ = (CheckConstraint("qty > 0", name="ck_keranjang_katalog_qty"),)

    @property
    def harga_satuan(self):
        """Today's unit price: the variant's own price, else the product's."""
        return self.varian.harga if self.varian is not None else self.produk.harga

    @property
    def perkiraan(self):
        """Today's amount before taxes: unit price × qty, plus each chosen service once."""
        return self.harga_satuan * self.qty + sum(x.layanan.harga for x in self.layanan)

    @property
    def layanan_ids(self):
        return sorted(x.layanan_id for x in self.layanan)


class KeranjangKatalogLayanan(Model):
    """An additional service chosen on a cart line."""

    __tablename__ = "keranjang_katalog_layanan"
    id = Column(Integer, primary_key=True)
    keranjang_id = Column(Integer, ForeignKey("keranjang_katalog.id", ondelete="CASCADE"), nullable=False, index=True)
    keranjang = relationship(KeranjangKatalog, back_populates="layanan")
    layanan_id = Column(Integer, ForeignKey("layanan_tambahan.id", ondelete="CASCADE"), nullable=False, index=True)
    layanan = relationship("LayananTambahan")

    __table_args__ = (UniqueConstraint("keranjang_id", "layanan_id", name="uq_keranjang_katalog_layanan"),)
