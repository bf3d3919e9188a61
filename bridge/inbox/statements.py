"""The statements of the hot paths, built once per site: the header poll (every logged-in
page, every few seconds) and a message's send. A statement built once keeps its cache key,
so a request binds values only: building a select() and keying it anew costs more Python
than running it. Rows are read by column name."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import (
    CompoundSelect,
    Delete,
    Insert,
    Select,
    Update,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects.mysql import insert as mysql_insert

from bridge.storage.tables import Tables
from bridge.wordpress.auth import login_statement


@dataclass(frozen=True)
class SendStatements:
    """The statements of the busiest writes, a message and its notification jobs."""

    #: A Space as a member's message sees it, and whether it may be away (bound: space_id,
    #: member_id).
    space: Select
    #: The member's conversation with a Space, locked (``id`` None: none yet), whether it
    #: waits for an answer and whether the client key was used (bound: space_id,
    #: member_id, client_key).
    conversation: Select
    #: The conversation's row on the first message (values: its columns).
    first_message: Insert
    #: A message (values: its columns).
    message: Insert
    #: The conversation after a member's message, the Space's answer or the Space's
    #: automatic answer, which answers nothing (bound: conversation, message, at, text).
    after_member: Update
    after_space: Update
    after_automatic: Update
    #: A job per admin of a Space but one (bound: kind, conversation_id, prefix, at,
    #: space_id, except_id).
    team_jobs: Insert
    #: A member's message: those jobs, and a push job per device of those admins (bound:
    #: the same, and push_kind, push_prefix), in one statement.
    team_and_device_jobs: Insert
    #: A digest started for each admin of a Space but one who has none waiting (bound:
    #: space_id, except_id, audience, since_id, at).
    team_digests: Insert
    #: A message's words for search, and a waiting period opened (values: their columns).
    words: Insert
    period: Insert
    #: A Space's kept figures, forgotten (bound: space_id).
    forget_figures: Delete


@functools.cache
def send_statements(t: Tables) -> SendStatements:
    """Build the send path's statements once per site.

    A statement built once keeps its cache key, so a send binds values only: building
    a select() and keying it anew costs more Python than running it.
    """
    s, c, m, sa_, o = t.spaces, t.conversations, t.messages, t.space_admins, t.outbox
    ps = t.push_subscriptions
    member = bindparam("member_id", type_=c.c.member_id.type)
    spam = select(t.user_flags.c.spam).where(t.user_flags.c.user_id == member)
    blocked = exists().where(t.blocks.c.space_id == s.c.id, t.blocks.c.member_id == member)
    used = exists().where(m.c.author_id == member, m.c.client_key == bindparam("client_key"))
    at = bindparam("at", type_=c.c.last_message_at.type)
    spell = exists().where(t.away_spells.c.space_id == s.c.id, t.away_spells.c.ended_at.is_(None))
    settings = t.space_settings.c
    hours = select(settings.hours_enabled).where(settings.space_id == s.c.id)
    in_turn = select(settings.assign_in_turn).where(settings.space_id == s.c.id)
    last = {
        "last_message_id": bindparam("message"),
        "last_message_at": at,
        "last_excerpt": bindparam("text", type_=c.c.last_excerpt.type),
    }
    this = update(c).where(c.c.id == bindparam("conversation"))

    def jobs_of(kind: str, prefix: str, user, appended) -> Select:
        """A job's columns per row: the bound kind, the row's user, the conversation, the
        payload's JSON text (the bound prefix, then the row's *appended* id), its times."""
        return select(
            bindparam(kind, type_=o.c.kind.type),
            user,
            bindparam("conversation_id", type_=o.c.conversation_id.type),
            func.concat(bindparam(prefix, type_=o.c.payload.type), appended, "}"),
            at,
            at,
        )

    but_one = (sa_.c.space_id == bindparam("space_id"), sa_.c.user_id != bindparam("except_id"))
    team = (
        jobs_of("kind", "prefix", sa_.c.user_id, sa_.c.user_id)
        .where(*but_one)
        .order_by(sa_.c.user_id)
    )
    devices = (
        jobs_of("push_kind", "push_prefix", ps.c.user_id, ps.c.id)
        .join(sa_, sa_.c.user_id == ps.c.user_id)
        .where(*but_one)
    )
    jobs = ["kind", "user_id", "conversation_id", "payload", "created_at", "next_attempt_at"]
    return SendStatements(
        space=select(
            s.c.id,
            s.c.name,
            s.c.status,
            spam.scalar_subquery().label("member_spam"),
            blocked.label("member_blocked"),
            spell.label("away_spell"),
            func.coalesce(hours.scalar_subquery(), 0).label("hours_enabled"),
            func.coalesce(in_turn.scalar_subquery(), 0).label("assign_in_turn"),
        ).where(s.c.id == bindparam("space_id")),
        # One row even without a conversation (id NULL), for whether the key was used.
        conversation=select(c.c.id, c.c.awaiting_since, used.label("key_used"))
        .select_from(
            select(literal(1).label("one"))
            .subquery("one")
            .outerjoin(c, and_(c.c.space_id == bindparam("space_id"), c.c.member_id == member))
        )
        .with_for_update(),
        # A row written now gives its id (lastrowid); a racing twin's row found, 0.
        first_message=mysql_insert(c).on_duplicate_key_update(member_id=c.c.member_id),
        message=insert(m),
        after_member=this.values(
            **last,
            last_from="member",
            space_unread=c.c.space_unread + 1,
            status="open",
            first_message_at=func.coalesce(c.c.first_message_at, at),
            awaiting_since=func.coalesce(c.c.awaiting_since, at),
        ),
        after_space=this.values(
            **last,
            last_from="space",
            member_unread=c.c.member_unread + 1,
            first_response_at=func.coalesce(c.c.first_response_at, at),
            awaiting_since=None,
        ),
        after_automatic=this.values(**last, last_from="space", member_unread=c.c.member_unread + 1),
        team_jobs=insert(o).from_select(jobs, team),
        team_digests=mysql_insert(t.digests)
        .from_select(
            ["user_id", "space_id", "audience", "since_id", "starts_at"],
            select(
                sa_.c.user_id,
                sa_.c.space_id,
                bindparam("audience", type_=t.digests.c.audience.type),
                bindparam("since_id", type_=t.digests.c.since_id.type),
                at,
            ).where(
                sa_.c.space_id == bindparam("space_id"), sa_.c.user_id != bindparam("except_id")
            ),
        )
        .on_duplicate_key_update(since_id=t.digests.c.since_id),  # one waits: it takes this
        words=insert(t.message_words),
        period=insert(t.response_periods),
        forget_figures=delete(t.kept_figures).where(
            t.kept_figures.c.space_id == bindparam("space_id")
        ),
        team_and_device_jobs=insert(o).from_select(jobs, union_all(team, devices)),
    )


#: The ``kind`` of a row of :func:`header_statement`: the member's own, or a Space's.
MEMBER, SPACE = 0, 1


def header_statement(t: Tables) -> CompoundSelect:
    """The header badge in one statement: the cookie's user, and every count it shows.

    Bound parameter ``login``. The first row (``kind`` MEMBER) is
    :func:`bridge.wordpress.auth.login_statement`'s row (``ID``, ``user_pass``, ``sessions``,
    ``fingerprint``), which the caller checks the cookie against before using anything
    else, with the member's ``unread`` messages and ``conversations_unread``, from the
    counters. One row (``kind``
    SPACE) follows per active Space the user administers: ``space_id``, ``name``,
    ``unread``, in no order. No row at all: no such login.
    """
    u, c, sa, s = t.users, t.conversations, t.space_admins, t.spaces
    login = login_statement(t)
    mine = (c.c.member_id == u.c.ID, c.c.member_unread > 0)
    member = login.add_columns(
        literal(MEMBER).label("kind"),
        null().label("space_id"),
        null().label("name"),
        select(func.coalesce(func.sum(c.c.member_unread), 0))
        .where(*mine)
        .scalar_subquery()
        .label("unread"),
        select(func.count()).where(*mine).scalar_subquery().label("conversations_unread"),
    )
    space_unread = (
        select(func.coalesce(func.sum(c.c.space_unread), 0))
        .where(c.c.space_id == s.c.id, c.c.space_unread > 0)
        .scalar_subquery()
    )
    administered = (
        select(*(null(),) * 4, literal(SPACE), s.c.id, s.c.name, space_unread, literal(0))
        .select_from(u.join(sa, sa.c.user_id == u.c.ID).join(s, s.c.id == sa.c.space_id))
        .where(login.whereclause)
        .where(s.c.status == "active")
    )
    # No ORDER BY: sorting the union costs MariaDB a temporary table on every poll.
    return union_all(member, administered)
