"""Labels: a Space's own labels (a name and a colour), set on its conversations.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects.mysql import BIGINT, DATETIME

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ID = BIGINT(unsigned=True)
WHEN = DATETIME(fsp=6)
OPTS = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}


def upgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.create_table(
        f"{p}labels",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("space_id", ID, nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("colour", sa.String(16), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.UniqueConstraint("space_id", "name", name=f"{p}labels_name"),
        **OPTS,
    )
    op.create_table(
        f"{p}conversation_labels",
        sa.Column("conversation_id", ID, nullable=False),
        sa.Column("label_id", ID, nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", "label_id"),
        **OPTS,
    )
    op.create_index(
        f"{p}conversation_labels_label",
        f"{p}conversation_labels",
        ["label_id", "conversation_id"],
    )


def downgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.drop_table(f"{p}conversation_labels")
    op.drop_table(f"{p}labels")
