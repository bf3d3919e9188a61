#!/usr/bin/env python3
"""Load test of the whole stack, with the bridge killed mid-run: ``make load``.

It brings up a throw-away stack on loopback (a real WordPress with the plugin active,
``space-inbox serve`` with its dispatchers, the machine's MariaDB), creates Spaces with
two admins each and members, logs everyone in once through ``wp-login.php`` (real cookies
and REST nonces), and then, for ``--seconds`` per phase:

- every member sends messages to Spaces, polls ``me/summary`` (with ``If-None-Match``)
  and reads their conversations; every admin polls, lists, answers and marks read;
- clients call the bridge directly (direct mode); a small share goes through the
  plugin's fast proxy (``proxy.php?path=...``), as pages in proxy mode do;
- a write whose answer does not come (connection error, timeout, 5xx) is sent again with
  the same ``client_key``; some answers are deliberately lost (the client stops waiting
  after a few milliseconds) and every 10th acknowledged write is sent again anyway.

Phases: ``plain``, then ``kill-bridge`` (the bridge's process group gets SIGKILL twice
and is started again on the same port while the clients keep going). After each phase
it waits for the outbox to drain and checks, in the database and in WordPress: every
acknowledged (201) message is stored exactly once and nothing else is, no duplicates,
no 5xx, unread counters equal a recount of the messages (in the tables and in every
user's ``me/summary``), every notification job delivered and handled by WordPress
exactly once. It prints a table, writes ``docs/load-results.json`` and exits 1 when a
check fails. Loopback only; it stops by itself.

    .venv/bin/python tools/load.py                  # both phases, 60 s each
    .venv/bin/python tools/load.py --seconds 20 --fault none
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests

from bench import report
from bridge.inbox.figures import nearest_rank
from devstack.callers import proxy_url
from devstack.stack import BridgeServer, JobProbe, WholeStack
from devstack.wordpress import WordPressSite, php_str

ROOT = Path(__file__).resolve().parent.parent

PREFIX = "wpl_"
OWN = f"{PREFIX}spaceinbox_"
PASSWORD = "load-test password 0123"
REQUEST_TIMEOUT = 15.0
#: A "lost answer": the client stops waiting this soon after sending the request.
LOST_ANSWER_TIMEOUT = (5.0, 0.003)
RESEND_EVERY = 10
PROGRESS_EVERY = 5.0


# -- people and what they were told ------------------------------------------------------


@dataclass
class User:
    login: str
    id: int
    space_id: int | None = None  # the Space an admin runs
    cookie: str = ""
    nonce: str = ""


@dataclass
class Ack:
    """A write the bridge acknowledged with 201."""

    message_id: int
    space_id: int
    member_id: int
    direction: str
    body: str
    phase: str


@dataclass
class Phase:
    name: str
    fault: str | None
    seconds: float
    started: float = 0.0
    ended: float = 0.0
    kills: list = field(default_factory=list)
    status: Counter = field(default_factory=Counter)
    latency: dict = field(default_factory=lambda: defaultdict(list))
    counts: Counter = field(default_factory=Counter)
    no_answer: Counter = field(default_factory=Counter)
    log_errors_before: int = 0
    anomalies: list = field(default_factory=list)
    checks: dict = field(default_factory=dict)


class Ledger:
    """What clients were told, shared by every client thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.acked: dict[tuple[int, str], Ack] = {}
        self.pending: dict[tuple[int, str], str] = {}
        self.phase: Phase | None = None

    def count(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.phase.counts[name] += n

    def anomaly(self, text: str) -> None:
        with self.lock:
            self.phase.counts["anomalies"] += 1
            if len(self.phase.anomalies) < 50:
                self.phase.anomalies.append(text)

    def observe(self, kind: str, channel: str, status: int | str, seconds: float) -> None:
        with self.lock:
            self.phase.status[f"{channel} {status}"] += 1
            self.phase.counts["requests"] += 1
            if isinstance(status, int):
                self.phase.latency[kind].append(seconds)

    def no_answer(self, reason: str) -> None:
        with self.lock:
            self.phase.no_answer[reason] += 1

    def begin(self, key: tuple[int, str]) -> None:
        with self.lock:
            self.pending[key] = self.phase.name

    def acknowledge(self, key: tuple[int, str], ack: Ack) -> None:
        with self.lock:
            self.pending.pop(key, None)
            known = self.acked.get(key)
            if known is None:
                self.acked[key] = ack
                self.phase.counts[f"{ack.direction}_acknowledged"] += 1
            elif known.message_id != ack.message_id:
                self.phase.counts["anomalies"] += 1
                self.phase.anomalies.append(
                    f"client_key {key} answered with message {ack.message_id}, "
                    f"earlier with {known.message_id}"
                )


# -- one virtual user --------------------------------------------------------------------


class Client:
    """A logged-in member or admin with their own keep-alive HTTP session."""

    def __init__(self, load: LoadRun, user: User, admin: bool) -> None:
        self.load = load
        self.user = user
        self.admin = admin
        self.http = requests.Session()
        self.http.trust_env = False
        self.etag = ""
        self.sent = 0
        self.acks = 0
        self.rng = random.Random(user.id)
        self.last_unread = 0

    def close(self) -> None:
        self.http.close()

    # transport

    def call(self, method: str, path: str, kind: str, *, proxy: bool = False, **kwargs):
        """One HTTP request; None when no answer came (recorded either way)."""
        headers = {"Cookie": self.user.cookie, **kwargs.pop("headers", {})}
        if method != "GET" or proxy:
            headers["X-WP-Nonce"] = self.user.nonce
        if proxy:
            url = proxy_url(self.load.site.url, path)
            channel = "proxy"
        else:
            url = f"{self.load.bridge.url}/api/v1/{path}"
            channel = "direct"
        timeout = kwargs.pop("timeout", REQUEST_TIMEOUT)
        began = time.monotonic()
        try:
            answer = self.http.request(method, url, headers=headers, timeout=timeout, **kwargs)
        except requests.RequestException as exc:
            self.load.ledger.observe(kind, channel, type(exc).__name__, 0.0)
            self.load.ledger.no_answer(_reason(exc, timeout))
            return None
        self.load.ledger.observe(kind, channel, answer.status_code, time.monotonic() - began)
        if answer.status_code >= 500:
            # While the bridge is killed on purpose, the proxy rightly says so (503,
            # bridge_unavailable); any other 5xx, and any 5xx of the bridge, is a failure.
            away = (
                channel == "proxy"
                and answer.status_code == 503
                and self.load.ledger.phase.fault is not None
                and b"bridge_unavailable" in answer.content
            )
            self.load.ledger.count("proxy_503_bridge_away" if away else f"{channel}_5xx")
        return answer

    def write(self, path: str, payload: dict, kind: str, space_id: int, member_id: int):
        """Send until acknowledged, always with the same client_key; the 201's JSON or None."""
        ledger = self.load.ledger
        key = (self.user.id, payload["client_key"])
        ledger.begin(key)
        delay, attempt = 0.2, 0
        while True:
            if time.monotonic() > self.load.hard_deadline:
                ledger.anomaly(f"{kind} {key} never acknowledged")
                return None
            attempt += 1
            timeout = REQUEST_TIMEOUT
            if attempt == 1 and self.rng.random() < self.load.args.lost_answers:
                timeout = LOST_ANSWER_TIMEOUT
                ledger.count("answers_lost_on_purpose")
            proxy = self.rng.random() < self.load.args.proxy_share
            if attempt > 1:
                ledger.count("resends_after_no_answer")
            answer = self.call("POST", path, kind, proxy=proxy, json=payload, timeout=timeout)
            if answer is not None and answer.status_code == 201:
                body = answer.json()
                direction = "member" if kind == "send" else "space"
                phase = ledger.phase.name
                ack = Ack(body["id"], space_id, member_id, direction, payload["body"], phase)
                ledger.acknowledge(key, ack)
                return body
            if answer is None or answer.status_code >= 500 or answer.status_code == 429:
                wait = delay * (0.5 + self.rng.random())
                if answer is not None and answer.status_code == 429:
                    ledger.count("rate_limited_429")
                    wait = min(float(answer.headers.get("Retry-After", "1")), 5.0)
                time.sleep(wait)
                delay = min(delay * 2, 2.0)
                continue
            ledger.anomaly(f"{kind} {key}: HTTP {answer.status_code} {answer.text[:200]}")
            return None

    def new_key(self) -> str:
        """A fresh client_key, which also makes the body unique."""
        self.sent += 1
        return f"{self.user.login}.{self.load.ledger.phase.name}.{self.sent}.{uuid.uuid4().hex[:8]}"

    def think(self) -> None:
        mean = self.load.args.think * (1.4 if self.admin else 1.0)
        self.load.stop.wait(self.rng.uniform(0.5 * mean, 1.5 * mean))

    def running(self) -> bool:
        return not self.load.stop.is_set() and time.monotonic() < self.load.phase_end

    def summary(self) -> dict | None:
        proxy = self.rng.random() < self.load.args.proxy_share
        headers = {"If-None-Match": self.etag} if self.etag else {}
        answer = self.call("GET", "me/summary", "summary", proxy=proxy, headers=headers)
        if answer is None or answer.status_code not in (200, 304):
            return None
        if answer.status_code == 304:
            self.load.ledger.count("summary_304")
            return None
        self.etag = answer.headers.get("ETag", "")
        return answer.json()

    def resend_sometimes(self, path: str, payload: dict, kind: str, space_id: int, member: int):
        self.acks += 1
        if self.acks % RESEND_EVERY == 0:
            self.load.ledger.count("resends_after_ack")
            self.write(path, payload, kind, space_id, member)

    # members

    def member_loop(self) -> None:
        spaces = self.load.space_ids
        favourites = self.rng.sample(spaces, k=min(4, len(spaces)))
        while self.running():
            roll = self.rng.random()
            if roll < 0.45:
                self.send(favourites)
            elif roll < 0.85:
                self.summary()
            else:
                self.read(favourites)
            self.think()

    def send(self, favourites: list[int]) -> None:
        space = self.rng.choice(favourites if self.rng.random() < 0.9 else self.load.space_ids)
        key = self.new_key()
        payload = {
            "body": f"Question {self.sent} from {self.user.login}: open on Sunday? [{key}]",
            "client_key": key,
        }
        path = f"me/spaces/{space}/messages"
        if self.write(path, payload, "send", space, self.user.id) is not None:
            self.resend_sometimes(path, payload, "send", space, self.user.id)

    def read(self, favourites: list[int]) -> None:
        space = self.rng.choice(favourites)
        page = self.call("GET", f"me/spaces/{space}/messages?limit=20", "messages")
        if page is not None and page.status_code == 200 and page.json().get("unread"):
            self.call("POST", f"me/spaces/{space}/read", "read")

    # admins

    def admin_loop(self) -> None:
        space = self.user.space_id
        while self.running():
            found = self.summary()
            if found is not None:
                mine = [s["unread"] for s in found.get("spaces", []) if s["id"] == space]
                self.last_unread = mine[0] if mine else 0
            if self.last_unread:
                self.answer(space)
            self.think()

    def answer(self, space: int) -> None:
        listing = self.call("GET", f"spaces/{space}/conversations?status=open&limit=20", "list")
        if listing is None or listing.status_code != 200:
            return
        waiting = [c for c in listing.json()["conversations"] if c["unread"]]
        for conversation in self.rng.sample(waiting, k=min(2, len(waiting))):
            if not self.running():
                return
            cid, member = conversation["id"], conversation["member"]["id"]
            base = f"spaces/{space}/conversations/{cid}"
            self.call("GET", f"{base}/messages?limit=10", "messages")
            self.sent += 1
            key = self.new_key()
            payload = {"body": f"Yes, open 10 to 4 on Sundays. [{key}]", "client_key": key}
            if self.write(f"{base}/messages", payload, "reply", space, member) is not None:
                self.resend_sometimes(f"{base}/messages", payload, "reply", space, member)
            if self.rng.random() < 0.7:
                self.call("POST", f"{base}/read", "read")
            if self.rng.random() < 0.05:
                self.call("POST", f"{base}/status", "status", json={"status": "done"})


# -- the run -----------------------------------------------------------------------------


class LoadRun:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.workdir = Path(tempfile.mkdtemp(prefix="space-inbox-load-"))
        self.stack: WholeStack | None = None
        self.site: WordPressSite | None = None
        self.bridge: BridgeServer | None = None
        self.members: list[User] = []
        self.admins: list[User] = []
        self.space_ids: list[int] = []
        self.ledger = Ledger()
        self.stop = threading.Event()
        self.phase_end = 0.0
        self.hard_deadline = 0.0
        self.phases: list[Phase] = []
        self.setup_seconds = 0.0
        self.probe = self.workdir / "probe"

    # setup

    def say(self, text: str) -> None:
        print(text, flush=True)

    def setup(self) -> None:
        began = time.monotonic()
        args = self.args
        self.say(f"setting up in {self.workdir} ...")
        self.stack = WholeStack(
            self.workdir,
            f"si_load_{os.getpid()}",
            PREFIX,
            php_workers=args.php_workers,
            workers=args.bridge_workers,
            RATE_PER_SPACE=args.rate_per_space,
            RATE_OVERALL=args.rate_overall,
        ).start()
        self.site, self.bridge = self.stack.site, self.stack.bridge
        self.job_probe = JobProbe(self.site, self.probe)
        self.say(f"  WordPress {self.site.url}, bridge {self.bridge.url}")

        logins = [f"load.owner{n:02d}" for n in range(args.spaces)]
        logins += [f"load.team{n:02d}" for n in range(args.spaces)]
        logins += [f"load.member{n:03d}" for n in range(args.members)]
        ids = self._create_users(logins)
        self.space_ids = self._create_spaces(ids)
        for n, space_id in enumerate(self.space_ids):
            for login in (f"load.owner{n:02d}", f"load.team{n:02d}"):
                self.admins.append(User(login, ids[login], space_id))
        self.members = [User(login, ids[login]) for login in logins if "member" in login]
        self._check_teams()
        self.say(f"  logging {len(logins)} users in through wp-login.php ...")
        with ThreadPoolExecutor(args.php_workers + 2) as pool:
            list(pool.map(self._login, self.admins + self.members))
        self.setup_seconds = time.monotonic() - began
        self.say(f"  ready in {self.setup_seconds:.0f} s")

    def _create_users(self, logins: list[str]) -> dict[str, int]:
        spec = json.dumps(logins)
        out = self.site.php(
            f"$ids = []; foreach (json_decode({php_str(spec)}, true) as $login) {{"
            f" $id = wp_insert_user(['user_login' => $login, 'user_pass' => {php_str(PASSWORD)},"
            " 'user_email' => $login . '@example.org', 'role' => 'subscriber',"
            " 'display_name' => ucwords(str_replace('.', ' ', $login))]);"
            " if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message()); exit(1); }"
            " $ids[$login] = $id; } echo json_encode($ids);"
        )
        return {login: int(uid) for login, uid in json.loads(out).items()}

    def _create_spaces(self, ids: dict[str, int]) -> list[int]:
        spec = json.dumps(
            [
                [f"Load Space {n:02d}", ids[f"load.owner{n:02d}"], ids[f"load.team{n:02d}"]]
                for n in range(self.args.spaces)
            ]
        )
        out = self.site.php(
            f"$out = []; foreach (json_decode({php_str(spec)}, true) as [$title, $owner, $team]) {{"
            " $id = wp_insert_post(['post_type' => 'wpe_wpspace', 'post_status' => 'publish',"
            " 'post_title' => $title, 'post_author' => $owner]);"
            " add_post_meta($id, '_space_inbox_team', $team); wp_update_post(['ID' => $id]);"
            " $out[] = $id; } echo json_encode($out);"
        )
        return [int(s) for s in json.loads(out)]

    def _check_teams(self) -> None:
        for _attempt in range(3):
            rows = self.site.sql(f"SELECT space_id, COUNT(*) FROM {OWN}space_admins GROUP BY 1")
            teams = {int(s): int(n) for s, n in rows}
            if all(teams.get(s) == 2 for s in self.space_ids):
                return
            self.site.php("do_action('space_inbox_flush_queue');")
        raise RuntimeError(f"the Spaces did not reach the bridge: {teams}")

    def _login(self, user: User) -> None:
        session = self.site.login(user.login, PASSWORD)
        try:
            name, value = self.site.logged_in_cookie(session)
            user.cookie = f"{name}={value}"
            user.nonce = self.site.rest_nonce(session)
        finally:
            session.close()

    # phases

    def run_phase(self, name: str, fault: str | None) -> Phase:
        args = self.args
        phase = Phase(name, fault, args.seconds)
        self.ledger.phase = phase
        self.phases.append(phase)
        self.say(
            f"\nphase {name}: {len(self.members)} members, {len(self.admins)} admins, "
            f"{len(self.space_ids)} Spaces, {args.seconds:.0f} s"
            + (f", bridge killed {args.kills}x" if fault else "")
        )
        clients = [Client(self, u, False) for u in self.members]
        clients += [Client(self, u, True) for u in self.admins]
        phase.log_errors_before = self._logged_errors()
        phase.started = time.monotonic()
        self.phase_end = phase.started + args.seconds
        self.hard_deadline = self.phase_end + args.grace
        threads = [
            threading.Thread(
                target=c.admin_loop if c.admin else c.member_loop, name=c.user.login, daemon=True
            )
            for c in clients
        ]
        for thread in threads:
            thread.start()
        killer = None
        if fault == "kill-bridge":
            killer = threading.Thread(target=self._killer, args=(phase,), daemon=True)
            killer.start()
        last = 0.0
        while any(t.is_alive() for t in threads):
            time.sleep(0.5)
            if time.monotonic() - last >= PROGRESS_EVERY:
                last = time.monotonic()
                self._progress(phase)
        if killer is not None:
            killer.join()
        phase.ended = time.monotonic()
        for client in clients:
            client.close()
        self.say("  load over; waiting for the outbox to drain ...")
        phase.checks = self.verify(phase)
        return phase

    def _killer(self, phase: Phase) -> None:
        kills = self.args.kills
        for n in range(1, kills + 1):
            at = phase.started + self.args.seconds * n / (kills + 1)
            if self.stop.wait(max(0.0, at - time.monotonic())):
                return
            killed = time.monotonic()
            self.bridge.kill()
            self.say(f"  kill -9 of the bridge's process group at {killed - phase.started:.0f} s")
            time.sleep(self.args.down)
            try:
                self.bridge.start()
            except RuntimeError as exc:
                phase.anomalies.append(f"the bridge did not start again: {exc}"[:500])
                phase.counts["anomalies"] += 1
                self.stop.set()
                return
            back = time.monotonic()
            phase.kills.append(
                {"at_s": round(killed - phase.started, 1), "down_s": round(back - killed, 1)}
            )
            self.say(f"  bridge serving again after {back - killed:.1f} s")

    def _progress(self, phase: Phase) -> None:
        with self.ledger.lock:
            counts = Counter(phase.counts)
        elapsed = min(time.monotonic(), self.phase_end) - phase.started
        try:
            pending = self.site.sql(f"SELECT COUNT(*) FROM {OWN}outbox WHERE delivered_at IS NULL")[
                0
            ][0]
        except Exception as exc:  # a progress line must not stop the run
            pending = type(exc).__name__
        self.say(
            f"  [{phase.name} {elapsed:4.0f}/{phase.seconds:.0f} s] requests {counts['requests']}"
            f" ({counts['requests'] / max(elapsed, 1):.0f}/s),"
            f" sent {counts['member_acknowledged']},"
            f" answered {counts['space_acknowledged']}, resent {counts['resends_after_no_answer']}"
            f"+{counts['resends_after_ack']}, 5xx {counts['direct_5xx'] + counts['proxy_5xx']},"
            f" anomalies {counts['anomalies']}, outbox pending {pending}"
        )

    # checks

    def _logged_errors(self) -> int:
        """How many 500s the bridge has logged ("unexpected error") so far."""
        if self.bridge is None or not self.bridge.log.exists():
            return 0
        return self.bridge.log.read_text(errors="replace").count("unexpected error")

    def drain(self, phase: Phase) -> None:
        """Wait until every job is delivered; jobs backing off are made due after a while."""
        began = time.monotonic()
        nudged = 0
        while True:
            pending = self.site.sql(f"SELECT COUNT(*) FROM {OWN}outbox WHERE delivered_at IS NULL")
            if pending[0][0] == 0:
                break
            waited = time.monotonic() - began
            if waited > self.args.drain:
                phase.anomalies.append(f"{pending[0][0]} jobs undelivered after {waited:.0f} s")
                break
            if waited > 20:
                backing_off = (
                    " WHERE delivered_at IS NULL"
                    " AND next_attempt_at > UTC_TIMESTAMP(6) + INTERVAL 1 SECOND"
                )
                nudged += self.site.sql(f"SELECT COUNT(*) FROM {OWN}outbox{backing_off}")[0][0]
                self.site.sql(
                    f"UPDATE {OWN}outbox SET next_attempt_at = UTC_TIMESTAMP(6){backing_off}"
                )
            time.sleep(0.5)
        phase.counts["drain_seconds"] = round(time.monotonic() - began, 1)
        phase.counts["jobs_made_due_while_draining"] = nudged

    def verify(self, phase: Phase) -> dict:
        self.drain(phase)
        sql = self.site.sql
        rows = sql(
            f"SELECT id, conversation_id, direction, author_id, client_key, body FROM {OWN}messages"
        )
        conversations = {
            r[0]: r
            for r in sql(
                f"SELECT id, space_id, member_id, member_unread, space_unread, member_read_id,"
                f" space_read_id, last_message_id FROM {OWN}conversations"
            )
        }
        stored = {(int(r[3]), r[4]): r for r in rows}
        acked = dict(self.ledger.acked)
        lost = [k for k in acked if k not in stored]
        extra = [k for k in stored if k not in acked]
        wrong = []
        for key, ack in acked.items():
            row = stored.get(key)
            if row is None:
                continue
            conv = conversations.get(row[1])
            if (
                row[0] != ack.message_id
                or row[2] != ack.direction
                or row[5] != ack.body
                or conv is None
                or (int(conv[1]), int(conv[2])) != (ack.space_id, ack.member_id)
            ):
                wrong.append(key)
        by_key = sql(
            f"SELECT COUNT(*) FROM (SELECT author_id, client_key FROM {OWN}messages"
            " GROUP BY 1, 2 HAVING COUNT(*) > 1) d"
        )[0][0]
        by_body = sql(
            f"SELECT COUNT(*) FROM (SELECT body FROM {OWN}messages GROUP BY body"
            " HAVING COUNT(*) > 1) d"
        )[0][0]

        # Counters against a recount of the messages.
        per_conv: dict[int, list] = defaultdict(list)
        for r in rows:
            per_conv[int(r[1])].append((int(r[0]), r[2]))
        counters_wrong = 0
        member_truth: Counter = Counter()
        member_convs: Counter = Counter()
        space_truth: Counter = Counter()
        for cid, conv in conversations.items():
            msgs = per_conv.get(cid, [])
            m_unread = sum(1 for mid, d in msgs if d == "space" and mid > conv[5])
            s_unread = sum(1 for mid, d in msgs if d == "member" and mid > conv[6])
            last = max((mid for mid, _ in msgs), default=None)
            if (conv[3], conv[4], conv[7]) != (m_unread, s_unread, last):
                counters_wrong += 1
                if len(phase.anomalies) < 50:
                    phase.anomalies.append(f"conversation {cid}: counters {conv[3:]} vs truth")
            member_truth[int(conv[2])] += m_unread
            member_convs[int(conv[2])] += 1 if m_unread else 0
            space_truth[int(conv[1])] += s_unread
        summaries_wrong = self._check_summaries(member_truth, member_convs, space_truth, phase)

        # Notification jobs: all delivered, each handled by WordPress exactly once.
        jobs = sql(f"SELECT id, kind, delivered_at, attempts FROM {OWN}outbox")
        job_ids = {int(j[0]) for j in jobs}
        kinds = Counter(j[1] for j in jobs)
        handled = self.job_probe.ids("handled")
        received = self.job_probe.ids("received")
        done = {int(r[0]) for r in sql("SELECT job_id FROM {prefix}space_inbox_jobs")}
        member_msgs = sum(1 for r in rows if r[2] == "member")
        replies = len(rows) - member_msgs
        mails = len(self.site.sent_mail())
        checks = {
            "messages_in_database": len(rows),
            "messages_acknowledged": len(acked),
            "lost": len(lost),
            "unacknowledged_in_database": len(extra),
            "stored_differently": len(wrong),
            "duplicate_client_keys": int(by_key),
            "duplicate_bodies": int(by_body),
            "never_acknowledged": len(self.ledger.pending),
            "conversations": len(conversations),
            "conversation_counters_wrong": counters_wrong,
            "summaries_checked": len(self.members) + len(self.admins),
            "summaries_wrong": summaries_wrong,
            "jobs": len(jobs),
            "jobs_by_kind": dict(kinds),
            "jobs_expected_for_messages": 2 * member_msgs + replies,
            "jobs_for_messages": kinds["member_message"] + kinds["space_reply"],
            "jobs_undelivered": sum(1 for j in jobs if j[2] is None),
            "jobs_retried_by_dispatcher": sum(1 for j in jobs if j[3]),
            "jobs_not_done_in_wordpress": len(job_ids - done),
            "jobs_handled_never": len(job_ids - set(handled)),
            "jobs_handled_twice": sum(1 for n in handled.values() if n > 1),
            "jobs_handled_unknown": len(set(handled) - job_ids),
            "jobs_received_more_than_once": sum(1 for n in received.values() if n > 1),
            "bridge_logged_500s": self._logged_errors() - phase.log_errors_before,
            "emails_sent": mails,
            "emails_expected": kinds["member_message"] + kinds["space_reply"],
        }
        for key in lost[:10]:
            phase.anomalies.append(f"lost: acknowledged {key} is not in the database")
        for key in extra[:10]:
            phase.anomalies.append(f"in the database, never acknowledged: {key}")
        return checks

    def _check_summaries(self, member_truth, member_convs, space_truth, phase: Phase) -> int:
        wrong = 0
        with requests.Session() as http:
            http.trust_env = False
            for user in self.members + self.admins:
                answer = http.get(
                    f"{self.bridge.url}/api/v1/me/summary",
                    headers={"Cookie": user.cookie},
                    timeout=REQUEST_TIMEOUT,
                )
                body = answer.json() if answer.status_code == 200 else {}
                expected = (member_truth[user.id], member_convs[user.id])
                got = (body.get("unread"), body.get("conversations_unread"))
                if user.space_id is not None:
                    spaces = {s["id"]: s["unread"] for s in body.get("spaces", [])}
                    expected += (space_truth[user.space_id],)
                    got += (spaces.get(user.space_id),)
                if got != expected:
                    wrong += 1
                    phase.anomalies.append(f"summary of {user.login}: {got} != truth {expected}")
        return wrong

    # teardown

    def close(self) -> None:
        self.stop.set()
        if self.stack is not None:
            self.stack.stop(drop=not self.args.keep)
        if self.args.keep:
            self.say(f"kept {self.workdir} and database si_load_{os.getpid()}")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)


def _reason(exc: requests.RequestException, timeout) -> str:
    """Why a request got no answer, in a few words."""
    text = str(exc)
    if timeout == LOST_ANSWER_TIMEOUT and isinstance(exc, requests.Timeout):
        return "answer lost on purpose (client stopped waiting)"
    if isinstance(exc, requests.Timeout):
        return "timeout"
    if "refused" in text:
        return "connection refused (bridge down)"
    if "RemoteDisconnected" in text or "reset" in text.lower() or "aborted" in text:
        return "connection closed or reset by the server"
    return type(exc).__name__


# -- figures -----------------------------------------------------------------------------


def _percentiles(values: list[float]) -> dict:
    if not values:
        return {}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(1000 * nearest_rank(ordered, q), 1)

    return {
        "n": len(ordered),
        "p50_ms": at(0.50),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "max_ms": round(1000 * ordered[-1], 1),
        "mean_ms": round(1000 * statistics.fmean(ordered), 1),
    }


def phase_figures(phase: Phase) -> dict:
    counts = phase.counts
    elapsed = phase.ended - phase.started
    by_status = dict(sorted(phase.status.items()))
    return {
        "name": phase.name,
        "fault": phase.fault,
        "seconds_of_load": phase.seconds,
        "seconds_until_settled": round(elapsed, 1),
        "requests": counts["requests"],
        "requests_per_second": round(counts["requests"] / phase.seconds, 1),
        "messages_acknowledged": counts["member_acknowledged"],
        "replies_acknowledged": counts["space_acknowledged"],
        "answers_lost_on_purpose": counts["answers_lost_on_purpose"],
        "resends_after_no_answer": counts["resends_after_no_answer"],
        "resends_after_ack": counts["resends_after_ack"],
        "rate_limited_429": counts["rate_limited_429"],
        "summary_304": counts["summary_304"],
        "direct_5xx": counts["direct_5xx"],
        "proxy_5xx": counts["proxy_5xx"],
        "proxy_503_bridge_away": counts["proxy_503_bridge_away"],
        "no_answer": sum(phase.no_answer.values()),
        "no_answer_reasons": dict(phase.no_answer.most_common()),
        "anomalies": counts["anomalies"],
        "kills": phase.kills,
        "drain_seconds": counts["drain_seconds"],
        "jobs_made_due_while_draining": counts["jobs_made_due_while_draining"],
        "by_status": by_status,
        "latency": {kind: _percentiles(v) for kind, v in sorted(phase.latency.items())},
        "checks": phase.checks,
        "anomaly_samples": phase.anomalies[:20],
    }


def passed(figures: dict) -> bool:
    c = figures["checks"]
    return (
        c["lost"] == 0
        and c["unacknowledged_in_database"] == 0
        and c["stored_differently"] == 0
        and c["duplicate_client_keys"] == 0
        and c["duplicate_bodies"] == 0
        and c["never_acknowledged"] == 0
        and c["conversation_counters_wrong"] == 0
        and c["summaries_wrong"] == 0
        and c["jobs_expected_for_messages"] == c["jobs_for_messages"]
        and c["jobs_undelivered"] == 0
        and c["jobs_not_done_in_wordpress"] == 0
        and c["jobs_handled_never"] == 0
        and c["jobs_handled_twice"] == 0
        and c["jobs_handled_unknown"] == 0
        and c["emails_sent"] == c["emails_expected"]
        and c["bridge_logged_500s"] == 0
        and figures["direct_5xx"] == 0
        and figures["proxy_5xx"] == 0
        and figures["anomalies"] == 0
        and figures["messages_acknowledged"] > 0
    )


ROWS = [
    ("load (s)", lambda f: f["seconds_of_load"]),
    ("requests", lambda f: f["requests"]),
    ("requests/s", lambda f: f["requests_per_second"]),
    ("messages acknowledged (201)", lambda f: f["messages_acknowledged"]),
    ("replies acknowledged (201)", lambda f: f["replies_acknowledged"]),
    ("answers lost on purpose", lambda f: f["answers_lost_on_purpose"]),
    ("resent, same key, no answer", lambda f: f["resends_after_no_answer"]),
    ("resent, same key, after 201", lambda f: f["resends_after_ack"]),
    ("requests without answer", lambda f: f["no_answer"]),
    ("bridge kill -9 (down s)", lambda f: ", ".join(str(k["down_s"]) for k in f["kills"]) or "-"),
    ("5xx direct / via proxy", lambda f: f"{f['direct_5xx']} / {f['proxy_5xx']}"),
    ("500s in the bridge's log", lambda f: f["checks"]["bridge_logged_500s"]),
    ("proxy 503 while bridge away", lambda f: f["proxy_503_bridge_away"]),
    ("429 rate limited", lambda f: f["rate_limited_429"]),
    ("send p50 / p95 ms", lambda f: _lat(f, "send")),
    ("summary p50 / p95 ms", lambda f: _lat(f, "summary")),
    ("messages in database (total)", lambda f: f["checks"]["messages_in_database"]),
    ("acknowledged (total)", lambda f: f["checks"]["messages_acknowledged"]),
    ("LOST", lambda f: f["checks"]["lost"]),
    ("in database, unacknowledged", lambda f: f["checks"]["unacknowledged_in_database"]),
    ("DUPLICATED (key / body)", lambda f: _pair(f, "duplicate_client_keys", "duplicate_bodies")),
    (
        "counters wrong (rows / API)",
        lambda f: _pair(f, "conversation_counters_wrong", "summaries_wrong"),
    ),
    ("jobs / undelivered", lambda f: _pair(f, "jobs", "jobs_undelivered")),
    ("jobs handled 0x / 2x", lambda f: _pair(f, "jobs_handled_never", "jobs_handled_twice")),
    ("jobs redelivered (deduped)", lambda f: f["checks"]["jobs_received_more_than_once"]),
    ("e-mails sent / expected", lambda f: _pair(f, "emails_sent", "emails_expected")),
    ("anomalies", lambda f: f["anomalies"]),
    ("verdict", lambda f: "PASS" if f["passed"] else "FAIL"),
]


def _lat(figures: dict, kind: str) -> str:
    found = figures["latency"].get(kind)
    return f"{found['p50_ms']:.0f} / {found['p95_ms']:.0f}" if found else "-"


def _pair(figures: dict, a: str, b: str) -> str:
    return f"{figures['checks'][a]} / {figures['checks'][b]}"


def table(results: dict) -> str:
    phases = results["phases"]
    width = max(len(label) for label, _ in ROWS) + 2
    lines = [
        f"{'':<{width}}" + "".join(f"{p['name']:>16}" for p in phases),
    ]
    for label, get in ROWS:
        lines.append(f"{label:<{width}}" + "".join(f"{get(p)!s:>16}" for p in phases))
    return "\n".join(lines)


def machine() -> dict:
    """What the run ran on, as the benchmark describes it, with the commit and the load."""
    return {
        **report.machine(db_version=report.command_output(["mariadb", "--version"])),
        # Other work on the machine shares the CPUs: the 1-minute load average at the end.
        "load_average_1min": round(os.getloadavg()[0], 2),
        "commit": report.command_output(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
    }


def _interrupt(*_args) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="load per phase (default 60)")
    parser.add_argument("--members", type=int, default=60, help="default 60")
    parser.add_argument("--spaces", type=int, default=20, help="each with two admins")
    parser.add_argument(
        "--fault", choices=["none", "kill-bridge", "both"], default="both",
        help="none: plain load; kill-bridge: kill -9 mid-run; both (default): one of each",
    )  # fmt: skip
    parser.add_argument("--kills", type=int, default=2, help="kill -9s in the kill phase")
    parser.add_argument("--down", type=float, default=1.0, help="seconds the bridge stays dead")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between actions")
    parser.add_argument(
        "--proxy-share", type=float, default=0.05, help="share of calls through the plugin"
    )
    parser.add_argument(
        "--lost-answers", type=float, default=0.03, help="share of writes whose answer is lost"
    )
    parser.add_argument("--bridge-workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--php-workers", type=int, default=4)
    parser.add_argument(
        "--rate-per-space", default="1000/600", help="on, but above what the load sends"
    )
    parser.add_argument("--rate-overall", default="5000/3600")
    parser.add_argument("--grace", type=float, default=60, help="seconds to finish retries")
    parser.add_argument("--drain", type=float, default=180, help="most seconds to drain jobs")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "load-results.json")
    parser.add_argument("--keep", action="store_true", help="keep the site and database")
    args = parser.parse_args(argv)
    if args.members < 1 or args.spaces < 1:
        parser.error("need at least one member and one Space")

    load = LoadRun(args)
    started = datetime.now(UTC)
    load_before = round(os.getloadavg()[0], 2)
    interrupted = False
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        load.setup()
        plan = {"none": [None], "kill-bridge": ["kill-bridge"], "both": [None, "kill-bridge"]}
        for fault in plan[args.fault]:
            load.run_phase(fault or "plain", fault)
    except KeyboardInterrupt:
        interrupted = True
        print("\ninterrupted", flush=True)
    except Exception:
        if load.bridge is not None and load.bridge.log.exists():
            print(f"--- bridge log (tail) ---\n{load.bridge.log.read_text()[-3000:]}")
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
        load.close()
    if interrupted or not load.phases or not all(p.checks for p in load.phases):
        return 2

    phases = [phase_figures(p) for p in load.phases]
    for figures in phases:
        figures["passed"] = passed(figures)
    last = phases[-1]["checks"]
    results = {
        "tool": "tools/load.py",
        "command": " ".join([Path(sys.executable).name, "tools/load.py", *(argv or sys.argv[1:])]),
        "started_at": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {**machine(), "load_average_1min_at_start": load_before},
        "total_seconds": round((datetime.now(UTC) - started).total_seconds()),
        "settings": {
            "members": len(load.members),
            "spaces": len(load.space_ids),
            "admins": len(load.admins),
            "seconds_per_phase": args.seconds,
            "think_seconds_mean": args.think,
            "proxy_share": args.proxy_share,
            "lost_answer_share": args.lost_answers,
            "resend_every_nth_ack": RESEND_EVERY,
            "bridge_workers": args.bridge_workers,
            "bridge_threads_per_worker": 4,
            "php_workers": args.php_workers,
            "rate_per_space": args.rate_per_space,
            "rate_overall": args.rate_overall,
            "kills": args.kills if args.fault != "none" else 0,
            "setup_seconds": round(load.setup_seconds, 1),
        },
        "phases": phases,
        "totals": {
            "messages_acknowledged": last["messages_acknowledged"],
            "messages_in_database": last["messages_in_database"],
            "lost": last["lost"],
            "duplicated": last["duplicate_client_keys"] + last["duplicate_bodies"],
            "http_5xx": sum(p["direct_5xx"] + p["proxy_5xx"] for p in phases),
            "jobs": last["jobs"],
            "jobs_undelivered": last["jobs_undelivered"],
            "jobs_handled_twice": last["jobs_handled_twice"],
            "passed": all(p["passed"] for p in phases),
        },
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    s = results["settings"]
    print(
        f"\nSpace Inbox load test, {results['started_at']}, {s['members']} members,"
        f" {s['admins']} admins, {s['spaces']} Spaces, {results['machine']['nproc']} CPUs\n"
    )
    print(table(results))
    for figures in phases:
        reasons = ", ".join(f"{r}: {n}" for r, n in figures["no_answer_reasons"].items())
        print(f"  {figures['name']}, requests without an answer: {reasons or 'none'}")
        for text in figures["anomaly_samples"]:
            print(f"  {figures['name']}: {text}")
    t = results["totals"]
    print(
        f"\n{t['messages_acknowledged']} messages acknowledged, {t['messages_in_database']} in the"
        f" database: {t['lost']} lost, {t['duplicated']} duplicated, {t['http_5xx']} 5xx,"
        f" {t['jobs']} jobs, {t['jobs_undelivered']} undelivered, {t['jobs_handled_twice']}"
        f" handled twice -> {'PASS' if t['passed'] else 'FAIL'}"
    )
    print(f"written: {args.output}")
    return 0 if t["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
