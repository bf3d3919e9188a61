"""Accountable anonymity through the HTTP API with real WordPress logins: a member reports
a Space's answer to the site's moderators with a reason; the member is told it was
received and never who wrote it (not in the answer, the page, the queued notification);
the moderators' signed calls name the author and show the whole conversation, and close
the report, and may hide the answer from the member (its text then reaches the member
nowhere; the team reads it, marked; the Space's record keeps who hid it) and show it again;
only the member's own answers of that Space can be reported, once; an erased member's
reports go with them."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from bridge.limits import REPORT_DETAILS_MAX
from bridge.storage.tables import tables
from devstack.callers import (
    OTHER_SPACE,
    PREFIX,
    SPACE,
    conversation_id,
    reply,
    send,
    signed_post,
)

T = tables(PREFIX)


def _report(client, caller, message_id, reason="harassment", space=SPACE, **extra):
    return client.post(
        f"/api/v1/me/spaces/{space}/messages/{message_id}/report",
        json={"reason": reason, **extra},
        headers=caller.headers(),
    )


@pytest.fixture
def answer(client, world):
    """Ada's answer to the member, and the conversation."""
    member, ada = world["member"], world["admin"]
    send(client, member, SPACE, "Where is my order?")
    cid = conversation_id(client, ada, SPACE, member)
    answered = reply(client, ada, SPACE, cid, "Stop asking, it comes when it comes.")
    assert answered.status_code == 201
    return answered.get_json()["id"], cid


def test_a_member_reports_an_answer_and_never_learns_who_wrote_it(app, client, world, answer):
    member = world["member"]
    message_id, cid = answer
    made = _report(client, member, message_id, details="  Rude, twice.  ")
    assert made.status_code == 201, made.get_json()
    said = made.get_json()
    assert set(said) == {"id", "message_id", "reason", "created_at"}
    assert (said["message_id"], said["reason"]) == (message_id, "harassment")
    page = client.get(f"/api/v1/me/spaces/{SPACE}/messages", headers=member.headers())
    assert page.get_json()["reported_ids"] == [message_id]
    for text in (made.get_data(as_text=True), page.get_data(as_text=True)):
        assert "Ada" not in text and "author" not in text
    # The moderators are told through the plugin; the job names no author either.
    with app.extensions["space_inbox_engine"].connect() as c:
        job = c.execute(select(T.outbox).where(T.outbox.c.kind == "answer_reported")).one()
    payload = json.loads(job.payload)
    assert job.user_id == member.user_id and payload["report_id"] == said["id"]
    assert payload["details"] == "Rude, twice." and "author" not in job.payload
    assert "Ada" not in job.payload
    # Once.
    again = _report(client, member, message_id, reason="spam")
    assert again.status_code == 409 and again.get_json()["code"] == "already_reported"


def test_only_the_members_own_answers_of_that_space(client, world, answer):
    member, other = world["member"], world["other_member"]
    message_id, cid = answer
    mine = client.get(f"/api/v1/me/spaces/{SPACE}/messages", headers=member.headers())
    own_message = next(m["id"] for m in mine.get_json()["messages"] if m["from"] == "me")
    for caller, mid, space in (
        (other, message_id, SPACE),  # not their conversation
        (member, own_message, SPACE),  # their own message, no answer
        (member, message_id, OTHER_SPACE),  # through another Space
        (member, 10**12, SPACE),
    ):
        refused = _report(client, caller, mid, space=space)
        assert refused.status_code == 404, (caller.kind, mid, space, refused.get_json())
    for body, status, code in (
        ({"reason": "boring"}, 400, "invalid_reason"),
        ({"reason": "spam", "details": "x" * (REPORT_DETAILS_MAX + 1)}, 413, "details_too_long"),
        ({}, 400, "invalid_reason"),
    ):
        answer_ = client.post(
            f"/api/v1/me/spaces/{SPACE}/messages/{message_id}/report",
            json=body,
            headers=member.headers(),
        )
        assert (answer_.status_code, answer_.get_json()["code"]) == (status, code), body


def test_moderators_see_the_author_and_the_conversation_and_close_it(client, world, answer):
    member, ada = world["member"], world["admin"]
    message_id, cid = answer
    report_id = _report(client, member, message_id, reason="scam").get_json()["id"]

    listed = signed_post(client, "/api/v1/moderation/reports", {"status": "open"})
    assert listed.status_code == 200, listed.get_json()
    (found,) = listed.get_json()["reports"]
    assert found["id"] == report_id and found["reason"] == "scam"
    assert found["message"]["author"] == {"id": ada.user_id, "name": "Ada Admin"}
    assert found["member"] == {"id": member.user_id, "name": "Maya Member"}
    assert found["space"]["id"] == SPACE and found["resolved_at"] is None

    opened = signed_post(client, f"/api/v1/moderation/reports/{report_id}", {})
    assert opened.status_code == 200, opened.get_json()
    messages = opened.get_json()["messages"]
    assert [(m["from"], m["author"] and m["author"]["name"]) for m in messages] == [
        ("member", "Maya Member"),
        ("space", "Ada Admin"),
    ]

    moderator = world["site_admin"].user_id
    closed = signed_post(
        client,
        f"/api/v1/moderation/reports/{report_id}/resolve",
        {"moderator_id": moderator, "outcome": "Warned the Space's team."},
    )
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["resolved_by"] == {"id": moderator, "name": "Sam Site"}
    assert closed.get_json()["outcome"] == "Warned the Space's team."
    assert (
        signed_post(client, "/api/v1/moderation/reports", {"status": "open"}).get_json()["reports"]
        == []
    )
    resolved = signed_post(client, "/api/v1/moderation/reports", {"status": "resolved"})
    assert [r["id"] for r in resolved.get_json()["reports"]] == [report_id]
    # Closing again changes nothing.
    again = signed_post(
        client,
        f"/api/v1/moderation/reports/{report_id}/resolve",
        {"moderator_id": ada.user_id, "outcome": "Overwritten?"},
    )
    assert again.get_json()["outcome"] == "Warned the Space's team."
    missing = signed_post(client, "/api/v1/moderation/reports/999999", {})
    assert missing.status_code == 404 and missing.get_json()["code"] == "report_not_found"


def test_an_away_answer_is_reported_as_the_spaces_own(client, world):
    member, ada = world["member"], world["admin"]
    client.patch(f"/api/v1/spaces/{SPACE}/settings", json={"away_now": True}, headers=ada.headers())
    send(client, member, SPACE, "Hello?")
    page = client.get(f"/api/v1/me/spaces/{SPACE}/messages", headers=member.headers()).get_json()
    automatic = next(m["id"] for m in page["messages"] if m["from"] == "space")
    assert _report(client, member, automatic, reason="other").status_code == 201
    (found,) = signed_post(client, "/api/v1/moderation/reports", {"status": "all"}).get_json()[
        "reports"
    ]
    assert found["message"]["author"] is None


def test_an_erased_members_reports_go_with_them(app, client, world, answer):
    member = world["member"]
    assert _report(client, member, answer[0]).status_code == 201
    assert (
        signed_post(client, "/api/v1/privacy/erase", {"user_id": member.user_id}).status_code == 200
    )
    with app.extensions["space_inbox_engine"].connect() as c:
        assert c.execute(select(func.count()).select_from(T.reports)).scalar() == 0


def _everything_the_member_reads(client, member) -> str:
    answers = [
        client.get("/api/v1/me/conversations", headers=member.headers()),
        client.get(f"/api/v1/me/spaces/{SPACE}/messages", headers=member.headers()),
        signed_post(client, "/api/v1/privacy/export", {"user_id": member.user_id}),
    ]
    assert all(a.status_code == 200 for a in answers), [a.get_json() for a in answers]
    return json.dumps([a.get_json() for a in answers])


def test_a_moderator_hides_an_answer_from_the_member_and_shows_it_again(app, client, world, answer):
    member, ada = world["member"], world["admin"]
    message_id, cid = answer
    rude = "Stop asking, it comes when it comes."
    report_id = _report(client, member, message_id).get_json()["id"]
    assert rude in _everything_the_member_reads(client, member)
    moderator = world["site_admin"].user_id
    path = f"/api/v1/moderation/reports/{report_id}/hidden"

    hidden = signed_post(client, path, {"moderator_id": moderator, "hidden": True})
    assert hidden.status_code == 200, hidden.get_json()
    assert hidden.get_json()["hidden_by"] == {"id": moderator, "name": "Sam Site"}
    assert hidden.get_json()["hidden_at"] is not None
    # The member: the answer is there, removed, its text nowhere (page, list, export).
    seen = _everything_the_member_reads(client, member)
    assert rude not in seen and "Stop asking" not in seen
    page = client.get(f"/api/v1/me/spaces/{SPACE}/messages", headers=member.headers()).get_json()
    removed = next(m for m in page["messages"] if m["id"] == message_id)
    assert removed == {**removed, "from": "space", "body": "", "removed": True}
    assert all("removed" not in m for m in page["messages"] if m["id"] != message_id)
    (listed,) = client.get("/api/v1/me/conversations", headers=member.headers()).get_json()[
        "conversations"
    ]
    assert listed["last_message"]["excerpt"] == ""
    assert "(Removed by the site's moderators.)" in seen
    # The team still reads it, marked; the record says who hid it.
    team = client.get(
        f"/api/v1/spaces/{SPACE}/conversations/{cid}/messages", headers=ada.headers()
    ).get_json()
    kept = next(m for m in team["messages"] if m["id"] == message_id)
    assert kept["body"] == rude and kept["hidden"] is True
    assert all("hidden" not in m for m in team["messages"] if m["id"] != message_id)
    record = client.get(
        f"/api/v1/spaces/{SPACE}/record",
        query_string={"action": "answer_hidden"},
        headers=ada.headers(),
    ).get_json()["entries"]
    assert [(e["actor"]["id"], e["conversation_id"]) for e in record] == [(moderator, cid)]
    # Again: nothing more.
    assert signed_post(client, path, {"moderator_id": moderator, "hidden": True}).status_code == 200
    with app.extensions["space_inbox_engine"].connect() as c:
        audits = c.execute(select(T.audit.c.action).where(T.audit.c.action.like("answer_%")))
        assert [a for (a,) in audits] == ["answer_hidden"]

    # Shown again: the member reads it, the excerpt comes back.
    shown = signed_post(client, path, {"moderator_id": moderator, "hidden": False})
    assert shown.status_code == 200 and shown.get_json()["hidden_at"] is None
    assert shown.get_json()["hidden_by"] is None
    page = client.get(f"/api/v1/me/spaces/{SPACE}/messages", headers=member.headers()).get_json()
    assert next(m for m in page["messages"] if m["id"] == message_id)["body"] == rude
    (listed,) = client.get("/api/v1/me/conversations", headers=member.headers()).get_json()[
        "conversations"
    ]
    assert listed["last_message"]["excerpt"] == rude
    assert "(Removed by" not in _everything_the_member_reads(client, member)


def test_hiding_takes_only_a_moderator_and_a_yes_or_no(app, client, world, answer):
    report_id = _report(client, world["member"], answer[0]).get_json()["id"]
    path = f"/api/v1/moderation/reports/{report_id}/hidden"
    for body in (
        {"moderator_id": 1},
        {"hidden": True},
        {"moderator_id": 1, "hidden": "yes"},
        {"moderator_id": 0, "hidden": True},
        {"moderator_id": 1, "hidden": True, "member_id": 2},
    ):
        refused = signed_post(client, path, body)
        assert refused.status_code == 400, (body, refused.get_json())
    missing = signed_post(
        client, "/api/v1/moderation/reports/999999/hidden", {"moderator_id": 1, "hidden": True}
    )
    assert missing.status_code == 404 and missing.get_json()["code"] == "report_not_found"
    # A member's cookie is no signature.
    member = world["member"]
    forged = client.post(path, json={"moderator_id": 1, "hidden": True}, headers=member.headers())
    assert forged.status_code == 401
    with app.extensions["space_inbox_engine"].connect() as c:
        assert c.execute(select(T.reports.c.hidden_at)).scalar() is None
