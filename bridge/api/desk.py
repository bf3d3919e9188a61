"""A Space team's desk beside the conversations: its labels (kept, and set on
conversations), search, and its record (the audit, and its export)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from flask import Blueprint, Response, g, jsonify, stream_with_context, url_for

from bridge.api import serializers, team_shapes
from bridge.api.guards import viewer
from bridge.api.openapi import BODY_ERRORS, answers, api
from bridge.api.params import page_size
from bridge.background.replica import read_session
from bridge.inbox import access, labels, reads, record, search, typists, values
from bridge.storage.db import get_session, retry_conflicts

bp = Blueprint("desk", __name__, url_prefix="/api/v1/spaces/<id:space_id>")


@bp.get("/labels")
@api.validate(resp=answers(401, 403, 404, HTTP_200=(team_shapes.LabelList, "By name.")))
def list_labels(space_id: int):
    """The Space's labels, by name, each with how many conversations carry it."""
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=False)
        rows = labels.listed(session, space_id)
    return {"labels": [serializers.label(r) for r in rows]}


@bp.post("/labels")
@retry_conflicts
@api.validate(resp=answers(*BODY_ERRORS, 401, 403, 404, 409, HTTP_201=(team_shapes.Label, "Kept.")))
def add_label(space_id: int, json: team_shapes.LabelBody):
    """Add a label to the Space's (409 ``label_exists``, ``too_many_labels``)."""
    name = labels.clean_name(json["name"])
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=True)
        row = labels.create(session, space_id, name, json["colour"], g.user.id, values.utcnow())
    response = jsonify(serializers.label(row))
    response.status_code = 201
    response.headers["Location"] = url_for(".list_labels", space_id=space_id)
    return response


@bp.patch("/labels/<id:label_id>")
@retry_conflicts
@api.validate(resp=answers(*BODY_ERRORS, 401, 403, 404, 409, HTTP_200=(team_shapes.Label, "Now.")))
def change_label(space_id: int, label_id: int, json: team_shapes.LabelChangeBody):
    """Rename a label, recolour it, or both; the conversations carrying it keep it."""
    changes = {"colour": json["colour"]} if "colour" in json else {}
    if "name" in json:
        changes["name"] = labels.clean_name(json["name"])
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=True)
        row = labels.change(session, space_id, label_id, changes, g.user.id, values.utcnow())
    return serializers.label(row)


@bp.delete("/labels/<id:label_id>")
@retry_conflicts
@api.validate(resp=answers(401, 403, 404, HTTP_204=(None, "Done.")))
def delete_label(space_id: int, label_id: int):
    """Delete a label: the conversations that carried it lose it."""
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=True)
        labels.remove(session, space_id, label_id, g.user.id, values.utcnow())
    return "", 204


@bp.post("/conversations/<id:conversation_id>/labels")
@retry_conflicts
@api.validate(
    resp=answers(
        *BODY_ERRORS, 401, 403, 404, HTTP_200=(team_shapes.ConversationLabels, "Its labels now.")
    )
)
def label_conversation(
    space_id: int, conversation_id: int, json: team_shapes.ConversationLabelsBody
):
    """Put labels of the Space on the conversation (``add``) and take others off
    (``remove``); audited. 400 ``unknown_label`` for another Space's label or none."""
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=True)
        now_on = labels.set_on(
            session,
            space_id,
            conversation_id,
            json.get("add", ()),
            json.get("remove", ()),
            g.user.id,
            values.utcnow(),
        )
    return {"id": conversation_id, "labels": [serializers.label_tag(r) for r in now_on]}


@bp.get("/search")
@api.validate(resp=answers(400, 401, 403, 404, HTTP_200=(team_shapes.SearchPage, "Found.")))
def search_conversations(space_id: int, query: team_shapes.SearchQuery):
    """Search the Space's conversations: those with a message holding every word (each the
    start of a word), by their newest such message, then those whose member's name holds
    the query (Space admins; site admins read). 400 ``invalid_q`` for a query without a
    word."""
    session = read_session(space_id)
    with session.begin():
        access.admin_space_or_404(session, viewer(session), space_id, write=False)
        found = search.find(session, space_id, query["q"], page_size(query))
        ids = [f.conversation_id for f in found]
        rows, _ = reads.space_conversations(session, space_id, None, None, len(ids) or 1, only=ids)
        present = typists.at_conversations(session, ids, values.utcnow(), g.user.id)
        tags = labels.of_conversations(session, ids)
        matched = search.messages_of(session, [f.message_id for f in found if f.message_id])
    by_id = {r.id: r for r in rows}
    terms = search.terms_of(query["q"])
    return {
        "results": [
            {
                "conversation": serializers.admin_conversation(
                    by_id[f.conversation_id], present[f.conversation_id], tags[f.conversation_id]
                ),
                "match": serializers.search_match(matched[f.message_id], terms)
                if f.message_id in matched
                else None,
            }
            for f in found
            if f.conversation_id in by_id
        ]
    }


@bp.get("/record")
@api.validate(resp=answers(400, 401, 403, 404, HTTP_200=(team_shapes.RecordPage, "A page.")))
def record_page(space_id: int, query: team_shapes.RecordQuery):
    """The Space's record, newest first: what its team did, who and when, with the text of
    each answer and note (Space admins; site admins read). A member's erasure takes the
    entries about them."""
    session = get_session()
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=False)
        since, until = record.days(session, space_id, query.get("from"), query.get("to"))
        rows, said, cursor = record.entries(
            session,
            space_id,
            action=query.get("action"),
            actor=query.get("actor"),
            conversation=query.get("conversation"),
            since=since,
            until=until,
            cursor=query.get("cursor"),
            limit=page_size(query),
        )
    return {"entries": [serializers.record_entry(r, said) for r in rows], "next_cursor": cursor}


#: The columns of a record's CSV export.
CSV_COLUMNS = ("time", "action", "by", "conversation", "member", "detail", "text")


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_rows(entries) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    yield out.getvalue()
    for rows, said in entries:
        out.seek(0)
        out.truncate()
        for row in rows:
            e = serializers.record_entry(row, said)
            by = e["actor"]["name"] if e["actor"] else "the Space (by itself)"
            member = e["member"]["name"] if e["member"] else ""
            cells = (e["created_at"], e["action"], by, e["conversation_id"], member)
            writer.writerow([_cell(v) for v in (*cells, e["detail"], e["text"])])
        yield out.getvalue()


def _json_rows(space_id: int, first: str, last: str, entries) -> Iterator[str]:
    yield json.dumps({"space_id": space_id, "from": first, "to": last})[:-1] + ', "entries": ['
    comma = ""
    for rows, said in entries:
        for row in rows:
            yield comma + json.dumps(serializers.record_entry(row, said), ensure_ascii=False)
            comma = ","
    yield "]}"


@bp.get("/record/export")
@api.validate(resp=answers(400, 401, 403, 404, HTTP_200=(None, "The record, streamed.")))
def export_record(space_id: int, query: team_shapes.ExportQuery):
    """The Space's record from one day to another (the Space's days, both included),
    oldest first, as CSV or JSON, streamed; the team only. A member's erasure takes the
    entries about them."""
    session = get_session()
    first, last = query["from"], query["to"]
    with session.begin():
        access.admin_space_or_404(session, viewer(), space_id, write=True)
        since, until = record.days(session, space_id, first, last)
    entries = record.export(session, space_id, since, until)
    if query["format"] == "csv":
        body, mimetype = _csv_rows(entries), "text/csv"
    else:
        body, mimetype = _json_rows(space_id, first, last, entries), "application/json"
    name = f"space-{space_id}-record-{first}-to-{last}.{query['format']}"
    return Response(
        stream_with_context(body),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
