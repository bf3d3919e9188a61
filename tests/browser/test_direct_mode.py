"""Direct mode in Chromium, behind Debian's nginx: one origin serves WordPress at ``/`` and
the bridge under ``/space-inbox-api/``. The settings screen checks the public URL from the
administrator's own browser (reachable and verified; a path nginx does not route; another
origin) and shows the web server rules; a member messages the Space and an admin answers
with every call of the inbox going straight to the bridge, none through WordPress.

The bridge runs with Redis, so the pages take their updates from its live stream through
nginx: an open team inbox and an open conversation show new messages and the badge moves
with no poll, and logging out in one tab ends the stream (and the badge) in another."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from devstack.callers import PROXY
from devstack.stack import WholeStack
from devstack.wordpress import php_str

from .support import (
    PREFIX,
    SPACE_NAME,
    BrowserStack,
    Browsing,
    badge,
    eventually,
    member_inbox,
    message_in,
    open_space_and_press_message,
    team_inbox,
)

SETTINGS = "/wp-admin/options-general.php?page=space-inbox"
#: How long a check of the settings screen may take to say what it found.
CHECK_WITHIN_MS = 15_000
#: Redis for the bridge (tools/ensure-stack starts it): live updates on.
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="module")
def direct(tmp_path_factory) -> Iterator[tuple[BrowserStack, WholeStack]]:
    """The whole stack in direct mode behind nginx, with the browser tests' Space."""
    whole = WholeStack(
        tmp_path_factory.mktemp("browser-direct"),
        f"si_test_browser_direct_{os.getpid()}",
        PREFIX,
        direct=True,
        DISPATCH_INTERVAL="1",
        REDIS_URL=REDIS_URL,
    ).start()
    try:
        built = BrowserStack(whole.site, whole.bridge)
        built.seed()
        yield built, whole
    finally:
        whole.stop()


@pytest.fixture
def stack(direct) -> BrowserStack:
    """This module's stack: direct mode (the folder's own proxy-mode stack is not built)."""
    return direct[0]


def _set_public_url(stack: BrowserStack, url: str) -> None:
    stack.site.php(f"update_option('space_inbox_public_url', {php_str(url)});")


@pytest.fixture
def public_url(direct) -> Iterator[str]:
    """The public bridge URL nginx serves; put back after a test that changes it."""
    stack, whole = direct
    yield whole.public_url
    _set_public_url(stack, whole.public_url)


def _settings_page(stack: BrowserStack, browsing: Browsing):
    admin = stack.person("site.admin", "Site Admin", role="administrator")
    page = browsing.login(admin, SETTINGS)
    expect(page.locator("#space-inbox-direct h2")).to_have_text("Direct mode")
    return page


def test_the_settings_screen_verifies_direct_mode_and_shows_the_rules(stack, browsing, public_url):
    page = _settings_page(stack, browsing)
    result = page.locator("#space-inbox-direct-result")
    expect(result).to_have_attribute("data-state", "verified", timeout=CHECK_WITHIN_MS)
    expect(result).to_contain_text("Reachable and verified")
    # The bridge here runs with Redis and gevent workers: the screen says so.
    expect(result.locator(".space-inbox-direct-live")).to_have_attribute("data-live", "on")
    expect(result).to_contain_text("Live updates are on")
    expect(result).to_contain_text(f"{public_url}/api/v1/me/summary")

    bridge = stack.bridge.url
    nginx = page.locator("#space-inbox-rules-nginx")
    expect(nginx).to_be_visible()
    expect(nginx).to_contain_text("location ^~ /space-inbox-api/ {")
    expect(nginx).to_contain_text(f"proxy_pass {bridge}/;")
    expect(nginx).to_contain_text("proxy_buffering off;")
    expect(nginx).to_contain_text("proxy_read_timeout 3700s;")
    apache = page.locator("#space-inbox-rules-apache")
    expect(apache).to_be_visible()
    expect(apache).to_contain_text('<Location "/space-inbox-api/">')
    expect(apache).to_contain_text(f'ProxyPass "{bridge}/" flushpackets=on')
    caddy = page.locator("#space-inbox-rules-caddy")
    expect(caddy).to_be_visible()
    expect(caddy).to_contain_text(f"{stack.url} {{")  # the site's scheme, host and port
    expect(caddy).to_contain_text("handle_path /space-inbox-api/* {")
    expect(caddy).to_contain_text(f"reverse_proxy {bridge} {{")
    expect(caddy).to_contain_text("flush_interval -1")
    browsing.shot(page, "direct-mode-verified")

    # "Test direct mode" checks again, from this browser.
    with page.expect_response(lambda r: r.url.endswith("/api/v1/me/summary")) as answered:
        page.get_by_role("button", name="Test direct mode").click()
    assert answered.value.status == 200
    expect(result).to_have_attribute("data-state", "verified")


def test_a_path_nginx_does_not_route_is_reported_as_a_missing_rule(stack, browsing, public_url):
    unrouted = public_url.replace("/space-inbox-api", "/bridge-not-routed")
    _set_public_url(stack, unrouted)
    page = _settings_page(stack, browsing)
    result = page.locator("#space-inbox-direct-result")
    expect(result).to_have_attribute("data-state", "unreachable", timeout=CHECK_WITHIN_MS)
    expect(result).to_contain_text("Not reachable")
    expect(result).to_contain_text("rule for this path is missing")
    expect(result).to_contain_text(f"{unrouted}/api/v1/me/summary")
    # The rules follow the public URL's path, so they are the ones to add.
    expect(page.locator("#space-inbox-rules-nginx")).to_contain_text(
        "location ^~ /bridge-not-routed/ {"
    )
    browsing.shot(page, "direct-mode-rule-missing")


def test_a_public_url_on_another_origin_is_reported_before_any_call(stack, browsing, public_url):
    _set_public_url(stack, stack.bridge.url)
    page = _settings_page(stack, browsing)
    result = page.locator("#space-inbox-direct-result")
    expect(result).to_have_attribute("data-state", "wrong-origin", timeout=CHECK_WITHIN_MS)
    expect(result).to_contain_text("Wrong origin")
    expect(result).to_contain_text(f"{stack.url}/space-inbox-api/")


def test_a_member_messages_the_space_and_an_admin_answers_straight_through_the_bridge(
    stack, browsing
):
    public = f"{stack.url}/space-inbox-api/"
    calls: list[str] = []

    def note(request) -> None:
        if "/space-inbox-api/" in request.url or PROXY in request.url:
            calls.append(request.url)

    member = stack.new_member("Noa Direct")
    context = browsing.context(member.login)
    context.on("request", note)
    page = context.new_page()
    browsing.log_in(page, member, stack.space_url)
    open_space_and_press_message(page)
    question = "Do you print on organic hoodies as well?"
    page.keyboard.type(question)
    with page.expect_response(
        lambda r: r.request.method == "POST" and "messages" in r.url
    ) as posted:
        page.keyboard.press("Control+Enter")
    assert posted.value.status == 201, posted.value.text()
    assert posted.value.url.startswith(public), posted.value.url
    expect(message_in(member_inbox(page), question, mine=True)).to_be_visible()
    assert eventually(lambda: question in stack.stored_bodies(member), 5.0, page=page)

    # The member's open page reads the answer when it comes (live, or at its next poll).
    reads: list[str] = []
    page.on(
        "request",
        lambda r: (
            reads.append(r.url)
            if r.method == "POST" and re.search(r"spaces(/|%2F)\d+(/|%2F)read", r.url)
            else None
        ),
    )
    ada = stack.ada
    conversation = stack.conversation_of(member)
    ada_context = browsing.context(ada.login)
    ada_context.on("request", note)
    ada_page = ada_context.new_page()
    browsing.log_in(
        ada_page, ada, f"{stack.inbox_url}?team={stack.space_id}&conversation={conversation}"
    )
    inbox = team_inbox(ada_page)
    expect(message_in(inbox, question)).to_be_visible()
    answer = "Yes, hoodies too, in four colours."
    inbox.get_by_role("textbox", name=f"Reply as {SPACE_NAME}").fill(answer)
    with ada_page.expect_response(
        lambda r: r.request.method == "POST" and "messages" in r.url
    ) as replied:
        inbox.get_by_role("button", name="Send").click()
    assert replied.value.status == 201, replied.value.text()
    assert replied.value.url.startswith(public), replied.value.url
    expect(message_in(inbox, answer, mine=True).locator(".space-inbox__audit")).to_contain_text(
        "sent by Ada Admin"
    )
    browsing.shot(ada_page, "direct-ada-answered")

    # Waited for before the reload below, which could cut that read off unseen.
    expect(message_in(member_inbox(page), answer, mine=False)).to_be_visible()
    assert eventually(lambda: reads, 10.0, page=page), "the member's page did not read it"

    # The member sees the answer, from the Space, on reload.
    page.reload()
    theirs = message_in(member_inbox(page), answer, mine=False)
    expect(theirs).to_be_visible()
    expect(theirs.locator(".space-inbox-msg__meta")).to_have_text(
        re.compile(rf"^{re.escape(SPACE_NAME)} · ")
    )
    browsing.shot(page, "direct-member-sees-the-answer")
    assert all(url.startswith(public) for url in reads), reads
    assert calls, "the pages made no call to the bridge"
    through_wordpress = [url for url in calls if PROXY in url]
    assert not through_wordpress, through_wordpress


# -- live updates ------------------------------------------------------------------------


def _live_page(browsing: Browsing, context, person, url: str):
    """A page of *url*, once its live stream is open and has given the first summary; and
    the summary polls that page makes from then on (the live stream is not one)."""
    page = context.new_page()
    polls: list[str] = []
    page.on(
        "request",
        lambda r: polls.append(r.url) if r.url.split("?")[0].endswith("/me/summary") else None,
    )
    with page.expect_response(lambda r: r.url.endswith("/api/v1/me/stream")) as stream:
        browsing.log_in(page, person, url)
    assert stream.value.status == 200, stream.value.status
    assert stream.value.headers["content-type"].startswith("text/event-stream")
    # The stream's first event is the summary; from then on the page does not poll.
    page.wait_for_timeout(500)
    polls.clear()
    return page, polls


def test_an_open_team_inbox_and_badge_update_from_the_live_stream_without_polling(stack, browsing):
    first = stack.new_member("Iris Live")
    stack.send_as(first, "Do you ship to the Azores?")
    ada = stack.ada
    context = browsing.context(ada.login)
    page, polls = _live_page(
        browsing,
        context,
        ada,
        f"{stack.inbox_url}?team={stack.space_id}&conversation={stack.conversation_of(first)}",
    )
    inbox = team_inbox(page)
    expect(message_in(inbox, "Do you ship to the Azores?")).to_be_visible()

    def unread() -> int:
        """What Ada's badge counts now, as the bridge says (other tests' conversations too)."""
        data = stack.proxy(ada, "GET", "me/summary").json()
        return data["unread"] + sum(space["unread"] for space in data.get("spaces", []))

    # The open conversation shows the member's next message as it is sent.
    stack.send_as(first, "And to Madeira?")
    expect(message_in(inbox, "And to Madeira?")).to_be_visible()
    # Once the open conversation is read (the page marks it), the badge stands still.
    conversation = f"spaces/{stack.space_id}/conversations/{stack.conversation_of(first)}/messages"

    def settled() -> bool:
        read = stack.proxy(ada, "GET", conversation).json()["unread"] == 0
        return read and badge(page) == unread()

    assert eventually(settled, 5.0, page=page), badge(page)
    before = badge(page)
    # A new member's first message: the list shows their conversation, the badge counts it.
    second = stack.new_member("Omar Live")
    stack.send_as(second, "Is the shop open on Sunday?")
    expect(inbox.locator(".space-inbox__item-button", has_text="Omar Live")).to_be_visible()
    assert eventually(lambda: badge(page) == before + 1 == unread(), 5.0, page=page), badge(page)
    browsing.shot(page, "live-team-inbox")
    assert polls == [], polls


def test_an_open_conversation_shows_the_spaces_answer_without_polling(stack, browsing):
    member = stack.new_member("Rui Live")
    stack.send_as(member, "Which sizes does the green shirt come in?")
    context = browsing.context(member.login)
    page, polls = _live_page(browsing, context, member, f"{stack.inbox_url}?space={stack.space_id}")
    inbox = member_inbox(page)
    expect(
        message_in(inbox, "Which sizes does the green shirt come in?", mine=True)
    ).to_be_visible()

    answer = "From XS to XXL, all in stock."
    stack.reply_as(stack.ben, member, answer)
    theirs = message_in(inbox, answer, mine=False)
    expect(theirs).to_be_visible()
    # Pushed as the Space: no admin is named on the member's page.
    expect(theirs.locator(".space-inbox-msg__meta")).to_have_text(
        re.compile(rf"^{re.escape(SPACE_NAME)} · ")
    )
    expect(page.get_by_text("Ben Admin")).to_have_count(0)
    browsing.shot(page, "live-member-conversation")

    # The member answers.
    box = inbox.get_by_role("textbox", name=f"Message to {SPACE_NAME}")
    box.fill("Great, thanks!")
    box.press("Control+Enter")
    expect(inbox.locator(".space-inbox__item-button")).to_contain_text("You: Great, thanks!")

    # The team reads it: "Seen" comes with the stream, no reload, nobody named.
    mine = message_in(inbox, "Great, thanks!", mine=True)
    expect(mine.locator(".space-inbox-msg__seen")).to_have_count(0)
    conversation = stack.conversation_of(member)
    stack.proxy(
        stack.ada, "POST", f"spaces/{stack.space_id}/conversations/{conversation}/read"
    ).raise_for_status()
    expect(mine.locator(".space-inbox-msg__seen")).to_have_text("Seen")
    expect(page.get_by_text("Ada Admin")).to_have_count(0)
    assert polls == [], polls


def test_logging_out_in_one_tab_ends_the_live_stream_in_another(stack, browsing):
    member = stack.new_member("Eva Live")
    stack.send_as(member, "Can I pick up in person?")
    stack.reply_as(stack.ada, member, "Yes, weekdays from 10 to 6.")
    context = browsing.context(member.login)
    # A page that does not read the conversation: the toolbar counts the unread answer.
    left_open, polls = _live_page(browsing, context, member, stack.space_url)
    assert badge(left_open) == 1

    tab = context.new_page()
    tab.goto(stack.url + "/")
    tab.locator("#wp-admin-bar-my-account").hover()
    logout = tab.locator("#wp-admin-bar-logout").get_by_role("link", name="Log Out")
    with tab.expect_navigation(wait_until="load"):
        logout.click()
    assert "loggedout=true" in tab.url, tab.url

    # WordPress' logout reaches the bridge, which ends the stream: the badge goes, unpolled
    # (but for the one check the page after the logout cues in the site's other tabs).
    assert eventually(lambda: badge(left_open) == 0, 5.0, page=left_open), badge(left_open)
    browsing.shot(left_open, "live-logged-out-elsewhere")
    assert len(polls) <= 1, polls
