"""Every operation of the OpenAPI document, fuzzed with schemathesis as every kind of caller.

For each operation and each caller (anonymous, a member, a Space admin, the plugin) the
test sends schema-conforming and schema-violating requests, generated deterministically,
and asserts that:

- no response is a server error (5xx);
- every error response (status >= 400) is ``{"code": str, "message": str,
  "description"?: str}``, as DESIGN.md section 6 promises;
- the status code is one the document lists for the operation, and the body matches the
  documented schema (schemathesis' ``status_code_conformance``,
  ``content_type_conformance`` and ``response_schema_conformance``).

Cookies and nonces are real: the callers logged in through wp-login.php. Plugin calls are
signed over the exact bytes each request sends.
"""

from __future__ import annotations

import json
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bridge import auth
from bridge.api.openapi import spec

from conftest import OTHER_SPACE, SECRET, SPACE, conversation_id, send

#: Every (path, method) of the document, read without an app so pytest can list them.
OPERATIONS = [
    (path, method.upper())
    for path, item in spec()["paths"].items()
    for method in item
    if method in {"get", "post", "put", "patch", "delete"}
]
CALLERS = ("anonymous", "member", "admin", "plugin")
#: Examples per caller, operation and kind of input (positive, negative, real ids).
EXAMPLES = {"positive": 60, "negative": 60, "known": 40}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SETTINGS = settings(
    max_examples=1,  # replaced per kind below
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def schema(app):
    """The document as the app serves it, loaded by schemathesis."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


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


def _wire_body(case) -> bytes | None:
    """Return the exact body bytes the WSGI transport would send for a case."""
    if isinstance(case.body, NotSet):
        return None
    sent = case.as_transport_kwargs()
    if "data" in sent:
        data = sent["data"]
        return data.encode() if isinstance(data, str) else bytes(data)
    if "json" in sent:
        return json.dumps(sent["json"]).encode()
    return None


def _negatable(operation) -> bool:
    """Whether the operation takes input besides credentials (else nothing can be negated)."""
    credentials = {parameter.name for parameter in operation.security.iter_parameters()}
    return bool(operation.body) or any(
        parameter.name not in credentials for parameter in operation.iter_parameters()
    )


def _error_shape(response) -> None:
    """The one error shape of DESIGN.md section 6."""
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


def _call(case, caller: str, people):
    """Send a case as a caller: their real cookie and nonce, or the plugin's signature."""
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
            extra["data"] = body
    return case.call(headers=headers or None, cookies=cookies or None, **extra)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_fuzz(schema, client, world, path, method, caller):
    """Generated good and bad input never gives a 5xx, and answers as documented."""
    people = world
    # Something to find with real ids: a conversation of the member with SPACE.
    assert send(client, people["member"], SPACE, "Hello Space").status_code == 201
    known_ids = {
        "space_id": SPACE,
        "conversation_id": conversation_id(client, people["admin"], SPACE, people["member"]),
    }
    operation = schema[path][method]
    path_params = {k: v for k, v in known_ids.items() if "{" + k + "}" in path}
    strategies = {"positive": operation.as_strategy(GenerationMode.POSITIVE)}
    if _negatable(operation):
        strategies["negative"] = operation.as_strategy(GenerationMode.NEGATIVE)
    if path_params:
        strategies["known"] = operation.as_strategy(
            GenerationMode.POSITIVE, path_parameters=path_params
        )
        if "conversation_id" in path_params:
            strategies["known"] = st.one_of(
                strategies["known"],
                operation.as_strategy(
                    GenerationMode.POSITIVE, path_parameters={**path_params, "space_id": OTHER_SPACE}
                ),
            )
    for kind, strategy in strategies.items():

        @settings(SETTINGS, max_examples=EXAMPLES[kind])
        @given(case=strategy)
        def run(case):
            response = _call(case, caller, people)
            STATS.setdefault((path, method, caller, kind), Counter())[response.status_code] += 1
            if response.status_code == 405:
                return
            _error_shape(response)
            case.validate_response(response, checks=CHECKS)

        run()


from collections import Counter  # noqa: E402

STATS: dict = {}


def test_zz_print():
    for key, counter in sorted(STATS.items()):
        print(key, dict(counter))
