"""Assignment through the HTTP API with real WordPress logins: a conversation given to one
admin of its Space or left to the team, the Mine / Unassigned / All filters, the assignee
told (unless they took it), every change audited, only a teammate assignable, and an
assignee who leaves the team giving their conversations back. The member never learns of
any of it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bridge.inbox import values
from bridge.storage.tables import tables
from devstack.callers import PREFIX, SPACE, conversation_id, send, signed_post, upsert_space

T = tables(PREFIX)


def _assign(client, caller, cid, assignee_id, space=SPACE):
    return client.post(
        f"/api/v1/spaces/{space}/conversations/{cid}/assign",
        json={"assignee_id": assignee_id},
        headers=caller.headers(),
    )


def _listed(client, caller, **query) -> dict[int, dict | None]:
    answer = client.get(
        f"/api/v1/spaces/{SPACE}/conversations", query_string=query, headers=caller.headers()
    )
    assert answer.status_code == 200, answer.get_json()
    return {c["id"]: c["assignee"] for c in answer.get_json()["conversations"]}


def _rows(app, table, *where):
    with app.extensions["space_inbox_engine"].connect() as c:
        return c.execute(select(table).where(*where).order_by(table.c.id)).all()


@pytest.fixture
def two(client, world):
    """The member's and the other member's conversations with SPACE."""
    send(client, world["member"], SPACE, "Open on Sunday?")
    send(client, world["other_member"], SPACE, "Table for two?")
    admin = world["admin"]
    return (
        conversation_id(client, admin, SPACE, world["member"]),
        conversation_id(client, admin, SPACE, world["other_member"]),
    )


def test_a_conversation_given_to_a_teammate_is_theirs_in_the_filters(app, client, world, two):
    ada, ben, member = world["admin"], world["admin2"], world["member"]
    mine, theirs = two
    member_before = client.get(f"/api/v1/me/spaces/{SPACE}/messages", headers=member.headers())
    jobs = len(_rows(app, T.outbox))

    answer = _assign(client, ada, mine, ben.user_id)
    assert answer.status_code == 200, answer.get_json()
    ben_named = {"id": ben.user_id, "name": "Ben Admin"}
    assert answer.get_json() == {"id": mine, "assignee": ben_named}
    assert _listed(client, ada) == {mine: ben_named, theirs: None}
    assert _listed(client, ben, assignee="me") == {mine: ben_named}
    assert _listed(client, ada, assignee="me") == {}
    assert _listed(client, ada, assignee="none") == {theirs: None}
    # Site administrators oversee it too.
    assert _listed(client, world["site_admin"])[mine] == ben_named
    # Ben is told who gave it to him; nobody else is.
    new = _rows(app, T.outbox)[jobs:]
    assert [(j.kind, j.user_id) for j in new] == [("assigned", ben.user_id)]
    payload = json.loads(new[0].payload)
    assert payload["conversation_id"] == mine and payload["actor_name"] == "Ada Admin"
    assert payload["excerpt"] == "Open on Sunday?"
    audit = _rows(app, T.audit, T.audit.c.action == "assign")
    assert [(a.actor_id, a.conversation_id, a.detail) for a in audit] == [
        (ada.user_id, mine, f"to {ben.user_id}")
    ]
    # The member reads what they read before.
    after = client.get(f"/api/v1/me/spaces/{SPACE}/messages", headers=member.headers())
    assert after.get_json() == member_before.get_json()
    listing = client.get("/api/v1/me/conversations", headers=member.headers()).get_json()
    assert "Ben" not in json.dumps(listing) and "assign" not in json.dumps(listing)


def test_taking_giving_back_and_reassigning_are_each_audited(app, client, world, two):
    ada, ben = world["admin"], world["admin2"]
    mine, _ = two
    jobs = len(_rows(app, T.outbox))
    assert _assign(client, ada, mine, ada.user_id).status_code == 200  # takes it: no job
    assert _rows(app, T.outbox)[jobs:] == []
    assert _assign(client, ada, mine, ada.user_id).status_code == 200  # unchanged: nothing
    assert _assign(client, ben, mine, ben.user_id).status_code == 200
    answer = _assign(client, ben, mine, None)
    assert answer.status_code == 200 and answer.get_json() == {"id": mine, "assignee": None}
    details = [a.detail for a in _rows(app, T.audit, T.audit.c.action == "assign")]
    assert details == [
        f"to {ada.user_id}",
        f"to {ben.user_id}, from {ada.user_id}",
        f"to the team, from {ben.user_id}",
    ]
    assert _listed(client, ada, assignee="none") == {c: None for c in two}


def test_only_a_teammate_can_be_given_a_conversation(app, client, world, two):
    ada = world["admin"]
    mine, _ = two
    for someone in ("member", "other_space_admin", "removed_admin", "site_admin"):
        answer = _assign(client, ada, mine, world[someone].user_id)
        assert answer.status_code == 400, someone
        assert answer.get_json()["code"] == "not_on_team"
    for body in ({}, {"assignee_id": "2"}, {"assignee_id": 0}, {"assignee_id": -1}, []):
        answer = client.post(
            f"/api/v1/spaces/{SPACE}/conversations/{mine}/assign", json=body, headers=ada.headers()
        )
        assert answer.status_code == 400, body
    bad_filter = client.get(
        f"/api/v1/spaces/{SPACE}/conversations",
        query_string={"assignee": "ben"},
        headers=ada.headers(),
    )
    assert bad_filter.status_code == 400
    assert _rows(app, T.audit, T.audit.c.action == "assign") == []
    assert all(c.assignee_id is None for c in _rows(app, T.conversations))


def test_an_assignee_who_leaves_the_team_gives_their_conversations_back(app, client, world, two):
    ada, ben = world["admin"], world["admin2"]
    mine, theirs = two
    assert _assign(client, ada, mine, ben.user_id).status_code == 200
    assert _assign(client, ada, theirs, ada.user_id).status_code == 200
    upsert_space(client, SPACE, "Pizzeria Napoli", [ada.user_id])
    assert _listed(client, ada) == {mine: None, theirs: {"id": ada.user_id, "name": "Ada Admin"}}
    # A user deleted in WordPress gives theirs back too.
    deleted = signed_post(
        client,
        "/api/v1/events",
        {
            "events": [
                {
                    "id": "0b5c1b1e-7d84-4f1e-9a7e-2f4a3c9d1e01",
                    "type": "user.deleted",
                    "data": {"user_id": ada.user_id},
                }
            ]
        },
    )
    assert deleted.status_code == 200, deleted.get_json()
    assert all(c.assignee_id is None for c in _rows(app, T.conversations))


def _here(client, caller, here=True):
    answer = client.post(
        f"/api/v1/spaces/{SPACE}/here", json={"here": here}, headers=caller.headers()
    )
    assert answer.status_code == 204, answer.get_json()


def _in_turn(client, caller, on=True):
    answer = client.patch(
        f"/api/v1/spaces/{SPACE}/settings", json={"assign_in_turn": on}, headers=caller.headers()
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["assign_in_turn"] is on


def test_new_conversations_go_in_turn_to_the_admins_present(app, client, world, people):
    ada, ben = world["admin"], world["admin2"]
    senders = [world["member"], world["other_member"], world["other_space_admin"]]
    _in_turn(client, ada)
    _here(client, ada)
    _here(client, ben)
    given = []
    for member in senders:
        assert send(client, member, SPACE, f"Hello from {member.login}").status_code == 201
        cid = conversation_id(client, ada, SPACE, member)
        given.append(_listed(client, ada)[cid]["id"])
    # Never given one, lowest id first; then whoever was given one longest ago.
    assert given == [ada.user_id, ben.user_id, ada.user_id]
    jobs = _rows(app, T.outbox, T.outbox.c.kind == "assigned")
    assert [j.user_id for j in jobs] == given
    assert all(json.loads(j.payload)["actor_name"] == "" for j in jobs)
    audit = _rows(app, T.audit, T.audit.c.action == "assign")
    assert [(a.actor_id, a.detail) for a in audit] == [(0, f"to {u}, in turn") for u in given]
    # A member's next message gives nothing again.
    assert send(client, senders[0], SPACE, "And another thing").status_code == 201
    assert len(_rows(app, T.audit, T.audit.c.action == "assign")) == 3


def test_only_present_admins_of_the_team_get_one_and_only_where_the_space_asks(app, client, world):
    ada, ben, member = world["admin"], world["admin2"], world["member"]
    removed = world["removed_admin"]
    # Present, but the Space does not ask.
    _here(client, ada)
    send(client, member, SPACE, "First")
    assert all(c.assignee_id is None for c in _rows(app, T.conversations))
    _in_turn(client, ada)
    # Ada closed her inbox; Ben's presence ran out: nobody is present.
    _here(client, ada, here=False)
    _here(client, ben)
    with app.extensions["space_inbox_engine"].begin() as c:
        c.execute(
            update(T.on_duty)
            .where(T.on_duty.c.user_id == ben.user_id)
            .values(here_until=values.utcnow() - timedelta(seconds=1))
        )
    send(client, world["other_member"], SPACE, "Second")
    assert all(c.assignee_id is None for c in _rows(app, T.conversations))
    # A former admin's presence row gives them nothing.
    with app.extensions["space_inbox_engine"].begin() as c:
        c.execute(
            T.on_duty.insert().values(
                space_id=SPACE,
                user_id=removed.user_id,
                here_until=values.utcnow() + timedelta(minutes=1),
            )
        )
    send(client, world["other_space_admin"], SPACE, "Third")
    assert all(c.assignee_id is None for c in _rows(app, T.conversations))
    # Site administrators overseeing the inbox are not on duty.
    answer = client.post(
        f"/api/v1/spaces/{SPACE}/here", json={"here": True}, headers=world["site_admin"].headers()
    )
    assert answer.status_code == 403
