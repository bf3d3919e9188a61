"""What the browser tests share: the stack with its Space and admins, the per-test browser
side (contexts, console log, screenshots) and small page helpers."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from devstack.callers import proxy_url
from devstack.push_service import PushService
from devstack.stack import BridgeServer, WholeStack
from devstack.wordpress import WordPressSite, php_str

REPO = Path(__file__).resolve().parents[2]
DOCS_SCREENSHOTS = REPO / "docs" / "screenshots"
#: Set to 1 to write the README screenshots over docs/screenshots/.
SCREENSHOTS_ENV = "SPACE_INBOX_SCREENSHOTS"

PREFIX = "wpbr_"
PASSWORD = "correct horse battery staple"
SPACE_NAME = "T-Shirt Shop"

#: Admins get ids that no count, message id, timestamp or asset version on a page is likely
#: to contain, so that "the admin's id appears nowhere" is a meaningful check.
ADMIN_IDS_FROM = 5930071

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
#: Features of Chromium's own window that no test uses: the address bar's two popups are pages
#: of their own, loaded in a renderer of their own for every window (a context's first page
#: opens a window). Without them a new page costs Chromium about a quarter of the CPU.
UNUSED_BROWSER_UI = ["WebUIOmniboxPopup", "WebUIOmniboxAimPopup"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}

#: Default timeout (ms) of Playwright's actions and of ``expect``.
ACTION_TIMEOUT_MS = 15_000


def launch_chromium(playwright):
    """Debian's Chromium, headless, without :data:`UNUSED_BROWSER_UI`.

    Chromium takes the last ``--disable-features`` it is given, and Playwright passes one of
    its own: a first, short launch with ``--enable-automation`` (which lets the DevTools
    protocol tell the command line) reads Playwright's list, and the browser the tests use
    is launched with that list and ours.
    """
    probe = playwright.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--enable-automation"]
    )
    try:
        session = probe.new_browser_cdp_session()
        arguments = session.send("Browser.getBrowserCommandLine")["arguments"]
    finally:
        probe.close()
    disabled = [
        feature
        for argument in arguments
        if argument.startswith("--disable-features=")
        for feature in argument.split("=", 1)[1].split(",")
        if feature
    ]
    features = ",".join(dict.fromkeys([*disabled, *UNUSED_BROWSER_UI]))
    return playwright.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, f"--disable-features={features}"]
    )


# -- a theme that shows content ----------------------------------------------------------------

DEMO_THEME = REPO / "tools" / "demo" / "theme"


def install_theme(site: WordPressSite) -> None:
    """Link the demo's theme into the (temporary) site and switch to it: the pages and the
    README screenshots then look as `make demo` shows them."""
    theme = site.root / "wp-content" / "themes" / "space-inbox-demo"
    if not theme.exists():
        theme.symlink_to(DEMO_THEME, target_is_directory=True)
    site.php("switch_theme('space-inbox-demo');")


# -- the stack ---------------------------------------------------------------------------------


@dataclass
class Person:
    """A WordPress user of the stack."""

    login: str
    display_name: str
    email: str
    user_id: int


class BrowserStack:
    """WordPress + plugin + bridge, with the Space and its two admins."""

    def __init__(self, site: WordPressSite, bridge: BridgeServer) -> None:
        self.site = site
        self.bridge = bridge
        self.url = site.url
        self.admins: list[Person] = []
        self.space_id = 0
        self.space_url = ""
        self.inbox_url = ""
        self._members = 0
        #: The push service the bridge may send to (the tests' own), where there is one.
        self.pushed: PushService | None = None

    def seed(self) -> None:
        """No avatars, and the Space "T-Shirt Shop", run by Ada Admin (a subscriber, its owner)
        and Ben Admin (an author, on its team); returns once the bridge knows the team."""
        site = self.site
        site.sql(f"ALTER TABLE {{prefix}}users AUTO_INCREMENT = {ADMIN_IDS_FROM}")
        ada = self.person("ada.admin", "Ada Admin")
        ben = self.person("ben.admin", "Ben Admin", role="author")
        assert ada.user_id >= ADMIN_IDS_FROM and ben.user_id >= ADMIN_IDS_FROM
        self.admins = [ada, ben]
        content = "Organic cotton t-shirts, printed by hand in Lisbon. Sizes XS to XXL."
        space_id, self.space_url = site.php(
            # No avatars: the toolbar would fetch them from gravatar.com (no network here).
            "update_option('show_avatars', 0);"
            "$id = wp_insert_post(['post_type' => 'wpe_wpspace', 'post_status' => 'publish',"
            f" 'post_title' => {php_str(SPACE_NAME)}, 'post_author' => {ada.user_id},"
            f" 'post_content' => {php_str(content)}]);"
            f"add_post_meta($id, '_space_inbox_team', {ben.user_id});"
            "wp_update_post(['ID' => $id]); flush_rewrite_rules(false);"
            ' echo $id, "\\n", get_permalink($id);'
        ).split()
        self.space_id = int(space_id)
        self.inbox_url = site.option("space_inbox_inbox_url") or ""
        assert self.inbox_url, "the plugin created no inbox page"

        def team() -> list[int]:
            return sorted(
                row[0]
                for row in site.sql(
                    f"SELECT user_id FROM {PREFIX}spaceinbox_space_admins WHERE space_id = %s",
                    [self.space_id],
                )
            )

        expected = sorted([ada.user_id, ben.user_id])
        assert eventually(lambda: team() == expected, 10.0), f"the bridge knows {team()}"

    def new_space(self, name: str, owner: Person, team: list[Person] | None = None) -> int:
        """Another published Space, of one test's own (for figures no other test moves), run
        by *owner* and *team*; returns its id once the bridge knows its team."""
        site = self.site
        team = team or []
        space_id = int(
            site.php(
                "$id = wp_insert_post(['post_type' => 'wpe_wpspace', 'post_status' => 'publish',"
                f" 'post_title' => {php_str(name)}, 'post_author' => {owner.user_id},"
                " 'post_content' => 'A Space of the browser tests.']);"
                + "".join(
                    f"add_post_meta($id, '_space_inbox_team', {member.user_id});" for member in team
                )
                + "wp_update_post(['ID' => $id]); flush_rewrite_rules(false); echo $id;"
            ).strip()
        )
        expected = sorted({owner.user_id, *(member.user_id for member in team)})

        def known() -> list[int]:
            return sorted(
                row[0]
                for row in site.sql(
                    f"SELECT user_id FROM {PREFIX}spaceinbox_space_admins WHERE space_id = %s",
                    [space_id],
                )
            )

        assert eventually(lambda: known() == expected, 10.0), f"the bridge knows {known()}"
        return space_id

    def space_url_of(self, space_id: int) -> str:
        """The page of a Space."""
        return self.site.php(f"echo get_permalink({int(space_id)});").strip()

    @property
    def ada(self) -> Person:
        return self.admins[0]

    @property
    def ben(self) -> Person:
        return self.admins[1]

    # -- users -------------------------------------------------------------------------

    def person(self, login: str, display_name: str, role: str = "subscriber") -> Person:
        email = f"{login}@example.org"
        user_id = self.site.user_id(login) or self.site.create_user(
            login, PASSWORD, role=role, email=email, display_name=display_name
        )
        return Person(login, display_name, email, user_id)

    def new_member(self, display_name: str) -> Person:
        """A member no test used before (so: their own conversation with the Space)."""
        self._members += 1
        login = f"{display_name.lower().replace(' ', '.')}.{self._members}"
        return self.person(login, display_name)

    def login_cookies(self, person: Person) -> list[dict[str, Any]]:
        """The cookies of a new login of *person* through wp-login.php, for a browser context."""
        with self.site.login(person.login, PASSWORD) as session:
            return [
                {
                    "name": cookie.name,
                    "value": cookie.value,
                    "domain": cookie.domain,
                    "path": cookie.path,
                    "httpOnly": cookie.has_nonstandard_attr("HttpOnly"),
                    "secure": cookie.secure,
                    **({"expires": cookie.expires} if cookie.expires else {}),
                }
                for cookie in session.cookies
            ]

    def admin_secrets(self) -> list[str]:
        """Every admin's id, login, nicename, display name and e-mail (and JSON forms)."""
        values: list[str] = []
        for admin in self.admins:
            nicename = self.site.sql(
                "SELECT user_nicename FROM {prefix}users WHERE ID = %s", [admin.user_id]
            )[0][0]
            values += [str(admin.user_id), admin.login, nicename, admin.display_name, admin.email]
        return sorted(set(values + [json.dumps(v)[1:-1] for v in values]))

    # -- HTTP shortcuts (to set up state quickly; what is under test goes through Chromium) --

    def proxy(self, person: Person, method: str, path: str, **kw) -> requests.Response:
        """Log *person* in and call the bridge through the plugin's proxy, as pages do."""
        session = self.site.login(person.login, PASSWORD)
        with session:
            nonce = self.site.rest_nonce(session)
            return session.request(
                method,
                proxy_url(self.url, path),
                headers={"X-WP-Nonce": nonce},
                timeout=30,
                **kw,
            )

    def send_as(self, member: Person, body: str, space_id: int | None = None) -> dict:
        """A member's message to the Space (or to another, *space_id*)."""
        answer = self.proxy(
            member,
            "POST",
            f"me/spaces/{space_id or self.space_id}/messages",
            json={"body": body, "client_key": f"setup-{time.monotonic_ns()}"},
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    def reply_as(
        self, admin: Person, member: Person, body: str, space_id: int | None = None
    ) -> dict:
        """A Space admin's answer to a member (in the Space, or in another, *space_id*)."""
        space_id = space_id or self.space_id
        conversation = self.conversation_of(member, space_id)
        answer = self.proxy(
            admin,
            "POST",
            f"spaces/{space_id}/conversations/{conversation}/messages",
            json={"body": body, "client_key": f"setup-{time.monotonic_ns()}"},
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    def conversation_of(self, member: Person, space_id: int | None = None) -> int:
        """The id of a member's conversation with the Space, or another (from the bridge's
        tables)."""
        found = self.site.sql(
            f"SELECT id FROM {PREFIX}spaceinbox_conversations"
            " WHERE space_id = %s AND member_id = %s",
            [space_id or self.space_id, member.user_id],
        )
        assert found, f"no conversation of {member.login}"
        return int(found[0][0])

    def stored_bodies(self, member: Person) -> list[str]:
        found = self.site.sql(
            f"SELECT m.body FROM {PREFIX}spaceinbox_messages m"
            f" JOIN {PREFIX}spaceinbox_conversations c ON c.id = m.conversation_id"
            " WHERE c.space_id = %s AND c.member_id = %s ORDER BY m.id",
            [self.space_id, member.user_id],
        )
        return [row[0] for row in found]

    # -- mail ------------------------------------------------------------------------------

    def mail_count(self) -> int:
        return len(self.site.sent_mail())

    def mail_to(self, email: str, since: int = 0) -> list[dict[str, Any]]:
        """The e-mails sent to *email* (wp_mail() calls captured by the harness)."""

        def recipients(mail: dict) -> list[str]:
            to = mail.get("to")
            return to if isinstance(to, list) else re.split(r"\s*,\s*", str(to or ""))

        return [m for m in self.site.sent_mail()[since:] if email in recipients(m)]

    # -- pages -----------------------------------------------------------------------------

    def admin_inbox_url(self, **query: int) -> str:
        params = {"page": "space-inbox-messages", **{k: str(v) for k, v in query.items()}}
        return f"{self.url}/wp-admin/admin.php?{urllib.parse.urlencode(params)}"


@contextmanager
def platform_stack(
    tmp_path_factory, key: str, make: Callable[[WordPressSite, BridgeServer], BrowserStack]
) -> Iterator[BrowserStack]:
    """The whole stack on platform *key* (dispatching every second), with the demo's theme,
    seeded with the Space and its admins by the stack *make* builds; stopped afterwards."""
    began = time.monotonic()
    pushed = PushService()
    whole = WholeStack(
        tmp_path_factory.mktemp(key),
        f"si_test_{key.replace('-', '_')}_{os.getpid()}",
        PREFIX,
        platform=key,
        DISPATCH_INTERVAL="1",
        PUSH_SERVICES=pushed.origin,
    ).start()
    try:
        install_theme(whole.site)
        built = make(whole.site, whole.bridge)
        built.pushed = pushed
        built.seed()
        print(f"\n{key}: stack built and seeded in {time.monotonic() - began:.1f} s")
        yield built
    finally:
        whole.stop()
        pushed.close()


# -- the browser side of a test -----------------------------------------------------------------


@dataclass(repr=False)
class Browsing:
    """The browser side of one test: contexts, pages, console log and screenshots."""

    browser: Any
    stack: BrowserStack
    folder: Path
    contexts: list = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    shots: int = 0
    #: Whether the journeys' screenshots are taken (a failure's always are).
    shots_wanted: bool = False
    keep_root: Path | None = None

    def __repr__(self) -> str:
        return f"<Browsing {self.folder}>"

    def context(self, label: str, *, viewport: dict | None = None, storage_state=None):
        """A fresh browser context (its own cookies); its pages' consoles are recorded."""
        context = self.browser.new_context(
            viewport=viewport or DESKTOP,
            base_url=self.stack.url,
            storage_state=storage_state,
            locale="en-US",
            timezone_id="UTC",
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.on("page", lambda page: self._watch(page, label))
        self.contexts.append((label, context))
        return context

    def _watch(self, page, label: str) -> None:
        page.on(
            "console",
            lambda message: self.console.append(
                f"{time.strftime('%H:%M:%S')} [{label}] {message.type}: {message.text}"
            ),
        )
        page.on("pageerror", lambda error: self._page_error(label, page, error))

    def _page_error(self, label: str, page, error) -> None:
        line = f"[{label}] uncaught on {page.url}: {error}"
        self.page_errors.append(line)
        self.console.append(f"{time.strftime('%H:%M:%S')} {line}")

    def login(self, person: Person, target: str = "/", *, viewport: dict | None = None):
        """A new context for *person*, logged in, showing *target*: the cookies are those
        WordPress answers a POST of wp-login.php with (journeys through the login form itself
        use :meth:`log_in`)."""
        context = self.context(person.login, viewport=viewport)
        context.add_cookies(self.stack.login_cookies(person))
        page = context.new_page()
        page.goto(target)
        return page

    def log_in(self, page, person: Person, target: str = "/") -> None:
        """Fill in WordPress' login form and land on *target*."""
        destination = target if target.startswith("http") else self.stack.url + target
        page.goto("/wp-login.php?redirect_to=" + urllib.parse.quote(destination, safe=""))
        # wp-login.php focuses (and selects) the username field 200 ms after its script ran;
        # typing before that can send the password into the username field.
        username, password = page.locator("#user_login"), page.locator("#user_pass")
        expect(username).to_be_focused()
        username.fill(person.login)
        password.fill(PASSWORD)
        expect(username).to_have_value(person.login)
        expect(password).to_have_value(PASSWORD)
        with page.expect_navigation(wait_until="load"):
            page.click("#wp-submit")
        if "wp-login.php" in page.url:
            error = page.locator("#login_error")
            detail = error.inner_text() if error.count() else page.content()[:2000]
            raise AssertionError(f"login of {person.login} failed on {page.url}: {detail}")

    def shot(self, page, name: str, *, full_page: bool = True) -> None:
        """A screenshot of *page* at this step of the journey, in this test's folder, when the
        run asks for them (``--shots``): a run that does not saves Chromium their cost."""
        if self.shots_wanted:
            self._capture(page, name, full_page=full_page)

    def _capture(self, page, name: str, *, full_page: bool = True) -> Path:
        self.shots += 1
        name = re.sub(r"[^A-Za-z0-9_-]+", "-", name.removesuffix(".png"))
        path = self.folder / f"{self.shots:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    def readme_shot(self, page, filename: str) -> None:
        """A README screenshot, written over docs/screenshots/<filename> when
        SPACE_INBOX_SCREENSHOTS=1 (``make screens``); other runs leave the repository alone."""
        if os.environ.get(SCREENSHOTS_ENV) == "1":
            shutil.copyfile(
                self._capture(page, f"readme-{filename}", full_page=False),
                DOCS_SCREENSHOTS / filename,
            )

    def snapshot_all(self, prefix: str) -> None:
        """A screenshot of every open page (after a failure)."""
        for label, context in self.contexts:
            for index, page in enumerate(context.pages):
                try:
                    self._capture(page, f"{prefix}-{label}-{index}")
                except Exception as error:  # noqa: BLE001 - best effort while reporting
                    self.console.append(f"[{label}] no screenshot: {error}")

    def write_console(self) -> Path:
        path = self.folder / "console.log"
        path.write_text("\n".join(self.console) + "\n", encoding="utf-8")
        return path

    def keep(self, name: str) -> Path:
        """Copy this test's folder where pytest's clean-up does not reach; its path."""
        if self.keep_root is None:
            return self.folder
        target = self.keep_root / name
        shutil.copytree(self.folder, target, dirs_exist_ok=True)
        return target

    def close(self) -> None:
        for _label, context in self.contexts:
            try:
                context.close()
            except Exception:  # noqa: BLE001 - the browser may be gone already
                pass
        self.contexts.clear()


# -- page helpers ---------------------------------------------------------------------------------


def _luminance(rgb) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(text, background) -> float:
    """The WCAG contrast ratio of *text* (over *background*, if translucent) on *background*."""
    alpha = text[3] if len(text) > 3 else 1
    shown = [t * alpha + b * (1 - alpha) for t, b in zip(text[:3], background[:3], strict=True)]
    light, dark = sorted((_luminance(shown), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@contextmanager
def browsing_session(request, chromium, stack, tmp_path, tmp_path_factory) -> Iterator[Browsing]:
    """One test's browser side on *stack*: screenshots and console log in
    <tmp_path>/browser; a page's uncaught error fails the test."""
    folder = tmp_path / "browser"
    folder.mkdir()
    session = Browsing(chromium, stack, folder, shots_wanted=request.config.getoption("shots"))
    # pytest removes all but its last three temporary folders; a failure's are copied here.
    session.keep_root = tmp_path_factory.getbasetemp().parent / "space-inbox-browser-failures"
    request.node.browsing = session
    yield session
    session.write_console()
    session.close()
    assert not session.page_errors, "uncaught errors in the pages:\n" + "\n".join(
        session.page_errors
    )


def eventually(check: Callable[[], Any], timeout: float, page=None, interval_ms: int = 50) -> Any:
    """Call *check* until it returns something truthy or *timeout* seconds passed.

    With a *page*, waits with ``page.wait_for_timeout`` so that Playwright keeps handling
    events (console, responses) meanwhile.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        if page is not None:
            page.wait_for_timeout(interval_ms)
        else:
            time.sleep(interval_ms / 1000)


def stand_still(page) -> float:
    """Stop *page*'s clock (installed with ``page.clock.install()`` before it loaded, and
    running since): no timer of it fires until it is resumed, so it polls nothing.
    Returns the time it stands at, in seconds (the unit of Playwright's clock)."""
    for _ in range(10):
        # A moment ahead, since the clock runs on while the call travels.
        now = page.evaluate("Date.now()") / 1000 + 0.02
        try:
            page.clock.pause_at(now)
            return now
        except PlaywrightError as error:
            if "to the past" not in str(error):
                raise
    raise AssertionError("the page's clock could not be stopped")


def member_inbox(page):
    """The member's own inbox on a page (the front end's inbox, switched to the member)."""
    return page.locator('[data-space-inbox="front"] .space-inbox--member')


def team_inbox(page):
    """A Space's team inbox on the front end (the front end's inbox, switched to a Space)."""
    return page.locator('[data-space-inbox="front"] .space-inbox--admin')


def switcher(page):
    """The front end's switcher between the member's own inbox and their Spaces'."""
    return page.locator('[data-space-inbox="front"] .space-inbox-switcher')


def admin_inbox(page):
    """The admin-mode inbox of a page (wp-admin, Space Inbox)."""
    return page.locator('[data-space-inbox="admin"]')


def message_in(inbox, text: str, *, mine: bool | None = None):
    """A message row of an inbox; *mine* from the point of view of the inbox's user."""
    kind = "" if mine is None else ("--mine" if mine else "--theirs")
    return inbox.locator(f".space-inbox-msg{kind}", has_text=text)


_BADGE_JS = """(which) => {
  const badge = document.querySelector(
    `#wp-admin-bar-space-inbox [data-space-inbox-count="${which}"]`);
  if (!badge) return null;
  if (badge.hidden) return 0;
  const shown = badge.querySelector('[aria-hidden="true"]') || badge;
  return Number(shown.textContent.replace(/[^0-9]/g, '')) || 0;
}"""


def badge(page, which: str = "total") -> int | None:
    """The number the toolbar's Space inbox badge shows (0 when hidden)."""
    return page.evaluate(_BADGE_JS, which)


def horizontal_overflow(page) -> dict | None:
    """None when the page has no horizontal scrollbar, else the widths and the culprits."""
    return page.evaluate(
        """() => {
          const width = window.innerWidth;
          const scroll = document.documentElement.scrollWidth;
          if (scroll <= width) return null;
          const wide = [...document.querySelectorAll('body *')]
            .filter((el) => el.getBoundingClientRect().right > width + 0.5)
            .slice(0, 8)
            .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`
              + `${el.className && typeof el.className === 'string'
                  ? '.' + el.className.trim().split(/\\s+/).join('.') : ''}`
              + ` right=${Math.round(el.getBoundingClientRect().right)}`);
          return {innerWidth: width, scrollWidth: scroll, wide};
        }"""
    )


def active_element(page) -> str:
    """A short description of document.activeElement."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          if (!el) return 'none';
          const text = (el.getAttribute('aria-label') || el.textContent || '').trim();
          return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} `
            + `"${text.slice(0, 40)}"`;
        }"""
    )


_CONTROL_ROLES = (
    "button|textbox|combobox|listbox|checkbox|radio|spinbutton|searchbox|slider|switch|"
    "menuitem|tab|link"
)
_ARIA_LINE = re.compile(rf"^\s*- ({_CONTROL_ROLES})\b(?: \"(.*?)\")?(?:\s*\[.*\])?:?\s*(.*)$")


def unnamed_controls(locator) -> tuple[list[str], list[str]]:
    """From Chromium's accessibility tree under *locator* (Playwright's aria snapshot):
    the controls with no accessible name, and every control line, for the message."""
    lines = []
    unnamed = []
    for line in locator.aria_snapshot().splitlines():
        match = _ARIA_LINE.match(line)
        if not match:
            continue
        lines.append(line.strip())
        if not (match.group(2) or "").strip():
            unnamed.append(line.strip())
    return unnamed, lines


# -- badges anywhere on a page (toolbar, BuddyBoss header, inbox) -------------------------------

_SHOWN_COUNT_JS = """(badge) => {
  if (badge.hidden) return 0;
  const shown = badge.querySelector('[aria-hidden="true"]') || badge;
  return Number(shown.textContent.replace(/[^0-9]/g, '')) || 0;
}"""


def shown_count(badge_locator) -> int:
    """The number one `[data-space-inbox-count]` badge shows (0 when hidden)."""
    return badge_locator.evaluate(_SHOWN_COUNT_JS)


_VISIBLE_BADGES_JS = """() => [...document.querySelectorAll('.space-inbox-badge')]
  .filter((el) => {
    const box = el.getBoundingClientRect();
    return getComputedStyle(el).display !== 'none' && box.width > 0 && box.height > 0;
  })
  .map((el) => {
    const box = el.getBoundingClientRect();
    const where = el.closest('[id]');
    return `${where ? '#' + where.id + ' ' : ''}[data-space-inbox-count=`
      + `${el.dataset.spaceInboxCount}] "${el.textContent.trim()}" `
      + `${Math.round(box.width)}x${Math.round(box.height)}`
      + ` display=${getComputedStyle(el).display}`;
  })"""


def visible_badges(page) -> list[str]:
    """Every `.space-inbox-badge` of *page* that is drawn: display other than none and a
    size; each described by its nearest id, which count it is, its text and its box."""
    return page.evaluate(_VISIBLE_BADGES_JS)


def open_space_and_press_message(page):
    """On the Space page: press Message; the member inbox opens with the box focused."""
    button = page.get_by_role("link", name=f"Message {SPACE_NAME}")
    expect(button).to_be_visible()
    with page.expect_navigation(wait_until="load"):
        button.click()
    box = member_inbox(page).get_by_role("textbox", name=f"Message to {SPACE_NAME}")
    expect(box).to_be_focused()
    return box


def answer_as_space(inbox, member: Person, question: str, answer: str):
    """In a team inbox: open *member*'s conversation, where *question* shows, and answer it
    as the Space; the sent answer, once it is stored."""
    inbox.locator(".space-inbox__item-button", has_text=member.display_name).click()
    expect(message_in(inbox, question)).to_be_visible()
    inbox.get_by_role("textbox", name=f"Reply as {SPACE_NAME}").fill(answer)
    inbox.get_by_role("button", name="Send").click()
    sent = message_in(inbox, answer, mine=True)
    expect(sent).to_have_attribute("data-state", "sent")
    return sent


def recorder(context) -> list[tuple[str, str]]:
    """Every response *context* receives from now on: (url, headers and body)."""
    received: list[tuple[str, str]] = []

    def keep(response) -> None:
        try:
            body = response.body().decode("utf-8", "replace")
        except Exception:  # noqa: BLE001 - a redirect has no body (its headers are kept)
            body = ""
        received.append((response.url, json.dumps(response.headers) + "\n" + body))

    context.on("response", keep)
    return received


# -- by keyboard alone: where the focus is, and that it shows ----------------------------------

#: Where the plugin draws (the inboxes, the Message button and its reply time, the header
#: link): a focused element inside these must show its focus.
PLUGIN_ELEMENTS = (
    "[data-space-inbox], .space-inbox-button-wrap, .space-inbox-login,"
    " #wp-admin-bar-space-inbox, .space-inbox-dropdown-link, .space-inbox-header-link"
)
#: At most this many presses of Tab to reach a control.
TAB_LIMIT = 80

_FOCUSED_JS = """(ours) => {
  const el = document.activeElement;
  if (!el || el === document.body) {
    return { what: 'nothing (the page itself)', ours: false, visible: false,
             outline: 'none', shadow: 'none' };
  }
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = Boolean(style.boxShadow) && style.boxShadow !== 'none';
  const name = (el.getAttribute('aria-label') || el.innerText || el.value || '')
    .trim().replace(/\\s+/g, ' ').slice(0, 50);
  const classes = typeof el.className === 'string' && el.className.trim()
    ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
  return {
    what: `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${classes} "${name}"`,
    ours: Boolean(el.closest(ours)),
    visible: outline || shadow,
    outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
    shadow: style.boxShadow,
  };
}"""


def focused(page) -> dict:
    """What has the focus (``what``), whether it is the plugin's (``ours``) and whether the
    focus shows on it (``visible``: an outline or a box-shadow)."""
    return page.evaluate(_FOCUSED_JS, PLUGIN_ELEMENTS)


def assert_focus_shows(page) -> None:
    """The focused element has an outline or a box-shadow."""
    seen = focused(page)
    assert seen["visible"], (
        f"the focus does not show on {seen['what']}:"
        f" outline {seen['outline']}, box-shadow {seen['shadow']}"
    )


def expect_focus(page, locator) -> None:
    """*locator* has the focus, and the focus shows on it."""
    expect(locator).to_be_focused()
    assert_focus_shows(page)


def tab_to(page, locator, *, back: bool = False) -> int:
    """Press Tab (Shift+Tab when *back*) until *locator* has the focus; on the way, the
    focus shows on every element of the plugin it reaches (the theme's are not checked).
    Returns the number of presses."""
    key = "Shift+Tab" if back else "Tab"
    visited = []
    for presses in range(1, TAB_LIMIT + 1):
        page.keyboard.press(key)
        seen = focused(page)
        visited.append(seen["what"])
        if seen["ours"]:
            assert seen["visible"], (
                f"the focus does not show on {seen['what']} ({key} × {presses}):"
                f" outline {seen['outline']}, box-shadow {seen['shadow']}"
            )
        if locator.evaluate("(el) => el === document.activeElement"):
            return presses
    raise AssertionError(
        f"{TAB_LIMIT} × {key} never reached the control; the focus went to:\n" + "\n".join(visited)
    )


def log_in_by_keyboard(browsing: Browsing, person: Person, target: str, *, viewport=None):
    """A new context for *person*, logged in on wp-login.php by keyboard (type the login,
    Tab, type the password, Enter), showing *target*."""
    page = browsing.context(person.login, viewport=viewport or DESKTOP).new_page()
    destination = target if target.startswith("http") else browsing.stack.url + target
    page.goto("/wp-login.php?redirect_to=" + urllib.parse.quote(destination, safe=""))
    # wp-login.php focuses the username field 200 ms after its script ran.
    expect(page.locator("#user_login")).to_be_focused()
    page.keyboard.type(person.login)
    page.keyboard.press("Tab")
    expect(page.locator("#user_pass")).to_be_focused()
    page.keyboard.type(PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert "wp-login.php" not in page.url, f"the login of {person.login} failed: {page.url}"
    return page
