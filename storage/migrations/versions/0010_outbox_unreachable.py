"""outbox: DMs that cannot reach a member wait for them in the bot (unreachable, in_bot)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

BEFORE = "status IN ('pending', 'sent', 'failed', 'withdrawn')"
AFTER = "status IN ('pending', 'sent', 'failed', 'withdrawn', 'unreachable', 'in_bot')"


def _status_check(allowed: str) -> None:
    with op.batch_alter_table('outbox', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_status'), type_='check')
        batch_op.create_check_constraint('status', allowed)


def upgrade() -> None:
    _status_check(AFTER)


def downgrade() -> None:
    op.execute("UPDATE outbox SET status = 'failed' WHERE status = 'unreachable'")
    op.execute("UPDATE outbox SET status = 'sent' WHERE status = 'in_bot'")
    _status_check(BEFORE)
