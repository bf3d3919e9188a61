"""The notification outbox: jobs written with their message, delivered signed, retried
with backoff, shared by several dispatchers without any job delivered twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import redis
from sqlalchemy import select, update

from bridge import create_app
from bridge.background import outbox
from bridge.inbox import choices, jobs
from bridge.storage.tables import tables
from bridge.wordpress import signing
from devstack.callers import PREFIX, SECRET, SPACE, conversation_id, reply, send, signed_post

T = tables(PREFIX)


class Receiver:
    """A real HTTP endpoint standing where the plugin's notify route would be."""

    def __init__(self) -> None:
        self.jobs: list[dict] = []
        self.status = 200
        self.bad_signatures = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                failure = signing.verify_signature(
                    SECRET, "POST", "notify", self.headers, body, now=time.time(), max_skew=300
                )
                ok = failure is None
                with receiver.lock:
                    if not ok:
                        receiver.bad_signatures += 1
                    elif receiver.status == 200:
                        receiver.jobs.extend(json.loads(body)["jobs"])
                    status = receiver.status if ok else 403
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"done": []}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notify"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def ids(self) -> list[int]:
        with self.lock:
            return [job["id"] for job in self.jobs]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(app):
    found = Receiver()
    app.config["NOTIFY_URL"] = found.url
    yield found
    app.config["NOTIFY_URL"] = None
    found.close()


def _outbox(app) -> list:
    with app.extensions["space_inbox_engine"].connect() as c:
        return c.execute(select(T.outbox).order_by(T.outbox.c.id)).all()


def _dispatch(app) -> int:
    sessions, deliver = outbox.for_app(app)
    return outbox.dispatch_once(sessions, deliver)


def _make_due(app) -> None:
    with app.extensions["space_inbox_engine"].begin() as c:
        c.execute(update(T.outbox).values(next_attempt_at=outbox.utcnow() - timedelta(seconds=1)))


def test_jobs_are_delivered_signed_and_marked(app, client, world, receiver):
    member = world["member"]
    send(client, member, SPACE, "This t-shirt in XL?")
    assert _dispatch(app) == 2
    assert receiver.bad_signatures == 0
    assert sorted(j["user_id"] for j in receiver.jobs) == sorted(
        [world["admin"].user_id, world["admin2"].user_id]
    )
    job = receiver.jobs[0]
    assert job["kind"] == "member_message"
    assert job["data"]["space_id"] == SPACE and job["data"]["excerpt"] == "This t-shirt in XL?"
    assert all(row.delivered_at is not None for row in _outbox(app))
    assert _dispatch(app) == 0  # nothing left: delivered jobs are never sent again


@pytest.mark.parametrize("failure", ["http_500", "refused"])
def test_a_failed_delivery_is_retried_with_backoff_until_taken(
    app, client, world, receiver, failure
):
    send(client, world["member"], SPACE, "Open on Sunday?")
    if failure == "http_500":
        receiver.status = 500
    else:
        app.config["NOTIFY_URL"] = "http://127.0.0.1:1/notify"
    assert _dispatch(app) == 2
    rows = _outbox(app)
    assert all(r.delivered_at is None and r.attempts == 1 and r.last_error for r in rows)
    assert all(r.next_attempt_at > outbox.utcnow() for r in rows)
    assert _dispatch(app) == 0  # not due yet
    receiver.status = 200
    app.config["NOTIFY_URL"] = receiver.url
    _make_due(app)
    assert _dispatch(app) == 2
    assert len(receiver.ids()) == 2
    assert all(r.delivered_at is not None for r in _outbox(app))


def test_backoff_grows_and_caps():
    waits = [outbox.backoff(n).total_seconds() for n in range(1, 12)]
    assert waits == sorted(waits)
    assert waits[0] >= 1 and waits[-1] == outbox.BACKOFF[-1]


def test_two_dispatchers_never_deliver_a_job_twice(app, client, world, receiver):
    member, other = world["member"], world["other_member"]
    for n in range(60):
        send(client, member if n % 2 else other, SPACE, f"question {n}")
    expected = len(_outbox(app))
    assert expected == 120
    sessions, deliver = outbox.for_app(app)

    def slow(session, jobs):  # hold the locks a little, as a real HTTP call would
        time.sleep(0.01)
        return deliver(session, jobs)

    stops = [threading.Event() for _ in range(3)]
    threads = [
        threading.Thread(target=outbox.run, args=(sessions, slow, stop, 0.05)) for stop in stops
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(receiver.ids()) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    for stop in stops:
        stop.set()
    for thread in threads:
        thread.join(timeout=10)
    ids = receiver.ids()
    assert len(ids) == expected
    assert len(set(ids)) == expected, "a job was delivered twice"


#: An idle interval no test waits out: a job delivered before it ends was woken for.
ASLEEP = 600
#: How long a test waits for a woken dispatcher's delivery (far less than ASLEEP).
WOKEN_WITHIN = 10


class Dispatcher:
    """A dispatcher thread of *app*'s site that idles :data:`ASLEEP` seconds but for *wake*."""

    def __init__(self, app, wake: threading.Event, policy: choices.Policy | None = None) -> None:
        sessions, deliver = outbox.for_app(app)
        if policy is not None:  # the site's e-mail settings, without reading its options
            deliver.policy = lambda session: policy
        self.stop, self.wake = threading.Event(), wake
        self.thread = threading.Thread(
            target=outbox.run, args=(sessions, deliver, self.stop, ASLEEP, wake), daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        self.wake.set()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive(), "the dispatcher did not stop when woken"


def _delivered(receiver, count: int) -> list[int]:
    deadline = time.monotonic() + WOKEN_WITHIN
    while len(receiver.ids()) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return receiver.ids()


def _idle(dispatcher: Dispatcher) -> None:
    """Wait until *dispatcher* has looked at the outbox and found nothing to do."""
    began = outbox.passes
    deadline = time.monotonic() + WOKEN_WITHIN
    while (outbox.passes == began or dispatcher.wake.is_set()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert outbox.passes > began and not dispatcher.wake.is_set()


def test_a_commit_that_queued_jobs_wakes_the_idle_dispatcher_of_its_process(
    app, client, world, receiver
):
    dispatcher = Dispatcher(app, outbox.wake_of(app).event)
    try:
        _idle(dispatcher)
        # Jobs queued in a transaction that rolled back: the next commit queued nothing.
        with outbox.for_app(app)[0]() as session:
            session.begin()
            session.info[jobs.QUEUED] = True  # as the outbox's writer marks it
            session.rollback()
            with session.begin():
                session.execute(select(1))
        assert not dispatcher.wake.is_set()
        send(client, world["member"], SPACE, "Are you open on Sunday?")
        assert len(_delivered(receiver, 2)) == 2
    finally:
        dispatcher.close()


def test_each_pass_turns_the_digests_due_into_email_jobs_and_delivers_them(
    app, client, world, receiver
):
    dispatcher = Dispatcher(app, outbox.wake_of(app).event, choices.Policy(delay=timedelta(0)))
    try:
        send(client, world["member"], SPACE, "Are you open on Sunday?")
        assert len(_delivered(receiver, 4)) == 4
    finally:
        dispatcher.close()
    kinds = sorted((job["kind"], job["user_id"]) for job in receiver.jobs)
    team = sorted([world["admin"].user_id, world["admin2"].user_id])
    assert kinds == [("email_digest", u) for u in team] + [("member_message", u) for u in team]


def test_a_commit_wakes_the_dispatchers_of_other_processes_through_redis(
    app, wordpress, world, receiver, redis_url
):
    """Another process' dispatcher: a :class:`outbox.Wake` of the site's channel of its own."""
    sender = create_app(
        {"WP_CONFIG": str(wordpress.wp_config_path), "SECRET": SECRET, "REDIS_URL": redis_url}
    )
    elsewhere = outbox.Wake(redis_url, outbox.wake_of(sender).channel)
    elsewhere.listen()
    assert elsewhere.subscribed.wait(WOKEN_WITHIN), "no subscription to the site's channel"
    dispatcher = Dispatcher(app, elsewhere.event)
    try:
        _idle(dispatcher)
        sent = send(sender.test_client(use_cookies=False), world["member"], SPACE, "Open?")
        assert sent.status_code == 201, sent.get_json()
        assert len(_delivered(receiver, 2)) == 2
    finally:
        dispatcher.close()
        elsewhere.close()
        sender.extensions["space_inbox_engine"].dispose()


def test_reading_tells_the_whole_team_the_reader_too(app, client, world, receiver):
    member, admin = world["member"], world["admin"]
    send(client, member, SPACE, "Allergens?")
    cid = conversation_id(client, admin, SPACE, member)
    url = f"/api/v1/spaces/{SPACE}/conversations/{cid}/read"
    assert client.post(url, headers=admin.headers()).status_code == 204
    reads = [r for r in _outbox(app) if r.kind == "conversation_read"]
    assert sorted(r.user_id for r in reads) == sorted([admin.user_id, world["admin2"].user_id])
    assert {json.loads(r.payload)["conversation_id"] for r in reads} == {cid}
    # Reading again with nothing unread tells nobody anything new.
    assert client.post(url, headers=admin.headers()).status_code == 204
    assert len([r for r in _outbox(app) if r.kind == "conversation_read"]) == 2


def test_a_member_reading_an_answer_clears_their_own_notification(app, client, world, receiver):
    member, admin = world["member"], world["admin"]
    send(client, member, SPACE, "Open on Sunday?")
    cid = conversation_id(client, admin, SPACE, member)
    reply = client.post(
        f"/api/v1/spaces/{SPACE}/conversations/{cid}/messages",
        json={"body": "Yes, 10 to 4.", "client_key": "reply-sunday"},
        headers=admin.headers(),
    )
    assert reply.status_code == 201
    url = f"/api/v1/me/spaces/{SPACE}/read"
    assert client.post(url, headers=member.headers()).status_code == 204
    reads = [r for r in _outbox(app) if r.kind == "conversation_read"]
    assert [(r.user_id, json.loads(r.payload)) for r in reads] == [
        (member.user_id, {"space_id": SPACE, "conversation_id": cid, "user_id": member.user_id})
    ]
    # Nothing unread: nothing new to tell; a Space the member never wrote to: nothing.
    assert client.post(url, headers=member.headers()).status_code == 204
    assert len([r for r in _outbox(app) if r.kind == "conversation_read"]) == 1


@pytest.mark.parametrize("shared", [False, True], ids=["polling", "woken-through-redis"])
def test_the_worker_command_delivers_and_stops_on_sigterm(
    app, wordpress, client, world, receiver, redis_url, shared
):
    """``space-inbox worker``: what waits when it starts, then a later send at once, though
    its interval is :data:`ASLEEP`: without Redis it looks every ``outbox.POLL`` seconds;
    with Redis, the sending process wakes it."""
    send(client, world["member"], SPACE, "Worker?")
    env = {
        **os.environ,
        "SPACE_INBOX_NOTIFY_URL": receiver.url,
        "SPACE_INBOX_SECRET": SECRET,
        "SPACE_INBOX_DISPATCH_INTERVAL": str(ASLEEP),
    }
    sender = client
    if shared:
        env["SPACE_INBOX_REDIS_URL"] = redis_url
        theirs = create_app(
            {"WP_CONFIG": str(wordpress.wp_config_path), "SECRET": SECRET, "REDIS_URL": redis_url}
        )
        sender = theirs.test_client(use_cookies=False)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bridge.cli",
            "worker",
            "--wp-config",
            str(wordpress.wp_config_path),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while len(receiver.ids()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(receiver.ids()) == 2
        if shared:
            channel = outbox.wake_of(theirs).channel
            listening = redis.Redis.from_url(redis_url)
            while listening.pubsub_numsub(channel)[0][1] == 0 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert listening.pubsub_numsub(channel) == [(channel.encode(), 1)], "none listens"
        assert send(sender, world["other_member"], SPACE, "Still there?").status_code == 201
        assert len(_delivered(receiver, 4)) == 4
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=15)[0].decode()
        if shared:
            theirs.extensions["space_inbox_engine"].dispose()
    assert proc.returncode == 0, output


def _status(client) -> dict:
    """The bridge's status as the plugin asks for it (a signed GET)."""
    answer = client.get(
        "/api/v1/status", headers=signing.signed_headers(SECRET, "status", b"", method="GET")
    )
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_the_status_tells_the_site_what_waits_for_wordpress(app, client, world, receiver):
    quiet = _status(client)
    assert quiet["schema"]["current"] == quiet["schema"]["head"]
    assert quiet["redis"] == "off" and quiet["live"] is False
    assert quiet["outbox"] == {
        "waiting": 0, "failing": 0, "oldest_seconds": None, "last_error": None
    }  # fmt: skip

    send(client, world["member"], SPACE, "Hello?")
    with app.extensions["space_inbox_engine"].begin() as c:  # queued two minutes ago
        c.execute(update(T.outbox).values(created_at=outbox.utcnow() - timedelta(minutes=2)))
    waiting = _status(client)["outbox"]
    assert waiting["waiting"] == 2 and waiting["failing"] == 0 and waiting["last_error"] is None
    assert 120 <= waiting["oldest_seconds"] < 180

    receiver.status = 500
    assert _dispatch(app) == 2
    failing = _status(client)["outbox"]
    assert failing["waiting"] == failing["failing"] == 2
    assert failing["last_error"].startswith("HTTP 500"), failing

    receiver.status = 200
    _make_due(app)
    assert _dispatch(app) == 2
    assert _status(client)["outbox"]["waiting"] == 0


@pytest.mark.parametrize(("url", "said"), [(None, "ok"), ("redis://127.0.0.1:1/0", "unreachable")])
def test_the_status_says_whether_redis_answers(wordpress, redis_url, url, said):
    theirs = create_app(
        {
            "WP_CONFIG": str(wordpress.wp_config_path),
            "SECRET": SECRET,
            "REDIS_URL": url or redis_url,
        }
    )
    try:
        assert _status(theirs.test_client())["redis"] == said
    finally:
        theirs.extensions["space_inbox_engine"].dispose()


# -- privacy -----------------------------------------------------------------------------


def test_privacy_export_and_erase(app, client, world):
    member, admin = world["member"], world["admin"]
    send(client, member, SPACE, "My phone is 555-0100")
    cid = conversation_id(client, admin, SPACE, member)
    reply(client, admin, SPACE, cid, "We'll call you")
    exported = signed_post(client, "/api/v1/privacy/export", {"user_id": member.user_id})
    assert exported.status_code == 200
    body = exported.get_json()
    assert body["done"] is True
    values = [{d["name"]: d["value"] for d in item["data"]} for item in body["data"]]
    assert [(v["From"], v["Message"]) for v in values] == [
        ("You", "My phone is 555-0100"),
        ("Pizzeria Napoli", "We'll call you"),
    ]
    assert admin.display_name not in json.dumps(body)
    # The admin's export holds what they wrote for the Space.
    theirs = signed_post(client, "/api/v1/privacy/export", {"user_id": admin.user_id}).get_json()
    assert [item["group_id"] for item in theirs["data"]] == ["space-inbox-answers"]

    erased = signed_post(client, "/api/v1/privacy/erase", {"user_id": member.user_id})
    assert erased.get_json() == {"items_removed": True, "items_retained": False, "messages": []}
    again = signed_post(client, "/api/v1/privacy/export", {"user_id": member.user_id})
    assert again.get_json() == {"data": [], "done": True}
    admin_erase = signed_post(client, "/api/v1/privacy/erase", {"user_id": admin.user_id})
    assert admin_erase.get_json()["items_removed"] is False


def test_privacy_export_pages(app, client, world, monkeypatch):
    from bridge.inbox import privacy

    monkeypatch.setattr(privacy, "PAGE", 3)
    for n in range(7):
        send(client, world["member"], SPACE, f"message {n}")
    seen, page = [], 1
    while True:
        body = signed_post(
            client, "/api/v1/privacy/export", {"user_id": world["member"].user_id, "page": page}
        ).get_json()
        seen += [item["item_id"] for item in body["data"]]
        if body["done"]:
            break
        page += 1
    assert len(seen) == len(set(seen)) == 7 and page == 3


@pytest.mark.parametrize(
    "payload", [{}, {"user_id": "1"}, {"user_id": 0}, {"user_id": 1, "page": 0}, []]
)
def test_privacy_calls_refuse_bad_input(client, payload):
    for path in ("/api/v1/privacy/export", "/api/v1/privacy/erase"):
        if path.endswith("erase") and isinstance(payload, dict) and "page" in payload:
            continue
        assert signed_post(client, path, payload).status_code == 400


def test_privacy_calls_need_the_signature(client, people):
    for path in ("/api/v1/privacy/export", "/api/v1/privacy/erase"):
        answer = client.post(
            path, json={"user_id": people["member"].user_id}, headers=people["member"].headers()
        )
        assert answer.status_code == 401
