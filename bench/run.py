"""``make bench``: the bridge against WordPress itself and against bare Flask, in one run.

    python -m bench.run                  # small + large datasets, ~8 minutes once seeded
    python -m bench.run --sizes tiny --duration 1 --repetitions 1 --warmup 0   # a smoke run
    python -m bench.run --sizes large --only outbox     # one part of it (see --help)

Everything runs on this machine over loopback, with the same number of server workers
everywhere. Results go to ``bench/results/latest.{json,md,png}``. Speed is reported,
never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pymysql
import requests

from bench import live, load, nchan, outbox, report, seed
from bench.balance import Balancer
from bench.servers import ROOT, BenchSite, bridge_server, ceiling_server
from bridge.inbox.figures import WINDOWS
from bridge.storage.tables import tables
from devstack.push_service import PushService
from devstack.stack import Server, migrate, redis_answers
from devstack.wordpress import php_str

PLUGIN = ROOT / "wp_plugin"
RESULTS = Path(__file__).resolve().parent / "results"
PREFIX = "wp_"

#: The targets the bridge is measured against: the summary in direct mode against WordPress'
#: REST API and against bare Flask, the admin list's p95 growth, messages sent per second.
TARGET_VS_WP = 20.0
TARGET_VS_CEILING = 0.5
TARGET_LIST_GROWTH = 1.5
TARGET_SEND = 1000.0
#: Live streams one box holds, the memory each costs (KiB), and an event's p95 (ms) with
#: all of them open.
TARGET_LIVE_CONNECTIONS = 10000
TARGET_LIVE_KIB = 15.0
TARGET_EVENT_MS = 50.0
#: Seconds from a member's send to every admin's notification row in WordPress (p95).
TARGET_OUTBOX_S = 0.25
#: Seconds from a member's send to the push service's acceptance of every admin's push (p95).
TARGET_PUSH_S = 0.5
#: The team dashboard's response figures of the biggest Space (p95, ms) on this dataset.
TARGET_FIGURES_MS = 250.0
TARGET_FIGURES_SIZE = "large"
#: The same under the latency load's connections (p95, ms), and the public response time
#: there (p95, ms; requests/s): each visit of a Space's page asks for it.
TARGET_FIGURES_LOADED_MS = 150.0
TARGET_RESPONSE_TIME_MS = 20.0
TARGET_RESPONSE_TIME_RPS = 1000.0
#: The team's search in the biggest Space (p95, ms), one admin at a time, on that dataset.
TARGET_SEARCH_MS = 200.0
#: The parts of a run, in the order they run (``--only`` picks some).
#: The endpoints of the figures part.
FIGURE_KEYS = (
    "figures_one",
    "figures",
    "response_time",
    "search_one",
    "search",
    "record_one",
    "export_one",
)
PARTS = ("contenders", "latency", "figures", "send", "outbox", "live", "nchan", "scale")
#: A run in which a gunicorn worker did less than this part of its fair share of the
#: work measured one worker, not the server: it is run again, at most ``Settings.reruns``
#: times.
UNBALANCED = 0.5
#: Jobs waiting in a kept dataset are held back during the outbox step by this many years
#: (no backoff comes near PARKED), then put back.
PARK_YEARS = 1000
PARKED = "2900-01-01"


@dataclass
class Settings:
    sizes: list[str] = field(default_factory=lambda: ["small", "large"])
    workers: int = 2
    threads: int = 4
    connections: int = 32
    latency_connections: int = 8
    wrk_threads: int = 1
    duration: float = 10.0
    warmup: float = 3.0
    repetitions: int = 3
    #: Times a run that measured one gunicorn worker instead of the server is run again.
    reruns: int = 2
    loader: str = "auto"
    out: Path = RESULTS
    db_prefix: str = "si_bench_"
    fresh: bool = False
    drop: bool = False
    budget_minutes: float = 30.0
    db_host: str = "127.0.0.1"
    db_port: int = 3306
    #: Redis for the bridges (publishing, kept poll answers, live streams); "" for none.
    redis_url: str = "redis://127.0.0.1:6379/0"
    #: Live streams held open at once, and events timed through them (0: no live test).
    live_connections: int = 10000
    live_sends: int = 200
    #: Subscribers of nginx's nchan module held open at once, measured the same way (the
    #: alternative to the live streams); None: as many as ``live_connections``; 0: none.
    nchan_connections: int | None = None
    #: Messages sent, at a steady rate over ``outbox_seconds``, through a bridge with its
    #: dispatchers on, each timed to its admins' notifications in WordPress (0: none).
    outbox_messages: int = 200
    outbox_seconds: float = 20.0
    #: The parts to run, of PARTS.
    only: list[str] = field(default_factory=lambda: list(PARTS))

    def __post_init__(self) -> None:
        if self.nchan_connections is None:
            self.nchan_connections = self.live_connections


class Progress:
    """One line per step on stderr, with the time spent and a rough time left."""

    def __init__(self, planned_seconds: float) -> None:
        self.began = time.monotonic()
        self.planned = planned_seconds
        self.done_load = 0.0
        self.tty = sys.stderr.isatty()

    def elapsed(self) -> float:
        return time.monotonic() - self.began

    def __call__(self, message: str) -> None:
        spent = self.elapsed()
        left = max(0.0, self.planned - self.done_load)
        sys.stderr.write(
            f"\r[{int(spent // 60):02d}:{int(spent % 60):02d} · load left ~{int(left // 60)}m"
            f"{int(left % 60):02d}s] {message}\n"
        )
        sys.stderr.flush()

    def ticking(self, seconds: float, label: str) -> Callable[[], None]:
        """Show a bar while a load run of *seconds* goes on; returns the stopper."""
        stop = threading.Event()
        if not self.tty or seconds < 2:
            return stop.set
        began = time.monotonic()

        def tick() -> None:
            while not stop.wait(0.5):
                part = min(1.0, (time.monotonic() - began) / seconds)
                bar = "#" * int(part * 30)
                sys.stderr.write(f"\r  {label} [{bar:<30}] {part * 100:3.0f}%")
                sys.stderr.flush()
            sys.stderr.write("\r" + " " * (len(label) + 45) + "\r")

        thread = threading.Thread(target=tick, daemon=True)
        thread.start()

        def stopper() -> None:
            stop.set()
            thread.join(2)

        return stopper


class OutOfTime(Exception):
    """The time budget is spent: the rest is skipped and reported as such."""


class Bench:
    def __init__(self, settings: Settings) -> None:
        self.s = settings
        self.notes: list[str] = []
        self.redis = ""
        self.workdir = Path(tempfile.mkdtemp(prefix="space-inbox-bench-"))
        self.progress = Progress(self.planned_load_seconds())
        self.deadline = time.monotonic() + settings.budget_minutes * 60
        self.loader_name = "python"
        self.run_load: Callable[..., load.Result] = load.run_python

    def planned_load_seconds(self) -> float:
        per = self.s.warmup + self.s.repetitions * self.s.duration
        runs = {
            "contenders": 4,
            "latency": 3 * len(self.s.sizes),
            "figures": 3 * len(self.s.sizes),
            "send": 1,
        }
        planned = per * sum(n for part, n in runs.items() if part in self.s.only)
        if "outbox" in self.s.only and self.s.outbox_messages:
            planned += self.s.outbox_seconds
        return planned

    # -- load ------------------------------------------------------------------------------

    def choose_loader(self) -> None:
        wanted = self.s.loader
        if wanted in ("auto", "wrk") and load.ensure_wrk(self.progress):
            self.loader_name, self.run_load = "wrk", load.run_wrk
        elif wanted == "wrk":
            raise SystemExit("wrk is not installed (apt-get install wrk) and could not be")
        else:
            if wanted == "auto":
                self.notes.append(
                    "wrk was not available: the Python load generator ran, and it is slower "
                    "than the servers it loads, so the figures are its limits, not theirs."
                )
            self.loader_name, self.run_load = "python", load.run_python

    def once(
        self,
        base: str,
        targets: list[load.Target],
        seconds: float,
        connections: int,
        label: str,
        *,
        closes: bool = False,
        server: Server | None = None,
        between: Callable[[], object] | None = None,
    ) -> load.Result:
        """One run of the load. With a gunicorn *server*, a run in which the kernel handed
        (nearly) every connection to one worker is run again, up to ``reruns`` times: it
        measured one worker, not the server (*between* tidies up before a rerun)."""
        if time.monotonic() + seconds > self.deadline:
            raise OutOfTime(label)
        pids = server.worker_pids() if server else []
        attempt = 0
        while True:
            stop = self.progress.ticking(seconds, label)
            cpu, workers = load.cpu_seconds(), load.process_seconds(pids)
            try:
                result = self.run_load(
                    base,
                    targets,
                    seconds=seconds,
                    connections=connections,
                    threads=self.s.wrk_threads,
                    closes=closes,
                )
            finally:
                stop()
            result.cpu_us = load.per_request_cpu(cpu, load.cpu_seconds(), result.requests)
            used = [b - a for a, b in zip(workers, load.process_seconds(pids), strict=True)]
            result.reruns = attempt
            if len(used) > 1 and sum(used) > 0:
                result.worker_shares = [u / sum(used) for u in used]
            if (
                result.worker_shares is None
                # One connection is one request at a time: one worker serves it, by design.
                or connections == 1
                or min(result.worker_shares) >= UNBALANCED / len(used)
                or attempt >= self.s.reruns
                or time.monotonic() + seconds > self.deadline
            ):
                return result
            attempt += 1
            self.progress(
                f"{label}: one worker did {max(result.worker_shares):.0%} of the work; again"
            )
            if between is not None:
                between()

    def bridge(self, site: BenchSite, **options) -> Server:
        """A started bridge of *site* with the run's workers and threads, and its Redis
        unless ``redis_url`` says otherwise (see :func:`bench.servers.bridge_server`)."""
        options.setdefault("redis_url", self.redis)
        return bridge_server(
            site.wp_config_path,
            site.workdir,
            workers=self.s.workers,
            threads=self.s.threads,
            **options,
        ).start()

    # -- datasets ---------------------------------------------------------------------------

    def open_site(self, size: seed.Size) -> tuple[BenchSite, seed.Dataset, bool]:
        db = f"{self.s.db_prefix}{size.name}"
        site = BenchSite(
            self.workdir / size.name,
            db,
            table_prefix=PREFIX,
            db_host=self.s.db_host,
            db_port=self.s.db_port,
            plugin_dirs={"space-inbox": PLUGIN},
            workers=self.s.workers,
        )
        dataset = None if self.s.fresh else seed.stored(site, size)
        site.reuse = dataset is not None
        self.progress(
            f"{size.name}: {'reusing the kept dataset in' if dataset else 'seeding'} `{db}`"
        )
        site.start()
        try:
            if dataset is None:
                site.activate_plugin("space-inbox/space-inbox.php")
            migrate(site.wp_config_path)
            if dataset is None:
                dataset = seed.seed(site, size, lambda m: self.progress(f"{size.name}: {m}"))
                self.progress(f"{size.name}: seeded in {dataset.seconds:.0f}s")
        except BaseException:
            site.stop()
            raise
        return site, dataset, site.reuse

    # -- the run ----------------------------------------------------------------------------

    def run(self) -> dict:
        started = datetime.now(UTC)
        load_start = list(os.getloadavg())
        self.choose_loader()
        results: dict = {
            "started_at": started.strftime("%Y-%m-%d %H:%M UTC"),
            "command": _command(),
            "loader": "",
            "settings": {
                **{k: v for k, v in asdict(self.s).items() if k not in ("out",)},
                "cookies_used": 0,
            },
            "datasets": {},
            "contenders": {},
            "latency": {},
            "figures": {},
            "send": None,
            "outbox": None,
            "skipped": [],
        }
        results["loader"] = (
            f"wrk ({self.s.wrk_threads} thread, Lua rotation over members' cookies)"
            if self.loader_name == "wrk"
            else "Python http.client threads"
        )
        primary = self.s.sizes[-1]
        results["primary_dataset"] = primary
        parts = set(self.s.only)
        # Only the latency and figures parts compare the sizes: the others need the primary
        # one only.
        sizes = self.s.sizes if parts & {"latency", "figures"} else [primary]
        self.redis = self.s.redis_url if redis_answers(self.s.redis_url) else ""
        results["redis"] = bool(self.redis)
        if self.s.redis_url and not self.redis:
            self.notes.append(
                f"Redis did not answer at {self.s.redis_url}: the bridges ran without it "
                "(every poll read MariaDB) and the live test was skipped."
            )
        db_version = ""
        up: dict[str, _Targets] = {}
        extra: list[Server] = []
        try:
            # Every dataset's WordPress and bridge run side by side (idle ones cost next to
            # nothing), so that the sizes can be measured turn about, like the contenders.
            for name in sizes:
                t = self.bring_up(seed.SIZES[name], results)
                up[name] = t
                db_version = db_version or t.site.sql("SELECT VERSION()")[0][0]
            main = up[primary]
            results["settings"]["cookies_used"] = len(main.members)
            if "contenders" in parts:
                ceiling = ceiling_server(
                    main.site.workdir, workers=self.s.workers, threads=self.s.threads
                ).start()
                extra.append(ceiling)
                if self.redis:
                    # The same bridge without Redis: every poll reads MariaDB.
                    plain = self.bridge(main.site, redis_url="")
                    extra.append(plain)
                else:
                    plain = None
                results["contenders"] = self.contenders(main, ceiling, plain)
            if "latency" in parts:
                results["latency"] = self.latency(up)
            if "figures" in parts:
                results["figures"] = self.figures(up)
            if "send" in parts:
                results["send"] = self.send(main)
            if "outbox" in parts and self.s.outbox_messages:
                results["outbox"] = self.outbox(main)
            if "live" in parts and self.redis and self.s.live_connections:
                results["live"] = self.live(main)
            if "nchan" in parts and self.s.nchan_connections:
                if nchan.module_path() is None:
                    self.notes.append(
                        f"nginx's nchan module is not installed (Debian package {nchan.PACKAGE}; "
                        "tools/ensure-stack installs it): the nchan step was skipped."
                    )
                else:
                    try:
                        results["nchan"] = self.nchan(main)
                    except nchan.NginxError as exc:
                        self.notes.append(f"nginx with the nchan module did not run: {exc}")
            if "scale" in parts:
                results["scale"] = self.scale(main)
        except OutOfTime as exc:
            results["skipped"].append(str(exc))
            self.notes.append(
                f"The time budget ({self.s.budget_minutes:g} min) ran out at '{exc}': "
                "what follows it was not measured."
            )
        finally:
            for server in extra:
                server.stop()
            for t in up.values():
                t.bridge.stop()
                t.site.stop()
                if self.s.drop:
                    t.site.drop()
        results["finished_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        results["load_average"] = {"start": load_start, "end": list(os.getloadavg())}
        results["machine"] = report.machine(db_version)
        results["ratios"] = _ratios(results)
        results["targets"] = _targets(results)
        results["notes"] = self.notes + _standing_notes(results)
        return results

    def bring_up(self, size: seed.Size, results: dict) -> _Targets:
        """A dataset's WordPress (seeded or kept), its bridge, fresh logins, all checked."""
        site, dataset, reused = self.open_site(size)
        bridge = None
        try:
            results["datasets"][size.name] = {
                **asdict(size),
                "database": site.db_name,
                "reused": reused,
                "seed_seconds": round(dataset.seconds, 1),
                "seeded_at": dataset.seeded_at,
            }
            bridge = self.bridge(site)
            site.php(
                f"update_option('space_inbox_bridge_url', {php_str(bridge.url)});"
                "do_action('space_inbox_flush_queue');"
            )
            waiting = site.sql("SELECT COUNT(*) FROM {prefix}space_inbox_queue")[0][0]
            if waiting:
                self.notes.append(f"{size.name}: {waiting} plugin events were still queued.")
            wanted = set(dataset.cookie_ids())
            wanted.update(admin for _, admin in dataset.top_spaces)
            logins = {x.user_id: x for x in seed.logins(site, sorted(wanted))}
            members = [logins[u] for u in dataset.cookie_ids()]
            t = _Targets(site, bridge, dataset, logins, members)
            t.check()
        except BaseException:
            if bridge:
                bridge.stop()
            site.stop()
            if self.s.drop:
                site.drop()
            raise
        self.progress(f"{size.name}: {len(logins):,} members logged in; servers ready")
        return t

    def latency(self, up: dict[str, _Targets]) -> dict:
        """Each endpoint at every dataset size, the sizes interleaved repetition by repetition."""
        return self.by_size(
            up,
            (
                ("summary", _Targets.summary_direct),
                ("list", _Targets.space_lists),
                ("page", _Targets.message_pages),
            ),
        )

    def figures(self, up: dict[str, _Targets]) -> dict:
        """The biggest Space's response figures at every dataset size, measured like
        :meth:`latency`: the team's dashboard as its admins, the public response time as
        members; with how many of its waiting periods the 30-day window holds."""
        # As admins use it: one opens the dashboard, and waits for it. Then under the
        # latency load's connections, as the other endpoints.
        out = self.by_size(
            up,
            (
                ("figures_one", _Targets.dashboard_figures),
                ("search_one", _Targets.searches),
                ("record_one", _Targets.record_pages),
                ("export_one", _Targets.record_exports),
            ),
            connections=1,
        )
        loaded = self.by_size(
            up,
            (
                ("figures", _Targets.dashboard_figures),
                ("response_time", _Targets.response_times),
                ("search", _Targets.searches),
            ),
        )
        for name, found in loaded.items():
            out[name].update(found)
        for name, t in up.items():
            out[name].update(t.window())
        return out

    def by_size(
        self,
        up: dict[str, _Targets],
        endpoints: tuple[tuple[str, Callable[[_Targets], list[load.Target]]], ...],
        connections: int | None = None,
    ) -> dict:
        """Each of *endpoints* (key, targets of a dataset) at every dataset size, through the
        dataset's bridge with ``connections`` (default ``latency_connections``): warm-up,
        then the repetitions, the sizes interleaved repetition by repetition."""
        lc = connections or self.s.latency_connections
        out: dict[str, dict] = {name: {} for name in up}
        for key, make in endpoints:
            plan = {name: (t.bridge, make(t)) for name, t in up.items()}
            if self.s.warmup > 0:
                for name, (bridge, targets) in plan.items():
                    self.once(bridge.url, targets, self.s.warmup, lc, f"{name} · {key} warm-up")
                    self.progress.done_load += self.s.warmup
            runs: dict[str, list[load.Result]] = {name: [] for name in plan}
            for rep in range(self.s.repetitions):
                for name, (bridge, targets) in plan.items():
                    r = self.once(
                        bridge.url, targets, self.s.duration, lc, f"{name} · {key}", server=bridge
                    )
                    self.progress.done_load += self.s.duration
                    runs[name].append(r)
                    self.progress(
                        f"{name} · {key} {rep + 1}/{self.s.repetitions}: {r.rps:,.0f} req/s, "
                        f"p50 {r.p50:.1f} / p95 {r.p95:.1f} / p99 {r.p99:.1f} ms"
                        + (f", {r.errors} ERRORS" if r.errors else "")
                    )
            for name, found in runs.items():
                out[name][key] = _summary(found)
        return out

    def contenders(self, t: _Targets, ceiling: Server, plain: Server | None) -> dict:
        """The ways to answer the header poll, interleaved repetition by repetition: through
        WordPress' REST API; the plugin's proxy (proxy mode's default); the bridge itself,
        with Redis (kept answers) and without (MariaDB on every poll); bare Flask."""
        ceiling_targets = [load.Target("GET", "/api/v1/me/summary", t.members[0].cookie)]
        plan = {
            "wp_rest": (t.site.url, t.wp_rest_me()),
            "proxy": (t.site.url, t.summary_proxy()),
        }
        if plain is not None:
            plan["direct_db"] = (plain.url, t.summary_direct())
        plan["direct"] = (t.bridge.url, t.summary_direct())
        plan["ceiling"] = (ceiling.url, ceiling_targets)
        # PHP's server closes the connection after every response (see load.Result).
        closes = {"wp_rest": True, "proxy": True}
        gunicorns = {"direct": t.bridge, "direct_db": plain, "ceiling": ceiling}
        c = self.s.connections
        if self.s.warmup > 0:
            for key, (base, targets) in plan.items():
                self.once(
                    base, targets, self.s.warmup, c, f"{key} warm-up", closes=closes.get(key, False)
                )
                self.progress.done_load += self.s.warmup
        runs: dict[str, list[load.Result]] = {key: [] for key in plan}
        for rep in range(self.s.repetitions):
            for key, (base, targets) in plan.items():
                r = self.once(
                    base,
                    targets,
                    self.s.duration,
                    c,
                    f"summary · {key}",
                    closes=closes.get(key, False),
                    server=gunicorns.get(key),
                )
                self.progress.done_load += self.s.duration
                runs[key].append(r)
                self.progress(
                    f"summary · {key} {rep + 1}/{self.s.repetitions}: {r.rps:,.0f} req/s, "
                    f"p95 {r.p95:.1f} ms" + (f", {r.errors} ERRORS" if r.errors else "")
                )
        return {key: _summary(found) for key, found in runs.items()}

    def live(self, t: _Targets) -> dict:
        """Open pages' live streams held by one box, and event latency while they are open."""
        # The pages are the members' cookies in turn: each member holds this many, which
        # the bridge's cap on one user's streams (5 by default) must allow.
        pages_each = -(-self.s.live_connections // max(len(t.members), 1))
        server = self.bridge(
            t.site,
            live_connections=self.s.live_connections,
            streams_per_user=max(pages_each, 5),
        )
        try:
            admins = [(sid, t.logins[admin].cookie) for sid, admin in t.dataset.top_spaces]
            team = {admin for _, admin in t.dataset.top_spaces}
            senders = [(m.cookie, m.nonce) for m in t.members if m.user_id not in team]
            return live.measure(
                server,
                t.bridge.url,
                admins,
                [m.cookie for m in t.members],
                senders,
                connections=self.s.live_connections,
                sends=self.s.live_sends,
                progress=self.progress,
            )
        finally:
            server.stop()

    def nchan(self, t: _Targets) -> dict:
        """The alternative to the live streams, measured the same way: nginx's nchan module
        with a channel per user, its subscribers authorized by the bridge."""
        if time.monotonic() > self.deadline:
            raise OutOfTime("nchan")
        connections = self.s.nchan_connections or 0
        server = nchan.NchanServer(
            self.workdir / "nchan",
            t.bridge.url,
            workers=self.s.workers,
            connections=connections,
        ).start()
        try:
            admins = [(sid, admin, t.logins[admin].cookie) for sid, admin in t.dataset.top_spaces]
            spaces = ", ".join(str(int(sid)) for sid, _ in t.dataset.top_spaces)
            teams: dict[int, list[int]] = {}
            for sid, user in t.site.sql(
                f"SELECT space_id, user_id FROM `{tables(PREFIX).space_admins.name}`"
                f" WHERE space_id IN ({spaces}) ORDER BY space_id, user_id"
            ):
                teams.setdefault(int(sid), []).append(int(user))
            team = {admin for _, admin in t.dataset.top_spaces}
            senders = [(m.cookie, m.nonce) for m in t.members if m.user_id not in team]
            return nchan.measure(
                server,
                t.bridge.url,
                admins,
                teams,
                [(m.user_id, m.cookie) for m in t.members],
                senders,
                connections=connections,
                sends=self.s.live_sends,
                progress=self.progress,
            )
        finally:
            server.stop()

    def scale(self, t: _Targets) -> dict:
        """The header poll (direct mode, Redis) from one bridge, from the same bridge
        behind nginx, and from two bridges (each with the run's workers, sharing the
        database and Redis) behind nginx, interleaved repetition by repetition: what a
        second bridge process gives on this machine, and what the balancer costs."""
        second = self.bridge(t.site)
        fronts: list[Balancer] = []
        try:
            for name, urls in (("one", [t.bridge.url]), ("two", [t.bridge.url, second.url])):
                fronts.append(Balancer(self.workdir / f"balance-{name}", urls).start())
            targets = t.summary_direct()
            plan = {
                "one_bridge": t.bridge.url,
                "one_bridge_nginx": fronts[0].url,
                "two_bridges_nginx": fronts[1].url,
            }
            c = self.s.connections
            runs: dict[str, list[load.Result]] = {key: [] for key in plan}
            for rep in range(-1 if self.s.warmup > 0 else 0, self.s.repetitions):
                for key, base in plan.items():
                    seconds = self.s.duration if rep >= 0 else self.s.warmup
                    r = self.once(base, targets, seconds, c, f"scale · {key}")
                    self.progress.done_load += seconds
                    if rep < 0:
                        continue
                    runs[key].append(r)
                    self.progress(
                        f"scale · {key} {rep + 1}/{self.s.repetitions}: {r.rps:,.0f} req/s, "
                        f"p95 {r.p95:.1f} ms" + (f", {r.errors} ERRORS" if r.errors else "")
                    )
            return {
                "bridge_workers": self.s.workers,
                **{key: _summary(found) for key, found in runs.items()},
            }
        finally:
            for front in fronts:
                front.stop()
            second.stop()

    def send(self, t: _Targets) -> dict:
        """Members' messages to Spaces with five admins: messages/s and outbox jobs written."""
        runs, written, jobs = [], [], []
        targets = t.sends()
        c = self.s.connections
        if self.s.warmup > 0:
            marks = t.marks()
            self.once(t.bridge.url, targets, self.s.warmup, c, "send warm-up")
            self.progress.done_load += self.s.warmup
            t.settle(marks)
            t.clean_sends(marks)
        for rep in range(self.s.repetitions):
            marks = t.marks()
            r = self.once(
                t.bridge.url,
                targets,
                self.s.duration,
                c,
                "send",
                server=t.bridge,
                between=lambda marks=marks: (t.settle(marks), t.clean_sends(marks)),
            )
            self.progress.done_load += self.s.duration
            # Requests still in flight when wrk stopped finish first; then count.
            messages, outbox = t.settle(marks)
            written.append(messages)
            jobs.append(outbox)
            runs.append(r)
            t.clean_sends(marks)
            self.progress(
                f"send {rep + 1}/{self.s.repetitions}: {r.rps:,.0f} messages/s, "
                f"{outbox:,} jobs for {messages:,} messages, p95 {r.p95:.1f} ms"
                + (f", {r.errors} ERRORS" if r.errors else "")
            )
        summary = _summary(runs)
        return {
            **summary,
            "fanout": seed.SEND_FANOUT,
            # Every answered request (201) is one message written with its jobs.
            "messages_per_s": summary["rps"],
            "jobs_per_s": summary["rps"] * (sum(jobs) / sum(written) if sum(written) else 0.0),
            "messages_written": written,
            "jobs_written": jobs,
            "jobs_per_message": (sum(jobs) / sum(written)) if sum(written) else 0.0,
        }

    def outbox(self, t: _Targets) -> dict:
        """Outbox latency: members' messages to Spaces with five admins, sent at a steady
        rate through a bridge whose dispatchers are on (as ``space-inbox serve`` runs by
        default), each timed from its 201 to its last admin's notification row in WordPress.
        """
        if time.monotonic() + self.s.outbox_seconds + outbox.WAIT > self.deadline:
            raise OutOfTime("outbox")
        marks = t.marks()
        # Jobs the kept dataset still holds (the live steps' messages stay) would go first.
        parked = t.park_jobs()
        server = None
        pushed = PushService()
        try:
            server = self.bridge(t.site, dispatcher=True, push_services=pushed.origin)
            devices = t.subscribe_devices(server.url, pushed)
            self.progress(
                f"outbox: {self.s.outbox_messages} messages over {self.s.outbox_seconds:g} s, "
                f"{server.name} with its dispatchers on"
                + (f" ({parked} jobs waiting in the kept dataset held back)" if parked else "")
            )
            team = set(t.team_of_send_spaces())
            senders = [(m.cookie, m.nonce) for m in t.members if m.user_id not in team]
            result = outbox.measure(
                t.site,
                server.url,
                t.dataset.send_spaces,
                senders,
                marks[1],
                messages=self.s.outbox_messages,
                seconds=self.s.outbox_seconds,
                progress=self.progress,
                pushed=pushed,
                devices=devices,
            )
        finally:
            if server is not None:
                server.stop()
            pushed.close()
            t.forget_devices()
            t.unpark_jobs()
            t.clean_sends(marks)
        result["fanout"] = seed.SEND_FANOUT
        result["workers"] = self.s.workers
        result["php_workers"] = self.s.workers
        result["parked_jobs"] = parked
        result["left_behind"] = t.left_behind(marks)
        return result


class _Targets:
    """The requests of each test, made from the members' fresh logins."""

    def __init__(
        self,
        site: BenchSite,
        bridge: Server,
        dataset: seed.Dataset,
        logins: dict[int, seed.Login],
        members: list[seed.Login],
    ) -> None:
        self.site = site
        self.bridge = bridge
        self.dataset = dataset
        self.logins = logins
        self.members = members

    def summary_direct(self) -> list[load.Target]:
        # A browser on the site's own origin sends its cookie; a GET needs no nonce.
        return [load.Target("GET", "/api/v1/me/summary", m.cookie) for m in self.members]

    def default_proxy(self) -> str:
        """The API base the plugin gives browsers in proxy mode (its default), as a path."""
        base = self.site.php("echo Space_Inbox_Options::browser_api_base();").strip()
        return base.removeprefix(self.site.url)

    def summary_proxy(self) -> list[load.Target]:
        path = self.default_proxy() + "me/summary"
        return [load.Target("GET", path, m.cookie, m.nonce) for m in self.members]

    def wp_rest_me(self) -> list[load.Target]:
        path = "/?rest_route=/wp/v2/users/me"
        return [load.Target("GET", path, m.cookie, m.nonce) for m in self.members]

    def space_lists(self) -> list[load.Target]:
        out = []
        for sid, admin in self.dataset.top_spaces:
            cookie = self.logins[admin].cookie
            out.append(load.Target("GET", f"/api/v1/spaces/{sid}/conversations", cookie))
            out.append(
                load.Target("GET", f"/api/v1/spaces/{sid}/conversations?status=open", cookie)
            )
        return out

    def message_pages(self) -> list[load.Target]:
        return [
            load.Target(
                "GET",
                f"/api/v1/spaces/{sid}/conversations/{cid}/messages",
                self.logins[admin].cookie,
            )
            for sid, cid, admin in self.dataset.pages
        ]

    def biggest_space(self) -> int:
        """The biggest Space (the most conversations) that cookie members run."""
        return int(self.dataset.top_spaces[0][0])

    def team_of(self, space_id: int) -> list[int]:
        """The admins of a Space (the biggest Spaces are run by cookie members)."""
        return [
            int(u)
            for (u,) in self.site.sql(
                f"SELECT user_id FROM `{tables(PREFIX).space_admins.name}`"
                " WHERE space_id = %s ORDER BY user_id",
                [space_id],
            )
        ]

    def as_team(self, *paths: str) -> list[load.Target]:
        """GETs of *paths* (``{sid}``: the biggest Space) as each of its admins (all cookie
        members: the seed has the biggest Spaces run by them)."""
        sid = self.biggest_space()
        return [
            load.Target("GET", path.format(sid=sid), self.logins[u].cookie)
            for path in paths
            for u in self.team_of(sid)
            if u in self.logins
        ]

    def dashboard_figures(self) -> list[load.Target]:
        """The team's dashboard of the biggest Space."""
        return self.as_team("/api/v1/spaces/{sid}/figures")

    def searches(self) -> list[load.Target]:
        """The team's search of the biggest Space: a word in most of its messages, the start
        of one, two and three words, a word it never has, and a member's name."""
        queries = ["order", "deliv", "opening hours", "book a table", "zebra", "member 1"]
        return self.as_team(
            *(f"/api/v1/spaces/{{sid}}/search?q={urllib.parse.quote(q)}" for q in queries)
        )

    def record_pages(self) -> list[load.Target]:
        """The biggest Space's record as its admins open it: its newest page."""
        return self.as_team("/api/v1/spaces/{sid}/record")

    def record_exports(self) -> list[load.Target]:
        """The biggest Space's record of its last 30 days (a third of the dataset's span),
        downloaded whole as CSV by its admins."""
        last = datetime.now(UTC).date()
        first = last - timedelta(days=29)
        return self.as_team(
            f"/api/v1/spaces/{{sid}}/record/export?format=csv&from={first}&to={last}"
        )

    def response_times(self) -> list[load.Target]:
        """The biggest Space's public response time, as members on its page ask for it
        (with their cookies, which the public endpoint does not need)."""
        path = f"/api/v1/spaces/{self.biggest_space()}/response-time"
        return [load.Target("GET", path, m.cookie) for m in self.members]

    def window(self) -> dict:
        """The biggest Space's waiting periods: all of them, and those the figures' 30-day
        window holds now (opened in it, and answered of those)."""
        sid = self.biggest_space()
        start = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=max(WINDOWS))
        total, opened, answered = self.site.sql(
            "SELECT COUNT(*), COALESCE(SUM(opened_at > %s), 0),"
            " COALESCE(SUM(opened_at > %s AND closed_at IS NOT NULL), 0)"
            f" FROM `{tables(PREFIX).response_periods.name}` WHERE space_id = %s",
            [start, start, sid],
        )[0]
        total, opened, answered = int(total), int(opened), int(answered)
        return {
            "space_id": sid,
            "conversations": int(
                self.site.sql(
                    f"SELECT COUNT(*) FROM `{tables(PREFIX).conversations.name}`"
                    " WHERE space_id = %s",
                    [sid],
                )[0][0]
            ),
            "periods": total,
            "periods_30_days": opened,
            "answered_30_days": answered,
            "share_30_days": opened / total if total else 0.0,
            "dataset_age_hours": round(self.dataset.age().total_seconds() / 3600, 1),
        }

    def sends(self) -> list[load.Target]:
        spaces = self.dataset.send_spaces
        body = json.dumps({"body": "Hello! Is this still available?", "client_key": "%KEY%"})
        return [
            load.Target(
                "POST",
                f"/api/v1/me/spaces/{spaces[i % len(spaces)]}/messages",
                m.cookie,
                m.nonce,
                body,
            )
            for i, m in enumerate(self.members)
        ]

    def marks(self) -> tuple[int, int]:
        """The highest message and outbox ids now."""
        tb = tables(PREFIX)
        m = self.site.sql(f"SELECT COALESCE(MAX(id), 0) FROM `{tb.messages.name}`")[0][0]
        o = self.site.sql(f"SELECT COALESCE(MAX(id), 0) FROM `{tb.outbox.name}`")[0][0]
        return int(m), int(o)

    def settle(self, marks: tuple[int, int], wait: float = 10.0) -> tuple[int, int]:
        """Messages and outbox jobs written since *marks*, once no more are coming."""
        tb = tables(PREFIX)
        m0, o0 = marks
        query = (
            f"SELECT (SELECT COUNT(*) FROM `{tb.messages.name}` WHERE id > %s),"
            f" (SELECT COUNT(*) FROM `{tb.outbox.name}` WHERE id > %s)"
        )
        before = None
        deadline = time.monotonic() + wait
        while True:
            row = self.site.sql(query, [m0, o0])[0]
            now = (int(row[0]), int(row[1]))
            if now == before or time.monotonic() > deadline:
                return now
            before = now
            time.sleep(0.3)

    def clean_sends(self, marks: tuple[int, int]) -> None:
        """Remove what the send test wrote, so the kept dataset stays as seeded (and the
        rows WordPress wrote for jobs delivered by the outbox step)."""
        tb = tables(PREFIX)
        m0, o0 = marks
        spaces = ", ".join(str(int(s)) for s in self.dataset.send_spaces)
        for query in (
            f"DELETE FROM `{outbox.jobs_table(self.site)}` WHERE job_id > {int(o0)}",
            f"DELETE FROM `{tb.outbox.name}` WHERE id > {int(o0)}",
            f"DELETE FROM `{tb.messages.name}` WHERE id > {int(m0)}",
            f"DELETE FROM `{tb.conversations.name}` WHERE space_id IN ({spaces})",
            f"DELETE FROM `{tb.response_periods.name}` WHERE space_id IN ({spaces})",
            f"DELETE FROM `{tb.rate_counters.name}`",
        ):
            self.site.sql(query)

    def left_behind(self, marks: tuple[int, int]) -> int:
        """Rows a send left after :meth:`clean_sends` (0 when the dataset is as seeded)."""
        tb = tables(PREFIX)
        m0, o0 = marks
        spaces = ", ".join(str(int(s)) for s in self.dataset.send_spaces)
        return int(
            self.site.sql(
                f"SELECT (SELECT COUNT(*) FROM `{tb.messages.name}` WHERE id > {int(m0)})"
                f" + (SELECT COUNT(*) FROM `{tb.outbox.name}` WHERE id > {int(o0)})"
                f" + (SELECT COUNT(*) FROM `{outbox.jobs_table(self.site)}`"
                f" WHERE job_id > {int(o0)})"
                f" + (SELECT COUNT(*) FROM `{tb.conversations.name}`"
                f" WHERE space_id IN ({spaces}))"
                f" + (SELECT COUNT(*) FROM `{tb.response_periods.name}`"
                f" WHERE space_id IN ({spaces}))"
                f" + (SELECT COUNT(*) FROM `{tb.outbox.name}`"
                f" WHERE delivered_at IS NULL AND next_attempt_at >= '{PARKED}')"
            )[0][0]
        )

    def subscribe_devices(self, bridge_url: str, pushed: PushService) -> dict[int, int]:
        """One device for each admin of the send test's Spaces, subscribed through the
        bridge with their own login (one made for those who have none: a new login ends a
        user's others), after the site's VAPID keys are made if it has none; how many
        devices each Space's admins have."""
        self.site.php("Space_Inbox_Push::ensure_keys();")
        team = self.team_of_send_spaces()
        self.logins.update(
            (x.user_id, x)
            for x in seed.logins(self.site, [u for u in team if u not in self.logins])
        )
        with requests.Session() as http:
            http.trust_env = False
            for user_id in team:
                login = self.logins[user_id]
                kept = http.post(
                    f"{bridge_url}/api/v1/me/push-subscriptions",
                    json=pushed.subscribe(),
                    headers={"Cookie": login.cookie, "X-WP-Nonce": login.nonce},
                    timeout=10,
                )
                if kept.status_code != 201:
                    raise RuntimeError(
                        f"a device was not subscribed: {kept.status_code} {kept.text}"
                    )
        spaces = ", ".join(str(int(s)) for s in self.dataset.send_spaces)
        return {
            int(space): int(count)
            for space, count in self.site.sql(
                f"SELECT space_id, COUNT(*) FROM `{tables(PREFIX).space_admins.name}`"
                f" WHERE space_id IN ({spaces}) GROUP BY space_id"
            )
        }

    def forget_devices(self) -> None:
        """Take back the devices :meth:`subscribe_devices` subscribed."""
        self.site.sql(f"DELETE FROM `{tables(PREFIX).push_subscriptions.name}`")

    def team_of_send_spaces(self) -> list[int]:
        """The admins of the send test's Spaces."""
        spaces = ", ".join(str(int(s)) for s in self.dataset.send_spaces)
        return [
            int(u)
            for (u,) in self.site.sql(
                f"SELECT DISTINCT user_id FROM `{tables(PREFIX).space_admins.name}`"
                f" WHERE space_id IN ({spaces})"
            )
        ]

    def park_jobs(self) -> int:
        """Put the jobs still waiting in the kept dataset out of a dispatcher's reach (due
        a thousand years later); :meth:`unpark_jobs` puts them back as they were."""
        self.unpark_jobs()  # a run that stopped half way may have left some
        o = tables(PREFIX).outbox.name
        with self.site._connect() as conn, conn.cursor() as cur:
            return cur.execute(
                f"UPDATE `{o}` SET next_attempt_at = next_attempt_at + INTERVAL {PARK_YEARS} YEAR"
                " WHERE delivered_at IS NULL"
            )

    def unpark_jobs(self) -> None:
        o = tables(PREFIX).outbox.name
        self.site.sql(
            f"UPDATE `{o}` SET next_attempt_at = next_attempt_at - INTERVAL {PARK_YEARS} YEAR"
            f" WHERE delivered_at IS NULL AND next_attempt_at >= '{PARKED}'"
        )

    def check(self) -> None:
        """Every kind of request answers as it should before any load runs."""
        with requests.Session() as http:
            http.trust_env = False

            def get(base: str, target: load.Target, status: int = 200) -> dict:
                headers = {"Cookie": target.cookie}
                if target.nonce:
                    headers["X-WP-Nonce"] = target.nonce
                answer = http.request(
                    target.method,
                    base + target.path,
                    headers={**headers, "Content-Type": "application/json"},
                    data=target.body.replace("%KEY%", f"check-{time.time_ns()}") or None,
                    timeout=30,
                )
                if answer.status_code != status:
                    raise RuntimeError(
                        f"{target.method} {target.path}: HTTP {answer.status_code} "
                        f"{answer.text[:300]}"
                    )
                return answer.json()

            direct = get(self.bridge.url, self.summary_direct()[0])
            proxied = get(self.site.url, self.summary_proxy()[0])
            if set(direct) != set(proxied) or "unread" not in direct:
                raise RuntimeError(f"proxy and direct disagree: {direct} / {proxied}")
            me = get(self.site.url, self.wp_rest_me()[0])
            if me.get("id") != self.members[0].user_id:
                raise RuntimeError(f"users/me answered for someone else: {me}")
            listing = get(self.bridge.url, self.space_lists()[0])
            if not listing.get("conversations"):
                raise RuntimeError(f"the biggest Space lists no conversations: {listing}")
            page = get(self.bridge.url, self.message_pages()[0])
            if not page.get("messages"):
                raise RuntimeError(f"the longest conversation has no messages: {page}")
            # The dashboard counts the periods the 30-day window holds (it may lose one at
            # its far end while the request runs), and the public answer says the same.
            before = self.window()["periods_30_days"]
            dashboard = get(self.bridge.url, self.dashboard_figures()[0])
            after = self.window()["periods_30_days"]
            counted = dashboard["space"]["days_30"]["periods"]
            if not after <= counted <= before or not counted:
                raise RuntimeError(
                    f"the biggest Space's dashboard counts {counted} waiting periods in 30 "
                    f"days, its table {before}: {dashboard['space']}"
                )
            public = get(self.bridge.url, self.response_times()[0])
            if public != dashboard["response_time"]:
                raise RuntimeError(f"public and team disagree: {public} / {dashboard}")
            marks = self.marks()
            get(self.bridge.url, self.sends()[0], status=201)
            self.clean_sends(marks)


def _summary(runs: list[load.Result]) -> dict:
    median = load.median_result(runs)
    return {
        "rps": median.rps,
        "p50": median.p50,
        "p90": median.p90,
        "p95": median.p95,
        "p99": median.p99,
        "mean": median.mean,
        "errors": median.errors,
        "requests": median.requests,
        "cpu_us": median.cpu_us,
        "runs": [asdict(r) for r in runs],
    }


def _ratios(results: dict) -> dict:
    c = results.get("contenders") or {}
    out: dict = {}

    def rps(key: str) -> float | None:
        return (c.get(key) or {}).get("rps") or None

    if rps("direct") and rps("wp_rest"):
        out["direct_vs_wp_rest"] = rps("direct") / rps("wp_rest")
    if rps("proxy") and rps("wp_rest"):
        out["proxy_vs_wp_rest"] = rps("proxy") / rps("wp_rest")
    if rps("direct") and rps("ceiling"):
        out["direct_vs_ceiling"] = rps("direct") / rps("ceiling")
    for part, keys in (("latency", ("list", "page", "summary")), ("figures", FIGURE_KEYS)):
        found = results.get(part) or {}
        sizes = [n for n in results.get("datasets", {}) if n in found]
        if len(sizes) < 2:
            continue
        small, large = found[sizes[0]], found[sizes[-1]]
        for key in keys:
            if small.get(key) and large.get(key) and small[key]["p95"]:
                out[f"{key}_p95_{sizes[-1]}_vs_{sizes[0]}"] = large[key]["p95"] / small[key]["p95"]
    return out


def _targets(results: dict) -> list[dict]:
    r = results["ratios"]
    sizes = [n for n in results.get("datasets", {}) if n in (results.get("latency") or {})]
    growth = r.get(f"list_p95_{sizes[-1]}_vs_{sizes[0]}") if len(sizes) > 1 else None
    live = results.get("live") or {}
    event_p95 = (live.get("latency_ms") or {}).get("p95")
    notified = results.get("outbox") or {}
    outbox_p95 = (notified.get("latency_ms") or {}).get("p95")
    push_p95 = (notified.get("push_ms") or {}).get("p95")
    at_size = (results.get("figures") or {}).get(TARGET_FIGURES_SIZE) or {}
    dashboard, searched = at_size.get("figures_one"), at_size.get("search_one")
    loaded, told = at_size.get("figures"), at_size.get("response_time")
    under = f"{results['settings']['latency_connections']} connections"
    # (name, wanted, measured value or None, whether a value meets it, how it is written)
    table = [
        (
            "summary, direct mode vs WordPress REST",
            f"≥ {TARGET_VS_WP:g}×",
            r.get("direct_vs_wp_rest"),
            lambda v: v >= TARGET_VS_WP,
            "{:.1f}×",
        ),
        (
            "summary, direct mode vs bare Flask",
            f"≥ {TARGET_VS_CEILING:g}×",
            r.get("direct_vs_ceiling"),
            lambda v: v >= TARGET_VS_CEILING,
            "{:.2f}×",
        ),
        (
            "admin list p95, large vs small dataset",
            f"≤ {TARGET_LIST_GROWTH:g}×",
            growth,
            lambda v: v <= TARGET_LIST_GROWTH,
            "{:.2f}×",
        ),
        (
            "summary, proxy mode (the default) vs WordPress REST",
            "≥ 1×",
            r.get("proxy_vs_wp_rest"),
            lambda v: v >= 1.0,
            "{:.2f}×",
        ),
        (
            "live streams held open by one box",
            f"≥ {TARGET_LIVE_CONNECTIONS:,}",
            live.get("connections_open"),
            lambda v: v >= TARGET_LIVE_CONNECTIONS,
            "{:,.0f}",
        ),
        (
            "memory per open page, all streams connected",
            f"≤ {TARGET_LIVE_KIB:g} KiB",
            live.get("kib_per_connection"),
            lambda v: v <= TARGET_LIVE_KIB,
            "{:,.1f} KiB",
        ),
        (
            "live event p95, all streams connected",
            f"≤ {TARGET_EVENT_MS:,.0f} ms",
            event_p95,
            lambda v: v <= TARGET_EVENT_MS and not live.get("events_missed"),
            "{:,.0f} ms",
        ),
        (
            "dashboard figures p95 at 1 M messages, biggest Space, one admin at a time",
            f"≤ {TARGET_FIGURES_MS:g} ms",
            dashboard and dashboard["p95"],
            lambda v: v <= TARGET_FIGURES_MS and not dashboard["errors"],
            "{:,.0f} ms",
        ),
        (
            f"dashboard figures p95 at 1 M messages, biggest Space, {under}",
            f"≤ {TARGET_FIGURES_LOADED_MS:g} ms",
            loaded and loaded["p95"],
            lambda v: v <= TARGET_FIGURES_LOADED_MS and not loaded["errors"],
            "{:,.0f} ms",
        ),
        (
            f"public response time p95 at 1 M messages, biggest Space, {under}",
            f"≤ {TARGET_RESPONSE_TIME_MS:g} ms",
            told and told["p95"],
            lambda v: v <= TARGET_RESPONSE_TIME_MS and not told["errors"],
            "{:,.1f} ms",
        ),
        (
            "public response time, requests/s at 1 M messages, biggest Space",
            f"≥ {TARGET_RESPONSE_TIME_RPS:,.0f}/s",
            told and told["rps"],
            lambda v: v >= TARGET_RESPONSE_TIME_RPS and not told["errors"],
            "{:,.0f}/s",
        ),
        (
            "search p95 at 1 M messages, biggest Space, one admin at a time",
            f"≤ {TARGET_SEARCH_MS:g} ms",
            searched and searched["p95"],
            lambda v: v <= TARGET_SEARCH_MS and not searched["errors"],
            "{:,.0f} ms",
        ),
        (
            f"sending with fan-out to {seed.SEND_FANOUT} admins",
            f"≥ {TARGET_SEND:g}/s",
            (results.get("send") or {}).get("messages_per_s"),
            lambda v: v >= TARGET_SEND,
            "{:,.0f}/s",
        ),
        (
            "outbox latency p95: send → every admin's notification in WordPress",
            f"≤ {TARGET_OUTBOX_S:g} s",
            None if outbox_p95 is None else outbox_p95 / 1000.0,
            lambda v: v <= TARGET_OUTBOX_S and not notified.get("failures"),
            "{:.2f} s",
        ),
        (
            "push latency p95: send → every admin's push accepted by the push service",
            f"≤ {TARGET_PUSH_S:g} s",
            None if push_p95 is None else push_p95 / 1000.0,
            lambda v: v <= TARGET_PUSH_S and not notified.get("failures"),
            "{:.2f} s",
        ),
    ]
    return [
        {
            "name": name,
            "wanted": wanted,
            "value": value,
            "measured": "–" if value is None else fmt.format(value),
            "met": None if value is None else meets(value),
        }
        for name, wanted, value, meets, fmt in table
    ]


def _standing_notes(results: dict) -> list[str]:
    notes = [
        "Direct mode here is gunicorn itself; in production a reverse proxy on the site's "
        "origin sits in front of it. Proxy mode and WordPress REST go through PHP's built-in "
        "server with PHP_CLI_SERVER_WORKERS (not php-fpm), OPcache on.",
        "The bridge ran with `--no-dispatcher` and no rate limits: the send test measures "
        "writing a message with its outbox jobs; what it wrote is removed afterwards, so the "
        "kept datasets stay as seeded. The outbox step alone runs a bridge with its "
        "dispatchers on, and removes its messages, jobs and WordPress' rows of them too.",
    ]
    if set(results["settings"].get("only") or PARTS) != set(PARTS):
        notes.append(
            "Only some parts ran (`--only " + ",".join(results["settings"]["only"]) + "`)."
        )
    load = results.get("load_average") or {}
    nproc = (results.get("machine") or {}).get("nproc") or 1
    # The load average at the end is mostly the run's own load: only the start tells.
    if load and load.get("start", [0])[0] > 0.5 * nproc:
        notes.append(
            "The machine was busy with other work before this run (see the load average): "
            "treat the absolute figures as noisy; the side-by-side ratios hold better."
        )
    for key, c in (results.get("contenders") or {}).items():
        if c.get("errors"):
            notes.append(f"{key}: {c['errors']} requests failed during the load.")
    return notes


def _command() -> str:
    return "python -m bench.run " + " ".join(sys.argv[1:]) if sys.argv[1:] else "make bench"


def write(results: dict, out: Path) -> dict[str, Path]:
    """Write latest.json, latest.md and latest.png into *out*."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "latest.json", "md": out / "latest.md", "png": out / "latest.png"}
    if not report.chart(results, paths["png"]):
        results["notes"].append("matplotlib is not installed: no chart was drawn.")
        del paths["png"]
    report.write_json(results, paths["json"])
    paths["md"].write_text(report.markdown(results), encoding="utf-8")
    return paths


def parse(argv: list[str] | None = None) -> Settings:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    d = Settings()
    p.add_argument(
        "--sizes",
        default=",".join(d.sizes),
        help=f"datasets, smallest first, of {', '.join(seed.SIZES)}; the last one "
        "also gets the contenders, the send and outbox tests and the live ones",
    )
    p.add_argument("--workers", type=int, default=d.workers)
    p.add_argument("--threads", type=int, default=d.threads, help="gunicorn threads per worker")
    p.add_argument("--connections", type=int, default=d.connections)
    p.add_argument("--latency-connections", type=int, default=d.latency_connections)
    p.add_argument("--wrk-threads", type=int, default=d.wrk_threads)
    p.add_argument("--duration", type=float, default=d.duration, help="seconds per repetition")
    p.add_argument("--warmup", type=float, default=d.warmup, help="seconds of warm-up")
    p.add_argument("--repetitions", type=int, default=d.repetitions)
    p.add_argument(
        "--reruns",
        type=int,
        default=d.reruns,
        help="times a run that one gunicorn worker served nearly alone is run again",
    )
    p.add_argument("--loader", choices=("auto", "wrk", "python"), default=d.loader)
    p.add_argument("--out", type=Path, default=d.out)
    p.add_argument("--db-prefix", default=d.db_prefix, help="dataset databases are PREFIX<size>")
    p.add_argument("--fresh", action="store_true", help="seed again even if a dataset is kept")
    p.add_argument("--drop", action="store_true", help="drop the datasets' databases afterwards")
    p.add_argument("--budget-minutes", type=float, default=d.budget_minutes)
    p.add_argument("--redis", default=d.redis_url, help='Redis for the bridges; "" for none')
    p.add_argument(
        "--live-connections",
        type=int,
        default=d.live_connections,
        help="live streams held open at once (0: no live test)",
    )
    p.add_argument("--live-sends", type=int, default=d.live_sends)
    p.add_argument(
        "--outbox-messages",
        type=int,
        default=d.outbox_messages,
        help="messages timed to their admins' notifications in WordPress (0: no outbox test)",
    )
    p.add_argument(
        "--outbox-seconds",
        type=float,
        default=d.outbox_seconds,
        help="seconds over which they are sent, at a steady rate",
    )
    p.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"the parts to run, of {', '.join(PARTS)} (comma-separated; default all)",
    )
    p.add_argument(
        "--nchan-connections",
        type=int,
        default=None,
        help="subscribers of nginx's nchan module held open at once, measured like the live "
        "streams (default: as many as --live-connections; 0: no nchan test)",
    )
    a = p.parse_args(argv)
    sizes = [x.strip() for x in a.sizes.split(",") if x.strip()]
    unknown = [x for x in sizes if x not in seed.SIZES]
    if unknown or not sizes:
        p.error(f"unknown sizes {unknown}; choose from {', '.join(seed.SIZES)}")
    only = [x.strip() for x in a.only.split(",") if x.strip()]
    unknown = [x for x in only if x not in PARTS]
    if unknown or not only:
        p.error(f"unknown parts {unknown}; choose from {', '.join(PARTS)}")
    return Settings(
        sizes=sizes,
        workers=a.workers,
        threads=a.threads,
        connections=a.connections,
        latency_connections=a.latency_connections,
        wrk_threads=a.wrk_threads,
        duration=a.duration,
        reruns=a.reruns,
        warmup=a.warmup,
        repetitions=a.repetitions,
        loader=a.loader,
        out=a.out,
        db_prefix=a.db_prefix,
        fresh=a.fresh,
        drop=a.drop,
        budget_minutes=a.budget_minutes,
        redis_url=a.redis,
        live_connections=a.live_connections,
        live_sends=a.live_sends,
        nchan_connections=a.nchan_connections,
        outbox_messages=a.outbox_messages,
        outbox_seconds=a.outbox_seconds,
        only=[x for x in PARTS if x in only],
    )


def main(argv: list[str] | None = None) -> int:
    settings = parse(argv)
    bench = Bench(settings)
    try:
        results = bench.run()
    except pymysql.MySQLError as exc:
        print(
            f"bench: the database is not answering at {settings.db_host}:{settings.db_port}: "
            f"{exc} (run `make stack`)",
            file=sys.stderr,
        )
        return 2
    finally:
        import shutil

        shutil.rmtree(bench.workdir, ignore_errors=True)
    paths = write(results, settings.out)
    sys.stdout.write(report.markdown(results))
    print("\nwritten: " + ", ".join(str(p) for p in paths.values()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
