"""The header poll's verified answers, kept in memory by Cookie header while they are true.

A process keeps them only while its hub (:mod:`bridge.background.live`) hears every change: a change
that concerns a user or one of their Spaces drops their answers, and so does a change of
their login seen by the hub's watch; everything goes when the subscription is lost.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, NamedTuple

from bridge.inbox.changes import Change


class Kept(NamedTuple):
    """A poll's verified answer, kept by :class:`KeptAnswers`."""

    user: Any
    rows: list
    spaces: frozenset[int]
    #: Until when it may be given (time.time()): the login's end, or the kept answer's age.
    until: float
    #: What the view built from it, once: (inbox URL, body, ETag).
    response: list


class Flight:
    """One read of the header's statement for a Cookie header, begun when the answers had
    heard ``heard`` changes; those who need the same read meanwhile wait for it."""

    def __init__(self, heard: int) -> None:
        self.heard = heard
        self.done = threading.Event()
        #: (user, rows) once verified; None while reading, or when the login was refused.
        self.result: tuple[Any, list] | None = None


class KeptAnswers:
    """The header poll's verified answers, by Cookie header, kept true by the changes.

    An answer is dropped when a change concerns its user or one of their Spaces (a message,
    a read, a team change, a logout), when the login it proved ends, after :data:`MAX_AGE`
    seconds (a publication that failed is not missed for longer), and all at once whenever
    the subscription is lost. An answer read while a change arrived is not kept: it may
    predate it.
    """

    #: Seconds an answer is kept at most.
    MAX_AGE = 60.0
    #: Answers kept at most, the least recently used dropped first.
    SIZE = 20000
    #: A longer Cookie header is not kept as a key.
    KEY_MAX = 4096

    def __init__(self) -> None:
        self._answers: OrderedDict[str, Kept] = OrderedDict()
        self._by_user: dict[int, set[str]] = {}
        self._by_space: dict[int, set[str]] = {}
        self._lock = threading.Lock()
        #: Counts the changes heard: an answer read across a change is not kept.
        self.heard = 0
        #: The reads under way, by Cookie header.
        self._flights: dict[str, Flight] = {}

    def get(self, key: str | None, now: float) -> Kept | None:
        """Return the answer kept for a Cookie header, while it may be given."""
        if not key:
            return None
        with self._lock:
            kept = self._answers.get(key)
            if kept is None:
                return None
            if kept.until < now:
                self._drop(key)
                return None
            self._answers.move_to_end(key)
            return kept

    def keep(self, key: str | None, user, rows: list, spaces, heard: int, now: float) -> None:
        """Keep a verified answer read when :attr:`heard` was ``heard``."""
        if not key or len(key) > self.KEY_MAX:
            return
        until = min(float(user.expires), now + self.MAX_AGE)
        kept = Kept(user, rows, frozenset(spaces), until, [])
        with self._lock:
            if heard != self.heard:
                return
            self._drop(key)
            while len(self._answers) >= self.SIZE:
                self._drop(next(iter(self._answers)))
            self._answers[key] = kept
            self._by_user.setdefault(user.id, set()).add(key)
            for space_id in kept.spaces:
                self._by_space.setdefault(space_id, set()).add(key)

    def board(self, key: str | None, heard: int) -> tuple[Flight, bool]:
        """The read of a Cookie header's answer for a caller who found none kept when
        :attr:`heard` was ``heard``: one under way that began with no change heard since,
        to wait for (False), or a new one for the caller to make and :meth:`land` (True).
        The streams of a page's user, woken together by one change, read once."""
        with self._lock:
            flight = self._flights.get(key) if key else None
            if flight is not None and flight.heard >= heard:
                return flight, False
            flight = Flight(heard)
            if key:
                self._flights[key] = flight
            return flight, True

    def land(self, key: str | None, flight: Flight, result: tuple[Any, list] | None) -> None:
        """End a read begun with :meth:`board`: its result to those who wait."""
        flight.result = result
        with self._lock:
            if key and self._flights.get(key) is flight:
                del self._flights[key]
        flight.done.set()

    def fingerprints(self) -> dict[int, set[str]]:
        """The login fingerprints the kept answers were verified with, by user."""
        with self._lock:
            return {
                user_id: {self._answers[key].user.fingerprint for key in keys}
                for user_id, keys in self._by_user.items()
            }

    def logins_read(self, current: dict[int, str | None]) -> None:
        """Drop the answers of each user whose login fingerprint is no longer the one they
        were verified with (None: no such user any more)."""
        with self._lock:
            self.heard += 1
            for user_id, fingerprint in current.items():
                for key in list(self._by_user.get(user_id, ())):
                    if self._answers[key].user.fingerprint != fingerprint:
                        self._drop(key)

    def heard_change(self, change: Change) -> None:
        """Drop every answer a change concerns."""
        with self._lock:
            self.heard += 1
            keys = set(self._by_space.get(change.space_id, ()))
            for user_id in (change.member_id, *change.users):
                keys.update(self._by_user.get(user_id, ()))
            for key in keys:
                self._drop(key)

    def clear(self) -> None:
        """Drop everything (the subscription was lost: changes may have been missed)."""
        with self._lock:
            self.heard += 1
            self._answers.clear()
            self._by_user.clear()
            self._by_space.clear()

    def __len__(self) -> int:
        return len(self._answers)

    def _drop(self, key: str) -> None:
        kept = self._answers.pop(key, None)
        if kept is None:
            return
        for index, id_ in [(self._by_user, kept.user.id)] + [
            (self._by_space, s) for s in kept.spaces
        ]:
            found = index.get(id_)
            if found is not None:
                found.discard(key)
                if not found:
                    del index[id_]
