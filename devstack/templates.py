"""Site templates: each kind of test site installed once, then copied for every site of that
kind (:meth:`~devstack.wordpress.WordPressSite.start` does so while templates are in use).

A site from scratch costs a copy of WordPress' ~3,000 files, its install and, with
BuddyPress or BuddyBoss, their bring-up: several seconds.  A copy of a template costs a
fraction of that:

- Files: the files of the WordPress release are hard links to one copy of the release (its
  *source copy*, made once per folder); files the install or the harness wrote are copied.
  A site must never write *into* a file of the release (write a new file and rename it, or
  unlink the old one first): the change would reach every site.  Each copy compares the
  linked files' size and modification time with the source copy's manifest and stops with an
  error naming the file if one changed.
- Database: each table is created from the template's ``SHOW CREATE TABLE`` under the site's
  table prefix and filled by ``INSERT ... SELECT``; the rows named after the table prefix (the
  roles option, users' capabilities and levels) are renamed, the site's address replaces the
  template's, secrets WordPress' plugins draw per site are drawn again, and caches keyed by
  the template's path are dropped.

A template is refused (its sites are installed from scratch, with a warning) when its
database holds its address in a form that cannot be replaced (PHP-serialized, URL-encoded),
its table prefix anywhere but in option names and user meta keys, or its folder's path.

Templates live in one folder shared by processes (pytest-xdist workers): each is built by
the first process that needs it, under a file lock, and used by every one;
:meth:`SiteTemplates.drop` removes their databases and the folder when the run is over.  The
databases are named after the process that made the folder: :func:`sweep` drops those of runs
that were killed before they could (their process gone, the databases hours old).

Typical use (what ``tests/conftest.py`` does)::

    folder = templates.create()      # once, in the run's main process
    templates.use(folder)            # in every process of the run
    site = WordPressSite(...).start()  # the first of its kind builds the template
    ...
    templates.SiteTemplates(folder).drop()  # once, after the last site
"""

from __future__ import annotations

import base64
import contextlib
import errno
import fcntl
import hashlib
import json
import os
import pathlib
import secrets
import shutil
import string
import tempfile
import time
import urllib.parse
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pymysql

if TYPE_CHECKING:
    from devstack.wordpress import WordPressSite

#: The table prefix templates are installed with: rare enough that finding it in a row is
#: finding a row derived from the prefix.
TEMPLATE_PREFIX = "tplsi_"

#: Rows named after the table prefix, by table (without prefix) and column: renamed in a copy.
PREFIXED = (("options", "option_name"), ("usermeta", "meta_key"))

#: Column types searched for the template's address, prefix and path.
_TEXT_TYPES = (
    "char", "varchar", "tinytext", "text", "mediumtext", "longtext",
    "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob",
)  # fmt: skip

# The characters of WordPress' wp_generate_password( 64, true, true ).
_PASSWORD_CHARS = string.ascii_letters + string.digits + "!@#$%^&*()-_ []{}<>~`+=,.;:/?|"


def _unsubscribe_salt() -> str:
    """A new ``bp-emails-unsubscribe-salt``, drawn as BuddyPress and BuddyBoss draw it."""
    password = "".join(secrets.choice(_PASSWORD_CHARS) for _ in range(64))
    return base64.b64encode(password.encode()).decode()


#: Options a plugin fills with a random secret when it is set up: drawn again for each copy.
SECRET_OPTIONS = {"bp-emails-unsubscribe-salt": _unsubscribe_salt}

#: Options (``LIKE`` patterns) that cache something under a hash of the site's path: a copy
#: drops the template's, as a new site has none.
PATH_KEYED_OPTIONS = (r"\_site\_transient\_%theme\_files\_patterns-%",)

#: Template folders are made in the temporary directory under this prefix.
FOLDER_PREFIX = "space-inbox-site-templates-"
#: Template databases are ``si_tpl_<owner's pid>_<template>``.
DATABASE_PREFIX = "si_tpl_"
#: A killed run's databases are dropped once this old (seconds): older than any run.
STALE_AFTER = 3 * 3600.0

_active: SiteTemplates | None = None


def create(**server: Any) -> pathlib.Path:
    """Make a folder for a run's templates, owned by this process, after sweeping what killed
    runs left (see :func:`sweep`).

    :param server: the database server of the templates, as for :class:`SiteTemplates`.
    """
    sweep(**server)
    folder = pathlib.Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
    (folder / "owner").write_text(str(os.getpid()), encoding="utf-8")
    return folder


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep(
    db_host: str = "127.0.0.1", db_port: int = 3306, db_user: str = "root", db_password: str = ""
) -> None:
    """Drop the template databases and folders of runs killed before they dropped them: those
    whose owner process is gone and that are :data:`STALE_AFTER` old."""
    now = time.time()
    for folder in pathlib.Path(tempfile.gettempdir()).glob(FOLDER_PREFIX + "*"):
        owner = folder / "owner"
        with contextlib.suppress(OSError, ValueError):
            if now - owner.stat().st_mtime > STALE_AFTER and not _running(int(owner.read_text())):
                shutil.rmtree(folder, ignore_errors=True)
    try:
        connection = pymysql.connect(
            host=db_host, port=db_port, user=db_user, password=db_password, autocommit=True
        )
    except pymysql.err.OperationalError:
        return  # no server: nothing to sweep (and the sites will say so)
    with connection as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT table_schema, MIN(create_time) FROM information_schema.tables"
            " WHERE table_schema LIKE %s GROUP BY table_schema",
            [DATABASE_PREFIX.replace("_", r"\_") + "%"],
        )
        for database, created in cur.fetchall():
            owner = database[len(DATABASE_PREFIX) :].split("_", 1)[0]
            age = now - created.timestamp() if created else 0.0
            if owner.isdigit() and age > STALE_AFTER and not _running(int(owner)):
                cur.execute(f"DROP DATABASE IF EXISTS `{database}`")


def use(folder: pathlib.Path | str | None, **server: Any) -> None:
    """Build the sites of this process from templates kept in *folder* (``None``: install
    every site from scratch again).

    :param server: the database server of the templates, as for :class:`SiteTemplates`: only
        sites on that server, as that user, use templates.
    """
    global _active
    _active = None if folder is None else SiteTemplates(pathlib.Path(folder), **server)


def active() -> SiteTemplates | None:
    """The templates in use in this process, if any."""
    return _active


@contextlib.contextmanager
def _locked(path: pathlib.Path) -> Iterator[None]:
    """Hold an exclusive lock on the file at *path* (created if missing)."""
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_json(path: pathlib.Path, data: Any) -> None:
    """Write *data* to *path* at once (a reader never sees half of it)."""
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
    os.replace(part, path)


def copy_release(source: pathlib.Path, root: pathlib.Path) -> None:
    """Copy the WordPress tree *source* to *root*, as a site's own files.

    Symbolic links are followed (Debian links some files to other packages: getID3,
    underscore.js...), so the copy is self-contained and holds no link.  The top-level
    ``.htaccess`` is left out: Debian's points into /etc/wordpress (and ``php -S`` ignores it
    anyway); a release tarball has none.
    """

    def ignore(directory: str, names: list[str]) -> set[str]:
        return {".htaccess"} if pathlib.Path(directory) == source else set()

    shutil.copytree(source, root, symlinks=False, ignore=ignore)


class SourceCopy:
    """One copy of a WordPress release whose files sites hard-link, with its manifest: each
    file's inode, size and modification time when the copy was made."""

    def __init__(self, root: pathlib.Path, manifest: dict[str, list[int]]) -> None:
        self.root = root
        #: inode -> (path relative to the root, size, mtime in ns).
        self.files: dict[int, tuple[str, int, int]] = {
            inode: (path, size, mtime) for path, (inode, size, mtime) in manifest.items()
        }

    @classmethod
    def make(cls, source: pathlib.Path, folder: pathlib.Path) -> None:
        """Copy *source* to ``folder/wordpress`` and write ``folder/manifest.json``."""
        root = folder / "wordpress"
        copy_release(source, root)
        manifest: dict[str, list[int]] = {}
        for path in root.rglob("*"):
            if path.is_file():
                stat = path.stat()
                manifest[path.relative_to(root).as_posix()] = [
                    stat.st_ino, stat.st_size, stat.st_mtime_ns
                ]  # fmt: skip
        _write_json(folder / "manifest.json", manifest)

    def lay_out(self, origin: pathlib.Path, target: pathlib.Path) -> None:
        """Make *target* a copy of the tree *origin* (this source copy, or a tree laid out from
        it): files of the release are hard-linked, other files copied, directories made anew,
        symbolic links left out (every link in a site is one of its own plugin or theme links,
        made by the site).

        :raises WordPressError: if a file of the release is no longer as it was copied.
        """
        from devstack.wordpress import WordPressError

        target.mkdir(parents=True)
        pending = [(origin, target)]
        while pending:
            here, there = pending.pop()
            with os.scandir(here) as entries:
                for entry in entries:
                    destination = os.path.join(there, entry.name)
                    if entry.is_symlink():
                        continue
                    if entry.is_dir():
                        os.mkdir(destination)
                        pending.append((pathlib.Path(entry.path), pathlib.Path(destination)))
                        continue
                    stat = entry.stat()
                    known = self.files.get(stat.st_ino)
                    if known is None:
                        shutil.copy2(entry.path, destination)
                        continue
                    if (stat.st_size, stat.st_mtime_ns) != known[1:]:
                        raise WordPressError(
                            f"{known[0]} of the WordPress copy in {self.root} changed after it"
                            " was copied: a site wrote into a file its sites share (hard"
                            " links); write a new file and rename it instead"
                        )
                    try:
                        os.link(entry.path, destination)
                    except OSError as error:
                        if error.errno != errno.EXDEV:
                            raise
                        shutil.copy2(entry.path, destination)  # the site is on another disk


@dataclass
class Template:
    """An installed site whose database and files are copied for new sites of its kind."""

    #: Its database, on the templates' server.
    database: str
    #: Its address' host and port (``127.0.0.1:PORT``).
    authority: str
    #: Its WordPress folder.
    root: str
    #: Its folder (mail log and the like).
    workdir: str
    #: Table name without prefix -> ``CREATE TABLE`` statement (with :data:`TEMPLATE_PREFIX`).
    tables: dict[str, str]
    #: Columns (table without prefix, column) holding its address.
    addresses: list[list[str]]
    #: Why it cannot be copied, if it cannot.
    refused: str | None = None

    def copy_database(self, site: WordPressSite) -> None:
        """Create the site's database as a copy of the template's, under its table prefix."""
        db, prefix = site.db_name, site.table_prefix
        with site._connect(database=None) as conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{db}`")
            cur.execute(f"CREATE DATABASE `{db}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            # As mysqldump does: a 0 in an AUTO_INCREMENT column stays 0.
            cur.execute("SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO'")
            for name, create in self.tables.items():
                head = f"CREATE TABLE `{TEMPLATE_PREFIX}{name}`"
                cur.execute(f"CREATE TABLE `{db}`.`{prefix}{name}`" + create[len(head) :])
            conn.begin()
            for name in self.tables:
                cur.execute(
                    f"INSERT INTO `{db}`.`{prefix}{name}`"
                    f" SELECT * FROM `{self.database}`.`{TEMPLATE_PREFIX}{name}`"
                )
            like = TEMPLATE_PREFIX.replace("_", r"\_") + "%"
            for table, column in PREFIXED:
                if table in self.tables:
                    cur.execute(
                        f"UPDATE `{db}`.`{prefix}{table}` SET `{column}` ="
                        f" CONCAT(%s, SUBSTRING(`{column}`, %s)) WHERE `{column}` LIKE %s",
                        [prefix, len(TEMPLATE_PREFIX) + 1, like],
                    )
            if "options" in self.tables:
                options = f"`{db}`.`{prefix}options`"
                for option, draw in SECRET_OPTIONS.items():
                    cur.execute(
                        f"UPDATE {options} SET option_value = %s WHERE option_name = %s",
                        [draw(), option],
                    )
                for pattern in PATH_KEYED_OPTIONS:
                    cur.execute(f"DELETE FROM {options} WHERE option_name LIKE %s", [pattern])
            conn.commit()

    def copy_files(self, site: WordPressSite, source: SourceCopy) -> None:
        """Lay out the site's WordPress folder (and its mail log) as copies of the template's."""
        if site.root.exists():
            shutil.rmtree(site.root)
        source.lay_out(pathlib.Path(self.root), site.root)
        mail = pathlib.Path(self.workdir) / site.mail_log_path.name
        if mail.exists():
            shutil.copy2(mail, site.mail_log_path)

    def move(self, site: WordPressSite) -> None:
        """Put the site's address where the template's was (the site's server has its port)."""
        authority = urllib.parse.urlsplit(site.url).netloc
        with site._connect() as conn, conn.cursor() as cur:
            for name, column in self.addresses:
                cur.execute(
                    f"UPDATE `{site.table_prefix}{name}` SET `{column}` ="
                    f" REPLACE(`{column}`, %s, %s) WHERE `{column}` LIKE %s",
                    [self.authority, authority, f"%{self.authority}%"],
                )


class SiteTemplates:
    """The templates kept in *folder*, for sites on one database server, as one user.

    :param folder: created if missing; shared by every process of a run.
    """

    def __init__(
        self,
        folder: pathlib.Path,
        db_host: str = "127.0.0.1",
        db_port: int = 3306,
        db_user: str = "root",
        db_password: str = "",
    ) -> None:
        self.folder = pathlib.Path(folder)
        self.server = (db_host, db_port, db_user, db_password)
        owner = self.folder / "owner"
        #: The process whose run the templates are for: it names their databases.
        self.owner = int(owner.read_text()) if owner.exists() else os.getpid()
        self._sources: dict[str, SourceCopy] = {}
        self._templates: dict[str, Template] = {}

    def serves(self, site: WordPressSite) -> bool:
        """Whether *site* is on the templates' database server, as their user."""
        return (site.db_host, site.db_port, site.db_user, site.db_password) == self.server

    def source_copy(self, source: pathlib.Path) -> SourceCopy:
        """The copy of the WordPress tree *source* sites hard-link (made on first use)."""
        name = hashlib.sha256(str(source).encode()).hexdigest()[:16]
        if name not in self._sources:
            folder = self.folder / "sources" / name
            manifest = folder / "manifest.json"
            self.folder.mkdir(parents=True, exist_ok=True)
            with _locked(self.folder / f"source-{name}.lock"):
                if not manifest.exists():
                    shutil.rmtree(folder, ignore_errors=True)
                    folder.mkdir(parents=True)
                    SourceCopy.make(source, folder)
            files = json.loads(manifest.read_text(encoding="utf-8"))
            self._sources[name] = SourceCopy(folder / "wordpress", files)
        return self._sources[name]

    def template_for(self, site: WordPressSite, key: dict[str, Any]) -> Template | None:
        """The template of *site*'s kind (*key*), built now if no process has built it yet;
        ``None`` if it is refused (with a warning saying why).

        :raises WordPressError: if the template's site does not come up.
        """
        name = hashlib.sha256(
            json.dumps([str(self.folder), key], sort_keys=True).encode()
        ).hexdigest()[:16]
        if name not in self._templates:
            folder = self.folder / name
            record = folder / "template.json"
            self.folder.mkdir(parents=True, exist_ok=True)
            with _locked(self.folder / f"{name}.lock"):
                if not record.exists():
                    database = f"{DATABASE_PREFIX}{self.owner}_{name}"
                    self._build(site, folder, database, record)
            template = Template(**json.loads(record.read_text(encoding="utf-8")))
            if template.refused:
                warnings.warn(
                    f"sites of {json.dumps(key, sort_keys=True)} are installed from scratch:"
                    f" their template is refused: {template.refused}",
                    stacklevel=3,
                )
            self._templates[name] = template
        template = self._templates[name]
        return None if template.refused else template

    def _build(
        self, site: WordPressSite, folder: pathlib.Path, database: str, record: pathlib.Path
    ) -> None:
        """Install the template of *site*'s kind in *folder* and *database*; describe it in
        *record*."""
        if folder.exists():  # a build that failed earlier
            self._drop_database(folder)
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        (folder / "database").write_text(database, encoding="utf-8")
        twin = site._template_twin(folder / "site", database, TEMPLATE_PREFIX)
        try:
            twin.start()
        except BaseException:
            twin.drop()
            raise
        twin.stop()
        _write_json(record, self._describe(twin))

    def _describe(self, twin: WordPressSite) -> dict[str, Any]:
        """What a copy of the installed *twin* needs: its tables, where its address is, and
        why it cannot be copied, if it cannot."""
        authority = urllib.parse.urlsplit(twin.url).netloc
        encoded = urllib.parse.quote(authority, safe="")
        refused: list[str] = []
        tables: dict[str, str] = {}
        addresses: list[list[str]] = []
        with twin._connect() as conn, conn.cursor() as cur:
            cur.execute(
                "SELECT table_name, table_type FROM information_schema.tables"
                " WHERE table_schema = %s ORDER BY table_name",
                [twin.db_name],
            )
            for table, kind in cur.fetchall():
                if kind != "BASE TABLE" or not table.startswith(TEMPLATE_PREFIX):
                    refused.append(f"its database holds {kind} {table}")
                    continue
                cur.execute(f"SHOW CREATE TABLE `{table}`")
                tables[table[len(TEMPLATE_PREFIX) :]] = cur.fetchone()[1]
            cur.execute(
                "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = %s AND data_type IN %s ORDER BY table_name, column_name",
                [twin.db_name, _TEXT_TYPES],
            )
            columns: dict[str, list[str]] = {}
            for table, column in cur.fetchall():
                if table.startswith(TEMPLATE_PREFIX):
                    columns.setdefault(table[len(TEMPLATE_PREFIX) :], []).append(column)
            needles = {
                "address": f"%{authority}%",
                "encoded address": f"%{encoded}%",
                "table prefix": "%" + TEMPLATE_PREFIX.replace("_", r"\_") + "%",
                "path": "%" + str(self.folder).replace("_", r"\_").replace("%", r"\%") + "%",
            }
            for name, found in columns.items():
                sums = [f"SUM(`{column}` LIKE %s)" for column in found for _needle in needles]
                serialized = [
                    f"SUM(`{column}` LIKE %s AND `{column}` REGEXP '^[aOsC]:[0-9]')"
                    for column in found
                ]
                args = [pattern for _column in found for pattern in needles.values()]
                args += [needles["address"]] * len(found)
                cur.execute(
                    f"SELECT {', '.join(sums + serialized)} FROM `{TEMPLATE_PREFIX}{name}`", args
                )
                counts = [int(n or 0) for n in cur.fetchone()]
                for i, column in enumerate(found):
                    hits = dict(zip(needles, counts[i * len(needles) :], strict=False))
                    if hits["address"]:
                        addresses.append([name, column])
                    if counts[len(found) * len(needles) + i]:
                        refused.append(f"{name}.{column} holds its address in serialized data")
                    if hits["table prefix"] and (name, column) not in PREFIXED:
                        refused.append(f"{name}.{column} holds its table prefix")
                    for what in ("encoded address", "path"):
                        if hits[what]:
                            refused.append(f"{name}.{column} holds its {what}")
        return {
            "database": twin.db_name,
            "authority": authority,
            "root": str(twin.root),
            "workdir": str(twin.workdir),
            "tables": tables,
            "addresses": addresses,
            "refused": "; ".join(refused) or None,
        }

    def _drop_database(self, folder: pathlib.Path) -> None:
        named = folder / "database"
        if not named.exists():
            return
        database = named.read_text(encoding="utf-8").strip()
        host, port, user, password = self.server
        connection = pymysql.connect(
            host=host, port=port, user=user, password=password, autocommit=True
        )
        with connection as conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{database}`")

    def drop(self) -> None:
        """Drop every template's database and remove the folder."""
        if self.folder.is_dir():
            for folder in self.folder.iterdir():
                if folder.is_dir():
                    self._drop_database(folder)
        shutil.rmtree(self.folder, ignore_errors=True)
