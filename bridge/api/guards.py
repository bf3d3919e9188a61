"""Who is asking: deny by default.

Every route answers only a verified caller, unless its endpoint is in :data:`PUBLIC`:
:data:`CALLERS` says, per blueprint, how its callers are verified (a member's WordPress
cookie and nonce, or the plugin's signature), and :func:`init_app` refuses to build an app
with a route that is in neither. One function, :func:`logged_in_user`, checks a logged-in
cookie.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, current_app, g, request
from sqlalchemy import Row
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound as RouteNotFound
from werkzeug.routing import BaseConverter

from bridge.background import live
from bridge.inbox import sync
from bridge.inbox.access import Viewer
from bridge.inbox.statements import MEMBER, SPACE
from bridge.inbox.values import utcnow
from bridge.limits import MAX_ID
from bridge.refusals import Forbidden, NotLoggedIn
from bridge.storage.db import OneStatement, get_session
from bridge.wordpress import auth, php_request, signing, site
from bridge.wordpress.auth import SiteKeys, WpUser

#: Where the plugin's signed calls live; what follows is the endpoint a signature names.
PLUGIN_PREFIX = "/api/v1/"

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
#: Seconds a header check waits for another's read of the same cookie before its own.
FLIGHT_WAIT = 5.0


class IdConverter(BaseConverter):
    """A WordPress or inbox id in a URL: 1 to 2**64-1 (BIGINT UNSIGNED).

    Out of range is 404 for every method. (Range limits in the converter's regex
    matching would make werkzeug answer 405 for a POST whose GET twin matched.)
    """

    regex = r"\d{1,20}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise RouteNotFound()
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))


def site_keys() -> SiteKeys:
    """Return the app's salts and cookie name."""
    return current_app.extensions["space_inbox_keys"]


def logged_in_user(login_row: Callable[[str], Row | None]) -> WpUser | None:
    """Return the WordPress user the request's logged-in cookie proves, or None.

    :param login_row: looks up the row of :func:`bridge.wordpress.auth.login_statement` for a login
        (or a statement that includes it); called only for a well-formed, unexpired cookie.
    """
    session = get_session()
    # The session connects only when a kept wp_options value (salt, siteurl) is stale.
    with session.begin():
        keys = site_keys()
        name = keys.cookie_name(session)
        # $_COOKIE as PHP fills it from the header: werkzeug's cookie parser differs.
        raw = php_request.logged_in_value(request.headers.get("Cookie"), name) if name else None
        now = time.time()
        cookie = auth.usable_cookie(raw, now=now, is_post=request.method == "POST") if raw else None
        salt = keys.salt(session, "logged_in") if cookie else None
    if cookie is None or salt is None:
        return None
    # One statement on an autocommit connection: no transaction of its own to end.
    return auth.cookie_user(salt, cookie, login_row(cookie.login), now)


def _refuse_login() -> NotLoggedIn:
    return NotLoggedIn("not_logged_in", "Log in to WordPress to use the inbox.")


def _check_nonce(user: WpUser) -> None:
    # The nonce WordPress checks: $_REQUEST['_wpnonce'] as PHP decodes it, else the header.
    form = request.get_data(cache=True) if php_request.is_form_post(request) else None
    nonce = php_request.request_nonce(request.query_string, request.headers.get("X-WP-Nonce"), form)
    session = get_session()
    with session.begin():
        valid = auth.verify_rest_nonce(
            session,
            site_keys(),
            user,
            nonce,
            now=time.time(),
            life=current_app.config["NONCE_LIFE"],
        )
    if not valid:
        raise Forbidden(
            "invalid_nonce",
            "The X-WP-Nonce header is missing or not valid.",
            "Reload the page to get a fresh nonce.",
        )


def member_login() -> None:
    """Verify a WordPress user by their cookie (401), and their REST nonce on writes (403);
    refuse writes while WordPress has the plugin off (503 ``inbox_off``)."""
    statement: OneStatement = current_app.extensions["space_inbox_login"]
    user = logged_in_user(lambda login: next(iter(statement.rows(login=login)), None))
    if user is None:
        raise _refuse_login()
    if request.method in WRITE_METHODS:
        _check_nonce(user)
        session = get_session()
        with session.begin():
            config = current_app.config
            site.require_on(
                session, site_keys(), config["TABLE_PREFIX"], config["PLUGIN_CHECK_INTERVAL"]
            )
    g.user = user


def header_login() -> None:
    """Verify the header poll's caller with the statement that also reads every count it
    shows (:func:`bridge.inbox.statements.header_statement`): one round trip in all.

    The rows are kept in ``g.header_rows`` for the view. The poll only reads. While the
    process hears every change (:func:`bridge.background.live.kept_answers`), a verified answer is
    kept by the request's Cookie header and given again without MariaDB until a change
    concerns it or the login ends (``g.kept``).
    """
    kept = live.kept_answers() if request.method == "GET" else None
    key = request.headers.get("Cookie")
    now = time.time()
    found = kept.get(key, now) if kept is not None else None
    if found is not None:
        g.user, g.header_rows, g.kept = found.user, found.rows, found
        return
    heard = kept.heard if kept is not None else 0
    if kept is not None:
        # The same cookie read by another request since the last change: its answer.
        flight, leads = kept.board(key, heard)
        if not leads:
            if flight.done.wait(FLIGHT_WAIT) and flight.result is not None:
                g.user, g.header_rows = flight.result
                g.kept = None
                return
            flight, leads = kept.board(None, heard)
    statement: OneStatement = current_app.extensions["space_inbox_header"]
    rows: list[Row] = []

    def login_row(login: str) -> Row | None:
        rows.extend(statement.rows(login=login))
        return next((r for r in rows if r.kind == MEMBER), None)

    user = None
    try:
        user = logged_in_user(login_row)
    finally:
        if kept is not None:
            kept.land(key, flight, (user, rows) if user is not None else None)
    if user is None:
        raise _refuse_login()
    if request.method in WRITE_METHODS:
        _check_nonce(user)
    if kept is not None:
        spaces = {int(r.space_id) for r in rows if r.kind == SPACE}
        kept.keep(key, user, rows, spaces, heard, now)
    g.user, g.header_rows, g.kept = user, rows, None


def plugin_signature() -> None:
    """Accept only calls signed by the plugin for this endpoint, with a fresh timestamp and a
    request id not seen before."""
    if not request.headers.get(signing.SIGNATURE_HEADER) or not request.headers.get(
        signing.TIMESTAMP_HEADER
    ):
        raise NotLoggedIn("signature_required", "This call must be signed by the plugin.")
    session = get_session()
    with session.begin():
        secret = signing.shared_secret(session, current_app.config.get("SECRET"))
    if secret is None:
        raise Forbidden(
            "no_secret",
            "No shared secret is configured.",
            "Activate the plugin, or set SPACE_INBOX_SECRET.",
        )
    failure = signing.verify_signature(
        secret,
        request.method,
        request.path.removeprefix(PLUGIN_PREFIX),
        request.headers,
        request.get_data(cache=True),
        now=time.time(),
        max_skew=current_app.config["SIGNATURE_MAX_SKEW"],
    )
    if failure == "stale":
        raise Forbidden("stale_signature", "The signed timestamp is too old or in the future.")
    if failure:
        raise Forbidden("bad_signature", "The signature does not match.")
    with session.begin():
        fresh = sync.note_request(
            session,
            request.headers[signing.REQUEST_HEADER],
            utcnow(),
            timedelta(seconds=2 * current_app.config["SIGNATURE_MAX_SKEW"]),
        )
    if not fresh:
        raise Forbidden("replayed_request", "This signed call was made before.")


#: How the callers of each blueprint's routes are verified.
CALLERS: dict[str, Callable[[], None]] = {
    "member": member_login,
    "space_admin": member_login,
    "team": member_login,
    "desk": member_login,
    "header": header_login,
    "stream": header_login,
    "plugin": plugin_signature,
    "moderation": plugin_signature,
}
#: The only endpoints anyone may call: health checks, the API's description, and how fast
#: a Space typically answers (its page shows visitors).
PUBLIC = frozenset({"service.health", "service.openapi", "public.response_time"})


def verify_caller() -> None:
    """Run the check of the route's blueprint before its view; refuse a route with none."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in PUBLIC:
        return  # no route matched (the 404 or 405 follows), or a public one
    check = CALLERS.get(request.blueprint or "")
    if check is None:
        raise Forbidden("no_guard", "This route has no check of its callers.")
    check()


def unguarded(app: Flask) -> list[str]:
    """Return the endpoints of the app that are neither public nor guarded."""
    return sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC and rule.endpoint.partition(".")[0] not in CALLERS
    )


def viewer(reading: Session | None = None) -> Viewer:
    """Return the verified user as the inbox rules know them.

    :param reading: the session of a read on the replica, if the view reads there: whether
        the user is a site administrator is then asked of the primary, in a transaction of
        its own (a role taken away counts at once, as for every other check).
    """
    primary, user = get_session(), g.user
    prefix = current_app.config["TABLE_PREFIX"]

    def site_admin() -> bool:
        if reading is None or reading is primary:
            return auth.is_site_administrator(primary, user.id, prefix)
        with primary.begin():
            return auth.is_site_administrator(primary, user.id, prefix)

    return Viewer(user.id, site_admin)


def init_app(app: Flask) -> None:
    """Verify every request's caller. Call it once every blueprint is registered: it
    raises when a route is neither public nor guarded."""
    if missing := unguarded(app):
        raise RuntimeError(f"routes with no check of their callers: {', '.join(missing)}")
    app.before_request(verify_caller)
