"""What the inbox rules refuse, by kind: no HTTP here. The API answers each kind with its
status (:data:`bridge.api.errors.STATUSES`, which a test checks covers every kind)."""

from __future__ import annotations


class InboxError(Exception):
    """A refused request; ``code`` is stable, ``message`` is for people."""

    def __init__(self, code: str, message: str, description: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.description = description


class BadInput(InboxError):
    """The input is malformed."""


class NotLoggedIn(InboxError):
    """No verified caller: no valid logged-in cookie, or an unsigned plugin call."""


class Forbidden(InboxError):
    """The caller may not do this (or sent a bad nonce or signature)."""


class NotFound(InboxError):
    """No such thing, or not visible to this caller."""


class Conflict(InboxError):
    """The request conflicts with what is stored."""


class Gone(InboxError):
    """The Space was deleted: its history stays, it takes no new messages."""


class TooLong(InboxError):
    """The input is longer than allowed."""


class UnsupportedMediaType(InboxError):
    """The body is not JSON."""


class RateLimited(InboxError):
    """Too many messages too fast; ``retry_after`` says how many seconds to wait."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "rate_limited",
            "You are sending messages too fast. Please wait a little.",
            f"Try again in {retry_after} seconds.",
        )
        self.retry_after = retry_after


class Unavailable(InboxError):
    """A service this answer needs is not there (live updates without Redis or an
    event-loop worker): the caller falls back."""
