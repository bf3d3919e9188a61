"""Service endpoints: health and the OpenAPI document."""

from __future__ import annotations

import os

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from bridge.api import shapes, stream
from bridge.api.openapi import answers, api, spec
from bridge.background import outbox
from bridge.storage import migrate
from bridge.storage.db import get_session

bp = Blueprint("service", __name__)


@bp.get("/health")
@api.validate(
    resp=answers(
        HTTP_200=(shapes.Health, "Healthy."),
        HTTP_503=(
            shapes.Health | shapes.Error,
            "Database down (the error shape) or schema behind.",
        ),
    )
)
def health():
    """Whether the database answers and the schema is current (503 when not)."""
    session = get_session()
    with session.begin():
        session.execute(text("SELECT 1"))
        current = migrate.current_revision(session.connection(), current_app.config["TABLE_PREFIX"])
    head = migrate.head_revision()
    ok = current == head
    body = {
        "status": "ok" if ok else "schema_behind",
        "database": "ok",
        "schema": {"current": current, "head": head},
        "live": stream.available(),
        "dispatcher": {"process": os.getpid(), "passes": outbox.passes},
    }
    response = jsonify(body)
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/api/v1/openapi.json")
@api.validate(resp=answers(HTTP_200=(None, "The OpenAPI document.")))
def openapi():
    """The OpenAPI 3.1 description of every route."""
    return spec()
