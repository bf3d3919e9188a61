"""Open pages' live streams, held by this process once their answer has begun.

A stream's request is answered like any other (the guards, the view, every after-request
hook), but its connection is not left to the server's worker for the stream's life: that
would keep a greenlet, its stack and the request's objects for each open page. Once the
answer's head and first events are written, the connection is handed over to the
process's :class:`Pages` (gunicorn's ``ALREADY_HANDLED``: the worker forgets the request).
An open page is then one small object, its socket and its listener, woken by a change
that concerns its user, by its socket turning readable (its client left) and by the
clock (heartbeat, login recheck, end of life). Each wake is served by a greenlet that
lives as long as it does.

Held only in gunicorn's gevent workers (the view checks): one event loop, so a page is
never served by two greenlets at once.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable

from flask import Flask

log = logging.getLogger(__name__)

#: Where gunicorn puts the request's connection in the WSGI environ.
SOCKET = "gunicorn.socket"
#: Where a view puts the :class:`Page` its answer's connection is handed over to.
HAND_OVER = "space_inbox.page"
#: What a page is woken with when its client's connection turns readable (it has gone).
READABLE = "readable"
#: What a page is woken with by the clock, when its ``due`` time has come.
TICK = "tick"
#: Seconds between two looks of the clock at the pages.
TICK_EVERY = 1.0
#: Seconds a write waits for a page that does not read before the page is ended.
WRITE_WAIT = 10.0
#: What of the request a page keeps, to check its login again as the request did.
KEPT = (
    "REQUEST_METHOD",
    "SCRIPT_NAME",
    "PATH_INFO",
    "SERVER_NAME",
    "SERVER_PORT",
    "SERVER_PROTOCOL",
    "HTTP_HOST",
    "HTTP_COOKIE",
    "REMOTE_ADDR",
    "wsgi.url_scheme",
)


class Page:
    """One open page's stream: its connection, once held, and what wakes it.

    A subclass says what the page is sent (:meth:`answer`) and when the clock must wake it
    next (``due``).
    """

    __slots__ = (
        "pages",
        "environ",
        "chunked",
        "listener",
        "sock",
        "watcher",
        "pending",
        "busy",
        "due",
    )

    def __init__(self, pages: Pages, environ: dict) -> None:
        self.pages = pages
        self.environ = {name: environ[name] for name in KEPT if name in environ}
        #: HTTP/1.1: the body is sent in chunks, and its end said; else it ends with the
        #: connection.
        self.chunked = environ.get("SERVER_PROTOCOL") == "HTTP/1.1"
        #: What ends the page's interest in changes (set by the view).
        self.listener = None
        self.sock: socket.socket | None = None
        self.watcher = None
        #: What woke the page since it was last served.
        self.pending: list = []
        self.busy = False
        self.due = time.time()

    def answer(self, changes: list) -> tuple[str, bool]:
        """What to send for these wakes, and whether the stream ends after it; run with the
        page's request pushed (its Cookie header, the app)."""
        raise NotImplementedError

    def wake(self, why) -> None:
        """Serve the page for *why* (a change, :data:`READABLE`, :data:`TICK`...) soon."""
        self.pending.append(why)
        if self.sock is not None and not self.busy:
            self.busy = True
            self.pages.spawn(self._serve)

    def framed(self, data: bytes) -> bytes:
        """*data* as the body's next bytes (a chunk, over HTTP/1.1)."""
        return b"%x\r\n%s\r\n" % (len(data), data) if self.chunked and data else data

    def hold(self, client: socket.socket, head: bytes, data: bytes) -> None:
        """Write the answer's head and first events to *client*, then keep its connection
        (a duplicate: the server closes its own) until the stream ends."""
        try:
            sock = client.dup()
        except OSError:
            self.end()
            return
        try:
            sock.settimeout(WRITE_WAIT)
            sock.sendall(head + self.framed(data))
        except OSError:
            sock.close()  # the client went before its first events
            self.end()
            return
        self.sock = sock
        self.watcher = self.pages.watch(sock, self)
        self.pages.add(self)
        if self.pending:
            self.wake(TICK)

    def _serve(self) -> None:
        try:
            while self.pending and self.sock is not None:
                changes, self.pending = self.pending, []
                with self.pages.app.request_context(self.environ):
                    text, ends = self.answer(changes)
                data = self.framed(text.encode())
                if ends and self.chunked:
                    data += b"0\r\n\r\n"  # the body's end: the client need not guess
                if data:
                    self.sock.sendall(data)
                if ends:
                    self.end()
        except OSError:
            self.end()  # the client is gone, or reads nothing
        except Exception:  # noqa: BLE001 - a page's failure must end it, not the worker
            log.warning("live: a stream failed and was ended", exc_info=True)
            self.end()
        finally:
            self.busy = False

    def end(self) -> None:
        """End the stream: its listener, its watch and its connection go."""
        if self.listener is not None:
            self.pages.forget(self.listener)
            self.listener = None
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher.close()
            self.watcher = None
        if self.sock is not None:
            self.pages.discard(self)
            try:
                # The connection itself, not this descriptor: the server may still have its
                # own for a moment (it waits to read a next request on it).
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # the client went first
            self.sock.close()
            self.sock = None


def client_left(sock: socket.socket) -> bool:
    """Whether the client closed the connection that turned readable (not bytes sent)."""
    try:
        return not sock.recv(1, socket.MSG_PEEK)
    except OSError:
        return True


class Pages:
    """The open pages this process holds, and the clock that wakes them.

    :param forget: ends a page's listener.
    :param most: how many pages it holds at most (each is an open file).
    """

    def __init__(self, app: Flask, forget: Callable, most: int) -> None:
        self.app = app
        self.forget = forget
        self.most = most
        self._open: set[Page] = set()
        self._clock = None

    def full(self) -> bool:
        """Whether no more pages may be held."""
        return len(self._open) >= self.most

    def add(self, page: Page) -> None:
        self._open.add(page)
        if self._clock is None:
            self._clock = self.spawn(self._tick)

    def discard(self, page: Page) -> None:
        self._open.discard(page)

    @staticmethod
    def spawn(run: Callable) -> object:
        import gevent  # pages are held in gevent's workers only (see the view)

        return gevent.spawn(run)

    @staticmethod
    def watch(sock: socket.socket, page: Page):
        """Wake *page* with :data:`READABLE` when its connection turns readable: a stream's
        client sends nothing more, so it has closed (:func:`client_left` makes sure).

        A watcher of the worker's event loop, not a greenlet per page: a worker holds
        thousands of pages, on descriptors past select()'s 1024. It watches once: bytes a
        client sent would keep the connection readable.
        """
        from gevent import get_hub

        watcher = get_hub().loop.io(sock.fileno(), 1)  # 1: readable

        def readable() -> None:
            watcher.stop()
            page.wake(READABLE)

        watcher.start(readable)
        return watcher

    def _tick(self) -> None:
        import gevent

        while True:
            gevent.sleep(TICK_EVERY)
            now = time.time()
            for page in list(self._open):
                if now >= page.due:
                    page.wake(TICK)


def _head(status: str, headers: list[tuple[str, str]], chunked: bool) -> bytes:
    lines = [f"HTTP/1.1 {status}"]
    lines += [f"{name}: {value}" for name, value in headers if name.lower() != "content-length"]
    # No length: the body comes in chunks, or ends when the connection closes (HTTP/1.0).
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def hand_over(wsgi_app: Callable) -> Callable:
    """Wrap a WSGI app: an answer whose view set :data:`HAND_OVER` and that is a 200 is
    written here and its connection handed over to its page; any other goes on as usual."""

    def app(environ: dict, start_response: Callable):
        head: list = []

        def starting(status: str, headers: list, exc_info=None):
            if environ.get(HAND_OVER) is not None and status.startswith("200"):
                head[:] = [status, headers]
                return _no_write
            return start_response(status, headers, exc_info)

        body = wsgi_app(environ, starting)
        page: Page | None = environ.get(HAND_OVER)
        if page is None:
            return body
        if not head:
            page.end()
            return body
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        page.hold(environ[SOCKET], _head(*head, page.chunked), data)
        from gunicorn.workers.base_async import ALREADY_HANDLED

        return ALREADY_HANDLED

    return app


def _no_write(data: bytes) -> None:
    raise RuntimeError("a held stream is written by its page")
