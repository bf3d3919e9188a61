"""Run the Space Inbox demo: a real WordPress with the plugin, the bridge and demo Spaces.

Usage, from the repository root (``make demo`` runs ``make stack venv`` first)::

    .venv/bin/python tools/demo.py start          # make demo
    .venv/bin/python tools/demo.py status
    .venv/bin/python tools/demo.py stop           # make demo-stop: keeps the data
    .venv/bin/python tools/demo.py stop --purge   # also drops the database and .demo/

``start`` creates the MariaDB database and user ``space_inbox_demo``, installs WordPress
(Debian's package, copied to ``.demo/wordpress``) with the plugin and a small theme, serves
it with ``php -S`` on 127.0.0.1:8081 (or the next free port), migrates and serves the bridge
on 127.0.0.1:8765 (or the next free port), and puts Debian's nginx in front of both on
127.0.0.1:8080 (or the next free port), the site's address: WordPress at ``/``, the bridge
at ``/space-inbox-api/``, which the plugin's public bridge URL names (*direct mode*, see
``devstack/nginx.py`` and ``docs/DEPLOYMENT.md``). When Redis answers at 127.0.0.1:6379 the
bridge serves live updates (``--live``); without it the pages poll. It then seeds three
Spaces, their admins, members and conversations, written through the real API on the
site's origin. The three servers run detached, in their own process groups; ports,
passwords and process ids are kept in ``.demo/state.json``. Running ``start`` again is
harmless: it reports a running demo, or restarts what has stopped.

Settings (environment):

- ``DEMO_DB_HOST``, ``DEMO_DB_PORT``: MariaDB (default 127.0.0.1:3306);
- ``DEMO_DB_ROOT_USER``, ``DEMO_DB_ROOT_PASSWORD``: an account that may create databases and
  users (default ``root`` without a password, as ``make stack`` leaves it);
- ``DEMO_WP_PORT``, ``DEMO_PHP_PORT``, ``DEMO_BRIDGE_PORT``: the first ports tried for the
  site's address (nginx, 8080), WordPress' PHP server (8081) and the bridge (8765);
- ``DEMO_REDIS_URL``: the Redis of live updates (default ``redis://127.0.0.1:6379/0``;
  empty: no live updates).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import pymysql
import requests

from devstack import stack
from devstack import wordpress as harness
from devstack.nginx import NginxError, NginxFront, nginx_binary
from devstack.wordpress import WordPressError, WordPressSite, php_str

ROOT = Path(__file__).resolve().parent.parent

STATE_DIR = ROOT / ".demo"
STATE_FILE = STATE_DIR / "state.json"
THEME_SOURCE = ROOT / "tools" / "demo" / "theme"
PLUGIN_SOURCE = ROOT / "wp_plugin"
PLUGIN_SLUG = "space-inbox"
PLUGIN_FILE = f"{PLUGIN_SLUG}/space-inbox.php"
THEME_SLUG = "space-inbox-demo"
PHP = "/usr/bin/php"

DB_NAME = "space_inbox_demo"
DB_USER = "space_inbox_demo"
DB_USER_HOSTS = ("127.0.0.1", "localhost")
TABLE_PREFIX = "wp_"
#: The bridge's own tables (bridge.tables.own()).
BRIDGE_TABLES = f"{TABLE_PREFIX}spaceinbox_"

HOST = "127.0.0.1"
#: Where nginx serves the bridge on the site's origin.
BRIDGE_PATH = "/space-inbox-api/"
NGINX_DIR = STATE_DIR / "nginx"
#: Live updates need Redis; the bridge serves without it (the pages then poll).
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
SITE_TITLE = "Space Inbox demo"
#: The password of every seeded login, the site administrator's included.
PASSWORD = "demo-password"
ADMIN_LOGIN = "admin"
#: Option the install sets last, so that an install cut short is told from a finished one.
INSTALLED_OPTION = "demo_install_complete"
PHP_WORKERS = 4
BRIDGE_WORKERS = 2
#: Seconds to wait for a server to answer after starting it.
READY_TIMEOUT = 30.0
#: Seconds an API call may take.
HTTP_TIMEOUT = 30.0
#: Bumped when the seeded conversations change, so that a new script is written once.
SEED_VERSION = 2

ROOT_HELP = """\
MariaDB refused {user}@{host}:{port} {how}.
The demo needs an account that may create a database and a user, once. Either
  - give its password:  DEMO_DB_ROOT_PASSWORD='...' make demo
    (and DEMO_DB_ROOT_USER=name for another account than root), or
  - let root in from 127.0.0.1 without a password, as the tests expect too:
    sudo mariadb -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
      GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;\""""


class DemoError(RuntimeError):
    """A step failed; the message says what to do."""


# -- the demo's world --------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A seeded WordPress user."""

    login: str
    first: str
    last: str

    @property
    def name(self) -> str:
        """The display name."""
        return f"{self.first} {self.last}"


@dataclass(frozen=True)
class Space:
    """A seeded Space: its first admin is the post author."""

    slug: str
    title: str
    admins: tuple[str, ...]
    blurb: str
    content: str


@dataclass(frozen=True)
class Conversation:
    """A seeded conversation; each turn is (``"member"`` or an admin's login, body)."""

    key: str
    space: str
    member: str
    turns: tuple[tuple[str, str], ...]
    done_by: str | None = None


MEMBERS = (
    Person("alice", "Alice", "Martin"),
    Person("bob", "Bob", "Okafor"),
    Person("chloe", "Chloé", "Dubois"),
    Person("dev", "Dev", "Patel"),
)
SPACE_ADMINS = (
    Person("giulia", "Giulia", "Rossi"),
    Person("marco", "Marco", "Bianchi"),
    Person("sofia", "Sofia", "Esposito"),
    Person("luca", "Luca", "Ferrari"),
    Person("elena", "Elena", "Conti"),
)
PEOPLE = {p.login: p for p in (*MEMBERS, *SPACE_ADMINS)}

SPACES = (
    Space(
        "pizzeria-napoli",
        "Pizzeria Napoli",
        ("giulia", "marco", "sofia"),
        "wood-fired Neapolitan pizza",
        "<p>Wood-fired Neapolitan pizza since 1998: a 48-hour dough, San Marzano tomatoes and "
        "fior di latte from Campania. Open Tuesday to Sunday, 12:00–14:30 and 18:30–23:00.</p>"
        "<p>Tables for groups on request. Ask us anything about allergens: we answer here.</p>",
    ),
    Space(
        "threads-and-co",
        "Threads & Co. T-Shirts",
        ("luca", "giulia"),
        "organic cotton t-shirts, printed in the shop",
        "<p>Organic cotton t-shirts, screen-printed in our shop on Market Street. Sizes XS to "
        "3XL, eleven colours, and custom prints for clubs, bands and events from 10 shirts.</p>",
    ),
    Space(
        "sunday-market",
        "Sunday Market",
        ("elena", "marco"),
        "the farmers' market, every Sunday",
        "<p>Forty stalls of local farmers, bakers and makers under the covered hall by the "
        "fountain, every Sunday from 8:00 to 14:00, rain or shine.</p><p>Bring your own bags; "
        "dogs on a lead are welcome.</p>",
    ),
)
SPACE_TITLES = {s.slug: s.title for s in SPACES}

CONVERSATIONS = (
    Conversation(
        "pizza-allergens",
        "pizzeria-napoli",
        "alice",
        (
            ("member", "Hi! Are there any allergens in the margherita? My son can't have nuts."),
            (
                "marco",
                "Hi Alice, the margherita has gluten (wheat flour) and milk (fior di latte). "
                "There are no nuts anywhere in our kitchen.",
            ),
            ("member", "Perfect, thank you! We'll come on Friday."),
            ("giulia", "Grazie Alice, see you on Friday! 🍕"),
        ),
        done_by="giulia",
    ),
    Conversation(
        "pizza-table",
        "pizzeria-napoli",
        "bob",
        (
            ("member", "Can I book a table for 8 people on Saturday at 8 pm?"),
            (
                "sofia",
                "Yes: a table for 8 on Saturday at 20:00, under the name Bob. "
                "If you are more, just tell us here.",
            ),
        ),
    ),
    Conversation(
        "tshirt-xl",
        "threads-and-co",
        "chloe",
        (
            ("member", "Hello, do you have this t-shirt in XL? The navy one with the rocket."),
            ("luca", "Hi Chloé, yes, the navy rocket tee is in stock in XL. Shall we keep one?"),
            ("member", "Yes please, I'll pick it up on Saturday."),
            ("giulia", "It's set aside under your name until Saturday evening. 👕"),
        ),
    ),
    Conversation(
        "tshirt-club",
        "threads-and-co",
        "dev",
        (
            (
                "member",
                "Could you print our running club's logo on 20 shirts? "
                "We need them before the race on the 14th.",
            ),
        ),
    ),
    Conversation(
        "market-sunday",
        "sunday-market",
        "bob",
        (
            ("member", "Are you open on Sunday even when it rains?"),
            ("elena", "Yes, every Sunday from 8 to 14, rain or shine: the stalls are covered."),
        ),
    ),
    Conversation(
        "market-pasta",
        "sunday-market",
        "alice",
        (
            ("member", "Is there a stall with fresh pasta?"),
            ("marco", "There is: Nonna Pina's, by the fountain, from 9. Her ravioli go by 11!"),
        ),
    ),
)


def _spaces_of(login: str) -> list[str]:
    """Titles of the Spaces a seeded admin is on."""
    return [s.title for s in SPACES if login in s.admins]


def _welcome_html() -> str:
    """Content of the front page: what the demo shows and how to try it."""

    def code(text: str) -> str:
        return f"<code>{text}</code>"

    spaces = "".join(
        f'<li><a href="/spaces/{s.slug}/">{s.title.replace("&", "&amp;")}</a>: {s.blurb} '
        f"(admins {', '.join(PEOPLE[a].name for a in s.admins)})</li>"
        for s in SPACES
    )
    members = ", ".join(code(p.login) for p in MEMBERS)
    admins = ", ".join(code(p.login) for p in SPACE_ADMINS)
    return (
        "<p><strong>Space Inbox</strong> gives Spaces (the pages of businesses, shops and "
        "markets) a shared inbox. A member messages a Space; every admin of the Space is "
        "notified; any of them answers, and the answer goes out <em>as the Space</em>. The "
        "team sees who wrote each answer; members never do.</p>"
        f"<h2>The Spaces</h2><ul>{spaces}</ul>"
        "<h2>Try it</h2><ol>"
        f'<li><a href="/wp-login.php">Log in</a> as a member, e.g. {code("alice")}, open a '
        "Space and press <em>Message</em>. Your conversations are on "
        '<a href="/space-messages/">Space Messages</a>, also in the toolbar.</li>'
        f"<li>Log in as one of the Space's admins, e.g. {code('marco')}, open "
        '<a href="/space-messages/">Space Messages</a>, switch to the Space and answer. '
        "The member sees the answer come from the Space; the team sees who wrote it. Site "
        'staff also have <a href="/wp-admin/admin.php?page=space-inbox-messages">'
        "wp-admin, Space Inbox</a>.</li></ol>"
        f'<p class="demo-logins">Every login has the password {code(PASSWORD)}. '
        f"Members: {members}. Space admins: {admins}. "
        f"Site administrator: {code(ADMIN_LOGIN)}.</p>"
        "<p>No e-mail leaves this machine: notification e-mails are written to "
        f"{code('.demo/mail.jsonl')}.</p>"
    )


# -- state -------------------------------------------------------------------------------


@dataclass
class State:
    """What a run leaves in ``.demo/state.json`` for the next ``start``, ``stop`` or ``status``."""

    db_password: str = ""
    keys: dict[str, str] = field(default_factory=dict)
    #: nginx: the site's address.
    site_port: int = 0
    #: WordPress' PHP server, behind nginx.
    php_port: int = 0
    bridge_port: int = 0
    nginx_pid: int = 0
    php_pid: int = 0
    bridge_pid: int = 0
    #: Whether the bridge serves live updates (with Redis).
    live: bool = False
    seeded: int = 0
    complete: bool = False

    @classmethod
    def load(cls) -> State | None:
        """Read the state file, or ``None`` if there is none."""
        try:
            raw = json.loads(STATE_FILE.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise DemoError(
                f"{STATE_FILE} is unreadable ({exc}); remove it with "
                "`.venv/bin/python tools/demo.py stop --purge` and start again"
            ) from exc
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    def save(self) -> None:
        """Write the state file, readable by its owner only (it holds passwords)."""
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        partial = STATE_FILE.with_suffix(".tmp")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(asdict(self), handle, indent=2)
        partial.replace(STATE_FILE)

    @property
    def site_url(self) -> str:
        """The site's URL, nginx's (no trailing slash)."""
        return f"http://{HOST}:{self.site_port}"

    @property
    def php_url(self) -> str:
        """WordPress' PHP server behind nginx (no trailing slash)."""
        return f"http://{HOST}:{self.php_port}"

    @property
    def bridge_url(self) -> str:
        """The bridge's own URL, for WordPress' server-to-server calls (no trailing slash)."""
        return f"http://{HOST}:{self.bridge_port}"

    @property
    def public_url(self) -> str:
        """The bridge on the site's origin, as browsers call it (the plugin's public URL)."""
        return self.site_url + BRIDGE_PATH.rstrip("/")


# -- the terminal ------------------------------------------------------------------------


def _mark(fancy: str, plain: str) -> str:
    """*fancy* if the terminal's encoding has it, else *plain*."""
    try:
        fancy.encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return plain
    return fancy


OK = _mark("✓", "ok")
FAIL = _mark("✗", "FAILED")
ELLIPSIS = _mark("…", "...")


class Step:
    """One numbered step; ``detail`` is shown after its title when it ends."""

    def __init__(self) -> None:
        self.detail = ""


class Progress:
    """Numbered steps with a ✓ or ✗ and how long each took."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.number = 0
        self.began = time.monotonic()
        self.tty = sys.stdout.isatty()

    @contextlib.contextmanager
    def step(self, title: str) -> Iterator[Step]:
        """Run a step: print its title, then ✓ with detail and time, or ✗ on an error."""
        self.number += 1
        head = f"[{self.number}/{self.total}]"
        if self.tty:
            print(f"  {head}   {title} {ELLIPSIS}", end="", flush=True)
        step = Step()
        began = time.monotonic()
        try:
            yield step
        except BaseException as exc:
            reason = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
            self._line(f"  {head} {FAIL} {title}: {reason}", began)
            raise
        detail = f": {step.detail}" if step.detail else ""
        self._line(f"  {head} {OK} {title}{detail}", began)

    def _line(self, text: str, began: float) -> None:
        end = f"  ({time.monotonic() - began:.1f} s)"
        print(("\r\033[K" if self.tty else "") + text + end, flush=True)

    def elapsed(self) -> float:
        """Seconds since the first step began."""
        return time.monotonic() - self.began


# -- MariaDB -----------------------------------------------------------------------------


def _db_address() -> tuple[str, int]:
    host = os.environ.get("DEMO_DB_HOST", HOST)
    try:
        port = int(os.environ.get("DEMO_DB_PORT", "3306"))
    except ValueError as exc:
        raise DemoError("DEMO_DB_PORT must be a port number") from exc
    return host, port


def _root() -> pymysql.connections.Connection:
    """Connect as the account that may create databases and users."""
    host, port = _db_address()
    user = os.environ.get("DEMO_DB_ROOT_USER", "root")
    password = os.environ.get("DEMO_DB_ROOT_PASSWORD", "")
    try:
        return pymysql.connect(
            host=host,
            port=port,
            user=user,
            password=password,
            charset="utf8mb4",
            autocommit=True,
            connect_timeout=5,
        )
    except pymysql.err.OperationalError as exc:
        code = exc.args[0] if exc.args else 0
        if code in (1044, 1045, 1698):
            how = "with the password given" if password else "without a password"
            raise DemoError(ROOT_HELP.format(user=user, host=host, port=port, how=how)) from exc
        raise DemoError(
            f"MariaDB does not answer on {host}:{port} ({exc.args[-1]}). `make stack` installs and "
            "starts it; or point DEMO_DB_HOST / DEMO_DB_PORT at yours."
        ) from exc


def create_database(state: State) -> str:
    """Create the database and its user (idempotent); return what was done."""
    if not state.db_password:
        state.db_password = secrets.token_urlsafe(24)
    with _root() as conn, conn.cursor() as cur:
        cur.execute("SHOW DATABASES LIKE %s", [DB_NAME])
        existed = bool(cur.fetchall())
        cur.execute(
            f"CREATE DATABASE IF NOT EXISTS `{DB_NAME}` "
            "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
        for host in DB_USER_HOSTS:
            # ALTER as well: the user may be left from a run whose state is gone.
            cur.execute(
                "CREATE USER IF NOT EXISTS %s@%s IDENTIFIED BY %s",
                [DB_USER, host, state.db_password],
            )
            cur.execute("ALTER USER %s@%s IDENTIFIED BY %s", [DB_USER, host, state.db_password])
            cur.execute(f"GRANT ALL PRIVILEGES ON `{DB_NAME}`.* TO %s@%s", [DB_USER, host])
    host, port = _db_address()
    try:
        pymysql.connect(
            host=host,
            port=port,
            user=DB_USER,
            password=state.db_password,
            database=DB_NAME,
            connect_timeout=5,
        ).close()
    except pymysql.err.MySQLError as exc:
        raise DemoError(f"the new user {DB_USER} cannot connect to {host}:{port}: {exc}") from exc
    state.save()
    verb = "kept" if existed else "created"
    return f"{verb} `{DB_NAME}`, user {DB_USER}@{'/'.join(DB_USER_HOSTS)}"


def reset_database() -> None:
    """Drop and create the database again (its user and grants stay)."""
    with _root() as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{DB_NAME}`")
        cur.execute(f"CREATE DATABASE `{DB_NAME}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")


def drop_database() -> None:
    """Drop the database and its user."""
    with _root() as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{DB_NAME}`")
        for host in DB_USER_HOSTS:
            cur.execute("DROP USER IF EXISTS %s@%s", [DB_USER, host])


# -- processes ---------------------------------------------------------------------------


def _cmdline(pid: int) -> str:
    """The command line of *pid*, or '' if it is gone (or a zombie)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace")


def _pgid(pid: int) -> int:
    """The process group of *pid*, or 0."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    # pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses.
    return int(stat.rsplit(")", 1)[1].split()[2])


def groups_running(needle: str) -> set[int]:
    """Process groups with a process whose command line holds *needle* (absolute paths)."""
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and needle in _cmdline(int(entry.name)):
            found.add(_pgid(int(entry.name)))
    # Never this command's own group (nor init's, nor a process gone meanwhile).
    return found - {0, 1, os.getpgrp()}


def _reap(pid: int) -> None:
    """Collect *pid* if it is our own child (started by this run), so it is not a zombie."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def stop_groups(needle: str, grace: float) -> int:
    """SIGTERM the process groups running *needle*, then SIGKILL; return how many there were."""
    groups = groups_running(needle)
    left = set(groups)
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        for pgid in left:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, sig)
        deadline = time.monotonic() + wait
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            for pgid in left:
                _reap(pgid)
            left &= groups_running(needle)
        if not left:
            break
    return len(groups)


def port_free(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:*port*."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def pick_port(previous: int, first: int, taken: tuple[int, ...] = ()) -> int:
    """The previous run's port if it is free, else *first* or the next free one; never one
    of *taken* (ports picked for servers not started yet)."""
    if previous and previous not in taken and port_free(previous):
        return previous
    for port in range(first, first + 100):
        if port not in taken and port_free(port):
            return port
    raise DemoError(f"no free port in {first}-{first + 99} on {HOST}")


def redis_url() -> str:
    """The Redis of live updates if it answers a PING, else ''."""
    url = os.environ.get("DEMO_REDIS_URL", DEFAULT_REDIS_URL).strip()
    if not url:
        return ""
    match = re.match(r"^redis://(?:[^@/]*@)?([^:/]+)(?::(\d+))?(?:/\d*)?$", url)
    if match is None:
        raise DemoError(f"DEMO_REDIS_URL must be redis://host[:port][/db], not {url!r}")
    try:
        with socket.create_connection((match[1], int(match[2] or 6379)), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            answered = sock.recv(64)
    except OSError:
        return ""
    return url if answered.startswith(b"+PONG") else ""


def live_support() -> bool:
    """Whether the bridge's live mode can run here: gevent and the Redis client installed."""
    import importlib.util

    return all(importlib.util.find_spec(name) for name in ("gevent", "redis"))


def _env_port(name: str, default: int) -> int:
    try:
        port = int(os.environ.get(name, str(default)))
    except ValueError as exc:
        raise DemoError(f"{name} must be a port number") from exc
    if not 1 <= port <= 65000:
        raise DemoError(f"{name} must be a port number")
    return port


def _tail(path: Path, lines: int = 25) -> str:
    """The end of a log file, for an error message."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    tail = "\n".join(text.splitlines()[-lines:])
    return f"\n--- {path.relative_to(ROOT)} (end) ---\n{tail}" if tail else ""


def _http() -> requests.Session:
    """A session that ignores proxy settings: everything is on loopback."""
    session = requests.Session()
    session.trust_env = False
    return session


def answers(url: str, check: str = "") -> bool:
    """Whether GET *url* answers 200 (with *check* in the body, if given)."""
    try:
        with _http() as http:
            response = http.get(url, timeout=5)
    except requests.RequestException:
        return False
    return response.status_code == 200 and check in response.text


def wait_until(
    url: str, check: str, process: subprocess.Popen[bytes], log: Path, what: str
) -> None:
    """Wait until *url* answers, or fail with the log if *process* exits or time runs out."""
    deadline = time.monotonic() + READY_TIMEOUT
    while not answers(url, check):
        if process.poll() is not None:
            raise DemoError(f"{what} exited with status {process.returncode}{_tail(log)}")
        if time.monotonic() > deadline:
            raise DemoError(f"{what} does not answer {url}{_tail(log)}")
        time.sleep(0.1)


# -- WordPress ---------------------------------------------------------------------------


class DemoSite(WordPressSite):
    """The demo's WordPress: the harness' site, kept in ``.demo/`` with its own DB user."""

    def __init__(self, state: State) -> None:
        host, port = _db_address()
        super().__init__(
            STATE_DIR,
            DB_NAME,
            table_prefix=TABLE_PREFIX,
            db_host=host,
            db_port=port,
            db_user=DB_USER,
            db_password=state.db_password,
            plugin_dirs={PLUGIN_SLUG: PLUGIN_SOURCE},
            workers=PHP_WORKERS,
        )
        if state.keys:
            self.keys = dict(state.keys)
        else:
            state.keys = dict(self.keys)
        self.admin_password = PASSWORD
        self.set_ports(state.php_port, state.site_port)

    def set_ports(self, php_port: int, site_port: int) -> None:
        """The PHP server is on *php_port*; the site's address, nginx's, on *site_port*: the
        PHP CLI and the HTTP helpers play requests for the site's address."""
        self.port = php_port
        self.server_url = f"http://{HOST}:{php_port}"
        self.public_url = self.url = f"http://{HOST}:{site_port}"

    # Files ---------------------------------------------------------------------------------

    @property
    def server_needle(self) -> str:
        """What only this site's PHP server has on its command line."""
        return f"-t {self.root} {self.router_path}"

    def tree_current(self) -> bool:
        """Whether ``.demo/wordpress`` is a complete copy of the installed package."""
        marker = self.root / ".demo-source"
        return marker.is_file() and marker.read_text(encoding="utf-8") == _wordpress_version()

    def copy_tree(self) -> None:
        """Copy Debian's WordPress (a marker file says the copy is complete)."""
        self._copy_tree()
        (self.root / ".demo-source").write_text(_wordpress_version(), encoding="utf-8")

    def write_files(self) -> list[str]:
        """Write the config, router and mail catcher, link the plugin and the theme (so that
        edits to them show at once); return what changed."""
        content = self.root / "wp-content"
        changed = []
        links = {
            content / "plugins" / PLUGIN_SLUG: PLUGIN_SOURCE,
            content / "themes" / THEME_SLUG: THEME_SOURCE,
        }
        for link, source in links.items():
            target = source.resolve()
            if link.is_symlink() and link.resolve() == target:
                continue
            if link.is_symlink() or link.is_file():
                link.unlink()
            elif link.exists():
                shutil.rmtree(link)
            link.symlink_to(target, target_is_directory=True)
            changed.append(f"{link.name} link")
        (content / "uploads").mkdir(exist_ok=True)
        files = {
            self.wp_config_path: self._wp_config(),
            self.router_path: harness._ROUTER_PHP,
            content / "mu-plugins" / "mail-to-file.php": harness._MU_PLUGIN_PHP,
        }
        for path, text in files.items():
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                changed.append(path.name)
        return changed

    def _wp_config(self) -> str:
        config = super()._wp_config()
        return config.replace(
            "/* Generated by devstack/wordpress.py for a throw-away test site. */",
            "/* Generated by tools/demo.py for the Space Inbox demo (make demo). */",
        )

    # Server --------------------------------------------------------------------------------

    def serve(self, port: int) -> int:
        """Start ``php -S`` on *port*, detached in its own session; return its pid."""
        self.port = port
        self.server_url = f"http://{HOST}:{port}"
        # The harness's server: own process group (its workers share it), errors to the log.
        self.serve_again()
        wait_until(
            f"{self.server_url}/wp-login.php", "", self._server, self.server_log_path, "php -S"
        )
        return self._server.pid

    # Database ------------------------------------------------------------------------------

    def installed(self) -> bool | None:
        """Whether WordPress is installed: True, False, or None for an install cut short."""
        try:
            if self.option(INSTALLED_OPTION) == "1":
                return True
            return None if self.option("siteurl") is not None else False
        except pymysql.err.ProgrammingError:  # no options table yet
            return False

    def install(self) -> None:
        """Run WordPress' installer: site title, the administrator, no sample content."""
        self._run_php(
            preamble="define( 'WP_INSTALLING', true );",
            code=f"""
// Pluggable: the install's notification mail is of no use here.
function wp_new_blog_notification( $blog_title, $blog_url, $user_id, $password ) {{}}
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
// wp_install() probes pretty permalinks over HTTP; configure() sets them.
add_filter( 'pre_http_request', static function () {{
    return new WP_Error( 'demo', 'no HTTP during the install' );
}} );
wp_install( {php_str(SITE_TITLE)}, {php_str(ADMIN_LOGIN)}, 'admin@example.org', false, '',
    {php_str(PASSWORD)} );
// The sample post and page.
wp_delete_post( 1, true );
wp_delete_post( 2, true );
update_option( {php_str(INSTALLED_OPTION)}, '1' );  // Last: an interrupted install has none.
""",
        )

    def configure(self) -> None:
        """Set the URL, title, theme and permalinks, activate the plugin (all idempotent)."""
        self.php(
            f"""
$url = {php_str(self.url)};
foreach ( array( 'siteurl', 'home' ) as $name ) {{
    if ( get_option( $name ) !== $url ) {{
        update_option( $name, $url );
    }}
}}
if ( (int) get_option( 'db_version' ) !== (int) $GLOBALS['wp_db_version'] ) {{
    require_once ABSPATH . 'wp-admin/includes/upgrade.php';
    wp_upgrade();  // Debian's package was upgraded since the copy.
}}
update_option( 'blogname', {php_str(SITE_TITLE)} );
update_option( 'blogdescription', 'Shared inboxes for Spaces' );
update_option( 'template', {php_str(THEME_SLUG)} );
update_option( 'stylesheet', {php_str(THEME_SLUG)} );
if ( '/%postname%/' !== get_option( 'permalink_structure' ) ) {{
    $GLOBALS['wp_rewrite']->set_permalink_structure( '/%postname%/' );
}}
// Rebuilt by the next request, with the plugin's post type and the REST API's rules.
delete_option( 'rewrite_rules' );
require_once ABSPATH . 'wp-admin/includes/plugin.php';
if ( ! is_plugin_active( {php_str(PLUGIN_FILE)} ) ) {{
    $result = activate_plugin( {php_str(PLUGIN_FILE)} );
    if ( is_wp_error( $result ) ) {{
        fwrite( STDERR, 'activate_plugin: ' . $result->get_error_message() . "\\n" );
        exit( 1 );
    }}
}}
Space_Inbox_Options::refresh_inbox_url();
"""
        )


def _wordpress_version() -> str:
    """The version of Debian's WordPress package."""
    text = (harness.WORDPRESS_SOURCE / "wp-includes" / "version.php").read_text("utf-8")
    match = re.search(r"\$wp_version\s*=\s*'([^']+)'", text)
    return match.group(1) if match else "unknown"


# -- the bridge --------------------------------------------------------------------------


def bridge_needle(site: DemoSite) -> str:
    """What only this demo's bridge has on its command line."""
    return f"--wp-config {site.wp_config_path}"


def migrate(site: DemoSite) -> str:
    """``space-inbox migrate``; return what it said."""
    try:
        return stack.migrate(site.wp_config_path, STATE_DIR)
    except RuntimeError as exc:
        raise DemoError(str(exc)) from exc


def serve_bridge(site: DemoSite, port: int, redis: str) -> int:
    """Start ``space-inbox serve`` on *port*, detached in its own session, with live updates
    when *redis* is a Redis URL; return its pid."""
    log = STATE_DIR / "bridge.log"
    live = ["--live"] if redis else []
    env = stack.environment(REDIS_URL=redis) if redis else stack.environment()
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [
                *stack.command(),
                "serve",
                "--wp-config", str(site.wp_config_path),
                "--port", str(port),
                "--workers", str(BRIDGE_WORKERS),
                *live,
            ],
            cwd=STATE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # survives this command; gunicorn's workers share the group
        )  # fmt: skip
    wait_until(f"http://{HOST}:{port}/health", '"ok"', process, log, "space-inbox serve")
    return process.pid


# -- nginx -------------------------------------------------------------------------------


def front(site: DemoSite, state: State) -> NginxFront:
    """nginx as the site's origin: WordPress at ``/``, the bridge at :data:`BRIDGE_PATH`."""
    return NginxFront(site, state.bridge_url, NGINX_DIR, port=state.site_port, path=BRIDGE_PATH)


def nginx_needle() -> str:
    """What only this demo's nginx master has on its command line."""
    return f"-c {NGINX_DIR / 'nginx.conf'}"


def serve_nginx(site: DemoSite, state: State) -> int:
    """Start nginx on the site's port, detached in its own session; return its pid."""
    server = front(site, state)
    try:
        server.start()
    except NginxError as exc:
        raise DemoError(str(exc)) from exc
    assert server.process is not None
    wait_until(f"{state.site_url}/wp-login.php", "", server.process, server.error_log, "nginx")
    return server.process.pid


# -- seeding -----------------------------------------------------------------------------


def seed_world(site: DemoSite) -> dict[str, dict[str, int]]:
    """Create the users, the Spaces and the front page unless they exist; return their ids."""
    spec = {
        "password": PASSWORD,
        "users": [
            {"login": p.login, "first": p.first, "last": p.last, "name": p.name}
            for p in PEOPLE.values()
        ],
        "spaces": [
            {"slug": s.slug, "title": s.title, "content": s.content, "admins": list(s.admins)}
            for s in SPACES
        ],
        "welcome": _welcome_html(),
    }
    out = site.php(
        f"""
$spec = json_decode( {php_str(json.dumps(spec))}, true );
$users = array();
foreach ( $spec['users'] as $u ) {{
    $user = get_user_by( 'login', $u['login'] );
    if ( ! $user ) {{
        $id = wp_insert_user( array(
            'user_login' => $u['login'], 'user_pass' => $spec['password'],
            'user_email' => $u['login'] . '@example.org', 'display_name' => $u['name'],
            'first_name' => $u['first'], 'last_name' => $u['last'], 'role' => 'subscriber',
        ) );
        if ( is_wp_error( $id ) ) {{
            fwrite( STDERR, 'wp_insert_user: ' . $id->get_error_message() . "\\n" );
            exit( 1 );
        }}
        $user = get_user_by( 'id', $id );
    }} elseif ( ! wp_check_password( $spec['password'], $user->user_pass, $user->ID ) ) {{
        wp_set_password( $spec['password'], $user->ID );  // The printed logins must work.
    }}
    $users[ $u['login'] ] = (int) $user->ID;
}}
$type = Space_Inbox_Options::post_type();
$spaces = array();
foreach ( $spec['spaces'] as $s ) {{
    $post = get_page_by_path( $s['slug'], OBJECT, $type );
    $team = array_map( static function ( $login ) use ( $users ) {{
        return $users[ $login ];
    }}, $s['admins'] );
    $id = $post ? (int) $post->ID : wp_insert_post( array(
        'post_type' => $type, 'post_status' => 'publish', 'post_name' => $s['slug'],
        'post_title' => wp_slash( $s['title'] ), 'post_content' => wp_slash( $s['content'] ),
        'post_author' => $team[0],
    ), true );
    if ( is_wp_error( $id ) ) {{
        fwrite( STDERR, 'wp_insert_post: ' . $id->get_error_message() . "\\n" );
        exit( 1 );
    }}
    // A new Space, or one whose creation was cut short: give it its team. An existing
    // team is left as it is (it may have been changed in wp-admin on purpose).
    if ( ! Space_Inbox_Spaces::team( $id ) ) {{
        foreach ( $team as $user_id ) {{
            add_post_meta( $id, Space_Inbox_Spaces::TEAM_META, $user_id );
        }}
    }}
    $spaces[ $s['slug'] ] = (int) $id;
}}
$welcome = get_page_by_path( 'welcome', OBJECT, 'page' );
if ( ! $welcome ) {{
    $front = wp_insert_post( array(
        'post_type' => 'page', 'post_status' => 'publish', 'post_name' => 'welcome',
        'post_title' => 'Welcome to the Space Inbox demo',
        'post_content' => wp_slash( $spec['welcome'] ), 'comment_status' => 'closed',
    ) );
    update_option( 'show_on_front', 'page' );
    update_option( 'page_on_front', (int) $front );
}}
// The plugin sends each new Space with its whole team to the bridge at the end of this run.
echo wp_json_encode( array( 'users' => $users, 'spaces' => $spaces ) );
"""
    )
    return json.loads(out)


def spaces_in_bridge(site: DemoSite, ids: list[int]) -> set[int]:
    """Which of the Space ids the bridge holds as active."""
    marks = ", ".join(["%s"] * len(ids))
    rows = site.sql(
        f"SELECT id FROM {BRIDGE_TABLES}spaces WHERE status = 'active' AND id IN ({marks})", ids
    )
    return {int(r[0]) for r in rows}


def sync_spaces(site: DemoSite, ids: list[int], *, all_again: bool) -> None:
    """Make sure the bridge has every Space (and, with *all_again*, their current URLs)."""
    missing = set(ids) if all_again else set(ids) - spaces_in_bridge(site, ids)
    if not missing:
        return
    touches = "".join(f"Space_Inbox_Events::touch_space( {i} );" for i in sorted(missing))
    site.php(touches)  # sent to the bridge when the run ends
    if set(ids) - spaces_in_bridge(site, ids):
        raise DemoError(
            "the bridge did not receive the Spaces from the plugin"
            f"{_tail(STATE_DIR / 'bridge.log')}{_tail(site.server_log_path)}"
        )


class Api:
    """The bridge's API as seeded users: logged in through wp-login.php, with a REST nonce."""

    def __init__(self, site: DemoSite, bridge_url: str) -> None:
        self.site = site
        self.base = f"{bridge_url}/api/v1"
        self.logins: dict[str, dict[str, str]] = {}
        self.http = _http()

    def headers(self, login: str) -> dict[str, str]:
        """The cookie and nonce a browser of *login* sends."""
        if login not in self.logins:
            browser = self.site.login(login, PASSWORD)
            try:
                nonce = self.site.rest_nonce(browser)
                name, value = self.site.logged_in_cookie(browser)
            finally:
                browser.close()
            self.logins[login] = {"Cookie": f"{name}={value}", "X-WP-Nonce": nonce}
        return self.logins[login]

    def call(self, login: str, method: str, path: str, body: dict | None = None) -> Any:
        """Call the API as *login*; return the JSON answer (None for 204)."""
        response = self.http.request(
            method,
            f"{self.base}/{path}",
            json=body,
            headers=self.headers(login),
            timeout=HTTP_TIMEOUT,
        )
        if response.status_code >= 400:
            raise DemoError(
                f"{method} /api/v1/{path} as {login}: HTTP {response.status_code} "
                f"{response.text[:500]}"
            )
        return response.json() if response.content else None

    def close(self) -> None:
        """Close the HTTP session."""
        self.http.close()


def seed_conversations(site: DemoSite, bridge_url: str, ids: dict[str, dict[str, int]]) -> str:
    """Write the conversations through the API, as members and admins would; idempotent."""
    api = Api(site, bridge_url)
    messages = 0
    try:
        for conv in CONVERSATIONS:
            space_id = ids["spaces"][conv.space]
            member_id = ids["users"][conv.member]
            conversation_id = 0
            for number, (who, text) in enumerate(conv.turns, 1):
                # A fixed client_key makes a send idempotent: a second run writes nothing.
                body = {"body": text, "client_key": f"demo-{conv.key}-{number}"}
                if who == "member":
                    api.call(conv.member, "POST", f"me/spaces/{space_id}/messages", body)
                else:
                    if not conversation_id:
                        conversation_id = _conversation_id(api, who, space_id, member_id)
                    path = f"spaces/{space_id}/conversations/{conversation_id}"
                    # As an admin opening the conversation: it is read for the whole team.
                    api.call(who, "POST", f"{path}/read")
                    api.call(who, "POST", f"{path}/messages", body)
                messages += 1
            if conv.done_by:
                conversation_id = conversation_id or _conversation_id(
                    api, conv.done_by, space_id, member_id
                )
                path = f"spaces/{space_id}/conversations/{conversation_id}/status"
                api.call(conv.done_by, "POST", path, {"status": "done"})
        # After the conversations: a Space closed now would answer them automatically.
        seed_team_tools(api, ids)
    finally:
        api.close()
    return f"{len(CONVERSATIONS)} conversations, {messages} messages, {len(api.logins)} logins"


#: Each Space's tools, set as its first admin would: settings (a PATCH) and saved replies.
TEAM_TOOLS = {
    "pizzeria-napoli": (
        {
            "hours_enabled": True,
            "hours": {
                day: [{"opens": "12:00", "closes": "14:30"}, {"opens": "18:30", "closes": "23:00"}]
                for day in ("tue", "wed", "thu", "fri", "sat", "sun")
            },
            "away_message": "Grazie! We are closed right now: we answer as soon as we open "
            "(Tuesday to Sunday, 12:00–14:30 and 18:30–23:00).",
            "reply_preset": "hour",
        },
        (
            ("Opening hours", "We are open Tuesday to Sunday, 12:00–14:30 and 18:30–23:00."),
            (
                "Allergens",
                "Our allergen sheet is at the counter; tell us what to avoid and "
                "we will tell you which pizzas are safe.",
            ),
        ),
    ),
    "threads-and-co": (
        {"reply_preset": "hours"},
        (("Sizes", "Every design comes in XS to 3XL, in eleven colours."),),
    ),
    "sunday-market": ({"reply_preset": "day"}, ()),
}


def seed_team_tools(api: Api, ids: dict[str, dict[str, int]]) -> None:
    """Set each Space's opening hours, preset and saved replies; idempotent."""
    for space in SPACES:
        settings, replies = TEAM_TOOLS[space.slug]
        space_id, admin = ids["spaces"][space.slug], space.admins[0]
        api.call(admin, "PATCH", f"spaces/{space_id}/settings", settings)
        kept = api.call(admin, "GET", f"spaces/{space_id}/saved-replies")["saved_replies"]
        titles = {r["title"] for r in kept}
        for title, text in replies:
            if title not in titles:
                body = {"title": title, "body": text}
                api.call(admin, "POST", f"spaces/{space_id}/saved-replies", body)


def _conversation_id(api: Api, admin: str, space_id: int, member_id: int) -> int:
    """The id of the member's conversation in the Space's inbox, as the admin sees it."""
    listing = api.call(admin, "GET", f"spaces/{space_id}/conversations?limit=100")
    for row in listing["conversations"]:
        if row["member"]["id"] == member_id:
            return int(row["id"])
    raise DemoError(f"no conversation of user {member_id} in Space {space_id}")


def seeded_messages(site: DemoSite) -> int:
    """How many of the seeded messages the bridge holds."""
    rows = site.sql(
        f"SELECT COUNT(*) FROM {BRIDGE_TABLES}messages WHERE client_key LIKE %s", ["demo-%"]
    )
    return int(rows[0][0])


# -- commands ----------------------------------------------------------------------------


def _require_tools() -> None:
    """Fail early, with the command to run, when the machine lacks what the demo needs."""
    missing = []
    if not Path(PHP).exists():
        missing.append(f"{PHP} (PHP's CLI)")
    if not (harness.WORDPRESS_SOURCE / "wp-settings.php").exists():
        missing.append(f"{harness.WORDPRESS_SOURCE} (Debian's wordpress package)")
    elif "mysqli" not in _php_modules():
        missing.append("PHP's mysqli extension (php-mysql)")
    try:
        nginx_binary()
    except NginxError:
        missing.append("nginx (Debian's nginx package)")
    if missing:
        raise DemoError("missing " + " and ".join(missing) + ": run `make stack` (as root)")
    bridge = stack.command()
    if bridge[0] == sys.executable:
        raise DemoError(
            "the space-inbox command is not installed beside this Python: run `make venv` "
            "and start the demo with .venv/bin/python tools/demo.py start"
        )


def _php_modules() -> str:
    """What ``php -m`` lists."""
    done = subprocess.run([PHP, "-m"], capture_output=True, text=True, timeout=30, check=False)
    return done.stdout


def running(state: State, site: DemoSite) -> tuple[bool, bool, bool]:
    """Whether the demo's WordPress, bridge and nginx are up and answering."""
    wp = bool(
        state.php_port
        and groups_running(site.server_needle)
        and answers(f"{state.php_url}/wp-login.php")
    )
    bridge = bool(
        state.bridge_port
        and groups_running(bridge_needle(site))
        and answers(f"{state.bridge_url}/health", '"ok"')
    )
    nginx = bool(
        state.site_port
        and groups_running(nginx_needle())
        and answers(f"{state.public_url}/health", '"ok"')
    )
    return wp, bridge, nginx


def start() -> int:
    """``start``: bring the demo up, or report that it is up."""
    _require_tools()
    state = State.load()
    redis = redis_url() if live_support() else ""
    if state is not None and state.complete and state.db_password:
        site = DemoSite(state)
        if all(running(state, site)) and state.live == bool(redis):
            print("The Space Inbox demo is already running.")
            summary(state, site)
            return 0
    fresh = state is None
    state = state or State()
    site = DemoSite(state)
    started: list[str] = []  # needles of the servers this run started
    progress = Progress(8)
    print(f"Starting the Space Inbox demo (state in {STATE_DIR.relative_to(ROOT)}/)")
    try:
        state.complete = False
        with progress.step("MariaDB database and user") as step:
            step.detail = create_database(state)
            site.db_password = state.db_password

        with progress.step("WordPress files") as step:
            if fresh:
                # Servers of a run whose state file is gone: ours by their paths, stop them.
                stop_groups(site.server_needle, 5.0)
                stop_groups(bridge_needle(site), 15.0)
                stop_groups(nginx_needle(), 5.0)
            if not site.tree_current():
                stop_groups(site.server_needle, 5.0)
                site.copy_tree()
                step.detail = f"copied WordPress {_wordpress_version()} to .demo/wordpress; "
            changed = site.write_files()
            step.detail += "updated " + ", ".join(changed) if changed else "up to date"
            state.save()

        wp_up, bridge_up, nginx_up = running(state, site)
        with progress.step("WordPress server (php -S)") as step:
            if not nginx_up:
                # The site's address first: it is what people open, and what WordPress
                # stores; the PHP server may take any port behind it.
                stop_groups(nginx_needle(), 5.0)
                taken = (state.php_port,) if wp_up else ()
                state.site_port = pick_port(state.site_port, _env_port("DEMO_WP_PORT", 8080), taken)
            if wp_up:
                step.detail = f"already running at {state.php_url}"
            else:
                stop_groups(site.server_needle, 5.0)
                port = pick_port(
                    state.php_port, _env_port("DEMO_PHP_PORT", 8081), (state.site_port,)
                )
                started.append(site.server_needle)
                state.php_pid = site.serve(port)
                state.php_port = port
                state.save()
                step.detail = f"{state.php_url}, {PHP_WORKERS} workers, pid {state.php_pid}"
            site.set_ports(state.php_port, state.site_port)

        with progress.step("WordPress install, plugin, theme, permalinks") as step:
            installed = site.installed()
            if installed:
                step.detail = "installed before; "
            else:
                if installed is None:  # a previous install was interrupted: start over
                    reset_database()
                site.install()
                step.detail = f"installed “{SITE_TITLE}”; "
            # The site's address changed: links and cookies' names change with it.
            moved = bool(installed) and site.option("home") != state.site_url
            site.configure()
            step.detail += f"plugin {PLUGIN_SLUG} active, theme {THEME_SLUG}, {state.site_url}"
            if not answers(f"{state.php_url}/?rest_route=/", "namespaces"):
                raise DemoError(f"WordPress does not answer{_tail(site.server_log_path)}")

        with progress.step("Bridge: migrate and serve") as step:
            said = migrate(site)
            if bridge_up and (moved or state.live != bool(redis)):
                # It keeps WordPress' options (the site URL, hence the cookie name) in memory,
                # and is live or not from its start.
                stop_groups(bridge_needle(site), 15.0)
                bridge_up = False
            live = "live updates on (Redis)" if redis else "no live updates (no Redis)"
            if bridge_up:
                step.detail = f"{said}; already running at {state.bridge_url}, {live}"
            else:
                stop_groups(bridge_needle(site), 15.0)
                port = pick_port(
                    state.bridge_port,
                    _env_port("DEMO_BRIDGE_PORT", 8765),
                    (state.site_port, state.php_port),
                )
                started.append(bridge_needle(site))
                state.bridge_pid = serve_bridge(site, port, redis)
                state.bridge_port = port
                state.live = bool(redis)
                state.save()
                step.detail = f"{said}; {state.bridge_url}, pid {state.bridge_pid}, {live}"

        with progress.step("nginx: the site's origin, the bridge at " + BRIDGE_PATH) as step:
            server = front(site, state)
            current = (
                server.conf_path.exists()
                and server.conf_path.read_text(encoding="utf-8") == server.config()
            )
            if nginx_up and current:
                step.detail = f"already running at {state.site_url}"
            else:
                stop_groups(nginx_needle(), 5.0)
                started.append(nginx_needle())
                state.nginx_pid = serve_nginx(site, state)
                state.save()
                step.detail = f"{state.site_url}, pid {state.nginx_pid}"
            # Direct mode: browsers call the bridge on the site's origin; WordPress calls it
            # at its own address. Whatever the plugin queued while the bridge was away goes.
            site.php(
                f"update_option( 'space_inbox_bridge_url', {php_str(state.bridge_url)} );"
                f"update_option( 'space_inbox_public_url', {php_str(state.public_url)} );"
                "do_action( Space_Inbox_Events::CRON_HOOK );"
            )
            if not answers(f"{state.public_url}/health", '"ok"'):
                raise DemoError(
                    f"the bridge does not answer at {state.public_url}/health"
                    f"{_tail(server.error_log)}"
                )

        with progress.step("Spaces, admins and members") as step:
            ids = seed_world(site)
            sync_spaces(site, sorted(ids["spaces"].values()), all_again=moved)
            step.detail = f"{len(ids['spaces'])} Spaces, {len(ids['users'])} users"

        with progress.step("Conversations, through the bridge's API") as step:
            held = seeded_messages(site)
            if state.seeded == SEED_VERSION and held:
                step.detail = f"there before ({held} messages)"
            else:
                # As browsers send them: on the site's origin, through nginx.
                step.detail = seed_conversations(site, state.public_url, ids)
                state.seeded = SEED_VERSION

        state.complete = True
        state.save()
    except KeyboardInterrupt:
        for needle in started:
            stop_groups(needle, 5.0)
        with contextlib.suppress(OSError):
            state.save()
        print(
            "\nInterrupted: the servers this run started are stopped. `make demo` continues "
            "where it stopped; `.venv/bin/python tools/demo.py stop --purge` removes it all.",
            file=sys.stderr,
        )
        return 130
    print(f"\nThe Space Inbox demo is up (started in {progress.elapsed():.1f} s).")
    summary(state, site)
    return 0


def summary(state: State, site: DemoSite) -> None:
    """Print the URLs and the logins."""
    url = state.site_url
    inbox = site.option("space_inbox_inbox_url") or f"{url}/space-messages/"
    width = max(len(p.login) for p in SPACE_ADMINS)
    admins = "\n".join(
        f"{'':18}{p.login:<{width}}  {p.name}: {', '.join(_spaces_of(p.login))}"
        for p in SPACE_ADMINS
    )
    members = ", ".join(f"{p.login} ({p.name})" for p in MEMBERS)
    spaces = "\n".join(f"{'':18}{url}/spaces/{s.slug}/  {s.title}" for s in SPACES)
    live = "on (Redis)" if state.live else "off, pages poll (live updates need Redis)"
    print(
        f"""
  Site            {url}/
  Spaces
{spaces}
  Inbox           {inbox}  (members; Space admins switch to their Spaces there)
  wp-admin        {url}/wp-admin/
  Space Inbox     {url}/wp-admin/admin.php?page=space-inbox-messages  (site staff)
  Bridge          {state.public_url}/  (browsers: direct mode, on the site's origin)
                  {state.bridge_url}  (WordPress' calls; /health, /api/v1/openapi.json)
  Live updates    {live}

  Every login has the password:  {PASSWORD}
  Members         {members}
  Space admins
{admins}
  Site admin      {ADMIN_LOGIN}

  Logs            .demo/php-server.log, .demo/bridge.log, .demo/nginx/error.log;
                  e-mails in .demo/mail.jsonl
  Stop            make demo-stop   (keeps the data: `make demo` starts it again)
  Remove all      .venv/bin/python tools/demo.py stop --purge"""
    )


def stop(purge: bool) -> int:
    """``stop``: stop both servers; with *purge*, drop the database and ``.demo/`` too."""
    state = State.load()
    site = DemoSite(state or State())
    stopped = stop_groups(nginx_needle(), 5.0)
    stopped += stop_groups(site.server_needle, 5.0)
    stopped += stop_groups(bridge_needle(site), 15.0)
    if state is not None and not purge:
        state.nginx_pid = state.php_pid = state.bridge_pid = 0
        state.save()
    print(f"  {OK} stopped the demo's servers" if stopped else "  The demo was not running.")
    if purge:
        drop_database()
        print(f"  {OK} dropped the database `{DB_NAME}` and the user {DB_USER}")
        shutil.rmtree(STATE_DIR, ignore_errors=True)
        print(f"  {OK} removed {STATE_DIR.relative_to(ROOT)}/")
    else:
        print("  Data kept: `make demo` starts it again; `tools/demo.py stop --purge` removes it.")
    return 0


def status() -> int:
    """``status``: say whether the demo runs, and where."""
    state = State.load()
    if state is None:
        print("The demo has not been started (no .demo/state.json).")
        return 1
    site = DemoSite(state)
    wp, bridge, nginx = running(state, site)
    print(f"  Site       {state.site_url} (nginx): {'running' if nginx else 'stopped'}")
    print(f"  WordPress  {state.php_url} (php -S): {'running' if wp else 'stopped'}")
    print(f"  Bridge     {state.bridge_url}: {'running' if bridge else 'stopped'}")
    if wp and bridge and nginx and state.complete:
        summary(state, site)
        return 0
    return 1


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser(
        prog="tools/demo.py",
        description="The Space Inbox demo: WordPress + the plugin + the bridge, with demo data.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("start", help="start the demo (again), seeding it the first time")
    halt = commands.add_parser("stop", help="stop the servers; the data is kept")
    halt.add_argument(
        "--purge", action="store_true", help="also drop the database, its user and .demo/"
    )
    commands.add_parser("status", help="say whether the demo is running")
    args = parser.parse_args(argv)
    for stream in (sys.stdout, sys.stderr):
        # A terminal without UTF-8 gets "?" for the odd character rather than a traceback.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    try:
        if args.command == "start":
            return start()
        if args.command == "stop":
            return stop(args.purge)
        return status()
    except (DemoError, WordPressError) as exc:
        print(f"\n{FAIL} {exc}", file=sys.stderr)
        if args.command == "start":
            print(
                "\nFix the cause and run `make demo` again; `make demo-stop` stops whatever "
                "of the demo runs.",
                file=sys.stderr,
            )
        return 1
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The output went to a pipe that closed (`| head`): nothing more to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
