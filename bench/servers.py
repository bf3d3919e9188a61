"""The servers under test: WordPress (PHP's server), the bridge and the ceiling (gunicorn).

All of them are the development stack's (``devstack/``): WordPress is Debian's, copied to
a folder and served by ``php -S`` with ``PHP_CLI_SERVER_WORKERS``; the bridge and the bare
Flask app are :class:`devstack.stack.Server`\\ s. The benchmark keeps a seeded site's
database between runs, so :class:`BenchSite` can also start on a database that already
holds WordPress, and it turns PHP's OPcache on for the server (every production PHP runs
with it; without it WordPress would be judged on compiling itself).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from devstack.stack import BridgeServer, Server, environment
from devstack.wordpress import WordPressSite

ROOT = Path(__file__).resolve().parent.parent

#: Seconds a server may take to answer (a live bridge starts gevent workers).
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
        self._with_ini(super().start)
        return self

    def _create_database(self) -> None:
        if not self.reuse:
            super()._create_database()

    def _install(self) -> None:
        if not self.reuse:
            super()._install()
            return
        self.sql(
            "UPDATE {prefix}options SET option_value = %s WHERE option_name IN ('siteurl', 'home')",
            [self.url],
        )

    def _with_ini(self, start: Callable[[], object]) -> None:
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


def bridge_server(
    wp_config: Path,
    workdir: Path,
    *,
    workers: int,
    threads: int,
    redis_url: str = "",
    live_connections: int = 0,
    streams_per_user: int = 0,
    dispatcher: bool = False,
    push_services: str = "",
) -> BridgeServer:
    """``space-inbox serve``: gunicorn, gthread workers; no dispatcher, no rate limits.

    With ``redis_url`` the bridge publishes its changes and keeps verified poll answers;
    with ``live_connections`` too it serves live streams (``--live``: gevent workers, each
    holding that many connections at most), ``streams_per_user`` of one user's
    (``SPACE_INBOX_STREAMS_PER_USER``; 0: the bridge's default).

    The dispatcher would deliver the send test's notification jobs to WordPress while
    the test runs; the jobs are counted and removed instead. With ``dispatcher`` each
    worker runs one, as ``space-inbox serve`` does by default (the outbox latency step).
    """
    args = ["--threads", str(threads)]
    if not dispatcher:
        args.append("--no-dispatcher")
    if live_connections:
        args += ["--live", "--connections", str(live_connections)]
    else:
        args += ["--no-live"]
    env = {"RATE_PER_SPACE": "off", "RATE_OVERALL": "off"}
    if push_services:  # the push services devices subscribe with (the bench's own)
        env["PUSH_SERVICES"] = push_services
    if redis_url:
        env["REDIS_URL"] = redis_url
    if streams_per_user:
        env["STREAMS_PER_USER"] = str(streams_per_user)
    name = "live-bridge" if live_connections else "bridge" if redis_url else "bridge-no-redis"
    if dispatcher:
        name = "dispatching-" + name
    return BridgeServer(
        wp_config,
        workdir,
        workers=workers,
        args=tuple(args),
        name=name,
        timeout=START_TIMEOUT,
        **env,
    )


def ceiling_server(workdir: Path, *, workers: int, threads: int) -> Server:
    """The bare Flask app of :mod:`bench.ceiling` under the bridge's gunicorn settings."""
    argv = [
        sys.executable, "-m", "gunicorn", "--workers", str(workers),
        "--worker-class", "gthread", "--threads", str(threads),
        "--bind", "127.0.0.1:{port}", "bench.ceiling:app",
    ]  # fmt: skip
    return Server("ceiling", argv, workdir, environment(), cwd=ROOT, timeout=START_TIMEOUT)
