"""Each route's declaration, and the OpenAPI 3.1 document derived from the routes.

A route is declared once, where it is written: its view function takes its query and its
JSON body as arguments typed with :mod:`bridge.api.shapes` (``query: shapes.PageQuery``,
``json: shapes.SendBody``), and :data:`api` (spectree) validates both before the view runs
and gives them to it; the route's answers are :func:`answers` of ``@api.validate``; its
summary is its docstring; who may call it is its blueprint's guard
(:data:`bridge.api.guards.CALLERS`). :func:`spec` walks the app's URL map to write the
document, so no route is described anywhere else.

Bad input is refused in the error shape with a code naming the field (:func:`_checked`).
Answers are checked against their shapes under test (Flask's ``TESTING``); in service
they are not, so nothing of pydantic runs on an answer.
"""

from __future__ import annotations

import functools
import types
from typing import Any, Union, get_args, get_origin

from flask import Flask, current_app, make_response
from pydantic import TypeAdapter, ValidationError
from pydantic.json_schema import GenerateJsonSchema
from spectree import Response, SpecTree
from spectree.model_adapter.pydantic_adapter import PydanticModelAdapter
from spectree.plugins.base import Context
from spectree.plugins.flask_plugin import FlaskPlugin
from typing_extensions import is_typeddict

from bridge.api import shapes
from bridge.api.params import json_object
from bridge.refusals import BadInput

COOKIE = [{"wordpressCookie": []}]
WRITE = [{"wordpressCookie": [], "restNonce": []}]
SIGNED = [{"timestamp": [], "request": [], "signature": []}]
SECURITY_SCHEMES = {
    "wordpressCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": "wordpress_logged_in_COOKIEHASH",
        "description": "WordPress' own logged-in cookie, verified by the bridge.",
    },
    "restNonce": {"type": "apiKey", "in": "header", "name": "X-WP-Nonce"},
    "timestamp": {"type": "apiKey", "in": "header", "name": "X-Space-Inbox-Timestamp"},
    "request": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Space-Inbox-Request",
        "description": "32 hex digits, new for every call; a repeated one is refused.",
    },
    "signature": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Space-Inbox-Signature",
        "description": "hex HMAC-SHA256(secret, method + '\\n' + endpoint + '\\n' + timestamp"
        " + '\\n' + request id + '\\n' + body), the endpoint being the path under /api/v1/.",
    },
}
ERRORS = {
    400: "Bad input.",
    401: "Not logged in, or the call is not signed.",
    403: "Not allowed, bad nonce or bad signature.",
    404: "No such Space or conversation.",
    409: "The client_key was used for another message, another answer came meanwhile "
    "(answered_meanwhile), or too many saved replies.",
    410: "The Space was deleted and takes no new messages.",
    413: "The message, or the request body, is too long.",
    415: "The body is not JSON.",
    429: "Too many messages too fast; see Retry-After.",
    503: "The database cannot be reached, or (writes) the plugin is off in WordPress (inbox_off).",
}
#: The errors of every operation with a JSON body: a bad body, a body too big, not JSON.
BODY_ERRORS = (400, 413, 415)


class _Untitled(GenerateJsonSchema):
    """pydantic's JSON Schema without the titles it makes up from names."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def typed_dict_schema(self, schema: Any) -> dict:
        json_schema = super().typed_dict_schema(schema)
        json_schema.pop("title", None)
        return json_schema


def _inline(value_type: Any) -> dict:
    """The schema of a value type of :mod:`bridge.api.shapes` (an id, a limit), for a parameter."""
    return TypeAdapter(value_type).json_schema(schema_generator=_Untitled)


class _Shapes(PydanticModelAdapter):
    """spectree's pydantic adapter, for the shapes as they are: TypedDicts and unions of
    them, their schemas without made-up titles."""

    def is_model_type(self, value: Any) -> bool:
        return is_typeddict(value) or _is_union(value) or super().is_model_type(value)

    def json_schema(self, model: Any, *, ref_template: str, mode: Any = "validation") -> dict:
        return _json_schema(model, ref_template, mode)


@functools.cache
def _json_schema(model: Any, ref_template: str, mode: Any) -> dict:
    """A shape's schema, made once: the routes share their shapes (an error's is every
    route's), and spectree copies what it is given."""
    return TypeAdapter(model).json_schema(
        ref_template=ref_template,
        mode=mode,
        schema_generator=_Untitled,
        union_format="primitive_type_array",
    )


def _is_union(value: Any) -> bool:
    return get_origin(value) in (Union, types.UnionType)


def _name(shape: Any) -> str:
    """A shape's name in the document: its own, or its alternatives' (``HealthOrError``)."""
    if _is_union(shape):
        return "Or".join(_name(arg) for arg in get_args(shape))
    return shape.__name__


class _Flask(FlaskPlugin):
    """spectree's Flask plugin, with the bridge's reading of a request and its ids."""

    def request_validation(self, request, query, json, form, headers, cookies) -> None:
        # A query string is text: each argument's first value, an empty one left out (as
        # if not sent). A body is JSON, typed as JSON is (no "1" for 1): strict.
        arguments = {k: v for k, v in request.args.items() if v != ""}
        request.context = Context(
            _checked(query, arguments, strict=False) if query else None,
            _checked(json, json_object(), strict=True) if json else None,
            None,
            None,
            None,
        )

    def validate_response(self, resp, resp_model, skip_validation, force_resp_serialize):
        # Under test (Flask's TESTING), a JSON answer that is not its declared shape is an
        # error (500); in service nothing is checked.
        response = make_response(resp)
        shape = resp_model.find_model(response.status_code) if resp_model else None
        if (
            current_app.testing
            and shape is not None
            and response.mimetype == "application/json"
            and not response.is_streamed
        ):
            _adapter(shape).validate_json(response.get_data())
        return response, None

    def parse_path(self, route, path_parameter_descriptions):
        path, parameters = super().parse_path(route, path_parameter_descriptions)
        for parameter in parameters:
            if parameter["schema"] is None:  # the bridge's own converter: an id
                parameter["schema"] = _inline(shapes.Id)
        return path, parameters


@functools.cache
def _adapter(shape: Any) -> TypeAdapter:
    return TypeAdapter(shape)


def _checked(shape: Any, value: dict, *, strict: bool) -> dict:
    """Return a query (``strict=False``: its values are text) or a JSON body checked
    against its shape; else refuse it in the error shape: ``invalid_<field>`` with a
    description that says where and why, ``unknown_field``, or ``invalid_characters``."""
    try:
        return _adapter(shape).validate_python(value, strict=strict)
    except ValidationError as exc:
        problems = exc.errors(include_url=False)
    extra = [str(p["loc"][-1]) for p in problems if p["type"] == "extra_forbidden"]
    if extra:
        raise BadInput("unknown_field", f"Unknown field(s): {', '.join(extra)[:200]}.")
    first = problems[0]
    field = str(first["loc"][0]) if first["loc"] else "json"
    description = f"{'.'.join(map(str, first['loc']))}: {first['msg']}"[:300]
    if first["type"] == "string_unicode":  # a lone surrogate: not text
        raise BadInput("invalid_characters", f"{field} holds characters that are not text.")
    raise BadInput(f"invalid_{field}", f"{field} is not valid.", description)


#: The routes' declarations: ``@api.validate(resp=answers(...))`` on each view.
api = SpecTree(
    backend=_Flask,
    model_adapter=_Shapes(),
    validation_error_status=400,
    validation_error_model=shapes.Error,
    naming_strategy=_name,
    nested_naming_strategy=lambda _parent, child: child,
    title="Space Inbox bridge",
    version="1",
    description="Shared inboxes for Spaces; members see the Space, never the admin.",
    path="apidoc",
    page_templates={},
)


def answers(*errors: int, **ok: Any) -> Response:
    """An operation's answers: ``HTTP_200=(shape, description)`` (``(None, description)``
    for none), and the error shape for each status in ``errors`` and 503, which any may
    give."""
    refused = {f"HTTP_{s}": (shapes.Error, ERRORS[s]) for s in (*errors, 503)}
    return Response(**ok, **{code: v for code, v in refused.items() if code not in ok})


def _security(blueprint: str | None, method: str) -> list:
    """Who may call an operation, from its blueprint's guard."""
    from bridge.api import guards

    check = guards.CALLERS.get(blueprint or "")
    if check is guards.plugin_signature:
        return SIGNED
    if check is guards.member_login and method.upper() in guards.WRITE_METHODS:
        return WRITE
    return COOKIE if check is not None else []


@functools.cache
def spec() -> dict:
    """Return the document (built on the first call, then the same dict) from the routes
    as :func:`bridge.api.routes` adds them to an app."""
    from bridge.api import routes

    app = Flask(__name__, static_folder=None)
    routes(app)
    with app.app_context():
        document = api.spec
        for rule in app.url_map.iter_rules():
            path = api.backend.parse_path(rule, None)[0]
            blueprint = rule.endpoint.rpartition(".")[0] or None
            for method, operation in document["paths"].get(path, {}).items():
                if method.upper() in rule.methods:
                    operation["security"] = _security(blueprint, method)
    for operation in (o for item in document["paths"].values() for o in item.values()):
        for part in (operation, *operation["parameters"]):  # spectree's empty fields
            for key in ("description", "tags"):
                if not part.get(key, True):
                    del part[key]
    document.pop("tags", None)
    document.pop("security", None)
    document["components"]["securitySchemes"] = SECURITY_SCHEMES
    document["components"]["schemas"] = dict(sorted(document["components"]["schemas"].items()))
    return document
