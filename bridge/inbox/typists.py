"""Who on a Space's team is at a conversation: typing an answer (shown live, by name, to the
rest of the team, and to the member as the Space, "the Space is typing", never as a
person), answering it (a soft claim: taken by typing, kept a few minutes while they type,
given up when they send or leave) and viewing it (the team only). So that two admins do not
answer the same question; the others may still answer, after being told."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import Row, and_, delete, or_, select
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.orm import Session

from bridge.inbox.changes import Change, note
from bridge.limits import CLAIM_SECONDS, TYPING_SECONDS, VIEWING_SECONDS
from bridge.storage.db import tables_of


def set_typing(
    session: Session,
    conversation: Row,
    user_id: int,
    typing: bool,
    now: datetime,
) -> bool:
    """Say that an admin is typing in a conversation (for TYPING_SECONDS), or stopped.

    The rest of the team and the conversation's member hear of it when it starts and when
    it stops, not of each renewal (a page renews it every few seconds); a mark that runs
    out is not announced: pages ask again once it would have. Typing claims the
    conversation too (told with the start).

    :returns: whether it started or stopped (and was announced).
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
    if typing:
        _presence(session, conversation, user_id, now, announce=False, claim_until=now + CLAIM)
    if typing != was_typing:
        change = Change(conversation.space_id, conversation_id, conversation.member_id)
        note(session, change._replace(typing=user_id))
    return typing != was_typing


VIEWING = timedelta(seconds=VIEWING_SECONDS)
CLAIM = timedelta(seconds=CLAIM_SECONDS)


def _presence(
    session: Session,
    conversation: Row,
    user_id: int,
    now: datetime,
    announce: bool = True,
    **until,
) -> None:
    """Set an admin's ``viewing_until`` or ``claim_until`` at a conversation (None: not so),
    dropping the conversation's rows that say nothing any more; the rest of the team hears
    of it when the admin starts or stops viewing or answering, not of each renewal (unless
    the caller announces the change itself: ``announce=False``)."""
    p = tables_of(session).presence
    this = p.c.conversation_id == conversation.id
    before = session.execute(
        select(p.c.viewing_until, p.c.claim_until)
        .where(this, p.c.user_id == user_id)
        .with_for_update()
    ).first()
    session.execute(
        delete(p).where(
            this,
            or_(p.c.viewing_until.is_(None), p.c.viewing_until < now),
            or_(p.c.claim_until.is_(None), p.c.claim_until < now),
        )
    )
    session.execute(
        mysql_insert(p)
        .values(conversation_id=conversation.id, user_id=user_id, **until)
        .on_duplicate_key_update(**until)
    )

    def states(row) -> tuple[bool, bool]:
        if row is None:
            return False, False
        return (
            row.viewing_until is not None and row.viewing_until > now,
            row.claim_until is not None and row.claim_until > now,
        )

    after = session.execute(
        select(p.c.viewing_until, p.c.claim_until).where(this, p.c.user_id == user_id)
    ).first()
    if announce and states(before) != states(after):
        # The team's pages only: the member learns of no one viewing or answering.
        note(session, Change(conversation.space_id, conversation.id, typing=user_id))


def set_viewing(
    session: Session, conversation: Row, user_id: int, viewing: bool, now: datetime
) -> None:
    """Say that an admin's page shows a conversation (for VIEWING_SECONDS), or no longer
    does: leaving ends their typing and gives up their claim too."""
    if viewing:
        _presence(session, conversation, user_id, now, viewing_until=now + VIEWING)
    else:
        told = set_typing(session, conversation, user_id, False, now)
        _presence(
            session, conversation, user_id, now, not told, viewing_until=None, claim_until=None
        )


def release_claim(session: Session, conversation: Row, user_id: int, now: datetime) -> None:
    """An admin answered: their claim on the conversation ends."""
    _presence(session, conversation, user_id, now, claim_until=None)


def at_conversations(
    session: Session, conversation_ids: list[int], now: datetime, but: int
) -> dict[int, dict[str, list[Row]]]:
    """Who but one user is viewing and who is answering each conversation (``id``,
    ``name``), by name: ``{conversation_id: {"viewing": [...], "answering": [...]}}``."""
    found: dict[int, dict[str, list[Row]]] = defaultdict(lambda: {"viewing": [], "answering": []})
    if not conversation_ids:
        return found
    p, u = tables_of(session).presence, tables_of(session).users
    rows = session.execute(
        select(
            p.c.conversation_id,
            p.c.user_id.label("id"),
            u.c.display_name.label("name"),
            and_(p.c.viewing_until.is_not(None), p.c.viewing_until > now).label("viewing"),
            and_(p.c.claim_until.is_not(None), p.c.claim_until > now).label("answering"),
        )
        .join(u, u.c.ID == p.c.user_id)
        .where(
            p.c.conversation_id.in_(conversation_ids),
            p.c.user_id != but,
            or_(p.c.viewing_until > now, p.c.claim_until > now),
        )
        .order_by(u.c.display_name, p.c.user_id)
    )
    for row in rows:
        if row.viewing:
            found[row.conversation_id]["viewing"].append(row)
        if row.answering:
            found[row.conversation_id]["answering"].append(row)
    return found


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
