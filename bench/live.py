"""Live streams at scale: how many open pages one box holds, what each costs in memory, and
how soon an event reaches them while they are all connected.

A live bridge (``space-inbox serve --live``: gevent workers, Redis) takes ``connections``
streams (``GET /api/v1/me/stream``), opened by one asyncio client with members' real
cookies (many pages per member, as tabs are), a few hundred per second. The Space admins
of the biggest Spaces hold one stream each among them. Then members send messages to those
Spaces through the *other* bridge (gthread workers), one at a time; each send's latency is
from just before its POST to the ``team`` event on its admin's stream: the commit, the
publication on Redis, the other process's wake, its login check and the write to the
socket, all inside it.

Memory per connection is the growth of the live workers' resident memory from before the
streams were opened to when they all are, divided by their number.
"""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bench.servers import Gunicorn

STREAM = "/api/v1/me/stream"
#: Streams opened at once (then the next batch): the pace of pages loading, not a flood.
OPEN_BATCH = 250


def rss_kib(pids: list[int]) -> int:
    """The resident memory of these processes, KiB."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


@dataclass
class _Stream:
    """One open page's stream: the events it got, with their arrival times."""

    cookie: str
    events: list[tuple[str, dict, float]] = field(default_factory=list)
    writer: asyncio.StreamWriter | None = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)


async def _open(host: str, port: int, stream: _Stream) -> bool:
    reader, writer = await asyncio.open_connection(host, port)
    # HTTP/1.0: the body comes as it is written, until the server closes, with no chunking.
    writer.write(
        f"GET {STREAM} HTTP/1.0\r\nHost: {host}:{port}\r\nCookie: {stream.cookie}\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    if b" 200 " not in head.split(b"\r\n", 1)[0]:
        writer.close()
        return False
    stream.writer = writer
    asyncio.get_running_loop().create_task(_read(reader, stream))
    return True


async def _read(reader: asyncio.StreamReader, stream: _Stream) -> None:
    buffer = b""
    while True:
        try:
            chunk = await reader.read(65536)
        except (ConnectionError, asyncio.CancelledError):
            return
        if not chunk:
            return
        now = time.time()
        buffer += chunk
        while b"\n\n" in buffer:
            block, buffer = buffer.split(b"\n\n", 1)
            fields = dict(
                line.split(": ", 1) for line in block.decode().split("\n") if ": " in line
            )
            if "event" in fields:
                stream.events.append((fields["event"], json.loads(fields["data"]), now))
                stream.arrived.set()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(
    live: Gunicorn,
    sender_url: str,
    admin_streams: list[tuple[int, str]],
    member_cookies: list[str],
    senders: list[tuple[str, str]],
    *,
    connections: int,
    sends: int,
    progress,
) -> dict:
    """Open ``connections`` streams on ``live``, then time ``sends`` events through them.

    :param admin_streams: (Space id, an admin's cookie) for the Spaces messaged.
    :param member_cookies: cookies of the pages that fill the rest.
    :param senders: (cookie, nonce) of members who send.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    host, port = "127.0.0.1", live.port
    pids = live.worker_pids()
    before = rss_kib(pids)
    result: dict = {"connections_wanted": connections}

    async def run() -> None:
        admins = {sid: _Stream(cookie) for sid, cookie in admin_streams}
        others = [
            _Stream(member_cookies[i % len(member_cookies)])
            for i in range(max(0, connections - len(admins)))
        ]
        everyone = list(admins.values()) + others
        opened = failed = 0
        started = time.time()
        for i in range(0, len(everyone), OPEN_BATCH):
            batch = everyone[i : i + OPEN_BATCH]
            done = await asyncio.gather(
                *(_open(host, port, s) for s in batch), return_exceptions=True
            )
            opened += sum(1 for d in done if d is True)
            failed += sum(1 for d in done if d is not True)
            if (i // OPEN_BATCH) % 8 == 0:
                progress(f"live: {opened:,} streams open, {failed:,} refused")
        result["open_seconds"] = round(time.time() - started, 1)
        # Every stream starts with its summary: wait for them to settle.
        await asyncio.sleep(3.0)
        result["connections_open"] = sum(1 for s in everyone if s.writer and s.events)
        result["refused"] = failed
        after = rss_kib(pids)
        result["rss_mib_before"] = round(before / 1024, 1)
        result["rss_mib_open"] = round(after / 1024, 1)
        result["kib_per_connection"] = round((after - before) / max(opened, 1), 1)
        progress(
            f"live: {result['connections_open']:,} streams open, "
            f"{result['kib_per_connection']} KiB each"
        )

        latencies: list[float] = []
        missed = 0
        session = requests.Session()
        session.trust_env = False
        spaces = list(admins)
        for n in range(sends):
            sid = spaces[n % len(spaces)]
            cookie, nonce = senders[n % len(senders)]
            stream = admins[sid]
            seen = len(stream.events)
            stream.arrived.clear()
            sent_at = time.time()
            answer = await asyncio.to_thread(
                session.post,
                f"{sender_url}/api/v1/me/spaces/{sid}/messages",
                json={"body": "Open on Sunday?", "client_key": uuid.uuid4().hex},
                headers={"Cookie": cookie, "X-WP-Nonce": nonce},
                timeout=10,
            )
            if answer.status_code != 201:
                missed += 1
                continue
            deadline = sent_at + 5.0
            arrival = None
            while arrival is None and time.time() < deadline:
                for name, data, at in stream.events[seen:]:
                    if name == "team" and data.get("space_id") == sid:
                        arrival = at
                        break
                else:
                    try:
                        await asyncio.wait_for(stream.arrived.wait(), deadline - time.time())
                    except TimeoutError:
                        break
                    stream.arrived.clear()
            if arrival is None:
                missed += 1
            else:
                latencies.append((arrival - sent_at) * 1000)
            await asyncio.sleep(0.02)
        result["events"] = len(latencies)
        result["events_missed"] = missed
        if latencies:
            result["latency_ms"] = {
                "p50": round(statistics.median(latencies), 1),
                "p95": round(_percentile(latencies, 0.95), 1),
                "p99": round(_percentile(latencies, 0.99), 1),
                "max": round(max(latencies), 1),
            }
        result["connections_still_open"] = sum(
            1 for s in everyone if s.writer and not s.writer.is_closing()
        )
        for s in everyone:
            if s.writer:
                s.writer.close()

    try:
        # The client's own loop in a thread of its own: the caller may have one running.
        failure: list[BaseException] = []

        def main() -> None:
            try:
                asyncio.run(run())
            except BaseException as exc:  # noqa: BLE001 - reported to the caller
                failure.append(exc)

        thread = threading.Thread(target=main)
        thread.start()
        thread.join()
        if failure:
            raise failure[0]
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return result
