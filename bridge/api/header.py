"""The header badge's poll, ``GET /api/v1/me/summary``: the hot path.

Every logged-in page polls it, so it costs one round trip to MariaDB: its guard
(:func:`bridge.api.guards.header_login`) verifies the cookie against the row of
:func:`bridge.inbox.statements.header_statement`, which also holds every count shown here.
The live stream (:mod:`bridge.api.stream`) sends the same body.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy import Row

from bridge.api import shapes
from bridge.api.guards import site_keys
from bridge.api.openapi import answers, api
from bridge.inbox.statements import MEMBER, SPACE
from bridge.storage.db import get_session
from bridge.wordpress import site

bp = Blueprint("header", __name__, url_prefix="/api/v1/me")


def inbox_url() -> str:
    """The member inbox's address: the setting, else the plugin's option, else home."""
    configured = current_app.config.get("INBOX_URL")
    if configured:
        return configured
    names = site.INBOX_OPTIONS
    found = site_keys().kept_options(names)
    if len(found) < len(names):
        # Kept values are stale: read them (the polled path opens no session otherwise).
        session = get_session()
        with session.begin():
            found = site_keys().options(session, names)
    return site.inbox_url(None, found)


def summary_body(rows: list[Row], url: str) -> dict:
    """The badge's counts from the rows of the header statement."""
    me = next(r for r in rows if r.kind == MEMBER)
    body = {
        "unread": int(me.unread),
        "conversations_unread": int(me.conversations_unread),
        "inbox_url": url,
    }
    administered = sorted(
        (r for r in rows if r.kind == SPACE), key=lambda r: (r.name.casefold(), r.space_id)
    )
    if administered:
        body["spaces"] = [
            {"id": int(r.space_id), "name": r.name, "unread": int(r.unread)} for r in administered
        ]
    return body


@bp.get("/summary")
@api.validate(
    resp=answers(
        401,
        HTTP_200=(shapes.Summary, "Counts."),
        HTTP_304=(None, "Unchanged since the ETag given."),
    )
)
def summary():
    """Unread counts for the header badge; polled, so one statement and ETag-able."""
    url = inbox_url()
    built = g.kept.response if g.kept is not None else []
    if built and built[0] == url:
        response = current_app.response_class(built[1], mimetype="application/json")
        response.set_etag(built[2])
    else:
        response = jsonify(summary_body(g.header_rows, url))
        response.add_etag()
        if g.kept is not None:
            # Built once per kept answer: polls that find it send the same bytes.
            g.kept.response[:] = [url, response.get_data(), response.get_etag()[0]]
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    return response.make_conditional(request)
