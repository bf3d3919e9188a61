"""Presence through the HTTP API with real WordPress logins: the team sees who else has a
conversation open and who is answering it (a soft claim: taken by typing, kept while they
pause, given up when they send or leave, or a few minutes after their last keystroke), in
the conversation's check and in the list. The member never learns of any of it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bridge.inbox import values
from bridge.storage.tables import tables
from devstack.callers import PREFIX, SPACE, conversation_id, reply, send

T = tables(PREFIX)


def _post(client, caller, cid, what, state):
    return client.post(
        f"/api/v1/spaces/{SPACE}/conversations/{cid}/{what}",
        json={what: state},
        headers=caller.headers(),
    )


def _here(client, caller, cid) -> dict[str, list[str]]:
    answer = client.get(
        f"/api/v1/spaces/{SPACE}/conversations/{cid}/typing", headers=caller.headers()
    )
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    return {k: [p["name"] for p in body[k]] for k in ("who", "viewing", "answering")}


def _listed(client, caller, cid) -> dict[str, list[str]]:
    answer = client.get(f"/api/v1/spaces/{SPACE}/conversations", headers=caller.headers())
    row = next(c for c in answer.get_json()["conversations"] if c["id"] == cid)
    return {k: [p["name"] for p in row[k]] for k in ("viewing", "answering")}


def _member_sees(client, member) -> tuple:
    typing = client.get(f"/api/v1/me/spaces/{SPACE}/typing", headers=member.headers())
    summary = client.get("/api/v1/me/summary", headers=member.headers())
    return typing.get_json(), summary.get_json()


def test_the_team_sees_who_views_and_who_answers_and_the_member_sees_nothing(client, world):
    ada, ben, member = world["admin"], world["admin2"], world["member"]
    send(client, member, SPACE, "Do you have gift cards?")
    cid = conversation_id(client, ada, SPACE, member)
    member_before = _member_sees(client, member)

    assert _post(client, ada, cid, "viewing", True).status_code == 204
    assert _here(client, ben, cid) == {"who": [], "viewing": ["Ada Admin"], "answering": []}
    assert _here(client, ada, cid) == {"who": [], "viewing": [], "answering": []}  # not herself
    assert _listed(client, ben, cid) == {"viewing": ["Ada Admin"], "answering": []}
    assert _member_sees(client, member) == member_before

    # Typing claims it; a pause keeps the claim; sending gives it up.
    assert _post(client, ada, cid, "typing", True).status_code == 204
    assert _here(client, ben, cid) == {
        "who": ["Ada Admin"],
        "viewing": ["Ada Admin"],
        "answering": ["Ada Admin"],
    }
    assert _post(client, ada, cid, "typing", False).status_code == 204
    assert _here(client, ben, cid)["answering"] == ["Ada Admin"]
    assert _listed(client, ben, cid) == {"viewing": ["Ada Admin"], "answering": ["Ada Admin"]}
    assert reply(client, ada, SPACE, cid, "Yes, from 10 euros.").status_code == 201
    assert _here(client, ben, cid) == {"who": [], "viewing": ["Ada Admin"], "answering": []}

    # Typing again, then leaving (closing the page): her typing and claim go with her.
    assert _post(client, ada, cid, "typing", True).status_code == 204
    assert _post(client, ada, cid, "viewing", False).status_code == 204
    assert _here(client, ben, cid) == {"who": [], "viewing": [], "answering": []}
    typing, _ = _member_sees(client, member)
    assert set(typing) == {"typing", "last_message_id"}  # the Space types: never who


def test_a_claim_and_a_view_run_out_by_themselves(app, client, world):
    ada, ben, member = world["admin"], world["admin2"], world["member"]
    send(client, member, SPACE, "Open late on Friday?")
    cid = conversation_id(client, ada, SPACE, member)
    assert _post(client, ada, cid, "viewing", True).status_code == 204
    assert _post(client, ada, cid, "typing", True).status_code == 204
    assert _post(client, ada, cid, "typing", False).status_code == 204
    assert _here(client, ben, cid)["answering"] == ["Ada Admin"]
    past = values.utcnow() - timedelta(seconds=1)
    with app.extensions["space_inbox_engine"].begin() as c:
        c.execute(update(T.presence).values(claim_until=past))
    assert _here(client, ben, cid) == {"who": [], "viewing": ["Ada Admin"], "answering": []}
    with app.extensions["space_inbox_engine"].begin() as c:
        c.execute(update(T.presence).values(viewing_until=past))
    assert _here(client, ben, cid) == {"who": [], "viewing": [], "answering": []}
    assert _listed(client, ben, cid) == {"viewing": [], "answering": []}


def test_only_the_team_says_it_is_viewing(client, world):
    ada, member = world["admin"], world["member"]
    send(client, member, SPACE, "Hello?")
    cid = conversation_id(client, ada, SPACE, member)
    for kind, status in (
        ("site_admin", 403),
        ("other_space_admin", 403),
        ("member", 403),
        ("anonymous", 401),
    ):
        assert _post(client, world[kind], cid, "viewing", True).status_code == status, kind
    for body in ({}, {"viewing": "yes"}, {"viewing": 1}, []):
        answer = client.post(
            f"/api/v1/spaces/{SPACE}/conversations/{cid}/viewing", json=body, headers=ada.headers()
        )
        assert answer.status_code == 400, body
    assert _here(client, world["admin2"], cid)["viewing"] == []
