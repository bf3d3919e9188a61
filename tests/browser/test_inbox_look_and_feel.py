"""What can be tested of the look and feel: the inbox at phone width, with the keyboard
alone, and with a name for every control (as Chromium's accessibility tree computes it)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .support import (
    PHONE,
    SPACE_NAME,
    active_element,
    admin_inbox,
    horizontal_overflow,
    member_inbox,
    message_in,
    unnamed_controls,
)


def within_width(page, locator) -> bool:
    box = locator.bounding_box()
    assert box is not None, locator
    return box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"] + 0.5


def test_the_inbox_fits_a_phone(stack, browsing):
    member = stack.new_member("Ivy Chen")
    question = "Do the shirts shrink in the wash?"
    answer = "Barely: they are pre-washed. Wash them at 30 °C and they keep their size."
    stack.send_as(member, question)
    stack.reply_as(stack.ada, member, answer)

    page = browsing.login(member, stack.space_url, viewport=PHONE)
    assert horizontal_overflow(page) is None, horizontal_overflow(page)
    button = page.get_by_role("link", name=f"Message {SPACE_NAME}")
    assert within_width(page, button)
    browsing.shot(page, "phone-space-page")

    page.goto(stack.inbox_url)
    inbox = member_inbox(page)
    item = inbox.locator(".space-inbox__item-button", has_text=SPACE_NAME)
    expect(item).to_be_visible()
    assert horizontal_overflow(page) is None, horizontal_overflow(page)
    browsing.shot(page, "phone-list")

    item.click()
    expect(message_in(inbox, answer, mine=False)).to_be_visible()
    box = inbox.get_by_role("textbox", name=f"Message to {SPACE_NAME}")
    send = inbox.get_by_role("button", name="Send")
    expect(box).to_be_visible()
    expect(send).to_be_visible()
    assert within_width(page, box) and within_width(page, send)
    assert horizontal_overflow(page) is None, horizontal_overflow(page)

    follow_up = "Great, then a medium it is. Can I pick it up at the shop on Saturday?"
    box.fill(follow_up)
    send.click()
    expect(message_in(inbox, follow_up, mine=True)).to_have_attribute("data-state", "sent")
    assert horizontal_overflow(page) is None, horizontal_overflow(page)
    browsing.shot(page, "phone-thread")

    back = inbox.get_by_role("button", name=re.compile("Back to conversations"))
    expect(back).to_be_visible()  # the narrow layout shows one pane at a time
    back.click()
    expect(item).to_be_visible()
    assert horizontal_overflow(page) is None, horizontal_overflow(page)

    # The admins' side too: Ada answering from her phone, in wp-admin.
    ada_page = browsing.login(
        stack.ada,
        stack.admin_inbox_url(space=stack.space_id, conversation=stack.conversation_of(member)),
        viewport=PHONE,
    )
    inbox = admin_inbox(ada_page)
    expect(message_in(inbox, follow_up)).to_be_visible()
    reply = inbox.get_by_role("textbox", name=f"Reply as {SPACE_NAME}")
    expect(reply).to_be_visible()
    assert within_width(ada_page, reply)
    browsing.shot(ada_page, "phone-wp-admin")
    assert horizontal_overflow(ada_page) is None, horizontal_overflow(ada_page)


def tab_to(page, selector: str, limit: int = 60) -> list[str]:
    """Press Tab until the focused element matches *selector*; the way there."""
    path = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        path.append(active_element(page))
        if page.evaluate("(s) => !!document.activeElement?.matches(s)", selector):
            return path
    raise AssertionError(f"Tab never reached {selector}; focus went: {path}")


def focus_is_visible(page) -> bool:
    """Whether the focused element draws a focus indicator (outline or box shadow)."""
    return page.evaluate(
        """() => {
          const style = getComputedStyle(document.activeElement);
          return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
            || style.boxShadow !== 'none';
        }"""
    )


def test_the_keyboard_alone_is_enough(stack, browsing):
    member = stack.new_member("Kai Ito")
    page = browsing.login(member, stack.space_url)

    # From the Space page: Tab to Message, Enter; the cursor is in the box; Ctrl+Enter.
    tab_to(page, "[data-space-inbox-open]")
    assert focus_is_visible(page), active_element(page)
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    inbox = member_inbox(page)
    box = inbox.get_by_role("textbox", name=f"Message to {SPACE_NAME}")
    expect(box).to_be_focused()
    first = "Hi! Do you print custom designs?"
    page.keyboard.type(first)
    page.keyboard.press("Control+Enter")
    expect(message_in(inbox, first, mine=True)).to_have_attribute("data-state", "sent")
    expect(box).to_be_focused()
    expect(box).to_have_value("")

    # From the inbox page: Tab to the conversation, Enter, Tab to the box, type, Ctrl+Enter.
    page.goto(stack.inbox_url)
    inbox = member_inbox(page)
    expect(inbox.locator(".space-inbox__item-button")).to_contain_text(SPACE_NAME)
    tab_to(page, ".space-inbox__item-button")
    assert focus_is_visible(page), active_element(page)
    page.keyboard.press("Enter")
    expect(message_in(inbox, first, mine=True)).to_be_visible()
    path = tab_to(page, "[data-space-inbox] textarea", limit=15)
    assert focus_is_visible(page), active_element(page)
    second = "A logo on the back, 20 shirts, in navy."
    page.keyboard.type(second)
    page.keyboard.press("Control+Enter")
    expect(message_in(inbox, second, mine=True)).to_have_attribute("data-state", "sent")
    expect(box).to_be_focused()
    browsing.shot(page, "keyboard")
    assert stack.stored_bodies(member) == [first, second], path


_DOM_NAMES = """(root) => [...root.querySelectorAll('textarea, button, select, input, a[href]')]
  .filter((el) => el.checkVisibility())
  .filter((el) => {
    const text = (node) => (node ? node.textContent.trim() : '');
    const byIds = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
      .map((id) => text(document.getElementById(id))).join(' ');
    const labels = [...(el.labels || [])].map(text).join(' ');
    const own = ['BUTTON', 'A'].includes(el.tagName) ? text(el) : '';
    return !(byIds || (el.getAttribute('aria-label') || '').trim() || labels || own
      || (el.getAttribute('title') || '').trim());
  })
  .map((el) => el.outerHTML.slice(0, 160))"""


def assert_every_control_is_named(inbox) -> None:
    unnamed, lines = unnamed_controls(inbox)
    assert lines, "the accessibility tree shows no controls at all"
    assert not unnamed, "controls without an accessible name:\n" + "\n".join(unnamed)
    assert inbox.evaluate(_DOM_NAMES) == []


def test_every_control_has_a_name(stack, browsing):
    member = stack.new_member("Ana Lima")
    stack.send_as(member, "Are the prints vegan inks?")
    stack.reply_as(stack.ben, member, "They are: water-based and vegan.")

    page = browsing.login(member, stack.space_url)
    expect(page.get_by_role("link", name=f"Message {SPACE_NAME}")).to_be_visible()
    toolbar = page.get_by_role("navigation", name="Toolbar")
    expect(toolbar.get_by_role("link", name=re.compile(r"^Space inbox"))).to_be_visible()

    page.goto(f"{stack.inbox_url}?space={stack.space_id}")
    inbox = member_inbox(page)
    expect(message_in(inbox, "They are: water-based and vegan.")).to_be_visible()
    expect(inbox.get_by_role("textbox", name=f"Message to {SPACE_NAME}")).to_be_visible()
    expect(inbox.get_by_role("button", name="Send")).to_be_visible()
    expect(inbox.get_by_role("button", name=re.compile(re.escape(SPACE_NAME)))).to_be_visible()
    expect(inbox.get_by_role("log")).to_be_visible()
    assert_every_control_is_named(inbox)

    ada_page = browsing.login(
        stack.ada,
        stack.admin_inbox_url(space=stack.space_id, conversation=stack.conversation_of(member)),
    )
    inbox = admin_inbox(ada_page)
    expect(message_in(inbox, "They are: water-based and vegan.")).to_be_visible()
    expect(inbox.get_by_role("combobox", name="Space")).to_be_visible()
    expect(inbox.get_by_role("combobox", name="Show")).to_be_visible()
    expect(inbox.get_by_role("textbox", name=f"Reply as {SPACE_NAME}")).to_be_visible()
    expect(inbox.get_by_role("button", name="Send")).to_be_visible()
    expect(inbox.get_by_role("button", name="Mark done")).to_be_visible()
    assert_every_control_is_named(inbox)
