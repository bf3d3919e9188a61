"""Hidden answers: the site's moderators hide a reported answer from the member (and show it
again); the report keeps who did it and when.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects.mysql import BIGINT, DATETIME

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.add_column(f"{p}reports", sa.Column("hidden_at", DATETIME(fsp=6), nullable=True))
    op.add_column(f"{p}reports", sa.Column("hidden_by", BIGINT(unsigned=True), nullable=True))
    op.create_index(f"{p}reports_message", f"{p}reports", ["message_id"])


def downgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.drop_index(f"{p}reports_message", f"{p}reports")
    op.drop_column(f"{p}reports", "hidden_by")
    op.drop_column(f"{p}reports", "hidden_at")
