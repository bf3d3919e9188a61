"""A Space's away mode and reply settings: set by its team, read by the figures and by a
member's message, which gets one automatic answer a day while the Space is away."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Row, insert, or_, select, update
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.orm import Session

from bridge.inbox import kept_figures
from bridge.inbox.audit import audit
from bridge.inbox.changes import Change, note
from bridge.inbox.hours import AwayRules, clean_hours, clean_timezone, site_timezone
from bridge.inbox.values import clean_body
from bridge.refusals import BadInput
from bridge.storage.db import tables_of

#: The automatic answer's text until the team writes its own.
DEFAULT_MESSAGE = (
    "Thanks for your message! We are away right now and will answer as soon as we are back."
)
#: The author of automatic answers: no WordPress user has id 0.
AUTOMATIC = 0


def site_zone_name(session: Session) -> str:
    """The site's time zone, from WordPress' options, as :func:`site_timezone` names it."""
    o = tables_of(session).options
    rows = session.execute(
        select(o.c.option_name, o.c.option_value).where(
            o.c.option_name.in_(("timezone_string", "gmt_offset"))
        )
    )
    found = {r.option_name: r.option_value for r in rows}
    return site_timezone(found.get("timezone_string"), found.get("gmt_offset"))


def _settings(session: Session, space_id: int, lock: bool = False) -> Row | None:
    s = tables_of(session).space_settings
    query = select(s).where(s.c.space_id == space_id)
    return session.execute(query.with_for_update() if lock else query).first()


def _spells(session: Session, space_id: int, since: datetime | None):
    a = tables_of(session).away_spells
    query = select(a.c.id, a.c.started_at, a.c.ended_at).where(a.c.space_id == space_id)
    if since is not None:
        query = query.where(or_(a.c.ended_at.is_(None), a.c.ended_at > since))
    return list(session.execute(query.order_by(a.c.started_at)))


def rules(
    session: Session, space_id: int, since: datetime | None, *, calendar: bool = False
) -> AwayRules:
    """Return what makes a Space away, with the spells that end after ``since``.

    :param calendar: the Space's days matter: its time zone is the site's until the team
        sets the Space's (without it, a Space with no settings counts days in UTC).
    """
    row = _settings(session, space_id)
    found = AwayRules.of(row, _spells(session, space_id, since))
    return replace(found, timezone=site_zone_name(session)) if calendar and not row else found


def settings(session: Session, space_id: int, now: datetime) -> dict:
    """Return a Space's away mode, reply preset and whether new conversations are given in
    turn, as its team sees them."""
    row = _settings(session, space_id)
    away = rules(session, space_id, now, calendar=True)
    current = next((s for s, e in away.spells if e is None), None)
    return {
        "away_now": current is not None,
        "away_since": current,
        "hours_enabled": away.hours_enabled,
        "hours": away.hours,
        "timezone": away.timezone,
        "away_message": row.away_message if row else DEFAULT_MESSAGE,
        "reply_preset": row.reply_preset if row else None,
        "assign_in_turn": bool(row.assign_in_turn) if row else False,
        "away": away.away_at(now),
    }


def reply_preset(session: Session, space_id: int) -> str | None:
    """The Space's "Typically replies within …" until its figures are enough, if it set one."""
    row = _settings(session, space_id)
    return row.reply_preset if row else None


#: The rules a setting follows beyond its type (:class:`bridge.api.team_shapes.SettingsBody`).
RULES = {"hours": clean_hours, "timezone": clean_timezone, "away_message": clean_body}


def clean_changes(data: dict) -> dict:
    """Return the settings a PATCH changes (typed as :class:`bridge.api.team_shapes.SettingsBody`),
    each checked by its rule."""
    if not data:
        raise BadInput("no_settings", "Send at least one setting to change.")
    return {key: RULES[key](value) if key in RULES else value for key, value in data.items()}


def change_settings(
    session: Session, space_id: int, actor_id: int, changes: dict, now: datetime
) -> list[str]:
    """Apply checked changes, audited; return what changed ("away on", "hours" …)."""
    s, a = tables_of(session).space_settings, tables_of(session).away_spells
    row = _settings(session, space_id, lock=True)
    if row is None:
        session.execute(
            mysql_insert(s)
            .values(
                space_id=space_id,
                hours="{}",
                timezone=site_zone_name(session),
                away_message=DEFAULT_MESSAGE,
                updated_at=now,
            )
            .prefix_with("IGNORE")
        )
        row = _settings(session, space_id, lock=True)
    done: list[str] = []
    values = {}
    for key in ("hours_enabled", "timezone", "away_message", "reply_preset", "assign_in_turn"):
        if key in changes and changes[key] != getattr(row, key):
            values[key] = changes[key]
            done.append(key)
    if "hours" in changes and changes["hours"] != json.loads(row.hours):
        values["hours"] = json.dumps(changes["hours"], separators=(",", ":"))
        done.append("hours")
    if values:
        session.execute(update(s).where(s.c.space_id == space_id).values(updated_at=now, **values))
    if "away_now" in changes:
        current = next((x for x in _spells(session, space_id, now) if x.ended_at is None), None)
        if changes["away_now"] and current is None:
            session.execute(insert(a).values(space_id=space_id, started_at=now))
            done.append("away on")
        elif not changes["away_now"] and current is not None:
            session.execute(update(a).where(a.c.id == current.id).values(ended_at=now))
            done.append("away off")
    if done:
        kept_figures.forget(session, space_id)  # away time, the time zone or the preset
        audit(session, space_id, actor_id, "settings", now, detail=", ".join(done)[:255])
        note(session, Change(space_id))
    return done


def automatic_answer(
    session: Session, space: Row, conversation_id: int, now: datetime
) -> tuple[str, str] | None:
    """Return the client key and text of the automatic answer a member's message gets now,
    or None when the Space is not away.

    The key names the conversation and the Space's calendar day: with the unique (author,
    client key) of messages, a conversation gets at most one automatic answer a day.
    ``space`` is the send path's row, which says whether a spell is open or opening hours
    are set: a Space with neither costs no further read.
    """
    if not (space.away_spell or space.hours_enabled):
        return None
    row = _settings(session, space.id)
    found = AwayRules.of(row, _spells(session, space.id, now - timedelta(seconds=1)))
    if not found.away_at(now):
        return None
    key = f"away:{conversation_id}:{found.local_date(now):%Y%m%d}"
    return key, row.away_message if row else DEFAULT_MESSAGE
