"""A Space's response figures, from its waiting periods (``response_periods``).

A member's message opens a waiting period when the Space has answered every earlier one
(or it is the conversation's first); the Space's next answer, by any admin, closes it and
its response time is the time it waited less the Space's away time. Automatic answers
close nothing. How long a conversation has been waiting, though, is clock time, away time
included: what the member lived. The README's "Response figures" section is the
definition; this module is its code, and ``tests/test_figures.py`` recounts it
independently.
"""

from __future__ import annotations

import bisect
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bridge.inbox import away, kept_figures
from bridge.inbox.hours import AwayRules
from bridge.storage.db import tables_of

#: The windows reported, in days.
WINDOWS = (7, 30)
#: Answered within this much working time: counted as answered in the response rate.
IN_TIME_MS = 24 * 3600 * 1000
#: Answered periods in 30 days before the figures say how fast a Space typically answers.
ENOUGH = 10
#: The "very responsive" rule: at least this share answered within this time, over 7 days.
VERY_RESPONSIVE_MS = 15 * 60 * 1000
VERY_RESPONSIVE_SHARE = 0.9
#: "Typically replies within …": the first whose bound the median is within.
TYPICALLY = (
    (15 * 60 * 1000, "minutes"),
    (3600 * 1000, "hour"),
    (4 * 3600 * 1000, "hours"),
    (24 * 3600 * 1000, "day"),
)
#: Conversations listed as waiting longest.
WAITING_LISTED = 10


class Period(NamedTuple):
    """A waiting period as the figures see it."""

    #: Microseconds from its opening to the figures' "now".
    age_us: int
    answered_by: int | None
    #: The response time (answered), or the working time waited so far (still waiting).
    ms: int
    answered: bool


def nearest_rank(values: Sequence[int], share: float) -> int | None:
    """The smallest value that at least ``share`` of the (sorted) values are within."""
    if not values:
        return None
    return values[max(math.ceil(share * len(values)), 1) - 1]


def _seconds(ms: int | None) -> float | None:
    return None if ms is None else ms / 1000


def window(periods: Iterable[Period]) -> dict:
    """The figures of a set of periods: counts, response rate, median and p90."""
    periods = list(periods)
    answered = sorted(p.ms for p in periods if p.answered)
    waiting = [p.ms for p in periods if not p.answered]
    pending = sum(1 for ms in waiting if ms <= IN_TIME_MS)
    in_time = sum(1 for ms in answered if ms <= IN_TIME_MS)
    decided = len(periods) - pending
    return {
        "periods": len(periods),
        "answered": len(answered),
        "answered_within_a_day": in_time,
        "waiting": len(waiting),
        "response_rate": in_time / decided if decided else None,
        "median_seconds": _seconds(nearest_rank(answered, 0.5)),
        "p90_seconds": _seconds(nearest_rank(answered, 0.9)),
    }


def load(session: Session, space_id: int, now: datetime) -> tuple[list[Period], AwayRules]:
    """Return the Space's periods opened in the last 30 days, and its away rules.

    The rows come as one JSON array of whole numbers (age in microseconds, author, response
    time), by an index that covers every column read: MariaDB builds it and Python's JSON
    parser reads it several times faster than the driver turns 10,000 rows into objects.
    """
    p = tables_of(session).response_periods
    start = now - timedelta(days=max(WINDOWS))
    rules = away.rules(session, space_id, start, calendar=True)
    age = func.timestampdiff(text("MICROSECOND"), p.c.opened_at, now)
    found = session.execute(
        select(func.json_arrayagg(func.json_array(age, p.c.answered_by, p.c.response_ms))).where(
            p.c.space_id == space_id, p.c.opened_at > start, p.c.opened_at <= now
        )
    ).scalar_one()
    rows = json.loads(found) if found else []
    periods = [Period(age_us, by, ms, True) for age_us, by, ms in rows if ms is not None]
    waiting = [age_us for age_us, _, ms in rows if ms is None]
    if rules.spells or rules.hours_enabled:
        timeline = rules.timeline(start, now)
        periods += [
            Period(a, None, timeline.working_ms(now - timedelta(microseconds=a), now), False)
            for a in waiting
        ]
    else:
        periods += [Period(a, None, a // 1000, False) for a in waiting]
    return periods, rules


def since(periods: list[Period], now: datetime, days: int) -> list[Period]:
    """The periods opened in the last ``days`` days (of those :func:`load` gave for ``now``)."""
    limit = days * 86_400_000_000
    return [p for p in periods if p.age_us < limit]


def typically(periods: list[Period], now: datetime, preset: str | None) -> dict:
    """What members are told: how fast the Space typically answers, and whether it is very
    responsive. From the figures when they are enough, else from the team's preset."""
    month = since(periods, now, 30)
    answered = sorted(p.ms for p in month if p.answered)
    said, source = None, None
    if len(answered) >= ENOUGH:
        median = nearest_rank(answered, 0.5)
        said = next((name for bound, name in TYPICALLY if median <= bound), None)
        source = "figures"
    elif preset is not None:
        said, source = preset, "preset"
    week = [p for p in since(periods, now, 7) if p.answered or p.ms > VERY_RESPONSIVE_MS]
    fast = sum(1 for p in week if p.answered and p.ms <= VERY_RESPONSIVE_MS)
    very = len(answered) >= ENOUGH and bool(week) and fast >= VERY_RESPONSIVE_SHARE * len(week)
    return {"typically": said, "source": source, "very_responsive": very}


def by_day(periods: list[Period], rules: AwayRules, now: datetime) -> list[dict]:
    """The last 30 days in the Space's calendar, oldest first: periods opened each day,
    how many were answered, and the median response time of those."""
    tz = rules.zone
    today = rules.local_date(now)
    days = [today - timedelta(days=back) for back in range(max(WINDOWS) - 1, -1, -1)]
    # Each day's local midnight as an age (microseconds before now), oldest day first.
    midnights = [
        (now - datetime.combine(d, time.min, tz).astimezone(UTC).replace(tzinfo=None))
        // timedelta(microseconds=1)
        for d in days
    ]
    # Ages fall from the oldest day to today: bisect on the negated midnights.
    bounds = [-m for m in midnights]
    found: list[list[Period]] = [[] for _ in days]
    for p in periods:
        i = bisect.bisect_right(bounds, -p.age_us) - 1
        if i >= 0:
            found[i].append(p)
    out = []
    for day, theirs in zip(days, found, strict=True):
        answered = sorted(p.ms for p in theirs if p.answered)
        out.append(
            {
                "date": day.isoformat(),
                "periods": len(theirs),
                "answered": len(answered),
                "median_seconds": _seconds(nearest_rank(answered, 0.5)),
            }
        )
    return out


def by_admin(session: Session, periods: list[Period], now: datetime) -> list[dict]:
    """Each admin's answered periods over 7 and 30 days (the audit: team only)."""
    answered: dict[int, list[Period]] = defaultdict(list)
    for p in periods:
        if p.answered and p.answered_by is not None:
            answered[p.answered_by].append(p)
    u = tables_of(session).users
    names: dict[int, str] = {}
    if answered:
        found = session.execute(select(u.c.ID, u.c.display_name).where(u.c.ID.in_(list(answered))))
        names = {r.ID: r.display_name for r in found}
    out = []
    for admin_id, theirs in answered.items():
        entry = {"id": admin_id, "name": names.get(admin_id)}
        for days in WINDOWS:
            ms = sorted(p.ms for p in since(theirs, now, days))
            entry[f"days_{days}"] = {
                "answered": len(ms),
                "median_seconds": _seconds(nearest_rank(ms, 0.5)),
                "p90_seconds": _seconds(nearest_rank(ms, 0.9)),
            }
        out.append(entry)
    out.sort(key=lambda e: (-e["days_30"]["answered"], e["id"]))
    return out


def kept(session: Session, space_id: int, now: datetime) -> dict:
    """The Space's figures at ``now``, as kept (:mod:`bridge.inbox.kept_figures`) or made
    now and kept: ``timezone``, ``space`` (``days_7``, ``days_30``: :func:`window`),
    ``admins`` (:func:`by_admin`), ``days`` (:func:`by_day`) and ``response_time``
    (:func:`typically`)."""
    found = kept_figures.fresh(session, space_id, now)
    if found is not None:
        return found
    periods, rules = load(session, space_id, now)
    made = {
        "timezone": rules.timezone,
        "space": {f"days_{days}": window(since(periods, now, days)) for days in WINDOWS},
        "admins": by_admin(session, periods, now),
        "days": by_day(periods, rules, now),
        "response_time": typically(periods, now, away.reply_preset(session, space_id)),
    }
    kept_figures.keep(session, space_id, made, now)
    return made


def waiting_longest(session: Session, space_id: int, now: datetime) -> list[dict]:
    """The conversations waiting longest for an answer, with how long in clock time: from
    the member's first unanswered message (``awaiting_since``) to now, away time included,
    as the member waited and as the team's conversation list counts it. (Response times
    leave the away time out; a wait is what the member lives.)"""
    t = tables_of(session)
    c, u = t.conversations, t.users
    rows = session.execute(
        select(c.c.id, c.c.member_id, c.c.awaiting_since, c.c.status, u.c.display_name)
        .outerjoin(u, u.c.ID == c.c.member_id)
        .where(c.c.space_id == space_id, c.c.awaiting_since.is_not(None))
        .order_by(c.c.awaiting_since, c.c.id)
        .limit(WAITING_LISTED)
    ).all()
    return [
        {
            "row": r,
            "waited_seconds": max((now - r.awaiting_since).total_seconds(), 0.0),
        }
        for r in rows
    ]
