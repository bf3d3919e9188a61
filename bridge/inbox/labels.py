"""Labels: a Space's own labels (a name and one of LABEL_COLOURS), which its team sets on
conversations and filters its list by. Labels are the team's: no member's read touches
them. Every change is audited: on a conversation (``label``: what was added and removed)
and to the Space's set (``labels``: created, renamed, recoloured, deleted)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.orm import Session

from bridge.inbox.access import admin_conversation_or_404
from bridge.inbox.audit import audit
from bridge.inbox.changes import Change, note
from bridge.limits import LABEL_NAME_MAX, LABELS_MAX
from bridge.refusals import BadInput, Conflict, NotFound, TooLong
from bridge.storage.db import tables_of


def clean_name(value: object) -> str:
    """Return a label's name: 1 to LABEL_NAME_MAX characters on one line, spaces folded."""
    name = " ".join(value.split()) if isinstance(value, str) else ""
    if not name:
        raise BadInput("invalid_label_name", "A label needs a name.")
    if len(name) > LABEL_NAME_MAX:
        raise TooLong("label_name_too_long", f"A label's name is at most {LABEL_NAME_MAX}.")
    return name


def listed(session: Session, space_id: int) -> list[Row]:
    """Return a Space's labels by name, each with how many conversations carry it."""
    t = tables_of(session)
    lb, cl = t.labels, t.conversation_labels
    used = (
        select(cl.c.label_id, func.count().label("conversations"))
        .group_by(cl.c.label_id)
        .subquery()
    )
    return list(
        session.execute(
            select(lb, func.coalesce(used.c.conversations, 0).label("conversations"))
            .outerjoin(used, used.c.label_id == lb.c.id)
            .where(lb.c.space_id == space_id)
            .order_by(lb.c.name, lb.c.id)
        )
    )


def _one(session: Session, space_id: int, label_id: int) -> Row:
    lb = tables_of(session).labels
    found = session.execute(
        select(lb).where(lb.c.space_id == space_id, lb.c.id == label_id).with_for_update()
    ).first()
    if found is None:
        raise NotFound("label_not_found", "This Space has no such label.")
    return found


def _lock_space(session: Session, space_id: int) -> None:
    """Lock the Space's row: two admins naming labels at once cannot pass the limit or take
    the same name together."""
    s = tables_of(session).spaces
    session.execute(select(s.c.id).where(s.c.id == space_id).with_for_update())


def _name_taken(session: Session, space_id: int, name: str, other_than: int = 0) -> None:
    lb = tables_of(session).labels
    taken = session.execute(
        select(lb.c.id).where(lb.c.space_id == space_id, lb.c.name == name, lb.c.id != other_than)
    ).first()
    if taken is not None:
        raise Conflict("label_exists", f"This Space has a label named {name!r} already.")


def create(
    session: Session, space_id: int, name: str, colour: str, actor_id: int, now: datetime
) -> Row:
    """Add a label; a Space keeps at most LABELS_MAX, each name once (letter case aside)."""
    lb = tables_of(session).labels
    _lock_space(session, space_id)
    count = session.execute(select(func.count()).where(lb.c.space_id == space_id)).scalar_one()
    if count >= LABELS_MAX:
        raise Conflict(
            "too_many_labels",
            f"A Space keeps at most {LABELS_MAX} labels.",
            "Delete one you no longer use.",
        )
    _name_taken(session, space_id, name)
    label_id = session.execute(
        insert(lb).values(space_id=space_id, name=name, colour=colour, created_at=now)
    ).inserted_primary_key[0]
    audit(session, space_id, actor_id, "labels", now, None, f"created {name}")
    note(session, Change(space_id))
    return _counted(session, space_id, label_id)


def change(
    session: Session,
    space_id: int,
    label_id: int,
    changes: dict,
    actor_id: int,
    now: datetime,
) -> Row:
    """Rename or recolour a label (``changes``: ``name``, ``colour``, either or both)."""
    lb = tables_of(session).labels
    _lock_space(session, space_id)
    label = _one(session, space_id, label_id)
    name, colour = changes.get("name", label.name), changes.get("colour", label.colour)
    said = []
    if name != label.name:
        _name_taken(session, space_id, name, other_than=label_id)
        said.append(f"renamed {label.name} to {name}")
    if colour != label.colour:
        said.append(f"{name} made {colour}")
    if said:
        session.execute(update(lb).where(lb.c.id == label_id).values(name=name, colour=colour))
        audit(session, space_id, actor_id, "labels", now, None, "; ".join(said)[:255])
        note(session, Change(space_id))
    return _counted(session, space_id, label_id)


def remove(session: Session, space_id: int, label_id: int, actor_id: int, now: datetime) -> None:
    """Delete a label, and take it off every conversation that carried it."""
    t = tables_of(session)
    label = _one(session, space_id, label_id)
    cl = t.conversation_labels
    session.execute(delete(cl).where(cl.c.label_id == label_id))
    session.execute(delete(t.labels).where(t.labels.c.id == label_id))
    audit(session, space_id, actor_id, "labels", now, None, f"deleted {label.name}")
    note(session, Change(space_id))


def _counted(session: Session, space_id: int, label_id: int) -> Row:
    return next(r for r in listed(session, space_id) if r.id == label_id)


def set_on(
    session: Session,
    space_id: int,
    conversation_id: int,
    add: Iterable[int],
    take_off: Iterable[int],
    actor_id: int,
    now: datetime,
) -> list[Row]:
    """Put labels of the Space on a conversation and take others off (a label both added
    and taken off is taken off); two admins labelling at once each keep their own change.

    :returns: the conversation's labels now, by name.
    :raises BadInput: ``unknown_label`` for an id that is not one of the Space's labels.
    """
    t = tables_of(session)
    lb, cl = t.labels, t.conversation_labels
    conversation = admin_conversation_or_404(session, space_id, conversation_id, lock=True)
    add, take_off = set(add), set(take_off)
    add -= take_off
    asked = add | take_off
    known = {
        r.id: r.name
        for r in session.execute(
            select(lb.c.id, lb.c.name).where(lb.c.space_id == space_id, lb.c.id.in_(asked))
        )
    }
    if asked - known.keys():
        raise BadInput("unknown_label", "Use the labels of this Space only.")
    before = set(
        session.scalars(select(cl.c.label_id).where(cl.c.conversation_id == conversation.id))
    )
    added, removed = add - before, take_off & before
    if added:
        session.execute(
            insert(cl)
            .values([{"conversation_id": conversation.id, "label_id": i} for i in sorted(added)])
            .prefix_with("IGNORE")
        )
    if removed:
        session.execute(
            delete(cl).where(cl.c.conversation_id == conversation.id, cl.c.label_id.in_(removed))
        )
    if added or removed:
        said = [f"added {known[i]}" for i in sorted(added)]
        said += [f"removed {known[i]}" for i in sorted(removed)]
        audit(session, space_id, actor_id, "label", now, conversation.id, ", ".join(said)[:255])
        note(session, Change(space_id, conversation.id))
    return of_conversations(session, [conversation.id])[conversation.id]


def of_conversations(session: Session, conversation_ids: list[int]) -> dict[int, list[Row]]:
    """Return the labels of each conversation (``id``, ``name``, ``colour``), by name."""
    found: dict[int, list[Row]] = defaultdict(list)
    if not conversation_ids:
        return found
    t = tables_of(session)
    lb, cl = t.labels, t.conversation_labels
    for row in session.execute(
        select(cl.c.conversation_id, lb.c.id, lb.c.name, lb.c.colour)
        .join(lb, lb.c.id == cl.c.label_id)
        .where(cl.c.conversation_id.in_(conversation_ids))
        .order_by(lb.c.name, lb.c.id)
    ):
        found[row.conversation_id].append(row)
    return found
