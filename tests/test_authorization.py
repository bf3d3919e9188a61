"""Every route × every kind of caller: logged-out and forged callers get 401, every
logged-in caller uses the member routes, only the Space's team reads and answers its inbox
(site administrators may read it too), no WordPress cookie reaches the plugin's /events; a
refusal changes nothing, and nobody reads or writes another member's conversation."""

from __future__ import annotations

import base64
import os
import uuid

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Blueprint
from sqlalchemy import func, select

from bridge import create_app
from bridge.api import guards
from bridge.storage.tables import tables
from devstack.callers import OTHER_SPACE, PREFIX, SPACE, conversation_id, made, reply, send

T = tables(PREFIX)
KINDS = [
    "anonymous",
    "forged",
    "member",
    "other_member",
    "admin",
    "admin2",
    "other_space_admin",
    "removed_admin",
    "site_admin",
]
LOGGED_IN = set(KINDS) - {"anonymous", "forged"}
TEAM = {"admin", "admin2"}


def _expect(ok: int, allowed: set[str]) -> dict[str, int]:
    return {
        kind: 401 if kind not in LOGGED_IN else (ok if kind in allowed else 403) for kind in KINDS
    }


def _body() -> dict:
    return {"body": "Allergens in the margherita?", "client_key": uuid.uuid4().hex}


def _device() -> dict:
    """A device's subscription on a push service the bridge allows by default."""
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return {
        "endpoint": f"https://fcm.googleapis.com/fcm/send/{uuid.uuid4().hex}",
        "keys": {
            "p256dh": base64.urlsafe_b64encode(point).rstrip(b"=").decode(),
            "auth": base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode(),
        },
    }


# (method, path, json body, expected status by caller kind). {cid} is the member's
# conversation with SPACE.
ROUTES = [
    ("GET", "/api/v1/me/summary", None, _expect(200, LOGGED_IN)),
    # Live updates need Redis and an event-loop worker: here, every logged-in caller is
    # told to poll instead (test_live.py streams on a real server).
    ("GET", "/api/v1/me/stream", None, _expect(503, LOGGED_IN)),
    ("GET", "/api/v1/me/conversations", None, _expect(200, LOGGED_IN)),
    ("GET", f"/api/v1/me/spaces/{SPACE}/messages", None, _expect(200, LOGGED_IN)),
    ("POST", f"/api/v1/me/spaces/{SPACE}/messages", _body, _expect(201, LOGGED_IN)),
    ("POST", f"/api/v1/me/spaces/{SPACE}/read", None, _expect(204, LOGGED_IN)),
    ("GET", f"/api/v1/me/spaces/{SPACE}/typing", None, _expect(200, LOGGED_IN)),
    # Each person's own choice of how to be told: a member's, and an admin's per Space.
    ("GET", "/api/v1/me/notifications", None, _expect(200, LOGGED_IN)),
    ("PATCH", "/api/v1/me/notifications", lambda: {"email": False}, _expect(200, LOGGED_IN)),
    ("POST", "/api/v1/me/push-subscriptions", _device, _expect(201, LOGGED_IN)),
    (
        "DELETE",
        "/api/v1/me/push-subscriptions?endpoint=https://fcm.googleapis.com/fcm/send/x",
        None,
        _expect(204, LOGGED_IN),
    ),
    ("GET", f"/api/v1/spaces/{SPACE}/notifications", None, _expect(200, TEAM)),
    (
        "PATCH",
        f"/api/v1/spaces/{SPACE}/notifications",
        lambda: {"push": False},
        _expect(200, TEAM),
    ),
    ("GET", f"/api/v1/spaces/{SPACE}/conversations", None, _expect(200, TEAM | {"site_admin"})),
    (
        "GET",
        f"/api/v1/spaces/{SPACE}/conversations/{{cid}}/messages",
        None,
        _expect(200, TEAM | {"site_admin"}),
    ),
    ("POST", f"/api/v1/spaces/{SPACE}/conversations/{{cid}}/messages", _body, _expect(201, TEAM)),
    ("POST", f"/api/v1/spaces/{SPACE}/conversations/{{cid}}/notes", _body, _expect(201, TEAM)),
    ("POST", f"/api/v1/spaces/{SPACE}/conversations/{{cid}}/read", None, _expect(204, TEAM)),
    (
        "POST",
        f"/api/v1/spaces/{SPACE}/conversations/{{cid}}/status",
        lambda: {"status": "done"},
        _expect(200, TEAM),
    ),
    (
        "POST",
        f"/api/v1/spaces/{SPACE}/conversations/{{cid}}/assign",
        lambda: {"assignee_id": None},
        _expect(200, TEAM),
    ),
    (
        "POST",
        f"/api/v1/spaces/{SPACE}/conversations/{{cid}}/block",
        lambda: {"blocked": True},
        _expect(200, TEAM),
    ),
    # The team's tools: site administrators read them, only the team changes them.
    ("GET", f"/api/v1/spaces/{SPACE}/team", None, _expect(200, TEAM | {"site_admin"})),
    ("GET", f"/api/v1/spaces/{SPACE}/figures", None, _expect(200, TEAM | {"site_admin"})),
    ("GET", f"/api/v1/spaces/{SPACE}/settings", None, _expect(200, TEAM | {"site_admin"})),
    (
        "PATCH",
        f"/api/v1/spaces/{SPACE}/settings",
        lambda: {"away_now": True},
        _expect(200, TEAM),
    ),
    ("GET", f"/api/v1/spaces/{SPACE}/saved-replies", None, _expect(200, TEAM | {"site_admin"})),
    (
        "POST",
        f"/api/v1/spaces/{SPACE}/saved-replies",
        lambda: {"title": "Hours", "body": "Open 9 to 5."},
        _expect(201, TEAM),
    ),
    (
        "PUT",
        f"/api/v1/spaces/{SPACE}/saved-replies/{{rid}}",
        lambda: {"title": "Hours", "body": "Open 10 to 6."},
        _expect(200, TEAM),
    ),
    ("DELETE", f"/api/v1/spaces/{SPACE}/saved-replies/{{rid}}", None, _expect(204, TEAM)),
    ("GET", f"/api/v1/spaces/{SPACE}/labels", None, _expect(200, TEAM | {"site_admin"})),
    ("GET", f"/api/v1/spaces/{SPACE}/search?q=sunday", None, _expect(200, TEAM | {"site_admin"})),
    ("GET", f"/api/v1/spaces/{SPACE}/record", None, _expect(200, TEAM | {"site_admin"})),
    (
        "GET",
        f"/api/v1/spaces/{SPACE}/record/export?format=csv&from=2026-01-01&to=2099-12-31",
        None,
        _expect(200, TEAM),
    ),
    (
        "POST",
        f"/api/v1/spaces/{SPACE}/labels",
        lambda: {"name": "Catering", "colour": "teal"},
        _expect(201, TEAM),
    ),
    (
        "PATCH",
        f"/api/v1/spaces/{SPACE}/labels/{{lid}}",
        lambda: {"name": "Big parties", "colour": "blue"},
        _expect(200, TEAM),
    ),
    ("DELETE", f"/api/v1/spaces/{SPACE}/labels/{{lid}}", None, _expect(204, TEAM)),
    (
        "POST",
        f"/api/v1/spaces/{SPACE}/conversations/{{cid}}/labels",
        lambda: {"add": [LABEL], "remove": []},
        _expect(200, TEAM),
    ),
    (
        "GET",
        f"/api/v1/spaces/{SPACE}/conversations/{{cid}}/typing",
        None,
        _expect(200, TEAM | {"site_admin"}),
    ),
    (
        "POST",
        f"/api/v1/spaces/{SPACE}/conversations/{{cid}}/typing",
        lambda: {"typing": True},
        _expect(204, TEAM),
    ),
    (
        "POST",
        f"/api/v1/spaces/{SPACE}/conversations/{{cid}}/viewing",
        lambda: {"viewing": True},
        _expect(204, TEAM),
    ),
    ("POST", f"/api/v1/spaces/{SPACE}/here", lambda: {"here": True}, _expect(204, TEAM)),
    # A Space's answer in the member's conversation: only they report it; for anyone else
    # it is not there.
    (
        "POST",
        f"/api/v1/me/spaces/{SPACE}/messages/{{mid}}/report",
        lambda: {"reason": "harassment", "details": "Rude."},
        {
            kind: 401 if kind not in LOGGED_IN else 201 if kind == "member" else 404
            for kind in KINDS
        },
    ),
    # Signed by the plugin only: a WordPress cookie is no signature.
    ("POST", "/api/v1/events", lambda: {"events": []}, {kind: 401 for kind in KINDS}),
    (
        "POST",
        "/api/v1/moderation/reports",
        lambda: {"status": "all"},
        {kind: 401 for kind in KINDS},
    ),
    ("POST", "/api/v1/moderation/reports/1", lambda: {}, {kind: 401 for kind in KINDS}),
    (
        "POST",
        "/api/v1/moderation/reports/1/resolve",
        lambda: {"moderator_id": 1, "outcome": "ok"},
        {kind: 401 for kind in KINDS},
    ),
    (
        "POST",
        "/api/v1/moderation/reports/1/hidden",
        lambda: {"moderator_id": 1, "hidden": True},
        {kind: 401 for kind in KINDS},
    ),
    ("POST", "/api/v1/privacy/export", lambda: {"user_id": 1}, {kind: 401 for kind in KINDS}),
    ("POST", "/api/v1/privacy/erase", lambda: {"user_id": 1}, {kind: 401 for kind in KINDS}),
    ("GET", "/api/v1/status", None, {kind: 401 for kind in KINDS}),
    ("GET", "/api/v1/status/stream", None, {kind: 401 for kind in KINDS}),
    # Public: the only routes anyone may call.
    ("GET", "/health", None, {kind: 200 for kind in KINDS}),
    ("GET", "/api/v1/openapi.json", None, {kind: 200 for kind in KINDS}),
    ("GET", f"/api/v1/spaces/{SPACE}/response-time", None, {kind: 200 for kind in KINDS}),
]


def _state(app) -> tuple:
    """Everything a request could change in the inbox tables."""
    with app.extensions["space_inbox_engine"].connect() as c:
        return (
            c.execute(select(T.messages).order_by(T.messages.c.id)).all(),
            c.execute(select(T.conversations).order_by(T.conversations.c.id)).all(),
            c.execute(select(func.count()).select_from(T.outbox)).scalar(),
            c.execute(select(func.count()).select_from(T.audit)).scalar(),
            c.execute(select(T.space_admins).order_by(T.space_admins.c.space_id)).all(),
            c.execute(select(T.space_settings)).all(),
            c.execute(select(T.away_spells)).all(),
            c.execute(select(T.saved_replies).order_by(T.saved_replies.c.id)).all(),
            c.execute(select(T.typing)).all(),
            c.execute(select(T.notes).order_by(T.notes.c.id)).all(),
            c.execute(select(T.presence)).all(),
            c.execute(select(T.on_duty)).all(),
            c.execute(select(T.response_periods).order_by(T.response_periods.c.id)).all(),
            c.execute(select(T.labels).order_by(T.labels.c.id)).all(),
            c.execute(select(T.conversation_labels)).all(),
            c.execute(select(T.reports)).all(),
        )


def _start(client, world) -> int:
    """The member and the other member write to SPACE; the member's conversation."""
    assert send(client, world["member"], SPACE, "Are you open on Sunday?").status_code == 201
    assert send(client, world["other_member"], SPACE, "Secret: my table for 2").status_code == 201
    return conversation_id(client, world["admin"], SPACE, world["member"])


def _answer(client, world, conversation: int) -> int:
    """The Space's answer in the conversation; its id."""
    answer = reply(client, world["admin"], SPACE, conversation, "Yes, from noon.")
    assert answer.status_code == 201
    return answer.get_json()["id"]


@pytest.fixture
def started(client, world):
    """The member and the other member have each written to SPACE."""
    return _start(client, world)


@pytest.fixture
def named(client, world, scene) -> dict[str, int]:
    """What the matrix's paths name: the member's conversation (``cid``, the other member's
    too), a saved reply (``rid``) and a label (``lid``) of SPACE, the Space's answer in the
    conversation (``mid``); made once, then kept (conftest's ``scene``)."""

    def make():
        cid = _start(client, world)
        return {
            "cid": cid,
            "rid": made(
                client,
                world["admin"],
                SPACE,
                "saved-replies",
                {"title": "Sunday", "body": "Yes, from noon."},
            ),
            "lid": made(
                client, world["admin"], SPACE, "labels", {"name": "Parties", "colour": "orange"}
            ),
            "mid": _answer(client, world, cid),
        }

    return scene("authorization matrix", make)


def test_a_kept_scene_is_the_state_its_making_left(client, world, scene, rows_now):
    """conftest's ``scene``: made once, then the same rows, whatever came between."""
    made = scene("kept scene", lambda: _start(client, world))
    state = rows_now()
    assert reply(client, world["admin"], SPACE, made, "Meanwhile.").status_code == 201
    assert rows_now() != state
    again = scene("kept scene", lambda: pytest.fail("a kept scene is made again"))
    assert again == made
    assert rows_now() == state


#: Stands for the label's id in a body.
LABEL = "{lid}"


def _with_label(body: dict, label_id: int) -> dict:
    return {
        k: [label_id if i == LABEL else i for i in v] if k in ("add", "remove") else v
        for k, v in body.items()
    }


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), ROUTES, ids=[f"{r[0]} {r[1]}" for r in ROUTES]
)
def test_route_by_caller(app, client, world, named, kind, method, path, body, expected):
    caller = world[kind]
    before = _state(app)
    answer = client.open(
        path.format(**named),
        method=method,
        json=_with_label(body(), named["lid"]) if body else None,
        headers=caller.headers(),
    )
    assert answer.status_code == expected[kind], answer.get_data(as_text=True)
    if answer.status_code >= 400:
        error = answer.get_json()
        assert set(error) <= {"code", "message", "description"} and error["code"]
        assert _state(app) == before, "a refused request changed data"


@pytest.mark.parametrize("kind", ["member", "other_member", "admin", "site_admin"])
def test_member_routes_show_only_the_callers_own_conversation(client, world, started, kind):
    caller = world[kind]
    listing = client.get("/api/v1/me/conversations", headers=caller.headers()).get_json()
    page = client.get(f"/api/v1/me/spaces/{SPACE}/messages", headers=caller.headers()).get_json()
    bodies = [m["body"] for m in page["messages"]]
    if kind == "member":
        assert bodies == ["Are you open on Sunday?"]
        assert [c["space"]["id"] for c in listing["conversations"]] == [SPACE]
    elif kind == "other_member":
        assert bodies == ["Secret: my table for 2"]
    else:
        assert bodies == [] and listing["conversations"] == []


def test_a_conversation_is_reached_only_through_its_own_space(client, world, started):
    """Another Space's admin cannot reach SPACE's conversation through their own Space."""
    olga = world["other_space_admin"]
    base = f"/api/v1/spaces/{OTHER_SPACE}/conversations/{started}"
    assert client.get(f"{base}/messages", headers=olga.headers()).status_code == 404
    reply = client.post(f"{base}/messages", json=_body(), headers=olga.headers())
    assert reply.status_code == 404
    assert client.post(f"{base}/read", headers=olga.headers()).status_code == 404
    status = client.post(f"{base}/status", json={"status": "done"}, headers=olga.headers())
    assert status.status_code == 404


def test_a_member_cannot_write_into_another_members_conversation(app, client, world, started):
    """Member routes take the member from the cookie only; ids in the request are ignored."""
    other = world["other_member"]
    answer = client.post(
        f"/api/v1/me/spaces/{SPACE}/messages?member_id={world['member'].user_id}",
        json={**_body(), "member_id": world["member"].user_id, "conversation_id": started},
        headers=other.headers(),
    )
    assert answer.status_code == 201
    with app.extensions["space_inbox_engine"].connect() as c:
        authors = (
            c.execute(select(T.messages.c.author_id).where(T.messages.c.conversation_id == started))
            .scalars()
            .all()
        )
    assert authors == [world["member"].user_id]


def test_unknown_ids_are_404(client, world, started):
    admin = world["admin"]
    assert (
        client.get("/api/v1/spaces/999999/conversations", headers=admin.headers()).status_code
        == 404
    )
    missing = f"/api/v1/spaces/{SPACE}/conversations/999999/messages"
    assert client.get(missing, headers=admin.headers()).status_code == 404
    assert (
        client.get(
            "/api/v1/me/spaces/999999/messages", headers=world["member"].headers()
        ).status_code
        == 404
    )
    for path in (
        "/api/v1/me/spaces/0/messages",
        "/api/v1/me/spaces/-1/messages",
        f"/api/v1/me/spaces/{2**64}/messages",
        "/api/v1/nothing-here",
    ):
        answer = client.get(path, headers=world["member"].headers())
        assert answer.status_code == 404
        assert answer.get_json()["code"] == "not_found"


def test_wrong_methods_answer_405_in_the_error_shape(client, world):
    answer = client.delete("/api/v1/me/summary", headers=world["member"].headers())
    assert answer.status_code == 405
    assert answer.get_json()["code"] == "method_not_allowed"
    assert "GET" in answer.headers["Allow"]


# -- deny by default: the matrix and the guards against the routes that exist ---------------


def _operations(app) -> set[tuple[str, str]]:
    """Every (method, endpoint) the app answers, but the HEAD and OPTIONS werkzeug adds."""
    return {
        (method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_the_matrix_covers_every_route(app):
    urls = app.url_map.bind("localhost")
    covered = {
        (method, urls.match(path.format(cid=1, rid=1, lid=1, mid=1).partition("?")[0], method)[0])
        for method, path, _, _ in ROUTES
    }
    assert covered == _operations(app)


def test_every_route_is_guarded_or_public(app):
    assert guards.unguarded(app) == []
    assert guards.PUBLIC == {"service.health", "service.openapi", "public.response_time"}
    endpoints = {endpoint for _, endpoint in _operations(app)}
    public = {e for e in endpoints if e in guards.PUBLIC}
    guarded = {e for e in endpoints if e.partition(".")[0] in guards.CALLERS}
    assert public | guarded == endpoints and not public & guarded


def _rogue_blueprint(called: list) -> Blueprint:
    rogue = Blueprint("rogue", __name__, url_prefix="/api/v1/rogue")

    @rogue.get("/secrets")
    def secrets():
        called.append(True)
        return {"secret": True}

    return rogue


def test_an_app_with_an_unguarded_route_is_not_built(app):
    rogue = create_app(dict(app.config, TESTING=True))
    rogue.register_blueprint(_rogue_blueprint([]))
    with pytest.raises(RuntimeError, match="rogue.secrets"):
        guards.init_app(rogue)


def test_a_route_without_a_guard_is_refused_before_its_view(app, world):
    """A route added after the app was built (so the build could not refuse it) is still
    refused, for every caller, and its view never runs."""
    late = create_app(dict(app.config, TESTING=True))
    called: list = []
    late.register_blueprint(_rogue_blueprint(called))
    client = late.test_client(use_cookies=False)
    for kind in ("anonymous", "member", "site_admin"):
        answer = client.get("/api/v1/rogue/secrets", headers=world[kind].headers())
        assert answer.status_code == 403, answer.get_data(as_text=True)
        assert answer.get_json()["code"] == "no_guard"
    assert called == []
    late.extensions["space_inbox_engine"].dispose()
