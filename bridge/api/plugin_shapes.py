"""The JSON shapes of the plugin's signed calls as types: WordPress' events and the
privacy exporter's and eraser's pages (the API's other shapes are in :mod:`bridge.api.shapes`,
whose base types these use).
"""

# No ``from __future__ import annotations``: the keys' annotations are evaluated, so that
# __required_keys__ and __optional_keys__ see NotRequired.
from typing import Annotated, Any, Literal, NotRequired

from pydantic import Field
from typing_extensions import TypedDict

from bridge.api.shapes import AdminFrom, Count, Id, SchemaRevision, Time
from bridge.api.team_shapes import Person
from bridge.limits import (
    EVENTS_PER_CALL,
    PRIVACY_PAGE,
    PRIVACY_PAGE_MAX,
    REPORT_OUTCOME_MAX,
    REPORT_REASONS,
)

# -- bodies --------------------------------------------------------------------------------


class PrivacyExportBody(TypedDict, closed=True):
    user_id: Id
    page: NotRequired[Annotated[int, Field(ge=1, le=PRIVACY_PAGE_MAX)]]


class PrivacyEraseBody(TypedDict, closed=True):
    user_id: Id


class Event(TypedDict):
    """A WordPress event; its data is checked by its type."""

    id: Annotated[str, Field(json_schema_extra={"format": "uuid"})]
    type: Literal[
        "space.upserted", "space.deleted", "user.deleted", "user.spammed", "user.logins_changed"
    ]
    data: dict[str, Any]


class Events(TypedDict, closed=True):
    """A batch of events from the plugin, checked whole before any is applied."""

    events: Annotated[list[Event], Field(min_length=1, max_length=EVENTS_PER_CALL)]


class ReportsBody(TypedDict, closed=True):
    """A page of the members' reports, newest first: open ones, closed ones, or all."""

    status: Literal["open", "resolved", "all"]
    page: NotRequired[Annotated[int, Field(ge=1, le=PRIVACY_PAGE_MAX)]]


class ReportOpenBody(TypedDict, closed=True):
    """A report, with its whole conversation (for a moderator the plugin checked)."""


class ResolveBody(TypedDict, closed=True):
    """Close a report: the moderator (the plugin checked their capability) and what they did."""

    moderator_id: Id
    outcome: Annotated[str, Field(max_length=REPORT_OUTCOME_MAX)]


class HiddenBody(TypedDict, closed=True):
    """Hide the reported answer from the member, or show it again: the moderator (the plugin
    checked their capability) and which."""

    moderator_id: Id
    hidden: bool


# -- answers -------------------------------------------------------------------------------


class EventsApplied(TypedDict, closed=True):
    applied: Count
    duplicates: Count


class ExportField(TypedDict, closed=True):
    name: str
    value: str


class ExportItem(TypedDict, closed=True):
    group_id: str
    group_label: str
    item_id: str
    data: list[ExportField]


class PrivacyExport(TypedDict, closed=True):
    """A page of WordPress' personal data exporter, one item per message."""

    data: Annotated[list[ExportItem], Field(max_length=PRIVACY_PAGE)]
    done: bool


class OutboxBacklog(TypedDict, closed=True):
    """Notification jobs WordPress has not taken yet."""

    waiting: Count
    #: Of them, those tried at least once (WordPress refused them or did not answer).
    failing: Count
    #: Seconds since the oldest of them was queued; None: none waits.
    oldest_seconds: int | None
    #: Why the last one tried was not taken; None: none failed.
    last_error: str | None


class Status(TypedDict, closed=True):
    """The bridge as WordPress' Site Health screen shows it."""

    schema: SchemaRevision
    #: Redis, for live updates: not configured, answering, or configured but not answering.
    redis: Literal["off", "ok", "unreachable"]
    #: Whether the process that answered serves live streams.
    live: bool
    #: None while the schema is behind.
    outbox: OutboxBacklog | None


class PrivacyErase(TypedDict, closed=True):
    items_removed: bool
    items_retained: bool
    messages: list[str]


class ReportedSpace(TypedDict, closed=True):
    id: Id
    name: str


class ReportedMessage(TypedDict, closed=True):
    """The answer reported, with its author: ``author`` null for the Space's automatic away
    answer (written by no one)."""

    id: Id
    body: str
    created_at: Time
    author: Person | None


class Report(TypedDict, closed=True):
    """A member's report, for the site's moderators: it names the answer's author."""

    id: Id
    space: ReportedSpace
    conversation_id: Id
    member: Person
    message: ReportedMessage
    reason: Literal[REPORT_REASONS]
    details: str
    created_at: Time
    resolved_at: Time | None
    resolved_by: Person | None
    outcome: str
    #: When and by whom the answer was hidden from the member (null: the member reads it).
    hidden_at: Time | None
    hidden_by: Person | None


class ReportList(TypedDict, closed=True):
    reports: list[Report]
    done: bool


#: A message of a reported conversation, with its author (the moderators' view only).
ConversationMessage = TypedDict(
    "ConversationMessage",
    {"id": Id, "from": AdminFrom, "body": str, "created_at": Time, "author": Person | None},
    closed=True,
)


class ReportDetail(TypedDict, closed=True):
    report: Report
    messages: list[ConversationMessage]
