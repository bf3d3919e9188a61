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

import time

import requests

from bench import sse
from devstack.stack import Server

STREAM = "/api/v1/me/stream"


def measure(
    live: Server,
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
    result: dict = {"connections_wanted": connections}

    async def run() -> None:
        admins = {sid: sse.Stream(STREAM, cookie) for sid, cookie in admin_streams}
        others = [
            sse.Stream(STREAM, member_cookies[i % len(member_cookies)])
            for i in range(max(0, connections - len(admins)))
        ]
        everyone = list(admins.values()) + others
        result.update(await sse.hold(host, port, everyone, live.worker_pids(), progress, "live"))

        session = requests.Session()
        session.trust_env = False
        spaces = list(admins)

        async def send(n: int) -> sse.Sent:
            sid = spaces[n % len(spaces)]
            stream = admins[sid]
            seen, sent_at = len(stream.events), time.time()
            answer = await sse.post_message(session, sender_url, sid, *senders[n % len(senders)])
            if answer.status_code != 201:
                return None
            return (
                sent_at,
                stream,
                seen,
                lambda name, data: name == "team" and data.get("space_id") == sid,
            )

        result.update(await sse.time_events(sends, send))
        result["connections_still_open"] = sum(1 for s in everyone if s.is_open())
        for s in everyone:
            s.close()

    sse.run_client(run)
    return result
