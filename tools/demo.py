"""Run the Space Inbox demo: a real WordPress with the plugin, the bridge and demo Spaces.

Usage, from the repository root (``make demo`` runs ``make stack venv`` first)::

    .venv/bin/python tools/demo.py start          # make demo
    .venv/bin/python tools/demo.py status
    .venv/bin/python tools/demo.py stop           # make demo-stop: keeps the data
    .venv/bin/python tools/demo.py stop --purge   # also drops the database and .demo/

``start`` runs the development stack's kept stack (``devstack/kept.py``) in ``.demo/``: it
creates the MariaDB database and user ``space_inbox_demo``, installs WordPress (Debian's
package, copied to ``.demo/wordpress``) with the plugin and a small theme, serves it with
``php -S`` on 127.0.0.1:8081 (or the next free port), migrates and serves the bridge on
127.0.0.1:8765 (or the next free port), and puts Debian's nginx in front of both on
127.0.0.1:8080 (or the next free port), the site's address: WordPress at ``/``, the bridge
at ``/space-inbox-api/``, which the plugin's public bridge URL names (*direct mode*, see
``devstack/nginx.py`` and ``docs/DEPLOYMENT.md``). When Redis answers at 127.0.0.1:6379 the
bridge serves live updates (``--live``); without it the pages poll. It then seeds three
Spaces, their admins, members and conversations, written through the real API on the
site's origin. The three servers run detached, in their own process groups, each tracked
by a pid file in ``.demo/``; ports and passwords are kept in ``.demo/state.json``. Running
``start`` again is harmless: it reports a running demo, or restarts what has stopped.

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
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack import kept
from devstack.kept import KeptDatabase, KeptSite, KeptStack
from devstack.stack import live_support, redis_answers
from devstack.wordpress import php_str

ROOT = Path(__file__).resolve().parent.parent

STATE_DIR = ROOT / ".demo"
THEME_SOURCE = ROOT / "tools" / "demo" / "theme"
THEME_SLUG = "space-inbox-demo"

DB_NAME = "space_inbox_demo"
DB_USER = "space_inbox_demo"
TABLE_PREFIX = "wp_"
#: The bridge's own tables (bridge.storage.tables.own()).
BRIDGE_TABLES = f"{TABLE_PREFIX}spaceinbox_"

#: Live updates need Redis; the bridge serves without it (the pages then poll).
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
SITE_TITLE = "Space Inbox demo"
#: The password of every seeded login, the site administrator's included.
PASSWORD = "demo-password"
ADMIN_LOGIN = "admin"
PHP_WORKERS = 4
BRIDGE_WORKERS = 2
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


# -- settings ----------------------------------------------------------------------------


def _env_port(name: str, default: int) -> int:
    try:
        port = int(os.environ.get(name, str(default)))
    except ValueError as exc:
        raise DemoError(f"{name} must be a port number") from exc
    if not 1 <= port <= 65000:
        raise DemoError(f"{name} must be a port number")
    return port


def database() -> KeptDatabase:
    """The demo's database and user, made by the account of ``DEMO_DB_ROOT_*``."""
    return KeptDatabase(
        DB_NAME,
        DB_USER,
        host=os.environ.get("DEMO_DB_HOST", kept.HOST),
        port=_env_port("DEMO_DB_PORT", 3306),
        root_user=os.environ.get("DEMO_DB_ROOT_USER", "root"),
        root_password=os.environ.get("DEMO_DB_ROOT_PASSWORD", ""),
    )


def demo_stack() -> KeptStack:
    """The demo's stack, kept in ``.demo/``."""
    return KeptStack(
        STATE_DIR,
        database(),
        table_prefix=TABLE_PREFIX,
        theme_dirs={THEME_SLUG: THEME_SOURCE},
        php_workers=PHP_WORKERS,
        bridge_workers=BRIDGE_WORKERS,
        purpose="for the Space Inbox demo (make demo)",
    )


def redis_url() -> str:
    """The Redis of live updates if it answers a PING, else ''."""
    url = os.environ.get("DEMO_REDIS_URL", DEFAULT_REDIS_URL).strip()
    if not url:
        return ""
    if not re.match(r"^redis://(?:[^@/]*@)?([^:/]+)(?::(\d+))?(?:/\d*)?$", url):
        raise DemoError(f"DEMO_REDIS_URL must be redis://host[:port][/db], not {url!r}")
    return url if redis_answers(url) else ""


# -- seeding -----------------------------------------------------------------------------


def seed_world(site: KeptSite) -> dict[str, dict[str, int]]:
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


def spaces_in_bridge(site: KeptSite, ids: list[int]) -> set[int]:
    """Which of the Space ids the bridge holds as active."""
    marks = ", ".join(["%s"] * len(ids))
    rows = site.sql(
        f"SELECT id FROM {BRIDGE_TABLES}spaces WHERE status = 'active' AND id IN ({marks})", ids
    )
    return {int(r[0]) for r in rows}


def sync_spaces(stack: KeptStack, ids: list[int], *, all_again: bool) -> None:
    """Make sure the bridge has every Space (and, with *all_again*, their current URLs)."""
    site = stack.site
    missing = set(ids) if all_again else set(ids) - spaces_in_bridge(site, ids)
    if not missing:
        return
    touches = "".join(f"Space_Inbox_Events::touch_space( {i} );" for i in sorted(missing))
    site.php(touches)  # sent to the bridge when the run ends
    if set(ids) - spaces_in_bridge(site, ids):
        raise DemoError(
            "the bridge did not receive the Spaces from the plugin"
            f"{stack.tail(stack.bridge_log)}{stack.tail(site.server_log_path)}"
        )


class Api:
    """The bridge's API as seeded users: logged in through wp-login.php, with a REST nonce."""

    def __init__(self, site: KeptSite, bridge_url: str) -> None:
        self.site = site
        self.base = f"{bridge_url}/api/v1"
        self.logins: dict[str, dict[str, str]] = {}
        self.http = site.session()

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


def seed_conversations(site: KeptSite, bridge_url: str, ids: dict[str, dict[str, int]]) -> str:
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


def seeded_messages(site: KeptSite) -> int:
    """How many of the seeded messages the bridge holds."""
    rows = site.sql(
        f"SELECT COUNT(*) FROM {BRIDGE_TABLES}messages WHERE client_key LIKE %s", ["demo-%"]
    )
    return int(rows[0][0])


# -- commands ----------------------------------------------------------------------------


def _require_tools() -> None:
    """Fail early, with the command to run, when the machine lacks what the demo needs."""
    missing = kept.missing_tools()
    if missing:
        raise DemoError("missing " + " and ".join(missing) + ": run `make stack` (as root)")
    if not kept.bridge_command_installed():
        raise DemoError(
            "the space-inbox command is not installed beside this Python: run `make venv` "
            "and start the demo with .venv/bin/python tools/demo.py start"
        )


def start() -> int:
    """``start``: bring the demo up, or report that it is up."""
    _require_tools()
    stack = demo_stack()
    state = stack.state
    redis = redis_url() if live_support() else ""
    if stack.loaded and state.complete and state.db_password:
        if all(stack.running()) and state.live == bool(redis):
            print("The Space Inbox demo is already running.")
            summary(stack)
            return 0
    progress = Progress(8)
    print(f"Starting the Space Inbox demo (state in {STATE_DIR.relative_to(ROOT)}/)")
    try:
        with progress.step("MariaDB database and user") as step:
            step.detail = stack.create_database()
        with progress.step("WordPress files") as step:
            step.detail = stack.lay_out()
        with progress.step("WordPress server (php -S)") as step:
            step.detail = stack.serve_site(
                _env_port("DEMO_WP_PORT", 8080), _env_port("DEMO_PHP_PORT", 8081)
            )
        with progress.step("WordPress install, plugin, theme, permalinks") as step:
            step.detail = stack.install(
                SITE_TITLE, PASSWORD, theme=THEME_SLUG, description="Shared inboxes for Spaces"
            )
        with progress.step("Bridge: migrate and serve") as step:
            step.detail = stack.serve_bridge(_env_port("DEMO_BRIDGE_PORT", 8765), redis)
        with progress.step("nginx: the site's origin, the bridge at " + stack.bridge_path) as step:
            step.detail = stack.serve_front()
        with progress.step("Spaces, admins and members") as step:
            ids = seed_world(stack.site)
            sync_spaces(stack, sorted(ids["spaces"].values()), all_again=stack.moved)
            step.detail = f"{len(ids['spaces'])} Spaces, {len(ids['users'])} users"
        with progress.step("Conversations, through the bridge's API") as step:
            held = seeded_messages(stack.site)
            if state.seeded == SEED_VERSION and held:
                step.detail = f"there before ({held} messages)"
            else:
                # As browsers send them: on the site's origin, through nginx.
                step.detail = seed_conversations(stack.site, stack.public_url, ids)
                state.seeded = SEED_VERSION
        stack.finish()
    except KeyboardInterrupt:
        stack.stop_started()
        with contextlib.suppress(OSError):
            stack.save()
        print(
            "\nInterrupted: the servers this run started are stopped. `make demo` continues "
            "where it stopped; `.venv/bin/python tools/demo.py stop --purge` removes it all.",
            file=sys.stderr,
        )
        return 130
    print(f"\nThe Space Inbox demo is up (started in {progress.elapsed():.1f} s).")
    summary(stack)
    return 0


def summary(stack: KeptStack) -> None:
    """Print the URLs and the logins."""
    url = stack.site_url
    inbox = stack.site.option("space_inbox_inbox_url") or f"{url}/space-messages/"
    width = max(len(p.login) for p in SPACE_ADMINS)
    admins = "\n".join(
        f"{'':18}{p.login:<{width}}  {p.name}: {', '.join(_spaces_of(p.login))}"
        for p in SPACE_ADMINS
    )
    members = ", ".join(f"{p.login} ({p.name})" for p in MEMBERS)
    spaces = "\n".join(f"{'':18}{url}/spaces/{s.slug}/  {s.title}" for s in SPACES)
    live = "on (Redis)" if stack.state.live else "off, pages poll (live updates need Redis)"
    print(
        f"""
  Site            {url}/
  Spaces
{spaces}
  Inbox           {inbox}  (members; Space admins switch to their Spaces there)
  wp-admin        {url}/wp-admin/
  Space Inbox     {url}/wp-admin/admin.php?page=space-inbox-messages  (site staff)
  Bridge          {stack.public_url}/  (browsers: direct mode, on the site's origin)
                  {stack.bridge_url}  (WordPress' calls; /health, /api/v1/openapi.json)
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
    """``stop``: stop the servers; with *purge*, drop the database and ``.demo/`` too."""
    stack = demo_stack()
    stopped = stack.stop()
    print(f"  {OK} stopped the demo's servers" if stopped else "  The demo was not running.")
    if purge:
        stack.drop()
        print(f"  {OK} dropped the database `{DB_NAME}` and the user {DB_USER}")
        print(f"  {OK} removed {STATE_DIR.relative_to(ROOT)}/")
    else:
        print("  Data kept: `make demo` starts it again; `tools/demo.py stop --purge` removes it.")
    return 0


def status() -> int:
    """``status``: say whether the demo runs, and where."""
    stack = demo_stack()
    if not stack.loaded:
        print("The demo has not been started (no .demo/state.json).")
        return 1
    wp, bridge, nginx = stack.running()
    print(f"  Site       {stack.site_url} (nginx): {'running' if nginx else 'stopped'}")
    print(f"  WordPress  {stack.php_url} (php -S): {'running' if wp else 'stopped'}")
    print(f"  Bridge     {stack.bridge_url}: {'running' if bridge else 'stopped'}")
    if wp and bridge and nginx and stack.state.complete:
        summary(stack)
        return 0
    return 1


def _explain(exc: Exception) -> str:
    """What went wrong, and for the database account, what to do about it."""
    if isinstance(exc, kept.DatabaseRefused):
        how = "with the password given" if exc.with_password else "without a password"
        return ROOT_HELP.format(user=exc.user, host=exc.host, port=exc.port, how=how)
    if isinstance(exc, kept.DatabaseUnreachable):
        return (
            f"{exc}. `make stack` installs and starts it; or point DEMO_DB_HOST / DEMO_DB_PORT "
            "at yours."
        )
    if isinstance(exc, kept.StateUnreadable):
        return f"{exc}; remove it with `.venv/bin/python tools/demo.py stop --purge`, start again"
    return str(exc)


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
    except RuntimeError as exc:  # the demo's and the harness' errors (WordPress, nginx...)
        print(f"\n{FAIL} {_explain(exc)}", file=sys.stderr)
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
