"""While WordPress has the plugin off, the bridge takes no writes: its notifications would
reach nobody. WordPress' word is its list of active plugins (the site's, or the network's),
whatever folder the plugin was installed in. Reads still answer; nothing is written."""

from __future__ import annotations

import pytest

from bridge.wordpress import site
from devstack.callers import SPACE, send


def _active(wordpress, app, plugins: list[str]) -> None:
    entries = "".join(f'i:{i};s:{len(p.encode())}:"{p}";' for i, p in enumerate(plugins))
    wordpress.sql(
        "UPDATE {prefix}options SET option_value = %s WHERE option_name = 'active_plugins'",
        [f"a:{len(plugins)}:{{{entries}}}"],
    )
    app.extensions["space_inbox_keys"]._cache.pop("active_plugins", None)  # read it again


@pytest.fixture
def plugins(wordpress, app):
    yield lambda *names: _active(wordpress, app, list(names))
    _active(wordpress, app, ["space-inbox/space-inbox.php"])


def test_writes_are_refused_while_the_plugin_is_off(client, world, plugins, wordpress):
    member, admin = world["member"], world["admin"]
    sent = send(client, member, SPACE, "Open today?")
    assert sent.status_code == 201
    plugins("akismet/akismet.php")
    refused = send(client, member, SPACE, "Hello?")
    assert refused.status_code == 503
    assert refused.get_json()["code"] == "inbox_off"
    listed = client.get("/api/v1/me/conversations", headers=member.headers())
    assert listed.status_code == 200
    [conversation] = listed.get_json()["conversations"]
    assert conversation["last_message"]["excerpt"] == "Open today?"
    answer = client.post(
        f"/api/v1/spaces/{SPACE}/conversations/{sent.get_json()['conversation_id']}/messages",
        json={"body": "Yes", "client_key": "off-1"},
        headers=admin.headers(),
    )
    assert answer.status_code == 503
    assert wordpress.sql("SELECT COUNT(*) FROM {prefix}spaceinbox_messages")[0][0] == 1


@pytest.mark.parametrize(
    "active",
    [["space-inbox/space-inbox.php"], ["akismet/akismet.php", "space-inbox-main/space-inbox.php"]],
)
def test_the_plugin_counts_as_on_in_whatever_folder(client, world, plugins, active):
    plugins(*active)
    assert send(client, world["member"], SPACE, "Open today?").status_code == 201


def test_a_network_activated_plugin_counts_as_on(client, world, plugins, wordpress):
    plugins()
    wordpress.sql(
        "CREATE TABLE {prefix}sitemeta (meta_id BIGINT AUTO_INCREMENT PRIMARY KEY,"
        " site_id BIGINT, meta_key VARCHAR(255), meta_value LONGTEXT)"
    )
    try:
        assert send(client, world["member"], SPACE, "Hi").status_code == 503
        wordpress.sql(
            "INSERT INTO {prefix}sitemeta (site_id, meta_key, meta_value)"
            " VALUES (1, 'active_sitewide_plugins', %s)",
            ['a:1:{s:27:"space-inbox/space-inbox.php";i:1764000000;}'],
        )
        assert send(client, world["member"], SPACE, "Hi").status_code == 201
    finally:
        wordpress.sql("DROP TABLE {prefix}sitemeta")


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "",
        "not serialized",
        's:27:"space-inbox/space-inbox.php";',
        "a:1:{i:0;i:5;}",
        'a:1:{i:0;s:28:"space-inbox/space-inbox.phpx";}',
        'a:1:{i:0;s:16:"xspace-inbox.php";}',
    ],
)
def test_only_a_list_naming_the_plugin_counts(stored):
    assert not site._lists_plugin(stored)


def test_each_process_keeps_the_list_for_its_check_interval(
    client, world, plugins, wordpress, app, monkeypatch
):
    """``PLUGIN_CHECK_INTERVAL``: 0 reads WordPress' list on every write; an hour keeps it."""
    member = world["member"]

    def turned_off_behind_the_bridges_back() -> None:
        wordpress.sql(
            "UPDATE {prefix}options SET option_value = %s WHERE option_name = 'active_plugins'",
            ['a:1:{i:0;s:19:"akismet/akismet.php";}'],
        )

    monkeypatch.setitem(app.config, "PLUGIN_CHECK_INTERVAL", 0)
    assert send(client, member, SPACE, "One").status_code == 201
    turned_off_behind_the_bridges_back()
    assert send(client, member, SPACE, "Two").get_json()["code"] == "inbox_off"

    plugins("space-inbox/space-inbox.php")
    monkeypatch.setitem(app.config, "PLUGIN_CHECK_INTERVAL", 3600)
    assert send(client, member, SPACE, "Three").status_code == 201
    turned_off_behind_the_bridges_back()
    assert send(client, member, SPACE, "Four").status_code == 201
