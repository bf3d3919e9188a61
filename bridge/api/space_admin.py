"""Space-admin endpoints: a Space's shared inbox, answered as the Space."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request, url_for

from bridge import inbox, serializers
from bridge.api.guards import require_user, viewer
from bridge.api.params import before_arg, json_object, limit_arg
from bridge.db import get_session, retry_conflicts

bp = Blueprint("space_admin", __name__, url_prefix="/api/v1/spaces/<id:space_id>")
bp.before_request(require_user)


@bp.get("/conversations")
def conversations(space_id: int):
    """The Space's conversations, newest first, optionally only open or done ones."""
    status = request.args.get("status") or None
    if status is not None:
        status = inbox.clean_status(status)
    session = get_session()
    with session.begin():
        inbox.admin_space_or_404(session, viewer(), space_id, write=False)
        rows, cursor = inbox.space_conversations(
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
        inbox.admin_space_or_404(session, viewer(), space_id, write=False)
        conversation = inbox.admin_conversation_or_404(session, space_id, conversation_id)
        rows, next_before = inbox.conversation_messages(
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
    """Answer as the Space; the member never learns which admin wrote it."""
    data = json_object()
    body = inbox.clean_body(data.get("body"))
    client_key = inbox.clean_client_key(data.get("client_key"))
    session = get_session()
    with session.begin():
        space = inbox.admin_space_or_404(session, viewer(), space_id, write=True)
        message, _ = inbox.reply_as_space(
            session, space, conversation_id, g.user.id, body, client_key, inbox.utcnow()
        )
        shaped = serializers.admin_message(
            inbox.get_message(session, message.id, with_authors=True)
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
        inbox.admin_space_or_404(session, viewer(), space_id, write=True)
        inbox.mark_read_by_space(session, space_id, conversation_id, g.user.id)
    return "", 204


@bp.post("/conversations/<id:conversation_id>/status")
@retry_conflicts
def status(space_id: int, conversation_id: int):
    """Set a conversation open or done."""
    new_status = inbox.clean_status(json_object().get("status"))
    session = get_session()
    with session.begin():
        inbox.admin_space_or_404(session, viewer(), space_id, write=True)
        conversation = inbox.set_status(session, space_id, conversation_id, new_status, g.user.id)
    return {"id": conversation.id, "status": conversation.status}


@bp.post("/conversations/<id:conversation_id>/block")
@retry_conflicts
def block(space_id: int, conversation_id: int):
    """Block or unblock the conversation's member: the Space takes no more messages from them."""
    blocked = json_object().get("blocked")
    if not isinstance(blocked, bool):
        raise inbox.BadInput("invalid_blocked", "blocked must be true or false.")
    session = get_session()
    with session.begin():
        inbox.admin_space_or_404(session, viewer(), space_id, write=True)
        inbox.set_blocked(session, space_id, conversation_id, blocked, g.user.id)
    return {"id": conversation_id, "blocked": blocked}
