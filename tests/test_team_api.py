"""A Space team's tools through the HTTP API with real WordPress logins: away mode and its
one automatic answer a day, opening hours, the reply preset members are told, saved
replies, who is typing, and the answer refused when another came meanwhile. Each from the
member's side too: nothing of it names an admin, and typing never reaches the member."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from bridge.inbox import access, values, writes
from bridge.limits import SAVED_REPLIES_MAX, WEEKDAYS
from bridge.storage.tables import tables
from devstack.callers import OTHER_SPACE, PREFIX, SPACE, conversation_id, reply, send, signed_post

T = tables(PREFIX)
ALL_DAY = {d: [{"opens": "00:00", "closes": "24:00"}] for d in WEEKDAYS}


def _settings(client, caller, space=SPACE, **changes):
    return client.patch(f"/api/v1/spaces/{space}/settings", json=changes, headers=caller.headers())


def _member_page(client, member, space=SPACE) -> dict:
    answer = client.get(f"/api/v1/me/spaces/{space}/messages", headers=member.headers())
    assert answer.status_code == 200
    return answer.get_json()


def _team_page(client, admin, cid, space=SPACE) -> dict:
    answer = client.get(
        f"/api/v1/spaces/{space}/conversations/{cid}/messages", headers=admin.headers()
    )
    assert answer.status_code == 200
    return answer.get_json()


def _count(app, table, *where) -> int:
    with app.extensions["space_inbox_engine"].connect() as c:
        return c.execute(select(func.count()).select_from(table).where(*where)).scalar()


# -- away mode -----------------------------------------------------------------------------


def test_away_now_answers_each_conversation_once_a_day_as_the_space(app, client, world):
    admin, member, other = world["admin"], world["member"], world["other_member"]
    answer = _settings(client, admin, away_now=True, away_message="Back at 6pm!")
    assert answer.status_code == 200 and answer.get_json()["away"] is True
    assert send(client, member, SPACE, "Open on Sunday?").status_code == 201
    assert send(client, member, SPACE, "And on Monday?").status_code == 201
    page = _member_page(client, member)
    assert [(m["from"], m["body"]) for m in page["messages"]] == [
        ("me", "Open on Sunday?"),
        ("space", "Back at 6pm!"),
        ("me", "And on Monday?"),
    ]
    # The member sees the Space, nobody in it: the same keys as any message (and the key of
    # their own messages).
    keys = {"id", "from", "body", "created_at"}
    assert all(set(m) - {"client_key"} == keys for m in page["messages"])
    assert all(("client_key" in m) == (m["from"] == "me") for m in page["messages"])
    cid = conversation_id(client, admin, SPACE, member)
    automatic = [m for m in _team_page(client, admin, cid)["messages"] if m["from"] == "space"]
    assert automatic == [{**automatic[0], "automatic": True}] and "author" not in automatic[0]
    # Another member's conversation gets its own.
    assert send(client, other, SPACE, "Table for two?").status_code == 201
    assert [m["from"] for m in _member_page(client, other)["messages"]] == ["me", "space"]
    # The member is told of it by the unread count only: no notification job, and the
    # team is still notified of each message.
    assert _count(app, T.outbox, T.outbox.c.kind == "space_reply") == 0
    assert _count(app, T.outbox, T.outbox.c.kind == "member_message") == 3 * 2
    summary = client.get("/api/v1/me/summary", headers=member.headers()).get_json()
    assert summary["unread"] == 1
    # It answers nothing: the member still waits, in one period.
    with app.extensions["space_inbox_engine"].connect() as c:
        conversation = c.execute(select(T.conversations).where(T.conversations.c.id == cid)).one()
        periods = c.execute(
            select(T.response_periods).where(T.response_periods.c.conversation_id == cid)
        ).all()
    assert conversation.awaiting_since is not None and conversation.first_response_at is None
    assert [p.closed_at for p in periods] == [None]

    # The next day (in the Space's time zone), the same conversation gets one more.
    session = app.extensions["space_inbox_db"]()
    try:
        tomorrow = values.utcnow() + timedelta(days=1)
        for text in ("Still closed?", "Hello?"):
            with session.begin():
                space = access.sending_space_or_404(session, SPACE, member.user_id)
                writes.send_to_space(
                    session, space, member.user_id, text, uuid.uuid4().hex, tomorrow
                )
    finally:
        session.close()
    froms = [m["from"] for m in _member_page(client, member)["messages"]]
    assert froms == ["me", "space", "me", "me", "space", "me"]

    # Back: no more automatic answers; the audit says who set it away and back.
    assert _settings(client, world["admin2"], away_now=False).get_json()["away"] is False
    assert send(client, member, SPACE, "Are you back?").status_code == 201
    assert _member_page(client, member)["messages"][-1]["from"] == "me"
    with app.extensions["space_inbox_engine"].connect() as c:
        audit = c.execute(
            select(T.audit.c.actor_id, T.audit.c.detail)
            .where(T.audit.c.action == "settings")
            .order_by(T.audit.c.id)
        ).all()
    assert [tuple(a) for a in audit] == [
        (admin.user_id, "away_message, away on"),
        (world["admin2"].user_id, "away off"),
    ]


def test_outside_opening_hours_the_space_is_away(client, world):
    admin, member = world["admin"], world["member"]
    closed = _settings(client, admin, hours_enabled=True, hours={}, timezone="Europe/Paris")
    assert closed.status_code == 200 and closed.get_json()["away"] is True
    assert send(client, member, SPACE, "Open?").status_code == 201
    assert [m["from"] for m in _member_page(client, member)["messages"]] == ["me", "space"]
    open_now = _settings(client, admin, hours=ALL_DAY)
    assert open_now.get_json()["away"] is False
    assert send(client, world["other_member"], SPACE, "Open?").status_code == 201
    assert [m["from"] for m in _member_page(client, world["other_member"])["messages"]] == ["me"]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({}, "no_settings"),
        ({"away": True}, "unknown_field"),
        ({"away_now": "yes"}, "invalid_away_now"),
        ({"hours": {"mon": [{"opens": "18:00", "closes": "09:00"}]}}, "invalid_hours"),
        ({"hours": {"funday": []}}, "invalid_hours"),
        ({"timezone": "Mars/Olympus"}, "invalid_timezone"),
        ({"timezone": "../../etc/passwd"}, "invalid_timezone"),
        ({"away_message": "   "}, "empty_body"),
        ({"reply_preset": "week"}, "invalid_reply_preset"),
        ({"away_now": True, "timezone": "Nowhere"}, "invalid_timezone"),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(app, client, world, changes, code):
    admin = world["admin"]
    before = client.get(f"/api/v1/spaces/{SPACE}/settings", headers=admin.headers()).get_json()
    answer = _settings(client, admin, **changes)
    assert answer.status_code == 400 and answer.get_json()["code"] == code
    after = client.get(f"/api/v1/spaces/{SPACE}/settings", headers=admin.headers()).get_json()
    assert after == before
    assert _count(app, T.space_settings) == _count(app, T.away_spells) == _count(app, T.audit) == 0


def test_the_settings_start_from_the_sites_time_zone(client, world, wordpress):
    wordpress.php("update_option('timezone_string', 'America/New_York');")
    try:
        admin = world["admin"]
        found = client.get(f"/api/v1/spaces/{SPACE}/settings", headers=admin.headers()).get_json()
        assert found["timezone"] == "America/New_York" and found["away"] is False
        assert _settings(client, admin, reply_preset="hour").get_json()["timezone"] == (
            "America/New_York"
        )
    finally:
        wordpress.php("update_option('timezone_string', '');")


# -- what members are told -----------------------------------------------------------------


def test_members_and_visitors_are_told_the_preset_and_nothing_per_admin(client, world):
    path = f"/api/v1/spaces/{SPACE}/response-time"
    empty = client.get(path)
    assert empty.status_code == 200 and "public" in empty.headers["Cache-Control"]
    assert empty.get_json() == {"typically": None, "source": None, "very_responsive": False}
    _settings(client, world["admin"], reply_preset="hour")
    told = client.get(path, headers=world["member"].headers()).get_json()
    assert told == {"typically": "hour", "source": "preset", "very_responsive": False}
    assert client.get("/api/v1/spaces/999999/response-time").status_code == 404


def test_ten_quick_answers_make_the_figures_speak_for_the_space(app, client, world):
    """Ten periods answered within a minute: "within minutes", and very responsive."""
    _settings(client, world["admin"], reply_preset="day")
    session = app.extensions["space_inbox_db"]()
    start = values.utcnow() - timedelta(hours=12)
    try:
        for i in range(10):
            when = start + timedelta(minutes=30 * i)
            member = 800000 + i
            with session.begin():
                space = access.sending_space_or_404(session, SPACE, member)
                message, _ = writes.send_to_space(
                    session, space, member, "Hi", uuid.uuid4().hex, when
                )
            with session.begin():
                writes.reply_as_space(
                    session,
                    access.get_space(session, SPACE),
                    message.conversation_id,
                    world["admin2"].user_id,
                    "Hello!",
                    uuid.uuid4().hex,
                    when + timedelta(seconds=40),
                )
    finally:
        session.close()
    told = client.get(f"/api/v1/spaces/{SPACE}/response-time").get_json()
    assert told == {"typically": "minutes", "source": "figures", "very_responsive": True}
    dashboard = client.get(f"/api/v1/spaces/{SPACE}/figures", headers=world["admin"].headers())
    figures = dashboard.get_json()
    assert figures["space"]["days_7"]["median_seconds"] == 40.0
    assert figures["space"]["days_30"]["response_rate"] == 1.0
    assert figures["admins"] == [
        {
            "admin": {"id": world["admin2"].user_id, "name": "Ben Admin"},
            "days_7": {"answered": 10, "median_seconds": 40.0, "p90_seconds": 40.0},
            "days_30": {"answered": 10, "median_seconds": 40.0, "p90_seconds": 40.0},
        }
    ]


def test_the_dashboard_lists_the_conversations_waiting_longest(client, world):
    admin, member, other = world["admin"], world["member"], world["other_member"]
    assert send(client, member, SPACE, "First").status_code == 201
    assert send(client, other, SPACE, "Second").status_code == 201
    figures = client.get(f"/api/v1/spaces/{SPACE}/figures", headers=admin.headers()).get_json()
    assert [w["member"]["id"] for w in figures["waiting"]] == [member.user_id, other.user_id]
    assert figures["space"]["days_7"]["waiting"] == 2
    cid = conversation_id(client, admin, SPACE, member)
    assert reply(client, admin, SPACE, cid, "Hello").status_code == 201
    figures = client.get(f"/api/v1/spaces/{SPACE}/figures", headers=admin.headers()).get_json()
    assert [w["member"]["id"] for w in figures["waiting"]] == [other.user_id]
    assert [d["periods"] for d in figures["days"]][-1] == 2
    assert figures["days"][-1]["answered"] == 1


def test_the_figures_are_kept_until_a_change_and_a_minute_at_most(app, client, world, monkeypatch):
    """Kept between reads; made again at once after every kind of change, and after a
    minute whatever happens (here, a period written behind the bridge's back)."""
    admin, member, other = world["admin"], world["member"], world["other_member"]
    path = f"/api/v1/spaces/{SPACE}/figures"

    def month() -> dict:
        answer = client.get(path, headers=admin.headers())
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()["space"]["days_30"]

    assert month()["periods"] == 0
    assert send(client, member, SPACE, "Open?").status_code == 201  # opens a period
    assert month()["periods"] == 1
    cid = conversation_id(client, admin, SPACE, member)
    assert reply(client, admin, SPACE, cid, "Yes").status_code == 201  # closes it
    assert month()["answered"] == 1
    assert send(client, other, SPACE, "And me?").status_code == 201
    assert month()["waiting"] == 1
    public = client.get(f"/api/v1/spaces/{SPACE}/response-time").get_json()
    assert _count(app, T.kept_figures) == 1
    # What members are told is read from the kept row alone (here changed behind its back).
    said = {"typically": "day", "source": "preset", "very_responsive": False}
    with app.extensions["space_inbox_engine"].begin() as connection:
        connection.execute(T.kept_figures.update().values(told=json.dumps(said)))
    assert client.get(f"/api/v1/spaces/{SPACE}/response-time").get_json() == said
    _settings(client, admin, away_now=True)  # away: the wait stops counting
    assert _count(app, T.kept_figures) == 0
    _settings(client, admin, reply_preset="hour")
    assert client.get(f"/api/v1/spaces/{SPACE}/response-time").get_json() != public
    erased = signed_post(client, "/api/v1/privacy/erase", {"user_id": other.user_id})
    assert erased.status_code == 200
    assert month()["periods"] == 1

    # Behind the bridge's back: the kept figures stand, for a minute.
    now = values.utcnow()
    with app.extensions["space_inbox_engine"].begin() as connection:
        connection.execute(
            insert(T.response_periods).values(
                space_id=SPACE, conversation_id=cid, opened_at=now - timedelta(hours=1)
            )
        )
    assert month()["periods"] == 1
    monkeypatch.setattr(values, "utcnow", lambda: now + timedelta(seconds=59))
    assert month()["periods"] == 1
    monkeypatch.setattr(values, "utcnow", lambda: now + timedelta(seconds=61))
    assert month()["periods"] == 2
    # What members are told, likewise: kept for a minute, then made again.
    with app.extensions["space_inbox_engine"].begin() as connection:
        connection.execute(T.kept_figures.update().values(told=json.dumps(said)))
    assert client.get(f"/api/v1/spaces/{SPACE}/response-time").get_json() == said
    monkeypatch.setattr(values, "utcnow", lambda: now + timedelta(seconds=122))
    assert client.get(f"/api/v1/spaces/{SPACE}/response-time").get_json() != said


# -- no double answers ----------------------------------------------------------------------


def _answer(client, admin, cid, body, key=None, **extra):
    return client.post(
        f"/api/v1/spaces/{SPACE}/conversations/{cid}/messages",
        json={"body": body, "client_key": key or uuid.uuid4().hex, **extra},
        headers=admin.headers(),
    )


def test_an_answer_after_another_came_is_asked_for_again(app, client, world):
    a, b, member = world["admin"], world["admin2"], world["member"]
    assert send(client, member, SPACE, "Open on Sunday?").status_code == 201
    cid = conversation_id(client, a, SPACE, member)
    seen = _team_page(client, b, cid)["messages"][-1]["id"]  # both open it
    key = uuid.uuid4().hex
    first = _answer(client, a, cid, "Yes, from noon.", key, seen_id=seen)
    assert first.status_code == 201
    # A retry of that answer is the same answer, not a conflict.
    again = _answer(client, a, cid, "Yes, from noon.", key, seen_id=seen)
    assert again.status_code == 201 and again.get_json()["id"] == first.get_json()["id"]
    before = _count(app, T.messages)
    late = _answer(client, b, cid, "We open at noon on Sundays.", seen_id=seen)
    assert late.status_code == 409 and late.get_json()["code"] == "answered_meanwhile"
    assert _count(app, T.messages) == before
    # Having read it, B sends theirs anyway.
    sent = _answer(client, b, cid, "We open at noon on Sundays.")
    assert sent.status_code == 201
    newest = _team_page(client, b, cid)["messages"][-1]["id"]
    assert _answer(client, a, cid, "See you!", seen_id=newest).status_code == 201
    # One's own answers are no reason to ask: A adds a line to what A wrote.
    assert _answer(client, a, cid, "Bring a jacket.", seen_id=newest).status_code == 201
    assert _answer(client, b, cid, "Ciao!", seen_id=newest).status_code == 409


def test_an_automatic_answer_is_no_reason_to_ask(client, world):
    a, member = world["admin"], world["member"]
    assert send(client, member, SPACE, "Open?").status_code == 201
    cid = conversation_id(client, a, SPACE, member)
    seen = _team_page(client, a, cid)["messages"][-1]["id"]
    _settings(client, a, away_now=True)
    assert send(client, member, SPACE, "Hello?").status_code == 201  # gets the away answer
    assert _answer(client, a, cid, "Yes!", seen_id=seen).status_code == 201


@pytest.mark.parametrize("seen", [0, -1, "12", 2**64, True])
def test_a_bad_seen_id_is_refused(client, world, seen):
    a, member = world["admin"], world["member"]
    assert send(client, member, SPACE, "Open?").status_code == 201
    cid = conversation_id(client, a, SPACE, member)
    answer = _answer(client, a, cid, "Yes", seen_id=seen)
    assert answer.status_code == 400 and answer.get_json()["code"] == "invalid_seen_id"


# -- typing ----------------------------------------------------------------------------------


def _typing(client, caller, cid, state=None, space=SPACE):
    path = f"/api/v1/spaces/{space}/conversations/{cid}/typing"
    if state is None:
        return client.get(path, headers=caller.headers())
    return client.post(path, json={"typing": state}, headers=caller.headers())


def _who(client, caller, cid) -> dict:
    """The team's typing answer but its newest message's and note's ids (checked on their own)."""
    answer = _typing(client, caller, cid)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert {"last_message_id", "last_note_id", "viewing", "answering"} <= set(body), body
    for key in ("last_message_id", "last_note_id", "viewing", "answering"):
        del body[key]
    return body


def _member_typing(client, member, space=SPACE):
    """The member's typing answer but its newest message's id (checked on its own)."""
    answer = client.get(f"/api/v1/me/spaces/{space}/typing", headers=member.headers())
    assert answer.status_code == 200
    body = answer.get_json()
    assert "last_message_id" in body, body
    del body["last_message_id"]
    return body


def test_the_team_sees_who_else_is_typing_until_they_send_or_stop(app, client, world):
    a, b, member = world["admin"], world["admin2"], world["member"]
    assert send(client, member, SPACE, "Open?").status_code == 201
    cid = conversation_id(client, a, SPACE, member)
    ada = {"id": a.user_id, "name": a.display_name}
    assert _who(client, b, cid) == {"typing": False, "who": []}
    assert _member_typing(client, member) == {"typing": False}
    assert _typing(client, a, cid, True).status_code == 204
    assert _who(client, b, cid) == {"typing": True, "who": [ada]}
    assert _who(client, a, cid) == {"typing": False, "who": []}  # not oneself
    assert _who(client, world["site_admin"], cid) == {"typing": True, "who": [ada]}
    # The member is told the Space is typing, never who.
    assert _member_typing(client, member) == {"typing": True}
    assert _member_typing(client, world["other_member"]) == {"typing": False}
    both = sorted([ada, {"id": b.user_id, "name": b.display_name}], key=lambda p: p["name"])
    assert _typing(client, b, cid, True).status_code == 204
    assert _who(client, world["site_admin"], cid) == {"typing": True, "who": both}
    _typing(client, b, cid, False)
    assert reply(client, a, SPACE, cid, "Yes").status_code == 201
    assert _who(client, b, cid) == {"typing": False, "who": []}
    assert _member_typing(client, member) == {"typing": False}
    _typing(client, a, cid, True)
    _typing(client, a, cid, False)
    assert _who(client, b, cid) == {"typing": False, "who": []}
    # A mark expires: a page that stopped saying so is not typing any more.
    with app.extensions["space_inbox_engine"].begin() as c:
        c.execute(
            insert(T.typing).values(
                conversation_id=cid,
                user_id=a.user_id,
                until=values.utcnow() - timedelta(seconds=1),
            )
        )
    assert _who(client, b, cid) == {"typing": False, "who": []}
    assert _member_typing(client, member) == {"typing": False}


def test_the_typing_answer_names_the_newest_message_for_pages_without_the_stream(client, world):
    a, b, member = world["admin"], world["admin2"], world["member"]
    asked = send(client, member, SPACE, "Open on Sunday?")
    assert asked.status_code == 201
    cid = asked.get_json()["conversation_id"]
    assert _typing(client, b, cid).get_json()["last_message_id"] == asked.get_json()["id"]
    answered = reply(client, a, SPACE, cid, "From ten.")
    assert answered.status_code == 201
    assert _typing(client, b, cid).get_json()["last_message_id"] == answered.get_json()["id"]
    # A teammate's note is news to the team's page too (it moves no count).
    assert _typing(client, b, cid).get_json()["last_note_id"] is None
    noted = client.post(
        f"/api/v1/spaces/{SPACE}/conversations/{cid}/notes",
        json={"body": "She asked on Friday too", "client_key": "n-1"},
        headers=a.headers(),
    )
    assert noted.status_code == 201
    answer = _typing(client, b, cid).get_json()
    assert answer["last_note_id"] == noted.get_json()["id"]
    assert answer["last_message_id"] == answered.get_json()["id"]


def test_the_members_typing_answer_names_the_newest_message_of_their_own_conversation(
    client, world
):
    member, other = world["member"], world["other_member"]
    path = f"/api/v1/me/spaces/{SPACE}/typing"
    # No conversation yet: nothing to name.
    assert client.get(path, headers=member.headers()).get_json() == {
        "typing": False,
        "last_message_id": None,
    }
    asked = send(client, member, SPACE, "Open on Sunday?")
    assert asked.status_code == 201
    assert client.get(path, headers=member.headers()).get_json() == {
        "typing": False,
        "last_message_id": asked.get_json()["id"],
    }
    answered = reply(client, world["admin"], SPACE, asked.get_json()["conversation_id"], "Yes.")
    assert answered.status_code == 201
    newest = client.get(path, headers=member.headers()).get_json()["last_message_id"]
    assert newest == answered.get_json()["id"]
    # Another member's answer names their own conversation only, never this one.
    assert client.get(path, headers=other.headers()).get_json()["last_message_id"] is None
    # Only the team asks it: the member's answer says nothing of messages.
    assert _member_typing(client, member) == {"typing": False}


def test_typing_is_the_teams_to_say(client, world):
    member, olga = world["member"], world["other_space_admin"]
    assert send(client, member, SPACE, "Open?").status_code == 201
    cid = conversation_id(client, world["admin"], SPACE, member)
    for caller in (member, olga):
        assert _typing(client, caller, cid, True).status_code == 403
        assert _typing(client, caller, cid).status_code == 403
    # Through another Space, the conversation does not exist.
    assert _typing(client, olga, cid, True, space=OTHER_SPACE).status_code == 404
    # The member's own question: their conversation with another Space is not this one.
    assert _typing(client, world["admin"], cid, True).status_code == 204
    assert _member_typing(client, member, OTHER_SPACE) == {"typing": False}
    assert (
        client.get("/api/v1/me/spaces/999999/typing", headers=member.headers()).status_code == 404
    )
    # What the member reads of it names no admin.
    for path in (f"/api/v1/me/spaces/{SPACE}/typing", f"/api/v1/me/spaces/{SPACE}/messages"):
        text = client.get(path, headers=member.headers()).get_data(as_text=True)
        assert world["admin"].display_name not in text and "who" not in text


def test_the_member_sees_what_the_space_has_seen_never_who(client, world):
    a, member = world["admin"], world["member"]
    first = send(client, member, SPACE, "Open?").get_json()["id"]
    page = lambda: client.get(  # noqa: E731
        f"/api/v1/me/spaces/{SPACE}/messages", headers=member.headers()
    ).get_json()
    assert page()["space_seen_id"] is None
    cid = conversation_id(client, a, SPACE, member)
    path = f"/api/v1/spaces/{SPACE}/conversations/{cid}/read"
    assert client.post(path, headers=a.headers()).status_code == 204
    assert page()["space_seen_id"] == first
    second = send(client, member, SPACE, "And Sunday?").get_json()["id"]
    assert page()["space_seen_id"] == first  # not yet seen
    assert client.post(path, headers=world["admin2"].headers()).status_code == 204
    assert page()["space_seen_id"] == second
    assert a.display_name not in str(page()) and world["admin2"].display_name not in str(page())


# -- saved replies ----------------------------------------------------------------------------


def _saved(client, caller, method="POST", rid=None, space=SPACE, **body):
    path = f"/api/v1/spaces/{space}/saved-replies" + (f"/{rid}" if rid else "")
    return client.open(path, method=method, json=body or None, headers=caller.headers())


def test_saved_replies_are_kept_changed_and_deleted_by_the_team(client, world):
    a, b = world["admin"], world["admin2"]
    made = _saved(client, a, title="  Opening   hours ", body="Open 9 to 5, Sunday from noon.")
    assert made.status_code == 201
    kept = made.get_json()
    assert kept["title"] == "Opening hours" and kept["updated_by"]["id"] == a.user_id
    _saved(client, b, title="Allergens", body="Ask us for the allergen sheet.")
    listing = _saved(client, b, "GET").get_json()["saved_replies"]
    assert [r["title"] for r in listing] == ["Allergens", "Opening hours"]
    changed = _saved(client, b, "PUT", kept["id"], title="Hours", body="Open 10 to 6.")
    assert changed.get_json()["updated_by"]["id"] == b.user_id
    assert _saved(client, a, "DELETE", kept["id"]).status_code == 204
    assert [r["title"] for r in _saved(client, a, "GET").get_json()["saved_replies"]] == [
        "Allergens"
    ]
    assert _saved(client, a, "DELETE", kept["id"]).status_code == 404


def test_another_spaces_admin_cannot_reach_a_saved_reply(client, world):
    kept = _saved(client, world["admin"], title="Hours", body="Open 9 to 5.").get_json()
    olga = world["other_space_admin"]
    assert _saved(client, olga, "GET").status_code == 403
    for method in ("PUT", "DELETE"):
        answer = _saved(client, olga, method, kept["id"], space=OTHER_SPACE, title="x", body="y")
        assert answer.status_code == 404
    assert _saved(client, world["admin"], "GET").get_json()["saved_replies"][0]["body"] == (
        "Open 9 to 5."
    )


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"title": "", "body": "x"}, 400, "invalid_title"),
        ({"title": "x" * 101, "body": "x"}, 413, "title_too_long"),
        ({"title": "Hours"}, 400, "invalid_body"),
        ({"title": "Hours", "body": "x" * 2001}, 413, "body_too_long"),
        ({"title": 5, "body": "x"}, 400, "invalid_title"),
    ],
)
def test_bad_saved_replies_are_refused(app, client, world, body, status, code):
    answer = _saved(client, world["admin"], **body)
    assert answer.status_code == status and answer.get_json()["code"] == code
    assert _count(app, T.saved_replies) == 0


def test_a_space_keeps_at_most_so_many_saved_replies(app, client, world):
    with app.extensions["space_inbox_engine"].begin() as c:
        c.execute(
            insert(T.saved_replies),
            [
                {
                    "space_id": SPACE,
                    "title": f"Reply {i}",
                    "body": "Text",
                    "updated_by": world["admin"].user_id,
                    "updated_at": values.utcnow(),
                }
                for i in range(SAVED_REPLIES_MAX)
            ],
        )
    answer = _saved(client, world["admin"], title="One more", body="Text")
    assert answer.status_code == 409 and answer.get_json()["code"] == "too_many_saved_replies"
    assert _count(app, T.saved_replies) == SAVED_REPLIES_MAX


def test_erasing_a_member_takes_their_waiting_periods_out_of_the_figures(app, client, world):
    member, other, admin = world["member"], world["other_member"], world["admin"]
    assert send(client, member, SPACE, "Open?").status_code == 201
    assert send(client, other, SPACE, "Open?").status_code == 201
    _typing(client, admin, conversation_id(client, admin, SPACE, member), True)
    erased = signed_post(client, "/api/v1/privacy/erase", {"user_id": member.user_id})
    assert erased.status_code == 200
    figures = client.get(f"/api/v1/spaces/{SPACE}/figures", headers=admin.headers()).get_json()
    assert figures["space"]["days_7"]["periods"] == 1
    assert [w["member"]["id"] for w in figures["waiting"]] == [other.user_id]
    assert _count(app, T.typing) == 0
