"""outbox: a priority (OTP and password links before bulk notifications), in the claim index

Revision ID: c5d1e8f04a17
Revises: 58df31ad8e1c
Create Date: 2026-12-01 15:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5d1e8f04a17'
down_revision = '58df31ad8e1c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('email_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.Integer(), server_default='1', nullable=False))
        batch_op.drop_index('ix_outbox_status_next')
        batch_op.create_index('ix_outbox_status_next', ['status', 'priority', 'next_attempt_at'], unique=False)
    op.execute(
        "UPDATE email_outbox SET priority = 0 WHERE idempotency_key LIKE 'otp:%' "
        "OR idempotency_key LIKE 'set_password:%' OR idempotency_key LIKE 'reset_password:%'"
    )


def downgrade():
    with op.batch_alter_table('email_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_status_next')
        batch_op.create_index('ix_outbox_status_next', ['status', 'next_attempt_at'], unique=False)
        batch_op.drop_column('priority')
