"""New conversations given in turn to the admins present in a Space's inbox, where the
Space asks for it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects.mysql import BIGINT, DATETIME, SMALLINT

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ID = BIGINT(unsigned=True)
WHEN = DATETIME(fsp=6)
OPTS = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}


def upgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.add_column(
        f"{p}space_settings",
        sa.Column("assign_in_turn", SMALLINT, nullable=False, server_default="0"),
    )
    op.create_table(
        f"{p}on_duty",
        sa.Column("space_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("here_until", WHEN, nullable=True),
        sa.Column("last_assigned_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("space_id", "user_id"),
        **OPTS,
    )


def downgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.drop_table(f"{p}on_duty")
    op.drop_column(f"{p}space_settings", "assign_in_turn")
