"""Every install the docs name works from a clean virtual environment: the bridge from a copy
of the repository with each extra (none, ``redis``), then the documented ``serve`` command
answers ``/health``, with no warning or traceback in its log; and docs/DEPLOYMENT.md's own
lines (``[live]``, a systemd unit, nginx's rule) run word for word, against WordPress 7.1
served by nginx and PHP-FPM, give a bridge with live updates.

The development install the other tests use (``.[test]``) brings more than a site's install
does, so a missing dependency of an extra (gunicorn's gevent worker needs ``packaging``)
shows only here.
"""

from __future__ import annotations

import re
import resource
import shlex
import shutil
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest
import requests

from devstack.callers import PASSWORD, post_message
from devstack.nginx import NginxProcess, run_as_caller
from devstack.php_fpm import PhpFpm
from devstack.platforms import build_site
from devstack.stack import PLUGIN, environment, wait_until_ready
from devstack.streams import Stream
from devstack.wordpress import free_port, stop_process_group

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/0"
#: pip resolves and fetches the dependencies (kept in pip's cache between runs).
INSTALL_TIMEOUT = 600


#: The development tools: an install of the bridge needs none of them.
DEVELOPMENT = ("bench/", "devstack/", "tools/", "tests/")


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A copy of the repository's tracked files but the development tools."""
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    copy = tmp_path_factory.mktemp("checkout")
    for name in filter(None, (f.decode() for f in files)):
        if name.startswith(DEVELOPMENT):
            continue
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, target)
    return copy


def _pip(venv: Path, requirement: str) -> None:
    installed = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", requirement],
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]


def _imports(venv: Path, module: str) -> bool:
    found = subprocess.run(
        [str(venv / "bin" / "python"), "-c", f"import {module}"], cwd="/", capture_output=True
    )
    return found.returncode == 0


def _serves(venv: Path, wordpress, folder: Path, **env: str) -> None:
    """``space-inbox serve --no-live`` from *venv* answers ``/health``, its log clean."""
    port = free_port()
    log = folder / f"serve-{port}.log"
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
                "--no-live",
            ],
            cwd=folder,
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
    assert "Using worker: gthread" in text, text
    assert "Warning" not in text and "Traceback" not in text, text


def test_a_clean_install_serves_and_its_redis_extra_adds_redis(app, wordpress, source, tmp_path):
    """``pip install .`` into a new venv serves; ``pip install '.[redis]'`` over it brings the
    Redis client, and the bridge serves with Redis (the schema is migrated by the ``app``
    fixture). One venv for both: the extra's install is the base's and one package more."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    _pip(venv, str(source))
    for tool in ("devstack", "bench", "tests"):  # the bridge ships alone
        assert not _imports(venv, tool), f"the install ships {tool}"
    assert not _imports(venv, "redis"), "the plain install brings Redis' client"
    _serves(venv, wordpress, tmp_path)

    _pip(venv, f"{source}[redis]")
    assert _imports(venv, "redis")
    _serves(venv, wordpress, tmp_path, REDIS_URL=REDIS_URL)


# -- docs/DEPLOYMENT.md, word for word -----------------------------------------------------

DEPLOYMENT = ROOT / "docs" / "DEPLOYMENT.md"


def _block(after: str, language: str) -> str:
    """The first fenced block of *language* after the text *after* in DEPLOYMENT.md."""
    text = DEPLOYMENT.read_text(encoding="utf-8")
    fence = re.compile(rf"^( *)```{language}\n(.*?)^\1```", re.M | re.S)
    found = fence.search(text, text.index(after))
    assert found, f"no {language} block after {after!r} in DEPLOYMENT.md"
    return textwrap.dedent(found.group(2))


class _SiteFront(NginxProcess):
    """A WordPress site's nginx as the guide expects it: PHP through PHP-FPM, a common rule
    for static files, and the guide's rule for the bridge pasted into its server block."""

    label = "the site's nginx"

    def __init__(self, workdir: Path, port: int, root: Path, fpm: PhpFpm, rule: str) -> None:
        super().__init__(workdir, port=port)
        self.root, self.fpm, self.rule = root, fpm, rule

    def config(self) -> str:
        rule = textwrap.indent(self.rule, " " * 8)
        return rf"""{run_as_caller()}worker_processes 1;
pid {self.pid_path};
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    access_log {self.access_log};
    client_body_temp_path {self.temp}/client_body;
    proxy_temp_path {self.temp}/proxy;
    fastcgi_temp_path {self.temp}/fastcgi;
    uwsgi_temp_path {self.temp}/uwsgi;
    scgi_temp_path {self.temp}/scgi;
    server {{
        listen 127.0.0.1:{self.port};
        root {self.root};
        index index.php;
{rule}
        location ~* \.(css|js|json)$ {{ expires 1h; try_files $uri =404; }}
        location / {{ try_files $uri $uri/ /index.php?$args; }}
        location ~ \.php$ {{
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
            fastcgi_pass unix:{self.fpm.socket};
        }}
    }}
}}
"""


def _unit(path: Path) -> dict[str, str]:
    return dict(
        line.split("=", 1) for line in path.read_text().splitlines() if re.match(r"^\w+=", line)
    )


def _systemd_start(unit_path: Path, log: Path, placed) -> subprocess.Popen:
    """Start a unit's ExecStart as systemd would: its EnvironmentFile (where *placed* puts
    it), its LimitNOFILE, output to its journal (here a file); as this user, not its User
    (named www-data)."""
    unit = _unit(unit_path)
    assert unit["User"] == "www-data" and unit["Restart"] == "on-failure"
    env = environment()
    env_file = Path(placed(unit["EnvironmentFile"].removeprefix("-")))
    for line in env_file.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            name, value = line.split("=", 1)
            env[name.strip()] = value.strip()
    files = int(unit["LimitNOFILE"])

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))

    with open(log, "ab") as out:
        return subprocess.Popen(
            shlex.split(unit["ExecStart"]),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=limits,
        )


def test_the_deployment_guide_word_for_word(source, tmp_path, redis_url):
    """Step 1's lines in a shell, the unit started as systemd would, step 2's nginx rule in
    the site's nginx (PHP-FPM behind it), step 3's public URL; then a member's message
    reaches the Space's admin through nginx live, and WordPress gets its notification."""
    front_port, bridge_port = free_port(), free_port()
    site = build_site(
        "wp71",
        tmp_path / "site",
        f"si_deploy_{uuid.uuid4().hex[:8]}",
        table_prefix="wpd_",
        plugin_dirs={"space-inbox": PLUGIN},
        public_url=f"http://127.0.0.1:{front_port}",
    )
    etc = tmp_path / "etc"
    etc.mkdir()
    places = {
        "/opt/space-inbox": str(tmp_path / "opt"),
        "./space-inbox[live]": f"{source}[live]",
        "/var/www/html/wp-config.php": str(site.wp_config_path),
        "/etc/systemd/system/space-inbox.service": str(etc / "space-inbox.service"),
        "/etc/space-inbox.env": str(etc / "space-inbox.env"),
        "redis://127.0.0.1:6379/0": redis_url,
        "--workers 4": f"--workers 2 --port {bridge_port}",
        "python3 -m venv": f"{sys.executable} -m venv",
        "127.0.0.1:8765": f"127.0.0.1:{bridge_port}",
    }

    def placed(text: str) -> str:
        for doc, here in places.items():
            text = text.replace(doc, here)
        return text

    fpm = PhpFpm(tmp_path / "fpm")
    bridge = front = None
    journal = tmp_path / "journal.log"
    with site:
        try:
            site.activate_plugin("space-inbox/space-inbox.php")
            fpm.start()
            # The site as it was served before: nginx and PHP-FPM, no rule for the bridge yet.
            front = _SiteFront(tmp_path / "nginx", front_port, site.root, fpm, "").start()
            for line in _block("1. **Run the bridge as a service**", "sh").splitlines():
                if line.startswith("apt install"):
                    continue  # the machine has them (tools/ensure-stack)
                if line == "systemctl daemon-reload":
                    continue
                if line == "systemctl enable --now space-inbox":
                    bridge = _systemd_start(etc / "space-inbox.service", journal, placed)
                    wait_until_ready(
                        bridge, f"http://127.0.0.1:{bridge_port}/health", journal, "the unit"
                    )
                    continue
                done = subprocess.run(
                    placed(line),
                    shell=True,
                    cwd=tmp_path,
                    env=environment(),
                    capture_output=True,
                    text=True,
                    timeout=INSTALL_TIMEOUT,
                    check=False,
                )
                assert done.returncode == 0, f"{line}\n{done.stdout}{done.stderr[-3000:]}"
                assert "FAIL" not in done.stdout and "[warn]" not in done.stdout, done.stdout
            assert bridge is not None

            front.stop()  # step 2: the rule in the site's server block, and a reload
            front.rule = placed(_block("## nginx", "nginx"))
            front.start()
            site.php(
                f"update_option('space_inbox_bridge_url', 'http://127.0.0.1:{bridge_port}');"
                f" update_option('space_inbox_public_url', '{site.url}/space-inbox-api');"
            )
            health = requests.get(f"{site.url}/space-inbox-api/health", timeout=10)
            assert health.status_code == 200 and health.json()["live"] is True
            assert requests.get(f"{site.url}/space-inbox-api/api/v1/openapi.json", timeout=10).ok

            owner = site.create_user("dp.owner", PASSWORD)
            site.create_user("dp.member", PASSWORD)
            space = int(
                site.php(
                    "$id = wp_insert_post(['post_type' => 'wpe_wpspace', 'post_status' =>"
                    f" 'publish', 'post_title' => 'Harbour Cafe', 'post_author' => {owner}]);"
                    " echo $id;"
                ).strip()
            )
            admin, member = site.login("dp.owner", PASSWORD), site.login("dp.member", PASSWORD)
            api = f"{site.url}/space-inbox-api"
            stream = Stream(api, admin)
            try:
                stream.next("summary", timeout=5)
                sent = post_message(member, api, space, "Table for two?", site.rest_nonce(member))
                assert sent.status_code == 201, sent.text
                event, _ = stream.next("team", timeout=5)
                assert event["conversation_id"] == sent.json()["conversation_id"]
            finally:
                stream.close()
            delivered = "SELECT COUNT(*) FROM {prefix}spaceinbox_outbox WHERE delivered_at IS NULL"
            deadline = time.monotonic() + 10
            while site.sql(delivered)[0][0] and time.monotonic() < deadline:
                time.sleep(0.1)
            assert site.sql(delivered)[0][0] == 0, "WordPress did not take the notification"
        finally:
            if front is not None:
                front.stop()
            if bridge is not None:
                stop_process_group(bridge, term_wait=15.0)
            fpm.stop()
    text = journal.read_text(encoding="utf-8", errors="replace")
    assert "Using worker: gevent" in text, text
    assert "Warning" not in text and "Traceback" not in text and "ERROR" not in text, text
