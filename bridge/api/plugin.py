"""Calls from the WordPress plugin, signed with the shared secret."""

from __future__ import annotations

from flask import Blueprint

from bridge import inbox, privacy
from bridge.api.guards import require_signature
from bridge.api.params import json_object
from bridge.db import get_session, retry_conflicts

bp = Blueprint("plugin", __name__, url_prefix="/api/v1")
bp.before_request(require_signature)


@bp.post("/events")
@retry_conflicts
def events():
    """Take a batch of WordPress events; an event id seen before is accepted and ignored."""
    batch = inbox.validate_events(json_object())
    session = get_session()
    with session.begin():
        applied, duplicates = inbox.apply_events(session, batch, inbox.utcnow())
    return {"applied": applied, "duplicates": duplicates}


def _user_id(data: dict) -> int:
    value = data.get("user_id")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= inbox.MAX_ID:
        raise inbox.BadInput("invalid_user_id", "user_id must be a positive whole number.")
    return value


@bp.post("/privacy/export")
def privacy_export():
    """One page of a user's Space messages, for WordPress' personal data exporter."""
    data = json_object()
    user_id, page = _user_id(data), data.get("page", 1)
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= 100_000:
        raise inbox.BadInput("invalid_page", "page must be a whole number from 1.")
    session = get_session()
    with session.begin():
        items, done = privacy.export_page(session, user_id, page)
    return {"data": items, "done": done}


@bp.post("/privacy/erase")
@retry_conflicts
def privacy_erase():
    """Erase a member's Space conversations, for WordPress' personal data eraser."""
    user_id = _user_id(json_object())
    session = get_session()
    with session.begin():
        outcome = privacy.erase(session, user_id)
    return outcome
