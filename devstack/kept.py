"""The whole stack kept between runs in one folder: what ``make demo`` runs.

The tests' stacks (:class:`~devstack.stack.WholeStack`) are thrown away when a test ends;
this one stays. WordPress (Debian's package, copied to ``FOLDER/wordpress``) keeps its
database, reached as a database user of its own; its PHP server, the bridge and nginx in
front of both (direct mode: WordPress at ``/``, the bridge under ``/space-inbox-api/``, see
:mod:`devstack.nginx`) run detached, each in its own process group and tracked by a pid
file in the folder (:mod:`devstack.detached`), so that they outlive the command that
started them and a later one reports or stops them. Ports, the database password and
WordPress' keys are kept in ``FOLDER/state.json``.

A start is a series of steps, each a method of :class:`KeptStack` that keeps what is
already right (a copy of WordPress that is current, a server that answers, an installed
site) and does the rest, so that starting again continues where a run stopped::

    stack = KeptStack(folder, KeptDatabase("example", "example"), theme_dirs={...})
    stack.create_database()
    stack.lay_out()
    stack.serve_site(8080, 8081)       # nginx's port first, then the PHP server's
    stack.install("Title", "password", theme="...")
    stack.serve_bridge(8765, redis_url)
    stack.serve_front()
    stack.finish()
    ...
    KeptStack(folder, KeptDatabase("example", "example")).stop()   # later, anywhere
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import pymysql
import requests

from devstack import wordpress
from devstack.callers import PLUGIN_FILE
from devstack.detached import PidFile, log_tail
from devstack.nginx import BRIDGE_PATH, NginxError, NginxFront, nginx_binary
from devstack.stack import PLUGIN, BridgeServer, command, migrate, wait_until_ready
from devstack.wordpress import WordPressSite, php_str

HOST = "127.0.0.1"
#: Hosts the site's database user may connect from.
DB_USER_HOSTS = ("127.0.0.1", "localhost")
#: The option an install sets last, so that an install cut short is told from a finished
#: one (named when the demo alone kept a site: existing ones have it).
INSTALLED_OPTION = "demo_install_complete"
#: The file that says a copy of WordPress is complete, and of which version.
TREE_MARKER = ".demo-source"


class KeptError(RuntimeError):
    """A step failed; the message says why."""


class DatabaseRefused(KeptError):
    """The account that creates the database and its user was refused."""

    def __init__(self, user: str, host: str, port: int, with_password: bool) -> None:
        super().__init__(f"MariaDB refused {user}@{host}:{port}")
        self.user, self.host, self.port, self.with_password = user, host, port, with_password


class DatabaseUnreachable(KeptError):
    """Nothing answers at the database's address."""


class StateUnreadable(KeptError):
    """``state.json`` is there but cannot be read."""


@dataclass
class KeptState:
    """What a start leaves in ``state.json`` for the next command."""

    db_password: str = ""
    keys: dict[str, str] = field(default_factory=dict)
    #: The site's address: nginx's port.
    site_port: int = 0
    #: WordPress' PHP server, behind nginx.
    php_port: int = 0
    bridge_port: int = 0
    #: Whether the bridge serves live updates (with Redis).
    live: bool = False
    #: The version of what the caller seeded last, in its own numbering.
    seeded: int = 0
    #: Whether the last start went to its end.
    complete: bool = False

    @classmethod
    def load(cls, path: Path) -> KeptState | None:
        """Read the state file, or ``None`` if there is none.

        :raises StateUnreadable: if it cannot be read.
        """
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise StateUnreadable(f"{path} is unreadable ({exc})") from exc
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    def save(self, path: Path) -> None:
        """Write the state file, readable by its owner only (it holds passwords)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(asdict(self), handle, indent=2)
        partial.replace(path)


# -- what the machine needs --------------------------------------------------------------


def missing_tools() -> list[str]:
    """What of PHP, Debian's WordPress, PHP's mysqli and nginx the machine lacks."""
    missing = []
    php = shutil.which("php")
    if php is None:
        missing.append("php (PHP's CLI)")
    if not (wordpress.WORDPRESS_SOURCE / "wp-settings.php").exists():
        missing.append(f"{wordpress.WORDPRESS_SOURCE} (Debian's wordpress package)")
    elif php is not None:
        modules = subprocess.run(
            [php, "-m"], capture_output=True, text=True, timeout=30, check=False
        )
        if "mysqli" not in modules.stdout:
            missing.append("PHP's mysqli extension (php-mysql)")
    try:
        nginx_binary()
    except NginxError:
        missing.append("nginx (Debian's nginx package)")
    return missing


def bridge_command_installed() -> bool:
    """Whether the ``space-inbox`` command is installed (else it runs as ``python -m``)."""
    return command()[0] != sys.executable


# -- ports and HTTP ----------------------------------------------------------------------


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
    raise KeptError(f"no free port in {first}-{first + 99} on {HOST}")


def answers(url: str, check: str = "") -> bool:
    """Whether GET *url* answers 200 (with *check* in the body, if given)."""
    try:
        with requests.Session() as http:
            http.trust_env = False  # everything is on loopback
            response = http.get(url, timeout=5)
    except requests.RequestException:
        return False
    return response.status_code == 200 and check in response.text


# -- the database ------------------------------------------------------------------------


class KeptDatabase:
    """A database and a user of its own for it, made by an account that may create both."""

    def __init__(
        self,
        name: str,
        user: str,
        *,
        host: str = HOST,
        port: int = 3306,
        root_user: str = "root",
        root_password: str = "",
    ) -> None:
        self.name, self.user, self.host, self.port = name, user, host, port
        self.root_user, self.root_password = root_user, root_password

    def _root(self) -> pymysql.connections.Connection:
        """Connect as the account that may create databases and users."""
        try:
            return pymysql.connect(
                host=self.host,
                port=self.port,
                user=self.root_user,
                password=self.root_password,
                charset="utf8mb4",
                autocommit=True,
                connect_timeout=5,
            )
        except pymysql.err.OperationalError as exc:
            code = exc.args[0] if exc.args else 0
            if code in (1044, 1045, 1698):
                refused = DatabaseRefused(
                    self.root_user, self.host, self.port, bool(self.root_password)
                )
                raise refused from exc
            raise DatabaseUnreachable(
                f"MariaDB does not answer on {self.host}:{self.port} ({exc.args[-1]})"
            ) from exc

    def create(self, password: str) -> str:
        """Create the database and its user with *password* (idempotent); say what was done."""
        with self._root() as conn, conn.cursor() as cur:
            cur.execute("SHOW DATABASES LIKE %s", [self.name])
            existed = bool(cur.fetchall())
            cur.execute(
                f"CREATE DATABASE IF NOT EXISTS `{self.name}` "
                "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
            for host in DB_USER_HOSTS:
                # ALTER as well: the user may be left from a run whose state is gone.
                cur.execute(
                    "CREATE USER IF NOT EXISTS %s@%s IDENTIFIED BY %s", [self.user, host, password]
                )
                cur.execute("ALTER USER %s@%s IDENTIFIED BY %s", [self.user, host, password])
                cur.execute(f"GRANT ALL PRIVILEGES ON `{self.name}`.* TO %s@%s", [self.user, host])
        try:
            pymysql.connect(
                host=self.host,
                port=self.port,
                user=self.user,
                password=password,
                database=self.name,
                connect_timeout=5,
            ).close()
        except pymysql.err.MySQLError as exc:
            raise KeptError(
                f"the new user {self.user} cannot connect to {self.host}:{self.port}: {exc}"
            ) from exc
        verb = "kept" if existed else "created"
        return f"{verb} `{self.name}`, user {self.user}@{'/'.join(DB_USER_HOSTS)}"

    def reset(self) -> None:
        """Drop and create the database again (its user and grants stay)."""
        with self._root() as conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{self.name}`")
            cur.execute(
                f"CREATE DATABASE `{self.name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )

    def drop(self) -> None:
        """Drop the database and its user."""
        with self._root() as conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{self.name}`")
            for host in DB_USER_HOSTS:
                cur.execute("DROP USER IF EXISTS %s@%s", [self.user, host])


# -- WordPress ---------------------------------------------------------------------------


class KeptSite(WordPressSite):
    """The harness' WordPress site, kept in *folder* with its own database user and its
    keys (both from *state*): its files are laid out again only where they changed, it is
    installed once, and its PHP server runs on a port of the caller's choice behind a front
    server at the site's address (:meth:`at`)."""

    def __init__(
        self,
        folder: Path,
        database: KeptDatabase,
        state: KeptState,
        *,
        table_prefix: str = "wp_",
        theme_dirs: dict[str, Path] | None = None,
        workers: int = 4,
        purpose: str = "",
    ) -> None:
        super().__init__(
            folder,
            database.name,
            table_prefix=table_prefix,
            db_host=database.host,
            db_port=database.port,
            db_user=database.user,
            db_password=state.db_password,
            plugin_dirs={PLUGIN_FILE.split("/")[0]: PLUGIN},
            theme_dirs=theme_dirs,
            workers=workers,
        )
        if state.keys:
            self.keys = dict(state.keys)
        else:
            state.keys = dict(self.keys)
        self.purpose = purpose
        self.at(state.php_port, state.site_port)

    def at(self, php_port: int, site_port: int) -> None:
        """The PHP server is on *php_port*; the site's address, the front server's, on
        *site_port*: the PHP CLI and the HTTP helpers play requests for the site's address."""
        self.port = php_port
        self.server_url = f"http://{HOST}:{php_port}"
        self.public_url = self.url = f"http://{HOST}:{site_port}"

    # Files ---------------------------------------------------------------------------------

    def source_version(self) -> str:
        """The version of the WordPress the site is copied from."""
        text = (self.source / "wp-includes" / "version.php").read_text("utf-8")
        match = re.search(r"\$wp_version\s*=\s*'([^']+)'", text)
        return match.group(1) if match else "unknown"

    def tree_current(self) -> bool:
        """Whether the site's copy of WordPress is complete and of the source's version."""
        marker = self.root / TREE_MARKER
        return marker.is_file() and marker.read_text(encoding="utf-8") == self.source_version()

    def copy_tree(self) -> None:
        """Copy WordPress (a marker file says the copy is complete)."""
        self._copy_tree()
        (self.root / TREE_MARKER).write_text(self.source_version(), encoding="utf-8")

    def write_files(self) -> list[str]:
        """Write the config, router and mail catcher, link the plugin and the themes (so that
        edits to them show at once); return what changed."""
        content = self.root / "wp-content"
        changed = []
        links = {content / "plugins" / slug: path for slug, path in self.plugin_dirs.items()}
        links.update({content / "themes" / slug: path for slug, path in self.theme_dirs.items()})
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
            self.router_path: wordpress._ROUTER_PHP,
            content / "mu-plugins" / "mail-to-file.php": wordpress._MU_PLUGIN_PHP,
        }
        for path, text in files.items():
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                changed.append(path.name)
        return changed

    def _wp_config(self) -> str:
        return (
            super()
            ._wp_config()
            .replace(
                "/* Generated by devstack/wordpress.py for a throw-away test site. */",
                f"/* Generated by devstack/kept.py {self.purpose}. */",
            )
        )

    # Server --------------------------------------------------------------------------------

    def serve(self, port: int) -> int:
        """Start ``php -S`` on *port* in its own process group (its workers share it), wait
        until it answers, and leave it running; return its pid."""
        self.port = port
        self.server_url = f"http://{HOST}:{port}"
        try:
            self.serve_again()
            assert self._server is not None
            url = f"{self.server_url}/wp-login.php"
            wait_until_ready(self._server, url, self.server_log_path, "php -S")
        except BaseException:
            self.stop()
            raise
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

    def install(self, title: str, password: str) -> None:
        """Run WordPress' installer as the harness does, then make it the kept site's: its
        title, the administrator's *password*, hidden from search engines, no sample post
        or page."""
        self._install()
        self.php(
            f"""
update_option( 'blogname', {php_str(title)} );
update_option( 'blog_public', '0' );
wp_set_password( {php_str(password)}, get_user_by( 'login', {php_str(self.admin_login)} )->ID );
wp_delete_post( 1, true );
wp_delete_post( 2, true );
update_option( {php_str(INSTALLED_OPTION)}, '1' );  // Last: an interrupted install has none.
"""
        )
        self.admin_password = password

    def configure(self, title: str, description: str, theme: str) -> None:
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
    wp_upgrade();  // WordPress was upgraded since the copy.
}}
update_option( 'blogname', {php_str(title)} );
update_option( 'blogdescription', {php_str(description)} );
update_option( 'template', {php_str(theme)} );
update_option( 'stylesheet', {php_str(theme)} );
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


# -- the stack ---------------------------------------------------------------------------


class KeptStack:
    """WordPress with the plugin, the bridge and nginx in front, kept in *folder*.

    :param folder: where the site's files, logs, pid files and ``state.json`` live.
    :param database: the site's database and its user.
    :param theme_dirs: theme slug -> folder, linked into the site.
    :param purpose: what the generated ``wp-config.php`` says the site is for.
    """

    def __init__(
        self,
        folder: Path,
        database: KeptDatabase,
        *,
        table_prefix: str = "wp_",
        theme_dirs: dict[str, Path] | None = None,
        php_workers: int = 4,
        bridge_workers: int = 2,
        bridge_path: str = BRIDGE_PATH,
        purpose: str = "",
    ) -> None:
        self.folder = folder
        self.database = database
        self.state_path = folder / "state.json"
        state = KeptState.load(self.state_path)
        #: Whether a state file was there: the stack was started before.
        self.loaded = state is not None
        self.state = state or KeptState()
        self.php_workers = php_workers
        self.bridge_workers = bridge_workers
        self.bridge_path = bridge_path
        self.site = KeptSite(
            folder,
            database,
            self.state,
            table_prefix=table_prefix,
            theme_dirs=theme_dirs,
            workers=php_workers,
            purpose=purpose,
        )
        self.bridge_log = folder / "bridge.log"
        #: The servers' pid files, the front server first (the order they stop in).
        self.pids = {
            "nginx": PidFile(folder / "nginx.pid"),
            "wordpress": PidFile(folder / "php-server.pid"),
            "bridge": PidFile(folder / "bridge.pid"),
        }
        #: The pid files of the servers this run started.
        self.started: list[PidFile] = []
        #: Which servers answered before this run started any (set by :meth:`serve_site`).
        self.up = (False, False, False)
        #: Whether the site's address changed in this run (set by :meth:`install`).
        self.moved = False

    # Addresses -----------------------------------------------------------------------------

    @property
    def site_url(self) -> str:
        """The site's URL, nginx's (no trailing slash)."""
        return f"http://{HOST}:{self.state.site_port}"

    @property
    def php_url(self) -> str:
        """WordPress' PHP server behind nginx (no trailing slash)."""
        return f"http://{HOST}:{self.state.php_port}"

    @property
    def bridge_url(self) -> str:
        """The bridge's own URL, for WordPress' server-to-server calls (no trailing slash)."""
        return f"http://{HOST}:{self.state.bridge_port}"

    @property
    def public_url(self) -> str:
        """The bridge on the site's origin, as browsers call it (the plugin's public URL)."""
        return self.site_url + self.bridge_path.rstrip("/")

    # State ---------------------------------------------------------------------------------

    def save(self) -> None:
        """Write ``state.json``."""
        self.state.save(self.state_path)

    def finish(self) -> None:
        """Note that the start went to its end."""
        self.state.complete = True
        self.save()

    def running(self) -> tuple[bool, bool, bool]:
        """Whether WordPress' PHP server, the bridge and nginx run and answer."""
        s, pids = self.state, self.pids
        wp = bool(
            s.php_port and pids["wordpress"].running() and answers(f"{self.php_url}/wp-login.php")
        )
        bridge = bool(
            s.bridge_port
            and pids["bridge"].running()
            and answers(f"{self.bridge_url}/health", '"ok"')
        )
        nginx = bool(
            s.site_port and pids["nginx"].running() and answers(f"{self.public_url}/health", '"ok"')
        )
        return wp, bridge, nginx

    def tail(self, path: Path) -> str:
        """The end of a log of the stack, for an error message."""
        text = log_tail(path, 25)
        return f"\n--- {path.relative_to(self.folder.parent)} (end) ---\n{text}" if text else ""

    # The steps of a start ------------------------------------------------------------------

    def create_database(self) -> str:
        """Create the database and its user, with a new password the first time."""
        self.state.complete = False
        if not self.state.db_password:
            self.state.db_password = secrets.token_urlsafe(24)
        said = self.database.create(self.state.db_password)
        self.site.db_password = self.state.db_password
        self.save()
        return said

    def lay_out(self) -> str:
        """Copy WordPress unless the copy is current, write its files; say what changed."""
        said = ""
        if not self.loaded:
            # Servers of a run whose state file is gone: their pid files tell, stop them.
            self.stop()
        if not self.site.tree_current():
            self._stop("wordpress")
            self.site.copy_tree()
            copy = self.site.root.relative_to(self.folder.parent)
            said = f"copied WordPress {self.site.source_version()} to {copy}; "
        changed = self.site.write_files()
        said += "updated " + ", ".join(changed) if changed else "up to date"
        self.save()
        return said

    def serve_site(self, first_site_port: int, first_php_port: int) -> str:
        """Choose the site's port (nginx's) unless nginx runs, and start WordPress' PHP
        server unless it runs; the ports tried first are the previous run's, then from
        *first_site_port* and *first_php_port* on."""
        s = self.state
        wp_up, _, nginx_up = self.up = self.running()
        if not nginx_up:
            # The site's address first: it is what people open, and what WordPress stores;
            # the PHP server may take any port behind it.
            self._stop("nginx")
            taken = (s.php_port,) if wp_up else ()
            s.site_port = pick_port(s.site_port, first_site_port, taken)
        if wp_up:
            said = f"already running at {self.php_url}"
        else:
            self._stop("wordpress")
            port = pick_port(s.php_port, first_php_port, (s.site_port,))
            pid = self.site.serve(port)
            self._record("wordpress", pid)
            s.php_port = port
            self.save()
            said = f"{self.php_url}, {self.php_workers} workers, pid {pid}"
        self.site.at(s.php_port, s.site_port)
        return said

    def install(self, title: str, password: str, *, theme: str, description: str = "") -> str:
        """Install WordPress unless it is, then set its address, title and theme and
        activate the plugin."""
        installed = self.site.installed()
        if installed:
            said = "installed before; "
        else:
            if installed is None:  # a previous install was interrupted: start over
                self.database.reset()
            self.site.install(title, password)
            said = f"installed “{title}”; "
        # The site's address changed: links and cookies' names change with it.
        self.moved = bool(installed) and self.site.option("home") != self.site_url
        self.site.configure(title, description, theme)
        slug = PLUGIN_FILE.split("/")[0]
        said += f"plugin {slug} active, theme {theme}, {self.site_url}"
        if not answers(f"{self.php_url}/?rest_route=/", "namespaces"):
            raise KeptError(f"WordPress does not answer{self.tail(self.site.server_log_path)}")
        return said

    def serve_bridge(self, first_port: int, redis_url: str) -> str:
        """Migrate, and serve the bridge unless it runs as it should: live (with the Redis
        at *redis_url*) or not, for the site's current address."""
        s = self.state
        said = migrate(self.site.wp_config_path)
        bridge_up = self.up[1]
        if bridge_up and (self.moved or s.live != bool(redis_url)):
            # It keeps WordPress' options (the site URL, hence the cookie name) in memory,
            # and is live or not from its start.
            self._stop("bridge")
            bridge_up = False
        live = "live updates on (Redis)" if redis_url else "no live updates (no Redis)"
        if bridge_up:
            return f"{said}; already running at {self.bridge_url}, {live}"
        self._stop("bridge")
        port = pick_port(s.bridge_port, first_port, (s.site_port, s.php_port))
        server = BridgeServer(
            self.site.wp_config_path,
            self.folder,
            workers=self.bridge_workers,
            args=("--live",) if redis_url else (),
            port=port,
            log=self.bridge_log,
            **({"REDIS_URL": redis_url} if redis_url else {}),
        ).start()
        assert server.process is not None
        self._record("bridge", server.process.pid)
        s.bridge_port, s.live = port, bool(redis_url)
        self.save()
        return f"{said}; {self.bridge_url}, pid {server.process.pid}, {live}"

    def front(self) -> NginxFront:
        """nginx as the site's origin: WordPress at ``/``, the bridge at its path."""
        return NginxFront(
            self.site,
            self.bridge_url,
            self.folder / "nginx",
            port=self.state.site_port,
            path=self.bridge_path,
        )

    def serve_front(self) -> str:
        """Start nginx unless it runs with the current configuration, then give the plugin
        the bridge's addresses: its own for WordPress' calls, the site's origin for
        browsers (direct mode). Whatever the plugin queued while the bridge was away goes."""
        server = self.front()
        current = (
            server.conf_path.exists()
            and server.conf_path.read_text(encoding="utf-8") == server.config()
        )
        if self.up[2] and current:
            said = f"already running at {self.site_url}"
        else:
            self._stop("nginx")
            server.start()
            assert server.process is not None
            self._record("nginx", server.process.pid)
            url = f"{self.site_url}/wp-login.php"
            wait_until_ready(server.process, url, server.error_log, "nginx")
            said = f"{self.site_url}, pid {server.process.pid}"
        self.site.php(
            f"update_option( 'space_inbox_bridge_url', {php_str(self.bridge_url)} );"
            f"update_option( 'space_inbox_public_url', {php_str(self.public_url)} );"
            "do_action( Space_Inbox_Queue::CRON_HOOK );"
        )
        if not answers(f"{self.public_url}/health", '"ok"'):
            raise KeptError(
                f"the bridge does not answer at {self.public_url}/health"
                f"{self.tail(server.error_log)}"
            )
        return said

    # Stopping ------------------------------------------------------------------------------

    def stop(self) -> int:
        """Stop the stack's servers; return how many ran."""
        return sum(self._stop(name) for name in self.pids)

    def stop_started(self) -> None:
        """Stop the servers this run started."""
        for pid_file in self.started:
            pid_file.stop()

    def drop(self) -> None:
        """Drop the database, its user and the folder (stop the servers first)."""
        self.database.drop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _record(self, name: str, pid: int) -> None:
        self.pids[name].record(pid)
        self.started.append(self.pids[name])

    def _stop(self, name: str) -> bool:
        # gunicorn's workers finish their requests; 15 s at the most.
        return self.pids[name].stop(grace=15.0 if name == "bridge" else 5.0)
