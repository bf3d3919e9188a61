"""The inbox rules: who may read and write which conversation, and what a write does.

Functions take a session and plain values, raise :class:`InboxError` subclasses and
never commit: the caller owns the transaction. Nothing here knows HTTP.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    CompoundSelect,
    Insert,
    Row,
    Select,
    Update,
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
from sqlalchemy.orm import Session

from bridge.auth import is_digits, login_statement
from bridge.db import tables_of
from bridge.limits import Limiter
from bridge.tables import Tables

BODY_MAX = 2000
EXCERPT_LEN = 140
CLIENT_KEY = re.compile(r"[A-Za-z0-9._:-]{1,64}")
STATUSES = ("open", "done")
#: WordPress ids and ours are BIGINT UNSIGNED.
MAX_ID = 2**64 - 1
#: How long event ids are remembered; a signed call older than a few minutes is refused
#: anyway, so a day is ample protection against replays.
EVENT_MEMORY = timedelta(days=1)


class InboxError(Exception):
    """A request the inbox rules refuse; ``code`` is stable, ``message`` is for people."""

    def __init__(self, code: str, message: str, description: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.description = description


class BadInput(InboxError):
    """The input is malformed."""


class TooLong(InboxError):
    """The input is longer than allowed."""


class NotFound(InboxError):
    """No such thing, or not visible to this caller."""


class Forbidden(InboxError):
    """The caller may not do this."""


class Conflict(InboxError):
    """The request conflicts with what is stored."""


class Gone(InboxError):
    """The Space was deleted: its history stays, it takes no new messages."""


class RateLimited(InboxError):
    """Too many messages too fast; ``retry_after`` says how many seconds to wait."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "rate_limited",
            "You are sending messages too fast. Please wait a little.",
            f"Try again in {retry_after} seconds.",
        )
        self.retry_after = retry_after


@dataclass
class Viewer:
    """The verified WordPress user making a request."""

    id: int
    site_admin_check: Callable[[], bool] = field(default=lambda: False, repr=False)

    @functools.cached_property
    def is_site_admin(self) -> bool:
        """Whether the user manages the whole site (may oversee every Space inbox)."""
        return self.site_admin_check()


def utcnow() -> datetime:
    """Return the current UTC time, naive, as the database stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


# -- input -------------------------------------------------------------------------------


def clean_body(value: object) -> str:
    """Return a message body trimmed and checked: 1 to 2,000 characters, no control characters."""
    if not isinstance(value, str):
        raise BadInput("invalid_body", "The message must be text.")
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    for ch in text:
        category = unicodedata.category(ch)
        # Lone surrogates cannot be stored; other control characters have no place
        # in a short text message. Line breaks and tabs are text. Checked before
        # trimming, because strip() would quietly drop some of them at the ends.
        if category == "Cs" or (category == "Cc" and ch not in "\n\t"):
            raise BadInput(
                "invalid_characters",
                "The message contains control characters.",
                f"U+{ord(ch):04X} is not allowed.",
            )
    text = text.strip()
    if not text:
        raise BadInput("empty_body", "The message is empty.")
    if len(text) > BODY_MAX:
        raise TooLong(
            "body_too_long",
            f"The message is longer than {BODY_MAX} characters.",
            f"It has {len(text)} characters.",
        )
    return text


def clean_client_key(value: object) -> str:
    """Return a client key: 1 to 64 of letters, digits and ``._:-`` (a UUID fits)."""
    if not isinstance(value, str) or not CLIENT_KEY.fullmatch(value):
        raise BadInput(
            "invalid_client_key",
            "client_key must be 1 to 64 letters, digits, dots, colons, dashes or underscores.",
        )
    return value


def clean_status(value: object) -> str:
    """Return a conversation status, 'open' or 'done'."""
    if value not in STATUSES:
        raise BadInput("invalid_status", "status must be 'open' or 'done'.")
    return str(value)


def encode_cursor(when: datetime, row_id: int) -> str:
    """Return an opaque keyset cursor for a (time, id) position."""
    raw = f"{when.strftime('%Y%m%d%H%M%S%f')}.{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """Return the (time, id) position of a cursor from :func:`encode_cursor`."""
    try:
        if len(cursor) > 64:
            raise ValueError
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        stamp, row_id = raw.split(".")
        if not is_digits(row_id) or len(row_id) > 20:
            raise ValueError
        return datetime.strptime(stamp, "%Y%m%d%H%M%S%f"), int(row_id)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadInput("invalid_cursor", "The cursor is not one this API gave out.") from exc


def excerpt(body: str) -> str:
    """Return the first line-folded characters of a body, for lists and notifications."""
    flat = " ".join(body.split())
    return flat if len(flat) <= EXCERPT_LEN else flat[: EXCERPT_LEN - 1] + "…"


# -- Spaces and scoping ------------------------------------------------------------------


def get_space(session: Session, space_id: int) -> Row | None:
    """Return a Space row, active or deleted."""
    spaces = tables_of(session).spaces
    return session.execute(select(spaces).where(spaces.c.id == space_id)).first()


def is_space_admin(session: Session, user_id: int, space_id: int) -> bool:
    """Whether a user is on a Space's current team."""
    sa_ = tables_of(session).space_admins
    return (
        session.execute(
            select(sa_.c.user_id).where(sa_.c.space_id == space_id, sa_.c.user_id == user_id)
        ).first()
        is not None
    )


def sending_space_or_404(session: Session, space_id: int, member_id: int) -> Row:
    """Return what a member's message to a Space must know of it, in one read: ``id``,
    ``name``, ``status``, ``member_spam`` and ``member_blocked``.

    Any Space the bridge knows is found, even a deleted one, as by
    :func:`member_space_or_404`.
    """
    statement = _send_statements(tables_of(session)).space
    found = session.execute(statement, {"space_id": space_id, "member_id": member_id})
    return _known_space(found.first())


def member_space_or_404(session: Session, space_id: int) -> Row:
    """Return a Space a member may look at: any Space the bridge knows, even a deleted one."""
    return _known_space(get_space(session, space_id))


def _known_space(space: Row | None) -> Row:
    if space is None:
        raise NotFound("space_not_found", "There is no such Space.")
    return space


def admin_space_or_404(session: Session, viewer: Viewer, space_id: int, *, write: bool) -> Row:
    """Return a Space whose inbox the viewer may administer (or, reading only, oversee).

    Current admins of an active Space may read and write. Site administrators may
    read every inbox but write none unless they are on the Space's team.
    """
    space = get_space(session, space_id)
    if space is None or space.status != "active":
        raise NotFound("space_not_found", "There is no such Space.")
    if is_space_admin(session, viewer.id, space_id):
        return space
    if viewer.is_site_admin:
        if write:
            raise Forbidden(
                "oversight_read_only",
                "Site administrators may read this Space inbox but answer only as a Space admin.",
            )
        return space
    raise Forbidden("not_space_admin", "You are not an admin of this Space.")


def member_conversation(session: Session, space_id: int, member_id: int) -> Row | None:
    """Return the member's conversation with a Space, if there is one."""
    c = tables_of(session).conversations
    return session.execute(
        select(c).where(c.c.space_id == space_id, c.c.member_id == member_id)
    ).first()


def admin_conversation_or_404(
    session: Session, space_id: int, conversation_id: int, *, lock: bool = False
) -> Row:
    """Return a conversation of a Space (the Space is already checked)."""
    c = tables_of(session).conversations
    query = select(c).where(c.c.id == conversation_id, c.c.space_id == space_id)
    conversation = session.execute(query.with_for_update() if lock else query).first()
    if conversation is None:
        raise NotFound("conversation_not_found", "There is no such conversation in this Space.")
    return conversation


# -- writes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SendStatements:
    """The statements of the busiest writes, a message and its notification jobs."""

    #: A Space as a member's message sees it (bound: space_id, member_id).
    space: Select
    #: The member's conversation with a Space, locked, and whether the client key was
    #: used (bound: space_id, member_id, client_key).
    conversation: Select
    #: The conversation's row on the first message (values: its columns).
    first_message: Insert
    #: A message (values: its columns).
    message: Insert
    #: The conversation after a member's or the Space's message (bound: conversation,
    #: message, at, text).
    after_member: Update
    after_space: Update
    #: A job per admin of a Space but one (bound: kind, conversation_id, prefix, at,
    #: space_id, except_id).
    team_jobs: Insert


@functools.cache
def _send_statements(t: Tables) -> _SendStatements:
    """Build the send path's statements once per site.

    A statement built once keeps its cache key, so a send binds values only: building
    a select() and keying it anew costs more Python than running it.
    """
    s, c, m, sa_, o = t.spaces, t.conversations, t.messages, t.space_admins, t.outbox
    member = bindparam("member_id", type_=c.c.member_id.type)
    spam = select(t.user_flags.c.spam).where(t.user_flags.c.user_id == member)
    blocked = exists().where(t.blocks.c.space_id == s.c.id, t.blocks.c.member_id == member)
    used = exists().where(m.c.author_id == member, m.c.client_key == bindparam("client_key"))
    at = bindparam("at", type_=c.c.last_message_at.type)
    last = {
        "last_message_id": bindparam("message"),
        "last_message_at": at,
        "last_excerpt": bindparam("text", type_=c.c.last_excerpt.type),
    }
    this = update(c).where(c.c.id == bindparam("conversation"))
    team = (
        select(
            bindparam("kind", type_=o.c.kind.type),
            sa_.c.user_id,
            bindparam("conversation_id", type_=o.c.conversation_id.type),
            func.concat(bindparam("prefix", type_=o.c.payload.type), sa_.c.user_id, "}"),
            at,
            at,
        )
        .where(sa_.c.space_id == bindparam("space_id"), sa_.c.user_id != bindparam("except_id"))
        .order_by(sa_.c.user_id)
    )
    jobs = ["kind", "user_id", "conversation_id", "payload", "created_at", "next_attempt_at"]
    return _SendStatements(
        space=select(
            s.c.id,
            s.c.name,
            s.c.status,
            spam.scalar_subquery().label("member_spam"),
            blocked.label("member_blocked"),
        ).where(s.c.id == bindparam("space_id")),
        conversation=select(c.c.id, used.label("key_used"))
        .where(c.c.space_id == bindparam("space_id"), c.c.member_id == member)
        .with_for_update(),
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
        team_jobs=insert(o).from_select(jobs, team),
    )


def _replayed(
    session: Session, author_id: int, client_key: str, conversation_id: int | None, body: str
) -> Row | None:
    """Return the message a retry with the same client key already created, if any.

    :raises Conflict: when the key was used for a different message.
    """
    m = tables_of(session).messages
    existing = session.execute(
        select(m).where(m.c.author_id == author_id, m.c.client_key == client_key)
    ).first()
    if existing is None:
        return None
    if existing.conversation_id != conversation_id or existing.body != body:
        raise Conflict(
            "client_key_reused",
            "This client_key was already used for another message.",
        )
    return existing


@dataclass(frozen=True)
class NewMessage:
    """A message just written: what reading its row back would give, without the read."""

    id: int
    conversation_id: int
    direction: str
    author_id: int
    body: str
    created_at: datetime
    client_key: str


def _add_message(
    session: Session,
    conversation: Row,
    direction: str,
    author_id: int,
    body: str,
    client_key: str,
    now: datetime,
) -> NewMessage:
    statements = _send_statements(tables_of(session))
    message_id = session.execute(
        statements.message,
        {
            "conversation_id": conversation.id,
            "direction": direction,
            "author_id": author_id,
            "body": body,
            "created_at": now,
            "client_key": client_key,
        },
    ).inserted_primary_key[0]
    after = statements.after_member if direction == "member" else statements.after_space
    session.execute(
        after,
        {"conversation": conversation.id, "message": message_id, "at": now, "text": excerpt(body)},
    )
    return NewMessage(message_id, conversation.id, direction, author_id, body, now, client_key)


def _notify(session: Session, kind: str, user_ids: Sequence[int], payload: dict, now: datetime):
    """Queue one notification job per user, in the caller's transaction (the outbox)."""
    if not user_ids:
        return
    session.execute(
        insert(tables_of(session).outbox),
        [
            {
                "kind": kind,
                "user_id": uid,
                "conversation_id": payload["conversation_id"],
                "payload": json.dumps({**payload, "user_id": uid}),
                "created_at": now,
                "next_attempt_at": now,
            }
            for uid in user_ids
        ],
    )


#: An ``except_id`` for :func:`_notify_team` that leaves no admin out (no user has id 0).
EVERYONE = 0


def _notify_team(
    session: Session, kind: str, space_id: int, except_id: int, payload: dict, now: datetime
) -> None:
    """Queue one job per current admin of a Space but one (or :data:`EVERYONE`), as
    :func:`_notify` would.

    One INSERT … SELECT from the team instead of reading the team first: the payload is
    the same JSON text, with each admin's ``user_id`` appended by MariaDB.
    """
    session.execute(
        _send_statements(tables_of(session)).team_jobs,
        {
            "kind": kind,
            "conversation_id": payload["conversation_id"],
            # json.dumps({**payload, "user_id": uid}) is this prefix, the id, and "}".
            "prefix": json.dumps(payload)[:-1] + ', "user_id": ',
            "at": now,
            "space_id": space_id,
            "except_id": except_id,
        },
    )


def _audit(
    session: Session,
    space_id: int,
    actor_id: int,
    action: str,
    now: datetime,
    conversation_id: int | None = None,
    detail: str = "",
) -> None:
    session.execute(
        insert(tables_of(session).audit).values(
            space_id=space_id,
            actor_id=actor_id,
            action=action,
            conversation_id=conversation_id,
            detail=detail,
            created_at=now,
        )
    )


def is_blocked(session: Session, space_id: int, member_id: int) -> bool:
    """Whether a Space refuses a member's messages."""
    b = tables_of(session).blocks
    found = select(b.c.space_id).where(b.c.space_id == space_id, b.c.member_id == member_id)
    return session.execute(found).first() is not None


def send_to_space(
    session: Session,
    space: Row,
    member_id: int,
    body: str,
    client_key: str,
    now: datetime,
    limiter: Limiter | None = None,
) -> tuple[Row | NewMessage, bool]:
    """Write a member's message to a Space and notify every admin of the Space.

    Creates the conversation on the first message. A retry with the same client key
    returns the first message and writes nothing (and counts against no limit).

    :param space: from :func:`sending_space_or_404`.
    :returns: the message and whether it was created now.
    """
    if space.status != "active":
        raise Gone("space_deleted", "This Space no longer takes messages.")
    if space.member_spam:
        raise Forbidden("account_suspended", "Your account may not send messages.")
    statements = _send_statements(tables_of(session))
    # The conversation, locked, and in the same read whether this client key was used.
    mine = {"space_id": space.id, "member_id": member_id, "client_key": client_key}
    conversation = session.execute(statements.conversation, mine).first()
    if conversation is None:
        # The first message. ON DUPLICATE KEY takes the row's exclusive lock at once
        # (INSERT IGNORE would take a shared one), so racing first messages queue up
        # on it instead of deadlocking.
        session.execute(
            statements.first_message,
            {
                "space_id": space.id,
                "member_id": member_id,
                "created_at": now,
                "last_message_at": now,
            },
        )
        conversation = session.execute(statements.conversation, mine).one()
    if conversation.key_used:
        existing = _replayed(session, member_id, client_key, conversation.id, body)
        if existing is not None:
            return existing, False
    if space.member_blocked:
        raise Forbidden(
            "blocked_by_space",
            f"Sorry, {space.name} does not accept messages from you.",
        )
    if limiter is not None:
        wait = limiter.check(session, member_id, space.id, now.replace(tzinfo=UTC).timestamp())
        if wait is not None:
            raise RateLimited(wait)
    message = _add_message(session, conversation, "member", member_id, body, client_key, now)
    _notify_team(
        session,
        "member_message",
        space.id,
        member_id,
        {
            "space_id": space.id,
            "space_name": space.name,
            "conversation_id": conversation.id,
            "message_id": message.id,
            "member_id": member_id,
            "excerpt": excerpt(body),
        },
        now,
    )
    return message, True


def reply_as_space(
    session: Session,
    space: Row,
    conversation_id: int,
    author_id: int,
    body: str,
    client_key: str,
    now: datetime,
) -> tuple[Row | NewMessage, bool]:
    """Write a Space's answer, authored by one admin, and notify the member.

    The member's notification names the Space only; the author is kept for the audit.
    """
    conversation = admin_conversation_or_404(session, space.id, conversation_id, lock=True)
    existing = _replayed(session, author_id, client_key, conversation.id, body)
    if existing is not None:
        return existing, False
    message = _add_message(session, conversation, "space", author_id, body, client_key, now)
    _notify(
        session,
        "space_reply",
        [conversation.member_id],
        {
            "space_id": space.id,
            "space_name": space.name,
            "conversation_id": conversation.id,
            "message_id": message.id,
            "excerpt": excerpt(body),
        },
        now,
    )
    _audit(session, space.id, author_id, "reply", now, conversation.id, f"message {message.id}")
    return message, True


def mark_read_by_member(session: Session, space_id: int, member_id: int) -> None:
    """Mark everything the Space wrote to the member as read by the member.

    When there was something unread, the member's own notifications about it are marked
    read too (a job), wherever they read it.
    """
    c = tables_of(session).conversations
    conversation = session.execute(
        select(c.c.id, c.c.member_unread)
        .where(c.c.space_id == space_id, c.c.member_id == member_id)
        .with_for_update()
    ).first()
    if conversation is None:
        return
    session.execute(
        update(c)
        .where(c.c.id == conversation.id)
        .values(member_unread=0, member_read_id=func.coalesce(c.c.last_message_id, 0))
    )
    if conversation.member_unread:
        _notify(
            session,
            "conversation_read",
            [member_id],
            {"space_id": space_id, "conversation_id": conversation.id},
            utcnow(),
        )


def mark_read_by_space(session: Session, space_id: int, conversation_id: int, actor_id: int):
    """Mark a conversation read for the whole Space team, and audit who read it.

    Every admin's notifications about it, the reader's own included, are marked read too
    (a job each).
    """
    c = tables_of(session).conversations
    conversation = admin_conversation_or_404(session, space_id, conversation_id, lock=True)
    now = utcnow()
    session.execute(
        update(c)
        .where(c.c.id == conversation.id)
        .values(space_unread=0, space_read_id=func.coalesce(c.c.last_message_id, 0))
    )
    if conversation.space_unread:
        _notify_team(
            session,
            "conversation_read",
            space_id,
            EVERYONE,
            {"space_id": space_id, "conversation_id": conversation.id},
            now,
        )
    _audit(session, space_id, actor_id, "read", now, conversation.id)


def set_blocked(
    session: Session, space_id: int, conversation_id: int, blocked: bool, actor_id: int
) -> bool:
    """Block or unblock the member of a conversation for the whole Space; audit it."""
    b = tables_of(session).blocks
    conversation = admin_conversation_or_404(session, space_id, conversation_id, lock=True)
    member = conversation.member_id
    if blocked and not is_blocked(session, space_id, member):
        session.execute(
            insert(b).values(
                space_id=space_id, member_id=member, blocked_by=actor_id, created_at=utcnow()
            )
        )
        _audit(session, space_id, actor_id, "block", utcnow(), conversation.id, f"member {member}")
    elif not blocked and is_blocked(session, space_id, member):
        session.execute(delete(b).where(b.c.space_id == space_id, b.c.member_id == member))
        _audit(
            session, space_id, actor_id, "unblock", utcnow(), conversation.id, f"member {member}"
        )
    return blocked


def set_status(
    session: Session, space_id: int, conversation_id: int, status: str, actor_id: int
) -> Row:
    """Set a conversation open or done; a member's next message reopens it."""
    c = tables_of(session).conversations
    conversation = admin_conversation_or_404(session, space_id, conversation_id, lock=True)
    if conversation.status != status:
        session.execute(update(c).where(c.c.id == conversation.id).values(status=status))
        _audit(session, space_id, actor_id, "status", utcnow(), conversation.id, status)
    return admin_conversation_or_404(session, space_id, conversation_id)


# -- reads -------------------------------------------------------------------------------


#: Columns of :func:`header_statement`'s rows; the first three are the login's.
ID, USER_PASS, SESSIONS, KIND, NAME, UNREAD, CONVERSATIONS_UNREAD = range(7)


def header_statement(t: Tables) -> CompoundSelect:
    """The header badge in one statement: the cookie's user, and every count it shows.

    Bound parameter ``login``. The first row (kind 0) is :func:`bridge.auth.login_statement`'s
    row, which the caller checks the cookie against before using anything else, with the
    member's unread messages and conversations with unread, from the counters. One row
    (kind 1) follows per active Space the user administers: id, name, unread, in no order.
    No row at all: no such login.
    """
    u, c, sa, s = t.users, t.conversations, t.space_admins, t.spaces
    login = login_statement(t)
    mine = (c.c.member_id == u.c.ID, c.c.member_unread > 0)
    member = login.add_columns(
        literal(0).label("kind"),
        null().label("name"),
        select(func.coalesce(func.sum(c.c.member_unread), 0)).where(*mine).scalar_subquery(),
        select(func.count()).where(*mine).scalar_subquery(),
    )
    space_unread = (
        select(func.coalesce(func.sum(c.c.space_unread), 0))
        .where(c.c.space_id == s.c.id, c.c.space_unread > 0)
        .scalar_subquery()
    )
    administered = (
        select(s.c.id, null(), null(), literal(1), s.c.name, space_unread, literal(0))
        .select_from(u.join(sa, sa.c.user_id == u.c.ID).join(s, s.c.id == sa.c.space_id))
        .where(login.whereclause)
        .where(s.c.status == "active")
    )
    # No ORDER BY: sorting the union costs MariaDB a temporary table on every poll.
    return union_all(member, administered)


def _page(query, order_cols, cursor: str | None, limit: int):
    when_col, id_col = order_cols
    if cursor:
        when, row_id = decode_cursor(cursor)
        query = query.where((when_col < when) | ((when_col == when) & (id_col < row_id)))
    return query.order_by(when_col.desc(), id_col.desc()).limit(limit + 1)


def _split(rows: list[Row], limit: int) -> tuple[list[Row], str | None]:
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].last_message_at, rows[-1].id)


def member_conversations(
    session: Session, member_id: int, cursor: str | None, limit: int
) -> tuple[list[Row], str | None]:
    """Return a page of the member's conversations, newest first, with their Spaces."""
    t = tables_of(session)
    c, s = t.conversations, t.spaces
    query = (
        select(
            c,
            s.c.name.label("space_name"),
            s.c.avatar_url.label("space_avatar_url"),
            s.c.url.label("space_url"),
            s.c.status.label("space_status"),
        )
        .join(s, s.c.id == c.c.space_id)
        .where(c.c.member_id == member_id, c.c.last_message_id.is_not(None))
    )
    rows = list(session.execute(_page(query, (c.c.last_message_at, c.c.id), cursor, limit)))
    return _split(rows, limit)


def space_conversations(
    session: Session, space_id: int, status: str | None, cursor: str | None, limit: int
) -> tuple[list[Row], str | None]:
    """Return a page of a Space's conversations, newest first, with their members' names."""
    t = tables_of(session)
    c, u, b = t.conversations, t.users, t.blocks
    query = (
        select(
            c, u.c.display_name.label("member_name"), b.c.member_id.is_not(None).label("blocked")
        )
        .outerjoin(u, u.c.ID == c.c.member_id)
        .outerjoin(b, (b.c.space_id == c.c.space_id) & (b.c.member_id == c.c.member_id))
        .where(c.c.space_id == space_id, c.c.last_message_id.is_not(None))
    )
    if status:
        query = query.where(c.c.status == status)
    rows = list(session.execute(_page(query, (c.c.last_message_at, c.c.id), cursor, limit)))
    return _split(rows, limit)


def _message_query(session: Session, with_authors: bool):
    t = tables_of(session)
    m = t.messages
    columns = [m.c.id, m.c.direction, m.c.body, m.c.created_at]
    if not with_authors:
        return select(*columns)
    return select(*columns, m.c.author_id, t.users.c.display_name.label("author_name")).outerjoin(
        t.users, t.users.c.ID == m.c.author_id
    )


def get_message(session: Session, message_id: int, *, with_authors: bool) -> Row:
    """Return one message; ``with_authors`` adds its author's name (admin view only)."""
    m = tables_of(session).messages
    return session.execute(_message_query(session, with_authors).where(m.c.id == message_id)).one()


def conversation_messages(
    session: Session,
    conversation_id: int | None,
    before: int | None,
    limit: int,
    *,
    with_authors: bool,
) -> tuple[list[Row], int | None]:
    """Return a page of a conversation's messages, oldest first, and the next ``before``.

    ``with_authors`` adds each author's display name: for the admin view only.
    """
    if conversation_id is None:
        return [], None
    m = tables_of(session).messages
    query = _message_query(session, with_authors)
    query = query.where(m.c.conversation_id == conversation_id)
    if before is not None:
        query = query.where(m.c.id < before)
    rows = list(session.execute(query.order_by(m.c.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    rows.reverse()
    return rows, (rows[0].id if more else None)


# -- events from WordPress ---------------------------------------------------------------

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _id(data: dict, key: str, where: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise BadInput("invalid_event", f"{where}: {key} must be a positive whole number.")
    return value


def _text(data: dict, key: str, where: str, max_len: int, *, required: bool) -> str:
    value = data.get(key, None if required else "")
    if value is None and not required:
        value = ""
    if not isinstance(value, str) or len(value) > max_len or (required and not value.strip()):
        raise BadInput(
            "invalid_event", f"{where}: {key} must be text of at most {max_len} characters."
        )
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        raise BadInput("invalid_event", f"{where}: {key} contains control characters.")
    return value.strip()


def validate_events(payload: object) -> list[dict]:
    """Check a batch of events completely before any is applied; return them normalised."""
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        raise BadInput("invalid_events", 'The body must be {"events": [...]}.')
    events = payload["events"]
    if not 1 <= len(events) <= 500:
        raise BadInput("invalid_events", "Send 1 to 500 events per call.")
    clean = []
    for index, event in enumerate(events):
        where = f"events[{index}]"
        if not isinstance(event, dict) or not isinstance(event.get("data"), dict):
            raise BadInput("invalid_event", f"{where} must be an object with data.")
        event_id = event.get("id")
        if not isinstance(event_id, str) or not _UUID.fullmatch(event_id):
            raise BadInput("invalid_event", f"{where}: id must be a UUID.")
        data, kind = event["data"], event.get("type")
        if kind == "space.upserted":
            admin_ids = data.get("admin_ids")
            if not isinstance(admin_ids, list) or len(admin_ids) > 1000:
                raise BadInput("invalid_event", f"{where}: admin_ids must be a list of user ids.")
            norm = {
                "space_id": _id(data, "space_id", where),
                "name": _text(data, "name", where, 255, required=True),
                "slug": _text(data, "slug", where, 200, required=False),
                "url": _text(data, "url", where, 2048, required=False),
                "avatar_url": _text(data, "avatar_url", where, 2048, required=False),
                "admin_ids": sorted(
                    {_id({"id": a}, "id", f"{where}.admin_ids") for a in admin_ids}
                ),
            }
        elif kind == "space.deleted":
            norm = {"space_id": _id(data, "space_id", where)}
        elif kind == "user.deleted":
            norm = {"user_id": _id(data, "user_id", where)}
        elif kind == "user.spammed":
            if not isinstance(data.get("spam"), bool):
                raise BadInput("invalid_event", f"{where}: spam must be true or false.")
            norm = {"user_id": _id(data, "user_id", where), "spam": data["spam"]}
        else:
            raise BadInput("invalid_event", f"{where}: unknown type {str(kind)[:40]!r}.")
        clean.append({"id": event_id.lower(), "type": kind, "data": norm})
    return clean


def apply_events(session: Session, events: list[dict], now: datetime) -> tuple[int, int]:
    """Apply validated events in order; an event id seen before is skipped.

    :returns: (applied, duplicates).
    """
    t = tables_of(session)
    session.execute(delete(t.events_seen).where(t.events_seen.c.received_at < now - EVENT_MEMORY))
    applied = duplicates = 0
    for event in events:
        fresh = session.execute(
            mysql_insert(t.events_seen)
            .values(id=event["id"], received_at=now)
            .prefix_with("IGNORE")
        ).rowcount
        if not fresh:
            duplicates += 1
            continue
        applied += 1
        _APPLY[event["type"]](session, event["data"], now)
    return applied, duplicates


def _space_upserted(session: Session, data: dict, now: datetime) -> None:
    t = tables_of(session)
    row = {k: data[k] for k in ("name", "slug", "url", "avatar_url")}
    session.execute(
        mysql_insert(t.spaces)
        .values(id=data["space_id"], status="active", updated_at=now, **row)
        .on_duplicate_key_update(status="active", updated_at=now, **row)
    )
    sa_ = t.space_admins
    team = data["admin_ids"]
    session.execute(
        delete(sa_).where(sa_.c.space_id == data["space_id"], sa_.c.user_id.not_in(team))
        if team
        else delete(sa_).where(sa_.c.space_id == data["space_id"])
    )
    if team:
        session.execute(
            mysql_insert(sa_).prefix_with("IGNORE"),
            [{"space_id": data["space_id"], "user_id": uid} for uid in team],
        )


def _space_deleted(session: Session, data: dict, now: datetime) -> None:
    s = tables_of(session).spaces
    session.execute(
        update(s).where(s.c.id == data["space_id"]).values(status="deleted", updated_at=now)
    )


def erase_member(session: Session, user_id: int) -> int:
    """Remove a member's conversations with Spaces, and pending notifications about them.

    :returns: how many messages were removed.
    """
    t = tables_of(session)
    theirs = select(t.conversations.c.id).where(t.conversations.c.member_id == user_id)
    pending = t.outbox.c.delivered_at.is_(None)
    session.execute(
        delete(t.outbox).where(
            pending, (t.outbox.c.user_id == user_id) | t.outbox.c.conversation_id.in_(theirs)
        )
    )
    removed = session.execute(
        delete(t.messages).where(t.messages.c.conversation_id.in_(theirs))
    ).rowcount
    session.execute(delete(t.conversations).where(t.conversations.c.member_id == user_id))
    return removed


def _user_deleted(session: Session, data: dict, now: datetime) -> None:
    """Remove a deleted user's conversations, team places and pending notifications.

    Pending notifications go both ways: to them, and to admins about them. Answers they
    wrote as a Space stay in the members' conversations: they belong to the Space; the
    audit label then names a deleted user.
    """
    t = tables_of(session)
    uid = data["user_id"]
    erase_member(session, uid)
    session.execute(delete(t.space_admins).where(t.space_admins.c.user_id == uid))
    session.execute(delete(t.user_flags).where(t.user_flags.c.user_id == uid))


def _user_spammed(session: Session, data: dict, now: datetime) -> None:
    f = tables_of(session).user_flags
    spam = 1 if data["spam"] else 0
    session.execute(
        mysql_insert(f)
        .values(user_id=data["user_id"], spam=spam, updated_at=now)
        .on_duplicate_key_update(spam=spam, updated_at=now)
    )


_APPLY = {
    "space.upserted": _space_upserted,
    "space.deleted": _space_deleted,
    "user.deleted": _user_deleted,
    "user.spammed": _user_spammed,
}
