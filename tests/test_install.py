"""Every install the docs name works from a clean virtual environment: the bridge from a copy
of the repository with each extra (none, ``redis``, ``live``), then the documented ``serve``
command answers ``/health``, with no warning or traceback in its log.

The development install the other tests use (``.[test]``) brings more than a site's install
does, so a missing dependency of an extra (gunicorn's gevent worker needs ``packaging``)
shows only here.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devstack.stack import environment, wait_until_ready
from devstack.wordpress import free_port, stop_process_group

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/0"
#: pip resolves and fetches the dependencies (kept in pip's cache between runs).
INSTALL_TIMEOUT = 600


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A copy of the repository's tracked files, as a site owner's checkout has them."""
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    copy = tmp_path_factory.mktemp("checkout")
    for name in filter(None, (f.decode() for f in files)):
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, target)
    return copy


@pytest.mark.parametrize(
    ("extra", "serve_args", "env"),
    [
        ("", ("--no-live",), {}),
        ("[redis]", ("--no-live",), {"REDIS_URL": REDIS_URL}),
        ("[live]", ("--live",), {"REDIS_URL": REDIS_URL}),
    ],
    ids=["bridge", "redis", "live"],
)
def test_a_clean_install_serves(app, wordpress, source, tmp_path, extra, serve_args, env):
    """``pip install '.<extra>'`` into a new venv, then ``space-inbox serve`` (the schema is
    migrated by the ``app`` fixture)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    installed = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", f"{source}{extra}"],
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]

    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [
                str(venv / "bin" / "space-inbox"),
                "serve",
                "--wp-config",
                str(wordpress.wp_config_path),
                "--port",
                str(port),
                "--workers",
                "1",
                *serve_args,
            ],
            cwd=tmp_path,
            env=environment(**env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_ready(server, f"http://127.0.0.1:{port}/health", log, "space-inbox serve")
    finally:
        stop_process_group(server, term_wait=15.0)
    text = log.read_text(encoding="utf-8", errors="replace")
    worker = "gevent" if "--live" in serve_args else "gthread"
    assert f"Using worker: {worker}" in text, text
    assert "Warning" not in text and "Traceback" not in text, text
