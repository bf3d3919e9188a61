"""The outbox's writer: notification jobs for WordPress, queued in the caller's transaction
(:mod:`bridge.background.outbox` delivers them)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bridge.storage.db import tables_of


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
