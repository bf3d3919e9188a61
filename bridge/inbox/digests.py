"""E-mail that respects attention: what a Space's members wrote, to each of its admins, and
a Space's answers, to their member, batched into one e-mail per person and Space within
the site's delay, listing only what is still unread when it is due.

A send starts a *digest* for each person to tell (:func:`queue_team`, :func:`queue_member`)
unless one is waiting already: what comes meanwhile joins it. When the delay has passed
since its first message, the dispatcher (:func:`gather_due`) lists the messages still
unread and queues one ``email_digest`` job for the plugin to mail, or drops it when
everything was read, the person chose no e-mail, or is no longer on the Space's team. An
admin who is not disturbed outside the Space's opening hours has theirs start again when
the Space opens. What a member's digest carries names the Space, never an admin.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, delete, exists, func, literal, select, update
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.orm import Session

from bridge.inbox import away, choices
from bridge.inbox.jobs import QUEUED, notify
from bridge.inbox.statements import send_statements
from bridge.inbox.values import excerpt, iso
from bridge.storage.db import tables_of

TEAM, MEMBER = "team", "member"
#: Digests turned into e-mails (or dropped) in one pass of the dispatcher.
BATCH = 50
#: Messages an e-mail lists; it says how many more there are.
LISTED = 10


def _start(session: Session, rows) -> None:
    d = tables_of(session).digests
    session.execute(
        mysql_insert(d)
        .from_select(["user_id", "space_id", "audience", "since_id", "starts_at"], rows)
        .on_duplicate_key_update(since_id=d.c.since_id)  # one is waiting: it takes this one
    )
    session.info[QUEUED] = True


def queue_team(
    session: Session, space_id: int, member_id: int, message_id: int, now: datetime
) -> None:
    """A member wrote to a Space: start a digest for each admin (but the member) who has
    none waiting for it."""
    session.execute(
        send_statements(tables_of(session)).team_digests,
        {
            "space_id": space_id,
            "except_id": member_id,
            "audience": TEAM,
            "since_id": message_id,
            "at": now,
        },
    )
    session.info[QUEUED] = True


def queue_member(
    session: Session, space_id: int, member_id: int, message_id: int, now: datetime
) -> None:
    """A Space answered a member: start the member's digest of its answers, unless one is
    waiting."""
    _start(
        session,
        select(
            literal(member_id),
            literal(space_id),
            literal(MEMBER),
            literal(message_id),
            literal(now),
        ),
    )


def gather_due(session: Session, now: datetime, policy: choices.Policy, limit: int = BATCH) -> int:
    """Turn the digests whose delay has passed into ``email_digest`` jobs (or drop them);
    return how many were looked at. Digests another dispatcher holds are left to it."""
    d = tables_of(session).digests
    due = list(
        session.execute(
            select(d)
            .where(d.c.starts_at <= now - policy.delay)
            .order_by(d.c.starts_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for digest in due:
        _gather(session, digest, now, policy)
    return len(due)


def _gather(session: Session, digest: Row, now: datetime, policy: choices.Policy) -> None:
    t = tables_of(session)
    d = t.digests
    this = (
        (d.c.user_id == digest.user_id)
        & (d.c.space_id == digest.space_id)
        & (d.c.audience == digest.audience)
    )
    team = digest.audience == TEAM
    choice, _ = choices.of(
        session,
        digest.user_id,
        digest.space_id if team else choices.ANSWERS,
        policy.team if team else policy.member,
    )
    wanted = policy.email and choice.email
    if wanted and team and not choice.outside_hours:
        opens = away.rules(session, digest.space_id, now).closed_until(now)
        if opens is not None:
            session.execute(update(d).where(this).values(starts_at=opens))
            return
    session.execute(delete(d).where(this))
    if not wanted:
        return
    if team:
        a = t.space_admins
        on_team = session.execute(
            select(exists().where(a.c.space_id == digest.space_id, a.c.user_id == digest.user_id))
        ).scalar()
        payload = _team_payload(session, digest) if on_team else None
    else:
        payload = _member_payload(session, digest)
    if payload is not None:
        notify(session, "email_digest", [digest.user_id], payload, now)


def _unread(session: Session, digest: Row, *where):
    """The count and the first :data:`LISTED` of a digest's messages that match *where*."""
    t = tables_of(session)
    m, c = t.messages, t.conversations
    found = (
        select(m.c.id, m.c.conversation_id, m.c.body, m.c.created_at, c.c.member_id)
        .join(c, c.c.id == m.c.conversation_id)
        .where(c.c.space_id == digest.space_id, m.c.id >= digest.since_id, *where)
    )
    count = session.execute(select(func.count()).select_from(found.subquery())).scalar_one()
    return count, list(session.execute(found.order_by(m.c.id).limit(LISTED)))


def _space_name(session: Session, space_id: int) -> str:
    s = tables_of(session).spaces
    return session.execute(select(s.c.name).where(s.c.id == space_id)).scalar() or ""


def _team_payload(session: Session, digest: Row) -> dict | None:
    """What the members wrote to the Space that its team has not read: who, where, what."""
    t = tables_of(session)
    m, c = t.messages, t.conversations
    count, rows = _unread(
        session,
        digest,
        m.c.direction == "member",
        m.c.id > c.c.space_read_id,
    )
    if not count:
        return None
    about = {r.conversation_id for r in rows}
    return {
        "audience": TEAM,
        "space_id": digest.space_id,
        "space_name": _space_name(session, digest.space_id),
        # One conversation, or several (none in the outbox's column).
        "conversation_id": about.pop() if len(about) == 1 and count == len(rows) else None,
        "count": count,
        "messages": [
            {
                "conversation_id": r.conversation_id,
                "message_id": r.id,
                "member_id": r.member_id,
                "excerpt": excerpt(r.body),
                "created_at": iso(r.created_at),
            }
            for r in rows
        ],
    }


def _member_payload(session: Session, digest: Row) -> dict | None:
    """The Space's answers the member has not read, as the Space's: never who wrote them
    (nor its automatic answers, nor what the site's moderators hid)."""
    t = tables_of(session)
    m, c, r = t.messages, t.conversations, t.reports
    count, rows = _unread(
        session,
        digest,
        c.c.member_id == digest.user_id,
        m.c.direction == "space",
        m.c.author_id != away.AUTOMATIC,
        m.c.id > c.c.member_read_id,
        ~exists().where(r.c.message_id == m.c.id, r.c.hidden_at.is_not(None)),
    )
    if not count:
        return None
    return {
        "audience": MEMBER,
        "space_id": digest.space_id,
        "space_name": _space_name(session, digest.space_id),
        "conversation_id": rows[0].conversation_id,
        "count": count,
        "messages": [
            {"message_id": r.id, "excerpt": excerpt(r.body), "created_at": iso(r.created_at)}
            for r in rows
        ],
    }
