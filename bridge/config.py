"""Settings: defaults, the site's wp-config.php and ``SPACE_INBOX_*`` variables.

The factory in :mod:`bridge` is the only caller: it hands over the environment, so no
other module reads it. A site owner configures nothing twice: the database, the table
prefix and the keys and salts are read from the very file WordPress itself loads.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from bridge import limits

#: The eight wp-config.php keys and salts (plus SECRET_KEY/SECRET_SALT, which wp_salt()
#: also consults).
KEY_NAMES = tuple(
    f"{first}_{second}"
    for first in ("AUTH", "SECURE_AUTH", "LOGGED_IN", "NONCE", "SECRET")
    for second in ("KEY", "SALT")
)

#: wp-config.php constants the bridge takes, besides the keys and salts.
WP_CONSTANTS = (
    "DB_NAME",
    "DB_USER",
    "DB_PASSWORD",
    "DB_HOST",
    "COOKIEHASH",
    "SPACE_INBOX_SECRET",
)

DEFAULTS: dict[str, object] = {
    "WP_CONFIG": None,
    "DATABASE_URL": None,
    "DB_NAME": None,
    "DB_USER": None,
    "DB_PASSWORD": "",
    "DB_HOST": "localhost",
    "TABLE_PREFIX": "wp_",
    "COOKIEHASH": None,
    "SECRET": None,
    # WordPress' nonce_life filter default (a day); a nonce lives 12 to 24 hours.
    "NONCE_LIFE": 86400,
    # Allowed clock skew of signed plugin calls, in seconds.
    "SIGNATURE_MAX_SKEW": limits.SIGNATURE_MAX_SKEW,
    "INBOX_URL": None,
    # Members' messages: at most COUNT per SECONDS, to one Space and overall ("off": none).
    "RATE_PER_SPACE": "20/600",
    "RATE_OVERALL": "60/3600",
    # Keep rate-limit counters in Redis instead of the database, e.g. redis://127.0.0.1:6379/0.
    "REDIS_URL": None,
    # A read replica of the database (a DB_HOST form, same user, password and database):
    # the reads that tolerate a little lag go there. Needs REDIS_URL.
    "REPLICA_HOST": None,
    # Seconds the replica may be behind the primary and still be read.
    "REPLICA_MAX_LAG": 1.0,
    # Where the dispatcher POSTs notification jobs; default: the site's REST route.
    "NOTIFY_URL": None,
    # The push services devices may subscribe with (Web Push): origins, a host may start
    # with "*." for its subdomains; space or comma separated. The bridge POSTs only there.
    "PUSH_SERVICES": (
        "https://fcm.googleapis.com https://*.push.services.mozilla.com"
        " https://*.notify.windows.com https://web.push.apple.com"
    ),
    # Seconds a dispatcher idles when no job is due.
    "DISPATCH_INTERVAL": 1,
    # Seconds a process keeps WordPress' list of active plugins: the plugin turned off takes
    # effect within them.
    "PLUGIN_CHECK_INTERVAL": 5,
    # Live streams one user may hold in one bridge process: a new one closes the oldest.
    "STREAMS_PER_USER": 5,
    # Live streams one bridge process holds at most (each an open file); beyond, pages poll.
    "STREAMS_PER_PROCESS": 10000,
    "PAGE_SIZE": 30,
    "DB_POOL_SIZE": 5,
    "DB_POOL_RECYCLE": 3600,
    "MAX_CONTENT_LENGTH": limits.REQUEST_BODY_MAX,
    "MYSQL_SOCKETS": ("/run/mysqld/mysqld.sock", "/var/run/mysqld/mysqld.sock"),
}

ENV_PREFIX = "SPACE_INBOX_"
_INT_SETTINGS = {
    "NONCE_LIFE",
    "SIGNATURE_MAX_SKEW",
    "PAGE_SIZE",
    "DB_POOL_SIZE",
    "DB_POOL_RECYCLE",
    "MAX_CONTENT_LENGTH",
    "DISPATCH_INTERVAL",
    "PLUGIN_CHECK_INTERVAL",
    "STREAMS_PER_USER",
    "STREAMS_PER_PROCESS",
}

# A PHP string literal or a comment; comments are dropped, strings kept, so that a
# commented-out define() is ignored and "//" inside a value survives.
_PHP_STRING_OR_COMMENT = re.compile(
    r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(//[^\n]*|\#[^\n]*|/\*.*?\*/)""",
    re.S,
)
_PHP_VALUE = r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d+|true|false|null)"""
_DEFINE = re.compile(
    r"""define\s*\(\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\s*,\s*""" + _PHP_VALUE,
    re.I,
)
_TABLE_PREFIX = re.compile(r"\$table_prefix\s*=\s*" + _PHP_VALUE, re.I)


class ConfigError(Exception):
    """A setting is missing or cannot be read."""


@dataclass(frozen=True)
class Rule:
    """At most ``count`` messages in each window of ``seconds``."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rule | None:
        """Read ``"COUNT/SECONDS"``; ``"off"`` or ``""`` turn the limit off."""
        if text in ("", "off", None):
            return None
        found = re.fullmatch(r"\s*(\d{1,9})\s*/\s*(\d{1,9})\s*", str(text))
        if not found or int(found.group(1)) < 1 or int(found.group(2)) < 1:
            raise ValueError(f"a rate limit is COUNT/SECONDS, e.g. 20/600, not {text!r}")
        return cls(int(found.group(1)), int(found.group(2)))


def _php_literal(token: str) -> str | int | bool | None:
    """Return the Python value of a PHP scalar literal."""
    low = token.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "null":
        return None
    if token[0] == "'":
        # Single quotes: only \\ and \' are escapes.
        return re.sub(r"\\([\\'])", r"\1", token[1:-1])
    if token[0] == '"':
        escapes = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "$": "$"}
        return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), token[1:-1])
    return int(token)


def parse_wp_config(text: str) -> dict[str, object]:
    """Read the constants and ``$table_prefix`` that a wp-config.php sets literally.

    Values computed at run time (``getenv()``, concatenation) are not PHP literals and
    are skipped: set them with ``SPACE_INBOX_*`` variables instead.
    """
    code = _PHP_STRING_OR_COMMENT.sub(lambda m: m.group(1) or " ", text)
    found: dict[str, object] = {}
    for name, value in _DEFINE.findall(code):
        found.setdefault(str(_php_literal(name)), _php_literal(value))
    prefix = _TABLE_PREFIX.search(code)
    if prefix:
        found["table_prefix"] = _php_literal(prefix.group(1))
    return found


def from_wp_config(path: str | os.PathLike) -> dict[str, object]:
    """Return bridge settings taken from a wp-config.php file.

    :raises ConfigError: when the file cannot be read.
    """
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ConfigError(f"cannot read wp-config.php at {path}: {exc.strerror}") from exc
    found = parse_wp_config(text)
    settings: dict[str, object] = {
        name: found[name] for name in WP_CONSTANTS + KEY_NAMES if name in found
    }
    if "SPACE_INBOX_SECRET" in settings:
        settings["SECRET"] = settings.pop("SPACE_INBOX_SECRET")
    if "table_prefix" in found:
        settings["TABLE_PREFIX"] = found["table_prefix"]
    return settings


def from_environment(environ: Mapping[str, str]) -> dict[str, object]:
    """Return the settings given as ``SPACE_INBOX_<NAME>`` variables."""
    settings: dict[str, object] = {}
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX):
            continue
        name = key[len(ENV_PREFIX) :]
        if name in _INT_SETTINGS:
            try:
                settings[name] = int(value)
            except ValueError as exc:
                raise ConfigError(f"{key} must be a whole number") from exc
        else:
            settings[name] = value
    return settings


def resolve(given: Mapping[str, object]) -> dict[str, object]:
    """Merge defaults, the wp-config.php named by ``WP_CONFIG`` and ``given`` (which wins)."""
    settings = dict(DEFAULTS)
    if given.get("WP_CONFIG"):
        settings.update(from_wp_config(str(given["WP_CONFIG"])))
    settings.update({k: v for k, v in given.items() if v is not None})
    if not re.fullmatch(r"[A-Za-z0-9_]+", str(settings["TABLE_PREFIX"])):
        raise ConfigError("the table prefix may hold only letters, digits and underscores")
    for name in ("STREAMS_PER_USER", "STREAMS_PER_PROCESS"):
        if int(settings[name]) < 1:
            raise ConfigError(f"{name} must be 1 or more")
    for name in ("RATE_PER_SPACE", "RATE_OVERALL"):
        try:
            Rule.parse(settings[name])
        except ValueError as exc:
            raise ConfigError(f"{name}: {exc}") from exc
    settings["SQLALCHEMY_URL"] = database_url(settings)
    settings["SITE_KEY"] = site_key(settings)
    if settings.get("REPLICA_HOST"):
        _replica(settings)
    return settings


def _replica(settings: dict[str, object]) -> None:
    """Check the replica's settings; set ``REPLICA_URL``, the primary's URL on its host."""
    if not settings.get("REDIS_URL"):
        raise ConfigError(
            "a replica needs Redis (SPACE_INBOX_REDIS_URL): it keeps which writes each "
            "user's reads must see"
        )
    try:
        lag = float(settings["REPLICA_MAX_LAG"])  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ConfigError("REPLICA_MAX_LAG must be a number of seconds") from exc
    if not 0 < lag <= 6:
        raise ConfigError("REPLICA_MAX_LAG must be more than 0 and at most 6 seconds")
    settings["REPLICA_MAX_LAG"] = lag
    host, port, socket = _host_parts(str(settings["REPLICA_HOST"]), settings)
    primary = make_url(settings["SQLALCHEMY_URL"])  # type: ignore[arg-type]
    query = {k: v for k, v in primary.query.items() if k != "unix_socket"}
    if socket:
        query["unix_socket"] = socket
    settings["REPLICA_URL"] = primary.set(
        host=host or "localhost", port=int(port) if port else None, query=query
    )


def site_key(settings: Mapping[str, object]) -> str:
    """What names one site in a Redis that several sites may share (the start of every key
    and channel the bridge uses there): its database and table prefix."""
    database = make_url(str(settings["SQLALCHEMY_URL"])).database
    return f"space-inbox:{database}:{settings['TABLE_PREFIX']}"


def _socket(settings: Mapping[str, object]) -> str | None:
    for path in settings["MYSQL_SOCKETS"]:  # type: ignore[union-attr]
        if os.path.exists(path):
            return str(path)
    return None


def _host_parts(
    host_spec: str, settings: Mapping[str, object]
) -> tuple[str, str | None, str | None]:
    """A ``DB_HOST`` value as host, port and socket, in every form WordPress' mysqli
    accepts: ``host``, ``host:port``, ``host:/path/to/socket``, ``[::1]:3306``; a bare
    ``localhost`` means the local socket, as it does for PHP."""
    host, port, socket = host_spec, None, None
    bracketed = re.fullmatch(r"\[([^\]]+)\](?::(\d+))?", host_spec)
    if bracketed:
        host, port = bracketed.group(1), bracketed.group(2)
    elif host_spec.count(":") == 1:
        host, rest = host_spec.split(":")
        if rest.isascii() and rest.isdigit():
            port = rest
        elif rest:
            socket = rest
    if host == "localhost" and port is None and socket is None:
        socket = _socket(settings)
    return host, port, socket


def database_url(settings: Mapping[str, object]) -> URL | str:
    """Build the SQLAlchemy URL from ``DATABASE_URL`` or the DB_* constants.

    ``DB_HOST`` takes every form :func:`_host_parts` does.
    """
    if settings.get("DATABASE_URL"):
        return str(settings["DATABASE_URL"])
    if not settings.get("DB_NAME") or not settings.get("DB_USER"):
        raise ConfigError(
            "no database configured: give --wp-config (or SPACE_INBOX_WP_CONFIG), "
            "or SPACE_INBOX_DB_NAME and SPACE_INBOX_DB_USER, or SPACE_INBOX_DATABASE_URL"
        )
    host, port, socket = _host_parts(str(settings.get("DB_HOST") or "localhost"), settings)
    query = {"charset": "utf8mb4"}
    if socket:
        query["unix_socket"] = socket
    return URL.create(
        "mysql+pymysql",
        username=str(settings["DB_USER"]),
        password=str(settings.get("DB_PASSWORD") or ""),
        host=host or "localhost",
        port=int(port) if port else None,
        database=str(settings["DB_NAME"]),
        query=query,
    )
