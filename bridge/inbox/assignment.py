"""Assignment: a conversation of a Space may be given to one admin of its team, or left to
the team. The assignee is told (unless they took it themselves), every change is audited,
and an assignee who leaves the team gives their conversations back to it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from bridge.inbox.access import admin_conversation_or_404, is_space_admin
from bridge.inbox.audit import audit
from bridge.inbox.changes import Change, note
from bridge.inbox.reads import user_name
from bridge.inbox.writes import notify
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
    c = tables_of(session).conversations
    conversation = admin_conversation_or_404(session, space.id, conversation_id, lock=True)
    if assignee_id is not None and not is_space_admin(session, assignee_id, space.id):
        raise BadInput(
            "not_on_team", "Only an admin of this Space can be given one of its conversations."
        )
    if conversation.assignee_id == assignee_id:
        return assignee_id
    session.execute(update(c).where(c.c.id == conversation.id).values(assignee_id=assignee_id))
    detail = f"to {assignee_id}" if assignee_id is not None else "to the team"
    if conversation.assignee_id is not None:
        detail += f", from {conversation.assignee_id}"
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
                "actor_name": user_name(session, actor_id) or "",
                "excerpt": conversation.last_excerpt,
            },
            now,
        )
    note(session, Change(space.id, conversation.id))
    return assignee_id


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
