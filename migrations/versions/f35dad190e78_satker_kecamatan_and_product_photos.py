"""The organisation's kecamatan (a new address starts there) and a product's further photos

Revision ID: f35dad190e78
Revises: 5c1e0a7d9b31
Create Date: 2026-12-01 14:50:27.938354

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f35dad190e78"
down_revision = '5c1e0a7d9b31'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "produk_foto",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("produk_id", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(length=255), nullable=False),
        sa.Column("urutan", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["produk_id"], ["produk.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("produk_foto", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_produk_foto_produk_id"), ["produk_id"], unique=False)

    with op.batch_alter_table("satker", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kecamatan_code", sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f("ix_satker_kecamatan_code"), ["kecamatan_code"], unique=False)
        batch_op.create_foreign_key("fk_satker_kecamatan_code", "wilayah", ["kecamatan_code"], ["code"])


def downgrade():
    with op.batch_alter_table("satker", schema=None) as batch_op:
        batch_op.drop_constraint("fk_satker_kecamatan_code", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_satker_kecamatan_code"))
        batch_op.drop_column("kecamatan_code")

    with op.batch_alter_table("produk_foto", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_produk_foto_produk_id"))

    op.drop_table("produk_foto")
