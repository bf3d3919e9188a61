"""Direct mode behind Debian's nginx: one origin serves WordPress at ``/`` and the bridge under
``/space-inbox-api/``; the browser's own WordPress cookies reach the bridge, a write with the
REST nonce goes through, a stranger is refused, and the live stream is not buffered."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests

from devstack.callers import PASSWORD
from devstack.nginx import NginxFront, NginxProcess
from devstack.stack import WholeStack
from devstack.wordpress import WordPressSite, php_str

PREFIX = "wpdm_"
#: Redis, which tools/ensure-stack starts for the tests: the bridge serves live streams.
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    whole = WholeStack(
        tmp_path_factory.mktemp("direct"),
        f"si_direct_{uuid.uuid4().hex[:8]}",
        PREFIX,
        direct=True,
        REDIS_URL=REDIS_URL,
    ).start()
    try:
        yield whole
    finally:
        whole.stop()


def _user(stack: WholeStack, login: str) -> int:
    return stack.site.user_id(login) or stack.site.create_user(
        login, PASSWORD, email=f"{login}@example.org", display_name=login.title()
    )


def _space(stack: WholeStack, title: str, author: int) -> int:
    return int(
        stack.site.php(
            "$id = wp_insert_post(['post_type' => 'wpe_wpspace', 'post_status' => 'publish',"
            f" 'post_title' => {php_str(title)}, 'post_author' => {author}]);"
            " wp_update_post(['ID' => $id]); echo $id;"
        ).strip()
    )


def test_the_site_and_the_plugin_live_at_nginxs_address(stack):
    front = stack.front
    assert isinstance(front, NginxFront)
    assert stack.url == front.url
    assert stack.site.option("home") == front.url
    assert stack.site.option("siteurl") == front.url
    assert stack.site.option("space_inbox_public_url") == f"{front.url}/space-inbox-api"
    # Server-to-server calls still go to the bridge itself.
    assert stack.site.option("space_inbox_bridge_url") == stack.bridge.url
    with stack.site.session() as http:
        # WordPress sends a stranger to its login on nginx's address, not the PHP server's.
        answer = http.get(f"{front.url}/wp-admin/", allow_redirects=False, timeout=10)
        assert answer.status_code == 302
        assert answer.headers["Location"].startswith(f"{front.url}/wp-login.php")
        # The bridge's path reaches the bridge, prefix removed.
        health = http.get(f"{front.public_bridge}/health", timeout=10)
        assert health.status_code == 200, health.text
        assert health.json()["live"] is True  # Redis and gevent workers: live streams


def test_a_members_own_cookie_reaches_the_bridge_through_nginx(stack):
    _user(stack, "dm.member")
    browser = stack.site.login("dm.member", PASSWORD)
    with browser:
        summary = browser.get(f"{stack.public_url}/api/v1/me/summary", timeout=10)
        assert summary.status_code == 200, summary.text
        # The same answer as the bridge gives the same cookie on its own address.
        name, value = stack.site.logged_in_cookie(browser)
        direct = requests.get(
            f"{stack.bridge.url}/api/v1/me/summary",
            headers={"Cookie": f"{name}={value}"},
            timeout=10,
        )
        assert summary.json() == direct.json()
        etag = summary.headers["ETag"]
        again = browser.get(
            f"{stack.public_url}/api/v1/me/summary",
            headers={"If-None-Match": etag},
            timeout=10,
        )
        assert again.status_code == 304


def test_a_write_with_the_nonce_goes_through_nginx(stack):
    owner = _user(stack, "dm.owner")
    member = _user(stack, "dm.writer")
    space_id = _space(stack, "Sunday Market", owner)
    with stack.site.login("dm.writer", PASSWORD) as browser:
        nonce = stack.site.rest_nonce(browser)
        url = f"{stack.public_url}/api/v1/me/spaces/{space_id}/messages"
        body = {"body": "Are you open on Easter Sunday?", "client_key": "dm-1"}
        refused = browser.post(url, json=body, timeout=10)
        assert refused.status_code in (401, 403), refused.text
        sent = browser.post(url, json=body, headers={"X-WP-Nonce": nonce}, timeout=10)
        assert sent.status_code == 201, sent.text
    authors = stack.site.sql(
        "SELECT author_id FROM {prefix}spaceinbox_messages WHERE body = %s", [body["body"]]
    )
    assert authors == [(member,)]


def test_a_stranger_gets_401_through_nginx(stack):
    with stack.site.session() as http:
        answer = http.get(f"{stack.public_url}/api/v1/me/summary", timeout=10)
    assert answer.status_code == 401, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")


def test_the_bridges_json_paths_are_not_taken_by_a_static_file_rule(stack):
    """The site's nginx has a common `location ~* \\.(css|js|json)$` rule; the bridge's
    location (`^~`) keeps its own .json paths, while WordPress' static files still take
    theirs."""
    with stack.site.session() as http:
        document = http.get(f"{stack.public_url}/api/v1/openapi.json", timeout=10)
        style = http.get(f"{stack.url}/wp-includes/css/dashicons.min.css", timeout=10)
    assert document.status_code == 200, document.status_code
    assert document.json()["openapi"].startswith("3.")
    assert style.status_code == 200 and style.headers.get("Expires"), style.headers


def test_the_live_stream_comes_through_nginx_unbuffered(stack):
    owner = _user(stack, "dm.streamer")
    _space(stack, "Pizzeria Due", owner)
    with stack.site.login("dm.streamer", PASSWORD) as browser:
        began = time.monotonic()
        stream = browser.get(f"{stack.public_url}/api/v1/me/stream", stream=True, timeout=(5, 10))
        try:
            assert stream.status_code == 200, stream.text
            assert stream.headers["Content-Type"].startswith("text/event-stream")
            text = ""
            for chunk in stream.iter_content(chunk_size=None, decode_unicode=True):
                text += chunk
                if "\n\n" in text and "event: summary" in text:
                    break
        finally:
            stream.close()
    # The first event arrives at once, not when a buffer fills or the stream ends.
    assert time.monotonic() - began < 5
    block = text.split("event: summary", 1)[1].split("\n\n", 1)[0]
    data = next(line[6:] for line in block.split("\n") if line.startswith("data: "))
    assert "unread" in json.dumps(json.loads(data))


class BufferingFront(NginxFront):
    """The same rules, but nginx holds back what the bridge sends (ignoring its
    ``X-Accel-Buffering: no``), as a badly set up proxy does; the site stays where it is."""

    def config(self) -> str:
        return (
            super()
            .config()
            .replace(
                "proxy_buffering off;",
                "proxy_buffering on;\n            proxy_ignore_headers X-Accel-Buffering;"
                "\n            gzip on; gzip_types text/event-stream; gzip_min_length 0;",
            )
        )

    def start(self) -> BufferingFront:
        NginxProcess.start(self)
        return self


def _stream_test(stack: WholeStack, public_url: str | None = None) -> dict:
    """Site Health's stream test, the status asked anew, through *public_url* if given."""
    original = stack.site.option("space_inbox_public_url")
    code = "delete_option('space_inbox_site_health');"
    if public_url is not None:
        code += f"update_option('space_inbox_public_url', {php_str(public_url)});"
    code += "echo wp_json_encode(Space_Inbox_Site_Health::test_stream());"
    try:
        return json.loads(stack.site.php(code))
    finally:
        stack.site.php(
            f"update_option('space_inbox_public_url', {php_str(original)});"
            " delete_option('space_inbox_site_health');"
        )


def test_site_health_times_the_live_stream_through_the_public_url(stack, tmp_path):
    """Through the site's nginx the two events arrive apart; through one that buffers, or a
    public URL nothing answers, the test is critical."""
    tests = json.loads(
        stack.site.php(
            "require_once ABSPATH . 'wp-admin/includes/class-wp-site-health.php';"
            "echo wp_json_encode(array_keys(WP_Site_Health::get_tests()['async']));"
        )
    )
    assert "space_inbox_stream" in tests  # direct mode only (proxy mode's tests have none)
    passed = _stream_test(stack)
    assert (passed["status"], passed["label"]) == (
        "good",
        "Space Inbox live streams pass the web server at once",
    )
    with BufferingFront(stack.site, stack.bridge.url, tmp_path / "buffering") as buffering:
        held = _stream_test(stack, buffering.public_bridge)
    assert (held["status"], held["label"]) == (
        "critical",
        "The web server holds Space Inbox live streams back",
    ), held
    assert "proxy_buffering off" in held["description"]
    gone = _stream_test(stack, "http://127.0.0.1:9/space-inbox-api")
    assert (gone["status"], gone["label"]) == (
        "critical",
        "Space Inbox live streams do not reach the bridge",
    )


def test_a_site_started_on_its_php_server_is_moved_behind_nginx(tmp_path):
    """NginxFront.start() moves a site that lives elsewhere to its own address."""
    site = WordPressSite(tmp_path / "wp", f"si_direct_move_{uuid.uuid4().hex[:8]}", workers=1)
    with site:
        assert site.url == site.server_url
        # Nothing listens on port 9: the bridge's path answers 502, WordPress' work.
        with NginxFront(site, "http://127.0.0.1:9", tmp_path / "nginx") as front:
            assert site.url == front.url != site.server_url
            assert site.option("siteurl") == site.option("home") == front.url
            with site.login(site.admin_login, site.admin_password) as browser:
                dashboard = browser.get(f"{front.url}/wp-admin/", timeout=10)
                assert dashboard.status_code == 200
                assert dashboard.url == f"{front.url}/wp-admin/"
                assert site.rest_nonce(browser)
            with site.session() as http:
                missing = http.get(f"{front.public_bridge}/health", timeout=10)
            assert missing.status_code == 502
        # Stopped: nothing listens on nginx's port any more.
        with pytest.raises(requests.ConnectionError), site.session() as http:
            http.get(f"{front.url}/", timeout=5)
