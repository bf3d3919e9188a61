"""Reading a request's body and query, refusing bad input with a clear 400."""

from __future__ import annotations

from flask import current_app, request

from bridge.refusals import BadInput, UnsupportedMediaType


def json_object() -> dict:
    """Return the JSON object a write sent."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("unsupported_media_type", "Send the body as application/json.")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nesting deeper than the JSON parser goes: not a message
        data = None
    if not isinstance(data, dict):
        raise BadInput("invalid_json", "The body must be a JSON object.")
    return data


def page_size(query: dict) -> int:
    """Return the page size a query asked for, or the configured default."""
    return query.get("limit") or current_app.config["PAGE_SIZE"]
