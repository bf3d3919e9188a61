"""The servers under test: WordPress (PHP's server), the bridge and the ceiling (gunicorn).

WordPress comes from the project's own test harness (``devstack/wordpress.py``): Debian's
WordPress copied to a folder and served by ``php -S`` with ``PHP_CLI_SERVER_WORKERS``.
The benchmark keeps a seeded site's database between runs, so :class:`BenchSite` can
also start on a database that already holds WordPress, and it turns PHP's OPcache on
for the server (every production PHP runs with it; without it WordPress would be judged
on compiling itself).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from devstack.stack import command, environment, wait_until_ready
from devstack.wordpress import (
    WordPressSite,
    child_pids,
    free_port,
    php_str,
    stop_process_group,
)

ROOT = Path(__file__).resolve().parent.parent

__all__ = [
    "BenchSite",
    "Gunicorn",
    "bridge_server",
    "ceiling_server",
    "php_str",
    "ROOT",
]

START_TIMEOUT = 60.0

#: PHP settings of the benchmark's PHP server (appended to the system's scan directory).
PHP_INI = """; Written by bench/servers.py: what a production PHP has on.
opcache.enable=1
opcache.enable_cli=1
opcache.memory_consumption=128
opcache.max_accelerated_files=10000
opcache.validate_timestamps=0
realpath_cache_size=4096K
"""


class BenchSite(WordPressSite):
    """A :class:`WordPressSite` that may start on its existing database, with OPcache on.

    :param reuse: when true, the database is kept: WordPress is not installed again, only
        its files are laid out and its URL options point at the new server.
    """

    def __init__(self, *args, reuse: bool = False, opcache: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.reuse = reuse
        self.opcache = opcache

    def start(self) -> BenchSite:
        if not self.reuse:
            self._with_ini(super().start)
            return self
        began = time.monotonic()
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._copy_tree()
        self._write_files()
        try:
            self._with_ini(self._start_server)
            self.sql(
                "UPDATE {prefix}options SET option_value = %s"
                " WHERE option_name IN ('siteurl', 'home')",
                [self.url],
            )
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - began
        return self

    def _with_ini(self, start) -> None:
        """Run *start* with PHP_INI_SCAN_DIR extended by the benchmark's settings."""
        if not self.opcache:
            start()
            return
        ini_dir = self.workdir / "php-ini"
        ini_dir.mkdir(parents=True, exist_ok=True)
        (ini_dir / "99-bench.ini").write_text(PHP_INI, encoding="utf-8")
        saved = os.environ.get("PHP_INI_SCAN_DIR")
        # A leading ":" appends to the directory PHP was built with, keeping mysqli & co.
        os.environ["PHP_INI_SCAN_DIR"] = f":{ini_dir}"
        try:
            start()
        finally:
            if saved is None:
                os.environ.pop("PHP_INI_SCAN_DIR", None)
            else:
                os.environ["PHP_INI_SCAN_DIR"] = saved

    def __exit__(self, *exc) -> None:
        self.stop()


class Gunicorn:
    """A gunicorn-served app on a free loopback port, in its own process group.

    :param argv: the command, with ``{port}`` where the port goes.
    :param health: a path that answers 200 once the app is ready.
    """

    def __init__(
        self,
        name: str,
        argv: list[str],
        workdir: Path,
        env: dict[str, str],
        health: str = "/health",
    ) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.argv = [a.replace("{port}", str(self.port)) for a in argv]
        self.workdir = workdir
        self.env = env
        self.health = health
        self.log = workdir / f"{name}-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> Gunicorn:
        """Start it and wait until the health path answers 200."""
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_until_ready(
                self.process, self.url + self.health, self.log, self.name, START_TIMEOUT
            )
        except RuntimeError:
            self.process = None
            raise
        return self

    def worker_pids(self) -> list[int]:
        """The gunicorn workers' process ids (the arbiter's children)."""
        return child_pids(self.process)

    def stop(self) -> None:
        """Stop the server and every process of its group."""
        server, self.process = self.process, None
        if server is not None:
            stop_process_group(server, term_wait=15.0)

    def __enter__(self) -> Gunicorn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def bridge_server(
    wp_config: Path,
    workdir: Path,
    *,
    workers: int,
    threads: int,
    redis_url: str = "",
    live_connections: int = 0,
    dispatcher: bool = False,
) -> Gunicorn:
    """``space-inbox serve``: gunicorn, gthread workers; no dispatcher, no rate limits.

    With ``redis_url`` the bridge publishes its changes and keeps verified poll answers;
    with ``live_connections`` too it serves live streams (``--live``: gevent workers, each
    holding that many connections at most).

    The dispatcher would deliver the send test's notification jobs to WordPress while
    the test runs; the jobs are counted and removed instead. With ``dispatcher`` each
    worker runs one, as ``space-inbox serve`` does by default (the outbox latency step).
    """
    argv = [
        *command(),
        "serve",
        "--wp-config",
        str(wp_config),
        "--port",
        "{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
    ]
    if not dispatcher:
        argv.append("--no-dispatcher")
    if live_connections:
        argv += ["--live", "--connections", str(live_connections)]
    else:
        argv += ["--no-live"]
    env = environment(RATE_PER_SPACE="off", RATE_OVERALL="off")
    if redis_url:
        env["SPACE_INBOX_REDIS_URL"] = redis_url
    name = "live-bridge" if live_connections else "bridge" if redis_url else "bridge-no-redis"
    if dispatcher:
        name = "dispatching-" + name
    return Gunicorn(name, argv, workdir, env)


def _gunicorn(target: str, workers: int, threads: int) -> list[str]:
    """gunicorn with the bridge's settings (gthread workers), on the ``{port}`` to fill in."""
    return [
        sys.executable, "-m", "gunicorn", "--workers", str(workers),
        "--worker-class", "gthread", "--threads", str(threads),
        "--bind", "127.0.0.1:{port}", target,
    ]  # fmt: skip


def ceiling_server(workdir: Path, *, workers: int, threads: int) -> Gunicorn:
    """The bare Flask app of :mod:`bench.ceiling` under the bridge's gunicorn settings."""
    argv = _gunicorn("bench.ceiling:app", workers, threads)
    return Gunicorn("ceiling", argv, workdir, environment())
