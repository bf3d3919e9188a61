"""A browser's ``EventSource`` for the tests: a Server-Sent Events stream of the bridge, read
in a thread, each event kept with the time it arrived."""

from __future__ import annotations

import json
import socket
import threading
import time

import requests

#: How long :meth:`Stream.next` waits by default: the bound on an event after its cause.
WITHIN = 1.0


class Stream:
    """A browser's EventSource, read in a thread: each event is kept with the time it
    arrived, and taken by name in the order it came."""

    def __init__(self, url: str, session: requests.Session) -> None:
        self.pending: list[tuple[str, dict, float]] = []
        #: Every event that arrived, kept.
        self.seen: list[tuple[str, dict, float]] = []
        self.arrived = threading.Condition()
        self.raw: list[str] = []
        self.closed = threading.Event()
        self.response = session.get(f"{url}/api/v1/me/stream", stream=True, timeout=(5, 60))
        self._socket = _socket_of(self.response)
        if self.response.status_code == 200:
            threading.Thread(target=self._read, daemon=True).start()
        else:
            self.closed.set()

    def _read(self) -> None:
        buffer = ""
        try:
            for chunk in self.response.iter_content(chunk_size=None, decode_unicode=True):
                self.raw.append(chunk)
                buffer += chunk
                while "\n\n" in buffer:
                    block, buffer = buffer.split("\n\n", 1)
                    fields = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line)
                    if "event" in fields:
                        with self.arrived:
                            event = (fields["event"], json.loads(fields["data"]), time.time())
                            self.pending.append(event)
                            self.seen.append(event)
                            self.arrived.notify_all()
        except Exception:  # noqa: BLE001 - the test closed the stream under the reader
            pass
        finally:
            self.closed.set()

    def next(self, name: str, timeout: float = WITHIN) -> tuple[dict, float]:
        """Take the first event of that name, waiting ``timeout`` s: (data, arrival time)."""
        ends = time.time() + timeout
        with self.arrived:
            while True:
                for index, (event, data, at) in enumerate(self.pending):
                    if event == name:
                        del self.pending[index]
                        return data, at
                left = ends - time.time()
                if left <= 0:
                    raise AssertionError(f"no {name!r} event within {timeout} s")
                self.arrived.wait(left)

    def until(self, name: str, timeout: float = WITHIN, **data: object) -> list[str]:
        """Take every event up to the first of that name whose data holds *data*, waiting
        ``timeout`` s for it; return the names of those before it.

        A stream hears the changes that concern its user in the order they were published,
        each wake's events after the last's. So to check that a change is *not* heard, make
        a later one that is: once its event arrives, whatever the stream was to hear of the
        first it has heard, and it is among the names returned.
        """
        ends = time.time() + timeout
        with self.arrived:
            while True:
                for index, (event, found, _) in enumerate(self.pending):
                    if event == name and all(found.get(k) == v for k, v in data.items()):
                        before = [e for e, _, _ in self.pending[:index]]
                        del self.pending[: index + 1]
                        return before
                left = ends - time.time()
                if left <= 0:
                    raise AssertionError(f"no {name!r} event {data} within {timeout} s")
                self.arrived.wait(left)

    def close(self) -> None:
        # Shut the socket first: closing the response alone waits for the reader thread,
        # blocked in a read until the next heartbeat (25 s).
        if self._socket is not None:
            try:
                self._socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.response.close()


def _socket_of(response: requests.Response) -> socket.socket | None:
    """The socket an answer is read from: its connection's, or, when the answer closes the
    connection (the connection then lets it go), the one its body is read from."""
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)
    if sock is None:
        body = getattr(getattr(response.raw, "_fp", None), "fp", None)
        sock = getattr(getattr(body, "raw", None), "_sock", None)
    return sock
