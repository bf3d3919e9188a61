"""A read replica: the reads that tolerate lag go there, a user's own reads after their
write and a Space's after a change of it go to the primary until the replica has it.

A primary and a replica of the harness's own (GTID replication) under a real WordPress.
Which server answered is seen from a change made on the replica alone (a Space's name, a
member's display name, on rows the primary never writes again here): a read that shows it
came from the replica. Pausing the replica's applier makes it lag for as long as a test
needs.
"""

from __future__ import annotations

import os
import shutil
import time

import pytest

from bridge import config, create_app
from bridge.background.replica import includes, position
from bridge.storage import migrate
from devstack.callers import PLUGIN_FILE, SECRET, log_in, send, upsert_space
from devstack.mariadb import ReplicatedPair
from devstack.wordpress import WordPressSite, free_port

pytestmark = pytest.mark.skipif(not shutil.which("mariadb-install-db"), reason="needs mariadb")

PREFIX = "wpr_"
#: Its own per run: marks of a run before, kept in Redis for a minute, would not fit.
DATABASE = f"si_test_replica_{os.getpid()}"
BAKERY, CAFE = 801, 802


def _wait(check, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            return value
        time.sleep(0.05)
    return value


@pytest.fixture(scope="module")
def servers(tmp_path_factory, redis_url):
    """The pair, a WordPress site on the primary, and its people."""
    pair = ReplicatedPair().start()
    site = WordPressSite(
        tmp_path_factory.mktemp("replica"),
        DATABASE,
        table_prefix=PREFIX,
        db_port=pair.primary.port,
        workers=1,
    )
    try:
        site.start()
        site.list_as_active(PLUGIN_FILE)
        people = {
            kind: log_in(site, kind, login, login.title(), "subscriber")
            for kind, login in (("ann", "ann"), ("bo", "bo"), ("max", "max"), ("mia", "mia"))
        }
        people["zoe"] = log_in(site, "zoe", "zoe", "Zoe", "subscriber")
        people["sam"] = log_in(site, "sam", "sam", "Sam", "administrator")
        yield pair, site, people
    finally:
        site.stop()
        pair.remove()


def _bridge(servers, redis_url, **given):
    pair, site, _ = servers
    app = create_app(
        {
            "WP_CONFIG": str(site.wp_config_path),
            "SECRET": SECRET,
            "RATE_PER_SPACE": "off",
            "RATE_OVERALL": "off",
            "REDIS_URL": redis_url,
            "REPLICA_HOST": f"127.0.0.1:{pair.replica.port}",
            **given,
        }
    )
    app.config["TESTING"] = True
    return app


@pytest.fixture(scope="module")
def world(servers, redis_url):
    """Two Spaces; Max, Mia and Zoe have written to the Bakery; on the replica alone the
    Bakery is called "Bakery (replica)" and Zoe "Zoe (replica)"."""
    pair, _, people = servers
    app = _bridge(servers, redis_url)
    migrate.upgrade(app.extensions["space_inbox_engine"], PREFIX)
    client = app.test_client(use_cookies=False)
    upsert_space(client, BAKERY, "Bakery", [people["ann"].user_id])
    upsert_space(client, CAFE, "Cafe", [people["ann"].user_id, people["bo"].user_id])
    for name in ("max", "mia", "zoe"):
        assert send(client, people[name], BAKERY, f"Hello from {name}").status_code == 201
    pair.caught_up()
    pair.replica.sql(f"UPDATE {DATABASE}.{PREFIX}spaceinbox_spaces SET name = %s WHERE id = %s",
                     ["Bakery (replica)", BAKERY])  # fmt: skip
    pair.replica.sql(f"UPDATE {DATABASE}.{PREFIX}users SET display_name = %s WHERE ID = %s",
                     ["Zoe (replica)", people["zoe"].user_id])  # fmt: skip
    app.extensions["space_inbox_engine"].dispose()
    return people


@pytest.fixture
def lagging(servers):
    """The replica stops applying what the primary commits, until the test ends."""
    pair = servers[0]
    pair.pause()
    yield pair
    pair.resume()
    pair.caught_up()


def _space_name(client, person) -> str:
    answer = client.get("/api/v1/me/conversations", headers=person.headers(nonce=False))
    assert answer.status_code == 200, answer.get_json()
    (bakery,) = [c for c in answer.get_json()["conversations"] if c["space"]["id"] == BAKERY]
    return bakery["space"]["name"]


def _inbox(client, person, space_id: int = BAKERY):
    answer = client.get(
        f"/api/v1/spaces/{space_id}/conversations", headers=person.headers(nonce=False)
    )
    return answer


def _replica_ready(app, *people) -> bool:
    replica = app.extensions["space_inbox_replica"]
    return _wait(lambda: all(replica.may_read(p.user_id, BAKERY) for p in people))


def test_reads_go_to_the_replica_once_it_has_every_write_they_must_see(servers, world, redis_url):
    app = _bridge(servers, redis_url)
    client = app.test_client(use_cookies=False)
    assert _replica_ready(app, world["mia"], world["ann"])
    # The member's list and the team's list are read on the replica.
    assert _space_name(client, world["mia"]) == "Bakery (replica)"
    listed = _inbox(client, world["ann"]).get_json()["conversations"]
    assert "Zoe (replica)" in [c["member"]["name"] for c in listed]
    # So is the team's search, and the dashboard's figures answer from there too.
    found = client.get(
        f"/api/v1/spaces/{BAKERY}/search?q=hello", headers=world["ann"].headers(nonce=False)
    )
    assert "Zoe (replica)" in [
        r["conversation"]["member"]["name"] for r in found.get_json()["results"]
    ]
    figures = client.get(f"/api/v1/spaces/{BAKERY}/figures", headers=world["ann"].headers())
    assert figures.status_code == 200, figures.get_json()
    # Who may read is decided there too: a member of no team is refused, as on the primary.
    refused = _inbox(client, world["mia"])
    assert refused.status_code == 403, refused.get_json()
    assert refused.get_json()["code"] == "not_space_admin"
    assert _replica_ready(app, world["sam"])
    overseen = _inbox(client, world["sam"])  # a site administrator reads every inbox
    assert overseen.status_code == 200, overseen.get_json()
    assert "Zoe (replica)" in [c["member"]["name"] for c in overseen.get_json()["conversations"]]
    # The header count is read with the login, on the primary.
    assert client.get("/api/v1/me/summary", headers=world["mia"].headers()).status_code == 200


def test_a_member_always_sees_the_message_they_just_sent(servers, world, redis_url, lagging):
    # A lag the replica may have (6 s): the member's reads follow her writes, not the lag.
    app = _bridge(servers, redis_url, REPLICA_MAX_LAG="6")
    client = app.test_client(use_cookies=False)
    max_ = world["max"]
    assert _replica_ready(app, max_, world["mia"])
    for n in range(5):
        body = f"Do you bake rye on Sundays? ({n})"
        assert send(client, max_, BAKERY, body).status_code == 201
        page = client.get(f"/api/v1/me/spaces/{BAKERY}/messages", headers=max_.headers())
        assert page.status_code == 200, page.get_json()
        assert page.get_json()["messages"][-1]["body"] == body
        listed = client.get("/api/v1/me/conversations", headers=max_.headers(nonce=False))
        (bakery,) = [c for c in listed.get_json()["conversations"] if c["space"]["id"] == BAKERY]
        assert bakery["last_message"]["excerpt"] == body
        assert bakery["space"]["name"] == "Bakery"  # the primary's
        # Meanwhile another member, who wrote nothing, is still read on the replica: what
        # Max saw came from his marks, not from a replica given up on.
        assert _space_name(client, world["mia"]) == "Bakery (replica)"


def test_a_spaces_counts_never_go_backwards(servers, world, redis_url, lagging):
    app = _bridge(servers, redis_url, REPLICA_MAX_LAG="6")
    client = app.test_client(use_cookies=False)
    ann = world["ann"]
    assert _replica_ready(app, ann)

    def unread() -> int:
        answer = _inbox(client, ann)
        assert answer.status_code == 200, answer.get_json()
        return sum(c["unread"] for c in answer.get_json()["conversations"])

    seen = [unread()]
    for n in range(3):
        assert send(client, world["mia"], BAKERY, f"Still there? ({n})").status_code == 201
        seen.append(unread())
        assert seen[-1] == seen[-2] + 1, seen
    servers[0].resume()  # the replica catches up while the team reads
    names: list[str] = []
    for _ in range(40):
        seen.append(unread())
        names += [c["member"]["name"] for c in _inbox(client, ann).get_json()["conversations"]]
        time.sleep(0.05)
    assert seen == sorted(seen), seen
    assert "Zoe (replica)" in names, "the team's reads never went back to the replica"


def test_a_removed_admin_is_refused_before_the_replica_knows(servers, world, redis_url, lagging):
    app = _bridge(servers, redis_url, REPLICA_MAX_LAG="6")
    client = app.test_client(use_cookies=False)
    bo = world["bo"]
    assert _replica_ready(app, bo)
    assert _inbox(client, bo, CAFE).status_code == 200
    upsert_space(client, CAFE, "Cafe", [world["ann"].user_id])
    assert _inbox(client, bo, CAFE).status_code == 403
    upsert_space(client, CAFE, "Cafe", [world["ann"].user_id, bo.user_id])
    assert _inbox(client, bo, CAFE).status_code == 200


def test_a_replica_too_far_behind_gets_no_reads(servers, world, redis_url, lagging):
    app = _bridge(servers, redis_url, REPLICA_MAX_LAG="0.5")
    client = app.test_client(use_cookies=False)
    mia = world["mia"]
    assert _replica_ready(app, mia)
    assert _space_name(client, mia) == "Bakery (replica)"
    # Something committed on the primary that the paused replica does not apply.
    assert send(client, world["zoe"], CAFE, "Open on Monday?").status_code == 201
    assert _wait(lambda: _space_name(client, mia) == "Bakery"), "still read on the replica"
    servers[0].resume()
    assert _wait(lambda: _space_name(client, mia) == "Bakery (replica)")


def test_without_the_replica_or_redis_every_read_is_the_primarys(servers, world, redis_url):
    for given in (
        {"REPLICA_HOST": f"127.0.0.1:{free_port()}"},
        {"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"},
    ):
        app = _bridge(servers, redis_url, **given)
        client = app.test_client(use_cookies=False)
        assert _space_name(client, world["mia"]) == "Bakery"
        assert send(client, world["mia"], BAKERY, "Anyone?").status_code == 201
        assert _inbox(client, world["ann"]).status_code == 200


def test_a_replica_needs_redis_and_a_lag_it_can_keep():
    with pytest.raises(config.ConfigError, match="needs Redis"):
        config.resolve({"DB_NAME": "wp", "DB_USER": "wp", "REPLICA_HOST": "10.0.0.2"})
    for lag in ("0", "7", "soon"):
        with pytest.raises(config.ConfigError, match="REPLICA_MAX_LAG"):
            config.resolve(
                {
                    "DB_NAME": "wp",
                    "DB_USER": "wp",
                    "REPLICA_HOST": "10.0.0.2",
                    "REDIS_URL": "redis://r/0",
                    "REPLICA_MAX_LAG": lag,
                }  # fmt: skip
            )
    settings = config.resolve(
        {
            "DB_NAME": "wp",
            "DB_USER": "wp",
            "DB_PASSWORD": "pw",
            "DB_HOST": "10.0.0.1:3307",
            "REPLICA_HOST": "10.0.0.2:3308",
            "REDIS_URL": "redis://r/0",
        }  # fmt: skip
    )
    url = settings["REPLICA_URL"]
    assert (url.host, url.port, url.database, url.username, url.password) == (
        "10.0.0.2",
        3308,
        "wp",
        "wp",
        "pw",
    )
    assert settings["REPLICA_MAX_LAG"] == 1.0


def test_a_write_on_its_way_keeps_its_users_reads_on_the_primary(servers, world, redis_url):
    app = _bridge(servers, redis_url)
    replica = app.extensions["space_inbox_replica"]
    mia = world["mia"]
    assert _replica_ready(app, mia)
    keys = replica._keys([mia.user_id], [])
    token = replica.begin(keys)
    assert not replica.may_read(mia.user_id), "read on the replica while a write is pending"
    replica.done(keys, token, committed=False)
    assert replica.may_read(mia.user_id)


def test_positions_are_compared_domain_by_domain():
    at = position("0-1-42,1-2-7")
    assert at == {0: 42, 1: 7}
    assert includes(at, {0: 42}) and includes(at, {0: 41, 1: 7}) and includes(at, {})
    assert not includes(at, {0: 43}) and not includes(at, {2: 1})
    assert position("") == {} and position(None) == {}
