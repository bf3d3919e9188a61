"""Web Push: each device's subscription (RFC 8030 endpoint, RFC 8291 keys) and the login
session it was made in, whose end ends it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects.mysql import BIGINT, DATETIME

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

ID = BIGINT(unsigned=True)


def upgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.create_table(
        f"{p}push_subscriptions",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("endpoint", sa.Text, nullable=False),
        sa.Column("endpoint_hash", sa.String(64), nullable=False),
        sa.Column("p256dh", sa.String(100), nullable=False),
        sa.Column("auth", sa.String(32), nullable=False),
        sa.Column("session", sa.String(64), nullable=False),
        sa.Column("created_at", DATETIME(fsp=6), nullable=False),
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
    )
    op.create_index(
        f"{p}push_subscriptions_endpoint",
        f"{p}push_subscriptions",
        ["endpoint_hash"],
        unique=True,
    )
    op.create_index(f"{p}push_subscriptions_user", f"{p}push_subscriptions", ["user_id"])


def downgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.drop_table(f"{p}push_subscriptions")
