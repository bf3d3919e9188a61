"""Web Push, the sending side: the outbox's ``push`` jobs (one per device and message,
:mod:`bridge.inbox.pushes`), each encrypted for its device (RFC 8291) and POSTed to its
push service (RFC 8030) signed with the site's VAPID key (RFC 8292), by ``pywebpush``.

Sent only when it is still wanted: the person chose push for that Space (a member, for
answers), it is within the Space's opening hours unless they chose to be told outside
them too, and the login session the device subscribed in has not ended (else the
subscription goes). A push service's 404 or 410 removes the subscription; other failures
are tried again with the outbox's backoff. What a device is sent names the Space, the
member (to the team only) and the message's first words: never an admin.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

import requests
from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from bridge.inbox import away, choices, pushes
from bridge.storage.db import tables_of
from bridge.wordpress import auth, site

#: Seconds a push service keeps a push for a device that is off (RFC 8030 5.2).
TTL = 86400
TIMEOUT = 10
#: WordPress options: the site's VAPID key pair (base64url: the private key's 32 bytes, the
#: public key's uncompressed point), made by the plugin on activation.
OPTION_PUBLIC = "space_inbox_vapid_public"
OPTION_PRIVATE = "space_inbox_vapid_private"
KEY_OPTIONS = (OPTION_PUBLIC, OPTION_PRIVATE, "admin_email", *site.INBOX_OPTIONS)


@dataclass(frozen=True)
class Site:
    """What a push needs of the site: its VAPID keys and contact, and its inbox page."""

    private_key: str
    public_key: str
    contact: str
    inbox_url: str

    @classmethod
    def of(cls, options: dict[str, str], inbox: str | None = None) -> Site | None:
        """From the site's options (and the ``INBOX_URL`` setting); None while it has no
        keys."""
        private, public = options.get(OPTION_PRIVATE), options.get(OPTION_PUBLIC)
        if not private or not public:
            return None
        email = options.get("admin_email") or ""
        home = options.get("home") or ""
        return cls(
            private,
            public,
            f"mailto:{email}" if "@" in email else home,
            site.inbox_url(inbox, options),
        )

    def link(self, **query: int) -> str:
        joiner = "&" if "?" in self.inbox_url else "?"
        return f"{self.inbox_url}{joiner}{urlencode(query)}"


class Sender:
    """Sends push jobs for one site."""

    def __init__(
        self,
        site: Callable[[Session], Site | None],
        policy: Callable[[Session], choices.Policy],
        services: Sequence[str],
    ) -> None:
        self._site = site
        self._policy = policy
        self.services = tuple(services)
        self._http = requests.Session()

    def __call__(self, session: Session, job: Row, now: datetime) -> str | None:
        """Send one job, or drop it; None when done (sent or no longer wanted), else why it
        should be tried again."""
        data = json.loads(job.payload)
        s = tables_of(session).push_subscriptions
        device = session.execute(select(s).where(s.c.id == data["subscription_id"])).first()
        if device is None:
            return None  # gone meanwhile: nothing to send to
        site = self._site(session)
        if site is None:
            return "no VAPID keys: activate the plugin again to make them"
        if not self._wanted(session, data, device, now):
            return None
        # Imported here: they bring aiohttp and cryptography, which nothing else needs, and
        # every bridge process (each worker, each command) would pay for them at start.
        from py_vapid import Vapid02
        from pywebpush import WebPushException, webpush

        try:
            webpush(
                {
                    "endpoint": device.endpoint,
                    "keys": {"p256dh": device.p256dh, "auth": device.auth},
                },
                json.dumps(_shown(session, data, site)),
                vapid_private_key=Vapid02.from_raw(site.private_key.encode()),
                vapid_claims={"sub": site.contact},
                ttl=TTL,
                timeout=TIMEOUT,
                requests_session=self._http,
            )
        except WebPushException as refused:
            status = refused.response.status_code if refused.response is not None else 0
            if status in (404, 410):  # RFC 8030 7.3: the subscription is no more
                pushes.forget(session, device.id)
                return None
            return f"push service: {status or refused}"[:255]
        except requests.RequestException as error:
            return f"{error.__class__.__name__}: {error}"[:255]
        return None

    def _wanted(self, session: Session, data: dict, device: Row, now: datetime) -> bool:
        stored = auth.usermeta(session, device.user_id, "session_tokens")
        ends = auth.session_ends(stored, device.session)
        if (
            ends is None
            or ends < now.timestamp()
            or not pushes.allowed(device.endpoint, self.services)
        ):
            pushes.forget(session, device.id)  # logged out there: its pushes end
            return False
        policy = self._policy(session)
        team = data["audience"] == pushes.TEAM
        choice, _ = choices.of(
            session,
            device.user_id,
            data["space_id"] if team else choices.ANSWERS,
            policy.team if team else policy.member,
        )
        if not choice.push:
            return False
        if team and not choice.outside_hours:
            return away.rules(session, data["space_id"], now).closed_until(now) is None
        return True


def _shown(session: Session, data: dict, site: Site) -> dict:
    """What the device shows: the Space, the member's name (to the team), the excerpt and
    where a click leads. Listed field by field: a member's push has no one of the team."""
    tag = f"space-inbox-{data['conversation_id']}"
    if data["audience"] == pushes.MEMBER:
        return {
            "kind": "space_reply",
            "space": data["space_name"],
            "text": data["excerpt"],
            "url": site.link(space=data["space_id"]),
            "tag": tag,
        }
    users = tables_of(session).users
    name = session.execute(
        select(users.c.display_name).where(users.c.ID == data["member_id"])
    ).scalar()
    return {
        "kind": "member_message",
        "space": data["space_name"],
        "from": name or "",
        "text": data["excerpt"],
        "url": site.link(team=data["space_id"], conversation=data["conversation_id"]),
        "tag": tag,
    }
