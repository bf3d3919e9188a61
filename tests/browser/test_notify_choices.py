"""How each person is told, chosen in Chromium: a member, for every Space's answers, under
their conversations; an admin, for one Space's new messages, on its Dashboard (their own
choice: a teammate's stays; a site administrator overseeing has none to make). Each box
saves by itself, says so beside it, and goes back when the bridge cannot take it; by
keyboard, at 1280 and 360 px."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from .support import DESKTOP, PASSWORD, admin_inbox, eventually, member_inbox, team_inbox

NARROW = {"width": 360, "height": 740}


def choice_of(stack, person, path: str) -> dict:
    """What the bridge keeps for *person*, asked as they would (through the plugin's proxy)."""
    from devstack.callers import proxy_url

    session = stack.site.login(person.login, PASSWORD)
    answer = session.get(proxy_url(stack.url, path), timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_member_turns_the_email_of_answers_off_and_on_from_their_inbox(stack, browsing):
    member = stack.new_member("Chooser Chloe")
    for viewport in (DESKTOP, NARROW):
        page = browsing.login(member, stack.inbox_url, viewport=viewport)
        inbox = member_inbox(page)
        # The list drawn first: nothing moves under the pointer after.
        expect(inbox.locator(".space-inbox__list-items")).to_contain_text("No conversations")
        choices = inbox.locator(".space-inbox-choices")
        expect(choices.locator("legend")).to_have_text("When a Space answers you")
        box = choices.get_by_role("checkbox", name="E-mail me")
        expect(box).to_be_enabled()
        expect(box).to_be_checked()  # the site's default
        status = choices.get_by_role("status")
        box.focus()
        page.keyboard.press("Space")
        expect(status).to_have_text("Saved")
        assert choice_of(stack, member, "me/notifications") == {
            "email": False,
            "push": True,
            "chosen": True,
        }
        browsing.shot(page, f"member-email-off-{viewport['width']}")
        # Kept: a new page shows it; and back on.
        page.reload()
        expect(box).to_be_enabled()
        expect(box).not_to_be_checked()
        box.check()
        expect(status).to_have_text("Saved")
        assert choice_of(stack, member, "me/notifications")["email"] is True
        assert not page.evaluate(
            "document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
        page.context.close()


def test_a_change_the_bridge_cannot_take_goes_back_and_says_why(stack, browsing):
    member = stack.new_member("Offline Olivia")
    page = browsing.login(member, stack.inbox_url, viewport=DESKTOP)
    choices = member_inbox(page).locator(".space-inbox-choices")
    box = choices.get_by_role("checkbox", name="E-mail me")
    expect(box).to_be_enabled()
    held = []  # The change is held while the page says it is saving, then fails.
    page.route(re.compile(r"notifications"), lambda route: held.append(route))
    box.uncheck()
    expect(choices.get_by_role("status")).to_have_text(re.compile("Saving"))
    assert eventually(lambda: held, 10, page=page), "the change never left"
    held[0].abort()
    expect(choices.get_by_role("status")).not_to_have_text(re.compile("Saved|Saving"))
    expect(box).to_be_checked()  # not kept: shown as the bridge has it
    browsing.shot(page, "member-choice-not-saved")
    page.unroute(re.compile(r"notifications"))
    assert choice_of(stack, member, "me/notifications")["chosen"] is False


def test_an_admin_mutes_a_space_from_its_dashboard_for_herself_only(stack, browsing):
    ada, ben = stack.ada, stack.ben
    space_id = stack.new_space("Muted Mercantile", ada, [ben])
    path = f"spaces/{space_id}/notifications"
    for viewport in (DESKTOP, NARROW):
        page = browsing.login(
            ada, f"{stack.inbox_url}?team={space_id}&view=dashboard", viewport=viewport
        )
        section = team_inbox(page).locator(".space-inbox-dashboard__yours")
        expect(section.get_by_role("heading")).to_have_text("Your notifications")
        email = section.get_by_role("checkbox", name="By e-mail")
        hours = section.get_by_role("checkbox", name="Also outside the opening hours")
        expect(email).to_be_enabled()
        expect(hours).to_be_enabled()
        if viewport is DESKTOP:
            expect(email).to_be_checked()
            email.uncheck()
            expect(section.get_by_role("status")).to_have_text("Saved")
            hours.uncheck()
            expect(section.get_by_role("status")).to_have_text("Saved")
        else:  # what she chose, on her phone
            expect(email).not_to_be_checked()
            expect(hours).not_to_be_checked()
        section.scroll_into_view_if_needed()
        browsing.shot(page, f"dashboard-your-notifications-{viewport['width']}", full_page=False)
        page.context.close()
    assert choice_of(stack, ada, path) == {
        "email": False,
        "push": True,
        "outside_hours": False,
        "chosen": True,
    }
    assert choice_of(stack, ben, path)["chosen"] is False  # Ben's is still the site's


def test_a_site_administrator_overseeing_a_space_has_no_choice_to_make_there(stack, browsing):
    sam = stack.person("sam.overseer", "Sam Overseer", role="administrator")
    page = browsing.login(sam, stack.admin_inbox_url(space=stack.space_id) + "&view=dashboard")
    dashboard = admin_inbox(page).locator(".space-inbox-dashboard")
    expect(dashboard).to_be_visible()
    expect(dashboard).not_to_have_attribute("aria-busy", "true")
    expect(dashboard.locator(".space-inbox-dashboard__chart")).to_be_visible()  # filled
    expect(dashboard.locator(".space-inbox-dashboard__yours")).to_be_hidden()


def worker_of(page, scope: str) -> bool:
    return page.evaluate(
        """async (scope) => {
            const r = await navigator.serviceWorker.getRegistration(scope);
            return Boolean(r && (r.active || r.installing || r.waiting));
        }""",
        scope,
    )


def test_notify_me_on_this_device_goes_as_far_as_a_browser_offline_can(stack, browsing):
    """Permission, the site's worker registered at the inbox's scope, then the subscription,
    which needs the browser's own push service (out of reach here): said beside the button.
    A push delivered to the worker (as the push service would) is shown as the Space's."""
    member = stack.new_member("Device Dora")
    page = browsing.login(member, stack.inbox_url, viewport=DESKTOP)
    page.context.grant_permissions(["notifications"], origin=stack.url)
    choices = member_inbox(page).locator(".space-inbox-choices")
    expect(choices.get_by_role("checkbox", name="Notify my devices")).to_be_checked()
    button = choices.get_by_role("button", name="Notify me on this device")
    expect(button).to_be_enabled()
    button.click()
    status = choices.locator(".space-inbox-push-device [role=status]")
    expect(status).to_have_text(re.compile("could not subscribe with its push|will be notified"))
    browsing.shot(page, "member-push-device")
    scope = page.evaluate("window.spaceInboxConfig.push.scope")
    assert scope.startswith("/") and stack.inbox_url.endswith(scope), scope
    assert worker_of(page, scope)
    # The push service's part, done by the browser's developer protocol: a push reaches the
    # worker, which shows it.
    cdp = page.context.new_cdp_session(page)
    found: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: found.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    # A push reaches a worker once it is activated (one that is still installing misses it).
    activated = """async (scope) => {
        const r = await navigator.serviceWorker.getRegistration(scope);
        return Boolean(r && r.active && r.active.state === 'activated');
    }"""
    assert eventually(lambda: page.evaluate(activated, scope), 10.0, page)
    shown = """async (scope) => {
        const r = await navigator.serviceWorker.getRegistration(scope);
        return (await r.getNotifications()).map((n) => [n.title, n.body, n.data.url]);
    }"""
    push = {
        "kind": "space_reply",
        "space": "T-Shirt Shop",
        "text": "Yes, in XL too.",
        "url": f"{stack.inbox_url}?space={stack.space_id}",
        "tag": "space-inbox-1",
    }
    # As a push service does, delivered again until the browser has taken it (a busy
    # browser may drop one); the tag makes them one notification. To each registration of
    # the scope the browser reports (the site's origin is every test's: one of an earlier
    # test's page may be listed too).
    for _ in range(3):
        ours = eventually(
            lambda: {
                r["registrationId"]
                for r in found
                if r["scopeURL"].endswith(scope) and not r["isDeleted"]
            },
            10.0,
            page,
        )
        assert ours, found
        for registration_id in sorted(ours):
            cdp.send(
                "ServiceWorker.deliverPushMessage",
                {"origin": stack.url, "registrationId": registration_id, "data": json.dumps(push)},
            )
        if eventually(lambda: page.evaluate(shown, scope), 5.0, page):
            break
    permission = page.evaluate("Notification.permission")
    assert page.evaluate(shown, scope) == [
        [
            "T-Shirt Shop answered you",
            "Yes, in XL too.",
            f"{stack.inbox_url}?space={stack.space_id}",
        ]
    ], (permission, found)

    # A click on it opens its conversation (the browser's window opening stands in: the
    # worker is handed the click as the browser hands it; a page of another site is refused).
    (worker,) = [w for w in page.context.service_workers if "space-inbox-worker" in w.url]
    clicked = """async (url) => {
        const opened = [];
        clients.openWindow = async (href) => { opened.push(href); };
        await self.registration.showNotification('Clicked', { tag: 'click', data: { url } });
        const [shown] = await self.registration.getNotifications({ tag: 'click' });
        self.dispatchEvent(new NotificationEvent('notificationclick', { notification: shown }));
        await new Promise((done) => setTimeout(done, 100));
        return opened;
    }"""
    conversation = f"{stack.inbox_url}?space={stack.space_id}"
    assert worker.evaluate(clicked, conversation) == [conversation]
    assert worker.evaluate(clicked, "https://elsewhere.example/") == []


def test_a_browser_that_does_not_allow_notifications_is_told_so(stack, browsing):
    member = stack.new_member("Blocked Bea")
    page = browsing.login(member, stack.inbox_url, viewport=NARROW)
    choices = member_inbox(page).locator(".space-inbox-choices")
    choices.get_by_role("button", name="Notify me on this device").click()
    status = choices.locator(".space-inbox-push-device [role=status]")
    expect(status).to_contain_text(re.compile("Not turned on|blocked"))
    browsing.shot(page, "member-push-not-allowed")
