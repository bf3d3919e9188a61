"""The request ids of signed calls between the plugin and the bridge, kept while their
timestamps are fresh, so that a captured call cannot be made again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects.mysql import DATETIME

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

WHEN = DATETIME(fsp=6)
OPTS = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}


def upgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.create_table(
        f"{p}requests_seen",
        sa.Column("id", sa.String(32, collation="utf8mb4_bin"), primary_key=True),
        sa.Column("received_at", WHEN, nullable=False),
        **OPTS,
    )
    op.create_index(f"{p}requests_seen_received", f"{p}requests_seen", ["received_at"])


def downgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.drop_table(f"{p}requests_seen")
