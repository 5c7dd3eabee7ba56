"""thread_messages: members' messages in the bot's discussion threads, once reported

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('thread_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=False),
    sa.Column('message_id', sa.String(length=64), nullable=False),
    sa.Column('thread_key', sa.String(length=100), nullable=False),
    sa.Column('author_id', sa.String(length=64), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('visible', 'taken_down', 'removed', 'kept', 'still_up')", name=op.f('ck_thread_messages_status')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_thread_messages_community_id_communities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_thread_messages')),
    sa.UniqueConstraint('platform', 'community_id', 'channel', 'message_id', name=op.f('uq_thread_messages_platform_community_id_channel_message_id')),
    )


def downgrade() -> None:
    op.drop_table('thread_messages')
