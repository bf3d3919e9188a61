"""When a Space is away: by hand (a spell the team starts and ends) or outside its weekly
opening hours, in its time zone. Away time is left out of the response figures.

Times are naive UTC datetimes, as the database stores them.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from bridge.limits import WEEKDAYS
from bridge.refusals import BadInput

MS = timedelta(milliseconds=1)

#: A fixed offset, as a site without a named time zone has: "UTC+05:30".
OFFSET = re.compile(r"UTC([+-])(0\d|1[0-4]):([0-5]\d)")

Interval = tuple[datetime, datetime]


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def zone(name: str) -> tzinfo:
    """Return the time zone of a name :func:`clean_timezone` accepted (else UTC)."""
    if match := OFFSET.fullmatch(name):
        sign, hours, minutes = match.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes))
        return timezone(-offset if sign == "-" else offset)
    if name in _zone_names():
        return zoneinfo.ZoneInfo(name)
    return UTC


def clean_timezone(value: object) -> str:
    """Return an IANA time zone name ("Europe/Paris") or a fixed offset ("UTC+05:30")."""
    if isinstance(value, str) and (value in _zone_names() or OFFSET.fullmatch(value)):
        return value
    raise BadInput(
        "invalid_timezone",
        'timezone must be a time zone name such as "Europe/Paris", or "UTC+05:30".',
    )


def site_timezone(timezone_string: str | None, gmt_offset: str | None) -> str:
    """Return the time zone of WordPress' ``timezone_string`` / ``gmt_offset`` options."""
    if timezone_string and timezone_string in _zone_names():
        return timezone_string
    try:
        minutes = round(float(gmt_offset or 0) * 60)
    except ValueError:
        minutes = 0
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{min(hours, 14):02d}:{rest:02d}"


def _clock(value: str) -> time | None:
    """Return the time of "HH:MM"; None for "24:00" (the end of the day)."""
    return None if value == "24:00" else time(int(value[:2]), int(value[3:]))


def clean_hours(value: dict[str, list[dict[str, str]]]) -> dict[str, list[dict[str, str]]]:
    """Return weekly opening hours, typed as :data:`bridge.api.team_shapes.Hours` (weekday to up to
    three ``{"opens": "HH:MM", "closes": "HH:MM"}``), in weekday order, once each opening
    is checked to open before it closes and after the day's previous one closed. A day
    left out or empty is closed all day."""
    for day, openings in value.items():
        previous_end = time.min
        for i, opening in enumerate(openings):
            opens, closes = _clock(opening["opens"]), _clock(opening["closes"])
            if opens is None or (closes is not None and closes <= opens) or opens < previous_end:
                raise BadInput(
                    "invalid_hours",
                    f"hours.{day}[{i}] must open before it closes, after the day's previous"
                    " opening.",
                )
            previous_end = closes or time.max
    return {day: value[day] for day in WEEKDAYS if value.get(day)}


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        elif start < end:
            merged.append((start, end))
    return merged


def _utc(local: datetime) -> datetime:
    return local.astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class AwayRules:
    """Everything that makes a Space away: its hand-set spells and its opening hours."""

    #: (started_at, ended_at or None while away now), in any order.
    spells: Sequence[tuple[datetime, datetime | None]] = ()
    hours_enabled: bool = False
    hours: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    timezone: str = "UTC"

    @classmethod
    def of(cls, settings, spells) -> AwayRules:
        """Build the rules from a ``space_settings`` row (or None) and ``away_spells`` rows."""
        spans = [(s.started_at, s.ended_at) for s in spells]
        if settings is None:
            return cls(spans)
        return cls(
            spans, bool(settings.hours_enabled), json.loads(settings.hours), settings.timezone
        )

    @property
    def zone(self) -> tzinfo:
        return zone(self.timezone)

    def local_date(self, when: datetime) -> date:
        """The Space's calendar day at a UTC time."""
        return when.replace(tzinfo=UTC).astimezone(self.zone).date()

    def _open(self, start: datetime, end: datetime) -> list[Interval]:
        """The opening hours that meet [start, end), in UTC."""
        tz = self.zone
        day = self.local_date(start) - timedelta(days=1)
        last = self.local_date(end) + timedelta(days=1)
        found: list[Interval] = []
        while day <= last:
            for opening in self.hours.get(WEEKDAYS[day.weekday()], ()):
                o = datetime.combine(day, time.fromisoformat(opening["opens"]), tz)
                if opening["closes"] == "24:00":
                    c = datetime.combine(day + timedelta(days=1), time.min, tz)
                else:
                    c = datetime.combine(day, time.fromisoformat(opening["closes"]), tz)
                found.append((_utc(o), _utc(c)))
            day += timedelta(days=1)
        return _merge(found)

    def away_intervals(self, start: datetime, end: datetime) -> list[Interval]:
        """The away time within [start, end), merged and in order."""
        if end <= start:
            return []
        spans = [(max(s, start), min(e or end, end)) for s, e in self.spells]
        if self.hours_enabled:
            cursor = start
            for o, c in self._open(start, end):
                if o > cursor:
                    spans.append((cursor, min(o, end)))
                cursor = max(cursor, c)
                if cursor >= end:
                    break
            if cursor < end:
                spans.append((cursor, end))
        return _merge((s, e) for s, e in spans if s < e)

    def working_ms(self, start: datetime, end: datetime) -> int:
        """Milliseconds from start to end, less the away time between them."""
        return self.timeline(start, end).working_ms(start, end)

    def timeline(self, start: datetime, end: datetime) -> Timeline:
        """The away time within [start, end), to measure many spans within it."""
        return Timeline(self.away_intervals(start, end))

    def closed_until(self, when: datetime) -> datetime | None:
        """When the Space next opens, by its opening hours alone, if it is closed at *when*;
        None while open, without opening hours, or with none in the coming week."""
        if not self.hours_enabled:
            return None
        for opens, closes in self._open(when, when + timedelta(days=8)):
            if closes > when:
                return opens if opens > when else None
        return None

    def away_at(self, when: datetime) -> bool:
        """Whether the Space is away at a moment."""
        return bool(self.away_intervals(when, when + timedelta(microseconds=1)))


class Timeline:
    """Away intervals, with the away time before each, for spans measured by bisection."""

    def __init__(self, intervals: list[Interval]) -> None:
        self._starts = [s for s, _ in intervals]
        self._intervals = intervals
        self._before: list[timedelta] = []
        total = timedelta()
        for s, e in intervals:
            self._before.append(total)
            total += e - s

    def _away_until(self, when: datetime) -> timedelta:
        i = bisect.bisect_right(self._starts, when) - 1
        if i < 0:
            return timedelta()
        s, e = self._intervals[i]
        return self._before[i] + min(when, e) - s

    def working_ms(self, start: datetime, end: datetime) -> int:
        """Milliseconds from start to end less the away time between them (0 if end <= start)."""
        if end <= start:
            return 0
        away = self._away_until(end) - self._away_until(start)
        return (end - start - away) // MS
