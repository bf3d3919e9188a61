"""E-mail that respects attention: one e-mail per person and Space within the site's delay,
listing only what is still unread when it is due; each person's choices (e-mail, push,
outside opening hours) and the site's defaults; a member's e-mail names the Space only."""

from __future__ import annotations

import json
from datetime import timedelta

import phpserialize
import pytest
from sqlalchemy import select

from bridge.background import outbox
from bridge.inbox import choices, digests
from bridge.inbox.values import utcnow
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
DELAY = timedelta(minutes=5)
POLICY = choices.Policy(delay=DELAY)


def _gather(app, at, policy=POLICY) -> int:
    sessions = outbox.for_app(app)[0]
    with sessions() as session, session.begin():
        return digests.gather_due(session, at, policy)


def _mails(app) -> dict[int, list[dict]]:
    """The e-mail jobs queued, by recipient."""
    with app.extensions["space_inbox_engine"].connect() as c:
        rows = c.execute(
            select(T.outbox.c.user_id, T.outbox.c.payload, T.outbox.c.conversation_id)
            .where(T.outbox.c.kind == "email_digest")
            .order_by(T.outbox.c.id)
        ).all()
    found: dict[int, list[dict]] = {}
    for user_id, payload, about in rows:
        found.setdefault(user_id, []).append({**json.loads(payload), "_column": about})
    return found


def _waiting(app) -> list:
    with app.extensions["space_inbox_engine"].connect() as c:
        return c.execute(select(T.digests).order_by(T.digests.c.user_id)).all()


def _later(minutes: float = 5.1):
    return utcnow() + timedelta(minutes=minutes)


def test_what_comes_within_the_delay_is_one_email_per_admin_listing_it(app, client, world):
    member, admin, admin2 = world["member"], world["admin"], world["admin2"]
    sent = [send(client, member, SPACE, text).get_json()["id"] for text in ("Hi", "Open?", "XL?")]
    assert _gather(app, utcnow()) == 0  # not due yet
    assert _mails(app) == {}
    assert _gather(app, _later()) == 2
    mails = _mails(app)
    assert sorted(mails) == sorted([admin.user_id, admin2.user_id])
    for (mail,) in mails.values():
        assert mail["audience"] == "team" and mail["space_name"] == "Pizzeria Napoli"
        assert mail["count"] == 3 and [m["message_id"] for m in mail["messages"]] == sent
        assert [m["excerpt"] for m in mail["messages"]] == ["Hi", "Open?", "XL?"]
        assert {m["member_id"] for m in mail["messages"]} == {member.user_id}
        assert mail["conversation_id"] == mail["_column"] == mail["messages"][0]["conversation_id"]
    assert _waiting(app) == []
    # The next message starts a new digest, with that message only.
    later = send(client, member, SPACE, "Still there?").get_json()["id"]
    assert _gather(app, _later(11)) == 2
    assert [m["messages"][0]["message_id"] for m in _mails(app)[admin.user_id]] == sent[:1] + [
        later
    ]


def test_what_the_team_read_before_the_email_was_due_is_not_mailed(app, client, world):
    member, admin = world["member"], world["admin"]
    send(client, member, SPACE, "Open on Sunday?")
    cid = conversation_id(client, admin, SPACE, member)
    read = client.post(f"/api/v1/spaces/{SPACE}/conversations/{cid}/read", headers=admin.headers())
    assert read.status_code == 204
    assert _gather(app, _later()) == 2
    assert _mails(app) == {} and _waiting(app) == []


def test_only_what_is_still_unread_is_listed(app, client, world):
    member, admin = world["member"], world["admin"]
    send(client, member, SPACE, "First")
    cid = conversation_id(client, admin, SPACE, member)
    client.post(f"/api/v1/spaces/{SPACE}/conversations/{cid}/read", headers=admin.headers())
    second = send(client, member, SPACE, "Second").get_json()["id"]
    _gather(app, _later())
    (mail,) = _mails(app)[admin.user_id]
    assert mail["count"] == 1 and [m["message_id"] for m in mail["messages"]] == [second]


def test_a_long_batch_lists_the_first_ten_and_counts_them_all(app, client, world, people):
    member, other = world["member"], people["other_member"]
    for i in range(12):
        send(client, member if i % 2 else other, SPACE, f"Question {i}")
    _gather(app, _later())
    (mail,) = _mails(app)[world["admin"].user_id]
    assert mail["count"] == 12 and len(mail["messages"]) == digests.LISTED
    assert {m["member_id"] for m in mail["messages"]} == {member.user_id, other.user_id}
    assert mail["conversation_id"] is None and mail["_column"] is None  # several conversations


def test_answers_are_mailed_to_the_member_as_the_spaces_never_naming_an_admin(app, client, world):
    member, admin, admin2 = world["member"], world["admin"], world["admin2"]
    send(client, member, SPACE, "Allergens in the margherita?")
    cid = conversation_id(client, admin, SPACE, member)
    first = reply(client, admin, SPACE, cid, "Gluten and milk.").get_json()["id"]
    second = reply(client, admin2, SPACE, cid, "And no nuts.").get_json()["id"]
    _gather(app, _later())
    (mail,) = _mails(app)[member.user_id]
    stamps = [m["created_at"] for m in mail["messages"]]
    assert mail == {
        "audience": "member",
        "space_id": SPACE,
        "space_name": "Pizzeria Napoli",
        "conversation_id": cid,
        "count": 2,
        "messages": [
            {"message_id": first, "excerpt": "Gluten and milk.", "created_at": stamps[0]},
            {"message_id": second, "excerpt": "And no nuts.", "created_at": stamps[1]},
        ],
        "user_id": member.user_id,
        "_column": cid,
    }
    text = json.dumps(mail)
    # No person's id but the member's: ids of other things may equal an admin's by chance.
    things = {"space_id", "conversation_id", "_column", "message_id", "count"}

    def people_ids(value, key=None):
        if isinstance(value, dict):
            return [i for k, v in value.items() for i in people_ids(v, k)]
        if isinstance(value, list):
            return [i for v in value for i in people_ids(v, key)]
        return [value] if isinstance(value, int) and key not in things else []

    for who in (admin, admin2):
        assert who.display_name not in text and who.login not in text
        assert who.user_id not in people_ids(mail)


def test_answers_the_member_read_first_are_not_mailed(app, client, world):
    member, admin = world["member"], world["admin"]
    send(client, member, SPACE, "Open?")
    cid = conversation_id(client, admin, SPACE, member)
    reply(client, admin, SPACE, cid, "Yes, until ten.")
    assert (
        client.post(f"/api/v1/me/spaces/{SPACE}/read", headers=member.headers()).status_code == 204
    )
    _gather(app, _later())
    assert member.user_id not in _mails(app)


def test_choices_mute_an_admin_per_space_and_a_member_for_answers(app, client, world):
    member, admin, admin2 = world["member"], world["admin"], world["admin2"]
    muted = client.patch(
        f"/api/v1/spaces/{SPACE}/notifications",
        json={"email": False, "push": False},
        headers=admin2.headers(),
    )
    assert muted.status_code == 200, muted.get_json()
    assert muted.get_json() == {
        "email": False,
        "push": False,
        "outside_hours": True,
        "chosen": True,
    }
    quiet = client.patch(
        "/api/v1/me/notifications", json={"email": False}, headers=member.headers()
    )
    assert quiet.get_json() == {"email": False, "push": True, "chosen": True}
    send(client, member, SPACE, "Hello?")
    reply(client, admin, SPACE, conversation_id(client, admin, SPACE, member), "Hello!")
    _gather(app, _later())
    assert sorted(_mails(app)) == [admin.user_id]
    # Each reads back their own choice; the others still have the site's defaults.
    own = client.get(f"/api/v1/spaces/{SPACE}/notifications", headers=admin2.headers())
    assert own.get_json()["chosen"] is True and own.get_json()["email"] is False
    default = client.get(f"/api/v1/spaces/{SPACE}/notifications", headers=admin.headers())
    assert default.get_json() == {
        "email": True,
        "push": True,
        "outside_hours": True,
        "chosen": False,
    }


def test_the_sites_defaults_and_its_switch_decide_for_those_who_did_not_choose(app, client, world):
    member, admin = world["member"], world["admin"]
    send(client, member, SPACE, "Hello?")
    _gather(app, _later(), choices.Policy(delay=DELAY, team=choices.Choice(email=False)))
    assert _mails(app) == {} and _waiting(app) == []
    send(client, member, SPACE, "Anyone?")
    _gather(app, _later(), choices.Policy(email=False, delay=DELAY))
    assert _mails(app) == {} and _waiting(app) == []
    # An admin's own choice beats the site's default.
    client.patch(
        f"/api/v1/spaces/{SPACE}/notifications", json={"email": True}, headers=admin.headers()
    )
    send(client, member, SPACE, "Hello again?")
    _gather(app, _later(), choices.Policy(delay=DELAY, team=choices.Choice(email=False)))
    assert sorted(_mails(app)) == [admin.user_id]


def test_an_admin_not_disturbed_outside_opening_hours_gets_it_when_the_space_opens(
    app, client, world
):
    member, admin, admin2 = world["member"], world["admin"], world["admin2"]
    now = utcnow()
    # Open one hour a day, starting six hours from now (UTC).
    opens = (now + timedelta(hours=6)).replace(minute=0, second=0, microsecond=0)
    day = {"opens": f"{opens:%H:%M}", "closes": f"{opens + timedelta(hours=1):%H:%M}"}
    if day["closes"] == "00:00":
        day["closes"] = "24:00"
    hours = {d: [day] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    settings = client.patch(
        f"/api/v1/spaces/{SPACE}/settings",
        json={"hours_enabled": True, "hours": hours, "timezone": "UTC"},
        headers=admin.headers(),
    )
    assert settings.status_code == 200, settings.get_json()
    client.patch(
        f"/api/v1/spaces/{SPACE}/notifications",
        json={"outside_hours": False},
        headers=admin2.headers(),
    )
    send(client, member, SPACE, "Late question")
    _gather(app, _later())
    assert sorted(_mails(app)) == [admin.user_id]  # Ada is told at any hour
    (held,) = _waiting(app)
    assert held.user_id == admin2.user_id and held.starts_at == opens
    assert _gather(app, opens + DELAY - timedelta(seconds=1)) == 0
    assert _gather(app, opens + DELAY) == 1
    assert sorted(_mails(app)) == sorted([admin.user_id, admin2.user_id])


def test_who_left_the_team_is_not_mailed(app, client, world, people):
    from devstack.callers import upsert_space

    member, admin = world["member"], world["admin"]
    send(client, member, SPACE, "Hello?")
    upsert_space(client, SPACE, "Pizzeria Napoli", [admin.user_id])
    _gather(app, _later())
    assert sorted(_mails(app)) == [admin.user_id]


def test_a_digest_held_by_another_dispatcher_is_left_to_it(app, client, world):
    send(client, world["member"], SPACE, "Hello?")
    sessions = outbox.for_app(app)[0]
    with sessions() as holder, holder.begin():
        holder.execute(select(T.digests).with_for_update())
        assert _gather(app, _later()) == 0
    assert _gather(app, _later()) == 2


def test_without_a_delay_the_email_is_due_at_once(app, client, world):
    send(client, world["member"], OTHER_SPACE, "Hello?")
    assert _gather(app, utcnow(), choices.Policy(delay=timedelta(0))) == 1
    assert sorted(_mails(app)) == [world["other_space_admin"].user_id]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, choices.Policy()),
        (
            {
                choices.OPTION_EMAIL: "0",
                choices.OPTION_DELAY: "120",
                choices.OPTION_DEFAULTS: phpserialize.dumps(
                    {
                        "team": {"email": "1", "push": "0", "outside_hours": "0"},
                        "member": {"email": "0"},
                    }
                ).decode(),
            },
            choices.Policy(
                email=False,
                delay=timedelta(minutes=2),
                team=choices.Choice(email=True, push=False, outside_hours=False),
                member=choices.Choice(email=False),
            ),
        ),
        ({choices.OPTION_DELAY: "-5", choices.OPTION_DEFAULTS: "not serialized"}, choices.Policy()),
        ({choices.OPTION_DELAY: "99999999"}, choices.Policy(delay=choices.MAX_DELAY)),
        ({choices.OPTION_DELAY: "0"}, choices.Policy(delay=timedelta(0))),
    ],
)
def test_the_sites_options_make_its_policy(options, expected):
    assert choices.policy(options) == expected


def test_an_erased_member_leaves_no_email_waiting_to_them_or_about_them(app, client, world, people):
    member, other, admin = world["member"], people["other_member"], world["admin"]
    send(client, member, SPACE, "My phone is 555-0100")
    reply(client, admin, SPACE, conversation_id(client, admin, SPACE, member), "We'll call you")
    _gather(app, _later())  # Maya's e-mail, and the team's listing her message
    send(client, other, SPACE, "Open late?")
    send(client, member, SPACE, "Call after six")
    _gather(app, _later(11))  # the team's e-mails list both members' messages
    assert any(m["conversation_id"] is None for m in _mails(app)[admin.user_id])
    send(client, member, SPACE, "Thanks")  # and a digest waits
    erased = signed_post(client, "/api/v1/privacy/erase", {"user_id": member.user_id})
    assert erased.status_code == 200
    assert member.user_id not in _mails(app)
    left = json.dumps(_mails(app))
    assert "555-0100" not in left and "after six" not in left
    assert "Open late?" not in left  # went with the e-mail that listed her message too
    assert _gather(app, _later(30)) == 2  # the team's digests: her message is gone
    assert _mails(app).get(admin.user_id, []) == []
