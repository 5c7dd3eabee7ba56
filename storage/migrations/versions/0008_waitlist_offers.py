"""waitlist_offers: a freed seat offered to the first in line, until it is answered or expires

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('waitlist_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('offered_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'accepted', 'declined', 'expired', 'withdrawn')", name=op.f('ck_waitlist_offers_status')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_waitlist_offers_member_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_waitlist_offers_session_id_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_offers')),
    )
    with op.batch_alter_table('waitlist_offers', schema=None) as batch_op:
        batch_op.create_index('ix_waitlist_offers_due', ['status', 'expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_waitlist_offers_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_waitlist_offers_session_id'), ['session_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('waitlist_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waitlist_offers_session_id'))
        batch_op.drop_index(batch_op.f('ix_waitlist_offers_member_id'))
        batch_op.drop_index('ix_waitlist_offers_due')

    op.drop_table('waitlist_offers')
