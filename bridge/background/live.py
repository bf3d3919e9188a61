"""Live updates: what a committed write changed, fanned out to every bridge process.

A write notes what it changed on its session (:func:`bridge.inbox.changes.note`, ids
only). When the
transaction commits, the notes are published on one Redis channel; every bridge process
subscribes to it (:class:`Hub`) and wakes the listeners each change concerns: the open
streams of :mod:`bridge.api.stream`. A listener then reads, with the full checks, what its
user may see. Without Redis nothing is published and nothing listens: browsers poll, and
every poll reads MariaDB.

A session can also end without a change being published: the plugin hears every end
WordPress' API makes (``user.logins_changed``), but not a change made by hand in the
database. So every :data:`LOGINS_EVERY` seconds the hub reads, in one statement per
thousand users, the login fingerprints (:func:`bridge.wordpress.auth.login_fingerprint`)
of the users it keeps answers or holds streams for, and drops or wakes those whose login changed.

Nothing here decides what a user sees: a change carries ids, never text or an author.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable

from flask import Flask, current_app
from sqlalchemy import Engine, Select, event
from sqlalchemy.orm import Session, sessionmaker

from bridge.background import channel as channels
from bridge.background.kept_answers import KeptAnswers
from bridge.inbox.changes import NOTES, Change

log = logging.getLogger(__name__)

#: Seconds between two reads of the watched logins' fingerprints.
LOGINS_EVERY = 0.5
#: Users whose fingerprints one statement reads at most.
LOGINS_CHUNK = 1000


#: What a listener is woken with when a newer stream of its user took its place.
REPLACED = "replaced"
#: What a listener is woken with when its user's login changed in the database.
LOGIN = "login"


class Listener:
    """One user's interest in changes: their own conversations and their Spaces' inboxes.

    ``wake`` is called with each change that concerns them, with None when changes may
    have been missed (the subscription was lost): then nothing kept is to be trusted, with
    :data:`REPLACED` when the listener was dropped for a newer one of its user, or with
    :data:`LOGIN` when its user's login fingerprint is no longer ``fingerprint``.
    """

    def __init__(
        self, user_id: int, spaces: Iterable[int], wake: Callable, fingerprint: str | None = None
    ) -> None:
        self.user_id = user_id
        self.spaces = frozenset(spaces)
        self.wake = wake
        #: The login fingerprint its cookie was last verified with; None: not watched.
        self.fingerprint = fingerprint

    def concerned(self, change: Change) -> bool:
        """Whether a change concerns this user."""
        return (
            self.user_id == change.member_id
            or self.user_id in change.users
            or change.space_id in self.spaces
        )


class Hub:
    """This process's end of the channel: it publishes changes and wakes listeners.

    :param redis_url: the Redis that carries the channel.
    :param channel: the channel's name, one per site.
    """

    def __init__(self, redis_url: str, channel: str) -> None:
        self.channel = channel
        self._redis = channels.client(redis_url, channel)
        self._listeners: set[Listener] = set()
        #: A user's listeners, oldest first (a dict as an ordered set).
        self._by_user: dict[int, dict[Listener, None]] = {}
        self._by_space: dict[int, set[Listener]] = {}
        self._lock = threading.Lock()
        self._started = False
        self._stop = threading.Event()
        #: Set while the subscription is live: only then do listeners hear every change.
        self.subscribed = threading.Event()
        self.answers = KeptAnswers()
        #: Reads the login fingerprints of some user ids (None: logins are not watched).
        self.read_logins: Callable[[list[int]], dict[int, str]] | None = None

    # -- publishing -------------------------------------------------------------------

    def publish(self, changes: list[Change]) -> None:
        """Publish committed changes; a failure is logged, never raised (the data is safe)."""
        unique = list(dict.fromkeys(changes))
        payload = json.dumps([c._asdict() for c in unique], separators=(",", ":"))
        try:
            self._redis.publish(self.channel, payload)
        except Exception:  # noqa: BLE001 - Redis down must not fail a committed write
            log.warning("live: could not publish %d change(s)", len(unique), exc_info=True)

    def reachable(self) -> bool:
        """Whether Redis answers a ping now."""
        try:
            return bool(self._redis.ping())
        except Exception:  # noqa: BLE001 - any failure is "no"
            return False

    # -- listening --------------------------------------------------------------------

    def listen(
        self,
        user_id: int,
        spaces: Iterable[int],
        wake: Callable,
        most: int | None = None,
        fingerprint: str | None = None,
    ) -> Listener:
        """Register a listener (and start the subscription if it is not running).

        :param most: how many listeners the user may have here; beyond, the oldest are
            dropped and woken with :data:`REPLACED`.
        :param fingerprint: the login fingerprint its cookie was verified with: watched.
        """
        self.start()
        listener = Listener(user_id, spaces, wake, fingerprint)
        with self._lock:
            own = self._by_user.get(user_id, {})
            dropped = list(own)[: max(len(own) + 1 - most, 0)] if most else []
            for old in dropped:
                self._remove(old)
            self._add(listener)
        for old in dropped:
            old.wake(REPLACED)
        return listener

    def update(self, listener: Listener, spaces: Iterable[int]) -> None:
        """Change the Spaces a listener administers (its team places changed)."""
        spaces = frozenset(spaces)
        if spaces == listener.spaces:
            return
        with self._lock:
            self._remove(listener)
            listener.spaces = spaces
            self._add(listener)

    def verified(self, listener: Listener, fingerprint: str) -> None:
        """Note the login fingerprint a listener's cookie was verified with again."""
        listener.fingerprint = fingerprint

    def forget(self, listener: Listener) -> None:
        """Remove a listener."""
        with self._lock:
            self._remove(listener)

    def _add(self, listener: Listener) -> None:
        self._listeners.add(listener)
        self._by_user.setdefault(listener.user_id, {})[listener] = None
        for space_id in listener.spaces:
            self._by_space.setdefault(space_id, set()).add(listener)

    def _remove(self, listener: Listener) -> None:
        self._listeners.discard(listener)
        own = self._by_user.get(listener.user_id)
        if own is not None:
            own.pop(listener, None)
            if not own:
                del self._by_user[listener.user_id]
        for space_id in listener.spaces:
            found = self._by_space.get(space_id)
            if found is not None:
                found.discard(listener)
                if not found:
                    del self._by_space[space_id]

    def deliver(self, change: Change) -> None:
        """Drop the answers a change concerns, and wake every listener it concerns.

        Typing changes no count: the answers kept stay true.
        """
        if change.typing is None:
            self.answers.heard_change(change)
        with self._lock:
            woken = set(self._by_space.get(change.space_id, ()))
            for user_id in (change.member_id, *change.users):
                woken.update(self._by_user.get(user_id, ()))
        for listener in woken:
            listener.wake(change)

    def check_logins(self) -> None:
        """Read the watched users' login fingerprints once: drop the answers kept for a
        login that changed, and wake its listeners with :data:`LOGIN`."""
        with self._lock:
            listeners = [x for x in self._listeners if x.fingerprint is not None]
        wanted = self.answers.fingerprints()
        for listener in listeners:
            wanted.setdefault(listener.user_id, set()).add(listener.fingerprint)
        ids = sorted(wanted)
        current: dict[int, str | None] = dict.fromkeys(ids)
        for start in range(0, len(ids), LOGINS_CHUNK):
            current.update(self.read_logins(ids[start : start + LOGINS_CHUNK]))
        changed = {
            user_id: current[user_id]
            for user_id, fps in wanted.items()
            if fps != {current[user_id]}
        }
        if not changed:
            return
        self.answers.logins_read(changed)
        for listener in listeners:
            if listener.user_id in changed and listener.fingerprint != changed[listener.user_id]:
                listener.fingerprint = None  # woken once; watched again once verified
                listener.wake(LOGIN)

    def _watch_logins(self) -> None:
        while not self._stop.wait(LOGINS_EVERY):
            try:
                self.check_logins()
            except Exception:  # noqa: BLE001 - MariaDB away: the next round tries again
                log.warning("live: could not read the watched logins", exc_info=True)

    def _lost(self) -> None:
        self.subscribed.clear()
        self.answers.clear()
        with self._lock:
            everyone = list(self._listeners)
        for listener in everyone:
            listener.wake(None)

    # -- the subscription ---------------------------------------------------------------

    def start(self) -> None:
        """Start the subscriber thread, and the logins' watch, once per process."""
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._run, name="space-inbox-live", daemon=True).start()
        if self.read_logins is not None:
            threading.Thread(
                target=self._watch_logins, name="space-inbox-logins", daemon=True
            ).start()

    def ready(self, timeout: float) -> bool:
        """Start the subscription if needed; whether it is live within ``timeout`` s."""
        self.start()
        return self.subscribed.wait(timeout)

    def stop(self) -> None:
        """Stop the subscriber thread (tests)."""
        self._stop.set()

    def _run(self) -> None:
        channels.follow(self._redis, self.channel, self._stop, self._heard, self._lost)

    def _heard(self, message: dict) -> None:
        if message["type"] == "subscribe":
            self.subscribed.set()
        elif message["type"] == "message":
            self._received(message["data"])

    def _received(self, data: bytes) -> None:
        try:
            items = json.loads(data)
            changes = [Change.from_wire(item) for item in items]
        except (ValueError, TypeError, AttributeError):
            log.warning("live: ignored a malformed message on %s", self.channel)
            return
        for change in changes:
            self.deliver(change)


def hub() -> Hub | None:
    """Return this process's hub, or None when the site has no Redis."""
    return current_app.extensions.get("space_inbox_hub")


def kept_answers() -> KeptAnswers | None:
    """Return this process's kept poll answers while they are kept true, else None.

    The subscription starts with the first poll; until it is live, every poll reads MariaDB.
    """
    live = hub()
    if live is None:
        return None
    if not live.subscribed.is_set():
        live.start()
        return None
    return live.answers


def channel_name(settings: dict) -> str:
    """The channel of one site: sites may share a Redis."""
    return f"{settings['SITE_KEY']}:changes"


def watch_logins(app: Flask, engine: Engine, statement: Select) -> None:
    """Let the hub read login fingerprints with a site's
    :func:`bridge.wordpress.auth.fingerprints_statement`, when the site has Redis."""
    live = app.extensions.get("space_inbox_hub")
    if live is None:
        return

    def read(ids: list[int]) -> dict[int, str]:
        with engine.connect() as connection:
            rows = connection.execute(statement, {"ids": ids})
            return {int(row.ID): row.fingerprint for row in rows}

    live.read_logins = read


def init_app(app: Flask, sessions: sessionmaker) -> None:
    """Publish every committed session's changes when the site has Redis."""
    url = app.config.get("REDIS_URL")
    live = Hub(url, channel_name(app.config)) if url else None
    if live is not None:
        app.extensions["space_inbox_hub"] = live

    @event.listens_for(sessions, "after_commit")
    def _publish(session: Session) -> None:
        changes = session.info.pop(NOTES, None)
        if changes and live is not None:
            live.publish(changes)

    @event.listens_for(sessions, "after_rollback")
    def _drop(session: Session) -> None:
        session.info.pop(NOTES, None)
