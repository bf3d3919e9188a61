"""Search across a Space's conversations, for its team: the words of its messages and its
members' names.

Every message's words are kept in ``message_words``, each prefixed with its Space
(``s12_delivery``), under a FULLTEXT index: a Space's query reads its own words only, and
no word is too short or too common for the index (InnoDB's minimum length and stop words
see the prefixed word). A query's words must all be in a message, each as the start of a
word (``deliv`` finds "delivery").

InnoDB's FULLTEXT answers quickly while its matches are few, and slowly when they are
thousands (every match is fetched to be ordered). So a query first asks the index for up
to FEW matches: when there are no more, they are all of them; when there are, the words
are common in this Space, and its newest messages are read instead, newest first, until
enough match (few rows to read, for words that common). Names go the same way: the
users whose name holds the query first, the Space's newest conversations where they are
many.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Row, and_, select
from sqlalchemy.orm import Session

from bridge.inbox.statements import send_statements
from bridge.limits import EXCERPT_LEN, SEARCH_WORDS_MAX
from bridge.refusals import BadInput
from bridge.storage.db import tables_of

#: A word, as the index sees it (letters, digits and ``_``, in any script).
WORD = re.compile(r"\w+")
#: Matches the index is asked for before the newest messages are read instead.
FEW = 200
#: Matching messages read at most, newest first, where the words are common.
NEWEST = 200
#: Users whose name holds a query, read before the Space's newest conversations are read
#: instead.
FEW_NAMES = 2000


def words_of(space_id: int, text: str) -> str:
    """Return a message's words as the index keeps them: each prefixed with its Space, one
    space before each (a ``LIKE '% s12_deliv%'`` finds the start of a word)."""
    return "".join(f" s{space_id}_{w}" for w in WORD.findall(text.lower()))


def index_message(
    session: Session, message_id: int, space_id: int, conversation_id: int, body: str
) -> None:
    """Keep a new message's words for search (in the transaction that writes it)."""
    session.execute(
        send_statements(tables_of(session)).words,
        {
            "message_id": message_id,
            "space_id": space_id,
            "conversation_id": conversation_id,
            "words": words_of(space_id, body),
        },
    )


def terms_of(query: str) -> list[str]:
    """Return a query's words (at most SEARCH_WORDS_MAX, lower case).

    :raises BadInput: ``invalid_q`` for a query without a word.
    """
    terms = list(dict.fromkeys(WORD.findall(query.lower())))[:SEARCH_WORDS_MAX]
    if not terms:
        raise BadInput("invalid_q", "Search for at least one word.")
    return terms


@dataclass(frozen=True)
class Found:
    """A conversation a search found: by a message (its newest match), or by its member's
    name only (``message_id`` None)."""

    conversation_id: int
    message_id: int | None


def _matches(session: Session, space_id: int, terms: list[str]) -> list[Row]:
    """The Space's messages with every term, newest first: every one, where the index has
    at most FEW; else the newest NEWEST."""
    w = tables_of(session).message_words
    against = " ".join(f"+s{space_id}_{t}*" for t in terms)
    found = session.execute(
        select(w.c.message_id, w.c.conversation_id).where(w.c.words.match(against)).limit(FEW + 1)
    ).all()
    if len(found) <= FEW:
        return sorted(found, key=lambda r: r.message_id, reverse=True)
    likes = [w.c.words.like(f"% {_escaped(f's{space_id}_{t}')}%", escape="\\") for t in terms]
    return session.execute(
        select(w.c.message_id, w.c.conversation_id)
        .where(w.c.space_id == space_id, and_(*likes))
        .order_by(w.c.message_id.desc())
        .limit(NEWEST)
    ).all()


def _escaped(text: str) -> str:
    """Text for a LIKE pattern, its wildcards and the escape character taken literally."""
    return re.sub(r"([\\%_])", r"\\\1", text)


def _by_name(session: Session, space_id: int, query: str, limit: int) -> list[int]:
    """The Space's conversations whose member's name holds the query, newest first.

    The site's users whose name holds it are read first (few, for most queries); where
    they are more than FEW_NAMES, the name is common, and the Space's newest conversations
    are read instead until enough match."""
    t = tables_of(session)
    c, u = t.conversations, t.users
    pattern = f"%{_escaped(' '.join(query.split()))}%"
    named = u.c.display_name.like(pattern, escape="\\")
    people = session.scalars(select(u.c.ID).where(named).limit(FEW_NAMES + 1)).all()
    newest = (
        select(c.c.id)
        .where(c.c.space_id == space_id, c.c.last_message_id.is_not(None))
        .order_by(c.c.last_message_at.desc(), c.c.id.desc())
        .limit(limit)
    )
    if not people:
        return []
    if len(people) <= FEW_NAMES:
        return list(session.scalars(newest.where(c.c.member_id.in_(people))))
    return list(session.scalars(newest.join(u, u.c.ID == c.c.member_id).where(named)))


def find(session: Session, space_id: int, query: str, limit: int) -> list[Found]:
    """Return up to ``limit`` conversations of a Space that a query finds: those with a
    message holding its words (by their newest such message, newest first), then, while
    fewer than ``limit``, those whose member's name holds it.

    :raises BadInput: ``invalid_q`` for a query without a word.
    """
    terms = terms_of(query)
    found: dict[int, Found] = {}
    for row in _matches(session, space_id, terms):
        if len(found) >= limit:
            break
        found.setdefault(row.conversation_id, Found(row.conversation_id, row.message_id))
    if len(found) >= limit:
        return list(found.values())  # The names could add nothing: not read.
    for conversation_id in _by_name(session, space_id, query, limit):
        if len(found) >= limit:
            break
        found.setdefault(conversation_id, Found(conversation_id, None))
    return list(found.values())


def messages_of(session: Session, message_ids: list[int]) -> dict[int, Row]:
    """The messages a search found, by id (``direction``, ``body``, ``created_at``)."""
    m = tables_of(session).messages
    if not message_ids:
        return {}
    rows = session.execute(
        select(m.c.id, m.c.direction, m.c.body, m.c.created_at).where(m.c.id.in_(message_ids))
    )
    return {r.id: r for r in rows}


def excerpt_around(body: str, terms: list[str]) -> str:
    """Return up to EXCERPT_LEN characters of a message on one line, from a little before
    its first word that starts with a term, "…" where it was cut."""
    line = " ".join(body.split())
    if len(line) <= EXCERPT_LEN:
        return line
    hits = [m.start() for t in terms if (m := re.search(rf"(?<!\w){re.escape(t)}", line, re.I))]
    at = min(hits, default=0)
    start = line.rfind(" ", 0, at - EXCERPT_LEN // 3 + 1) + 1 if at > EXCERPT_LEN // 3 else 0
    start = min(start, len(line) - (EXCERPT_LEN - 1))  # full to the end rather than short
    text = line[start : start + EXCERPT_LEN - 2]
    return ("…" if start else "") + text + ("…" if start + len(text) < len(line) else "")
