"""The logins of open streams, watched: a session can end without the bridge being told.

The plugin tells the bridge when WordPress ends a session through its hooks (a logout, a
new password, destroyed sessions: ``user.logins_changed``), and the stream ends at once.
Some ends no hook reports: another plugin or a host's tool changing ``session_tokens`` in
the database, a user deleted by hand. So every :attr:`LoginWatch.EVERY` seconds, one
statement per :attr:`LoginWatch.CHUNK` users reads the login fingerprints
(:func:`bridge.auth.login_fingerprint`) of every user with an open stream in this process;
a stream whose user's fingerprint is no longer the one its cookie was verified with is
woken with :data:`LOGIN` and checks its cookie again.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Engine, Select

from bridge.live import Listener

log = logging.getLogger(__name__)

#: What a listener is woken with when its user's login changed in the database.
LOGIN = "login"


class LoginWatch:
    """This process's watch over the logins of its open streams.

    :param engine: where to read the fingerprints.
    :param statement: :func:`bridge.auth.fingerprints_statement` of the site.
    """

    #: Seconds between two reads: a stream ends within about this after its session.
    EVERY = 0.5
    #: Users read by one statement at most.
    CHUNK = 1000

    def __init__(self, engine: Engine, statement: Select) -> None:
        self._engine = engine
        self._statement = statement
        #: The fingerprint each listener's cookie was last verified with (None: woken).
        self._watched: dict[Listener, str | None] = {}
        self._lock = threading.Lock()
        self._started = False

    def watch(self, listener: Listener, fingerprint: str) -> None:
        """Watch a listener's login, verified with this fingerprint (again after a wake)."""
        with self._lock:
            self._watched[listener] = fingerprint
            start, self._started = not self._started, True
        if start:
            threading.Thread(target=self._run, name="space-inbox-logins", daemon=True).start()

    def forget(self, listener: Listener) -> None:
        """Stop watching a listener (its stream ended)."""
        with self._lock:
            self._watched.pop(listener, None)

    def _run(self) -> None:
        while True:
            time.sleep(self.EVERY)
            try:
                self.check()
            except Exception:  # noqa: BLE001 - MariaDB away: the next round tries again
                log.warning("live: could not read the logins of open streams", exc_info=True)

    def check(self) -> None:
        """Read the fingerprints once; wake each listener whose user's has changed."""
        with self._lock:
            watched = {listener: fp for listener, fp in self._watched.items() if fp is not None}
        ids = sorted({listener.user_id for listener in watched})
        current: dict[int, str] = {}
        with self._engine.connect() as connection:
            for start in range(0, len(ids), self.CHUNK):
                rows = connection.execute(self._statement, {"ids": ids[start : start + self.CHUNK]})
                current.update((int(row.ID), row.fingerprint) for row in rows)
        for listener, fingerprint in watched.items():
            if current.get(listener.user_id) == fingerprint:
                continue
            with self._lock:
                if self._watched.get(listener) != fingerprint:
                    continue  # verified again meanwhile, or gone
                self._watched[listener] = None
            listener.wake(LOGIN)
