"""Tools → Site Health: the plugin's tests (the bridge, its notifications, live updates,
WordPress' events) and the Info tab's "Space Inbox" section, on the browser tests' stack
(WordPress 6.1); :func:`check_the_screen` runs on 7.1 + BuddyPress and 7.1 + BuddyBoss too
(``test_platform_journeys``).

The bridge's tests are asynchronous: the screen asks the plugin's REST routes, which read
one status asked of the bridge by a signed call and kept for a while; only those who may
see Site Health get them.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect

from bridge.storage.tables import own
from devstack.callers import PASSWORD

from .support import PREFIX, BrowserStack, Person

ASYNC = ("bridge", "notifications", "live")
#: Labels of the results on a healthy site without Redis (the stack has none).
HEALTHY = {
    "space_inbox_bridge": ("good", "The Space Inbox bridge answers"),
    "space_inbox_notifications": ("good", "Space Inbox notifications are delivered"),
    "space_inbox_live": ("recommended", "Space Inbox live updates are off"),
    "space_inbox_events": ("good", "Space Inbox events reach the bridge"),
    "space_inbox_push": ("good", "Space Inbox can sign push notifications"),
}
SETTINGS = "options-general.php?page=space-inbox"
#: What the plugin keeps of the bridge's last status (Space_Inbox_Options::OPTION_HEALTH).
KEPT = "space_inbox_site_health"


def site_admin(stack: BrowserStack) -> Person:
    """The site's administrator (Space admins are members, not staff)."""
    return stack.person("health.admin", "Hana Health", role="administrator")


def check_the_screen(stack: BrowserStack, browsing) -> None:
    """The administrator's screen runs the tests (the async ones through the REST routes),
    and its Info tab shows the section."""
    stack.site.php(f"delete_option('{KEPT}');")
    page = browsing.login(site_admin(stack), "/wp-admin/site-health.php")
    passed = page.locator("#health-check-issues-good")
    for _test, (status, label) in HEALTHY.items():
        where = passed if status == "good" else page.locator("#health-check-issues-recommended")
        expect(where.get_by_text(label, exact=True)).to_have_count(1)  # the passed are folded
    page.get_by_role("button", name="Passed tests").click()
    expect(passed.get_by_role("button", name=HEALTHY["space_inbox_bridge"][1])).to_be_visible()
    browsing.shot(page, "site-health-status")
    page.goto("/wp-admin/site-health.php?tab=debug")
    section = page.get_by_role("button", name="Space Inbox", exact=True)
    expect(section).to_be_visible()
    section.click()
    expect(page.get_by_text("through WordPress (proxy mode)")).to_be_visible()
    browsing.shot(page, "site-health-info")


def _rest(stack: BrowserStack, login: str | None, name: str) -> requests.Response:
    """An asynchronous test's REST route, as the Site Health screen calls it."""
    url = _tests(stack)["async"][f"space_inbox_{name}"]
    if login is None:
        return requests.get(url, timeout=30)
    with stack.site.login(login, PASSWORD) as session:
        nonce = stack.site.rest_nonce(session)
        return session.get(url, headers={"X-WP-Nonce": nonce}, timeout=30)


def _tests(stack: BrowserStack) -> dict:
    """The plugin's tests as WordPress lists them: direct ones by name, async ones' URLs."""
    return json.loads(
        stack.site.php(
            "require_once ABSPATH . 'wp-admin/includes/class-wp-site-health.php';"
            "$t = WP_Site_Health::get_tests(); $ours = array();"
            "foreach ( $t['direct'] as $k => $v ) { if ( 0 === strpos( $k, 'space_inbox_' ) )"
            " { $ours['direct'][] = $k; } }"
            "foreach ( $t['async'] as $k => $v ) { if ( 0 === strpos( $k, 'space_inbox_' ) )"
            " { $ours['async'][ $k ] = $v['test']; $ours['has_rest'][ $k ] = $v['has_rest'];"
            " $ours['direct_test'][ $k ] = is_callable( $v['async_direct_test'] ); } }"
            "echo wp_json_encode( $ours );"
        )
    )


def _result(stack: BrowserStack, name: str) -> dict:
    """A test's result as the administrator's Site Health screen gets it."""
    direct = {
        "events": "Space_Inbox_Site_Health::test_events",
        "push": "Space_Inbox_Push::test_keys",
    }
    if name in direct:  # a direct test: WordPress runs it while drawing the screen
        return json.loads(stack.site.php(f"echo wp_json_encode({direct[name]}());"))
    answer = _rest(stack, site_admin(stack).login, name)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _forget(stack: BrowserStack) -> None:
    """Drop the kept status: the next test asks the bridge."""
    stack.site.php(f"delete_option('{KEPT}');")


def _outbox_rows(stack: BrowserStack, *rows: tuple[timedelta, int, str]) -> None:
    """Jobs waiting for WordPress, queued *age* ago, tried *attempts* times, not due again
    for an hour (no dispatcher takes them meanwhile)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    for age, attempts, error in rows:
        stack.site.sql(
            f"INSERT INTO {own(PREFIX)}outbox (kind, user_id, conversation_id, payload,"
            " created_at, next_attempt_at, attempts, last_error)"
            " VALUES ('member_message', %s, 1, '{}', %s, %s, %s, %s)",
            [stack.ada.user_id, now - age, now + timedelta(hours=1), attempts, error or None],
        )


def test_site_health_lists_the_plugins_tests(stack):
    tests = _tests(stack)
    assert sorted(tests["direct"]) == ["space_inbox_events", "space_inbox_push"]
    assert sorted(tests["async"]) == sorted(f"space_inbox_{name}" for name in ASYNC)
    for name in ASYNC:
        route = urllib.parse.unquote(tests["async"][f"space_inbox_{name}"])
        assert route.endswith(f"space-inbox/v1/site-health/{name}"), route
        assert tests["has_rest"][f"space_inbox_{name}"] is True
        assert tests["direct_test"][f"space_inbox_{name}"] is True  # the weekly check's


def test_a_healthy_site_passes_them(stack):
    _forget(stack)
    for test, (status, label) in HEALTHY.items():
        result = _result(stack, test.removeprefix("space_inbox_"))
        assert (result["test"], result["status"], result["label"]) == (test, status, label)
        assert result["badge"]["label"] == "Space Inbox"
        assert SETTINGS in result["actions"]
    assert "Notify me on this device" in _result(stack, "push")["description"]
    live = _result(stack, "live")["description"]
    assert "SPACE_INBOX_REDIS_URL" in live and "everything else works" in live


@pytest.mark.parametrize("who", ["logged out", "member", "space admin"])
def test_only_those_who_may_see_site_health_get_the_bridges_tests(stack, who):
    login = {"logged out": None, "member": "health.member", "space admin": "ada.admin"}[who]
    if login == "health.member":
        stack.person(login, "Mo Member")
    kept = stack.site.option(KEPT)
    for name in ASYNC:
        answer = _rest(stack, login, name)
        assert answer.status_code == (401 if login is None else 403), answer.text
        assert "space_inbox" not in answer.text  # no result, not even a stored one
    assert stack.site.option(KEPT) == kept  # and nothing asked of the bridge


def test_the_bridges_status_is_kept_for_five_minutes_then_asked_again(stack):
    """A kept status that says Redis answers (the bridge has none): shown while it is fresh,
    asked again once it is five minutes old."""
    _forget(stack)
    assert _result(stack, "live")["status"] == "recommended"
    stack.site.php(
        f"$k = get_option('{KEPT}'); $k['status']['redis'] = 'ok'; update_option('{KEPT}', $k);"
    )
    for _ in range(2):
        kept = _result(stack, "live")
        assert (kept["status"], kept["label"]) == ("good", "Space Inbox live updates are on")
        assert "Asked of the bridge" in kept["description"]
    stack.site.php(  # five minutes and a second later
        f"$k = get_option('{KEPT}'); $k['checked_at'] -= 301; update_option('{KEPT}', $k);"
    )
    assert _result(stack, "live")["label"] == "Space Inbox live updates are off"


def test_a_bridge_that_does_not_answer_is_critical(stack):
    bridge_url = stack.site.option("space_inbox_bridge_url")
    stack.site.php("update_option('space_inbox_bridge_url', 'http://127.0.0.1:1');")
    try:  # another bridge URL: the kept status is not its
        bridge = _result(stack, "bridge")
        assert (bridge["status"], bridge["label"]) == (
            "critical",
            "The Space Inbox bridge does not answer",
        )
        assert "Members cannot send or read Space messages" in bridge["description"]
        notifications = _result(stack, "notifications")
        assert notifications["status"] == "recommended"
        assert (
            notifications["label"] == "Space Inbox cannot tell whether notifications are delivered"
        )
    finally:
        stack.site.php(f"update_option('space_inbox_bridge_url', '{bridge_url}');")
    assert _result(stack, "bridge")["status"] == "good"


def test_notifications_that_wait_are_late_then_stuck(stack):
    table = f"{own(PREFIX)}outbox"
    try:
        _outbox_rows(stack, (timedelta(minutes=5), 0, ""))
        _forget(stack)
        late = _result(stack, "notifications")
        assert (late["status"], late["label"]) == (
            "recommended",
            "Space Inbox notifications are late",
        )
        # WordPress 6.1 says "5 mins", 7.1 "5 minutes".
        assert re.search(r"1 notification has waited up to 5 min(ute)?s\.", late["description"])

        _outbox_rows(stack, (timedelta(minutes=20), 3, "HTTP 500: the site is down"))
        _forget(stack)
        stuck = _result(stack, "notifications")
        assert (stuck["status"], stuck["label"]) == (
            "critical",
            "Space Inbox notifications are not delivered",
        )
        assert re.search(r"2 notifications have waited up to 20 min(ute)?s\.", stuck["description"])
        assert (
            "1 were refused or not answered; the last error: HTTP 500: the site is down"
            in (stuck["description"])
        )
    finally:
        stack.site.sql(f"DELETE FROM {table} WHERE conversation_id = 1 AND payload = '{{}}'")
        _forget(stack)


def test_events_that_wait_for_the_bridge_are_critical_when_stuck(stack):
    created = (datetime.now(UTC) - timedelta(minutes=20)).strftime("%Y-%m-%d %H:%M:%S")
    stack.site.sql(
        "INSERT INTO {prefix}space_inbox_queue (event_id, payload, attempts, next_attempt,"
        " created, last_error) VALUES (UUID(), '{}', 7, %s, %s, 'HTTP 503')",
        [created, created],
    )
    try:
        events = _result(stack, "events")
        assert (events["status"], events["label"]) == (
            "critical",
            "Space Inbox events wait for the bridge",
        )
        assert re.search(  # WordPress 6.1 says "20 mins", 7.1 "20 minutes"
            r"1 event has waited 20 min(ute)?s for the bridge \(7 attempts; last error: HTTP 503\)",
            events["description"],
        )
    finally:
        stack.site.sql("DELETE FROM {prefix}space_inbox_queue WHERE payload = '{}'")


def test_the_info_tab_has_a_space_inbox_section(stack):
    _forget(stack)
    info = json.loads(
        stack.site.php("echo wp_json_encode(apply_filters('debug_information', array()));")
    )
    section = info["space-inbox"]
    assert section["label"] == "Space Inbox"
    fields = section["fields"]
    assert fields["bridge_url"]["private"] is True  # not in what "Copy site info" copies
    assert fields["mode"]["value"] == "through WordPress (proxy mode)"
    assert fields["redis"]["value"] == "off"
    assert fields["outbox"]["value"] == 0
    assert fields["events"]["value"] == 0
    head = fields["schema"]["debug"]
    assert fields["schema"]["value"] == f"{head} (newest: {head})"


def test_the_site_health_screen_shows_them(stack, browsing):
    check_the_screen(stack, browsing)
