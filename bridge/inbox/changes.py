"""What a write changed, as ids: noted on the session, published once it commits.

The rules call :func:`note`; :mod:`bridge.background.live` publishes the notes of a committed
transaction to every bridge process and drops those of a rolled-back one. A change never
carries text or an author: whoever it wakes reads what they may see, with the full checks.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy.orm import Session

NOTES = "space_inbox_changes"


class Change(NamedTuple):
    """What a committed write changed.

    It concerns the conversation's member, the Space's team, and ``users``; ``login``
    says that those users' logins changed (a logout, a password change), so whatever
    they hold open must be checked again. ``typing`` is the admin who started or stopped
    typing in the conversation: the change concerns the rest of the Space's team only.
    """

    space_id: int | None = None
    conversation_id: int | None = None
    member_id: int | None = None
    users: tuple[int, ...] = ()
    login: bool = False
    typing: int | None = None

    @classmethod
    def from_wire(cls, item: dict) -> Change:
        """Rebuild a change from its published form (:meth:`_asdict`)."""
        return cls(
            item.get("space_id"),
            item.get("conversation_id"),
            item.get("member_id"),
            tuple(item.get("users") or ()),
            bool(item.get("login")),
            item.get("typing"),
        )


def note(session: Session, change: Change) -> None:
    """Note a change of the session's transaction, to publish once it commits."""
    session.info.setdefault(NOTES, []).append(change)
