"""The outbox's writer: notification jobs for WordPress, queued in the caller's transaction
(:mod:`bridge.background.outbox` delivers them).

Each writer marks the session (:data:`QUEUED`): when its transaction commits, the
dispatchers are woken at once instead of at their next look at the outbox.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bridge.inbox.statements import send_statements
from bridge.storage.db import tables_of

#: The key of ``Session.info`` that says the transaction queued jobs.
QUEUED = "space_inbox_jobs_queued"

#: An ``except_id`` for :func:`notify_team` that leaves no admin out (no user has id 0).
EVERYONE = 0


def notify(session: Session, kind: str, user_ids: Sequence[int], payload: dict, now: datetime):
    """Queue one notification job per user, in the caller's transaction (the outbox)."""
    if not user_ids:
        return
    session.execute(
        insert(tables_of(session).outbox),
        [
            {
                "kind": kind,
                "user_id": uid,
                "conversation_id": payload["conversation_id"],
                "payload": json.dumps({**payload, "user_id": uid}),
                "created_at": now,
                "next_attempt_at": now,
            }
            for uid in user_ids
        ],
    )
    session.info[QUEUED] = True


def notify_team(
    session: Session, kind: str, space_id: int, except_id: int, payload: dict, now: datetime
) -> None:
    """Queue one job per current admin of a Space but one (or :data:`EVERYONE`), as
    :func:`notify` would.

    One INSERT … SELECT from the team instead of reading the team first: the payload is
    the same JSON text, with each admin's ``user_id`` appended by MariaDB.
    """
    session.execute(
        send_statements(tables_of(session)).team_jobs,
        {
            "kind": kind,
            "conversation_id": payload["conversation_id"],
            # json.dumps({**payload, "user_id": uid}) is this prefix, the id, and "}".
            "prefix": json.dumps(payload)[:-1] + ', "user_id": ',
            "at": now,
            "space_id": space_id,
            "except_id": except_id,
        },
    )
    session.info[QUEUED] = True
