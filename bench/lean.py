"""A prototype of the header poll's hot path as the benchmark recommends it, to measure.

Not shipped, not used by the plugin: it exists so that ``make bench`` can show, side by
side with the bridge, what the recommended changes buy. It answers
``GET /api/v1/me/summary`` with the very same checks and the very same JSON as the
bridge (the benchmark compares both answers for the same member before it loads them):

- the ``wordpress_logged_in_*`` cookie: HMAC over login, password fragment, expiration and
  token with the site's keys (``bridge.auth``), then the token must be a live entry of the
  user's ``session_tokens`` (read on every request: a logout locks out at once);
- the member's unread counters and the Spaces they administer with their unread counts.

What differs is only how it talks to MariaDB:

1. two round trips instead of ten: the user row and its ``session_tokens`` in one
   statement (a LEFT JOIN), the member's counters and the administered Spaces in another
   (UNION ALL);
2. no ``pool_pre_ping`` (a ping per checkout), no reset ROLLBACK on checkin
   (``pool_reset_on_return=None``), no COMMIT: reads run in AUTOCOMMIT, each statement
   seeing what is committed, which is what READ COMMITTED gave;
3. one pooled DB-API connection per request, plain SQL strings: no ORM ``Session``, no
   SQL construction or compilation on the hot path.

    SPACE_INBOX_WP_CONFIG=.../wp-config.php gunicorn ... 'bench.lean:create_app()'
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time

from flask import Flask, jsonify, request
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bridge import auth
from bridge import config as settings_module
from bridge.tables import own, tables


def create_app(config: dict | None = None) -> Flask:
    """The prototype app, configured like the bridge (wp-config.php, SPACE_INBOX_*)."""
    given = settings_module.from_environment(os.environ) if config is None else config
    settings = settings_module.resolve(given)
    prefix = settings["TABLE_PREFIX"]
    p = own(prefix)
    engine = create_engine(
        settings["SQLALCHEMY_URL"],
        pool_size=settings["DB_POOL_SIZE"],
        pool_recycle=settings["DB_POOL_RECYCLE"],
        pool_pre_ping=False,
        pool_reset_on_return=None,
        isolation_level="AUTOCOMMIT",
    )
    keys = auth.SiteKeys(settings)
    tbl = tables(prefix)
    # Plain DB-API statements (pyformat), sent as they are.
    who = (
        f"SELECT u.ID, u.user_pass, m.meta_value FROM `{prefix}users` u"
        f" LEFT JOIN `{prefix}usermeta` m ON m.user_id = u.ID AND m.meta_key = 'session_tokens'"
        " WHERE u.user_login = %s ORDER BY m.umeta_id LIMIT 1"
    )
    counts = (
        "SELECT 0 AS kind, CAST(0 AS UNSIGNED) AS id, '' AS name,"
        " COALESCE(SUM(member_unread), 0) AS a, COUNT(*) AS b"
        f" FROM `{p}conversations` WHERE member_id = %(uid)s AND member_unread > 0"
        " UNION ALL"
        " SELECT 1, s.id, s.name, COALESCE((SELECT SUM(c.space_unread)"
        f" FROM `{p}conversations` c WHERE c.space_id = s.id AND c.space_unread > 0), 0), 0"
        f" FROM `{p}space_admins` sa JOIN `{p}spaces` s ON s.id = sa.space_id"
        " WHERE sa.user_id = %(uid)s AND s.status = 'active'"
        " ORDER BY kind, name, id"
    )

    app = Flask(__name__)
    app.json.sort_keys = False
    app.extensions["space_inbox_engine"] = engine

    def site_values() -> tuple[str | None, str | None, str]:
        # SiteKeys keeps option values for a minute; the Session connects only on a miss.
        with Session(bind=engine, info={"tables": tbl}) as session:
            name = keys.cookie_name(session)
            salt = keys.salt(session, "logged_in")
            inbox = settings.get("INBOX_URL")
            if not inbox:
                found = keys.options(session, ("space_inbox_inbox_url", "home"))
                inbox = found.get("space_inbox_inbox_url") or found.get("home") or "/"
            if session.in_transaction():
                session.commit()
        return name, salt, inbox

    def user_id(cur, cookie_name: str | None, salt: str | None) -> int | None:
        raw = request.cookies.get(cookie_name) if cookie_name else None
        parsed = auth.parse_cookie(raw) if raw else None
        now = time.time()
        if parsed is None or salt is None:
            return None
        login, expiration, token, mac = parsed
        if expiration < now:
            return None
        cur.execute(who, (login,))
        row = cur.fetchone()
        if row is None:
            return None
        expected = auth.cookie_hmac(salt, login, auth.pass_frag(row[1] or ""), expiration, token)
        if not hmac.compare_digest(expected, mac):
            return None
        sessions = auth.php_unserialize(row[2])
        if not isinstance(sessions, dict):
            return None
        entry = sessions.get(hashlib.sha256(token.encode()).hexdigest())
        if isinstance(entry, int):
            entry = {"expiration": entry}
        if not isinstance(entry, dict):
            return None
        live = entry.get("expiration")
        return int(row[0]) if isinstance(live, int) and live >= now else None

    @app.get("/api/v1/me/summary")
    def summary():
        cookie_name, salt, inbox = site_values()
        # A pooled DB-API connection in autocommit: returned without ROLLBACK or ping.
        dbapi = engine.raw_connection()
        try:
            with dbapi.cursor() as cur:
                uid = user_id(cur, cookie_name, salt)
                if uid is not None:
                    cur.execute(counts, {"uid": uid})
                    rows = cur.fetchall()
        finally:
            dbapi.close()
        if uid is None:
            answer = jsonify(
                {"code": "not_logged_in", "message": "Log in to WordPress to use the inbox."}
            )
            answer.status_code = 401
            return answer
        mine = next(r for r in rows if r[0] == 0)
        body = {"unread": int(mine[3]), "conversations_unread": int(mine[4]), "inbox_url": inbox}
        spaces = [{"id": int(r[1]), "name": r[2], "unread": int(r[3])} for r in rows if r[0] == 1]
        if spaces:
            body["spaces"] = spaces
        response = jsonify(body)
        response.headers["Cache-Control"] = "private, no-cache"
        response.vary.add("Cookie")
        response.add_etag()
        return response.make_conditional(request)

    @app.get("/health")
    def health():
        return {"status": "ok"}

    return app
