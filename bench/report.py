"""What a run found, written three ways: JSON, a Markdown table and a PNG chart."""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

CONTENDERS = {
    "wp_rest": "WordPress REST `GET /wp/v2/users/me` (cookie + nonce)",
    "proxy": "bridge, proxy mode (the plugin's default proxy)",
    "direct_db": "bridge, direct mode without Redis (MariaDB on every poll)",
    "direct": "bridge, direct mode with Redis (kept answers)",
    "ceiling": "bare Flask JSON endpoint (gunicorn, the ceiling)",
}
SHORT = {
    "wp_rest": "WordPress REST\nusers/me",
    "proxy": "bridge\nproxy mode",
    "direct_db": "bridge direct\nno Redis",
    "direct": "bridge direct\nwith Redis",
    "ceiling": "bare Flask\n(ceiling)",
}
ENDPOINTS = {
    "summary": "`GET me/summary` (member's header count)",
    "list": "`GET spaces/{id}/conversations` (Space admin's list)",
    "page": "`GET spaces/{id}/conversations/{id}/messages` (message page)",
}
#: The response figures of the biggest Space (``figures`` in the results).
FIGURES = {
    "figures_one": "`GET spaces/{id}/figures` (team dashboard, one admin opening it at a time)",
    "figures": "`GET spaces/{id}/figures` (the same, under the latency load's connections)",
    "response_time": "`GET spaces/{id}/response-time` (public, as members)",
    "search_one": "`GET spaces/{id}/search` (team search, one admin at a time)",
    "search": "`GET spaces/{id}/search` (the same, under the latency load's connections)",
    "record_one": "`GET spaces/{id}/record` (the team's record, newest page, one admin at a time)",
    "export_one": "`GET spaces/{id}/record/export` (30 days as CSV, streamed whole, one at a time)",
}


def command_output(command: list[str]) -> str:
    if not shutil.which(command[0]):
        return ""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return (done.stdout or done.stderr).strip()


def machine(db_version: str = "") -> dict:
    """What the benchmark ran on."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        found = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
        if found:
            memory_gb = round(int(found.group(1)) / 1024 / 1024, 1)
    except OSError:
        pass
    wp_version = ""
    try:
        found = re.search(
            r"\$wp_version = '([^']+)'",
            Path("/usr/share/wordpress/wp-includes/version.php").read_text(),
        )
        wp_version = found.group(1) if found else ""
    except OSError:
        pass
    wrk = command_output(["wrk", "--version"]).splitlines()
    packages = {}
    for name in ("Flask", "gunicorn", "SQLAlchemy", "PyMySQL", "Werkzeug"):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": memory_gb,
        "kernel": platform.release(),
        "os": _os_name(),
        "python": platform.python_version(),
        "php": command_output(["php", "-r", "echo PHP_VERSION;"]),
        "mariadb": db_version,
        "wordpress": wp_version,
        "wrk": wrk[0] if wrk else None,
        "packages": packages,
        "load_average": list(os.getloadavg()),
    }


def _os_name() -> str:
    try:
        text = Path("/etc/os-release").read_text()
    except OSError:
        return platform.system()
    found = re.search(r'^PRETTY_NAME="?([^"\n]+)"?', text, re.M)
    return found.group(1) if found else platform.system()


def write_json(results: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def _cpu(cpu: dict | None) -> str:
    if not cpu:
        return "–"
    return " / ".join(_fmt(cpu.get(k), 0) for k in ("servers", "mariadb", "load generator"))


def markdown(results: dict) -> str:
    """The Markdown report: machine, throughput table, latency table, send, targets."""
    m = results["machine"]
    s = results["settings"]
    lines = [
        f"Measured {results['finished_at']} with `{results['command']}` on {m['nproc']} × "
        f"{m['cpu'] or 'CPU'}, {m['memory_gb']} GB, {m['os']}; PHP {m['php']} (OPcache on), "
        f"MariaDB {m['mariadb']}, WordPress {m['wordpress']}, Python {m['python']}. "
        f"Every server had {s['workers']} workers: gunicorn `--workers {s['workers']} "
        f"--worker-class gthread --threads {s['threads']}` for the bridge and the ceiling, "
        f"`PHP_CLI_SERVER_WORKERS={s['workers']}` for WordPress. Load: {results['loader']}, "
        f"loopback, {s['warmup']} s warm-up then {s['repetitions']} × {s['duration']} s, "
        f"medians; {s['connections']} connections for throughput, "
        f"{s['latency_connections']} for latency.",
        "",
    ]
    load = results.get("load_average") or {}
    if load:
        lines += [
            f"Load average before / after: {', '.join(_fmt(x, 2) for x in load.get('start', []))}"
            f" / {', '.join(_fmt(x, 2) for x in load.get('end', []))}.",
            "",
        ]
    primary = results.get("primary_dataset")
    contenders = results.get("contenders", {})
    if contenders:
        direct = contenders.get("direct", {}).get("rps")
        lines += [
            f"**The header count, `GET /api/v1/me/summary`** ({primary} dataset, "
            f"{s['cookies_used']:,} members' real cookies in rotation):",
            "",
            "| contender | requests/s | p50 ms | p95 ms | p99 ms | errors | bridge direct is "
            "| CPU µs per request: servers / MariaDB / wrk |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for key, label in CONTENDERS.items():
            c = contenders.get(key)
            if not c:
                continue
            ratio = f"{direct / c['rps']:.2f}×" if direct and c.get("rps") else "–"
            lines.append(
                f"| {label} | {_fmt(c['rps'], 0)} | {_fmt(c['p50'])} | {_fmt(c['p95'])} | "
                f"{_fmt(c['p99'])} | {c['errors']} | {ratio} | {_cpu(c.get('cpu_us'))} |"
            )
        lines += [
            "",
            "CPU per request: the CPU time the machine's processes used during the runs "
            "(Linux `/proc`), divided by the requests answered; *servers* is everything but "
            "MariaDB and wrk (the server under load; the idle ones cost next to nothing).",
            "",
        ]
    latency = results.get("latency", {})
    if latency:
        lines += [
            "**Latency against dataset size** (Space admins of the biggest Spaces; "
            "members for the summary):",
            "",
            *_by_size(results, latency, ENDPOINTS),
            "",
        ]
    lines += _figures(results)
    live = results.get("live")
    if live:
        lat = live.get("latency_ms") or {}
        lines += [
            f"**Live streams** (`GET me/stream`, `space-inbox serve --live`: "
            f"{s['workers']} gevent workers, Redis): **{live['connections_open']:,} open pages** "
            f"held at once ({live['connections_wanted']:,} asked for, {live['refused']:,} "
            f"refused), opened in {live['open_seconds']} s; the workers' memory went from "
            f"{live['rss_mib_before']} to {live['rss_mib_open']} MiB: "
            f"**{live['kib_per_connection']} KiB per connection**. With all of them "
            f"connected, {live['events']} messages sent through the other bridge reached "
            f"their admin's stream in **p50 {_fmt(lat.get('p50'))} / p95 "
            f"{_fmt(lat.get('p95'))} / p99 {_fmt(lat.get('p99'))} ms** (max "
            f"{_fmt(lat.get('max'))} ms; from before the POST to the event; "
            f"{live['events_missed']} missed); {live['connections_still_open']:,} streams "
            "were still open at the end.",
            "",
        ]
    lines += _nchan(results)
    send = results.get("send")
    if send:
        lines += [
            f"**Sending** (`POST me/spaces/{{id}}/messages`, {primary} dataset, every Space "
            f"with {send['fanout']} admins): **{_fmt(send['messages_per_s'], 0)} messages/s**, "
            f"{_fmt(send['jobs_per_s'], 0)} outbox jobs/s "
            f"({send['jobs_per_message']:.2f} per message), p95 {_fmt(send['p95'])} ms, "
            f"{send['errors']} errors.",
            "",
        ]
    lines += _outbox(results)
    lines += _scale(results)
    targets = results.get("targets", [])
    if targets:
        lines += ["| target | wanted | measured | |", "|---|---:|---:|---|"]
        for t in targets:
            mark = "met" if t["met"] else ("not met" if t["met"] is False else "not measured")
            lines.append(f"| {t['name']} | {t['wanted']} | {t['measured']} | {mark} |")
        lines.append("")
    for note in results.get("notes", []):
        lines.append(f"- {note}")
    return "\n".join(lines).rstrip() + "\n"


def _by_size(results: dict, found: dict, endpoints: dict[str, str]) -> list[str]:
    """A table of endpoints (rows) by dataset size (columns): p50 / p95 / p99 ms."""
    sizes = list(found)
    header = "| endpoint | " + " | ".join(
        f"{name} ({results['datasets'][name]['messages']:,} msgs) p50 / p95 / p99 ms"
        for name in sizes
    )
    lines = [header + " | p95 ratio |", "|---|" + "---:|" * (len(sizes) + 1)]
    for key, label in endpoints.items():
        cells = []
        for name in sizes:
            r = found[name].get(key)
            cells.append(
                f"{_fmt(r['p50'])} / {_fmt(r['p95'])} / {_fmt(r['p99'])} "
                f"({_fmt(r['rps'], 0)} req/s)"
                if r
                else "–"
            )
        first, last = found[sizes[0]].get(key), found[sizes[-1]].get(key)
        ratio = (
            f"{last['p95'] / first['p95']:.2f}×"
            if first and last and first["p95"] and len(sizes) > 1
            else "–"
        )
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {ratio} |")
    return lines


def _figures(results: dict) -> list[str]:
    """The biggest Space's response figures at each dataset size, and what they read."""
    found = results.get("figures")
    if not found:
        return []
    sizes = list(found)
    window = " | ".join(
        f"{found[n]['periods_30_days']:,} of {found[n]['periods']:,} "
        f"({found[n]['share_30_days']:.0%}; {found[n]['answered_30_days']:,} answered)"
        for n in sizes
    )
    spaces = ", ".join(
        f"{n}: Space {found[n]['space_id']}, {found[n]['conversations']:,} conversations, "
        f"dataset seeded {found[n]['dataset_age_hours']:g} h before"
        for n in sizes
    )
    cpu = "; ".join(
        f"{n}: dashboard {_cpu_ms(found[n].get('figures'))}, "
        f"public {_cpu_ms(found[n].get('response_time'))}"
        for n in sizes
    )
    return [
        f"**Response figures of the biggest Space** ({spaces}; each request reads the "
        "Space's waiting periods opened in the last 30 days):",
        "",
        *_by_size(results, found, FIGURES),
        f"| its waiting periods in the 30-day window, of all its periods | {window} | |",
        "",
        f"CPU ms per request, servers / MariaDB: {cpu}.",
        "",
    ]


def _cpu_ms(result: dict | None) -> str:
    cpu = (result or {}).get("cpu_us") or {}
    if not cpu:
        return "–"
    return f"{_fmt(cpu.get('servers', 0) / 1000)} / {_fmt(cpu.get('mariadb', 0) / 1000)}"


def _outbox(results: dict) -> list[str]:
    """The outbox step: from a member's send to every admin's notification in WordPress."""
    o = results.get("outbox")
    if not o:
        return []
    lat, done = o.get("latency_ms") or {}, o.get("delivered_ms") or {}
    push = o.get("push_ms") or {}
    failures = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in o["failures"].items())
    return [
        f"**Outbox latency** ({results.get('primary_dataset')} dataset; `space-inbox serve` "
        f"with its dispatchers on, {o['workers']} workers, one dispatcher each; WordPress "
        f"with `PHP_CLI_SERVER_WORKERS={o['php_workers']}`): {o['messages']} messages sent "
        f"over {o['seconds']} s ({_fmt(o['rate_per_s'])}/s) to Spaces with {o['fanout']} "
        f"admins, each timed from its `201` to the moment WordPress had written the "
        f"notification row (`space_inbox_jobs`) of its last admin's job, seen by polling "
        f"every {_fmt(o['poll_ms'], 0)} ms: **p50 {_fmt(lat.get('p50'))} / p95 "
        f"{_fmt(lat.get('p95'))} / p99 {_fmt(lat.get('p99'))} ms** (max "
        f"{_fmt(lat.get('max'))} ms; {o['count']} of {o['messages']} messages measured, "
        f"{failures or 'no failures'}); until the dispatcher had WordPress' answer for the "
        f"batch (the bridge's `delivered_at`): p50 {_fmt(done.get('p50'))} / p95 "
        f"{_fmt(done.get('p95'))} / p99 {_fmt(done.get('p99'))} ms. {o['jobs']:,} jobs "
        f"({_fmt(o['jobs_per_message'], 2)} per message) in {o['batches']:,} batches "
        f"({_fmt(o['jobs_per_batch'])} jobs each), {o['retried_jobs']} retried."
        + (
            f" Each admin with one device subscribed for Web Push: until the push service "
            f"(the tests' own, checking VAPID and decrypting) accepted the last admin's "
            f"push, **p50 {_fmt(push.get('p50'))} / p95 {_fmt(push.get('p95'))} / p99 "
            f"{_fmt(push.get('p99'))} ms** ({o.get('pushes', 0):,} pushes)."
            if push
            else ""
        ),
        "",
    ]


def _scale(results: dict) -> list[str]:
    """One bridge against two behind nginx: a table."""
    scale = results.get("scale")
    if not scale:
        return []
    rows = {
        "one_bridge": "one bridge, direct",
        "one_bridge_nginx": "one bridge behind nginx",
        "two_bridges_nginx": "two bridges behind nginx (round robin)",
    }
    lines = [
        f"**One bridge or two** (`GET me/summary`, direct mode with Redis; each bridge "
        f"{scale['bridge_workers']} gunicorn workers; one nginx worker, kept-alive upstream "
        "connections; all on this machine, sharing its cores, MariaDB and Redis):",
        "",
        "| served by | requests/s | p50 / p95 / p99 ms | errors | CPU µs per request: "
        "servers / MariaDB / wrk |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, label in rows.items():
        r = scale[key]
        cpu = _cpu(r.get("cpu_us"))
        lines.append(f"| {label} | {_fmt(r['rps'], 0)} | {_lat(r)} | {r['errors']} | {cpu} |")
    return [*lines, ""]


def _lat(lat: dict | None) -> str:
    lat = lat or {}
    return f"{_fmt(lat.get('p50'))} / {_fmt(lat.get('p95'))} / {_fmt(lat.get('p99'))}"


def _nchan(results: dict) -> list[str]:
    """The nchan step: a paragraph, and a table beside the bridge's live streams."""
    nchan = results.get("nchan")
    if not nchan:
        return []
    s = results["settings"]
    lat, e2e = nchan.get("latency_ms") or {}, nchan.get("end_to_end_ms") or {}
    lines = [
        f"**The alternative, nginx's nchan module** (libnginx-mod-nchan "
        f"{nchan.get('module_version') or ''}, "
        f"{nchan['workers']} nginx workers, `worker_connections {nchan['worker_connections']:,}`"
        f"; a channel per user, `/sub/<user id>` as EventSource, each subscription "
        f"authorized by the bridge's `{nchan['authorized_by']}` with the page's cookie"
        f"{'' if nchan.get('forged_cookie_refused') else ' (a forged cookie was NOT refused)'}"
        f"): **{nchan['connections_open']:,} open pages** held at once "
        f"({nchan['connections_wanted']:,} asked for, {nchan['refused']:,} refused; nchan "
        f"counted {_fmt(nchan.get('server_subscribers'), 0)} subscribers on "
        f"{_fmt(nchan.get('channels'), 0)} channels), opened in {nchan['open_seconds']} s; "
        f"the workers' memory went from {nchan['rss_mib_before']} to "
        f"{nchan['rss_mib_open']} MiB: **{nchan['kib_per_connection']} KiB per connection** "
        f"({nchan['pss_kib_per_connection']} KiB counting shared pages once). With all of "
        f"them connected, {nchan['events']} publications to an admin's channel arrived in "
        f"**p50 {_fmt(lat.get('p50'))} / p95 {_fmt(lat.get('p95'))} / p99 "
        f"{_fmt(lat.get('p99'))} ms** (from before the POST to the publisher; "
        f"{nchan['events_missed']} missed), and {nchan['end_to_end_events']} messages sent "
        f"through the bridge, then published to their Space's admins, in **p50 "
        f"{_fmt(e2e.get('p50'))} / p95 {_fmt(e2e.get('p95'))} / p99 {_fmt(e2e.get('p99'))} ms** "
        f"({nchan['end_to_end_missed']} missed); {nchan['connections_still_open']:,} streams "
        "were still open at the end.",
        "",
    ]
    live = results.get("live")
    rows = []
    if live:
        rows.append(
            f"| bridge, `serve --live` ({s['workers']} gevent workers, Redis): member's message "
            f"→ event | {live['connections_open']:,} | {live['kib_per_connection']} | "
            f"{_lat(live.get('latency_ms'))} |"
        )
    rows += [
        f"| nchan ({nchan['workers']} nginx workers): member's message through the bridge, "
        f"then publication → event | {nchan['connections_open']:,} | "
        f"{nchan['kib_per_connection']} | {_lat(e2e)} |",
        f"| nchan: publication alone → event | {nchan['connections_open']:,} | "
        f"{nchan['kib_per_connection']} | {_lat(lat)} |",
    ]
    lines += [
        "| live updates | streams held | KiB per connection | event p50 / p95 / p99 ms |",
        "|---|---:|---:|---:|",
        *rows,
        "",
    ]
    return lines


def chart(results: dict, path: Path) -> bool:
    """The PNG: requests/s per contender, and latency against dataset size.

    :returns: False when matplotlib is not installed (nothing written).
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    contenders = results.get("contenders", {})
    latency = results.get("latency", {})
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8), dpi=110)

    keys = [k for k in CONTENDERS if k in contenders]
    values = [contenders[k]["rps"] for k in keys]
    colors = {
        "wp_rest": "#8c8c8c",
        "proxy": "#d9a441",
        "direct_db": "#8fb8e8",
        "direct": "#2f7ed8",
        "ceiling": "#3a3a3a",
    }
    bars = left.barh([SHORT[k] for k in keys], values, color=[colors[k] for k in keys])
    left.set_xlabel("requests/s (median)")
    left.set_title(f"GET me/summary, {results.get('primary_dataset', '')} dataset")
    top = max(values or [1.0])
    for bar, value in zip(bars, values, strict=True):
        left.text(
            bar.get_width() + top * 0.01,
            bar.get_y() + bar.get_height() / 2,
            f"{value:,.0f}",
            va="center",
            fontsize=9,
        )
    left.set_xlim(0, top * 1.2)
    left.invert_yaxis()

    markers = {
        "summary": "o",
        "list": "s",
        "page": "^",
        "figures_one": "d",
        "figures": "D",
        "response_time": "v",
        "search_one": "P",
        "search": "X",
        "record_one": "<",
        "export_one": ">",
    }
    hues = {
        "summary": "#2f7ed8",
        "list": "#8e44ad",
        "page": "#d35400",
        "figures_one": "#16a085",
        "figures": "#27ae60",
        "response_time": "#7f8c8d",
        "search_one": "#c0392b",
        "search": "#e67e22",
        "record_one": "#2c3e50",
        "export_one": "#95a5a6",
    }
    # Each endpoint with the sizes it was measured at (latency and figures may differ).
    measured = {key: latency for key in ENDPOINTS}
    measured.update({key: results.get("figures") or {} for key in FIGURES})
    xs, ys = [], []
    for key, found in measured.items():
        sizes = list(found)
        xs += [results["datasets"][name]["messages"] for name in sizes]
        points = [(results["datasets"][n]["messages"], found[n].get(key)) for n in sizes]
        points = [(x, r) for x, r in points if r]
        if not points:
            continue
        for pct, style in (("p50", ":"), ("p95", "-"), ("p99", "--")):
            ys += [r[pct] for _, r in points]
            right.plot(
                [x for x, _ in points],
                [r[pct] for _, r in points],
                style,
                color=hues[key],
                marker=markers[key],
                label=f"{key} {pct}",
            )
    if len(set(xs)) > 1:
        right.set_xscale("log")
    right.set_xlabel("messages in the dataset")
    right.set_ylabel("latency, ms")
    if ys and min(ys) > 0 and max(ys) > 20 * min(ys):
        right.set_yscale("log")  # the figures' hundreds of ms beside the polls' few
    else:
        right.set_ylim(bottom=0)
    right.set_title("latency against dataset size")
    if right.get_legend_handles_labels()[0]:  # nothing to label when no latency ran
        right.legend(fontsize=7, ncol=3)
    live = results.get("live")
    if live:
        lat = live.get("latency_ms") or {}
        fig.text(
            0.01,
            0.01,
            f"live: {live['connections_open']:,} open pages on one box, "
            f"{live['kib_per_connection']} KiB each; event p95 {_fmt(lat.get('p95'))} ms "
            "while all are connected"
            + (
                f" · nchan: {results['nchan']['connections_open']:,}, "
                f"{results['nchan']['kib_per_connection']} KiB each, p95 "
                f"{_fmt((results['nchan'].get('end_to_end_ms') or {}).get('p95'))} ms"
                if results.get("nchan")
                else ""
            ),
            fontsize=9,
        )
    m = results["machine"]
    fig.suptitle(
        f"Space Inbox benchmark · {m['nproc']} × {m['cpu'] or 'CPU'} · {results['finished_at']}",
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0.04 if live else 0, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return True


def python_command() -> str:
    """How this run was started, for the report."""
    argv = [Path(sys.argv[0]).name, *sys.argv[1:]]
    return " ".join(argv)
