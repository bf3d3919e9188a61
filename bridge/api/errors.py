"""One error shape everywhere: ``{"code", "message", "description"?}`` with the right status.

Refusals are :class:`bridge.refusals.InboxError`, answered with the status of their
kind (:data:`STATUSES`); werkzeug's HTTP errors (404 of an unknown path, 405, 413 of a body
over ``MAX_CONTENT_LENGTH``) and a database that cannot be reached (503) get the same shape.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from werkzeug.exceptions import HTTPException

from bridge import refusals
from bridge.refusals import InboxError

log = logging.getLogger(__name__)


def error_response(
    status: int,
    code: str,
    message: str,
    description: str | None = None,
    headers: dict | None = None,
):
    """Return the JSON error response."""
    body = {"code": code, "message": message}
    if description:
        body["description"] = description
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    response.headers["Cache-Control"] = "no-store"
    return response


#: The status each kind of refusal is answered with: every kind has one (a test checks).
STATUSES: dict[type[InboxError], int] = {
    refusals.BadInput: 400,
    refusals.NotLoggedIn: 401,
    refusals.Forbidden: 403,
    refusals.NotFound: 404,
    refusals.Conflict: 409,
    refusals.Gone: 410,
    refusals.TooLong: 413,
    refusals.UnsupportedMediaType: 415,
    refusals.RateLimited: 429,
    refusals.Unavailable: 503,
}


def _refused(exc: InboxError):
    status = next((STATUSES[k] for k in type(exc).__mro__ if k in STATUSES), 400)
    headers = {}
    if isinstance(exc, refusals.RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    return error_response(status, exc.code, exc.message, exc.description, headers)


def _http_error(exc: HTTPException):
    code = (exc.name or "error").lower().replace(" ", "_").replace("'", "")
    headers = dict(exc.get_headers()) if exc.code == 405 else {}
    headers.pop("Content-Type", None)
    return error_response(exc.code or 500, code, exc.name, exc.description, headers)


def _database_down(exc: DBAPIError):
    log.warning("database unavailable: %s", exc.orig)
    return error_response(
        503,
        "database_unavailable",
        "The inbox database is unavailable or busy; try again shortly.",
        headers={"Retry-After": "5"},
    )


#: MariaDB's errors for a table or a column that is not there (ER_NO_SUCH_TABLE,
#: ER_BAD_FIELD_ERROR): the inbox tables were not migrated to this bridge's schema.
_NOT_MIGRATED = {1146, 1054}


def _programming_error(exc: ProgrammingError):
    if exc.orig is not None and exc.orig.args and exc.orig.args[0] in _NOT_MIGRATED:
        log.warning("schema behind: %s", exc.orig)
        return error_response(
            503,
            "schema_behind",
            "A table the bridge reads is missing or not at its schema.",
            "Run `space-inbox migrate`, and check the table prefix.",
        )
    return _unexpected(exc)


def _unexpected(exc: Exception):
    log.exception("unexpected error")
    return error_response(500, "internal_error", "Something went wrong on our side.")


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(InboxError, _refused)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_down)
    app.register_error_handler(ProgrammingError, _programming_error)
    app.register_error_handler(Exception, _unexpected)
