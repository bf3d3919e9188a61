"""The tables of the notifications the bridge owns: the outbox (jobs for WordPress, and
pushes), the e-mail digests, each person's choices and their devices' push subscriptions
(:func:`bridge.storage.tables.tables` holds them with the rest)."""

from __future__ import annotations

from sqlalchemy import Column, Index, MetaData, PrimaryKeyConstraint, String, Table, Text
from sqlalchemy.dialects.mysql import BIGINT, DATETIME, SMALLINT

from bridge.limits import PUSH_AUTH_MAX, PUSH_KEY_MAX

ID = BIGINT(unsigned=True)
WHEN = DATETIME(fsp=6)
TABLE_OPTIONS = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}


def notification_tables(md: MetaData, p: str) -> None:
    """Define them on *md*, named with the bridge's own prefix *p*."""
    Table(
        f"{p}outbox",
        md,
        Column("id", ID, primary_key=True, autoincrement=True),
        Column("kind", String(32), nullable=False),
        Column("user_id", ID, nullable=False),
        # What the job is about, so that erasing a member can take their pending jobs.
        Column("conversation_id", ID, nullable=True),
        Column("payload", Text, nullable=False),
        Column("created_at", WHEN, nullable=False),
        Column("attempts", SMALLINT(unsigned=True), nullable=False, server_default="0"),
        Column("next_attempt_at", WHEN, nullable=False),
        Column("delivered_at", WHEN, nullable=True),
        Column("last_error", String(255), nullable=True),
        Index(f"{p}outbox_due", "delivered_at", "next_attempt_at"),
        Index(f"{p}outbox_conversation", "conversation_id"),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}digests",
        md,
        # An e-mail in the making to one person of a Space's "team" or its "member": what is
        # unread from since_id on, once the site's delay has passed since starts_at.
        Column("user_id", ID, nullable=False),
        Column("space_id", ID, nullable=False),
        Column("audience", String(8), nullable=False),
        Column("since_id", ID, nullable=False),
        Column("starts_at", WHEN, nullable=False),
        PrimaryKeyConstraint("user_id", "space_id", "audience"),
        Index(f"{p}digests_due", "starts_at"),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}notify_choices",
        md,
        # An admin's choice for a Space; a member's for every answer (space 0). None: the site's.
        Column("user_id", ID, nullable=False),
        Column("space_id", ID, nullable=False),
        Column("email", SMALLINT, nullable=False),
        Column("push", SMALLINT, nullable=False),
        Column("outside_hours", SMALLINT, nullable=False),
        Column("updated_at", WHEN, nullable=False),
        PrimaryKeyConstraint("user_id", "space_id"),
        **TABLE_OPTIONS,
    )
    Table(
        f"{p}push_subscriptions",
        md,
        # A device's Web Push subscription (RFC 8030): where to POST, the keys to encrypt
        # for (RFC 8291), and the login session it was made in (a verifier: SHA-256 of its
        # token), whose end ends it.
        Column("id", ID, primary_key=True, autoincrement=True),
        Column("user_id", ID, nullable=False),
        Column("endpoint", Text, nullable=False),
        Column("endpoint_hash", String(64), nullable=False),
        Column("p256dh", String(PUSH_KEY_MAX), nullable=False),
        Column("auth", String(PUSH_AUTH_MAX), nullable=False),
        Column("session", String(64), nullable=False),
        Column("created_at", WHEN, nullable=False),
        Index(f"{p}push_subscriptions_endpoint", "endpoint_hash", unique=True),
        Index(f"{p}push_subscriptions_user", "user_id"),
        **TABLE_OPTIONS,
    )
