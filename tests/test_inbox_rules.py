"""The inbox rules, through the HTTP API with real WordPress logins: idempotent retries,
unread counters that always equal the truth, body rules, one conversation per member,
keyset pagination, team changes, deleted Spaces and users, the outbox, the summary ETag.

The database is checked with SQLAlchemy where the API alone cannot prove a rule (exactly
one row written, nothing written on refusal)."""

from __future__ import annotations

import base64
import json
import threading
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from bridge.inbox import values
from bridge.storage.tables import tables
from devstack.callers import (
    OTHER_SPACE,
    PREFIX,
    SPACE,
    conversation_id,
    event,
    reply,
    send,
    signed_post,
    upsert_space,
)

T = tables(PREFIX)
SUMMARY = "/api/v1/me/summary"
MY_CONVERSATIONS = "/api/v1/me/conversations"
WRITTEN = ("spaces", "space_admins", "conversations", "messages", "outbox", "audit", "user_flags")


# -- helpers -----------------------------------------------------------------------------


def _engine(app):
    return app.extensions["space_inbox_engine"]


def _rows(app, table, *where, order=None) -> list:
    query = select(table).where(*where)
    query = query.order_by(*(order if order is not None else table.primary_key.columns))
    with _engine(app).connect() as connection:
        return list(connection.execute(query))


def _count(app, table, *where) -> int:
    with _engine(app).connect() as connection:
        return connection.execute(select(func.count()).select_from(table).where(*where)).scalar()


def _snapshot(app) -> dict:
    """Every row of the bridge's tables a write could touch."""
    return {name: [tuple(r) for r in _rows(app, getattr(T, name))] for name in WRITTEN}


def _conversation(app, space_id: int, member_id: int):
    found = _rows(
        app,
        T.conversations,
        T.conversations.c.space_id == space_id,
        T.conversations.c.member_id == member_id,
    )
    assert len(found) <= 1
    return found[0] if found else None


def _messages_path(space_id: int) -> str:
    return f"/api/v1/me/spaces/{space_id}/messages"


def _admin_path(space_id: int, cid: int | None = None, tail: str = "") -> str:
    path = f"/api/v1/spaces/{space_id}/conversations"
    return path if cid is None else f"{path}/{cid}{tail}"


def _post_raw(client, path: str, caller, data, content_type="application/json"):
    return client.post(path, data=data, content_type=content_type, headers=caller.headers())


def _events(client, *events) -> None:
    answer = signed_post(client, "/api/v1/events", {"events": list(events)})
    assert answer.status_code == 200, answer.get_json()


def _summary(client, caller) -> dict:
    answer = client.get(SUMMARY, headers=caller.headers())
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _admin_unread(client, admin, space_id: int) -> int | None:
    """A Space's unread count in an admin's summary; None when the Space is not there."""
    for space in _summary(client, admin).get("spaces", []):
        if space["id"] == space_id:
            return space["unread"]
    return None


def _started(client, people, space_id: int = SPACE, member: str = "member") -> int:
    """A member's first message; return the conversation id."""
    answer = send(client, people[member], space_id, "Hello, is the oven on?")
    assert answer.status_code == 201, answer.get_json()
    return _conversation(client.application, space_id, people[member].user_id).id


def _jobs(app, kind: str | None = None) -> list[tuple[int, dict]]:
    where = [] if kind is None else [T.outbox.c.kind == kind]
    return [(r.user_id, json.loads(r.payload)) for r in _rows(app, T.outbox, *where)]


# -- idempotency -------------------------------------------------------------------------


def test_a_retried_send_returns_the_same_message_and_writes_once(app, client, world):
    member = world["member"]
    first = send(client, member, SPACE, "Table for two at eight?", "retry-key-1")
    again = send(client, member, SPACE, "Table for two at eight?", "retry-key-1")
    assert first.status_code == 201, first.get_json()
    assert again.status_code == 201, again.get_json()
    assert again.get_json() == first.get_json()

    messages = _rows(app, T.messages)
    assert [m.id for m in messages] == [first.get_json()["id"]]
    assert _count(app, T.conversations) == 1
    # The answer names the member's conversation, created by this first message.
    conversation = _conversation(app, SPACE, member.user_id)
    assert first.get_json()["conversation_id"] == conversation.id
    jobs = _jobs(app, "member_message")
    assert sorted(uid for uid, _ in jobs) == sorted(
        [world["admin"].user_id, world["admin2"].user_id]
    )
    conversation = _conversation(app, SPACE, member.user_id)
    assert conversation.space_unread == 1
    assert conversation.last_message_id == first.get_json()["id"]
    assert _admin_unread(client, world["admin"], SPACE) == 1
    listing = client.get(_messages_path(SPACE), headers=member.headers()).get_json()
    assert [m["id"] for m in listing["messages"]] == [first.get_json()["id"]]


def test_a_retried_reply_returns_the_same_message_and_writes_once(app, client, world):
    cid = _started(client, world)
    admin = world["admin"]
    first = reply(client, admin, SPACE, cid, "Yes, from six.", "reply-key-1")
    again = reply(client, admin, SPACE, cid, "Yes, from six.", "reply-key-1")
    assert first.status_code == 201, first.get_json()
    assert again.status_code == 201, again.get_json()
    assert again.get_json() == first.get_json()

    assert _count(app, T.messages) == 2
    assert _count(app, T.messages, T.messages.c.direction == "space") == 1
    assert [uid for uid, _ in _jobs(app, "space_reply")] == [world["member"].user_id]
    assert _count(app, T.audit, T.audit.c.action == "reply") == 1
    conversation = _conversation(app, SPACE, world["member"].user_id)
    assert conversation.member_unread == 1
    assert _summary(client, world["member"])["unread"] == 1


def test_a_client_key_reused_for_another_body_is_refused_and_writes_nothing(app, client, world):
    member = world["member"]
    assert send(client, member, SPACE, "First", "dup-key").status_code == 201
    before = _snapshot(app)
    answer = send(client, member, SPACE, "Second, different", "dup-key")
    assert answer.status_code == 409, answer.get_json()
    assert answer.get_json()["code"] == "client_key_reused"
    # The same key for a message to another Space is another message too.
    elsewhere = send(client, member, OTHER_SPACE, "First", "dup-key")
    assert elsewhere.status_code == 409, elsewhere.get_json()
    assert elsewhere.get_json()["code"] == "client_key_reused"
    assert _snapshot(app) == before


def test_a_reply_key_reused_for_another_body_is_refused_and_writes_nothing(app, client, world):
    cid = _started(client, world)
    assert reply(client, world["admin"], SPACE, cid, "One", "r-dup").status_code == 201
    before = _snapshot(app)
    answer = reply(client, world["admin"], SPACE, cid, "Two", "r-dup")
    assert answer.status_code == 409, answer.get_json()
    assert answer.get_json()["code"] == "client_key_reused"
    assert _snapshot(app) == before


def test_the_same_key_from_different_authors_makes_different_messages(app, client, world):
    a = send(client, world["member"], SPACE, "Same words", "shared-key")
    b = send(client, world["other_member"], SPACE, "Same words", "shared-key")
    assert a.status_code == b.status_code == 201
    assert a.get_json()["id"] != b.get_json()["id"]
    cid = conversation_id(client, world["admin"], SPACE, world["member"])
    c = reply(client, world["admin"], SPACE, cid, "Same words", "shared-key")
    d = reply(client, world["admin2"], SPACE, cid, "Same words", "shared-key")
    assert c.status_code == d.status_code == 201
    assert (
        len({a.get_json()["id"], b.get_json()["id"], c.get_json()["id"], d.get_json()["id"]}) == 4
    )
    assert _count(app, T.messages) == 4
    assert _count(app, T.conversations) == 2
    assert _conversation(app, SPACE, world["member"].user_id).member_unread == 2


def _fire_together(app, path: str | list[str], caller, payload: dict, threads: int = 6) -> list:
    """POST the same request from several threads at once, each with its own client.

    With a list of paths, one thread POSTs to each.
    """
    paths = path if isinstance(path, list) else [path] * threads
    threads = len(paths)
    barrier = threading.Barrier(threads)
    answers: list = [None] * threads

    def run(index: int) -> None:
        own = app.test_client(use_cookies=False)
        try:
            barrier.wait(timeout=30)
            response = own.post(paths[index], json=payload, headers=caller.headers())
            answers[index] = (response.status_code, response.get_json())
        except Exception as exc:  # reported by the assertion below
            answers[index] = ("exception", repr(exc))

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    return answers


def test_concurrent_retries_of_a_message_write_it_once(app, client, world):
    member = world["member"]
    _started(client, world)
    before = _count(app, T.messages)
    payload = {"body": "Are you open on Sunday?", "client_key": "concurrent-key"}
    answers = _fire_together(app, _messages_path(SPACE), member, payload)
    assert all(status == 201 for status, _ in answers), answers
    assert len({body["id"] for _, body in answers}) == 1, answers
    assert _count(app, T.messages) == before + 1
    assert _count(app, T.messages, T.messages.c.client_key == "concurrent-key") == 1
    assert _count(app, T.conversations) == 1
    message_id = answers[0][1]["id"]
    jobs = [uid for uid, p in _jobs(app, "member_message") if p["message_id"] == message_id]
    assert sorted(jobs) == sorted([world["admin"].user_id, world["admin2"].user_id])
    assert _conversation(app, SPACE, member.user_id).space_unread == before + 1


def test_concurrent_retries_of_a_first_message_write_it_once(app, client, world):
    """The same first message (no conversation yet) from several threads at once.

    Racing first messages once deadlocked (INSERT IGNORE took shared locks that the
    following SELECT ... FOR UPDATE then tried to upgrade); ten rounds with fresh Spaces
    make such a race show up reliably.
    """
    member = world["member"]
    for round_ in range(10):
        space_id = 900 + round_
        upsert_space(client, space_id, f"Race {round_}", [world["admin"].user_id])
        payload = {"body": "First!", "client_key": f"first-{round_}"}
        answers = _fire_together(app, _messages_path(space_id), member, payload, threads=8)
        assert all(status == 201 for status, _ in answers), (round_, answers)
        assert len({body["id"] for _, body in answers}) == 1, answers
        assert _count(app, T.conversations, T.conversations.c.space_id == space_id) == 1
        conversation = _conversation(app, space_id, member.user_id)
        assert conversation.space_unread == 1
        assert _count(app, T.messages, T.messages.c.conversation_id == conversation.id) == 1
        assert [uid for uid, p in _jobs(app) if p["space_id"] == space_id] == [
            world["admin"].user_id
        ]


def test_one_client_key_raced_into_two_spaces_is_one_message_and_a_409(app, client, world):
    """The unique (author, client_key) catches the twin; the loser gets 409, never a 500."""
    member = world["member"]
    for round_ in range(6):
        spaces = (920 + 2 * round_, 921 + 2 * round_)
        for space_id in spaces:
            upsert_space(client, space_id, f"Twin {space_id}", [world["admin"].user_id])
        payload = {"body": "Same key, two Spaces", "client_key": f"twin-{round_}"}
        answers = _fire_together(app, [_messages_path(i) for i in spaces], member, payload)
        assert sorted(status for status, _ in answers) == [201, 409], (round_, answers)
        assert _count(app, T.messages, T.messages.c.client_key == f"twin-{round_}") == 1


def test_concurrent_reply_retries_write_one_reply(app, client, world):
    cid = _started(client, world)
    payload = {"body": "We are.", "client_key": "concurrent-reply"}
    answers = _fire_together(app, _admin_path(SPACE, cid, "/messages"), world["admin"], payload)
    assert all(status == 201 for status, _ in answers), answers
    assert len({body["id"] for _, body in answers}) == 1, answers
    assert _count(app, T.messages, T.messages.c.direction == "space") == 1
    assert len(_jobs(app, "space_reply")) == 1
    assert _conversation(app, SPACE, world["member"].user_id).member_unread == 1


# -- body rules --------------------------------------------------------------------------

STORED_AS_SENT = {
    "plain": ("Hello", "Hello"),
    "trimmed": ("  \n\t Hello there \t\n ", "Hello there"),
    "exactly_2000": ("x" * 2000, "x" * 2000),
    "2000_after_trim": ("   " + "y" * 2000 + "\n\n", "y" * 2000),
    "2000_emoji": ("🍕" * 2000, "🍕" * 2000),
    "emoji": ("Ciao 👋🏽 🍕 👨‍👩‍👧‍👦 🇮🇹", "Ciao 👋🏽 🍕 👨‍👩‍👧‍👦 🇮🇹"),
    "rtl": ("مرحبا، هل المطعم مفتوح؟ שלום עולם", "مرحبا، هل المطعم مفتوح؟ שלום עולם"),
    "rtl_marks": ("\u202eevil\u202c \u200fשלום\u200e", "\u202eevil\u202c \u200fשלום\u200e"),
    "script": ("<script>alert(1)</script>", "<script>alert(1)</script>"),
    "html": (
        '<img src=x onerror="alert(1)"> &amp; &lt;b&gt;',
        '<img src=x onerror="alert(1)"> &amp; &lt;b&gt;',
    ),
    "sql": (
        "'; DROP TABLE wpt_spaceinbox_messages; -- \" OR 1=1 /* %s %% _ \\' \\\\",
        "'; DROP TABLE wpt_spaceinbox_messages; -- \" OR 1=1 /* %s %% _ \\' \\\\",
    ),
    "format": ("{0} {body} %(x)s ${x} `id`", "{0} {body} %(x)s ${x} `id`"),
    "newlines_tabs": ("line 1\n\tline 2\n\n\tline 4", "line 1\n\tline 2\n\n\tline 4"),
    "crlf": ("one\r\ntwo\r\n\r\nthree\r\n", "one\ntwo\n\nthree"),
    "2002_crlf_is_1002": ("a" + "\r\n" * 1000 + "b", "a" + "\n" * 1000 + "b"),
    "astral_and_combining": ("𝕳𝖊𝖑𝖑𝖔 e\u0301 \U0010fffd", "𝕳𝖊𝖑𝖑𝖔 e\u0301 \U0010fffd"),
}


@pytest.mark.parametrize("sent,stored", STORED_AS_SENT.values(), ids=STORED_AS_SENT.keys())
def test_bodies_are_trimmed_and_kept_byte_for_byte(app, client, world, sent, stored):
    member = world["member"]
    answer = send(client, member, SPACE, sent)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["body"] == stored
    message_id = answer.get_json()["id"]
    (row,) = _rows(app, T.messages, T.messages.c.id == message_id)
    assert row.body == stored
    assert row.body.encode("utf-8") == stored.encode("utf-8")
    mine = client.get(_messages_path(SPACE), headers=member.headers()).get_json()
    assert mine["messages"][-1]["body"] == stored

    # The same body as an admin's reply, read back by the admin and by the member.
    cid = _conversation(app, SPACE, member.user_id).id
    answered = reply(client, world["admin"], SPACE, cid, sent)
    assert answered.status_code == 201, answered.get_json()
    assert answered.get_json()["body"] == stored
    theirs = client.get(_admin_path(SPACE, cid, "/messages"), headers=world["admin"].headers())
    assert [m["body"] for m in theirs.get_json()["messages"]] == [stored, stored]
    mine = client.get(_messages_path(SPACE), headers=member.headers()).get_json()
    assert [m["body"] for m in mine["messages"]] == [stored, stored]


def _json_body(body) -> bytes:
    return json.dumps({"body": body, "client_key": uuid.uuid4().hex}).encode()


#: name -> (raw request body, content type, status, code or None)
REFUSED = {
    "too_long": (_json_body("x" * 2001), "application/json", 413, "body_too_long"),
    "too_long_emoji": (_json_body("🍕" * 2001), "application/json", 413, "body_too_long"),
    "empty": (_json_body(""), "application/json", 400, "empty_body"),
    "whitespace_only": (_json_body(" \n\t\r\n \u3000 "), "application/json", 400, "empty_body"),
    "nul": (_json_body("a\x00b"), "application/json", 400, "invalid_characters"),
    "bell": (_json_body("ring \x07"), "application/json", 400, "invalid_characters"),
    "escape": (_json_body("\x1b[31mred"), "application/json", 400, "invalid_characters"),
    "delete": (_json_body("x\x7fy"), "application/json", 400, "invalid_characters"),
    "c1_control": (_json_body("a\x9bb"), "application/json", 400, "invalid_characters"),
    # str.strip() counts these as whitespace: they must be refused, not trimmed away.
    "unit_sep_at_end": (_json_body("hi\x1f"), "application/json", 400, "invalid_characters"),
    "vtab_at_start": (_json_body("\x0bhi"), "application/json", 400, "invalid_characters"),
    "nel_at_end": (_json_body("hi\x85"), "application/json", 400, "invalid_characters"),
    "lone_surrogate": (
        b'{"body": "hi \\ud800 there", "client_key": "surrogate-1"}',
        "application/json",
        400,
        "invalid_characters",
    ),
    "lone_low_surrogate": (
        b'{"body": "\\udc00", "client_key": "surrogate-2"}',
        "application/json",
        400,
        "invalid_characters",
    ),
    "body_number": (_json_body(42), "application/json", 400, "invalid_body"),
    "body_null": (_json_body(None), "application/json", 400, "invalid_body"),
    "body_list": (_json_body(["hi"]), "application/json", 400, "invalid_body"),
    "body_object": (_json_body({"text": "hi"}), "application/json", 400, "invalid_body"),
    "body_bool": (_json_body(True), "application/json", 400, "invalid_body"),
    "body_missing": (b'{"client_key": "k1"}', "application/json", 400, "invalid_body"),
    "key_missing": (b'{"body": "hi"}', "application/json", 400, "invalid_client_key"),
    "key_empty": (
        b'{"body": "hi", "client_key": ""}',
        "application/json",
        400,
        "invalid_client_key",
    ),
    "key_space": (
        b'{"body": "hi", "client_key": "a b"}',
        "application/json",
        400,
        "invalid_client_key",
    ),
    "key_too_long": (
        json.dumps({"body": "hi", "client_key": "k" * 65}).encode(),
        "application/json",
        400,
        "invalid_client_key",
    ),
    "key_number": (
        b'{"body": "hi", "client_key": 12345}',
        "application/json",
        400,
        "invalid_client_key",
    ),
    "key_unicode": (
        json.dumps({"body": "hi", "client_key": "ключ"}).encode(),
        "application/json",
        400,
        "invalid_client_key",
    ),
    "key_newline": (
        b'{"body": "hi", "client_key": "abc\\n"}',
        "application/json",
        400,
        "invalid_client_key",
    ),
    "text_plain": (_json_body("hi"), "text/plain", 415, "unsupported_media_type"),
    "form": (
        b"body=hi&client_key=k2",
        "application/x-www-form-urlencoded",
        415,
        "unsupported_media_type",
    ),
    "no_content_type": (_json_body("hi"), None, 415, "unsupported_media_type"),
    "malformed_json": (b'{"body": "hi", "client_key": ', "application/json", 400, "invalid_json"),
    "empty_request": (b"", "application/json", 400, "invalid_json"),
    "json_array": (b'["hi", "k3"]', "application/json", 400, "invalid_json"),
    "json_string": (b'"hi"', "application/json", 400, "invalid_json"),
    "not_utf8": (
        b'{"body": "\xff\xfe", "client_key": "k4"}',
        "application/json",
        400,
        "invalid_json",
    ),
}


@pytest.mark.parametrize("audience", ["member", "admin"])
@pytest.mark.parametrize("raw,content_type,status,code", REFUSED.values(), ids=REFUSED.keys())
def test_bad_bodies_are_refused_and_write_nothing(
    app, client, world, audience, raw, content_type, status, code
):
    cid = _started(client, world)
    if audience == "member":
        path, caller = _messages_path(SPACE), world["member"]
    else:
        path, caller = _admin_path(SPACE, cid, "/messages"), world["admin"]
    before = _snapshot(app)
    headers = caller.headers()
    if content_type is None:
        answer = client.post(path, data=raw, headers=headers)
    else:
        answer = client.post(path, data=raw, content_type=content_type, headers=headers)
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.get_json()["code"] == code
    assert set(answer.get_json()) <= {"code", "message", "description"}
    assert _snapshot(app) == before


# -- one conversation per (Space, member); status --------------------------------------


def test_many_messages_make_one_conversation_per_space_and_member(app, client, world):
    member, other = world["member"], world["other_member"]
    for n in range(5):
        assert send(client, member, SPACE, f"message {n}").status_code == 201
    assert send(client, member, OTHER_SPACE, "to the shop").status_code == 201
    assert send(client, other, SPACE, "hi from otto").status_code == 201
    assert _count(app, T.conversations) == 3
    assert _conversation(app, SPACE, member.user_id).space_unread == 5
    listing = client.get(_admin_path(SPACE), headers=world["admin"].headers()).get_json()
    assert sorted(c["member"]["id"] for c in listing["conversations"]) == sorted(
        [member.user_id, other.user_id]
    )
    mine = client.get(MY_CONVERSATIONS, headers=member.headers()).get_json()
    assert [c["space"]["id"] for c in mine["conversations"]] == [OTHER_SPACE, SPACE]


def _set_status(client, admin, cid: int, status):
    return client.post(
        _admin_path(SPACE, cid, "/status"), json={"status": status}, headers=admin.headers()
    )


def _statuses(client, admin, status: str | None = None) -> dict[int, str]:
    path = _admin_path(SPACE) + (f"?status={status}" if status else "")
    answer = client.get(path, headers=admin.headers())
    assert answer.status_code == 200, answer.get_json()
    return {c["member"]["id"]: c["status"] for c in answer.get_json()["conversations"]}


def test_done_conversations_reopen_on_the_members_next_message(app, client, world):
    admin, member, other = world["admin"], world["member"], world["other_member"]
    cid = _started(client, world)
    _started(client, world, member="other_member")
    assert _statuses(client, admin) == {member.user_id: "open", other.user_id: "open"}

    done = _set_status(client, admin, cid, "done")
    assert done.status_code == 200, done.get_json()
    assert done.get_json() == {"id": cid, "status": "done"}
    assert _statuses(client, admin, "done") == {member.user_id: "done"}
    assert _statuses(client, admin, "open") == {other.user_id: "open"}
    assert _statuses(client, admin) == {member.user_id: "done", other.user_id: "open"}

    # A reply from the Space does not reopen it; the member's next message does.
    assert reply(client, world["admin2"], SPACE, cid, "Anything else?").status_code == 201
    assert _statuses(client, admin, "done") == {member.user_id: "done"}
    assert send(client, member, SPACE, "Yes, one more thing").status_code == 201
    assert _statuses(client, admin, "done") == {}
    assert _statuses(client, admin, "open") == {member.user_id: "open", other.user_id: "open"}
    assert _conversation(app, SPACE, member.user_id).status == "open"

    # Setting the status it already has is accepted and changes nothing.
    assert _set_status(client, admin, cid, "open").get_json() == {"id": cid, "status": "open"}


@pytest.mark.parametrize("status", ["closed", "OPEN", "done ", "1", "%00"])
def test_a_bad_status_is_refused(app, client, world, status):
    admin = world["admin"]
    cid = _started(client, world)
    listing = client.get(_admin_path(SPACE) + f"?status={status}", headers=admin.headers())
    assert listing.status_code == 400, listing.get_json()
    assert listing.get_json()["code"] == "invalid_status"
    before = _snapshot(app)
    for bad in (status, None, 1, ["done"], {"status": "done"}):
        answer = _set_status(client, admin, cid, bad)
        assert answer.status_code == 400, (bad, answer.get_json())
        assert answer.get_json()["code"] == "invalid_status"
    missing = client.post(_admin_path(SPACE, cid, "/status"), json={}, headers=admin.headers())
    assert missing.status_code == 400
    assert _snapshot(app) == before


# -- keyset pagination -------------------------------------------------------------------


def _walk_conversations(client, caller, path: str, limit: int) -> list[list[dict]]:
    pages, cursor = [], None
    for _ in range(100):
        sep = "&" if "?" in path else "?"
        url = f"{path}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        answer = client.get(url, headers=caller.headers())
        assert answer.status_code == 200, answer.get_json()
        page = answer.get_json()
        assert len(page["conversations"]) <= limit
        pages.append(page["conversations"])
        cursor = page["next_cursor"]
        if cursor is None:
            return pages
        assert len(page["conversations"]) == limit
    raise AssertionError("the cursor never ended")


def test_member_conversations_page_newest_first_each_exactly_once(app, client, world):
    member, admin = world["member"], world["admin"]
    spaces = [SPACE, OTHER_SPACE] + [600 + n for n in range(9)]
    for space_id in spaces[2:]:
        upsert_space(client, space_id, f"Space {space_id}", [admin.user_id])
    activity: list[int] = []  # Space ids, most recent activity last

    def touched(space_id: int) -> None:
        if space_id in activity:
            activity.remove(space_id)
        activity.append(space_id)

    for space_id in spaces:
        assert send(client, member, space_id, f"hello {space_id}").status_code == 201
        touched(space_id)
    # Later activity moves conversations up: a member message, then a Space's answer.
    for space_id in (spaces[3], spaces[0], spaces[7]):
        assert send(client, member, space_id, "again").status_code == 201
        touched(space_id)
    cid = _conversation(app, spaces[5], member.user_id).id
    assert reply(client, admin, spaces[5], cid, "answer").status_code == 201
    touched(spaces[5])
    expected = list(reversed(activity))

    for limit in range(2, 8):
        pages = _walk_conversations(client, member, MY_CONVERSATIONS, limit)
        seen = [c["space"]["id"] for page in pages for c in page]
        assert seen == expected, limit
        assert len(pages) == -(-len(expected) // limit)
        stamps = [c["last_message"]["created_at"] for page in pages for c in page]
        assert stamps == sorted(stamps, reverse=True)
    whole = client.get(MY_CONVERSATIONS + "?limit=100", headers=member.headers()).get_json()
    assert [c["space"]["id"] for c in whole["conversations"]] == expected
    assert whole["next_cursor"] is None


def test_space_conversations_page_with_and_without_status(app, client, world):
    admin, member, other = world["admin"], world["member"], world["other_member"]
    cid = _started(client, world)
    _started(client, world, member="other_member")
    assert _set_status(client, admin, cid, "done").status_code == 200
    pages = _walk_conversations(client, admin, _admin_path(SPACE), 1)
    assert [[c["member"]["id"] for c in p] for p in pages] == [[other.user_id], [member.user_id]]
    pages = _walk_conversations(client, admin, _admin_path(SPACE) + "?status=done", 1)
    assert [[c["member"]["id"] for c in p] for p in pages] == [[member.user_id]]


def _walk_messages(client, caller, path: str, limit: int) -> list[list[dict]]:
    pages, before = [], None
    for _ in range(100):
        url = f"{path}?limit={limit}" + (f"&before={before}" if before else "")
        answer = client.get(url, headers=caller.headers())
        assert answer.status_code == 200, answer.get_json()
        page = answer.get_json()
        ids = [m["id"] for m in page["messages"]]
        assert ids == sorted(ids), "each page is oldest first"
        pages.append(page["messages"])
        before = page["next_before"]
        if before is None:
            return pages
        assert len(ids) == limit
        assert before == ids[0]
    raise AssertionError("next_before never ended")


def test_messages_page_back_from_the_newest_each_exactly_once(app, client, world):
    member, admin = world["member"], world["admin"]
    cid = _started(client, world)
    for n in range(24):
        if n % 3 == 2:
            answer = reply(client, admin, SPACE, cid, f"answer {n}")
        else:
            answer = send(client, member, SPACE, f"message {n}")
        assert answer.status_code == 201
    ids = [m.id for m in _rows(app, T.messages, T.messages.c.conversation_id == cid)]
    assert len(ids) == 25
    for limit in range(2, 8):
        for caller, path in (
            (member, _messages_path(SPACE)),
            (admin, _admin_path(SPACE, cid, "/messages")),
        ):
            pages = _walk_messages(client, caller, path, limit)
            # Pages walk back in time; reversed, they are every message once, in order.
            seen = [m["id"] for page in reversed(pages) for m in page]
            assert seen == ids, (limit, caller.kind)
            assert len(pages[0]) == limit
            assert len(pages) == -(-len(ids) // limit)


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


BAD_QUERIES = [
    "cursor=!!!",
    "cursor=abc",
    "cursor=" + "A" * 65,
    "cursor=" + "A" * 5000,
    "cursor=" + _cursor("notadate.5"),
    "cursor=" + _cursor("20240101000000000000.-1"),
    "cursor=" + _cursor("20240101000000000000.abc"),
    "cursor=" + _cursor("20240101000000000000.123456789012345678901"),
    "cursor=" + _cursor("20241301000000000000.1"),
    "cursor=" + _cursor("20240101000000000000"),
    "cursor=" + _cursor("2024.01.01"),
    "cursor=%C3%A9t%C3%A9",
    "limit=0",
    "limit=101",
    "limit=-1",
    "limit=abc",
    "limit=1.5",
    "limit=99999999999999999999999",
]
BAD_BEFORE = ["before=abc", "before=0", "before=-5", "before=1e3", "before=18446744073709551616"]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_conversation_page_arguments_are_refused(app, client, world, query):
    _started(client, world)
    for caller, path in ((world["member"], MY_CONVERSATIONS), (world["admin"], _admin_path(SPACE))):
        answer = client.get(f"{path}?{query}", headers=caller.headers())
        assert answer.status_code == 400, (path, answer.get_json())
        assert answer.get_json()["code"] in ("invalid_cursor", "invalid_limit")


@pytest.mark.parametrize("query", BAD_BEFORE + [q for q in BAD_QUERIES if q.startswith("limit")])
def test_bad_message_page_arguments_are_refused(app, client, world, query):
    cid = _started(client, world)
    for caller, path in (
        (world["member"], _messages_path(SPACE)),
        (world["admin"], _admin_path(SPACE, cid, "/messages")),
    ):
        answer = client.get(f"{path}?{query}", headers=caller.headers())
        assert answer.status_code == 400, (path, answer.get_json())
        assert answer.get_json()["code"] in ("invalid_before", "invalid_limit")


def test_extreme_but_wellformed_page_positions_are_not_errors(app, client, world):
    """A cursor or before at the far ends of the range is a page, not a 500."""
    cid = _started(client, world)
    member, admin = world["member"], world["admin"]
    for raw, count in (
        ("99991231235959999999.99999999999999999999", 1),
        ("99991231235959999999.18446744073709551615", 1),
        ("00010101000000000000.1", 0),
    ):
        for caller, path in ((member, MY_CONVERSATIONS), (admin, _admin_path(SPACE))):
            answer = client.get(f"{path}?cursor={_cursor(raw)}", headers=caller.headers())
            assert answer.status_code == 200, (raw, answer.get_json())
            assert len(answer.get_json()["conversations"]) == count
    for caller, path in (
        (member, _messages_path(SPACE)),
        (admin, _admin_path(SPACE, cid, "/messages")),
    ):
        top = client.get(f"{path}?before=18446744073709551615", headers=caller.headers())
        assert top.status_code == 200
        assert len(top.get_json()["messages"]) == 1
        bottom = client.get(f"{path}?before=1", headers=caller.headers())
        assert bottom.status_code == 200
        assert bottom.get_json()["messages"] == []
        assert bottom.get_json()["next_before"] is None


# -- team changes, deleted Spaces and users ---------------------------------------------


def test_a_removed_admin_loses_access_on_the_next_request(app, client, world):
    admin, admin2, member = world["admin"], world["admin2"], world["member"]
    cid = _started(client, world)
    assert client.get(_admin_path(SPACE), headers=admin2.headers()).status_code == 200
    assert _admin_unread(client, admin2, SPACE) == 1

    upsert_space(client, SPACE, "Pizzeria Napoli", [admin.user_id])
    listing = client.get(_admin_path(SPACE), headers=admin2.headers())
    assert listing.status_code == 403, listing.get_json()
    assert listing.get_json()["code"] == "not_space_admin"
    messages = client.get(_admin_path(SPACE, cid, "/messages"), headers=admin2.headers())
    assert messages.status_code == 403
    before = _snapshot(app)
    for answer in (
        reply(client, admin2, SPACE, cid, "still here?"),
        client.post(_admin_path(SPACE, cid, "/read"), headers=admin2.headers()),
        _set_status(client, admin2, cid, "done"),
    ):
        assert answer.status_code == 403, answer.get_json()
    assert _snapshot(app) == before
    assert _admin_unread(client, admin2, SPACE) is None
    # The member's next message notifies the current team only.
    sent = send(client, member, SPACE, "anyone?")
    jobs = [
        uid for uid, p in _jobs(app, "member_message") if p["message_id"] == sent.get_json()["id"]
    ]
    assert jobs == [admin.user_id]
    # The earlier removed admin never had access.
    removed = client.get(_admin_path(SPACE), headers=world["removed_admin"].headers())
    assert removed.status_code == 403


def test_a_deleted_space_keeps_history_but_takes_no_messages(app, client, world):
    admin, member, other = world["admin"], world["member"], world["other_member"]
    cid = _started(client, world)
    assert reply(client, admin, SPACE, cid, "We answer.").status_code == 201
    history = client.get(_messages_path(SPACE), headers=member.headers()).get_json()["messages"]
    assert len(history) == 2

    _events(client, event("space.deleted", space_id=SPACE))
    before = _snapshot(app)
    for who in (member, other):
        refused = send(client, who, SPACE, "hello?")
        assert refused.status_code == 410, refused.get_json()
        assert refused.get_json()["code"] == "space_deleted"
    assert _snapshot(app) == before

    kept = client.get(_messages_path(SPACE), headers=member.headers())
    assert kept.status_code == 200, kept.get_json()
    assert kept.get_json()["messages"] == history
    assert kept.get_json()["space"]["accepting_messages"] is False
    mine = client.get(MY_CONVERSATIONS, headers=member.headers()).get_json()["conversations"]
    assert [(c["space"]["id"], c["space"]["accepting_messages"]) for c in mine] == [(SPACE, False)]
    assert _summary(client, member)["unread"] == 1
    assert (
        client.post(f"/api/v1/me/spaces/{SPACE}/read", headers=member.headers()).status_code == 204
    )
    assert _summary(client, member)["unread"] == 0
    # Someone who never wrote to it finds nothing.
    assert client.get(_messages_path(SPACE), headers=other.headers()).status_code == 404

    for who in (admin, world["admin2"]):
        assert client.get(_admin_path(SPACE), headers=who.headers()).status_code == 404
        assert (
            client.get(_admin_path(SPACE, cid, "/messages"), headers=who.headers()).status_code
            == 404
        )
        assert reply(client, who, SPACE, cid, "late answer").status_code == 404
        assert _admin_unread(client, who, SPACE) is None

    upsert_space(client, SPACE, "Pizzeria Napoli", [admin.user_id, world["admin2"].user_id])
    assert send(client, member, SPACE, "You are back!").status_code == 201
    assert client.get(_admin_path(SPACE), headers=admin.headers()).status_code == 200
    again = client.get(_messages_path(SPACE), headers=member.headers()).get_json()
    assert again["space"]["accepting_messages"] is True
    assert len(again["messages"]) == 3


def test_an_unknown_space_is_404_for_members_and_admins(app, client, world):
    member, admin = world["member"], world["admin"]
    before = _snapshot(app)
    for space_id in (999, 18446744073709551615):
        answers = [
            client.get(_messages_path(space_id), headers=member.headers()),
            send(client, member, space_id, "hello?"),
            client.post(f"/api/v1/me/spaces/{space_id}/read", headers=member.headers()),
            client.get(_admin_path(space_id), headers=admin.headers()),
            reply(client, admin, space_id, 1, "hello?"),
        ]
        for answer in answers:
            assert answer.status_code == 404, answer.get_json()
            assert answer.get_json()["code"] == "space_not_found"
    # A conversation of another Space is not found through this Space.
    cid = _started(client, world, OTHER_SPACE)
    before = _snapshot(app)
    assert reply(client, admin, SPACE, cid, "wrong inbox").status_code == 404
    wrong = client.get(_admin_path(SPACE, cid, "/messages"), headers=admin.headers())
    assert wrong.status_code == 404
    assert wrong.get_json()["code"] == "conversation_not_found"
    for space_id in ("0", "18446744073709551616", "-1", "abc"):
        assert client.get(_messages_path(space_id), headers=member.headers()).status_code == 404
    assert _snapshot(app) == before


def test_a_deleted_user_loses_their_conversations(app, client, world):
    admin, member, other = world["admin"], world["member"], world["other_member"]
    cid = _started(client, world)
    assert send(client, member, OTHER_SPACE, "to the shop").status_code == 201
    assert reply(client, admin, SPACE, cid, "answer").status_code == 201
    _started(client, world, member="other_member")

    _events(client, event("user.deleted", user_id=member.user_id))
    assert _rows(app, T.conversations, T.conversations.c.member_id == member.user_id) == []
    assert _count(app, T.messages, T.messages.c.author_id == member.user_id) == 0
    assert _count(app, T.messages, T.messages.c.conversation_id == cid) == 0
    assert _count(app, T.outbox, T.outbox.c.user_id == member.user_id) == 0
    # The admins' pending notifications about the member's messages go too.
    about_them = [p for _, p in _jobs(app, "member_message") if p["member_id"] == member.user_id]
    assert about_them == []
    assert [p["member_id"] for _, p in _jobs(app, "member_message")] == [other.user_id] * 2
    listing = client.get(_admin_path(SPACE), headers=admin.headers()).get_json()
    assert [c["member"]["id"] for c in listing["conversations"]] == [other.user_id]
    assert _admin_unread(client, admin, SPACE) == 1
    assert (
        client.get(_admin_path(SPACE, cid, "/messages"), headers=admin.headers()).status_code == 404
    )
    assert client.get(MY_CONVERSATIONS, headers=member.headers()).get_json()["conversations"] == []
    summary = _summary(client, member)
    assert (summary["unread"], summary["conversations_unread"]) == (0, 0)


def test_a_spammer_may_not_send_until_unflagged(app, client, world):
    member = world["member"]
    _started(client, world)
    _events(client, event("user.spammed", user_id=member.user_id, spam=True))
    before = _snapshot(app)
    for space_id in (SPACE, OTHER_SPACE):
        refused = send(client, member, space_id, "buy cheap watches")
        assert refused.status_code == 403, refused.get_json()
        assert refused.get_json()["code"] == "account_suspended"
    assert _snapshot(app) == before
    # Others are not affected; the spammer still reads their history.
    assert send(client, world["other_member"], SPACE, "hello").status_code == 201
    assert client.get(_messages_path(SPACE), headers=member.headers()).status_code == 200

    _events(client, event("user.spammed", user_id=member.user_id, spam=False))
    assert send(client, member, SPACE, "sorry, that was not me").status_code == 201
    assert _conversation(app, SPACE, member.user_id).space_unread == 2


# -- outbox ------------------------------------------------------------------------------


def test_a_member_message_queues_one_job_per_current_admin(app, client, world):
    member = world["member"]
    body = "Dear Space, " + "please read this long message. " * 20
    sent = send(client, member, SPACE, body)
    assert sent.status_code == 201
    message_id = sent.get_json()["id"]
    cid = _conversation(app, SPACE, member.user_id).id
    jobs = _rows(app, T.outbox)
    assert sorted(j.user_id for j in jobs) == sorted(
        [world["admin"].user_id, world["admin2"].user_id]
    )
    for job in jobs:
        assert job.kind == "member_message"
        assert job.delivered_at is None
        assert job.attempts == 0
        payload = json.loads(job.payload)
        assert payload["space_id"] == SPACE
        assert payload["conversation_id"] == cid
        assert payload["message_id"] == message_id
        assert payload["user_id"] == job.user_id
        assert 0 < len(payload["excerpt"]) <= 140
        assert body.startswith(payload["excerpt"].rstrip("…"))
        assert body not in job.payload
    # A second message queues one more job per admin, not a job per earlier message.
    assert send(client, member, SPACE, "and another").status_code == 201
    assert _count(app, T.outbox) == 4


def test_team_jobs_carry_the_json_python_would_write_for_any_text(app, client, world):
    """The team's jobs are written by one INSERT … SELECT, MariaDB appending each admin's id:
    the payload must be the very JSON text of json.dumps, whatever the names hold."""
    name = 'Café "Zoë" \\ 🍕 </script>'
    upsert_space(client, SPACE, name, [world["admin"].user_id, world["admin2"].user_id])
    body = 'Line one\n"quoted" \\ back\tslash é 🍕 {"user_id": 1}'
    sent = send(client, world["member"], SPACE, body)
    assert sent.status_code == 201
    cid = _conversation(app, SPACE, world["member"].user_id).id
    expected = {
        "space_id": SPACE,
        "space_name": name,
        "conversation_id": cid,
        "message_id": sent.get_json()["id"],
        "member_id": world["member"].user_id,
        "excerpt": values.excerpt(body),
    }
    jobs = _rows(app, T.outbox)
    assert [j.user_id for j in jobs] == sorted([world["admin"].user_id, world["admin2"].user_id])
    for job in jobs:
        assert job.payload == json.dumps({**expected, "user_id": job.user_id})
        assert job.created_at == job.next_attempt_at
    # A read by one admin tells the whole team, the reader too, the same way.
    client.post(_admin_path(SPACE, cid, "/read"), headers=world["admin"].headers())
    read = _rows(app, T.outbox, T.outbox.c.kind == "conversation_read")
    assert [(j.user_id, j.payload) for j in read] == [
        (
            uid,
            json.dumps({"space_id": SPACE, "conversation_id": cid, "user_id": uid}),
        )
        for uid in sorted([world["admin"].user_id, world["admin2"].user_id])
    ]


def test_a_reply_notifies_the_member_without_naming_the_admin(app, client, world):
    admin, member = world["admin"], world["member"]
    cid = _started(client, world)
    before = {j.id for j in _rows(app, T.outbox)}
    sent = reply(client, admin, SPACE, cid, "Sure. — the team")
    assert sent.status_code == 201
    jobs = [j for j in _rows(app, T.outbox) if j.id not in before]
    assert len(jobs) == 1
    (job,) = jobs
    assert (job.kind, job.user_id) == ("space_reply", member.user_id)
    payload = json.loads(job.payload)
    assert payload["space_id"] == SPACE
    assert payload["conversation_id"] == cid
    assert payload["message_id"] == sent.get_json()["id"]
    assert payload["user_id"] == member.user_id
    assert payload["excerpt"] == "Sure. — the team"
    assert not {k for k in payload if "author" in k or "admin" in k or k == "member_id"}
    # Every other value is known; none is the admin's id, login, name or e-mail.
    named = {"space_id", "conversation_id", "message_id", "user_id", "excerpt", "space_name"}
    assert set(payload) <= named, payload
    secrets = {admin.login, admin.display_name, admin.email}
    for key, value in payload.items():
        if key not in ("conversation_id", "message_id", "space_id", "user_id"):
            assert value != admin.user_id, key
        assert not any(s in str(value) for s in secrets), (key, value)
    # The member's own views name the Space, never the admin.
    mine = client.get(_messages_path(SPACE), headers=member.headers()).get_data(as_text=True)
    assert admin.display_name not in mine and admin.login not in mine
    assert "author" not in mine


# -- the summary ETag --------------------------------------------------------------------


def test_the_summary_etag_changes_only_with_the_counts(app, client, world):
    member, admin = world["member"], world["admin"]
    cid = _started(client, world)
    first = client.get(SUMMARY, headers=member.headers())
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag
    assert "private" in first.headers["Cache-Control"]
    same = client.get(SUMMARY, headers={**member.headers(), "If-None-Match": etag})
    assert same.status_code == 304
    assert same.get_data() == b""
    assert same.headers["ETag"] == etag

    assert reply(client, admin, SPACE, cid, "news for you").status_code == 201
    changed = client.get(SUMMARY, headers={**member.headers(), "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.get_json()["unread"] == 1
    assert changed.headers["ETag"] != etag
    new = changed.headers["ETag"]
    assert (
        client.get(SUMMARY, headers={**member.headers(), "If-None-Match": new}).status_code == 304
    )
    # Another user's summary is not the member's, whatever the ETag.
    other = client.get(SUMMARY, headers={**admin.headers(), "If-None-Match": new})
    assert other.status_code == 200


# -- counters equal the truth, whatever happens -----------------------------------------

TEAMS = {SPACE: ("admin", "admin2"), OTHER_SPACE: ("other_space_admin",)}
MEMBERS = ("member", "other_member")
ADMINS = {name: space_id for space_id, team in TEAMS.items() for name in team}
ACTIONS = st.one_of(
    st.tuples(st.just("send"), st.sampled_from(MEMBERS), st.sampled_from(list(TEAMS))),
    st.tuples(st.just("retry"), st.sampled_from(MEMBERS), st.sampled_from(list(TEAMS))),
    st.tuples(st.just("reply"), st.sampled_from(list(ADMINS)), st.sampled_from(MEMBERS)),
    st.tuples(st.just("member_read"), st.sampled_from(MEMBERS), st.sampled_from(list(TEAMS))),
    st.tuples(st.just("admin_read"), st.sampled_from(list(ADMINS)), st.sampled_from(MEMBERS)),
)


def _reset(app) -> None:
    """What the autouse _clean_inbox fixture does, for each hypothesis example."""
    own = [tbl for tbl in T.metadata.sorted_tables if not tbl.info.get("wordpress")]
    with _engine(app).begin() as connection:
        for table in own:
            connection.execute(delete(table))


def _truth(app) -> dict[tuple[int, int], tuple[int, int, int, int]]:
    """(space, member) -> (member_unread, space_unread) counters and the same recounted
    from the messages after each side's read mark."""
    m = T.messages
    out = {}
    for c in _rows(app, T.conversations):
        with _engine(app).connect() as connection:
            member_truth = connection.execute(
                select(func.count()).where(
                    m.c.conversation_id == c.id, m.c.direction == "space", m.c.id > c.member_read_id
                )
            ).scalar()
            space_truth = connection.execute(
                select(func.count()).where(
                    m.c.conversation_id == c.id, m.c.direction == "member", m.c.id > c.space_read_id
                )
            ).scalar()
        out[(c.space_id, c.member_id)] = (
            c.member_unread,
            member_truth,
            c.space_unread,
            space_truth,
        )
    return out


class Model:
    """The counters as a pure function of the actions."""

    def __init__(self) -> None:
        self.member_unread: dict[tuple[int, str], int] = {}
        self.space_unread: dict[tuple[int, str], int] = {}
        self.last: dict[tuple[int, str], tuple[str, str, int]] = {}  # key, body, message id

    def apply(self, client, people, app, action) -> None:
        kind, who, target = action
        if kind in ("send", "retry"):
            pair = (target, who)
            if kind == "retry" and pair not in self.last:
                return
            key, body, old_id = self.last.get(pair, (None, None, None))
            if kind == "send":
                key, body = uuid.uuid4().hex, f"{who} says {uuid.uuid4().hex[:6]}"
            answer = send(client, people[who], target, body, key)
            assert answer.status_code == 201, answer.get_json()
            if kind == "retry":
                assert answer.get_json()["id"] == old_id
                return
            self.last[pair] = (key, body, answer.get_json()["id"])
            self.space_unread[pair] = self.space_unread.get(pair, 0) + 1
            self.member_unread.setdefault(pair, 0)
        elif kind == "member_read":
            path = f"/api/v1/me/spaces/{target}/read"
            answer = client.post(path, headers=people[who].headers())
            assert answer.status_code == 204, answer.get_json()
            if (target, who) in self.member_unread:
                self.member_unread[(target, who)] = 0
        else:  # reply, admin_read: who is an admin, target a member
            space_id = ADMINS[who]
            pair = (space_id, target)
            if pair not in self.space_unread:
                return
            cid = _conversation(app, space_id, people[target].user_id).id
            if kind == "reply":
                answer = reply(client, people[who], space_id, cid, f"{who} answers")
                assert answer.status_code == 201, answer.get_json()
                self.member_unread[pair] += 1
            else:
                path = _admin_path(space_id, cid, "/read")
                answer = client.post(path, headers=people[who].headers())
                assert answer.status_code == 204, answer.get_json()
                self.space_unread[pair] = 0

    def check(self, client, people, app) -> None:
        truth = _truth(app)
        assert set(truth) == {(s, people[m].user_id) for s, m in self.space_unread}
        for (space_id, name), space_unread in self.space_unread.items():
            member_unread = self.member_unread[(space_id, name)]
            counted = truth[(space_id, people[name].user_id)]
            assert counted == (member_unread, member_unread, space_unread, space_unread), (
                space_id,
                name,
            )
        for name in MEMBERS:
            summary = _summary(client, people[name])
            mine = {s: n for (s, m), n in self.member_unread.items() if m == name}
            assert summary["unread"] == sum(mine.values()), name
            assert summary["conversations_unread"] == sum(1 for n in mine.values() if n), name
            listing = client.get(MY_CONVERSATIONS, headers=people[name].headers()).get_json()
            assert {c["space"]["id"]: c["unread"] for c in listing["conversations"]} == mine
        for name, space_id in ADMINS.items():
            theirs = {m: n for (s, m), n in self.space_unread.items() if s == space_id}
            assert _admin_unread(client, people[name], space_id) == sum(theirs.values()), name
        for space_id, team in TEAMS.items():
            listing = client.get(_admin_path(space_id), headers=people[team[0]].headers())
            by_member = {
                c["member"]["id"]: c["unread"] for c in listing.get_json()["conversations"]
            }
            assert by_member == {
                people[m].user_id: n for (s, m), n in self.space_unread.items() if s == space_id
            }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=st.lists(ACTIONS, min_size=1, max_size=14))
def test_unread_counters_always_equal_the_truth(app, client, people, actions):
    _reset(app)
    for space_id, team in TEAMS.items():
        upsert_space(client, space_id, f"Space {space_id}", [people[n].user_id for n in team])
    model = Model()
    for action in actions:
        model.apply(client, people, app, action)
        model.check(client, people, app)
