"""Abuse controls: rate limits on members' messages (database or Redis counters, shared by
every bridge process) and Space admins blocking a member."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from bridge import create_app
from bridge.storage import rate_limits
from bridge.storage.tables import tables
from devstack.callers import PREFIX, SECRET, SPACE, conversation_id, send

T = tables(PREFIX)
REDIS_URL = "redis://127.0.0.1:6379/15"


def _count(app, table) -> int:
    with app.extensions["space_inbox_engine"].connect() as c:
        return c.execute(select(func.count()).select_from(table)).scalar()


@pytest.fixture(params=["database", "redis"])
def limited(request, app, monkeypatch):
    """At most 3 messages a minute to one Space and 5 overall, counted where the site says."""
    if request.param == "redis":
        counters = rate_limits.RedisCounters(REDIS_URL, app.config["SITE_KEY"])
        counters._redis.flushdb()
    else:
        counters = rate_limits.DatabaseCounters()
    limiter = rate_limits.Limiter(rate_limits.Rule(3, 60), rate_limits.Rule(5, 60), counters)
    monkeypatch.setitem(app.extensions, "space_inbox_limiter", limiter)
    return request.param


def test_too_many_messages_to_one_space_get_429_with_retry_after(client, world, limited):
    member = world["member"]
    for n in range(3):
        assert send(client, member, SPACE, f"question {n}").status_code == 201
    refused = send(client, member, SPACE, "one more")
    assert refused.status_code == 429
    assert refused.get_json()["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # Another member is not held back by this one.
    assert send(client, world["other_member"], SPACE, "hello").status_code == 201


def test_the_overall_limit_spans_spaces(client, world, limited):
    from devstack.callers import upsert_space

    member = world["member"]
    for space_id in (601, 602):
        upsert_space(client, space_id, f"Space {space_id}", [world["admin"].user_id])
    statuses = [send(client, member, 601 + n % 2, f"m{n}").status_code for n in range(6)]
    assert statuses == [201] * 5 + [429]


def test_a_retry_of_an_accepted_message_is_never_limited(app, client, world, limited):
    member = world["member"]
    key = uuid.uuid4().hex
    assert send(client, member, SPACE, "first", key).status_code == 201
    for n in range(2):
        send(client, member, SPACE, f"more {n}")
    assert send(client, member, SPACE, "over").status_code == 429
    again = send(client, member, SPACE, "first", key)
    assert again.status_code == 201
    assert _count(app, T.messages) == 3


def test_refused_messages_write_nothing(app, client, world, limited):
    member = world["member"]
    for n in range(3):
        send(client, member, SPACE, f"q{n}")
    messages, jobs = _count(app, T.messages), _count(app, T.outbox)
    assert send(client, member, SPACE, "too many").status_code == 429
    assert (_count(app, T.messages), _count(app, T.outbox)) == (messages, jobs)


def test_database_counters_hold_across_bridge_processes(app, wordpress, world):
    """Two apps (two bridge processes) on one database share the counters."""
    other = create_app(
        {
            "WP_CONFIG": str(wordpress.wp_config_path),
            "SECRET": SECRET,
            "RATE_PER_SPACE": "2/60",
            "RATE_OVERALL": "off",
        }
    )
    app.extensions["space_inbox_limiter"] = rate_limits.from_settings(
        {"RATE_PER_SPACE": "2/60", "RATE_OVERALL": "off"}
    )
    try:
        first, second = app.test_client(use_cookies=False), other.test_client(use_cookies=False)
        member = world["member"]
        assert send(first, member, SPACE, "a").status_code == 201
        assert send(second, member, SPACE, "b").status_code == 201
        assert send(first, member, SPACE, "c").status_code == 429
        assert send(second, member, SPACE, "d").status_code == 429
    finally:
        app.extensions["space_inbox_limiter"] = rate_limits.from_settings(
            {"RATE_PER_SPACE": "off", "RATE_OVERALL": "off"}
        )
        other.extensions["space_inbox_engine"].dispose()


def test_sites_sharing_a_redis_count_apart(app):
    """Two sites on one Redis: the same member id on each has a quota of its own, and every
    key the counters write names its site."""
    rule = rate_limits.Rule(1, 60)
    ours = rate_limits.RedisCounters(REDIS_URL, app.config["SITE_KEY"])
    theirs = rate_limits.RedisCounters(REDIS_URL, "space-inbox:another_site:wp_")
    ours._redis.flushdb()
    assert [ours.hit(None, "m7", rule, 1000.0) for _ in range(2)] == [1, 2]
    assert theirs.hit(None, "m7", rule, 1000.0) == 1
    keys = sorted(k.decode() for k in ours._redis.keys("*"))
    assert keys == [
        "space-inbox:another_site:wp_:rate:m7:16",
        f"{app.config['SITE_KEY']}:rate:m7:16",
    ]
    assert app.config["SITE_KEY"].startswith("space-inbox:si_test_")


@pytest.mark.parametrize("text", ["20/600", " 1 / 1 ", "off", ""])
def test_rules_parse(text):
    rule = rate_limits.Rule.parse(text)
    assert rule is None if text in ("off", "") else rule.count >= 1


@pytest.mark.parametrize("text", ["20", "0/60", "5/0", "a/b", "-1/60", "1/60/2"])
def test_bad_rules_are_refused(text):
    with pytest.raises(ValueError):
        rate_limits.Rule.parse(text)


# -- blocking ----------------------------------------------------------------------------


def _block(client, admin, cid, blocked: bool):
    return client.post(
        f"/api/v1/spaces/{SPACE}/conversations/{cid}/block",
        json={"blocked": blocked},
        headers=admin.headers(),
    )


def test_a_blocked_member_is_told_politely_and_can_be_unblocked(app, client, world):
    member, admin = world["member"], world["admin"]
    assert send(client, member, SPACE, "hello").status_code == 201
    cid = conversation_id(client, admin, SPACE, member)
    answer = _block(client, admin, cid, True)
    assert answer.status_code == 200 and answer.get_json() == {"id": cid, "blocked": True}

    refused = send(client, member, SPACE, "let me in")
    assert refused.status_code == 403
    body = refused.get_json()
    assert body["code"] == "blocked_by_space"
    assert "Pizzeria Napoli" in body["message"] and admin.display_name not in str(body)
    page = client.get(f"/api/v1/me/spaces/{SPACE}/messages", headers=member.headers()).get_json()
    assert page["space"]["accepting_messages"] is False
    assert [m["body"] for m in page["messages"]] == ["hello"]  # history stays
    listing = client.get(f"/api/v1/spaces/{SPACE}/conversations", headers=admin.headers())
    assert listing.get_json()["conversations"][0]["blocked"] is True

    with app.extensions["space_inbox_engine"].connect() as c:
        actions = c.execute(select(T.audit.c.action, T.audit.c.actor_id)).all()
    assert ("block", admin.user_id) in actions

    assert _block(client, world["admin2"], cid, False).status_code == 200
    assert send(client, member, SPACE, "thanks").status_code == 201
    with app.extensions["space_inbox_engine"].connect() as c:
        actions = c.execute(select(T.audit.c.action, T.audit.c.actor_id)).all()
    assert ("unblock", world["admin2"].user_id) in actions


@pytest.mark.parametrize("kind", ["member", "other_space_admin", "site_admin", "removed_admin"])
def test_only_the_spaces_admins_may_block(client, world, kind):
    member = world["member"]
    send(client, member, SPACE, "hello")
    cid = conversation_id(client, world["admin"], SPACE, member)
    assert _block(client, world[kind], cid, True).status_code == 403
    assert send(client, member, SPACE, "still here").status_code == 201


@pytest.mark.parametrize("payload", [{}, {"blocked": "yes"}, {"blocked": 1}, {"blocked": None}])
def test_block_refuses_bad_input(client, world, payload):
    member, admin = world["member"], world["admin"]
    send(client, member, SPACE, "hello")
    cid = conversation_id(client, admin, SPACE, member)
    answer = client.post(
        f"/api/v1/spaces/{SPACE}/conversations/{cid}/block", json=payload, headers=admin.headers()
    )
    assert answer.status_code == 400
