"""The benchmark's code runs: a tiny dataset, a second of load per test, well-formed results.

Speed is never asserted here (``make bench`` only reports it); this keeps ``bench/`` from
rotting between the runs of the real benchmark.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from bench import load, report, run, seed
from bench.servers import BenchSite
from bridge.storage.tables import tables


def test_a_dataset_marker_round_trips_and_refuses_other_sizes():
    tiny, small = seed.SIZES["tiny"], seed.SIZES["small"]
    dataset = seed.Dataset(tiny, [(1, 1001)], [(1, 7, 1001)], [9, 10], 1.5)
    again = seed.Dataset.from_json(dataset.to_json(), tiny)
    assert again == dataset
    assert seed.Dataset.from_json(dataset.to_json(), small) is None
    assert seed.Dataset.from_json("not json", tiny) is None
    assert seed.Dataset.from_json(None, tiny) is None


def test_a_kept_dataset_is_seeded_again_once_its_figures_window_has_moved_on():
    tiny = seed.SIZES["tiny"]
    seeded = datetime(2026, 11, 1, 12, tzinfo=UTC)
    text = seed.Dataset(tiny, [(1, 1001)], [], [9], seeded_at=seed._iso(seeded)).to_json()
    assert seed.Dataset.from_json(text, tiny, now=seeded + timedelta(hours=1)) is not None
    assert seed.Dataset.from_json(text, tiny, now=seeded + seed.MAX_AGE) is not None
    later = seeded + seed.MAX_AGE + timedelta(seconds=1)
    assert seed.Dataset.from_json(text, tiny, now=later) is None
    assert seed.Dataset.from_json(text, tiny, now=seeded - timedelta(hours=1)) is None
    undated = json.loads(text)
    del undated["seeded_at"]
    assert seed.Dataset.from_json(json.dumps(undated), tiny, now=seeded) is None


@pytest.mark.parametrize("name", ["tiny", "small"])
def test_the_seeded_waiting_periods_are_the_bridges_definition(name):
    """``seed._periods`` (numpy, for a million messages) against a plain reading of the
    messages one by one: a member's message opens a period unless one is open, the
    Space's next message closes it."""
    rows, _ = seed._generate(seed.SIZES[name], np.random.default_rng(seed.SEED))
    expected: list[list[int]] = []
    open_in: dict[int, int] = {}
    for i, (conv, member) in enumerate(
        zip(rows.msg_conv.tolist(), rows.msg_member_dir.tolist(), strict=True)
    ):
        if member and conv not in open_in:
            open_in[conv] = len(expected)
            expected.append([i, -1])
        elif not member and conv in open_in:
            expected[open_in.pop(conv)][1] = i
    opened, closed = seed._periods(rows.msg_conv, rows.msg_member_dir)
    assert [list(x) for x in zip(opened.tolist(), closed.tolist(), strict=True)] == expected
    assert 0 < (closed >= 0).sum() < len(expected)


def _recount(site: BenchSite) -> tuple[list[tuple], list[tuple], list[tuple], list[tuple]]:
    """The waiting periods the bridge's definition makes of the messages in *site*'s
    database and the stored ones; the conversations waiting since their open period's
    start, and those whose ``awaiting_since`` says so."""
    t = tables(run.PREFIX)
    messages = site.sql(
        f"SELECT c.space_id, m.conversation_id, m.direction, m.author_id, m.created_at"
        f" FROM `{t.messages.name}` m JOIN `{t.conversations.name}` c"
        f" ON c.id = m.conversation_id ORDER BY m.conversation_id, m.id"
    )
    periods: list[tuple] = []
    waiting: dict[int, tuple] = {}
    for space, conv, direction, author, at in messages:
        if direction == "member":
            waiting.setdefault(conv, (space, conv, at))
        elif conv in waiting:
            space, conv, opened = waiting.pop(conv)
            waited = (at - opened) // timedelta(milliseconds=1)
            periods.append((space, conv, opened, at, author, waited))
    periods += [(*w, None, None, None) for w in waiting.values()]
    stored = site.sql(
        "SELECT space_id, conversation_id, opened_at, closed_at, answered_by, response_ms"
        f" FROM `{t.response_periods.name}`"
    )
    awaiting = site.sql(
        f"SELECT id, awaiting_since FROM `{t.conversations.name}` WHERE awaiting_since IS NOT NULL"
    )

    def order(p: tuple) -> tuple:
        return p[1], p[2]

    return (
        sorted(periods, key=order),
        sorted(stored, key=order),
        sorted((w[1], w[2]) for w in waiting.values()),
        sorted(awaiting),
    )


@pytest.mark.parametrize("reruns", [0, 2])
def test_a_run_one_worker_served_alone_is_run_again_as_often_as_set(reruns, tmp_path):
    """Two "workers": this process, which does all of the load's work, and an idle one."""
    idle = subprocess.Popen(["sleep", "30"])
    runs, tidied = [], []

    def busy_load(base, targets, **options) -> load.Result:
        began = time.process_time()
        while time.process_time() - began < 0.05:
            pass
        runs.append(options["seconds"])
        return load.Result(1, 1.0, 0, 1.0, *[1.0] * 6)

    class Workers:
        def worker_pids(self) -> list[int]:
            return [os.getpid(), idle.pid]

    bench = run.Bench(run.Settings(reruns=reruns, out=tmp_path))
    bench.run_load = busy_load
    try:
        result = bench.once(
            "http://127.0.0.1:9",
            [],
            1.0,
            8,
            "busy",
            server=Workers(),
            between=lambda: tidied.append(1),
        )
    finally:
        idle.kill()
        idle.wait()
        shutil.rmtree(bench.workdir, ignore_errors=True)
    assert len(runs) == reruns + 1 and len(tidied) == reruns
    assert result.reruns == reruns
    assert result.worker_shares[0] > 1 - run.UNBALANCED / 2, result.worker_shares


def test_the_parts_of_a_run_can_be_chosen():
    assert run.parse([]).only == list(run.PARTS)
    # In the order they run, whatever the order asked.
    assert run.parse(["--only", "outbox, send"]).only == ["send", "outbox"]
    assert run.parse(["--only", "figures,latency"]).only == ["latency", "figures"]
    for wrong in ("outbox,nothing", ","):
        with pytest.raises(SystemExit):
            run.parse(["--only", wrong])


def test_a_tiny_run_writes_well_formed_results(tmp_path):
    settings = run.Settings(
        sizes=["tiny"],
        duration=1,
        warmup=0,
        repetitions=1,
        # A run one gunicorn worker served nearly alone is kept: its numbers are not read.
        reruns=0,
        connections=16,
        latency_connections=8,
        # wrk when it is installed (what `make bench` uses), else the Python client.
        loader="wrk" if shutil.which("wrk") else "python",
        out=tmp_path / "results",
        db_prefix=f"si_test_bench_{os.getpid()}_",
        fresh=True,
        # Dropped below, once the waiting periods were recounted.
        drop=False,
        budget_minutes=5,
        # A few open pages and events: the live step's code, not its scale.
        live_connections=60,
        live_sends=10,
        # The same for nginx's nchan module (tools/ensure-stack installs it).
        nchan_connections=40,
        # Messages timed to their admins' notifications, through a dispatching bridge.
        outbox_messages=10,
        outbox_seconds=1,
    )
    bench = run.Bench(settings)
    site = BenchSite(tmp_path / "site", f"{settings.db_prefix}tiny", table_prefix=run.PREFIX)
    try:
        results = bench.run()
        # Seeded, then written by the bridge for the live steps' messages (the send and
        # outbox steps' are removed with their periods): the periods are the messages'.
        expected, stored, waiting, awaiting = _recount(site)
    finally:
        shutil.rmtree(bench.workdir, ignore_errors=True)
        site.drop()
    assert stored == expected
    assert awaiting == waiting
    paths = run.write(results, settings.out)

    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["skipped"] == []
    assert data["machine"]["nproc"] >= 1
    assert data["datasets"]["tiny"]["messages"] == seed.SIZES["tiny"].messages
    # Redis runs for the tests (tools/ensure-stack): the bridge is measured with and without
    # it, and through the plugin's proxy.
    assert data["redis"] is True
    assert set(data["contenders"]) == {
        "wp_rest",
        "proxy",
        "direct_db",
        "direct",
        "ceiling",
    }
    figures = data["figures"]["tiny"]
    measured = [
        *data["contenders"].values(),
        *data["latency"]["tiny"].values(),
        figures["figures_one"],
        figures["figures"],
        figures["response_time"],
        figures["search_one"],
        figures["record_one"],
        figures["export_one"],
        data["send"],
    ]
    assert len(measured) == 15
    for result in measured:
        for key in ("rps", "p50", "p95", "p99"):
            assert math.isfinite(result[key]) and result[key] >= 0, (key, result)
        # Every request was answered as it should be: real cookies, real nonces.
        assert result["errors"] == 0, result
        assert len(result["runs"]) == 1
    # Each gunicorn worker's part of the work is recorded (PHP's server has no gunicorn).
    gunicorn = [data["contenders"][key] for key in ("direct_db", "direct", "ceiling")]
    gunicorn += [data["send"], figures["figures"], figures["response_time"]]
    for result in gunicorn:
        (only,) = result["runs"]
        assert len(only["worker_shares"]) == settings.workers, only
        assert sum(only["worker_shares"]) == pytest.approx(1.0)
        assert only["reruns"] == 0
    for key in ("wp_rest", "proxy"):
        assert data["contenders"][key]["runs"][0]["worker_shares"] is None
    live = data["live"]
    assert live["connections_open"] == live["connections_still_open"] == 60, live
    assert live["refused"] == 0 and live["kib_per_connection"] > 0, live
    assert live["events"] == 10 and live["events_missed"] == 0, live
    assert 0 < live["latency_ms"]["p50"] <= live["latency_ms"]["p95"], live
    nchan = data["nchan"]
    assert nchan["workers"] == settings.workers, nchan
    assert nchan["forged_cookie_refused"] is True, nchan
    assert nchan["connections_open"] == nchan["connections_still_open"] == 40, nchan
    assert nchan["server_subscribers"] == 40 and nchan["refused"] == 0, nchan
    assert math.isfinite(nchan["kib_per_connection"]), nchan
    assert nchan["events"] == 10 and nchan["events_missed"] == 0, nchan
    assert nchan["end_to_end_events"] == 10 and nchan["end_to_end_missed"] == 0, nchan
    for key in ("latency_ms", "end_to_end_ms"):
        assert 0 < nchan[key]["p50"] <= nchan[key]["p95"] <= nchan[key]["p99"], nchan
    # One bridge, the same behind nginx, two behind nginx: every poll answered.
    scale = data["scale"]
    assert scale["bridge_workers"] == settings.workers
    for key in ("one_bridge", "one_bridge_nginx", "two_bridges_nginx"):
        assert scale[key]["errors"] == 0 and scale[key]["requests"] > 0, scale[key]
    assert "**One bridge or two**" in paths["md"].read_text(encoding="utf-8")
    send = data["send"]
    assert send["fanout"] == seed.SEND_FANOUT
    if sum(send["messages_written"]):
        assert send["jobs_per_message"] == pytest.approx(seed.SEND_FANOUT)
    notified = data["outbox"]
    assert notified["messages"] == notified["answered"] == notified["count"] == 10, notified
    assert notified["failures"] == {} and notified["retried_jobs"] == 0, notified
    assert notified["jobs"] == 10 * seed.SEND_FANOUT == 10 * notified["jobs_per_message"]
    lat = notified["latency_ms"]
    assert 0 < lat["p50"] <= lat["p95"] <= lat["p99"] <= lat["max"], notified
    # What the step wrote, in the bridge's tables and WordPress', is gone again.
    assert notified["left_behind"] == 0, notified
    # The biggest Space's figures read its periods of the last 30 days: a good part of them.
    assert figures["conversations"] > 0, figures
    assert 0 < figures["answered_30_days"] < figures["periods_30_days"] < figures["periods"]
    assert figures["share_30_days"] == figures["periods_30_days"] / figures["periods"]
    assert 0.2 < figures["share_30_days"] < 0.5, figures
    assert [t["name"] for t in data["targets"]] == [t["name"] for t in results["targets"]]
    # The figures' targets are measured at 1 M messages only: none at this size.
    large_only = ("dashboard figures", "public response time")
    figures_targets = [t for t in data["targets"] if t["name"].startswith(large_only)]
    assert len(figures_targets) == 4, figures_targets
    assert all(t["value"] is None and t["met"] is None for t in figures_targets), figures_targets
    (outbox_target,) = [t for t in data["targets"] if t["name"].startswith("outbox latency")]
    assert outbox_target["value"] == pytest.approx(lat["p95"] / 1000.0), outbox_target

    markdown = paths["md"].read_text(encoding="utf-8")
    assert "| contender | requests/s |" in markdown
    assert "| target | wanted | measured |" in markdown
    for label in report.CONTENDERS.values():
        assert label in markdown
    assert "nginx's nchan module" in markdown and "| live updates |" in markdown
    assert "**Outbox latency**" in markdown
    assert "**Response figures of the biggest Space**" in markdown
    for label in report.FIGURES.values():
        assert label in markdown
    if "png" in paths:
        assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert any("matplotlib" in note for note in data["notes"])
