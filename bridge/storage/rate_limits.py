"""Rate limits on members' messages: per Space and overall, in fixed windows.

The counters live where every bridge process sees them: in the database by default (one
row per key, updated in the sender's transaction, so a refused message counts for
nothing), or in Redis when ``REDIS_URL`` is set.
"""

from __future__ import annotations

import math

from sqlalchemy import case, select
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.orm import Session

from bridge.config import Rule
from bridge.storage.db import tables_of


class DatabaseCounters:
    """Fixed-window counters in ``{prefix}spaceinbox_rate_counters``."""

    def hit(self, session: Session, key: str, rule: Rule, now: float) -> int:
        """Count one hit; return the window's count so far."""
        rc = tables_of(session).rate_counters
        window = int(now // rule.seconds)
        insert = mysql_insert(rc).values(key=key, window_start=window, count=1)
        # MariaDB applies the assignments in order: count is computed from the old window.
        same_window = rc.c.window_start == insert.inserted.window_start
        session.execute(
            insert.on_duplicate_key_update(
                count=case((same_window, rc.c.count + 1), else_=1),
                window_start=insert.inserted.window_start,
            )
        )
        return int(session.execute(select(rc.c.count).where(rc.c.key == key)).scalar_one())


class RedisCounters:
    """Fixed-window counters in Redis, shared by every bridge process that uses it."""

    def __init__(self, url: str, site: str) -> None:
        """:param site: the site's key (``config.site_key``): sites may share a Redis."""
        import redis  # optional: only sites that configure Redis need the package

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._site = site

    def hit(self, session: Session, key: str, rule: Rule, now: float) -> int:
        """Count one hit; return the window's count so far."""
        window = int(now // rule.seconds)
        name = f"{self._site}:rate:{key}:{window}"
        pipe = self._redis.pipeline()
        pipe.incr(name)
        pipe.expire(name, rule.seconds + 1)
        count, _ = pipe.execute()
        return int(count)


class Limiter:
    """The limits on one member's messages; :meth:`check` says how long to wait, if at all."""

    def __init__(self, per_space: Rule | None, overall: Rule | None, counters) -> None:
        self.per_space = per_space
        self.overall = overall
        self.counters = counters

    def check(self, session: Session, member_id: int, space_id: int, now: float) -> int | None:
        """Count a message; return None when allowed, else the seconds to wait."""
        waits = []
        for key, rule in (
            (f"m{member_id}:s{space_id}", self.per_space),
            (f"m{member_id}", self.overall),
        ):
            if rule is not None and self.counters.hit(session, key, rule, now) > rule.count:
                waits.append(max(1, math.ceil((now // rule.seconds + 1) * rule.seconds - now)))
        return max(waits) if waits else None


def from_settings(settings: dict) -> Limiter:
    """Build the limiter the settings describe."""
    counters = (
        RedisCounters(settings["REDIS_URL"], settings["SITE_KEY"])
        if settings.get("REDIS_URL")
        else DatabaseCounters()
    )
    return Limiter(
        Rule.parse(settings["RATE_PER_SPACE"]), Rule.parse(settings["RATE_OVERALL"]), counters
    )
