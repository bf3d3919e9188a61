"""Who may see and write which Space and conversation: the scoping every read and write
goes through. A Space admin's Space comes from :func:`admin_space_or_404`, a member's from
:func:`member_space_or_404` or :func:`sending_space_or_404`; a conversation of a Space only
through the Space."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from bridge.inbox.statements import send_statements
from bridge.refusals import Forbidden, NotFound
from bridge.storage.db import tables_of


@dataclass
class Viewer:
    """The verified WordPress user making a request."""

    id: int
    site_admin_check: Callable[[], bool] = field(default=lambda: False, repr=False)

    @functools.cached_property
    def is_site_admin(self) -> bool:
        """Whether the user manages the whole site (may oversee every Space inbox)."""
        return self.site_admin_check()


def get_space(session: Session, space_id: int) -> Row | None:
    """Return a Space row, active or deleted."""
    spaces = tables_of(session).spaces
    return session.execute(select(spaces).where(spaces.c.id == space_id)).first()


def is_space_admin(session: Session, user_id: int, space_id: int) -> bool:
    """Whether a user is on a Space's current team."""
    sa_ = tables_of(session).space_admins
    return (
        session.execute(
            select(sa_.c.user_id).where(sa_.c.space_id == space_id, sa_.c.user_id == user_id)
        ).first()
        is not None
    )


def sending_space_or_404(session: Session, space_id: int, member_id: int) -> Row:
    """Return what a member's message to a Space must know of it, in one read: ``id``,
    ``name``, ``status``, ``member_spam`` and ``member_blocked``.

    Any Space the bridge knows is found, even a deleted one, as by
    :func:`member_space_or_404`.
    """
    statement = send_statements(tables_of(session)).space
    found = session.execute(statement, {"space_id": space_id, "member_id": member_id})
    return _known_space(found.first())


def member_space_or_404(session: Session, space_id: int) -> Row:
    """Return a Space a member may look at: any Space the bridge knows, even a deleted one."""
    return _known_space(get_space(session, space_id))


def _known_space(space: Row | None) -> Row:
    if space is None:
        raise NotFound("space_not_found", "There is no such Space.")
    return space


def admin_space_or_404(session: Session, viewer: Viewer, space_id: int, *, write: bool) -> Row:
    """Return a Space whose inbox the viewer may administer (or, reading only, oversee).

    Current admins of an active Space may read and write. Site administrators may
    read every inbox but write none unless they are on the Space's team.
    """
    space = get_space(session, space_id)
    if space is None or space.status != "active":
        raise NotFound("space_not_found", "There is no such Space.")
    if is_space_admin(session, viewer.id, space_id):
        return space
    if viewer.is_site_admin:
        if write:
            raise Forbidden(
                "oversight_read_only",
                "Site administrators may read this Space inbox but answer only as a Space admin.",
            )
        return space
    raise Forbidden("not_space_admin", "You are not an admin of this Space.")


def member_conversation(session: Session, space_id: int, member_id: int) -> Row | None:
    """Return the member's conversation with a Space, if there is one."""
    c = tables_of(session).conversations
    return session.execute(
        select(c).where(c.c.space_id == space_id, c.c.member_id == member_id)
    ).first()


def admin_conversation_or_404(
    session: Session, space_id: int, conversation_id: int, *, lock: bool = False
) -> Row:
    """Return a conversation of a Space (the Space is already checked)."""
    c = tables_of(session).conversations
    query = select(c).where(c.c.id == conversation_id, c.c.space_id == space_id)
    conversation = session.execute(query.with_for_update() if lock else query).first()
    if conversation is None:
        raise NotFound("conversation_not_found", "There is no such conversation in this Space.")
    return conversation


def is_blocked(session: Session, space_id: int, member_id: int) -> bool:
    """Whether a Space refuses a member's messages."""
    b = tables_of(session).blocks
    found = select(b.c.space_id).where(b.c.space_id == space_id, b.c.member_id == member_id)
    return session.execute(found).first() is not None
