"""Live updates for one page, ``GET /api/v1/me/stream``: Server-Sent Events.

The page opens one stream (``EventSource``); the bridge sends what changed for its user
as :mod:`bridge.background.live` hears it. Each wake re-verifies the cookie with the
header's statement (:func:`bridge.api.guards.header_login`), so a logout, a destroyed
session or a new password ends the stream at once (``event: logout``). Events:

- ``summary``: the badge's counts, the body of ``GET /me/summary``, when they change;
- ``conversation`` ``{"space_id"}``: the user's own conversation with that Space changed;
- ``team`` ``{"space_id", "conversation_id"}``: a conversation in the inbox of a Space the
  user administers changed;
- ``typing`` ``{"space_id", "conversation_id"}``: another admin of the Space started or
  stopped typing an answer in that conversation; to the member, ``typing`` ``{"space_id"}``:
  the Space started or stopped typing an answer to them (never who);
- ``logout``: the login is no longer valid; the stream ends. (A login changed by hand in
  the database, unheard by the plugin, is seen by the hub's watch within a second.)
- ``replaced``: the user opened more streams on this process than ``STREAMS_PER_USER``
  (default 5): the oldest ends with this event, and its page polls instead, so that no user
  holds more than a few of the process's connections. A stream whose client has gone
  gives its connection back at once (:func:`_watch_client`).

Events carry counts and ids, never text or an author: a page reads what changed through
the API, with the full checks. Streams need Redis (the fan-out) and an event-loop worker
(``space-inbox serve --live``): without either the answer is 503 ``live_unavailable`` and
the page polls.
"""

from __future__ import annotations

import json
import queue
import socket
import sys
import time
from collections.abc import Callable, Iterator

from flask import Blueprint, Response, current_app, g, request, stream_with_context

from bridge.api import guards, shapes
from bridge.api.header import inbox_url, summary_body
from bridge.api.openapi import answers, api
from bridge.background.live import REPLACED, Hub, hub
from bridge.inbox.changes import Change
from bridge.inbox.statements import SPACE
from bridge.refusals import NotLoggedIn, Unavailable

bp = Blueprint("stream", __name__, url_prefix="/api/v1/me")

#: Seconds between two comments that keep proxies from closing a quiet stream.
HEARTBEAT = 25.0
#: Seconds at most between two checks of the login when nothing wakes the stream.
RECHECK = 300.0
#: Seconds a stream lasts at most; the browser then reconnects, checked afresh.
LIFETIME = 3600.0
#: Milliseconds the browser waits before it reconnects.
RETRY_MS = 3000
#: Seconds a first stream of a process waits for the subscription to be live.
SUBSCRIBE_WAIT = 2.0
#: What a stream is woken with when its client's connection turns readable (it has gone).
READABLE = "readable"


def _cooperative() -> bool:
    """Whether this process holds idle connections cheaply (gevent's patched sockets)."""
    gevent = sys.modules.get("gevent.monkey")
    return bool(gevent and gevent.is_module_patched("socket"))


def _event(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def _spaces(rows) -> set[int]:
    return {int(r.space_id) for r in rows if r.kind == SPACE}


def available() -> bool:
    """Whether this process serves live streams: the site has Redis, and the worker holds
    idle connections cheaply."""
    return hub() is not None and _cooperative()


@bp.get("/stream")
@api.validate(
    resp=answers(
        401,
        HTTP_200=(None, "An event stream (text/event-stream), until logout or expiry."),
        HTTP_503=(
            shapes.Error,
            "No live updates here (live_unavailable: poll the summary), or the database "
            "cannot be reached.",
        ),
    )
)
def stream():
    """The user's live updates, as Server-Sent Events, until logout or expiry."""
    live = hub()
    if not available() or not live.ready(SUBSCRIBE_WAIT):
        raise Unavailable(
            "live_unavailable",
            "Live updates are not available.",
            "Poll GET /api/v1/me/summary instead.",
        )
    return event_stream(
        stream_with_context(
            _events(
                live,
                g.user,
                g.header_rows,
                current_app.config["STREAMS_PER_USER"],
                request.environ.get("gunicorn.socket"),
            )
        )
    )


def event_stream(events: Iterator[str]) -> Response:
    """A response of Server-Sent Events, sent on as they are written."""
    response = Response(events, mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


def check_events(gap: float) -> Iterator[str]:
    """The stream check's two events, ``open`` then ``done`` *gap* seconds later."""
    yield _event("open", {})
    time.sleep(gap)
    yield _event("done", {})


def _watch_client(client: socket.socket, woken: queue.SimpleQueue) -> Callable[[], None]:
    """Wake the stream with :data:`READABLE` when its client's connection turns readable:
    a client of a stream sends nothing more, so it has closed (:func:`_client_left` makes
    sure), and its place in the worker is freed at once, not at the next heartbeat.

    A watcher of the worker's event loop (gevent's), not a greenlet per stream: a worker
    holds thousands of streams, on descriptors past select()'s 1024.

    :returns: what ends the watch, when the stream ends (the worker may read the
        connection again).
    """
    from gevent import get_hub  # streams are served by gevent's workers only (available())

    watcher = get_hub().loop.io(client.fileno(), 1)  # 1: readable

    def readable() -> None:
        watcher.stop()
        woken.put_nowait(READABLE)  # from the event loop itself: never blocks

    watcher.start(readable)

    def end() -> None:
        watcher.stop()
        watcher.close()

    return end


def _client_left(client: socket.socket) -> bool:
    """Whether the client closed the connection that turned readable (not bytes sent)."""
    try:
        return not client.recv(1, socket.MSG_PEEK)
    except OSError:
        return True


def _events(live: Hub, user, rows, most: int, client: socket.socket | None) -> Iterator[str]:
    woken: queue.SimpleQueue = queue.SimpleQueue()
    unwatch = _watch_client(client, woken) if client is not None else None
    spaces = _spaces(rows)
    listener = live.listen(user.id, spaces, woken.put, most, user.fingerprint)
    url = inbox_url()
    try:
        last = summary_body(rows, url)
        yield f"retry: {RETRY_MS}\n\n" + _event("summary", last)
        now = time.time()
        ends = min(now + LIFETIME, user.expires)
        checked = beat = now
        while True:
            wait = min(beat + HEARTBEAT, checked + RECHECK, ends) - time.time()
            try:
                changes = [woken.get(timeout=max(wait, 0))]
            except queue.Empty:
                changes = []
            while not woken.empty():
                changes.append(woken.get_nowait())
            now = time.time()
            if READABLE in changes:
                if _client_left(client):
                    return  # nobody listens any more
                changes = [c for c in changes if c != READABLE]
            if None in changes:
                # Changes may have been missed: the browser reconnects, or polls.
                return
            if REPLACED in changes:
                yield _event("replaced", {})
                return
            if now >= ends:
                return
            if not changes and now < checked + RECHECK:
                beat = now
                yield ": ping\n\n"
                continue
            try:
                guards.header_login()
            except NotLoggedIn:
                yield _event("logout", {})
                return
            checked = beat = now
            live.verified(listener, g.user.fingerprint)
            rows = g.header_rows
            spaces = _spaces(rows)
            live.update(listener, spaces)
            out = []
            body = summary_body(rows, url)
            if body != last:
                out.append(_event("summary", body))
                last = body
            for change in dict.fromkeys(changes):
                if not isinstance(change, Change):
                    continue  # the login changed: checked above
                if change.typing is not None:
                    if change.space_id in spaces and change.typing != user.id:
                        ids = {
                            "space_id": change.space_id,
                            "conversation_id": change.conversation_id,
                        }
                        out.append(_event("typing", ids))
                    if change.member_id == user.id:  # the Space is typing: never who
                        out.append(_event("typing", {"space_id": change.space_id}))
                    continue
                if change.member_id == user.id and change.space_id:
                    out.append(_event("conversation", {"space_id": change.space_id}))
                if change.space_id in spaces and change.conversation_id:
                    team = {"space_id": change.space_id, "conversation_id": change.conversation_id}
                    out.append(_event("team", team))
            yield "".join(out) or ": ping\n\n"
    finally:
        if unwatch is not None:
            unwatch()
        live.forget(listener)
