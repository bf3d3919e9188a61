"""Web Push, the inbox's side: each device's subscription, kept per user and device, and
one push job per device queued with the message it is about (in the outbox, kind
``push``; :mod:`bridge.background.push` sends them): to each admin's devices for a member's
message, to the member's for an answer, as the Space's, never naming an admin.

A subscription belongs to the login session it was made in: when that session ends (a
logout on the device, or everywhere) its pushes end too. Its endpoint must be one of the
push services the site allows (``PUSH_SERVICES``): the bridge POSTs only there.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import time
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import delete, func, insert, literal, select
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.orm import Session

from bridge.inbox.jobs import QUEUED
from bridge.inbox.statements import send_statements
from bridge.limits import PUSH_ENDPOINT_MAX
from bridge.refusals import BadInput
from bridge.storage.db import tables_of
from bridge.wordpress import auth

KIND = "push"
TEAM, MEMBER = "team", "member"


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def services(setting: str | None) -> tuple[str, ...]:
    """The push services of the ``PUSH_SERVICES`` setting (space or comma separated)."""
    return tuple(str(setting or "").replace(",", " ").split())


def allowed(endpoint: str, services: Sequence[str]) -> bool:
    """Whether *endpoint* is on a push service the site allows: each of *services* an origin
    (``https://fcm.googleapis.com``), whose host may start with ``*.`` for any subdomain."""
    parts = urlsplit(endpoint)
    try:
        port = parts.port
    except ValueError:
        return False
    if parts.username is not None or not parts.hostname:
        return False
    for service in services:
        allows = urlsplit(service.lower())
        if (allows.scheme, allows.port) != (parts.scheme, port):
            continue
        host = allows.hostname or ""
        if host == parts.hostname or (host.startswith("*.") and parts.hostname.endswith(host[1:])):
            return True
    return False


def clean_subscription(data: dict, services: Sequence[str]) -> tuple[str, str, str]:
    """A subscription as ``PushSubscription.toJSON()`` gives it, checked: its endpoint (on
    an allowed push service), and its keys (a P-256 point, 16 bytes of secret), base64url."""
    endpoint, keys = data["endpoint"].strip(), data["keys"]
    if len(endpoint) > PUSH_ENDPOINT_MAX or not allowed(endpoint, services):
        raise BadInput(
            "push_service_not_allowed",
            "This push service is not one the site sends to.",
            "The endpoint must be on a push service the site allows (PUSH_SERVICES).",
        )
    try:
        point, secret = _unb64url(keys["p256dh"]), _unb64url(keys["auth"])
    except (binascii.Error, ValueError):
        point = secret = b""
    if len(point) != 65 or point[0] != 4 or len(secret) != 16:
        raise BadInput(
            "invalid_push_keys",
            "The subscription's keys are not those of a Web Push subscription.",
            "keys.p256dh: a P-256 public key (65 bytes), keys.auth: 16 bytes, base64url.",
        )
    return endpoint, keys["p256dh"], keys["auth"]


def subscribe(
    session: Session, user_id: int, token_verifier: str, found: tuple[str, str, str], now: datetime
) -> int:
    """Keep a device's subscription for *user_id*, in their current login session; a
    device's endpoint is one subscription (one that was another user's is now theirs)."""
    endpoint, p256dh, auth = found
    s = tables_of(session).push_subscriptions
    values = {"user_id": user_id, "p256dh": p256dh, "auth": auth, "session": token_verifier}
    session.execute(
        mysql_insert(s)
        .values(
            endpoint=endpoint,
            endpoint_hash=hashlib.sha256(endpoint.encode()).hexdigest(),
            created_at=now,
            **values,
        )
        .on_duplicate_key_update(**values)
    )
    return session.execute(
        select(s.c.id).where(s.c.endpoint_hash == hashlib.sha256(endpoint.encode()).hexdigest())
    ).scalar_one()


def unsubscribe(session: Session, user_id: int, endpoint: str) -> bool:
    """Forget one of the user's devices; whether it was theirs."""
    s = tables_of(session).push_subscriptions
    digest = hashlib.sha256(endpoint.strip().encode()).hexdigest()
    return bool(
        session.execute(
            delete(s).where(s.c.user_id == user_id, s.c.endpoint_hash == digest)
        ).rowcount
    )


def forget_ended(session: Session, user_id: int) -> None:
    """Forget the user's devices whose login session has ended (a logout there, or
    everywhere; a new password)."""
    s = tables_of(session).push_subscriptions
    stored = auth.usermeta(session, user_id, "session_tokens")
    now = time.time()
    for device in session.execute(select(s.c.id, s.c.session).where(s.c.user_id == user_id)):
        ends = auth.session_ends(stored, device.session)
        if ends is None or ends < now:
            forget(session, device.id)


def forget(session: Session, subscription_id: int) -> None:
    """A subscription its push service says is gone, or whose session ended."""
    s = tables_of(session).push_subscriptions
    session.execute(delete(s).where(s.c.id == subscription_id))


def _queue(session: Session, subscriptions, payload: dict, conversation_id: int, now: datetime):
    """One push job per subscription selected (``id``, ``user_id``), the payload's JSON text
    with the subscription's id appended by MariaDB."""
    t = tables_of(session)
    prefix = json.dumps(payload)[:-1] + ', "subscription_id": '
    rows = select(
        literal(KIND),
        subscriptions.c.user_id,
        literal(conversation_id),
        func.concat(prefix, subscriptions.c.id, "}"),
        literal(now),
        literal(now),
    )
    session.execute(
        insert(t.outbox).from_select(
            ["kind", "user_id", "conversation_id", "payload", "created_at", "next_attempt_at"],
            rows,
        )
    )
    session.info[QUEUED] = True


def notify_team(
    session: Session, space_id: int, member_id: int, payload: dict, now: datetime
) -> None:
    """A member wrote to a Space: a ``member_message`` job for each of its admins (not the
    member), as :func:`bridge.inbox.jobs.notify_team` writes them, and a push to each of
    their devices, as :func:`_queue` does, in one statement."""
    session.execute(
        send_statements(tables_of(session)).team_and_device_jobs,
        {
            "kind": "member_message",
            "push_kind": KIND,
            "conversation_id": payload["conversation_id"],
            "prefix": json.dumps(payload)[:-1] + ', "user_id": ',
            "push_prefix": json.dumps({**payload, "audience": TEAM})[:-1] + ', "subscription_id": ',
            "at": now,
            "space_id": space_id,
            "except_id": member_id,
        },
    )
    session.info[QUEUED] = True


def queue_member(session: Session, member_id: int, payload: dict, now: datetime) -> None:
    """A Space answered a member: a push to each of the member's devices."""
    s = tables_of(session).push_subscriptions
    chosen = select(s.c.id, s.c.user_id).where(s.c.user_id == member_id).subquery()
    _queue(session, chosen, {**payload, "audience": MEMBER}, payload["conversation_id"], now)
