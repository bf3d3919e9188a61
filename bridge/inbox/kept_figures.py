"""A Space's response figures, kept (``kept_figures``): what the public response time and
the team's Dashboard read (:func:`bridge.inbox.figures.kept`), made from the Space's month of
waiting periods once, not on every visit of the Space's page.

They are made again on the first read after the Space's periods or away rules changed (the
writes that change them call :func:`forget` in their own transaction), and once they are
:data:`KEPT_FOR` old in any case: time alone moves them (a period leaves the window, one
still waiting waits longer). A read that raced a change may keep what it saw just before it,
for :data:`KEPT_FOR` at most.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import Select, Table, and_, bindparam, delete, select
from sqlalchemy.dialects.mysql import insert
from sqlalchemy.orm import Session

from bridge.inbox.statements import send_statements
from bridge.storage.db import tables_of
from bridge.storage.tables import Tables

#: The longest a Space's figures are kept unchanged.
KEPT_FOR = timedelta(minutes=1)


def forget(session: Session, space_id: int) -> None:
    """The Space's periods or away rules changed: its figures are made again when asked."""
    session.execute(send_statements(tables_of(session)).forget_figures, {"space_id": space_id})


def forget_member(session: Session, member_id: int) -> None:
    """A member's conversations are about to go: the figures of their Spaces with them."""
    t = tables_of(session)
    k, c = t.kept_figures, t.conversations
    spaces = select(c.c.space_id).where(c.c.member_id == member_id).distinct()
    session.execute(delete(k).where(k.c.space_id.in_(spaces)))


def _fresh(k: Table, since, now):
    """Kept figures still good at ``now``: made after ``since`` (``now`` less
    :data:`KEPT_FOR`) and not after ``now`` (by a clock ahead)."""
    return and_(k.c.made_at > since, k.c.made_at <= now)


def fresh(session: Session, space_id: int, now: datetime) -> dict | None:
    """The Space's figures as kept, unless none are fresh at ``now``."""
    k = tables_of(session).kept_figures
    kept = session.scalar(
        select(k.c.figures).where(k.c.space_id == space_id, _fresh(k, now - KEPT_FOR, now))
    )
    return None if kept is None else json.loads(kept)


def keep(session: Session, space_id: int, made: dict, now: datetime) -> None:
    """Keep the Space's figures made at ``now``, and what members are told apart."""
    k = tables_of(session).kept_figures
    kept = {
        "figures": json.dumps(made, separators=(",", ":")),
        "told": json.dumps(made["response_time"], separators=(",", ":")),
        "made_at": now,
    }
    session.execute(insert(k).values(space_id=space_id, **kept).on_duplicate_key_update(**kept))


def told_statement(t: Tables) -> Select:
    """The public response time's one read (bound: ``space``, ``now`` and ``since``, ``now``
    less :data:`KEPT_FOR`): the Space's status, and what members are told when it is kept
    and fresh (else null)."""
    s, k = t.spaces, t.kept_figures
    kept = and_(k.c.space_id == s.c.id, _fresh(k, bindparam("since"), bindparam("now")))
    return select(s.c.status, k.c.told).outerjoin(k, kept).where(s.c.id == bindparam("space"))
