"""The benchmark's code runs: a tiny dataset, a second of load per test, well-formed results.

Speed is never asserted here (``make bench`` only reports it); this keeps ``bench/`` from
rotting between the runs of the real benchmark.
"""

from __future__ import annotations

import json
import math
import os
import shutil

import pytest

from bench import report, run, seed


def test_a_dataset_marker_round_trips_and_refuses_other_sizes():
    tiny, small = seed.SIZES["tiny"], seed.SIZES["small"]
    dataset = seed.Dataset(tiny, [(1, 1001)], [(1, 7, 1001)], [9, 10], 1.5)
    again = seed.Dataset.from_json(dataset.to_json(), tiny)
    assert again == dataset
    assert seed.Dataset.from_json(dataset.to_json(), small) is None
    assert seed.Dataset.from_json("not json", tiny) is None
    assert seed.Dataset.from_json(None, tiny) is None


def test_the_parts_of_a_run_can_be_chosen():
    assert run.parse([]).only == list(run.PARTS)
    # In the order they run, whatever the order asked.
    assert run.parse(["--only", "outbox, send"]).only == ["send", "outbox"]
    for wrong in ("outbox,nothing", ","):
        with pytest.raises(SystemExit):
            run.parse(["--only", wrong])


def test_a_tiny_run_writes_well_formed_results(tmp_path):
    settings = run.Settings(
        sizes=["tiny"],
        duration=1,
        warmup=0,
        repetitions=1,
        connections=4,
        latency_connections=2,
        # wrk when it is installed (what `make bench` uses), else the Python client.
        loader="wrk" if shutil.which("wrk") else "python",
        out=tmp_path / "results",
        db_prefix=f"si_test_bench_{os.getpid()}_",
        fresh=True,
        drop=True,
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
    try:
        results = bench.run()
    finally:
        shutil.rmtree(bench.workdir, ignore_errors=True)
    paths = run.write(results, settings.out)

    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["skipped"] == []
    assert data["machine"]["nproc"] >= 1
    assert data["datasets"]["tiny"]["messages"] == seed.SIZES["tiny"].messages
    # Redis runs for the tests (tools/ensure-stack): the bridge is measured with and without
    # it, and the fast proxy beside the plugin's REST route.
    assert data["redis"] is True
    assert set(data["contenders"]) == {
        "wp_rest",
        "proxy",
        "proxy_rest",
        "direct_db",
        "direct",
        "ceiling",
    }
    measured = [*data["contenders"].values(), *data["latency"]["tiny"].values(), data["send"]]
    assert len(measured) == 10
    for result in measured:
        for key in ("rps", "p50", "p95", "p99"):
            assert math.isfinite(result[key]) and result[key] >= 0, (key, result)
        # Every request was answered as it should be: real cookies, real nonces.
        assert result["errors"] == 0, result
        assert len(result["runs"]) == 1
    # Each gunicorn worker's part of the work is recorded (PHP's server has no gunicorn).
    gunicorn = [data["contenders"][key] for key in ("direct_db", "direct", "ceiling")]
    gunicorn.append(data["send"])
    for result in gunicorn:
        (only,) = result["runs"]
        assert len(only["worker_shares"]) == settings.workers, only
        assert sum(only["worker_shares"]) == pytest.approx(1.0)
        assert 0 <= only["reruns"] <= run.RERUNS
    for key in ("wp_rest", "proxy", "proxy_rest"):
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
    assert [t["name"] for t in data["targets"]] == [t["name"] for t in results["targets"]]
    (outbox_target,) = [t for t in data["targets"] if t["name"].startswith("outbox latency")]
    assert outbox_target["value"] == pytest.approx(lat["p95"] / 1000.0), outbox_target

    markdown = paths["md"].read_text(encoding="utf-8")
    assert "| contender | requests/s |" in markdown
    assert "| target | wanted | measured |" in markdown
    for label in report.CONTENDERS.values():
        assert label in markdown
    assert "nginx's nchan module" in markdown and "| live updates |" in markdown
    assert "**Outbox latency**" in markdown
    if "png" in paths:
        assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert any("matplotlib" in note for note in data["notes"])
