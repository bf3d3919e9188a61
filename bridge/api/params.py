"""Reading a request's body and query, refusing bad input with a clear 400."""

from __future__ import annotations

from flask import current_app, request

from bridge.auth import is_digits
from bridge.inbox.errors import BadInput, UnsupportedMediaType
from bridge.limits import MAX_ID, PAGE_MAX


def json_object(only: tuple[str, ...] | None = None) -> dict:
    """Return the JSON object a write sent; with *only*, refuse any other field."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("unsupported_media_type", "Send the body as application/json.")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nesting deeper than the JSON parser goes: not a message
        data = None
    if not isinstance(data, dict):
        raise BadInput("invalid_json", "The body must be a JSON object.")
    unknown = sorted(set(data) - set(only)) if only is not None else []
    if unknown:
        raise BadInput("unknown_field", f"Unknown field(s): {', '.join(unknown)[:200]}.")
    return data


def int_arg(name: str, *, default: int | None, low: int, high: int) -> int | None:
    """Return an integer query argument within bounds."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not is_digits(raw) or len(raw) > 20 or not low <= int(raw) <= high:
        raise BadInput(f"invalid_{name}", f"{name} must be a whole number from {low} to {high}.")
    return int(raw)


def limit_arg() -> int:
    """Return the page size asked for, or the configured default."""
    return int_arg("limit", default=current_app.config["PAGE_SIZE"], low=1, high=PAGE_MAX)


def before_arg() -> int | None:
    """Return the ``before`` message id of a message page."""
    return int_arg("before", default=None, low=1, high=MAX_ID)
