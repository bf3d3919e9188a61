"""The plugin turned off, on again, and deleted, on the whole stack (WordPress 6.1 and 7.1,
the plugin registering the Space post type itself, the bridge beside it).

Deactivated: the Plugins screen warned that the Space pages go with it; the inbox page says
messages are off (no raw shortcode); the bridge refuses members' and teams' writes with
503 ``inbox_off`` while reads still answer; the dispatcher leaves the waiting jobs untried.
Activated again, all of it comes back. Deleted: nothing named after the plugin is left in
WordPress, the bridge still refuses writes, and ``space-inbox uninstall`` drops the bridge's
tables once confirmed.
"""

from __future__ import annotations

import subprocess
import time
import uuid

import pytest
import requests

from devstack.callers import PASSWORD, post_message
from devstack.stack import WholeStack, command
from devstack.wordpress import ADMIN_REQUEST

PREFIX = "wlc_"
PLUGIN = "space-inbox/space-inbox.php"
#: Seconds a bridge process keeps WordPress' list of active plugins (the stack's
#: PLUGIN_CHECK_INTERVAL, 5 by default).
KEPT_FOR = 1
#: Seconds a change of the plugin may take to reach every process, at most.
NOTICED_WITHIN = 10.0


@pytest.fixture(scope="module", params=["wp61", "wp71"])
def stack(request, tmp_path_factory):
    whole = WholeStack(
        tmp_path_factory.mktemp(f"lifecycle-{request.param}"),
        f"si_lifecycle_{uuid.uuid4().hex[:8]}",
        PREFIX,
        platform=request.param,
        PLUGIN_CHECK_INTERVAL=str(KEPT_FOR),
    )
    whole.start()
    try:
        yield whole
    finally:
        whole.stop()


def _send(whole: WholeStack, member, space: int, body: str) -> requests.Response:
    session, nonce = member
    return post_message(session, whole.bridge.url, space, body, nonce)


def _until(what, deadline: float):
    while True:
        found = what()
        if found or time.time() > deadline:
            return found
        time.sleep(0.2)


def _send_until(whole: WholeStack, member, space: int, status: int) -> requests.Response:
    """Send until the bridge answers ``status`` (each process keeps WordPress' list of active
    plugins :data:`KEPT_FOR` seconds), at most :data:`NOTICED_WITHIN` seconds."""
    deadline = time.time() + NOTICED_WITHIN
    while (answer := _send(whole, member, space, "Open?")).status_code != status:
        assert time.time() < deadline, f"still {answer.status_code}: {answer.text}"
        time.sleep(0.2)
    return answer


def _plugin(site, action: str) -> None:
    site.php(
        f"require_once ABSPATH . 'wp-admin/includes/plugin.php'; {action}('{PLUGIN}');",
        preamble=ADMIN_REQUEST,
    )


def test_off_on_and_deleted(stack):
    whole = stack
    site = whole.site
    owner = site.create_user("lc.owner", PASSWORD)
    space = int(
        site.php(
            "$id = wp_insert_post(['post_type' => 'wpe_wpspace', 'post_status' => 'publish',"
            f" 'post_title' => 'Corner Shop', 'post_author' => {owner}]); echo $id;"
        ).strip()
    )
    members = []
    for login in ("lc.member", "lc.second", "lc.third"):  # one per probe: none rate limited
        site.create_user(login, PASSWORD)
        session = site.login(login, PASSWORD)
        members.append((session, site.rest_nonce(session)))
    member = members[0]
    browser = member[0]
    owner_browser = site.login("lc.owner", PASSWORD)
    owner_nonce = site.rest_nonce(owner_browser)
    sent = _send(whole, member, space, "Do you sell stamps?")
    assert sent.status_code == 201, sent.text
    conversation = sent.json()["conversation_id"]
    inbox = site.option("space_inbox_inbox_url")
    space_url = site.php(f"echo get_permalink({space});")
    assert requests.get(space_url, timeout=10).status_code == 200

    # The one who deactivates is told the Space pages go with the plugin.
    admin = site.login(site.admin_login, site.admin_password)
    plugins = admin.get(f"{site.url}/wp-admin/plugins.php", timeout=30).text
    assert "space-inbox-post-type-notice" in plugins
    assert "the 1 Space page is not shown" in plugins

    # No request of the bridge's in WordPress meanwhile (the message's notification): one
    # that loaded the plugin before it went off could build the rewrite rules again, with
    # the Space pages' rules in them, after the deactivation dropped them.
    undelivered = "SELECT COUNT(*) FROM {prefix}spaceinbox_outbox WHERE delivered_at IS NULL"
    assert _until(lambda: site.sql(undelivered)[0][0] == 0, time.time() + 15)
    _plugin(site, "deactivate_plugins")
    off_since = time.time()
    page = browser.get(inbox, timeout=10).text
    assert "Messages to Spaces are turned off for now." in page
    assert "[space_inbox" not in page.replace("<!-- space-inbox-off [space_inbox] -->", "")
    assert requests.get(space_url, timeout=10).status_code == 404  # as the notice said

    refused = _send_until(whole, member, space, 503)
    assert refused.json()["code"] == "inbox_off"
    # Every process knows once its kept view of the plugins has expired: then the team's
    # answer is refused too, whichever worker takes it.
    time.sleep(max(0.0, off_since + KEPT_FOR + 0.5 - time.time()))
    answer = owner_browser.post(
        f"{whole.bridge.url}/api/v1/spaces/{space}/conversations/{conversation}/messages",
        json={"body": "Yes.", "client_key": uuid.uuid4().hex},
        headers={"X-WP-Nonce": owner_nonce},
        timeout=10,
    )
    assert answer.status_code == 503 and answer.json()["code"] == "inbox_off"
    listed = browser.get(f"{whole.bridge.url}/api/v1/me/conversations", timeout=10)
    assert listed.status_code == 200
    assert [c["space"]["id"] for c in listed.json()["conversations"]] == [space]

    # The jobs that wait (those of the messages taken before every process knew, and one
    # more, due now) are not tried while the plugin is off, and go once it is back.
    site.sql(
        "INSERT INTO {prefix}spaceinbox_outbox (kind, user_id, conversation_id, payload,"
        " created_at, next_attempt_at, attempts) SELECT kind, user_id, conversation_id,"
        " payload, created_at, UTC_TIMESTAMP(6), 0 FROM {prefix}spaceinbox_outbox"
        " ORDER BY id LIMIT 1"
    )
    waiting = (
        "SELECT id, attempts FROM {prefix}spaceinbox_outbox WHERE delivered_at IS NULL ORDER BY id"
    )
    before = site.sql(waiting)
    assert before[-1][1] == 0
    whole.bridge.wait_for_dispatcher_passes(2)  # no job tried again meanwhile
    assert site.sql(waiting) == before

    _plugin(site, "activate_plugin")
    page = browser.get(inbox, timeout=10).text
    assert "turned off" not in page and "space-inbox" in page
    assert requests.get(space_url, timeout=10).status_code == 200
    _send_until(whole, members[1], space, 201)
    assert _until(lambda: site.sql(waiting) == [], time.time() + NOTICED_WITHIN)

    # Deleted: WordPress keeps nothing of it; the bridge refuses writes; its tables go on
    # the command's confirmation only.
    _plugin(site, "deactivate_plugins")
    site.php(
        "require_once ABSPATH . 'wp-admin/includes/plugin.php';"
        f" set_transient('space_inbox_reply_time_{space}', [], 600); uninstall_plugin('{PLUGIN}');",
        preamble=ADMIN_REQUEST,
    )
    left = site.sql(
        "SELECT option_name FROM {prefix}options WHERE option_name LIKE %s",
        ["%space\\_inbox%"],
    )
    assert left == []
    _send_until(whole, members[2], space, 503)
    ours = site.sql(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
        " AND table_name LIKE %s",
        [site.db_name, f"{PREFIX}spaceinbox\\_%"],
    )
    assert len(ours) >= 10
    whole.bridge.stop()  # as DEPLOYMENT.md says: stop the service first
    uninstall = [*command(), "uninstall", "--wp-config", str(site.wp_config_path)]
    sql = subprocess.run([*uninstall, "--print-sql"], capture_output=True, text=True, check=True)
    assert sql.stdout.startswith("DROP TABLE ") and f"`{PREFIX}spaceinbox_messages`" in sql.stdout
    kept = subprocess.run(uninstall, input="not-it\n", capture_output=True, text=True)
    assert kept.returncode == 1 and "nothing dropped" in kept.stdout
    assert len(site.sql("SHOW TABLES LIKE %s", [f"{PREFIX}spaceinbox\\_%"])) == len(ours)
    dropped = subprocess.run(
        uninstall, input=f"{site.db_name}\n", capture_output=True, text=True, check=True
    )
    assert f"dropped {len(ours)} tables" in dropped.stdout
    assert site.sql("SHOW TABLES LIKE %s", [f"{PREFIX}spaceinbox\\_%"]) == []
