"""The Space's record: what its team did, from the audit, for its team only. Every answer
(who wrote it, when, and its text), away answer, private note, assignment, label, done and
reopened, block and unblock, settings change, read; filtered by what, who, conversation
and days (the Space's days, in its time zone); and exported for a range of days, in
pages read one after another, so that a record of any length streams.

An erased member takes their conversations' entries with them (:mod:`bridge.inbox.privacy`):
the record never names them, nor shows what they wrote or were answered, afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from bridge.inbox import away, hours
from bridge.inbox.values import decode_cursor, encode_cursor
from bridge.refusals import BadInput
from bridge.storage.db import tables_of

#: An entry's text: the message or note its detail names.
_WRITTEN = re.compile(r"^(message|note) (\d+)$")
#: The admins an assignment's detail names, by user id: "to 12, from 5".
_GIVEN = re.compile(r"\b(to|from) (\d+)\b")
#: An admin named by an entry who is no longer a user.
GONE = "a deleted user"


class Said(NamedTuple):
    """What a page of entries says beyond their rows, by entry id: the text of each answer
    and note, and each assignment's detail with its admins' names for their ids."""

    texts: dict[int, str]
    details: dict[int, str]


#: Entries read per page of an export.
EXPORT_PAGE = 500


def days(session: Session, space_id: int, first: str | None, last: str | None) -> tuple:
    """Return the UTC bounds of a range of the Space's days (``YYYY-MM-DD``, in its time
    zone), each end open when not given.

    :raises BadInput: ``invalid_from``, ``invalid_to`` for a day that does not exist, and
        ``invalid_to`` for a range that ends before it starts.
    """
    tz = hours.zone(away.rules(session, space_id, None, calendar=True).timezone)

    def start_of(value: str | None, name: str, later: int) -> datetime | None:
        if value is None:
            return None
        try:
            day = date.fromisoformat(value) + timedelta(days=later)
        except ValueError:
            raise BadInput(f"invalid_{name}", f"{name} must be a day, YYYY-MM-DD.") from None
        return datetime.combine(day, time.min, tz).astimezone(UTC).replace(tzinfo=None)

    since, until = start_of(first, "from", 0), start_of(last, "to", 1)
    if since is not None and until is not None and until <= since:
        raise BadInput("invalid_to", "The last day comes before the first.")
    return since, until


def _query(session: Session, space_id: int):
    t = tables_of(session)
    a, c, u = t.audit, t.conversations, t.users
    actor, member = u.alias("actor"), u.alias("member")
    return (
        select(
            a.c.id,
            a.c.action,
            a.c.actor_id,
            actor.c.display_name.label("actor_name"),
            a.c.conversation_id,
            c.c.member_id,
            member.c.display_name.label("member_name"),
            a.c.detail,
            a.c.created_at,
        )
        .outerjoin(actor, actor.c.ID == a.c.actor_id)
        .outerjoin(c, c.c.id == a.c.conversation_id)
        .outerjoin(member, member.c.ID == c.c.member_id)
        .where(a.c.space_id == space_id)
    )


def entries(
    session: Session,
    space_id: int,
    *,
    action: str | None = None,
    actor: int | None = None,
    conversation: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: int,
) -> tuple[list[Row], Said, str | None]:
    """Return a page of the Space's record, newest first, what it says beyond its rows, and
    the next page's cursor."""
    a = tables_of(session).audit
    query = _query(session, space_id)
    query = query.where(a.c.action == action) if action else query.where(a.c.action != "read")
    if actor is not None:
        query = query.where(a.c.actor_id == actor)
    if conversation is not None:
        query = query.where(a.c.conversation_id == conversation)
    if since is not None:
        query = query.where(a.c.created_at >= since)
    if until is not None:
        query = query.where(a.c.created_at < until)
    if cursor:
        _, before = decode_cursor(cursor)
        query = query.where(a.c.id < before)
    rows = session.execute(query.order_by(a.c.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    following = encode_cursor(rows[-1].created_at, rows[-1].id) if more else None
    return rows, said(session, space_id, rows), following


def said(session: Session, space_id: int, rows: list[Row]) -> Said:
    """What the entries of a page say beyond their rows."""
    return Said(texts(session, space_id, rows), named(session, rows))


def named(session: Session, rows: list[Row]) -> dict[int, str]:
    """Each assignment's detail with the names of the admins it gives to and takes from
    (the audit keeps their ids: a name changes, an id does not)."""
    given = {row.id: _GIVEN.findall(row.detail or "") for row in rows if row.action == "assign"}
    ids = {int(user) for found in given.values() for _, user in found}
    if not ids:
        return {}
    u = tables_of(session).users
    names = dict(session.execute(select(u.c.ID, u.c.display_name).where(u.c.ID.in_(ids))).all())
    return {
        row.id: _GIVEN.sub(lambda m: f"{m[1]} {names.get(int(m[2])) or GONE}", row.detail)
        for row in rows
        if row.id in given
    }


def texts(session: Session, space_id: int, rows: list[Row]) -> dict[int, str]:
    """The text of each entry that is an answer (its message) or a note, by entry id: only
    of the Space's own conversations."""
    t = tables_of(session)
    wanted: dict[str, dict[int, int]] = {"message": {}, "note": {}}
    for row in rows:
        if found := _WRITTEN.match(row.detail or ""):
            wanted[found.group(1)][int(found.group(2))] = row.id
    out: dict[int, str] = {}
    for kind, table in (("message", t.messages), ("note", t.notes)):
        if not wanted[kind]:
            continue
        c = t.conversations
        for found in session.execute(
            select(table.c.id, table.c.body)
            .join(c, c.c.id == table.c.conversation_id)
            .where(table.c.id.in_(wanted[kind]), c.c.space_id == space_id)
        ):
            out[wanted[kind][found.id]] = found.body
    return out


def export(
    session: Session, space_id: int, since: datetime | None, until: datetime | None
) -> Iterator[tuple[list[Row], Said]]:
    """Yield the Space's whole record in a range, oldest first, a page at a time (each page
    in its own transaction: a long export holds no lock and sees new entries)."""
    a = tables_of(session).audit
    after = 0
    while True:
        with session.begin():
            query = _query(session, space_id).where(a.c.id > after)
            if since is not None:
                query = query.where(a.c.created_at >= since)
            if until is not None:
                query = query.where(a.c.created_at < until)
            rows = session.execute(query.order_by(a.c.id).limit(EXPORT_PAGE)).all()
            found = said(session, space_id, rows)
        if not rows:
            return
        yield rows, found
        after = rows[-1].id
