"""The site's moderators' calls, made by the plugin (signed) once WordPress said the user
may moderate (the ``space_inbox_moderate`` capability): the members' reports of Spaces'
answers, with their authors, hiding an answer from its member, and their closing."""

from __future__ import annotations

from flask import Blueprint

from bridge.api import plugin_shapes, serializers
from bridge.api.openapi import BODY_ERRORS, answers, api
from bridge.inbox import reports
from bridge.inbox.values import utcnow
from bridge.storage.db import get_session, retry_conflicts

bp = Blueprint("moderation", __name__, url_prefix="/api/v1/moderation")


@bp.post("/reports")
@api.validate(
    resp=answers(*BODY_ERRORS, 401, 403, HTTP_200=(plugin_shapes.ReportList, "Newest first."))
)
def list_reports(json: plugin_shapes.ReportsBody):
    """A page of the members' reports, each with the answer and who wrote it (signed)."""
    session = get_session()
    with session.begin():
        rows, done = reports.listed(session, json["status"], json.get("page", 1))
    return {"reports": [serializers.report(r) for r in rows], "done": done}


@bp.post("/reports/<id:report_id>")
@api.validate(
    resp=answers(*BODY_ERRORS, 401, 403, 404, HTTP_200=(plugin_shapes.ReportDetail, "It."))
)
def open_report(report_id: int, json: plugin_shapes.ReportOpenBody):
    """A report with its whole conversation, each answer with its author (signed)."""
    session = get_session()
    with session.begin():
        row = reports.one(session, report_id)
        messages = reports.conversation(session, row.conversation_id)
    return {
        "report": serializers.report(row),
        "messages": [serializers.conversation_message(m) for m in messages],
    }


@bp.post("/reports/<id:report_id>/resolve")
@retry_conflicts
@api.validate(resp=answers(*BODY_ERRORS, 401, 403, 404, HTTP_200=(plugin_shapes.Report, "Closed.")))
def resolve_report(report_id: int, json: plugin_shapes.ResolveBody):
    """Close a report with what the moderator did; closing it again changes nothing (signed)."""
    session = get_session()
    with session.begin():
        row = reports.resolve(session, report_id, json["moderator_id"], json["outcome"], utcnow())
    return serializers.report(row)


@bp.post("/reports/<id:report_id>/hidden")
@retry_conflicts
@api.validate(
    resp=answers(*BODY_ERRORS, 401, 403, 404, HTTP_200=(plugin_shapes.Report, "Hidden or shown."))
)
def hide_answer(report_id: int, json: plugin_shapes.HiddenBody):
    """Hide the reported answer from the member (its conversation says the site's moderators
    removed it; the Space's team still reads it, marked), or show it again; audited in the
    Space's record (signed)."""
    session = get_session()
    with session.begin():
        row = reports.hide(session, report_id, json["moderator_id"], json["hidden"], utcnow())
    return serializers.report(row)
