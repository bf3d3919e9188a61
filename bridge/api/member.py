"""Member endpoints: a member's own conversations with Spaces."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, url_for

from bridge import refusals
from bridge.api import serializers, shapes
from bridge.api.guards import site_keys
from bridge.api.openapi import BODY_ERRORS, answers, api
from bridge.api.params import page_size
from bridge.background.replica import read_session
from bridge.inbox import access, choices, pushes, reads, reports, typists, values, writes
from bridge.storage.db import get_session, retry_conflicts
from bridge.wordpress.auth import verifier

bp = Blueprint("member", __name__, url_prefix="/api/v1/me")


@bp.get("/conversations")
@api.validate(resp=answers(400, 401, HTTP_200=(shapes.MemberConversationPage, "A page.")))
def conversations(query: shapes.ListQuery):
    """The member's conversations, newest first."""
    session = read_session()
    with session.begin():
        rows, cursor = reads.member_conversations(
            session, g.user.id, query.get("cursor"), page_size(query)
        )
    return {
        "conversations": [serializers.member_conversation(r) for r in rows],
        "next_cursor": cursor,
    }


@bp.get("/spaces/<id:space_id>/messages")
@api.validate(resp=answers(400, 401, 404, HTTP_200=(shapes.MemberMessagePage, "A page.")))
def messages(space_id: int, query: shapes.MessagesQuery):
    """The member's messages with one Space: from "me" or from "space", never an admin."""
    session = read_session()
    before, limit = query.get("before"), page_size(query)
    with session.begin():
        space = access.member_space_or_404(session, space_id)
        conversation = access.member_conversation(session, space_id, g.user.id)
        if conversation is None and space.status != "active":
            raise refusals.NotFound("space_not_found", "There is no such Space.")
        rows, next_before = reads.conversation_messages(
            session,
            conversation.id if conversation else None,
            before,
            limit,
            with_authors=False,
            keys_of=g.user.id,
        )
        blocked = access.is_blocked(session, space_id, g.user.id)
        reported = reports.reported_ids(session, g.user.id, [r.id for r in rows])
        hidden = reports.hidden_ids(session, reported)
    return {
        "space": serializers.member_space(space, blocked),
        "messages": [serializers.member_message(r, hidden) for r in rows],
        "next_before": next_before,
        "unread": conversation.member_unread if conversation else 0,
        "space_seen_id": (conversation.space_read_id or None) if conversation else None,
        "reported_ids": reported,
    }


@bp.get("/spaces/<id:space_id>/typing")
@api.validate(resp=answers(401, 404, HTTP_200=(shapes.SpaceTyping, "Typing or not.")))
def typing(space_id: int):
    """Whether the Space is typing an answer to the member (someone on its team, never who),
    and the id of the conversation's newest message."""
    session = get_session()
    with session.begin():
        access.member_space_or_404(session, space_id)
        conversation = access.member_conversation(session, space_id, g.user.id)
        if conversation is None:
            return {"typing": False, "last_message_id": None}
        found = bool(typists.typists(session, conversation.id, values.utcnow()))
    return {"typing": found, "last_message_id": conversation.last_message_id}


@bp.post("/spaces/<id:space_id>/messages")
@retry_conflicts
@api.validate(
    resp=answers(
        *BODY_ERRORS,
        401,
        403,
        404,
        409,
        410,
        429,
        HTTP_201=(shapes.MemberSent, "Sent (or a retry)."),
    )
)
def send(space_id: int, json: shapes.SendBody):
    """Send a message to a Space; a retry with the same client_key returns the same message."""
    body, client_key = values.clean_body(json["body"]), json["client_key"]
    session = get_session()
    with session.begin():
        space = access.sending_space_or_404(session, space_id, g.user.id)
        message, _ = writes.send_to_space(
            session,
            space,
            g.user.id,
            body,
            client_key,
            values.utcnow(),
            current_app.extensions["space_inbox_limiter"],
        )
    response = jsonify(serializers.member_sent(message))
    response.status_code = 201
    response.headers["Location"] = url_for(".messages", space_id=space_id)
    return response


@bp.post("/spaces/<id:space_id>/read")
@retry_conflicts
@api.validate(resp=answers(401, 403, 404, HTTP_204=(None, "Done.")))
def read(space_id: int):
    """Mark the Space's answers as read."""
    session = get_session()
    with session.begin():
        access.member_space_or_404(session, space_id)
        writes.mark_read_by_member(session, space_id, g.user.id)
    return "", 204


@bp.post("/spaces/<id:space_id>/messages/<id:message_id>/report")
@retry_conflicts
@api.validate(
    resp=answers(*BODY_ERRORS, 401, 403, 404, 409, HTTP_201=(shapes.MemberReport, "Received."))
)
def report(space_id: int, message_id: int, json: shapes.ReportBody):
    """Report one of the Space's answers to the site's moderators, with a reason: they see
    who wrote it; the member never does. 409 ``already_reported``."""
    details = reports.clean_details(json.get("details", ""))
    session = get_session()
    with session.begin():
        space = access.member_space_or_404(session, space_id)
        row = reports.report(
            session, space, g.user.id, message_id, json["reason"], details, values.utcnow()
        )
    response = jsonify(serializers.member_report(row))
    response.status_code = 201
    return response


@bp.get("/notifications")
@api.validate(resp=answers(401, HTTP_200=(shapes.MemberChoice, "Yours.")))
def notifications():
    """How you are told of the Spaces' answers: your choice, else the site's defaults."""
    session = get_session()
    with session.begin():
        default = choices.site_policy(session, site_keys()).member
        found, chosen = choices.of(session, g.user.id, choices.ANSWERS, default)
    return serializers.member_choice(found, chosen)


@bp.patch("/notifications")
@retry_conflicts
@api.validate(resp=answers(*BODY_ERRORS, 401, 403, HTTP_200=(shapes.MemberChoice, "Yours now.")))
def choose_notifications(json: shapes.MemberChoiceBody):
    """Choose how you are told of the Spaces' answers; what is left out stays."""
    session = get_session()
    with session.begin():
        default = choices.site_policy(session, site_keys()).member
        found, _ = choices.of(session, g.user.id, choices.ANSWERS, default)
        found = choices.choose(session, g.user.id, choices.ANSWERS, found, json, values.utcnow())
    return serializers.member_choice(found, True)


@bp.post("/push-subscriptions")
@retry_conflicts
@api.validate(resp=answers(*BODY_ERRORS, 401, 403, HTTP_201=(shapes.PushSubscribed, "Kept.")))
def subscribe_device(json: shapes.PushSubscriptionBody):
    """Push to this device (its browser's subscription), while this login lasts: an admin
    is told of their Spaces' new messages, a member of answers, as each chose."""
    found = pushes.clean_subscription(
        json, pushes.services(current_app.config.get("PUSH_SERVICES"))
    )
    session = get_session()
    with session.begin():
        kept = pushes.subscribe(session, g.user.id, verifier(g.user.token), found, values.utcnow())
    response = jsonify({"id": kept})
    response.status_code = 201
    return response


@bp.delete("/push-subscriptions")
@retry_conflicts
@api.validate(resp=answers(400, 401, 403, HTTP_204=(None, "Done (also when it was not kept).")))
def unsubscribe_device(query: shapes.PushEndpointQuery):
    """No more pushes to this device."""
    session = get_session()
    with session.begin():
        pushes.unsubscribe(session, g.user.id, query["endpoint"])
    return "", 204
