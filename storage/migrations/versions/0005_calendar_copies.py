"""calendar copies: the SEQUENCE and ATTENDEE last sent to each member for each session

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_copies',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('attendee', sa.String(length=254), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_calendar_copies_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_calendar_copies_session_id_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'session_id', name=op.f('pk_calendar_copies'))
    )


def downgrade() -> None:
    op.drop_table('calendar_copies')
