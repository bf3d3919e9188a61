"""A read replica: the reads that tolerate a second of lag go there; a user's own reads
after their write, and a Space's after a change of it, go to the primary until the replica
has that write.

MariaDB's global transaction ids (GTIDs) say how far each server is. When a write commits,
the primary's position (``@@gtid_binlog_pos``, which includes the write) is kept in Redis
for its writer and for every user and Space its changes concern
(:func:`bridge.inbox.changes.note`); a read for them goes to the replica only once the
replica's position (``@@gtid_slave_pos``) includes it. From before the commit until then,
the write is *pending* for them: nobody can read it on the primary and then miss it on the
replica, so what a user sees never goes backwards.

A replica further behind the primary than ``REPLICA_MAX_LAG`` seconds, or one that cannot
be read, gets no reads at all, and neither does any read while Redis cannot say what is
pending. A mark outlives that lag (:data:`MARK_SECONDS`), so its expiry cannot let a read
miss a write. Who may see what is decided on the server a read goes to, with the same
checks: a change of a Space's team marks the Space, so its reads stay on the primary until
the replica knows the team as it is.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from bridge.background import channel as channels
from bridge.inbox.changes import NOTES
from bridge.storage.db import get_session

log = logging.getLogger(__name__)

#: Seconds a mark is kept: the replica gets reads only while it is less than
#: ``REPLICA_MAX_LAG`` (at most a tenth of this) behind.
MARK_SECONDS = 60
#: Seconds between two readings of both servers' positions, for the replica's lag.
CHECK_EVERY = 0.25
#: What a write pending since before its commit keeps in ``session.info``.
MARKING = "space_inbox_replica_marks"

#: Keep a Space's or user's newest position, domain by domain (KEYS[1]); ARGV: the
#: mark's seconds, then domain and sequence pairs.
_KEEP_NEWEST = """
for i = 2, #ARGV, 2 do
  local old = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '-1')
  if tonumber(ARGV[i + 1]) > old then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
"""


def position(text: str | None) -> dict[int, int]:
    """A GTID position (``0-1-42,1-2-7``) as each replication domain's sequence number."""
    found: dict[int, int] = {}
    for part in (text or "").split(","):
        if part.strip():
            domain, _server, sequence = part.strip().split("-")
            found[int(domain)] = max(found.get(int(domain), -1), int(sequence))
    return found


def includes(where: dict[int, int], needed: dict[int, int]) -> bool:
    """Whether a server at *where* has applied every transaction up to *needed*."""
    return all(where.get(domain, -1) >= sequence for domain, sequence in needed.items())


class Replica:
    """One process's view of the replica: its sessions, its lag and the marks in Redis.

    :param sessions: sessions on the replica.
    :param primary: an autocommit engine on the primary; ``replica`` likewise on the replica.
    :param max_lag: seconds the replica may be behind and still be read.
    """

    def __init__(
        self,
        sessions: sessionmaker,
        primary: Engine,
        replica: Engine,
        redis_url: str,
        site_key: str,
        max_lag: float,
    ) -> None:
        self.sessions = sessions
        self.primary = primary
        self.replica = replica
        self.max_lag = max_lag
        self._redis = channels.client(redis_url, f"{site_key}:replica")
        self._keep_newest = self._redis.register_script(_KEEP_NEWEST)
        self._prefix = f"{site_key}:replica"
        self._lock = threading.Lock()
        #: The primary's positions as read, oldest first: (monotonic seconds, position).
        self._samples: deque[tuple[float, dict[int, int]]] = deque()
        self._checked = 0.0
        self._healthy = False
        self._replica_at: dict[int, int] = {}

    # -- the servers' positions --------------------------------------------------------

    def _read(self, engine: Engine, sql: str) -> str | None:
        with engine.connect() as connection:
            return connection.exec_driver_sql(sql).scalar()

    def primary_position(self) -> dict[int, int]:
        """The primary's position now: every transaction committed so far."""
        return position(self._read(self.primary, "SELECT @@gtid_binlog_pos"))

    def replica_position(self) -> dict[int, int]:
        """The replica's position now (kept, as it only grows, for the next check)."""
        at = position(self._read(self.replica, "SELECT @@gtid_slave_pos"))
        self._replica_at = at
        return at

    def healthy(self) -> bool:
        """Whether the replica is less than ``max_lag`` behind the primary, read at most
        every :data:`CHECK_EVERY` seconds; False while either cannot be read."""
        now = time.monotonic()
        with self._lock:
            if now - self._checked < CHECK_EVERY:
                return self._healthy
            self._checked = now
            try:
                self._samples.append((now, self.primary_position()))
                at = self.replica_position()
            except Exception:  # noqa: BLE001 - a server out of reach: no reads there
                log.warning("replica: could not read the servers' positions", exc_info=True)
                self._healthy = False
                return False
            # The newest primary position read at least max_lag ago, or the oldest one.
            while len(self._samples) > 1 and self._samples[1][0] <= now - self.max_lag:
                self._samples.popleft()
            due = self._samples[0][1]
            self._healthy = bool(at) and bool(due) and includes(at, due)
            return self._healthy

    # -- marks --------------------------------------------------------------------------

    def _keys(self, users: Iterable[int], spaces: Iterable[int]) -> list[str]:
        return [f"{self._prefix}:u:{int(u)}" for u in set(users)] + [
            f"{self._prefix}:s:{int(s)}" for s in set(spaces)
        ]

    def begin(self, keys: list[str]) -> str:
        """Mark a write pending for *keys* until :meth:`done`; returns its token."""
        token = uuid.uuid4().hex
        pipe = self._redis.pipeline(transaction=False)
        for key in keys:
            pipe.zadd(f"{key}:pending", {token: time.time() + MARK_SECONDS})
            pipe.expire(f"{key}:pending", MARK_SECONDS)
        pipe.execute()
        return token

    def done(self, keys: list[str], token: str, committed: bool) -> None:
        """End a pending write; a committed one leaves the primary's position as its mark."""
        where = self.primary_position() if committed else {}
        pairs = [str(x) for item in where.items() for x in item]
        pipe = self._redis.pipeline(transaction=False)
        for key in keys:
            if pairs:
                self._keep_newest(keys=[key], args=[MARK_SECONDS, *pairs], client=pipe)
            pipe.zrem(f"{key}:pending", token)
        pipe.execute()

    def may_read(self, user_id: int, space_id: int | None = None) -> bool:
        """Whether a read for this user (and Space) may go to the replica now."""
        if not self.healthy():
            return False
        keys = self._keys([user_id], [space_id] if space_id is not None else [])
        pipe = self._redis.pipeline(transaction=False)
        for key in keys:
            pipe.zcount(f"{key}:pending", time.time(), "+inf")
            pipe.hgetall(key)
        try:
            found = pipe.execute()
        except Exception:  # noqa: BLE001 - what is pending is unknown: the primary
            log.warning("replica: could not read the marks", exc_info=True)
            return False
        needed: dict[int, int] = {}
        for pending, mark in zip(found[::2], found[1::2], strict=True):
            if pending:
                return False
            for domain, sequence in mark.items():
                needed[int(domain)] = max(needed.get(int(domain), -1), int(sequence))
        if includes(self._replica_at, needed):
            return True
        try:
            return includes(self.replica_position(), needed)
        except Exception:  # noqa: BLE001
            return False


def read_session(space_id: int | None = None) -> Session:
    """This request's session for a read that tolerates a second of lag: on the replica
    when the site has one and it has every write of the verified user (and of the Space,
    for its team's reads); else on the primary (:func:`bridge.storage.db.get_session`)."""
    replica: Replica | None = current_app.extensions.get("space_inbox_replica")
    if replica is None or not replica.may_read(g.user.id, space_id):
        return get_session()
    if "replica_session" not in g:
        g.replica_session = replica.sessions()
    return g.replica_session


def _close(_exc: BaseException | None) -> None:
    session = g.pop("replica_session", None)
    if session is not None:
        session.close()


def init_app(app: Flask, primary_sessions: sessionmaker, replica: Replica) -> None:
    """Read through *replica* where :func:`read_session` is used, and mark every write of
    *primary_sessions* that notes a change."""
    app.extensions["space_inbox_replica"] = replica
    app.teardown_appcontext(_close)

    @event.listens_for(primary_sessions, "before_commit")
    def _pending(session: Session) -> None:
        changes = session.info.get(NOTES)
        if not changes:
            return
        users = {u for c in changes for u in (c.member_id, *c.users) if u is not None}
        if has_request_context() and g.get("user") is not None:
            users.add(g.user.id)  # the writer's own reads
        spaces = {c.space_id for c in changes if c.space_id is not None}
        keys = replica._keys(users, spaces)
        try:
            session.info[MARKING] = (keys, replica.begin(keys))
        except Exception:  # noqa: BLE001 - Redis down must not fail a write
            log.warning("replica: could not mark a write pending", exc_info=True)

    def _end(session: Session, committed: bool) -> None:
        marking = session.info.pop(MARKING, None)
        if marking is None:
            return
        try:
            replica.done(*marking, committed=committed)
        except Exception:  # noqa: BLE001 - the pending mark expires by itself
            log.warning("replica: could not mark a write done", exc_info=True)

    event.listen(primary_sessions, "after_commit", lambda s: _end(s, True))
    event.listen(primary_sessions, "after_rollback", lambda s: _end(s, False))
