"""Tests proving that devstack/platforms.py builds the platforms it names: WordPress 7.1 alone, with
BuddyPress 14.5.2, and with BuddyBoss Platform 3.4.1, the last two also with Spaces Engine
1.0.0, each checked from the outside; and that a site copied from a template
(devstack/templates.py) is the site an install gives."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import http.server
import io
import json
import os
import pathlib
import re
import tarfile
import threading
import urllib.parse
import zipfile
from collections.abc import Iterator
from datetime import datetime

import pytest

from devstack import templates
from devstack.platforms import (
    REFUSED,
    PlatformError,
    PlatformSite,
    Release,
    build_site,
    check_archive,
    inactive_components,
    set_buddyboss_toolbar,
    tree_digest,
)
from devstack.wordpress import HTTP_TIMEOUT, WORDPRESS_SOURCE, WordPressError, free_port

#: Per platform: BuddyPress' version, BuddyBoss Platform's version (``None``: not there).
EXPECTED = {
    "wp71": (None, None),
    "wp71-buddypress": ("14.5.2", None),
    "wp71-buddyboss": ("3.4.1", "3.4.1"),  # BuddyBoss answers bp_get_version() with its own
    "wp71-buddypress-spaces": ("14.5.2", None),
    "wp71-buddyboss-spaces": ("3.4.1", "3.4.1"),
}
SPACES_ENGINE_SITES = ["wp71-buddypress-spaces", "wp71-buddyboss-spaces"]


@pytest.fixture(scope="module", params=list(EXPECTED))
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PlatformSite]:
    """One site per platform, built once for the module."""
    key = request.param
    db_name = f"si_test_{key.replace('-', '_')}_{os.getpid()}"
    built = build_site(key, tmp_path_factory.mktemp(key), db_name)
    with built:
        yield built


def _has_community(site: PlatformSite) -> bool:
    return site.platform.community is not None


def _member(site: PlatformSite, login: str) -> tuple[int, str]:
    """Create member *login* (if need be); return their ID and user_nicename."""
    user_id = site.user_id(login) or site.create_user(login, f"{login}-password")
    rows = site.sql("SELECT user_nicename FROM {prefix}users WHERE ID = %s", [user_id])
    return user_id, rows[0][0]


def test_wordpress_is_71(site: PlatformSite) -> None:
    version_php = (site.root / "wp-includes" / "version.php").read_text(encoding="utf-8")
    assert re.search(r"^\$wp_version = '7\.1';$", version_php, re.M)
    assert site.php("echo get_bloginfo( 'version' );") == "7.1"
    # WordPress 6.8+ stores bcrypt hashes with its own prefix.
    user_id, _ = _member(site, "hash-check")
    user_pass = site.sql("SELECT user_pass FROM {prefix}users WHERE ID = %s", [user_id])[0][0]
    assert user_pass.startswith("$wp$2y$")


def test_community_versions(site: PlatformSite) -> None:
    bp_version, platform_version = EXPECTED[site.platform.key]
    found = json.loads(
        site.php(
            "echo wp_json_encode( array("
            " function_exists( 'bp_get_version' ) ? bp_get_version() : null,"
            " defined( 'BP_PLATFORM_VERSION' ) ? BP_PLATFORM_VERSION : null ) );"
        )
    )
    assert found == [bp_version, platform_version]


@pytest.mark.parametrize("site", ["wp71-buddypress", "wp71-buddyboss"], indirect=True)
def test_components_are_active_and_survive_first_admin_visit(site: PlatformSite) -> None:
    components = site.platform.components
    assert inactive_components(site, components) == []
    assert ("moderation" in components) == (site.platform.key == "wp71-buddyboss")
    # BuddyBoss used to reset the components on the first wp-admin visit after its install.
    with site.login(site.admin_login, site.admin_password) as session:
        answer = session.get(f"{site.url}/wp-admin/", timeout=HTTP_TIMEOUT)
    assert answer.status_code == 200
    assert answer.url.rstrip("/").endswith("/wp-admin"), "the activation redirect is still set"
    assert inactive_components(site, components) == []


def test_member_profile_answers(site: PlatformSite) -> None:
    user_id, nicename = _member(site, "profile.viewer")
    with site.login("profile.viewer", "profile.viewer-password") as session:
        answer = session.get(f"{site.url}/members/{nicename}/", timeout=HTTP_TIMEOUT)
    if not _has_community(site):
        assert answer.status_code == 404  # plain WordPress has no member profiles
        return
    assert answer.status_code == 200
    assert 'id="wpadminbar"' in answer.text  # logged in
    # The profile URL BuddyPress/BuddyBoss itself gives (BuddyBoss keeps the pre-12 function).
    url = site.php(
        f"echo function_exists( 'bp_members_get_user_url' ) ? bp_members_get_user_url( {user_id} )"
        f" : bp_core_get_user_domain( {user_id} );"
    )
    assert url == f"{site.url}/members/{nicename}/"


@pytest.mark.parametrize("site", ["wp71-buddyboss"], indirect=True)
def test_buddyboss_header_and_toolbar(site: PlatformSite) -> None:
    # No BuddyBoss Theme (refused, see platforms.REFUSED): members pages use ReadyLaunch.
    assert site.php("echo get_stylesheet();") == "harness"
    assert site.php("echo bb_is_readylaunch_enabled() ? 'yes' : 'no';") == "yes"
    _member(site, "toolbar.member")
    try:
        for shown in (False, True):
            set_buddyboss_toolbar(site, members=shown)
            with site.login("toolbar.member", "toolbar.member-password") as session:
                page = session.get(f"{site.url}/members/", timeout=HTTP_TIMEOUT)
            assert page.status_code == 200
            assert 'id="header-notifications-dropdown-elem"' in page.text
            assert 'id="header-messages-dropdown-elem"' in page.text
            assert ('id="wpadminbar"' in page.text) is shown
        # The administrators' setting is its own.
        set_buddyboss_toolbar(site, members=False, admins=True)
        with site.login(site.admin_login, site.admin_password) as session:
            page = session.get(f"{site.url}/members/", timeout=HTTP_TIMEOUT)
        assert 'id="wpadminbar"' in page.text
    finally:
        set_buddyboss_toolbar(site, members=True, admins=True)


@pytest.mark.parametrize("site", SPACES_ENGINE_SITES, indirect=True)
def test_spaces_engine_draws_spaces(site: PlatformSite) -> None:
    """Spaces Engine 1.0.0 is active beside its community and owns the Space post type: its
    archive and a Space's page answer, the page with its header on BuddyPress."""
    found = json.loads(
        site.php(
            "require_once ABSPATH . 'wp-admin/includes/plugin.php';"
            " echo wp_json_encode( array( SPACES_ENGINE_PLUGIN_VERSION,"
            " is_plugin_active( 'spaces-engine/wpe-wps.php' ), post_type_exists( 'wpe_wpspace' ),"
            " function_exists( 'SpacesEngine\\is_space_admin' ) ) );"
        )
    )
    assert found == ["1.0.0", True, True, True]
    owner_id, _ = _member(site, "space.owner")
    space_id = int(
        site.php(
            "echo wp_insert_post( array( 'post_type' => 'wpe_wpspace', 'post_status' =>"
            f" 'publish', 'post_title' => 'Corner Shop', 'post_author' => {owner_id} ) );"
        )
    )
    with site.login("space.owner", "space.owner-password") as session:
        archive = session.get(f"{site.url}/spaces/", timeout=HTTP_TIMEOUT)
        page = session.get(f"{site.url}/spaces/corner-shop/", timeout=HTTP_TIMEOUT)
    assert archive.status_code == 200 and 'id="space-archive-container"' in archive.text
    assert page.status_code == 200, page.status_code
    assert f"postid-{space_id}" in page.text
    # With BuddyBoss, ReadyLaunch draws the page instead (Spaces Engine marks it an
    # activity page): no Spaces Engine header there.
    assert ('id="item-actions"' in page.text) is (site.platform.key == "wp71-buddypress-spaces")


def test_wp61_is_debians_wordpress(tmp_path: pathlib.Path) -> None:
    """The default platform of the other tests, through the same entry point."""
    with build_site("wp61", tmp_path / "wp", f"si_test_wp61_{os.getpid()}") as debian:
        assert debian.source == WORDPRESS_SOURCE
        assert not (debian.root / ".htaccess").exists()  # Debian's points into /etc
        assert debian.php("echo get_bloginfo( 'version' );").startswith("6.1")
        assert debian.php("echo function_exists( 'buddypress' ) ? 'yes' : 'no';") == "no"
    with pytest.raises(ValueError, match="unknown platform 'wp99'"):
        build_site("wp99", tmp_path / "nope", "si_test_nope")


# -- sites copied from templates ----------------------------------------------------------------


def _contents(site: PlatformSite) -> dict[str, list[tuple]]:
    """Every row of the site's database, by table, in the terms of any site: its prefix and
    address named, dates, times and password hashes left out, the options without their ids
    (a copy writes some caches again) nor the caches keyed by the site's path."""
    address = urllib.parse.urlsplit(site.url).netloc

    def plain(value: object) -> object:
        if isinstance(value, datetime):
            return "<date>"
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if not isinstance(value, str):
            return value
        value = value.replace(site.table_prefix, "<prefix>").replace(address, "<address>")
        return re.sub(r"\$wp\$2y\$\d+\$[./A-Za-z0-9]{53}|\b1[789]\d{8}\b", "<hash or time>", value)

    found = {}
    tables = site.sql(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
        [site.db_name],
    )
    for (table,) in tables:
        rows = [tuple(plain(v) for v in row) for row in site.sql(f"SELECT * FROM `{table}`")]
        if table == f"{site.table_prefix}options":
            rows = [
                # The cron option's events, not their times (the install's own second); the
                # secrets each site draws (compared on their own).
                (
                    name,
                    sorted(set(re.findall(r'"([a-z_]+)";a:1:\{s:32:', value)))
                    if name == "cron"
                    else "<secret>"
                    if name in templates.SECRET_OPTIONS
                    else value,
                    autoload,
                )
                for _id, name, value, autoload in rows
                if "theme_files_patterns-" not in name
            ]
        found[str(plain(table))] = sorted(rows, key=repr)
    return found


def test_a_copy_of_a_template_is_the_site_an_install_gives(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BuddyPress' site, installed from scratch and copied from its template under other
    table prefixes and addresses: the same rows and files; its own secrets; the release's
    files shared."""
    own = None
    if templates.active() is None:  # --fresh-sites: templates of this test's own
        own = templates.SiteTemplates(tmp_path / "templates")
        monkeypatch.setattr(templates, "_active", own)
    key, pid = "wp71-buddypress", os.getpid()
    # Prefixes found nowhere else: each is replaced wherever it is found.
    fresh = build_site(
        key, tmp_path / "fresh", f"si_test_fresh_{pid}", table_prefix="frsh_", template=False
    )
    copies = [
        build_site(key, tmp_path / n, f"si_test_{n}_{pid}", table_prefix=f"{n}_")
        for n in ("copya", "copyb")
    ]
    try:
        for site in (fresh, *copies):
            site.start()
        assert not fresh.from_template and all(c.from_template for c in copies)
        salts = [s.option("bp-emails-unsubscribe-salt") for s in (fresh, *copies)]
        assert len(set(salts)) == 3 and all(salts), "a copy keeps its template's secret"
        expected = _contents(fresh)
        assert "<prefix>bp_activity" in expected
        for copy in copies:
            assert _contents(copy) == expected
            files = sorted(p.relative_to(copy.root) for p in copy.root.rglob("*"))
            # BuddyPress makes its uploads folder on the first request after its bring-up:
            # in a copy, the request that saw it answer.
            uploads = pathlib.Path("wp-content/uploads/buddypress")
            made = sorted(p.relative_to(fresh.root) for p in fresh.root.rglob("*")) + [uploads]
            assert files == sorted(set(made))
            assert copy.option("siteurl") == copy.url and copy.option("home") == copy.url
            version = pathlib.Path("wp-includes/version.php")
            assert (copies[0].root / version).samefile(copy.root / version)
            assert copy.php("echo bp_is_active( 'messages' ) ? 'yes' : 'no';") == "yes"
            admin = copy.php("echo user_can( 1, 'manage_options' ) ? 'yes' : 'no';")
            assert admin == "yes", "the roles and capabilities follow the table prefix"
    finally:
        for site in (fresh, *copies):
            site.stop()
            site.drop()
        if own is not None:
            own.drop()


def test_sites_share_the_release_and_a_write_into_it_is_caught(tmp_path: pathlib.Path) -> None:
    """Sites hard-link one copy of the release and copy their own files; a site that wrote
    into a shared file stops the next copy instead of reaching every site unnoticed."""
    release = tmp_path / "release"
    (release / "wp-includes").mkdir(parents=True)
    (release / "wp-includes" / "version.php").write_text("<?php $wp_version = '0.1';\n")
    (release / "index.php").write_text("<?php\n")
    (release / ".htaccess").write_text("# Debian's, pointing into /etc\n")
    copy = templates.SiteTemplates(tmp_path / "templates").source_copy(release)
    first, second = tmp_path / "first", tmp_path / "second"
    copy.lay_out(copy.root, first)
    assert sorted(p.name for p in first.iterdir()) == ["index.php", "wp-includes"]
    assert (first / "index.php").samefile(copy.root / "index.php")
    (first / "wp-config.php").write_text("<?php // the site's own\n")
    (first / "linked").symlink_to(release, target_is_directory=True)
    copy.lay_out(first, second)
    assert (second / "index.php").samefile(copy.root / "index.php")
    assert (second / "wp-config.php").read_text() == "<?php // the site's own\n"
    assert not (second / "wp-config.php").samefile(first / "wp-config.php")
    assert not (second / "linked").exists()  # a site's links are its own to make

    with open(first / "wp-includes" / "version.php", "a") as shared:
        shared.write("$wp_version = '6.6.6';\n")
    with pytest.raises(WordPressError, match=r"wp-includes/version\.php of the WordPress copy"):
        copy.lay_out(copy.root, tmp_path / "third")


# -- finding, checking and unpacking releases (no site needed) ---------------------------------


def _tarball(path: pathlib.Path, folder: str, content: bytes = b"<?php\n") -> str:
    """Write a .tar.gz holding ``folder/index.php``; return its sha256."""
    with tarfile.open(path, "w:gz") as tarred:
        info = tarfile.TarInfo(f"{folder}/index.php")
        info.size = len(content)
        tarred.addfile(info, io.BytesIO(content))
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_missing_release_names_file_and_places(tmp_path: pathlib.Path) -> None:
    nowhere = tmp_path / "no-vendor"
    refused = f"http://127.0.0.1:{free_port()}/wordpress-7.1.tar.gz"  # nothing listens there
    release = Release("wordpress-7.1.tar.gz", "wordpress", "0" * 64, refused)
    with pytest.raises(PlatformError) as raised:
        release.tree(vendor=nowhere, cache=tmp_path / "cache")
    message = str(raised.value)
    assert "wordpress-7.1.tar.gz is missing" in message
    assert str(nowhere) in message
    assert refused in message

    offline = Release("theme-1.0.tar.gz", "theme", "0" * 64, None)
    with pytest.raises(PlatformError, match=r"theme-1\.0\.tar\.gz is missing.*no official"):
        offline.tree(vendor=nowhere, cache=tmp_path / "cache")


def test_wrong_checksum_is_refused(tmp_path: pathlib.Path) -> None:
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    real = _tarball(vendor / "plugin-1.0.tar.gz", "plugin")
    cache = tmp_path / "cache"
    wrong = Release("plugin-1.0.tar.gz", "plugin", hashlib.sha256(b"other").hexdigest(), None)
    with pytest.raises(PlatformError, match=f"sha256 {real}, not the expected"):
        wrong.tree(vendor=vendor, cache=cache)
    assert not cache.exists()  # nothing was unpacked

    right = Release("plugin-1.0.tar.gz", "plugin", real, None)
    tree = right.tree(vendor=vendor, cache=cache)
    assert tree == cache / real[:16] / "plugin"
    assert (tree / "index.php").read_bytes() == b"<?php\n"
    assert right.tree(vendor=vendor, cache=cache) == tree  # unpacked once, then reused


def test_refused_archive_is_never_unpacked(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    digest = _tarball(vendor / "theme-1.0.tar.gz", "theme")
    monkeypatch.setitem(REFUSED, digest, "a test says so")
    with pytest.raises(PlatformError, match="refused: a test says so"):
        Release("theme-1.0.tar.gz", "theme", digest, None).tree(vendor, tmp_path / "cache")
    assert not (tmp_path / "cache").exists()
    with pytest.raises(PlatformError, match="refused"):
        check_archive(vendor / "theme-1.0.tar.gz", None)


def test_download_is_checked_kept_and_unpacked(tmp_path: pathlib.Path) -> None:
    served = tmp_path / "served"
    served.mkdir()
    # Like a GitHub tag archive: a zip whose folder is named <repo>-<tag>.
    with zipfile.ZipFile(served / "plugin-1.0.zip", "w") as zipped:
        zipped.writestr("plugin-1.0/plugin.php", "<?php\n")
    digest = hashlib.sha256((served / "plugin-1.0.zip").read_bytes()).hexdigest()
    with serving(served) as base:
        cache = tmp_path / "cache"
        bad = Release("plugin-1.0.tar.gz", "plugin", "0" * 64, f"{base}/plugin-1.0.zip", "1" * 64)
        with pytest.raises(PlatformError, match="not the expected"):
            bad.tree(vendor=tmp_path / "no-vendor", cache=cache)
        assert list((cache / "downloads" / "plugin").iterdir()) == []  # bad ones are not kept

        good = Release("plugin-1.0.tar.gz", "plugin", "0" * 64, f"{base}/plugin-1.0.zip", digest)
        tree = good.tree(vendor=tmp_path / "no-vendor", cache=cache)
        assert (tree / "plugin.php").is_file()
        assert tree.name == "plugin"
        (served / "plugin-1.0.zip").unlink()  # a second run uses the kept download
        assert good.tree(vendor=tmp_path / "no-vendor", cache=cache) == tree


def test_release_files_are_checked_whichever_archive_they_come_from(
    tmp_path: pathlib.Path,
) -> None:
    """A release pinned by the digest of its files: the vendored tarball and a download of
    other bytes with the same files both pass; other files are refused and removed."""
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    tarred = _tarball(vendor / "plugin-1.0.tar.gz", "plugin", b"<?php // the release\n")
    unpacked = Release("plugin-1.0.tar.gz", "plugin", tarred, None).tree(vendor, tmp_path / "c1")
    files = tree_digest(unpacked)

    served = tmp_path / "served"
    served.mkdir()
    with zipfile.ZipFile(served / "plugin.1.0.zip", "w") as zipped:
        zipped.writestr("plugin/index.php", "<?php // the release\n")
        zipped.writestr("plugin/.wordpress-org/icon.svg", "<svg/>")  # hidden: not counted
    with zipfile.ZipFile(served / "other.1.0.zip", "w") as zipped:
        zipped.writestr("plugin/index.php", "<?php // something else\n")
    with serving(served) as base:
        nowhere = tmp_path / "no-vendor"
        good = Release("plugin-1.0.tar.gz", "plugin", "0" * 64, f"{base}/plugin.1.0.zip")
        good = dataclasses.replace(good, tree_sha256=files)
        assert tree_digest(good.tree(nowhere, tmp_path / "c2")) == files
        vendored = dataclasses.replace(good, sha256=tarred)
        assert vendored.tree(vendor, tmp_path / "c3") == tmp_path / "c3" / tarred[:16] / "plugin"

        bad = dataclasses.replace(good, url=f"{base}/other.1.0.zip")
        with pytest.raises(PlatformError, match=f"not the expected {files}: refused"):
            bad.tree(nowhere, tmp_path / "c4")
        assert not [p for p in (tmp_path / "c4").iterdir() if p.name != "downloads"]


@contextlib.contextmanager
def serving(folder: pathlib.Path) -> Iterator[str]:
    """Serve *folder* over HTTP on a free loopback port; its base URL."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # A short poll: shutdown() waits for the loop's next look at its flag.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder without logging each request to stderr."""

    def log_message(self, *args: object) -> None:
        pass
