"""Blocks (a Space refuses a member's messages) and rate-limit counters.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects.mysql import BIGINT, DATETIME, INTEGER

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = BIGINT(unsigned=True)
WHEN = DATETIME(fsp=6)
OPTS = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}


def upgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.create_table(
        f"{p}blocks",
        sa.Column("space_id", ID, nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("blocked_by", ID, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("space_id", "member_id"),
        **OPTS,
    )
    op.create_table(
        f"{p}rate_counters",
        sa.Column("key", sa.String(100, collation="utf8mb4_bin"), primary_key=True),
        sa.Column("window_start", BIGINT, nullable=False),
        sa.Column("count", INTEGER(unsigned=True), nullable=False),
        **OPTS,
    )


def downgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.drop_table(f"{p}rate_counters")
    op.drop_table(f"{p}blocks")
