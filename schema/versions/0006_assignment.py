"""Assignment: a conversation may be assigned to one admin of its Space.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects.mysql import BIGINT

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    p = context.config.attributes["own_prefix"]
    table = f"{p}conversations"
    op.add_column(table, sa.Column("assignee_id", BIGINT(unsigned=True), nullable=True))
    op.create_index(
        f"{p}conversations_space_assignee",
        table,
        ["space_id", "assignee_id", "last_message_at", "id"],
    )


def downgrade() -> None:
    p = context.config.attributes["own_prefix"]
    table = f"{p}conversations"
    op.drop_index(f"{p}conversations_space_assignee", table)
    op.drop_column(table, "assignee_id")
