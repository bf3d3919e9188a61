"""The audit of a Space's inbox: who on the team did what, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bridge.storage.db import tables_of


def audit(
    session: Session,
    space_id: int,
    actor_id: int,
    action: str,
    now: datetime,
    conversation_id: int | None = None,
    detail: str = "",
) -> None:
    """Record who did what in a Space's inbox (never shown to members)."""
    session.execute(
        insert(tables_of(session).audit).values(
            space_id=space_id,
            actor_id=actor_id,
            action=action,
            conversation_id=conversation_id,
            detail=detail,
            created_at=now,
        )
    )
