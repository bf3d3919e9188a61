"""The inbox in Chromium on the community platforms: WordPress 7.1 with BuddyPress 14.5.2,
and with BuddyBoss Platform 3.4.1 (its ReadyLaunch front end, the toolbar hidden for
members, as BuddyBoss sites commonly run).

Each journey runs on both, from the user's side: a subscriber who runs a Space finds the
unread count in the header and answers as the Space; BuddyPress notifications lead to the
conversation and are marked read, for the whole team, when it is read; the member never
learns which admin answered, not even from a notification; a badge at 0 is not drawn; the
profile tab shows the member's inbox, and an admin's switcher.

This module's ``stack`` (one per platform, built one after the other) takes the place of
the package's for these tests, so conftest's ``browsing`` drives Chromium against it and the
WordPress 6.1 stack is not built for them.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from devstack.platforms import set_buddyboss_toolbar

from .support import (
    PREFIX,
    SPACE_NAME,
    BrowserStack,
    Person,
    answer_as_space,
    badge,
    eventually,
    horizontal_overflow,
    member_inbox,
    message_in,
    open_space_and_press_message,
    platform_stack,
    recorder,
    shown_count,
    stand_still,
    switcher,
    team_inbox,
    visible_badges,
)
from .test_site_health import check_the_screen
from .test_team_tools import TYPING_WITHIN_MS

BUDDYPRESS = "wp71-buddypress"
BUDDYBOSS = "wp71-buddyboss"

#: How long a notification job may take to reach WordPress (the dispatcher runs every
#: second), and reading a conversation to mark the team's notifications read.
NOTIFY_WAIT = 8.0
#: The header badge polls me/summary every 4 s.
POLL_WAIT = 6.0
#: Conversation ids start here: above every user id of the stack (see the fixture).
CONVERSATIONS_FROM = 7100001
#: The narrowest phone the screens are checked at.
NARROW = {"width": 360, "height": 740}


class PlatformStack(BrowserStack):
    """The whole stack on a community platform, with the Space and its two admins."""

    def __init__(self, site, bridge, platform: str) -> None:
        super().__init__(site, bridge)
        self.platform = platform

    @property
    def buddyboss(self) -> bool:
        return self.platform == BUDDYBOSS

    def nicename(self, person: Person) -> str:
        return self.site.sql(
            "SELECT user_nicename FROM {prefix}users WHERE ID = %s", [person.user_id]
        )[0][0]

    def profile_tab(self, person: Person) -> str:
        """The person's "Space Messages" profile tab."""
        return f"/members/{self.nicename(person)}/space-messages/"

    def notifications_page(self, person: Person) -> str:
        """The person's BuddyPress/BuddyBoss notifications list (unread ones)."""
        return f"/members/{self.nicename(person)}/notifications/"

    def notifications(self, person: Person, action: str, conversation: int) -> list[int]:
        """is_new of each `space_inbox` notification of *person* for one conversation."""
        rows = self.site.sql(
            "SELECT is_new FROM {prefix}bp_notifications WHERE user_id = %s"
            " AND component_name = 'space_inbox' AND component_action = %s"
            " AND item_id = %s AND secondary_item_id = %s ORDER BY id",
            [person.user_id, action, self.space_id, conversation],
        )
        return [int(row[0]) for row in rows]

    def unread_rows(self, person: Person) -> int:
        """How many notifications of *person*, of any component, are unread (is_new = 1)."""
        rows = self.site.sql(
            "SELECT COUNT(*) FROM {prefix}bp_notifications WHERE user_id = %s AND is_new = 1",
            [person.user_id],
        )
        return int(rows[0][0])

    def platform_count(self, person: Person) -> int:
        """The unread count the platform shows (its bell, its toolbar bubble)."""
        return int(
            self.site.php(
                f"echo (int) bp_notifications_get_unread_notification_count({person.user_id});"
            ).strip()
        )


@pytest.fixture(scope="module", params=[BUDDYPRESS, BUDDYBOSS])
def stack(request, tmp_path_factory) -> Iterator[PlatformStack]:
    """The whole stack on one platform, seeded as the package's stack is.

    On BuddyBoss the toolbar is hidden for members and the site's front page is the
    News Feed (the activity directory), as BuddyBoss community sites are usually set up:
    with the toolbar hidden, only ReadyLaunch pages have a header.
    """
    key = request.param
    with platform_stack(
        tmp_path_factory, key, lambda site, bridge: PlatformStack(site, bridge, key)
    ) as built:
        site = built.site
        # A BuddyPress notification of the plugin carries the conversation id where BuddyBoss
        # expects a user id (secondary_item_id): conversation ids that name no user make
        # BuddyBoss take the notification for "read-only", whatever order the tests run in.
        site.sql(
            f"ALTER TABLE {PREFIX}spaceinbox_conversations AUTO_INCREMENT = {CONVERSATIONS_FROM}"
        )
        if key == BUDDYBOSS:
            set_buddyboss_toolbar(site, members=False)
            # After the Space's flush: see rebuild_rules() for why the rules are rebuilt.
            site.php(
                "$pages = bp_get_option('bp-pages'); update_option('show_on_front', 'page');"
                " update_option('page_on_front', (int) $pages['activity']);"
            )
            rebuild_rules(site)
        with site.session() as http:
            answer = http.get(built.inbox_url, timeout=30)
        assert answer.status_code == 200, f"the inbox page answers {answer.status_code}"
        yield built


# -- helpers ---------------------------------------------------------------------------------


def rebuild_rules(site) -> None:
    """Rebuild WordPress' rewrite rules with the plugin's own function.

    ``site.php()`` runs as a request for "/". When that is a BuddyBoss page (the News Feed
    as the front page), BuddyBoss' URI parsing (bp_core_set_uri_globals) has switched the
    request's ``use_verbose_page_rules`` off, and a plain flush then builds rules that send
    /<page>/ to a post of that name: every page, the inbox page too, answers 404.
    """
    site.php("Space_Inbox_Plugin::rebuild_rewrite_rules();")


def open_buddyboss_notifications(page):
    """Open ReadyLaunch's notifications dropdown with its bell; the dropdown."""
    dropdown = page.locator("#header-notifications-dropdown-elem")
    expect(dropdown).to_have_count(1)
    dropdown.locator("a.notification-link").click()
    expect(dropdown.locator(".notification-dropdown")).to_be_visible()
    return dropdown


def choose_in_row_menu(page, row, action: str):
    """Choose *action* in the menu of a row of BuddyBoss' Reported Content; the dialog of the
    same name that asks to confirm it.

    A click on an item of that menu while it is still being laid out after it opened is
    sometimes taken by nothing (the menu stays open): the menu is then opened and the item
    chosen again.
    """
    confirm = page.get_by_role("dialog", name=action)
    for _attempt in range(3):
        item = page.get_by_role("menuitem", name=action)
        if not item.is_visible():
            row.locator("td").last.get_by_role("button").click()
        item.click()
        try:
            expect(confirm).to_be_visible(timeout=3_000)
            return confirm
        except AssertionError:
            continue
    expect(confirm).to_be_visible()
    return confirm


def wait_for_notification(stack, person, action, conversation, page=None) -> list[int]:
    found = eventually(
        lambda: stack.notifications(person, action, conversation), NOTIFY_WAIT, page=page
    )
    assert found, f"no {action} notification for {person.login} (conversation {conversation})"
    return found


def leaks_in(stack, sources: dict[str, str]) -> list[str]:
    return [
        f"{secret!r} in {where}"
        for secret in stack.admin_secrets()
        for where, text in sources.items()
        if secret in text
    ]


# -- the journeys --------------------------------------------------------------------------------


def test_a_subscriber_admin_finds_the_count_in_the_header_and_answers_as_the_space(stack, browsing):
    member = stack.new_member("Maya Lopez")
    page = browsing.login(member, stack.space_url)
    box = open_space_and_press_message(page)
    question = "Do you print on hoodies too?"
    box.fill(question)
    box.press("Control+Enter")
    expect(message_in(member_inbox(page), question, mine=True)).to_have_attribute(
        "data-state", "sent"
    )
    browsing.shot(page, "member-sent")

    ada = stack.ada
    admin = browsing.login(ada, "/")  # the site's front page
    if stack.buddyboss:
        # The toolbar is hidden for members: the count is in ReadyLaunch's header.
        expect(admin.locator("#wpadminbar")).to_have_count(0)
        dropdown = open_buddyboss_notifications(admin)
        link = dropdown.locator("a.space-inbox-dropdown-link")
        expect(link).to_be_visible()
        count = link.locator('[data-space-inbox-count="total"]')
        assert eventually(lambda: shown_count(count) >= 1, POLL_WAIT, page=admin), (
            f"the header's Space inbox link shows {shown_count(count)}"
        )
        expect(count).to_be_visible()
        # The platform's own list has loaded beside it (for the README picture).
        expect(
            dropdown.locator(".notification-list").get_by_text(f"New message for {SPACE_NAME}")
        ).not_to_have_count(0)
        browsing.shot(admin, "header-dropdown", full_page=False)
        browsing.shot(admin, "buddyboss-header-dropdown")
    else:
        notifications = admin.locator("#wp-admin-bar-bp-notifications")
        node = notifications.locator("#wp-admin-bar-space-inbox")
        expect(node).to_have_count(1)
        assert eventually(lambda: (badge(admin) or 0) >= 1, POLL_WAIT, page=admin), badge(admin)
        notifications.hover()
        link = node.locator("> a")
        expect(link).to_be_visible()
        expect(link.locator('[data-space-inbox-count="total"]')).to_be_visible()
        browsing.shot(admin, "toolbar-notifications", full_page=False)
    # What the badge check of a member with nothing unread looks for is found here.
    assert visible_badges(admin), "a badge with a count is not drawn"
    with admin.expect_navigation(wait_until="load"):
        link.click()

    assert admin.url.startswith(stack.inbox_url.rstrip("/")), admin.url
    inbox = team_inbox(admin)
    expect(inbox).to_be_visible()  # the Space's team inbox, not her own conversations
    expect(member_inbox(admin)).to_be_hidden()
    expect(admin).to_have_url(re.compile(rf"[?&]team={stack.space_id}(&|$)"))
    expect(switcher(admin).locator("button", has_text=SPACE_NAME)).to_have_attribute(
        "aria-pressed", "true"
    )
    answer = "We do: the same organic cotton, in four colours."
    sent = answer_as_space(inbox, member, question, answer)
    expect(sent.locator(".space-inbox__audit")).to_have_text(re.compile(r"^sent by Ada Admin · "))
    browsing.shot(admin, "team-inbox-answered")
    if not stack.buddyboss:
        browsing.shot(admin, "buddypress-team-inbox")
    assert stack.stored_bodies(member) == [question, answer]


def test_a_notification_leads_to_the_conversation_and_reading_marks_the_teams_read(stack, browsing):
    ada, ben = stack.ada, stack.ben
    member = stack.new_member("Omar Haddad")
    question = "Can I order ten shirts with our club's logo?"
    stack.send_as(member, question)
    conversation = stack.conversation_of(member)
    for admin in (ada, ben):
        assert wait_for_notification(stack, admin, "member_message", conversation) == [1]
    assert stack.platform_count(ada) == stack.unread_rows(ada) >= 1

    page = browsing.login(ada, stack.notifications_page(ada))
    listed = page.locator(f'#notifications-user-list a[href*="conversation={conversation}"]')
    # A link (BuddyBoss strips the links of notifications it takes for "read-only").
    expect(listed.first).to_have_text(f"New message for {SPACE_NAME}")
    expect(listed.first).to_have_attribute(
        "href", re.compile(rf"[?&]team={stack.space_id}&conversation={conversation}$")
    )
    browsing.shot(page, "notifications-list")
    if stack.buddyboss:
        # The header's dropdown, as a BuddyBoss member reaches it from any page.
        dropdown = open_buddyboss_notifications(page)
        item = dropdown.locator(".notification-list li").filter(
            has=page.locator(f'a[href*="conversation={conversation}"]')
        )
        expect(item).to_have_count(1)
        expect(item).to_contain_text(f"New message for {SPACE_NAME}")
        browsing.shot(page, "notifications-dropdown", full_page=False)
        link = item.locator(".notification-content")  # where the member clicks
    else:
        link = listed
    with page.expect_navigation(wait_until="load"):
        link.first.click()
    clicked = time.monotonic()

    expect(page).to_have_url(
        re.compile(rf"[?&]team={stack.space_id}&conversation={conversation}(&|$)")
    )
    inbox = team_inbox(page)
    expect(inbox.locator(".space-inbox__thread-head h2")).to_have_text(member.display_name)
    expect(message_in(inbox, question)).to_be_visible()
    browsing.shot(page, "team-inbox-from-notification")

    def read_state() -> dict[str, list[int]]:
        return {p.login: stack.notifications(p, "member_message", conversation) for p in (ada, ben)}

    assert eventually(
        lambda: all(v == [0] for v in read_state().values()), NOTIFY_WAIT, page=page
    ), f"still unread {time.monotonic() - clicked:.1f} s after the click: {read_state()}"
    took = time.monotonic() - clicked
    print(f"{stack.platform}: the team's notifications read {took:.2f} s after the click")
    for admin in (ada, ben):
        assert stack.platform_count(admin) == stack.unread_rows(admin), admin.login

    # The Space answers; the member is told, reads it in the inbox, and the notification is
    # read (through the bridge: the inbox is opened without any query).
    answer = "Yes: from ten shirts on, we print logos at no extra cost."
    inbox.get_by_role("textbox", name=f"Reply as {SPACE_NAME}").fill(answer)
    inbox.get_by_role("button", name="Send").click()
    expect(message_in(inbox, answer, mine=True)).to_have_attribute("data-state", "sent")
    assert wait_for_notification(stack, member, "space_reply", conversation, page) == [1]
    assert stack.platform_count(member) == stack.unread_rows(member) == 1

    member_page = browsing.login(member, stack.inbox_url)
    mine = member_inbox(member_page)
    mine.locator(".space-inbox__item-button", has_text=SPACE_NAME).click()
    expect(message_in(mine, answer, mine=False)).to_be_visible()
    read_at = time.monotonic()
    assert eventually(
        lambda: stack.notifications(member, "space_reply", conversation) == [0],
        NOTIFY_WAIT,
        page=member_page,
    ), stack.notifications(member, "space_reply", conversation)
    took = time.monotonic() - read_at
    print(f"{stack.platform}: the member's notification read {took:.2f} s after reading")
    assert stack.platform_count(member) == stack.unread_rows(member) == 0
    browsing.shot(member_page, "member-read-the-answer")


def test_a_teammate_named_in_a_note_is_notified_and_the_member_never_learns_of_it(stack, browsing):
    ada, ben = stack.ada, stack.ben
    member = stack.new_member("Ines Nota")
    question = "Do you ship to the Azores?"
    stack.send_as(member, question)
    conversation = stack.conversation_of(member)

    # Ada, a subscriber, writes a note naming Ben from the front end's team inbox.
    ada_page = browsing.login(
        ada, f"{stack.inbox_url}?team={stack.space_id}&conversation={conversation}"
    )
    inbox = team_inbox(ada_page)
    expect(message_in(inbox, question)).to_be_visible()
    inbox.get_by_role("button", name="Private note").click()
    note = f"@{stack.nicename(ben)} the carrier charges extra for the islands"
    inbox.get_by_role("textbox", name="Private note for your team (the member never sees it)").fill(
        note
    )
    inbox.get_by_role("button", name="Add note").click()
    written = inbox.locator(".space-inbox-msg--note", has_text="carrier charges extra")
    expect(written).to_have_attribute("data-state", "sent")
    browsing.shot(ada_page, "ada-wrote-a-note")

    # Ben's notification leads him to the conversation, where the note is; it is read then.
    assert wait_for_notification(stack, ben, "note_mention", conversation) == [1]
    assert stack.notifications(ada, "note_mention", conversation) == []
    page = browsing.login(ben, stack.notifications_page(ben))
    listed = page.locator(f'#notifications-user-list a[href*="conversation={conversation}"]')
    expect(listed.first).to_have_text(f"You were mentioned in a note for {SPACE_NAME}")
    with page.expect_navigation(wait_until="load"):
        listed.first.click()
    ben_inbox = team_inbox(page)
    expect(
        ben_inbox.locator(".space-inbox-msg--note", has_text="carrier charges extra")
    ).to_be_visible()
    assert eventually(
        lambda: stack.notifications(ben, "note_mention", conversation) == [0],
        NOTIFY_WAIT,
        page=page,
    ), stack.notifications(ben, "note_mention", conversation)
    browsing.shot(page, "ben-opened-the-note")

    # The member: no notification, nothing of it in anything their browser receives.
    assert stack.notifications(member, "note_mention", conversation) == []
    context = browsing.context(member.login)
    received = recorder(context)
    member_page = context.new_page()
    browsing.log_in(member_page, member, f"{stack.inbox_url}?space={stack.space_id}")
    expect(message_in(member_inbox(member_page), question, mine=True)).to_be_visible()
    member_page.wait_for_load_state("networkidle")
    assert received
    assert not [url for url, body in received if "carrier" in body or "note_mention" in body]


def test_two_subscriber_admins_see_each_other_and_one_gives_the_other_a_conversation(
    stack, browsing
):
    ada, ben = stack.ada, stack.ben
    member = stack.new_member("Pia Present")
    question = "Can I collect my order on Saturday?"
    stack.send_as(member, question)
    conversation = stack.conversation_of(member)
    url = f"{stack.inbox_url}?team={stack.space_id}&conversation={conversation}"
    ada_page, ben_page = browsing.login(ada, url), browsing.login(ben, url)
    ada_inbox, ben_inbox = team_inbox(ada_page), team_inbox(ben_page)
    for inbox in (ada_inbox, ben_inbox):
        expect(message_in(inbox, question)).to_be_visible()
    # Each sees the other there.
    expect(ben_inbox.locator(".space-inbox__typing")).to_have_text(
        "Also here: Ada Admin.", timeout=TYPING_WITHIN_MS
    )
    # Ada begins an answer: Ben is told, by name.
    ada_inbox.get_by_role("textbox", name=f"Reply as {SPACE_NAME}").press_sequentially(
        "Yes, from nine"
    )
    expect(ben_inbox.locator(".space-inbox__typing")).to_contain_text(
        "Ada Admin is", timeout=TYPING_WITHIN_MS
    )
    browsing.shot(ben_page, "ben-sees-ada-at-it")

    # She gives the conversation to Ben instead: his notification leads him to it.
    ada_inbox.get_by_role("combobox", name="Assigned to", exact=True).select_option(
        label="Ben Admin"
    )
    expect(ada_inbox.locator(".space-inbox__thread .space-inbox__status")).to_have_text(
        "Given to Ben Admin."
    )
    assert wait_for_notification(stack, ben, "assigned", conversation) == [1]
    page = browsing.login(ben, stack.notifications_page(ben))
    listed = page.locator(f'#notifications-user-list a[href*="conversation={conversation}"]')
    expect(listed.first).to_have_text(f"A conversation of {SPACE_NAME} was given to you")
    with page.expect_navigation(wait_until="load"):
        listed.first.click()
    mine = team_inbox(page)
    expect(mine.get_by_role("combobox", name="Assigned to", exact=True)).to_have_value(
        str(ben.user_id)
    )
    assert eventually(
        lambda: stack.notifications(ben, "assigned", conversation) == [0], NOTIFY_WAIT, page=page
    ), stack.notifications(ben, "assigned", conversation)
    browsing.shot(page, "ben-opened-what-ada-gave-him")

    # The member: nothing of it, in anything their browser receives.
    context = browsing.context(member.login)
    received = recorder(context)
    member_page = context.new_page()
    browsing.log_in(member_page, member, f"{stack.inbox_url}?space={stack.space_id}")
    expect(message_in(member_inbox(member_page), question, mine=True)).to_be_visible()
    member_page.wait_for_load_state("networkidle")
    from_bridge = [(u, b) for u, b in received if "proxy.php" in u or "/api/v1/" in u]
    assert from_bridge
    leaks = [
        url
        for url, body in from_bridge
        if "Ben Admin" in body or "Ada Admin" in body or "assign" in body.lower()
    ]
    assert not leaks, leaks


def test_on_the_profile_tab_a_member_chooses_and_an_admins_device_is_pushed(stack, browsing):
    """On the platform's own pages: a member chooses how answers reach them on their profile
    tab and turns this device on as far as a browser offline can; an admin's device,
    subscribed through the site, is pushed the member's message, signed with the site's
    own keys, naming the member and the Space."""
    member, ada = stack.new_member("Pia Push"), stack.ada
    device = stack.pushed.subscribe()
    kept = stack.proxy(ada, "POST", "me/push-subscriptions", json=device)
    assert kept.status_code == 201, kept.text
    page = browsing.login(member, stack.profile_tab(member))
    page.context.grant_permissions(["notifications"], origin=stack.url)
    inbox = member_inbox(page)
    # The list drawn first: nothing moves under the pointer after.
    expect(inbox.locator(".space-inbox__list-items")).to_contain_text("No conversations yet")
    choices = inbox.locator(".space-inbox-choices")
    email = choices.get_by_role("checkbox", name="E-mail me")
    expect(email).to_be_enabled()
    email.uncheck()
    expect(choices.locator(":scope > [role=status]")).to_have_text("Saved")
    choices.get_by_role("button", name="Notify me on this device").click()
    expect(choices.locator(".space-inbox-push-device [role=status]")).to_contain_text(
        "Not turned on"
    )
    browsing.shot(page, "profile-tab-choices")
    question = "Do you ship to Norway?"
    stack.send_as(member, question)
    assert eventually(lambda: stack.pushed.for_(device), NOTIFY_WAIT)
    (got,) = stack.pushed.for_(device)
    assert got.vapid_key == stack.site.option("space_inbox_vapid_public")
    assert (got.payload["from"], got.payload["text"]) == (member.display_name, question)
    assert got.payload["space"] == SPACE_NAME and stack.pushed.refusals == []


def test_the_member_never_learns_which_admin_answered(stack, browsing):
    ada, ben = stack.ada, stack.ben
    member = stack.new_member("Lena Vogel")
    question = "Are the prints washable in a hot wash?"
    first, second = "Yes, they are.", "We still advise a cool wash, to keep the colours."
    stack.send_as(member, question)
    conversation = stack.conversation_of(member)
    mails_before = stack.mail_count()
    stack.reply_as(ada, member, first)
    stack.reply_as(ben, member, second)
    # Both answers handled (e-mailed together, or one each as they came); one notification
    # for the conversation.
    assert eventually(
        lambda: all(
            text in "".join(m["message"] for m in stack.mail_to(member.email, mails_before))
            for text in (first, second)
        ),
        NOTIFY_WAIT,
    )
    assert wait_for_notification(stack, member, "space_reply", conversation) == [1]

    context = browsing.context(member.login)
    received = recorder(context)
    page = context.new_page()
    browsing.log_in(page, member, stack.notifications_page(member))
    sources: dict[str, str] = {
        f"e-mail {n}": json.dumps(mail) for n, mail in enumerate(stack.mail_to(member.email))
    }
    items = (
        page.locator("#notifications-user-list")
        .locator("tr, li")
        .filter(has_text=f"{SPACE_NAME} answered you")
    )
    expect(items.first).to_be_visible()
    for n, item in enumerate(items.all()):
        sources[f"notifications list, item {n}: text"] = item.inner_text()
        sources[f"notifications list, item {n}: HTML"] = item.evaluate("(el) => el.outerHTML")
    sources["notifications page: text"] = page.evaluate("document.body.innerText")
    link = page.locator(f'#notifications-user-list a[href*="space={stack.space_id}"]')
    expect(link.first).to_have_text(f"{SPACE_NAME} answered you")
    if stack.buddyboss:
        dropdown = open_buddyboss_notifications(page)
        entry = dropdown.locator(".notification-list li", has_text=f"{SPACE_NAME} answered you")
        expect(entry.first).to_be_visible()
        sources["header dropdown: HTML"] = dropdown.evaluate("(el) => el.outerHTML")
        sources["header dropdown: text"] = dropdown.inner_text()
        link = entry.locator(".notification-content")  # where the member clicks
    browsing.shot(page, "member-notifications")
    with page.expect_navigation(wait_until="load"):
        link.first.click()

    inbox = member_inbox(page)
    for text in (first, second):
        theirs = message_in(inbox, text, mine=False)
        expect(theirs).to_be_visible()
        expect(theirs.locator(".space-inbox-msg__meta")).to_have_text(
            re.compile(rf"^{re.escape(SPACE_NAME)} · ")
        )
    expect(message_in(inbox, question, mine=True)).to_be_visible()
    page.wait_for_load_state("networkidle")
    browsing.shot(page, "member-inbox")
    sources["inbox page: text"] = page.evaluate("document.body.innerText")
    sources["inbox page: DOM"] = page.evaluate("document.documentElement.outerHTML")
    for n, (url, response) in enumerate(received):
        sources[f"response {n} {url}"] = response
    # The recording works: the answers' own API response is among what was read.
    assert any(second in text for key, text in sources.items() if key.startswith("response"))
    leaks = leaks_in(stack, sources)
    assert not leaks, "the member's browser learnt who answered:\n" + "\n".join(leaks)


def test_a_member_with_nothing_unread_sees_no_badge(stack, browsing):
    member = stack.new_member("Nina Petrova")
    page = browsing.context(member.login).new_page()
    with page.expect_response(lambda r: "me/summary" in r.url) as polled:
        browsing.log_in(page, member, "/")
    assert polled.value.status == 200, polled.value.text()
    assert json.loads(polled.value.text()).get("unread") == 0
    page.wait_for_load_state("networkidle")
    # The menus that hold the badges are open, so a badge drawn would have a size.
    if stack.buddyboss:
        open_buddyboss_notifications(page)
        holders = page.locator("a.space-inbox-dropdown-link")
        expect(holders.filter(visible=True)).to_have_count(1)
    else:
        page.locator("#wp-admin-bar-bp-notifications").hover()
        page.locator("#wp-admin-bar-space-inbox").hover()
        expect(page.locator("#wp-admin-bar-space-inbox-member > a")).to_be_visible()
    assert page.locator(".space-inbox-badge").count() >= 1, "no badge on the page at all"
    assert visible_badges(page) == []
    browsing.shot(page, "front-page-no-badge", full_page=False)

    with page.expect_response(lambda r: "me/summary" in r.url):
        page.goto(stack.profile_tab(member))
    expect(member_inbox(page)).to_be_visible()
    page.wait_for_load_state("networkidle")
    if stack.buddyboss:
        open_buddyboss_notifications(page)
    else:
        page.locator("#wp-admin-bar-bp-notifications").hover()
    assert page.locator(".space-inbox-badge").count() >= 1, "no badge on the profile tab"
    assert visible_badges(page) == []
    browsing.shot(page, "profile-tab-no-badge")


def test_the_profile_tab_shows_a_members_inbox_and_an_admins_switcher(stack, browsing):
    member = stack.new_member("Theo Martin")
    question = "Do you have gift cards?"
    answer = "We do, from 20 euros, printed or by e-mail."
    stack.send_as(member, question)
    stack.reply_as(stack.ben, member, answer)

    page = browsing.login(member, stack.profile_tab(member))
    inbox = member_inbox(page)
    expect(inbox).to_be_visible()
    expect(switcher(page)).to_be_hidden()  # a member runs no Space
    item = inbox.locator(".space-inbox__item-button", has_text=SPACE_NAME)
    expect(item).to_contain_text(answer)
    item.click()
    theirs = message_in(inbox, answer, mine=False)
    expect(theirs).to_be_visible()
    expect(theirs.locator(".space-inbox-msg__meta")).to_have_text(
        re.compile(rf"^{re.escape(SPACE_NAME)} · ")
    )
    expect(message_in(inbox, question, mine=True)).to_be_visible()
    page.wait_for_load_state("networkidle")
    browsing.shot(page, "member-profile-tab")
    if not stack.buddyboss:
        # The profile's tabs at the top, the inbox below them (not BuddyPress' cover image).
        tabs = page.locator("#object-nav")
        if tabs.count():
            page.evaluate(
                "(el) => window.scrollTo(0, el.getBoundingClientRect().top + scrollY - 12)",
                tabs.element_handle(),
            )
        browsing.shot(page, "buddypress-member-inbox")

    admin = browsing.login(stack.ada, stack.profile_tab(stack.ada))
    nav = switcher(admin)
    expect(nav).to_be_visible()
    expect(nav.locator("button", has_text="My conversations")).to_be_visible()
    space = nav.locator("button", has_text=SPACE_NAME)
    expect(space).to_be_visible()
    space.click()
    expect(space).to_have_attribute("aria-pressed", "true")
    team = team_inbox(admin)
    expect(team.locator(".space-inbox__item-button", has_text=member.display_name)).to_be_visible()
    assert admin.url.startswith(stack.url + stack.profile_tab(stack.ada)), admin.url
    browsing.shot(admin, "admin-profile-tab")


def test_the_inbox_page_opens_after_the_plugin_is_activated_again(stack, browsing):
    """Activating the plugin rebuilds WordPress' rewrite rules at once. Left to the next
    request, a visit to the front page (on BuddyBoss the News Feed, whose parsing turns
    verbose page rules off) would build rules that send every page to a post: 404. The
    activation runs here as a request for "/", the News Feed on BuddyBoss, the harder case.
    (Last in the module: a failure may leave the rules broken, so they are rebuilt
    whatever happens.)"""
    try:
        stack.site.php("Space_Inbox_Plugin::activate();")
        visitor = browsing.context("visitor").new_page()
        visited = visitor.goto("/")  # the first visit after the activation
        assert visited is not None and visited.status == 200, visited and visited.status

        member = stack.new_member("Iris Novak")
        page = browsing.login(member, stack.space_url)
        with page.expect_navigation(wait_until="load") as opened:
            page.get_by_role("link", name=f"Message {SPACE_NAME}").click()
        answer = opened.value
        assert answer is not None and answer.status == 200, (
            f"after the activation and a visit to the front page, the inbox page {page.url}"
            f" answers {answer and answer.status}: {page.title()!r}"
        )
        expect(member_inbox(page)).to_be_visible()
        browsing.shot(page, "inbox-after-activation")
    finally:
        rebuild_rules(stack.site)


def test_a_logout_in_another_tab_locks_the_open_inbox_and_keeps_the_draft(stack, browsing):
    member = stack.new_member("Lou Lock")
    stack.send_as(member, "Do you deliver on Saturdays?")
    context = browsing.context(member.login)
    page = context.new_page()
    browsing.log_in(page, member, f"{stack.inbox_url}?space={stack.space_id}")
    # A tab whose clock stands still (once loaded) polls nothing: only the logout's cue can
    # tell it.
    tab = context.new_page()
    tab.clock.install()
    tab.goto(f"{stack.inbox_url}?space={stack.space_id}")
    inbox = member_inbox(tab)
    expect(message_in(inbox, "Do you deliver on Saturdays?", mine=True)).to_be_visible()
    box = inbox.get_by_role("textbox", name=f"Message to {SPACE_NAME}")
    box.fill("And on Sundays")
    stand_still(tab)

    # WordPress' logout (its confirmation page gives the link with this session's nonce).
    page.goto(f"{stack.url}/wp-login.php?action=logout")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="log out").click()
    assert "loggedout=true" in page.url, page.url

    alert = inbox.get_by_role("alert")
    expect(alert).to_contain_text("You are logged out")
    expect(alert.get_by_role("link", name="Log in again")).to_be_visible()
    expect(message_in(inbox, "Do you deliver on Saturdays?")).to_be_hidden()
    expect(box).to_have_value("And on Sundays")
    expect(box).not_to_be_editable()
    browsing.shot(tab, f"{stack.platform}-logged-out-elsewhere")


def test_on_a_phone_the_profile_tab_shows_every_state_and_loses_nothing(stack, browsing):
    """At 360 px, in the member's profile tab: a draft outlives a reload; offline, a message
    waits and goes once when the member is back; the Space types (never who) while the team
    sees who; the answer comes from the Space and the member's messages say "Seen"."""
    member = stack.new_member("Sara States")
    stack.send_as(member, "Do you have it in green?")
    conversation = stack.conversation_of(member)
    page = browsing.login(
        member,
        f"{stack.profile_tab(member)}?space={stack.space_id}",
        viewport={"width": 360, "height": 740},
    )
    inbox = member_inbox(page)
    expect(message_in(inbox, "Do you have it in green?", mine=True)).to_be_visible()
    box = inbox.get_by_role("textbox", name=f"Message to {SPACE_NAME}")
    box.fill("Half a thought")
    page.reload()
    expect(box).to_have_value("Half a thought")

    page.context.set_offline(True)
    notice = inbox.locator(".space-inbox__session")
    expect(notice).to_contain_text("You are offline")
    box.fill("Sent from the train.")
    box.press("Control+Enter")
    waiting = message_in(inbox, "Sent from the train.", mine=True)
    expect(waiting).to_have_attribute("data-state", "failed")
    expect(box).to_have_value("")
    assert stack.stored_bodies(member) == ["Do you have it in green?"]
    page.context.set_offline(False)
    expect(waiting).to_have_attribute("data-state", "sent")
    expect(notice).to_be_hidden()
    assert stack.stored_bodies(member) == ["Do you have it in green?", "Sent from the train."]
    browsing.shot(page, f"{stack.platform}-phone-sent-after-offline")

    ben = stack.ben
    query = f"?team={stack.space_id}&conversation={conversation}"
    ben_inbox = team_inbox(browsing.login(ben, stack.profile_tab(ben) + query))
    ada_inbox = team_inbox(browsing.login(stack.ada, stack.profile_tab(stack.ada) + query))
    expect(message_in(ben_inbox, "Sent from the train.")).to_be_visible()
    ben_box = ben_inbox.get_by_role("textbox", name=f"Reply as {SPACE_NAME}")
    answer = "We do: in green and in sage."
    ben_box.press_sequentially(answer[:12])
    typing = inbox.locator(".space-inbox__typing")
    expect(typing).to_have_text(f"{SPACE_NAME} is typing…", timeout=TYPING_WITHIN_MS)
    expect(ada_inbox.locator(".space-inbox__typing")).to_have_text(
        f"{ben.display_name} is replying…", timeout=TYPING_WITHIN_MS
    )
    browsing.shot(page, f"{stack.platform}-phone-space-typing")
    ben_box.press_sequentially(answer[12:])
    ben_inbox.get_by_role("button", name="Send").click()
    expect(message_in(ben_inbox, answer, mine=True)).to_have_attribute("data-state", "sent")

    theirs = message_in(inbox, answer, mine=False)
    expect(theirs).to_be_visible(timeout=POLL_WAIT * 1000)
    expect(typing).to_have_text("")
    expect(
        message_in(inbox, "Sent from the train.", mine=True).locator(".space-inbox-msg__seen")
    ).to_have_text("Seen")
    browsing.shot(page, f"{stack.platform}-phone-answered-and-seen")
    shown = page.evaluate("document.body.innerText")
    assert ben.display_name not in shown and "replying" not in shown, shown


def test_a_reported_answer_reaches_the_sites_moderators_who_hide_it_from_the_member(
    stack, browsing
):
    """On BuddyBoss with its moderation on, in its Reported Content (owned by the admin who
    wrote it, reported by the member); on BuddyPress, on the plugin's screen. Hidden there,
    the member reads that the site's moderators removed it; the team reads it, marked."""
    ada = stack.ada
    member = stack.new_member("Rita Report")
    stack.send_as(member, "Is the shop open on Sundays?")
    rude = "Read the sign on the door, like everyone."
    answer = stack.reply_as(ada, member, rude)
    reported = stack.proxy(
        member,
        "POST",
        f"me/spaces/{stack.space_id}/messages/{answer['id']}/report",
        json={"reason": "harassment", "details": "Curt, twice."},
    )
    assert reported.status_code == 201, reported.text
    report_id = reported.json()["id"]
    moderator = stack.person("site.moderator", "Sam Moderator", role="administrator")
    member_page = browsing.login(member, f"{stack.inbox_url}?space={stack.space_id}")
    expect(message_in(member_inbox(member_page), rude)).to_be_visible()
    page = browsing.login(moderator, "/wp-admin/")

    if stack.buddyboss:
        record = eventually(
            lambda: stack.site.sql(
                "SELECT id FROM {prefix}bp_suspend WHERE item_type = 'space_inbox_answer'"
                " AND item_id = %s",
                [answer["id"]],
            ),
            NOTIFY_WAIT,
        )
        assert record, "the report did not reach BuddyBoss' moderation"
        # Reported by the member, with the reason and their words.
        reports = stack.site.sql(
            "SELECT user_id, content FROM {prefix}bp_moderation WHERE moderation_id = %s",
            [record[0][0]],
        )
        assert [tuple(r) for r in reports] == [
            (
                member.user_id,
                f"An answer of {SPACE_NAME}: Rude, threatening or harassing — Curt, twice.",
            )
        ]
        page.goto(
            f"{stack.url}/wp-admin/admin.php?page=bb-settings&tab=moderation&panel=reported_content"
        )
        row = page.locator("tr", has_text="Space answer")
        expect(row).to_have_count(1)
        # Who wrote it, for the moderators (BuddyBoss' admin screens name members by nicename).
        names = "|".join(re.escape(n) for n in (ada.display_name, stack.nicename(ada)))
        expect(row.locator("td").nth(2)).to_have_text(re.compile(rf"^\s*({names})\s*$"))
        expect(row.locator("td").nth(3)).to_have_text("1")
        browsing.shot(page, "buddyboss-reported-content")
        link = row.get_by_role("link", name=f"Space answer #{answer['id']}")
        expect(link).to_have_attribute(
            "href", re.compile(rf"page=space-inbox-reports&report={report_id}$")
        )
        confirm = choose_in_row_menu(page, row, "Hide Content")  # BuddyBoss asks first
        confirm.get_by_role("button", name="Hide", exact=True).click()
        expect(row).to_contain_text("Hidden")
        browsing.shot(page, "buddyboss-reported-content-hidden")
    else:
        page.goto(f"{stack.url}/wp-admin/admin.php?page=space-inbox-reports&report={report_id}")
        expect(page.get_by_role("heading", name=re.compile("written by"))).to_contain_text(
            ada.display_name
        )
        page.get_by_role("button", name="Hide it from the member").click()
        expect(page.get_by_text("The answer is hidden from the member.")).to_be_visible()
        expect(page.get_by_role("button", name="Show it to the member again")).to_be_visible()
        browsing.shot(page, "report-hidden")
        small = browsing.login(moderator, page.url.split(stack.url, 1)[1], viewport=NARROW)
        expect(small.get_by_role("button", name="Show it to the member again")).to_be_visible()
        assert horizontal_overflow(small) is None, horizontal_overflow(small)
        browsing.shot(small, "report-hidden-on-a-phone")

    # The member's page (this stack polls: read again; live: tests/test_live.py): the answer
    # removed, its text gone; the team's: marked.
    member_page.reload()
    inbox = member_inbox(member_page)
    removed = inbox.locator(".space-inbox-msg__removed")
    expect(removed).to_have_text("Removed by the site’s moderators.", timeout=NOTIFY_WAIT * 1000)
    expect(inbox.get_by_text(rude)).to_have_count(0)
    browsing.shot(member_page, "member-answer-removed")
    phone = browsing.login(member, f"{stack.inbox_url}?space={stack.space_id}", viewport=NARROW)
    expect(member_inbox(phone).locator(".space-inbox-msg__removed")).to_be_visible()
    assert horizontal_overflow(phone) is None, horizontal_overflow(phone)
    browsing.shot(phone, "member-answer-removed-on-a-phone")
    conversation = stack.conversation_of(member)
    team = browsing.login(
        ada, f"{stack.inbox_url}?team={stack.space_id}&conversation={conversation}"
    )
    kept = message_in(team_inbox(team), rude)
    expect(kept).to_be_visible()
    expect(kept.locator(".space-inbox-msg__hidden")).to_have_text(
        "Hidden from the member by the site’s moderators"
    )
    browsing.shot(team, "team-answer-hidden")
    team_phone = browsing.login(
        ada,
        f"{stack.inbox_url}?team={stack.space_id}&conversation={conversation}",
        viewport=NARROW,
    )
    expect(
        message_in(team_inbox(team_phone), rude).locator(".space-inbox-msg__hidden")
    ).to_be_visible()
    assert horizontal_overflow(team_phone) is None, horizontal_overflow(team_phone)
    browsing.shot(team_phone, "team-answer-hidden-on-a-phone")

    # Shown again, where it was hidden: the member reads it again.
    if stack.buddyboss:
        confirm = choose_in_row_menu(page, row, "Unhide Content")
        confirm.get_by_role("button", name="Unhide", exact=True).click()
        expect(row).not_to_contain_text("Hidden")
    else:
        page.get_by_role("button", name="Show it to the member again").click()
        expect(page.get_by_text("The member reads the answer again.")).to_be_visible()
    member_page.reload()
    expect(message_in(member_inbox(member_page), rude)).to_be_visible()
    expect(member_inbox(member_page).locator(".space-inbox-msg__removed")).to_have_count(0)

    if stack.buddyboss:
        # The member's data erased: their report goes from BuddyBoss' moderation too.
        erased = stack.site.php(
            f"$r = Space_Inbox_Privacy::erase({member.email!r});"
            " echo is_wp_error($r) ? 'no' : 'ok';"
        )
        assert erased.strip() == "ok"
        assert stack.site.sql(
            "SELECT COUNT(*) FROM {prefix}bp_suspend WHERE item_type = 'space_inbox_answer'"
        ) == [(0,)]


def test_a_subscriber_admin_labels_finds_and_reads_the_record_of_a_conversation(stack, browsing):
    ada = stack.ada
    member = stack.new_member("Lou Labelled")
    stack.send_as(member, "Do you print on bamboo towels?")
    conversation = stack.conversation_of(member)
    page = browsing.login(
        ada, f"{stack.inbox_url}?team={stack.space_id}&conversation={conversation}"
    )
    inbox = team_inbox(page)
    expect(message_in(inbox, "bamboo towels")).to_be_visible()
    # A label of the Space's own, made and put on the conversation from its head.
    inbox.get_by_role("button", name="Labels", exact=True).click()
    panel = inbox.get_by_role("group", name="Labels of this conversation")
    panel.get_by_label("New label").fill("Towels")
    panel.get_by_label("New label").press("Enter")
    expect(panel.get_by_role("checkbox", name="Towels")).to_be_checked()
    page.keyboard.press("Escape")
    row = inbox.locator(".space-inbox__item-button", has_text=member.display_name)
    expect(row.locator(".space-inbox__label")).to_have_text(["Towels"])
    # Found by the start of a word of its message.
    field = inbox.get_by_role("searchbox", name="Search")
    field.fill("bamb")
    field.press("Enter")
    rows = inbox.locator(".space-inbox__item-button")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("mark")).to_have_text(["bamb"])
    browsing.shot(page, "search-found")
    field.press("Escape")
    # The record says who put the label on, and to whom the conversation was given.
    given = stack.proxy(
        ada,
        "POST",
        f"spaces/{stack.space_id}/conversations/{conversation}/assign",
        json={"assignee_id": ada.user_id},
    )
    assert given.status_code == 200, given.text
    inbox.get_by_role("button", name="Dashboard").click()
    record = inbox.get_by_role("region", name="The record")
    entry = record.locator(".space-inbox-record__entry").first
    for kind, sentence in (
        (
            "Labels on conversations",
            f"{ada.display_name} changed the labels of {member.display_name}’s conversation:"
            " added Towels",
        ),
        (
            "Assignments",
            f"{ada.display_name} assigned {member.display_name}’s conversation"
            f" to {ada.display_name}",
        ),
    ):
        record.get_by_label("What").select_option(label=kind)
        record.get_by_role("button", name="Show", exact=True).click()
        expect(entry).to_contain_text(sentence)
    record.scroll_into_view_if_needed()
    browsing.shot(page, "the-record-of-assignments")


def test_site_health_has_the_plugins_tests_and_section(stack, browsing):
    check_the_screen(stack, browsing)
