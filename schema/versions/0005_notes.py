"""Private notes: a Space's team writes inside a conversation for the team only.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects.mysql import BIGINT, DATETIME

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ID = BIGINT(unsigned=True)
WHEN = DATETIME(fsp=6)
OPTS = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}


def upgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.create_table(
        f"{p}notes",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("space_id", ID, nullable=False),
        sa.Column("conversation_id", ID, nullable=False),
        sa.Column("author_id", ID, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("client_key", sa.String(64, collation="utf8mb4_bin"), nullable=False),
        sa.UniqueConstraint("author_id", "client_key", name=f"{p}notes_client_key"),
        **OPTS,
    )
    op.create_index(f"{p}notes_conversation", f"{p}notes", ["conversation_id", "created_at"])


def downgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.drop_table(f"{p}notes")
