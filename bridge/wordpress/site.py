"""What WordPress says of the plugin: whether it is on, active on the site or its network.

While the plugin is off (deactivated, or deleted), nobody hears the bridge's notifications
and no page offers the inbox: members' and teams' writes are refused (:func:`require_on`)
and the dispatcher leaves the waiting jobs for the plugin's return.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

from bridge.refusals import Unavailable
from bridge.wordpress.auth import SiteKeys, php_unserialize

#: The plugin's main file, in whatever folder the site installed it.
PLUGIN_FILE = "space-inbox.php"


def _lists_plugin(stored: str | None) -> bool:
    """Whether a serialized list of plugins (``active_plugins``: index => file, or
    ``active_sitewide_plugins``: file => time) names the plugin."""
    found = php_unserialize(stored)
    if not isinstance(found, dict):
        return False
    return any(
        isinstance(entry, str) and (entry == PLUGIN_FILE or entry.endswith("/" + PLUGIN_FILE))
        for entry in (*found.keys(), *found.values())
    )


def plugin_on(session: Session, keys: SiteKeys, prefix: str, kept_for: float) -> bool:
    """Whether WordPress has the plugin active: on the site, else on its network. The site's
    list is kept in memory *kept_for* seconds (the ``PLUGIN_CHECK_INTERVAL`` setting)."""
    if _lists_plugin(keys.options(session, ("active_plugins",), ttl=kept_for)["active_plugins"]):
        return True
    try:  # a network's main site: its sitemeta lists the network-wide plugins
        network = session.execute(
            text(
                f"SELECT meta_value FROM `{prefix}sitemeta`"  # noqa: S608 - the site's prefix
                " WHERE meta_key = 'active_sitewide_plugins' LIMIT 1"
            )
        ).scalar()
    except ProgrammingError:  # no such table: not a network
        return False
    return _lists_plugin(network)


def require_on(session: Session, keys: SiteKeys, prefix: str, kept_for: float) -> None:
    """Refuse a write while the plugin is off."""
    if not plugin_on(session, keys, prefix, kept_for):
        raise Unavailable(
            "inbox_off",
            "The Space inbox is turned off on this site.",
            "The site's administrators turned the Space Inbox plugin off: nothing can be"
            " sent until it is on again.",
        )


#: The options the member inbox's address comes from (:func:`inbox_url`).
INBOX_OPTIONS = ("space_inbox_inbox_url", "home")


def inbox_url(configured: str | None, options: dict[str, str]) -> str:
    """The member inbox's address: the ``INBOX_URL`` setting, else the plugin's option, else
    the site's home (*options*: :data:`INBOX_OPTIONS`)."""
    return configured or options.get("space_inbox_inbox_url") or options.get("home") or "/"
