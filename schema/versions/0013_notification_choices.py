"""E-mail that respects attention: digests (one e-mail in the making per person, Space and
side, listing what is still unread when the site's delay has passed) and each person's
choices of how to be told (no row: the site's defaults).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects.mysql import BIGINT, DATETIME, SMALLINT

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

ID = BIGINT(unsigned=True)
OPTIONS = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}


def upgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.create_table(
        f"{p}digests",
        sa.Column("user_id", ID, nullable=False),
        sa.Column("space_id", ID, nullable=False),
        sa.Column("audience", sa.String(8), nullable=False),
        sa.Column("since_id", ID, nullable=False),
        sa.Column("starts_at", DATETIME(fsp=6), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "space_id", "audience"),
        **OPTIONS,
    )
    op.create_index(f"{p}digests_due", f"{p}digests", ["starts_at"])
    op.create_table(
        f"{p}notify_choices",
        sa.Column("user_id", ID, nullable=False),
        sa.Column("space_id", ID, nullable=False),
        sa.Column("email", SMALLINT, nullable=False),
        sa.Column("push", SMALLINT, nullable=False),
        sa.Column("outside_hours", SMALLINT, nullable=False),
        sa.Column("updated_at", DATETIME(fsp=6), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "space_id"),
        **OPTIONS,
    )


def downgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.drop_table(f"{p}notify_choices")
    op.drop_table(f"{p}digests")
