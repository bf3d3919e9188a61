"""Tests proving that the WordPress test harness (devstack/wordpress.py) gives a working site."""

from __future__ import annotations

import hashlib
import hmac
import re
import urllib.parse
from collections.abc import Iterator

import pytest
import requests

from devstack.wordpress import HTTP_TIMEOUT, WordPressSite, php_str

DB_NAME = "si_test_wp_harness"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WordPressSite]:
    with WordPressSite(tmp_path_factory.mktemp("wordpress"), DB_NAME) as running:
        yield running


def _users_me(
    site: WordPressSite, cookie: tuple[str, str] | None, nonce: str | None
) -> requests.Response:
    """GET /wp-json/wp/v2/users/me sending only the given cookie and nonce (like the bridge)."""
    headers = {}
    if cookie is not None:
        headers["Cookie"] = f"{cookie[0]}={cookie[1]}"
    if nonce is not None:
        headers["X-WP-Nonce"] = nonce
    with site.session() as session:
        url = f"{site.url}/wp-json/wp/v2/users/me"
        return session.get(url, headers=headers, timeout=HTTP_TIMEOUT)


def _token(cookie_value: str) -> str:
    login, expiration, token, mac = urllib.parse.unquote(cookie_value).split("|")
    return token


def test_site_is_installed(site: WordPressSite) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", site.url)
    assert site.option("siteurl") == site.url
    assert site.option("home") == site.url
    assert site.option("permalink_structure") == "/%postname%/"
    assert site.option("no_such_option") is None
    assert site.php("echo get_bloginfo( 'name' );") == "Test site"
    assert set(site.keys) == {
        "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
        "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT",
    }  # fmt: skip
    assert all(len(value) == 64 for value in site.keys.values())
    assert site.php("echo LOGGED_IN_KEY;") == site.keys["LOGGED_IN_KEY"]
    for path in ("/?rest_route=/", "/wp-json/"):
        with site.session() as session:
            response = session.get(site.url + path, timeout=HTTP_TIMEOUT)
        assert response.status_code == 200, path
        assert "wp/v2" in response.json()["namespaces"]


def test_php_failure_is_reported(site: WordPressSite) -> None:
    with pytest.raises(RuntimeError, match="did not run to its end"):
        site.php("wp_die( 'stop' );")
    with pytest.raises(RuntimeError, match="Undefined|undefined"):
        site.php("no_such_function();")


def test_login_cookie_nonce_and_rest(site: WordPressSite) -> None:
    user_id = site.create_user("harness-alice", "alice-password", display_name="Alice")
    with site.login("harness-alice", "alice-password") as session:
        name, value = site.logged_in_cookie(session)
        nonce = site.rest_nonce(session)

    assert name == "wordpress_logged_in_" + hashlib.md5(site.url.encode()).hexdigest()
    # Still URL-encoded as PHP's setcookie() sent it: login%7Cexpiration%7Ctoken%7Chmac.
    assert value.startswith("harness-alice%7C")
    login, expiration, token, mac = urllib.parse.unquote(value).split("|")

    # The HMAC verifies with the keys the harness put in wp-config.php (wp_validate_auth_cookie).
    user_pass = site.sql("SELECT user_pass FROM {prefix}users WHERE ID = %s", [user_id])[0][0]
    data = f"{login}|{expiration}|{token}"
    key = hmac.new(
        (site.keys["LOGGED_IN_KEY"] + site.keys["LOGGED_IN_SALT"]).encode(),
        f"{login}|{user_pass[8:12]}|{expiration}|{token}".encode(),
        "md5",
    ).hexdigest()
    assert hmac.new(key.encode(), data.encode(), "sha256").hexdigest() == mac

    assert re.fullmatch(r"[0-9a-f]{10}", nonce)

    response = _users_me(site, (name, value), nonce)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == user_id
    assert response.json()["name"] == "Alice"
    assert _users_me(site, None, None).status_code == 401
    # Cookie without nonce: WordPress' CSRF protection treats the request as anonymous.
    assert _users_me(site, (name, value), None).status_code == 401


def test_logout_destroys_session(site: WordPressSite) -> None:
    user_id = site.create_user("harness-bob", "bob-password")
    with site.login("harness-bob", "bob-password") as other:
        other_cookie = site.logged_in_cookie(other)
        other_nonce = site.rest_nonce(other)
    with site.login("harness-bob", "bob-password", remember=True) as session:
        cookie = site.logged_in_cookie(session)
        nonce = site.rest_nonce(session)
        verifier = hashlib.sha256(_token(cookie[1]).encode()).hexdigest()
        other_verifier = hashlib.sha256(_token(other_cookie[1]).encode()).hexdigest()
        assert site.session_verifiers(user_id) == {verifier, other_verifier}
        assert _users_me(site, cookie, nonce).status_code == 200

        site.logout(session)

        assert not any(c.name.startswith("wordpress_logged_in_") for c in session.cookies)

    rows = site.sql(
        "SELECT meta_value FROM {prefix}usermeta WHERE user_id = %s AND meta_key = %s",
        [user_id, "session_tokens"],
    )
    assert len(rows) == 1
    assert verifier not in rows[0][0]
    assert other_verifier in rows[0][0]  # only this session ended
    assert _users_me(site, cookie, nonce).status_code != 200
    assert _users_me(site, other_cookie, other_nonce).status_code == 200


def test_set_password(site: WordPressSite) -> None:
    user_id = site.create_user("harness-carol", "old-password", role="editor")
    with site.login("harness-carol", "old-password") as session:
        cookie = site.logged_in_cookie(session)
        nonce = site.rest_nonce(session)
    before = site.sql("SELECT user_pass FROM {prefix}users WHERE ID = %s", [user_id])[0][0]

    site.set_password(user_id, "new-password")

    after = site.sql("SELECT user_pass FROM {prefix}users WHERE ID = %s", [user_id])[0][0]
    assert after != before
    check = f"echo wp_check_password( 'new-password', {php_str(after)} ) ? 'yes' : 'no';"
    assert site.php(check) == "yes"
    # The cookie's HMAC covers part of the password hash, so old cookies stop working.
    assert _users_me(site, cookie, nonce).status_code != 200
    with pytest.raises(RuntimeError, match="login as 'harness-carol' failed"):
        site.login("harness-carol", "old-password")
    site.login("harness-carol", "new-password").close()
