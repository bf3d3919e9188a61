"""The bridge's callers, for tests through Flask's test client: real WordPress users
logged in through ``wp-login.php`` with their real cookie and nonce, and the plugin's signed
calls (events, Spaces and their teams)."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass

import requests

from bridge.wordpress import signing
from devstack.wordpress import WordPressSite

#: A table prefix other than wp_, so that nothing can silently assume the default.
PREFIX = "wpt_"
SECRET = "test-shared-secret-0123456789abcdef"
PASSWORD = "correct horse battery staple"
#: The plugin as WordPress names it in its list of active plugins.
PLUGIN_FILE = "space-inbox/space-inbox.php"
#: Proxy mode's way to the bridge, under the site's address, as pages call it.
PROXY = "/wp-content/plugins/space-inbox/proxy.php"


def post_message(
    session: requests.Session, api: str, space_id: int, body: str, nonce: str
) -> requests.Response:
    """A member's message to a Space as a page sends it: the browser's *session* (its
    cookies), its REST *nonce*, a new client key, to the API at *api* (the bridge's
    address, or the site's path to it in direct mode)."""
    return session.post(
        f"{api}/api/v1/me/spaces/{space_id}/messages",
        json={"body": body, "client_key": uuid.uuid4().hex},
        headers={"X-WP-Nonce": nonce},
        timeout=10,
    )


def proxy_url(site_url: str, path: str) -> str:
    """The fast proxy's address for *path* under ``/api/v1/`` (a query after ``?`` kept),
    as badge.js builds it: the path as ``path=``, the query after it."""
    path, _, query = path.partition("?")
    return f"{site_url}{PROXY}?path={path}" + (f"&{query}" if query else "")


@dataclass
class Caller:
    """A WordPress user logged in through wp-login.php, with a real cookie and nonce."""

    kind: str
    user_id: int | None
    login: str | None
    display_name: str | None
    email: str | None
    cookie: str | None  # "name=value" as a browser sends it
    nonce: str | None

    def headers(self, *, nonce: bool = True) -> dict:
        headers = {}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if nonce and self.nonce:
            headers["X-WP-Nonce"] = self.nonce
        return headers


def log_in(site: WordPressSite, kind: str, login: str, display: str, role: str) -> Caller:
    user_id = site.user_id(login)
    if user_id is None:
        user_id = site.create_user(
            login, PASSWORD, role=role, email=f"{login}@example.org", display_name=display
        )
    session = site.login(login, PASSWORD)
    name, value = site.logged_in_cookie(session)
    return Caller(
        kind,
        user_id,
        login,
        display,
        f"{login}@example.org",
        f"{name}={value}",
        site.rest_nonce(session),
    )


#: Every kind of caller of the authorization matrix, with their WordPress role.
KINDS = {
    "member": ("maya.member", "Maya Member", "subscriber"),
    "other_member": ("otto.other", "Otto Other", "subscriber"),
    "admin": ("ada.admin", "Ada Admin", "subscriber"),
    "admin2": ("ben.admin", "Ben Admin", "author"),
    "other_space_admin": ("olga.shop", "Olga Shop", "subscriber"),
    "removed_admin": ("rex.removed", "Rex Removed", "subscriber"),
    "site_admin": ("sam.site", "Sam Site", "administrator"),
}


def signed_post(client, path: str, payload, *, secret: str = SECRET, timestamp=None):
    """POST a call signed as the plugin signs it."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    endpoint = path.removeprefix("/api/v1/")
    return client.post(
        path,
        data=body,
        content_type="application/json",
        headers=signing.signed_headers(secret, endpoint, body, timestamp=stamp),
    )


def event(kind: str, **data) -> dict:
    """Return one plugin event with a fresh id."""
    return {"id": str(uuid.uuid4()), "type": kind, "data": data}


def upsert_space(client, space_id: int, name: str, admin_ids: list[int], **extra) -> None:
    """Tell the bridge about a Space and its team, as the plugin does."""
    data = {
        "space_id": space_id,
        "name": name,
        "slug": name.lower().replace(" ", "-"),
        "url": f"https://example.org/spaces/{space_id}/",
        "avatar_url": "",
        "admin_ids": admin_ids,
        **extra,
    }
    answer = signed_post(client, "/api/v1/events", {"events": [event("space.upserted", **data)]})
    assert answer.status_code == 200, answer.get_json()


SPACE = 501
OTHER_SPACE = 502


def send(client, caller: Caller, space_id: int, body: str, key: str | None = None):
    """A member's message to a Space."""
    return client.post(
        f"/api/v1/me/spaces/{space_id}/messages",
        json={"body": body, "client_key": key or uuid.uuid4().hex},
        headers=caller.headers(),
    )


def reply(
    client, caller: Caller, space_id: int, conversation_id: int, body: str, key: str | None = None
):
    """A Space admin's answer."""
    return client.post(
        f"/api/v1/spaces/{space_id}/conversations/{conversation_id}/messages",
        json={"body": body, "client_key": key or uuid.uuid4().hex},
        headers=caller.headers(),
    )


def made(client, admin: Caller, space_id: int, what: str, body: dict) -> int:
    """Something a Space admin makes for the Space (``what``: its collection, such as
    ``saved-replies`` or ``labels``); its id."""
    answer = client.post(f"/api/v1/spaces/{space_id}/{what}", json=body, headers=admin.headers())
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


def conversation_id(client, admin: Caller, space_id: int, member: Caller) -> int:
    """The id of a member's conversation, as a Space admin sees it."""
    listing = client.get(f"/api/v1/spaces/{space_id}/conversations", headers=admin.headers())
    assert listing.status_code == 200, listing.get_json()
    ids = [
        c["id"] for c in listing.get_json()["conversations"] if c["member"]["id"] == member.user_id
    ]
    assert ids, listing.get_json()
    return ids[0]
