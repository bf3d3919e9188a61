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
import time
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bridge import auth
from bridge.api.openapi import spec
from devstack.callers import OTHER_SPACE, SECRET, SPACE, conversation_id, send

#: Every (path, method) of the document, read without an app so that pytest can list them.
OPERATIONS = [
    (path, method.upper())
    for path, item in spec()["paths"].items()
    for method in item
    if method in {"get", "post", "put", "patch", "delete"}
]
#: The operations that take a request body (all of them POST).
BODY_PATHS = [
    path for path, item in spec()["paths"].items() if "requestBody" in item.get("post", {})
]
CALLERS = ("anonymous", "member", "admin", "plugin")
#: Examples per operation, caller and kind of input.
EXAMPLES = {"positive": 20, "negative": 25, "known": 15}
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
OUT_OF_RANGE_IDS = (0, 2**64, 10**30)
MAX_ID = 2**64 - 1


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
        stamp = str(int(time.time()))
        headers["X-Space-Inbox-Timestamp"] = stamp
        headers["X-Space-Inbox-Signature"] = auth.signature(SECRET, stamp, body or b"")
        if body is not None:
            # Send exactly the signed bytes (not a re-serialisation of the JSON).
            extra["data"] = body
    return case.call(headers=headers or None, cookies=cookies or None, **extra)


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


# -- fuzzing -----------------------------------------------------------------------------


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_fuzz(schema, client, world, path, method, caller):
    """Generated good and bad input never gives a 5xx, and is answered as documented."""
    people = world
    # Something real to find: the member's conversation with SPACE.
    assert send(client, people["member"], SPACE, "Hello Space").status_code == 201
    known_ids = {
        "space_id": SPACE,
        "conversation_id": conversation_id(client, people["admin"], SPACE, people["member"]),
    }
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

    for kind, strategy in strategies.items():

        @settings(SETTINGS, max_examples=EXAMPLES[kind])
        @given(case=strategy)
        def run(case):
            _check(case, _call(case, caller, people))

        run()


# -- explicit edge cases -----------------------------------------------------------------


def _authorised(path: str) -> str:
    """The caller allowed to use an operation."""
    if path == "/api/v1/events" or path.startswith("/api/v1/privacy/"):
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
    return {"body": "Hello", "client_key": "k1"}


# POST routes too: an id out of range (0, above 2**64-1) is a 404, not the 405 a POST
# whose GET twin matched could get from routing.
@pytest.mark.parametrize("value", OUT_OF_RANGE_IDS)
@pytest.mark.parametrize(
    ("path", "method"), [(p, m) for p, m in OPERATIONS if "{" in p], ids=lambda v: str(v)
)
def test_out_of_range_ids_are_not_found(schema, client, world, path, method, value):
    """An id no Space or conversation can have is a 404 in the error shape, whatever the method."""
    operation = schema[path][method]
    names = [n for n in ("space_id", "conversation_id") if "{" + n + "}" in path]
    body = {"body": _body_for(path)} if operation.body else {}
    case = operation.Case(path_parameters=dict.fromkeys(names, value), **body)
    response = _call(case, _authorised(path), world)
    _error_shape(response)
    assert response.status_code == 404, (response.status_code, response.text)
    case.validate_response(response, checks=CHECKS)


# Every operation with a body, not only the message-sending ones, documents that 413.
@pytest.mark.parametrize("path", BODY_PATHS)
def test_oversized_body_is_a_documented_413(app, schema, client, world, path):
    """A body over MAX_CONTENT_LENGTH is refused with 413, in the error shape, as documented."""
    operation = schema[path]["POST"]
    assert send(client, world["member"], SPACE, "Hello Space").status_code == 201
    ids = {
        "space_id": SPACE,
        "conversation_id": conversation_id(client, world["admin"], SPACE, world["member"]),
    }
    body = {**_body_for(path), "padding": "x" * app.config["MAX_CONTENT_LENGTH"]}
    case = operation.Case(
        path_parameters={k: v for k, v in ids.items() if "{" + k + "}" in path}, body=body
    )
    response = _call(case, _authorised(path), world)
    _error_shape(response)
    assert response.status_code == 413, (response.status_code, response.text[:300])
    case.validate_response(response, checks=CHECKS)
