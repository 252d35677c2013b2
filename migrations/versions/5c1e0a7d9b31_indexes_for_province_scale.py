"""indexes for province scale: order lines by product, orders by satker/supplier/status/date, running
deadlines by due time, audit by time; on PostgreSQL pg_trgm GIN indexes for the shop's keyword search

Revision ID: 5c1e0a7d9b31
Revises: da6c2d8ffe46
Create Date: 2026-12-01 15:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "5c1e0a7d9b31"
down_revision = 'da6c2d8ffe46'
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_pesanan_satker_created", "pesanan", ["satker_id", "created_at"]),
    ("ix_pesanan_penyedia_created", "pesanan", ["penyedia_id", "created_at"]),
    ("ix_pesanan_status_created", "pesanan", ["status", "created_at"]),
    ("ix_pesanan_created", "pesanan", ["created_at"]),
    ("ix_pesanan_item_produk", "pesanan_item", ["produk_id"]),
    ("ix_katalog_satker_created", "pesanan_katalog", ["satker_id", "created_at"]),
    ("ix_katalog_penyedia_created", "pesanan_katalog", ["penyedia_id", "created_at"]),
    ("ix_katalog_status_created", "pesanan_katalog", ["status", "created_at"]),
    ("ix_katalog_created", "pesanan_katalog", ["created_at"]),
    ("ix_katalog_item_produk", "pesanan_katalog_item", ["produk_id"]),
    ("ix_audit_at", "audit_log", ["at"]),
    ("ix_produk_created", "produk", ["created_at"]),
    ("ix_produk_harga", "produk", ["harga"]),
]
# substring search (ILIKE/LIKE '%kw%' on lower(nama)) served by trigram indexes; PostgreSQL only
TRGM = [("ix_produk_nama_trgm", "produk"), ("ix_penyedia_nama_trgm", "penyedia")]


def upgrade():
    for name, table, cols in INDEXES:
        op.create_index(name, table, cols)
    op.create_index(
        "ix_deadline_aktif_due",
        "deadline",
        ["due_at"],
        sqlite_where=sa.text("status = 'aktif'"),
        postgresql_where=sa.text("status = 'aktif'"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table in TRGM:
            op.execute(f"CREATE INDEX {name} ON {table} USING gin (lower(nama) gin_trgm_ops)")
    else:  # SQLite: the same index name on the same expression (a plain b-tree; the scan stays simple)
        for name, table in TRGM:
            op.execute(f"CREATE INDEX {name} ON {table} (lower(nama))")


def downgrade():
    for name, _table in TRGM:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.drop_index("ix_deadline_aktif_due", table_name="deadline")
    for name, table, _cols in reversed(INDEXES):
        op.drop_index(name, table_name=table)
