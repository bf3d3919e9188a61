"""Hostile and broken requests get a clear error in the documented shape, never a 500."""

from __future__ import annotations

import pytest

from bridge import refusals
from bridge.api.errors import STATUSES
from devstack.callers import SPACE, signed_post

SEND = f"/api/v1/me/spaces/{SPACE}/messages"


def _shape(answer) -> dict:
    error = answer.get_json()
    assert set(error) <= {"code", "message", "description"}
    assert error["code"] and error["message"]
    return error


@pytest.mark.parametrize(
    "raw",
    [
        b'{"body": ' + b"[" * 100000 + b"]" * 100000 + b', "client_key": "k"}',
        b"[" * 100000,
        b'{"body": "x", "client_key": "k"',
        b"\xff\xfe\x00",
        b"null",
        b'"just a string"',
        b"[1, 2]",
    ],
    ids=["deep", "deep-unclosed", "truncated", "not-utf8", "null", "string", "array"],
)
def test_broken_json_is_400(client, world, raw):
    answer = client.post(
        SEND, data=raw, content_type="application/json", headers=world["member"].headers()
    )
    assert answer.status_code == 400
    assert _shape(answer)["code"] == "invalid_json"


def test_deeply_nested_events_are_400(client):
    answer = signed_post(client, "/api/v1/events", b"[" * 100000 + b"]" * 100000)
    assert answer.status_code == 400


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_wrong_content_types_are_415(client, world, content_type):
    answer = client.post(
        SEND,
        data=b'{"body": "hi", "client_key": "k1"}',
        content_type=content_type,
        headers=world["member"].headers(),
    )
    assert answer.status_code == 415
    assert _shape(answer)["code"] == "unsupported_media_type"


def test_an_oversize_request_is_413(client, world):
    answer = client.post(
        SEND,
        data=b'{"body": "' + b"x" * 300_000 + b'"}',
        content_type="application/json",
        headers=world["member"].headers(),
    )
    assert answer.status_code == 413
    _shape(answer)


@pytest.mark.parametrize(
    "query",
    [
        "cursor=" + "A" * 5000,
        "cursor=%00%01",
        "cursor=' OR 1=1 --",
        "limit=1e3",
        "limit=-1",
        "limit=" + "9" * 40,
        "before=0",
        "before=1;DROP TABLE wpt_users",
    ],
    ids=lambda q: q[:24],
)
def test_bad_query_arguments_are_400(client, world, query):
    member = world["member"]
    for path in ("/api/v1/me/conversations", f"/api/v1/me/spaces/{SPACE}/messages"):
        answer = client.get(f"{path}?{query}", headers=member.headers())
        if "cursor" in query and "messages" in path:
            assert answer.status_code == 200  # messages take no cursor: ignored
            continue
        if "before" in query and "conversations" in path:
            assert answer.status_code == 200  # conversations take no before: ignored
            continue
        assert answer.status_code == 400, (path, query)
        _shape(answer)


def test_every_kind_of_refusal_has_its_status():
    """A new kind of refusal without a status would be answered 400 by default: the API's
    table names every kind the inbox rules define."""
    kinds = {
        value
        for value in vars(refusals).values()
        if isinstance(value, type)
        and issubclass(value, refusals.InboxError)
        and value is not refusals.InboxError
    }
    assert kinds == set(STATUSES)
