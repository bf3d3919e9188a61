"""The plugin's looks hold in WordPress' block themes, with BuddyPress' styles for them.

Twenty Twenty-Three colours links in post content green ((0,1,1) global styles) and, with
BuddyPress, gives every ``button`` on BuddyPress pages a bright green background
((1,1,1), its companion stylesheet); Twenty Twenty-Four has its own dark buttons. The
Message button, the inbox's conversation list and the switcher keep their own colours,
with readable contrast, on the Space page and in the profile tab.

This module's ``stack`` (WordPress 7.1 with BuddyPress 14.5.2, built once) takes the place
of the package's for these tests.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from devstack.stack import WholeStack
from devstack.wordpress import php_str

from .support import (
    PREFIX,
    SPACE_NAME,
    BrowserStack,
    Person,
    contrast,
    member_inbox,
    message_in,
    switcher,
)

THEMES = ["twentytwentythree", "twentytwentyfour"]
#: The theme's own colours, which the plugin's follow (badge.css' --space-inbox-* properties,
#: from theme.json): its buttons' background (a .wp-element-button) and its page's.
_THEME_COLOURS_JS = """() => {
  const button = document.createElement('button');
  button.className = 'wp-element-button';
  document.body.append(button);
  const rgb = (value) => (value.match(/[\\d.]+/g) || []).map(Number).slice(0, 3);
  const found = { accent: rgb(getComputedStyle(button).backgroundColor),
                  base: rgb(getComputedStyle(document.body).backgroundColor) };
  button.remove();
  return found;
}"""


def theme_colours(page) -> dict:
    return {name: tuple(value) for name, value in page.evaluate(_THEME_COLOURS_JS).items()}


class ThemedStack(BrowserStack):
    def nicename(self, person: Person) -> str:
        return self.site.sql(
            "SELECT user_nicename FROM {prefix}users WHERE ID = %s", [person.user_id]
        )[0][0]


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[ThemedStack]:
    """WordPress 7.1 + BuddyPress with the plugin and the bridge; a Space run by Ada."""
    whole = WholeStack(
        tmp_path_factory.mktemp("block-themes"),
        f"si_test_themes_{os.getpid()}",
        PREFIX,
        platform="wp71-buddypress",
        DISPATCH_INTERVAL="1",
    ).start()
    site = whole.site
    try:
        built = ThemedStack(site, whole.bridge)
        built.seed()
        yield built
    finally:
        whole.stop()


@pytest.fixture(params=THEMES)
def theme(request, stack) -> str:
    stack.site.php(f"switch_theme({php_str(request.param)});")
    return request.param


_COLOURS = """(el) => {
  const style = getComputedStyle(el);
  const rgb = (value) => (value.match(/[\\d.]+/g) || []).map(Number);
  let node = el;
  let background = rgb(style.backgroundColor);
  while (node && (background.length === 4 && background[3] === 0)) {
    node = node.parentElement;
    background = node ? rgb(getComputedStyle(node).backgroundColor) : [255, 255, 255, 1];
  }
  return { color: rgb(style.color), own: rgb(style.backgroundColor), behind: background,
           decoration: style.textDecorationLine };
}"""


def colours(locator) -> dict:
    found = locator.evaluate(_COLOURS)
    found["own"] = tuple(found["own"] + [1] * (4 - len(found["own"])))
    return found


def test_the_message_button_keeps_its_colours(stack, browsing, theme):
    member = stack.new_member("Theo Grant")
    page = browsing.login(member, stack.space_url)
    button = page.get_by_role("link", name=f"Message {SPACE_NAME}")
    expect(button).to_be_visible()
    seen = colours(button)
    browsing.shot(page, f"{theme}-space-page")
    assert tuple(seen["own"][:3]) == theme_colours(page)["accent"], seen
    assert contrast(seen["color"], seen["own"]) >= 4.5, seen
    assert seen["decoration"] == "none", seen
    button.hover()
    hovered = colours(button)
    assert contrast(hovered["color"], hovered["own"]) >= 4.5, hovered


def test_the_profile_tab_inbox_keeps_its_colours(stack, browsing, theme):
    member = stack.new_member("Uma Reyes")
    stack.send_as(member, "Do you print on hoodies?")
    stack.reply_as(stack.ada, member, "Not yet: only t-shirts.")
    page = browsing.login(member, f"/members/{stack.nicename(member)}/space-messages/")
    inbox = member_inbox(page)
    item = inbox.locator(".space-inbox__item-button", has_text=SPACE_NAME)
    expect(item).to_be_visible()
    seen = colours(item)
    browsing.shot(page, f"{theme}-profile-tab-member")
    theme_own = theme_colours(page)
    assert seen["own"] == (0, 0, 0, 0), seen  # the list's own background shows through
    assert contrast(seen["color"], seen["behind"]) >= 4.5, seen
    item.click()
    expect(message_in(inbox, "Not yet: only t-shirts.", mine=False)).to_be_visible()
    send = inbox.get_by_role("button", name="Send")
    sent = colours(send)
    assert tuple(sent["own"][:3]) == theme_own["accent"], sent
    assert contrast(sent["color"], sent["own"]) >= 4.5, sent

    # The admin's switcher, in the same tab.
    page = browsing.login(stack.ada, f"/members/{stack.nicename(stack.ada)}/space-messages/")
    chosen = switcher(page).get_by_role("button", name=re.compile(re.escape(SPACE_NAME)))
    expect(chosen).to_have_attribute("aria-pressed", "true")
    pressed = colours(chosen)
    other = colours(switcher(page).get_by_role("button", name=re.compile("^My conversations")))
    browsing.shot(page, f"{theme}-profile-tab-admin")
    assert tuple(pressed["own"][:3]) == theme_own["accent"], pressed
    assert contrast(pressed["color"], pressed["own"]) >= 4.5, pressed
    assert tuple(other["own"][:3]) == theme_own["base"], other
    assert contrast(other["color"], other["behind"]) >= 4.5, other
