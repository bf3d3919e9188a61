"""The whole stack: a real WordPress with the plugin active, the real bridge served by
gunicorn with its dispatcher, and MariaDB. What the plugin sends reaches the bridge, what
the bridge notifies reaches WordPress, and nothing is lost when the bridge is away."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
import zipfile

import pytest
import requests

from bridge import limits
from bridge.inbox import choices
from bridge.storage.tables import own
from bridge.wordpress import signing
from devstack.callers import PASSWORD, proxy_url
from devstack.platforms import build_site
from devstack.push_service import PushService
from devstack.stack import PLUGIN, BridgeServer, WholeStack, new_space
from devstack.wordpress import ADMIN_REQUEST, WordPressSite, free_port, php_str

PREFIX = "wps_"
WAIT = 20.0


class Stack:
    def __init__(self, site: WordPressSite, bridge: BridgeServer, pushed: PushService) -> None:
        self.site = site
        self.bridge = bridge
        #: The push service the bridge may send to (the tests' own).
        self.pushed = pushed
        self.secret = site.option("space_inbox_secret")

    def rows(self, table: str, where: str = "1", args=None) -> list[tuple]:
        return self.site.sql(f"SELECT * FROM {own(PREFIX)}{table} WHERE {where}", args)

    def space(self, space_id: int):
        found = self.site.sql(
            f"SELECT name, status FROM {own(PREFIX)}spaces WHERE id = %s", [space_id]
        )
        return found[0] if found else None

    def team(self, space_id: int) -> list[int]:
        return sorted(
            r[0]
            for r in self.site.sql(
                f"SELECT user_id FROM {own(PREFIX)}space_admins WHERE space_id = %s", [space_id]
            )
        )

    def queue(self) -> int:
        return self.site.sql("SELECT COUNT(*) FROM {prefix}space_inbox_queue")[0][0]

    def new_space(self, title: str, author: int, team: list[int]) -> int:
        return new_space(self.site, title, author, team)

    def user(self, login: str, role: str = "subscriber") -> int:
        return self.site.user_id(login) or self.site.create_user(
            login,
            PASSWORD,
            role=role,
            email=f"{login}@example.org",
            display_name=login.replace(".", " ").title(),
        )

    def browser(self, login: str) -> tuple[requests.Session, str]:
        session = self.site.login(login, PASSWORD)
        return session, self.site.rest_nonce(session)


def _eventually(check, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    pushed = PushService()
    whole = WholeStack(
        tmp_path_factory.mktemp("stack"),
        f"si_test_stack_{os.getpid()}",
        PREFIX,
        DISPATCH_INTERVAL="1",
        PUSH_SERVICES=pushed.origin,
    ).start()
    try:
        yield Stack(whole.site, whole.bridge, pushed)
    finally:
        whole.stop()
        pushed.close()


def test_a_space_and_its_team_reach_the_bridge(stack):
    owner, ada, ben = stack.user("st.owner"), stack.user("st.ada"), stack.user("st.ben")
    space_id = stack.new_space("Pizzeria Stack", owner, [ada])
    assert stack.space(space_id) == ("Pizzeria Stack", "active")
    assert stack.team(space_id) == sorted([owner, ada])

    stack.site.php(
        f"wp_update_post(['ID' => {space_id}, 'post_title' => 'Pizzeria Renamed']);"
        f"delete_post_meta({space_id}, '_space_inbox_team', {ada});"
        f"add_post_meta({space_id}, '_space_inbox_team', {ben});"
        f"wp_update_post(['ID' => {space_id}]);"
    )
    assert stack.space(space_id) == ("Pizzeria Renamed", "active")
    assert stack.team(space_id) == sorted([owner, ben])

    stack.site.php(f"wp_trash_post({space_id});")
    assert stack.space(space_id)[1] == "deleted"
    stack.site.php(f"wp_untrash_post({space_id}); wp_publish_post({space_id});")
    assert stack.space(space_id)[1] == "active"
    assert stack.queue() == 0


def test_a_team_bigger_than_the_bridge_takes_is_cut_and_still_syncs(stack):
    owner = stack.user("st.big.owner")
    space_id = stack.new_space("Big Team", owner, [])
    extra = limits.TEAM_MAX + 500
    stack.site.php(
        "add_filter('space_inbox_space_admins', static function ($ids) {"
        f" return array_merge(range(900001, 900000 + {extra}), $ids); }});"
        f"wp_update_post(['ID' => {space_id}]);"
    )
    team = stack.team(space_id)
    assert len(team) == limits.TEAM_MAX
    assert owner in team
    assert stack.queue() == 0


def test_the_team_meta_box_adds_up_to_the_limit_and_says_why_it_stopped(stack):
    owner, ada, ben = stack.user("st.box.owner"), stack.user("st.box.ada"), stack.user("st.box.ben")
    space_id = stack.new_space("Team Box", owner, [])

    def save(add: str, prefill: int = 0) -> str:
        fill = (
            f"foreach (range(800001, {800000 + prefill}) as $id) {{ add_post_meta({space_id},"
            " Space_Inbox_Spaces::TEAM_META, (string) $id); }"
            if prefill
            else ""
        )
        return stack.site.php(
            fill + "wp_set_current_user(1);"
            "$_POST[Space_Inbox_Team_Box::NONCE_FIELD] ="
            " wp_create_nonce(Space_Inbox_Team_Box::NONCE_ACTION);"
            f"$_POST['space_inbox_team_add'] = {php_str(add)};"
            f"Space_Inbox_Team_Box::save_meta_box({space_id});"
            "echo apply_filters('redirect_post_location', 'post.php', 1);",
            preamble=ADMIN_REQUEST,
        )

    assert save("st.box.ada, nobody-by-that-name") == "post.php?space_inbox_team_notice=not_found"
    assert save("st.box.ada") == "post.php"

    def team() -> list[int]:
        listed = stack.site.php(f"echo implode(',', Space_Inbox_Spaces::team({space_id}));")
        return [int(i) for i in listed.split(",")]

    assert team() == [ada]
    # With the author, a team of TEAM_MAX - 1 stored members is full.
    assert save("st.box.ben", prefill=limits.TEAM_MAX - 2) == (
        "post.php?space_inbox_team_notice=team_full"
    )
    assert len(team()) == limits.TEAM_MAX - 1
    assert ben not in team()


def test_events_wait_while_the_bridge_is_down_and_arrive_after(stack):
    owner = stack.user("st.owner2")
    stack.bridge.stop()
    try:
        space_id = stack.new_space("Market While Down", owner, [])
        stack.site.php(f"wp_update_post(['ID' => {space_id}, 'post_title' => 'Market Later']);")
        assert stack.queue() >= 1
        assert stack.space(space_id) is None
        # The plugin retries on its cron while the bridge is away: nothing is dropped.
        stack.site.php("do_action('space_inbox_flush_queue');")
        assert stack.queue() >= 1
    finally:
        stack.bridge.start()
    stack.site.php("do_action('space_inbox_flush_queue');")
    assert stack.queue() == 0
    assert stack.space(space_id) == ("Market Later", "active")


def test_a_new_bridge_url_gets_what_waits_at_once(stack):
    """Events wait for a bridge URL nobody answers at; saving the right URL sends them then,
    with no cron run, so the settings screen's status speaks of the new bridge."""
    owner = stack.user("st.owner4")
    right = stack.site.option("space_inbox_bridge_url")
    stack.site.php(f"update_option('space_inbox_bridge_url', 'http://127.0.0.1:{free_port()}');")
    try:
        space_id = stack.new_space("Market Elsewhere", owner, [])
        assert stack.queue() >= 1
        assert stack.space(space_id) is None
    finally:
        stack.site.php(f"update_option('space_inbox_bridge_url', {php_str(right)});")
    assert stack.queue() == 0
    assert stack.space(space_id) == ("Market Elsewhere", "active")


def test_resync_from_the_settings_screen_sends_every_space_once(stack):
    owner = stack.user("st.owner3")
    ids = [stack.new_space(f"Resync {n}", owner, []) for n in range(3)]
    # Forget them in the bridge, as if it had been set up after the Spaces existed.
    placeholders = ", ".join(["%s"] * len(ids))
    stack.site.sql(f"DELETE FROM {own(PREFIX)}spaces WHERE id IN ({placeholders})", ids)
    seen_before = stack.site.sql(f"SELECT COUNT(*) FROM {own(PREFIX)}events_seen")[0][0]

    admin = stack.site.login(stack.site.admin_login, stack.site.admin_password)
    nonce = stack.site.rest_nonce(admin)
    page, total = 1, None
    while page:
        answer = admin.post(
            f"{stack.site.url}/?rest_route=/space-inbox/v1/resync",
            json={"page": page},
            headers={"X-WP-Nonce": nonce},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        total = body["total"]
        page = body.get("next_page")
    stack.site.php("do_action('space_inbox_flush_queue');")
    published = int(
        stack.site.php(
            "echo count(get_posts(['post_type' => 'wpe_wpspace', 'post_status' => 'publish',"
            " 'numberposts' => -1, 'fields' => 'ids']));"
        )
    )
    assert total == published
    for space_id in ids:
        assert stack.space(space_id)[1] == "active"
    seen_after = stack.site.sql(f"SELECT COUNT(*) FROM {own(PREFIX)}events_seen")[0][0]
    assert seen_after - seen_before == published  # one event per Space, not more


def test_resync_is_for_site_administrators_only(stack):
    stack.user("st.nosy")
    browser, nonce = stack.browser("st.nosy")
    answer = browser.post(
        f"{stack.site.url}/?rest_route=/space-inbox/v1/resync",
        json={"page": 1},
        headers={"X-WP-Nonce": nonce},
        timeout=30,
    )
    assert answer.status_code == 403
    # A site administrator's cookie without the REST nonce is no login to WordPress' REST API.
    admin = stack.site.login(stack.site.admin_login, stack.site.admin_password)
    answer = admin.post(
        f"{stack.site.url}/?rest_route=/space-inbox/v1/resync", json={"page": 1}, timeout=30
    )
    assert answer.status_code == 401


def _form_nonce(html: str, action: str) -> str:
    """The nonce of the page's form that posts *action*."""
    form = html[: html.index(f'name="action" value="{action}"')]
    return re.findall(r'name="_wpnonce" value="([0-9a-f]+)"', form)[-1]


def _proxy(stack, browser, nonce, method, path, **kwargs):
    return browser.request(
        method,
        proxy_url(stack.site.url, path),
        headers={"X-WP-Nonce": nonce, **kwargs.pop("headers", {})},
        timeout=30,
        **kwargs,
    )


def test_a_members_message_notifies_every_admin_once_through_wordpress(stack):
    owner, ada = stack.user("nt.owner"), stack.user("nt.ada")
    stack.user("nt.member")
    space_id = stack.new_space("T-Shirt Shop", owner, [ada])
    browser, nonce = stack.browser("nt.member")
    before = len(stack.site.sent_mail())

    sent = _proxy(
        stack,
        browser,
        nonce,
        "POST",
        f"me/spaces/{space_id}/messages",
        json={"body": "Do you have this t-shirt in XL?", "client_key": "xl-1"},
    )
    assert sent.status_code == 201, sent.text
    # The bridge saw the member's own cookie: the message is theirs.
    member_id = stack.user("nt.member")
    authors = stack.site.sql(
        f"SELECT author_id FROM {own(PREFIX)}messages WHERE body LIKE %s", ["%t-shirt in XL%"]
    )
    assert authors == [(member_id,)]

    def mails():
        return [m for m in stack.site.sent_mail()[before:] if "T-Shirt Shop" in json.dumps(m)]

    got = _eventually(lambda: len(mails()) >= 2 and mails())
    assert got, stack.bridge.log.read_text()[-2000:]
    recipients = sorted(
        r for m in got for r in (m["to"] if isinstance(m["to"], list) else [m["to"]])
    )
    assert recipients == ["nt.ada@example.org", "nt.owner@example.org"]
    delivered = _eventually(
        lambda: all(
            r[0] is not None
            for r in stack.site.sql(
                f"SELECT delivered_at FROM {own(PREFIX)}outbox WHERE kind = 'member_message'"
            )
        )
    )
    assert delivered
    stack.bridge.wait_for_dispatcher_passes(2)  # more passes: still exactly one mail per admin
    assert len(mails()) == 2


def test_a_push_signed_with_the_sites_own_keys_reaches_each_admins_device(stack):
    """The keys the plugin made on activation sign the pushes; a device subscribed through
    the site (the plugin's proxy, the admin's own login) is pushed a member's message."""
    public, private = (stack.site.option(f"space_inbox_vapid_{k}") for k in ("public", "private"))
    assert len(public) == 87 and len(private) == 43  # base64url: a P-256 point, 32 bytes
    space_id, cid, _, _, owner, owner_nonce = _a_conversation(
        stack, "ps", "Push Pantry", "Open today?", "owner"
    )
    device = stack.pushed.subscribe()
    kept = _proxy(stack, owner, owner_nonce, "POST", "me/push-subscriptions", json=device)
    assert kept.status_code == 201, kept.text
    member, member_nonce = stack.browser("ps.member")
    sent = _proxy(
        stack,
        member,
        member_nonce,
        "POST",
        f"me/spaces/{space_id}/messages",
        json={"body": "And tomorrow?", "client_key": "ps-2"},
    )
    assert sent.status_code == 201, sent.text
    assert _eventually(lambda: stack.pushed.for_(device)), stack.bridge.log.read_text()[-2000:]
    (got,) = stack.pushed.for_(device)
    assert got.vapid_key == public and got.claims["sub"] == "mailto:admin@example.org"
    assert got.payload["kind"] == "member_message" and got.payload["text"] == "And tomorrow?"
    assert got.payload["space"] == "Push Pantry" and got.payload["from"] == "Ps Member"
    assert f"team={space_id}&conversation={cid}" in got.payload["url"]
    assert got.payload["url"].startswith(stack.site.option("space_inbox_inbox_url"))
    assert stack.pushed.refusals == []


def _email_delay(stack, seconds: int) -> None:
    """Set the site's e-mail delay, and wait until the dispatcher goes by it: a pass after
    the bridge's copy of the option has lapsed."""
    stack.site.php(f"update_option('space_inbox_email_delay', {seconds});")
    time.sleep(choices.KEPT + 0.1)
    stack.bridge.wait_for_dispatcher_passes(1)


def _to(mail: dict) -> list[str]:
    return mail["to"] if isinstance(mail["to"], list) else [mail["to"]]


def test_what_comes_within_the_delay_is_one_email_and_nothing_read_is_mailed(stack):
    """Through WordPress: a member's two messages within the delay are one e-mail to each
    admin; a message the team read before it was due, none; the Space's two answers, one
    e-mail to the member from the Space, naming no admin."""
    space_id, cid, _, _, owner, owner_nonce = _a_conversation(
        stack, "dg", "Digest Deli", "Open on Sunday?", "owner"
    )
    member, member_nonce = stack.browser("dg.member")
    _eventually(lambda: len([m for m in stack.site.sent_mail() if "Digest Deli" in m["subject"]]))
    before = len(stack.site.sent_mail())

    def mails(to: str) -> list[dict]:
        return [m for m in stack.site.sent_mail()[before:] if f"{to}@example.org" in _to(m)]

    def send(body: str) -> None:
        answer = _proxy(
            stack,
            member,
            member_nonce,
            "POST",
            f"me/spaces/{space_id}/messages",
            json={"body": body, "client_key": uuid.uuid4().hex},
        )
        assert answer.status_code == 201, answer.text

    def settled() -> bool:
        """Nothing more to come: no digest waits for the Space, no e-mail job is undelivered
        (WordPress has mailed a job before the bridge marks it delivered)."""
        waiting = f"SELECT COUNT(*) FROM {own(PREFIX)}digests WHERE space_id = %s"
        pending = (
            f"SELECT COUNT(*) FROM {own(PREFIX)}outbox"
            " WHERE kind = 'email_digest' AND delivered_at IS NULL"
        )
        return stack.site.sql(waiting, [space_id]) == stack.site.sql(pending) == [(0,)]

    _email_delay(stack, 2)
    try:
        send("And on Monday?")
        send("Do you take cards?")
        got = _eventually(lambda: mails("dg.owner") and mails("dg.ada") and settled())
        assert got, stack.bridge.log.read_text()[-2000:]
        for admin in ("dg.owner", "dg.ada"):
            (mail,) = mails(admin)
            assert mail["subject"] == "2 new messages for Digest Deli", mail
            text = mail["message"]
            assert "Dg Member, " in text and "And on Monday?" in text
            assert "Do you take cards?" in text
            assert "Open on Sunday?" not in text  # mailed before
            assert f"team={space_id}&conversation={cid}" in text  # one conversation: opens it
        # Read before it was due: no e-mail.
        before = len(stack.site.sent_mail())
        send("Never mind, found it.")
        read = _proxy(
            stack, owner, owner_nonce, "POST", f"spaces/{space_id}/conversations/{cid}/read"
        )
        assert read.status_code == 204, read.text
        assert _eventually(settled)
        assert mails("dg.owner") == [] and mails("dg.ada") == []
        # The Space's two answers: one e-mail to the member, from the Space.
        for body in ("Yes, from noon.", "And cards are fine."):
            answer = _proxy(
                stack,
                owner,
                owner_nonce,
                "POST",
                f"spaces/{space_id}/conversations/{cid}/messages",
                json={"body": body, "client_key": uuid.uuid4().hex},
            )
            assert answer.status_code == 201, answer.text
        assert _eventually(lambda: mails("dg.member") and settled())
        (mail,) = mails("dg.member")
        assert mail["subject"] == "Digest Deli answered you"
        assert "Yes, from noon." in mail["message"] and "And cards are fine." in mail["message"]
        assert any(h.startswith('From: "Digest Deli" <') for h in mail["headers"]), mail
        assert "Dg Owner" not in json.dumps(mail) and "dg.owner" not in json.dumps(mail)
        assert f"space={space_id}" in mail["message"]
    finally:
        _email_delay(stack, 0)


def _a_conversation(stack, prefix: str, name: str, question: str, answerer: str):
    """A Space of ``<prefix>.owner`` and ``<prefix>.ada``, to which ``<prefix>.member``
    wrote; its id, the conversation's, the owner's and Ada's ids, and *answerer*'s browser
    session and nonce."""
    owner, ada = stack.user(f"{prefix}.owner"), stack.user(f"{prefix}.ada")
    stack.user(f"{prefix}.member")
    space_id = stack.new_space(name, owner, [ada])
    member, member_nonce = stack.browser(f"{prefix}.member")
    sent = _proxy(
        stack,
        member,
        member_nonce,
        "POST",
        f"me/spaces/{space_id}/messages",
        json={"body": question, "client_key": f"{prefix}-1"},
    )
    assert sent.status_code == 201, sent.text
    team, team_nonce = stack.browser(f"{prefix}.{answerer}")
    listing = _proxy(stack, team, team_nonce, "GET", f"spaces/{space_id}/conversations")
    cid = listing.json()["conversations"][0]["id"]
    return space_id, cid, owner, ada, team, team_nonce


def test_a_note_tells_the_teammate_it_mentions_and_never_the_member(stack):
    space_id, cid, _, _, team, team_nonce = _a_conversation(
        stack, "nm", "Note Noodles", "Any vegan broth?", "ada"
    )
    before = len(stack.site.sent_mail())
    noted = _proxy(
        stack,
        team,
        team_nonce,
        "POST",
        f"spaces/{space_id}/conversations/{cid}/notes",
        json={"body": "@nm.owner the supplier knows, can you check?", "client_key": "nm-n1"},
    )
    assert noted.status_code == 201, noted.text

    def mails():
        return [m for m in stack.site.sent_mail()[before:] if "supplier" in json.dumps(m)]

    got = _eventually(lambda: mails())
    assert got, stack.bridge.log.read_text()[-2000:]
    (mail,) = got
    assert mail["to"] in ("nm.owner@example.org", ["nm.owner@example.org"])
    assert mail["subject"] == "Nm Ada mentioned you in a note for Note Noodles", mail
    assert "the supplier knows" in mail["message"] and "Only the team sees notes" in mail["message"]
    # Its notification leads the owner to the conversation in the team's inbox.
    link = stack.site.php(
        f"echo Space_Inbox_Notification_Listing::format( '', {space_id}, {cid}, 1, 'object',"
        " 'note_mention', 'space_inbox' )['link'];"
    )
    assert f"team={space_id}&conversation={cid}" in link, link
    # Delivered, and nothing of it was sent to the member.
    assert _eventually(
        lambda: all(
            r[0] is not None
            for r in stack.site.sql(
                f"SELECT delivered_at FROM {own(PREFIX)}outbox WHERE kind = 'note_mention'"
            )
        )
    )
    assert not [m for m in stack.site.sent_mail() if "nm.member@" in json.dumps(m)]


def test_a_reported_answer_reaches_the_moderators_who_see_its_author_and_close_it(stack):
    space_id, cid, _, _, team, team_nonce = _a_conversation(
        stack, "rp", "Report Rugs", "Can I return a rug?", "ada"
    )
    answered = _proxy(
        stack,
        team,
        team_nonce,
        "POST",
        f"spaces/{space_id}/conversations/{cid}/messages",
        json={"body": "Read the terms yourself.", "client_key": "rp-a1"},
    )
    assert answered.status_code == 201, answered.text
    moderator = stack.user("rp.moderator", role="administrator")
    member, member_nonce = stack.browser("rp.member")
    before = len(stack.site.sent_mail())
    reported = _proxy(
        stack,
        member,
        member_nonce,
        "POST",
        f"me/spaces/{space_id}/messages/{answered.json()['id']}/report",
        json={"reason": "harassment", "details": "Rude."},
    )
    assert reported.status_code == 201, reported.text
    report_id = reported.json()["id"]

    # The moderators (site administrators, by default) get an e-mail; nobody else does.
    def mails():
        return [m for m in stack.site.sent_mail()[before:] if "reported an answer" in m["subject"]]

    got = _eventually(lambda: mails())
    assert got, stack.bridge.log.read_text()[-2000:]
    told = {m["to"] if isinstance(m["to"], str) else m["to"][0] for m in got}
    assert "rp.moderator@example.org" in told
    assert not told & {"rp.member@example.org", "rp.ada@example.org", "rp.owner@example.org"}
    mail = next(m for m in got if "rp.moderator@" in json.dumps(m["to"]))
    assert mail["subject"] == "A member reported an answer of Report Rugs"
    assert "Rude, threatening or harassing" in mail["message"] and "Rude." in mail["message"]
    assert "Rp Ada" not in mail["message"]  # the author is on the screen only
    assert f"page=space-inbox-reports&report={report_id}" in mail["message"].replace("&amp;", "&")

    # The screen names the author and shows the conversation; a Space admin cannot open it.
    admin, _ = stack.browser("rp.moderator")
    screen = f"{stack.site.url}/wp-admin/admin.php?page=space-inbox-reports"
    listing = admin.get(screen, timeout=30)
    assert listing.status_code == 200 and "Rp Ada" in listing.text and "Rp Member" in listing.text
    page = admin.get(f"{screen}&report={report_id}", timeout=30)
    shown = page.text[page.text.find('class="wrap space-inbox-reports"') :][:3000]
    assert "An answer of Report Rugs, written by Rp Ada" in page.text, shown
    assert "Can I return a rug?" in page.text and "Read the terms yourself." in page.text
    assert team.get(screen, timeout=30).status_code == 403
    # Closing it: with the form's nonce only.
    nonce = _form_nonce(page.text, "space_inbox_resolve_report")
    form = {
        "action": "space_inbox_resolve_report",
        "report": str(report_id),
        "outcome": "Talked to the Space's owner.",
    }
    post = f"{stack.site.url}/wp-admin/admin-post.php"
    refused = admin.post(post, data={**form, "_wpnonce": "0"}, timeout=30)
    assert refused.status_code == 403
    # Hiding the answer from the member: with the form's own nonce only.
    hide_nonce = _form_nonce(page.text, "space_inbox_hide_answer")
    hiding = {"action": "space_inbox_hide_answer", "report": str(report_id), "hidden": "1"}
    assert admin.post(post, data={**hiding, "_wpnonce": nonce}, timeout=30).status_code == 403
    assert team.post(post, data={**hiding, "_wpnonce": hide_nonce}, timeout=30).status_code == 403
    hid = admin.post(post, data={**hiding, "_wpnonce": hide_nonce}, timeout=30)
    assert hid.status_code == 200 and "The answer is hidden from the member." in hid.text
    assert "Hidden from the member by Rp Moderator" in hid.text
    seen = _proxy(stack, member, member_nonce, "GET", f"me/spaces/{space_id}/messages")
    assert "Read the terms yourself." not in seen.text
    assert [m.get("removed") for m in seen.json()["messages"]] == [None, True]
    closed = admin.post(post, data={**form, "_wpnonce": nonce}, timeout=30)
    assert closed.status_code == 200 and "The report is closed." in closed.text
    assert "Closed by Rp Moderator" in closed.text and "owner." in closed.text
    row = stack.site.sql(
        f"SELECT resolved_by, outcome FROM {own(PREFIX)}reports WHERE id = %s", [report_id]
    )
    assert tuple(row[0]) == (moderator, "Talked to the Space's owner.")


def test_a_conversation_given_to_a_teammate_tells_them_through_wordpress(stack):
    space_id, cid, _, ada, team, team_nonce = _a_conversation(
        stack, "as", "Assign Apparel", "Where is my parcel?", "owner"
    )
    before = len(stack.site.sent_mail())
    given = _proxy(
        stack,
        team,
        team_nonce,
        "POST",
        f"spaces/{space_id}/conversations/{cid}/assign",
        json={"assignee_id": ada},
    )
    assert given.status_code == 200, given.text

    def mails():
        return [m for m in stack.site.sent_mail()[before:] if "gave you" in m["subject"]]

    got = _eventually(lambda: mails())
    assert got, stack.bridge.log.read_text()[-2000:]
    (mail,) = got
    assert mail["to"] in ("as.ada@example.org", ["as.ada@example.org"])
    assert mail["subject"] == "As Owner gave you a conversation of Assign Apparel", mail
    assert "As Member" in mail["message"] and "Where is my parcel?" in mail["message"]
    link = stack.site.php(
        f"echo Space_Inbox_Notification_Listing::format( '', {space_id}, {cid}, 1, 'object',"
        " 'assigned', 'space_inbox' )['text'];"
    )
    assert link == "A conversation of Assign Apparel was given to you"


def test_the_proxy_forwards_the_members_own_cookie_and_nonce(stack):
    stack.user("px.member")
    browser, nonce = stack.browser("px.member")
    through = _proxy(stack, browser, nonce, "GET", "me/summary")
    assert through.status_code == 200, through.text
    name, value = stack.site.logged_in_cookie(browser)
    direct = requests.get(
        f"{stack.bridge.url}/api/v1/me/summary", headers={"Cookie": f"{name}={value}"}, timeout=10
    )
    assert through.json() == direct.json()
    etag = through.headers["ETag"]
    again = _proxy(stack, browser, nonce, "GET", "me/summary", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_the_proxy_refuses_strangers_and_signed_paths(stack):
    anonymous = requests.get(proxy_url(stack.site.url, "me/summary"), timeout=10)
    assert anonymous.status_code == 401
    stack.user("px.other")
    browser, nonce = stack.browser("px.other")
    bad_nonce = _proxy(
        stack,
        browser,
        nonce,
        "POST",
        "me/spaces/1/messages",
        json={"body": "Hi", "client_key": "px-1"},
        headers={"X-WP-Nonce": "bad"},
    )
    assert bad_nonce.status_code == 403
    forged = _proxy(
        stack,
        browser,
        nonce,
        "POST",
        "events",
        json={
            "events": [{"id": str(uuid.uuid4()), "type": "user.deleted", "data": {"user_id": 1}}]
        },
    )
    assert forged.status_code == 404


def _notify(stack, payload: dict, *, secret: str | None = None, stamp: int | None = None):
    body = json.dumps(payload).encode()
    ts = str(int(time.time()) if stamp is None else stamp)
    return requests.post(
        f"{stack.site.url}/?rest_route=/space-inbox/v1/notify",
        data=body,
        headers={
            "Content-Type": "application/json",
            **signing.signed_headers(secret or stack.secret, "notify", body, timestamp=ts),
        },
        timeout=30,
    )


def test_a_repeated_job_id_notifies_nobody_twice(stack):
    member = stack.user("rp.member")
    job = {
        "id": 900001,
        "kind": "email_digest",
        "user_id": member,
        "created_at": "2026-11-25T12:00:00.000000Z",
        "data": {
            "audience": "member",
            "space_id": 1,
            "space_name": "Repeat Cafe",
            "conversation_id": 1,
            "count": 1,
            "messages": [
                {"message_id": 1, "excerpt": "Yes.", "created_at": "2026-11-25T11:59:00.000000Z"}
            ],
        },
    }
    before = len(stack.site.sent_mail())
    first = _notify(stack, {"jobs": [job]})
    assert first.status_code == 200, first.text
    assert first.json()["done"] == [900001]
    second = _notify(stack, {"jobs": [job]})
    assert second.status_code == 200
    mails = [m for m in stack.site.sent_mail()[before:] if "Repeat Cafe" in json.dumps(m)]
    assert len(mails) == 1


def test_notify_refuses_unsigned_forged_and_stale_calls(stack):
    payload = {"jobs": [{"id": 900002, "kind": "space_reply", "user_id": 1, "data": {}}]}
    url = f"{stack.site.url}/?rest_route=/space-inbox/v1/notify"
    assert requests.post(url, json=payload, timeout=30).status_code == 401
    assert _notify(stack, payload, secret="not the secret").status_code == 403
    assert _notify(stack, payload, stamp=int(time.time()) - 400).status_code == 403


def test_notify_takes_a_signed_call_once_and_only_one_signed_for_it(stack):
    """A captured notification replayed is refused, and so is a call the bridge signed for
    another endpoint (an events call, say) sent to notify."""
    url = f"{stack.site.url}/?rest_route=/space-inbox/v1/notify"
    job = {
        "id": 900003,
        "kind": "space_reply",
        "user_id": stack.user("rq.member"),
        "created_at": "2026-11-25T12:00:00.000000Z",
        "data": {
            "space_id": 1,
            "space_name": "Replay Cafe",
            "conversation_id": 1,
            "message_id": 1,
            "excerpt": "Yes.",
        },
    }
    body = json.dumps({"jobs": [job]}).encode()
    signed = {
        "Content-Type": "application/json",
        **signing.signed_headers(stack.secret, "notify", body),
    }
    first = requests.post(url, data=body, headers=signed, timeout=30)
    assert first.status_code == 200, first.text
    again = requests.post(url, data=body, headers=signed, timeout=30)
    assert again.status_code == 403 and again.json()["code"] == "space_inbox_replayed_request"
    elsewhere = {
        "Content-Type": "application/json",
        **signing.signed_headers(stack.secret, "events", body),
    }
    other = requests.post(url, data=body, headers=elsewhere, timeout=30)
    assert other.status_code == 403 and other.json()["code"] == "space_inbox_bad_signature"


def test_the_privacy_exporter_and_eraser_go_through_the_bridge(stack):
    owner = stack.user("pv.owner")
    stack.user("pv.member")
    space_id = stack.new_space("Privacy Bakery", owner, [])
    browser, nonce = stack.browser("pv.member")
    _proxy(
        stack,
        browser,
        nonce,
        "POST",
        f"me/spaces/{space_id}/messages",
        json={"body": "Gluten-free bread on Friday?", "client_key": "pv-1"},
    )
    exported = json.loads(
        stack.site.php(
            "$e = apply_filters('wp_privacy_personal_data_exporters', []);"
            "echo json_encode(call_user_func($e['space-inbox']['callback'], "
            "'pv.member@example.org', 1));"
        )
    )
    assert "Gluten-free bread on Friday?" in json.dumps(exported["data"])
    erased = json.loads(
        stack.site.php(
            "$e = apply_filters('wp_privacy_personal_data_erasers', []);"
            "echo json_encode(call_user_func($e['space-inbox']['callback'], "
            "'pv.member@example.org', 1));"
        )
    )
    assert erased["items_removed"] is True
    assert stack.rows("messages", "body LIKE %s", ["%Gluten-free%"]) == []


#: As wp-admin's Delete link does it, the plugin deactivated: WordPress' uninstall_plugin().
UNINSTALL = (
    "require_once ABSPATH . 'wp-admin/includes/plugin.php';"
    "uninstall_plugin('space-inbox/space-inbox.php');"
)
DEACTIVATE = (
    "require_once ABSPATH . 'wp-admin/includes/plugin.php';"
    "deactivate_plugins('space-inbox/space-inbox.php');"
)


def _ours(site: WordPressSite) -> dict[str, list]:
    """Everything in the site's database named after the plugin."""
    like = ["%space\\_inbox%", "%space-inbox%"]
    cron = json.loads(site.php("echo json_encode(_get_cron_array());"))
    return {
        "options": site.sql(
            "SELECT option_name FROM {prefix}options WHERE option_name LIKE %s"
            " OR option_name LIKE %s",
            like,
        ),
        "postmeta": site.sql(
            "SELECT meta_key FROM {prefix}postmeta WHERE meta_key LIKE %s OR meta_key LIKE %s",
            like,
        ),
        "usermeta": site.sql(
            "SELECT meta_key FROM {prefix}usermeta WHERE meta_key LIKE %s OR meta_key LIKE %s",
            like,
        ),
        "tables": site.sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
            " AND table_name LIKE %s",
            [site.db_name, site.table_prefix.replace("_", "\\_") + "space\\_inbox%"],
        ),
        "cron": sorted(
            {
                hook
                for hooks in cron.values()
                if isinstance(hooks, dict)
                for hook in hooks
                if "space_inbox" in hook
            }
        ),
    }


def _bp_notifications(site: WordPressSite) -> int:
    return site.sql(
        "SELECT COUNT(*) FROM {prefix}bp_notifications WHERE component_name = 'space_inbox'"
    )[0][0]


def _write_everything(site: WordPressSite, owner: int, member: int, job_id: int) -> None:
    """Make the active plugin store each kind of data it has: its options (activation), a
    Space's team (post meta), an event the bridge did not take (a queue row and the retry
    cron), transients named at run time, a notification job (a jobs row, an e-mail, a
    BuddyPress notification)."""
    # Nobody listens there: the event stays queued.
    site.php(f"update_option('space_inbox_bridge_url', 'http://127.0.0.1:{free_port()}');")
    site.php(
        "$id = wp_insert_post(['post_type' => 'wpe_wpspace', 'post_status' => 'publish',"
        f" 'post_title' => 'Gone Soon', 'post_author' => {owner}]);"
        f"add_post_meta($id, '_space_inbox_team', {member});"
    )
    job = {
        "id": job_id,
        "kind": "space_reply",
        "user_id": member,
        "created_at": "2026-11-25T12:00:00.000000Z",
        "data": {
            "space_id": 1,
            "space_name": "Gone Soon",
            "conversation_id": 1,
            "message_id": 1,
            "excerpt": "We open at nine.",
        },
    }
    # What is named at run time: a Space's reply time (the bridge unreachable: kept a
    # minute) and a signed call's request id.
    site.php(
        "$m = new ReflectionMethod('Space_Inbox_Reply_Time', 'get'); $m->setAccessible(true);"
        f" $m->invoke(null, {job_id});"
        " set_transient(Space_Inbox_Rest::SEEN_REQUEST_PREFIX . 'r-1', 1, 600);"
    )
    jobs = php_str(json.dumps([job]))
    done = site.php(f"echo json_encode(Space_Inbox_Jobs::handle_jobs(json_decode({jobs}, true)));")
    assert json.loads(done) == [job_id], done


@pytest.mark.parametrize("platform", ["wp61", "wp71-buddypress"])
def test_uninstall_leaves_nothing_behind(tmp_path, platform):
    """Everything the plugin stored goes: options, post meta, its tables, its cron hooks, its
    BuddyPress notifications (with BuddyPress active, and after it was deactivated); the
    member inbox page it created is trashed, not deleted."""
    site = build_site(
        platform,
        tmp_path,
        f"si_test_uninst_{platform.replace('-', '_')}_{os.getpid()}",
        table_prefix="wpu_",
        plugin_dirs={"space-inbox": PLUGIN},
    )
    buddypress = platform.endswith("buddypress")
    with site:
        site.activate_plugin("space-inbox/space-inbox.php")
        page = int(site.option("space_inbox_inbox_page"))
        owner = site.create_user("un.owner", PASSWORD)
        member = site.create_user("un.member", PASSWORD)
        _write_everything(site, owner, member, 910001)
        written = _ours(site)
        assert {"space_inbox_secret", "space_inbox_inbox_page"} <= {
            r[0] for r in written["options"]
        }
        assert written["postmeta"] == [("_space_inbox_team",)]
        assert len(written["tables"]) == 2, written
        assert written["cron"] == ["space_inbox_flush_queue", "space_inbox_prune_jobs"]
        assert site.sql("SELECT COUNT(*) FROM {prefix}space_inbox_queue")[0][0] >= 1
        assert site.sql("SELECT COUNT(*) FROM {prefix}space_inbox_jobs")[0][0] == 1
        if buddypress:
            assert _bp_notifications(site) == 1

        site.php(DEACTIVATE, preamble=ADMIN_REQUEST)
        site.php(UNINSTALL, preamble=ADMIN_REQUEST)
        assert _ours(site) == {k: [] for k in written}
        assert site.php(f"echo get_post_status({page});") == "trash"
        if buddypress:
            assert _bp_notifications(site) == 0

            # BuddyPress deactivated before the plugin goes: its table is cleaned all the same.
            site.activate_plugin("space-inbox/space-inbox.php")
            _write_everything(site, owner, member, 910002)
            assert _bp_notifications(site) == 1
            site.php(
                "require_once ABSPATH . 'wp-admin/includes/plugin.php';"
                "deactivate_plugins(['buddypress/bp-loader.php', 'space-inbox/space-inbox.php']);",
                preamble=ADMIN_REQUEST,
            )
            site.php(UNINSTALL, preamble=ADMIN_REQUEST)
            assert _bp_notifications(site) == 0
            assert _ours(site) == {k: [] for k in written}


#: What each naming convention of the plugin's constants stands for, as uninstall.php
#: documents it (first match wins), and PHP that stores one such name / says it is there.
CONVENTIONS = [
    (r"/^OPTION_/", "update_option($name, 'x');", "false !== get_option($name)"),
    (
        r"/_USER_META$/",
        "add_user_meta(1, $name, 'x');",
        "metadata_exists('user', 1, $name)",
    ),
    (
        r"/_META$/",
        "add_post_meta($post, $name, 'x');",
        "metadata_exists('post', $post, $name)",
    ),
    (r"/_TRANSIENT$/", "set_transient($name, 'x', 3600);", "false !== get_transient($name)"),
    (
        r"/_HOOK$/",
        "wp_schedule_event(time() + 3600, 'hourly', $name);",
        "false !== wp_next_scheduled($name)",
    ),
]


def test_uninstall_removes_whatever_a_constant_of_the_convention_names(tmp_path):
    """Every constant of the plugin's classes whose name follows a convention (OPTION_*,
    *_USER_META, *_META, *_TRANSIENT, *_HOOK; a static table()) is removed, a class declared
    only now (the probe) included: uninstall.php walks the constants, it keeps no list."""
    site = WordPressSite(
        tmp_path,
        f"si_test_uninst_walk_{os.getpid()}",
        table_prefix="wpw_",
        plugin_dirs={"space-inbox": PLUGIN},
    )
    cases = "".join(
        f"[{php_str(pattern)}, static function ($name, $post) {{ {store} }},"
        f" static function ($name, $post) {{ return {there}; }}],"
        for pattern, store, there in CONVENTIONS
    )
    with site:
        site.activate_plugin("space-inbox/space-inbox.php")
        site.php(DEACTIVATE, preamble=ADMIN_REQUEST)
        said = site.php(
            f"""
final class Space_Inbox_Uninstall_Probe {{
    const OPTION_PROBE    = 'space_inbox_probe_option';
    const PROBE_META      = '_space_inbox_probe';
    const PROBE_USER_META = 'space_inbox_probe_user';
    const PROBE_TRANSIENT = 'space_inbox_probe_transient';
    const PROBE_HOOK      = 'space_inbox_probe_hook';
    public static function table() {{
        global $wpdb;
        return $wpdb->prefix . 'space_inbox_probe';
    }}
}}
foreach (glob(WP_PLUGIN_DIR . '/space-inbox/includes/class-space-inbox-*.php') as $file) {{
    require_once $file;
}}
global $wpdb;
$post = wp_insert_post(['post_type' => 'post', 'post_status' => 'publish', 'post_title' => 'P']);
$cases = [{cases}];
$stored = [];
foreach (get_declared_classes() as $class) {{
    if (0 !== strpos($class, 'Space_Inbox_')) {{
        continue;
    }}
    $reflection = new ReflectionClass($class);
    foreach ($reflection->getConstants() as $constant => $name) {{
        foreach ($cases as $i => $case) {{
            if (is_string($name) && preg_match($case[0], $constant)) {{
                $case[1]($name, $post);
                $stored[] = [$i, "$class::$constant", $name];
                break;
            }}
        }}
    }}
    if ($reflection->hasMethod('table') && $reflection->getMethod('table')->isStatic()) {{
        $table = $class::table();
        $wpdb->query("CREATE TABLE IF NOT EXISTS $table (id int)");
        $stored[] = [-1, "$class::table()", $table];
    }}
}}
define('WP_UNINSTALL_PLUGIN', 'space-inbox/space-inbox.php');
include WP_PLUGIN_DIR . '/space-inbox/uninstall.php';
$left = [];
foreach ($stored as [$i, $what, $name]) {{
    $there = $i < 0
        ? $name === $wpdb->get_var($wpdb->prepare('SHOW TABLES LIKE %s', $wpdb->esc_like($name)))
        : $cases[$i][2]($name, $post);
    if ($there) {{
        $left[] = $what;
    }}
}}
echo json_encode(['stored' => array_column($stored, 1), 'left' => $left]);
""",
            preamble=ADMIN_REQUEST,
        )
        result = json.loads(said)
        assert result["left"] == [], result
        stored = set(result["stored"])
        probe = "Space_Inbox_Uninstall_Probe::"
        assert {
            f"{probe}{name}"
            for name in (
                "OPTION_PROBE",
                "PROBE_META",
                "PROBE_USER_META",
                "PROBE_TRANSIENT",
                "PROBE_HOOK",
                "table()",
            )
        } <= stored
        assert {
            "Space_Inbox_Options::OPTION_SECRET",
            "Space_Inbox_Options::OPTION_INBOX_PAGE",
            "Space_Inbox_Spaces::TEAM_META",
            "Space_Inbox_Queue::CRON_HOOK",
            "Space_Inbox_Jobs::PRUNE_HOOK",
            "Space_Inbox_Queue::table()",
            "Space_Inbox_Jobs::table()",
        } <= stored, stored
        assert _ours(site) == {k: [] for k in ("options", "postmeta", "usermeta", "tables", "cron")}


def test_the_space_inbox_screen_is_for_space_admins_and_site_admins(stack):
    owner, ada = stack.user("ui.owner"), stack.user("ui.ada")
    stack.user("ui.member")
    stack.new_space("Screen Bakery", owner, [ada])
    screen = f"{stack.site.url}/wp-admin/admin.php?page=space-inbox-messages"
    for login, allowed in (("ui.ada", True), ("ui.owner", True), ("ui.member", False)):
        browser, _ = stack.browser(login)
        page = browser.get(screen, timeout=30)
        if allowed:
            assert page.status_code == 200 and 'data-space-inbox="admin"' in page.text, login
        else:
            assert page.status_code == 403 or 'data-space-inbox="admin"' not in page.text, login
    admin = stack.site.login(stack.site.admin_login, stack.site.admin_password)
    assert 'data-space-inbox="admin"' in admin.get(screen, timeout=30).text


def test_space_pages_carry_the_message_button(stack):
    owner = stack.user("ui.owner2")
    stack.user("ui.visitor")
    space_id = stack.new_space("Button Books", owner, [])
    link = stack.site.php(f"echo get_permalink({space_id});").strip()
    inbox = stack.site.option("space_inbox_inbox_url")
    browser, _ = stack.browser("ui.visitor")
    page = browser.get(link, timeout=30).text
    assert f'data-space-inbox-open="{space_id}"' in page
    assert f"space={space_id}" in page and inbox.split("?")[0] in page
    # The toolbar link, its count filled in by the module.
    assert re.search(r"id=[\"']wp-admin-bar-space-inbox[\"']", page)
    anonymous = requests.get(link, timeout=30).text
    assert "wp-login.php" in anonymous and f'data-space-inbox-open="{space_id}"' not in anonymous


def test_the_space_page_shows_its_admins_the_team_inbox_with_its_count(stack):
    owner, helper = stack.user("ui.owner3"), stack.user("ui.helper3", role="author")
    stack.user("ui.visitor3")
    space_id = stack.new_space("Team Tea Room", owner, [helper])
    link = stack.site.php(f"echo get_permalink({space_id});").strip()
    for login in ("ui.owner3", "ui.helper3"):
        page = stack.browser(login)[0].get(link, timeout=30).text
        assert f"team={space_id}" in page, login
        assert f'data-space-inbox-count="space-{space_id}"' in page, login
        assert f'data-space-inbox-open="{space_id}"' not in page, login
    page = stack.browser("ui.visitor3")[0].get(link, timeout=30).text
    assert f'data-space-inbox-open="{space_id}"' in page
    assert f"team={space_id}" not in page and f"space-{space_id}" not in page
    # A notification of a member's message leads its admins there too, on the
    # conversation; an answer's leads the member to their own conversation.
    links = json.loads(
        stack.site.php(
            "echo wp_json_encode( array_map( function ( $action ) {"
            f" return Space_Inbox_Notification_Listing::format( '', {space_id}, 77, 1, 'object',"
            " $action, 'space_inbox' )['link']; }, array( 'member_message', 'space_reply' ) ) );"
        )
    )
    assert f"team={space_id}&conversation=77" in links[0], links
    assert f"space={space_id}" in links[1] and "team=" not in links[1], links
    # Several conversations grouped in one notification may be for several Spaces: it
    # leads to the inbox page, which opens on a Space with unread messages.
    grouped = stack.site.php(
        f"echo Space_Inbox_Notification_Listing::format( '', {space_id}, 77, 3, 'object',"
        " 'member_message', 'space_inbox' )['link'];"
    )
    assert grouped == stack.site.option("space_inbox_inbox_url"), grouped


def test_each_page_loads_only_the_script_its_surface_needs(stack):
    stack.user("ui.scripts")
    browser, _ = stack.browser("ui.scripts")
    front = browser.get(f"{stack.site.url}/", timeout=30).text
    inbox = browser.get(stack.site.option("space_inbox_inbox_url"), timeout=30).text
    scripts = {
        name: re.findall(rf"<script\b[^>]*/space-inbox/assets/{name}\.js[^>]*>", page)
        for name, page in (("badge", front), ("member-inbox", front))
    }
    # Every logged-in page: the badge module, after wp.i18n, as a module.
    assert len(scripts["badge"]) == 1 and 'type="module"' in scripts["badge"][0], scripts
    assert scripts["member-inbox"] == [], "the inbox code is shipped to a page without an inbox"
    assert front.index("wp-includes/js/dist/i18n") < front.index("/space-inbox/assets/badge.js")
    # Where an inbox is shown: the member's inbox and the modules it imports, each once, all
    # with the same version (they import each other with their own query string, so that
    # the page holds one instance of each: one badge module).
    tags = re.findall(r"<script\b[^>]*/space-inbox/assets/([a-z-]+)\.js\?ver=([^\"'&]+)", inbox)
    names = [name for name, _ in tags]
    assert {"badge", "member-inbox"} <= set(names) and len(names) == len(set(names)), tags
    assert len({ver for _, ver in tags}) == 1, tags
    # Strings are translated with wp.i18n in the modules, not handed over a second time.
    config = re.search(r"window\.spaceInboxConfig = (\{.*?\});", inbox)
    assert config and "i18n" not in json.loads(config.group(1)), config
    # Logged out: nothing to poll.
    anonymous = requests.get(f"{stack.site.url}/", timeout=30).text
    assert "/space-inbox/assets/badge.js" not in anonymous


def test_the_inbox_pages_hand_the_browser_the_bridges_limits(stack):
    """The script configuration of the member's inbox page and of the wp-admin screen carries
    the bridge's longest message (bridge/limits.py, through Space_Inbox_Limits)."""
    stack.user("ui.limits")
    member, _ = stack.browser("ui.limits")
    admin = stack.site.login(stack.site.admin_login, stack.site.admin_password)
    pages = {
        "inbox page": member.get(stack.site.option("space_inbox_inbox_url"), timeout=30).text,
        "wp-admin screen": admin.get(
            f"{stack.site.url}/wp-admin/admin.php?page=space-inbox-messages", timeout=30
        ).text,
    }
    for name, page in pages.items():
        assert "data-space-inbox=" in page, name
        config = re.search(r"window\.spaceInboxConfig = (\{.*?\});", page)
        assert config, name
        assert json.loads(config.group(1))["maxLength"] == limits.BODY_MAX, name


def test_the_zip_installs_and_activates_as_wp_admin_would(tmp_path):
    """`make plugin-zip`, then WordPress' own Plugin_Upgrader (the Upload Plugin screen)."""
    repo = PLUGIN.parent
    built = subprocess.run(
        ["make", "-s", "plugin-zip", f"PYTHON={sys.executable}"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    archive = repo / "dist" / "space-inbox.zip"
    with zipfile.ZipFile(archive) as zipped:
        names = zipped.namelist()
    assert "space-inbox/space-inbox.php" in names and "space-inbox/uninstall.php" in names
    assert all(n.startswith("space-inbox/") for n in names)

    site = WordPressSite(tmp_path, f"si_test_zip_{os.getpid()}", table_prefix="wpz_")
    site.start()
    try:
        said = site.php(
            "require_once ABSPATH . 'wp-admin/includes/class-wp-upgrader.php';"
            "require_once ABSPATH . 'wp-admin/includes/plugin.php';"
            "require_once ABSPATH . 'wp-admin/includes/file.php';"
            "require_once ABSPATH . 'wp-admin/includes/misc.php';"
            "$upgrader = new Plugin_Upgrader(new Automatic_Upgrader_Skin());"
            f"$ok = $upgrader->install({php_str(str(archive))});"
            "$result = activate_plugin('space-inbox/space-inbox.php');"
            "echo json_encode([$ok === true, is_wp_error($result) ? $result->get_error_message()"
            " : 'active', get_option('space_inbox_secret') !== false]);"
        )
        assert json.loads(said.strip().splitlines()[-1]) == [True, "active", True]
        assert (site.root / "wp-content" / "plugins" / "space-inbox" / "space-inbox.php").exists()
    finally:
        site.stop()
        site.drop()
