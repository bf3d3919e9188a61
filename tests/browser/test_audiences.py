"""Each audience's browser gets its own code: a member's pages (a plain page with the badge,
and the inbox) load no module, stylesheet, configuration or string of a Space's team; a
team's page loads its inbox, and the Dashboard's modules, stylesheet and translations only
once the Dashboard is opened.

Every request a page makes is recorded, with every answer it receives. The translations are
made real for the test: each module gets a translation file (as `wp i18n make-json` writes
them, in WordPress' languages folder) whose one string names the module, so that a page's
translations show which modules it was given strings for."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .support import (
    REPO,
    SPACE_NAME,
    admin_inbox,
    member_inbox,
    message_in,
    recorder,
    team_inbox,
)

ASSETS = REPO / "wp_plugin" / "assets"
PHP_ASSETS = REPO / "wp_plugin" / "includes" / "class-space-inbox-assets.php"

#: The modules only a Space's team loads, and those of its Dashboard (loaded when opened).
DASHBOARD = {"dashboard", "away-settings", "saved-replies"}
DASHBOARD |= {"dashboard-saving", "dashboard-hours", "dashboard-chart", "dashboard-record"}
TEAM = {
    "switcher", "team-inbox", "team-parts", "team-actions", "team-common", "typing", "reply-picker",
    "meanwhile", "notes", "assignment", "labels", "label-editor", "team-presence", "team-list",
    "team-search", "team-spaces",
} | DASHBOARD  # fmt: skip
#: The files of the team, and of the Dashboard.
TEAM_FILES = {f"{name}.js" for name in TEAM} | {"team.css", "dashboard.css"}
DASHBOARD_FILES = {f"{name}.js" for name in DASHBOARD} | {"dashboard.css"}
#: Strings only the team's modules say: none may reach a member's browser.
TEAM_STRINGS = [
    "Someone on your team is replying",
    "Someone on your team already answered",
    "Manage saved replies",
    "Find a saved reply",
    "Block this member",
    "Mark done",
    "sent by %1$s",
    "Automatic away answer",
    "Switch inbox",
    "Inbox of",
    "Away and reply time",
    "Messages to answer per day",
    "under a minute",
]
#: What a member's page is configured with (window.spaceInboxConfig), and nothing more.
CONFIG = {
    "apiBase", "mode", "nonce", "inboxUrl", "locale", "maxLength", "userId", "loginUrl", "pollMs",
    "streamUrl", "typingSeconds", "push",
}  # fmt: skip
#: The team's configuration (window.spaceInboxTeamConfig), on the team's pages only.
TEAM_CONFIG = {
    "savedRepliesMax",
    "savedReplyTitleMax",
    "replyTimes",
    "weekdays",
    "intervalsPerDay",
    "viewingSeconds",
    "hereSeconds",
    "labelNameMax",
}

#: What a team's page is handed besides (its configuration, where its later translations are).
TEAM_GLOBALS = ["spaceInboxTeamConfig =", "spaceInboxTranslations ="]

_FILE = re.compile(r"/space-inbox/assets/([\w.-]+?)(?:\?|$)")
_TRANSLATIONS = re.compile(r"space-inbox(?:/|%2F)v1(?:/|%2F)translations(?:/|%2F)([a-z-]+)")


def marker(module: str) -> str:
    """The one string of a module's translation file for this test."""
    return f"space-inbox-test-marker <{module}>"  # whole: "<typing>" is not in "<typing-watch>"


def files(urls: list[str]) -> set[str]:
    """The plugin's asset files among the URLs a page asked for."""
    return {found.group(1) for url in urls if (found := _FILE.search(url))}


def translation_calls(urls: list[str]) -> set[str]:
    """The modules whose translations a page fetched (the plugin's REST route)."""
    return {found.group(1) for url in urls if (found := _TRANSLATIONS.search(url))}


def js_imports() -> dict[str, set[str]]:
    """Every module of the inboxes (assets/*.js) with the modules it imports."""
    found = {}
    for path in sorted(ASSETS.glob("*.js")):
        text = path.read_text(encoding="utf-8")
        listed = re.findall(r"\[((?:\s*'[\w-]+\.js',?)+)\s*\]\.map\(", text)
        single = re.findall(r"new URL\(\s*`([\w-]+\.js)\$\{", text)
        names = {n for group in listed for n in re.findall(r"'([\w-]+)\.js'", group)}
        names |= {n.removesuffix(".js") for n in single}
        found[path.stem] = names
    return found


def php_modules() -> dict[str, set[str]]:
    """Space_Inbox_Assets::MODULES: each module with the modules the plugin says it imports."""
    text = PHP_ASSETS.read_text(encoding="utf-8")
    block = re.search(r"const MODULES = array\((.*?)\n\t\);", text, re.S)
    assert block, "Space_Inbox_Assets::MODULES not found"
    return {
        name: set(re.findall(r"'([\w-]+)'", imports))
        for name, imports in re.findall(r"'([\w-]+)'\s*=>\s*array\(([^)]*)\)", block.group(1))
    }


def test_the_plugin_knows_what_each_module_imports():
    """The plugin prints a module's imports with it, and hands a page the translations of
    the modules it loads later: its list of the modules and their imports is theirs."""
    modules = js_imports()
    modules.pop("space-cards")  # Spaces Engine's archive: not a module of the inboxes.
    modules.pop("service-worker")  # The push notifications' worker: served by the plugin.
    assert php_modules() == modules


@pytest.fixture
def translated(stack) -> Iterator[dict[str, str]]:
    """A translation file for every module of the inboxes, in WordPress' languages folder,
    where WordPress looks for the plugin's script translations; gone afterwards."""
    folder = Path(stack.site.php("echo WP_LANG_DIR;").strip()) / "plugins"
    folder.mkdir(parents=True, exist_ok=True)
    locale = stack.site.php("echo determine_locale();").strip()
    written, markers = [], {}
    for name in php_modules():
        digest = hashlib.md5(f"assets/{name}.js".encode()).hexdigest()
        path = folder / f"space-inbox-{locale}-{digest}.json"
        markers[name] = marker(name)
        data = {
            "domain": "messages",
            "locale_data": {
                "messages": {
                    "": {"domain": "messages", "lang": locale},
                    marker(name): [f"{name}, translated"],
                }
            },
        }
        path.write_text(json.dumps(data), encoding="utf-8")
        written.append(path)
    try:
        yield markers
    finally:
        for path in written:
            path.unlink(missing_ok=True)


def translated_now(page, module: str) -> bool:
    """Whether the page's wp.i18n knows the module's translation."""
    return page.evaluate("(text) => wp.i18n.__(text, 'space-inbox') !== text", marker(module))


def watch(browsing, person):
    """A new context for *person*: the URLs its pages ask for, and what they receive."""
    context = browsing.context(person.login)
    asked: list[str] = []
    context.on("request", lambda request: asked.append(request.url))
    return context, asked, recorder(context)


def configs(page) -> tuple[dict | None, dict | None]:
    return page.evaluate("[window.spaceInboxConfig || null, window.spaceInboxTeamConfig || null]")


def test_a_members_pages_load_nothing_of_the_teams(stack, browsing, translated):
    member = stack.new_member("Mira Member")
    stack.send_as(member, "Do you gift-wrap?")
    stack.reply_as(stack.ada, member, "We do, in recycled paper.")
    context, asked, received = watch(browsing, member)
    page = context.new_page()

    # A plain page: the badge, its stylesheet and configuration, nothing of an inbox.
    browsing.log_in(page, member, "/")
    page.wait_for_load_state("networkidle")
    plain = files(asked)
    assert {"badge.js", "badge.css"} <= plain, plain
    assert not plain & ({"inbox.css", "member-inbox.js", "conversation.js"} | TEAM_FILES), plain
    config, team_config = configs(page)
    assert set(config) == CONFIG and team_config is None, config
    html = {"plain page": page.content()}

    # The inbox: the member's modules and stylesheet, and still nothing of the team's.
    asked.clear()
    page.goto(f"{stack.inbox_url}?space={stack.space_id}")
    inbox = member_inbox(page)
    expect(message_in(inbox, "We do, in recycled paper.", mine=False)).to_be_visible()
    box = inbox.get_by_role("textbox", name=f"Message to {SPACE_NAME}")
    box.fill("Thank you!")
    inbox.get_by_role("button", name="Send").click()
    expect(message_in(inbox, "Thank you!", mine=True)).to_have_attribute("data-state", "sent")
    page.wait_for_load_state("networkidle")
    loaded = files(asked)
    assert {"member-inbox.js", "conversation.js", "message-log.js", "inbox.css"} <= loaded
    assert not loaded & TEAM_FILES, loaded & TEAM_FILES
    assert translation_calls(asked) == set(), asked
    config, team_config = configs(page)
    assert set(config) == CONFIG and team_config is None, config
    html["inbox page"] = page.content()

    # Nothing the browser received says a team's string or carries a team's translation;
    # neither page hands it the team's settings; the member's own translations did come.
    texts = {**html, **{url: body for url, body in received if "/wp-includes/" not in url}}
    assert any("Message to %s" in text for text in texts.values()), "the recording is empty"
    leaks = [
        f"{thing!r} in {where}"
        for thing in [*TEAM_STRINGS, *(translated[name] for name in TEAM)]
        for where, text in texts.items()
        if thing in text
    ] + [
        f"{thing!r} in the {where}"
        for thing in [*(f'"{key}"' for key in TEAM_CONFIG), *TEAM_GLOBALS]
        for where, text in html.items()
        if thing in text
    ]
    assert not leaks, "a member's browser received the team's:\n" + "\n".join(leaks)
    assert page.evaluate("window.spaceInboxTranslations === undefined")
    for name in ("badge", "conversation", "member-inbox", "reply-time"):
        assert translated_now(page, name), name
    assert not any(translated_now(page, name) for name in TEAM)


def test_a_teams_page_loads_the_dashboard_when_it_is_opened(stack, browsing, translated):
    member = stack.new_member("Tom Team")
    stack.send_as(member, "Can I pay on delivery?")
    conversation = stack.conversation_of(member)
    ben = stack.ben
    context, asked, received = watch(browsing, ben)
    page = context.new_page()

    # The front end's team view: the member's inbox page, then the team's inbox, its
    # stylesheet, configuration and translations; nothing of the Dashboard.
    team_view = f"{stack.inbox_url}?team={stack.space_id}&conversation={conversation}"
    browsing.log_in(page, ben, team_view)
    inbox = team_inbox(page)
    expect(message_in(inbox, "Can I pay on delivery?")).to_be_visible()
    page.wait_for_load_state("networkidle")
    before = files(asked)
    assert {"member-inbox.js", "switcher.js", "team-inbox.js", "typing.js", "team.css"} <= before
    assert not before & DASHBOARD_FILES, before & DASHBOARD_FILES
    assert translation_calls(asked) == {"switcher", "team-inbox"}, asked
    config, team_config = configs(page)
    assert set(config) == CONFIG and set(team_config) == TEAM_CONFIG, team_config
    assert translated_now(page, "team-inbox") and translated_now(page, "typing")
    assert not any(translated_now(page, name) for name in DASHBOARD)
    everything = page.content() + "".join(body for _, body in received)
    assert not any(translated[name] in everything for name in DASHBOARD)
    assert "Messages to answer per day" not in everything

    # The Dashboard opens: now its modules, stylesheet and translations come.
    inbox.get_by_role("button", name="Dashboard").click()
    dashboard = inbox.locator(".space-inbox-dashboard")
    expect(dashboard).to_be_visible()
    expect(dashboard.get_by_role("heading", name="Away and reply time")).to_be_visible()
    page.wait_for_load_state("networkidle")
    after = files(asked)
    assert DASHBOARD_FILES <= after, after
    assert "dashboard" in translation_calls(asked), asked
    assert all(translated_now(page, name) for name in DASHBOARD)
    assert len([url for url in asked if url.split("?")[0].endswith("/dashboard.js")]) == 1

    # The wp-admin screen is the same team inbox, with its stylesheets in the head.
    asked.clear()
    page.goto(stack.admin_inbox_url(space=stack.space_id, conversation=conversation))
    expect(message_in(admin_inbox(page), "Can I pay on delivery?")).to_be_visible()
    page.wait_for_load_state("networkidle")
    screen = files(asked)
    assert {"team-inbox.js", "inbox.css", "team.css"} <= screen, screen
    assert not screen & (DASHBOARD_FILES | {"member-inbox.js", "switcher.js"}), screen
    config, team_config = configs(page)
    assert set(team_config) == TEAM_CONFIG, team_config
    assert translated_now(page, "team-inbox")
    assert not any(translated_now(page, name) for name in DASHBOARD)
