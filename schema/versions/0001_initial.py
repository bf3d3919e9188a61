"""The inbox tables: Spaces, their admins, conversations, messages, outbox, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects.mysql import BIGINT, DATETIME, INTEGER, SMALLINT

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = BIGINT(unsigned=True)
WHEN = DATETIME(fsp=6)
OPTS = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}


def upgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.create_table(
        f"{p}spaces",
        sa.Column("id", ID, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("slug", sa.String(200), nullable=False, server_default=""),
        sa.Column("url", sa.String(2048), nullable=False, server_default=""),
        sa.Column("avatar_url", sa.String(2048), nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False, server_default="active"),
        sa.Column("updated_at", WHEN, nullable=False),
        **OPTS,
    )
    op.create_table(
        f"{p}space_admins",
        sa.Column("space_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.PrimaryKeyConstraint("space_id", "user_id"),
        **OPTS,
    )
    op.create_index(f"{p}space_admins_user", f"{p}space_admins", ["user_id", "space_id"])
    op.create_table(
        f"{p}conversations",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("space_id", ID, nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("status", sa.String(8), nullable=False, server_default="open"),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("last_message_id", ID, nullable=True),
        sa.Column("last_message_at", WHEN, nullable=False),
        sa.Column("last_from", sa.String(8), nullable=True),
        sa.Column("last_excerpt", sa.String(200), nullable=False, server_default=""),
        sa.Column("member_unread", INTEGER(unsigned=True), nullable=False, server_default="0"),
        sa.Column("space_unread", INTEGER(unsigned=True), nullable=False, server_default="0"),
        sa.Column("member_read_id", ID, nullable=False, server_default="0"),
        sa.Column("space_read_id", ID, nullable=False, server_default="0"),
        sa.Column("first_message_at", WHEN, nullable=True),
        sa.Column("first_response_at", WHEN, nullable=True),
        sa.Column("awaiting_since", WHEN, nullable=True),
        sa.UniqueConstraint("space_id", "member_id", name=f"{p}conversations_pair"),
        **OPTS,
    )
    for name, columns in (
        ("member", ["member_id", "last_message_at", "id"]),
        ("member_unread", ["member_id", "member_unread"]),
        ("space", ["space_id", "last_message_at", "id"]),
        ("space_status", ["space_id", "status", "last_message_at", "id"]),
        ("space_unread", ["space_id", "space_unread"]),
    ):
        op.create_index(f"{p}conversations_{name}", f"{p}conversations", columns)
    op.create_table(
        f"{p}messages",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", ID, nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("author_id", ID, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("client_key", sa.String(64, collation="utf8mb4_bin"), nullable=False),
        sa.UniqueConstraint("author_id", "client_key", name=f"{p}messages_client_key"),
        **OPTS,
    )
    op.create_index(f"{p}messages_conversation", f"{p}messages", ["conversation_id", "id"])
    op.create_table(
        f"{p}outbox",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("conversation_id", ID, nullable=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("attempts", SMALLINT(unsigned=True), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", WHEN, nullable=False),
        sa.Column("delivered_at", WHEN, nullable=True),
        sa.Column("last_error", sa.String(255), nullable=True),
        **OPTS,
    )
    op.create_index(f"{p}outbox_due", f"{p}outbox", ["delivered_at", "next_attempt_at"])
    op.create_index(f"{p}outbox_conversation", f"{p}outbox", ["conversation_id"])
    op.create_table(
        f"{p}audit",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("space_id", ID, nullable=False),
        sa.Column("actor_id", ID, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("conversation_id", ID, nullable=True),
        sa.Column("detail", sa.String(255), nullable=False, server_default=""),
        sa.Column("created_at", WHEN, nullable=False),
        **OPTS,
    )
    op.create_index(f"{p}audit_space", f"{p}audit", ["space_id", "id"])
    op.create_table(
        f"{p}events_seen",
        sa.Column("id", sa.String(36, collation="utf8mb4_bin"), primary_key=True),
        sa.Column("received_at", WHEN, nullable=False),
        **OPTS,
    )
    op.create_index(f"{p}events_seen_received", f"{p}events_seen", ["received_at"])
    op.create_table(
        f"{p}user_flags",
        sa.Column("user_id", ID, primary_key=True, autoincrement=False),
        sa.Column("spam", SMALLINT, nullable=False, server_default="0"),
        sa.Column("updated_at", WHEN, nullable=False),
        **OPTS,
    )


def downgrade() -> None:
    p = context.config.attributes["own_prefix"]
    for name in (
        "user_flags",
        "events_seen",
        "audit",
        "outbox",
        "messages",
        "conversations",
        "space_admins",
        "spaces",
    ):
        op.drop_table(f"{p}{name}")
