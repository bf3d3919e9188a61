"""How each person wants to be told: an admin per Space (push, e-mail, both or neither, and
whether outside the Space's opening hours), a member for answers from every Space; with
the site's defaults (set in WordPress) for whoever has not chosen, and the site's e-mail
delay (:mod:`bridge.inbox.digests`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.orm import Session

from bridge.storage.db import tables_of
from bridge.wordpress.auth import SiteKeys, is_digits, php_unserialize

#: The ``space_id`` of a member's choice: it covers the answers of every Space.
ANSWERS = 0

#: WordPress options the plugin's settings write: e-mail at all ('1'/'0'), the delay in
#: seconds, and the defaults (a serialized array: team => {email, push, outside_hours},
#: member => {email, push}).
OPTION_EMAIL = "space_inbox_email"
OPTION_DELAY = "space_inbox_email_delay"
OPTION_DEFAULTS = "space_inbox_notify_defaults"
OPTIONS = (OPTION_EMAIL, OPTION_DELAY, OPTION_DEFAULTS)
#: Seconds the options are kept between reads: a change reaches the digests due next.
KEPT = 1.0

#: The delay when the site sets none: a few minutes, for what comes meanwhile to join.
DEFAULT_DELAY = timedelta(minutes=5)
#: The longest delay a site may set.
MAX_DELAY = timedelta(days=1)


@dataclass(frozen=True)
class Choice:
    """One person's ways of being told, for one Space (or, a member, for answers)."""

    email: bool = True
    push: bool = True
    #: Told outside the Space's opening hours too (else when it opens); admins only.
    outside_hours: bool = True


_NAMES = ("email", "push", "outside_hours")


@dataclass(frozen=True)
class Policy:
    """The site's e-mail settings and defaults."""

    #: Whether the site e-mails notifications at all.
    email: bool = True
    delay: timedelta = DEFAULT_DELAY
    team: Choice = Choice()
    member: Choice = Choice()


def _choice(found: object) -> Choice:
    """A default from the plugin's array (PHP's '1'/'0', true/false); what is missing: on."""
    found = found if isinstance(found, dict) else {}
    return Choice(**{name: str(found.get(name, "1")) not in ("0", "", "False") for name in _NAMES})


def policy(options: dict[str, str]) -> Policy:
    """The site's policy from its options (:data:`OPTIONS`); anything unreadable is left at
    its default."""
    delay = (options.get(OPTION_DELAY) or "").strip()
    defaults = php_unserialize(options.get(OPTION_DEFAULTS))
    defaults = defaults if isinstance(defaults, dict) else {}
    return Policy(
        email=(options.get(OPTION_EMAIL) or "1") != "0",
        delay=min(timedelta(seconds=int(delay)), MAX_DELAY) if is_digits(delay) else DEFAULT_DELAY,
        team=_choice(defaults.get("team")),
        member=_choice(defaults.get("member")),
    )


def site_policy(session: Session, keys: SiteKeys) -> Policy:
    """The site's policy, its options kept in memory :data:`KEPT` seconds."""
    return policy(keys.options(session, OPTIONS, ttl=KEPT))


def of(session: Session, user_id: int, space_id: int, default: Choice) -> tuple[Choice, bool]:
    """A person's choice for a Space (:data:`ANSWERS`: a member's), and whether it is their
    own (else it is *default*)."""
    n = tables_of(session).notify_choices
    row = session.execute(
        select(n.c.email, n.c.push, n.c.outside_hours).where(
            n.c.user_id == user_id, n.c.space_id == space_id
        )
    ).first()
    if row is None:
        return default, False
    return Choice(bool(row.email), bool(row.push), bool(row.outside_hours)), True


def choose(
    session: Session, user_id: int, space_id: int, current: Choice, changes: dict, now: datetime
) -> Choice:
    """Keep a person's choice: *current* with *changes* (``email``, ``push``,
    ``outside_hours``: what is left out stays)."""
    chosen = Choice(**{name: bool(changes.get(name, getattr(current, name))) for name in _NAMES})
    values = {**{name: int(getattr(chosen, name)) for name in _NAMES}, "updated_at": now}
    n = tables_of(session).notify_choices
    session.execute(
        mysql_insert(n)
        .values(user_id=user_id, space_id=space_id, **values)
        .on_duplicate_key_update(**values)
    )
    return chosen
