"""Where a bridge request's time goes: SQL round trips, time in the database, Python.

    python -m bench.profile [--size small] [--requests 2000] [--endpoint summary]
    python -m bench.profile --size large --requests 50 --endpoint figures

Runs the bridge in this process (Flask's test client, no HTTP server) against a kept
benchmark dataset, with real cookies of many members, one request after another. It
counts what each request sends to MariaDB (statements, commits, rollbacks, pool pings)
and the wall time spent waiting on it, then prints cProfile's heaviest functions. The
figures behind the recommendations in the README's Performance section come from here.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import re
import tempfile
import time
from collections import Counter
from pathlib import Path

import pymysql

from bench import load, seed
from bench.run import PLUGIN, PREFIX
from bench.servers import BenchSite
from bridge.storage.tables import tables


class Tally:
    """What PyMySQL sends to MariaDB, by kind, and the wall time spent waiting for it.

    Each of these calls is one round trip: a statement, COMMIT, ROLLBACK, a ping.
    """

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.seconds = 0.0
        #: normalised statement -> [count, seconds]
        self.statements: dict[str, list] = {}
        cls = pymysql.connections.Connection
        for name in ("query", "commit", "rollback", "ping"):
            setattr(cls, name, self._wrap(name, getattr(cls, name)))

    def _wrap(self, name: str, method):
        tally = self

        def counted(conn, *args, **kwargs):
            if name == "query":
                sql = args[0] if args else kwargs.get("sql", "")
                text = (
                    bytes(sql).decode("utf-8", "replace")
                    if isinstance(sql, (bytes, bytearray))
                    else str(sql)
                )
                kind = (text.split(None, 1) or ["?"])[0].upper()
            else:
                kind = {"ping": "ping (pool_pre_ping)", "rollback": "ROLLBACK"}.get(
                    name, name.upper()
                )
            tally.counts[kind] += 1
            began = time.perf_counter()
            try:
                return method(conn, *args, **kwargs)
            finally:
                spent = time.perf_counter() - began
                tally.seconds += spent
                key = _normalise(text) if name == "query" else kind
                entry = tally.statements.setdefault(key, [0, 0.0])
                entry[0] += 1
                entry[1] += spent

        return counted

    def reset(self) -> None:
        self.counts.clear()
        self.statements.clear()
        self.seconds = 0.0


def _normalise(sql: str) -> str:
    """A statement with its literals replaced by ?, on one line."""
    sql = re.sub(r"'(?:[^'\\]|\\.)*'", "?", sql)
    sql = re.sub(r"\b\d+\b", "?", sql)
    return " ".join(sql.split())


def _targets(endpoint: str, dataset: seed.Dataset, logins: dict[int, seed.Login]):
    members = [logins[u] for u in dataset.cookie_ids()]
    if endpoint == "summary":
        return [load.Target("GET", "/api/v1/me/summary", m.cookie) for m in members]
    if endpoint == "list":
        return [
            load.Target("GET", f"/api/v1/spaces/{sid}/conversations", logins[admin].cookie)
            for sid, admin in dataset.top_spaces
        ]
    if endpoint == "page":
        return [
            load.Target(
                "GET",
                f"/api/v1/spaces/{sid}/conversations/{cid}/messages",
                logins[admin].cookie,
            )
            for sid, cid, admin in dataset.pages
        ]
    if endpoint == "send":
        spaces = dataset.send_spaces
        body = json.dumps({"body": "Hello! Is this still available?", "client_key": "%KEY%"})
        return [
            load.Target(
                "POST",
                f"/api/v1/me/spaces/{spaces[i % len(spaces)]}/messages",
                m.cookie,
                m.nonce,
                body,
            )
            for i, m in enumerate(members)
        ]
    if endpoint in ("figures", "response-time"):
        # The biggest Space's: its dashboard as its admin, its public answer as members.
        sid, admin = dataset.top_spaces[0]
        if endpoint == "figures":
            return [load.Target("GET", f"/api/v1/spaces/{sid}/figures", logins[admin].cookie)]
        path = f"/api/v1/spaces/{sid}/response-time"
        return [load.Target("GET", path, m.cookie) for m in members]
    raise SystemExit(f"unknown endpoint {endpoint}")


def _tweak_engine(tweaks: list[str]) -> None:
    """Make the bridge's engine as bridge.storage.db does, with the given settings changed."""
    from sqlalchemy import create_engine

    import bridge.storage.db

    def make_engine(settings: dict):
        return create_engine(
            settings["SQLALCHEMY_URL"],
            pool_pre_ping="no-pre-ping" not in tweaks,
            pool_reset_on_return=None if "no-reset" in tweaks else "rollback",
            pool_recycle=settings["DB_POOL_RECYCLE"],
            pool_size=settings["DB_POOL_SIZE"],
            isolation_level="READ COMMITTED",
        )

    bridge.storage.db.make_engine = make_engine


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n")[0])
    p.add_argument("--size", default="small", choices=sorted(seed.SIZES))
    p.add_argument("--db-prefix", default="si_bench_")
    p.add_argument(
        "--endpoint",
        default="summary",
        choices=("summary", "list", "page", "send", "figures", "response-time"),
    )
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument(
        "--tweak",
        action="append",
        choices=("no-pre-ping", "no-reset"),
        default=[],
        help="run the bridge with an engine setting the README recommends: no "
        "pool_pre_ping, or pool_reset_on_return=None (repeatable)",
    )
    p.add_argument(
        "--redis",
        default="",
        help="run the bridge with this Redis URL: writes publish, polls are kept answers",
    )
    p.add_argument("--top", type=int, default=30, help="functions of cProfile's list")
    p.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    p.add_argument("--width", type=int, default=400, help="characters of SQL shown")
    a = p.parse_args(argv)

    from bridge import create_app

    size = seed.SIZES[a.size]
    workdir = Path(tempfile.mkdtemp(prefix="space-inbox-profile-"))
    site = BenchSite(workdir, f"{a.db_prefix}{size.name}", table_prefix=PREFIX,
                     plugin_dirs={"space-inbox": PLUGIN}, reuse=True)  # fmt: skip
    dataset = seed.stored(site, size)
    if dataset is None:
        raise SystemExit(f"no kept {size.name} dataset: run `python -m bench.run --sizes {a.size}`")
    site.start()
    try:
        wanted = set(dataset.cookie_ids()) | {admin for _, admin in dataset.top_spaces}
        logins = {x.user_id: x for x in seed.logins(site, sorted(wanted))}
    finally:
        site.stop()
    config = {"WP_CONFIG": str(site.wp_config_path), "RATE_PER_SPACE": "off", "RATE_OVERALL": "off"}
    if a.redis:
        config["REDIS_URL"] = a.redis
    if a.tweak:
        _tweak_engine(a.tweak)
    app = create_app(config)
    tally = Tally()
    client = app.test_client(use_cookies=False)
    targets = _targets(a.endpoint, dataset, logins)
    tb = tables(PREFIX)
    marks = [
        site.sql(f"SELECT COALESCE(MAX(id), 0) FROM `{t.name}`")[0][0]
        for t in (tb.messages, tb.outbox)
    ]

    def one(i: int) -> None:
        t = targets[i % len(targets)]
        headers = {"Cookie": t.cookie}
        if t.nonce:
            headers["X-WP-Nonce"] = t.nonce
        answer = client.open(
            t.path,
            method=t.method,
            headers=headers,
            data=t.body.replace("%KEY%", f"profile-{time.time_ns()}-{i}") or None,
            content_type="application/json" if t.body else None,
        )
        if answer.status_code not in (200, 201):
            raise SystemExit(f"{t.method} {t.path}: {answer.status_code} {answer.get_data(True)}")

    for i in range(min(200, a.requests)):  # warm: pool filled, options cached
        one(i)
    tally.reset()
    began, cpu = time.perf_counter(), time.process_time()
    for i in range(a.requests):
        one(i)
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    n = a.requests
    print(f"{a.endpoint} on the {size.name} dataset, {n} requests one after another:")
    print(f"  {wall / n * 1e6:8.0f} µs per request (in-process, no HTTP server)")
    print(f"  {cpu / n * 1e6:8.0f} µs of this process' CPU per request (what load cannot inflate)")
    print(f"  {tally.seconds / n * 1e6:8.0f} µs of it waiting on MariaDB")
    print(f"  {sum(tally.counts.values()) / n:8.2f} round trips to MariaDB per request:")
    for kind, count in tally.counts.most_common():
        print(f"  {count / n:8.2f} {kind}")
    print("  by statement (µs per call, calls per request):")
    for key, (count, spent) in sorted(tally.statements.items(), key=lambda kv: -kv[1][1]):
        print(f"  {spent / count * 1e6:8.0f} µs  {count / n:5.2f}×  {key[: a.width]}")

    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(a.requests):
        one(i)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(a.sort).print_stats(a.top)
    print(out.getvalue())
    if a.endpoint == "send":  # leave the kept dataset as it was seeded
        spaces = ", ".join(str(int(x)) for x in dataset.send_spaces)
        site.sql(f"DELETE FROM `{tb.outbox.name}` WHERE id > %s", [marks[1]])
        site.sql(f"DELETE FROM `{tb.messages.name}` WHERE id > %s", [marks[0]])
        site.sql(f"DELETE FROM `{tb.conversations.name}` WHERE space_id IN ({spaces})")
        site.sql(f"DELETE FROM `{tb.response_periods.name}` WHERE space_id IN ({spaces})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
