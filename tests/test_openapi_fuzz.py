"""Every operation of the OpenAPI document, fuzzed with schemathesis as every kind of caller.

For each operation and each caller (anonymous, a member, a Space admin, the plugin) the
fuzz test sends schema-conforming ("positive") and schema-violating ("negative") requests,
plus conforming requests aimed at ids that exist ("known"), all generated
deterministically, and asserts that:

- no response is a server error (5xx);
- every error response (status >= 400) is ``{"code": str, "message": str,
  "description"?: str}`` (the README, "API");
- the status code is one the document lists for the operation, and the body has the
  documented media type and schema (schemathesis' ``status_code_conformance``,
  ``content_type_conformance`` and ``response_schema_conformance``).

Cookies and nonces are real (the callers logged in through wp-login.php); plugin calls are
signed over the exact bytes each request sends.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import get_args

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bridge import limits
from bridge.api import serializers, shapes, team_shapes
from bridge.api.openapi import api, spec
from bridge.inbox import access, reads
from bridge.limits import MAX_ID
from bridge.storage.db import get_session
from bridge.wordpress import signing
from devstack.callers import OTHER_SPACE, SECRET, SPACE, conversation_id, made, reply, send

#: Every (path, method) of the document, read without an app so that pytest can list them.
OPERATIONS = [
    (path, method.upper())
    for path, item in spec()["paths"].items()
    for method in item
    if method in {"get", "post", "put", "patch", "delete"}
]
#: The operations that take a request body.
BODY_OPERATIONS = [
    (path, method.upper())
    for path, item in spec()["paths"].items()
    for method, operation in item.items()
    if "requestBody" in operation
]
CALLERS = ("anonymous", "member", "admin", "plugin")
#: Examples per operation, caller and kind of input (derandomized: the same ones each run;
#: the edge cases known to matter are explicit below).
EXAMPLES = {"positive": 12, "negative": 16, "known": 10}
#: The same for a caller the route refuses whatever the input (see :func:`_guarded_out`): a
#: few show that no input gets past its guard.
GUARDED_EXAMPLES = {"positive": 3, "negative": 3, "known": 3}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
#: Deterministic: derandomized, no example database; no deadline (a real database answers).
SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)
#: Ids a path can hold but no route accepts: below and above BIGINT UNSIGNED.
OUT_OF_RANGE_IDS = (0, MAX_ID + 1, 10**30)


@pytest.fixture(scope="module")
def schema(app):
    """The document as the app serves it, loaded by schemathesis."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


# -- helpers -----------------------------------------------------------------------------


def _negatable(operation) -> bool:
    """Whether the operation takes input besides credentials (else nothing can be negated)."""
    credentials = {parameter.name for parameter in operation.security.iter_parameters()}
    return bool(operation.body) or any(
        parameter.name not in credentials for parameter in operation.iter_parameters()
    )


def _wire_body(case) -> bytes | None:
    """Return the exact body bytes the WSGI transport sends for a case."""
    if isinstance(case.body, NotSet):
        return None
    sent = case.as_transport_kwargs()
    if "data" in sent:
        data = sent["data"]
        return data.encode() if isinstance(data, str) else bytes(data)
    if "json" in sent:
        return json.dumps(sent["json"]).encode()
    return None


def _call(case, caller: str, people):
    """Send a case as a caller: their real cookie and nonce, or the plugin's signature.

    The generated credentials (schemathesis fills in the security schemes' cookie and
    headers) stay for the anonymous caller; a negative case that drops a credential header
    drops ours too.
    """
    headers: dict[str, str] = {}
    cookies: dict[str, str] = {}
    extra: dict = {}
    if caller in ("member", "admin"):
        person = people[caller]
        name, value = person.cookie.split("=", 1)
        cookies[name] = value
        headers["X-WP-Nonce"] = person.nonce
    elif caller == "plugin":
        body = _wire_body(case)
        endpoint = case.path.removeprefix("/api/v1/")
        headers.update(signing.signed_headers(SECRET, endpoint, body or b"", method=case.method))
        if body is not None:
            # Send exactly the signed bytes (not a re-serialisation of the JSON).
            extra["data"] = body
    return case.call(headers=headers or None, cookies=cookies or None, **extra)


#: The one 5xx the document lists: the live stream of a process that serves no live
#: updates (the app under test runs without Redis and without gevent).
UNAVAILABLE = ("/api/v1/me/stream", 503, "live_unavailable")


def _unavailable(case, response) -> bool:
    """Whether the response is the stream's documented 503 (and nothing else answers 503)."""
    if (case.path, response.status_code) != UNAVAILABLE[:2]:
        return False
    assert json.loads(response.content)["code"] == UNAVAILABLE[2], response.text[:500]
    return True


def _error_shape(response) -> None:
    """No 5xx, and the one error shape of the API (the README, "API")."""
    assert response.status_code < 500, (response.status_code, response.text[:500])
    if response.status_code < 400:
        return
    body = json.loads(response.content)
    assert isinstance(body, dict), body
    assert isinstance(body.get("code"), str) and body["code"], body
    assert isinstance(body.get("message"), str) and body["message"], body
    assert set(body) <= {"code", "message", "description"}, body
    if "description" in body:
        assert isinstance(body["description"], str), body


def _check(case, response) -> None:
    if _unavailable(case, response):
        case.validate_response(response, checks=CHECKS[1:])
        return
    _error_shape(response)
    case.validate_response(response, checks=CHECKS)


def _events(people) -> st.SearchStrategy[dict]:
    """Well-formed plugin event batches about the test's users and Spaces (and others)."""
    users = st.sampled_from(
        [people[kind].user_id for kind in ("member", "other_member", "admin", "admin2")]
    ) | st.integers(1, MAX_ID)
    spaces = st.sampled_from([SPACE, OTHER_SPACE]) | st.integers(1, MAX_ID)
    data = {
        "space.upserted": st.fixed_dictionaries(
            {
                "space_id": spaces,
                "name": st.text(min_size=1, max_size=255),
                "admin_ids": st.lists(users, max_size=4),
            },
            optional={
                "slug": st.text(max_size=200),
                "url": st.text(max_size=300),
                "avatar_url": st.text(max_size=300),
            },
        ),
        "space.deleted": st.fixed_dictionaries({"space_id": spaces}),
        "user.deleted": st.fixed_dictionaries({"user_id": users}),
        "user.spammed": st.fixed_dictionaries({"user_id": users, "spam": st.booleans()}),
    }
    event = st.sampled_from(sorted(data)).flatmap(
        lambda kind: st.fixed_dictionaries(
            {"id": st.uuids().map(str), "type": st.just(kind), "data": data[kind]}
        )
    )
    return st.fixed_dictionaries({"events": st.lists(event, min_size=1, max_size=4)})


# -- the document ------------------------------------------------------------------------


def test_document_lists_every_route(app):
    """Every route the app serves is in the document, and every documented one exists."""
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = rule.rule.replace("<id:", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((path, method))
    assert served == set(OPERATIONS)


def test_every_route_is_declared(app):
    """Every view is declared (``@api.validate``): its answers, and its query and body
    when it reads them, so nothing a route takes or gives is missing from the document."""
    for endpoint, view in app.view_functions.items():
        declared = api.get_function_metadata(view)
        assert declared is not None and declared.resp is not None, endpoint
    for item in spec()["paths"].values():
        for operation in item.values():
            assert operation["summary"] and "503" in operation["responses"], operation


def test_conformance_checks_have_teeth(app, people):
    """A document that lies about a response makes the checks fail (so a pass means something)."""
    document = json.loads(json.dumps(spec()))
    document["components"]["schemas"]["Summary"]["properties"]["unread"] = {"type": "string"}
    lying = schemathesis.openapi.from_dict(document)
    lying.app = app
    case = lying["/api/v1/me/summary"]["GET"].Case()
    response = _call(case, "member", people)
    assert response.status_code == 200
    with pytest.raises(FailureGroup, match="unread"):
        case.validate_response(response, checks=CHECKS)


# -- the limits and the types ------------------------------------------------------------


def _schemas() -> dict:
    return spec()["components"]["schemas"]


def _parameters(name: str) -> list[dict]:
    """The schema of every parameter called ``name``, in every operation."""
    return [
        parameter["schema"]
        for item in spec()["paths"].values()
        for operation in item.values()
        for parameter in operation.get("parameters", [])
        if parameter["name"] == name
    ]


def test_the_documents_limits_are_those_of_bridge_limits():
    """Each limit the document states is the value in bridge/limits.py."""
    schemas = _schemas()
    send_body = schemas["SendBody"]["properties"]
    assert send_body["body"] == {"type": "string", "minLength": 1, "maxLength": limits.BODY_MAX}
    assert send_body["client_key"]["pattern"] == f"^(?:{limits.CLIENT_KEY_PATTERN})$"
    for name, bounds in {
        "limit": {"minimum": 1, "maximum": limits.PAGE_MAX},
        "before": {"minimum": 1, "maximum": MAX_ID},
        "space_id": {"minimum": 1, "maximum": MAX_ID},
        "conversation_id": {"minimum": 1, "maximum": MAX_ID},
        "reply_id": {"minimum": 1, "maximum": MAX_ID},
        "label_id": {"minimum": 1, "maximum": MAX_ID},
    }.items():
        assert _parameters(name) and all(
            s == {"type": "integer", **bounds} for s in _parameters(name)
        ), name
    assert _parameters("cursor") == [{"type": "string", "maxLength": limits.CURSOR_MAX}] * 3
    statuses = [
        *_parameters("status"),
        schemas["StatusBody"]["properties"]["status"],
        schemas["StatusState"]["properties"]["status"],
        schemas["AdminConversation"]["properties"]["status"],
        schemas["AdminMessagePage"]["properties"]["status"],
    ]
    assert all(s == {"type": "string", "enum": list(limits.STATUSES)} for s in statuses)
    events = schemas["Events"]["properties"]["events"]
    assert (events["minItems"], events["maxItems"]) == (1, limits.EVENTS_PER_CALL)
    page = schemas["PrivacyExportBody"]["properties"]["page"]
    assert (page["minimum"], page["maximum"]) == (1, limits.PRIVACY_PAGE_MAX)
    assert schemas["PrivacyExport"]["properties"]["data"]["maxItems"] == limits.PRIVACY_PAGE
    assert schemas["PrivacyExportBody"]["properties"]["user_id"]["maximum"] == MAX_ID


def test_every_bound_in_the_document_is_a_limit():
    """No bound is written by hand: each is a value of bridge/limits.py, or 0 or 1."""
    allowed = {0, 1} | {v for v in vars(limits).values() if isinstance(v, int)}
    bounds = ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems")
    found = []

    def walk(node):
        if isinstance(node, dict):
            found.extend(node[key] for key in bounds if isinstance(node.get(key), int))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec())
    assert found and set(found) <= allowed, set(found) - allowed


def test_the_shapes_are_strict_in_the_document():
    """Answers are closed, their keys required (but the optional ones); ids are in range."""
    schemas = _schemas()
    for name, shape in vars(shapes).items():
        if name not in schemas or not getattr(shape, "__closed__", False):
            continue
        assert schemas[name]["additionalProperties"] is False, name
        assert set(schemas[name].get("required", ())) == shape.__required_keys__, name
    member_message = schemas["MemberMessage"]
    # No author, ever; ``removed`` only says the site's moderators hid an answer;
    # ``client_key``, the key of the member's own message.
    assert set(member_message["properties"]) == {
        "id",
        "from",
        "body",
        "created_at",
        "removed",
        "client_key",
    }
    assert member_message["properties"]["from"]["enum"] == ["me", "space"]
    assert schemas["AdminMessage"]["properties"]["from"]["enum"] == ["member", "space"]
    assert schemas["AdminMessage"]["properties"]["author"] == {
        "$ref": "#/components/schemas/Person"
    }
    assert schemas["Person"]["properties"]["id"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": MAX_ID,
    }
    assert schemas["MemberConversation"]["properties"]["last_message"] == {
        "anyOf": [{"$ref": "#/components/schemas/MemberLastMessage"}, {"type": "null"}]
    }


def test_the_from_names_are_the_types():
    assert set(serializers.MEMBER_FROM.values()) == set(get_args(shapes.MemberFrom))
    assert set(serializers.ADMIN_FROM.values()) == set(get_args(shapes.AdminFrom))


def _keys(value: dict, shape) -> None:
    """The keys of an answer are its type's: every required one, no other."""
    required, optional = shape.__required_keys__, shape.__optional_keys__
    assert required <= set(value) <= required | optional, (shape.__name__, sorted(value))
    # And, nested shapes and values included, it is what the type says (the closed types
    # refuse any other key).
    TypeAdapter(shape).validate_python(value, strict=True)


def test_each_serializer_gives_its_types_keys(app, client, world):
    """For real rows: a member's and a Space admin's conversation and messages."""
    member, admin = world["member"], world["admin"]
    assert send(client, member, SPACE, "Hello Space").status_code == 201
    conversation = conversation_id(client, admin, SPACE, member)
    assert reply(client, admin, SPACE, conversation, "Hello member").status_code == 201
    with app.app_context():
        session = get_session()
        with session.begin():
            space = access.member_space_or_404(session, SPACE)
            (mine,), _ = reads.member_conversations(session, member.user_id, None, 10)
            (theirs,), _ = reads.space_conversations(session, SPACE, None, None, 10)
            as_member, _ = reads.conversation_messages(
                session, conversation, None, 10, with_authors=False, keys_of=member.user_id
            )
            as_team, _ = reads.conversation_messages(
                session, conversation, None, 10, with_authors=True, keys_of=admin.user_id
            )

    _keys(serializers.member_space(space), shapes.MemberSpace)
    shaped = serializers.member_conversation(mine)
    _keys(shaped, shapes.MemberConversation)
    _keys(shaped["space"], shapes.MemberSpace)
    _keys(shaped["last_message"], shapes.MemberLastMessage)
    assert [m["from"] for m in map(serializers.member_message, as_member)] == ["me", "space"]
    for row in as_member:
        _keys(serializers.member_message(row), shapes.MemberMessage)
    assert "author" not in shapes.MemberMessage.__annotations__
    assert shapes.MemberMessage.__closed__

    shaped = serializers.admin_conversation(theirs)
    _keys(shaped, team_shapes.AdminConversation)
    _keys(shaped["member"], team_shapes.Person)
    _keys(shaped["last_message"], team_shapes.AdminLastMessage)
    from_member, from_space = map(serializers.admin_message, as_team)
    _keys(from_member, team_shapes.AdminMessage)
    _keys(from_space, team_shapes.AdminMessage)
    assert "author" not in from_member
    assert from_space["author"]["id"] == admin.user_id
    _keys(from_space["author"], team_shapes.Person)


# -- fuzzing -----------------------------------------------------------------------------


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_fuzz(schema, client, world, scene, path, method, caller):
    """Generated good and bad input never gives a 5xx, and is answered as documented."""
    people = world

    def make() -> dict[str, int]:
        # Something real to find: the member's conversation with SPACE.
        assert send(client, people["member"], SPACE, "Hello Space").status_code == 201
        return {
            "space_id": SPACE,
            "conversation_id": conversation_id(client, people["admin"], SPACE, people["member"]),
            **_kept_ids(client, people["admin"]),
        }

    known_ids = scene("fuzz", make)
    operation = schema[path][method]
    strategies = {"positive": operation.as_strategy(GenerationMode.POSITIVE)}
    if _negatable(operation):
        strategies["negative"] = operation.as_strategy(GenerationMode.NEGATIVE)
    path_params = {k: v for k, v in known_ids.items() if "{" + k + "}" in path}
    if path_params:
        known = [operation.as_strategy(GenerationMode.POSITIVE, path_parameters=path_params)]
        if "conversation_id" in path_params:
            # A real conversation, asked for through a Space it does not belong to.
            other = {**path_params, "space_id": OTHER_SPACE}
            known.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=other))
        strategies["known"] = st.one_of(known)
    elif path == "/api/v1/events":
        strategies["known"] = _events(people).map(lambda body: operation.Case(body=body))
    elif path.startswith("/api/v1/privacy/"):
        users = st.sampled_from([p.user_id for p in people.values() if p.user_id])
        strategies["known"] = users.map(lambda uid: operation.Case(body={"user_id": uid}))

    guarded = _guarded_out(path, caller)
    # Credentials are ours but the anonymous caller's: to an operation that takes no other
    # input, every example is the same request.
    same = caller != "anonymous" and not _negatable(operation)
    for kind, strategy in strategies.items():
        examples = 1 if same else (GUARDED_EXAMPLES if guarded else EXAMPLES)[kind]

        @settings(SETTINGS, max_examples=examples)
        @given(case=strategy)
        def run(case):
            response = _call(case, caller, people)
            _check(case, response)
            # The rule that gave the smaller budget holds: nothing gets past that guard.
            assert not guarded or response.status_code >= 400, response.status_code

        run()


def _guarded_out(path: str, caller: str) -> bool:
    """Whether the route refuses the caller whatever the input: the plugin's routes take its
    signature only; the API's take a login but on its public routes (the plugin's calls carry
    no cookie); a Space's routes take its team only, and a member is on no team (the input
    checks they pass first are the admin's, fuzzed in full)."""
    if _authorised(path) == "plugin":
        return caller != "plugin"
    if path in ("/health", "/api/v1/openapi.json") or path.endswith("/response-time"):
        return False
    if _authorised(path) == "admin" and caller == "member":
        return True
    return caller in ("anonymous", "plugin")


# -- explicit edge cases -----------------------------------------------------------------


def _authorised(path: str) -> str:
    """The caller allowed to use an operation."""
    if path in ("/api/v1/events", "/api/v1/status", "/api/v1/status/stream") or path.startswith(
        ("/api/v1/privacy/", "/api/v1/moderation/")
    ):
        return "plugin"
    return "admin" if path.startswith("/api/v1/spaces/") else "member"


def _body_for(path: str):
    if path == "/api/v1/events":
        data = {"user_id": 1, "spam": False}
        return {"events": [{"id": str(uuid.uuid4()), "type": "user.spammed", "data": data}]}
    if path.endswith("/status"):
        return {"status": "done"}
    if path.startswith("/api/v1/privacy/"):
        return {"user_id": 1}
    if path == "/api/v1/moderation/reports":
        return {"status": "open"}
    if path.endswith("/resolve"):
        return {"moderator_id": 1, "outcome": "Talked to the team."}
    if path.startswith("/api/v1/moderation/"):
        return {}
    if path.endswith("/report"):
        return {"reason": "spam"}
    if "/saved-replies" in path:
        return {"title": "Hours", "body": "Open 9 to 5."}
    if path.endswith("/settings"):
        return {"away_now": False}
    if path.endswith("/typing"):
        return {"typing": True}
    if path.endswith("/conversations/{conversation_id}/labels"):
        return {"add": []}
    if "/labels" in path:
        return {"name": "Hours", "colour": "red"}
    return {"body": "Hello", "client_key": "k1"}


def _kept_ids(client, admin) -> dict[str, int]:
    """Ids of a saved reply and a label of SPACE, by their path's name."""
    return {
        "reply_id": made(
            client, admin, SPACE, "saved-replies", {"title": "Sunday", "body": "Noon."}
        ),
        "label_id": made(client, admin, SPACE, "labels", {"name": "Sunday", "colour": "green"}),
    }


# POST routes too: an id out of range (0, above 2**64-1) is a 404, not the 405 a POST
# whose GET twin matched could get from routing.
@pytest.mark.parametrize("value", OUT_OF_RANGE_IDS)
@pytest.mark.parametrize(
    ("path", "method"), [(p, m) for p, m in OPERATIONS if "{" in p], ids=lambda v: str(v)
)
def test_out_of_range_ids_are_not_found(schema, client, world, path, method, value):
    """An id no Space or conversation can have is a 404 in the error shape, whatever the method."""
    operation = schema[path][method]
    names = re.findall(r"\{(\w+)\}", path)
    body = {"body": _body_for(path)} if operation.body else {}
    case = operation.Case(path_parameters=dict.fromkeys(names, value), **body)
    response = _call(case, _authorised(path), world)
    _error_shape(response)
    assert response.status_code == 404, (response.status_code, response.text)
    case.validate_response(response, checks=CHECKS)


# Every operation with a body, not only the message-sending ones, documents that 413.
@pytest.mark.parametrize(("path", "method"), BODY_OPERATIONS, ids=lambda v: str(v))
def test_oversized_body_is_a_documented_413(app, schema, client, world, path, method):
    """A body over MAX_CONTENT_LENGTH is refused with 413, in the error shape, as documented."""
    operation = schema[path][method]
    assert send(client, world["member"], SPACE, "Hello Space").status_code == 201
    ids = {
        "space_id": SPACE,
        "conversation_id": conversation_id(client, world["admin"], SPACE, world["member"]),
        **_kept_ids(client, world["admin"]),
        "message_id": 1,
        "report_id": 1,
    }
    body = {**_body_for(path), "padding": "x" * app.config["MAX_CONTENT_LENGTH"]}
    case = operation.Case(
        path_parameters={k: v for k, v in ids.items() if "{" + k + "}" in path}, body=body
    )
    response = _call(case, _authorised(path), world)
    _error_shape(response)
    assert response.status_code == 413, (response.status_code, response.text[:300])
    case.validate_response(response, checks=CHECKS)
