"""The Space's record through the HTTP API with real WordPress logins: every answer (who,
when, its text), away answer, note, assignment, label, done and reopened, block and
unblock, settings change, filtered and paged; its CSV and JSON exports, streamed, for the
team only, safe to open in a spreadsheet; another Space's never shown; a member's erasure
taking every entry about them."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from devstack.callers import OTHER_SPACE, SPACE, conversation_id, reply, send, signed_post


def _record(client, caller, space=SPACE, **query):
    answer = client.get(
        f"/api/v1/spaces/{space}/record", query_string=query, headers=caller.headers()
    )
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _export(client, caller, fmt, first, last, space=SPACE):
    return client.get(
        f"/api/v1/spaces/{space}/record/export",
        query_string={"format": fmt, "from": first, "to": last},
        headers=caller.headers(),
    )


def _today() -> str:
    # The Space's days are the site's (UTC in the test site) until its team sets a zone.
    return datetime.now(UTC).date().isoformat()


@pytest.fixture
def history(client, world):
    """A day of the team's work on the member's conversation."""
    ada, ben, member = world["admin"], world["admin2"], world["member"]
    send(client, member, SPACE, "Do you open on Sundays?")
    cid = conversation_id(client, ada, SPACE, member)
    base = f"/api/v1/spaces/{SPACE}/conversations/{cid}"

    def post(caller, path, body):
        answer = client.post(path, json=body, headers=caller.headers())
        assert answer.status_code < 300, (path, answer.get_json())
        return answer

    post(ada, f"{base}/read", None)
    assert reply(client, ada, SPACE, cid, "=SUM(A1) Yes, from noon.").status_code == 201
    post(ben, f"{base}/notes", {"body": "Regular, be nice", "client_key": uuid.uuid4().hex})
    post(ben, f"{base}/assign", {"assignee_id": ada.user_id})
    label = post(ada, f"/api/v1/spaces/{SPACE}/labels", {"name": "Hours", "colour": "blue"})
    post(ada, f"{base}/labels", {"add": [label.get_json()["id"]]})
    post(ada, f"{base}/status", {"status": "done"})
    post(ben, f"{base}/block", {"blocked": True})
    post(ben, f"{base}/block", {"blocked": False})
    client.patch(f"/api/v1/spaces/{SPACE}/settings", json={"away_now": True}, headers=ada.headers())
    send(client, member, SPACE, "Hello?")  # the away answer goes out
    send(client, world["other_member"], OTHER_SPACE, "Elsewhere")
    return cid


def test_the_record_holds_what_the_team_did(client, world, history):
    ada, ben = world["admin"], world["admin2"]
    page = _record(client, ada)
    entries = page["entries"]
    assert [e["action"] for e in entries] == [
        "away_answer",
        "settings",
        "unblock",
        "block",
        "status",
        "label",
        "labels",
        "assign",
        "note",
        "reply",
    ]
    by = {e["action"]: e for e in entries}
    member = {"id": world["member"].user_id, "name": "Maya Member"}
    assert by["reply"]["actor"] == {"id": ada.user_id, "name": "Ada Admin"}
    assert by["reply"]["text"] == "=SUM(A1) Yes, from noon."
    assert by["reply"]["member"] == member and by["reply"]["conversation_id"] == history
    assert by["note"]["actor"]["name"] == "Ben Admin" and by["note"]["text"] == "Regular, be nice"
    assert by["away_answer"]["actor"] is None and by["away_answer"]["text"]
    assert by["labels"]["conversation_id"] is None and by["labels"]["member"] is None
    assert by["label"]["detail"] == "added Hours"
    assert by["status"]["detail"] == "done"
    # An assignment names its admins (the audit keeps their ids).
    assert by["assign"]["detail"] == "to Ada Admin"
    assert all(
        e["text"] is None for e in entries if e["action"] not in ("reply", "note", "away_answer")
    )
    # Reads only when asked for.
    assert [e["action"] for e in _record(client, ada, action="read")["entries"]] == ["read"]
    # One admin's, one kind, one conversation's.
    assert {e["action"] for e in _record(client, ada, actor=ben.user_id)["entries"]} == {
        "note",
        "assign",
        "block",
        "unblock",
    }
    assert [e["text"] for e in _record(client, ada, action="note")["entries"]] == [
        "Regular, be nice"
    ]
    assert len(_record(client, ada, conversation=history)["entries"]) == 8
    # Days: today holds it all, tomorrow nothing; site administrators read it too.
    assert len(_record(client, ada, **{"from": _today(), "to": _today()})["entries"]) == 10
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    assert _record(client, ada, **{"from": tomorrow})["entries"] == []
    assert _record(client, world["site_admin"])["entries"] == entries
    # Pages.
    first = _record(client, ada, limit=4)
    second = _record(client, ada, limit=4, cursor=first["next_cursor"])
    third = _record(client, ada, limit=4, cursor=second["next_cursor"])
    assert first["entries"] + second["entries"] + third["entries"] == entries
    assert third["next_cursor"] is None
    # Another Space's record holds its own only.
    olga = world["other_space_admin"]
    assert _record(client, olga, space=OTHER_SPACE)["entries"] == []


def test_bad_days_and_actions_are_refused(client, world, history):
    ada = world["admin"]
    for query, code in (
        ({"from": "2026-02-30"}, "invalid_from"),
        ({"from": "yesterday"}, "invalid_from"),
        ({"to": "2026-13-01"}, "invalid_to"),
        ({"from": "2026-05-02", "to": "2026-05-01"}, "invalid_to"),
        ({"action": "delete"}, "invalid_action"),
        ({"actor": "0"}, "invalid_actor"),
    ):
        answer = client.get(
            f"/api/v1/spaces/{SPACE}/record", query_string=query, headers=ada.headers()
        )
        assert answer.status_code == 400 and answer.get_json()["code"] == code, query
    answer = _export(client, ada, "xml", _today(), _today())
    assert answer.status_code == 400 and answer.get_json()["code"] == "invalid_format"
    answer = client.get(
        f"/api/v1/spaces/{SPACE}/record/export",
        query_string={"format": "csv"},
        headers=ada.headers(),
    )
    assert answer.status_code == 400


def test_the_export_streams_csv_and_json_for_the_team_only(client, world, history):
    ada = world["admin"]
    day = _today()
    answer = _export(client, ada, "csv", day, day)
    assert answer.status_code == 200 and answer.is_streamed
    assert answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"] == (
        f'attachment; filename="space-{SPACE}-record-{day}-to-{day}.csv"'
    )
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert rows[0] == ["time", "action", "by", "conversation", "member", "detail", "text"]
    # Oldest first, reads too: the whole record.
    assert [r[1] for r in rows[1:]] == [
        "read",
        "reply",
        "note",
        "assign",
        "labels",
        "label",
        "status",
        "block",
        "unblock",
        "settings",
        "away_answer",
    ]
    answered = rows[2]
    assert answered[2] == "Ada Admin" and answered[4] == "Maya Member"
    # A cell that a spreadsheet would run as a formula is text.
    assert answered[6] == "'=SUM(A1) Yes, from noon."
    assert rows[-1][2] == "the Space (by itself)"

    data = json.loads(_export(client, ada, "json", day, day).get_data(as_text=True))
    assert (data["space_id"], data["from"], data["to"]) == (SPACE, day, day)
    page = _record(client, ada, limit=100)["entries"]
    assert [e for e in data["entries"] if e["action"] != "read"] == page[::-1]
    # A day before: nothing.
    yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    empty = json.loads(_export(client, ada, "json", yesterday, yesterday).get_data(as_text=True))
    assert empty["entries"] == []
    # The team only: not site administrators, not members, not another Space's team.
    for kind, status in (
        ("site_admin", 403),
        ("member", 403),
        ("other_space_admin", 403),
        ("anonymous", 401),
    ):
        assert _export(client, world[kind], "csv", day, day).status_code == status, kind


def test_a_members_erasure_takes_every_entry_about_them(client, world, history):
    ada, member = world["admin"], world["member"]
    erased = signed_post(client, "/api/v1/privacy/erase", {"user_id": member.user_id})
    assert erased.status_code == 200
    left = _record(client, ada)["entries"]
    assert [e["action"] for e in left] == ["settings", "labels"]
    exported = _export(client, ada, "csv", _today(), _today()).get_data(as_text=True)
    assert "Maya Member" not in exported and "noon" not in exported
    assert "Regular" not in exported


def test_an_assignment_names_its_admins_and_one_no_longer_a_user_as_deleted(app, world):
    from types import SimpleNamespace

    from sqlalchemy.orm import Session

    from bridge.inbox import record
    from bridge.storage.tables import tables
    from devstack.callers import PREFIX

    ada = world["admin"]
    rows = [
        SimpleNamespace(id=1, action="assign", detail=f"to {ada.user_id}, from 999999, in turn"),
        SimpleNamespace(id=2, action="status", detail="to 5"),
    ]
    with Session(app.extensions["space_inbox_engine"]) as session:
        session.info["tables"] = tables(PREFIX)
        named = record.named(session, rows)
    assert named == {1: "to Ada Admin, from a deleted user, in turn"}
