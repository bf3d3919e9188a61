"""Load generation: ``wrk`` (Debian's package) with a Lua script that rotates targets.

A target is one request: method, path, the member's ``Cookie`` and ``X-WP-Nonce``, a
body. The Lua script (``bench/rotate.lua``) takes them round robin, so the load is many
members' real logins, not one cached user. Without ``wrk`` a small threaded Python
client does the same job (fewer requests per second of its own, so only for the smoke
test); the report says which one ran.
"""

from __future__ import annotations

import http.client
import json
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bridge.inbox.figures import nearest_rank

LUA = Path(__file__).with_name("rotate.lua")


@dataclass(frozen=True)
class Target:
    """One request of the rotation. ``%KEY%`` in ``body`` becomes a fresh key each time."""

    method: str
    path: str
    cookie: str = ""
    nonce: str = ""
    body: str = ""

    def line(self) -> str:
        for value in (self.method, self.path, self.cookie, self.nonce, self.body):
            if "\t" in value or "\n" in value:
                raise ValueError(f"tab or newline in a target: {value!r}")
        return "\t".join((self.method, self.path, self.cookie, self.nonce, self.body))


@dataclass
class Result:
    """One run of the load: counts, rate and latency percentiles (milliseconds)."""

    requests: int
    seconds: float
    errors: int
    rps: float
    p50: float
    p90: float
    p95: float
    p99: float
    mean: float
    max: float
    #: Failed requests by kind (wrk: connect, read, write, status >= 400, timeout).
    failures: dict | None = None
    #: CPU time per request (µs) during the run, by who spent it (:func:`cpu_seconds`).
    cpu_us: dict | None = None
    #: Each gunicorn worker's part of the workers' CPU time during the run.
    worker_shares: list[float] | None = None
    #: Runs before this one that were dropped: one worker had done (nearly) all the work.
    reruns: int = 0

    @classmethod
    def from_wrk(cls, data: dict, *, closes: bool = False) -> Result:
        """From wrk's numbers; *closes*: the server ends every response by closing.

        PHP's built-in server sends no Content-Length and closes the connection after
        each response; wrk reads the response to the end and then counts the close as a
        read error too. For such a server read errors are not failures; statuses (from
        the Lua ``response`` hook) and connect/write errors and timeouts still are.
        """
        seconds = data["duration_us"] / 1e6
        failures = {
            "bad_status": data["bad"],
            "connect": data["connect_errors"],
            "write": data["write_errors"],
            "timeout": data["timeouts"],
            "read": 0 if closes else data["read_errors"],
        }
        ms = 1000.0
        return cls(
            requests=data["requests"],
            seconds=seconds,
            errors=sum(failures.values()),
            rps=data["requests"] / seconds if seconds else 0.0,
            p50=data["p50_us"] / ms,
            p90=data["p90_us"] / ms,
            p95=data["p95_us"] / ms,
            p99=data["p99_us"] / ms,
            mean=data["mean_us"] / ms,
            max=data["max_us"] / ms,
            failures={k: v for k, v in failures.items() if v},
        )


def cpu_seconds() -> dict[str, float]:
    """CPU seconds used so far: MariaDB, this process' finished children (the load
    generator: wrk runs as one), and every other process ("servers"), from Linux ``/proc``.

    The difference over a run, divided by its requests, says where a request's cost
    goes: the server under load (idle servers cost next to nothing), MariaDB, wrk.
    """
    found = {"servers": 0.0, "mariadb": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process ended
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        found["mariadb" if comm == "mariadbd" else "servers"] += _stat_seconds(stat)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    found["load generator"] = children.ru_utime + children.ru_stime
    return found


def process_seconds(pids: list[int]) -> list[float]:
    """CPU seconds used so far by each of these processes (0 for one that ended)."""
    found = []
    for pid in pids:
        try:
            found.append(_stat_seconds(Path(f"/proc/{pid}/stat").read_text()))
        except OSError:  # the process ended
            found.append(0.0)
    return found


def _stat_seconds(stat: str) -> float:
    """utime + stime of a ``/proc/PID/stat`` text, in seconds."""
    # Fields 14 and 15 of proc(5): 12 and 13 after the command's closing parenthesis.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def per_request_cpu(before: dict, after: dict, requests: int) -> dict[str, float]:
    """CPU µs per request by group, between two :func:`cpu_seconds` readings."""
    return {k: (after[k] - before[k]) * 1e6 / max(requests, 1) for k in before}


def wrk_path() -> str | None:
    """Where ``wrk`` is, if installed."""
    return shutil.which("wrk")


def ensure_wrk(log: Callable[[str], None]) -> str | None:
    """Return ``wrk``, installing Debian's package first when root and it is missing."""
    found = wrk_path()
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk (Debian package) ...")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"],
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"],
        ):
            subprocess.run(command, env=env, capture_output=True, check=False, timeout=600)
            found = wrk_path()
            if found:
                return found
    return None


def run_wrk(
    base_url: str,
    targets: Sequence[Target],
    *,
    seconds: float,
    connections: int,
    threads: int = 1,
    timeout: float = 10.0,
    closes: bool = False,
) -> Result:
    """One wrk run of *seconds* over *targets*."""
    wrk = wrk_path()
    if wrk is None:
        raise RuntimeError("wrk is not installed")
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as handle:
        handle.write("\n".join(t.line() for t in targets) + "\n")
        path = Path(handle.name)
    try:
        command = [
            wrk,
            f"-t{threads}",
            f"-c{max(connections, threads)}",
            f"-d{max(1, round(seconds))}s",
            f"--timeout={max(1, round(timeout))}s",
            "-s",
            str(LUA),
            base_url,
            "--",
            str(path),
            uuid.uuid4().hex[:12],
        ]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + timeout + 30, check=False
        )
    finally:
        path.unlink(missing_ok=True)
    for line in done.stdout.splitlines():
        if line.startswith("BENCHJSON "):
            return Result.from_wrk(json.loads(line[len("BENCHJSON ") :]), closes=closes)
    raise RuntimeError(
        f"wrk gave no result (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
    )


def run_python(
    base_url: str,
    targets: Sequence[Target],
    *,
    seconds: float,
    connections: int,
    threads: int = 1,
    timeout: float = 10.0,
    closes: bool = False,
) -> Result:
    """The same measurement with threads of ``http.client`` (keep-alive connections)."""
    split = urlsplit(base_url)
    host, port = split.hostname or "127.0.0.1", split.port or 80
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(offset: int) -> None:
        nonlocal errors
        mine: list[float] = []
        bad = 0
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        index = offset
        try:
            while time.monotonic() < deadline:
                t = targets[index % len(targets)]
                index += 1
                headers = {}
                if t.cookie:
                    headers["Cookie"] = t.cookie
                if t.nonce:
                    headers["X-WP-Nonce"] = t.nonce
                body = None
                if t.body:
                    headers["Content-Type"] = "application/json"
                    body = t.body.replace("%KEY%", uuid.uuid4().hex).encode()
                began = time.perf_counter()
                try:
                    conn.request(t.method, t.path, body=body, headers=headers)
                    answer = conn.getresponse()
                    answer.read()
                    if answer.status > 399:
                        bad += 1
                except (OSError, http.client.HTTPException):
                    bad += 1
                    conn.close()
                    conn = http.client.HTTPConnection(host, port, timeout=timeout)
                    continue
                mine.append(time.perf_counter() - began)
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)
                errors += bad

    began = time.monotonic()
    workers = [
        threading.Thread(target=worker, args=(i * 7919,), daemon=True) for i in range(connections)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(seconds + timeout + 5)
    elapsed = time.monotonic() - began
    ms = sorted(x * 1000.0 for x in latencies) or [0.0]

    def pct(p: float) -> float:
        return nearest_rank(ms, p / 100)

    count = len(latencies)
    return Result(
        requests=count + errors,
        seconds=elapsed,
        errors=errors,
        rps=(count + errors) / elapsed if elapsed else 0.0,
        p50=pct(50),
        p90=pct(90),
        p95=pct(95),
        p99=pct(99),
        mean=statistics.fmean(ms),
        max=ms[-1],
        failures={"bad_status_or_io": errors} if errors else {},
    )


def loader(name: str) -> Callable[..., Result]:
    """``"wrk"`` or ``"python"``."""
    return {"wrk": run_wrk, "python": run_python}[name]


def median_result(results: Sequence[Result]) -> Result:
    """Field-wise medians of several repetitions (errors: their sum)."""

    def med(field: str) -> float:
        return float(statistics.median(getattr(r, field) for r in results))

    return Result(
        requests=int(sum(r.requests for r in results)),
        seconds=sum(r.seconds for r in results),
        errors=int(sum(r.errors for r in results)),
        rps=med("rps"),
        p50=med("p50"),
        p90=med("p90"),
        p95=med("p95"),
        p99=med("p99"),
        mean=med("mean"),
        max=max(r.max for r in results),
        failures={
            k: sum((r.failures or {}).get(k, 0) for r in results)
            for k in sorted({k for r in results for k in (r.failures or {})})
        },
        cpu_us={
            k: float(statistics.median(r.cpu_us[k] for r in results))
            for k in (results[0].cpu_us or {})
        }
        or None,
    )
