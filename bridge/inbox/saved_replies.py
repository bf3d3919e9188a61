"""A Space's saved replies: short answers its team keeps and inserts before editing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.orm import Session

from bridge.inbox.values import clean_body
from bridge.limits import SAVED_REPLIES_MAX, SAVED_REPLY_TITLE_MAX
from bridge.refusals import BadInput, Conflict, NotFound, TooLong
from bridge.storage.db import tables_of


def clean_title(value: object) -> str:
    """Return a saved reply's title: 1 to SAVED_REPLY_TITLE_MAX characters on one line."""
    if not isinstance(value, str) or not " ".join(value.split()):
        raise BadInput("invalid_title", "title must be text, not empty.")
    title = " ".join(value.split())
    if len(title) > SAVED_REPLY_TITLE_MAX:
        raise TooLong("title_too_long", f"The title is longer than {SAVED_REPLY_TITLE_MAX}.")
    return title


def _query(session: Session, space_id: int):
    t = tables_of(session)
    r, u = t.saved_replies, t.users
    return (
        select(r, u.c.display_name.label("updated_by_name"))
        .outerjoin(u, u.c.ID == r.c.updated_by)
        .where(r.c.space_id == space_id)
    )


def listed(session: Session, space_id: int) -> list[Row]:
    """Return a Space's saved replies, by title, each with who last changed it."""
    r = tables_of(session).saved_replies
    return list(session.execute(_query(session, space_id).order_by(r.c.title, r.c.id)))


def _one(session: Session, space_id: int, reply_id: int, lock: bool = False) -> Row:
    r = tables_of(session).saved_replies
    if lock:
        query = select(r.c.id).where(r.c.space_id == space_id, r.c.id == reply_id)
        found = session.execute(query.with_for_update()).first()
    else:
        found = session.execute(_query(session, space_id).where(r.c.id == reply_id)).first()
    if found is None:
        raise NotFound("saved_reply_not_found", "This Space has no such saved reply.")
    return found


def create(
    session: Session, space_id: int, title: str, body: str, actor_id: int, now: datetime
) -> Row:
    """Add a saved reply; a Space keeps at most SAVED_REPLIES_MAX."""
    r, s = tables_of(session).saved_replies, tables_of(session).spaces
    # The Space's row, locked: two admins adding at once cannot pass the limit together.
    session.execute(select(s.c.id).where(s.c.id == space_id).with_for_update())
    count = session.execute(select(func.count()).where(r.c.space_id == space_id)).scalar_one()
    if count >= SAVED_REPLIES_MAX:
        raise Conflict(
            "too_many_saved_replies",
            f"A Space keeps at most {SAVED_REPLIES_MAX} saved replies.",
            "Delete one you no longer use.",
        )
    new_id = session.execute(
        insert(r).values(
            space_id=space_id, title=title, body=body, updated_by=actor_id, updated_at=now
        )
    ).inserted_primary_key[0]
    return _one(session, space_id, new_id)


def change(
    session: Session,
    space_id: int,
    reply_id: int,
    title: str,
    body: str,
    actor_id: int,
    now: datetime,
) -> Row:
    """Replace a saved reply's title and text."""
    r = tables_of(session).saved_replies
    _one(session, space_id, reply_id, lock=True)
    session.execute(
        update(r)
        .where(r.c.id == reply_id)
        .values(title=title, body=body, updated_by=actor_id, updated_at=now)
    )
    return _one(session, space_id, reply_id)


def remove(session: Session, space_id: int, reply_id: int) -> None:
    """Delete a saved reply."""
    r = tables_of(session).saved_replies
    _one(session, space_id, reply_id)
    session.execute(delete(r).where(r.c.id == reply_id))


def clean(data: dict) -> tuple[str, str]:
    """Return the title and text of a saved reply's JSON body."""
    return clean_title(data.get("title")), clean_body(data.get("body"))
