"""Fixtures: a real WordPress (Debian's package, PHP's server, MariaDB), the bridge app
pointed at its wp-config.php, and real logged-in users of every kind."""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import delete

from bridge import auth, create_app, migrate
from bridge.tables import tables

from wordpress import WordPressSite

#: A table prefix other than wp_, so that nothing can silently assume the default.
PREFIX = "wpt_"
SECRET = "test-shared-secret-0123456789abcdef"
PASSWORD = "correct horse battery staple"


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


@pytest.fixture(scope="session")
def wordpress(tmp_path_factory):
    """A real WordPress 6.1 site, installed in a temporary folder and database."""
    site = WordPressSite(
        tmp_path_factory.mktemp("wordpress"), f"si_test_{os.getpid()}", table_prefix=PREFIX
    )
    site.start()
    yield site
    site.stop()
    site.drop()


@pytest.fixture(scope="session")
def app(wordpress):
    """The bridge, configured from the site's wp-config.php, schema migrated."""
    # Rate limits off here: the tests that are about them set their own.
    application = create_app(
        {
            "WP_CONFIG": str(wordpress.wp_config_path),
            "SECRET": SECRET,
            "RATE_PER_SPACE": "off",
            "RATE_OVERALL": "off",
        }
    )
    application.config["TESTING"] = True
    migrate.upgrade(application.extensions["space_inbox_engine"], PREFIX)
    yield application
    application.extensions["space_inbox_engine"].dispose()


@pytest.fixture(autouse=True)
def _clean_inbox(request):
    """Empty the inbox tables before each test that uses the bridge."""
    if "app" not in request.fixturenames:
        yield
        return
    application = request.getfixturevalue("app")
    t = tables(PREFIX)
    own = [tbl for tbl in t.metadata.sorted_tables if not tbl.info.get("wordpress")]
    with application.extensions["space_inbox_engine"].begin() as connection:
        for table in own:
            connection.execute(delete(table))
    yield


@pytest.fixture
def client(app):
    """A test client that sends each caller's own Cookie header (no cookie jar)."""
    return app.test_client(use_cookies=False)


def _caller(site: WordPressSite, kind: str, login: str, display: str, role: str) -> Caller:
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


@pytest.fixture(scope="session")
def people(wordpress) -> dict[str, Caller]:
    """Real logged-in users of every kind, plus an anonymous and a forged caller."""
    found = {kind: _caller(wordpress, kind, *spec) for kind, spec in KINDS.items()}
    found["anonymous"] = Caller("anonymous", None, None, None, None, None, None)
    member = found["member"]
    name, value = member.cookie.split("=", 1)
    login, expiration, token, mac = value.split("%7C")
    # Same login and token, a made-up hmac: the cookie an attacker can build.
    forged = f"{name}={login}%7C{expiration}%7C{token}%7C{'0' * 64}"
    found["forged"] = Caller("forged", None, None, None, None, forged, member.nonce)
    return found


def signed_post(client, path: str, payload, *, secret: str = SECRET, timestamp=None):
    """POST a call signed as the plugin signs it."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return client.post(
        path,
        data=body,
        content_type="application/json",
        headers={
            "X-Space-Inbox-Timestamp": stamp,
            "X-Space-Inbox-Signature": auth.signature(secret, stamp, body),
        },
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


@pytest.fixture
def world(client, people):
    """Two Spaces: SPACE run by admin and admin2 (removed_admin was on it and left),
    OTHER_SPACE run by other_space_admin."""
    upsert_space(
        client,
        SPACE,
        "Pizzeria Napoli",
        [people["admin"].user_id, people["admin2"].user_id, people["removed_admin"].user_id],
    )
    upsert_space(
        client, SPACE, "Pizzeria Napoli", [people["admin"].user_id, people["admin2"].user_id]
    )
    upsert_space(client, OTHER_SPACE, "T-Shirt Shop", [people["other_space_admin"].user_id])
    return people


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


def conversation_id(client, admin: Caller, space_id: int, member: Caller) -> int:
    """The id of a member's conversation, as a Space admin sees it."""
    listing = client.get(f"/api/v1/spaces/{space_id}/conversations", headers=admin.headers())
    assert listing.status_code == 200, listing.get_json()
    ids = [
        c["id"] for c in listing.get_json()["conversations"] if c["member"]["id"] == member.user_id
    ]
    assert ids, listing.get_json()
    return ids[0]
