"""A Space's response figures, from its waiting periods (``response_periods``).

A member's message opens a waiting period when the Space has answered every earlier one
(or it is the conversation's first); the Space's next answer, by any admin, closes it and
its response time is the time it waited less the Space's away time. Automatic answers
close nothing. The README's "Response figures" section is the definition; this module is
its code, and ``tests/test_figures.py`` recounts it independently.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.db import tables_of
from bridge.inbox import away
from bridge.inbox.hours import AwayRules

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


@dataclass(frozen=True)
class Period:
    """A waiting period as the figures see it."""

    opened_at: datetime
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
    """Return the Space's periods opened in the last 30 days, and its away rules."""
    p = tables_of(session).response_periods
    start = now - timedelta(days=max(WINDOWS))
    rules = away.rules(session, space_id, start, calendar=True)
    timeline = rules.timeline(start, now)
    rows = session.execute(
        select(p.c.opened_at, p.c.closed_at, p.c.answered_by, p.c.response_ms).where(
            p.c.space_id == space_id, p.c.opened_at > start, p.c.opened_at <= now
        )
    )
    periods = [
        Period(r.opened_at, r.answered_by, r.response_ms, True)
        if r.closed_at is not None
        else Period(r.opened_at, None, timeline.working_ms(r.opened_at, now), False)
        for r in rows
    ]
    return periods, rules


def since(periods: list[Period], now: datetime, days: int) -> list[Period]:
    start = now - timedelta(days=days)
    return [p for p in periods if p.opened_at > start]


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
    days: dict = defaultdict(list)
    for p in periods:
        days[rules.local_date(p.opened_at)].append(p)
    today = rules.local_date(now)
    out = []
    for back in range(max(WINDOWS) - 1, -1, -1):
        day = today - timedelta(days=back)
        found = days.get(day, [])
        answered = sorted(p.ms for p in found if p.answered)
        out.append(
            {
                "date": day.isoformat(),
                "periods": len(found),
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


def waiting_longest(session: Session, space_id: int, now: datetime) -> list[dict]:
    """The conversations waiting longest for an answer, with how long in working time."""
    t = tables_of(session)
    c, u = t.conversations, t.users
    rows = session.execute(
        select(c.c.id, c.c.member_id, c.c.awaiting_since, c.c.status, u.c.display_name)
        .outerjoin(u, u.c.ID == c.c.member_id)
        .where(c.c.space_id == space_id, c.c.awaiting_since.is_not(None))
        .order_by(c.c.awaiting_since, c.c.id)
        .limit(WAITING_LISTED)
    ).all()
    if not rows:
        return []
    oldest = min(r.awaiting_since for r in rows)
    timeline = away.rules(session, space_id, oldest).timeline(oldest, now)
    return [
        {
            "row": r,
            "waited_seconds": _seconds(timeline.working_ms(r.awaiting_since, now)),
        }
        for r in rows
    ]
