"""The tables the bridge reads and owns, for one WordPress table prefix.

WordPress' own tables (users, usermeta, options) are read only. The ``spaceinbox_*``
tables are created by the migrations in ``schema/``; a test compares the two so that
they cannot drift apart. The notifications' tables are defined in
:mod:`bridge.storage.notify_tables`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.mysql import BIGINT, INTEGER, LONGTEXT, MEDIUMTEXT, SMALLINT

from bridge.storage.notify_tables import ID, TABLE_OPTIONS, WHEN, notification_tables


@dataclass(frozen=True)
class Tables:
    """Every table of one site, named with its prefix."""

    metadata: MetaData
    users: Table
    usermeta: Table
    options: Table
    spaces: Table
    space_admins: Table
    conversations: Table
    messages: Table
    outbox: Table
    audit: Table
    events_seen: Table
    requests_seen: Table
    user_flags: Table
    blocks: Table
    rate_counters: Table
    response_periods: Table
    kept_figures: Table
    space_settings: Table
    away_spells: Table
    saved_replies: Table
    typing: Table
    notes: Table
    presence: Table
    on_duty: Table
    labels: Table
    conversation_labels: Table
    message_words: Table
    reports: Table
    digests: Table
    notify_choices: Table
    push_subscriptions: Table


def own(prefix: str) -> str:
    """Return the name prefix of the bridge's own tables."""
    return f"{prefix}spaceinbox_"


@functools.cache
def tables(prefix: str) -> Tables:
    """Return the tables for a WordPress ``$table_prefix``, each under its name without it."""
    md = MetaData()
    p = own(prefix)
    Table(
        f"{prefix}users",
        md,
        Column("ID", ID, primary_key=True),
        Column("user_login", String(60)),
        Column("user_pass", String(255)),
        Column("user_nicename", String(50)),
        Column("user_email", String(100)),
        Column("display_name", String(250)),
        Column("user_status", INTEGER),
        info={"wordpress": True},
    )
    Table(
        f"{prefix}usermeta",
        md,
        Column("umeta_id", ID, primary_key=True),
        Column("user_id", ID),
        Column("meta_key", String(255)),
        Column("meta_value", LONGTEXT),
        info={"wordpress": True},
    )
    Table(
        f"{prefix}options",
        md,
        Column("option_id", ID, primary_key=True),
        Column("option_name", String(191)),
        Column("option_value", LONGTEXT),
        info={"wordpress": True},
    )
    Table(
        f"{p}spaces",
        md,
        Column("id", ID, primary_key=True, autoincrement=False),  # its WordPress post id
        Column("name", String(255), nullable=False),
        Column("slug", String(200), nullable=False, server_default=""),
        Column("url", String(2048), nullable=False, server_default=""),
        Column("avatar_url", String(2048), nullable=False, server_default=""),
        Column("status", String(16), nullable=False, server_default="active"),
        Column("updated_at", WHEN, nullable=False),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}space_admins",
        md,
        Column("space_id", ID, nullable=False),
        Column("user_id", ID, nullable=False),
        PrimaryKeyConstraint("space_id", "user_id"),
        Index(f"{p}space_admins_user", "user_id", "space_id"),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}conversations",
        md,
        Column("id", ID, primary_key=True, autoincrement=True),
        Column("space_id", ID, nullable=False),
        Column("member_id", ID, nullable=False),
        Column("status", String(8), nullable=False, server_default="open"),
        Column("created_at", WHEN, nullable=False),
        Column("last_message_id", ID, nullable=True),
        Column("last_message_at", WHEN, nullable=False),
        Column("last_from", String(8), nullable=True),
        Column("last_excerpt", String(200), nullable=False, server_default=""),
        # Unread counters: messages from the other side after this side's read mark.
        Column("member_unread", INTEGER(unsigned=True), nullable=False, server_default="0"),
        Column("space_unread", INTEGER(unsigned=True), nullable=False, server_default="0"),
        Column("member_read_id", ID, nullable=False, server_default="0"),
        Column("space_read_id", ID, nullable=False, server_default="0"),
        # When the member first wrote, the Space first answered, a message waits since.
        Column("first_message_at", WHEN, nullable=True),
        Column("first_response_at", WHEN, nullable=True),
        Column("awaiting_since", WHEN, nullable=True),
        # The admin of the Space it is assigned to; NULL: left to the team.
        Column("assignee_id", ID, nullable=True),
        UniqueConstraint("space_id", "member_id", name=f"{p}conversations_pair"),
        Index(f"{p}conversations_member", "member_id", "last_message_at", "id"),
        Index(f"{p}conversations_member_unread", "member_id", "member_unread"),
        Index(f"{p}conversations_space", "space_id", "last_message_at", "id"),
        Index(f"{p}conversations_space_status", "space_id", "status", "last_message_at", "id"),
        Index(f"{p}conversations_space_unread", "space_id", "space_unread"),
        Index(f"{p}conversations_space_waiting", "space_id", "awaiting_since"),
        Index(
            f"{p}conversations_space_assignee", "space_id", "assignee_id", "last_message_at", "id"
        ),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}messages",
        md,
        Column("id", ID, primary_key=True, autoincrement=True),
        Column("conversation_id", ID, nullable=False),
        # "member": from the member to the Space; "space": the Space's answer.
        Column("direction", String(8), nullable=False),
        # The WordPress user who wrote it: the audit label of a Space message.
        Column("author_id", ID, nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", WHEN, nullable=False),
        Column("client_key", String(64, collation="utf8mb4_bin"), nullable=False),
        UniqueConstraint("author_id", "client_key", name=f"{p}messages_client_key"),
        Index(f"{p}messages_conversation", "conversation_id", "id"),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}audit",
        md,
        Column("id", ID, primary_key=True, autoincrement=True),
        Column("space_id", ID, nullable=False),
        Column("actor_id", ID, nullable=False),
        Column("action", String(32), nullable=False),
        Column("conversation_id", ID, nullable=True),
        Column("detail", String(255), nullable=False, server_default=""),
        Column("created_at", WHEN, nullable=False),
        Index(f"{p}audit_space", "space_id", "id"),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}events_seen",
        md,
        Column("id", String(36, collation="utf8mb4_bin"), primary_key=True),
        Column("received_at", WHEN, nullable=False),
        Index(f"{p}events_seen_received", "received_at"),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}requests_seen",
        md,
        Column("id", String(32, collation="utf8mb4_bin"), primary_key=True),
        Column("received_at", WHEN, nullable=False),
        Index(f"{p}requests_seen_received", "received_at"),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}user_flags",
        md,
        Column("user_id", ID, primary_key=True, autoincrement=False),
        Column("spam", SMALLINT, nullable=False, server_default="0"),
        Column("updated_at", WHEN, nullable=False),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}blocks",
        md,
        Column("space_id", ID, nullable=False),
        Column("member_id", ID, nullable=False),
        # Which admin blocked: for the audit, never shown to the member.
        Column("blocked_by", ID, nullable=False),
        Column("created_at", WHEN, nullable=False),
        PrimaryKeyConstraint("space_id", "member_id"),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}rate_counters",
        md,
        Column("key", String(100, collation="utf8mb4_bin"), primary_key=True),
        # Fixed windows: the window's number (unix time // window length) and its count.
        Column("window_start", BIGINT, nullable=False),
        Column("count", INTEGER(unsigned=True), nullable=False),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}response_periods",
        md,
        # A waiting period: opened by a member's message after the Space's last answer (or
        # by the first), closed by the Space's next answer. The response figures' rows.
        Column("id", ID, primary_key=True, autoincrement=True),
        Column("space_id", ID, nullable=False),
        Column("conversation_id", ID, nullable=False),
        Column("opened_at", WHEN, nullable=False),
        Column("closed_at", WHEN, nullable=True),
        # The admin whose answer closed it (the audit; team figures only).
        Column("answered_by", ID, nullable=True),
        # Milliseconds from opened to closed, less the Space's away time between them.
        Column("response_ms", BIGINT(unsigned=True), nullable=True),
        # Covers every column the figures read: no row is looked up by its key.
        Index(f"{p}response_periods_space", "space_id", "opened_at", "answered_by", "response_ms"),
        Index(f"{p}response_periods_conversation", "conversation_id", "closed_at"),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}kept_figures",
        md,
        # A Space's figures made from its month of periods (bridge.inbox.kept_figures): kept
        # until its periods or away rules change, or they are a minute old.
        Column("space_id", ID, primary_key=True, autoincrement=False),
        Column("figures", MEDIUMTEXT, nullable=False),
        # What members are told (the public response time), read alone on every Space page.
        Column("told", Text, nullable=False),
        Column("made_at", WHEN, nullable=False),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}space_settings",
        md,
        Column("space_id", ID, primary_key=True, autoincrement=False),
        # Away outside the weekly opening hours (JSON: weekday -> [[open, close], ...]).
        Column("hours_enabled", SMALLINT, nullable=False, server_default="0"),
        Column("hours", Text, nullable=False),
        Column("timezone", String(64), nullable=False),
        Column("away_message", Text, nullable=False),
        # What "Typically replies within ..." says until the figures are enough.
        Column("reply_preset", String(16), nullable=True),
        # New conversations are given, in turn, to the admins present in the inbox.
        Column("assign_in_turn", SMALLINT, nullable=False, server_default="0"),
        Column("updated_at", WHEN, nullable=False),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}away_spells",
        md,
        # The times the team set the Space away by hand; ended_at NULL: away now.
        Column("id", ID, primary_key=True, autoincrement=True),
        Column("space_id", ID, nullable=False),
        Column("started_at", WHEN, nullable=False),
        Column("ended_at", WHEN, nullable=True),
        Index(f"{p}away_spells_space", "space_id", "started_at"),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}saved_replies",
        md,
        Column("id", ID, primary_key=True, autoincrement=True),
        Column("space_id", ID, nullable=False),
        Column("title", String(100), nullable=False),
        Column("body", Text, nullable=False),
        Column("updated_by", ID, nullable=False),
        Column("updated_at", WHEN, nullable=False),
        Index(f"{p}saved_replies_space", "space_id", "title"),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}typing",
        md,
        # An admin typing an answer, until a few seconds after their last keystroke.
        Column("conversation_id", ID, nullable=False),
        Column("user_id", ID, nullable=False),
        Column("until", WHEN, nullable=False),
        PrimaryKeyConstraint("conversation_id", "user_id"),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}notes",
        md,
        # A private note of the Space's team inside a conversation: never the member's to
        # read (a table of its own, which no member's read touches).
        Column("id", ID, primary_key=True, autoincrement=True),
        Column("space_id", ID, nullable=False),
        Column("conversation_id", ID, nullable=False),
        Column("author_id", ID, nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", WHEN, nullable=False),
        Column("client_key", String(64, collation="utf8mb4_bin"), nullable=False),
        UniqueConstraint("author_id", "client_key", name=f"{p}notes_client_key"),
        Index(f"{p}notes_conversation", "conversation_id", "created_at"),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}presence",
        md,
        # An admin at a conversation: viewing it (renewed while their page shows it), and
        # answering it (a soft claim: renewed while they type, released when they send or
        # leave). NULL or past: not so.
        Column("conversation_id", ID, nullable=False),
        Column("user_id", ID, nullable=False),
        Column("viewing_until", WHEN, nullable=True),
        Column("claim_until", WHEN, nullable=True),
        PrimaryKeyConstraint("conversation_id", "user_id"),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}on_duty",
        md,
        # An admin with the Space's team inbox open (until here_until), and when they were
        # last given a new conversation in turn.
        Column("space_id", ID, nullable=False),
        Column("user_id", ID, nullable=False),
        Column("here_until", WHEN, nullable=True),
        Column("last_assigned_at", WHEN, nullable=True),
        PrimaryKeyConstraint("space_id", "user_id"),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}labels",
        md,
        # A Space's own label: its team sets it on conversations and filters the list by it.
        Column("id", ID, primary_key=True, autoincrement=True),
        Column("space_id", ID, nullable=False),
        Column("name", String(40), nullable=False),
        Column("colour", String(16), nullable=False),
        Column("created_at", WHEN, nullable=False),
        UniqueConstraint("space_id", "name", name=f"{p}labels_name"),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}conversation_labels",
        md,
        Column("conversation_id", ID, nullable=False),
        Column("label_id", ID, nullable=False),
        PrimaryKeyConstraint("conversation_id", "label_id"),
        Index(f"{p}conversation_labels_label", "label_id", "conversation_id"),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}message_words",
        md,
        # A message's words for search, each prefixed with its Space ("s12_delivery"): the
        # FULLTEXT index then finds a Space's words only (bridge/inbox/search.py).
        Column("message_id", ID, primary_key=True, autoincrement=False),
        Column("space_id", ID, nullable=False),
        Column("conversation_id", ID, nullable=False),
        Column("words", Text, nullable=False),
        Index(f"{p}message_words_space", "space_id", "message_id"),
        Index(f"{p}message_words_words", "words", mysql_prefix="FULLTEXT"),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}reports",
        md,
        # A member's report of a Space's answer to the site's moderators (who see its
        # author, may hide it from the member); closed by a moderator with an outcome.
        Column("id", ID, primary_key=True, autoincrement=True),
        Column("space_id", ID, nullable=False),
        Column("conversation_id", ID, nullable=False),
        Column("message_id", ID, nullable=False),
        Column("member_id", ID, nullable=False),
        Column("reason", String(16), nullable=False),
        Column("details", Text, nullable=False),
        Column("created_at", WHEN, nullable=False),
        Column("resolved_by", ID, nullable=True),
        Column("resolved_at", WHEN, nullable=True),
        Column("outcome", String(255), nullable=False, server_default=""),
        # The moderator who hid the answer from the member, and when (null: shown).
        Column("hidden_at", WHEN, nullable=True),
        Column("hidden_by", ID, nullable=True),
        UniqueConstraint("member_id", "message_id", name=f"{p}reports_once"),
        Index(f"{p}reports_open", "resolved_at", "id"),
        Index(f"{p}reports_message", "message_id"),
        **TABLE_OPTIONS,
    )
    notification_tables(md, p)
    named = {t.name.removeprefix(p).removeprefix(prefix): t for t in md.tables.values()}
    return Tables(md, **named)
