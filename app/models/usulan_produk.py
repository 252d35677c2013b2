"""A Penyedia's pending change to a product's variants and additional services (SPEC §3).

The live rows (ProdukVarian, LayananTambahan) are what the shops offer; what the Penyedia changes is
kept here as the list of changes, and only the Admin's approval of the product (catalog.PRODUK
"setujui") writes them to the live rows. A refusal leaves the live rows as they are.
"""

from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, ForeignKey, Integer, Text


class UsulanVarianLayanan(Model):
    __tablename__ = "usulan_varian_layanan"
    id = Column(Integer, primary_key=True)
    produk_id = Column(Integer, ForeignKey("produk.id", ondelete="CASCADE"), nullable=False, unique=True)
    # JSON {"varian": {key: change}, "layanan": {key: change}, "berikut": n}: key = a live row's id
    # (change = the fields that differ, or {"hapus": true}) or "baru-<n>" (change = every field of a new row)
    isi = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime)
