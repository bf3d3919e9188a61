"""JSON answers, as the types of :mod:`bridge.api.shapes` and
:mod:`bridge.api.team_shapes`. Member-facing and admin-facing
shapes are separate functions (and separate types), so that an admin's identity cannot
reach a member through a forgotten condition."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Any

from sqlalchemy import Row

from bridge.api.plugin_shapes import ConversationMessage, Report
from bridge.api.shapes import (
    AdminFrom,
    MemberChoice,
    MemberConversation,
    MemberFrom,
    MemberMessage,
    MemberReport,
    MemberSent,
    MemberSpace,
    TeamChoice,
)
from bridge.api.team_shapes import (
    AdminConversation,
    AdminMessage,
    Label,
    LabelTag,
    Note,
    Person,
    RecordEntry,
    SavedReply,
    SearchMatch,
    Settings,
    TeamFigures,
    TeamMember,
)
from bridge.inbox.away import AUTOMATIC
from bridge.inbox.choices import Choice
from bridge.inbox.record import Said
from bridge.inbox.search import excerpt_around
from bridge.inbox.values import iso

#: What a member sees of who wrote a message: themselves or the Space, never a person.
MEMBER_FROM: dict[str, MemberFrom] = {"member": "me", "space": "space"}
DELETED_USER = "Deleted user"


def _last_message(row: Row, from_names: dict[str, MemberFrom] | dict[str, AdminFrom]) -> Any:
    """The last message of a conversation's row (a MemberLastMessage or an AdminLastMessage,
    by ``from_names``), or None."""
    if row.last_message_id is None:
        return None
    return {
        "excerpt": row.last_excerpt,
        "from": from_names[row.last_from],
        "created_at": iso(row.last_message_at),
    }


# -- member-facing -----------------------------------------------------------------------


def member_space(space: Row, blocked: bool = False) -> MemberSpace:
    """A Space as a member sees it: whether it takes their messages, never who decided."""
    return {
        "id": space.id,
        "name": space.name,
        "avatar_url": space.avatar_url,
        "url": space.url,
        "accepting_messages": space.status == "active" and not blocked,
    }


def member_conversation(row: Row) -> MemberConversation:
    """A row of the member's conversation list."""
    return {
        "space": {
            "id": row.space_id,
            "name": row.space_name,
            "avatar_url": row.space_avatar_url,
            "url": row.space_url,
            "accepting_messages": row.space_status == "active",
        },
        "last_message": _last_message(row, MEMBER_FROM),
        "unread": row.member_unread,
    }


def member_message(row: Row, hidden: AbstractSet[int] = frozenset()) -> MemberMessage:
    """A message as the member sees it: from "me" or from "space", no author; an answer the
    site's moderators hid (its id in ``hidden``) without its text."""
    removed = row.id in hidden
    shaped: MemberMessage = {
        "id": row.id,
        "from": MEMBER_FROM[row.direction],
        "body": "" if removed else row.body,
        "created_at": iso(row.created_at),
    }
    if removed:
        shaped["removed"] = True
    _own_key(shaped, row)
    return shaped


def _own_key(shaped: MemberMessage | AdminMessage, row: Row) -> None:
    """The client key of a message the reader wrote (the query reads no other's)."""
    key = getattr(row, "client_key", None)
    if key is not None:
        shaped["client_key"] = key


def member_sent(row: Row) -> MemberSent:
    """A member's sent message, with the id of their conversation it is in."""
    return {**member_message(row), "conversation_id": row.conversation_id}


# -- admin-facing ------------------------------------------------------------------------

ADMIN_FROM: dict[str, AdminFrom] = {"member": "member", "space": "space"}


def admin_conversation(
    row: Row, present: dict[str, list[Row]] | None = None, labels: list[Row] = ()
) -> AdminConversation:
    """A conversation in a Space's inbox, with who else on the team is viewing and who is
    answering it (``present``: :func:`bridge.inbox.typists.at_conversations`'s) and its
    labels."""
    present = present or {}
    return {
        "id": row.id,
        "member": {"id": row.member_id, "name": row.member_name or DELETED_USER},
        "status": row.status,
        "blocked": bool(row.blocked),
        "unread": row.space_unread,
        "last_message": _last_message(row, ADMIN_FROM),
        "created_at": iso(row.created_at),
        "first_message_at": iso(row.first_message_at),
        "first_response_at": iso(row.first_response_at),
        "awaiting_since": iso(row.awaiting_since),
        "assignee": (
            person(row.assignee_id, row.assignee_name) if row.assignee_id is not None else None
        ),
        "viewing": [person(r.id, r.name) for r in present.get("viewing", ())],
        "answering": [person(r.id, r.name) for r in present.get("answering", ())],
        "labels": [label_tag(r) for r in labels],
    }


def admin_message(row: Row, hidden: AbstractSet[int] = frozenset()) -> AdminMessage:
    """A message with its audit label: which admin wrote a Space message, and when; and
    whether the site's moderators hid it from the member (ids in ``hidden``)."""
    shaped: AdminMessage = {
        "id": row.id,
        "from": ADMIN_FROM[row.direction],
        "body": row.body,
        "created_at": iso(row.created_at),
    }
    if row.id in hidden:
        shaped["hidden"] = True
    if row.direction == "space" and row.author_id == AUTOMATIC:
        shaped["automatic"] = True
    elif row.direction == "space":
        shaped["author"] = {"id": row.author_id, "name": row.author_name or DELETED_USER}
    _own_key(shaped, row)
    return shaped


def note(row: Row) -> Note:
    """A private note, with the admin who wrote it (the team's only)."""
    return {
        "id": row.id,
        "body": row.body,
        "created_at": iso(row.created_at),
        "author": person(row.author_id, row.author_name),
    }


def team_member(row: Row) -> TeamMember:
    """An admin of the Space, with the name a note's ``@`` takes."""
    return {"id": row.id, "name": row.name or DELETED_USER, "mention": row.mention or ""}


def person(user_id: int, name: str | None) -> Person:
    """A user as the Space's team sees them: id and display name."""
    return {"id": user_id, "name": name or DELETED_USER}


def team_figures(kept: dict, waiting: list[dict]) -> TeamFigures:
    """The team's dashboard (:func:`bridge.inbox.figures.kept`), with each admin's figures,
    and the conversations waiting longest."""
    return {
        "timezone": kept["timezone"],
        "space": kept["space"],
        "admins": [
            {
                "admin": person(a["id"], a["name"]),
                "days_7": a["days_7"],
                "days_30": a["days_30"],
            }
            for a in kept["admins"]
        ],
        "days": kept["days"],
        "waiting": [
            {
                "id": w["row"].id,
                "member": person(w["row"].member_id, w["row"].display_name),
                "status": w["row"].status,
                "waiting_since": iso(w["row"].awaiting_since),
                "waited_seconds": w["waited_seconds"],
            }
            for w in waiting
        ],
        "response_time": kept["response_time"],
    }


def settings(found: dict) -> Settings:
    """A Space's away mode and reply preset (:func:`bridge.inbox.away.settings`)."""
    return {
        "away": found["away"],
        "away_now": found["away_now"],
        "away_since": iso(found["away_since"]),
        "hours_enabled": found["hours_enabled"],
        "hours": found["hours"],
        "timezone": found["timezone"],
        "away_message": found["away_message"],
        "reply_preset": found["reply_preset"],
        "assign_in_turn": found["assign_in_turn"],
    }


def search_match(row: Row, terms: list[str]) -> SearchMatch:
    """The message a search found: who wrote it (the member or the Space) and the part of
    it around the words."""
    return {
        "id": row.id,
        "from": ADMIN_FROM[row.direction],
        "excerpt": excerpt_around(row.body, terms),
        "created_at": iso(row.created_at),
    }


def record_entry(row: Row, said: Said) -> RecordEntry:
    """An entry of a Space's record: who did what, when, to which member's conversation
    (the team's only); ``said``: its page's texts and named details."""
    return {
        "id": row.id,
        "action": row.action,
        "actor": person(row.actor_id, row.actor_name) if row.actor_id else None,
        "conversation_id": row.conversation_id,
        "member": person(row.member_id, row.member_name) if row.member_id else None,
        "detail": said.details.get(row.id, row.detail),
        "text": said.texts.get(row.id),
        "created_at": iso(row.created_at),
    }


def member_report(row: Row) -> MemberReport:
    """A report as its member sees it: nothing of who wrote the answer."""
    return {
        "id": row.id,
        "message_id": row.message_id,
        "reason": row.reason,
        "created_at": iso(row.created_at),
    }


def report(row: Row) -> Report:
    """A member's report for the site's moderators, naming the answer's author."""
    automatic = row.author_id == AUTOMATIC
    return {
        "id": row.id,
        "space": {"id": row.space_id, "name": row.space_name or ""},
        "conversation_id": row.conversation_id,
        "member": person(row.member_id, row.member_name),
        "message": {
            "id": row.message_id,
            "body": row.body,
            "created_at": iso(row.message_at),
            "author": None if automatic else person(row.author_id, row.author_name),
        },
        "reason": row.reason,
        "details": row.details,
        "created_at": iso(row.created_at),
        "resolved_at": iso(row.resolved_at),
        "resolved_by": (
            person(row.resolved_by, row.resolved_by_name) if row.resolved_by is not None else None
        ),
        "outcome": row.outcome,
        "hidden_at": iso(row.hidden_at),
        "hidden_by": (
            person(row.hidden_by, row.hidden_by_name) if row.hidden_by is not None else None
        ),
    }


def conversation_message(row: Row) -> ConversationMessage:
    """A message of a reported conversation, with its author (moderators only)."""
    automatic = row.direction == "space" and row.author_id == AUTOMATIC
    return {
        "id": row.id,
        "from": ADMIN_FROM[row.direction],
        "body": row.body,
        "created_at": iso(row.created_at),
        "author": None if automatic else person(row.author_id, row.author_name),
    }


def label_tag(row: Row) -> LabelTag:
    """A label as a conversation carries it."""
    return {"id": row.id, "name": row.name, "colour": row.colour}


def label(row: Row) -> Label:
    """One of a Space's labels, with how many conversations carry it."""
    return {**label_tag(row), "conversations": row.conversations}


def saved_reply(row: Row) -> SavedReply:
    """A saved reply, with the admin who last changed it."""
    return {
        "id": row.id,
        "title": row.title,
        "body": row.body,
        "updated_at": iso(row.updated_at),
        "updated_by": person(row.updated_by, row.updated_by_name),
    }


def member_choice(found: Choice, chosen: bool) -> MemberChoice:
    """How a member is told of answers."""
    return {"email": found.email, "push": found.push, "chosen": chosen}


def team_choice(found: Choice, chosen: bool) -> TeamChoice:
    """How an admin is told of a Space's new messages."""
    return {
        "email": found.email,
        "push": found.push,
        "outside_hours": found.outside_hours,
        "chosen": chosen,
    }
