"""letters: the signer's NIP and position, the verification code of signed documents

Revision ID: a7c3e9d1f4b2
Revises: b7e4c2a91d5f
Create Date: 2026-12-01 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e9d1f4b2'
down_revision = 'b7e4c2a91d5f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nip', sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column('jabatan', sa.String(length=120), nullable=True))

    with op.batch_alter_table('dokumen', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kode_verifikasi', sa.String(length=14), nullable=True))
        batch_op.create_index(batch_op.f('ix_dokumen_kode_verifikasi'), ['kode_verifikasi'], unique=False)


def downgrade():
    with op.batch_alter_table('dokumen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dokumen_kode_verifikasi'))
        batch_op.drop_column('kode_verifikasi')

    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.drop_column('jabatan')
        batch_op.drop_column('nip')
