"""The inbox in Chromium, end to end: a member messages a Space from its page, every admin
is told within seconds, one admin answers from wp-admin, the team sees who answered and
the member never does; plus the member's ways in, text-only rendering and logging out."""

from __future__ import annotations

import json
import re
import time

from playwright.sync_api import expect

from bridge import limits
from devstack.callers import PROXY

from .support import (
    PASSWORD,
    PHONE,
    PREFIX,
    SPACE_NAME,
    badge,
    eventually,
    horizontal_overflow,
    member_inbox,
    message_in,
    open_space_and_press_message,
    recorder,
    switcher,
    team_inbox,
)

#: Every admin sees the count rise and gets a notification within 5 seconds. The toolbar
#: badge is refreshed by a poll of me/summary every 4 s (pollMs), the next poll starting 4 s
#: after the previous one ended: the worst case is 4 s plus two round trips, inside the 5 s.
NOTIFY_WITHIN = 5.0
#: How long a reply's e-mail may take (the dispatcher runs every second).
MAIL_WAIT = 10.0


def test_the_message_button_opens_the_inbox_on_the_space_with_the_cursor_in_the_box(
    stack, browsing
):
    member = stack.new_member("Maya Lopez")
    page = browsing.login(member, stack.space_url)
    expect(page.get_by_role("heading", name=SPACE_NAME, level=1)).to_be_visible()
    button = page.get_by_role("link", name=f"Message {SPACE_NAME}")
    expect(button).to_have_text("Message")
    browsing.shot(page, "space-page")
    browsing.shot(page, "space-page-message-button")

    with page.expect_navigation(wait_until="load"):
        button.click()
    assert page.url.startswith(stack.inbox_url.rstrip("/")), page.url
    assert f"space={stack.space_id}" in page.url, page.url
    inbox = member_inbox(page)
    box = inbox.get_by_role("textbox", name=f"Message to {SPACE_NAME}")
    expect(box).to_be_focused()
    assert page.evaluate(
        "document.activeElement === document.querySelector('[data-space-inbox] textarea')"
    )
    # The longest message reached the browser from the bridge's limits.
    counter = inbox.locator(".space-inbox__counter")
    expect(counter).to_have_text(f"{limits.BODY_MAX:,} characters left")
    # That Space is the one selected, in the list and as the open conversation.
    selected = inbox.locator('.space-inbox__item-button[aria-current="true"]')
    expect(selected).to_have_count(1)
    expect(selected).to_contain_text(SPACE_NAME)
    expect(inbox.locator(".space-inbox__thread-head h2")).to_have_text(SPACE_NAME)
    browsing.shot(page, "inbox-opened")

    question = "Do you have the black one in XL?"
    page.keyboard.type(question)  # where the cursor is
    expect(counter).to_have_text(f"{limits.BODY_MAX - len(question):,} characters left")
    inbox.get_by_role("button", name="Send").click()
    mine = message_in(inbox, question, mine=True)
    expect(mine).to_be_visible(timeout=1000)  # at once, before the bridge answered
    expect(mine).to_have_attribute("data-state", "sent")
    expect(box).to_have_value("")
    expect(box).to_be_focused()  # ready for the next line
    expect(selected).to_contain_text(f"You: {question}")
    browsing.shot(page, "message-sent")
    assert stack.stored_bodies(member) == [question]

    page.reload()  # it was stored, not only drawn
    expect(message_in(member_inbox(page), question, mine=True)).to_be_visible()


def test_every_admin_sees_the_count_rise_and_gets_an_email_within_five_seconds(stack, browsing):
    ada, ben = stack.ada, stack.ben
    ada_page = browsing.login(ada, "/")  # the site's front page
    ben_page = browsing.login(ben, "/wp-admin/")  # the dashboard
    before = {}
    for who, page in (("Ada", ada_page), ("Ben", ben_page)):
        page.wait_for_load_state("networkidle")  # the first me/summary poll is done
        page.evaluate("window.__spaceInboxNotReloaded = true")
        before[who] = badge(page)
        assert before[who] is not None, f"{who}'s toolbar has no Space inbox badge"

    member = stack.new_member("Sam Carter")
    page = browsing.login(member, stack.space_url)
    open_space_and_press_message(page)
    question = "Hello! Is the shop open on Sunday?"
    page.keyboard.type(question)
    mails_before = stack.mail_count()
    with page.expect_response(
        lambda r: r.request.method == "POST" and "messages" in r.url
    ) as posted:
        page.keyboard.press("Control+Enter")
    stored = time.monotonic()
    assert posted.value.status == 201, posted.value.text()

    seen: dict[str, float] = {}
    deadline = stored + NOTIFY_WITHIN + 2.0  # long enough to tell "late" from "never"
    while len(seen) < 4 and time.monotonic() < deadline:
        now = time.monotonic() - stored
        for who, admin_page in (("Ada", ada_page), ("Ben", ben_page)):
            if f"{who} badge" not in seen and (badge(admin_page) or 0) > before[who]:
                seen[f"{who} badge"] = now
        for who, admin in (("Ada", ada), ("Ben", ben)):
            if f"{who} e-mail" not in seen and stack.mail_to(admin.email, mails_before):
                seen[f"{who} e-mail"] = now
        ada_page.wait_for_timeout(25)
    browsing.shot(ada_page, "ada-front-page")
    browsing.shot(ben_page, "ben-dashboard")
    timings = ", ".join(f"{k} after {v:.2f} s" for k, v in sorted(seen.items()))
    for who in ("Ada", "Ben"):
        assert f"{who} badge" in seen, f"{who}'s badge did not rise ({timings})"
        assert seen[f"{who} badge"] <= NOTIFY_WITHIN, timings
        assert f"{who} e-mail" in seen, f"no e-mail for {who} ({timings})"
        assert seen[f"{who} e-mail"] <= NOTIFY_WITHIN, timings
    print(f"notified: {timings}")

    for who, admin_page in (("Ada", ada_page), ("Ben", ben_page)):
        assert admin_page.evaluate("window.__spaceInboxNotReloaded === true"), who
        # The admin's part of the count: the Space's own entry under the link.
        assert (badge(admin_page, f"space-{stack.space_id}") or 0) >= 1, who
    for admin in (ada, ben):
        mail = stack.mail_to(admin.email, mails_before)[0]
        assert SPACE_NAME in mail["subject"], mail
        assert question in mail["message"], mail
        assert member.display_name in mail["message"], mail
        # The link leads to the Space's team inbox on the front end, on the conversation.
        assert f"team={stack.space_id}&conversation=" in mail["message"], mail
    assert stack.mail_to(member.email, mails_before) == []


def test_an_admins_reply_shows_who_sent_it_to_the_team_and_only_the_space_to_the_member(
    stack, browsing
):
    ada, ben = stack.ada, stack.ben
    member = stack.new_member("Mia Santos")
    question = "Is the black one organic cotton too?"
    stack.send_as(member, question)
    conversation = stack.conversation_of(member)
    mails_before = stack.mail_count()

    # Ada, a subscriber, answers from the team inbox on the front end (the link of her
    # e-mail and of her notification opens it there, on the conversation).
    ada_page = browsing.login(
        ada, f"{stack.inbox_url}?team={stack.space_id}&conversation={conversation}"
    )
    inbox = team_inbox(ada_page)
    expect(message_in(inbox, question)).to_be_visible()
    expect(inbox.locator(".space-inbox__thread-head h2")).to_have_text(member.display_name)
    answer = "Yes: every shirt we sell is organic cotton, the black one too."
    inbox.get_by_role("textbox", name=f"Reply as {SPACE_NAME}").fill(answer)
    inbox.get_by_role("button", name="Send").click()
    sent = message_in(inbox, answer, mine=True)
    expect(sent).to_have_attribute("data-state", "sent")
    expect(sent.locator(".space-inbox__audit")).to_contain_text("sent by Ada Admin")
    browsing.shot(ada_page, "ada-answered")

    # Ben, from the inbox page, switches to the Space (like switching to a Page) and sees
    # the answer, labelled with who sent it.
    ben_page = browsing.login(ben, stack.inbox_url)
    switcher(ben_page).get_by_role("button", name=re.compile(re.escape(SPACE_NAME))).click()
    inbox = team_inbox(ben_page)
    inbox.locator(".space-inbox__item-button", has_text=member.display_name).click()
    reply = message_in(inbox, answer)
    expect(reply).to_be_visible()
    expect(reply.locator(".space-inbox__audit")).to_have_text(re.compile(r"^sent by Ada Admin · "))
    expect(message_in(inbox, question)).to_contain_text(member.display_name)
    browsing.shot(ben_page, "ben-sees-the-label")
    # Ben adds a line: the team sees two authors, the member one Space.
    more = "We have it in navy too, if you prefer."
    inbox.get_by_role("textbox", name=f"Reply as {SPACE_NAME}").fill(more)
    inbox.get_by_role("button", name="Send").click()
    expect(message_in(inbox, more, mine=True).locator(".space-inbox__audit")).to_contain_text(
        "sent by Ben Admin"
    )
    expect(reply.locator(".space-inbox__audit")).to_contain_text("sent by Ada Admin")
    browsing.shot(ben_page, "team-inbox")

    # The member, from the Space's page: the answer comes from the Space, and from no one
    # else, in anything their browser receives.
    context = browsing.context(member.login)
    received = recorder(context)
    page = context.new_page()
    browsing.log_in(page, member, stack.space_url)
    pages = {
        "Space page": (
            page.evaluate("document.body.innerText"),
            page.evaluate("document.documentElement.outerHTML"),
        )
    }
    open_space_and_press_message(page)
    inbox = member_inbox(page)
    theirs = message_in(inbox, answer, mine=False)
    expect(theirs).to_be_visible()
    expect(theirs.locator(".space-inbox-msg__meta")).to_have_text(
        re.compile(rf"^{re.escape(SPACE_NAME)} · ")
    )
    expect(message_in(inbox, question, mine=True)).to_be_visible()
    expect(message_in(inbox, more, mine=False).locator(".space-inbox-msg__meta")).to_have_text(
        re.compile(rf"^{re.escape(SPACE_NAME)} · ")
    )
    page.wait_for_load_state("networkidle")
    browsing.shot(page, "member-sees-the-space")
    browsing.shot(page, "member-inbox")
    pages["inbox page"] = (
        page.evaluate("document.body.innerText"),
        page.evaluate("document.documentElement.outerHTML"),
    )
    mails = eventually(lambda: stack.mail_to(member.email, mails_before), MAIL_WAIT, page=page)
    assert mails, "the member got no e-mail about the answer"

    def both_mailed():  # in one e-mail from the Space, or one each: as they came
        mails = stack.mail_to(member.email, mails_before)
        said = "".join(m["message"] for m in mails)
        return answer in said and more in said and mails

    mails = eventually(both_mailed, MAIL_WAIT, page=page)
    assert mails, "the member was not e-mailed both answers"

    sources: dict[str, str] = {}
    for name, (text, html) in pages.items():
        sources[f"{name}: text"] = text
        sources[f"{name}: DOM"] = html
    for n, (url, response) in enumerate(received):
        sources[f"response {n} {url}"] = response
    for n, mail in enumerate(mails):
        sources[f"e-mail {n}"] = json.dumps(mail, ensure_ascii=False)
    # The recording works: the answer's own API response is among what was read.
    assert any(answer in text for key, text in sources.items() if key.startswith("response"))
    assert any(
        "proxy.php" in url or "rest_route" in url or "/wp-json/" in url for url, _ in received
    )
    leaks = [
        f"{secret!r} in {where}"
        for secret in stack.admin_secrets()
        for where, text in sources.items()
        if secret in text
    ]
    assert not leaks, "the member's browser learnt who answered:\n" + "\n".join(leaks)


def test_a_member_reports_an_answer_and_is_never_told_who_wrote_it(stack, browsing):
    member = stack.new_member("Rob Reporter")
    stack.send_as(member, "Is my order lost?")
    answer = "Not our problem, stop writing."
    stack.reply_as(stack.ada, member, answer)
    context = browsing.context(member.login)
    received = recorder(context)
    page = context.new_page()
    browsing.log_in(page, member, f"{stack.inbox_url}?space={stack.space_id}")
    # On a phone the dialog fits the screen (Escape closes it, nothing sent).
    phone = browsing.login(member, f"{stack.inbox_url}?space={stack.space_id}", viewport=PHONE)
    message_in(member_inbox(phone), answer).get_by_role("button", name="Report this answer").click()
    expect(phone.get_by_role("dialog", name="Report this answer")).to_be_visible()
    assert horizontal_overflow(phone) is None, horizontal_overflow(phone)
    browsing.shot(phone, "reporting-on-a-phone")
    phone.keyboard.press("Escape")
    expect(phone.get_by_role("dialog", name="Report this answer")).to_be_hidden()
    inbox = member_inbox(page)
    theirs = message_in(inbox, answer)
    expect(theirs).to_be_visible()
    # The member's own message has no Report; the Space's answer has, by keyboard too.
    expect(message_in(inbox, "Is my order lost?", mine=True).get_by_role("button")).to_have_count(0)
    theirs.get_by_role("button", name="Report this answer").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Report this answer")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("radio").first).to_be_focused()
    dialog.get_by_role("radio", name="It is rude, threatening or harassing").check()
    dialog.get_by_label("Anything to add? (optional)").fill("Twice now.")
    browsing.shot(page, "reporting-an-answer")
    dialog.get_by_role("button", name="Send report").click()
    expect(dialog).to_be_hidden()
    expect(inbox.locator(".space-inbox__thread .space-inbox__status")).to_have_text(
        "Thank you: the site’s moderators will look at this answer."
    )
    expect(theirs.locator(".space-inbox-msg__reported")).to_have_text("Reported")
    # Still reported after a reload, and nothing the member's browser got names Ada.
    page.reload()
    expect(
        message_in(member_inbox(page), answer).locator(".space-inbox-msg__reported")
    ).to_be_visible()
    from_bridge = [body for url, body in received if PROXY in url]
    assert from_bridge and not [b for b in from_bridge if "Ada" in b or "author" in b]
    # The bridge keeps the report for the moderators.
    reports = stack.site.sql(
        f"SELECT reason, details FROM {PREFIX}spaceinbox_reports WHERE member_id = %s",
        [member.user_id],
    )
    assert [tuple(r) for r in reports] == [("harassment", "Twice now.")]


def test_the_member_reaches_the_conversation_from_the_toolbar_link(stack, browsing):
    """The member's own inbox from the header: "Space inbox" itself, and its "My
    conversations" entry. (The BuddyPress profile tab needs BuddyPress, which this stack
    does not have; the tab shows the same [space_inbox] inbox as that page.)"""
    member = stack.new_member("Noah Berg")
    question = "Do you ship to Porto?"
    answer = "We do, in two working days."
    stack.send_as(member, question)
    stack.reply_as(stack.ben, member, answer)

    page = browsing.login(member, "/")
    toolbar = page.locator("#wp-admin-bar-space-inbox")
    assert eventually(lambda: badge(page) == 1, 6.0, page=page), badge(page)
    browsing.shot(page, "front-page-with-badge")

    toolbar.hover()
    my_conversations = page.get_by_role("link", name=re.compile(r"^My conversations"))
    expect(my_conversations).to_be_visible()
    browsing.shot(page, "toolbar-menu", full_page=False)
    with page.expect_navigation(wait_until="load"):
        my_conversations.click()
    inbox = member_inbox(page)
    item = inbox.locator(".space-inbox__item-button", has_text=SPACE_NAME)
    expect(item).to_contain_text(answer)  # the newest message, as the excerpt
    item.click()
    expect(message_in(inbox, answer, mine=False)).to_be_visible()
    expect(message_in(inbox, question, mine=True)).to_be_visible()
    # Read now: the header count goes down, without a reload.
    assert eventually(lambda: badge(page) == 0, 6.0, page=page), badge(page)
    browsing.shot(page, "from-my-conversations")

    page.goto("/")
    with page.expect_navigation(wait_until="load"):
        toolbar.locator("> a").click()  # the header link itself
    assert page.url.startswith(stack.inbox_url.rstrip("/")), page.url
    inbox = member_inbox(page)
    inbox.locator(".space-inbox__item-button", has_text=SPACE_NAME).click()
    expect(message_in(inbox, answer, mine=False)).to_be_visible()
    expect(message_in(inbox, question, mine=True)).to_be_visible()
    browsing.shot(page, "from-the-header-link")


XSS_FLAG = "__spaceInboxXss"
PAYLOADS = [
    f'<script>window.{XSS_FLAG} = "script"</script>',
    f"<img src=x onerror=\"window.{XSS_FLAG} = 'img'\">",
]
ADMIN_PAYLOAD = f"<img src=y onerror=\"window.{XSS_FLAG} = 'reply'\"><b>bold?</b>"


def assert_shown_as_text(page, inbox, texts: list[str]) -> None:
    for text in texts:
        body = inbox.locator(".space-inbox-msg__body").filter(has_text=text)
        expect(body).to_be_visible()
        expect(body).to_have_text(text)  # literally, all of it
    # The inbox's own pictures (a Space's logo) are the only images; an injected one with
    # their class would still carry its handler.
    injected = inbox.evaluate(
        "(root) => [...root.querySelectorAll("
        "'script, img:not(.space-inbox__picture), iframe, b, [onerror]')]"
        ".map((el) => el.outerHTML)"
    )
    assert injected == [], injected
    # An image injected anywhere (even into an element never shown) would have failed to
    # load, and run its handler, by the time images of the same sources asked for now have.
    sources = sorted({src for text in texts for src in re.findall(r"\bsrc=(\w+)", text)})
    assert sources, texts
    page.evaluate(
        "(sources) => Promise.all(sources.map((src) => new Promise((done) => {"
        " const image = new Image(); image.onload = image.onerror = done; image.src = src; })))",
        sources,
    )
    assert page.evaluate(f"typeof window.{XSS_FLAG}") == "undefined"


def test_markup_in_messages_is_shown_as_text(stack, browsing):
    member = stack.new_member("Zoe Quinn")
    page = browsing.login(member, stack.space_url)
    box = open_space_and_press_message(page)
    inbox = member_inbox(page)
    for payload in PAYLOADS:
        box.fill(payload)
        box.press("Control+Enter")
        expect(message_in(inbox, payload, mine=True)).to_have_attribute("data-state", "sent")
    assert stack.stored_bodies(member) == PAYLOADS
    assert_shown_as_text(page, inbox, PAYLOADS)

    stack.reply_as(stack.ada, member, ADMIN_PAYLOAD)
    page.reload()
    inbox = member_inbox(page)
    expect(message_in(inbox, ADMIN_PAYLOAD, mine=False)).to_be_visible()
    assert_shown_as_text(page, inbox, [*PAYLOADS, ADMIN_PAYLOAD])
    expect(inbox.locator(".space-inbox__item-button", has_text=SPACE_NAME)).to_contain_text(
        ADMIN_PAYLOAD
    )
    browsing.shot(page, "member-sees-text")

    ben_page = browsing.login(
        stack.ben,
        f"{stack.inbox_url}?team={stack.space_id}&conversation={stack.conversation_of(member)}",
    )
    inbox = team_inbox(ben_page)
    expect(message_in(inbox, ADMIN_PAYLOAD)).to_be_visible()
    assert_shown_as_text(ben_page, inbox, [*PAYLOADS, ADMIN_PAYLOAD])
    expect(
        inbox.locator(".space-inbox__item-button", has_text=member.display_name)
    ).to_contain_text(ADMIN_PAYLOAD)
    browsing.shot(ben_page, "admin-sees-text")


def test_after_logging_out_the_inbox_and_the_api_refuse_the_old_cookie(stack, browsing):
    member = stack.new_member("Leo Park")
    question = "Can I return a shirt that does not fit?"
    stack.send_as(member, question)
    context = browsing.context(member.login)
    page = context.new_page()
    browsing.log_in(page, member, stack.inbox_url)
    expect(member_inbox(page).locator(".space-inbox__item-button")).to_contain_text(question)
    old_state = context.storage_state()
    assert any(c["name"].startswith("wordpress_logged_in_") for c in old_state["cookies"])
    old_nonce = page.evaluate("window.spaceInboxConfig.nonce")
    proxy = f"{PROXY}?path=me/summary"
    bridge = f"{stack.bridge.url}/api/v1/me/summary"
    fetch = """async ([url, nonce]) => {
        const headers = nonce ? {'X-WP-Nonce': nonce} : {};
        const answer = await fetch(url, {headers, credentials: 'same-origin', cache: 'no-store'});
        return answer.status;
    }"""
    # While logged in, the same calls are answered.
    assert page.evaluate(fetch, [proxy, old_nonce]) == 200
    assert context.request.get(bridge).status == 200
    # A second tab on the conversation, left open across the logout, with a draft in its box.
    # (That the logout's cue alone tells it, with no poll: test_platform_journeys.)
    tab = context.new_page()
    tab.goto(f"{stack.inbox_url}?space={stack.space_id}")
    expect(message_in(member_inbox(tab), question, mine=True)).to_be_visible()
    late = "Hello? Anyone there?"
    box = member_inbox(tab).get_by_role("textbox", name=f"Message to {SPACE_NAME}")
    box.fill(late)

    # Log out with WordPress' own link (toolbar, "Howdy, ..." menu).
    page.locator("#wp-admin-bar-my-account").hover()
    logout = page.locator("#wp-admin-bar-logout").get_by_role("link", name="Log Out")
    expect(logout).to_be_visible()
    with page.expect_navigation(wait_until="load"):
        logout.click()
    assert "loggedout=true" in page.url, page.url
    # The page after the logout gave its cue and took its cookie away: later pages say nothing.
    assert "space_inbox_logged_out" not in {c["name"] for c in context.cookies()}

    # The tab left open says so, hides the conversation and locks the box with the draft.
    alert = member_inbox(tab).get_by_role("alert")
    expect(alert).to_contain_text("You are logged out")
    expect(message_in(member_inbox(tab), question)).to_be_hidden()
    expect(box).to_have_value(late)
    expect(box).not_to_be_editable()
    expect(member_inbox(tab).get_by_role("button", name="Send")).to_be_disabled()
    browsing.shot(tab, "tab-left-open")

    # "Log in again" comes back to the same conversation, the draft in the box, unsent.
    with tab.expect_navigation(wait_until="load"):
        alert.get_by_role("link", name="Log in again").click()
    assert "wp-login.php" in tab.url and "redirect_to=" in tab.url, tab.url
    expect(tab.locator("#user_login")).to_be_focused()
    tab.locator("#user_login").fill(member.login)
    tab.locator("#user_pass").fill(PASSWORD)
    with tab.expect_navigation(wait_until="load"):
        tab.click("#wp-submit")
    expect(tab).to_have_url(re.compile(rf"[?&]space={stack.space_id}(&|$)"))
    box = member_inbox(tab).get_by_role("textbox", name=f"Message to {SPACE_NAME}")
    expect(box).to_have_value(late)
    expect(message_in(member_inbox(tab), question, mine=True)).to_be_visible()
    assert stack.stored_bodies(member) == [question]
    tab.close()

    # The old cookie, in a new context, is nobody's any more.
    stale = browsing.context(f"{member.login}-old-cookie", storage_state=old_state)
    page = stale.new_page()
    page.goto(stack.inbox_url)
    expect(page.get_by_role("link", name="Log in to see your Space messages")).to_be_visible()
    expect(page.locator("[data-space-inbox]")).to_have_count(0)
    expect(page.get_by_text(question)).to_have_count(0)
    expect(page.locator("#wp-admin-bar-space-inbox")).to_have_count(0)
    browsing.shot(page, "logged-out-inbox")

    sent = [c for c in stale.cookies() if c["name"].startswith("wordpress_logged_in_")]
    assert sent == [c for c in old_state["cookies"] if c["name"] == sent[0]["name"]], sent
    assert page.evaluate(fetch, [proxy, None]) == 401
    # With the old page's nonce too.
    assert page.evaluate(fetch, [proxy, old_nonce]) == 401
    answer = stale.request.get(bridge)
    assert answer.status == 401, answer.text()
    posted = stale.request.post(
        f"{stack.bridge.url}/api/v1/me/spaces/{stack.space_id}/messages",
        data={"body": "Still there?", "client_key": "after-logout-1"},
        headers={"X-WP-Nonce": old_nonce},
    )
    assert posted.status == 401, posted.text()
    assert stack.stored_bodies(member) == [question]
