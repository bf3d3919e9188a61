"""What anyone may read of a Space: how fast it typically answers (the Space page shows it
to visitors too). Nothing per admin."""

from __future__ import annotations

import json

from flask import Blueprint, current_app

from bridge.api import shapes
from bridge.api.openapi import answers, api
from bridge.inbox import figures, kept_figures, values
from bridge.refusals import NotFound
from bridge.storage.db import get_session

bp = Blueprint("public", __name__, url_prefix="/api/v1/spaces/<id:space_id>")

#: Seconds browsers and proxies may keep the answer.
MAX_AGE = 300


@bp.get("/response-time")
@api.validate(resp=answers(404, HTTP_200=(shapes.ResponseTime, "What members are told.")))
def response_time(space_id: int):
    """How fast the Space typically answers: "Typically replies within …" and "very
    responsive", for the Space's page and inbox (public; nothing per admin)."""
    now = values.utcnow()
    # Asked on every visit of a Space's page: one statement, when the figures are kept.
    found = current_app.extensions["space_inbox_told"].rows(
        space=space_id, now=now, since=now - kept_figures.KEPT_FOR
    )
    if not found or found[0].status != "active":
        raise NotFound("space_not_found", "There is no such Space.")
    if found[0].told is not None:
        shaped = json.loads(found[0].told)
    else:
        session = get_session()
        with session.begin():
            shaped = figures.kept(session, space_id, now)["response_time"]
    return shaped, 200, {"Cache-Control": f"public, max-age={MAX_AGE}"}
