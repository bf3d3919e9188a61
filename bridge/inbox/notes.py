"""Private notes: what a Space's team writes inside a conversation for the team only.

Notes live in a table of their own that no member's read, stream, notification or export
touches; a note never changes the conversation's counters, its last message or its
waiting periods. ``@name`` in a note (a teammate's profile name, as BuddyPress mentions
write it, or their login) tells that teammate.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import Row, func, insert, or_, select
from sqlalchemy.orm import Session

from bridge.inbox.access import admin_conversation_or_404
from bridge.inbox.audit import audit
from bridge.inbox.changes import Change, note
from bridge.inbox.jobs import notify
from bridge.inbox.values import excerpt
from bridge.refusals import Conflict
from bridge.storage.db import tables_of

#: ``@name``: not inside a word or an e-mail address; a final dot ends the sentence.
MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9_.-]*[A-Za-z0-9_-])")


def mentioned_names(body: str) -> set[str]:
    """The names a note's text mentions, lowercased."""
    return {name.lower() for name in MENTION.findall(body)}


def team(session: Session, space_id: int) -> list[Row]:
    """The Space's admins (``id``, ``name``, ``mention``: the name ``@`` takes), by name."""
    t = tables_of(session)
    a, u = t.space_admins, t.users
    return list(
        session.execute(
            select(
                u.c.ID.label("id"),
                u.c.display_name.label("name"),
                u.c.user_nicename.label("mention"),
            )
            .join(a, a.c.user_id == u.c.ID)
            .where(a.c.space_id == space_id)
            .order_by(u.c.display_name, u.c.ID)
        )
    )


def _mentioned(session: Session, space_id: int, body: str) -> list[int]:
    """The Space's admins a note's text names, by profile name or login."""
    names = mentioned_names(body)
    if not names:
        return []
    t = tables_of(session)
    a, u = t.space_admins, t.users
    return list(
        session.execute(
            select(u.c.ID)
            .join(a, a.c.user_id == u.c.ID)
            .where(
                a.c.space_id == space_id,
                or_(
                    func.lower(u.c.user_nicename).in_(names), func.lower(u.c.user_login).in_(names)
                ),
            )
            .order_by(u.c.ID)
        ).scalars()
    )


def _note_query(session: Session):
    t = tables_of(session)
    n = t.notes
    return select(
        n.c.id,
        n.c.conversation_id,
        n.c.author_id,
        n.c.body,
        n.c.created_at,
        n.c.client_key,
        t.users.c.display_name.label("author_name"),
    ).outerjoin(t.users, t.users.c.ID == n.c.author_id)


def add_note(
    session: Session,
    space: Row,
    conversation_id: int,
    author_id: int,
    body: str,
    client_key: str,
    now: datetime,
) -> tuple[Row, bool]:
    """Write a note in a conversation, tell the teammates it mentions, and audit it.

    A retry with the same client key returns the first note and writes nothing.

    :returns: the note (with its author's name) and whether it was written now.
    :raises Conflict: when the client key was used for another note.
    """
    n = tables_of(session).notes
    conversation = admin_conversation_or_404(session, space.id, conversation_id, lock=True)
    existing = session.execute(
        _note_query(session).where(n.c.author_id == author_id, n.c.client_key == client_key)
    ).first()
    if existing is not None:
        if existing.conversation_id != conversation.id or existing.body != body:
            raise Conflict(
                "client_key_reused", "This client_key was already used for another note."
            )
        return existing, False
    note_id = session.execute(
        insert(n).values(
            space_id=space.id,
            conversation_id=conversation.id,
            author_id=author_id,
            body=body,
            created_at=now,
            client_key=client_key,
        )
    ).inserted_primary_key[0]
    written = session.execute(_note_query(session).where(n.c.id == note_id)).one()
    notify(
        session,
        "note_mention",
        [uid for uid in _mentioned(session, space.id, body) if uid != author_id],
        {
            "space_id": space.id,
            "space_name": space.name,
            "conversation_id": conversation.id,
            "note_id": note_id,
            "author_id": author_id,
            "author_name": written.author_name or "",
            "excerpt": excerpt(body),
        },
        now,
    )
    audit(session, space.id, author_id, "note", now, conversation.id, f"note {note_id}")
    # The team's pages; the member is not woken (no member_id).
    note(session, Change(space.id, conversation.id))
    return written, True


def newest_id(session: Session, conversation_id: int) -> int | None:
    """The id of a conversation's newest note (None: it has none)."""
    n = tables_of(session).notes
    return session.execute(
        select(func.max(n.c.id)).where(n.c.conversation_id == conversation_id)
    ).scalar()


def notes_between(
    session: Session, conversation_id: int, since: datetime | None, until: datetime | None
) -> list[Row]:
    """A conversation's notes written from ``since`` and before ``until`` (None: no bound),
    oldest first: those that fall among a page of its messages."""
    n = tables_of(session).notes
    query = _note_query(session).where(n.c.conversation_id == conversation_id)
    if since is not None:
        query = query.where(n.c.created_at >= since)
    if until is not None:
        query = query.where(n.c.created_at < until)
    return list(session.execute(query.order_by(n.c.created_at, n.c.id)))
