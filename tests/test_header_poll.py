"""The header poll, ``GET /api/v1/me/summary``, is the hot path: one statement to MariaDB
and nothing else, with the same answers as the rules that hold everywhere else.

Who may see what through it is tested with every other route (test_wordpress_auth,
test_authorization, test_inbox_rules); here: what it sends to MariaDB, and what it does
when its pooled connection died.
"""

from __future__ import annotations

from collections import Counter

import pymysql
import pytest
from sqlalchemy import text

from devstack.callers import OTHER_SPACE, SPACE, send, upsert_space

SUMMARY = "/api/v1/me/summary"


@pytest.fixture
def sent(monkeypatch) -> Counter:
    """Count what PyMySQL sends to MariaDB: statements, COMMIT, ROLLBACK, pings."""
    counts: Counter = Counter()
    cls = pymysql.connections.Connection
    for name in ("query", "commit", "rollback", "ping", "begin"):
        original = getattr(cls, name)

        def counted(conn, *args, _name=name, _original=original, **kwargs):
            counts[_name] += 1
            return _original(conn, *args, **kwargs)

        monkeypatch.setattr(cls, name, counted)
    return counts


@pytest.mark.parametrize("kind", ["member", "admin", "forged", "other_member", "site_admin"])
def test_a_poll_is_one_statement_and_no_transaction(client, world, sent, kind):
    send(client, world["member"], SPACE, "Open on Sunday?")
    caller = world[kind]
    client.get(SUMMARY, headers=caller.headers())  # the site's options are read once a minute
    sent.clear()
    answer = client.get(SUMMARY, headers=caller.headers())
    assert answer.status_code == (401 if kind == "forged" else 200)
    assert sent == Counter(query=1)


def test_a_cookie_that_cannot_be_a_login_costs_no_statement(client, world, sent):
    cookie = world["member"].cookie.split("%7C")[0]  # the login alone
    client.get(SUMMARY, headers={"Cookie": cookie})
    sent.clear()
    assert client.get(SUMMARY, headers={"Cookie": cookie}).status_code == 401
    assert sum(sent.values()) == 0


def test_the_poll_leaves_no_transaction_open(app, client, world):
    """Its connection is in autocommit: a poll holds no snapshot and no metadata lock."""
    assert client.get(SUMMARY, headers=world["admin"].headers()).status_code == 200
    engine = app.extensions["space_inbox_header"].engine
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT @@autocommit").scalar() == 1
        assert (
            conn.exec_driver_sql(
                "SELECT COUNT(*) FROM information_schema.innodb_trx"
                " WHERE trx_mysql_thread_id = CONNECTION_ID()"
            ).scalar()
            == 0
        )


def _connection_ids(engine, n: int) -> list[int]:
    """Check out n of the pool's connections at once and return their MariaDB ids."""
    held = [engine.connect() for _ in range(n)]
    try:
        return [c.exec_driver_sql("SELECT CONNECTION_ID()").scalar() for c in held]
    finally:
        for conn in held:
            conn.close()


def test_the_poll_answers_after_its_pooled_connections_were_killed(app, client, world):
    """No ping per poll: a connection found dead is replaced and the statement run again."""
    admin = world["admin"]
    upsert_space(client, OTHER_SPACE, "T-Shirt Shop", [admin.user_id])
    send(client, world["member"], SPACE, "Allergens in the margherita?")
    before = client.get(SUMMARY, headers=admin.headers())
    assert before.status_code == 200
    engine = app.extensions["space_inbox_header"].engine
    idle = engine.pool.checkedin()
    pooled = _connection_ids(engine, idle)
    # What a MariaDB restart or wait_timeout does to idle pooled connections.
    with app.extensions["space_inbox_engine"].connect() as root:
        for connection_id in pooled:
            root.execute(text(f"KILL {int(connection_id)}"))
    after = client.get(SUMMARY, headers=admin.headers())
    assert after.status_code == 200, after.get_json()
    assert after.get_json() == before.get_json()
    assert after.get_json()["spaces"] == [
        {"id": SPACE, "name": "Pizzeria Napoli", "unread": 1},
        {"id": OTHER_SPACE, "name": "T-Shirt Shop", "unread": 0},
    ]
    assert not set(_connection_ids(engine, idle)) & set(pooled)
