"""Personal data: what WordPress' exporter and eraser get for a user, in their formats, and
the erasure of a member's conversations (also when WordPress deletes the user)."""

from __future__ import annotations

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from bridge.inbox import kept_figures
from bridge.inbox.values import iso
from bridge.limits import PRIVACY_PAGE as PAGE
from bridge.storage.db import tables_of

GROUP = {"group_id": "space-inbox", "group_label": "Space messages"}
GROUP_AS_ADMIN = {"group_id": "space-inbox-answers", "group_label": "Answers written for Spaces"}
#: An answer the site's moderators hid from the member, in the member's export.
REMOVED = "(Removed by the site's moderators.)"


def erase_member(session: Session, user_id: int) -> int:
    """Remove a member's conversations with Spaces, their waiting periods (the Spaces'
    figures then leave them out), the teams' notes, labels and record entries about them,
    pending notifications and e-mails to them and about them, and their devices' pushes.

    :returns: how many messages were removed.
    """
    t = tables_of(session)
    o = t.outbox
    theirs = select(t.conversations.c.id).where(t.conversations.c.member_id == user_id)
    # A team's e-mail about several conversations lists them in its payload.
    listed = func.json_extract(o.c.payload, "$.messages[*].conversation_id")
    session.execute(
        delete(o).where(
            o.c.delivered_at.is_(None),
            or_(
                o.c.user_id == user_id,
                o.c.conversation_id.in_(theirs),
                *(
                    and_(o.c.kind == "email_digest", func.json_contains(listed, str(cid)))
                    for cid in session.scalars(theirs)
                ),
            ),
        )
    )
    session.execute(delete(t.digests).where(t.digests.c.user_id == user_id))
    session.execute(delete(t.push_subscriptions).where(t.push_subscriptions.c.user_id == user_id))
    kept_figures.forget_member(session, user_id)
    removed = session.execute(
        delete(t.messages).where(t.messages.c.conversation_id.in_(theirs))
    ).rowcount
    for table in (
        t.response_periods,
        t.typing,
        t.presence,
        t.notes,
        t.conversation_labels,
        t.message_words,
        t.audit,
        t.reports,
    ):
        session.execute(delete(table).where(table.c.conversation_id.in_(theirs)))
    session.execute(delete(t.conversations).where(t.conversations.c.member_id == user_id))
    return removed


def export_page(session: Session, user_id: int, page: int) -> tuple[list[dict], bool]:
    """Return one page of a user's messages with Spaces, as exporter items, and whether done.

    A member's conversations come whole (their messages and the Space's answers, from the
    Space, without the text of an answer the site's moderators hid from them); answers the
    user wrote as a Space admin come as their own group.
    """
    t = tables_of(session)
    m, c, s, r = t.messages, t.conversations, t.spaces, t.reports
    rows = session.execute(
        select(
            m.c.id,
            m.c.direction,
            m.c.author_id,
            m.c.body,
            m.c.created_at,
            c.c.member_id,
            s.c.name.label("space_name"),
            r.c.hidden_at,
        )
        .join(c, c.c.id == m.c.conversation_id)
        .join(s, s.c.id == c.c.space_id)
        .outerjoin(r, r.c.message_id == m.c.id)
        .where(
            or_(
                c.c.member_id == user_id,
                and_(m.c.author_id == user_id, m.c.direction == "space"),
            )
        )
        .order_by(m.c.id)
        .limit(PAGE + 1)
        .offset((page - 1) * PAGE)
    ).all()
    items = []
    for row in rows[:PAGE]:
        as_member = row.member_id == user_id
        sender = "You" if row.direction == "member" else row.space_name
        data = [
            {"name": "Space", "value": row.space_name},
            {"name": "From", "value": sender if as_member else f"You, as {row.space_name}"},
            {"name": "Sent", "value": iso(row.created_at)},
            {"name": "Message", "value": REMOVED if as_member and row.hidden_at else row.body},
        ]
        group = GROUP if as_member else GROUP_AS_ADMIN
        items.append({**group, "item_id": f"space-inbox-message-{row.id}", "data": data})
    return items, len(rows) <= PAGE


def erase(session: Session, user_id: int) -> dict:
    """Erase a member's conversations with Spaces; keep what they wrote as a Space admin."""
    removed = erase_member(session, user_id)
    m = tables_of(session).messages
    retained = session.execute(
        select(m.c.id).where(m.c.author_id == user_id, m.c.direction == "space").limit(1)
    ).first()
    messages = []
    if retained:
        messages.append(
            "Answers written on behalf of a Space were kept: they belong to that Space's "
            "conversations with its members."
        )
    return {"items_removed": removed > 0, "items_retained": bool(retained), "messages": messages}
