"""The events WordPress sends (through the plugin, signed): Spaces and their teams, deleted
and spammed users. A batch is checked whole before any event is applied; an event id seen
before is skipped."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.orm import Session

from bridge.inbox import assignment, pushes
from bridge.inbox.changes import Change, note
from bridge.inbox.privacy import erase_member
from bridge.inbox.values import clean_id
from bridge.limits import EVENTS_PER_CALL, SPACE_FIELD_MAX, TEAM_MAX
from bridge.refusals import BadInput
from bridge.storage.db import tables_of

#: How long event ids are remembered; a signed call older than a few minutes is refused
#: anyway, so a day is ample protection against replays.
EVENT_MEMORY = timedelta(days=1)


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _id(data: dict, key: str, where: str) -> int:
    return clean_id(data.get(key), key, "invalid_event", f"{where}: ")


def _text(data: dict, key: str, where: str, max_len: int, *, required: bool) -> str:
    value = data.get(key, None if required else "")
    if value is None and not required:
        value = ""
    if not isinstance(value, str) or len(value) > max_len or (required and not value.strip()):
        raise BadInput(
            "invalid_event", f"{where}: {key} must be text of at most {max_len} characters."
        )
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        raise BadInput("invalid_event", f"{where}: {key} contains control characters.")
    return value.strip()


def validate_events(payload: object) -> list[dict]:
    """Check a batch of events completely before any is applied; return them normalised."""
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        raise BadInput("invalid_events", 'The body must be {"events": [...]}.')
    events = payload["events"]
    if not 1 <= len(events) <= EVENTS_PER_CALL:
        raise BadInput("invalid_events", f"Send 1 to {EVENTS_PER_CALL} events per call.")
    clean = []
    for index, event in enumerate(events):
        where = f"events[{index}]"
        if not isinstance(event, dict) or not isinstance(event.get("data"), dict):
            raise BadInput("invalid_event", f"{where} must be an object with data.")
        event_id = event.get("id")
        if not isinstance(event_id, str) or not _UUID.fullmatch(event_id):
            raise BadInput("invalid_event", f"{where}: id must be a UUID.")
        data, kind = event["data"], event.get("type")

        if kind == "space.upserted":
            admin_ids = data.get("admin_ids")
            if not isinstance(admin_ids, list) or len(admin_ids) > TEAM_MAX:
                raise BadInput("invalid_event", f"{where}: admin_ids must be a list of user ids.")
            norm = {
                "space_id": _id(data, "space_id", where),
                **{
                    key: _text(data, key, where, max_len, required=key == "name")
                    for key, max_len in SPACE_FIELD_MAX.items()
                },
                "admin_ids": sorted(
                    {_id({"id": a}, "id", f"{where}.admin_ids") for a in admin_ids}
                ),
            }
        elif kind == "space.deleted":
            norm = {"space_id": _id(data, "space_id", where)}
        elif kind == "user.deleted":
            norm = {"user_id": _id(data, "user_id", where)}
        elif kind == "user.logins_changed":
            norm = {"user_id": _id(data, "user_id", where)}
        elif kind == "user.spammed":
            if not isinstance(data.get("spam"), bool):
                raise BadInput("invalid_event", f"{where}: spam must be true or false.")
            norm = {"user_id": _id(data, "user_id", where), "spam": data["spam"]}
        else:
            raise BadInput("invalid_event", f"{where}: unknown type {str(kind)[:40]!r}.")
        clean.append({"id": event_id.lower(), "type": kind, "data": norm})
    return clean


def note_request(session: Session, request_id: str, now: datetime, memory: timedelta) -> bool:
    """Note a signed call's request id; whether it is new. Ids are kept for *memory* (twice
    the signatures' skew), within which a replayed call is refused."""
    t = tables_of(session)
    seen = t.requests_seen
    session.execute(delete(seen).where(seen.c.received_at < now - memory))
    inserted = mysql_insert(seen).values(id=request_id, received_at=now).prefix_with("IGNORE")
    return bool(session.execute(inserted).rowcount)


def apply_events(session: Session, events: list[dict], now: datetime) -> tuple[int, int]:
    """Apply validated events in order; an event id seen before is skipped.

    :returns: (applied, duplicates).
    """
    t = tables_of(session)
    session.execute(delete(t.events_seen).where(t.events_seen.c.received_at < now - EVENT_MEMORY))
    applied = duplicates = 0
    for event in events:
        fresh = session.execute(
            mysql_insert(t.events_seen)
            .values(id=event["id"], received_at=now)
            .prefix_with("IGNORE")
        ).rowcount
        if not fresh:
            duplicates += 1
            continue
        applied += 1
        _APPLY[event["type"]](session, event["data"], now)
    return applied, duplicates


def _space_upserted(session: Session, data: dict, now: datetime) -> None:
    t = tables_of(session)
    row = {k: data[k] for k in ("name", "slug", "url", "avatar_url")}
    session.execute(
        mysql_insert(t.spaces)
        .values(id=data["space_id"], status="active", updated_at=now, **row)
        .on_duplicate_key_update(status="active", updated_at=now, **row)
    )
    sa_ = t.space_admins
    team = data["admin_ids"]
    session.execute(
        delete(sa_).where(sa_.c.space_id == data["space_id"], sa_.c.user_id.not_in(team))
        if team
        else delete(sa_).where(sa_.c.space_id == data["space_id"])
    )
    if team:
        session.execute(
            mysql_insert(sa_).prefix_with("IGNORE"),
            [{"space_id": data["space_id"], "user_id": uid} for uid in team],
        )
    assignment.give_back(session, data["space_id"])
    # Admins who left hear it through the Space; those who joined, by their ids.
    note(session, Change(data["space_id"], users=tuple(team)))


def _space_deleted(session: Session, data: dict, now: datetime) -> None:
    s = tables_of(session).spaces
    session.execute(
        update(s).where(s.c.id == data["space_id"]).values(status="deleted", updated_at=now)
    )
    note(session, Change(data["space_id"]))


def _user_deleted(session: Session, data: dict, now: datetime) -> None:
    """Remove a deleted user's conversations, team places and pending notifications.

    Pending notifications go both ways: to them, and to admins about them. Answers they
    wrote as a Space stay in the members' conversations: they belong to the Space; the
    audit label then names a deleted user.
    """
    t = tables_of(session)
    uid = data["user_id"]
    c = t.conversations
    for space_id in session.scalars(select(c.c.space_id).where(c.c.member_id == uid)):
        note(session, Change(space_id))
    note(session, Change(users=(uid,), login=True))
    erase_member(session, uid)
    session.execute(delete(t.space_admins).where(t.space_admins.c.user_id == uid))
    session.execute(delete(t.user_flags).where(t.user_flags.c.user_id == uid))
    session.execute(delete(t.notify_choices).where(t.notify_choices.c.user_id == uid))
    assignment.give_back(session, None, [uid])
    session.execute(delete(t.on_duty).where(t.on_duty.c.user_id == uid))


def _user_spammed(session: Session, data: dict, now: datetime) -> None:
    f = tables_of(session).user_flags
    spam = 1 if data["spam"] else 0
    session.execute(
        mysql_insert(f)
        .values(user_id=data["user_id"], spam=spam, updated_at=now)
        .on_duplicate_key_update(spam=spam, updated_at=now)
    )


def _user_logins_changed(session: Session, data: dict, now: datetime) -> None:
    """A logout, a session destroyed, a password changed: whatever the user holds open must
    be checked again at once, and the devices of the sessions that ended get no more push."""
    note(session, Change(users=(data["user_id"],), login=True))
    pushes.forget_ended(session, data["user_id"])


_APPLY = {
    "space.upserted": _space_upserted,
    "space.deleted": _space_deleted,
    "user.deleted": _user_deleted,
    "user.spammed": _user_spammed,
    "user.logins_changed": _user_logins_changed,
}
