"""Assignment: a conversation of a Space may be given to one admin of its team, or left to
the team. The assignee is told (unless they took it themselves), every change is audited,
and an assignee who leaves the team gives their conversations back to it. A Space may have
its new conversations given in turn to the admins present in its inbox (their pages say
so every little while): the one given one longest ago, or never, first."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Row, select, update
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.orm import Session

from bridge.inbox.access import admin_conversation_or_404, is_space_admin
from bridge.inbox.audit import audit
from bridge.inbox.changes import Change, note
from bridge.inbox.jobs import notify
from bridge.inbox.reads import user_name
from bridge.limits import HERE_SECONDS
from bridge.refusals import BadInput
from bridge.storage.db import tables_of


def assign(
    session: Session,
    space: Row,
    conversation_id: int,
    actor_id: int,
    assignee_id: int | None,
    now: datetime,
) -> int | None:
    """Assign a conversation to an admin of its Space, or (None) leave it to the team.

    :returns: the assignee now.
    :raises BadInput: ``not_on_team`` when the assignee is not on the Space's team.
    """
    conversation = admin_conversation_or_404(session, space.id, conversation_id, lock=True)
    if assignee_id is not None and not is_space_admin(session, assignee_id, space.id):
        raise BadInput(
            "not_on_team", "Only an admin of this Space can be given one of its conversations."
        )
    if conversation.assignee_id == assignee_id:
        return assignee_id
    _give(session, space, conversation, actor_id, assignee_id, now)
    return assignee_id


#: The actor of an assignment made in turn (no user has id 0).
IN_TURN = 0


def _give(
    session: Session,
    space: Row,
    conversation: Row,
    actor_id: int,
    assignee_id: int | None,
    now: datetime,
) -> None:
    """Write an assignment, audit it, tell the assignee and the team's pages."""
    c = tables_of(session).conversations
    session.execute(update(c).where(c.c.id == conversation.id).values(assignee_id=assignee_id))
    detail = f"to {assignee_id}" if assignee_id is not None else "to the team"
    if conversation.assignee_id is not None:
        detail += f", from {conversation.assignee_id}"
    if actor_id == IN_TURN:
        detail += ", in turn"
    audit(session, space.id, actor_id, "assign", now, conversation.id, detail)
    if assignee_id is not None and assignee_id != actor_id:
        notify(
            session,
            "assigned",
            [assignee_id],
            {
                "space_id": space.id,
                "space_name": space.name,
                "conversation_id": conversation.id,
                "member_id": conversation.member_id,
                "actor_id": actor_id,
                "actor_name": (user_name(session, actor_id) or "") if actor_id else "",
                "excerpt": conversation.last_excerpt,
            },
            now,
        )
    note(session, Change(space.id, conversation.id))


def set_here(session: Session, space_id: int, user_id: int, here: bool, now: datetime) -> None:
    """Say that an admin has the Space's team inbox open (for HERE_SECONDS), or closed it."""
    until = now + timedelta(seconds=HERE_SECONDS) if here else None
    session.execute(
        mysql_insert(tables_of(session).on_duty)
        .values(space_id=space_id, user_id=user_id, here_until=until)
        .on_duplicate_key_update(here_until=until)
    )


def in_turn(session: Session, space: Row, conversation_id: int, now: datetime) -> int | None:
    """Give a new conversation to the next admin present in the Space's inbox, where the
    Space asks for it: the one given one longest ago (or never) first.

    :param space: from :func:`bridge.inbox.access.sending_space_or_404`.
    :returns: who it was given to (None: the Space does not ask, or nobody is present).
    """
    if not space.assign_in_turn:
        return None
    t = tables_of(session)
    d, a = t.on_duty, t.space_admins
    chosen = session.execute(
        select(d.c.user_id)
        .join(a, (a.c.space_id == d.c.space_id) & (a.c.user_id == d.c.user_id))
        .where(d.c.space_id == space.id, d.c.here_until > now)
        .order_by(d.c.last_assigned_at.is_not(None), d.c.last_assigned_at, d.c.user_id)
        .limit(1)
        .with_for_update()
    ).scalar()
    if chosen is None:
        return None
    session.execute(
        update(d)
        .where(d.c.space_id == space.id, d.c.user_id == chosen)
        .values(last_assigned_at=now)
    )
    conversation = admin_conversation_or_404(session, space.id, conversation_id)
    _give(session, space, conversation, IN_TURN, chosen, now)
    return chosen


def give_back(session: Session, space_id: int | None, user_ids: list[int] | None = None) -> None:
    """Leave to the team the conversations assigned to admins no longer on a Space's team
    (``space_id``), or to given users (``user_ids``: users who are gone)."""
    t = tables_of(session)
    c, a = t.conversations, t.space_admins
    if user_ids is not None:
        where = [c.c.assignee_id.in_(user_ids)]
    else:
        team = select(a.c.user_id).where(a.c.space_id == space_id)
        where = [
            c.c.space_id == space_id,
            c.c.assignee_id.is_not(None),
            c.c.assignee_id.not_in(team),
        ]
    session.execute(update(c).where(*where).values(assignee_id=None))
