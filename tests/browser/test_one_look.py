"""One look: every button of the member's inbox and of the team's inbox is drawn by the
plugin, from its custom properties (badge.css), never with the browser's own look, and
reads well, at 1280 and 360 px, in the light and the dark scheme; on a phone nothing
overflows and the conversation's head keeps its buttons off the panel's edge.

On the package's stack (WordPress 6.1) with the demo theme (a classic theme: the plugin's
own light and dark palettes), and with Twenty Twenty-Three (a block theme: its theme.json's
colours, handed over by Space_Inbox_Assets); on WordPress 7.1 in the profile tab, with
BuddyPress (Nouveau, whose id-level rules style every button of its pages) and with
BuddyBoss Platform (ReadyLaunch's colours, light and its own dark mode). Those two stacks
are this module's own (``community``), built one after the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from devstack.platforms import WORDPRESS_71, set_buddyboss_toolbar
from devstack.wordpress import php_str

from .support import (
    DESKTOP,
    BrowserStack,
    Person,
    browsing_session,
    contrast,
    horizontal_overflow,
    install_theme,
    member_inbox,
    message_in,
    platform_stack,
    team_inbox,
)

BUDDYPRESS = "wp71-buddypress"
BUDDYBOSS = "wp71-buddyboss"
PHONE_360 = {"width": 360, "height": 740}
WIDTHS = {"1280": DESKTOP, "360": PHONE_360}
SCHEMES = ("light", "dark")
QUESTION = "Hello! Do you print on hoodies too? I would need twelve in navy."
ANSWER = "We do: the same organic cotton, in four colours."
#: How far the conversation head's buttons keep from the panel's edges (px).
HEAD_INSET = 8

#: Every button the user sees inside the inbox, as the browser draws it: its own background
#: and border next to those the browser gives a plain <button> (light and dark), its text
#: colour and what is behind it (backgrounds composited up to the first opaque one, over
#: white), as [r, g, b, a] read back from a canvas, so that any CSS colour syntax compares.
_LOOK_JS = """async (selector) => {
  const frame = document.createElement('iframe');
  frame.style.cssText = 'position:absolute;left:-9999px;top:0;width:300px;height:100px;border:0';
  frame.srcdoc = '<!doctype html><button>a</button><button style="color-scheme:dark">b</button>';
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  document.body.append(frame);
  await loaded;
  const border = (s) => `${s.borderTopStyle} ${s.borderTopWidth} ${s.borderTopColor}`;
  const defaults = [...frame.contentDocument.querySelectorAll('button')].map((b) => {
    const s = frame.contentWindow.getComputedStyle(b);
    return { background: s.backgroundColor, border: border(s) };
  });
  frame.remove();

  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const rgba = (css) => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = '#000';
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  };
  const over = (top, bottom) => {
    const a = top[3] + bottom[3] * (1 - top[3]);
    if (!a) return [0, 0, 0, 0];
    return [0, 1, 2].map((i) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a)
      .concat([a]);
  };
  const behind = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      layers.push(colour);
      if (colour[3] >= 1) break;
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  const controls = [];
  for (const root of document.querySelectorAll(selector)) {
    for (const el of root.querySelectorAll(
      'button, [role="button"], input[type="submit"], input[type="button"]')) {
      const box = el.getBoundingClientRect();
      if (!el.checkVisibility() || !box.width || !box.height) continue;
      const s = getComputedStyle(el);
      const head = el.closest('.space-inbox__thread-head');
      const panel = head && head.closest('.space-inbox__thread').getBoundingClientRect();
      controls.push({
        name: (el.getAttribute('aria-label') || el.textContent || el.value || '').trim()
          .replace(/\\s+/g, ' ').slice(0, 40),
        classes: typeof el.className === 'string' ? el.className : '',
        background: s.backgroundColor,
        border: border(s),
        text: rgba(s.color),
        behind: behind(el),
        left: box.left,
        right: box.right,
        inset: panel ? Math.min(box.left - panel.left, panel.right - box.right) : null,
      });
    }
  }
  const outside = [...document.querySelectorAll(`${selector} *`)]
    .filter((el) => {
      const box = el.getBoundingClientRect();
      return box.width && box.height && (box.right > window.innerWidth + 0.5 || box.left < -0.5);
    })
    .slice(0, 8)
    .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`);
  return { defaults, controls, outside, innerWidth: window.innerWidth,
           scrollWidth: document.documentElement.scrollWidth };
}"""


#: The computed value of a CSS colour (a custom property, a preset) on the page.
_COMPUTED_JS = """(value) => {
  const probe = document.createElement('b');
  probe.style.color = value;
  document.body.append(probe);
  const found = getComputedStyle(probe).color;
  probe.remove();
  return found;
}"""


def look_problems(
    page, selector: str, *, phone: bool, whole_page: bool = True
) -> tuple[list[str], list[dict]]:
    """What is wrong with the look of the visible buttons under *selector*, and the buttons.

    On a *phone*, also what of the inbox leaves the viewport and, with *whole_page*, whether
    the page scrolls sideways at all.
    """
    found = page.evaluate(_LOOK_JS, selector)
    controls = found["controls"]
    problems = []
    ua_backgrounds = {d["background"] for d in found["defaults"]}
    ua_borders = {d["border"] for d in found["defaults"]}
    for c in controls:
        what = f'"{c["name"]}" ({c["classes"]})'
        if c["background"] in ua_backgrounds:
            problems.append(f"{what}: the browser's background {c['background']}")
        if c["border"] in ua_borders:
            problems.append(f"{what}: the browser's border {c['border']}")
        ratio = contrast(c["text"], c["behind"])
        if ratio < 4.5:
            problems.append(f"{what}: contrast {ratio:.2f} (text {c['text']} on {c['behind']})")
        if phone:
            if c["left"] < 0 or c["right"] > found["innerWidth"] + 0.5:
                problems.append(f"{what}: outside the viewport ({c['left']:.0f}-{c['right']:.0f})")
            if c["inset"] is not None and c["inset"] < HEAD_INSET:
                problems.append(f"{what}: {c['inset']:.1f} px from the panel's edge")
    if phone and found["outside"]:
        problems.append(f"outside the viewport: {found['outside']}")
    if phone and whole_page and found["scrollWidth"] > found["innerWidth"]:
        problems.append(f"the page scrolls sideways: {horizontal_overflow(page)}")
    return problems, controls


def check_every_look(
    browsing, page, selector: str, label: str, *, whole_page: bool = True
) -> list[str]:
    """Look at *page* at each width and scheme; a screenshot of each; every problem found."""
    problems = []
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        for scheme in SCHEMES:
            page.emulate_media(color_scheme=scheme)
            page.wait_for_timeout(100)  # container queries and the new scheme applied
            found, controls = look_problems(
                page, selector, phone=width == "360", whole_page=whole_page
            )
            assert controls, f"{label} at {width} px ({scheme}): no buttons seen"
            problems += [f"{label} at {width} px ({scheme}): {p}" for p in found]
            browsing.shot(page, f"{label}-{width}-{scheme}")
    page.emulate_media(color_scheme="light")
    page.set_viewport_size(DESKTOP)
    return problems


def focus_and_hover_problems(page, inbox) -> list[str]:
    """Keyboard focus draws an outline; hovering Send and Block keeps their text readable."""
    problems = []
    done = inbox.get_by_role("button", name="Mark done")
    page.keyboard.press("Shift")  # the keyboard was used last: focus is shown
    done.focus()
    outline = done.evaluate(
        "(el) => { const s = getComputedStyle(el); return el.matches(':focus-visible')"
        " ? [s.outlineStyle, parseFloat(s.outlineWidth)] : null; }"
    )
    if outline is not None and (outline[0] == "none" or outline[1] < 2):
        problems.append(f"Mark done, focused by keyboard, draws no outline: {outline}")
    for name in ("Send", "Block this member"):
        button = inbox.get_by_role("button", name=name)
        button.hover()
        page.wait_for_timeout(50)
        found, controls = look_problems(page, ".space-inbox__thread", phone=False)
        problems += [f"hovering {name}: {p}" for p in found if f'"{name}"' in p]
    page.mouse.move(0, 0)
    return problems


def open_member_inbox(browsing, member: Person, target: str):
    page = browsing.login(member, target)
    inbox = member_inbox(page)
    expect(message_in(inbox, ANSWER, mine=False)).to_be_visible()
    expect(inbox.get_by_role("button", name="Send")).to_be_visible()
    return page


def open_team_inbox(browsing, admin: Person, target: str):
    page = browsing.login(admin, target)
    inbox = team_inbox(page)
    expect(message_in(inbox, QUESTION, mine=False)).to_be_visible()
    expect(inbox.get_by_role("button", name="Block this member")).to_be_visible()
    return page, inbox


def check_both_inboxes(
    browsing,
    stack: BrowserStack,
    member: Person,
    urls: tuple[str, str],
    label: str,
    *,
    whole_page: bool = True,
) -> list[str]:
    """Every look of the member's inbox, then of the team's (Ada's), at *urls*."""
    member_url, team_url = urls
    front = '[data-space-inbox="front"]'
    page = open_member_inbox(browsing, member, member_url)
    problems = check_every_look(browsing, page, front, f"{label}-member", whole_page=whole_page)
    page, inbox = open_team_inbox(browsing, stack.ada, team_url)
    problems += focus_and_hover_problems(page, inbox)
    # The saved replies' picker open too (its own buttons).
    inbox.get_by_role("button", name="Saved replies").click()
    expect(inbox.locator(".space-inbox__picker")).to_be_visible()
    problems += check_every_look(browsing, page, front, f"{label}-team", whole_page=whole_page)
    return problems


def seed_conversation(stack: BrowserStack, name: str) -> Person:
    member = stack.new_member(name)
    stack.send_as(member, QUESTION)
    stack.reply_as(stack.ada, member, ANSWER)
    return member


def inbox_urls(stack: BrowserStack, member: Person) -> tuple[str, str]:
    return (
        f"{stack.inbox_url}?space={stack.space_id}",
        f"{stack.inbox_url}?team={stack.space_id}&conversation={stack.conversation_of(member)}",
    )


# -- WordPress 6.1: a classic theme, then a block theme ------------------------------------------


def test_no_button_has_the_browsers_look_and_every_one_reads_well(stack, browsing):
    member = seed_conversation(stack, "Rosa Diaz")
    problems = check_both_inboxes(browsing, stack, member, inbox_urls(stack, member), "demo-theme")
    assert not problems, "\n".join(problems)


def test_a_phone_shows_the_head_and_its_buttons_inside_the_panel(stack, browsing):
    member = seed_conversation(stack, "Ken Adams")
    _, team_url = inbox_urls(stack, member)
    page = browsing.login(stack.ada, team_url, viewport=PHONE_360)
    inbox = team_inbox(page)
    expect(message_in(inbox, QUESTION, mine=False)).to_be_visible()
    head = inbox.locator(".space-inbox__thread-head")
    for name in ("Mark done", "Block this member"):
        expect(head.get_by_role("button", name=name)).to_be_visible()
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        found, _ = look_problems(page, '[data-space-inbox="front"]', phone=True)
        assert not found, "\n".join(found)
        browsing.shot(page, f"phone-team-{scheme}")
    # The inbox adds no gap of its own above it: its top margin and padding stay small.
    page.emulate_media(color_scheme="light")
    top = page.locator('[data-space-inbox="front"]').evaluate(
        "(el) => { const s = getComputedStyle(el);"
        " return parseFloat(s.marginTop) + parseFloat(s.paddingTop); }"
    )
    assert top <= 16, f"the inbox adds {top} px above itself"


@pytest.fixture
def block_theme(stack) -> Iterator[str]:
    """Twenty Twenty-Three (from WordPress 7.1's release; it runs on 6.1) for one test."""
    site = stack.site
    folder = site.root / "wp-content" / "themes" / "twentytwentythree"
    if not folder.exists():
        folder.symlink_to(
            WORDPRESS_71.tree() / "wp-content" / "themes" / "twentytwentythree",
            target_is_directory=True,
        )
    site.php(f"switch_theme({php_str('twentytwentythree')});")
    try:
        yield "twentytwentythree"
    finally:
        install_theme(site)


def test_a_block_themes_colours_draw_the_inbox(stack, browsing, block_theme):
    member = seed_conversation(stack, "Noor Haddad")
    urls = inbox_urls(stack, member)
    problems = check_both_inboxes(browsing, stack, member, urls, block_theme)
    assert not problems, "\n".join(problems)

    # Its buttons' colours are the theme's (theme.json: primary on contrast), in both schemes:
    # the theme's page stays light, and the inbox with it.
    page = browsing.login(member, urls[0])
    send = member_inbox(page).get_by_role("button", name="Send")
    expect(send).to_be_visible()
    preset = page.evaluate(_COMPUTED_JS, "var(--wp--preset--color--primary)")
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        assert send.evaluate("(el) => getComputedStyle(el).backgroundColor") == preset, scheme


# -- BuddyPress (Nouveau) and BuddyBoss (ReadyLaunch): the profile tab -----------------------------


class ProfileStack(BrowserStack):
    def profile_tab(self, person: Person) -> str:
        nicename = self.site.sql(
            "SELECT user_nicename FROM {prefix}users WHERE ID = %s", [person.user_id]
        )[0][0]
        return f"/members/{nicename}/space-messages/"


@pytest.fixture(scope="module")
def community(request, tmp_path_factory) -> Iterator[ProfileStack]:
    """WordPress 7.1 with BuddyPress (Nouveau) or BuddyBoss Platform (ReadyLaunch, the
    toolbar hidden for members), with the demo theme."""
    with platform_stack(tmp_path_factory, request.param, ProfileStack) as built:
        if request.param == BUDDYBOSS:
            set_buddyboss_toolbar(built.site, members=False)
        yield built


@pytest.fixture
def community_browsing(request, chromium, community, tmp_path, tmp_path_factory):
    """conftest's ``browsing``, on the community's stack."""
    with browsing_session(request, chromium, community, tmp_path, tmp_path_factory) as session:
        yield session


@pytest.mark.parametrize(
    ("community", "modes"),
    [(BUDDYPRESS, ("nouveau",)), (BUDDYBOSS, ("light", "dark"))],
    indirect=["community"],
    ids=["buddypress-nouveau", "buddyboss-light-and-dark"],
)
def test_the_communitys_colours_draw_the_inbox(community, community_browsing, modes):
    """BuddyPress' Nouveau styles every button of its pages (id-level rules): the inbox's keep
    their own look. ReadyLaunch has its own colours, and its own dark mode: the inbox's follow.
    (ReadyLaunch's two modes in one test: one site for both.)"""
    for mode in modes:
        _draws_the_communitys_colours(community, community_browsing, mode)


def _draws_the_communitys_colours(stack, browsing, mode: str) -> None:
    readylaunch = mode != "nouveau"
    if readylaunch:
        stack.site.php(f"bp_update_option('bb_rl_theme_mode', {php_str(mode)});")
    try:
        member = seed_conversation(stack, f"Ivo {mode.title()}")
        urls = (
            f"{stack.profile_tab(member)}?space={stack.space_id}",
            f"{stack.profile_tab(stack.ada)}?team={stack.space_id}"
            f"&conversation={stack.conversation_of(member)}",
        )
        # With the demo theme, BuddyPress' own profile header (its avatar) is wider than a
        # 360 px phone: there only the inbox is held to the viewport.
        problems = check_both_inboxes(browsing, stack, member, urls, mode, whole_page=readylaunch)
        assert not problems, "\n".join(problems)
        if not readylaunch:
            return

        # The accent is ReadyLaunch's own, in its light and its dark mode.
        page = browsing.login(member, urls[0])
        send = member_inbox(page).get_by_role("button", name="Send")
        expect(send).to_be_visible()
        body = page.locator("body")
        expect(body).to_have_class(re.compile(r"\bbb-readylaunch-template\b"))
        if mode == "dark":
            expect(body).to_have_class(re.compile(r"\bbb-rl-dark-mode\b"))
        primary = page.evaluate(_COMPUTED_JS, "var(--bb-rl-background-brand-primary-color)")
        assert send.evaluate("(el) => getComputedStyle(el).backgroundColor") == primary
    finally:
        if readylaunch:
            stack.site.php("bp_update_option('bb_rl_theme_mode', 'light');")
