"""Signed calls from the plugin: forged, replayed and stale ones are refused, bad batches
change nothing, and the events do what they say."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from sqlalchemy import func, select

from bridge import create_app
from bridge.storage.tables import tables
from bridge.wordpress import signing
from devstack.callers import PREFIX, SECRET, SPACE, event, signed_post

T = tables(PREFIX)
EVENTS = "/api/v1/events"


def _space_event(**overrides) -> dict:
    data = {
        "space_id": SPACE,
        "name": "Market on Sundays",
        "slug": "market",
        "url": "https://example.org/spaces/market/",
        "avatar_url": "https://example.org/a.png",
        "admin_ids": [11, 12],
        **overrides,
    }
    return event("space.upserted", **data)


def _counts(app) -> tuple:
    with app.extensions["space_inbox_engine"].connect() as c:
        return tuple(
            c.execute(select(func.count()).select_from(table)).scalar()
            for table in (T.spaces, T.space_admins, T.events_seen, T.user_flags)
        )


def _team(app, space_id=SPACE) -> list[int]:
    with app.extensions["space_inbox_engine"].connect() as c:
        return sorted(
            c.execute(
                select(T.space_admins.c.user_id).where(T.space_admins.c.space_id == space_id)
            ).scalars()
        )


def test_a_signed_batch_is_applied(app, client):
    answer = signed_post(client, EVENTS, {"events": [_space_event()]})
    assert answer.status_code == 200
    assert answer.get_json() == {"applied": 1, "duplicates": 0}
    assert _team(app) == [11, 12]


def test_the_full_team_replaces_the_old_one(app, client):
    signed_post(client, EVENTS, {"events": [_space_event(admin_ids=[11, 12, 13])]})
    signed_post(client, EVENTS, {"events": [_space_event(admin_ids=[13, 14])]})
    assert _team(app) == [13, 14]
    signed_post(client, EVENTS, {"events": [_space_event(admin_ids=[])]})
    assert _team(app) == []


def test_a_replayed_event_id_is_accepted_and_ignored(app, client):
    first = _space_event(admin_ids=[11])
    assert signed_post(client, EVENTS, {"events": [first]}).get_json()["applied"] == 1
    signed_post(client, EVENTS, {"events": [_space_event(admin_ids=[12])]})
    # The same event again (a retry from the plugin's queue) must not undo the later one.
    again = signed_post(client, EVENTS, {"events": [first]})
    assert again.status_code == 200
    assert again.get_json() == {"applied": 0, "duplicates": 1}
    assert _team(app) == [12]


def test_events_apply_in_order_within_a_batch(app, client):
    batch = [
        _space_event(admin_ids=[11]),
        event("space.deleted", space_id=SPACE),
        _space_event(admin_ids=[12]),
        event("user.spammed", user_id=12, spam=True),
        event("user.deleted", user_id=12),
    ]
    assert signed_post(client, EVENTS, {"events": batch}).get_json()["applied"] == 5
    assert _team(app) == []
    with app.extensions["space_inbox_engine"].connect() as c:
        assert c.execute(select(T.spaces.c.status)).scalar() == "active"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Space-Inbox-Timestamp": "1"},
        {"X-Space-Inbox-Signature": "ab" * 32},
    ],
)
def test_unsigned_calls_are_401(app, client, headers):
    before = _counts(app)
    answer = client.post(EVENTS, json={"events": [_space_event()]}, headers=headers)
    assert answer.status_code == 401
    assert answer.get_json()["code"] == "signature_required"
    assert _counts(app) == before


REQUEST = "0123456789abcdef0123456789abcdef"


def _post(client, body: bytes, stamp: str, sig: str, request_id: str = REQUEST, path=EVENTS):
    return client.post(
        path,
        data=body,
        content_type="application/json",
        headers={
            signing.TIMESTAMP_HEADER: stamp,
            signing.REQUEST_HEADER: request_id,
            signing.SIGNATURE_HEADER: sig,
        },
    )


def test_forged_signatures_are_403(app, client):
    body = json.dumps({"events": [_space_event()]}).encode()
    stamp = str(int(time.time()))
    before = _counts(app)

    def signed(secret=SECRET, method="POST", endpoint="events", at=stamp, rid=REQUEST, data=body):
        return signing.signature(secret, method, endpoint, at, rid, data)

    cases = [
        (signed(secret="wrong secret"), REQUEST),
        (signed(data=body + b" "), REQUEST),  # signed another body
        (signed(at=str(int(stamp) - 1)), REQUEST),  # signed another timestamp
        (signed(endpoint="privacy/erase"), REQUEST),  # signed for another endpoint
        (signed(method="PUT"), REQUEST),  # signed for another method
        (signed(rid="f" * 32), REQUEST),  # signed another request id
        (signed(rid="ABC"), "ABC"),  # a request id not of the form
        ("", REQUEST),
        ("zz" * 32, REQUEST),
        (signed()[:-1], REQUEST),
    ]
    for sig, request_id in cases:
        answer = _post(client, body, stamp, sig or "x", request_id)
        assert answer.status_code == 403, sig
        assert answer.get_json()["code"] == "bad_signature"
    assert _counts(app) == before


@pytest.mark.parametrize("skew", [-301, 301, -100000, 10**12])
def test_stale_or_future_timestamps_are_403(app, client, skew):
    before = _counts(app)
    stamp = int(time.time()) + skew
    answer = signed_post(client, EVENTS, {"events": [_space_event()]}, timestamp=stamp)
    assert answer.status_code == 403
    assert answer.get_json()["code"] == "stale_signature"
    assert _counts(app) == before


@pytest.mark.parametrize("stamp", ["abc", "-5", "1.5", " 1", "١٢٣"])
def test_malformed_timestamps_are_refused(client, stamp):
    body = json.dumps({"events": [_space_event()]}).encode()
    answer = _post(
        client, body, stamp, signing.signature(SECRET, "POST", "events", stamp, REQUEST, body)
    )
    assert answer.status_code == 403


def test_a_replayed_request_is_refused_and_changes_nothing(app, client):
    """Capturing a signed request and sending it again within the window is refused; the
    same events in a new call are taken as seen before."""
    batch = {"events": [_space_event(admin_ids=[99])]}
    body = json.dumps(batch).encode()
    headers = signing.signed_headers(SECRET, "events", body)
    sig, stamp, request_id = (
        headers[signing.SIGNATURE_HEADER],
        headers[signing.TIMESTAMP_HEADER],
        headers[signing.REQUEST_HEADER],
    )
    assert _post(client, body, stamp, sig, request_id).get_json()["applied"] == 1
    signed_post(client, EVENTS, {"events": [_space_event(admin_ids=[11])]})
    replayed = _post(client, body, stamp, sig, request_id)
    assert replayed.status_code == 403
    assert replayed.get_json()["code"] == "replayed_request"
    assert signed_post(client, EVENTS, batch).get_json() == {"applied": 0, "duplicates": 1}
    assert _team(app) == [11]


SIGNED_CALLS = {
    "events": {
        "events": [
            {
                "id": "d6f0c1d2-0000-4000-8000-000000000001",
                "type": "space.deleted",
                "data": {"space_id": 4242},
            }
        ]
    },
    "privacy/export": {"user_id": 4242, "page": 1},
    "privacy/erase": {"user_id": 4242},
}


@pytest.mark.parametrize("made_for", sorted(SIGNED_CALLS))
def test_a_signed_call_is_good_only_once_and_only_where_it_was_signed(app, client, made_for):
    """A captured call (privacy/export, say) replayed to every signed endpoint: refused at
    each other one, and at its own the second time."""
    body = json.dumps(SIGNED_CALLS[made_for]).encode()
    headers = signing.signed_headers(SECRET, made_for, body)
    sig, stamp, request_id = (
        headers[signing.SIGNATURE_HEADER],
        headers[signing.TIMESTAMP_HEADER],
        headers[signing.REQUEST_HEADER],
    )
    before = _counts(app)
    for other in sorted(set(SIGNED_CALLS) - {made_for}):
        answer = _post(client, body, stamp, sig, request_id, path=f"/api/v1/{other}")
        assert answer.status_code == 403, (made_for, other)
        assert answer.get_json()["code"] == "bad_signature"
    assert _counts(app) == before
    first = _post(client, body, stamp, sig, request_id, path=f"/api/v1/{made_for}")
    assert first.status_code == 200, first.get_json()
    again = _post(client, body, stamp, sig, request_id, path=f"/api/v1/{made_for}")
    assert again.status_code == 403 and again.get_json()["code"] == "replayed_request"


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        ("events", {"events": [], "extra": 1}),
        ("privacy/export", {"user_id": 4242, "page": 1, "erase": True}),
        ("privacy/erase", {"user_id": 4242, "page": 1}),
    ],
)
def test_a_field_an_endpoint_does_not_declare_is_refused(app, client, endpoint, body):
    before = _counts(app)
    answer = signed_post(client, f"/api/v1/{endpoint}", body)
    assert answer.status_code == 400
    assert answer.get_json()["code"] == "unknown_field"
    assert _counts(app) == before


BAD_BATCHES = [
    {},
    {"events": []},
    {"events": "x"},
    {"events": [_space_event() for _ in range(501)]},
    {"events": [{"id": "not-a-uuid", "type": "space.deleted", "data": {"space_id": 1}}]},
    {"events": [event("space.exploded", space_id=1)]},
    {"events": [event("space.deleted", space_id=0)]},
    {"events": [event("space.deleted", space_id=-3)]},
    {"events": [event("space.deleted", space_id="7")]},
    {"events": [event("space.deleted", space_id=True)]},
    {"events": [event("space.deleted", space_id=2**64)]},
    {"events": [event("user.spammed", user_id=3, spam="yes")]},
    {"events": [_space_event(name="")]},
    {"events": [_space_event(name="x" * 256)]},
    {"events": [_space_event(name="bad\x00name")]},
    {"events": [_space_event(admin_ids="1,2")]},
    {"events": [_space_event(admin_ids=[1, "2"])]},
    {"events": [_space_event(url=["x"])]},
    {"events": [{"id": str(uuid.uuid4()), "type": "space.deleted"}]},
    # One good event before a bad one: the whole batch is refused, nothing applied.
    {"events": [_space_event(), event("user.deleted", user_id="me")]},
    [],
]


@pytest.mark.parametrize("batch", BAD_BATCHES)
def test_bad_batches_are_400_and_change_nothing(app, client, batch):
    before = _counts(app)
    answer = signed_post(client, EVENTS, batch)
    assert answer.status_code == 400, answer.get_json()
    assert answer.get_json()["code"] in ("invalid_events", "invalid_event", "invalid_json")
    assert _counts(app) == before


def test_a_body_that_is_not_json_is_refused(app, client):
    before = _counts(app)
    assert signed_post(client, EVENTS, b"{not json").status_code == 400
    assert signed_post(client, EVENTS, b"\xff\xfe").status_code == 400
    assert _counts(app) == before


def test_without_a_configured_secret_the_plugins_option_is_used(app, wordpress):
    """The plugin creates the option space_inbox_secret on activation; the bridge reads it."""
    app = create_app({"WP_CONFIG": str(wordpress.wp_config_path)})
    client = app.test_client(use_cookies=False)
    body = {"events": [_space_event()]}
    try:
        wordpress.sql("DELETE FROM {prefix}options WHERE option_name = 'space_inbox_secret'")
        refused = signed_post(client, EVENTS, body, secret="anything")
        assert refused.status_code == 403 and refused.get_json()["code"] == "no_secret"
        wordpress.sql(
            "INSERT INTO {prefix}options (option_name, option_value, autoload) "
            "VALUES ('space_inbox_secret', 'from-the-option', 'yes')"
        )
        assert signed_post(client, EVENTS, body, secret="from-the-option").status_code == 200
        assert signed_post(client, EVENTS, body, secret=SECRET).status_code == 403
    finally:
        wordpress.sql("DELETE FROM {prefix}options WHERE option_name = 'space_inbox_secret'")
        app.extensions["space_inbox_engine"].dispose()
