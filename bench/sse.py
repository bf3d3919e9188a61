"""Many Server-Sent Events streams from one asyncio client, opened, read and timed.

What :mod:`bench.live` (the bridge's own streams) and :mod:`bench.nchan` (nginx's nchan
module) share: the streams are opened as pages open them, with a member's real cookie,
a batch at a time; each is read as it comes and its events are kept with their arrival
times; the servers' memory is read from Linux ``/proc``; the client runs its own event loop
in a thread of its own with the open-file limit raised, since every stream is a socket.
"""

from __future__ import annotations

import asyncio
import json
import resource
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bridge.inbox.figures import nearest_rank

#: Streams opened at once (then the next batch): the pace of pages loading, not a flood.
OPEN_BATCH = 250


def _status_kib(pids: list[int], key: str, name: str) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
                if line.startswith(key):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def rss_kib(pids: list[int]) -> int:
    """The resident memory of these processes, KiB (shared pages counted in each)."""
    return _status_kib(pids, "VmRSS:", "status")


def pss_kib(pids: list[int]) -> int:
    """Their proportional memory, KiB: a page shared by n processes counts 1/n in each."""
    return _status_kib(pids, "Pss:", "smaps_rollup")


@dataclass
class Stream:
    """One open page's stream: the events it got, with their arrival times (``time.time()``)."""

    path: str
    cookie: str
    events: list[tuple[str, dict, float]] = field(default_factory=list)
    writer: asyncio.StreamWriter | None = None
    #: The server ended the stream (or the connection broke) after it was opened.
    ended: bool = False
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def is_open(self) -> bool:
        """Whether the server took the stream (200) and has not ended it."""
        return self.writer is not None and not self.ended and not self.writer.is_closing()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def open_stream(host: str, port: int, stream: Stream) -> bool:
    """Send the stream's request; True once the server answered 200 (then it is read on)."""
    reader, writer = await asyncio.open_connection(host, port)
    # HTTP/1.0: the body comes as it is written, until the server closes, with no chunking.
    writer.write(
        f"GET {stream.path} HTTP/1.0\r\nHost: {host}:{port}\r\nCookie: {stream.cookie}\r\n"
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


async def _read(reader: asyncio.StreamReader, stream: Stream) -> None:
    buffer = b""
    try:
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
                # Comments (": hi") and ids have no event name: only named events are kept.
                fields = dict(
                    line.split(": ", 1) for line in block.decode().split("\n") if ": " in line
                )
                if "event" in fields:
                    stream.events.append((fields["event"], json.loads(fields["data"]), now))
                    stream.arrived.set()
    finally:
        stream.ended = True


async def open_all(
    host: str, port: int, streams: list[Stream], progress: Callable[[str], object], label: str
) -> tuple[int, int]:
    """Open *streams* ``OPEN_BATCH`` at a time; returns (opened, refused or failed)."""
    opened = failed = 0
    for i in range(0, len(streams), OPEN_BATCH):
        batch = streams[i : i + OPEN_BATCH]
        done = await asyncio.gather(
            *(open_stream(host, port, s) for s in batch), return_exceptions=True
        )
        opened += sum(1 for d in done if d is True)
        failed += sum(1 for d in done if d is not True)
        if (i // OPEN_BATCH) % 8 == 0:
            progress(f"{label}: {opened:,} streams open, {failed:,} refused")
    return opened, failed


async def hold(
    host: str,
    port: int,
    streams: list[Stream],
    pids: list[int],
    progress: Callable[[str], object],
    label: str,
) -> dict:
    """Open *streams* on the server whose processes are *pids*, let them settle, and say how
    long opening took, how many are open and were refused, and the processes' memory before
    and after: resident (``rss_mib_*``, ``kib_per_connection``) and proportional
    (``pss_kib_per_connection``: shared pages counted once)."""
    before, before_pss = rss_kib(pids), pss_kib(pids)
    started = time.time()
    opened, failed = await open_all(host, port, streams, progress, label)
    out: dict = {"open_seconds": round(time.time() - started, 1)}
    # A stream's first bytes (the bridge's summary, nchan's comment) come as it opens: let
    # the last ones settle (3 s for thousands of streams, half a second for a few).
    await asyncio.sleep(min(3.0, 0.5 + len(streams) / 4000))
    after, after_pss = rss_kib(pids), pss_kib(pids)
    out["connections_open"] = sum(1 for s in streams if s.is_open())
    out["refused"] = failed
    out["rss_mib_before"] = round(before / 1024, 1)
    out["rss_mib_open"] = round(after / 1024, 1)
    out["kib_per_connection"] = round((after - before) / max(opened, 1), 1)
    out["pss_kib_per_connection"] = round((after_pss - before_pss) / max(opened, 1), 1)
    progress(
        f"{label}: {out['connections_open']:,} streams open, {out['kib_per_connection']} KiB each"
    )
    return out


async def arrival(
    stream: Stream, seen: int, wanted: Callable[[str, dict], bool], deadline: float
) -> float | None:
    """When the first event after the *seen* first ones that is *wanted* arrived, waiting
    until *deadline* (``time.time()``) at most; None if it did not."""
    while time.time() < deadline:
        for name, data, at in stream.events[seen:]:
            if wanted(name, data):
                return at
        seen = len(stream.events)
        stream.arrived.clear()
        try:
            await asyncio.wait_for(stream.arrived.wait(), max(0.0, deadline - time.time()))
        except TimeoutError:
            break
    for name, data, at in stream.events[seen:]:
        if wanted(name, data):
            return at
    return None


#: Seconds an event may take before it counts as missed.
EVENT_WAIT = 5.0

#: What a send returns: when it was sent, the stream to watch, how many events that stream
#: had before, and which event is the one sent; or None when the send was refused.
Sent = tuple[float, Stream, int, Callable[[str, dict], bool]] | None


async def time_events(sends: int, send: Callable[[int], Awaitable[Sent]]) -> dict:
    """Time *sends* events, one at a time: ``send(n)`` sends the n-th; its latency is from
    when it was sent to when the wanted event arrived. Returns ``events`` (how many came),
    ``events_missed`` (refused, or not there within :data:`EVENT_WAIT`) and ``latency_ms``."""
    latencies: list[float] = []
    missed = 0
    for n in range(sends):
        sent = await send(n)
        if sent is None:
            missed += 1
            continue
        sent_at, stream, seen, wanted = sent
        at = await arrival(stream, seen, wanted, sent_at + EVENT_WAIT)
        if at is None:
            missed += 1
        else:
            latencies.append((at - sent_at) * 1000)
        await asyncio.sleep(0.02)
    out: dict = {"events": len(latencies), "events_missed": missed}
    if latencies:
        out["latency_ms"] = latency_summary(latencies)
    return out


async def post_message(session, url: str, space_id: int, cookie: str, nonce: str):
    """A member's message to a Space, sent as the browser sends it (off the event loop)."""
    return await asyncio.to_thread(
        session.post,
        f"{url}/api/v1/me/spaces/{space_id}/messages",
        json={"body": "Open on Sunday?", "client_key": uuid.uuid4().hex},
        headers={"Cookie": cookie, "X-WP-Nonce": nonce},
        timeout=10,
    )


def latency_summary(latencies_ms: list[float]) -> dict:
    """p50 / p95 / p99 / max of these latencies, ms (nearest rank, as the bridge's figures)."""
    ordered = sorted(latencies_ms)
    return {
        "p50": round(nearest_rank(ordered, 0.50), 1),
        "p95": round(nearest_rank(ordered, 0.95), 1),
        "p99": round(nearest_rank(ordered, 0.99), 1),
        "max": round(max(latencies_ms), 1),
    }


def run_client(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run the coroutine *main* makes on an event loop of its own, in a thread of its own
    (the caller may have a loop running), with the open-file limit raised to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    failure: list[BaseException] = []

    def thread_main() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - reported to the caller
            failure.append(exc)

    try:
        thread = threading.Thread(target=thread_main)
        thread.start()
        thread.join()
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    if failure:
        raise failure[0]
