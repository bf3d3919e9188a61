"""Calls from the WordPress plugin, signed with the shared secret."""

from __future__ import annotations

from flask import Blueprint

from bridge import inbox
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
