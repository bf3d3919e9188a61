"""Accountable anonymity: a member reports a Space's answer to the site's moderators, with
a reason. The member is told it was received, never who wrote the answer; the moderators
(the plugin asks WordPress who they are, and calls here signed) see the report, the whole
conversation and which admin wrote each answer, may hide the answer from the member (and
show it again), and close the report with an outcome.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, insert, select, update
from sqlalchemy.orm import Session

from bridge.inbox.audit import audit
from bridge.inbox.changes import Change, note
from bridge.inbox.jobs import notify
from bridge.inbox.values import excerpt
from bridge.limits import REPORT_DETAILS_MAX
from bridge.refusals import Conflict, NotFound, TooLong
from bridge.storage.db import tables_of

#: Reports per page of the moderators' list.
PAGE = 50


def clean_details(value: str) -> str:
    """Return a report's note: trimmed, at most REPORT_DETAILS_MAX characters."""
    details = value.strip()
    if len(details) > REPORT_DETAILS_MAX:
        raise TooLong("details_too_long", f"Say it in at most {REPORT_DETAILS_MAX} characters.")
    return details


def report(
    session: Session,
    space: Row,
    member_id: int,
    message_id: int,
    reason: str,
    details: str,
    now: datetime,
) -> Row:
    """Report an answer of a Space in the member's own conversation with it; the
    moderators are told (an ``answer_reported`` job, handled by the plugin).

    :raises NotFound: ``message_not_found`` for anything but an answer in that conversation.
    :raises Conflict: ``already_reported`` for an answer the member reported before.
    """
    t = tables_of(session)
    m, c, r = t.messages, t.conversations, t.reports
    found = session.execute(
        select(m.c.id, m.c.conversation_id)
        .join(c, c.c.id == m.c.conversation_id)
        .where(
            m.c.id == message_id,
            m.c.direction == "space",
            c.c.space_id == space.id,
            c.c.member_id == member_id,
        )
    ).first()
    if found is None:
        raise NotFound("message_not_found", "This Space sent you no such answer.")
    before = session.execute(
        select(r.c.id).where(r.c.member_id == member_id, r.c.message_id == message_id)
    ).first()
    if before is not None:
        raise Conflict("already_reported", "You reported this answer already.")
    report_id = session.execute(
        insert(r).values(
            space_id=space.id,
            conversation_id=found.conversation_id,
            message_id=message_id,
            member_id=member_id,
            reason=reason,
            details=details,
            created_at=now,
        )
    ).inserted_primary_key[0]
    notify(
        session,
        "answer_reported",
        [member_id],
        {
            "report_id": report_id,
            "space_id": space.id,
            "space_name": space.name,
            "conversation_id": found.conversation_id,
            "message_id": message_id,
            "reason": reason,
            "details": excerpt(details),
        },
        now,
    )
    return one(session, report_id)


def reported_ids(session: Session, member_id: int, message_ids: list[int]) -> list[int]:
    """Which of these messages the member reported."""
    if not message_ids:
        return []
    r = tables_of(session).reports
    return sorted(
        session.scalars(
            select(r.c.message_id).where(
                r.c.member_id == member_id, r.c.message_id.in_(message_ids)
            )
        )
    )


def hidden_ids(session: Session, message_ids: list[int]) -> set[int]:
    """Which of these messages the site's moderators hid from the member."""
    if not message_ids:
        return set()
    r = tables_of(session).reports
    return set(
        session.scalars(
            select(r.c.message_id).where(
                r.c.message_id.in_(message_ids), r.c.hidden_at.is_not(None)
            )
        )
    )


def hide(session: Session, report_id: int, moderator_id: int, hidden: bool, now: datetime) -> Row:
    """Hide the reported answer from the member (``hidden``), or show it again.

    The member's conversation then shows that the site's moderators removed it; the Space's
    team still reads it, marked. The list's excerpt follows when it is the newest message.
    Audited (``answer_hidden``, ``answer_shown``) for the Space's record; doing it again
    changes nothing.
    """
    t = tables_of(session)
    r, c = t.reports, t.conversations
    found = one(session, report_id)
    if (found.hidden_at is not None) == hidden:
        return found
    session.execute(
        update(r)
        .where(r.c.id == report_id)
        .values(hidden_at=now if hidden else None, hidden_by=moderator_id if hidden else None)
    )
    session.execute(
        update(c)
        .where(c.c.id == found.conversation_id, c.c.last_message_id == found.message_id)
        .values(last_excerpt="" if hidden else excerpt(found.body))
    )
    action = "answer_hidden" if hidden else "answer_shown"
    audit(session, found.space_id, moderator_id, action, now, found.conversation_id)
    note(session, Change(found.space_id, found.conversation_id, found.member_id))
    return one(session, report_id)


def _query(session: Session):
    t = tables_of(session)
    r, m, s, u = t.reports, t.messages, t.spaces, t.users
    member, author = u.alias("member"), u.alias("author")
    moderator, hider = u.alias("moderator"), u.alias("hider")
    return (
        select(
            r,
            s.c.name.label("space_name"),
            member.c.display_name.label("member_name"),
            m.c.body,
            m.c.author_id,
            author.c.display_name.label("author_name"),
            m.c.created_at.label("message_at"),
            moderator.c.display_name.label("resolved_by_name"),
            hider.c.display_name.label("hidden_by_name"),
        )
        .join(m, m.c.id == r.c.message_id)
        .outerjoin(s, s.c.id == r.c.space_id)
        .outerjoin(member, member.c.ID == r.c.member_id)
        .outerjoin(author, author.c.ID == m.c.author_id)
        .outerjoin(moderator, moderator.c.ID == r.c.resolved_by)
        .outerjoin(hider, hider.c.ID == r.c.hidden_by)
    )


def listed(session: Session, status: str, page: int) -> tuple[list[Row], bool]:
    """Return a page of reports, newest first: ``open``, ``resolved`` or ``all``; and
    whether it is the last page."""
    r = tables_of(session).reports
    query = _query(session)
    if status == "open":
        query = query.where(r.c.resolved_at.is_(None))
    elif status == "resolved":
        query = query.where(r.c.resolved_at.is_not(None))
    rows = session.execute(
        query.order_by(r.c.id.desc()).limit(PAGE + 1).offset((page - 1) * PAGE)
    ).all()
    return rows[:PAGE], len(rows) <= PAGE


def one(session: Session, report_id: int) -> Row:
    """Return a report.

    :raises NotFound: ``report_not_found``.
    """
    r = tables_of(session).reports
    found = session.execute(_query(session).where(r.c.id == report_id)).first()
    if found is None:
        raise NotFound("report_not_found", "There is no such report.")
    return found


def conversation(session: Session, conversation_id: int) -> list[Row]:
    """The whole conversation a report is about, oldest first, each answer with its author."""
    t = tables_of(session)
    m, u = t.messages, t.users
    return list(
        session.execute(
            select(
                m.c.id,
                m.c.direction,
                m.c.body,
                m.c.created_at,
                m.c.author_id,
                u.c.display_name.label("author_name"),
            )
            .outerjoin(u, u.c.ID == m.c.author_id)
            .where(m.c.conversation_id == conversation_id)
            .order_by(m.c.id)
        )
    )


def resolve(
    session: Session, report_id: int, moderator_id: int, outcome: str, now: datetime
) -> Row:
    """Close a report with what the moderator did (once: closing again changes nothing)."""
    r = tables_of(session).reports
    one(session, report_id)
    session.execute(
        update(r)
        .where(r.c.id == report_id, r.c.resolved_at.is_(None))
        .values(resolved_by=moderator_id, resolved_at=now, outcome=outcome.strip())
    )
    return one(session, report_id)
