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
streams were opened to when they all are, divided by their number. The client is
:mod:`bench.sse`, which :mod:`bench.nchan` uses too for the same measurement of nginx's
nchan module.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import requests

from bench import sse
from bench.servers import Gunicorn

STREAM = "/api/v1/me/stream"


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
    host, port = "127.0.0.1", live.port
    pids = live.worker_pids()
    before = sse.rss_kib(pids)
    result: dict = {"connections_wanted": connections}

    async def run() -> None:
        admins = {sid: sse.Stream(STREAM, cookie) for sid, cookie in admin_streams}
        others = [
            sse.Stream(STREAM, member_cookies[i % len(member_cookies)])
            for i in range(max(0, connections - len(admins)))
        ]
        everyone = list(admins.values()) + others
        started = time.time()
        opened, failed = await sse.open_all(host, port, everyone, progress, "live")
        result["open_seconds"] = round(time.time() - started, 1)
        # Every stream starts with its summary: wait for them to settle.
        await asyncio.sleep(3.0)
        result["connections_open"] = sum(1 for s in everyone if s.writer and s.events)
        result["refused"] = failed
        after = sse.rss_kib(pids)
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
            arrival = await sse.arrival(
                stream,
                seen,
                lambda name, data, sid=sid: name == "team" and data.get("space_id") == sid,
                sent_at + 5.0,
            )
            if arrival is None:
                missed += 1
            else:
                latencies.append((arrival - sent_at) * 1000)
            await asyncio.sleep(0.02)
        result["events"] = len(latencies)
        result["events_missed"] = missed
        if latencies:
            result["latency_ms"] = sse.latency_summary(latencies)
        result["connections_still_open"] = sum(1 for s in everyone if s.is_open())
        for s in everyone:
            s.close()

    sse.run_client(run)
    return result
