"""The real bridge as a process: ``space-inbox`` commands, servers on loopback (the bridge,
or any gunicorn-served app) and the whole stack (WordPress, the plugin and the bridge),
for the tests, the load test and the benchmark."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import requests

from devstack.detached import spawn
from devstack.nginx import NginxFront
from devstack.platforms import build_site
from devstack.wordpress import (
    WordPressSite,
    child_pids,
    free_port,
    php_str,
    stop_process_group,
)

COMMAND_TIMEOUT = 60
SERVER_START_TIMEOUT = 30


def command() -> list[str]:
    """The installed console script (beside this Python, else on PATH), else ``-m``."""
    beside = Path(sys.executable).with_name("space-inbox")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("space-inbox")
    return [found] if found else [sys.executable, "-m", "bridge.cli"]


def environment(**extra: str) -> dict[str, str]:
    """This process' environment without SPACE_INBOX_* settings (they would win), plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPACE_INBOX_")}
    env.update({f"SPACE_INBOX_{k}": v for k, v in extra.items()})
    return env


def migrate(wp_config: Path) -> str:
    """Upgrade the inbox tables of the site of *wp_config* as ``space-inbox migrate`` does,
    in this process (starting the command costs more than the upgrade); what it says.

    :raises RuntimeError: if it failed.
    """
    from bridge import config
    from bridge.storage import db
    from bridge.storage import migrate as schema

    try:
        settings = config.resolve({"WP_CONFIG": str(wp_config)})
        engine = db.make_engine(settings)
        try:
            before, after = schema.upgrade(engine, settings["TABLE_PREFIX"])
        finally:
            engine.dispose()
    except Exception as error:
        raise RuntimeError(f"space-inbox migrate failed: {error}") from error
    if before == after:
        return f"schema already current ({after})"
    return f"schema upgraded from {before or 'nothing'} to {after}"


def run(
    *args: str, cwd: Path, timeout: float = COMMAND_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """Run ``space-inbox ARGS`` and return what it did."""
    return subprocess.run(
        [*command(), *args],
        cwd=cwd,
        env=environment(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def wait_until_ready(
    process: subprocess.Popen,
    health_url: str,
    log: Path,
    name: str,
    timeout: float = SERVER_START_TIMEOUT,
) -> None:
    """Wait until a started server answers 200 on its health URL; stop it and raise if not."""
    deadline = time.monotonic() + timeout
    problem = "no answer"
    with requests.Session() as http:
        http.trust_env = False
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited:\n{log.read_text()[-3000:]}")
            try:
                answer = http.get(health_url, timeout=2)
                if answer.status_code == 200:
                    return
                problem = f"HTTP {answer.status_code}: {answer.text[:300]}"
            except requests.RequestException as exc:
                problem = repr(exc)
            time.sleep(0.1)
    stop_process_group(process)
    raise RuntimeError(f"{name} is not ready: {problem}\n{log.read_text()[-3000:]}")


def redis_answers(url: str) -> bool:
    """Whether a Redis answers a PING at *url* (``redis://host[:port][/db]``); False for an
    empty *url*, or without the Redis client installed."""
    if not url:
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except Exception:  # noqa: BLE001 - no client, no server, no such address: no Redis
        return False


def live_support() -> bool:
    """Whether the bridge's live mode can run here: gevent and the Redis client installed."""
    import importlib.util

    return all(importlib.util.find_spec(name) for name in ("gevent", "redis"))


def new_space(site: WordPressSite, title: str, author: int, team: list[int]) -> int:
    """Create a published Space as an editor would: the post, then its team; its id."""
    adds = "".join(f"add_post_meta($id, '_space_inbox_team', {uid});" for uid in team)
    return int(
        site.php(
            f"$id = wp_insert_post(['post_type' => 'wpe_wpspace', 'post_status' => 'publish',"
            f" 'post_title' => {php_str(title)}, 'post_author' => {author}]);"
            f"{adds} wp_update_post(['ID' => $id]); echo $id;"
        ).strip()
    )


class Server:
    """A command serving HTTP on a loopback port, in its own process group (a gunicorn
    arbiter and its workers), ready once a path of it answers 200.

    :param name: what its log and error messages call it.
    :param argv: the command, with ``{port}`` where the port goes.
    :param workdir: where it runs (unless *cwd* is given) and its log ``NAME-PORT.log``
        goes (unless *log* is given).
    :param env: its whole environment (see :func:`environment`).
    :param port: the loopback port; a free one by default.
    :param health: the path that answers 200 once it is ready.
    :param timeout: seconds it may take to be ready.
    """

    def __init__(
        self,
        name: str,
        argv: list[str],
        workdir: Path,
        env: dict[str, str],
        *,
        port: int = 0,
        health: str = "/health",
        log: Path | None = None,
        cwd: Path | None = None,
        timeout: float = SERVER_START_TIMEOUT,
    ) -> None:
        self.name = name
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.argv = [a.replace("{port}", str(self.port)) for a in argv]
        self.workdir = workdir
        self.env = env
        self.health = health
        self.log = log or workdir / f"{name}-{self.port}.log"
        self.cwd = cwd or workdir
        self.timeout = timeout
        self.process: subprocess.Popen | None = None

    def start(self) -> Server:
        """Start it and wait until its health path answers 200; stop it if that fails."""
        self.process = spawn(self.argv, self.log, cwd=self.cwd, env=self.env)
        try:
            health = self.url + self.health
            wait_until_ready(self.process, health, self.log, self.name, self.timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def worker_pids(self) -> list[int]:
        """The workers' process ids (the arbiter's children)."""
        return child_pids(self.process)

    def kill(self) -> None:
        """SIGKILL the whole process group, as a crash would: none of it runs a line more.
        :meth:`start` serves again on the same port."""
        process, self.process = self.process, None
        if process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    #: What stops it (sent to its process group): SIGTERM, or a signal of the server's own.
    stop_signal = signal.SIGTERM

    def stop(self) -> None:
        """Stop it and every process of its group."""
        process, self.process = self.process, None
        if process is not None:
            stop_process_group(process, term_wait=15.0, first=self.stop_signal)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class BridgeServer(Server):
    """``space-inbox serve`` on a loopback port (a free one by default), in its own process
    group; *args* are more options of ``serve``, *env* its ``SPACE_INBOX_*`` settings
    (``REDIS_URL="..."`` for ``SPACE_INBOX_REDIS_URL``).

    One worker unless told: a worker costs about a second of CPU to start and keeps polling,
    and a test about several workers asks for them.
    """

    # gunicorn's quick shutdown: about half a second, where SIGTERM's graceful one waits out
    # its workers' one-second polls (two seconds or more). What a stopped bridge was doing
    # is what a crash leaves, which the outbox is made for (tests/test_faults.py).
    stop_signal = signal.SIGQUIT

    def __init__(
        self,
        wp_config: Path,
        workdir: Path,
        *,
        workers: int = 1,
        args: tuple[str, ...] = (),
        port: int = 0,
        name: str = "bridge",
        log: Path | None = None,
        timeout: float = SERVER_START_TIMEOUT,
        **env: str,
    ) -> None:
        self.wp_config = wp_config
        self.workers = workers
        argv = [
            *command(),
            "serve",
            "--wp-config", str(wp_config),
            "--port", "{port}",
            "--workers", str(workers),
            *args,
        ]  # fmt: skip
        super().__init__(
            name, argv, workdir, environment(**env), port=port, log=log, timeout=timeout
        )

    def wait_for_dispatcher_passes(self, passes: int = 2, timeout: float = 30.0) -> None:
        """Wait until the dispatcher of each worker has made *passes* more passes (counted
        from the first time ``/health`` shows that worker): whatever those passes would do,
        they have done.

        :raises AssertionError: if the workers' dispatchers do not pass within *timeout* s.
        """
        first: dict[int, int] = {}
        done: set[int] = set()
        deadline = time.monotonic() + timeout
        while len(done) < self.workers:
            # A new connection each time: the workers take turns at accepting.
            seen = requests.get(f"{self.url}/health", timeout=5).json()["dispatcher"]
            count = first.setdefault(seen["process"], seen["passes"])
            if seen["passes"] - count >= passes:
                done.add(seen["process"])
            assert time.monotonic() < deadline, f"dispatchers passed: {first} -> {seen}"
            time.sleep(0.05)


PLUGIN = Path(__file__).resolve().parent.parent / "wp_plugin"


class WholeStack:
    """A real WordPress with the plugin active, the bridge served beside it, one database.

    *platform* is a key of :data:`platforms.PLATFORMS`: Debian's WordPress 6.1 by default,
    or WordPress 7.1 alone, with BuddyPress, or with BuddyBoss Platform.

    With *direct* the stack runs in direct mode behind nginx (:mod:`devstack.nginx`): the site
    is installed at nginx's address, which serves WordPress at ``/`` and the bridge under
    ``/space-inbox-api/``; the plugin's ``space_inbox_public_url`` is that path on the origin
    (:attr:`public_url`), while ``space_inbox_bridge_url`` stays the bridge's own address for
    WordPress' server-to-server calls.  :attr:`url` is the site's address either way.

    *bridge_workers* is how many gunicorn workers the bridge runs (one by default).

    *email_delay* is the site's e-mail delay in seconds: 0 (e-mails at once, one per send
    that comes alone) unless a test sets one; None keeps the plugin's default.
    """

    def __init__(
        self,
        workdir: Path,
        db_name: str,
        prefix: str,
        *,
        php_workers: int = 4,
        bridge_workers: int = 1,
        platform: str = "wp61",
        direct: bool = False,
        email_delay: int | None = 0,
        **bridge_env: str,
    ) -> None:
        self.workdir = workdir
        self.email_delay = email_delay
        front_port = free_port() if direct else 0
        self.site = build_site(
            platform,
            workdir,
            db_name,
            table_prefix=prefix,
            plugin_dirs={"space-inbox": PLUGIN},
            workers=php_workers,
            public_url=f"http://127.0.0.1:{front_port}" if direct else "",
        )
        self.bridge = BridgeServer(
            self.site.wp_config_path, workdir, workers=bridge_workers, **bridge_env
        )
        #: nginx in front of both, in direct mode.
        self.front = (
            NginxFront(self.site, self.bridge.url, workdir / "nginx", port=front_port)
            if direct
            else None
        )
        #: The plugin's public bridge URL: empty in proxy mode.
        self.public_url = self.front.public_bridge if self.front else ""

    @property
    def url(self) -> str:
        """The site's address, as the browser sees it."""
        return self.site.url

    def start(self) -> WholeStack:
        """Install WordPress, activate the plugin, migrate, serve the bridge and connect them."""
        self.site.start()
        try:
            self.site.activate_plugin("space-inbox/space-inbox.php")
            migrate(self.site.wp_config_path)
            self.bridge.start()
            self.site.php(
                f"update_option('space_inbox_bridge_url', {php_str(self.bridge.url)});"
                + (
                    ""
                    if self.email_delay is None
                    else f"update_option('space_inbox_email_delay', {int(self.email_delay)});"
                )
            )
            if self.front is not None:
                self.front.start()
                self.site.php(
                    f"update_option('space_inbox_public_url', {php_str(self.public_url)});"
                )
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, *, drop: bool = True) -> None:
        """Stop the servers and, unless told not to, drop the database."""
        if self.front is not None:
            self.front.stop()
        self.bridge.stop()
        self.site.stop()
        if drop:
            self.site.drop()


_PROBE_PHP = """<?php
/* Generated by devstack/stack.py: notes the notification jobs WordPress received and
 * handled, one id a line. */
add_action(
\t'space_inbox_job_handled',
\tstatic function ( $job ) {
\t\tfile_put_contents( %(handled)s, (int) $job['id'] . "\\n", FILE_APPEND | LOCK_EX );
\t}
);
add_filter(
\t'rest_pre_dispatch',
\tstatic function ( $result, $server, $request ) {
\t\tif ( '/space-inbox/v1/notify' === $request->get_route() ) {
\t\t\t$ids = array();
\t\t\tforeach ( (array) $request->get_param( 'jobs' ) as $job ) {
\t\t\t\t$ids[] = is_array( $job ) && isset( $job['id'] ) ? (int) $job['id'] : 0;
\t\t\t}
\t\t\tfile_put_contents( %(received)s, implode( "\\n", $ids ) . "\\n", FILE_APPEND | LOCK_EX );
\t\t}
\t\treturn $result;
\t},
\t10,
\t3
);
"""


class JobProbe:
    """A must-use plugin in a test site that notes every notification job WordPress
    received on its notify route and every job it handled, one id a line."""

    def __init__(self, site: WordPressSite, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(exist_ok=True)
        probe = _PROBE_PHP % {
            "handled": php_str(str(folder / "handled.log")),
            "received": php_str(str(folder / "received.log")),
        }
        (site.root / "wp-content" / "mu-plugins" / "job-probe.php").write_text(probe)

    def ids(self, name: str) -> Counter:
        """How often each job id was seen: ``name`` is "received" or "handled"."""
        path = self.folder / f"{name}.log"
        return Counter(int(n) for n in path.read_text().split()) if path.exists() else Counter()
