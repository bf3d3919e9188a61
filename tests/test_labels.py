"""Labels through the HTTP API with real WordPress logins: a Space's own labels (name and
colour) kept by its team, set on its conversations and taken off, the list filtered by
one, every change audited, names unique per Space whatever their letter case, another
Space's labels out of reach, and nothing of it in what the member reads."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from bridge.limits import LABEL_NAME_MAX, LABELS_MAX
from bridge.storage.tables import tables
from devstack.callers import (
    OTHER_SPACE,
    PREFIX,
    SPACE,
    conversation_id,
    send,
    signed_post,
)

T = tables(PREFIX)


def _create(client, caller, name, colour="red", space=SPACE):
    return client.post(
        f"/api/v1/spaces/{space}/labels",
        json={"name": name, "colour": colour},
        headers=caller.headers(),
    )


def _label(client, caller, cid, add=(), remove=(), space=SPACE):
    return client.post(
        f"/api/v1/spaces/{space}/conversations/{cid}/labels",
        json={"add": list(add), "remove": list(remove)},
        headers=caller.headers(),
    )


def _labels(client, caller) -> list[dict]:
    answer = client.get(f"/api/v1/spaces/{SPACE}/labels", headers=caller.headers())
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["labels"]


def _listed(client, caller, **query) -> dict[int, list[str]]:
    answer = client.get(
        f"/api/v1/spaces/{SPACE}/conversations", query_string=query, headers=caller.headers()
    )
    assert answer.status_code == 200, answer.get_json()
    return {c["id"]: [t["name"] for t in c["labels"]] for c in answer.get_json()["conversations"]}


def _audit(app, *actions) -> list[tuple]:
    a = T.audit
    with app.extensions["space_inbox_engine"].connect() as c:
        rows = c.execute(select(a).where(a.c.action.in_(actions)).order_by(a.c.id)).all()
    return [(r.actor_id, r.action, r.conversation_id, r.detail) for r in rows]


def _count(app, table) -> int:
    with app.extensions["space_inbox_engine"].connect() as c:
        return c.execute(select(func.count()).select_from(table)).scalar()


def _everything_the_member_reads(client, member) -> str:
    answers = [
        client.get("/api/v1/me/summary", headers=member.headers()),
        client.get("/api/v1/me/conversations", headers=member.headers()),
        client.get(f"/api/v1/me/spaces/{SPACE}/messages", headers=member.headers()),
        signed_post(client, "/api/v1/privacy/export", {"user_id": member.user_id}),
    ]
    assert all(a.status_code == 200 for a in answers)
    return json.dumps([a.get_json() for a in answers])


@pytest.fixture
def two(client, world):
    """The member's and the other member's conversations with SPACE."""
    send(client, world["member"], SPACE, "Do you cater for weddings?")
    send(client, world["other_member"], SPACE, "Gluten-free options?")
    admin = world["admin"]
    return (
        conversation_id(client, admin, SPACE, world["member"]),
        conversation_id(client, admin, SPACE, world["other_member"]),
    )


def test_labels_are_kept_set_filtered_and_audited(app, client, world, two):
    ada, ben, member = world["admin"], world["admin2"], world["member"]
    wedding, gluten = two
    before = _everything_the_member_reads(client, member)

    made = _create(client, ada, "  Catering   request ", "teal")
    assert made.status_code == 201, made.get_json()
    catering = made.get_json()
    assert catering == {
        "id": catering["id"],
        "name": "Catering request",
        "colour": "teal",
        "conversations": 0,
    }
    allergy = _create(client, ben, "Allergy", "red").get_json()
    # By name, with their use.
    assert [(x["name"], x["conversations"]) for x in _labels(client, ada)] == [
        ("Allergy", 0),
        ("Catering request", 0),
    ]

    answer = _label(client, ada, wedding, add=[catering["id"]])
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {
        "id": wedding,
        "labels": [{"id": catering["id"], "name": "Catering request", "colour": "teal"}],
    }
    # Two admins at once each keep their own change: Ben adds Allergy without knowing of
    # Catering request, which stays.
    assert _label(client, ben, wedding, add=[allergy["id"]]).status_code == 200
    assert _label(client, ben, gluten, add=[allergy["id"]]).status_code == 200
    assert _listed(client, ada) == {
        wedding: ["Allergy", "Catering request"],
        gluten: ["Allergy"],
    }
    assert _listed(client, ada, label=catering["id"]) == {wedding: ["Allergy", "Catering request"]}
    assert set(_listed(client, ben, label=allergy["id"])) == {wedding, gluten}
    # The filter goes with the others, and site administrators read the labels too.
    assert _listed(client, ada, label=allergy["id"], status="done") == {}
    assert _listed(client, world["site_admin"])[gluten] == ["Allergy"]
    assert [(x["name"], x["conversations"]) for x in _labels(client, ada)] == [
        ("Allergy", 2),
        ("Catering request", 1),
    ]

    # Adding again changes nothing and audits nothing; both add and remove: removed.
    assert _label(client, ada, wedding, add=[catering["id"]]).status_code == 200
    off = _label(client, ada, gluten, add=[allergy["id"]], remove=[allergy["id"]])
    assert off.get_json()["labels"] == []

    renamed = client.patch(
        f"/api/v1/spaces/{SPACE}/labels/{allergy['id']}",
        json={"name": "Allergies", "colour": "orange"},
        headers=ben.headers(),
    )
    assert renamed.status_code == 200, renamed.get_json()
    assert renamed.get_json() == {
        "id": allergy["id"],
        "name": "Allergies",
        "colour": "orange",
        "conversations": 1,
    }
    assert _listed(client, ada)[wedding] == ["Allergies", "Catering request"]

    gone = client.delete(f"/api/v1/spaces/{SPACE}/labels/{catering['id']}", headers=ada.headers())
    assert gone.status_code == 204
    assert _listed(client, ada) == {wedding: ["Allergies"], gluten: []}
    assert _listed(client, ada, label=catering["id"]) == {}

    assert _audit(app, "label", "labels") == [
        (ada.user_id, "labels", None, "created Catering request"),
        (ben.user_id, "labels", None, "created Allergy"),
        (ada.user_id, "label", wedding, "added Catering request"),
        (ben.user_id, "label", wedding, "added Allergy"),
        (ben.user_id, "label", gluten, "added Allergy"),
        (ada.user_id, "label", gluten, "removed Allergy"),
        (ben.user_id, "labels", None, "renamed Allergy to Allergies; Allergies made orange"),
        (ada.user_id, "labels", None, "deleted Catering request"),
    ]
    # The member reads exactly what they read before: labels are the team's.
    assert _everything_the_member_reads(client, member) == before


def test_names_are_one_line_unique_per_space_and_bounded(app, client, world):
    ada, olga = world["admin"], world["other_space_admin"]
    assert _create(client, ada, "VIP").status_code == 201
    for taken in ("VIP", "vip", "  Vip "):
        answer = _create(client, ada, taken)
        assert answer.status_code == 409 and answer.get_json()["code"] == "label_exists"
    # Another Space has its own names.
    assert _create(client, olga, "VIP", space=OTHER_SPACE).status_code == 201
    for name, status, code in (
        ("   ", 400, "invalid_label_name"),
        ("\n\t", 400, "invalid_label_name"),
        ("x" * (LABEL_NAME_MAX + 1), 413, "label_name_too_long"),
    ):
        answer = _create(client, ada, name)
        assert (answer.status_code, answer.get_json()["code"]) == (status, code), name
    answer = _create(client, ada, "Blue", colour="#0000ff")
    assert answer.status_code == 400 and answer.get_json()["code"] == "invalid_colour"
    assert _create(client, ada, "x" * LABEL_NAME_MAX).status_code == 201

    second = _create(client, ada, "Regular").get_json()
    clash = client.patch(
        f"/api/v1/spaces/{SPACE}/labels/{second['id']}",
        json={"name": "vip"},
        headers=ada.headers(),
    )
    assert clash.status_code == 409 and clash.get_json()["code"] == "label_exists"
    # A label may change the case of its own name.
    recased = client.patch(
        f"/api/v1/spaces/{SPACE}/labels/{second['id']}",
        json={"name": "REGULAR"},
        headers=ada.headers(),
    )
    assert recased.status_code == 200 and recased.get_json()["name"] == "REGULAR"
    assert [x["name"] for x in _labels(client, ada)] == ["REGULAR", "VIP", "x" * LABEL_NAME_MAX]


def test_a_space_keeps_at_most_labels_max(app, client, world):
    ada = world["admin"]
    for n in range(LABELS_MAX):
        assert _create(client, ada, f"Label {n}").status_code == 201
    answer = _create(client, ada, "One too many")
    assert answer.status_code == 409 and answer.get_json()["code"] == "too_many_labels"
    assert _count(app, T.labels) == LABELS_MAX


def test_another_spaces_labels_are_out_of_reach(app, client, world, two):
    ada, olga = world["admin"], world["other_space_admin"]
    wedding, _ = two
    theirs = _create(client, olga, "Theirs", space=OTHER_SPACE).get_json()
    ours = _create(client, ada, "Ours").get_json()
    audited = len(_audit(app, "label"))

    answer = _label(client, ada, wedding, add=[ours["id"], theirs["id"]])
    assert answer.status_code == 400 and answer.get_json()["code"] == "unknown_label"
    answer = _label(client, ada, wedding, remove=[10**12])
    assert answer.status_code == 400 and answer.get_json()["code"] == "unknown_label"
    assert _count(app, T.conversation_labels) == 0 and len(_audit(app, "label")) == audited
    # Filtering by it finds nothing of SPACE's, and it cannot be changed or deleted
    # through SPACE.
    assert _listed(client, ada, label=theirs["id"]) == {}
    path = f"/api/v1/spaces/{SPACE}/labels/{theirs['id']}"
    assert client.patch(path, json={"colour": "blue"}, headers=ada.headers()).status_code == 404
    assert client.delete(path, headers=ada.headers()).status_code == 404
    # Olga's own Space's routes do not reach SPACE's conversation either.
    answer = _label(client, olga, wedding, add=[theirs["id"]], space=OTHER_SPACE)
    assert answer.status_code == 404
    assert _count(app, T.conversation_labels) == 0


def test_a_members_erasure_takes_their_conversations_labels(app, client, world, two):
    ada, member = world["admin"], world["member"]
    wedding, gluten = two
    vip = _create(client, ada, "VIP").get_json()
    _label(client, ada, wedding, add=[vip["id"]])
    _label(client, ada, gluten, add=[vip["id"]])
    erased = signed_post(client, "/api/v1/privacy/erase", {"user_id": member.user_id})
    assert erased.status_code == 200
    with app.extensions["space_inbox_engine"].connect() as c:
        left = c.execute(select(T.conversation_labels.c.conversation_id)).scalars().all()
    assert left == [gluten]
    assert _labels(client, ada)[0]["conversations"] == 1
