"""Reports: a member reports a Space's answer to the site's moderators, who see who wrote it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects.mysql import BIGINT, DATETIME

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ID = BIGINT(unsigned=True)
WHEN = DATETIME(fsp=6)
OPTS = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}


def upgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.create_table(
        f"{p}reports",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("space_id", ID, nullable=False),
        sa.Column("conversation_id", ID, nullable=False),
        sa.Column("message_id", ID, nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("resolved_by", ID, nullable=True),
        sa.Column("resolved_at", WHEN, nullable=True),
        sa.Column("outcome", sa.String(255), nullable=False, server_default=""),
        sa.UniqueConstraint("member_id", "message_id", name=f"{p}reports_once"),
        **OPTS,
    )
    op.create_index(f"{p}reports_open", f"{p}reports", ["resolved_at", "id"])


def downgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.drop_table(f"{p}reports")
