"""The lists and the messages, keyset-paginated. Which columns reach a member or an admin is
the serializers' job (:mod:`bridge.api.serializers`); here, ``with_authors`` says whether the
audit label is read at all."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, case, select
from sqlalchemy.orm import Session

from bridge.inbox.values import decode_cursor, encode_cursor
from bridge.storage.db import tables_of


def _page(query, order_cols, cursor: str | None, limit: int):
    when_col, id_col = order_cols
    if cursor:
        when, row_id = decode_cursor(cursor)
        query = query.where((when_col < when) | ((when_col == when) & (id_col < row_id)))
    return query.order_by(when_col.desc(), id_col.desc()).limit(limit + 1)


def _split(rows: list[Row], limit: int) -> tuple[list[Row], str | None]:
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].last_message_at, rows[-1].id)


def member_conversations(
    session: Session, member_id: int, cursor: str | None, limit: int
) -> tuple[list[Row], str | None]:
    """Return a page of the member's conversations, newest first, with their Spaces."""
    t = tables_of(session)
    c, s = t.conversations, t.spaces
    query = (
        select(
            c,
            s.c.name.label("space_name"),
            s.c.avatar_url.label("space_avatar_url"),
            s.c.url.label("space_url"),
            s.c.status.label("space_status"),
        )
        .join(s, s.c.id == c.c.space_id)
        .where(c.c.member_id == member_id, c.c.last_message_id.is_not(None))
    )
    rows = list(session.execute(_page(query, (c.c.last_message_at, c.c.id), cursor, limit)))
    return _split(rows, limit)


#: The assignee filter of a Space's list: nobody's (left to the team).
UNASSIGNED = 0


def space_conversations(
    session: Session,
    space_id: int,
    status: str | None,
    cursor: str | None,
    limit: int,
    assignee: int | None = None,
    label: int | None = None,
    only: list[int] | None = None,
) -> tuple[list[Row], str | None]:
    """Return a page of a Space's conversations, newest first, with their members' and
    assignees' names; only one admin's (``assignee``) or nobody's (:data:`UNASSIGNED`);
    only those with a label (``label``); only those of ``only`` (ids)."""
    t = tables_of(session)
    c, u, b = t.conversations, t.users, t.blocks
    assignee_user = u.alias("assignee_user")
    query = (
        select(
            c,
            u.c.display_name.label("member_name"),
            b.c.member_id.is_not(None).label("blocked"),
            assignee_user.c.display_name.label("assignee_name"),
        )
        .outerjoin(u, u.c.ID == c.c.member_id)
        .outerjoin(b, (b.c.space_id == c.c.space_id) & (b.c.member_id == c.c.member_id))
        .outerjoin(assignee_user, assignee_user.c.ID == c.c.assignee_id)
        .where(c.c.space_id == space_id, c.c.last_message_id.is_not(None))
    )
    if status:
        query = query.where(c.c.status == status)
    if assignee == UNASSIGNED:
        query = query.where(c.c.assignee_id.is_(None))
    elif assignee is not None:
        query = query.where(c.c.assignee_id == assignee)
    if only is not None:
        query = query.where(c.c.id.in_(only))
    if label is not None:
        cl = t.conversation_labels
        query = query.join(cl, (cl.c.conversation_id == c.c.id) & (cl.c.label_id == label))
    rows = list(session.execute(_page(query, (c.c.last_message_at, c.c.id), cursor, limit)))
    return _split(rows, limit)


def _message_query(session: Session, with_authors: bool, keys_of: int | None = None):
    t = tables_of(session)
    m = t.messages
    columns = [m.c.id, m.c.direction, m.c.body, m.c.created_at]
    if keys_of is not None:
        # The client key of the reader's own messages only: their page knows them by it.
        own = case((m.c.author_id == keys_of, m.c.client_key), else_=None)
        columns.append(own.label("client_key"))
    if not with_authors:
        return select(*columns)
    return select(*columns, m.c.author_id, t.users.c.display_name.label("author_name")).outerjoin(
        t.users, t.users.c.ID == m.c.author_id
    )


def get_message(session: Session, message_id: int, *, with_authors: bool) -> Row:
    """Return one message; ``with_authors`` adds its author's name (admin view only)."""
    m = tables_of(session).messages
    return session.execute(_message_query(session, with_authors).where(m.c.id == message_id)).one()


def user_name(session: Session, user_id: int) -> str | None:
    """A WordPress user's display name (None: no such user)."""
    u = tables_of(session).users
    return session.execute(select(u.c.display_name).where(u.c.ID == user_id)).scalar()


def message_time(session: Session, conversation_id: int, message_id: int) -> datetime | None:
    """When a conversation's message was written (None: no such message in it)."""
    m = tables_of(session).messages
    return session.execute(
        select(m.c.created_at).where(m.c.id == message_id, m.c.conversation_id == conversation_id)
    ).scalar()


def conversation_messages(
    session: Session,
    conversation_id: int | None,
    before: int | None,
    limit: int,
    *,
    with_authors: bool,
    keys_of: int,
) -> tuple[list[Row], int | None]:
    """Return a page of a conversation's messages, oldest first, and the next ``before``.

    ``with_authors`` adds each author's display name: for the admin view only. ``keys_of``:
    the reader, whose own messages come with their ``client_key``.
    """
    if conversation_id is None:
        return [], None
    m = tables_of(session).messages
    query = _message_query(session, with_authors, keys_of)
    query = query.where(m.c.conversation_id == conversation_id)
    if before is not None:
        query = query.where(m.c.id < before)
    rows = list(session.execute(query.order_by(m.c.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    rows.reverse()
    return rows, (rows[0].id if more else None)
