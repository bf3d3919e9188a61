"""A member's and a Space admin's journeys by keyboard alone, in Chromium.

Nothing here clicks, hovers or fills a field: the journeys press Tab, Shift+Tab, Enter,
Space and Escape and type with the keyboard, from the login form on. At each step the test
checks where the focus is (``document.activeElement``, as a keyboard user expects it after
that key) and that it shows: the focused element of the plugin has an outline or a
box-shadow. The theme's own links that Tab passes on the way are not the plugin's, and are
not checked.

- The member: from the Space page, Tab to "Message", Enter; the inbox opens with the focus
  in the message box; the message goes with Ctrl+Enter and shows as sent; another
  conversation opens from the list, and the member goes back to the first (on a phone, by
  "Back to conversations").
- The admin: from the team inbox, Tab to a conversation in the list, Enter; answer; "/"
  opens the saved replies and Escape closes them; mark it done; open the Dashboard and go
  back to the conversations.

The package's stack (WordPress 6.1, the demo's theme), 1280 px wide; the member's journey
also 360 px wide.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .support import (
    DESKTOP,
    SPACE_NAME,
    assert_focus_shows,
    expect_focus,
    log_in_by_keyboard,
    member_inbox,
    message_in,
    tab_to,
    team_inbox,
)

PHONE = {"width": 360, "height": 740}


@pytest.mark.parametrize("width", [1280, 360])
def test_a_member_messages_a_space_and_moves_between_conversations_by_keyboard(
    stack, browsing, width
):
    viewport = DESKTOP if width == DESKTOP["width"] else PHONE
    kites = stack.new_space(f"Kite Corner {width}", stack.ben)
    member = stack.new_member("Kai Keys")
    stack.send_as(member, "Do you sell kites for children?", kites)
    kite_answer = "We do: small ones, from 4 years on."
    stack.reply_as(stack.ben, member, kite_answer, kites)

    page = log_in_by_keyboard(browsing, member, stack.space_url, viewport=viewport)
    expect(page.get_by_role("heading", name=SPACE_NAME, level=1)).to_be_visible()
    message = page.get_by_role("link", name=f"Message {SPACE_NAME}")
    tab_to(page, message)
    expect_focus(page, message)
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")

    # The inbox, on the Space, with the focus in the message box.
    inbox = member_inbox(page)
    box = inbox.get_by_role("textbox", name=f"Message to {SPACE_NAME}")
    expect_focus(page, box)
    question = "Do you have the black one in XL?"
    page.keyboard.type(question)
    expect(box).to_have_value(question)
    page.keyboard.press("Control+Enter")
    sent = message_in(inbox, question, mine=True)
    expect(sent).to_have_attribute("data-state", "sent")
    expect(box).to_have_value("")
    expect_focus(page, box)  # ready for the next line
    assert stack.stored_bodies(member) == [question]
    browsing.shot(page, f"member-sent-{width}")

    # Another conversation, from the list; then back to the first.
    if width != DESKTOP["width"]:
        back = inbox.get_by_role("button", name="Back to conversations")
        tab_to(page, back, back=True)
        expect_focus(page, back)
        page.keyboard.press("Enter")
        # The list again, the focus on the conversation just left.
        expect_focus(
            page, inbox.get_by_role("button", name=re.compile(f"^{re.escape(SPACE_NAME)}"))
        )
    other = inbox.get_by_role("button", name=re.compile(f"^Kite Corner {width}"))
    tab_to(page, other, back=width == DESKTOP["width"])
    expect_focus(page, other)
    page.keyboard.press("Enter")
    heading = inbox.get_by_role("heading", name=f"Kite Corner {width}")
    expect_focus(page, heading)
    expect(message_in(inbox, kite_answer, mine=False)).to_be_visible()
    other_box = inbox.get_by_role("textbox", name=f"Message to Kite Corner {width}")
    tab_to(page, other_box)
    expect_focus(page, other_box)
    browsing.shot(page, f"member-other-conversation-{width}")

    first = inbox.get_by_role("button", name=re.compile(f"^{re.escape(SPACE_NAME)}"))
    if width == DESKTOP["width"]:
        tab_to(page, first, back=True)
    else:
        back = inbox.get_by_role("button", name="Back to conversations")
        tab_to(page, back, back=True)
        expect_focus(page, back)
        page.keyboard.press("Enter")
        expect_focus(page, other)
        tab_to(page, first, back=True)
    expect_focus(page, first)
    page.keyboard.press("Enter")
    expect_focus(page, inbox.get_by_role("heading", name=SPACE_NAME))
    expect(sent).to_be_visible()
    expect(sent).to_have_attribute("data-state", "sent")


def test_an_admin_answers_marks_done_and_opens_the_dashboard_by_keyboard(stack, browsing):
    ada = stack.ada
    space_name = "Keyboard Kiosk"
    space_id = stack.new_space(space_name, ada)
    added = stack.proxy(
        ada,
        "POST",
        f"spaces/{space_id}/saved-replies",
        json={"title": "Opening hours", "body": "We open at 9, every day but Sunday."},
    )
    assert added.status_code == 201, added.text
    member = stack.new_member("Noor Keys")
    question = "Can I pick up my order this evening?"
    stack.send_as(member, question, space_id)

    page = log_in_by_keyboard(browsing, ada, f"{stack.inbox_url}?team={space_id}")
    inbox = team_inbox(page)
    item = inbox.get_by_role("button", name=re.compile(f"^{re.escape(member.display_name)}"))
    expect(item).to_be_visible()
    tab_to(page, item)
    expect_focus(page, item)
    page.keyboard.press("Enter")

    # The conversation opens with the focus on its heading; Tab leads to the reply box.
    heading = inbox.get_by_role("heading", name=member.display_name)
    expect_focus(page, heading)
    expect(message_in(inbox, question)).to_be_visible()
    box = inbox.get_by_role("textbox", name=f"Reply as {space_name}")
    tab_to(page, box)
    expect_focus(page, box)

    # "/" opens the saved replies; Escape closes them and leaves the box as it was.
    page.keyboard.type("/")
    picker = inbox.locator(".space-inbox__picker")
    expect(picker.get_by_role("option")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(picker).to_be_hidden()
    expect_focus(page, box)
    page.keyboard.press("Backspace")
    expect(box).to_have_value("")

    answer = "Yes: until 7 pm, at the counter."
    page.keyboard.type(answer)
    page.keyboard.press("Control+Enter")
    sent = message_in(inbox, answer, mine=True)
    expect(sent).to_have_attribute("data-state", "sent")
    expect(sent.locator(".space-inbox__audit")).to_contain_text("sent by Ada Admin")
    expect(box).to_have_value("")
    expect_focus(page, box)
    browsing.shot(page, "admin-answered")

    # Mark done, with Space; the focus stays on the button, which now reopens.
    done = inbox.get_by_role("button", name="Mark done")
    tab_to(page, done, back=True)
    expect_focus(page, done)
    page.keyboard.press(" ")
    reopen = inbox.get_by_role("button", name="Reopen")
    expect_focus(page, reopen)
    expect(inbox.get_by_role("status").filter(has_text="Conversation marked done.")).to_be_visible()

    # The Dashboard, and back to the conversations.
    dashboard_button = inbox.get_by_role("button", name="Dashboard")
    tab_to(page, dashboard_button, back=True)
    expect_focus(page, dashboard_button)
    page.keyboard.press("Enter")
    expect(dashboard_button).to_have_attribute("aria-pressed", "true")
    dashboard = inbox.locator(".space-inbox-dashboard")
    expect(dashboard).to_be_visible()
    expect(dashboard.locator(".space-inbox-chart__day")).to_have_count(30)  # loaded
    expect_focus(page, dashboard_button)
    # Tab goes on into the Dashboard.
    page.keyboard.press("Tab")
    expect(dashboard.locator(":focus")).to_have_count(1)
    assert_focus_shows(page)
    browsing.shot(page, "admin-dashboard")
    conversations = inbox.get_by_role("button", name="Conversations")
    tab_to(page, conversations, back=True)
    expect_focus(page, conversations)
    page.keyboard.press("Enter")
    expect(conversations).to_have_attribute("aria-pressed", "true")
    expect(dashboard).to_be_hidden()
    expect_focus(page, conversations)
    expect(inbox.get_by_role("heading", name=member.display_name)).to_be_visible()
    expect(sent).to_be_visible()
