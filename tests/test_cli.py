"""The ``space-inbox`` command against a real WordPress: migrate, check, serve (gunicorn)."""

from __future__ import annotations

import os
import re
import signal
import socket
import time
import uuid

import pytest
import requests

from bridge import service
from bridge.storage import migrate
from bridge.storage.tables import own, tables
from devstack.callers import PASSWORD
from devstack.stack import BridgeServer, run
from devstack.wordpress import WordPressSite, stop_process_group

#: Table prefix of the throw-away site on which migrate runs for the first time.
FRESH_PREFIX = "wpc_"


def _own_tables(site: WordPressSite) -> set[str]:
    rows = site.sql(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
        "AND table_name LIKE %s",
        [site.db_name, own(site.table_prefix).replace("_", r"\_") + "%"],
    )
    return {row[0] for row in rows}


@pytest.fixture
def fresh_site(tmp_path_factory):
    """A second WordPress, in its own database, on which the bridge never ran."""
    site = WordPressSite(
        tmp_path_factory.mktemp("wp-cli"),
        f"si_test_cli_{os.getpid()}",
        table_prefix=FRESH_PREFIX,
    )
    site.start()
    yield site
    site.stop()
    site.drop()


# -- migrate and check -------------------------------------------------------------------


def test_migrate_then_check(fresh_site, tmp_path):
    config = str(fresh_site.wp_config_path)
    assert _own_tables(fresh_site) == set()

    # Not migrated yet: check fails on the schema, and says what to do.
    before = run("check", "--wp-config", config, cwd=tmp_path)
    assert before.returncode == 1, before
    assert "[ok] configuration (tables prefixed wpc_)" in before.stdout
    assert "[ok] database reachable" in before.stdout
    behind = r"^\[FAIL\] schema at nothing, newest \S+: run `space-inbox migrate`$"
    assert re.search(behind, before.stdout, re.M), before.stdout

    first = run("migrate", "--wp-config", config, cwd=tmp_path)
    assert first.returncode == 0, first
    head = migrate.head_revision()
    assert first.stdout.strip() == f"schema upgraded from nothing to {head}"
    expected = {
        t.name
        for t in tables(FRESH_PREFIX).metadata.sorted_tables
        if t.name.startswith(own(FRESH_PREFIX))
    }
    assert len(expected) >= 8, expected
    assert _own_tables(fresh_site) == expected | {migrate.version_table(FRESH_PREFIX)}
    version = fresh_site.sql(f"SELECT version_num FROM `{migrate.version_table(FRESH_PREFIX)}`")
    assert version == [(head,)]

    second = run("migrate", "--wp-config", config, cwd=tmp_path)
    assert second.returncode == 0, second
    assert second.stdout.strip() == f"schema already current ({head})"

    after = run("check", "--wp-config", config, cwd=tmp_path)
    assert after.returncode == 0, after
    lines = after.stdout.strip().splitlines()
    assert lines and all(line.startswith("[ok] ") for line in lines), after.stdout
    assert f"[ok] schema at {head}, newest {head}" in lines
    assert f"[ok] WordPress tables found (siteurl {fresh_site.url})" in lines
    assert f"[ok] WordPress answers at {fresh_site.url} (200)" in lines


def test_check_says_what_the_open_files_limit_allows_and_warns_above_it(wordpress, tmp_path):
    config = str(wordpress.wp_config_path)
    limit = service.open_files_limit()
    allowed = service.connections_allowed(limit)
    plain = run("check", "--wp-config", config, cwd=tmp_path)
    assert (
        f"[ok] open files: the limit {limit} allows {allowed} live connections per worker"
        in plain.stdout.splitlines()
    ), plain.stdout
    above = run("check", "--wp-config", config, "--connections", str(limit), cwd=tmp_path)
    assert f"[warn] open files: the limit {limit} allows {allowed}" in above.stdout, above.stdout
    assert above.returncode == plain.returncode  # a warning, not a failure


def test_the_connections_fit_the_open_files_limit():
    assert service.connections_allowed(1024) == 1024 - service.SPARE_FILES
    assert service.connections_allowed(100) == service.FEWEST_CONNECTIONS
    assert service.connections_allowed(10**6) == service.MOST_CONNECTIONS
    assert service.files_needed(service.connections_allowed(4096)) <= 4096


def test_service_prints_a_systemd_unit_that_serves_the_bridge(wordpress, tmp_path):
    config = str(wordpress.wp_config_path)
    made = run(
        "service",
        "--wp-config",
        config,
        "--user",
        "bridge",
        "--workers",
        "3",
        "--live",
        cwd=tmp_path,
    )
    assert made.returncode == 0, made.stderr
    unit = made.stdout
    lines = unit.splitlines()
    exec_start = next(line for line in lines if line.startswith("ExecStart="))
    program, *arguments = exec_start.removeprefix("ExecStart=").split(" ")
    assert os.path.isabs(program) and program.endswith("space-inbox"), program
    assert arguments == [
        "serve",
        "--wp-config",
        config,
        "--host",
        "127.0.0.1",
        "--port",
        "8765",
        "--workers",
        "3",
        "--connections",
        "10000",
        "--live",
    ]
    for expected in (
        "User=bridge",
        "Group=bridge",
        "EnvironmentFile=-/etc/space-inbox.env",
        "Restart=on-failure",
        f"LimitNOFILE={service.files_needed(10000)}",
        "StandardOutput=journal",
        "WantedBy=multi-user.target",
    ):
        assert expected in lines, (expected, unit)
    # The command it runs is this very one, and it starts.
    assert run("serve", "--help", cwd=tmp_path).returncode == 0
    missing = run("service", cwd=tmp_path)
    assert missing.returncode == 2 and "needs --wp-config" in missing.stderr


def test_check_fails_when_the_version_table_is_gone(fresh_site, tmp_path):
    """The schema of a migrated site falls behind: check says FAIL and exits 1."""
    config = str(fresh_site.wp_config_path)
    assert run("migrate", "--wp-config", config, cwd=tmp_path).returncode == 0
    fresh_site.sql(f"DROP TABLE `{migrate.version_table(FRESH_PREFIX)}`")
    result = run("check", "--wp-config", config, cwd=tmp_path)
    assert result.returncode == 1, result
    assert "[FAIL] schema at nothing" in result.stdout
    assert "[ok] database reachable" in result.stdout


def test_check_reports_an_unreachable_database(wordpress, tmp_path):
    text = wordpress.wp_config_path.read_text(encoding="utf-8")
    config = tmp_path / "wp-config.php"
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    config.write_text(
        re.sub(r"define\( 'DB_HOST', '[^']*' \);", "define( 'DB_HOST', '127.0.0.1:1' );", text),
        encoding="utf-8",
    )
    result = run("check", "--wp-config", str(config), cwd=tmp_path)
    assert result.returncode == 1, result
    assert re.search(r"^\[FAIL\] database: ", result.stdout, re.M), result.stdout


def test_bad_configuration(tmp_path):
    missing = str(tmp_path / "nowhere" / "wp-config.php")
    check = run("check", "--wp-config", missing, cwd=tmp_path)
    assert check.returncode == 1, check
    assert check.stdout.startswith("[FAIL] configuration: cannot read wp-config.php")
    for command in ("migrate", "serve"):
        result = run(command, "--wp-config", missing, cwd=tmp_path)
        assert result.returncode == 2, result
        assert result.stderr.startswith("space-inbox: cannot read wp-config.php"), result.stderr


# -- serve: the "Done when" journey ------------------------------------------------------


def _port_closed(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_ctrl_c_stops_serve_at_once_every_time(wordpress, tmp_path):
    """A terminal's Ctrl-C signals the arbiter and its workers together, a request may be on
    its way: gunicorn's gthread worker could deadlock in its quit handler until the graceful
    timeout (30 s) killed it, one stop in three or so. Stopped five times, it never does."""
    assert (
        run("migrate", "--wp-config", str(wordpress.wp_config_path), cwd=tmp_path).returncode == 0
    )
    for attempt in range(5):
        bridge = BridgeServer(
            wordpress.wp_config_path, tmp_path, workers=2, name=f"bridge-{attempt}"
        )
        bridge.start()
        process, bridge.process = bridge.process, None
        try:
            assert requests.get(f"{bridge.url}/health", timeout=10).status_code == 200
            os.killpg(process.pid, signal.SIGINT)
            process.wait(timeout=10)
        finally:
            stop_process_group(process)
        assert "Shutting down: Master" in bridge.log.read_text(), bridge.log.read_text()


def test_serve_journey(wordpress, tmp_path):
    """A fresh WordPress user logs in; the served bridge knows them by their own cookie."""
    config = str(wordpress.wp_config_path)
    # Idempotent: the site is at head afterwards whether or not another test migrated it.
    assert run("migrate", "--wp-config", config, cwd=tmp_path).returncode == 0

    login = f"journey.{uuid.uuid4().hex[:12]}"
    wordpress.create_user(login, PASSWORD, email=f"{login}@example.org")
    with wordpress.login(login, PASSWORD) as browser:
        name, value = wordpress.logged_in_cookie(browser)

    bridge = BridgeServer(wordpress.wp_config_path, tmp_path, workers=2).start()
    url, port, log = bridge.url, bridge.port, bridge.log
    try:
        with requests.Session() as http:
            http.trust_env = False
            mine = http.get(
                f"{url}/api/v1/me/summary", headers={"Cookie": f"{name}={value}"}, timeout=10
            )
            assert mine.status_code == 200, (mine.status_code, mine.text, log.read_text())
            body = mine.json()
            assert body["unread"] == 0
            assert body["conversations_unread"] == 0
            assert isinstance(body["inbox_url"], str) and body["inbox_url"]
            assert "spaces" not in body  # administers no Space

            anonymous = http.get(f"{url}/api/v1/me/summary", timeout=10)
            assert anonymous.status_code == 401, anonymous.text
            error = anonymous.json()
            assert error["code"] == "not_logged_in"
            assert isinstance(error["message"], str) and error["message"]
            assert set(error) <= {"code", "message", "description"}
    finally:
        pid = bridge.process.pid
        bridge.stop()
    assert _port_closed(port)
    workers = re.findall(r"Booting worker with pid: (\d+)", log.read_text())
    assert len(workers) == 2, log.read_text()
    # The arbiter and its workers are all gone (a worker that quit as its arbiter did is
    # reaped by whoever adopted it, within moments).
    deadline = time.monotonic() + 10
    while True:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "a process of the bridge's group outlived stop()"
        time.sleep(0.05)
