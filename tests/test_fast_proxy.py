"""The fast proxy (``wp_plugin/proxy.php``): proxy mode's way to the bridge without booting
WordPress, against a real WordPress with the plugin, the served bridge and MariaDB.

What the browser needs works through it (the badge poll with its ETag, a send with the
nonce, an admin's answer); what an attacker tries does not: nothing but the browser's API
routes on the configured bridge, no cookie but the logged-in one, nothing larger than the
bridge takes, no live stream holding a PHP worker. A recording HTTP server set as the bridge
URL shows exactly what the proxy sends on."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import threading
import urllib.parse
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from bridge.storage.tables import own
from devstack.callers import PASSWORD
from devstack.stack import PLUGIN, WholeStack, new_space
from devstack.wordpress import free_port

PREFIX = "fpx_"
#: The proxy's body cap: the bridge's default MAX_CONTENT_LENGTH.
MAX_BODY = 256 * 1024


class Recorder:
    """A stand-in bridge on loopback: notes every request, answers what it is told."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answer: tuple[int, list[tuple[str, str]], bytes] = (
            200,
            [("Content-Type", "application/json")],
            b'{"unread": 0}',
        )
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                recorder.requests.append(
                    {
                        "method": self.command,
                        "target": self.path,
                        "headers": list(self.headers.items()),
                        "body": self.rfile.read(length) if length else b"",
                    }
                )
                status, headers, body = recorder.answer
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _record

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def header(self, index: int, name: str) -> list[str]:
        return [v for k, v in self.requests[index]["headers"] if k.lower() == name.lower()]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Stack:
    def __init__(self, whole: WholeStack) -> None:
        self.whole = whole
        self.site = whole.site
        self.bridge = whole.bridge
        self.proxy = f"{self.site.url}/wp-content/plugins/space-inbox/proxy.php"

    def user(self, login: str, role: str = "subscriber") -> int:
        return self.site.user_id(login) or self.site.create_user(
            login, PASSWORD, role=role, email=f"{login}@example.org", display_name=login.title()
        )

    def browser(self, login: str) -> tuple[requests.Session, str]:
        self.user(login)
        session = self.site.login(login, PASSWORD)
        return session, self.site.rest_nonce(session)

    def new_space(self, title: str, author: int, team: list[int]) -> int:
        return new_space(self.site, title, author, team)

    def call(self, session, method: str, path: str, *, query: str = "", **kwargs):
        """Call the fast proxy as badge.js does: apiBase + path, then "&" + the query."""
        url = f"{self.proxy}?path={path}" + (f"&{query}" if query else "")
        return session.request(method, url, timeout=30, **kwargs)

    def raw_get(self, session, query: str) -> tuple[int, dict]:
        """GET the proxy with *query* exactly as written (requests would decode ``%2e``)
        and every cookie of *session*, as a browser sends them to the plugins folder."""
        address = urllib.parse.urlsplit(self.proxy)
        conn = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        try:
            conn.putrequest("GET", f"{address.path}?{query}", skip_accept_encoding=True)
            conn.putheader("Cookie", "; ".join(f"{c.name}={c.value}" for c in session.cookies))
            conn.endheaders()
            answer = conn.getresponse()
            return answer.status, json.loads(answer.read() or b"null")
        finally:
            conn.close()

    @contextmanager
    def bridge_url(self, url: str):
        """Point the plugin's bridge URL option at *url* for a while."""
        before = self.site.option("space_inbox_bridge_url")
        self._set_bridge_url(url)
        try:
            yield
        finally:
            self._set_bridge_url(before)

    def _set_bridge_url(self, url: str) -> None:
        self.site.sql(
            "UPDATE {prefix}options SET option_value = %s WHERE option_name = %s",
            [url, "space_inbox_bridge_url"],
        )

    @contextmanager
    def wp_config(self, change):
        """Rewrite wp-config.php with *change* (text -> text, or a path to move it to)."""
        path = self.site.wp_config_path
        original = path.read_text()
        moved = None
        try:
            result = change(original)
            if isinstance(result, str):
                path.write_text(result)
            else:
                moved = result
                shutil.move(path, moved)
            yield
        finally:
            if moved is not None:
                shutil.move(moved, path)
            path.write_text(original)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    whole = WholeStack(
        tmp_path_factory.mktemp("fast-proxy"), f"si_test_fastproxy_{os.getpid()}", PREFIX
    ).start()
    try:
        yield Stack(whole)
    finally:
        whole.stop()


@pytest.fixture()
def recorder(stack):
    server = Recorder()
    try:
        with stack.bridge_url(server.url):
            yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def space(stack):
    owner = stack.user("fp.owner")
    ada = stack.user("fp.ada")
    return {
        "id": stack.new_space("Fast Bakery", owner, [ada]),
        "owner": owner,
        "ada": ada,
    }


# -- what the browser does ------------------------------------------------------------------


def test_pages_hand_the_browser_the_fast_proxy(stack):
    base = stack.site.php("echo Space_Inbox_Options::browser_api_base();")
    assert base == f"{stack.proxy}?path="
    # The proxy reads the option the plugin writes, under the same name.
    assert (
        stack.site.php(
            "require_once SPACE_INBOX_DIR . Space_Inbox_Options::PROXY_FILE;"
            "echo Space_Inbox_Proxy::BRIDGE_URL_OPTION === Space_Inbox_Options::OPTION_BRIDGE_URL"
            " ? 'same' : 'different';"
        )
        == "same"
    )
    browser, _nonce = stack.browser("fp.page")
    page = browser.get(f"{stack.site.url}/space-messages/", timeout=30)
    assert page.status_code == 200
    config = json.loads(re.search(r"spaceInboxConfig\s*=\s*(\{.*?\});", page.text).group(1))
    assert config["apiBase"] == f"{stack.proxy}?path="
    assert config["mode"] == "proxy"


def test_the_badge_poll_answers_as_the_bridge_does_with_its_etag(stack):
    browser, _nonce = stack.browser("fp.poller")
    through = stack.call(browser, "GET", "me/summary")
    assert through.status_code == 200, through.text
    name, value = stack.site.logged_in_cookie(browser)
    direct = requests.get(
        f"{stack.bridge.url}/api/v1/me/summary", headers={"Cookie": f"{name}={value}"}, timeout=10
    )
    assert through.content == direct.content
    assert through.headers["Content-Type"] == direct.headers["Content-Type"]
    assert through.headers["ETag"] == direct.headers["ETag"]
    for relayed in ("Cache-Control", "Vary"):
        assert through.headers.get(relayed) == direct.headers.get(relayed)
    again = stack.call(
        browser, "GET", "me/summary", headers={"If-None-Match": through.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.content == b""
    # The poll is a GET: it needs no nonce, so a page older than its nonce keeps its badge.
    stale = stack.call(browser, "GET", "me/summary", headers={"X-WP-Nonce": "0123456789"})
    assert stale.status_code == 200


def test_a_member_sends_with_the_nonce_and_an_admin_answers(stack, space):
    member = stack.user("fp.member")
    browser, nonce = stack.browser("fp.member")
    path = f"me/spaces/{space['id']}/messages"
    body = {"body": "Is the rye bread baked today?", "client_key": "fp-1"}

    no_nonce = stack.call(browser, "POST", path, json=body)
    assert no_nonce.status_code == 403
    assert no_nonce.json()["code"] == "invalid_nonce"
    sent = stack.call(browser, "POST", path, json=body, headers={"X-WP-Nonce": nonce})
    assert sent.status_code == 201, sent.text
    authors = stack.site.sql(
        f"SELECT author_id FROM {own(PREFIX)}messages WHERE body = %s", [body["body"]]
    )
    assert authors == [(member,)]

    admin, admin_nonce = stack.browser("fp.ada")
    listed = stack.call(
        admin, "GET", f"spaces/{space['id']}/conversations", query="status=open&limit=5"
    )
    assert listed.status_code == 200, listed.text
    conversation = listed.json()["conversations"][0]["id"]
    answer = "Yes, until noon."
    replied = stack.call(
        admin,
        "POST",
        f"spaces/{space['id']}/conversations/{conversation}/messages",
        json={"body": answer, "client_key": "fp-answer-1"},
        headers={"X-WP-Nonce": admin_nonce},
    )
    assert replied.status_code == 201, replied.text

    thread = stack.call(browser, "GET", path, query="limit=10")
    assert thread.status_code == 200
    assert [m["body"] for m in thread.json()["messages"]][-2:] == [body["body"], answer]
    assert all("author" not in m for m in thread.json()["messages"])


def test_a_logged_out_caller_gets_the_bridges_401(stack):
    anonymous = requests.get(f"{stack.proxy}?path=me/summary", timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_logged_in"
    # Only the wp-admin auth cookie (sent to the plugins folder by the browser) is no login.
    browser, _nonce = stack.browser("fp.authonly")
    name, _value = stack.site.logged_in_cookie(browser)
    jar = requests.Session()
    for cookie in browser.cookies:
        if cookie.name != name:
            jar.cookies.set_cookie(cookie)
    assert stack.call(jar, "GET", "me/summary").status_code == 401


def test_the_live_stream_is_not_proxied(stack, recorder):
    browser, _nonce = stack.browser("fp.streamer")
    answer = stack.call(browser, "GET", "me/stream")
    assert answer.status_code == 503
    assert answer.json()["code"] == "live_unavailable"
    assert recorder.requests == []


def test_a_bridge_that_does_not_answer_is_a_503_in_the_bridges_shape(stack):
    browser, _nonce = stack.browser("fp.down")
    with stack.bridge_url(f"http://127.0.0.1:{free_port()}"):
        down = stack.call(browser, "GET", "me/summary")
    assert down.status_code == 503
    assert down.json()["code"] == "bridge_unavailable"
    assert set(down.json()) <= {"code", "message", "description"}
    assert down.headers["Retry-After"] == "30"
    with stack.bridge_url(""):
        unset = stack.call(browser, "GET", "me/summary")
    assert unset.status_code == 503
    assert unset.json()["code"] == "bridge_unavailable"


# -- where WordPress and the plugin live ----------------------------------------------------


def test_a_renamed_plugin_folder_works(stack):
    folder = stack.site.root / "wp-content" / "plugins" / "renamed-inbox"
    folder.symlink_to(PLUGIN, target_is_directory=True)
    try:
        browser, _nonce = stack.browser("fp.renamed")
        answer = browser.get(
            f"{stack.site.url}/wp-content/plugins/renamed-inbox/proxy.php?path=me/summary",
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        assert "unread" in answer.json()
    finally:
        folder.unlink()


def test_wp_config_above_the_wordpress_folder_is_found(stack):
    browser, _nonce = stack.browser("fp.parent")
    with stack.wp_config(lambda _text: stack.site.root.parent / "wp-config.php"):
        answer = stack.call(browser, "GET", "me/summary")
    assert answer.status_code == 200, answer.text


def test_a_computed_wp_config_is_read_by_wordpress_itself(stack):
    browser, _nonce = stack.browser("fp.computed")

    def computed(text: str) -> str:
        host = re.search(r"define\( 'DB_HOST', '([^']*)' \);", text).group(1)
        ip, port = host.split(":")
        return text.replace(
            f"define( 'DB_HOST', '{host}' );", f"define( 'DB_HOST', '{ip}' . ':' . '{port}' );"
        )

    with stack.wp_config(computed):
        answer = stack.call(browser, "GET", "me/summary")
    assert answer.status_code == 200, answer.text
    assert "unread" in answer.json()


def test_a_wp_config_including_another_file_is_read_by_wordpress_itself(stack):
    """The included file defines DB_HOST first: the literal in wp-config.php is not it."""
    browser, _nonce = stack.browser("fp.included")
    local = stack.site.root / "db-local.php"

    def included(text: str) -> str:
        host = re.search(r"define\( 'DB_HOST', '([^']*)' \);", text).group(1)
        local.write_text(f"<?php\ndefine( 'DB_HOST', '{host}' );\n")
        dead = f"127.0.0.1:{free_port()}"
        return text.replace(
            f"define( 'DB_HOST', '{host}' );",
            "require __DIR__ . '/db-local.php';\n"
            f"if ( ! defined( 'DB_HOST' ) ) {{ define( 'DB_HOST', '{dead}' ); }}",
        )

    try:
        with stack.wp_config(included):
            answer = stack.call(browser, "GET", "me/summary")
    finally:
        local.unlink(missing_ok=True)
    assert answer.status_code == 200, answer.text


def test_a_database_that_does_not_answer_is_a_503(stack):
    browser, _nonce = stack.browser("fp.nodb")
    dead = f"127.0.0.1:{free_port()}"
    with stack.wp_config(
        lambda text: re.sub(
            r"define\( 'DB_HOST', '[^']*' \);", f"define( 'DB_HOST', '{dead}' );", text
        )
    ):
        answer = stack.call(browser, "GET", "me/summary")
    assert answer.status_code == 503
    assert answer.json()["code"] == "bridge_unavailable"


# -- what reaches the bridge ----------------------------------------------------------------


def test_only_the_logged_in_cookie_and_the_listed_headers_are_forwarded(stack, recorder):
    browser, nonce = stack.browser("fp.recorded")
    name, value = stack.site.logged_in_cookie(browser)
    sent_cookies = {c.name for c in browser.cookies}
    # The browser holds the wp-admin auth cookie too, and sends it to the plugins folder.
    assert any(
        n.startswith("wordpress_") and not n.startswith("wordpress_logged_in_")
        for n in sent_cookies
    )
    browser.cookies.set("wordpress_test_cookie", "WP%20Cookie%20check")
    browser.cookies.set("wordpress_sec_0123", "admin%7Csecret")
    browser.cookies.set("other_site", "tracking")
    answer = stack.call(
        browser,
        "POST",
        "me/spaces/7/messages",
        query="cursor=a%2Bb&limit=3",
        data=b'{"body": "hi", "client_key": "k"}',
        headers={
            "X-WP-Nonce": nonce,
            "Content-Type": "application/json",
            "If-None-Match": '"tag"',
            "Authorization": "Basic YWRtaW46YWRtaW4=",
            "X-Forwarded-For": "10.0.0.1",
            "X-Forwarded-Host": "evil.example",
            "Accept": "application/json",
            "Origin": "https://evil.example",
        },
    )
    assert answer.status_code == 200, answer.text
    assert len(recorder.requests) == 1
    seen = recorder.requests[0]
    assert seen["method"] == "POST"
    assert seen["target"] == "/api/v1/me/spaces/7/messages?cursor=a%2Bb&limit=3"
    assert seen["body"] == b'{"body": "hi", "client_key": "k"}'
    assert recorder.header(0, "Cookie") == [f"{name}={value}"]
    assert recorder.header(0, "X-WP-Nonce") == [nonce]
    assert recorder.header(0, "If-None-Match") == ['"tag"']
    assert recorder.header(0, "Content-Type") == ["application/json"]
    forwarded = {k.lower() for k, _v in seen["headers"]}
    assert forwarded <= {
        "host", "connection", "user-agent", "cookie", "x-wp-nonce", "if-none-match",
        "content-type", "content-length",
    }  # fmt: skip
    assert recorder.header(0, "Host") == [urllib.parse.urlsplit(recorder.url).netloc]


def test_the_bridges_answer_is_relayed_with_the_listed_headers_only(stack, recorder):
    body = b'{"code": "too_many_messages", "message": "Slow down."}  '
    recorder.answer = (
        429,
        [
            ("Content-Type", "application/json; charset=utf-8"),
            ("ETag", '"abc"'),
            ("Retry-After", "17"),
            ("Cache-Control", "private, no-cache"),
            ("Vary", "Cookie"),
            ("Set-Cookie", "wordpress_logged_in_x=stolen; Path=/"),
            ("Location", "http://evil.example/"),
            ("X-Bridge-Secret", "internal"),
        ],
        body,
    )
    browser, _nonce = stack.browser("fp.relayed")
    answer = stack.call(browser, "GET", "me/summary")
    assert answer.status_code == 429
    assert answer.content == body
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert answer.headers["ETag"] == '"abc"'
    assert answer.headers["Retry-After"] == "17"
    assert answer.headers["Cache-Control"] == "private, no-cache"
    assert answer.headers["Vary"] == "Cookie"
    for dropped in ("Set-Cookie", "Location", "X-Bridge-Secret"):
        assert dropped not in answer.headers


@pytest.mark.parametrize(
    ("status", "expected", "code"),
    [
        (414, 414, "invalid_request"),
        (400, 400, "invalid_request"),
        (502, 503, "bridge_unavailable"),
    ],
)
def test_a_refusal_not_in_the_apis_shape_is_relayed_in_it(stack, recorder, status, expected, code):
    """The bridge's server answers some requests itself, with an HTML page: the browser
    still gets the API's error shape, and a client's error stays a client's error."""
    recorder.answer = (status, [("Content-Type", "text/html")], b"<html><h1>Bad</h1></html>")
    browser, _nonce = stack.browser("fp.html")
    answer = stack.call(browser, "GET", "me/summary")
    assert answer.status_code == expected
    assert answer.headers["Content-Type"] == "application/json"
    data = answer.json()
    assert data["code"] == code and set(data) <= {"code", "message", "description"}


def test_a_query_string_too_long_to_forward_is_a_400_in_the_apis_shape(stack, recorder):
    """Many parameters, each within its own bound: the whole query string is bounded too."""
    browser, _nonce = stack.browser("fp.long")
    pairs = "&".join(f"p{chr(97 + n)}={'x' * 500}" for n in range(8))
    status, data = stack.raw_get(browser, f"path=me/summary&{pairs}")
    assert status == 400 and data["code"] == "invalid_query", (status, data)
    assert recorder.requests == []
    # Within the bound, the same kind of parameters are forwarded.
    status, _data = stack.raw_get(browser, f"path=me/summary&{pairs.split('&')[0]}")
    assert status == 200
    assert len(recorder.requests) == 1


# -- what an attacker tries ----------------------------------------------------------------

REFUSED_PATHS = [
    "health",
    "openapi.json",
    "events",
    "privacy/export",
    "privacy/erase",
    "me",
    "spaces",
    "/me/summary",
    "me/summary/",
    "..%2Fhealth",
    "../health",
    "me/../events",
    "me/spaces/1/../../../events",
    "me/%2e%2e/events",
    "me/%2E%2E/%2E%2E/health",
    "me%2Fsummary",
    "me/summary%2F..%2F..%2Fevents",
    "me%252Fsummary",
    "me/summary%00",
    "me/summary%0d%0aX-Injected:%201",
    "me/summary%0aX-Injected:%201",
    "http://evil.example/api/v1/me/summary",
    "https:%2F%2Fevil.example%2F",
    "//evil.example/me/summary",
    "\\\\evil.example\\me",
    "me/summary@evil.example",
    "me/summary%23x",
    "me/summar%79",
    "spaces/x/conversations",
    "spaces/1/conversations/1/messages/1/x/y",
    "Me/Summary",
    "me/summary;x=1",
    "",
]


@pytest.mark.parametrize("path", REFUSED_PATHS)
def test_paths_outside_the_browsers_api_are_never_forwarded(stack, recorder, path):
    browser, _nonce = stack.browser("fp.attacker")
    status, data = stack.raw_get(browser, f"path={path}")
    assert status in (400, 404), (path, status, data)
    assert set(data) <= {"code", "message", "description"}
    assert recorder.requests == []


@pytest.mark.parametrize(
    "query",
    [
        "path=me/summary&path=events",
        "path=events&path=me/summary",
        "path[]=me/summary",
        "path=me/summary&bridge=http://evil.example",
        "path=me/summary&limit=1%0d%0aHost:%20evil",
        "path=me/summary&a[b]=1",
        "p%61th=health",
        "p%61th=me/summary",
        "path=me%2Fsummary&path=me/summary",
        "",
    ],
)
def test_malformed_queries_are_never_forwarded(stack, recorder, query):
    browser, _nonce = stack.browser("fp.attacker")
    status, data = stack.raw_get(browser, query)
    assert status in (400, 404), (query, status, data)
    assert recorder.requests == []


def test_only_the_apis_methods_are_forwarded(stack, recorder):
    browser, nonce = stack.browser("fp.methods")
    for method in ("OPTIONS", "HEAD", "TRACE", "CONNECT", "PROPFIND"):
        answer = stack.call(browser, method, "me/summary", headers={"X-WP-Nonce": nonce})
        assert answer.status_code == 405, (method, answer.status_code)
    assert recorder.requests == []


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_the_teams_other_methods_are_forwarded_with_their_body(stack, recorder, method):
    """Settings (PATCH) and saved replies (PUT, DELETE) go through the fast proxy too."""
    browser, nonce = stack.browser("fp.methods")
    body = b'{"away_now":true}' if method != "DELETE" else b""
    answer = stack.call(
        browser,
        method,
        "spaces/7/saved-replies/3",
        data=body,
        headers={"X-WP-Nonce": nonce, "Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    (forwarded,) = recorder.requests
    assert forwarded["method"] == method and forwarded["body"] == body
    assert forwarded["target"] == "/api/v1/spaces/7/saved-replies/3"
    assert recorder.header(0, "X-WP-Nonce") == [nonce]


def test_encoded_line_breaks_in_the_query_stay_encoded(stack, recorder):
    browser, _nonce = stack.browser("fp.crlf")
    answer = stack.call(browser, "GET", "me/conversations", query="cursor=x%0D%0AX-Injected%3A%201")
    assert answer.status_code == 200
    assert (
        recorder.requests[0]["target"] == "/api/v1/me/conversations?cursor=x%0D%0AX-Injected%3A%201"
    )
    assert recorder.header(0, "X-Injected") == []


def test_raw_control_characters_in_headers_are_not_forwarded(stack, recorder):
    browser, _nonce = stack.browser("fp.rawheaders")
    name, value = stack.site.logged_in_cookie(browser)
    address = urllib.parse.urlsplit(stack.site.url)
    request = (
        "GET /wp-content/plugins/space-inbox/proxy.php?path=me/summary HTTP/1.0\r\n"
        f"Host: {address.netloc}\r\n"
        f"Cookie: {name}={value}; wordpress_logged_in_x=a\x0bX-Injected: 1\r\n"
        "X-WP-Nonce: abc\x0bX-Injected: 2\r\n"
        'If-None-Match: "t"\x7f\r\n'
        "\r\n"
    ).encode("latin-1")
    with socket.create_connection((address.hostname, address.port), timeout=30) as conn:
        conn.sendall(request)
        raw = b""
        while chunk := conn.recv(65536):
            raw += chunk
    assert raw.startswith(b"HTTP/1.") and b" 200 " in raw.split(b"\r\n")[0], raw[:300]
    assert recorder.header(0, "Cookie") == [f"{name}={value}"]
    assert recorder.header(0, "X-WP-Nonce") == []
    assert recorder.header(0, "If-None-Match") == []
    assert recorder.header(0, "X-Injected") == []


def test_a_body_larger_than_the_bridge_takes_is_refused(stack, recorder):
    browser, nonce = stack.browser("fp.big")
    headers = {"X-WP-Nonce": nonce, "Content-Type": "application/json"}
    too_big = stack.call(
        browser, "POST", "me/spaces/1/messages", data=b"x" * (MAX_BODY + 1), headers=headers
    )
    assert too_big.status_code == 413
    assert too_big.json()["code"] == "request_entity_too_large"
    assert recorder.requests == []
    fits = stack.call(
        browser, "POST", "me/spaces/1/messages", data=b"x" * MAX_BODY, headers=headers
    )
    assert fits.status_code == 200
    assert len(recorder.requests[0]["body"]) == MAX_BODY


def test_the_request_cannot_choose_the_bridge(stack, recorder):
    evil = Recorder()
    try:
        browser, nonce = stack.browser("fp.redirector")
        browser.cookies.set("space_inbox_bridge_url", evil.url)
        answer = stack.call(
            browser,
            "GET",
            "me/summary",
            headers={
                "Host": urllib.parse.urlsplit(evil.url).netloc,
                "X-Forwarded-Host": urllib.parse.urlsplit(evil.url).netloc,
                "X-Space-Inbox-Bridge-Url": evil.url,
                "X-WP-Nonce": nonce,
            },
        )
        assert answer.status_code == 200, answer.text
        tricked = browser.get(
            f"{stack.proxy}?path=me/summary&space_inbox_bridge_url="
            + urllib.parse.quote(evil.url, safe=""),
            timeout=30,
        )
        assert tricked.status_code in (200, 400)
        assert evil.requests == []
        assert len(recorder.requests) == 1 + (tricked.status_code == 200)
        for seen in recorder.requests:
            assert seen["target"].startswith("/api/v1/me/summary")
    finally:
        evil.close()
