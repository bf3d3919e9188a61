"""Settings → Space Inbox as a site administrator uses it: the screen shows its status,
direct mode and resync boxes; the form saves what is valid and keeps what is not, with a
notice; a new secret is made only when asked; the post type changes; and only an
administrator may see or save any of it."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from bridge.inbox import choices
from devstack.callers import PASSWORD
from devstack.stack import PLUGIN
from devstack.wordpress import ADMIN_LOGIN, ADMIN_PASSWORD, WordPressSite

PAGE = "/wp-admin/options-general.php?page=space-inbox"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    wordpress = WordPressSite(
        tmp_path_factory.mktemp("settings"),
        f"si_settings_{uuid.uuid4().hex[:8]}",
        table_prefix="wpss_",
        plugin_dirs={"space-inbox": PLUGIN},
    )
    wordpress.start()
    try:
        wordpress.activate_plugin("space-inbox/space-inbox.php")
        wordpress.php("update_option('space_inbox_bridge_url', 'http://127.0.0.1:9');")
        yield wordpress
    finally:
        wordpress.stop()
        wordpress.drop()


@pytest.fixture(scope="module")
def admin(site):
    return site.login(ADMIN_LOGIN, ADMIN_PASSWORD)


def _form(site, admin) -> dict[str, str]:
    """The settings form's hidden fields (the Settings API's nonce and referer)."""
    html = admin.get(site.url + PAGE, timeout=30).text
    form = html[html.index('action="' + site.url + "/wp-admin/options.php") :]
    form = form[: form.index("</form>")]
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form):
        attributes = dict(re.findall(r"""(\w+)=["']([^"']*)["']""", tag))
        if attributes.get("type") == "hidden" and "name" in attributes:
            fields[attributes["name"]] = attributes.get("value", "")
    return {k: v for k, v in fields.items() if k in ("option_page", "action", "_wpnonce")}


def _save(site, admin, **values) -> str:
    answer = admin.post(
        site.url + "/wp-admin/options.php",
        data={**_form(site, admin), "_wp_http_referer": PAGE, **values},
        timeout=30,
    )
    assert answer.status_code == 200, answer.status_code
    return answer.text


def test_the_screen_shows_status_direct_mode_and_resync(site, admin):
    html = admin.get(site.url + PAGE, timeout=30).text
    assert 'id="space-inbox-status"' in html
    assert "The bridge does not answer" in html  # nothing listens at 127.0.0.1:9
    assert "Browsers reach the bridge through WordPress (proxy mode)." in html
    assert 'id="space-inbox-direct"' in html
    assert "location ^~ /space-inbox-api/ {" in html and "proxy_pass http://127.0.0.1:9/;" in html
    assert 'id="space-inbox-rules-apache"' in html and 'id="space-inbox-rules-caddy"' in html
    assert 'id="space-inbox-resync"' in html and "Resync all Spaces" in html
    for field in (
        "space_inbox_bridge_url",
        "space_inbox_public_url",
        "space_inbox_regenerate_secret",
        "space_inbox_post_type",
        "space_inbox_inbox_page",
        "space_inbox_email",
    ):
        assert re.search(f"name=[\"']{field}[\"']", html), field
    plugins = admin.get(site.url + "/wp-admin/plugins.php", timeout=30).text
    assert PAGE.replace("/wp-admin/", "") in plugins.replace("&#038;", "&")


def test_valid_settings_are_saved_and_an_invalid_url_keeps_the_old_one(site, admin):
    secret = site.option("space_inbox_secret")
    _save(
        site,
        admin,
        space_inbox_bridge_url="http://127.0.0.1:8765/",
        space_inbox_public_url="",
        space_inbox_post_type="post",
        space_inbox_inbox_page="0",
        space_inbox_email="0",
    )
    assert site.option("space_inbox_bridge_url") == "http://127.0.0.1:8765"
    assert site.option("space_inbox_post_type") == "post"
    assert site.option("space_inbox_email") == "0"
    assert site.option("space_inbox_secret") == secret  # not asked for a new one
    html = _save(
        site,
        admin,
        space_inbox_bridge_url="javascript:alert(1)",
        space_inbox_public_url="ftp://example.org/x",
        space_inbox_post_type="no_such_type",
        space_inbox_email="1",
    )
    assert site.option("space_inbox_bridge_url") == "http://127.0.0.1:8765"
    assert site.option("space_inbox_public_url") in ("", None)
    assert site.option("space_inbox_post_type") == "post"  # not a type: the current one
    assert site.option("space_inbox_email") == "1"
    assert "is not an http or https URL; the previous value was kept." in html
    assert "javascript:alert(1)" in html  # the notice names the value it refused
    _save(site, admin, space_inbox_post_type="wpe_wpspace")
    assert site.option("space_inbox_post_type") == "wpe_wpspace"


def test_a_new_secret_only_when_asked(site, admin):
    before = site.option("space_inbox_secret")
    _save(site, admin, space_inbox_email="1")
    assert site.option("space_inbox_secret") == before
    _save(site, admin, space_inbox_email="1", space_inbox_regenerate_secret="1")
    after = site.option("space_inbox_secret")
    assert after and after != before and len(after) >= 32
    html = admin.get(site.url + PAGE, timeout=30).text
    assert after not in html and after[:4] + "•" * 12 in html


def test_only_an_administrator_sees_or_saves_the_settings(site, admin):
    form = _form(site, admin)
    site.create_user("sam", PASSWORD, email="sam@example.org", role="editor")
    editor = site.login("sam", PASSWORD)
    assert "space-inbox-status" not in editor.get(site.url + PAGE, timeout=30).text
    before = site.option("space_inbox_bridge_url")
    answer = editor.post(
        site.url + "/wp-admin/options.php",
        data={**form, "space_inbox_bridge_url": "http://127.0.0.1:1"},
        timeout=30,
    )
    assert answer.status_code in (403, 200)
    assert site.option("space_inbox_bridge_url") == before


def test_the_email_delay_and_the_defaults_are_saved_as_the_bridge_reads_them(site, admin):
    html = admin.get(site.url + PAGE, timeout=30).text
    assert 'name="space_inbox_email_delay"' in html and "At once (no batching)" in html
    for box in ("team][email]", "team][push]", "team][outside_hours]", "member][push]"):
        assert f'name="space_inbox_notify_defaults[{box}"' in html, box
    options = ("space_inbox_email", "space_inbox_email_delay", "space_inbox_notify_defaults")

    def policy() -> choices.Policy:
        return choices.policy({name: site.option(name) or "" for name in options})

    assert policy() == choices.Policy()  # nothing saved yet: the bridge's defaults
    _save(
        site,
        admin,
        space_inbox_email="1",
        space_inbox_email_delay="600",
        **{
            "space_inbox_notify_defaults[sent]": "1",
            "space_inbox_notify_defaults[team][email]": "1",
            "space_inbox_notify_defaults[member][push]": "1",
        },
    )
    saved = choices.Policy(
        delay=timedelta(minutes=10),
        team=choices.Choice(email=True, push=False, outside_hours=False),
        member=choices.Choice(email=False, push=True),
    )
    assert policy() == saved
    # A form without those fields, or with a delay that is not one, changes neither.
    _save(site, admin, space_inbox_email="0", space_inbox_email_delay="soon")
    assert policy() == replace(saved, email=False)
    _save(site, admin, space_inbox_email="1", space_inbox_email_delay="999999")
    assert policy().delay == choices.MAX_DELAY
    _save(site, admin, space_inbox_email="1", space_inbox_email_delay="0")
    assert policy().delay == timedelta(0)
