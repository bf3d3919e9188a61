"""The response figures against an independent recount.

Histories are generated (seeded): members write, several admins answer (some in the same
second as another answer or as the member), conversations are set done and reopened, the
Space is away by hand and outside weekly opening hours, in a time zone with a daylight
saving change inside the window. They are written through the inbox rules with their own
clocks; the figures the bridge computes are then compared with a recount that shares no
code with it: periods rebuilt from the event list, away time counted minute by minute
(every time in a history is a whole minute, so counting minutes is exact).
"""

from __future__ import annotations

import json
import math
import random
import uuid
from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import delete, insert, select, text

from bridge.api import team_shapes
from bridge.inbox import access, figures, writes
from bridge.inbox.hours import AwayRules, clean_hours, site_timezone
from bridge.refusals import BadInput
from bridge.storage import migrate
from bridge.storage.tables import tables
from devstack.callers import PREFIX, SPACE, upsert_space

T = tables(PREFIX)
#: The clock of the figures: a week after Europe's and America's spring changes.
NOW = datetime(2026, 4, 3, 12, 0)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ZONES = ("Europe/Paris", "America/New_York", "UTC+05:30")
MINUTE = timedelta(minutes=1)


# -- generating a history ------------------------------------------------------------------


def _history(seed: int) -> dict:
    """A Space's settings, away spells and events, all on whole minutes, oldest first."""
    rnd = random.Random(seed)
    start = NOW - timedelta(days=40)

    def minute_between(a: datetime, b: datetime) -> datetime:
        return a + MINUTE * rnd.randrange(int((b - a) / MINUTE))

    # Opening hours on whole hours from 06:00: no opening falls in a daylight saving gap.
    hours = {}
    for day in DAYS:
        if rnd.random() < 0.8:
            opens = rnd.randrange(6, 12)
            closes = rnd.randrange(opens + 1, 25)
            openings = [{"opens": f"{opens:02d}:00", "closes": f"{closes:02d}:00"}]
            if closes <= 20 and rnd.random() < 0.4:
                openings.append({"opens": f"{closes + 1:02d}:00", "closes": "24:00"})
            hours[day] = openings
    spells = []
    for _ in range(rnd.randrange(0, 4)):
        began = minute_between(start, NOW)
        spells.append((began, began + MINUTE * rnd.randrange(30, 3 * 24 * 60)))
    if rnd.random() < 0.5:  # away now, by hand
        spells.append((NOW - MINUTE * rnd.randrange(10, 2000), None))
    events = []
    admins = ("admin", "admin2", "site_admin")
    for member in range(rnd.randrange(6, 12)):
        when = minute_between(start, NOW - timedelta(days=rnd.randrange(0, 20)))
        for _ in range(rnd.randrange(1, 12)):
            kind = rnd.choice(("member", "member", "answer", "answer", "done"))
            who = rnd.choice(admins) if kind != "member" else None
            events.append((when, kind, member, who))
            if kind == "answer" and rnd.random() < 0.3:  # a second admin, the same second
                events.append((when, "answer", member, rnd.choice(admins)))
            when += MINUTE * rnd.choice((0, 1, 3, 14, 15, 16, 59, 61, 200, 1500, 2000))
            if when >= NOW:
                break
    events.sort(key=lambda e: e[0])
    return {
        "timezone": rnd.choice(ZONES),
        "hours_enabled": rnd.random() < 0.6,
        "hours": hours,
        "spells": spells,
        "events": [e for e in events if e[0] < NOW],
    }


def _write(app, world, history: dict) -> dict[int, int]:
    """Write a history through the inbox rules; return the conversation id of each member."""
    admins = {k: world[k].user_id for k in ("admin", "admin2", "site_admin")}
    session = app.extensions["space_inbox_db"]()
    conversations: dict[int, int] = {}
    try:
        with session.begin():
            session.execute(
                insert(T.space_settings).values(
                    space_id=SPACE,
                    hours_enabled=history["hours_enabled"],
                    hours=json.dumps(history["hours"]),
                    timezone=history["timezone"],
                    away_message="We are away.",
                    updated_at=NOW,
                )
            )
            for began, ended in history["spells"]:
                session.execute(
                    insert(T.away_spells).values(space_id=SPACE, started_at=began, ended_at=ended)
                )
        for when, kind, member, who in history["events"]:
            member_id = 900000 + member
            with session.begin():
                if kind == "member":
                    space = access.sending_space_or_404(session, SPACE, member_id)
                    message, _ = writes.send_to_space(
                        session, space, member_id, "Open on Sunday?", uuid.uuid4().hex, when
                    )
                    conversations[member] = message.conversation_id
                elif member in conversations and kind == "answer":
                    space = access.get_space(session, SPACE)
                    writes.reply_as_space(
                        session,
                        space,
                        conversations[member],
                        admins[who],
                        "Yes, from noon.",
                        uuid.uuid4().hex,
                        when,
                    )
                elif member in conversations:
                    writes.set_status(session, SPACE, conversations[member], "done", admins[who])
    finally:
        session.close()
    return conversations


# -- the recount ---------------------------------------------------------------------------


def _zone(history: dict):
    if "/" in history["timezone"]:
        return ZoneInfo(history["timezone"])
    return timezone(timedelta(hours=5, minutes=30))  # the one fixed offset generated


def _away_minutes(history: dict, start: datetime, end: datetime) -> list[int]:
    """For each minute from start: 1 when the Space is away during it, counted directly."""
    zone = _zone(history)
    flags = []
    minute = start
    while minute < end:
        away = any(b <= minute and (e is None or minute < e) for b, e in history["spells"])
        if history["hours_enabled"] and not away:
            local = minute.replace(tzinfo=UTC).astimezone(zone)
            clock = local.time().replace(tzinfo=None)
            openings = history["hours"].get(DAYS[local.weekday()], [])
            away = not any(
                time.fromisoformat(o["opens"]) <= clock
                and (o["closes"] == "24:00" or clock < time.fromisoformat(o["closes"]))
                for o in openings
            )
        flags.append(1 if away else 0)
        minute += MINUTE
    return flags


def _recount(history: dict) -> list[dict]:
    """The waiting periods of a history, by the README's definition."""
    start = NOW - timedelta(days=41)
    flags = _away_minutes(history, start, NOW)

    def working_ms(a: datetime, b: datetime) -> int:
        i, j = int((a - start) / MINUTE), int((b - start) / MINUTE)
        return ((j - i) - sum(flags[i:j])) * 60_000

    periods: list[dict] = []
    open_of: dict[int, dict] = {}
    started: set[int] = set()
    for when, kind, member, who in history["events"]:
        if kind == "member":
            started.add(member)
            if member not in open_of:
                open_of[member] = {"opened": when, "by": None, "ms": None}
                periods.append(open_of[member])
        elif kind == "answer" and member in open_of:
            period = open_of.pop(member)
            period.update(by=who, ms=working_ms(period["opened"], when))
    for member, period in open_of.items():
        period["waited"] = working_ms(period["opened"], NOW)
        # How long the member has been waiting: clock time, away time included.
        period["waiting_for"] = member
        period["clock_seconds"] = (NOW - period["opened"]) / timedelta(seconds=1)
    return periods


def _waiting_longest(periods: list[dict], conversations: dict[int, int]) -> list[tuple]:
    """The ten conversations whose open period is oldest, and the clock time each waited."""
    waiting = sorted(
        (p["opened"], conversations[p["waiting_for"]], p["clock_seconds"])
        for p in periods
        if "waiting_for" in p
    )
    return [(conversation, seconds) for _, conversation, seconds in waiting[:10]]


def _rank(values: list[int], share: float) -> float | None:
    """The smallest value at least ``share`` of the values are within, by counting."""
    for v in sorted(values):
        if sum(1 for x in values if x <= v) >= share * len(values):
            return v / 1000
    return None


def _window(periods: list[dict], days: int) -> dict:
    mine = [p for p in periods if p["opened"] > NOW - timedelta(days=days)]
    answered = [p["ms"] for p in mine if p["ms"] is not None]
    waiting = [p["waited"] for p in mine if p["ms"] is None]
    day = 24 * 3600 * 1000
    decided = len(answered) + sum(1 for w in waiting if w > day)
    in_time = sum(1 for ms in answered if ms <= day)
    return {
        "periods": len(mine),
        "answered": len(answered),
        "answered_within_a_day": in_time,
        "waiting": len(waiting),
        "response_rate": in_time / decided if decided else None,
        "median_seconds": _rank(answered, 0.5),
        "p90_seconds": _rank(answered, 0.9),
    }


def _typically(periods: list[dict]) -> dict:
    month = [
        p["ms"] for p in periods if p["opened"] > NOW - timedelta(days=30) and p["ms"] is not None
    ]
    said = None
    if len(month) >= 10:
        median = _rank(month, 0.5)
        minutes = median / 60
        said = next(
            (
                name
                for bound, name in ((15, "minutes"), (60, "hour"), (240, "hours"), (1440, "day"))
                if minutes <= bound
            ),
            None,
        )
    week = [p for p in periods if p["opened"] > NOW - timedelta(days=7)]
    quarter = 15 * 60 * 1000
    counted = [p for p in week if p["ms"] is not None or p["waited"] > quarter]
    fast = [p for p in counted if p["ms"] is not None and p["ms"] <= quarter]
    very = len(month) >= 10 and bool(counted) and len(fast) / len(counted) >= 0.9
    return {
        "typically": said,
        "source": "figures" if len(month) >= 10 else None,
        "very_responsive": very,
    }


# -- the tests -----------------------------------------------------------------------------


@pytest.fixture
def team(client, world):
    """SPACE with three admins."""
    upsert_space(
        client,
        SPACE,
        "Pizzeria Napoli",
        [world[k].user_id for k in ("admin", "admin2", "site_admin")],
    )
    return world


@pytest.mark.parametrize("seed", range(8))
def test_the_figures_match_an_independent_recount(app, team, seed):
    history = _history(seed)
    conversations = _write(app, team, history)
    expected = _recount(history)
    session = app.extensions["space_inbox_db"]()
    try:
        with session.begin():
            periods, rules = figures.load(session, SPACE, NOW)
            by_admin = figures.by_admin(session, periods, NOW)
            waiting = figures.waiting_longest(session, SPACE, NOW)
            made = figures.kept(session, SPACE, NOW)
        with session.begin():
            kept = figures.kept(session, SPACE, NOW)  # read back from kept_figures
    finally:
        session.close()
    # What the API answers is kept, and is what the definitions give.
    assert (
        kept
        == made
        == {
            "timezone": rules.timezone,
            "space": {f"days_{d}": figures.window(figures.since(periods, NOW, d)) for d in (7, 30)},
            "admins": by_admin,
            "days": figures.by_day(periods, rules, NOW),
            "response_time": figures.typically(periods, NOW, None),
        }
    )
    # Waiting longest: clock time since the member's message, whatever the away time.
    assert [(w["row"].id, w["waited_seconds"]) for w in waiting] == _waiting_longest(
        expected, conversations
    )
    in_window = [p for p in expected if p["opened"] > NOW - timedelta(days=30)]
    assert len(periods) == len(in_window)
    for days in (7, 30):
        assert figures.window(figures.since(periods, NOW, days)) == _window(expected, days), days
    names = {team[k].user_id: k for k in ("admin", "admin2", "site_admin")}
    for entry in by_admin:
        theirs = [p for p in in_window if p["by"] == names[entry["id"]]]
        for days in (7, 30):
            recounted = _window(theirs, days)
            assert entry[f"days_{days}"] == {
                "answered": recounted["answered"],
                "median_seconds": recounted["median_seconds"],
                "p90_seconds": recounted["p90_seconds"],
            }
    assert sum(e["days_30"]["answered"] for e in by_admin) == _window(expected, 30)["answered"]
    shown = figures.typically(periods, NOW, None)
    assert shown == _typically(expected)
    chart = figures.by_day(periods, rules, NOW)
    today = NOW.replace(tzinfo=UTC).astimezone(_zone(history)).date()
    for entry in chart:
        day = [
            p
            for p in in_window
            if p["opened"].replace(tzinfo=UTC).astimezone(_zone(history)).date().isoformat()
            == entry["date"]
        ]
        answered = [p["ms"] for p in day if p["ms"] is not None]
        assert entry == {
            "date": entry["date"],
            "periods": len(day),
            "answered": len(answered),
            "median_seconds": _rank(answered, 0.5),
        }
    assert [e["date"] for e in chart][-1] == today.isoformat() and len(chart) == 30


def test_the_generated_histories_reach_every_case():
    """The seeds cover what the figures must get right, so the recount test proves it."""
    histories = [_history(seed) for seed in range(8)]
    events = [e for h in histories for e in h["events"]]
    assert any(h["hours_enabled"] for h in histories)
    assert any(e is None for h in histories for _, e in h["spells"])  # away now
    assert {h["timezone"] for h in histories} >= {"Europe/Paris", "America/New_York"}
    same_second = [
        (a, b)
        for a, b in zip(events, events[1:], strict=False)
        if a[0] == b[0] and a[1] == b[1] == "answer" and a[2] == b[2]
    ]
    assert same_second, "no two answers in the same second"
    assert any(kind == "done" for _, kind, _, _ in events)
    periods = [p for h in histories for p in _recount(h)]
    assert any(p["ms"] is None for p in periods) and any(p["ms"] for p in periods)
    # Some member waits while the Space was away: clock and working time differ.
    assert any(p["ms"] is None and p["waited"] < p["clock_seconds"] * 1000 for p in periods)
    assert sum(len(_recount(h)) >= 10 for h in histories) >= 2


def test_a_reopened_conversation_opens_a_new_period_and_late_answers_count_once(app, team):
    """Two member messages, two answers: one period; a message after the answer: another."""
    t0 = NOW - timedelta(hours=5)
    history = {
        "timezone": "Europe/Paris",
        "hours_enabled": False,
        "hours": {},
        "spells": [],
        "events": [
            (t0, "member", 1, None),
            (t0 + 2 * MINUTE, "member", 1, None),
            (t0 + 10 * MINUTE, "answer", 1, "admin"),
            (t0 + 10 * MINUTE, "answer", 1, "admin2"),
            (t0 + 20 * MINUTE, "done", 1, "admin"),
            (t0 + 60 * MINUTE, "member", 1, None),
            (t0 + 75 * MINUTE, "answer", 1, "admin2"),
        ],
    }
    _write(app, team, history)
    with app.extensions["space_inbox_engine"].connect() as c:
        rows = c.execute(select(T.response_periods).order_by(T.response_periods.c.id)).all()
    assert [(r.response_ms, r.answered_by) for r in rows] == [
        (10 * 60_000, team["admin"].user_id),
        (15 * 60_000, team["admin2"].user_id),
    ]


def test_away_time_is_left_out_of_a_response_time(app, team):
    """Away for 30 of the 50 minutes a member waited: the response time is 20 minutes."""
    t0 = NOW - timedelta(hours=3)
    history = {
        "timezone": "Europe/Paris",
        "hours_enabled": False,
        "hours": {},
        "spells": [(t0 + 10 * MINUTE, t0 + 40 * MINUTE)],
        "events": [(t0, "member", 1, None), (t0 + 50 * MINUTE, "answer", 1, "admin")],
    }
    _write(app, team, history)
    with app.extensions["space_inbox_engine"].connect() as c:
        assert c.execute(select(T.response_periods.c.response_ms)).scalars().all() == [20 * 60_000]


def test_the_migration_rebuilds_the_periods_of_existing_conversations(app, team):
    """A site upgraded from revision 0002 gets the periods its messages define."""
    history = _history(3)
    history["spells"], history["hours_enabled"] = [], False
    _write(app, team, history)
    engine = app.extensions["space_inbox_engine"]
    with engine.begin() as c:
        built = [tuple(r)[1:] for r in c.execute(select(T.response_periods).order_by("id"))]
        c.execute(delete(T.response_periods))
        # Back to 0004 by the migrations' own downgrades, then to 0002 as a site that never
        # had the table: drop what 0003 and 0004 made.
        command.downgrade(migrate._config(c, PREFIX), "0004")
        for name in (
            "requests_seen",
            "typing",
            "saved_replies",
            "away_spells",
            "space_settings",
            "response_periods",
        ):
            c.execute(text(f"DROP TABLE {PREFIX}spaceinbox_{name}"))
        c.execute(
            text(
                f"DROP INDEX {PREFIX}spaceinbox_conversations_space_waiting "
                f"ON {PREFIX}spaceinbox_conversations"
            )
        )
        c.execute(text(f"UPDATE {migrate.version_table(PREFIX)} SET version_num = '0002'"))
    assert migrate.upgrade(engine, PREFIX) == ("0002", migrate.head_revision())
    with engine.connect() as c:
        rebuilt = [tuple(r)[1:] for r in c.execute(select(T.response_periods).order_by("id"))]
    # The live bookkeeping subtracted no away time (there was none): the same periods.
    assert sorted(rebuilt) == sorted(built) and built


# -- opening hours and time zones ---------------------------------------------------------


def test_opening_hours_are_checked():
    """By their type (weekdays, up to three "HH:MM" openings) and by their rule (in order)."""

    def checked(hours):
        return clean_hours(TypeAdapter(team_shapes.Hours).validate_python(hours, strict=True))

    good = {"mon": [{"opens": "09:00", "closes": "12:00"}, {"opens": "13:00", "closes": "24:00"}]}
    assert checked(good) == good
    assert checked({"sun": []}) == {}
    assert list(checked({"tue": good["mon"], "mon": good["mon"]})) == ["mon", "tue"]
    for bad in (
        [],
        {"monday": []},
        {"mon": [{"opens": "09:00"}]},
        {"mon": [{"opens": "09:00", "closes": "12:00", "note": ""}]},
        {"mon": [{"opens": "12:00", "closes": "09:00"}]},
        {"mon": [{"opens": "09:00", "closes": "12:00"}, {"opens": "11:00", "closes": "13:00"}]},
        {"mon": [{"opens": "24:00", "closes": "24:00"}]},
        {"mon": [{"opens": "9:00", "closes": "12:00"}]},
        {"mon": [{"opens": "09:00", "closes": "25:00"}]},
        {"mon": [{"opens": "00:00", "closes": "01:00"}] * 4},
    ):
        with pytest.raises((BadInput, ValidationError)):
            checked(bad)


def test_a_day_of_opening_hours_follows_daylight_saving_time():
    """Paris opens 09:00 to 17:00 local: 08:00 UTC before the spring change, 07:00 after."""
    hours = {d: [{"opens": "09:00", "closes": "17:00"}] for d in DAYS}
    rules = AwayRules((), True, hours, "Europe/Paris")
    assert not rules.away_at(datetime(2026, 3, 27, 8, 0))
    assert rules.away_at(datetime(2026, 3, 27, 7, 59))
    assert not rules.away_at(datetime(2026, 3, 30, 7, 0))
    assert rules.away_at(datetime(2026, 3, 30, 15, 0))
    # Working time over the change: two working days of 8 hours.
    assert rules.working_ms(datetime(2026, 3, 28, 0, 0), datetime(2026, 3, 30, 0, 0)) == (
        2 * 8 * 3600 * 1000
    )


def test_the_sites_time_zone_comes_from_wordpress_options():
    assert site_timezone("Europe/Paris", "0") == "Europe/Paris"
    assert site_timezone("", "5.5") == "UTC+05:30"
    assert site_timezone("", "-3") == "UTC-03:00"
    assert site_timezone("Not/AZone", "") == "UTC+00:00"
    assert math.isclose(
        AwayRules(timezone="UTC+05:30").zone.utcoffset(None).total_seconds(), 5.5 * 3600
    )
