"""A Space team's tools beside the inbox: who is on the team, the response figures, away
mode and the reply preset, saved replies, and who is typing an answer."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, url_for

from bridge.api import serializers, shapes, team_shapes
from bridge.api.guards import site_keys, viewer
from bridge.api.openapi import BODY_ERRORS, answers, api
from bridge.background.replica import read_session
from bridge.inbox import (
    access,
    assignment,
    away,
    choices,
    figures,
    notes,
    saved_replies,
    typists,
    values,
)
from bridge.storage.db import get_session, retry_conflicts

bp = Blueprint("team", __name__, url_prefix="/api/v1/spaces/<id:space_id>")


@bp.get("/figures")
@api.validate(resp=answers(401, 403, 404, HTTP_200=(team_shapes.TeamFigures, "The figures.")))
def space_figures(space_id: int):
    """The dashboard: response figures of the Space and of each admin, per day, and the
    conversations waiting longest."""
    session = read_session(space_id)
    now = values.utcnow()
    with session.begin():
        access.admin_space_or_404(session, viewer(session), space_id, write=False)
        shaped = serializers.team_figures(
            figures.kept(session, space_id, now),
            figures.waiting_longest(session, space_id, now),
        )
    return shaped


@bp.get("/team")
@api.validate(resp=answers(401, 403, 404, HTTP_200=(team_shapes.Team, "By name.")))
def team(space_id: int):
    """The Space's admins, by name, with the name a note's ``@`` takes."""
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=False)
        rows = notes.team(session, space_id)
    return {"admins": [serializers.team_member(r) for r in rows]}


@bp.get("/settings")
@api.validate(resp=answers(401, 403, 404, HTTP_200=(team_shapes.Settings, "The settings.")))
def settings(space_id: int):
    """The Space's away mode and reply preset."""
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=False)
        found = away.settings(session, space_id, values.utcnow())
    return serializers.settings(found)


@bp.patch("/settings")
@retry_conflicts
@api.validate(
    resp=answers(*BODY_ERRORS, 401, 403, 404, HTTP_200=(team_shapes.Settings, "The settings now."))
)
def change_settings(space_id: int, json: team_shapes.SettingsBody):
    """Change the away mode or the reply preset; what is left out stays."""
    changes = away.clean_changes(json)
    session = get_session()
    now = values.utcnow()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=True)
        away.change_settings(session, space_id, g.user.id, changes, now)
        found = away.settings(session, space_id, now)
    return serializers.settings(found)


@bp.get("/notifications")
@api.validate(resp=answers(401, 403, 404, HTTP_200=(shapes.TeamChoice, "Yours.")))
def notifications(space_id: int):
    """How you are told of the Space's new messages: your choice, else the site's defaults."""
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=True)  # the team's own
        default = choices.site_policy(session, site_keys()).team
        found, chosen = choices.of(session, g.user.id, space_id, default)
    return serializers.team_choice(found, chosen)


@bp.patch("/notifications")
@retry_conflicts
@api.validate(resp=answers(*BODY_ERRORS, 401, 403, 404, HTTP_200=(shapes.TeamChoice, "Yours now.")))
def choose_notifications(space_id: int, json: shapes.TeamChoiceBody):
    """Choose how you are told of the Space's new messages; what is left out stays."""
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=True)
        default = choices.site_policy(session, site_keys()).team
        found, _ = choices.of(session, g.user.id, space_id, default)
        found = choices.choose(session, g.user.id, space_id, found, json, values.utcnow())
    return serializers.team_choice(found, True)


@bp.get("/saved-replies")
@api.validate(resp=answers(401, 403, 404, HTTP_200=(team_shapes.SavedReplyList, "By title.")))
def list_saved_replies(space_id: int):
    """The Space's saved replies, by title."""
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=False)
        rows = saved_replies.listed(session, space_id)
    return {"saved_replies": [serializers.saved_reply(r) for r in rows]}


@bp.post("/saved-replies")
@retry_conflicts
@api.validate(
    resp=answers(*BODY_ERRORS, 401, 403, 404, 409, HTTP_201=(team_shapes.SavedReply, "Kept."))
)
def add_saved_reply(space_id: int, json: team_shapes.SavedReplyBody):
    """Keep a new saved reply."""
    title, body = saved_replies.clean(json)
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=True)
        row = saved_replies.create(session, space_id, title, body, g.user.id, values.utcnow())
    response = jsonify(serializers.saved_reply(row))
    response.status_code = 201
    response.headers["Location"] = url_for(".list_saved_replies", space_id=space_id)
    return response


@bp.put("/saved-replies/<id:reply_id>")
@retry_conflicts
@api.validate(
    resp=answers(*BODY_ERRORS, 401, 403, 404, HTTP_200=(team_shapes.SavedReply, "Replaced."))
)
def change_saved_reply(space_id: int, reply_id: int, json: team_shapes.SavedReplyBody):
    """Replace a saved reply's title and text."""
    title, body = saved_replies.clean(json)
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=True)
        row = saved_replies.change(
            session, space_id, reply_id, title, body, g.user.id, values.utcnow()
        )
    return serializers.saved_reply(row)


@bp.delete("/saved-replies/<id:reply_id>")
@retry_conflicts
@api.validate(resp=answers(401, 403, 404, HTTP_204=(None, "Done.")))
def delete_saved_reply(space_id: int, reply_id: int):
    """Delete a saved reply."""
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=True)
        saved_replies.remove(session, space_id, reply_id)
    return "", 204


@bp.get("/conversations/<id:conversation_id>/typing")
@api.validate(resp=answers(401, 403, 404, HTTP_200=(team_shapes.TypingState, "Who is typing.")))
def typing(space_id: int, conversation_id: int):
    """Who else on the team is typing an answer in the conversation, viewing it and answering
    it, by name, and its newest message and note (a page asks this while the conversation is
    open, and again when the live stream says it changed)."""
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=False)
        conversation = access.admin_conversation_or_404(session, space_id, conversation_id)
        now = values.utcnow()
        found = typists.typists(session, conversation_id, now)
        present = typists.at_conversations(session, [conversation_id], now, g.user.id)
        last_note_id = notes.newest_id(session, conversation_id)
    who = [serializers.person(r.id, r.name) for r in found if r.id != g.user.id]
    here = present[conversation_id]
    return {
        "typing": bool(who),
        "who": who,
        "viewing": [serializers.person(r.id, r.name) for r in here["viewing"]],
        "answering": [serializers.person(r.id, r.name) for r in here["answering"]],
        "last_message_id": conversation.last_message_id,
        "last_note_id": last_note_id,
    }


@bp.post("/conversations/<id:conversation_id>/typing")
@retry_conflicts
@api.validate(resp=answers(*BODY_ERRORS, 401, 403, 404, HTTP_204=(None, "Done.")))
def set_typing(space_id: int, conversation_id: int, json: team_shapes.TypingBody):
    """Say that the caller is typing an answer (for a few seconds), or stopped."""
    state = json["typing"]
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=True)
        conversation = access.admin_conversation_or_404(session, space_id, conversation_id)
        typists.set_typing(session, conversation, g.user.id, state, values.utcnow())
    return "", 204


@bp.post("/conversations/<id:conversation_id>/viewing")
@retry_conflicts
@api.validate(resp=answers(*BODY_ERRORS, 401, 403, 404, HTTP_204=(None, "Done.")))
def set_viewing(space_id: int, conversation_id: int, json: team_shapes.ViewingBody):
    """Say that the caller's page shows the conversation (for 45 s; pages repeat it), or no
    longer does (which gives up their answering claim too). The rest of the team hears it;
    the member never does."""
    viewing = json["viewing"]
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=True)
        conversation = access.admin_conversation_or_404(session, space_id, conversation_id)
        typists.set_viewing(session, conversation, g.user.id, viewing, values.utcnow())
    return "", 204


@bp.post("/here")
@retry_conflicts
@api.validate(resp=answers(*BODY_ERRORS, 401, 403, 404, HTTP_204=(None, "Done.")))
def set_here(space_id: int, json: team_shapes.HereBody):
    """Say that the caller has the Space's team inbox open (for 120 s; pages repeat it), or
    closed it: where the Space gives new conversations in turn, only those present get one."""
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=True)
        assignment.set_here(session, space_id, g.user.id, json["here"], values.utcnow())
    return "", 204
