"""Outbox latency: from a member's send to every admin's notification, written by WordPress.

A member's message is written with one outbox job per admin of the Space, in one
transaction (``bridge/inbox/writes.py``). A dispatcher (a thread in each ``space-inbox
serve`` worker, or ``space-inbox worker``) claims due jobs, POSTs them in batches to the
plugin's ``/space-inbox/v1/notify`` route, and WordPress, per job, first records the job
id in ``{prefix}space_inbox_jobs`` (so that no job is handled twice), then adds the
BuddyPress notification when BuddyPress is active and sends the e-mail
(``wp_plugin/includes/class-space-inbox-notifications.php``).

Here members send ``messages`` messages at a steady rate over ``seconds`` to Spaces with
several admins, through a bridge whose dispatchers are on; each message is timed from its
``201`` (as the member's page sees it) to the moment WordPress' row of its *last* admin's
job exists. That row's ``done_at`` has whole seconds only, so a thread polls the table
every ``poll`` seconds (20 ms) and stamps each row with the start of the first query that
saw it: at most one poll interval late. Beside it, from the bridge's own microsecond
``delivered_at``, the time until the dispatcher had WordPress' answer for the batch (every
job of it handled, e-mail included).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC

import requests

from bench.servers import BenchSite
from bench.sse import latency_summary
from bridge.storage.tables import tables
from devstack.push_service import PushService

#: Seconds between two looks at WordPress' done-jobs table.
POLL = 0.02
#: Seconds to wait, after the last send, for the last notifications.
WAIT = 30.0


def jobs_table(site: BenchSite) -> str:
    """WordPress' table of handled job ids (the plugin's ``space_inbox_jobs``)."""
    return f"{site.table_prefix}space_inbox_jobs"


class Watcher:
    """A thread that notes when each job id above a mark first shows in WordPress' table."""

    def __init__(self, site: BenchSite, after: int, poll: float = POLL) -> None:
        self.site = site
        self.after = after
        self.poll = poll
        self.seen: dict[int, float] = {}
        self.polls = 0
        self.slowest_poll = 0.0
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="outbox-watcher", daemon=True)

    def start(self) -> Watcher:
        self._thread.start()
        return self

    def _run(self) -> None:
        query = f"SELECT job_id FROM `{jobs_table(self.site)}` WHERE job_id > %s"
        try:
            # autocommit: every SELECT reads what is committed when it starts.
            with self.site._connect() as conn, conn.cursor() as cur:
                while not self._stop.is_set():
                    began = time.time()
                    cur.execute(query, [self.after])
                    for (job_id,) in cur.fetchall():
                        self.seen.setdefault(int(job_id), began)
                    self.polls += 1
                    took = time.time() - began
                    self.slowest_poll = max(self.slowest_poll, took)
                    self._stop.wait(max(0.0, self.poll - took))
        except BaseException as exc:  # noqa: BLE001 - reported by stop()
            self._error = exc

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        if self._error is not None:
            raise RuntimeError(f"watching {jobs_table(self.site)} failed") from self._error


def measure(
    site: BenchSite,
    bridge_url: str,
    spaces: list[int],
    senders: list[tuple[str, str]],
    outbox_mark: int,
    *,
    messages: int,
    seconds: float,
    poll: float = POLL,
    wait: float = WAIT,
    progress: Callable[[str], None],
    pushed: PushService | None = None,
    devices: dict[int, int] | None = None,
) -> dict:
    """Send *messages* over *seconds* and time each to its admins' notification rows.

    :param spaces: Space ids to write to, each with several admins.
    :param senders: (cookie, nonce) of members, none of them an admin of those Spaces.
    :param outbox_mark: the highest outbox id before the first send.
    :param pushed: the push service the admins' devices subscribed with, and *devices* how
        many each Space's admins have: each message is also timed to its last push.
    """
    outbox = tables(site.table_prefix).outbox.name
    watcher = Watcher(site, outbox_mark, poll).start()
    answered: dict[int, float] = {}  # message id -> when its 201 arrived
    numbered: dict[int, tuple[float, int]] = {}  # its number -> that time, and its Space
    failed_sends: list[str] = []
    interval = seconds / max(messages, 1)
    with requests.Session() as http:
        http.trust_env = False
        began = time.monotonic()
        for n in range(messages):
            pause = began + n * interval - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            cookie, nonce = senders[n % len(senders)]
            space = spaces[n % len(spaces)]
            try:
                answer = http.post(
                    f"{bridge_url}/api/v1/me/spaces/{space}/messages",
                    json={"body": f"Is this still available? #{n}", "client_key": uuid.uuid4().hex},
                    headers={"Cookie": cookie, "X-WP-Nonce": nonce},
                    timeout=10,
                )
            except requests.RequestException as exc:
                failed_sends.append(f"{exc.__class__.__name__}")
                continue
            at = time.time()
            if answer.status_code != 201:
                failed_sends.append(f"HTTP {answer.status_code}")
                continue
            answered[int(answer.json()["id"])] = at
            numbered[n] = (at, space)
        sent_seconds = time.monotonic() - began

    # Every job of the answered messages (written in their transaction), then their rows.
    def jobs() -> list[tuple]:
        return site.sql(
            f"SELECT id, payload, delivered_at, attempts FROM `{outbox}`"
            " WHERE id > %s AND kind = 'member_message'",  # WordPress' (not the pushes)
            [outbox_mark],
        )

    expected_pushes = sum((devices or {}).get(space, 0) for _, space in numbered.values())
    deadline = time.monotonic() + wait
    written = jobs()
    while time.monotonic() < deadline and (
        any(j[0] not in watcher.seen for j in written)
        or (pushed is not None and len(pushed.received) < expected_pushes)
    ):
        time.sleep(0.1)
    watcher.stop()
    written = jobs()

    by_message: dict[int, list[tuple]] = {}
    for job_id, payload, delivered_at, attempts in written:
        message_id = int(json.loads(payload).get("message_id") or 0)
        by_message.setdefault(message_id, []).append((job_id, delivered_at, attempts))
    latencies, delivered, missed, fanout = [], [], 0, []
    for message_id, at in answered.items():
        mine = by_message.get(message_id, [])
        fanout.append(len(mine))
        if not mine or any(job_id not in watcher.seen for job_id, _, _ in mine):
            missed += 1
            continue
        latencies.append((max(watcher.seen[job_id] for job_id, _, _ in mine) - at) * 1000.0)
        if all(d is not None for _, d, _ in mine):
            last = max(d.replace(tzinfo=UTC).timestamp() for _, d, _ in mine)
            delivered.append((last - at) * 1000.0)
    stamps = {d for _, _, d, _ in written if d is not None}
    push_latencies, not_pushed = [], 0
    if pushed is not None:
        arrived: dict[int, list[float]] = {}
        for got in list(pushed.received):
            arrived.setdefault(int(got.payload["text"].rsplit("#", 1)[1]), []).append(got.at)
        for n, (at, space) in numbered.items():
            times = arrived.get(n, [])
            if len(times) < (devices or {}).get(space, 0) or not times:
                not_pushed += 1
                continue
            push_latencies.append((max(times) - at) * 1000.0)
    result = {
        "messages": messages,
        "seconds": round(sent_seconds, 1),
        # From the first send to the last: messages - 1 intervals.
        "rate_per_s": round((messages - 1) / sent_seconds, 1) if messages > 1 else None,
        "answered": len(answered),
        "count": len(latencies),
        "failures": {
            k: v
            for k, v in (
                ("send", len(failed_sends)),
                ("not_notified", missed),
                ("not_pushed", not_pushed),
            )
            if v
        },
        "failed_sends": sorted(set(failed_sends))[:5],
        "jobs": len(written),
        "jobs_per_message": round(sum(fanout) / len(fanout), 2) if fanout else 0.0,
        # One dispatch marks its whole batch delivered with one timestamp.
        "batches": len(stamps),
        "jobs_per_batch": round(len(written) / len(stamps), 1) if stamps else 0.0,
        "retried_jobs": sum(1 for _, _, _, a in written if a),
        "poll_ms": round(poll * 1000.0, 1),
        "polls": watcher.polls,
        "slowest_poll_ms": round(watcher.slowest_poll * 1000.0, 1),
        "latency_ms": latency_summary(latencies) if latencies else None,
        "delivered_ms": latency_summary(delivered) if delivered else None,
        # From the 201 to the push service's acceptance of the last admin device's push.
        "pushes": len(pushed.received) if pushed is not None else 0,
        "push_ms": latency_summary(push_latencies) if push_latencies else None,
    }
    lat = result["latency_ms"] or {}
    progress(
        f"outbox: {len(latencies)}/{messages} messages notified to every admin, "
        f"p50 {lat.get('p50', '–')} / p95 {lat.get('p95', '–')} / p99 {lat.get('p99', '–')} ms"
        f", {result['jobs_per_batch']} jobs per batch"
        + (
            f"; pushed p95 {(result['push_ms'] or {}).get('p95', '–')} ms"
            if pushed is not None
            else ""
        )
        + (f", FAILURES {result['failures']}" if result["failures"] else "")
    )
    return result
