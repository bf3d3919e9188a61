"""What the inbox rules refuse. Each class carries the HTTP status it is answered with, so
that no error can reach a caller as a 500 for want of an entry in a table."""

from __future__ import annotations


class InboxError(Exception):
    """A refused request; ``code`` is stable, ``message`` is for people."""

    status = 400

    def __init__(
        self,
        code: str,
        message: str,
        description: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.description = description
        self.headers = headers or {}


class BadInput(InboxError):
    """The input is malformed."""

    status = 400


class NotLoggedIn(InboxError):
    """No verified caller: no valid logged-in cookie, or an unsigned plugin call."""

    status = 401


class Forbidden(InboxError):
    """The caller may not do this (or sent a bad nonce or signature)."""

    status = 403


class NotFound(InboxError):
    """No such thing, or not visible to this caller."""

    status = 404


class Conflict(InboxError):
    """The request conflicts with what is stored."""

    status = 409


class Gone(InboxError):
    """The Space was deleted: its history stays, it takes no new messages."""

    status = 410


class TooLong(InboxError):
    """The input is longer than allowed."""

    status = 413


class UnsupportedMediaType(InboxError):
    """The body is not JSON."""

    status = 415


class RateLimited(InboxError):
    """Too many messages too fast; ``retry_after`` says how many seconds to wait."""

    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "rate_limited",
            "You are sending messages too fast. Please wait a little.",
            f"Try again in {retry_after} seconds.",
            {"Retry-After": str(retry_after)},
        )
        self.retry_after = retry_after


class Unavailable(InboxError):
    """A service this answer needs is not there (live updates without Redis or an
    event-loop worker): the caller falls back."""

    status = 503
