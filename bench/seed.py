"""Benchmark datasets: members, Spaces, conversations and messages, seeded in bulk.

A dataset lives in its own database (a real WordPress, the plugin active, the bridge's
schema migrated) and is kept for the next run: the option ``space_inbox_bench_dataset``
records what was seeded, and a run whose dataset, generator and schema versions match
seeds nothing. Rows are generated with numpy from a fixed seed and written with
multi-row INSERTs straight into WordPress' ``users``/``usermeta`` and the bridge's
tables, with every counter consistent with the messages (last message, unread counts
and read marks on both sides, first-response bookkeeping) and the Spaces' waiting periods
(``response_periods``) written from them, as the bridge would have left them.

The messages span the ``SPAN_DAYS`` before the seeding, so that the response figures'
30-day window holds a third of them; a kept dataset older than ``MAX_AGE`` is seeded
again, since its window would empty as it ages.

Members with real logins ("cookie members") get a fresh WordPress session each run:
one PHP call creates the session tokens with ``WP_Session_Tokens`` and prints the
``wordpress_logged_in_*`` cookies and ``wp_rest`` nonces that WordPress itself makes.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pymysql

from bench.servers import BenchSite
from bridge.inbox.search import words_of
from bridge.storage.migrate import head_revision
from bridge.storage.tables import tables
from devstack.wordpress import php_str

#: Bump when the generator changes what it writes: kept datasets are then seeded again.
DATASET_VERSION = 3
MARKER = "space_inbox_bench_dataset"
#: Bench members get user ids from here up (the WordPress install's admin is 1).
USER_BASE = 1000
#: Admins of each Space of the send test (the fan-out).
SEND_FANOUT = 5
#: Rows per INSERT statement.
CHUNK = 5000
SEED = 20261125
#: The messages are spread evenly over this many days before the seeding.
SPAN_DAYS = 90
#: A kept dataset seeded longer ago than this is seeded again (its messages' share in the
#: response figures' 30-day window shrinks as it ages: from a third to 29/90 in a day).
MAX_AGE = timedelta(days=1)


@dataclass(frozen=True)
class Size:
    """How big a dataset is."""

    name: str
    members: int
    spaces: int
    conversations: int
    messages: int
    #: Members with a real WordPress session (the load rotates over their cookies).
    cookies: int
    #: Spaces whose admins the list and message-page tests use (the biggest ones).
    top_spaces: int = 20
    #: Extra Spaces with SEND_FANOUT admins and no history, for the send test.
    send_spaces: int = 20


SIZES = {
    "tiny": Size(
        "tiny",
        members=80,
        spaces=8,
        conversations=150,
        messages=800,
        cookies=40,
        top_spaces=3,
        send_spaces=3,
    ),
    "small": Size(
        "small", members=1_000, spaces=100, conversations=2_000, messages=10_000, cookies=800
    ),
    "large": Size(
        "large",
        members=100_000,
        spaces=10_000,
        conversations=200_000,
        messages=1_000_000,
        cookies=1_000,
    ),
}


@dataclass
class Dataset:
    """What a seeded dataset holds that the load needs (stored in the marker option)."""

    size: Size
    #: (space id, id of an admin with a cookie), biggest Spaces first.
    top_spaces: list[tuple[int, int]]
    #: (space id, conversation id, admin id): long conversations of those Spaces.
    pages: list[tuple[int, int, int]]
    #: Space ids of the send test, each with SEND_FANOUT admins (none a cookie member).
    send_spaces: list[int]
    seconds: float = 0.0
    #: When it was seeded (UTC, ISO 8601): its newest message is about then.
    seeded_at: str = field(default_factory=lambda: _iso(datetime.now(UTC)))

    def cookie_ids(self) -> list[int]:
        """User ids of the cookie members."""
        return list(range(USER_BASE + 1, USER_BASE + 1 + self.size.cookies))

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": DATASET_VERSION,
                "schema": head_revision(),
                "size": asdict(self.size),
                "top_spaces": self.top_spaces,
                "pages": self.pages,
                "send_spaces": self.send_spaces,
                "seconds": round(self.seconds, 1),
                "seeded_at": self.seeded_at,
            }
        )

    def age(self, now: datetime | None = None) -> timedelta:
        """How long ago it was seeded."""
        return (now or datetime.now(UTC)) - datetime.fromisoformat(self.seeded_at)

    @classmethod
    def from_json(cls, text: str | None, size: Size, now: datetime | None = None) -> Dataset | None:
        """The stored dataset, if it is what this code would seed for *size* and no older
        than ``MAX_AGE`` at *now* (default: the present)."""
        try:
            data = json.loads(text or "")
        except ValueError:
            return None
        if (
            not isinstance(data, dict)
            or data.get("version") != DATASET_VERSION
            or data.get("schema") != head_revision()
            or data.get("size") != asdict(size)
        ):
            return None
        try:
            seeded = datetime.fromisoformat(data["seeded_at"])
        except (KeyError, TypeError, ValueError):
            return None
        age = (now or datetime.now(UTC)) - seeded if seeded.tzinfo else None
        if age is None or not timedelta(0) <= age <= MAX_AGE:
            return None
        return cls(
            size,
            [tuple(x) for x in data["top_spaces"]],
            [tuple(x) for x in data["pages"]],
            list(data["send_spaces"]),
            float(data.get("seconds", 0.0)),
            _iso(seeded),
        )


def _iso(when: datetime) -> str:
    """A UTC moment as ISO 8601 text, to the second."""
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


# -- generation ------------------------------------------------------------------------

_WORDS = (
    "hello do you have this in stock can I pick it up tomorrow thanks a lot what are your "
    "opening hours is delivery free for orders over fifty how long does shipping take the "
    "size runs small I would like to book a table for four people on friday evening please "
    "great news we just restocked it yes you can come by after ten we ship within two days "
    "sorry for the wait your order is on its way let us know if anything else comes up"
).split()


def _bodies(rng: np.random.Generator, count: int = 512) -> list[str]:
    """A pool of message bodies, 3 to 40 words, ASCII without quotes or backslashes."""
    out = []
    for _ in range(count):
        n = int(rng.integers(3, 41))
        words = rng.choice(len(_WORDS), n)
        text = " ".join(_WORDS[i] for i in words)
        out.append(text[0].upper() + text[1:] + rng.choice([".", "?", "!"]))
    return out


def _stamps(base: datetime, micros: np.ndarray) -> np.ndarray:
    """DATETIME(6) literals for *base* plus *micros* (integer microseconds)."""
    start = np.datetime64(base.replace(tzinfo=None), "us")
    return np.datetime_as_string(start + micros.astype("timedelta64[us]"), unit="us")


@dataclass
class _Rows:
    admins: list[tuple[int, int]]
    spaces: list[int]
    conv_space: np.ndarray
    conv_member: np.ndarray
    msg_conv: np.ndarray  # conversation index of message id i+1
    msg_member_dir: np.ndarray  # True: from the member
    msg_author: np.ndarray
    msg_body: np.ndarray  # index into the body pool
    counts: np.ndarray


def _generate(size: Size, rng: np.random.Generator) -> tuple[_Rows, Dataset]:
    members = np.arange(USER_BASE + 1, USER_BASE + 1 + size.members, dtype=np.int64)
    cookie_members = members[: size.cookies]
    others = members[size.cookies :] if size.members > size.cookies else members
    space_ids = np.arange(1, size.spaces + 1, dtype=np.int64)

    # Teams: one to three admins; the biggest Spaces are run by cookie members, so the
    # list tests can log in as them; every other Space by anyone.
    admins: list[tuple[int, int]] = []
    team: dict[int, np.ndarray] = {}
    for sid in space_ids.tolist():
        n = 1 + sid % 3
        pool = cookie_members if sid <= size.top_spaces else members
        chosen = rng.choice(pool, size=min(n, len(pool)), replace=False)
        team[sid] = chosen
        admins.extend((sid, int(u)) for u in chosen)
    send_spaces = list(range(size.spaces + 1, size.spaces + 1 + size.send_spaces))
    for sid in send_spaces:
        chosen = rng.choice(others, size=min(SEND_FANOUT, len(others)), replace=False)
        admins.extend((sid, int(u)) for u in chosen)

    # Conversations: Spaces by a Zipf law (a few Spaces hear from many members), members
    # uniformly, one conversation per (Space, member).
    weights = 1.0 / np.arange(1, size.spaces + 1) ** 1.0
    weights /= weights.sum()
    conv_space = rng.choice(space_ids, size=size.conversations, p=weights)
    conv_member = rng.choice(members, size=size.conversations)
    for _ in range(50):
        keys = conv_space * (size.members + USER_BASE + 10) + conv_member
        _, first = np.unique(keys, return_index=True)
        dup = np.ones(len(keys), bool)
        dup[first] = False
        if not dup.any():
            break
        conv_member[dup] = rng.choice(members, size=int(dup.sum()))
    else:  # pragma: no cover - only for absurd sizes
        raise RuntimeError("could not draw distinct (Space, member) pairs")
    # Conversations numbered by Space, so that conversation ids say nothing of age.
    order = rng.permutation(size.conversations)
    conv_space, conv_member = conv_space[order], conv_member[order]

    # Messages: at least one per conversation, the rest heavy-tailed; interleaved in time.
    extra = size.messages - size.conversations
    share = rng.lognormal(0.0, 1.3, size.conversations)
    counts = 1 + rng.multinomial(extra, share / share.sum())
    msg_conv = np.repeat(np.arange(size.conversations), counts)
    rng.shuffle(msg_conv)
    msg_member_dir = rng.random(size.messages) < 0.55
    order = np.argsort(msg_conv, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    msg_member_dir[order[starts]] = True  # every conversation starts with the member
    msg_author = conv_member[msg_conv].copy()
    space_of_msg = conv_space[msg_conv]
    answers = np.flatnonzero(~msg_member_dir)
    pick = rng.integers(0, 3, size=len(answers))
    for i, sid, k in zip(
        answers.tolist(), space_of_msg[answers].tolist(), pick.tolist(), strict=True
    ):
        t = team[sid]
        msg_author[i] = t[k % len(t)]
    msg_body = rng.integers(0, 512, size=size.messages)

    rows = _Rows(
        admins,
        space_ids.tolist() + send_spaces,
        conv_space,
        conv_member,
        msg_conv,
        msg_member_dir,
        msg_author,
        msg_body,
        counts,
    )

    # What the load uses: the biggest Spaces with a cookie admin, and their longest
    # conversations (full message pages).
    per_space = np.bincount(conv_space, minlength=size.spaces + 1)
    run_by_cookie = np.arange(1, min(size.top_spaces, size.spaces) + 1)
    top = [int(s) for s in run_by_cookie[np.argsort(-per_space[run_by_cookie])] if per_space[s] > 0]
    top_spaces = [(sid, int(team[sid][0])) for sid in top]
    pages: list[tuple[int, int, int]] = []
    for sid, admin in top_spaces:
        mine = np.flatnonzero(conv_space == sid)
        longest = mine[np.argsort(-counts[mine])][:10]
        pages.extend((sid, int(c) + 1, admin) for c in longest)
    return rows, Dataset(size, top_spaces, pages, send_spaces)


def _periods(msg_conv: np.ndarray, from_member: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The waiting periods the bridge writes for these messages (message ``i`` has id
    ``i + 1``; ids follow time): the index of the member's message that opened each, and
    of the Space's answer that closed it (-1: still waiting), in the order they opened.

    A member's message opens a period when none is open: it is its conversation's first,
    or the message before it is the Space's; the Space's next answer closes it. (The seed
    has no automatic answers, which close nothing.)
    """
    order = np.argsort(msg_conv, kind="stable")  # by conversation, then by id (time)
    member = from_member[order]
    conv = msg_conv[order]
    first = np.ones(len(order), bool)
    first[1:] = conv[1:] != conv[:-1]
    after_member = np.zeros(len(order), bool)
    after_member[1:] = member[:-1]
    opens = np.flatnonzero(member & (first | ~after_member))
    closes = np.flatnonzero(~member & ~first & after_member)
    # Within a conversation they alternate, opening first: each opening's answer is the
    # next closing, if that is still in the same conversation.
    nxt = np.searchsorted(closes, opens)
    has = nxt < len(closes)
    at = closes[np.minimum(nxt, max(len(closes) - 1, 0))] if len(closes) else opens
    has &= conv[at] == conv[opens]
    opened = order[opens]
    closed = np.where(has, order[at], -1)
    by_time = np.argsort(opened, kind="stable")
    return opened[by_time], closed[by_time]


# -- writing ---------------------------------------------------------------------------


def _insert(
    cur,
    table: str,
    columns: str,
    rows,
    progress: Callable[[str], None] | None = None,
    label: str = "",
) -> None:
    """Multi-row INSERTs of pre-formatted value tuples (strings)."""
    batch: list[str] = []
    total = 0
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            cur.execute(f"INSERT INTO `{table}` ({columns}) VALUES {','.join(batch)}")
            total += len(batch)
            batch = []
            if progress and total % (CHUNK * 40) == 0:
                progress(f"{label}: {total:,} rows")
    if batch:
        cur.execute(f"INSERT INTO `{table}` ({columns}) VALUES {','.join(batch)}")


def _write_words(cur, t, rows: _Rows, bodies: list[str], progress: Callable[[str], None]) -> None:
    """Every message's words for search, as the bridge keeps them; the FULLTEXT index is
    built once they are in (faster than row by row)."""
    w = t.message_words
    # A table made anew without the index, then the index added: MariaDB's FULLTEXT finds
    # nothing when an index dropped from a table is added to it again.
    cur.execute(f"SHOW CREATE TABLE `{w.name}`")
    create = re.sub(r",\s*FULLTEXT KEY `(\w+)` \(`words`\)", "", cur.fetchone()[1])
    index = next(i.name for i in w.indexes if i.dialect_options["mysql"]["prefix"] == "FULLTEXT")
    cur.execute(f"DROP TABLE `{w.name}`")
    cur.execute(create)
    space_of = np.asarray(rows.conv_space)[rows.msg_conv]
    conv_id = rows.msg_conv + 1
    _insert(
        cur,
        w.name,
        "message_id, space_id, conversation_id, words",
        (
            f"({i + 1},{sp},{c},'{words_of(sp, bodies[b])}')"
            for i, (sp, c, b) in enumerate(
                zip(space_of.tolist(), conv_id.tolist(), rows.msg_body.tolist(), strict=True)
            )
        ),
        progress,
        "words",
    )
    cur.execute(f"ALTER TABLE `{w.name}` ADD FULLTEXT KEY `{index}` (words)")


def _write_record(cur, t) -> None:
    """The Spaces' records: an entry for every answer, as the bridge writes one (who wrote
    it, when, which message), in time order."""
    m, c = t.messages.name, t.conversations.name
    cur.execute(
        f"INSERT INTO `{t.audit.name}`"
        " (space_id, actor_id, action, conversation_id, detail, created_at)"
        " SELECT c.space_id, m.author_id, 'reply', m.conversation_id,"
        " CONCAT('message ', m.id), m.created_at"
        f" FROM `{m}` m JOIN `{c}` c ON c.id = m.conversation_id"
        " WHERE m.direction = 'space' ORDER BY m.id"
    )


def _write(
    site: BenchSite, size: Size, rows: _Rows, now: datetime, progress: Callable[[str], None]
) -> None:
    t = tables(site.table_prefix)
    begin = now - timedelta(days=SPAN_DAYS)
    span = SPAN_DAYS * 86400.0
    password = site.php(f"echo wp_hash_password({php_str('bench-password')});").strip()
    bodies = _bodies(np.random.default_rng(SEED + 1))
    conn = site._connect()
    conn.autocommit(False)
    try:
        with conn.cursor() as cur:
            cur.execute("SET SESSION unique_checks = 0, foreign_key_checks = 0")
            # Members: WordPress users with the subscriber role.
            ids = range(USER_BASE + 1, USER_BASE + 1 + size.members)
            registered = begin.strftime("%Y-%m-%d %H:%M:%S")
            _insert(
                cur,
                t.users.name,
                "ID, user_login, user_pass, user_nicename, user_email, user_url,"
                " user_registered, user_activation_key, user_status, display_name",
                (
                    f"({i},'bm{i}','{password}','bm{i}','bm{i}@bench.invalid','','{registered}',"
                    f"'',0,'Member {i - USER_BASE}')"
                    for i in ids
                ),
                progress,
                "users",
            )
            caps = 'a:1:{s:10:"subscriber";b:1;}'
            _insert(
                cur,
                t.usermeta.name,
                "user_id, meta_key, meta_value",
                (
                    f"({i},'{k}','{v}')"
                    for i in ids
                    for k, v in (
                        (f"{site.table_prefix}capabilities", caps),
                        (f"{site.table_prefix}user_level", "0"),
                        ("nickname", f"bm{i}"),
                    )
                ),
                progress,
                "usermeta",
            )
            conn.commit()
            progress(f"{size.members:,} members written")

            stamp = now.strftime("%Y-%m-%d %H:%M:%S")
            _insert(
                cur,
                t.spaces.name,
                "id, name, slug, url, avatar_url, status, updated_at",
                (
                    f"({s},'Space {s}','space-{s}','http://spaces.invalid/space-{s}/','',"
                    f"'active','{stamp}')"
                    for s in rows.spaces
                ),
            )
            _insert(
                cur,
                t.space_admins.name,
                "space_id, user_id",
                (f"({s},{u})" for s, u in rows.admins),
            )
            conn.commit()

            # Messages, in time order (ids follow time).
            m = size.messages
            msg_ids = np.arange(1, m + 1, dtype=np.int64)
            seconds = np.sort(np.random.default_rng(SEED + 2).random(m)) * span
            micros = (seconds * 1e6).astype(np.int64)
            created = _stamps(begin, micros)
            direction = np.where(rows.msg_member_dir, "member", "space")
            conv_id = rows.msg_conv + 1
            _insert(
                cur,
                t.messages.name,
                "id, conversation_id, direction, author_id, body, created_at, client_key",
                (
                    f"({i},{c},'{d}',{a},'{bodies[b]}','{w}','seed-{i}')"
                    for i, c, d, a, b, w in zip(
                        msg_ids.tolist(),
                        conv_id.tolist(),
                        direction.tolist(),
                        rows.msg_author.tolist(),
                        rows.msg_body.tolist(),
                        created.tolist(),
                        strict=True,
                    )
                ),
                progress,
                "messages",
            )
            conn.commit()
            progress(f"{m:,} messages written")
            _write_words(cur, t, rows, bodies, progress)
            conn.commit()
            progress(f"{m:,} messages' words written, and their FULLTEXT index")

            _write_conversations(cur, t, size, rows, created, bodies)
            conn.commit()
            progress(f"{size.conversations:,} conversations written")
            _write_record(cur, t)
            conn.commit()
            progress("the Spaces' records written: an entry for every answer")
            periods = _write_periods(cur, t, rows, micros, created, progress)
            conn.commit()
            progress(f"{periods:,} waiting periods written")
            # A few blocked members, so the list's outer join finds some.
            blocked = sorted(
                {
                    (int(s), int(u))
                    for s, u in zip(rows.conv_space[::997], rows.conv_member[::997], strict=True)
                }
            )
            _insert(
                cur,
                t.blocks.name,
                "space_id, member_id, blocked_by, created_at",
                (f"({s},{u},{USER_BASE + 1},'{stamp}')" for s, u in blocked),
            )
            conn.commit()
            cur.execute(
                f"ANALYZE TABLE `{t.messages.name}`, `{t.conversations.name}`,"
                f" `{t.users.name}`, `{t.usermeta.name}`, `{t.space_admins.name}`,"
                f" `{t.response_periods.name}`, `{t.audit.name}`"
            )
            cur.fetchall()
    finally:
        conn.close()


def _write_periods(
    cur,
    t,
    rows: _Rows,
    micros: np.ndarray,
    created: np.ndarray,
    progress: Callable[[str], None],
) -> int:
    """The Spaces' waiting periods (:func:`_periods`), as the bridge writes them: opened at
    the member's message, closed by the answer, its author, and the time between in whole
    milliseconds (no Space is ever away in the seed). Returns how many."""
    opened, closed = _periods(rows.msg_conv, rows.msg_member_dir)
    answered = closed >= 0
    conv = rows.msg_conv[opened]
    space = rows.conv_space[conv].tolist()
    ms = np.where(answered, (micros[closed] - micros[opened]) // 1000, 0).tolist()
    by = np.where(answered, rows.msg_author[closed], 0).tolist()
    _insert(
        cur,
        t.response_periods.name,
        "space_id, conversation_id, opened_at, closed_at, answered_by, response_ms",
        (
            f"({s},{c},'{created[o]}','{created[k]}',{b},{w})"
            if k >= 0
            else f"({s},{c},'{created[o]}',NULL,NULL,NULL)"
            for s, c, o, k, b, w in zip(
                space,
                (conv + 1).tolist(),
                opened.tolist(),
                closed.tolist(),
                by,
                ms,
                strict=True,
            )
        ),
        progress,
        "waiting periods",
    )
    return len(opened)


def _write_conversations(
    cur, t, size: Size, rows: _Rows, created: np.ndarray, bodies: list[str]
) -> None:
    rng = np.random.default_rng(SEED + 3)
    counts = rows.counts
    n = size.conversations
    order = np.argsort(rows.msg_conv, kind="stable")  # message indexes, by conversation
    sorted_ids = order.astype(np.int64) + 1
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    ends = starts + counts - 1
    member = rows.msg_member_dir[order]
    first_id = sorted_ids[starts]
    last_id = sorted_ids[ends]
    last_member = rows.msg_member_dir[last_id - 1]
    big = np.int64(2**62)
    first_space = np.minimum.reduceat(np.where(member, big, sorted_ids), starts)
    last_space = np.maximum.reduceat(np.where(member, 0, sorted_ids), starts)
    awaiting = np.minimum.reduceat(
        np.where(member & (sorted_ids > np.repeat(last_space, counts)), sorted_ids, big), starts
    )

    def read_marks(p_all_read: float) -> np.ndarray:
        """How far a side has read: all, or up to a random earlier message (0: nothing)."""
        cut = np.where(rng.random(n) < p_all_read, counts, rng.integers(0, counts + 1))
        return np.where(cut > 0, sorted_ids[starts + np.maximum(cut, 1) - 1], 0)

    space_read = read_marks(0.75)
    member_read = read_marks(0.6)
    space_unread = np.add.reduceat(
        (member & (sorted_ids > np.repeat(space_read, counts))).astype(np.int64), starts
    )
    member_unread = np.add.reduceat(
        (~member & (sorted_ids > np.repeat(member_read, counts))).astype(np.int64), starts
    )
    done = ~last_member & (rng.random(n) < 0.5)

    def when(ids: np.ndarray) -> list[str]:
        return [f"'{created[i - 1]}'" if i < big else "NULL" for i in ids.tolist()]

    excerpts = [" ".join(b.split())[:140].replace("'", "") for b in bodies]
    body_of_last = rows.msg_body[last_id - 1]
    columns = (
        "id, space_id, member_id, status, created_at, last_message_id, last_message_at,"
        " last_from, last_excerpt, member_unread, space_unread, member_read_id, space_read_id,"
        " first_message_at, first_response_at, awaiting_since"
    )
    first_at, last_at = when(first_id), when(last_id)
    first_response = when(first_space)
    awaiting_at = when(np.where(last_member, awaiting, big))
    _insert(
        cur,
        t.conversations.name,
        columns,
        (
            f"({k + 1},{s},{mem},'{'done' if d else 'open'}',{fa},{li},{la},"
            f"'{'member' if lm else 'space'}','{excerpts[b]}',{mu},{su},{mr},{sr},{fa},{fr},{aw})"
            for k, (s, mem, d, fa, li, la, lm, b, mu, su, mr, sr, fr, aw) in enumerate(
                zip(
                    rows.conv_space.tolist(),
                    rows.conv_member.tolist(),
                    done.tolist(),
                    first_at,
                    last_id.tolist(),
                    last_at,
                    last_member.tolist(),
                    body_of_last.tolist(),
                    member_unread.tolist(),
                    space_unread.tolist(),
                    member_read.tolist(),
                    space_read.tolist(),
                    first_response,
                    awaiting_at,
                    strict=True,
                )
            )
        ),
    )


# -- the site --------------------------------------------------------------------------


def stored(site: BenchSite, size: Size) -> Dataset | None:
    """The dataset kept in *site*'s database, if it matches *size* and this code."""
    try:
        return Dataset.from_json(site.option(MARKER), size)
    except pymysql.MySQLError:
        return None


def seed(site: BenchSite, size: Size, progress: Callable[[str], None]) -> Dataset:
    """Write a dataset of *size* into a freshly installed, migrated *site*."""
    began = time.monotonic()
    now = datetime.now(UTC).replace(microsecond=0)
    rows, dataset = _generate(size, np.random.default_rng(SEED))
    dataset.seeded_at = _iso(now)
    progress(f"generated {size.messages:,} messages in {time.monotonic() - began:.0f}s")
    _write(site, size, rows, now, progress)
    dataset.seconds = time.monotonic() - began
    site.sql(
        "INSERT INTO {prefix}options (option_name, option_value, autoload) VALUES (%s, %s, 'no')"
        " ON DUPLICATE KEY UPDATE option_value = VALUES(option_value)",
        [MARKER, dataset.to_json()],
    )
    return dataset


@dataclass
class Login:
    """A cookie member's fresh WordPress session."""

    user_id: int
    cookie: str  # "name=value", as a browser sends it
    nonce: str


def logins(site: BenchSite, user_ids: list[int]) -> list[Login]:
    """New WordPress sessions for *user_ids*, made by WordPress itself, in one PHP run.

    Each member's earlier sessions are destroyed first, so that ``session_tokens`` does
    not grow from run to run.
    """
    if not user_ids:
        return []
    out = site.php(
        f"""
$exp = time() + 2 * DAY_IN_SECONDS;
foreach ( array( {", ".join(str(int(u)) for u in user_ids)} ) as $id ) {{
    $manager = WP_Session_Tokens::get_instance( $id );
    $manager->destroy_all();
    $token  = $manager->create( $exp );
    $cookie = wp_generate_auth_cookie( $id, $exp, 'logged_in', $token );
    wp_set_current_user( $id );
    $_COOKIE[ LOGGED_IN_COOKIE ] = $cookie;
    echo $id, "\\t", LOGGED_IN_COOKIE, '=', rawurlencode( $cookie ), "\\t",
        wp_create_nonce( 'wp_rest' ), "\\n";
}}
"""
    )
    found = []
    for line in out.splitlines():
        uid, cookie, nonce = line.split("\t")
        found.append(Login(int(uid), cookie, nonce))
    if len(found) != len(user_ids):
        raise RuntimeError(f"expected {len(user_ids)} logins, WordPress made {len(found)}")
    return found
