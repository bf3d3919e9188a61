"""What a write does: a member's message, a Space's answer, reads, status and blocks, each
with its notification jobs (the outbox, in the same transaction) and its audit row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.orm import Session

from bridge.inbox import assignment, away, digests, kept_figures, pushes, search, typists
from bridge.inbox.access import admin_conversation_or_404, is_blocked
from bridge.inbox.audit import audit
from bridge.inbox.changes import Change, note
from bridge.inbox.jobs import EVERYONE, notify, notify_team
from bridge.inbox.statements import send_statements
from bridge.inbox.values import excerpt, utcnow
from bridge.refusals import Conflict, Forbidden, Gone, RateLimited
from bridge.storage.db import tables_of
from bridge.storage.rate_limits import Limiter


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


class Started(NamedTuple):
    """The conversation a member's first message has just created (the client key may have
    been used in another)."""

    id: int
    awaiting_since: None = None
    key_used: bool = False


def _by_key(session: Session, author_id: int, client_key: str) -> Row | None:
    """Return the message an author wrote with a client key, if any."""
    m = tables_of(session).messages
    return session.execute(
        select(m).where(m.c.author_id == author_id, m.c.client_key == client_key)
    ).first()


def _replayed(
    session: Session, author_id: int, client_key: str, conversation_id: int | None, body: str
) -> Row | None:
    """Return the message a retry with the same client key already created, if any.

    :raises Conflict: when the key was used for a different message.
    """
    existing = _by_key(session, author_id, client_key)
    if existing is None:
        return None
    if existing.conversation_id != conversation_id or existing.body != body:
        raise Conflict(
            "client_key_reused",
            "This client_key was already used for another message.",
        )
    return existing


def _add_message(
    session: Session,
    space_id: int,
    conversation: Row,
    direction: str,
    author_id: int,
    body: str,
    client_key: str,
    now: datetime,
    *,
    automatic: bool = False,
) -> NewMessage:
    """Write a message (its words kept for search) and bring its conversation's row up to
    date.

    :param automatic: the Space's automatic answer, which answers nothing.
    """
    statements = send_statements(tables_of(session))
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
    search.index_message(session, message_id, space_id, conversation.id, body)
    if automatic:
        after = statements.after_automatic
    else:
        after = statements.after_member if direction == "member" else statements.after_space
    session.execute(
        after,
        {"conversation": conversation.id, "message": message_id, "at": now, "text": excerpt(body)},
    )
    return NewMessage(message_id, conversation.id, direction, author_id, body, now, client_key)


def _open_period(session: Session, space_id: int, conversation: Row, now: datetime) -> None:
    """Open a waiting period on a member's message, unless one is open already."""
    if conversation.awaiting_since is None:
        session.execute(
            send_statements(tables_of(session)).period,
            {"space_id": space_id, "conversation_id": conversation.id, "opened_at": now},
        )
        kept_figures.forget(session, space_id)


def _close_period(
    session: Session, space_id: int, conversation: Row, author_id: int, now: datetime
) -> None:
    """Close the open waiting period with the Space's answer: its response time is the
    time it waited, less the Space's away time."""
    since = conversation.awaiting_since
    if since is None:
        return
    p = tables_of(session).response_periods
    session.execute(
        update(p)
        .where(p.c.conversation_id == conversation.id, p.c.closed_at.is_(None))
        .values(
            closed_at=now,
            answered_by=author_id,
            response_ms=away.rules(session, space_id, since).working_ms(since, now),
        )
    )
    kept_figures.forget(session, space_id)


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
    statements = send_statements(tables_of(session))
    # The conversation, locked, and in the same read whether this client key was used.
    mine = {"space_id": space.id, "member_id": member_id, "client_key": client_key}
    conversation = session.execute(statements.conversation, mine).one()
    first = conversation.id is None
    if first:
        # The first message. ON DUPLICATE KEY takes the row's exclusive lock at once
        # (INSERT IGNORE would take a shared one), so racing first messages queue up
        # on it instead of deadlocking.
        written = session.execute(
            statements.first_message,
            {
                "space_id": space.id,
                "member_id": member_id,
                "created_at": now,
                "last_message_at": now,
            },
        ).lastrowid
        # A twin request's row, found: read it as it is (waiting, this key used?).
        conversation = (
            Started(written, key_used=conversation.key_used)
            if written
            else session.execute(statements.conversation, mine).one()
        )
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
    message = _add_message(
        session, space.id, conversation, "member", member_id, body, client_key, now
    )
    _open_period(session, space.id, conversation, now)
    answer = away.automatic_answer(session, space, conversation.id, now)
    # Today's automatic answer of this conversation, if written, stays the only one (even
    # when the team changed the away message since).
    if answer is not None and _by_key(session, away.AUTOMATIC, answer[0]) is None:
        automatic = _add_message(
            session,
            space.id,
            conversation,
            "space",
            away.AUTOMATIC,
            answer[1],
            answer[0],
            now,
            automatic=True,
        )
        audit(
            session,
            space.id,
            away.AUTOMATIC,
            "away_answer",
            now,
            conversation.id,
            f"message {automatic.id}",
        )
    told = {
        "space_id": space.id,
        "space_name": space.name,
        "conversation_id": conversation.id,
        "message_id": message.id,
        "member_id": member_id,
        "excerpt": excerpt(body),
    }
    pushes.notify_team(session, space.id, member_id, told, now)
    digests.queue_team(session, space.id, member_id, message.id, now)
    if first:
        assignment.in_turn(session, space, conversation.id, now)
    note(session, Change(space.id, conversation.id, member_id))
    return message, True


def reply_as_space(
    session: Session,
    space: Row,
    conversation_id: int,
    author_id: int,
    body: str,
    client_key: str,
    now: datetime,
    seen_id: int | None = None,
) -> tuple[Row | NewMessage, bool]:
    """Write a Space's answer, authored by one admin, and notify the member.

    The member's notification names the Space only; the author is kept for the audit.

    :param seen_id: the newest message the admin had seen: when another admin's answer
        (not an automatic one, nor the admin's own) came after it, nothing is written and
        :class:`Conflict` ``answered_meanwhile`` is raised, so that the admin decides
        whether to send theirs too (again without ``seen_id``). None: send whatever came.
    """
    conversation = admin_conversation_or_404(session, space.id, conversation_id, lock=True)
    existing = _replayed(session, author_id, client_key, conversation.id, body)
    if existing is not None:
        return existing, False
    if seen_id is not None:
        m = tables_of(session).messages
        newer = session.execute(
            select(func.count()).where(
                m.c.conversation_id == conversation.id,
                m.c.id > seen_id,
                m.c.direction == "space",
                m.c.author_id.not_in((away.AUTOMATIC, author_id)),
            )
        ).scalar_one()
        if newer:
            raise Conflict(
                "answered_meanwhile",
                "Someone on your team answered this conversation since you began your answer.",
                "Read the new answer; send yours again without seen_id to send it too.",
            )
    message = _add_message(
        session, space.id, conversation, "space", author_id, body, client_key, now
    )
    _close_period(session, space.id, conversation, author_id, now)
    typists.set_typing(session, conversation, author_id, False, now)
    typists.release_claim(session, conversation, author_id, now)
    # What the member is told names the Space, never who answered.
    told = {
        "space_id": space.id,
        "space_name": space.name,
        "conversation_id": conversation.id,
        "message_id": message.id,
        "excerpt": excerpt(body),
    }
    notify(session, "space_reply", [conversation.member_id], told, now)
    pushes.queue_member(session, conversation.member_id, told, now)
    digests.queue_member(session, space.id, conversation.member_id, message.id, now)
    audit(session, space.id, author_id, "reply", now, conversation.id, f"message {message.id}")
    note(session, Change(space.id, conversation.id, conversation.member_id))
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
    # The member's other pages; the team learns nothing of what a member read.
    note(session, Change(conversation_id=conversation.id, users=(member_id,)))
    if conversation.member_unread:
        notify(
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
    # The member hears of it when the Space has seen something new of theirs ("Seen").
    seen = (conversation.space_read_id or 0) != (conversation.last_message_id or 0)
    note(session, Change(space_id, conversation.id, conversation.member_id if seen else None))
    if conversation.space_unread:
        notify_team(
            session,
            "conversation_read",
            space_id,
            EVERYONE,
            {"space_id": space_id, "conversation_id": conversation.id},
            now,
        )
    audit(session, space_id, actor_id, "read", now, conversation.id)


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
        audit(session, space_id, actor_id, "block", utcnow(), conversation.id, f"member {member}")
    elif not blocked and is_blocked(session, space_id, member):
        session.execute(delete(b).where(b.c.space_id == space_id, b.c.member_id == member))
        audit(session, space_id, actor_id, "unblock", utcnow(), conversation.id, f"member {member}")
    note(session, Change(space_id, conversation.id))
    return blocked


def set_status(
    session: Session, space_id: int, conversation_id: int, status: str, actor_id: int
) -> Row:
    """Set a conversation open or done; a member's next message reopens it."""
    c = tables_of(session).conversations
    conversation = admin_conversation_or_404(session, space_id, conversation_id, lock=True)
    if conversation.status != status:
        session.execute(update(c).where(c.c.id == conversation.id).values(status=status))
        audit(session, space_id, actor_id, "status", utcnow(), conversation.id, status)
        note(session, Change(space_id, conversation.id))
    return admin_conversation_or_404(session, space_id, conversation_id)
