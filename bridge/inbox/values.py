"""Checks of what callers send: message bodies, client keys, statuses and cursors; and the
clock and excerpts every write uses."""

from __future__ import annotations

import base64
import binascii
import unicodedata
from datetime import UTC, datetime

from bridge.limits import BODY_MAX, CURSOR_MAX, EXCERPT_LEN, MAX_ID
from bridge.refusals import BadInput, TooLong
from bridge.wordpress.auth import is_digits


def utcnow() -> datetime:
    """Return the current UTC time, naive, as the database stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def iso(when: datetime | None) -> str | None:
    """Return an ISO 8601 UTC timestamp, as the API writes times."""
    return None if when is None else when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def clean_body(value: str) -> str:
    """Return a message body trimmed and checked: 1 to BODY_MAX characters, no control
    characters."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    for ch in text:
        category = unicodedata.category(ch)
        # Lone surrogates cannot be stored; other control characters have no place
        # in a short text message. Line breaks and tabs are text. Checked before
        # trimming, because strip() would quietly drop some of them at the ends.
        if category == "Cs" or (category == "Cc" and ch not in "\n\t"):
            raise BadInput(
                "invalid_characters",
                "The message contains control characters.",
                f"U+{ord(ch):04X} is not allowed.",
            )
    text = text.strip()
    if not text:
        raise BadInput("empty_body", "The message is empty.")
    if len(text) > BODY_MAX:
        raise TooLong(
            "body_too_long",
            f"The message is longer than {BODY_MAX} characters.",
            f"It has {len(text)} characters.",
        )
    return text


def clean_id(value: object, name: str, code: str | None = None, where: str = "") -> int:
    """Return a WordPress or inbox id sent in a JSON body: a whole number, 1 to MAX_ID."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise BadInput(code or f"invalid_{name}", f"{where}{name} must be a positive whole number.")
    return value


def encode_cursor(when: datetime, row_id: int) -> str:
    """Return an opaque keyset cursor for a (time, id) position."""
    raw = f"{when.strftime('%Y%m%d%H%M%S%f')}.{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """Return the (time, id) position of a cursor from :func:`encode_cursor`."""
    try:
        if len(cursor) > CURSOR_MAX:
            raise ValueError
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        stamp, row_id = raw.split(".")
        if not is_digits(row_id) or len(row_id) > 20:
            raise ValueError
        return datetime.strptime(stamp, "%Y%m%d%H%M%S%f"), int(row_id)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadInput("invalid_cursor", "The cursor is not one this API gave out.") from exc


def excerpt(body: str) -> str:
    """Return the first line-folded characters of a body, for lists and notifications."""
    flat = " ".join(body.split())
    return flat if len(flat) <= EXCERPT_LEN else flat[: EXCERPT_LEN - 1] + "…"
