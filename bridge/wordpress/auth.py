"""WordPress identity, verified by the bridge itself from the shared database.

Ports of ``wp_validate_auth_cookie()``, ``wp_salt()``, ``wp_verify_nonce()`` and the
role lookup of ``WP_User`` (the plugin's signed calls are in :mod:`bridge.wordpress.signing`).
Nothing here trusts a user id that a request hands over: a user is who their cookie proves.

The verdict on a cookie or a nonce is WordPress' own for the same request, byte for byte:
the Cookie header, the query string and a form body are read as PHP reads them into
``$_COOKIE``, ``$_GET`` and ``$_POST`` (:mod:`bridge.wordpress.php_request`), and the
hmac covers the fields exactly as they were sent. Text taken from a request is kept as
``str`` whose bytes are recovered exactly (:func:`raw_bytes`): UTF-8, with any other byte
as a lone surrogate (``surrogateescape``).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from dataclasses import dataclass

import phpserialize
from sqlalchemy import ColumnElement, ScalarSelect, Select, bindparam, func, literal, select
from sqlalchemy.orm import Session

from bridge.config import KEY_NAMES
from bridge.storage.db import tables_of

#: What wp-config-sample.php ships: never a real key (wp_salt() treats it as unset).
PLACEHOLDER = "put your unique phrase here"
#: How long values read from wp_options (salts, siteurl, inbox URL) are kept in memory.
OPTIONS_TTL = 60.0
#: The grace WordPress gives an expired cookie on POST requests.
POST_GRACE = 3600


def is_digits(text: str) -> bool:
    """Whether text is ASCII digits only (``str.isdigit`` also takes '²' and other scripts)."""
    return text.isascii() and text.isdigit()


def raw_bytes(text: str) -> bytes:
    """The bytes a text taken from a request stands for (the inverse of :func:`raw_text`).

    Any other text (a lone surrogate that no byte stands for) is encoded as UTF-8 with its
    surrogates as they are: never equal to the ASCII a secret is written in.
    """
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def raw_text(data: bytes) -> str:
    """Bytes from a request as text: UTF-8, any other byte as a lone surrogate."""
    return data.decode("utf-8", "surrogateescape")


def is_utf8(text: str) -> bool:
    """Whether a text from :func:`raw_text` was UTF-8 throughout (no byte stood alone)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def same(expected: str, given: str | bytes) -> bool:
    """Compare a secret value in constant time, as PHP's ``hash_equals()``: byte for byte."""
    data = given if isinstance(given, bytes) else raw_bytes(given)
    return hmac.compare_digest(raw_bytes(expected), data)


@dataclass(frozen=True)
class WpUser:
    """A WordPress user proven by a logged-in cookie."""

    id: int
    login: str
    token: str
    #: When the proof ends: the cookie's expiration or its session's, whichever is first.
    expires: float = math.inf
    #: The :func:`login_fingerprint` the proof was made with: while the database's is the
    #: same, so is WordPress' verdict on the cookie (until ``expires``).
    fingerprint: str = ""


def php_unserialize(value: str | bytes | None):
    """Unserialize a WordPress meta or option value; None when it is not serialized data."""
    if value is None:
        return None
    raw = value.encode("utf-8") if isinstance(value, str) else value
    try:
        # From bytes: the s:N: lengths are byte counts, and UTF-8 must not be decoded first.
        return phpserialize.loads(raw, decode_strings=True)
    except (ValueError, TypeError, IndexError, UnicodeDecodeError, AttributeError):
        return None


def get_options(session: Session, names: tuple[str, ...]) -> dict[str, str]:
    """Read some wp_options values."""
    options = tables_of(session).options
    rows = session.execute(
        select(options.c.option_name, options.c.option_value).where(
            options.c.option_name.in_(names)
        )
    )
    return {row.option_name: row.option_value for row in rows}


class SiteKeys:
    """The site's salts and cookie name, from wp-config.php or, failing that, wp_options.

    Option values are kept for ``OPTIONS_TTL`` seconds: they change only when a site
    owner rotates them, and the hot path should not read them on every request.
    """

    def __init__(self, settings: dict) -> None:
        self._constants = {name: settings.get(name) for name in KEY_NAMES}
        self._cookiehash = settings.get("COOKIEHASH")
        self._cache: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()
        # wp_salt(): a value defined twice among the keys (or the placeholder) is unset.
        seen: dict[str, int] = {PLACEHOLDER: 2}
        for value in self._constants.values():
            if value:
                seen[str(value)] = seen.get(str(value), 0) + 1
        self._duplicated = {value for value, count in seen.items() if count > 1}

    def _constant(self, name: str) -> str | None:
        value = self._constants.get(name)
        # PHP's truthiness: "" and "0" count as unset, as in wp_salt().
        if value not in (None, "", "0", 0, False) and str(value) not in self._duplicated:
            return str(value)
        return None

    def kept_options(self, names: tuple[str, ...]) -> dict[str, str]:
        """The wp_options values among ``names`` still kept in memory (none are read)."""
        now = time.monotonic()
        with self._lock:
            return {n: v for n, (t, v) in self._cache.items() if n in names and t > now}

    def options(
        self, session: Session, names: tuple[str, ...], ttl: float = OPTIONS_TTL
    ) -> dict[str, str]:
        """Read wp_options values, kept in memory for ``ttl`` seconds."""
        now = time.monotonic()
        cached = self.kept_options(names)
        missing = tuple(n for n in names if n not in cached)
        if missing:
            fresh = get_options(session, missing)
            # Absent options are kept too (as ""): an option the site never sets, such
            # as the inbox URL, must not cost the polled hot path a read each time.
            fresh.update({name: "" for name in missing if name not in fresh})
            with self._lock:
                for name, value in fresh.items():
                    self._cache[name] = (now + ttl, value)
            cached.update(fresh)
        return cached

    def salt(self, session: Session, scheme: str) -> str | None:
        """Return ``wp_salt(scheme)`` for 'logged_in' or 'nonce'; None if WordPress has none yet."""
        values = {"key": self._constant("SECRET_KEY") or "", "salt": ""}
        wanted = []
        for kind in ("key", "salt"):
            constant = self._constant(f"{scheme}_{kind}".upper())
            if constant:
                values[kind] = constant
            elif not values[kind]:
                wanted.append(f"{scheme}_{kind}")
        if wanted:
            found = self.options(session, tuple(wanted))
            for name in wanted:
                if not found.get(name):
                    return None
                values[name.rsplit("_", 1)[1]] = found[name]
        return values["key"] + values["salt"]

    def cookie_name(self, session: Session) -> str | None:
        """Return the name of the logged-in cookie: ``wordpress_logged_in_`` + COOKIEHASH."""
        cookiehash = self._cookiehash
        if cookiehash is None:
            siteurl = self.options(session, ("siteurl",)).get("siteurl")
            if not siteurl:
                return None
            cookiehash = hashlib.md5(siteurl.encode("utf-8")).hexdigest()
        return f"wordpress_logged_in_{cookiehash}"


@dataclass(frozen=True)
class AuthCookie:
    """The fields of a logged-in cookie as ``wp_parse_auth_cookie()`` splits them: each the
    text as sent (:func:`raw_text`), which is what the hmac covers."""

    login: str
    expiration: str
    token: str
    hmac: str

    @property
    def expires(self) -> int:
        """The expiration as a number, for comparing it with the time only."""
        return int(self.expiration)


def parse_cookie(raw: str) -> AuthCookie | None:
    """Split a logged-in cookie (``$_COOKIE``'s value, already decoded) into its fields.

    ``wp_parse_auth_cookie()`` wants exactly four fields between '|'. Beyond that, a cookie
    is refused here when no cookie WordPress made can look like it, so that its hmac could
    never match: an empty field, an expiration other than ASCII digits (WordPress writes
    ``time() + seconds``), a login that is not UTF-8 (no login in the users table is).
    """
    parts = raw.split("|")
    if len(parts) != 4:
        return None
    login, expiration, token, mac = parts
    if not login or not is_digits(expiration) or not token or not mac or not is_utf8(login):
        return None
    return AuthCookie(login, expiration, token, mac)


def pass_frag(user_pass: str) -> str:
    """Return the part of the password hash that the cookie is bound to."""
    if user_pass.startswith(("$P$", "$2y$")):
        return user_pass[8:12]
    # WordPress 6.8+ ('$wp$2y$...' and other hashes): the last four characters.
    return user_pass[-4:]


def cookie_hmac(salt: str, login: str, frag: str, expiration: str | int, token: str) -> str:
    """Return the hmac field WordPress puts in a logged-in cookie.

    :param expiration: as written in the cookie: "0123" is not 123 to the hmac.
    """
    key = hmac.new(
        raw_bytes(salt), raw_bytes(f"{login}|{frag}|{expiration}|{token}"), hashlib.md5
    ).hexdigest()
    return hmac.new(
        key.encode(), raw_bytes(f"{login}|{expiration}|{token}"), hashlib.sha256
    ).hexdigest()


def usable_cookie(raw: str, *, now: float, is_post: bool = False) -> AuthCookie | None:
    """Return the fields of a well-formed, unexpired logged-in cookie, or None.

    As ``wp_validate_auth_cookie()``: expired when the expiration (plus an hour on a POST)
    is below PHP's ``time()``, whole seconds.
    """
    cookie = parse_cookie(raw)
    if cookie is None or cookie.expires + (POST_GRACE if is_post else 0) < math.floor(now):
        return None
    return cookie


def sessions_of(t) -> ScalarSelect:
    """The ``session_tokens`` usermeta of ``t.users.c.ID``, as a scalar subquery."""
    um = t.usermeta
    return (
        select(um.c.meta_value)
        .where(um.c.user_id == t.users.c.ID, um.c.meta_key == "session_tokens")
        .order_by(um.c.umeta_id)
        .limit(1)
        .scalar_subquery()
    )


def cookie_user(salt: str, cookie: AuthCookie, row, now: float) -> WpUser | None:
    """Return the user a cookie proves, given the row its login names
    (``wp_validate_auth_cookie``), or None.

    The hmac is computed over the cookie's own login (not the row's), expiration and token
    as sent, with the row's password fragment, and compared as ``hash_equals()`` does.
    WordPress finds the row with ``get_user_by('login')``: ``sanitize_user()`` then the
    column's collation, so 'JOHN' finds 'john', whose hmac then fails. The bridge looks the
    login up as it is, under the same collation: for every login WordPress itself stores
    (``wp_insert_user()`` keeps only ``[A-Za-z0-9 _.@-]``, trimmed, single spaces) that is
    the same row.

    :param cookie: from :func:`usable_cookie`.
    :param row: from :func:`login_statement`: ``ID``, ``user_pass``, ``sessions`` (the
        user's ``session_tokens``: a logout removes the token) and ``fingerprint``; None
        when no user has the login.
    """
    if row is None:
        return None
    frag = pass_frag(row.user_pass or "")
    expected = cookie_hmac(salt, cookie.login, frag, cookie.expiration, cookie.token)
    if not same(expected, cookie.hmac):
        return None
    session_ends = _session_expiration(row.sessions, cookie.token)
    if session_ends is None or session_ends < math.floor(now):
        return None
    return WpUser(
        id=int(row.ID),
        login=cookie.login,
        token=cookie.token,
        expires=min(cookie.expires, session_ends),
        fingerprint=row.fingerprint,
    )


def login_fingerprint(t, sessions: ScalarSelect) -> ColumnElement:
    """SHA-256 of everything in the database a cookie's verdict depends on: the login, the
    password hash (its fragment is in the hmac) and the ``session_tokens``.

    Whatever ends a session changes one of them, by WordPress' API or by hand (a direct
    change of the usermeta): a verdict kept since is true only while this is unchanged.
    The login comes first and holds no '|' (else no cookie names it), nor does a hash.
    """
    users = t.users.c
    joined = func.concat(users.user_login, "|", users.user_pass, "|", func.coalesce(sessions, ""))
    return func.sha2(joined, literal(256))


def login_statement(t) -> Select:
    """The user a cookie's login names, with their sessions: bound parameter ``login``.

    Its row (``ID``, ``user_pass``, ``session_tokens`` and their ``fingerprint``) is what
    :func:`cookie_user` checks a cookie against, on every request: a logout locks the
    cookie out at once.
    """
    sessions = sessions_of(t)
    return select(
        t.users.c.ID,
        t.users.c.user_pass,
        sessions.label("sessions"),
        login_fingerprint(t, sessions).label("fingerprint"),
    ).where(t.users.c.user_login == bindparam("login", type_=t.users.c.user_login.type))


def fingerprints_statement(t) -> Select:
    """``ID`` and :func:`login_fingerprint` of the users whose ids are bound as the list
    ``ids``: how open streams learn, together, that a login changed."""
    return select(t.users.c.ID, login_fingerprint(t, sessions_of(t)).label("fingerprint")).where(
        t.users.c.ID.in_(bindparam("ids", expanding=True))
    )


def usermeta(session: Session, user_id: int, key: str) -> str | None:
    um = tables_of(session).usermeta
    return session.execute(
        select(um.c.meta_value)
        .where(um.c.user_id == user_id, um.c.meta_key == key)
        .order_by(um.c.umeta_id)
        .limit(1)
    ).scalar()


def verifier(token: str) -> str:
    """``WP_Session_Tokens::hash_token()``: the key of a token's session in ``session_tokens``."""
    return hashlib.sha256(raw_bytes(token)).hexdigest()


def _session_expiration(stored: str | None, token: str) -> int | None:
    """The expiration of the token's session in ``session_tokens``, or None when it has none
    (``WP_Session_Tokens``: the session lives while its expiration is at least ``time()``)."""
    return session_ends(stored, verifier(token))


def session_ends(stored: str | None, key: str) -> int | None:
    """The expiration of the session a :func:`verifier` names in ``session_tokens``, or None."""
    sessions = php_unserialize(stored)
    if not isinstance(sessions, dict):
        return None
    entry = sessions.get(key)
    if isinstance(entry, int):  # a legacy session: a bare expiration
        entry = {"expiration": entry}
    if not isinstance(entry, dict):
        return None
    expiration = entry.get("expiration")
    return expiration if isinstance(expiration, int) else None


def rest_nonce(salt: str, user: WpUser, tick: int) -> str:
    """Return ``wp_create_nonce('wp_rest')`` for a user, session and tick."""
    data = raw_bytes(f"{tick}|wp_rest|{user.id}|{user.token}")
    return hmac.new(raw_bytes(salt), data, hashlib.md5).hexdigest()[-12:-2]


def nonce_tick(now: float, life: int) -> int:
    """``wp_nonce_tick()``: ``ceil(time() / (nonce_life / 2))``, of whole seconds."""
    return math.ceil(math.floor(now) / (life / 2))


def verify_rest_nonce(
    session: Session,
    keys: SiteKeys,
    user: WpUser,
    nonce: str | bytes | None,
    *,
    now: float,
    life: int,
) -> bool:
    """Check a nonce as ``wp_verify_nonce($nonce, 'wp_rest')`` does, for the user and the
    session token of their logged-in cookie (``wp_get_session_token()``).

    :param nonce: from :func:`request_nonce` (bytes as sent), or text; None when the
        request has none (``rest_cookie_check_errors()`` then logs the user out: refused).
    """
    data = nonce if isinstance(nonce, bytes) else raw_bytes(nonce or "")
    if data in (b"", b"0"):  # empty()
        return False
    salt = keys.salt(session, "nonce")
    if salt is None:
        return False
    tick = nonce_tick(now, life)
    # hash_equals() with the current tick's nonce, then the previous tick's.
    return any(same(rest_nonce(salt, user, t), data) for t in (tick, tick - 1))


def is_site_administrator(session: Session, user_id: int, prefix: str) -> bool:
    """Whether a user holds ``manage_options`` on the site (roles and own capabilities)."""
    caps = php_unserialize(usermeta(session, user_id, f"{prefix}capabilities"))
    if not isinstance(caps, dict):
        return False
    option = f"{prefix}user_roles"
    roles = php_unserialize(get_options(session, (option,)).get(option))
    roles = roles if isinstance(roles, dict) else {}
    # WP_User::get_role_caps(): every key that names a role brings the role's
    # capabilities; the user's own entries then overlay them (an explicit false denies).
    allcaps: dict = {}
    for name in caps:
        role = roles.get(name)
        if isinstance(role, dict) and isinstance(role.get("capabilities"), dict):
            allcaps.update(role["capabilities"])
    allcaps.update(caps)
    return bool(allcaps.get("manage_options"))
