"""summary_pages: a summary's web page is public or unlisted behind a secret token

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('summaries') as batch:
        batch.add_column(
            sa.Column('page_public', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column('page_token', sa.String(length=64), nullable=True))
        batch.create_unique_constraint(batch.f('uq_summaries_page_token'), ['page_token'])


def downgrade() -> None:
    with op.batch_alter_table('summaries') as batch:
        batch.drop_constraint(batch.f('uq_summaries_page_token'), type_='unique')
        batch.drop_column('page_token')
        batch.drop_column('page_public')
