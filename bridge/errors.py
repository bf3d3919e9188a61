"""One error shape everywhere: ``{"code", "message", "description"?}`` with the right status."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from bridge import inbox

log = logging.getLogger(__name__)

STATUS = {
    inbox.BadInput: 400,
    inbox.Forbidden: 403,
    inbox.NotFound: 404,
    inbox.Conflict: 409,
    inbox.Gone: 410,
    inbox.TooLong: 413,
    inbox.RateLimited: 429,
}


class ApiError(Exception):
    """An error the HTTP layer raises: authentication, signatures, content types."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        description: str | None = None,
        headers: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.description = description
        self.headers = headers or {}


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


def _api_error(exc: ApiError):
    return error_response(exc.status, exc.code, exc.message, exc.description, exc.headers)


def _inbox_error(exc: inbox.InboxError):
    status = next(s for cls, s in STATUS.items() if isinstance(exc, cls))
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, inbox.RateLimited) else None
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


def _unexpected(exc: Exception):
    log.exception("unexpected error")
    return error_response(500, "internal_error", "Something went wrong on our side.")


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(inbox.InboxError, _inbox_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_down)
    app.register_error_handler(Exception, _unexpected)
