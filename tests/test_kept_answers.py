"""The header poll without MariaDB: while a bridge process hears every change on Redis, a
verified answer is kept by its Cookie header and given again until a change concerns it.

Two apps stand for two bridge processes (each its own subscription): one answers polls,
the other takes the writes and WordPress' events, as a load balancer would spread them.
"""

from __future__ import annotations

import threading
import time

import pytest
import redis

from bridge import create_app
from bridge.background.live import channel_name
from bridge.inbox.changes import Change
from devstack.callers import SECRET, SPACE, event, log_in, send, signed_post, upsert_space

REDIS_URL = "redis://127.0.0.1:6379/0"
SUMMARY = "/api/v1/me/summary"
#: A change must reach every process's kept answers within this many seconds.
WITHIN = 1.0


def _live_app(wordpress):
    application = create_app(
        {
            "WP_CONFIG": str(wordpress.wp_config_path),
            "SECRET": SECRET,
            "RATE_PER_SPACE": "off",
            "RATE_OVERALL": "off",
            "REDIS_URL": REDIS_URL,
        }
    )
    application.config["TESTING"] = True
    return application


@pytest.fixture(scope="module")
def processes(app, wordpress):
    """(poller, writer): two apps on the site, each subscribed to its channel."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        pytest.fail("Redis must run at 127.0.0.1:6379 for these tests")
    apps = [_live_app(wordpress), _live_app(wordpress)]
    for application in apps:
        assert application.extensions["space_inbox_hub"].ready(5.0)
    yield apps
    for application in apps:
        application.extensions["space_inbox_hub"].stop()
        application.extensions["space_inbox_engine"].dispose()


@pytest.fixture
def poller(processes):
    return processes[0].test_client(use_cookies=False)


@pytest.fixture
def writer(processes):
    return processes[1].test_client(use_cookies=False)


@pytest.fixture
def statements(processes, monkeypatch) -> list:
    """Every header statement the polling process sends to MariaDB."""
    sent = []
    one = processes[0].extensions["space_inbox_header"]
    original = one.rows

    def counted(**params):
        sent.append(params)
        return original(**params)

    monkeypatch.setattr(one, "rows", counted)
    return sent


def _poll_until(poller, caller, check, within=WITHIN):
    """Poll until ``check(answer)`` holds; return the time it took."""
    started = time.time()
    while True:
        answer = poller.get(SUMMARY, headers=caller.headers(nonce=False))
        if check(answer):
            return time.time() - started
        assert time.time() - started < within, answer.get_json()
        time.sleep(0.02)


def test_a_kept_answer_is_given_without_mariadb(poller, world, statements):
    member = world["member"]
    first = poller.get(SUMMARY, headers=member.headers(nonce=False))
    again = poller.get(SUMMARY, headers=member.headers(nonce=False))
    unchanged = poller.get(
        SUMMARY, headers={**member.headers(nonce=False), "If-None-Match": first.headers["ETag"]}
    )
    assert first.status_code == again.status_code == 200
    assert again.get_data() == first.get_data() and again.headers["ETag"] == first.headers["ETag"]
    assert unchanged.status_code == 304
    assert len(statements) == 1


def test_a_forged_cookie_is_never_kept(poller, world, statements):
    for _ in range(3):
        assert poller.get(SUMMARY, headers=world["forged"].headers()).status_code == 401
    assert len(statements) == 3


def test_a_message_through_another_process_reaches_the_kept_answer(poller, writer, world):
    admin, member = world["admin"], world["member"]

    def unread(answer):
        return [s["unread"] for s in answer.get_json()["spaces"] if s["id"] == SPACE]

    assert unread(poller.get(SUMMARY, headers=admin.headers(nonce=False))) == [0]
    assert send(writer, member, SPACE, "Open on Sunday?").status_code == 201
    _poll_until(poller, admin, lambda answer: unread(answer) == [1])


def test_a_team_change_through_another_process_reaches_the_kept_answer(poller, writer, world):
    admin2 = world["admin2"]

    def spaces(answer):
        return [s["id"] for s in answer.get_json().get("spaces", [])]

    assert spaces(poller.get(SUMMARY, headers=admin2.headers(nonce=False))) == [SPACE]
    upsert_space(writer, SPACE, "Pizzeria Napoli", [world["admin"].user_id])
    _poll_until(poller, admin2, lambda answer: spaces(answer) == [])


def test_a_logout_ends_the_kept_answer_within_a_second(poller, writer, wordpress, world):
    member = log_in(wordpress, "member", "maya.member", "Maya Member", "subscriber")
    assert poller.get(SUMMARY, headers=member.headers(nonce=False)).status_code == 200
    assert poller.get(SUMMARY, headers=member.headers(nonce=False)).status_code == 200
    token = member.cookie.split("%7C")[2]
    # What wp_logout() does to the database, then the event the plugin sends on it.
    wordpress.php(f"WP_Session_Tokens::get_instance({member.user_id})->destroy('{token}');")
    answer = signed_post(
        writer,
        "/api/v1/events",
        {"events": [event("user.logins_changed", user_id=member.user_id)]},
    )
    assert answer.status_code == 200, answer.get_json()
    _poll_until(poller, member, lambda answer: answer.status_code == 401)


def test_a_lost_subscription_drops_every_kept_answer(processes, poller, world, statements):
    member = world["member"]
    poller.get(SUMMARY, headers=member.headers(nonce=False))
    poller.get(SUMMARY, headers=member.headers(nonce=False))
    assert len(statements) == 1
    hub = processes[0].extensions["space_inbox_hub"]
    admin = redis.Redis.from_url(REDIS_URL)
    name = channel_name(processes[0].config)
    mine = [c for c in admin.client_list() if c["name"] == name and int(c["sub"]) > 0]
    for client in mine:
        admin.client_kill_filter(_id=client["id"])
    deadline = time.time() + 5
    while hub.subscribed.is_set() and time.time() < deadline:
        time.sleep(0.01)
    assert len(hub.answers) == 0
    poller.get(SUMMARY, headers=member.headers(nonce=False))
    assert len(statements) == 2
    assert hub.ready(5.0)


def test_without_redis_every_poll_reads_mariadb(client, app, world, monkeypatch):
    sent = []
    one = app.extensions["space_inbox_header"]
    original = one.rows
    monkeypatch.setattr(one, "rows", lambda **p: sent.append(p) or original(**p))
    for _ in range(3):
        client.get(SUMMARY, headers=world["member"].headers(nonce=False))
    assert len(sent) == 3


def test_polls_of_one_cookie_at_once_read_mariadb_once(processes, poller, world, monkeypatch):
    """The streams of one page's user, woken together, check the login together: one reads
    the header's statement, the others take its answer; a poll that comes after a change
    heard meanwhile reads its own."""
    one = processes[0].extensions["space_inbox_header"]
    original, sent, release = one.rows, [], threading.Event()

    def held(**params):
        sent.append(params)
        assert release.wait(10), "never released"
        return original(**params)

    monkeypatch.setattr(one, "rows", held)
    member, other = world["member"], world["other_member"]
    answers: list = []

    def poll(caller) -> None:
        answers.append(poller.get(SUMMARY, headers=caller.headers(nonce=False)))

    together = [threading.Thread(target=poll, args=(member,)) for _ in range(6)]
    together.append(threading.Thread(target=poll, args=(other,)))
    for thread in together:
        thread.start()
    deadline = time.time() + 5
    while len(sent) < 2 and time.time() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # the other five have come by now, and wait
    assert len(sent) == 2, sent  # one per cookie
    # A change heard now: a poll from now on may not take the read begun before it.
    processes[0].extensions["space_inbox_hub"].deliver(Change(users=(member.user_id,)))
    late = threading.Thread(target=poll, args=(member,))
    late.start()
    while len(sent) < 3 and time.time() < deadline:
        time.sleep(0.01)
    assert len(sent) == 3, sent
    release.set()
    for thread in [*together, late]:
        thread.join(timeout=10)
    assert [a.status_code for a in answers] == [200] * 8
    assert len(sent) == 3, sent
