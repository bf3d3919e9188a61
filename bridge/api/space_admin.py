"""Space-admin endpoints: a Space's shared inbox, answered as the Space."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request, url_for

from bridge import serializers
from bridge.api.guards import viewer
from bridge.api.params import before_arg, json_object, limit_arg
from bridge.db import get_session, retry_conflicts
from bridge.inbox import access, reads, values, writes

bp = Blueprint("space_admin", __name__, url_prefix="/api/v1/spaces/<id:space_id>")


@bp.get("/conversations")
def conversations(space_id: int):
    """The Space's conversations, newest first, optionally only open or done ones."""
    status = request.args.get("status") or None
    if status is not None:
        status = values.clean_status(status)
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=False)
        rows, cursor = reads.space_conversations(
            session, space_id, status, request.args.get("cursor") or None, limit_arg()
        )
    return {
        "conversations": [serializers.admin_conversation(r) for r in rows],
        "next_cursor": cursor,
    }


@bp.get("/conversations/<id:conversation_id>/messages")
def messages(space_id: int, conversation_id: int):
    """A conversation's messages, each Space message with its audit label."""
    session = get_session()
    before, limit = before_arg(), limit_arg()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=False)
        conversation = access.admin_conversation_or_404(session, space_id, conversation_id)
        rows, next_before = reads.conversation_messages(
            session, conversation.id, before, limit, with_authors=True
        )
    return {
        "conversation_id": conversation.id,
        "status": conversation.status,
        "unread": conversation.space_unread,
        "messages": [serializers.admin_message(r) for r in rows],
        "next_before": next_before,
    }


@bp.post("/conversations/<id:conversation_id>/messages")
@retry_conflicts
def reply(space_id: int, conversation_id: int):
    """Answer as the Space; the member never learns which admin wrote it. With ``seen_id``,
    refused (409 ``answered_meanwhile``) when another answer came after that message."""
    data = json_object()
    body = values.clean_body(data.get("body"))
    client_key = values.clean_client_key(data.get("client_key"))
    seen = data.get("seen_id")
    seen_id = None if seen is None else values.clean_id(seen, "seen_id")
    session = get_session()
    with session.begin():
        space = access.admin_space_or_404(session, viewer(), space_id, write=True)
        message, _ = writes.reply_as_space(
            session, space, conversation_id, g.user.id, body, client_key, values.utcnow(), seen_id
        )
        shaped = serializers.admin_message(
            reads.get_message(session, message.id, with_authors=True)
        )
    response = jsonify(shaped)
    response.status_code = 201
    response.headers["Location"] = url_for(
        ".messages", space_id=space_id, conversation_id=conversation_id
    )
    return response


@bp.post("/conversations/<id:conversation_id>/read")
@retry_conflicts
def read(space_id: int, conversation_id: int):
    """Mark a conversation read for the whole team."""
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=True)
        writes.mark_read_by_space(session, space_id, conversation_id, g.user.id)
    return "", 204


@bp.post("/conversations/<id:conversation_id>/status")
@retry_conflicts
def status(space_id: int, conversation_id: int):
    """Set a conversation open or done."""
    new_status = values.clean_status(json_object().get("status"))
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=True)
        conversation = writes.set_status(session, space_id, conversation_id, new_status, g.user.id)
    return {"id": conversation.id, "status": conversation.status}


@bp.post("/conversations/<id:conversation_id>/block")
@retry_conflicts
def block(space_id: int, conversation_id: int):
    """Block or unblock the conversation's member: the Space takes no more messages from them."""
    blocked = values.clean_flag(json_object().get("blocked"), "blocked")
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=True)
        writes.set_blocked(session, space_id, conversation_id, blocked, g.user.id)
    return {"id": conversation_id, "blocked": blocked}
