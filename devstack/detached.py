"""Servers that outlive the command that started them, tracked by pid files.

Every server of the harness runs in its own process group (``start_new_session=True``): the
server and the workers it forks, whose group id is the server's pid. A :class:`PidFile`
keeps that id, so that a later command can tell whether the server still runs and stop it
(the whole group) without looking for it among the machine's processes.

The file also holds the server's start time (in clock ticks since boot, from
``/proc/PID/stat``): once the server is gone, the system may give its pid to another
process, which is then not taken for the server. While any process of the group lives, its
id is not given to another.

Typical use::

    bridge = BridgeServer(wp_config, folder, port=8765).start()
    PidFile(folder / "bridge.pid").record(bridge.process.pid)
    ...  # later, from another command
    PidFile(folder / "bridge.pid").stop(grace=15.0)
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path


def _start_time(pid: int) -> str:
    """When *pid* started (clock ticks since boot), or '' if there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    # pid (comm) state ppid ...: comm may hold spaces and parentheses; starttime is the
    # 22nd field, the 20th after comm.
    return stat.rsplit(")", 1)[1].split()[19]


def _group_lives(pgid: int) -> bool:
    """Whether a process of group *pgid* is alive (collecting our own exited child)."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pgid, os.WNOHANG)
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's: pid() tells by the start time
    return True


def spawn(
    argv: list[str], log: Path, *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start *argv* in a process group of its own (the workers it forks join it, and stop
    with it), its output appended to *log*, its input empty."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def log_tail(path: Path, lines: int = 40) -> str:
    """The end of a server's log, '' if there is none."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class PidFile:
    """The pid file of a server run in its own process group."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def record(self, pid: int) -> None:
        """Note that the server of process group *pid* (its leader's pid) runs."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".tmp")
        partial.write_text(f"{pid} {_start_time(pid)}\n", encoding="utf-8")
        partial.replace(self.path)

    def pid(self) -> int:
        """The server's process group, if it still runs; else 0."""
        try:
            pid_text, *started = self.path.read_text(encoding="utf-8").split()
            pid = int(pid_text)
        except (OSError, ValueError):
            return 0
        if pid <= 1 or pid == os.getpgrp() or not _group_lives(pid):
            return 0
        now = _start_time(pid)
        # The leader may be gone while its workers live on: the group is still the server's.
        if now and started and now != started[0]:
            return 0
        return pid

    def running(self) -> bool:
        """Whether the server still runs."""
        return bool(self.pid())

    def stop(self, grace: float = 5.0) -> bool:
        """SIGTERM the server's process group, SIGKILL what is left after *grace* seconds,
        and remove the file; return whether the server was running."""
        pgid = self.pid()
        if pgid:
            for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, sig)
                deadline = time.monotonic() + wait
                while _group_lives(pgid) and time.monotonic() < deadline:
                    time.sleep(0.1)
                if not _group_lives(pgid):
                    break
        self.path.unlink(missing_ok=True)
        return bool(pgid)
