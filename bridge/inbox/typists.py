"""Who on a Space's team is typing an answer: shown live to the rest of the team, never
to the member, so that two admins do not answer the same question."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.orm import Session

from bridge.db import tables_of
from bridge.inbox.changes import Change, note
from bridge.limits import TYPING_SECONDS


def set_typing(
    session: Session,
    space_id: int,
    conversation_id: int,
    user_id: int,
    typing: bool,
    now: datetime,
) -> None:
    """Say that an admin is typing in a conversation (for TYPING_SECONDS), or stopped.

    The rest of the team hears of it when it starts and when it stops, not of each renewal
    (a page renews it every few seconds); a mark that runs out is not announced: pages ask
    again once it would have.
    """
    t = tables_of(session).typing
    this = t.c.conversation_id == conversation_id
    mine = session.execute(
        select(t.c.until).where(this, t.c.user_id == user_id).with_for_update()
    ).first()
    was_typing = mine is not None and mine.until > now
    session.execute(delete(t).where(this, t.c.until < now))
    if typing:
        until = now + timedelta(seconds=TYPING_SECONDS)
        session.execute(
            mysql_insert(t)
            .values(conversation_id=conversation_id, user_id=user_id, until=until)
            .on_duplicate_key_update(until=until)
        )
    else:
        session.execute(delete(t).where(this, t.c.user_id == user_id))
    if typing != was_typing:
        note(session, Change(space_id, conversation_id, typing=user_id))


def others_typing(session: Session, conversation_id: int, user_id: int, now: datetime) -> bool:
    """Whether someone on the team other than ``user_id`` is typing in a conversation."""
    t = tables_of(session).typing
    found = session.execute(
        select(func.count()).where(
            t.c.conversation_id == conversation_id, t.c.user_id != user_id, t.c.until > now
        )
    ).scalar_one()
    return bool(found)
