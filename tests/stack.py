"""The real bridge as a process: ``space-inbox`` commands and a served bridge (gunicorn),
for tests that need the whole stack (WordPress, the plugin and the bridge) running."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from wordpress import free_port

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


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``space-inbox ARGS`` and return what it did."""
    return subprocess.run(
        [*command(), *args],
        cwd=cwd,
        env=environment(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )


class BridgeServer:
    """``space-inbox serve`` on a free loopback port, in its own process group."""

    def __init__(self, wp_config: Path, workdir: Path, *, workers: int = 2, **env: str) -> None:
        self.wp_config = wp_config
        self.workdir = workdir
        self.workers = workers
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"bridge-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> BridgeServer:
        """Start it and wait until ``/health`` answers 200."""
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [
                    *command(),
                    "serve",
                    "--wp-config",
                    str(self.wp_config),
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                ],
                cwd=self.workdir,
                env=environment(**self.env),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the workers stop with it
            )
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        problem = "no answer"
        with requests.Session() as http:
            http.trust_env = False
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"space-inbox serve exited:\n{self.log.read_text()}")
                try:
                    answer = http.get(f"{self.url}/health", timeout=2)
                    if answer.status_code == 200:
                        return self
                    problem = f"HTTP {answer.status_code}: {answer.text[:300]}"
                except requests.RequestException as exc:
                    problem = repr(exc)
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"space-inbox serve is not healthy: {problem}\n{self.log.read_text()}")

    def stop(self) -> None:
        """SIGTERM to the process group, then SIGKILL; no worker outlives the arbiter."""
        server = self.process
        if server is None:
            return
        for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(server.pid, sig)
            except ProcessLookupError:
                break
            try:
                server.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        try:
            os.killpg(server.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        server.wait(timeout=5.0)
        self.process = None
