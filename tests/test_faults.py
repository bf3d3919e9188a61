"""Faults of the whole stack: the bridge killed with kill -9 mid-load, MariaDB stopped and
started again, WordPress stopped while jobs wait, and two bridges plus two workers on one
database. No acknowledged message is lost, no job is handled twice, nothing needs a
restart. (The long version, 100 users for minutes, is ``make load``: tools/load.py.)"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from bridge.storage.tables import own
from bridge.wordpress import signing
from devstack.callers import PASSWORD, PLUGIN_FILE
from devstack.mariadb import MariaDB
from devstack.stack import BridgeServer, JobProbe, command, environment, run
from devstack.wordpress import WordPressSite, php_str

PREFIX = "wpf_"
OWN = own(PREFIX)
PLUGIN = Path(__file__).resolve().parent.parent / "wp_plugin"
SECRET = "fault-test-secret-0123456789abcdef"
#: A window no test run straddles: these limits count from the start of the schema.
FOREVER = 999_999_999


def _eventually(check, timeout: float = 30.0, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


class Person:
    def __init__(self, login: str, user_id: int, cookie: str, nonce: str) -> None:
        self.login, self.id, self.cookie, self.nonce = login, user_id, cookie, nonce

    def headers(self) -> dict:
        return {"Cookie": self.cookie, "X-WP-Nonce": self.nonce}


def _people(site: WordPressSite, logins: list[str]) -> dict[str, Person]:
    """Create users in one PHP run and log each in through wp-login.php."""
    out = site.php(
        f"$ids = []; foreach (json_decode({php_str(json.dumps(logins))}, true) as $login) {{"
        f" $id = wp_insert_user(['user_login' => $login, 'user_pass' => {php_str(PASSWORD)},"
        " 'user_email' => $login . '@example.org', 'display_name' => ucfirst($login)]);"
        " if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message()); exit(1); }"
        " $ids[$login] = $id; } echo json_encode($ids);"
    )
    people = {}
    for login, user_id in json.loads(out).items():
        session = site.login(login, PASSWORD)
        try:
            name, value = site.logged_in_cookie(session)
            people[login] = Person(login, int(user_id), f"{name}={value}", site.rest_nonce(session))
        finally:
            session.close()
    return people


def _send(http, base: str, person: Person, space_id: int, key: str, body: str | None = None):
    return http.post(
        f"{base}/api/v1/me/spaces/{space_id}/messages",
        json={"body": body or f"Open on Sunday? [{key}]", "client_key": key},
        headers=person.headers(),
        timeout=15,
    )


def _reply(http, base: str, person: Person, space_id: int, cid: int, key: str):
    return http.post(
        f"{base}/api/v1/spaces/{space_id}/conversations/{cid}/messages",
        json={"body": f"Yes, from ten. [{key}]", "client_key": key},
        headers=person.headers(),
        timeout=15,
    )


def _session() -> requests.Session:
    http = requests.Session()
    http.trust_env = False
    return http


class Stack:
    """WordPress with the plugin, the bridge with its dispatchers, and a probe of the
    notification jobs WordPress received and handled."""

    def __init__(self, site: WordPressSite, bridge: BridgeServer, workdir: Path) -> None:
        self.site = site
        self.bridge = bridge
        self.workdir = workdir
        self.probe = workdir / "probe"
        self.people: dict[str, Person] = {}
        self.spaces: list[int] = []

    def max_job(self) -> int:
        return int(self.site.sql(f"SELECT COALESCE(MAX(id), 0) FROM {OWN}outbox")[0][0])

    def jobs(self, after: int) -> list[tuple]:
        return self.site.sql(
            f"SELECT id, delivered_at, attempts, last_error FROM {OWN}outbox WHERE id > %s",
            [after],
        )

    def make_due(self) -> None:
        self.site.sql(
            f"UPDATE {OWN}outbox SET next_attempt_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND"
            " WHERE delivered_at IS NULL"
        )

    def probed(self, name: str) -> Counter:
        return self.job_probe.ids(name)

    def delivered_once_each(self, after: int, timeout: float = 60.0) -> list[int]:
        """Wait until every job after ``after`` is delivered, each handled by WordPress
        exactly once; return their ids. Jobs backing off after a failed delivery are made
        due, so that the test does not wait out the backoff."""

        def all_delivered():
            self.make_due()
            rows = self.jobs(after)
            return rows and all(r[1] is not None for r in rows)

        assert _eventually(all_delivered, timeout), self.jobs(after)
        ids = [int(r[0]) for r in self.jobs(after)]
        handled = self.probed("handled")
        done = {int(r[0]) for r in self.site.sql("SELECT job_id FROM {prefix}space_inbox_jobs")}
        assert {i: handled[i] for i in ids} == {i: 1 for i in ids}, "a job handled 0 or 2 times"
        assert set(ids) <= done
        return ids

    def messages(self, author_ids: list[int]) -> list[tuple]:
        marks = ", ".join(["%s"] * len(author_ids))
        return self.site.sql(
            f"SELECT author_id, client_key, id FROM {OWN}messages WHERE author_id IN ({marks})",
            author_ids,
        )

    def conversation(self, space_id: int, member_id: int) -> int:
        return int(
            self.site.sql(
                f"SELECT id FROM {OWN}conversations WHERE space_id = %s AND member_id = %s",
                [space_id, member_id],
            )[0][0]
        )


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("faults")
    site = WordPressSite(
        workdir,
        f"si_test_faults_{os.getpid()}",
        table_prefix=PREFIX,
        plugin_dirs={"space-inbox": PLUGIN},
        workers=2,
    )
    site.start()
    bridge = None
    try:
        site.activate_plugin("space-inbox/space-inbox.php")
        migrated = run("migrate", "--wp-config", str(site.wp_config_path), cwd=workdir)
        assert migrated.returncode == 0, migrated.stderr
        found = Stack(site, None, workdir)
        found.job_probe = JobProbe(site, found.probe)
        bridge = BridgeServer(
            site.wp_config_path,
            workdir,
            workers=2,
            DISPATCH_INTERVAL="1",
            RATE_PER_SPACE="off",
            RATE_OVERALL="off",
        ).start()
        found.bridge = bridge
        site.php(f"update_option('space_inbox_bridge_url', {php_str(bridge.url)});")
        found.people = _people(
            site, ["owner", "ada"] + [f"member{n}" for n in range(6)] + ["limited"]
        )
        owner, ada = found.people["owner"].id, found.people["ada"].id
        found.spaces = [
            int(
                site.php(
                    "$id = wp_insert_post(['post_type' => 'wpe_wpspace', 'post_status' =>"
                    f" 'publish', 'post_title' => {php_str(title)}, 'post_author' => {owner}]);"
                    f" add_post_meta($id, '_space_inbox_team', {ada});"
                    " wp_update_post(['ID' => $id]); echo $id;"
                ).strip()
            )
            for title in ("Fault Bakery", "Fault Books")
        ]
        teams = site.sql(f"SELECT space_id, user_id FROM {OWN}space_admins")
        assert sorted(teams) == sorted((s, u) for s in found.spaces for u in (owner, ada))
        yield found
    finally:
        if bridge:
            bridge.stop()
        site.stop()
        site.drop()


# -- WordPress stopped -------------------------------------------------------------------


def test_jobs_wait_while_wordpress_is_down_and_are_delivered_once_after(stack):
    member = stack.people["member0"]
    space = stack.spaces[0]
    after = stack.max_job()
    stack.site.stop()
    try:
        with _session() as http:
            keys = [f"wp-down-{n}-{uuid.uuid4().hex[:6]}" for n in range(4)]
            for key in keys:
                # The bridge needs only the database: members keep writing.
                answer = _send(http, stack.bridge.url, member, space, key)
                assert answer.status_code == 201, answer.text

        def retried_twice():
            rows = stack.jobs(after)
            return len(rows) == 8 and all(r[2] >= 2 for r in rows)

        assert _eventually(retried_twice, 20), stack.jobs(after)
        rows = stack.jobs(after)
        assert all(r[1] is None and r[3] for r in rows), rows  # waiting, with the reason
        assert not set(stack.probed("received")) & {int(r[0]) for r in rows}
    finally:
        stack.site.serve_again()
    # The dispatcher backs off (2 s, 5 s, 15 s...): the waiting jobs are made due.
    ids = stack.delivered_once_each(after)
    assert len(ids) == 8
    received = stack.probed("received")
    assert all(received[i] == 1 for i in ids), "a job was sent to WordPress twice"
    stack.bridge.wait_for_dispatcher_passes(2)  # two more passes: still once each
    handled, received = stack.probed("handled"), stack.probed("received")
    assert all(handled[i] == 1 and received[i] == 1 for i in ids)
    assert len(stack.messages([member.id])) == 4


# -- two bridges, two workers ------------------------------------------------------------


def test_two_bridges_and_two_workers_deliver_each_job_once_and_share_the_limits(stack):
    limits = {"RATE_PER_SPACE": f"3/{FOREVER}", "RATE_OVERALL": f"5/{FOREVER}"}
    bridges = [
        BridgeServer(
            stack.site.wp_config_path, stack.workdir, workers=2, DISPATCH_INTERVAL="1", **limits
        )
        for _ in range(2)
    ]
    workers = []
    try:
        for bridge in bridges:
            bridge.start()
        with open(stack.workdir / "workers.log", "ab") as log:
            workers = [
                subprocess.Popen(
                    [*command(), "worker", "--wp-config", str(stack.site.wp_config_path)],
                    cwd=stack.workdir,
                    env=environment(DISPATCH_INTERVAL="1", **limits),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
                for _ in range(2)
            ]
        urls = [b.url for b in bridges]
        limited, space, other_space = stack.people["limited"], *stack.spaces
        after = stack.max_job()

        # 12 sends at once, half through each bridge: the per-Space limit (3) holds.
        start = threading.Barrier(12)
        statuses: list = [None] * 12
        keys = [f"limited-{n}-{uuid.uuid4().hex[:6]}" for n in range(12)]

        def fire(n: int) -> None:
            with _session() as http:
                start.wait(timeout=30)
                statuses[n] = _send(http, urls[n % 2], limited, space, keys[n]).status_code

        threads = [threading.Thread(target=fire, args=(n,)) for n in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(statuses) == [201] * 3 + [429] * 9, statuses
        with _session() as http:
            # The overall limit (5) counts both bridges too.
            more = [
                _send(http, urls[n % 2], limited, other_space, f"more-{n}-{uuid.uuid4().hex[:6]}")
                for n in range(4)
            ]
            assert [a.status_code for a in more] == [201, 201, 429, 429]
            # A retry of an accepted message is not limited, on either bridge.
            accepted = keys[statuses.index(201)]
            for url in urls:
                assert _send(http, url, limited, space, accepted).status_code == 201
        assert len(stack.messages([limited.id])) == 5

        # Many jobs at once, written through both bridges; 8 dispatchers deliver them.
        cid = stack.conversation(space, limited.id)
        admins = [stack.people["owner"], stack.people["ada"]]

        refused: list[str] = []

        def answer(n: int) -> None:
            with _session() as http:
                for m in range(12):
                    key = f"answer-{n}-{m}-{uuid.uuid4().hex[:6]}"
                    reply = _reply(http, urls[(n + m) % 2], admins[n % 2], space, cid, key)
                    if reply.status_code != 201:
                        refused.append(f"{reply.status_code} {reply.text}")

        threads = [threading.Thread(target=answer, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not refused, refused[:5]
        ids = stack.delivered_once_each(after, timeout=90)
        assert len(ids) == 5 * 2 + 96  # two admins per message, the member per answer
        received = stack.probed("received")
        twice = {i: received[i] for i in ids if received[i] != 1}
        assert not twice, f"jobs sent to WordPress more than once: {twice}"
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            assert worker.wait(timeout=20) == 0
        for bridge in bridges:
            bridge.stop()


# -- kill -9 -----------------------------------------------------------------------------


def test_kill_9_of_the_bridge_mid_load_loses_no_acknowledged_message(stack):
    members = [stack.people[f"member{n}"] for n in range(6)]
    after = stack.max_job()
    before = {(a, k) for a, k, _ in stack.messages([m.id for m in members])}
    acknowledged: dict[tuple[int, str], int] = {}
    problems: list[str] = []
    unanswered = Counter()
    lock = threading.Lock()
    began = time.monotonic()
    stop_at = began + 9.0

    def member_loop(n: int, person: Person) -> None:
        with _session() as http:
            count = 0
            while time.monotonic() < stop_at:
                count += 1
                key = f"k9-{n}-{count}-{uuid.uuid4().hex[:6]}"
                space = stack.spaces[count % 2]
                give_up = time.monotonic() + 40
                while True:  # the same client_key until the bridge says 201
                    try:
                        answer = _send(http, stack.bridge.url, person, space, key)
                    except requests.RequestException as exc:
                        with lock:
                            unanswered[type(exc).__name__] += 1
                        answer = None
                    if answer is not None and answer.status_code == 201:
                        with lock:
                            acknowledged[(person.id, key)] = answer.json()["id"]
                        break
                    if answer is not None:  # no 5xx either: a killed bridge just goes quiet
                        with lock:
                            problems.append(f"{key}: HTTP {answer.status_code} {answer.text}")
                        break
                    if time.monotonic() > give_up:
                        with lock:
                            problems.append(f"{key}: never acknowledged")
                        break
                    time.sleep(0.1)
                time.sleep(0.05)

    threads = [threading.Thread(target=member_loop, args=(n, m)) for n, m in enumerate(members)]
    for thread in threads:
        thread.start()
    for at in (2.5, 5.5):
        time.sleep(max(0.0, began + at - time.monotonic()))
        process = stack.bridge.process
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        stack.bridge.process = None
        time.sleep(0.5)
        stack.bridge.start()
    for thread in threads:
        thread.join(timeout=90)

    assert not problems, problems[:10]
    assert len(acknowledged) >= 30, "the load was too light to mean anything"
    assert unanswered, "the kills hit no request in flight"  # they were resent, same key
    stored = {
        (a, k): i for a, k, i in stack.messages([m.id for m in members]) if (a, k) not in before
    }
    assert stored == acknowledged, "lost or unacknowledged messages"
    ids = stack.delivered_once_each(after, timeout=60)
    assert len(ids) == 2 * len(acknowledged)


# -- MariaDB stopped ---------------------------------------------------------------------


class Receiver:
    """Stands where the plugin's notify route would be: notes the job ids it gets."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.ids.extend(job["id"] for job in json.loads(body)["jobs"])
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"done": []}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notify"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def _database_down(answer: requests.Response) -> None:
    """The 503 of a bridge without its database: the error shape, with Retry-After."""
    assert answer.status_code == 503, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert body["code"] == "database_unavailable" and body["message"]
    assert set(body) <= {"code", "message", "description"}
    assert int(answer.headers["Retry-After"]) > 0


@pytest.mark.skipif(not shutil.which("mariadb-install-db"), reason="needs mariadb-server")
def test_the_bridge_answers_503_while_mariadb_is_down_and_serves_again_after(tmp_path):
    database = MariaDB()
    receiver = Receiver()
    site = bridge = None
    try:
        database.install()
        database.start()
        site = WordPressSite(
            tmp_path, "si_test_db_down", table_prefix="wpd_", db_port=database.port, workers=1
        )
        site.start()
        site.list_as_active(PLUGIN_FILE)
        member_id = site.create_user("dana", PASSWORD, email="dana@example.org")
        session = site.login("dana", PASSWORD)
        try:
            name, value = site.logged_in_cookie(session)
            dana = Person("dana", member_id, f"{name}={value}", site.rest_nonce(session))
        finally:
            session.close()
        migrated = run("migrate", "--wp-config", str(site.wp_config_path), cwd=tmp_path)
        assert migrated.returncode == 0, migrated.stderr
        bridge = BridgeServer(
            site.wp_config_path,
            tmp_path,
            SECRET=SECRET,
            NOTIFY_URL=receiver.url,
            DISPATCH_INTERVAL="1",
            RATE_PER_SPACE="off",
            RATE_OVERALL="off",
        ).start()
        events = json.dumps(
            {
                "events": [
                    {
                        "id": str(uuid.uuid4()),
                        "type": "space.upserted",
                        "data": {"space_id": 7, "name": "Down Deli", "admin_ids": [1]},
                    }
                ]
            }
        ).encode()
        stamp = str(int(time.time()))
        with _session() as http:
            applied = http.post(
                f"{bridge.url}/api/v1/events",
                data=events,
                headers={
                    "Content-Type": "application/json",
                    **signing.signed_headers(SECRET, "events", events, timestamp=stamp),
                },
                timeout=15,
            )
            assert applied.status_code == 200, applied.text
            assert _send(http, bridge.url, dana, 7, "before").status_code == 201
            assert _eventually(lambda: len(receiver.ids) == 1, 15)
            # Stop the database only once the dispatcher has written the job down as
            # delivered. Cut between the POST and that write, the job is rightly sent
            # again, and the plugin ignores a job id it has done (test_plugin_stack).
            assert _eventually(
                lambda: (
                    site.sql(
                        "SELECT COUNT(*) FROM wpd_spaceinbox_outbox WHERE delivered_at IS NULL"
                    )
                    == [(0,)]
                ),
                15,
            )
            pid = bridge.process.pid

            database.stop()
            for _ in range(3):
                _database_down(http.get(f"{bridge.url}/health", timeout=15))
                _database_down(
                    http.get(f"{bridge.url}/api/v1/me/summary", headers=dana.headers(), timeout=15)
                )
                _database_down(_send(http, bridge.url, dana, 7, "during"))

            database.start()

            def healthy() -> bool:
                return http.get(f"{bridge.url}/health", timeout=15).status_code == 200

            assert _eventually(healthy, 30)
            # The same processes: no restart was needed.
            assert bridge.process.pid == pid and bridge.process.poll() is None
            summary = http.get(
                f"{bridge.url}/api/v1/me/summary", headers=dana.headers(), timeout=15
            )
            assert summary.status_code == 200, summary.text
            # The client's retry of the send refused during the outage goes through, once.
            assert _send(http, bridge.url, dana, 7, "during").status_code == 201
            assert _send(http, bridge.url, dana, 7, "during").status_code == 201
            keys = site.sql("SELECT client_key FROM wpd_spaceinbox_messages ORDER BY id")
            assert keys == [("before",), ("during",)]
            # The dispatcher thread lived through the outage and delivers the new job.
            assert _eventually(lambda: len(receiver.ids) == 2, 20), receiver.ids
            assert len(set(receiver.ids)) == 2
    finally:
        if bridge:
            bridge.stop()
        if site:
            site.stop()  # its database goes with the server's data folder
        database.remove()
        receiver.close()
