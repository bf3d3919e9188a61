"""The JSON shapes of the API as types: what each query and request body may hold and
what each answer holds, key by key.

The views take their query and body typed with these (:mod:`bridge.api.openapi` validates
them, with the limits of :mod:`bridge.limits`, before the view runs), the serializers
(:mod:`bridge.api.serializers`) return the answer types, and the OpenAPI document is generated
from them. Rules beyond a value's type and size (a message's text once trimmed, opening
hours in order, a time zone that exists) are the inbox's, with their own error codes.

Every answer type is closed (``closed=True``): an answer holds these keys and no other, so
the document (and the fuzz test that holds the bridge to it) refuses a stray key, above all
in what a member sees. The plugin's bodies and the settings are closed too: a field they
do not declare is refused (``unknown_field``); other bodies ignore fields they do not
declare (a member cannot set an author or a Space that way). Types with a ``from`` key
use the functional syntax (it is a keyword).
"""

# No ``from __future__ import annotations``: the keys' annotations are evaluated, so that
# __required_keys__ and __optional_keys__ see NotRequired.
from typing import Annotated, Any, Literal, NotRequired

from pydantic import BeforeValidator, Field
from typing_extensions import TypedDict

from bridge.limits import (
    BODY_MAX,
    CLIENT_KEY_PATTERN,
    CLOCK_PATTERN,
    CURSOR_MAX,
    INTERVALS_PER_DAY,
    MAX_ID,
    PAGE_MAX,
    REPLY_TIMES,
    SAVED_REPLY_TITLE_MAX,
    STATUSES,
    WEEKDAYS,
)

# -- values ------------------------------------------------------------------------------

#: A WordPress id or one of ours (BIGINT UNSIGNED, never 0).
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
#: A number of messages or conversations.
Count = Annotated[int, Field(ge=0)]
#: An ISO 8601 UTC time, as :func:`bridge.inbox.values.iso` writes it.
Time = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
#: A conversation's status, one of ``STATUSES`` ("open", "done"): ``Literal`` of a tuple is
#: ``Literal`` of its items.
Status = Literal[STATUSES]
#: The ``limit`` of a page.
Limit = Annotated[int, Field(ge=1, le=PAGE_MAX)]
#: A keyset cursor, as the API gives it out.
Cursor = Annotated[str, Field(max_length=CURSOR_MAX)]


def _digits(value: Any) -> Any:
    """A whole number in a query string is ASCII digits, nothing else ("+5", "5.0" and "５"
    are not)."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit() and len(value) <= 20):
        raise ValueError("not a whole number")
    return value


#: A page size or an id in a query string.
QueryLimit = Annotated[Limit, BeforeValidator(_digits)]
QueryId = Annotated[Id, BeforeValidator(_digits)]
#: A message's text, and a saved reply's title: 1 to BODY_MAX (SAVED_REPLY_TITLE_MAX)
#: characters once trimmed (once their spaces are folded). The inbox's rules count them
#: (:func:`bridge.inbox.values.clean_body`, :func:`bridge.inbox.saved_replies.clean_title`),
#: with their own codes; the document says the bounds.
Text = Annotated[str, Field(json_schema_extra={"minLength": 1, "maxLength": BODY_MAX})]
Title = Annotated[
    str, Field(json_schema_extra={"minLength": 1, "maxLength": SAVED_REPLY_TITLE_MAX})
]
#: Who wrote a message, as a member sees it: themselves or the Space, never a person.
MemberFrom = Literal["me", "space"]
#: Who wrote a message, as the Space's team sees it (a Space message's admin is its author).
AdminFrom = Literal["member", "space"]


# -- requests ----------------------------------------------------------------------------


class ListQuery(TypedDict):
    """A page of conversations: ``cursor`` is the last page's ``next_cursor``."""

    cursor: NotRequired[Cursor]
    limit: NotRequired[QueryLimit]


class SpaceListQuery(ListQuery):
    """A page of a Space's conversations, all or only those open or done; all, or only the
    caller's (``assignee=me``) or those left to the team (``assignee=none``)."""

    status: NotRequired[Status]
    assignee: NotRequired[Literal["me", "none"]]


class MessagesQuery(TypedDict):
    """A page of messages, newest first: ``before`` is the last page's ``next_before``."""

    before: NotRequired[QueryId]
    limit: NotRequired[QueryLimit]


class SendBody(TypedDict):
    """A message: the body counts once trimmed; a send again with the same client_key is a
    retry."""

    body: Text
    client_key: Annotated[str, Field(pattern=f"^(?:{CLIENT_KEY_PATTERN})$")]


class ReplyBody(SendBody):
    """An answer; ``seen_id`` is the newest message the admin had seen: when another answer
    came after it, the answer is refused with 409 ``answered_meanwhile``."""

    seen_id: NotRequired[Id]


#: What "Typically replies within …" says: minutes, an hour, a few hours, a day.
ReplyTime = Literal[REPLY_TIMES]
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


# -- answers: the service ----------------------------------------------------------------


class Error(TypedDict, closed=True):
    """Every error, whatever the status."""

    code: str
    message: str
    description: NotRequired[str]


class SchemaRevision(TypedDict, closed=True):
    current: str | None
    head: str


class DispatcherPasses(TypedDict, closed=True):
    process: int
    passes: int


class Health(TypedDict, closed=True):
    status: Literal["ok", "schema_behind"]
    database: str
    schema: SchemaRevision
    #: Whether this process serves live streams (Redis and an event-loop worker).
    live: bool
    #: This process, and the passes its notification dispatcher has made (0: none runs).
    dispatcher: DispatcherPasses


# -- answers: a member's -----------------------------------------------------------------


class SpaceUnread(TypedDict, closed=True):
    """A Space the caller administers, with its unread conversations."""

    id: Id
    name: str
    unread: Count


class Summary(TypedDict, closed=True):
    """The header badge's counts; ``spaces`` only for a Space admin."""

    unread: Count
    conversations_unread: Count
    inbox_url: str
    spaces: NotRequired[list[SpaceUnread]]


class MemberSpace(TypedDict, closed=True):
    """A Space as a member sees it: whether it takes their messages, never who decided."""

    id: Id
    name: str
    avatar_url: str
    url: str
    accepting_messages: bool


MemberLastMessage = TypedDict(
    "MemberLastMessage",
    {"excerpt": str, "from": MemberFrom, "created_at": Time},
    closed=True,
)


class MemberConversation(TypedDict, closed=True):
    space: MemberSpace
    last_message: MemberLastMessage | None
    unread: Count


#: A message as its member sees it: no author.
MemberMessage = TypedDict(
    "MemberMessage",
    {"id": Id, "from": MemberFrom, "body": str, "created_at": Time},
    closed=True,
)

#: The answer to a member's send: the message, and the id of the conversation it is in (their
#: own, created by their first message).
MemberSent = TypedDict(
    "MemberSent",
    {"id": Id, "conversation_id": Id, "from": MemberFrom, "body": str, "created_at": Time},
    closed=True,
)


class MemberConversationPage(TypedDict, closed=True):
    conversations: list[MemberConversation]
    next_cursor: Cursor | None


class MemberMessagePage(TypedDict, closed=True):
    space: MemberSpace
    messages: list[MemberMessage]
    next_before: Id | None
    unread: Count
    #: The newest message of the conversation the Space has read: the member's messages up
    #: to it are "Seen" (by the Space, never by a person).
    space_seen_id: Id | None


class SpaceTyping(TypedDict, closed=True):
    """Whether the Space is typing an answer to the member (someone on its team, never who),
    and the id of the conversation's newest message (a page that has not got it, say one
    the member sent from another device, loads the conversation again)."""

    typing: bool
    last_message_id: int | None


# -- answers: a Space team's -------------------------------------------------------------


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


class ResponseTime(TypedDict, closed=True):
    """What members are told of how fast a Space answers; nothing per admin."""

    typically: ReplyTime | None
    source: Literal["figures", "preset"] | None
    very_responsive: bool


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
