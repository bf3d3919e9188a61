"""The schema: Alembic migrations that match the code, safe to run twice, and a service
that says when the schema is behind or the database is down."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, text

from bridge import create_app
from bridge.storage import migrate
from bridge.storage.tables import own, tables
from bridge.wordpress import signing
from devstack.callers import PREFIX, SECRET


def test_migrate_is_safe_to_run_twice(app):
    engine = app.extensions["space_inbox_engine"]
    head = migrate.head_revision()
    assert migrate.upgrade(engine, PREFIX) == (head, head)


def test_the_migrations_build_exactly_the_tables_the_code_uses(app):
    """Autogenerate finds nothing to change: tables.py and schema/ agree.

    (Server defaults are left out: MariaDB reports them in a form Alembic misreads.)
    """
    code = MetaData()
    for table in tables(PREFIX).metadata.sorted_tables:
        if not table.info.get("wordpress"):
            table.to_metadata(code)
    with app.extensions["space_inbox_engine"].connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_name": lambda name, kind, parent: (
                    kind != "table"
                    or (name.startswith(own(PREFIX)) and not name.endswith("alembic_version"))
                ),
            },
        )
        assert compare_metadata(context, code) == []


def test_tables_are_innodb_utf8mb4_with_the_site_prefix(app, wordpress):
    rows = wordpress.sql(
        "SELECT table_name, engine, table_collation FROM information_schema.tables "
        "WHERE table_schema = DATABASE() AND table_name LIKE %s",
        [own(PREFIX).replace("_", "\\_") + "%"],
    )
    names = {r[0] for r in rows}
    assert {f"{own(PREFIX)}{n}" for n in ("spaces", "conversations", "messages", "outbox")} <= names
    for name, engine, collation in rows:
        assert engine == "InnoDB", name
        assert collation.startswith("utf8mb4"), name


def test_health_is_ok_on_a_current_schema(client):
    answer = client.get("/health")
    assert answer.status_code == 200
    assert answer.get_json()["status"] == "ok"
    assert answer.get_json()["live"] is False  # no Redis, no event-loop worker here


def test_health_reports_a_schema_behind(app, wordpress):
    """Another prefix in the same database has no inbox tables yet: behind, 503."""
    behind = create_app({"WP_CONFIG": str(wordpress.wp_config_path), "TABLE_PREFIX": "wpnew_"})
    try:
        answer = behind.test_client().get("/health")
        assert answer.status_code == 503
        assert answer.get_json()["status"] == "schema_behind"
        assert answer.get_json()["schema"]["current"] is None
    finally:
        behind.extensions["space_inbox_engine"].dispose()


def test_tables_that_are_not_there_give_503_in_the_error_shape(app, wordpress, people):
    """A member's call and the plugin's signed status, on a prefix with no tables: 503
    ``schema_behind`` (never a 500)."""
    behind = create_app(
        {"WP_CONFIG": str(wordpress.wp_config_path), "TABLE_PREFIX": "wpnew_", "SECRET": SECRET}
    )
    client = behind.test_client(use_cookies=False)
    try:
        signed = signing.signed_headers(SECRET, "status", b"", method="GET")
        for answer in (
            client.get("/api/v1/me/summary", headers=people["member"].headers()),
            client.get("/api/v1/status", headers=signed),
        ):
            assert answer.status_code == 503, answer.get_json()
            body = answer.get_json()
            assert body["code"] == "schema_behind" and set(body) == {
                "code", "message", "description"
            }  # fmt: skip
    finally:
        behind.extensions["space_inbox_engine"].dispose()


def test_a_database_that_is_down_gives_503_in_the_error_shape(people):
    down = create_app({"DATABASE_URL": "mysql+pymysql://root@127.0.0.1:1/nothing?charset=utf8mb4"})
    client = down.test_client(use_cookies=False)
    try:
        for answer in (
            client.get("/health"),
            client.get("/api/v1/me/summary", headers=people["member"].headers()),
            client.post("/api/v1/me/spaces/1/read", headers=people["member"].headers()),
        ):
            assert answer.status_code == 503
            assert answer.get_json()["code"] == "database_unavailable"
            assert answer.headers["Retry-After"]
    finally:
        down.extensions["space_inbox_engine"].dispose()


def test_the_bridge_only_reads_wordpress_tables(app):
    """No migration touches a WordPress core table."""
    with app.extensions["space_inbox_engine"].connect() as connection:
        names = (
            connection.execute(
                text(
                    "SELECT table_name FROM information_schema.tables"
                    " WHERE table_schema = DATABASE()"
                )
            )
            .scalars()
            .all()
        )
    ours = [n for n in names if n.startswith(own(PREFIX))]
    assert ours and all(n.startswith(f"{PREFIX}spaceinbox_") for n in ours)
