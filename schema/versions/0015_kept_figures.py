"""Kept figures: a Space's response figures made once from its month of waiting periods
and kept until they change or are a minute old (the public response time and the team's
Dashboard read them).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects.mysql import BIGINT, DATETIME, MEDIUMTEXT

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.create_table(
        f"{p}kept_figures",
        sa.Column("space_id", BIGINT(unsigned=True), primary_key=True, autoincrement=False),
        sa.Column("figures", MEDIUMTEXT, nullable=False),
        sa.Column("told", sa.Text, nullable=False),
        sa.Column("made_at", DATETIME(fsp=6), nullable=False),
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
    )


def downgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.drop_table(f"{p}kept_figures")
