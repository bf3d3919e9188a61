"""Presence: which admins are viewing a conversation, and which one is answering it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects.mysql import BIGINT, DATETIME

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ID = BIGINT(unsigned=True)
WHEN = DATETIME(fsp=6)
OPTS = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}


def upgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.create_table(
        f"{p}presence",
        sa.Column("conversation_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("viewing_until", WHEN, nullable=True),
        sa.Column("claim_until", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("conversation_id", "user_id"),
        **OPTS,
    )


def downgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.drop_table(f"{p}presence")
