"""Variants and services managed by the Penyedia: a variant's own stock, active flags, the pending change

Revision ID: b7e4c2a91d5f
Revises: e234d22d760c
Create Date: 2026-12-01 13:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7e4c2a91d5f"
down_revision = "e234d22d760c"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("produk_varian", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stok", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("aktif", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.create_check_constraint("ck_produk_varian_stok", "stok IS NULL OR stok >= 0")

    with op.batch_alter_table("layanan_tambahan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("aktif", sa.Boolean(), server_default=sa.true(), nullable=False))

    op.create_table(
        "usulan_varian_layanan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("produk_id", sa.Integer(), nullable=False),
        sa.Column("isi", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["produk_id"], ["produk.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("produk_id"),
    )


def downgrade():
    op.drop_table("usulan_varian_layanan")

    with op.batch_alter_table("layanan_tambahan", schema=None) as batch_op:
        batch_op.drop_column("aktif")

    with op.batch_alter_table("produk_varian", schema=None) as batch_op:
        batch_op.drop_constraint("ck_produk_varian_stok", type_="check")
        batch_op.drop_column("aktif")
        batch_op.drop_column("stok")
