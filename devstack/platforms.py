"""The platforms Space Inbox runs on, as throw-away test sites.

Debian's WordPress 6.1 (what :class:`~wordpress.WordPressSite` uses by default), WordPress 7.1
alone, WordPress 7.1 with BuddyPress 14.5.2, and WordPress 7.1 with BuddyBoss Platform 3.4.1,
each of the last two also with Spaces Engine 1.0.0 (the business pages whose post type,
``wpe_wpspace``, Space Inbox serves).

The third-party releases are test fixtures, never part of the repository.  They are read from
``../shared/vendor/`` beside the repository when that folder exists, else downloaded from their
official sources; either way their checksum is checked, and each is unpacked once into a cache
folder outside the repository (``<tmp>/space-inbox-platforms/``) that later runs reuse.

Typical use::

    site = build_site("wp71-buddypress", tmp_path / "wp", "si_test_bp")
    site.start()  # installs WordPress, then brings BuddyPress up (or copies a template)
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import shutil
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass
from typing import Any

import requests

from devstack.wordpress import ADMIN_REQUEST, WORDPRESS_SOURCE, WordPressSite, php_str

#: Where the releases are kept on a machine that cannot download them: ``shared/vendor``
#: beside the repository.
VENDOR_DIR = pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "vendor"
#: Where releases are unpacked (one folder per archive checksum) and downloads are kept.
CACHE_DIR = pathlib.Path(tempfile.gettempdir()) / "space-inbox-platforms"
#: Timeout (seconds) of a download's connection and of each read.
DOWNLOAD_TIMEOUT = 60.0

#: The BuddyPress/BuddyBoss components Space Inbox uses or sits beside on real sites.
COMPONENTS = (
    "activity",
    "members",
    "xprofile",
    "settings",
    "notifications",
    "messages",
    "groups",
    "friends",
)
#: BuddyBoss adds its moderation (reports, blocking, suspension), on in most of its communities.
BUDDYBOSS_COMPONENTS = (*COMPONENTS, "moderation")

#: Archives that are never unpacked, by sha256, with the reason.
REFUSED = {
    # The copy of the BuddyBoss Theme 1.3.1 offered beside the others: its functions.php opens
    # with the WP-VCD backdoor (it runs PHP fetched from www.crilns.com on every page load and
    # rewrites itself on request).  No official copy of the theme is public.
    "3bf256a85d1041fc8022fb1a56b3729e4e4e14e35c9f3034e73e52127388a117": (
        "it is the BuddyBoss Theme 1.3.1 copy whose functions.php carries the WP-VCD backdoor"
    ),
}


class PlatformError(RuntimeError):
    """A release is missing or refused, or a platform did not come up."""


def sha256_of(path: pathlib.Path) -> str:
    """Return the hex sha256 of the file at *path*."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def tree_digest(tree: pathlib.Path) -> str:
    """Return the sha256 of a folder's files: each file's path (relative, sorted) and the
    sha256 of its bytes, one line each.

    Two archives of one release (a tarball and the official zip) unpack to the same digest.
    Hidden files and folders (such as a repository's ``.wordpress-org`` icons) are left out.
    """
    lines = []
    for path in sorted(tree.rglob("*")):
        relative = path.relative_to(tree).as_posix()
        if path.is_file() and not any(part.startswith(".") for part in relative.split("/")):
            lines.append(f"{relative}\0{sha256_of(path)}\n")
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def check_archive(path: pathlib.Path, expected: str | None) -> str:
    """Return the sha256 of *path* after checking it.

    :param path: the archive.
    :param expected: its known sha256, or ``None`` when none is known.
    :raises PlatformError: if the checksum differs, or the archive is in :data:`REFUSED`.
    """
    digest = sha256_of(path)
    if expected is not None and digest != expected:
        raise PlatformError(f"{path} has sha256 {digest}, not the expected {expected}: refused")
    if digest in REFUSED:
        raise PlatformError(f"{path} is refused: {REFUSED[digest]}")
    return digest


def download(url: str, folder: pathlib.Path, expected: str | None) -> pathlib.Path:
    """Download *url* into *folder*, under the last part of its path.

    The body is streamed to a temporary file that is renamed into place only once complete
    and checked, so an interrupted or corrupt download is never taken for the release.

    :param expected: the download's sha256 when known.
    :returns: the downloaded file.
    :raises requests.RequestException: if the download fails.
    :raises PlatformError: if the checksum differs.
    """
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / url.rstrip("/").rsplit("/", 1)[-1]
    fd, name = tempfile.mkstemp(prefix=".part-", dir=folder)
    part = pathlib.Path(name)
    try:
        with (
            os.fdopen(fd, "wb") as out,
            requests.get(url, stream=True, timeout=DOWNLOAD_TIMEOUT) as answer,
        ):
            answer.raise_for_status()
            for chunk in answer.iter_content(1 << 20):
                out.write(chunk)
        check_archive(part, expected)
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
    return target


def unpack(archive: pathlib.Path, digest: str, folder: str, cache: pathlib.Path) -> pathlib.Path:
    """Unpack *archive* once into ``cache/<digest prefix>/<folder>`` and return that tree.

    Safe against two processes at once: each unpacks into its own temporary folder and
    renames it into place; the loser of the race throws its copy away and uses the winner's.

    :param archive: a ``.tar.gz`` or ``.zip`` holding a single top-level folder (a GitHub tag
        archive names it ``<repo>-<tag>``: it is renamed to *folder*).
    :param digest: the archive's sha256, which names its cache folder.
    :param folder: the name the tree gets.
    :raises PlatformError: if the archive does not hold a single folder.
    """
    final = cache / digest[:16]
    if (final / folder).is_dir():
        return final / folder
    cache.mkdir(parents=True, exist_ok=True)
    work = pathlib.Path(tempfile.mkdtemp(prefix=".unpack-", dir=cache))
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zipped:
                zipped.extractall(work)  # names with .. or a leading / are made safe
        else:
            with tarfile.open(archive) as tarred:
                # The "data" filter refuses links and paths leading out of the folder.
                tarred.extractall(work, filter="data")
        tops = [p for p in work.iterdir() if not p.name.startswith(".")]
        if len(tops) != 1 or not tops[0].is_dir():
            names = sorted(p.name for p in tops)
            raise PlatformError(f"{archive} holds {names}, not a single folder")
        if tops[0].name != folder:
            tops[0].rename(work / folder)
        try:
            os.rename(work, final)
        except OSError:
            # Another process put its copy in place first (the target is not empty).
            if not (final / folder).is_dir():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return final / folder


@dataclass(frozen=True)
class Release:
    """A third-party release the tests build sites with.

    :param file: its archive's name in the vendor folder.
    :param folder: the folder the archive unpacks to.
    :param sha256: the vendored archive's sha256.
    :param url: its official download, or ``None`` if there is none.
    :param url_sha256: the official download's sha256, when known.
    :param tree_sha256: the :func:`tree_digest` of the unpacked release, checked whichever
        archive it came from (for a download whose own checksum is not known).
    """

    file: str
    folder: str
    sha256: str
    url: str | None
    url_sha256: str | None = None
    tree_sha256: str | None = None

    def archive(
        self, vendor: pathlib.Path = VENDOR_DIR, cache: pathlib.Path = CACHE_DIR
    ) -> tuple[pathlib.Path, str]:
        """Return the checked archive and its sha256: the vendored file, else a download.

        :raises PlatformError: if it is in neither place and cannot be downloaded (naming the
            file and where it looked), or if its checksum is wrong.
        """
        vendored = vendor / self.file
        if vendored.is_file():
            return vendored, check_archive(vendored, self.sha256)
        if self.url is None:
            raise PlatformError(
                f"{self.file} is missing: it is not in {vendor}, and {self.folder} has no"
                " official download"
            )
        # One folder per release: GitHub names tag archives after the tag alone.
        downloads = cache / "downloads" / self.folder
        kept = downloads / self.url.rstrip("/").rsplit("/", 1)[-1]
        if not kept.is_file():
            try:
                kept = download(self.url, downloads, self.url_sha256)
            except requests.RequestException as error:
                raise PlatformError(
                    f"{self.file} is missing: it is not in {vendor}, and downloading"
                    f" {self.url} failed: {error}"
                ) from error
        return kept, check_archive(kept, self.url_sha256)

    def tree(
        self, vendor: pathlib.Path = VENDOR_DIR, cache: pathlib.Path = CACHE_DIR
    ) -> pathlib.Path:
        """Return the unpacked release (unpacked on first use, then reused).

        :raises PlatformError: as :meth:`archive` does, or if the unpacked files are not the
            release's (:attr:`tree_sha256`); they are removed then.
        """
        archive, digest = self.archive(vendor, cache)
        tree = unpack(archive, digest, self.folder, cache)
        if self.tree_sha256 is not None:
            found = tree_digest(tree)
            if found != self.tree_sha256:
                shutil.rmtree(tree.parent, ignore_errors=True)
                raise PlatformError(
                    f"{archive} unpacks to files with digest {found}, not the expected"
                    f" {self.tree_sha256}: refused"
                )
        return tree


# The vendored WordPress lacks one unused file and BuddyPress was built from its source as a
# .tar.gz, so their checksums do not apply to the official archives: none is pinned for those.
WORDPRESS_71 = Release(
    "wordpress-7.1.tar.gz",
    "wordpress",
    "b8fd971db7ce7bc873902c448ed83c2e0cdf1f4697be49b8a908fcf25e35b800",
    "https://wordpress.org/wordpress-7.1.tar.gz",
)
BUDDYPRESS_1452 = Release(
    "buddypress-14.5.2.tar.gz",
    "buddypress",
    "b58996c41ab96e9c2d04324b24867e78ce8b0a7ce9676adcae2696d2380387b4",
    "https://downloads.wordpress.org/plugin/buddypress.14.5.2.zip",
)
# BuddyBoss keeps its release builds (vendor/ included) in its repository: the tree of tag
# 3.4.1 is the vendored tree, file for file.
BUDDYBOSS_341 = Release(
    "buddyboss-platform-3.4.1.tar.gz",
    "buddyboss-platform",
    "e3e1150ad1885d3b0d34af71a4b3db6dab5eff7496340be404494b4eeea17e3b",
    "https://github.com/buddyboss/buddyboss-platform/archive/refs/tags/3.4.1.tar.gz",
)
# Spaces Engine 1.0.0 as released on wordpress.org, less its .wordpress-org icons (not part of
# the plugin's zip either): the zip's own bytes differ from the tarball's, so its files are
# checked instead, whichever archive they come from.
SPACES_ENGINE_100 = Release(
    "spaces-engine-1.0.0.tar.gz",
    "spaces-engine",
    "0377ab313456be82c3970a91ef7ef4c975da00c0d42d6cb655ae802e08f465dd",
    "https://downloads.wordpress.org/plugin/spaces-engine.1.0.0.zip",
    tree_sha256="218d27d2967129e8cd2e3c26118609dd3407065c5a5f94aa16a386cc7530a5bf",
)


@dataclass(frozen=True)
class Platform:
    """A platform sites run on: a WordPress, plugins brought up with it, maybe a theme.

    :param key: short name, e.g. ``"wp71-buddypress"``.
    :param label: human name.
    :param wordpress: the WordPress release, or ``None`` for Debian's package.
    :param plugins: plugin releases, linked into ``wp-content/plugins`` under their folder.
    :param community: the main file of BuddyPress or BuddyBoss Platform, brought up by
        :meth:`bring_up`; ``None`` for none.
    :param theme: a theme release, linked and switched to by :meth:`bring_up`.
    :param after: main files of plugins activated once the community is up (Spaces Engine
        deactivates itself without BuddyPress or BuddyBoss).
    :param components: the community's components switched on.
    """

    key: str
    label: str
    wordpress: Release | None
    plugins: tuple[Release, ...] = ()
    community: str | None = None
    theme: Release | None = None
    after: tuple[str, ...] = ()
    components: tuple[str, ...] = COMPONENTS

    def site(self, workdir: pathlib.Path, db_name: str, **site_kwargs: Any) -> PlatformSite:
        """Return an unstarted site on this platform (unpacking releases on first use).

        :param site_kwargs: passed to :class:`~wordpress.WordPressSite`; ``plugin_dirs`` and
            ``theme_dirs`` are added to the platform's own.
        """
        return PlatformSite(self, workdir, db_name, **site_kwargs)

    def brings_up(self) -> bool:
        """Whether :meth:`bring_up` does anything (else a site on it is plain WordPress)."""
        return bool(self.community or self.after or self.theme)

    def bring_up(self, site: WordPressSite) -> None:
        """Activate the platform's plugin and theme on an installed, running *site*.

        :raises PlatformError: if a component is not active afterwards.
        """
        if self.community is not None:
            site.activate_plugin(self.community)
            install_components(site, self.components)
            # A new PHP run: its rules come from the components now active.
            site.php("flush_rewrite_rules();")
            inactive = inactive_components(site, self.components)
            if inactive:
                raise PlatformError(
                    f"{self.label}: components {inactive} are not active; bp-active-components"
                    f" is {site.option('bp-active-components')!r}"
                )
        for plugin in self.after:
            site.activate_plugin(plugin)
        if self.after:
            site.php("flush_rewrite_rules();")  # a new PHP run, with their post types
        if self.theme is not None:
            site.php(f"switch_theme( {php_str(self.theme.folder)} );")


class PlatformSite(WordPressSite):
    """A :class:`~wordpress.WordPressSite` whose :meth:`start` also brings its platform up
    (a copy of a template, :mod:`devstack.templates`, has it up already).

    :param platform: the platform.
    :param workdir: as for :class:`~wordpress.WordPressSite`.
    :param db_name: as for :class:`~wordpress.WordPressSite`.
    :param site_kwargs: as for :class:`~wordpress.WordPressSite`; ``plugin_dirs`` and
        ``theme_dirs`` are added to the platform's.
    """

    def __init__(
        self, platform: Platform, workdir: pathlib.Path, db_name: str, **site_kwargs: Any
    ) -> None:
        plugins = {release.folder: release.tree() for release in platform.plugins}
        plugins.update(site_kwargs.pop("plugin_dirs", None) or {})
        themes = {platform.theme.folder: platform.theme.tree()} if platform.theme else {}
        themes.update(site_kwargs.pop("theme_dirs", None) or {})
        source = platform.wordpress.tree() if platform.wordpress else WORDPRESS_SOURCE
        super().__init__(
            workdir, db_name, source=source, plugin_dirs=plugins, theme_dirs=themes, **site_kwargs
        )
        self.platform = platform
        #: Seconds the last :meth:`start` spent bringing the platform up (within start_seconds).
        self.bring_up_seconds = 0.0

    def _set_up(self) -> None:
        """Bring the platform up on the installed site."""
        began = time.monotonic()
        self.platform.bring_up(self)
        self.bring_up_seconds = time.monotonic() - began

    def _template_key(self) -> dict[str, Any] | None:
        """As for :class:`~wordpress.WordPressSite`, with what :meth:`_set_up` brings up: the
        platform and the folders its plugins and theme are linked from."""
        if type(self) is not PlatformSite:
            return None
        key = {"source": str(self.source), "extra_config": self.extra_config}
        if self.platform.brings_up():
            key["platform"] = {
                "key": self.platform.key,
                "components": list(self.platform.components),
                "plugins": {
                    r.folder: str(self.plugin_dirs[r.folder]) for r in self.platform.plugins
                },
                "theme": str(self.theme_dirs[self.platform.theme.folder])
                if self.platform.theme
                else None,
            }
        return key

    def _template_twin(self, workdir: pathlib.Path, db_name: str, prefix: str) -> WordPressSite:
        """An unstarted site on this platform, with the platform's links only, installed
        from scratch."""
        if not self.platform.brings_up():
            return super()._template_twin(workdir, db_name, prefix)
        plugins = {r.folder: self.plugin_dirs[r.folder] for r in self.platform.plugins}
        theme = self.platform.theme
        return PlatformSite(
            self.platform,
            workdir,
            db_name,
            table_prefix=prefix,
            db_host=self.db_host,
            db_port=self.db_port,
            db_user=self.db_user,
            db_password=self.db_password,
            extra_config=self.extra_config,
            plugin_dirs=plugins,
            theme_dirs={theme.folder: self.theme_dirs[theme.folder]} if theme else None,
            template=False,
        )


#: Spaces Engine's main file.
SPACES_ENGINE = "spaces-engine/wpe-wps.php"

#: Every platform, by key.
PLATFORMS: dict[str, Platform] = {
    platform.key: platform
    for platform in (
        Platform("wp61", "WordPress 6.1 (Debian)", None),
        Platform("wp71", "WordPress 7.1", WORDPRESS_71),
        Platform(
            "wp71-buddypress",
            "WordPress 7.1 + BuddyPress 14.5.2",
            WORDPRESS_71,
            (BUDDYPRESS_1452,),
            "buddypress/bp-loader.php",
        ),
        # No BuddyBoss Theme: the only copy at hand is refused (see REFUSED).  A fresh
        # BuddyBoss 3.4.1 site shows its members pages through ReadyLaunch, BuddyBoss' own
        # front end, whose header has the theme's notifications and messages elements.
        Platform(
            "wp71-buddyboss",
            "WordPress 7.1 + BuddyBoss Platform 3.4.1",
            WORDPRESS_71,
            (BUDDYBOSS_341,),
            "buddyboss-platform/bp-loader.php",
            components=BUDDYBOSS_COMPONENTS,
        ),
        Platform(
            "wp71-buddypress-spaces",
            "WordPress 7.1 + BuddyPress 14.5.2 + Spaces Engine 1.0.0",
            WORDPRESS_71,
            (BUDDYPRESS_1452, SPACES_ENGINE_100),
            "buddypress/bp-loader.php",
            after=(SPACES_ENGINE,),
        ),
        Platform(
            "wp71-buddyboss-spaces",
            "WordPress 7.1 + BuddyBoss Platform 3.4.1 + Spaces Engine 1.0.0",
            WORDPRESS_71,
            (BUDDYBOSS_341, SPACES_ENGINE_100),
            "buddyboss-platform/bp-loader.php",
            after=(SPACES_ENGINE,),
            components=BUDDYBOSS_COMPONENTS,
        ),
    )
}


def build_site(
    platform: str, workdir: pathlib.Path, db_name: str, **site_kwargs: Any
) -> PlatformSite:
    """Return an unstarted site on *platform*; its ``start()`` installs and brings it up.

    :param platform: a key of :data:`PLATFORMS`.
    :param site_kwargs: passed to :class:`~wordpress.WordPressSite`.
    :raises ValueError: for an unknown key.
    :raises PlatformError: if a release is missing or refused.
    """
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}; known: {', '.join(PLATFORMS)}")
    return PLATFORMS[platform].site(workdir, db_name, **site_kwargs)


# -- bringing BuddyPress / BuddyBoss up ------------------------------------------------------


def install_components(site: WordPressSite, components: tuple[str, ...]) -> None:
    """Install BuddyPress/BuddyBoss with *components* active, as its first wp-admin visit would.

    The installer of a new site switches on its five default components, whatever the option
    held before, so *components* become the install's defaults (its tables, pages and e-mails
    follow).  The install runs through ``bp_setup_updater()`` because BuddyBoss records its
    database version only in the ``bp_is_update()`` that calls: after a bare
    ``bp_version_updater()`` the first wp-admin visit installs again and resets the components.
    The activation redirect is dropped: it would take the first wp-admin visit to a welcome
    screen (on BuddyBoss, its onboarding wizard).
    """
    active = "array( " + ", ".join(f"{php_str(c)} => 1" for c in components) + " )"
    site.php(
        f"""
$components = {active};
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once buddypress()->plugin_dir . 'bp-core/admin/bp-core-admin-schema.php';
require_once buddypress()->plugin_dir . 'bp-core/bp-core-update.php';
add_filter( 'bp_new_install_default_components', static fn () => $components );
bp_setup_updater();
delete_transient( '_bp_activation_redirect' );
delete_transient( '_bp_is_new_install' );
""",
        preamble=ADMIN_REQUEST,
    )


def inactive_components(site: WordPressSite, components: tuple[str, ...]) -> list[str]:
    """Return which of *components* ``bp_is_active()`` denies, in a fresh PHP run."""
    names = "array( " + ", ".join(php_str(c) for c in components) + " )"
    out = site.php(
        f"echo wp_json_encode( array_values( array_filter( {names},"
        " static fn ( $c ) => ! bp_is_active( $c ) ) ) );"
    )
    return list(json.loads(out))


def set_buddyboss_toolbar(site: WordPressSite, *, members: bool, admins: bool = True) -> None:
    """Show or hide the WordPress toolbar on the front end, as BuddyBoss' settings do.

    BuddyBoss sites commonly hide it for members (the header has its own icons); both options
    are on after an install.

    :param members: ``show-login-adminbar``: the toolbar for logged-in members.
    :param admins: ``show-admin-adminbar``: the toolbar for administrators.
    """
    site.php(
        f"bp_update_option( 'show-login-adminbar', {int(members)} );"
        f" bp_update_option( 'show-admin-adminbar', {int(admins)} );"
    )
