"""Admin anonymity: after answers by several admins, nothing a member receives carries
any admin's id, login, nicename, display name or e-mail, in any field or header."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bridge.storage.tables import tables
from devstack.callers import (
    PASSWORD,
    PREFIX,
    SPACE,
    Caller,
    conversation_id,
    reply,
    send,
    upsert_space,
)

#: Admins get ids from a range no count, message id or timestamp fragment here reaches,
#: so that "the id appears nowhere" is a meaningful check.
ADMIN_IDS_FROM = 7770001
ADMINS = [
    ("giulia.rossi", "Giulia Rossi", "giulia@pizzeria.example"),
    ("marco.bianchi", "Marco Bianchi", "marco@pizzeria.example"),
    ("lena.schmidt", "Lena Schmidt", "lena@pizzeria.example"),
]


@pytest.fixture(scope="module")
def admins(wordpress) -> list[Caller]:
    found = []
    for login, display, email in ADMINS:
        user_id = wordpress.user_id(login)
        if user_id is None:
            wordpress.sql(f"ALTER TABLE {{prefix}}users AUTO_INCREMENT = {ADMIN_IDS_FROM}")
            user_id = wordpress.create_user(
                login, PASSWORD, role="subscriber", email=email, display_name=display
            )
        session = wordpress.login(login, PASSWORD)
        name, value = wordpress.logged_in_cookie(session)
        found.append(
            Caller(
                "admin",
                user_id,
                login,
                display,
                email,
                f"{name}={value}",
                wordpress.rest_nonce(session),
            )
        )
    assert all(a.user_id >= ADMIN_IDS_FROM for a in found)
    return found


def _secrets(wordpress, admins: list[Caller]) -> list[str]:
    values = []
    for admin in admins:
        nicename = wordpress.sql(
            "SELECT user_nicename FROM {prefix}users WHERE ID = %s", [admin.user_id]
        )[0][0]
        values += [str(admin.user_id), admin.login, nicename, admin.display_name, admin.email]
    # JSON escapes nothing in these, but check the escaped forms too.
    return values + [json.dumps(v)[1:-1] for v in values]


MEMBER_MESSAGE_KEYS = {"id", "from", "body", "created_at"}


def _walk_keys(value, path=""):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield f"{path}.{key}"
            yield from _walk_keys(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for inner in value:
            yield from _walk_keys(inner, f"{path}[]")


def test_member_facing_answers_never_carry_an_admin(app, client, wordpress, people, admins):
    member = people["member"]
    upsert_space(client, SPACE, "Pizzeria Napoli", [a.user_id for a in admins])
    assert send(client, member, SPACE, "Allergens in the margherita?").status_code == 201
    cid = conversation_id(client, admins[0], SPACE, member)
    answer_keys = [f"answer{number}key{admin.user_id}" for number, admin in enumerate(admins)]
    for number, admin in enumerate(admins):
        answer = reply(
            client, admin, SPACE, cid, f"Answer {number}: gluten, milk.", answer_keys[number]
        )
        assert answer.status_code == 201
        # The admins' own view carries the audit label; the member's must not.
        assert answer.get_json()["author"]["name"] == admin.display_name
    assert send(client, member, SPACE, "Thanks!", "thanks-key").status_code == 201

    member_answers = [
        client.get("/api/v1/me/summary", headers=member.headers()),
        client.get("/api/v1/me/conversations", headers=member.headers()),
        client.get(f"/api/v1/me/spaces/{SPACE}/messages", headers=member.headers()),
        client.get(f"/api/v1/me/spaces/{SPACE}/messages?limit=1", headers=member.headers()),
        send(client, member, SPACE, "One more question"),
        client.post(f"/api/v1/me/spaces/{SPACE}/read", headers=member.headers()),
    ]
    # The keys the admins sent their answers with are theirs too.
    secrets = [s.lower() for s in _secrets(wordpress, admins) + answer_keys]
    for answer in member_answers:
        assert answer.status_code < 300
        text = answer.get_data(as_text=True).lower()
        headers = "\n".join(f"{k}: {v}" for k, v in answer.headers.items()).lower()
        for secret in secrets:
            assert secret not in text, f"{secret!r} in {answer.request.path}"
            assert secret not in headers, f"{secret!r} in headers of {answer.request.path}"
        keys = set(_walk_keys(answer.get_json())) if answer.is_json else set()
        assert not any("author" in k or "user" in k or "admin" in k for k in keys), keys

    page = member_answers[2].get_json()
    assert [m["from"] for m in page["messages"]] == ["me", "space", "space", "space", "me"]
    for message in page["messages"]:
        # Only the member's own messages come with the key they were sent with.
        own = {"client_key"} if message["from"] == "me" else set()
        assert set(message) == MEMBER_MESSAGE_KEYS | own, message
    assert page["messages"][-1]["client_key"] == "thanks-key"


def test_member_notifications_never_carry_an_admin(app, client, wordpress, people, admins):
    """The outbox job that becomes the member's notification names the Space only."""
    member = people["member"]
    upsert_space(client, SPACE, "Pizzeria Napoli", [a.user_id for a in admins])
    send(client, member, SPACE, "Open on Sunday?")
    cid = conversation_id(client, admins[1], SPACE, member)
    assert reply(client, admins[1], SPACE, cid, "Yes!").status_code == 201
    outbox = tables(PREFIX).outbox
    with app.extensions["space_inbox_engine"].connect() as c:
        payloads = (
            c.execute(select(outbox.c.payload).where(outbox.c.user_id == member.user_id))
            .scalars()
            .all()
        )
    assert len(payloads) == 1
    secrets = [s.lower() for s in _secrets(wordpress, admins)]
    for secret in secrets:
        assert secret not in payloads[0].lower()
    assert json.loads(payloads[0])["space_name"] == "Pizzeria Napoli"


def test_the_admin_view_keeps_the_audit_label(client, people, admins):
    member = people["member"]
    upsert_space(client, SPACE, "Pizzeria Napoli", [a.user_id for a in admins])
    send(client, member, SPACE, "This t-shirt in XL?")
    cid = conversation_id(client, admins[0], SPACE, member)
    reply(client, admins[0], SPACE, cid, "Yes", "giulias-key")
    reply(client, admins[2], SPACE, cid, "And in L", "lenas-key")
    url = f"/api/v1/spaces/{SPACE}/conversations/{cid}/messages"
    page = client.get(url, headers=admins[1].headers()).get_json()
    labels = [(m["from"], m.get("author")) for m in page["messages"]]
    assert labels == [
        ("member", None),
        ("space", {"id": admins[0].user_id, "name": "Giulia Rossi"}),
        ("space", {"id": admins[2].user_id, "name": "Lena Schmidt"}),
    ]
    # A client key is its writer's: a teammate reads none, an admin her own answer's only.
    assert not any("client_key" in m for m in page["messages"])
    own = client.get(url, headers=admins[2].headers()).get_json()["messages"]
    assert [m.get("client_key") for m in own] == [None, None, "lenas-key"]
