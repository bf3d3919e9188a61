"""Live updates on the real stack: WordPress with the plugin, two bridge processes served by
gunicorn's gevent workers, Redis between them. A write answered by one bridge reaches a
stream held by the other within a second; a member's stream never names an admin; a user
holds no more than their share of a process's streams. (The ends of a session:
``test_session_ends.py``.)"""

from __future__ import annotations

import resource
import socket
import time
import uuid
from types import SimpleNamespace

import pytest
from flask import Flask

from bridge.api import pages, stream
from bridge.inbox.statements import MEMBER
from devstack.callers import PASSWORD
from devstack.stack import BridgeServer, WholeStack, new_space
from devstack.streams import WITHIN, Stream

PREFIX = "wpl_"


@pytest.fixture(scope="module")
def stack(tmp_path_factory, redis_url):
    db = f"si_live_{uuid.uuid4().hex[:8]}"
    whole = WholeStack(tmp_path_factory.mktemp("live"), db, PREFIX, REDIS_URL=redis_url)
    whole.start()
    other = BridgeServer(whole.site.wp_config_path, whole.workdir, REDIS_URL=redis_url)
    try:
        other.start()
        site = whole.site
        users = {}
        for login in ("mia", "omar", "ada", "ben", "zoe"):
            users[login] = site.create_user(
                login, PASSWORD, email=f"{login}@example.org", display_name=f"{login.title()} X"
            )
        space = int(
            site.php(
                "$id = wp_insert_post(['post_type' => 'wpe_wpspace', 'post_status' => 'publish',"
                f" 'post_title' => 'Pizzeria Uno', 'post_author' => {users['ada']}]);"
                f" add_post_meta($id, '_space_inbox_team', {users['ben']});"
                " wp_update_post(['ID' => $id]); echo $id;"
            ).strip()
        )
        yield whole, other, users, space
    finally:
        other.stop()
        whole.stop()


def _browser(site, login):
    session = site.login(login, PASSWORD)
    return session, site.rest_nonce(session)


def _send(bridge, browser, space, body="Open on Sunday?"):
    session, nonce = browser
    answer = session.post(
        f"{bridge.url}/api/v1/me/spaces/{space}/messages",
        json={"body": body, "client_key": uuid.uuid4().hex},
        headers={"X-WP-Nonce": nonce},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return answer.json(), time.time()


def _reply(bridge, browser, space, conversation, body="Yes, from noon."):
    session, nonce = browser
    answer = session.post(
        f"{bridge.url}/api/v1/spaces/{space}/conversations/{conversation}/messages",
        json={"body": body, "client_key": uuid.uuid4().hex},
        headers={"X-WP-Nonce": nonce},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return time.time()


def _read(bridge, browser, space):
    """The member reads their conversation with the Space."""
    session, nonce = browser
    answer = session.post(
        f"{bridge.url}/api/v1/me/spaces/{space}/read", headers={"X-WP-Nonce": nonce}, timeout=10
    )
    assert answer.status_code == 204, answer.text


def _conversation(bridge, browser, space, member_id) -> int:
    """The id of a member's conversation with the Space, as its admin lists it."""
    session, _ = browser
    page = session.get(f"{bridge.url}/api/v1/spaces/{space}/conversations", timeout=10).json()
    return next(c["id"] for c in page["conversations"] if c["member"]["id"] == member_id)


def test_a_members_message_reaches_the_team_on_another_bridge_within_a_second(stack):
    whole, other, users, space = stack
    ben = _browser(whole.site, "ben")
    team_stream = Stream(other.url, ben[0])
    try:
        first, _ = team_stream.next("summary")
        before = next((s["unread"] for s in first.get("spaces", []) if s["id"] == space), 0)
        _, sent = _send(whole.bridge, _browser(whole.site, "mia"), space)
        team, arrived = team_stream.next("team")
        assert team["space_id"] == space and arrived - sent < WITHIN
        summary, _ = team_stream.next("summary")
        assert [s["unread"] for s in summary["spaces"] if s["id"] == space] == [before + 1]
    finally:
        team_stream.close()


def test_the_members_stream_gets_the_answer_and_never_names_an_admin(stack):
    whole, other, users, space = stack
    omar = _browser(whole.site, "omar")
    _send(whole.bridge, omar, space, "Allergens in the margherita?")
    member_stream = Stream(other.url, omar[0])
    try:
        member_stream.next("summary")
        ada = _browser(whole.site, "ada")
        conversation = _conversation(whole.bridge, ada, space, users["omar"])
        replied = _reply(whole.bridge, ada, space, conversation)
        changed, arrived = member_stream.next("conversation")
        assert changed == {"space_id": space} and arrived - replied < WITHIN
        summary, _ = member_stream.next("summary")
        assert summary["unread"] >= 1
        # Omar reads it: once his stream has the new count, it has everything the answer
        # brought (published before the read).
        _read(whole.bridge, omar, space)
        member_stream.until("summary", unread=0)
        text = "".join(member_stream.raw)
        for trace in ("ada@", "Ada X", "Ben X", "author"):
            assert trace not in text, trace
        # Each event carries only what the member may see: counts, ids of Spaces, a URL.
        allowed = {
            "summary": {"unread", "conversations_unread", "inbox_url"},
            "conversation": {"space_id"},
        }
        for name, data, _ in member_stream.seen:
            assert set(data) <= allowed[name], (name, data)
    finally:
        member_stream.close()


def test_streams_hear_only_their_own_users_changes(stack):
    whole, other, users, space = stack
    zoe_stream = Stream(other.url, _browser(whole.site, "zoe")[0])
    try:
        zoe_stream.next("summary")
        _send(whole.bridge, _browser(whole.site, "mia"), space, "Do you deliver?")
        # Zoe's own message, sent after Mia's, is the first thing her stream hears.
        _send(whole.bridge, _browser(whole.site, "zoe"), space, "Do you cater?")
        assert zoe_stream.until("conversation", space_id=space) == []
    finally:
        zoe_stream.close()


def test_an_admin_removed_from_the_team_stops_hearing_its_inbox(stack):
    whole, other, users, space = stack
    site = whole.site
    # A Space Ben stays on the team of: a message to it tells when he would have heard.
    kept = new_space(site, "Pizzeria Due", users["ada"], [users["ben"]])
    ben_stream = Stream(other.url, _browser(site, "ben")[0])
    try:
        ben_stream.next("summary")
        site.php(
            f"delete_post_meta({space}, '_space_inbox_team', {users['ben']});"
            f" wp_update_post(['ID' => {space}]);"
        )
        summary, _ = ben_stream.next("summary", timeout=5)
        assert all(s["id"] != space for s in summary.get("spaces", []))
        _send(whole.bridge, _browser(site, "zoe"), space, "Still open?")
        _send(whole.bridge, _browser(site, "mia"), kept, "Open tonight?")
        assert "team" not in ben_stream.until("team", space_id=kept)
    finally:
        ben_stream.close()
        site.php(
            f"add_post_meta({space}, '_space_inbox_team', {users['ben']});"
            f" wp_update_post(['ID' => {space}]);"
        )


def test_a_bridge_without_an_event_loop_worker_says_poll(stack, redis_url):
    whole, other, users, space = stack
    # --no-live: gthread workers, which would give a thread to each idle stream.
    threaded = BridgeServer(
        whole.site.wp_config_path, whole.workdir, args=("--no-live",), REDIS_URL=redis_url
    )
    threaded.start()
    try:
        session = whole.site.login("zoe", PASSWORD)
        answer = session.get(f"{threaded.url}/api/v1/me/stream", timeout=10)
        assert answer.status_code == 503
        assert answer.json()["code"] == "live_unavailable"
        assert session.get(f"{threaded.url}/api/v1/me/summary", timeout=10).status_code == 200
    finally:
        threaded.stop()


def _typing(bridge, browser, space, conversation, typing=True):
    session, nonce = browser
    answer = session.post(
        f"{bridge.url}/api/v1/spaces/{space}/conversations/{conversation}/typing",
        json={"typing": typing},
        headers={"X-WP-Nonce": nonce},
        timeout=10,
    )
    assert answer.status_code == 204, answer.text
    return time.time()


def test_typing_reaches_the_team_by_name_and_the_member_as_the_space(stack):
    """Ada types: Ben's stream hears it within a second, and so does the member's, as the
    Space's typing (the Space's id only); Ada's own stream hears nothing, and nothing the
    member hears or reads of it names anyone."""
    whole, other, users, space = stack
    mia = _browser(whole.site, "mia")
    _send(whole.bridge, mia, space, "Gluten-free pizza?")
    ada = _browser(whole.site, "ada")
    conversation = _conversation(whole.bridge, ada, space, users["mia"])
    ben_stream = Stream(other.url, _browser(whole.site, "ben")[0])
    ada_stream = Stream(other.url, ada[0])
    mia_stream = Stream(other.url, mia[0])
    try:
        for stream in (ben_stream, ada_stream, mia_stream):
            stream.next("summary")
        typed = _typing(whole.bridge, ada, space, conversation)
        data, arrived = ben_stream.next("typing")
        assert data == {"space_id": space, "conversation_id": conversation}
        assert arrived - typed < WITHIN
        data, arrived = mia_stream.next("typing")
        assert data == {"space_id": space}
        assert arrived - typed < WITHIN
        ben = _browser(whole.site, "ben")
        url = f"{whole.bridge.url}/api/v1/spaces/{space}/conversations/{conversation}/typing"
        ada_named = {"id": users["ada"], "name": "Ada X"}
        assert ben[0].get(url, timeout=10).json()["who"] == [ada_named]
        assert ada[0].get(url, timeout=10).json()["who"] == []  # not herself
        member_url = f"{whole.bridge.url}/api/v1/me/spaces/{space}/typing"
        assert mia[0].get(member_url, timeout=10).json()["typing"] is True
        # A renewal while she types tells nobody anything new; nor does her typing reach
        # her own stream. Mia's next message, sent after, is the next thing each hears.
        _typing(whole.bridge, ada, space, conversation)
        _send(whole.bridge, mia, space, "Vegan cheese too?")
        assert "typing" not in ben_stream.until("team", conversation_id=conversation)
        assert "typing" not in ada_stream.until("team", conversation_id=conversation)
        assert mia_stream.until("conversation", space_id=space) == []
        _typing(whole.bridge, ada, space, conversation, typing=False)
        ben_stream.next("typing")
        assert mia_stream.next("typing")[0] == {"space_id": space}
        assert ben[0].get(url, timeout=10).json()["who"] == []
        assert mia[0].get(member_url, timeout=10).json()["typing"] is False
        _send(whole.bridge, mia, space, "And lactose-free?")
        assert "typing" not in ada_stream.until("team", conversation_id=conversation)
        assert mia_stream.until("conversation", space_id=space) == []
        # Ada reads the conversation: Mia's page hears of it ("Seen"), and reads it so.
        session, nonce = ada
        read_url = f"{whole.bridge.url}/api/v1/spaces/{space}/conversations/{conversation}/read"
        assert session.post(read_url, headers={"X-WP-Nonce": nonce}, timeout=10).ok
        assert mia_stream.next("conversation")[0] == {"space_id": space}
        page = mia[0].get(f"{whole.bridge.url}/api/v1/me/spaces/{space}/messages", timeout=10)
        assert page.json()["space_seen_id"] == max(m["id"] for m in page.json()["messages"])
        heard = "".join(mia_stream.raw)
        for trace in ("Ada X", "ada@", "conversation_id", "author", "who"):
            assert trace not in heard, trace
    finally:
        for stream in (ben_stream, ada_stream, mia_stream):
            stream.close()


def test_a_note_reaches_the_team_live_and_the_member_hears_nothing(stack):
    """Ada writes a note: Ben's stream hears of the conversation within a second; Mia's
    stream hears nothing of it (her next message is the next thing it hears), and nothing
    she hears names anyone."""
    whole, other, users, space = stack
    mia = _browser(whole.site, "mia")
    _send(whole.bridge, mia, space, "Can I bring my dog?")
    ada = _browser(whole.site, "ada")
    conversation = _conversation(whole.bridge, ada, space, users["mia"])
    ben_stream = Stream(other.url, _browser(whole.site, "ben")[0])
    mia_stream = Stream(other.url, mia[0])
    try:
        for stream in (ben_stream, mia_stream):
            stream.next("summary")
        session, nonce = ada
        noted = session.post(
            f"{whole.bridge.url}/api/v1/spaces/{space}/conversations/{conversation}/notes",
            json={"body": "Dogs only on the terrace", "client_key": uuid.uuid4().hex},
            headers={"X-WP-Nonce": nonce},
            timeout=10,
        )
        assert noted.status_code == 201, noted.text
        written = time.time()
        data, arrived = ben_stream.next("team")
        assert data["conversation_id"] == conversation and arrived - written < WITHIN
        _send(whole.bridge, mia, space, "A small one.")
        assert mia_stream.until("conversation", space_id=space) == []
        heard = "".join(mia_stream.raw)
        for trace in ("Ada X", "terrace", "note", "author"):
            assert trace not in heard, trace
    finally:
        for stream in (ben_stream, mia_stream):
            stream.close()


def test_an_answer_a_moderator_hides_reaches_the_member_and_the_team_live(stack):
    """A moderator hides Zoe's reported answer through the plugin: her stream and Ben's
    hear of the conversation within a second (their pages read it again: removed for her,
    marked for him); what she hears names no one."""
    whole, other, users, space = stack
    zoe = _browser(whole.site, "zoe")
    _send(whole.bridge, zoe, space, "Do you deliver?")
    ada = _browser(whole.site, "ada")
    conversation = _conversation(whole.bridge, ada, space, users["zoe"])
    _reply(whole.bridge, ada, space, conversation, "Only if you ask nicely.")
    session, nonce = zoe
    page = session.get(f"{whole.bridge.url}/api/v1/me/spaces/{space}/messages", timeout=10).json()
    answer = next(m["id"] for m in page["messages"] if m["from"] == "space")
    reported = session.post(
        f"{whole.bridge.url}/api/v1/me/spaces/{space}/messages/{answer}/report",
        json={"reason": "harassment"},
        headers={"X-WP-Nonce": nonce},
        timeout=10,
    )
    assert reported.status_code == 201, reported.text
    zoe_stream = Stream(other.url, session)
    ben_stream = Stream(other.url, _browser(whole.site, "ben")[0])
    try:
        for stream in (zoe_stream, ben_stream):
            stream.next("summary")
        hidden = whole.site.php(
            "wp_set_current_user(1);"
            f" $r = Space_Inbox_Moderation::set_hidden({reported.json()['id']}, true);"
            " echo is_wp_error($r) ? $r->get_error_message() : 'ok';"
        )
        assert hidden.strip() == "ok", hidden
        written = time.time()
        changed, arrived = zoe_stream.next("conversation")
        assert changed == {"space_id": space} and arrived - written < WITHIN
        team, arrived = ben_stream.next("team")
        assert team == {"space_id": space, "conversation_id": conversation}
        assert arrived - written < WITHIN
        for trace in ("Ada X", "Ben X", "nicely", "author"):
            assert trace not in "".join(zoe_stream.raw), trace
    finally:
        for stream in (zoe_stream, ben_stream):
            stream.close()


def test_who_views_reaches_the_team_live_and_never_the_member(stack):
    """Ada opens the conversation: Ben's stream hears of it within a second (a `typing`
    event: the page checks who is there); Mia's stream hears nothing of it."""
    whole, other, users, space = stack
    mia = _browser(whole.site, "mia")
    _send(whole.bridge, mia, space, "Is the terrace heated?")
    ada = _browser(whole.site, "ada")
    conversation = _conversation(whole.bridge, ada, space, users["mia"])
    ben = _browser(whole.site, "ben")
    ben_stream = Stream(other.url, ben[0])
    mia_stream = Stream(other.url, mia[0])
    try:
        for stream in (ben_stream, mia_stream):
            stream.next("summary")
        session, nonce = ada
        path = f"{whole.bridge.url}/api/v1/spaces/{space}/conversations/{conversation}"
        viewed = session.post(
            f"{path}/viewing", json={"viewing": True}, headers={"X-WP-Nonce": nonce}, timeout=10
        )
        assert viewed.status_code == 204, viewed.text
        opened = time.time()
        data, arrived = ben_stream.next("typing")
        assert data == {"space_id": space, "conversation_id": conversation}
        assert arrived - opened < WITHIN
        there = ben[0].get(f"{path}/typing", timeout=10).json()
        assert there["viewing"] == [{"id": users["ada"], "name": "Ada X"}]
        _send(whole.bridge, mia, space, "Thanks!")
        assert mia_stream.until("conversation", space_id=space) == []
        assert "Ada X" not in "".join(mia_stream.raw)
    finally:
        for stream in (ben_stream, mia_stream):
            stream.close()


class _RawStream:
    """A stream asked for over a socket of its own, as *protocol* (HTTP/1.1 or HTTP/1.0),
    once its first summary has come."""

    def __init__(self, bridge, session, protocol: str) -> None:
        cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        self.socket = socket.create_connection(("127.0.0.1", bridge.port), timeout=10)
        head = f"GET /api/v1/me/stream {protocol}\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
        self.socket.sendall(f"{head}\r\n".encode())
        self.got = b""
        while b"event: summary" not in self.got:
            self.got += self.socket.recv(65536)

    def until_closed(self) -> bytes:
        """Every byte of the answer, once the bridge has closed the connection."""
        while chunk := self.socket.recv(65536):
            self.got += chunk
        self.socket.close()
        return self.got


def _dechunked(body: bytes) -> bytes:
    """A chunked body's bytes; fails unless it ends with the last (empty) chunk."""
    out = b""
    while True:
        size, body = body.split(b"\r\n", 1)
        if int(size, 16) == 0:
            assert body == b"\r\n", body
            return out
        out, body = out + body[: int(size, 16)], body[int(size, 16) + 2 :]


def test_one_user_never_starves_the_others_of_a_small_worker(stack, redis_url):
    """A one-worker bridge holding 4 streams, 2 per user: a user opening five keeps two
    (each beyond closes the oldest with a ``replaced`` event, the stream's end said over
    HTTP/1.1), others still get streams; a
    stream beyond the 4 is refused with ``live_unavailable`` (its page polls, and polls are
    answered); and a stream whose page closes gives its place back at once (not at the next
    heartbeat, 25 s later)."""
    whole, other, users, space = stack
    capped = BridgeServer(
        whole.site.wp_config_path,
        whole.workdir,
        workers=1,
        args=("--connections", "4"),
        REDIS_URL=redis_url,
        STREAMS_PER_USER="2",
    )
    capped.start()
    ben = _browser(whole.site, "ben")[0]
    streams = []
    try:
        # The first two over sockets of the test's own, to see how a stream ends.
        chunked = _RawStream(capped, ben, "HTTP/1.1")
        plain = _RawStream(capped, ben, "HTTP/1.0")
        for _ in range(3):
            streams.append(Stream(capped.url, ben))
            streams[-1].next("summary", timeout=5)
        streams[0].next("replaced", timeout=5)
        assert streams[0].closed.wait(5), "the replaced stream stays open"
        _ended_as_replaced(chunked.until_closed(), plain.until_closed())
        kept = streams[1:]
        ada = Stream(capped.url, _browser(whole.site, "ada")[0])
        zoe = Stream(capped.url, _browser(whole.site, "zoe")[0])
        streams += [ada, zoe]
        ada.next("summary", timeout=5)
        zoe.next("summary", timeout=5)
        omar = _browser(whole.site, "omar")
        refused = omar[0].get(f"{capped.url}/api/v1/me/stream", timeout=10)
        assert refused.status_code == 503, refused.text
        assert refused.json()["code"] == "live_unavailable"
        assert omar[0].get(f"{capped.url}/api/v1/me/summary", timeout=10).status_code == 200
        zoe.close()  # the page goes: its place is free once the bridge notices
        deadline, omar_stream = time.time() + 3, None
        while omar_stream is None and time.time() < deadline:
            opened = Stream(capped.url, omar[0])
            streams.append(opened)
            omar_stream = opened if opened.response.status_code == 200 else None
            time.sleep(0.1)
        assert omar_stream is not None, "the closed stream kept its place"
        omar_stream.next("summary", timeout=5)
        _send(capped, omar, space, "Is the terrace open?")
        for stream in (*kept, ada):
            stream.next("team", timeout=5)
        assert [name for name, _, _ in kept[0].seen + kept[1].seen].count("replaced") == 0
    finally:
        for stream in streams:
            stream.close()
        capped.stop()


def _ended_as_replaced(chunked: bytes, plain: bytes) -> None:
    """Over HTTP/1.1 a stream comes in chunks and its end is the last, empty chunk (a client
    or proxy tells a stream that ended from one cut); over HTTP/1.0 it is the events as they
    are, ending with the connection."""
    head, body = chunked.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200 ")
    assert b"Transfer-Encoding: chunked" in head and b"Content-Length" not in head
    events = _dechunked(body).decode()
    assert events.startswith("retry: 3000\n\nevent: summary\n"), events
    assert events.endswith("event: replaced\ndata: {}\n\n"), events
    head, body = plain.split(b"\r\n\r\n", 1)
    assert b"Transfer-Encoding" not in head and b"Content-Length" not in head
    assert body.startswith(b"retry: 3000\n\nevent: summary\n"), body
    assert body.endswith(b"event: replaced\ndata: {}\n\n"), body


def test_a_stream_ends_when_its_cookie_expires(stack):
    """A login whose cookie lasts 4 seconds (WordPress' ``auth_cookie_expiration``): its
    stream is answered, and ends at the cookie's expiry, not before, with nothing else
    waking it."""
    whole, other, users, space = stack
    brief = whole.site.root / "wp-content" / "mu-plugins" / "brief-logins.php"
    brief.write_text(
        "<?php add_filter('auth_cookie_expiration', function ($length, $user_id) {"
        " return get_userdata($user_id)->user_login === 'omar' ? 4 : $length; }, 10, 2);"
    )
    try:
        session = whole.site.login("omar", PASSWORD)
        logged_in = time.time()
        stream = Stream(other.url, session)
        try:
            stream.next("summary", timeout=3)
            assert stream.closed.wait(10), "the stream outlived its cookie"
            assert time.time() - logged_in >= 3.0, "the stream ended before its cookie"
            assert [name for name, _, _ in stream.seen] == ["summary"]
        finally:
            stream.close()
    finally:
        brief.unlink()


def test_a_quiet_stream_is_sent_a_heartbeat_and_the_clock_comes_back_for_it():
    """Nothing woke a page for its heartbeat's time: the clock's wake sends a comment (which
    keeps proxies from closing it) and sets the next."""
    app = Flask(__name__)
    user = SimpleNamespace(id=7, expires=time.time() + 3600)
    rows = [SimpleNamespace(kind=MEMBER, unread=0, conversations_unread=0)]
    page = stream.EventPage(pages.Pages(app, None, 10), {}, user, rows, "/inbox")
    assert page.due == page.beat + stream.HEARTBEAT
    assert page.answer([pages.TICK]) == ("", False)  # too soon: nothing to say
    page.beat -= stream.HEARTBEAT
    page._plan()
    assert page.answer([pages.TICK]) == (": ping\n\n", False)
    assert page.due >= time.time() + stream.HEARTBEAT - 1


def test_a_stream_on_a_descriptor_past_1024_stays_until_its_client_leaves():
    """A worker holding thousands of streams has sockets numbered past select()'s 1024: the
    watch for the client's leaving (on gevent's loop, as in the live workers) must hold them
    as it holds the first ones, and end when the stream does."""
    import gevent  # the live workers' event loop (the tests' packages have it)

    class Woken:
        def __init__(self) -> None:
            self.by: list = []

        def wake(self, why) -> None:
            self.by.append(why)

    # A live worker needs far more than this (its open-files limit, checked by serve).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 2200), hard))
    pairs = [socket.socketpair() for _ in range(520)]
    try:
        server_side, client_side = pairs[-1]
        assert server_side.fileno() > 1024
        page = Woken()
        watcher = pages.Pages.watch(server_side, page)
        gevent.sleep(0.3)
        assert page.by == [], "woken while the client is still there"
        client_side.close()
        for _ in range(50):
            gevent.sleep(0.02)
            if page.by:
                break
        assert page.by == [pages.READABLE]
        assert pages.client_left(server_side)
        watcher.stop()
        watcher.close()
        # A watch ended with its stream wakes nothing more.
        other_server, other_client = pairs[-2]
        other = Woken()
        ended = pages.Pages.watch(other_server, other)
        ended.stop()
        ended.close()
        other_client.close()
        gevent.sleep(0.2)
        assert other.by == []
    finally:
        for a, b in pairs:
            a.close()
            b.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
