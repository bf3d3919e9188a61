"""Every state of a conversation shown, and nothing lost (issue: the inbox as people expect
it): offline and back, a draft and an unsent message across a reload, "Seen" for the
member once the team has read, the team's list and its Dashboard across Spaces."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .support import (
    SPACE_NAME,
    member_inbox,
    message_in,
    stand_still,
    switcher,
    team_inbox,
)

#: A change shows within a poll of the summary (4 s) and its round trips.
POLL_WITHIN_MS = 6_000


def member_page(stack, browsing, member, *, space_id: int | None = None):
    """The member's inbox, open on the conversation with a Space."""
    page = browsing.login(member, f"{stack.inbox_url}?space={space_id or stack.space_id}")
    box = member_inbox(page).get_by_role("textbox", name=re.compile("^Message to"))
    expect(box).to_be_visible()
    return page


def test_an_answer_reaches_the_open_conversation_at_the_next_poll(stack, browsing):
    """The inbox page reads the summary before the member's view exists (to know whether to
    show the switcher): the view still takes the next summary for news."""
    member = stack.new_member("Nora Next")
    stack.send_as(member, "Is the shop open on Monday?")
    page = member_page(stack, browsing, member)
    inbox = member_inbox(page)
    expect(message_in(inbox, "Is the shop open on Monday?", mine=True)).to_be_visible()
    stack.reply_as(stack.ben, member, "From ten to six.")
    expect(message_in(inbox, "From ten to six.", mine=False)).to_be_visible(timeout=POLL_WITHIN_MS)


def test_a_teammates_answer_reaches_the_open_team_conversation_at_the_next_check(stack, browsing):
    """A teammate's answer changes no count of Ada's: her open conversation learns of it from
    the typing check's newest message."""
    member = stack.new_member("Tara Teammate")
    stack.send_as(member, "Can I pick it up tomorrow?")
    conversation = stack.conversation_of(member)
    page = browsing.login(
        stack.ada, f"{stack.inbox_url}?team={stack.space_id}&conversation={conversation}"
    )
    inbox = team_inbox(page)
    expect(message_in(inbox, "Can I pick it up tomorrow?")).to_be_visible()
    stack.reply_as(stack.ben, member, "Yes, from nine.")
    answer = message_in(inbox, "Yes, from nine.")
    expect(answer).to_be_visible(timeout=POLL_WITHIN_MS)
    expect(answer.locator(".space-inbox__audit")).to_contain_text("sent by Ben Admin")


def test_a_message_the_member_sent_from_another_device_shows_at_the_next_check(stack, browsing):
    """The member's own message changes no count of theirs: their open conversation learns of
    it from the typing check's newest message."""
    member = stack.new_member("Dora Devices")
    stack.send_as(member, "Do you deliver?")
    page = member_page(stack, browsing, member)
    inbox = member_inbox(page)
    expect(message_in(inbox, "Do you deliver?", mine=True)).to_be_visible()
    stack.send_as(member, "To the old town, I mean.")  # from her phone
    later = message_in(inbox, "To the old town, I mean.", mine=True)
    expect(later).to_be_visible(timeout=POLL_WITHIN_MS)
    expect(later).to_have_count(1)


def test_a_session_ended_on_another_device_locks_the_open_inbox_at_the_next_poll(stack, browsing):
    """Proxy mode has no live stream (it would hold a PHP worker): a session ended elsewhere
    ("Log Out Everywhere Else" on her phone) shows at the next poll, the draft kept."""
    member = stack.new_member("Gina Gone")
    stack.send_as(member, "Is the blue one back?")
    page = member_page(stack, browsing, member)
    inbox = member_inbox(page)
    expect(message_in(inbox, "Is the blue one back?", mine=True)).to_be_visible()
    box = inbox.get_by_role("textbox", name=f"Message to {SPACE_NAME}")
    box.fill("And the red one")
    stack.site.php(f"WP_Session_Tokens::get_instance({member.user_id})->destroy_all();")
    alert = inbox.get_by_role("alert")
    expect(alert).to_contain_text("You are logged out", timeout=POLL_WITHIN_MS)
    expect(alert.get_by_role("link", name="Log in again")).to_be_visible()
    expect(message_in(inbox, "Is the blue one back?")).to_be_hidden()
    expect(box).to_have_value("And the red one")
    expect(box).not_to_be_editable()


def test_a_session_ended_on_another_device_shows_as_soon_as_she_acts_on_the_inbox(stack, browsing):
    """Between two polls, acting on the inbox (a key, a click, a focus) asks the bridge at
    once: a session ended on her phone says so at her first keystroke, the letter kept. Her
    clock stands still here, so no poll can be what tells her."""
    member = stack.new_member("Fay Focus")
    stack.send_as(member, "Do you ship to Malta?")
    context = browsing.context(member.login)
    context.add_cookies(stack.login_cookies(member))
    page = context.new_page()
    page.clock.install()
    page.goto(f"{stack.inbox_url}?space={stack.space_id}")
    inbox = member_inbox(page)
    expect(message_in(inbox, "Do you ship to Malta?", mine=True)).to_be_visible()
    box = inbox.get_by_role("textbox", name=f"Message to {SPACE_NAME}")
    expect(box).to_be_focused()
    now = stand_still(page)
    stack.site.php(f"WP_Session_Tokens::get_instance({member.user_id})->destroy_all();")
    # Two seconds later by her clock, and no timer fired: the next poll is still to come.
    page.clock.set_system_time(now + 2)
    box.press("A")
    alert = inbox.get_by_role("alert")
    expect(alert).to_contain_text("You are logged out")
    expect(alert.get_by_role("link", name="Log in again")).to_be_visible()
    expect(box).to_have_value("A")
    expect(box).not_to_be_editable()


def test_a_message_sent_offline_waits_and_goes_once_when_the_member_is_back(stack, browsing):
    member = stack.new_member("Olga Offline")
    stack.send_as(member, "First question.")
    page = member_page(stack, browsing, member)
    inbox = member_inbox(page)
    expect(message_in(inbox, "First question.", mine=True)).to_be_visible()

    page.context.set_offline(True)
    notice = inbox.locator(".space-inbox__session")
    expect(notice).to_contain_text("You are offline")
    expect(notice).to_have_attribute("role", "status")
    box = inbox.get_by_role("textbox", name=f"Message to {SPACE_NAME}")
    box.fill("Sent from the train.")
    box.press("Control+Enter")
    waiting = message_in(inbox, "Sent from the train.", mine=True)
    expect(waiting).to_have_attribute("data-state", "failed")
    expect(inbox.locator(".space-inbox__compose-status")).to_contain_text("offline")
    expect(box).to_have_value("")
    browsing.shot(page, "offline-waiting")
    assert stack.stored_bodies(member) == ["First question."]

    page.context.set_offline(False)
    expect(waiting).to_have_attribute("data-state", "sent")
    expect(notice).to_be_hidden()
    assert stack.stored_bodies(member) == ["First question.", "Sent from the train."]
    # Nothing waits any more: a reload sends nothing again.
    page.reload()
    expect(message_in(member_inbox(page), "Sent from the train.", mine=True)).to_have_count(1)
    assert stack.stored_bodies(member) == ["First question.", "Sent from the train."]


def test_a_draft_and_a_message_whose_answer_was_lost_outlive_a_reload_and_go_once(stack, browsing):
    member = stack.new_member("Rita Reload")
    page = member_page(stack, browsing, member)
    inbox = member_inbox(page)
    box = inbox.get_by_role("textbox", name=f"Message to {SPACE_NAME}")

    # A draft survives a reload.
    box.fill("Half a thought")
    page.reload()
    box = member_inbox(page).get_by_role("textbox", name=f"Message to {SPACE_NAME}")
    expect(box).to_have_value("Half a thought")

    # The bridge stores a message, but its answer never reaches the page (the connection
    # drops): the page keeps it as unsent.
    def lose_the_answer(route):
        if route.request.method == "POST":
            route.fetch()  # it reaches the bridge
            route.abort()
        else:
            route.continue_()

    page.route(re.compile(r"me/spaces/\d+/messages"), lose_the_answer)
    box.fill("Do you ship to Norway?")
    box.press("Control+Enter")
    expect(message_in(member_inbox(page), "Do you ship to Norway?")).to_have_attribute(
        "data-state", "failed"
    )
    assert stack.stored_bodies(member) == ["Do you ship to Norway?"]
    page.unroute(re.compile(r"me/spaces/\d+/messages"))

    # After a reload it is sent again, with the same client key: stored once.
    page.reload()
    sent = message_in(member_inbox(page), "Do you ship to Norway?", mine=True)
    expect(sent).to_have_attribute("data-state", "sent")
    expect(sent).to_have_count(1)
    assert stack.stored_bodies(member) == ["Do you ship to Norway?"]
    stored = page.evaluate(
        "Object.keys(localStorage).filter((k) => k.startsWith('space-inbox:'))"
        ".map((k) => localStorage.getItem(k))"
    )
    assert not any("Norway" in entry for entry in stored), stored


def test_a_message_a_check_brings_before_its_sends_answer_shows_once_as_sent(stack, browsing):
    """The bridge has stored a message, but the answer to its send is slow to come: the
    next check brings the stored message, which takes the place of the one on its way (by
    the key it was sent with), not a second copy of it; the late answer changes nothing."""
    member = stack.new_member("Sam Slow")
    page = member_page(stack, browsing, member)
    inbox = member_inbox(page)
    held = []

    def hold_the_answer(route):
        if route.request.method == "POST":
            held.append((route, route.fetch()))  # it reaches the bridge; its answer waits
        else:
            route.continue_()

    messages = re.compile(r"me/spaces/\d+/messages")
    page.route(messages, hold_the_answer)
    box = inbox.get_by_role("textbox", name=f"Message to {SPACE_NAME}")
    box.fill("Is the blue one in stock?")
    box.press("Control+Enter")
    shown = message_in(inbox, "Is the blue one in stock?", mine=True)
    expect(shown).to_have_attribute("data-state", "sent", timeout=POLL_WITHIN_MS)
    assert held, "the send was not held"
    browsing.shot(page, "stored-before-its-answer")
    route, response = held[0]
    # Its answer comes at last: the page then reloads the list (Sending.sent()).
    with page.expect_request(re.compile(r"me/conversations")):
        route.fulfill(response=response)
    page.unroute(messages)
    expect(shown).to_have_count(1)
    expect(shown).to_have_attribute("data-state", "sent")
    assert stack.stored_bodies(member) == ["Is the blue one in stock?"]
    stored = page.evaluate(
        "Object.keys(localStorage).filter((k) => k.startsWith('space-inbox:'))"
        ".map((k) => localStorage.getItem(k))"
    )
    assert not any("blue one" in entry for entry in stored), stored


def test_the_member_sees_seen_once_the_team_has_read_and_never_who(stack, browsing):
    member = stack.new_member("Sami Seen")
    page = member_page(stack, browsing, member)
    inbox = member_inbox(page)
    box = inbox.get_by_role("textbox", name=f"Message to {SPACE_NAME}")
    box.fill("Is the blue one back in stock?")
    box.press("Control+Enter")
    mine = message_in(inbox, "Is the blue one back in stock?", mine=True)
    expect(mine).to_have_attribute("data-state", "sent")
    expect(mine).not_to_contain_text("Seen")

    conversation = stack.conversation_of(member)
    stack.proxy(
        stack.ben, "POST", f"spaces/{stack.space_id}/conversations/{conversation}/read"
    ).raise_for_status()
    page.reload()  # what a live page learns from the stream (tested in direct mode)
    mine = message_in(member_inbox(page), "Is the blue one back in stock?", mine=True)
    expect(mine.locator(".space-inbox-msg__seen")).to_have_text("Seen")
    assert stack.ben.display_name not in page.evaluate("document.body.innerText")
    browsing.shot(page, "seen")

    # A newer message of the member's is not seen yet: "Seen" goes.
    box = member_inbox(page).get_by_role("textbox", name=f"Message to {SPACE_NAME}")
    box.fill("And the red one?")
    box.press("Control+Enter")
    expect(message_in(member_inbox(page), "And the red one?", mine=True)).to_have_attribute(
        "data-state", "sent"
    )
    expect(member_inbox(page).locator(".space-inbox-msg__seen")).to_have_count(0)


def test_the_teams_list_says_answered_and_its_dashboard_stays_in_view_across_spaces(
    stack, browsing
):
    ada = stack.ada
    other = stack.new_space("Second Shop", ada)
    member = stack.new_member("Dora Delgado")
    stack.send_as(member, "Question for the shop.")
    stack.reply_as(ada, member, "Our answer.")

    page = browsing.login(ada, f"{stack.inbox_url}?team={stack.space_id}")
    inbox = team_inbox(page)
    row = inbox.locator(".space-inbox__item-button", has_text=member.display_name)
    expect(row).to_contain_text("Answered: Our answer.")
    expect(row).not_to_contain_text(f"{SPACE_NAME} ·")

    inbox.get_by_role("button", name="Dashboard").click()
    expect(inbox.locator(".space-inbox-dashboard")).to_be_visible()
    switcher(page).get_by_role("button", name=re.compile("^Second Shop")).click()
    expect(page).to_have_url(re.compile(rf"[?&]team={other}(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]view=dashboard(&|$)"))
    inbox = team_inbox(page)
    expect(inbox.locator(".space-inbox-dashboard")).to_be_visible()
    expect(inbox.get_by_role("button", name="Dashboard")).to_have_attribute("aria-pressed", "true")
    expect(inbox.locator(".space-inbox__panes")).to_be_hidden()


def test_a_bridge_out_of_reach_is_said_once_and_what_waits_goes_when_it_is_back(stack, browsing):
    member = stack.new_member("Una Reach")
    page = member_page(stack, browsing, member)
    inbox = member_inbox(page)

    def down(route):
        route.fulfill(status=503, content_type="application/json", body="{}")

    api = re.compile(r"proxy\.php\?path=me/")
    page.route(api, down)
    box = inbox.get_by_role("textbox", name=f"Message to {SPACE_NAME}")
    box.fill("Are you there?")
    box.press("Control+Enter")
    notice = inbox.locator(".space-inbox__session")
    expect(notice).to_contain_text("cannot be reached")
    expect(message_in(inbox, "Are you there?", mine=True)).to_have_attribute("data-state", "failed")
    browsing.shot(page, "bridge-out-of-reach")

    page.unroute(api)
    page.evaluate("window.dispatchEvent(new Event('online'))")  # or the next poll
    expect(notice).to_be_hidden()
    expect(message_in(inbox, "Are you there?", mine=True)).to_have_attribute("data-state", "sent")
    assert stack.stored_bodies(member) == ["Are you there?"]
