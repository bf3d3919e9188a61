"""Space-admin endpoints: a Space's shared inbox, answered as the Space."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, url_for

from bridge.api import serializers, shapes, team_shapes
from bridge.api.guards import viewer
from bridge.api.openapi import BODY_ERRORS, answers, api
from bridge.api.params import page_size
from bridge.background.replica import read_session
from bridge.inbox import access, assignment, labels, notes, reads, reports, typists, values, writes
from bridge.storage.db import get_session, retry_conflicts

bp = Blueprint("space_admin", __name__, url_prefix="/api/v1/spaces/<id:space_id>")


@bp.get("/conversations")
@api.validate(
    resp=answers(400, 401, 403, 404, HTTP_200=(team_shapes.AdminConversationPage, "A page."))
)
def conversations(space_id: int, query: team_shapes.SpaceListQuery):
    """The Space's conversations, newest first, optionally only open or done ones, only
    the caller's or those left to the team, only those with a label (Space admins; site
    admins read)."""
    assignee = {"me": g.user.id, "none": reads.UNASSIGNED}.get(query.get("assignee", ""))
    session = read_session(space_id)
    with session.begin():
        access.admin_space_or_404(session, viewer(session), space_id, write=False)
        rows, cursor = reads.space_conversations(
            session,
            space_id,
            query.get("status"),
            query.get("cursor"),
            page_size(query),
            assignee,
            query.get("label"),
        )
        ids = [r.id for r in rows]
        present = typists.at_conversations(session, ids, values.utcnow(), g.user.id)
        tags = labels.of_conversations(session, ids)
    return {
        "conversations": [
            serializers.admin_conversation(r, present[r.id], tags[r.id]) for r in rows
        ],
        "next_cursor": cursor,
    }


@bp.get("/conversations/<id:conversation_id>/messages")
@api.validate(resp=answers(400, 401, 403, 404, HTTP_200=(team_shapes.AdminMessagePage, "A page.")))
def messages(space_id: int, conversation_id: int, query: shapes.MessagesQuery):
    """A conversation's messages, each Space message with its audit label."""
    session = read_session(space_id)
    before, limit = query.get("before"), page_size(query)
    with session.begin():
        access.admin_space_or_404(session, viewer(session), space_id, write=False)
        conversation = access.admin_conversation_or_404(session, space_id, conversation_id)
        rows, next_before = reads.conversation_messages(
            session, conversation.id, before, limit, with_authors=True, keys_of=g.user.id
        )
        among = notes.notes_between(
            session,
            conversation.id,
            rows[0].created_at if rows and next_before else None,
            reads.message_time(session, conversation.id, before) if before else None,
        )
        hidden = reports.hidden_ids(session, [r.id for r in rows if r.direction == "space"])
    return {
        "conversation_id": conversation.id,
        "status": conversation.status,
        "unread": conversation.space_unread,
        "messages": [serializers.admin_message(r, hidden) for r in rows],
        "notes": [serializers.note(r) for r in among],
        "next_before": next_before,
    }


@bp.post("/conversations/<id:conversation_id>/notes")
@retry_conflicts
@api.validate(
    resp=answers(
        *BODY_ERRORS, 401, 403, 404, 409, HTTP_201=(team_shapes.Note, "Kept (or a retry).")
    )
)
def add_note(space_id: int, conversation_id: int, json: shapes.SendBody):
    """Write a private note for the Space's team; ``@name`` tells that teammate. The member
    never sees it."""
    body, client_key = values.clean_body(json["body"]), json["client_key"]
    session = get_session()
    with session.begin():
        space = access.admin_space_or_404(session, viewer(), space_id, write=True)
        row, _ = notes.add_note(
            session, space, conversation_id, g.user.id, body, client_key, values.utcnow()
        )
        shaped = serializers.note(row)
    response = jsonify(shaped)
    response.status_code = 201
    response.headers["Location"] = url_for(
        ".messages", space_id=space_id, conversation_id=conversation_id
    )
    return response


@bp.post("/conversations/<id:conversation_id>/messages")
@retry_conflicts
@api.validate(
    resp=answers(
        *BODY_ERRORS, 401, 403, 404, 409, HTTP_201=(team_shapes.AdminMessage, "Sent (or a retry).")
    )
)
def reply(space_id: int, conversation_id: int, json: team_shapes.ReplyBody):
    """Answer as the Space; the member never learns which admin wrote it. With ``seen_id``,
    refused (409 ``answered_meanwhile``) when another answer came after that message."""
    body, client_key = values.clean_body(json["body"]), json["client_key"]
    seen_id = json.get("seen_id")
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
@api.validate(resp=answers(401, 403, 404, HTTP_204=(None, "Done.")))
def read(space_id: int, conversation_id: int):
    """Mark a conversation read for the whole team."""
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=True)
        writes.mark_read_by_space(session, space_id, conversation_id, g.user.id)
    return "", 204


@bp.post("/conversations/<id:conversation_id>/status")
@retry_conflicts
@api.validate(
    resp=answers(*BODY_ERRORS, 401, 403, 404, HTTP_200=(team_shapes.StatusState, "The new status."))
)
def status(space_id: int, conversation_id: int, json: team_shapes.StatusBody):
    """Set a conversation open or done."""
    new_status = json["status"]
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=True)
        conversation = writes.set_status(session, space_id, conversation_id, new_status, g.user.id)
    return {"id": conversation.id, "status": conversation.status}


@bp.post("/conversations/<id:conversation_id>/assign")
@retry_conflicts
@api.validate(
    resp=answers(*BODY_ERRORS, 401, 403, 404, HTTP_200=(team_shapes.AssignState, "Assigned."))
)
def assign(space_id: int, conversation_id: int, json: team_shapes.AssignBody):
    """Give the conversation to an admin of the Space (who is told), or leave it to the team
    (``null``); audited."""
    session = get_session()
    with session.begin():
        space = access.admin_space_or_404(session, viewer(), space_id, write=True)
        assignee = assignment.assign(
            session, space, conversation_id, g.user.id, json["assignee_id"], values.utcnow()
        )
        shaped = (
            serializers.person(assignee, reads.user_name(session, assignee))
            if assignee is not None
            else None
        )
    return {"id": conversation_id, "assignee": shaped}


@bp.post("/conversations/<id:conversation_id>/block")
@retry_conflicts
@api.validate(
    resp=answers(
        *BODY_ERRORS, 401, 403, 404, HTTP_200=(team_shapes.BlockState, "The member's new state.")
    )
)
def block(space_id: int, conversation_id: int, json: team_shapes.BlockBody):
    """Block or unblock the conversation's member: the Space takes no more messages from them."""
    blocked = json["blocked"]
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=True)
        writes.set_blocked(session, space_id, conversation_id, blocked, g.user.id)
    return {"id": conversation_id, "blocked": blocked}
