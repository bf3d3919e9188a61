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
  gives its connection back at once.

Once its first events are written, a stream's connection is held by the process
(:mod:`bridge.api.pages`), not by a worker's greenlet: an open page costs a few KiB.

Events carry counts and ids, never text or an author: a page reads what changed through
the API, with the full checks. Streams need Redis (the fan-out) and an event-loop worker
(``space-inbox serve --live``): without either the answer is 503 ``live_unavailable`` and
the page polls.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator

from flask import Blueprint, Response, current_app, g, request
from sqlalchemy.exc import DBAPIError

from bridge.api import guards, pages, shapes
from bridge.api.header import inbox_url, summary_body
from bridge.api.openapi import answers, api
from bridge.background.live import REPLACED, hub
from bridge.inbox.changes import Change
from bridge.inbox.statements import SPACE
from bridge.refusals import InboxError, NotLoggedIn, Unavailable

log = logging.getLogger(__name__)

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
    if (
        not available()
        or pages.SOCKET not in request.environ
        or _pages().full()
        or not live.ready(SUBSCRIBE_WAIT)
    ):
        raise Unavailable(
            "live_unavailable",
            "Live updates are not available.",
            "Poll GET /api/v1/me/summary instead.",
        )
    page = EventPage(_pages(), request.environ, g.user, g.header_rows, inbox_url())
    page.listener = live.listen(
        g.user.id,
        _spaces(g.header_rows),
        page.wake,
        current_app.config["STREAMS_PER_USER"],
        g.user.fingerprint,
    )
    request.environ[pages.HAND_OVER] = page
    # A generator, not a sequence: no Content-Length (the stream ends when it closes).
    return event_stream(iter([page.first()]))


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


def _pages() -> pages.Pages:
    """This process's held pages (made with the first stream)."""
    app = current_app._get_current_object()
    found = app.extensions.get("space_inbox_pages")
    if found is None:
        found = app.extensions["space_inbox_pages"] = pages.Pages(
            app, hub().forget, current_app.config["STREAMS_PER_PROCESS"]
        )
    return found


class EventPage(pages.Page):
    """What one open page is sent: its user's counts when they change, and the changes that
    concern them, each wake checking the login again."""

    __slots__ = ("user_id", "last", "url", "checked", "beat", "ends")

    def __init__(self, held: pages.Pages, environ: dict, user, rows, url: str) -> None:
        super().__init__(held, environ)
        now = time.time()
        self.user_id = user.id
        self.url = url
        self.last = summary_body(rows, url)
        self.checked = self.beat = now
        self.ends = min(now + LIFETIME, user.expires)
        self._plan()

    def first(self) -> str:
        """The stream's beginning: how soon to reconnect, and the counts."""
        return f"retry: {RETRY_MS}\n\n" + _event("summary", self.last)

    def _plan(self) -> None:
        self.due = min(self.beat + HEARTBEAT, self.checked + RECHECK, self.ends)

    def answer(self, changes: list) -> tuple[str, bool]:
        now = time.time()
        if pages.READABLE in changes:
            if pages.client_left(self.sock):
                return "", True  # nobody listens any more
        changes = [c for c in changes if c != pages.READABLE and c != pages.TICK]
        if None in changes:
            return "", True  # changes may have been missed: the browser reconnects, or polls
        if REPLACED in changes:
            return _event("replaced", {}), True
        if now >= self.ends:
            return "", True
        if not changes and now < self.checked + RECHECK:
            if now < self.beat + HEARTBEAT:
                return "", False
            self.beat = now
            self._plan()
            return ": ping\n\n", False
        try:
            guards.header_login()
        except NotLoggedIn:
            return _event("logout", {}), True
        except (DBAPIError, InboxError):
            log.info("live: a stream ended: its login could not be checked", exc_info=True)
            return "", True
        self.checked = self.beat = now
        self._plan()
        live = hub()
        live.verified(self.listener, g.user.fingerprint)
        rows = g.header_rows
        spaces = _spaces(rows)
        live.update(self.listener, spaces)
        out = []
        body = summary_body(rows, self.url)
        if body != self.last:
            out.append(_event("summary", body))
            self.last = body
        for change in dict.fromkeys(changes):
            if not isinstance(change, Change):
                continue  # the login changed: checked above
            if change.typing is not None:
                if change.space_id in spaces and change.typing != self.user_id:
                    ids = {"space_id": change.space_id, "conversation_id": change.conversation_id}
                    out.append(_event("typing", ids))
                if change.member_id == self.user_id:  # the Space is typing: never who
                    out.append(_event("typing", {"space_id": change.space_id}))
                continue
            if change.member_id == self.user_id and change.space_id:
                out.append(_event("conversation", {"space_id": change.space_id}))
            if change.space_id in spaces and change.conversation_id:
                team = {"space_id": change.space_id, "conversation_id": change.conversation_id}
                out.append(_event("team", team))
        return "".join(out) or ": ping\n\n", False
