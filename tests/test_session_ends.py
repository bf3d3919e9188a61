"""Whatever ends a WordPress session ends it in the bridge too, at once, on every process.

On WordPress 6.1 (Debian's) and 7.1, with the plugin, two bridges on Redis (each keeps the
header poll's answers and holds streams) and one without Redis: after each way a session
can end, by WordPress' API or by hand in the database, the next poll of that cookie is
refused by every bridge, a new stream is refused, and the streams already open end with
``logout`` within a second. A change made by hand in the database, which neither WordPress
nor the plugin hears, is refused within a second. A session that was not ended goes on
working.
"""

from __future__ import annotations

import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import requests

from devstack.callers import PASSWORD, post_message
from devstack.stack import BridgeServer, WholeStack
from devstack.streams import WITHIN, Stream
from devstack.wordpress import WordPressSite

PREFIX = "wpe_"
NEW_PASSWORD = "n3w-Passw0rd!"


@pytest.fixture(scope="module", params=["wp61", "wp71"])
def stack(request, tmp_path_factory, redis_url):
    platform = request.param
    db = f"si_ends_{platform}_{uuid.uuid4().hex[:6]}"
    whole = WholeStack(
        tmp_path_factory.mktemp(f"ends-{platform}"),
        db,
        PREFIX,
        platform=platform,
        bridge_workers=2,
        REDIS_URL=redis_url,
    )
    whole.start()
    other = BridgeServer(whole.site.wp_config_path, whole.workdir, workers=2, REDIS_URL=redis_url)
    plain = BridgeServer(whole.site.wp_config_path, whole.workdir, workers=2)
    try:
        other.start()
        plain.start()
        owner = whole.site.create_user("owner", PASSWORD)
        space = int(
            whole.site.php(
                "$id = wp_insert_post(['post_type' => 'wpe_wpspace', 'post_status' => 'publish',"
                f" 'post_title' => 'Bakery', 'post_author' => {owner}]); echo $id;"
            ).strip()
        )
        yield whole, other, plain, space
    finally:
        plain.stop()
        other.stop()
        whole.stop()


def _token(site: WordPressSite, session: requests.Session) -> str:
    _name, value = site.logged_in_cookie(session)
    return urllib.parse.unquote(value).split("|")[2]


def _remove_by_hand(site: WordPressSite, user_id: int, token: str) -> None:
    """Take the session out of ``session_tokens`` with SQL alone: no hook, no cache."""
    site.php(
        "global $wpdb;"
        f' $row = $wpdb->get_var($wpdb->prepare("SELECT meta_value FROM $wpdb->usermeta'
        f" WHERE user_id = %d AND meta_key = 'session_tokens'\", {user_id}));"
        " $sessions = unserialize($row);"
        f" unset($sessions[hash('sha256', '{token}')]);"
        " $wpdb->update($wpdb->usermeta, ['meta_value' => serialize($sessions)],"
        f" ['user_id' => {user_id}, 'meta_key' => 'session_tokens']);"
    )


def _php(code: str) -> Callable:
    return lambda site, uid, mine, spare: site.php(
        code.format(uid=uid, mine=_token(site, mine), spare=_token(site, spare), new=NEW_PASSWORD)
    )


def _sql(statement: str) -> Callable:
    return lambda site, uid, mine, spare: site.sql(statement, [uid])


@dataclass(frozen=True)
class End:
    """A way a session ends: what does it (site, user id, the session to end, another
    session of the user), whether the other session ends too, and whether it is done by
    hand in the database (unheard by WordPress and the plugin, seen within a second)."""

    act: Callable
    every_session: bool
    by_hand: bool = False


ENDS = {
    "logout": End(lambda site, uid, mine, spare: site.logout(mine), False),
    # No action of its own before WordPress 6.2.
    "wp_set_password": End(_php("wp_set_password('{new}', {uid});"), True),
    "wp_update_user": End(_php("wp_update_user(['ID' => {uid}, 'user_pass' => '{new}']);"), True),
    "destroy": End(_php("WP_Session_Tokens::get_instance({uid})->destroy('{mine}');"), False),
    "destroy_others": End(
        _php("WP_Session_Tokens::get_instance({uid})->destroy_others('{spare}');"), False
    ),
    "destroy_all": End(_php("WP_Session_Tokens::get_instance({uid})->destroy_all();"), True),
    "update_user_meta": End(
        _php(
            "$s = get_user_meta({uid}, 'session_tokens', true);"
            " unset($s[hash('sha256', '{mine}')]);"
            " update_user_meta({uid}, 'session_tokens', $s);"
        ),
        False,
    ),
    "user_deleted": End(
        _php("require_once ABSPATH . 'wp-admin/includes/user.php'; wp_delete_user({uid});"),
        True,
    ),
    "session_removed_by_hand": End(
        lambda site, uid, mine, spare: _remove_by_hand(site, uid, _token(site, mine)),
        False,
        by_hand=True,
    ),
    "sessions_emptied_by_hand": End(
        _sql(
            "UPDATE {prefix}usermeta SET meta_value = 'a:0:{}'"
            " WHERE user_id = %s AND meta_key = 'session_tokens'"
        ),
        True,
        by_hand=True,
    ),
    "password_changed_by_hand": End(
        _sql("UPDATE {prefix}users SET user_pass = MD5('elsewhere') WHERE ID = %s"),
        True,
        by_hand=True,
    ),
    "user_deleted_by_hand": End(
        _sql("DELETE FROM {prefix}users WHERE ID = %s"), True, by_hand=True
    ),
}


def _summary(bridge: BridgeServer, session: requests.Session) -> int:
    return session.get(f"{bridge.url}/api/v1/me/summary", timeout=10).status_code


def _refused_within(bridge: BridgeServer, session: requests.Session, deadline: float) -> None:
    while _summary(bridge, session) != 401:
        assert time.time() < deadline, "a kept answer outlived its session by a second"
        time.sleep(0.02)


@pytest.mark.parametrize("end", list(ENDS))
def test_an_ended_session_is_refused_everywhere_at_once(stack, end):
    whole, other, plain, space = stack
    site = whole.site
    login = f"{end.replace('_', '')[:40]}"
    user_id = site.create_user(login, PASSWORD)
    mine, spare = site.login(login, PASSWORD), site.login(login, PASSWORD)
    live = (whole.bridge, other)
    streams = [Stream(bridge.url, session) for bridge in live for session in (mine, spare)]
    try:
        for stream in streams:
            stream.next("summary", timeout=5)
        # Polled a few times on each process: the answers are kept (two workers each).
        for bridge in (*live, plain):
            for _ in range(6):
                assert _summary(bridge, mine) == 200
                assert _summary(bridge, spare) == 200

        how = ENDS[end]
        how.act(site, user_id, mine, spare)
        done = time.time()

        ended = streams if how.every_session else streams[0::2]  # mine, on each bridge
        for stream in ended:
            _, arrived = stream.next("logout", timeout=WITHIN + 2)
            assert arrived - done < WITHIN, f"logout {arrived - done:.2f} s after the end"
            assert stream.closed.wait(WITHIN)
        if how.by_hand:
            # Unheard: the processes keeping answers see it at their next read of the logins.
            for bridge in live:
                _refused_within(bridge, mine, done + WITHIN)
        for bridge in (*live, plain):
            for _ in range(6):
                assert _summary(bridge, mine) == 401
        for bridge in live:
            refused = Stream(bridge.url, mine)
            assert refused.response.status_code == 401
            refused.close()

        if not how.every_session:
            for bridge in (*live, plain):
                for _ in range(3):
                    assert _summary(bridge, spare) == 200
            # The spare session's streams live on: they hear its own message.
            answer = post_message(
                spare, whole.bridge.url, space, "Still here?", site.rest_nonce(spare)
            )
            assert answer.status_code == 201, answer.text
            for stream in streams[1::2]:
                stream.next("conversation", timeout=5)
                assert not stream.closed.is_set()
    finally:
        for stream in streams:
            stream.close()


def test_a_site_administrator_demoted_loses_oversight_at_the_next_request(stack):
    """Demotion ends no session, but what the session may do follows WordPress at once,
    whether the role was changed by WordPress' API or by hand."""
    whole, other, plain, space = stack
    site = whole.site
    for how in ("set_role", "by_hand"):
        login = f"chief{how.replace('_', '')}"
        user_id = site.create_user(login, PASSWORD, role="administrator")
        chief = site.login(login, PASSWORD)
        url = f"/api/v1/spaces/{space}/conversations"
        for bridge in (whole.bridge, other, plain):
            assert chief.get(bridge.url + url, timeout=10).status_code == 200
        if how == "set_role":
            site.php(f"(new WP_User({user_id}))->set_role('subscriber');")
        else:
            site.sql(
                "UPDATE {prefix}usermeta SET meta_value = %s WHERE user_id = %s AND meta_key = %s",
                ['a:1:{s:10:"subscriber";b:1;}', user_id, f"{PREFIX}capabilities"],
            )
        for bridge in (whole.bridge, other, plain):
            for _ in range(3):
                answer = chief.get(bridge.url + url, timeout=10)
                assert answer.status_code == 403
                assert answer.json()["code"] == "not_space_admin"
