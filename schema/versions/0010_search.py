"""Search: each message's words, prefixed with its Space, under a FULLTEXT index (a Space's
search touches only its own words); filled for the messages there are.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects.mysql import BIGINT

from bridge.inbox.search import words_of

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ID = BIGINT(unsigned=True)
OPTS = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}
#: Messages read and written per round while the existing ones are filled in.
BATCH = 5000


def upgrade() -> None:
    p = context.config.attributes["own_prefix"]
    table = op.create_table(
        f"{p}message_words",
        sa.Column("message_id", ID, primary_key=True, autoincrement=False),
        sa.Column("space_id", ID, nullable=False),
        sa.Column("conversation_id", ID, nullable=False),
        sa.Column("words", sa.Text, nullable=False),
        **OPTS,
    )
    op.create_index(f"{p}message_words_space", f"{p}message_words", ["space_id", "message_id"])
    bind = op.get_bind()
    meta = sa.MetaData()
    m = sa.Table(f"{p}messages", meta, autoload_with=bind)
    c = sa.Table(f"{p}conversations", meta, autoload_with=bind)
    after = 0
    while True:
        rows = bind.execute(
            sa.select(m.c.id, m.c.conversation_id, m.c.body, c.c.space_id)
            .join(c, c.c.id == m.c.conversation_id)
            .where(m.c.id > after)
            .order_by(m.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        bind.execute(
            table.insert(),
            [
                {
                    "message_id": r.id,
                    "space_id": r.space_id,
                    "conversation_id": r.conversation_id,
                    "words": words_of(r.space_id, r.body),
                }
                for r in rows
            ],
        )
        after = rows[-1].id
    # Built once the rows are in: faster than keeping it up to date row by row.
    op.execute(f"ALTER TABLE `{p}message_words` ADD FULLTEXT KEY `{p}message_words_words` (words)")


def downgrade() -> None:
    p = context.config.attributes["own_prefix"]
    op.drop_table(f"{p}message_words")
