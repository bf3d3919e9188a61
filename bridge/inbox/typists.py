"""Who on a Space's team is typing an answer: shown live, by name, to the rest of the team,
so that two admins do not answer the same question; and to the member as the Space ("the
Space is typing"), never as a person."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Row, delete, select
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.orm import Session

from bridge.inbox.changes import Change, note
from bridge.limits import TYPING_SECONDS
from bridge.storage.db import tables_of


def set_typing(
    session: Session,
    conversation: Row,
    user_id: int,
    typing: bool,
    now: datetime,
) -> None:
    """Say that an admin is typing in a conversation (for TYPING_SECONDS), or stopped.

    The rest of the team and the conversation's member hear of it when it starts and when
    it stops, not of each renewal (a page renews it every few seconds); a mark that runs
    out is not announced: pages ask again once it would have.
    """
    conversation_id = conversation.id
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
        change = Change(conversation.space_id, conversation_id, conversation.member_id)
        note(session, change._replace(typing=user_id))


def typists(session: Session, conversation_id: int, now: datetime) -> list[Row]:
    """Who on the team is typing in a conversation now (``id``, ``name``), by name."""
    t, u = tables_of(session).typing, tables_of(session).users
    return list(
        session.execute(
            select(t.c.user_id.label("id"), u.c.display_name.label("name"))
            .join(u, u.c.ID == t.c.user_id)
            .where(t.c.conversation_id == conversation_id, t.c.until > now)
            .order_by(u.c.display_name, t.c.user_id)
        )
    )
