"""The JSON shapes of what only a Space's team sends and is answered (:mod:`bridge.api.shapes`
says how the shapes are used): its queries and bodies, and its answers, which name the
admins (the audit) where a member's never do.
"""

# No ``from __future__ import annotations``: the keys' annotations are evaluated, so that
# __required_keys__ and __optional_keys__ see NotRequired.
from typing import Annotated, Literal, NotRequired

from pydantic import Field
from typing_extensions import TypedDict

from bridge.api.shapes import (
    AdminFrom,
    Count,
    Cursor,
    Id,
    ListQuery,
    QueryId,
    QueryLimit,
    ReplyTime,
    ResponseTime,
    SendBody,
    Status,
    Text,
    Time,
    Title,
)
from bridge.limits import (
    CLOCK_PATTERN,
    INTERVALS_PER_DAY,
    LABEL_COLOURS,
    LABEL_NAME_MAX,
    LABELS_MAX,
    RECORD_ACTIONS,
    SEARCH_QUERY_MAX,
    WEEKDAYS,
)

#: A label's colour: the inbox draws each of LABEL_COLOURS in a readable light and dark pair.
LabelColour = Literal[LABEL_COLOURS]
#: A label's name: 1 to LABEL_NAME_MAX characters once its spaces are folded (the inbox's
#: rule, :func:`bridge.inbox.labels.clean_name`, counts them, with its own codes).
LabelName = Annotated[str, Field(json_schema_extra={"minLength": 1, "maxLength": LABEL_NAME_MAX})]
#: Label ids of one request.
LabelIds = Annotated[list[Id], Field(max_length=LABELS_MAX)]

# -- requests ----------------------------------------------------------------------------


class SpaceListQuery(ListQuery):
    """A page of a Space's conversations, all or only those open or done; all, or only the
    caller's (``assignee=me``) or those left to the team (``assignee=none``)."""

    status: NotRequired[Status]
    assignee: NotRequired[Literal["me", "none"]]
    label: NotRequired[QueryId]


class ReplyBody(SendBody):
    """An answer; ``seen_id`` is the newest message the admin had seen: when another answer
    came after it, the answer is refused with 409 ``answered_meanwhile``."""

    seen_id: NotRequired[Id]


#: Weekly opening hours: weekday ("mon" … "sun") to up to three ["HH:MM", "HH:MM"].
Clock = Annotated[str, Field(pattern=f"^(?:{CLOCK_PATTERN})$")]


class Opening(TypedDict, closed=True):
    """Open from ``opens`` to ``closes`` ("HH:MM"; "24:00" is the end of the day)."""

    opens: Clock
    closes: Clock


#: Weekly opening hours: weekday ("mon" … "sun") to up to three openings, in order.
Hours = dict[Literal[WEEKDAYS], Annotated[list[Opening], Field(max_length=INTERVALS_PER_DAY)]]


class SettingsBody(TypedDict, closed=True):
    """The settings to change; those left out stay as they are."""

    away_now: NotRequired[bool]
    hours_enabled: NotRequired[bool]
    hours: NotRequired[Hours]
    timezone: NotRequired[Annotated[str, Field(max_length=64)]]
    away_message: NotRequired[Text]
    reply_preset: NotRequired[ReplyTime | None]
    assign_in_turn: NotRequired[bool]


class SavedReplyBody(TypedDict):
    title: Title
    body: Text


class TypingBody(TypedDict):
    typing: bool


class ViewingBody(TypedDict):
    viewing: bool


class HereBody(TypedDict):
    here: bool


class BlockBody(TypedDict):
    blocked: bool


class StatusBody(TypedDict):
    status: Status


class AssignBody(TypedDict):
    """An admin of the Space to give the conversation to, or null: leave it to the team."""

    assignee_id: Id | None


class LabelBody(TypedDict):
    """A new label."""

    name: LabelName
    colour: LabelColour


class LabelChangeBody(TypedDict):
    """A label's new name, colour, or both."""

    name: NotRequired[LabelName]
    colour: NotRequired[LabelColour]


class SearchQuery(TypedDict):
    """A search: words of messages (each the start of a word), or of a member's name."""

    q: Annotated[str, Field(min_length=1, max_length=SEARCH_QUERY_MAX)]
    limit: NotRequired[QueryLimit]


#: A day of the Space's (in its time zone).
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", json_schema_extra={"format": "date"})]


#: A page of the Space's record, newest first: only one kind of entry (else all but
#: ``read``), one admin's, one conversation's, from and to a day of the Space's.
RecordQuery = TypedDict(
    "RecordQuery",
    {
        "action": NotRequired[Literal[RECORD_ACTIONS]],
        "actor": NotRequired[QueryId],
        "conversation": NotRequired[QueryId],
        "from": NotRequired[Day],
        "to": NotRequired[Day],
        "cursor": NotRequired[Cursor],
        "limit": NotRequired[QueryLimit],
    },
)
#: The Space's record from one day to another (the Space's days, both included), as CSV
#: or JSON.
ExportQuery = TypedDict("ExportQuery", {"format": Literal["csv", "json"], "from": Day, "to": Day})


class ConversationLabelsBody(TypedDict):
    """Labels of the Space to put on the conversation, and to take off it."""

    add: NotRequired[LabelIds]
    remove: NotRequired[LabelIds]


# -- answers -----------------------------------------------------------------------------


class LabelTag(TypedDict, closed=True):
    """A label as a conversation carries it."""

    id: Id
    name: str
    colour: LabelColour


class Label(TypedDict, closed=True):
    """One of the Space's labels, with how many conversations carry it."""

    id: Id
    name: str
    colour: LabelColour
    conversations: Count


class LabelList(TypedDict, closed=True):
    labels: list[Label]


class ConversationLabels(TypedDict, closed=True):
    id: Id
    labels: list[LabelTag]


class Person(TypedDict, closed=True):
    """A WordPress user, named for the Space's team only."""

    id: Id
    name: str


AdminLastMessage = TypedDict(
    "AdminLastMessage",
    {"excerpt": str, "from": AdminFrom, "created_at": Time},
    closed=True,
)


class AdminConversation(TypedDict, closed=True):
    id: Id
    member: Person
    status: Status
    blocked: bool
    unread: Count
    last_message: AdminLastMessage | None
    created_at: Time
    first_message_at: Time | None
    first_response_at: Time | None
    awaiting_since: Time | None
    #: The admin it is assigned to; null: left to the team.
    assignee: Person | None
    #: Who else on the team has it open, and who is answering it (a soft claim).
    viewing: list[Person]
    answering: list[Person]
    labels: list[LabelTag]


#: A message with its audit label: a Space message names the admin who wrote it, or is
#: ``automatic`` (the away answer), written by no one.
AdminMessage = TypedDict(
    "AdminMessage",
    {
        "id": Id,
        "from": AdminFrom,
        "body": str,
        "created_at": Time,
        "author": NotRequired[Person],
        "automatic": NotRequired[Literal[True]],
        # Hidden from the member by the site's moderators (the team still reads it).
        "hidden": NotRequired[Literal[True]],
        # On the reader's own answers only: the key they were sent with.
        "client_key": NotRequired[str],
    },
    closed=True,
)


class Note(TypedDict, closed=True):
    """A private note of the Space's team inside a conversation: never a member's to read."""

    id: Id
    body: str
    created_at: Time
    author: Person


class TeamMember(TypedDict, closed=True):
    """An admin of the Space; ``mention`` is the name a note's ``@`` takes."""

    id: Id
    name: str
    mention: str


class Team(TypedDict, closed=True):
    admins: list[TeamMember]


class AdminConversationPage(TypedDict, closed=True):
    conversations: list[AdminConversation]
    next_cursor: Cursor | None


class AdminMessagePage(TypedDict, closed=True):
    conversation_id: Id
    status: Status
    unread: Count
    messages: list[AdminMessage]
    #: The notes written among this page's messages (after the older page's newest message,
    #: before the newer page's oldest), oldest first.
    notes: list[Note]
    next_before: Id | None


class BlockState(TypedDict, closed=True):
    id: Id
    blocked: bool


class AssignState(TypedDict, closed=True):
    id: Id
    assignee: Person | None


class StatusState(TypedDict, closed=True):
    id: Id
    status: Status


class Window(TypedDict, closed=True):
    """A Space's figures over a window (see the README's "Response figures")."""

    periods: Count
    answered: Count
    answered_within_a_day: Count
    waiting: Count
    response_rate: Annotated[float, Field(ge=0, le=1)] | None
    median_seconds: Annotated[float, Field(ge=0)] | None
    p90_seconds: Annotated[float, Field(ge=0)] | None


class AdminWindow(TypedDict, closed=True):
    answered: Count
    median_seconds: Annotated[float, Field(ge=0)] | None
    p90_seconds: Annotated[float, Field(ge=0)] | None


class AdminFigures(TypedDict, closed=True):
    """One admin's answers: the audit, for the team only."""

    admin: Person
    days_7: AdminWindow
    days_30: AdminWindow


class DayFigures(TypedDict, closed=True):
    date: Annotated[str, Field(json_schema_extra={"format": "date"})]
    periods: Count
    answered: Count
    median_seconds: Annotated[float, Field(ge=0)] | None


class WaitingConversation(TypedDict, closed=True):
    id: Id
    member: Person
    status: Status
    waiting_since: Time
    waited_seconds: Annotated[float, Field(ge=0)]


class SpaceWindows(TypedDict, closed=True):
    days_7: Window
    days_30: Window


class TeamFigures(TypedDict, closed=True):
    """The team's dashboard: the Space's figures, each admin's, each day's, and who waits."""

    timezone: str
    space: SpaceWindows
    admins: list[AdminFigures]
    days: list[DayFigures]
    waiting: list[WaitingConversation]
    response_time: ResponseTime


class Settings(TypedDict, closed=True):
    """A Space's away mode and reply preset; ``away`` says whether it is away now."""

    away: bool
    away_now: bool
    away_since: Time | None
    hours_enabled: bool
    hours: Hours
    timezone: str
    away_message: str
    reply_preset: ReplyTime | None
    #: New conversations are given in turn to the admins present in the inbox.
    assign_in_turn: bool


class SavedReply(TypedDict, closed=True):
    id: Id
    title: str
    body: str
    updated_at: Time
    updated_by: Person


class SavedReplyList(TypedDict, closed=True):
    saved_replies: list[SavedReply]


class TypingState(TypedDict, closed=True):
    """Who else on the team is typing an answer in the conversation, and the ids of its newest
    message and note (a page that has not got them loads the conversation again)."""

    typing: bool
    who: list[Person]
    #: Who else has it open, and who is answering it (a soft claim: the others may still
    #: answer, once told).
    viewing: list[Person]
    answering: list[Person]
    last_message_id: int | None
    last_note_id: int | None


#: The message a search found in a conversation: its newest with every word.
SearchMatch = TypedDict(
    "SearchMatch",
    {"id": Id, "from": AdminFrom, "excerpt": str, "created_at": Time},
    closed=True,
)


class SearchResult(TypedDict, closed=True):
    conversation: AdminConversation
    #: Null: found by its member's name only.
    match: SearchMatch | None


class SearchPage(TypedDict, closed=True):
    """The conversations found: by their messages, newest match first, then by name."""

    results: list[SearchResult]


class RecordEntry(TypedDict, closed=True):
    """What one of the team did: ``actor`` null when the Space did it by itself (an away
    answer, a conversation given in turn); ``text`` the answer's or the note's."""

    id: Id
    action: Literal[RECORD_ACTIONS]
    actor: Person | None
    conversation_id: Id | None
    member: Person | None
    detail: str
    text: str | None
    created_at: Time


class RecordPage(TypedDict, closed=True):
    entries: list[RecordEntry]
    next_cursor: Cursor | None
