"""Private notes through the HTTP API with real WordPress logins: the team writes them inside
a conversation, ``@name`` tells a teammate, and nothing of them reaches the member: not
their pages, their counts, their notifications, their privacy export; a note moves no
counter and closes no waiting period. Each rule is checked from the member's side."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import select

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


def _note(client, caller, cid, body, key=None, space=SPACE):
    return client.post(
        f"/api/v1/spaces/{space}/conversations/{cid}/notes",
        json={"body": body, "client_key": key or uuid.uuid4().hex},
        headers=caller.headers(),
    )


def _team_page(client, admin, cid, **query):
    answer = client.get(
        f"/api/v1/spaces/{SPACE}/conversations/{cid}/messages",
        query_string=query,
        headers=admin.headers(),
    )
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _rows(app, table, *where, order=None):
    with app.extensions["space_inbox_engine"].connect() as c:
        query = select(table).where(*where)
        return c.execute(query.order_by(order) if order is not None else query).all()


def _everything_the_member_reads(client, member) -> str:
    """Every answer the member's own routes give, as one text."""
    answers = [
        client.get("/api/v1/me/summary", headers=member.headers()),
        client.get("/api/v1/me/conversations", headers=member.headers()),
        client.get(f"/api/v1/me/spaces/{SPACE}/messages", headers=member.headers()),
        client.get(f"/api/v1/me/spaces/{SPACE}/typing", headers=member.headers()),
        signed_post(client, "/api/v1/privacy/export", {"user_id": member.user_id}),
    ]
    assert all(a.status_code == 200 for a in answers), [a.get_json() for a in answers]
    return json.dumps([a.get_json() for a in answers])


def test_a_note_is_the_teams_and_never_reaches_the_member(app, client, world):
    admin, admin2, member = world["admin"], world["admin2"], world["member"]
    assert send(client, member, SPACE, "Is the margherita gluten free?").status_code == 201
    cid = conversation_id(client, admin, SPACE, member)
    assert reply(client, admin, SPACE, cid, "Let me ask the kitchen.").status_code == 201
    before = _everything_the_member_reads(client, member)
    conversation = _rows(app, T.conversations, T.conversations.c.id == cid)
    periods = _rows(app, T.response_periods)
    jobs = _rows(app, T.outbox, order=T.outbox.c.id)

    written = _note(client, admin, cid, "Kitchen says no: VIP regular, @ben-admin call her back")
    assert written.status_code == 201, written.get_json()
    shaped = written.get_json()
    assert shaped["body"] == "Kitchen says no: VIP regular, @ben-admin call her back"
    assert shaped["author"] == {"id": admin.user_id, "name": admin.display_name}
    assert set(shaped) == {"id", "body", "created_at", "author"}

    # The team sees it among the messages, with who wrote it.
    page = _team_page(client, admin2, cid)
    assert page["notes"] == [shaped]
    assert [m["body"] for m in page["messages"]] == [
        "Is the margherita gluten free?",
        "Let me ask the kitchen.",
    ]
    # The member reads exactly what they read before: no text, no name, no count.
    after = _everything_the_member_reads(client, member)
    assert after == before
    assert "VIP" not in after and admin.display_name not in after
    # It changes nothing of the conversation (last message, unread counts, "Seen") nor of
    # its waiting periods: a note is no answer.
    assert _rows(app, T.conversations, T.conversations.c.id == cid) == conversation
    assert _rows(app, T.response_periods) == periods
    # The one job it makes tells the teammate it mentions; nothing is for the member.
    new_jobs = _rows(app, T.outbox, order=T.outbox.c.id)[len(jobs) :]
    assert [(j.kind, j.user_id) for j in new_jobs] == [("note_mention", admin2.user_id)]
    payload = json.loads(new_jobs[0].payload)
    assert payload["conversation_id"] == cid and payload["note_id"] == shaped["id"]
    assert payload["author_name"] == admin.display_name and "VIP regular" in payload["excerpt"]
    # The record says who wrote it.
    audit = _rows(app, T.audit, T.audit.c.action == "note")
    assert [(a.actor_id, a.conversation_id) for a in audit] == [(admin.user_id, cid)]


def test_only_teammates_a_note_names_are_told(app, client, world):
    admin, admin2, member = world["admin"], world["admin2"], world["member"]
    olga, removed = world["other_space_admin"], world["removed_admin"]
    send(client, member, SPACE, "Hello?")
    cid = conversation_id(client, admin, SPACE, member)
    cases = {
        # A login works as well as the profile name, in any case.
        "ask @BEN.ADMIN.": [admin2.user_id],
        # The writer, the member, another Space's admin, a former admin, nobody at all.
        f"@ada-admin @{member.login} @olga-shop @rex-removed @nobody": [],
        # An e-mail address is no mention.
        "write to ben-admin@example.org": [],
        "@ben-admin and again @ben-admin": [admin2.user_id],
    }
    assert {olga.login, removed.login} == {"olga.shop", "rex.removed"}
    for body, told in cases.items():
        jobs = len(_rows(app, T.outbox))
        assert _note(client, admin, cid, body).status_code == 201
        new = _rows(app, T.outbox, order=T.outbox.c.id)[jobs:]
        assert [j.user_id for j in new] == told, body
        assert all(j.kind == "note_mention" for j in new)


def test_a_note_sent_again_is_kept_once_and_a_reused_key_is_refused(app, client, world):
    admin, member = world["admin"], world["member"]
    send(client, member, SPACE, "Hello?")
    cid = conversation_id(client, admin, SPACE, member)
    first = _note(client, admin, cid, "Call back at 5", key="note-1")
    again = _note(client, admin, cid, "Call back at 5", key="note-1")
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert (
        len(_rows(app, T.notes)) == 1 and len(_rows(app, T.audit, T.audit.c.action == "note")) == 1
    )
    other = _note(client, admin, cid, "Something else", key="note-1")
    assert other.status_code == 409 and other.get_json()["code"] == "client_key_reused"
    assert len(_rows(app, T.notes)) == 1


def test_a_bad_note_is_refused_and_changes_nothing(app, client, world):
    admin, member = world["admin"], world["member"]
    send(client, member, SPACE, "Hello?")
    cid = conversation_id(client, admin, SPACE, member)
    for body, status in (("", 400), ("   ", 400), ("bell \x07", 400), ("x" * 2001, 413)):
        answer = _note(client, admin, cid, body)
        assert answer.status_code == status, body
        assert set(answer.get_json()) <= {"code", "message", "description"}
    assert _note(client, admin, cid, "ok", key="no spaces allowed").status_code == 400
    # Another Space's conversation is not reached through this Space, nor this one's through
    # another Space.
    assert _note(client, admin, cid + 1000, "lost").status_code == 404
    assert (
        _note(client, world["other_space_admin"], cid, "mine?", space=OTHER_SPACE).status_code
        == 404
    )
    assert _rows(app, T.notes) == [] and _rows(app, T.audit, T.audit.c.action == "note") == []


def test_notes_come_with_the_page_of_messages_they_were_written_among(app, client, world):
    admin, member = world["admin"], world["member"]
    send(client, member, SPACE, "m1")
    cid = conversation_id(client, admin, SPACE, member)
    ids = {}
    for text in ("n1", "m2", "n2", "m3", "m4", "n3"):
        answer = (
            _note(client, admin, cid, text)
            if text.startswith("n")
            else reply(client, admin, SPACE, cid, text)
        )
        assert answer.status_code == 201
        ids[text] = answer.get_json()["id"]
    newest = _team_page(client, admin, cid, limit=2)
    assert [m["body"] for m in newest["messages"]] == ["m3", "m4"]
    assert [n["body"] for n in newest["notes"]] == ["n3"]
    older = _team_page(client, admin, cid, limit=2, before=newest["next_before"])
    assert [m["body"] for m in older["messages"]] == ["m1", "m2"]
    assert [n["body"] for n in older["notes"]] == ["n1", "n2"]
    assert older["next_before"] is None
    whole = _team_page(client, admin, cid)
    assert [n["body"] for n in whole["notes"]] == ["n1", "n2", "n3"]


def test_the_team_and_its_mention_names(client, world):
    admin, admin2 = world["admin"], world["admin2"]
    answer = client.get(f"/api/v1/spaces/{SPACE}/team", headers=admin.headers())
    assert answer.status_code == 200
    assert answer.get_json() == {
        "admins": [
            {"id": admin.user_id, "name": "Ada Admin", "mention": "ada-admin"},
            {"id": admin2.user_id, "name": "Ben Admin", "mention": "ben-admin"},
        ]
    }


def test_erasing_a_member_takes_the_notes_about_them_and_keeps_the_others(app, client, world):
    admin, member, other = world["admin"], world["member"], world["other_member"]
    send(client, member, SPACE, "My phone is 555-0100")
    send(client, other, SPACE, "Table for two?")
    mine = conversation_id(client, admin, SPACE, member)
    theirs = conversation_id(client, admin, SPACE, other)
    assert _note(client, admin, mine, "She prefers calls after 6").status_code == 201
    assert _note(client, admin, theirs, "Regular on Fridays").status_code == 201
    # Not in the member's export, nor in the export of the admin who wrote them: a note is
    # the Space's record.
    for person in (member, admin):
        exported = signed_post(client, "/api/v1/privacy/export", {"user_id": person.user_id})
        text = json.dumps(exported.get_json())
        assert "after 6" not in text and "Fridays" not in text
    erased = signed_post(client, "/api/v1/privacy/erase", {"user_id": member.user_id})
    assert erased.status_code == 200
    assert [n.body for n in _rows(app, T.notes)] == ["Regular on Fridays"]
