"""The JSON shapes of the API as types: what each query and request body may hold and
what each answer holds, key by key.

The Space team's own shapes are in :mod:`bridge.api.team_shapes`. The views take their
query and body typed with these (:mod:`bridge.api.openapi` validates
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
    CURSOR_MAX,
    MAX_ID,
    PAGE_MAX,
    PUSH_AUTH_MAX,
    PUSH_ENDPOINT_MAX,
    PUSH_KEY_MAX,
    REPLY_TIMES,
    REPORT_DETAILS_MAX,
    REPORT_REASONS,
    SAVED_REPLY_TITLE_MAX,
    STATUSES,
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


class MessagesQuery(TypedDict):
    """A page of messages, newest first: ``before`` is the last page's ``next_before``."""

    before: NotRequired[QueryId]
    limit: NotRequired[QueryLimit]


class SendBody(TypedDict):
    """A message: the body counts once trimmed; a send again with the same client_key is a
    retry."""

    body: Text
    client_key: Annotated[str, Field(pattern=f"^(?:{CLIENT_KEY_PATTERN})$")]


#: What "Typically replies within …" says: minutes, an hour, a few hours, a day.
ReplyTime = Literal[REPLY_TIMES]


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


#: A message as its member sees it: no author. ``removed``: an answer the site's moderators
#: hid from the member (its ``body`` is then empty). ``client_key``: on the member's own
#: messages only, the key they were sent with (a page that has not had its send's answer
#: yet knows the message by it).
MemberMessage = TypedDict(
    "MemberMessage",
    {
        "id": Id,
        "from": MemberFrom,
        "body": str,
        "created_at": Time,
        "removed": NotRequired[Literal[True]],
        "client_key": NotRequired[str],
    },
    closed=True,
)

#: The answer to a member's send: the message, and the id of the conversation it is in (their
#: own, created by their first message).
MemberSent = TypedDict(
    "MemberSent",
    {
        "id": Id,
        "conversation_id": Id,
        "from": MemberFrom,
        "body": str,
        "created_at": Time,
        "client_key": NotRequired[str],
    },
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
    #: The Space's answers of this page the member reported to the site's moderators.
    reported_ids: list[Id]


class ReportBody(TypedDict):
    """Why the member reports the Space's answer to the site's moderators, and what they
    add (at most REPORT_DETAILS_MAX characters once trimmed)."""

    reason: Literal[REPORT_REASONS]
    details: NotRequired[Annotated[str, Field(json_schema_extra={"maxLength": REPORT_DETAILS_MAX})]]


class MemberReport(TypedDict, closed=True):
    """A report, as its member sees it: received, and nothing of who wrote the answer."""

    id: Id
    message_id: Id
    reason: Literal[REPORT_REASONS]
    created_at: Time


class SpaceTyping(TypedDict, closed=True):
    """Whether the Space is typing an answer to the member (someone on its team, never who),
    and the id of the conversation's newest message (a page that has not got it, say one
    the member sent from another device, loads the conversation again)."""

    typing: bool
    last_message_id: int | None


# -- answers: the public's ------------------------------------------------------------


class ResponseTime(TypedDict, closed=True):
    """What members are told of how fast a Space answers; nothing per admin."""

    typically: ReplyTime | None
    source: Literal["figures", "preset"] | None
    very_responsive: bool


# -- how a person is told ------------------------------------------------------------------


class MemberChoiceBody(TypedDict, closed=True):
    """How to be told of answers; what is left out stays."""

    email: NotRequired[bool]
    push: NotRequired[bool]


class MemberChoice(TypedDict, closed=True):
    """How a member is told of the answers of every Space: by e-mail (the answers that came
    within the site's delay in one, none that was read first), by push on the devices where
    they turned it on; ``chosen``: their own choice, else the site's defaults."""

    email: bool
    push: bool
    chosen: bool


class TeamChoiceBody(TypedDict, closed=True):
    """How to be told of a Space's new messages; what is left out stays."""

    email: NotRequired[bool]
    push: NotRequired[bool]
    outside_hours: NotRequired[bool]


class TeamChoice(TypedDict, closed=True):
    """How an admin is told of a Space's new messages: by e-mail (those within the site's
    delay in one, none the team read first), by push, and outside the Space's opening hours
    too (else when it opens); none of them: muted. ``chosen``: their own choice, else the
    site's defaults."""

    email: bool
    push: bool
    outside_hours: bool
    chosen: bool


class PushKeys(TypedDict):
    """The subscription's keys (RFC 8291), base64url: the device's P-256 public key and its
    authentication secret."""

    p256dh: Annotated[str, Field(min_length=1, max_length=PUSH_KEY_MAX)]
    auth: Annotated[str, Field(min_length=1, max_length=PUSH_AUTH_MAX)]


class PushSubscriptionBody(TypedDict):
    """A device's Web Push subscription, as ``PushSubscription.toJSON()`` gives it."""

    endpoint: Annotated[str, Field(min_length=1, max_length=PUSH_ENDPOINT_MAX)]
    keys: PushKeys


class PushSubscribed(TypedDict, closed=True):
    """The device's subscription, kept."""

    id: int


class PushEndpointQuery(TypedDict):
    """The device whose pushes end: its subscription's endpoint."""

    endpoint: Annotated[str, Field(min_length=1, max_length=PUSH_ENDPOINT_MAX)]
