"""Response figures (waiting periods), away mode, saved replies and typing.

The waiting periods of the conversations already there are rebuilt from their messages:
no Space was away before this revision, so their response times are plain differences.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from datetime import timedelta

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects.mysql import BIGINT, DATETIME, SMALLINT

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = BIGINT(unsigned=True)
WHEN = DATETIME(fsp=6)
OPTS = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}
#: Periods written per INSERT while rebuilding them.
BATCH = 5000


def upgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.create_table(
        f"{p}response_periods",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("space_id", ID, nullable=False),
        sa.Column("conversation_id", ID, nullable=False),
        sa.Column("opened_at", WHEN, nullable=False),
        sa.Column("closed_at", WHEN, nullable=True),
        sa.Column("answered_by", ID, nullable=True),
        sa.Column("response_ms", BIGINT(unsigned=True), nullable=True),
        sa.Index(
            f"{p}response_periods_space", "space_id", "opened_at", "answered_by", "response_ms"
        ),
        sa.Index(f"{p}response_periods_conversation", "conversation_id", "closed_at"),
        **OPTS,
    )
    op.create_table(
        f"{p}space_settings",
        sa.Column("space_id", ID, primary_key=True, autoincrement=False),
        sa.Column("hours_enabled", SMALLINT, nullable=False, server_default="0"),
        sa.Column("hours", sa.Text, nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("away_message", sa.Text, nullable=False),
        sa.Column("reply_preset", sa.String(16), nullable=True),
        sa.Column("updated_at", WHEN, nullable=False),
        **OPTS,
    )
    op.create_table(
        f"{p}away_spells",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("space_id", ID, nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("ended_at", WHEN, nullable=True),
        sa.Index(f"{p}away_spells_space", "space_id", "started_at"),
        **OPTS,
    )
    op.create_table(
        f"{p}saved_replies",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("space_id", ID, nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("updated_by", ID, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Index(f"{p}saved_replies_space", "space_id", "title"),
        **OPTS,
    )
    op.create_table(
        f"{p}typing",
        sa.Column("conversation_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("until", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", "user_id"),
        **OPTS,
    )
    op.create_index(
        f"{p}conversations_space_waiting", f"{p}conversations", ["space_id", "awaiting_since"]
    )
    _rebuild_periods(p)


def _rebuild_periods(p: str) -> None:
    """Write the waiting periods of every conversation from its messages, in id order."""
    bind = op.get_bind()
    rows = bind.execution_options(stream_results=True).execute(
        sa.text(
            f"SELECT c.space_id, m.conversation_id, m.direction, m.author_id, m.created_at "
            f"FROM {p}messages m JOIN {p}conversations c ON c.id = m.conversation_id "
            f"ORDER BY m.conversation_id, m.id"
        )
    )
    insert = sa.text(
        f"INSERT INTO {p}response_periods "
        f"(space_id, conversation_id, opened_at, closed_at, answered_by, response_ms) "
        f"VALUES (:space_id, :conversation_id, :opened_at, :closed_at, :answered_by, :ms)"
    )
    batch: list[dict] = []
    waiting = None  # the open period of the conversation being read
    for row in rows:
        if waiting is not None and waiting["conversation_id"] != row.conversation_id:
            batch.append(waiting)
            waiting = None
        if row.direction == "member" and waiting is None:
            waiting = {
                "space_id": row.space_id,
                "conversation_id": row.conversation_id,
                "opened_at": row.created_at,
                "closed_at": None,
                "answered_by": None,
                "ms": None,
            }
        elif row.direction == "space" and waiting is not None:
            waited = row.created_at - waiting["opened_at"]
            waiting.update(
                closed_at=row.created_at,
                answered_by=row.author_id,
                ms=waited // timedelta(milliseconds=1),
            )
            batch.append(waiting)
            waiting = None
        if len(batch) >= BATCH:
            bind.execute(insert, batch)
            batch = []
    if waiting is not None:
        batch.append(waiting)
    if batch:
        bind.execute(insert, batch)


def downgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.drop_index(f"{p}conversations_space_waiting", f"{p}conversations")
    for name in ("typing", "saved_replies", "away_spells", "space_settings", "response_periods"):
        op.drop_table(f"{p}{name}")
