"""The harness' pid files (devstack/detached.py): a server is found by its pid file alone,
its whole process group stops, and a pid the system gave to another process since is not
taken for the server."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from devstack.detached import PidFile, spawn

#: A leader that forks a worker into its group, prints the worker's pid, and sleeps.
FORKING = (
    "import os, sys, time\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    time.sleep(60)\n"
    "    os._exit(0)\n"
    "print(pid, flush=True)\n"
    "time.sleep(60)\n"
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for this purpose.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


def _worker(log) -> int:
    deadline = time.monotonic() + 10
    while not log.read_text().strip():
        assert time.monotonic() < deadline, "the worker's pid never came"
        time.sleep(0.02)
    return int(log.read_text().split()[0])


def test_a_server_and_its_workers_stop_by_their_pid_file_alone(tmp_path):
    log = tmp_path / "server.log"
    leader = spawn([sys.executable, "-c", FORKING], log)
    worker = _worker(log)
    pid_file = PidFile(tmp_path / "server.pid")
    pid_file.record(leader.pid)

    again = PidFile(tmp_path / "server.pid")  # as a later command reads it
    assert again.pid() == leader.pid and again.running()
    assert again.stop(grace=5.0)
    leader.wait(timeout=5)
    assert not _alive(worker)
    assert not (tmp_path / "server.pid").exists()
    assert not again.running() and not again.stop()


def test_the_workers_left_by_a_dead_leader_are_still_the_server(tmp_path):
    log = tmp_path / "server.log"
    leader = spawn([sys.executable, "-c", FORKING], log)
    worker = _worker(log)
    pid_file = PidFile(tmp_path / "server.pid")
    pid_file.record(leader.pid)
    leader.kill()
    leader.wait(timeout=5)

    assert pid_file.running(), "the worker still serves in the server's group"
    assert pid_file.stop()
    deadline = time.monotonic() + 5
    while _alive(worker):
        assert time.monotonic() < deadline, "the orphaned worker survived"
        time.sleep(0.05)


def test_a_pid_given_to_another_process_is_not_the_server(tmp_path):
    other = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True
    )
    try:
        pid_file = tmp_path / "server.pid"
        # The server that had this pid started at another time than the process that has it.
        pid_file.write_text(f"{other.pid} 1\n")
        assert not PidFile(pid_file).running()
        assert not PidFile(pid_file).stop()
        assert other.poll() is None, "another process was signalled"
    finally:
        other.kill()
        other.wait()


def test_a_missing_or_garbled_pid_file_is_no_server(tmp_path):
    assert not PidFile(tmp_path / "none.pid").running()
    (tmp_path / "garbled.pid").write_text("not a pid\n")
    assert not PidFile(tmp_path / "garbled.pid").running()
    # Never this process' own group.
    PidFile(tmp_path / "own.pid").record(os.getpgrp())
    assert not PidFile(tmp_path / "own.pid").running()
