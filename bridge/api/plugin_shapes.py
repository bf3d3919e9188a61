"""The JSON shapes of the plugin's signed calls as types: WordPress' events and the
privacy exporter's and eraser's pages (the API's other shapes are in :mod:`bridge.api.shapes`,
whose base types these use).
"""

# No ``from __future__ import annotations``: the keys' annotations are evaluated, so that
# __required_keys__ and __optional_keys__ see NotRequired.
from typing import Annotated, Any, Literal, NotRequired

from pydantic import Field
from typing_extensions import TypedDict

from bridge.api.shapes import Count, Id
from bridge.limits import EVENTS_PER_CALL, PRIVACY_PAGE, PRIVACY_PAGE_MAX

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


class PrivacyErase(TypedDict, closed=True):
    items_removed: bool
    items_retained: bool
    messages: list[str]
