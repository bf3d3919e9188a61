"""Calls from the WordPress plugin, signed with the shared secret for each endpoint
(:func:`bridge.api.guards.plugin_signature`); a field an endpoint does not declare is
refused."""

from __future__ import annotations

from flask import Blueprint

from bridge.api.params import json_object
from bridge.db import get_session, retry_conflicts
from bridge.inbox import privacy, sync
from bridge.inbox.errors import BadInput
from bridge.inbox.values import clean_id, utcnow
from bridge.limits import PRIVACY_PAGE_MAX

bp = Blueprint("plugin", __name__, url_prefix="/api/v1")


@bp.post("/events")
@retry_conflicts
def events():
    """Take a batch of WordPress events; an event id seen before is accepted and ignored."""
    batch = sync.validate_events(json_object(only=("events",)))
    session = get_session()
    with session.begin():
        applied, duplicates = sync.apply_events(session, batch, utcnow())
    return {"applied": applied, "duplicates": duplicates}


@bp.post("/privacy/export")
def privacy_export():
    """One page of a user's Space messages, for WordPress' personal data exporter."""
    data = json_object(only=("user_id", "page"))
    user_id, page = clean_id(data.get("user_id"), "user_id"), data.get("page", 1)
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= PRIVACY_PAGE_MAX:
        raise BadInput("invalid_page", "page must be a whole number from 1.")
    session = get_session()
    with session.begin():
        items, done = privacy.export_page(session, user_id, page)
    return {"data": items, "done": done}


@bp.post("/privacy/erase")
@retry_conflicts
def privacy_erase():
    """Erase a member's Space conversations, for WordPress' personal data eraser."""
    user_id = clean_id(json_object(only=("user_id",)).get("user_id"), "user_id")
    session = get_session()
    with session.begin():
        outcome = privacy.erase(session, user_id)
    return outcome
