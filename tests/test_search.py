"""Search through the HTTP API with real WordPress logins, on MariaDB's FULLTEXT index: a
Space's team finds its conversations by the words of their messages (each the start of a
word, every word of the query) and by the member's name, with the message around the
words; another Space's words are never found; common words (read newest first instead of
through the index) give the same answers as rare ones; an erased member's words go with
them; an upgraded site's existing messages are searchable."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import delete, func, select

from bridge.inbox import search
from bridge.limits import EXCERPT_LEN, SEARCH_QUERY_MAX
from bridge.storage import migrate
from bridge.storage.tables import tables
from devstack.callers import (
    OTHER_SPACE,
    PREFIX,
    SPACE,
    conversation_id,
    reply,
    send,
    signed_post,
)

T = tables(PREFIX)


def _search(client, caller, q, space=SPACE, **query):
    return client.get(
        f"/api/v1/spaces/{space}/search",
        query_string={"q": q, **query},
        headers=caller.headers(),
    )


def _found(client, caller, q, space=SPACE) -> list[tuple[str, str | None]]:
    """(member's name, the match's excerpt or None) of each result, in order."""
    answer = _search(client, caller, q, space)
    assert answer.status_code == 200, answer.get_json()
    return [
        (r["conversation"]["member"]["name"], r["match"] and r["match"]["excerpt"])
        for r in answer.get_json()["results"]
    ]


@pytest.fixture
def talks(client, world):
    """The member and the other member each talk with SPACE; someone else's Space hears
    the same words."""
    member, other, ada = world["member"], world["other_member"], world["admin"]
    send(client, member, SPACE, "Do you deliver a wedding cake on Saturday?")
    mine = conversation_id(client, ada, SPACE, member)
    reply(client, ada, SPACE, mine, "Yes, delivery is free over fifty euros.")
    send(client, member, SPACE, "Great, and a café table for the DELIVERY man?")
    send(client, other, SPACE, "Is the terrace open at lunch?")
    send(client, member, OTHER_SPACE, "Wedding cake delivery please")
    return mine, conversation_id(client, ada, SPACE, other)


def test_words_find_the_conversations_that_hold_them(client, world, talks):
    ada = world["admin"]
    mine, theirs = talks
    answer = _search(client, ada, "deliv")
    assert answer.status_code == 200, answer.get_json()
    results = answer.get_json()["results"]
    # One result a conversation, by its newest message with the word ("DELIVERY").
    assert [r["conversation"]["id"] for r in results] == [mine]
    match = results[0]["match"]
    assert match["from"] == "member" and match["excerpt"].startswith("Great, and a café")
    assert results[0]["conversation"]["member"]["name"] == "Maya Member"
    # Every word, each the start of a word, in any case and any order, accents or not.
    assert _found(client, ada, "CAKE wedding") == [
        ("Maya Member", "Do you deliver a wedding cake on Saturday?")
    ]
    assert _found(client, ada, "café") == [
        ("Maya Member", "Great, and a café table for the DELIVERY man?")
    ]
    assert _found(client, ada, "CAFE") == _found(client, ada, "café")
    assert _found(client, ada, "wedding terrace") == []
    assert _found(client, ada, "ivery") == []  # not the start of a word
    # The Space's answers too, and punctuation is no word.
    assert _found(client, ada, "euros!") == [
        ("Maya Member", "Yes, delivery is free over fifty euros.")
    ]
    # Short and common words are words like the others.
    assert _found(client, ada, "the terrace") == [("Otto Other", "Is the terrace open at lunch?")]
    assert _found(client, ada, "a") != []
    # The member's name finds their conversation, with no message.
    assert _found(client, ada, "otto") == [("Otto Other", None)]
    assert _found(client, ada, "Maya Mem") == [("Maya Member", None)]
    # Site administrators search too; another Space's team finds its own words only.
    assert _found(client, world["site_admin"], "terrace") == [
        ("Otto Other", "Is the terrace open at lunch?")
    ]
    olga = world["other_space_admin"]
    assert _found(client, olga, "delivery", OTHER_SPACE) == [
        ("Maya Member", "Wedding cake delivery please")
    ]
    assert _found(client, olga, "terrace", OTHER_SPACE) == []
    assert _found(client, olga, "otto", OTHER_SPACE) == []


def test_a_query_needs_a_word_and_a_bound(client, world, talks):
    ada = world["admin"]
    for q, code in (
        ("", "invalid_q"),
        ("?!- +*", "invalid_q"),
        ("x" * (SEARCH_QUERY_MAX + 1), "invalid_q"),
    ):
        answer = _search(client, ada, q)
        assert answer.status_code == 400 and answer.get_json()["code"] == code, q
    # Operators of MariaDB's boolean mode and LIKE's wildcards are text, not syntax.
    for q in ("+deliv -cake", '"wedding cake"', "deliv*", "%", "_", "(cake) ~wedding @2", "\\"):
        answer = _search(client, ada, q)
        assert answer.status_code in (200, 400), (q, answer.get_json())
    assert _found(client, ada, "+deliv -cake") == [
        ("Maya Member", "Do you deliver a wedding cake on Saturday?")
    ]
    assert _found(client, ada, "_") == []
    assert _search(client, ada, "%").get_json()["code"] == "invalid_q"
    # Members cannot search a Space.
    assert _search(client, world["member"], "deliv").status_code == 403


def test_common_words_give_the_same_answers_as_rare_ones(client, world, talks, monkeypatch):
    """Where the index holds more than FEW matches the newest messages are read instead,
    and the newest conversations where more than FEW_NAMES users have the name: with both
    at their least, every query takes those ways, and answers the same."""
    ada = world["admin"]
    queries = ["deliv", "cake wedding", "a", "the", "euros", "otto", "is"]
    through_the_index = {q: _found(client, ada, q) for q in queries}
    monkeypatch.setattr(search, "FEW", 1)
    monkeypatch.setattr(search, "FEW_NAMES", 0)
    assert {q: _found(client, ada, q) for q in queries} == through_the_index


def test_the_limit_and_the_excerpt(client, world, talks):
    ada = world["admin"]
    assert len(_search(client, ada, "is").get_json()["results"]) == 2
    assert len(_search(client, ada, "is", limit=1).get_json()["results"]) == 1
    long = "word " * 60 + "the parcel never came " + "more text " * 40
    send(client, world["member"], SPACE, long)
    found = _search(client, ada, "parcel", limit=1).get_json()["results"]
    excerpt = found[0]["match"]["excerpt"]
    assert len(excerpt) <= EXCERPT_LEN and "the parcel never came" in excerpt
    assert excerpt.startswith("…") and excerpt.endswith("…")


def test_an_erased_member_is_not_found_any_more(app, client, world, talks):
    ada, member = world["admin"], world["member"]
    assert _found(client, ada, "wedding")
    erased = signed_post(client, "/api/v1/privacy/erase", {"user_id": member.user_id})
    assert erased.status_code == 200
    assert _found(client, ada, "wedding") == []
    with app.extensions["space_inbox_engine"].connect() as c:
        w = T.message_words
        left = c.execute(select(func.count()).select_from(w)).scalar()
        assert left == c.execute(select(func.count()).select_from(T.messages)).scalar() == 1


def test_an_upgraded_sites_messages_are_searchable(app, client, world, talks):
    """The migration fills the words of the messages a site already has."""
    ada = world["admin"]
    before = {q: _found(client, ada, q) for q in ("deliv", "terrace", "wedding cake")}
    engine = app.extensions["space_inbox_engine"]
    with engine.begin() as c:
        command.downgrade(migrate._config(c, PREFIX), "0009")
    assert migrate.upgrade(engine, PREFIX) == ("0009", migrate.head_revision())
    assert {q: _found(client, ada, q) for q in before} == before
    with engine.begin() as c:
        c.execute(delete(T.message_words))
    assert _found(client, ada, "terrace") == []
