"""Schema versions: upgrade to head, and tell whether a database is behind.

Alembic does the work; this module only hands it the connection and the site's table
prefix, and keeps its version table beside the inbox tables.
"""

from __future__ import annotations

import functools
from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from bridge.storage.tables import own


def version_table(prefix: str) -> str:
    """Return the name of Alembic's version table for a site."""
    return f"{own(prefix)}alembic_version"


def _config(connection: Connection | None, prefix: str) -> Config:
    cfg = Config()
    # The migrations ship inside the package as bridge.schema (schema/ in the repository).
    cfg.set_main_option("script_location", str(files("bridge.schema")))
    cfg.attributes.update(
        connection=connection,
        own_prefix=own(prefix),
        version_table=version_table(prefix),
    )
    return cfg


@functools.cache
def head_revision() -> str:
    """Return the newest revision the code knows."""
    return ScriptDirectory.from_config(_config(None, "wp_")).get_current_head()


def current_revision(connection: Connection, prefix: str) -> str | None:
    """Return the revision the database is at, or None before the first migration."""
    ctx = MigrationContext.configure(connection, opts={"version_table": version_table(prefix)})
    return ctx.get_current_revision()


def upgrade(engine: Engine, prefix: str, revision: str = "head") -> tuple[str | None, str]:
    """Upgrade the site's inbox tables to head (or to an older ``revision``); safe to run
    again.

    :returns: the revisions before and after.
    """
    with engine.begin() as connection:
        before = current_revision(connection, prefix)
        command.upgrade(_config(connection, prefix), revision)
        after = current_revision(connection, prefix)
    return before, after
