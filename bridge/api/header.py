"""The header badge's poll, ``GET /api/v1/me/summary``: the hot path.

Every logged-in page polls it, so it costs one round trip to MariaDB: the cookie's user,
their sessions and every count come back from one statement
(:func:`bridge.inbox.header_statement`), and the cookie is checked against that row as
:func:`bridge.api.guards.require_user` checks it before any count is used. A
blueprint of its own, because the member blueprint's login hook would be a round trip
of its own.
"""

from __future__ import annotations

import time

from flask import Blueprint, current_app, jsonify, request

from bridge import auth, inbox
from bridge.api.guards import not_logged_in, presented_cookie, site_keys
from bridge.db import OneStatement, get_session

bp = Blueprint("header", __name__, url_prefix="/api/v1/me")


@bp.get("/summary")
def summary():
    """Unread counts for the header badge; polled, so one statement and ETag-able."""
    session = get_session()
    # The session connects only when a kept wp_options value is stale.
    with session.begin():
        presented = presented_cookie(session)
        inbox_url = current_app.config.get("INBOX_URL")
        if not inbox_url:
            found = site_keys().options(session, ("space_inbox_inbox_url", "home"))
            inbox_url = found.get("space_inbox_inbox_url") or found.get("home") or "/"
    if presented is None:
        raise not_logged_in()
    salt, cookie = presented
    statement: OneStatement = current_app.extensions["space_inbox_header"]
    rows = statement.rows(login=cookie[0])
    me = next((r for r in rows if r[inbox.KIND] == 0), None)
    if me is None or not auth.cookie_user(salt, cookie, *me[: inbox.KIND], time.time()):
        raise not_logged_in()
    body = {
        "unread": int(me[inbox.UNREAD]),
        "conversations_unread": int(me[inbox.CONVERSATIONS_UNREAD]),
        "inbox_url": inbox_url,
    }
    administered = sorted(
        (r for r in rows if r[inbox.KIND] == 1),
        key=lambda r: (r[inbox.NAME].casefold(), r[inbox.ID]),
    )
    spaces = [
        {"id": int(r[inbox.ID]), "name": r[inbox.NAME], "unread": int(r[inbox.UNREAD])}
        for r in administered
    ]
    if spaces:
        body["spaces"] = spaces
    response = jsonify(body)
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    response.add_etag()
    return response.make_conditional(request)
