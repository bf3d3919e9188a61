"""Accessibility, as axe-core measures it: no serious or critical violation in what the
plugin draws, on the Space page (a member's Message button with the reply time, a
visitor's "Log in to message"), the member's inbox and the team's inbox with a conversation
open, and the team's Dashboard with every section shown.

Each surface is checked on three front ends: a block theme (Twenty Twenty-Three, WordPress
6.1's default, on WordPress 7.1), BuddyPress 14 (Nouveau, the inboxes in the member's
profile tab) and BuddyBoss Platform 3.4 (ReadyLaunch, the inboxes in the profile tab, the
toolbar hidden for members); each in the light and the dark colour scheme (dark wherever it
changes the colours the plugin draws: a theme with colours of its own keeps them), 1280 and
360 px wide. axe-core comes from npm (``node_modules/axe-core``, pinned in package.json) and runs
on the plugin's own elements only: the theme's markup is not ours to fix.

The README's screenshots are taken here too, by the same checks: their surfaces at 1280 and
390 px, written over ``docs/screenshots/`` when ``SPACE_INBOX_SCREENSHOTS=1``
(``make screens``).

Two sites for the module: WordPress 7.1 with BuddyPress (its theme switched between the
block theme and the demo's) and WordPress 7.1 with BuddyBoss.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from devstack.platforms import set_buddyboss_toolbar
from devstack.wordpress import php_str

from .support import (
    DESKTOP,
    REPO,
    SPACE_NAME,
    message_in,
    platform_stack,
    team_inbox,
)
from .test_platform_journeys import PlatformStack

AXE_SCRIPT = REPO / "node_modules" / "axe-core" / "axe.min.js"
#: What fails a test; "moderate" and "minor" are written to the test's folder only.
FAILING = ("serious", "critical")
WIDTHS = (1280, 360)
SCHEMES = ("light", "dark")
#: The README's phone screenshots.
PHONE_SHOT = {"width": 390, "height": 844}

BLOCK_THEME = "block-theme"
BUDDYPRESS = "buddypress"
BUDDYBOSS = "buddyboss"
#: The block theme: WordPress 6.1's default, the one test_block_themes.py builds first.
BLOCK_THEME_SLUG = "twentytwentythree"
DEMO_THEME_SLUG = "space-inbox-demo"

#: The plugin's own elements, wherever a page has them: the inboxes (member, team,
#: Dashboard), the Message button and its reply time, the header link and its badge.
OURS = (
    "[data-space-inbox]",
    ".space-inbox-button-wrap",
    ".space-inbox-login",
    ".space-inbox-dashboard",
    "#wp-admin-bar-space-inbox",
    ".space-inbox-dropdown-link",
    ".space-inbox-header-link",
)

#: The README's screenshots: (front end, surface) -> file name, without "-desktop.png".
README_SHOTS = {
    (BLOCK_THEME, "space-page"): "space-page",
    (BLOCK_THEME, "member-inbox"): "member-inbox",
    (BLOCK_THEME, "team-inbox"): "team-inbox",
    (BLOCK_THEME, "dashboard"): "dashboard",
    (BUDDYPRESS, "member-inbox"): "buddypress-member-inbox",
    (BUDDYBOSS, "team-inbox"): "buddyboss-team-inbox",
}

QUESTION = "Do you print on organic hoodies too?"
ANSWER = "We do: the same organic cotton, in four colours."


class A11yStack(PlatformStack):
    """A platform's stack, with the front end it shows now and the Spaces of the checks."""

    front_end = ""
    #: A second Space, so that the member's list has two conversations.
    other_space = 0

    @property
    def in_profile_tab(self) -> bool:
        """BuddyPress and BuddyBoss members find their inbox in their profile tab."""
        return self.front_end in (BUDDYPRESS, BUDDYBOSS)

    def member_inbox_url(self, member) -> str:
        query = f"?space={self.space_id}"
        if self.in_profile_tab:
            return self.profile_tab(member) + query
        return self.inbox_url + query

    def team_inbox_url(self, admin, conversation: int, *, dashboard: bool = False) -> str:
        query = f"?team={self.space_id}&conversation={conversation}"
        if dashboard:
            query = f"?team={self.space_id}&view=dashboard"
        if self.in_profile_tab:
            return self.profile_tab(admin) + query
        return self.inbox_url + query


def _seed(built: A11yStack) -> None:
    """What the surfaces show: a reply time on the Space page, a saved reply, a second
    Space for the member's list."""
    answer = built.proxy(
        built.ada, "PATCH", f"spaces/{built.space_id}/settings", json={"reply_preset": "hour"}
    )
    assert answer.status_code == 200, answer.text
    built.site.php(f"Space_Inbox_Reply_Time::forget({built.space_id});")
    answer = built.proxy(
        built.ada,
        "POST",
        f"spaces/{built.space_id}/saved-replies",
        json={"title": "Returns", "body": "You can return any shirt within 30 days."},
    )
    assert answer.status_code == 201, answer.text
    built.other_space = built.new_space("Kite Corner", built.ben)


@pytest.fixture(scope="module")
def buddypress_site(tmp_path_factory) -> Iterator[A11yStack]:
    """WordPress 7.1 with BuddyPress: the block theme's site and the demo theme's."""
    key = "wp71-buddypress"
    with platform_stack(tmp_path_factory, key, lambda s, b: A11yStack(s, b, key)) as built:
        _seed(built)
        yield built


@pytest.fixture(scope="module")
def buddyboss_site(tmp_path_factory) -> Iterator[A11yStack]:
    """WordPress 7.1 with BuddyBoss Platform (ReadyLaunch), the toolbar hidden for members."""
    key = "wp71-buddyboss"
    with platform_stack(tmp_path_factory, key, lambda s, b: A11yStack(s, b, key)) as built:
        set_buddyboss_toolbar(built.site, members=False)
        _seed(built)
        yield built


@pytest.fixture(scope="module", params=[BLOCK_THEME, BUDDYPRESS, BUDDYBOSS])
def stack(request) -> A11yStack:
    """The site of one front end (this module's, in place of the package's)."""
    if request.param == BUDDYBOSS:
        built = request.getfixturevalue("buddyboss_site")
    else:
        built = request.getfixturevalue("buddypress_site")
        theme = BLOCK_THEME_SLUG if request.param == BLOCK_THEME else DEMO_THEME_SLUG
        built.site.php(f"switch_theme({php_str(theme)});")
    built.front_end = request.param
    return built


# -- axe ---------------------------------------------------------------------------------------

_AXE_RUN = """async (selectors) => {
  const include = selectors.filter((selector) => document.querySelector(selector));
  if (!include.length) {
    return { error: `none of ${selectors.join(', ')} is on the page` };
  }
  const results = await axe.run({ include }, { resultTypes: ['violations'] });
  return {
    include,
    violations: results.violations.map((rule) => ({
      id: rule.id,
      impact: rule.impact,
      help: rule.help,
      helpUrl: rule.helpUrl,
      nodes: rule.nodes.map((node) => ({
        impact: node.impact,
        target: node.target.join(' '),
        html: node.html.slice(0, 300),
        summary: node.failureSummary,
      })),
    })),
  };
}"""


def axe(page, selectors=OURS) -> list[dict]:
    """axe-core's violations in the elements of *page* that *selectors* find."""
    assert AXE_SCRIPT.exists(), f"{AXE_SCRIPT.relative_to(REPO)} is missing: run make lint-js"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    found = page.evaluate(_AXE_RUN, list(selectors))
    assert "error" not in found, found["error"]
    return found["violations"]


def failing(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in FAILING]


def described(found: dict[str, list[dict]]) -> str:
    """Each failing element once: its rule, its target, what is wrong, and where it fails
    (the widths and schemes)."""
    seen: dict[tuple[str, str], dict] = {}
    for where, violations in found.items():
        for rule in violations:
            for node in rule["nodes"]:
                entry = seen.setdefault(
                    (rule["id"], node["target"]), {"rule": rule, "node": node, "where": []}
                )
                entry["where"].append(where)
    lines = []
    for (rule_id, target), entry in seen.items():
        rule, node = entry["rule"], entry["node"]
        summary = " ".join((node["summary"] or "").split())
        lines.append(
            f"{rule_id} ({rule['impact']}) {target}\n"
            f"    {rule['help']} ({rule['helpUrl'].split('?')[0]})\n"
            f"    {node['html'][:200]}\n"
            f"    {summary[:400]}\n"
            f"    on: {'; '.join(entry['where'])}"
        )
    return "\n".join(lines)


def show(page, width: int, scheme: str, *, height: int | None = None) -> None:
    """Draw *page* at *width* in colour *scheme*; returns once it is drawn."""
    page.set_viewport_size({"width": width, "height": height or DESKTOP["height"]})
    page.emulate_media(color_scheme=scheme)
    page.evaluate(
        "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )
    page.wait_for_timeout(100)


# -- the surfaces ------------------------------------------------------------------------------


@dataclass
class Surface:
    """A page open on one surface; *top* is what the README's screenshot starts with."""

    page: object
    top: str | None = None


def _conversation(stack: A11yStack, name: str):
    """A new member who asked the Space and was answered (by Ada), and asked Kite Corner."""
    member = stack.new_member(name)
    stack.send_as(member, QUESTION)
    stack.reply_as(stack.ada, member, ANSWER)
    stack.send_as(member, "Do you sell kites for children?", stack.other_space)
    return member


def space_page(stack: A11yStack, browsing) -> Surface:
    member = stack.new_member("Ines Axe")
    page = browsing.login(member, stack.space_url)
    expect(page.get_by_role("link", name=f"Message {SPACE_NAME}")).to_be_visible()
    expect(page.locator(".space-inbox-button-wrap .space-inbox-reply-time")).to_have_text(
        "Typically replies within an hour"
    )
    return Surface(page)


def space_page_visitor(stack: A11yStack, browsing) -> Surface:
    page = browsing.context("visitor").new_page()
    page.goto(stack.space_url)
    expect(page.get_by_role("link", name="Log in to message")).to_be_visible()
    return Surface(page)


def member_inbox_open(stack: A11yStack, browsing) -> Surface:
    member = _conversation(stack, "Mona Axe")
    page = browsing.login(member, stack.member_inbox_url(member))
    inbox = page.locator('[data-space-inbox="front"] .space-inbox--member')
    expect(message_in(inbox, ANSWER, mine=False)).to_be_visible()
    expect(message_in(inbox, QUESTION, mine=True)).to_be_visible()
    expect(inbox.locator(".space-inbox__item-button")).to_have_count(2)
    page.wait_for_load_state("networkidle")
    return Surface(page, "[data-space-inbox]")


def team_inbox_open(stack: A11yStack, browsing) -> Surface:
    member = _conversation(stack, "Theo Axe")
    stack.send_as(member, "And do you ship to Porto?")
    conversation = stack.conversation_of(member)
    page = browsing.login(stack.ada, stack.team_inbox_url(stack.ada, conversation))
    inbox = team_inbox(page)
    expect(inbox.locator(".space-inbox__thread-head h2")).to_have_text(member.display_name)
    expect(message_in(inbox, "And do you ship to Porto?")).to_be_visible()
    expect(message_in(inbox, ANSWER).locator(".space-inbox__audit")).to_contain_text(
        "sent by Ada Admin"
    )
    page.wait_for_load_state("networkidle")
    return Surface(page, "[data-space-inbox]")


def dashboard(stack: A11yStack, browsing) -> Surface:
    member = _conversation(stack, "Dana Axe")
    stack.send_as(member, "Is anyone there?")  # someone waiting
    page = browsing.login(stack.ada, stack.team_inbox_url(stack.ada, 0, dashboard=True))
    inbox = team_inbox(page)
    board = inbox.locator(".space-inbox-dashboard")
    expect(board).to_be_visible()
    expect(board.locator(".space-inbox-chart__day")).to_have_count(30)
    expect(board.locator(".space-inbox-waiting__item")).not_to_have_count(0)
    expect(board.locator(".space-inbox-replies__item")).not_to_have_count(0)
    sections = board.locator(".space-inbox-dashboard__section")
    assert sections.count() >= 5, sections.count()
    for section in sections.all():
        expect(section).to_be_visible()
    page.wait_for_load_state("networkidle")
    return Surface(page, "[data-space-inbox]")


SURFACES: dict[str, Callable[[A11yStack, object], Surface]] = {
    "space-page": space_page,
    "space-page-visitor": space_page_visitor,
    "member-inbox": member_inbox_open,
    "team-inbox": team_inbox_open,
    "dashboard": dashboard,
}


_FRAME_JS = """(selector) => {
  window.scrollTo(0, 0);
  // What a fixed or sticky header covers at the top of the window.
  let cover = 0;
  for (const node of document.querySelectorAll('body *')) {
    const position = getComputedStyle(node).position;
    if (position !== 'fixed' && position !== 'sticky') continue;
    const box = node.getBoundingClientRect();
    if (box.top <= 0 && box.bottom > 0 && box.bottom < innerHeight / 3
        && box.width > innerWidth / 2) {
      cover = Math.max(cover, box.bottom);
    }
  }
  const el = selector && document.querySelector(selector);
  if (!el) return;
  const box = el.getBoundingClientRect();
  const top = box.top + scrollY;
  window.scrollTo(0, box.height + 24 > innerHeight - cover
    ? top - cover - 12  // taller than the window: from its top
    : Math.max(0, top + box.height + 12 - innerHeight));  // else just enough to show it all
}"""


_OUTSIDE_JS = """(selectors) => {
  const width = document.documentElement.clientWidth;
  const ours = selectors.flatMap((selector) => [...document.querySelectorAll(selector)]);
  // Visually hidden text (clipped, for screen readers) is not on the screen.
  const clipped = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.clipPath !== 'none' || (style.clip && style.clip !== 'auto')) return true;
    }
    return false;
  };
  return [...new Set(ours.flatMap((el) => [el, ...el.querySelectorAll('*')]))]
    .filter((el) => {
      const box = el.getBoundingClientRect();
      return box.width > 0 && (box.right > width + 0.5 || box.left < -0.5) && !clipped(el);
    })
    .slice(0, 8)
    .map((el) => {
      const box = el.getBoundingClientRect();
      const classes = typeof el.className === 'string' && el.className.trim()
        ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
      return `${el.tagName.toLowerCase()}${classes}`
        + ` from ${Math.round(box.left)} to ${Math.round(box.right)} px`;
    });
}"""


def outside(page) -> list[str]:
    """The plugin's elements that reach beyond the window's width (the theme's are not
    ours to fix)."""
    return page.evaluate(_OUTSIDE_JS, list(OURS))


#: The surfaces axe checks: every one.
AXE_SURFACES = list(SURFACES)


_COLOURS_JS = """(selectors) => [...document.querySelectorAll(selectors.join(','))]
  .flatMap((root) => [root, ...root.querySelectorAll('*')])
  .map((node) => { const s = getComputedStyle(node);
                   return [s.color, s.backgroundColor, s.borderTopColor].join(' '); })
  .join('|')"""


def drawn_colours(page, selectors=OURS) -> str:
    """The colours of every element the plugin draws (text, background, border), in order."""
    return page.evaluate(_COLOURS_JS, list(selectors))


@pytest.mark.parametrize("surface", AXE_SURFACES)
def test_axe_finds_no_serious_violation(stack, browsing, surface):
    """axe on the surface at each width and scheme; where the README shows the surface from
    this front end, its screenshots at 1280 and 390 px (the light scheme): the surface's
    element whole when it fits, else from its top (below a fixed header), nothing of the
    plugin beyond the width. Written over docs/screenshots/ by ``make screens``."""
    shown = SURFACES[surface](stack, browsing)
    page = shown.page
    everything: dict[str, list[dict]] = {}
    for width in WIDTHS:
        light = ""
        for scheme in SCHEMES:
            show(page, width, scheme)
            # Where the dark scheme draws the plugin as the light one did (a theme that keeps
            # its own colours), axe would find the same: it runs where the colours differ.
            drawn = drawn_colours(page)
            if scheme == "dark" and drawn == light:
                continue
            light = drawn
            everything[f"{stack.front_end} {surface} {width} px {scheme}"] = axe(page)
            browsing.shot(page, f"{surface}-{width}-{scheme}")
    (browsing.folder / "axe.json").write_text(json.dumps(everything, indent=1), encoding="utf-8")
    lesser = sorted({f"{v['id']} ({v['impact']})" for vs in everything.values() for v in vs})
    if lesser:
        print(f"\n{stack.front_end} {surface}: axe reports {', '.join(lesser)}")
    found = {where: failing(violations) for where, violations in everything.items()}
    found = {where: violations for where, violations in found.items() if violations}
    assert not found, "serious or critical accessibility violations:\n" + described(found)

    name = README_SHOTS.get((stack.front_end, surface))
    if name:
        # As a mouse user sees it: the heading the inbox focuses when a view opens shows its
        # ring to keyboard users (and to a page no one touched yet, as here).
        page.evaluate(
            "document.activeElement.matches('[tabindex=\"-1\"]') && document.activeElement.blur()"
        )
    for size, suffix in ((DESKTOP, "desktop"), (PHONE_SHOT, "phone")) if name else ():
        show(page, size["width"], "light", height=size["height"])
        assert not outside(page), f"{surface} at {size['width']} px: {outside(page)}"
        page.evaluate(_FRAME_JS, shown.top)
        browsing.readme_shot(page, f"{name}-{suffix}.png")


def test_the_readme_shows_every_front_end():
    """Each front end has a surface in the README's screenshots, each of them checked here."""
    assert {front for front, _surface in README_SHOTS} == {BLOCK_THEME, BUDDYPRESS, BUDDYBOSS}
    assert {surface for _front, surface in README_SHOTS} <= set(AXE_SURFACES)
