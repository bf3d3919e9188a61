"""Calls from the WordPress plugin, signed with the shared secret for each endpoint
(:func:`bridge.api.guards.plugin_signature`); a field an endpoint does not declare is
refused."""

from __future__ import annotations

from flask import Blueprint, current_app

from bridge.api import plugin_shapes, stream
from bridge.api.openapi import BODY_ERRORS, answers, api
from bridge.background import live, outbox
from bridge.inbox import privacy, sync
from bridge.inbox.values import utcnow
from bridge.storage import migrate
from bridge.storage.db import get_session, retry_conflicts

bp = Blueprint("plugin", __name__, url_prefix="/api/v1")

#: Seconds between the stream check's two events: far more than a web server that passes a
#: stream on needs, far less than one that holds it back until it ends.
STREAM_CHECK_GAP = 0.5


@bp.post("/events")
@retry_conflicts
@api.validate(
    resp=answers(
        *BODY_ERRORS,
        401,
        403,
        HTTP_200=(plugin_shapes.EventsApplied, "Applied; ids seen before ignored."),
    )
)
def events(json: plugin_shapes.Events):
    """Take a batch of WordPress events (signed); an event id seen before is accepted and
    ignored."""
    batch = sync.validate_events(json)
    session = get_session()
    with session.begin():
        applied, duplicates = sync.apply_events(session, batch, utcnow())
    return {"applied": applied, "duplicates": duplicates}


@bp.post("/privacy/export")
@api.validate(
    resp=answers(*BODY_ERRORS, 401, 403, HTTP_200=(plugin_shapes.PrivacyExport, "Exporter items."))
)
def privacy_export(json: plugin_shapes.PrivacyExportBody):
    """One page of a user's Space messages, for WordPress' personal data exporter (signed)."""
    user_id, page = json["user_id"], json.get("page", 1)
    session = get_session()
    with session.begin():
        items, done = privacy.export_page(session, user_id, page)
    return {"data": items, "done": done}


@bp.post("/privacy/erase")
@retry_conflicts
@api.validate(
    resp=answers(*BODY_ERRORS, 401, 403, HTTP_200=(plugin_shapes.PrivacyErase, "Eraser result."))
)
def privacy_erase(json: plugin_shapes.PrivacyEraseBody):
    """Erase a member's Space conversations, for WordPress' personal data eraser (signed)."""
    user_id = json["user_id"]
    session = get_session()
    with session.begin():
        outcome = privacy.erase(session, user_id)
    return outcome


@bp.get("/status")
@api.validate(
    resp=answers(401, 403, HTTP_200=(plugin_shapes.Status, "The bridge, for Site Health."))
)
def status():
    """What WordPress' Site Health screen shows of the bridge (signed): its schema, Redis,
    and the notification jobs WordPress has not taken."""
    session = get_session()
    head = migrate.head_revision()
    with session.begin():
        current = migrate.current_revision(session.connection(), current_app.config["TABLE_PREFIX"])
        # Tables behind the schema may not hold what the backlog reads.
        backlog = outbox.backlog(session, utcnow()) if current == head else None
    hub = live.hub()
    return {
        "schema": {"current": current, "head": head},
        "redis": "off" if hub is None else "ok" if hub.reachable() else "unreachable",
        "live": stream.available(),
        "outbox": backlog,
    }


@bp.get("/status/stream")
@api.validate(
    resp=answers(
        401,
        403,
        HTTP_200=(None, "`open`, then `done` half a second later (text/event-stream)."),
    )
)
def status_stream():
    """Two events half a second apart (signed): through the site's public bridge URL the
    plugin times them, to tell whether the web server passes live streams on at once."""
    return stream.event_stream(stream.check_events(STREAM_CHECK_GAP))
