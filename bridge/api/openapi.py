"""The OpenAPI 3.1 document of the bridge's HTTP API.

The paths, the security and the error answers are written here; every request body and
answer is a type of :mod:`bridge.shapes`, turned into a schema under
``components/schemas`` by pydantic when the document is first built (once per process),
with the limits of :mod:`bridge.limits`. Nothing of pydantic runs per request.
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema

from bridge import shapes

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
    503: "The database cannot be reached, or (writes) the plugin is off in WordPress"
    " (inbox_off).",
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
    """The schema of a value type of :mod:`bridge.shapes` (an id, a limit), for a parameter."""
    return TypeAdapter(value_type).json_schema(schema_generator=_Untitled)


class _Document:
    """Collects the shapes the paths name, then writes them under components/schemas."""

    def __init__(self) -> None:
        self.shapes: dict[str, tuple[str, Any]] = {}

    def ref(self, shape: Any, mode: str) -> dict:
        self.shapes[shape.__name__] = (mode, shape)
        return {"$ref": f"#/components/schemas/{shape.__name__}"}

    def body(self, shape: Any) -> dict:
        """A required JSON request body of a type of :mod:`bridge.shapes`."""
        return {"required": True, **_json(self.ref(shape, "validation"))}

    def answer(self, description: str, *types: Any) -> dict:
        """An answer of a type of :mod:`bridge.shapes`, or of one of several."""
        refs = [self.ref(shape, "serialization") for shape in types]
        schema = refs[0] if len(refs) == 1 else {"oneOf": refs}
        return {"description": description, **_json(schema)}

    def errors(self, *statuses: int) -> dict:
        """The error answers of an operation (and 503, which any may give)."""
        return {str(s): self.answer(ERRORS[s], shapes.Error) for s in (*statuses, 503)}

    def schemas(self) -> dict:
        """The schemas of every shape named so far, and of the shapes in them."""
        _, schemas = TypeAdapter.json_schemas(
            [(name, mode, TypeAdapter(shape)) for name, (mode, shape) in self.shapes.items()],
            ref_template="#/components/schemas/{model}",
            union_format="primitive_type_array",
            schema_generator=_Untitled,
        )
        return dict(sorted(schemas["$defs"].items()))


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _parameter(name: str, where: str, value_type: Any) -> dict:
    return {"name": name, "in": where, "required": where == "path", "schema": _inline(value_type)}


def _paths(doc: _Document) -> dict:
    """Every operation; the shapes it names go into ``doc``."""
    space = _parameter("space_id", "path", shapes.Id)
    conversation = _parameter("conversation_id", "path", shapes.Id)
    saved = _parameter("reply_id", "path", shapes.Id)
    limit = _parameter("limit", "query", shapes.Limit)
    cursor = _parameter("cursor", "query", shapes.Cursor)
    before = _parameter("before", "query", shapes.Id)
    status = _parameter("status", "query", shapes.Status)
    done = {"204": {"description": "Done."}}
    return {
        "/health": {
            "get": {
                "summary": "Database reachable and schema current",
                "responses": {
                    "200": doc.answer("Healthy.", shapes.Health),
                    "503": doc.answer(
                        "Database down (the error shape) or schema behind.",
                        shapes.Health,
                        shapes.Error,
                    ),
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "summary": "This document",
                "responses": {"200": {"description": "The OpenAPI document."}},
            }
        },
        "/api/v1/me/summary": {
            "get": {
                "summary": "Unread counts for the header badge (ETag, If-None-Match)",
                "security": COOKIE,
                "responses": {
                    "200": doc.answer("Counts.", shapes.Summary),
                    "304": {"description": "Unchanged since the ETag given."},
                    **doc.errors(401),
                },
            }
        },
        "/api/v1/me/stream": {
            "get": {
                "summary": "Live updates as Server-Sent Events (summary, conversation, team, "
                "logout); ids and counts only",
                "security": COOKIE,
                "responses": {
                    "200": {
                        "description": "An event stream, until logout or expiry.",
                        "content": {"text/event-stream": {"schema": {"type": "string"}}},
                    },
                    **doc.errors(401),
                    "503": doc.answer(
                        "No live updates here (live_unavailable: poll the summary), or the "
                        "database cannot be reached.",
                        shapes.Error,
                    ),
                },
            }
        },
        "/api/v1/me/conversations": {
            "get": {
                "summary": "The member's conversations, newest first",
                "security": COOKIE,
                "parameters": [cursor, limit],
                "responses": {
                    "200": doc.answer("A page.", shapes.MemberConversationPage),
                    **doc.errors(400, 401),
                },
            }
        },
        "/api/v1/me/spaces/{space_id}/messages": {
            "get": {
                "summary": "The member's messages with a Space",
                "security": COOKIE,
                "parameters": [space, before, limit],
                "responses": {
                    "200": doc.answer("A page.", shapes.MemberMessagePage),
                    **doc.errors(400, 401, 404),
                },
            },
            "post": {
                "summary": "Send a message to a Space",
                "security": WRITE,
                "parameters": [space],
                "requestBody": doc.body(shapes.SendBody),
                "responses": {
                    "201": doc.answer("Sent (or a retry).", shapes.MemberSent),
                    **doc.errors(*BODY_ERRORS, 401, 403, 404, 409, 410, 429),
                },
            },
        },
        "/api/v1/me/spaces/{space_id}/read": {
            "post": {
                "summary": "Mark the Space's answers read",
                "security": WRITE,
                "parameters": [space],
                "responses": {**done, **doc.errors(401, 403, 404)},
            }
        },
        "/api/v1/spaces/{space_id}/conversations": {
            "get": {
                "summary": "A Space's conversations (Space admins; site admins read)",
                "security": COOKIE,
                "parameters": [space, status, cursor, limit],
                "responses": {
                    "200": doc.answer("A page.", shapes.AdminConversationPage),
                    **doc.errors(400, 401, 403, 404),
                },
            }
        },
        "/api/v1/spaces/{space_id}/conversations/{conversation_id}/messages": {
            "get": {
                "summary": "A conversation's messages with audit labels",
                "security": COOKIE,
                "parameters": [space, conversation, before, limit],
                "responses": {
                    "200": doc.answer("A page.", shapes.AdminMessagePage),
                    **doc.errors(400, 401, 403, 404),
                },
            },
            "post": {
                "summary": "Answer as the Space",
                "security": WRITE,
                "parameters": [space, conversation],
                "requestBody": doc.body(shapes.ReplyBody),
                "responses": {
                    "201": doc.answer("Sent (or a retry).", shapes.AdminMessage),
                    **doc.errors(*BODY_ERRORS, 401, 403, 404, 409),
                },
            },
        },
        "/api/v1/spaces/{space_id}/conversations/{conversation_id}/read": {
            "post": {
                "summary": "Mark read for the whole team",
                "security": WRITE,
                "parameters": [space, conversation],
                "responses": {**done, **doc.errors(401, 403, 404)},
            }
        },
        "/api/v1/spaces/{space_id}/conversations/{conversation_id}/block": {
            "post": {
                "summary": "Block or unblock the member (the Space refuses their messages)",
                "security": WRITE,
                "parameters": [space, conversation],
                "requestBody": doc.body(shapes.BlockBody),
                "responses": {
                    "200": doc.answer("The member's new state.", shapes.BlockState),
                    **doc.errors(*BODY_ERRORS, 401, 403, 404),
                },
            }
        },
        "/api/v1/spaces/{space_id}/conversations/{conversation_id}/status": {
            "post": {
                "summary": "Set open or done",
                "security": WRITE,
                "parameters": [space, conversation],
                "requestBody": doc.body(shapes.StatusBody),
                "responses": {
                    "200": doc.answer("The new status.", shapes.StatusState),
                    **doc.errors(*BODY_ERRORS, 401, 403, 404),
                },
            }
        },
        "/api/v1/spaces/{space_id}/conversations/{conversation_id}/typing": {
            "get": {
                "summary": "Whether someone else on the team is typing an answer",
                "security": COOKIE,
                "parameters": [space, conversation],
                "responses": {
                    "200": doc.answer("Typing or not.", shapes.TypingState),
                    **doc.errors(401, 403, 404),
                },
            },
            "post": {
                "summary": "Say that you are typing an answer (for a few seconds), or stopped",
                "security": WRITE,
                "parameters": [space, conversation],
                "requestBody": doc.body(shapes.TypingBody),
                "responses": {**done, **doc.errors(*BODY_ERRORS, 401, 403, 404)},
            },
        },
        "/api/v1/spaces/{space_id}/figures": {
            "get": {
                "summary": "The team's dashboard: response figures (the Space's and each "
                "admin's), per day, and the conversations waiting longest",
                "security": COOKIE,
                "parameters": [space],
                "responses": {
                    "200": doc.answer("The figures.", shapes.TeamFigures),
                    **doc.errors(401, 403, 404),
                },
            }
        },
        "/api/v1/spaces/{space_id}/settings": {
            "get": {
                "summary": "The Space's away mode and reply preset",
                "security": COOKIE,
                "parameters": [space],
                "responses": {
                    "200": doc.answer("The settings.", shapes.Settings),
                    **doc.errors(401, 403, 404),
                },
            },
            "patch": {
                "summary": "Change the away mode or the reply preset",
                "security": WRITE,
                "parameters": [space],
                "requestBody": doc.body(shapes.SettingsBody),
                "responses": {
                    "200": doc.answer("The settings now.", shapes.Settings),
                    **doc.errors(*BODY_ERRORS, 401, 403, 404),
                },
            },
        },
        "/api/v1/spaces/{space_id}/saved-replies": {
            "get": {
                "summary": "The Space's saved replies",
                "security": COOKIE,
                "parameters": [space],
                "responses": {
                    "200": doc.answer("By title.", shapes.SavedReplyList),
                    **doc.errors(401, 403, 404),
                },
            },
            "post": {
                "summary": "Keep a saved reply",
                "security": WRITE,
                "parameters": [space],
                "requestBody": doc.body(shapes.SavedReplyBody),
                "responses": {
                    "201": doc.answer("Kept.", shapes.SavedReply),
                    **doc.errors(*BODY_ERRORS, 401, 403, 404, 409),
                },
            },
        },
        "/api/v1/spaces/{space_id}/saved-replies/{reply_id}": {
            "put": {
                "summary": "Replace a saved reply",
                "security": WRITE,
                "parameters": [space, saved],
                "requestBody": doc.body(shapes.SavedReplyBody),
                "responses": {
                    "200": doc.answer("Replaced.", shapes.SavedReply),
                    **doc.errors(*BODY_ERRORS, 401, 403, 404),
                },
            },
            "delete": {
                "summary": "Delete a saved reply",
                "security": WRITE,
                "parameters": [space, saved],
                "responses": {**done, **doc.errors(401, 403, 404)},
            },
        },
        "/api/v1/spaces/{space_id}/response-time": {
            "get": {
                "summary": "How fast the Space typically answers (public; nothing per admin)",
                "parameters": [space],
                "responses": {
                    "200": doc.answer("What members are told.", shapes.ResponseTime),
                    **doc.errors(404),
                },
            }
        },
        "/api/v1/privacy/export": {
            "post": {
                "summary": "A page of a user's Space messages for WordPress' exporter (signed)",
                "security": SIGNED,
                "requestBody": doc.body(shapes.PrivacyExportBody),
                "responses": {
                    "200": doc.answer("Exporter items.", shapes.PrivacyExport),
                    **doc.errors(*BODY_ERRORS, 401, 403),
                },
            }
        },
        "/api/v1/privacy/erase": {
            "post": {
                "summary": "Erase a member's Space conversations (signed)",
                "security": SIGNED,
                "requestBody": doc.body(shapes.PrivacyEraseBody),
                "responses": {
                    "200": doc.answer("Eraser result.", shapes.PrivacyErase),
                    **doc.errors(*BODY_ERRORS, 401, 403),
                },
            }
        },
        "/api/v1/events": {
            "post": {
                "summary": "WordPress events from the plugin (signed)",
                "security": SIGNED,
                "requestBody": doc.body(shapes.Events),
                "responses": {
                    "200": doc.answer("Applied; ids seen before ignored.", shapes.EventsApplied),
                    **doc.errors(*BODY_ERRORS, 401, 403),
                },
            }
        },
    }


@functools.cache
def spec() -> dict:
    """Return the document (built on the first call, then the same dict)."""
    doc = _Document()
    paths = _paths(doc)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Space Inbox bridge",
            "version": "1",
            "description": "Shared inboxes for Spaces; members see the Space, never the admin.",
        },
        "paths": paths,
        "components": {"securitySchemes": SECURITY_SCHEMES, "schemas": doc.schemas()},
    }
