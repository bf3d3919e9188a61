"""Who is asking: the WordPress cookie and nonce of members and admins, the signature of
the plugin. Blueprints register these as ``before_request`` hooks, so that no view can
forget them."""

from __future__ import annotations

import time

from flask import current_app, g, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter

from bridge import auth
from bridge.auth import SiteKeys, WpUser
from bridge.db import get_session
from bridge.errors import ApiError
from bridge.inbox import MAX_ID, Viewer

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class IdConverter(BaseConverter):
    """A WordPress or inbox id in a URL: 1 to 2**64-1 (BIGINT UNSIGNED).

    Out of range is 404 for every method. (Range limits in the converter's regex
    matching would make werkzeug answer 405 for a POST whose GET twin matched.)
    """

    regex = r"\d{1,20}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise NotFound()
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))


def site_keys() -> SiteKeys:
    """Return the app's salts and cookie name."""
    return current_app.extensions["space_inbox_keys"]


def presented_cookie(session, *, is_post: bool = False) -> tuple[str, tuple] | None:
    """Return the site's logged-in salt and the request's well-formed, unexpired cookie
    (:func:`bridge.auth.usable_cookie`), or None: then no login can be proven."""
    keys = site_keys()
    name = keys.cookie_name(session)
    raw = request.cookies.get(name) if name else None
    cookie = auth.usable_cookie(raw, now=time.time(), is_post=is_post) if raw else None
    salt = keys.salt(session, "logged_in") if cookie else None
    return (salt, cookie) if salt else None


def _cookie_user(session) -> WpUser | None:
    presented = presented_cookie(session, is_post=request.method == "POST")
    if presented is None:
        return None
    salt, cookie = presented
    # One statement on an autocommit connection: no transaction of its own to end.
    rows = current_app.extensions["space_inbox_login"].rows(login=cookie[0])
    return auth.cookie_user(salt, cookie, *rows[0], time.time()) if rows else None


def not_logged_in() -> ApiError:
    """The error for a request without a valid logged-in cookie."""
    return ApiError(401, "not_logged_in", "Log in to WordPress to use the inbox.")


def require_user() -> None:
    """Authenticate the WordPress user (401), and check the REST nonce on writes (403)."""
    session = get_session()
    with session.begin():
        user = _cookie_user(session)
        if user is None:
            raise not_logged_in()
        if request.method in WRITE_METHODS:
            nonce = request.headers.get("X-WP-Nonce") or request.args.get("_wpnonce", "")
            if not auth.verify_rest_nonce(
                session,
                site_keys(),
                user,
                nonce,
                now=time.time(),
                life=current_app.config["NONCE_LIFE"],
            ):
                raise ApiError(
                    403,
                    "invalid_nonce",
                    "The X-WP-Nonce header is missing or not valid.",
                    "Reload the page to get a fresh nonce.",
                )
    g.user = user


def viewer() -> Viewer:
    """Return the authenticated user as the inbox rules know them."""
    session, user = get_session(), g.user
    prefix = current_app.config["TABLE_PREFIX"]
    return Viewer(user.id, lambda: auth.is_site_administrator(session, user.id, prefix))


def require_signature() -> None:
    """Accept only calls signed by the plugin, with a fresh timestamp."""
    timestamp = request.headers.get("X-Space-Inbox-Timestamp", "")
    sig = request.headers.get("X-Space-Inbox-Signature", "")
    if not timestamp or not sig:
        raise ApiError(401, "signature_required", "This call must be signed by the plugin.")
    session = get_session()
    with session.begin():
        secret = auth.shared_secret(session, current_app.config.get("SECRET"))
    if secret is None:
        raise ApiError(
            403,
            "no_secret",
            "No shared secret is configured.",
            "Activate the plugin, or set SPACE_INBOX_SECRET.",
        )
    failure = auth.verify_signature(
        secret,
        timestamp,
        sig,
        request.get_data(cache=True),
        now=time.time(),
        max_skew=current_app.config["SIGNATURE_MAX_SKEW"],
    )
    if failure == "stale":
        raise ApiError(403, "stale_signature", "The signed timestamp is too old or in the future.")
    if failure:
        raise ApiError(403, "bad_signature", "The signature does not match.")
