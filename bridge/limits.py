"""Every limit of the inbox API, in one place.

The rules check input against these; the OpenAPI document describes them; the plugin and
the browser get them from ``wp_plugin/includes/class-space-inbox-limits.php``, which
``tools/make-limits`` writes from this module (a test fails when it is out of date).
"""

from __future__ import annotations

#: The longest message, in characters (after trimming; line breaks count as one).
BODY_MAX = 2000
#: How much of a message lists and notifications show, in characters.
EXCERPT_LEN = 140
#: A client key, which makes a send idempotent: a UUID fits.
CLIENT_KEY_PATTERN = r"[A-Za-z0-9._:-]{1,64}"
CLIENT_KEY_MAX = 64
#: The statuses of a conversation in a Space's inbox.
STATUSES = ("open", "done")
#: WordPress ids and ours are BIGINT UNSIGNED.
MAX_ID = 2**64 - 1
#: The most rows a page of a list may ask for (``limit``); the default is the
#: ``PAGE_SIZE`` setting.
PAGE_MAX = 100
#: The longest cursor this API gives out.
CURSOR_MAX = 64
#: Events per signed call from the plugin.
EVENTS_PER_CALL = 500
#: The largest team a ``space.upserted`` event may name.
TEAM_MAX = 1000
#: The longest text of each field of a ``space.upserted`` event.
SPACE_FIELD_MAX = {"name": 255, "slug": 200, "url": 2048, "avatar_url": 2048}
#: Items per page of WordPress' personal data exporter, and the highest page asked for.
PRIVACY_PAGE = 100
PRIVACY_PAGE_MAX = 100_000
#: Saved replies a Space may keep, and the longest title of one.
SAVED_REPLIES_MAX = 100
SAVED_REPLY_TITLE_MAX = 100
#: Labels a Space may keep, the longest name of one, and the colours a label may take (the
#: inbox draws each in its own readable light and dark pair).
LABELS_MAX = 50
LABEL_NAME_MAX = 40
LABEL_COLOURS = ("grey", "red", "orange", "yellow", "green", "teal", "blue", "purple", "pink")
#: What a Space's record holds, as its audit names them (``read`` only when asked for).
RECORD_ACTIONS = (
    "reply",
    "away_answer",
    "note",
    "assign",
    "label",
    "labels",
    "status",
    "block",
    "unblock",
    "settings",
    "answer_hidden",
    "answer_shown",
    "read",
)
#: Why a member reports a Space's answer to the site's moderators, and the longest note
#: they may add.
REPORT_REASONS = ("spam", "harassment", "hate", "scam", "inappropriate", "other")
REPORT_DETAILS_MAX = 500
#: The longest outcome a moderator writes when closing a report.
REPORT_OUTCOME_MAX = 255
#: The longest Web Push endpoint a device may give (push services' are a few hundred).
PUSH_ENDPOINT_MAX = 2048
#: A device's P-256 public key, base64url (65 bytes: 87 characters), with room.
PUSH_KEY_MAX = 100
#: A device's authentication secret, base64url (16 bytes: 22 characters), with room.
PUSH_AUTH_MAX = 32

#: The longest search query, and the most words of it searched for.
SEARCH_QUERY_MAX = 100
SEARCH_WORDS_MAX = 8
#: Seconds an admin counts as typing after their page last said so.
TYPING_SECONDS = 8
#: Seconds an admin counts as viewing a conversation after their page last said so (pages
#: say so every third of it), and seconds their answering claims it after their last
#: keystroke, unless they send or leave first.
VIEWING_SECONDS = 45
CLAIM_SECONDS = 180
#: Seconds an admin counts as present in a Space's inbox after their page last said so (a
#: page with the team's inbox says so every quarter of it): who new conversations are
#: given to, in turn, where the Space asks for it.
HERE_SECONDS = 120
#: What "Typically replies within ..." may say (a preset, or what the figures show).
REPLY_TIMES = ("minutes", "hour", "hours", "day")
#: The days of weekly opening hours, and the opening intervals a day may have.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
INTERVALS_PER_DAY = 3
#: The largest request body the bridge reads, in bytes (its default ``MAX_CONTENT_LENGTH``),
#: and the largest the plugin's proxy forwards.
REQUEST_BODY_MAX = 256 * 1024
#: Seconds a signed call's timestamp may be off the receiver's clock, either way (the
#: bridge's default ``SIGNATURE_MAX_SKEW``, and the plugin's for the bridge's calls).
SIGNATURE_MAX_SKEW = 300
#: Seconds the plugin and its proxy wait for the bridge.
CALL_TIMEOUT = 5
#: Seconds a page being drawn waits for the bridge (a Space's reply time).
PAGE_TIMEOUT = 2
#: A time of day in opening hours, "HH:MM", "24:00" ending the day.
CLOCK_PATTERN = r"(?:[01]\d|2[0-3]):[0-5]\d|24:00"
