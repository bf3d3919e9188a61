"""The OpenAPI 3.1 document of the bridge's HTTP API."""

from __future__ import annotations

import functools

ID = {"type": "integer", "minimum": 1, "maximum": 18446744073709551615}
TIME = {"type": "string", "format": "date-time"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict:
    text = {
        400: "Bad input.",
        401: "Not logged in, or the call is not signed.",
        403: "Not allowed, bad nonce or bad signature.",
        404: "No such Space or conversation.",
        409: "The client_key was used for another message.",
        410: "The Space was deleted and takes no new messages.",
        413: "The message is too long.",
        429: "Too many messages too fast; see Retry-After.",
        415: "The body is not JSON.",
        503: "The database cannot be reached.",
    }
    return {str(s): {"description": text[s], **_json(_ref("Error"))} for s in statuses + (503,)}


def _path_param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": ID}


def _query(name: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema}


COOKIE = [{"wordpressCookie": []}]
WRITE = [{"wordpressCookie": [], "restNonce": []}]
SIGNED = [{"timestamp": [], "signature": []}]
LIMIT = _query("limit", {"type": "integer", "minimum": 1, "maximum": 100})
CURSOR = _query("cursor", {"type": "string", "maxLength": 64})
BEFORE = _query("before", ID)
SEND_BODY = {
    "required": True,
    **_json(
        {
            "type": "object",
            "required": ["body", "client_key"],
            "properties": {
                "body": {"type": "string", "minLength": 1, "maxLength": 2000},
                "client_key": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,64}$"},
            },
        }
    ),
}


@functools.cache
def spec() -> dict:
    """Return the document."""
    space = _path_param("space_id")
    conversation = _path_param("conversation_id")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Space Inbox bridge",
            "version": "1",
            "description": "Shared inboxes for Spaces; members see the Space, never the admin.",
        },
        "paths": {
            "/health": {
                "get": {
                    "summary": "Database reachable and schema current",
                    "responses": {
                        "200": {"description": "Healthy.", **_json(_ref("Health"))},
                        "503": {
                            "description": "Database down (the error shape) or schema behind.",
                            **_json({"oneOf": [_ref("Health"), _ref("Error")]}),
                        },
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
                        "200": {"description": "Counts.", **_json(_ref("Summary"))},
                        "304": {"description": "Unchanged since the ETag given."},
                        **_errors(401),
                    },
                }
            },
            "/api/v1/me/conversations": {
                "get": {
                    "summary": "The member's conversations, newest first",
                    "security": COOKIE,
                    "parameters": [CURSOR, LIMIT],
                    "responses": {
                        "200": {
                            "description": "A page.",
                            **_json(_ref("MemberConversationPage")),
                        },
                        **_errors(400, 401),
                    },
                }
            },
            "/api/v1/me/spaces/{space_id}/messages": {
                "get": {
                    "summary": "The member's messages with a Space",
                    "security": COOKIE,
                    "parameters": [space, BEFORE, LIMIT],
                    "responses": {
                        "200": {"description": "A page.", **_json(_ref("MemberMessagePage"))},
                        **_errors(400, 401, 404),
                    },
                },
                "post": {
                    "summary": "Send a message to a Space",
                    "security": WRITE,
                    "parameters": [space],
                    "requestBody": SEND_BODY,
                    "responses": {
                        "201": {
                            "description": "Sent (or a retry).",
                            **_json(_ref("MemberMessage")),
                        },
                        **_errors(400, 401, 403, 404, 409, 410, 413, 415, 429),
                    },
                },
            },
            "/api/v1/me/spaces/{space_id}/read": {
                "post": {
                    "summary": "Mark the Space's answers read",
                    "security": WRITE,
                    "parameters": [space],
                    "responses": {"204": {"description": "Done."}, **_errors(401, 403, 404)},
                }
            },
            "/api/v1/spaces/{space_id}/conversations": {
                "get": {
                    "summary": "A Space's conversations (Space admins; site admins read)",
                    "security": COOKIE,
                    "parameters": [
                        space,
                        _query("status", {"type": "string", "enum": ["open", "done"]}),
                        CURSOR,
                        LIMIT,
                    ],
                    "responses": {
                        "200": {"description": "A page.", **_json(_ref("AdminConversationPage"))},
                        **_errors(400, 401, 403, 404),
                    },
                }
            },
            "/api/v1/spaces/{space_id}/conversations/{conversation_id}/messages": {
                "get": {
                    "summary": "A conversation's messages with audit labels",
                    "security": COOKIE,
                    "parameters": [space, conversation, BEFORE, LIMIT],
                    "responses": {
                        "200": {"description": "A page.", **_json(_ref("AdminMessagePage"))},
                        **_errors(400, 401, 403, 404),
                    },
                },
                "post": {
                    "summary": "Answer as the Space",
                    "security": WRITE,
                    "parameters": [space, conversation],
                    "requestBody": SEND_BODY,
                    "responses": {
                        "201": {"description": "Sent (or a retry).", **_json(_ref("AdminMessage"))},
                        **_errors(400, 401, 403, 404, 409, 413, 415),
                    },
                },
            },
            "/api/v1/spaces/{space_id}/conversations/{conversation_id}/read": {
                "post": {
                    "summary": "Mark read for the whole team",
                    "security": WRITE,
                    "parameters": [space, conversation],
                    "responses": {"204": {"description": "Done."}, **_errors(401, 403, 404)},
                }
            },
            "/api/v1/spaces/{space_id}/conversations/{conversation_id}/block": {
                "post": {
                    "summary": "Block or unblock the member (the Space refuses their messages)",
                    "security": WRITE,
                    "parameters": [space, conversation],
                    "requestBody": {
                        "required": True,
                        **_json(
                            {
                                "type": "object",
                                "required": ["blocked"],
                                "properties": {"blocked": {"type": "boolean"}},
                            }
                        ),
                    },
                    "responses": {
                        "200": {
                            "description": "The member's new state.",
                            **_json(
                                {
                                    "type": "object",
                                    "required": ["id", "blocked"],
                                    "properties": {"id": ID, "blocked": {"type": "boolean"}},
                                }
                            ),
                        },
                        **_errors(400, 401, 403, 404, 413, 415),
                    },
                }
            },
            "/api/v1/spaces/{space_id}/conversations/{conversation_id}/status": {
                "post": {
                    "summary": "Set open or done",
                    "security": WRITE,
                    "parameters": [space, conversation],
                    "requestBody": {
                        "required": True,
                        **_json(
                            {
                                "type": "object",
                                "required": ["status"],
                                "properties": {"status": {"enum": ["open", "done"]}},
                            }
                        ),
                    },
                    "responses": {
                        "200": {
                            "description": "The new status.",
                            **_json(
                                {
                                    "type": "object",
                                    "required": ["id", "status"],
                                    "properties": {"id": ID, "status": {"enum": ["open", "done"]}},
                                }
                            ),
                        },
                        **_errors(400, 401, 403, 404, 413, 415),
                    },
                }
            },
            "/api/v1/privacy/export": {
                "post": {
                    "summary": "A page of a user's Space messages for WordPress' exporter (signed)",
                    "security": SIGNED,
                    "requestBody": {
                        "required": True,
                        **_json(
                            {
                                "type": "object",
                                "required": ["user_id"],
                                "properties": {
                                    "user_id": ID,
                                    "page": {"type": "integer", "minimum": 1, "maximum": 100000},
                                },
                            }
                        ),
                    },
                    "responses": {
                        "200": {"description": "Exporter items.", **_json(_ref("PrivacyExport"))},
                        **_errors(400, 401, 403, 413, 415),
                    },
                }
            },
            "/api/v1/privacy/erase": {
                "post": {
                    "summary": "Erase a member's Space conversations (signed)",
                    "security": SIGNED,
                    "requestBody": {
                        "required": True,
                        **_json(
                            {
                                "type": "object",
                                "required": ["user_id"],
                                "properties": {"user_id": ID},
                            }
                        ),
                    },
                    "responses": {
                        "200": {"description": "Eraser result.", **_json(_ref("PrivacyErase"))},
                        **_errors(400, 401, 403, 413, 415),
                    },
                }
            },
            "/api/v1/events": {
                "post": {
                    "summary": "WordPress events from the plugin (signed)",
                    "security": SIGNED,
                    "requestBody": {"required": True, **_json(_ref("Events"))},
                    "responses": {
                        "200": {
                            "description": "Applied; ids seen before ignored.",
                            **_json(
                                {
                                    "type": "object",
                                    "required": ["applied", "duplicates"],
                                    "properties": {
                                        "applied": {"type": "integer", "minimum": 0},
                                        "duplicates": {"type": "integer", "minimum": 0},
                                    },
                                }
                            ),
                        },
                        **_errors(400, 401, 403, 413, 415),
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "wordpressCookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "wordpress_logged_in_COOKIEHASH",
                    "description": "WordPress' own logged-in cookie, verified by the bridge.",
                },
                "restNonce": {"type": "apiKey", "in": "header", "name": "X-WP-Nonce"},
                "timestamp": {"type": "apiKey", "in": "header", "name": "X-Space-Inbox-Timestamp"},
                "signature": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Space-Inbox-Signature",
                    "description": "hex HMAC-SHA256(secret, timestamp + '.' + body)",
                },
            },
            "schemas": _schemas(),
        },
    }


def _page(item: str, cursor: str, extra: dict | None = None) -> dict:
    props = {"next_" + cursor: {"type": ["integer", "string", "null"]}, **(extra or {})}
    key = "messages" if "Message" in item else "conversations"
    props[key] = {"type": "array", "items": _ref(item)}
    return {"type": "object", "required": [key], "properties": props}


def _schemas() -> dict:
    last = {
        "type": ["object", "null"],
        "properties": {
            "excerpt": {"type": "string"},
            "from": {"type": "string"},
            "created_at": TIME,
        },
    }
    space = {
        "type": "object",
        "properties": {
            "id": ID,
            "name": {"type": "string"},
            "avatar_url": {"type": "string"},
            "url": {"type": "string"},
            "accepting_messages": {"type": "boolean"},
        },
    }
    message = {
        "id": ID,
        "body": {"type": "string"},
        "created_at": TIME,
    }
    return {
        "Error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "description": {"type": "string"},
            },
        },
        "Health": {
            "type": "object",
            "required": ["status", "database", "schema"],
            "properties": {
                "status": {"enum": ["ok", "schema_behind"]},
                "database": {"type": "string"},
                "schema": {
                    "type": "object",
                    "properties": {
                        "current": {"type": ["string", "null"]},
                        "head": {"type": "string"},
                    },
                },
            },
        },
        "Summary": {
            "type": "object",
            "required": ["unread", "conversations_unread", "inbox_url"],
            "properties": {
                "unread": {"type": "integer"},
                "conversations_unread": {"type": "integer"},
                "inbox_url": {"type": "string"},
                "spaces": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "id": ID,
                            "name": {"type": "string"},
                            "unread": {"type": "integer"},
                        },
                    },
                },
            },
        },
        "MemberMessage": {
            "type": "object",
            "additionalProperties": False,
            "properties": {**message, "from": {"enum": ["me", "space"]}},
        },
        "AdminMessage": {
            "type": "object",
            "properties": {
                **message,
                "from": {"enum": ["member", "space"]},
                "author": {
                    "type": "object",
                    "properties": {"id": ID, "name": {"type": "string"}},
                },
            },
        },
        "MemberConversation": {
            "type": "object",
            "properties": {"space": space, "last_message": last, "unread": {"type": "integer"}},
        },
        "AdminConversation": {
            "type": "object",
            "properties": {
                "id": ID,
                "member": {"type": "object", "properties": {"id": ID, "name": {"type": "string"}}},
                "status": {"enum": ["open", "done"]},
                "blocked": {"type": "boolean"},
                "unread": {"type": "integer"},
                "last_message": last,
                "created_at": TIME,
                "first_message_at": {"type": ["string", "null"]},
                "first_response_at": {"type": ["string", "null"]},
                "awaiting_since": {"type": ["string", "null"]},
            },
        },
        "MemberConversationPage": _page("MemberConversation", "cursor"),
        "AdminConversationPage": _page("AdminConversation", "cursor"),
        "MemberMessagePage": _page(
            "MemberMessage", "before", {"space": space, "unread": {"type": "integer"}}
        ),
        "AdminMessagePage": _page(
            "AdminMessage",
            "before",
            {"conversation_id": ID, "status": {"type": "string"}, "unread": {"type": "integer"}},
        ),
        "PrivacyExport": {
            "type": "object",
            "required": ["data", "done"],
            "properties": {
                "done": {"type": "boolean"},
                "data": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["group_id", "group_label", "item_id", "data"],
                        "properties": {
                            "group_id": {"type": "string"},
                            "group_label": {"type": "string"},
                            "item_id": {"type": "string"},
                            "data": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "name": {"type": "string"},
                                        "value": {"type": "string"},
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
        "PrivacyErase": {
            "type": "object",
            "required": ["items_removed", "items_retained", "messages"],
            "properties": {
                "items_removed": {"type": "boolean"},
                "items_retained": {"type": "boolean"},
                "messages": {"type": "array", "items": {"type": "string"}},
            },
        },
        "Events": {
            "type": "object",
            "required": ["events"],
            "properties": {
                "events": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 500,
                    "items": {
                        "type": "object",
                        "required": ["id", "type", "data"],
                        "properties": {
                            "id": {"type": "string", "format": "uuid"},
                            "type": {
                                "enum": [
                                    "space.upserted",
                                    "space.deleted",
                                    "user.deleted",
                                    "user.spammed",
                                ]
                            },
                            "data": {"type": "object"},
                        },
                    },
                }
            },
        },
    }
