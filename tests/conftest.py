"""Fixtures: a real WordPress (Debian's package, PHP's server, MariaDB), the bridge app
pointed at its wp-config.php, and real logged-in users of every kind.

Every WordPress site of a run is a copy of a template of its kind (``devstack/templates.py``),
each template installed once for the whole run, by the first worker that needs it;
``--fresh-sites`` installs every site from scratch instead.

The test files run longest first (as ``durations.json`` has them; ``--store-durations``
writes it from a whole run), the browser tests' package as one: pytest-xdist hands files to
its workers in that order, so that no long file starts last and ends the run alone."""

from __future__ import annotations

import functools
import json
import math
import os
import pathlib
from collections import defaultdict

import pytest
import redis
from sqlalchemy import delete, exists, insert, select

from bridge import create_app
from bridge.storage import migrate
from bridge.storage.tables import tables
from devstack import templates
from devstack.callers import (
    KINDS,
    OTHER_SPACE,
    PLUGIN_FILE,
    PREFIX,
    SECRET,
    SPACE,
    Caller,
    log_in,
    upsert_space,
)
from devstack.wordpress import WordPressSite

#: Names the run's templates folder for the pytest-xdist workers (they inherit it).
TEMPLATES_FOLDER = "DEVSTACK_SITE_TEMPLATES"
#: Seconds each test file took in a whole run, by path.
DURATIONS = pathlib.Path(__file__).with_name("durations.json")
#: Seconds each test file took in this run (the main process hears of every test).
_ran: dict[str, float] = defaultdict(float)


def pytest_addoption(parser):
    parser.addoption(
        "--fresh-sites",
        action="store_true",
        help="install every WordPress site from scratch, not as a copy of its kind's template",
    )
    parser.addoption(
        "--shots",
        action="store_true",
        help="keep a screenshot of each step of the browser journeys (a failure's are always kept)",
    )
    parser.addoption(
        "--store-durations",
        action="store_true",
        help=f"write the seconds each test file took to {DURATIONS.name} (for a whole run)",
    )


def pytest_configure(config):
    """The run's site templates: one folder, made by the main process before it starts the
    workers, used by every process; dropped when the run ends (see pytest_unconfigure)."""
    if not hasattr(config, "workerinput") and hasattr(config.option, "loadscopereorder"):
        # pytest-xdist would hand out the files with the most tests first instead of the
        # order pytest_collection_modifyitems gives them.
        config.option.loadscopereorder = False
    if config.getoption("fresh_sites"):
        return
    if not hasattr(config, "workerinput"):
        os.environ[TEMPLATES_FOLDER] = str(templates.create())
    templates.use(os.environ[TEMPLATES_FOLDER])


def pytest_collection_modifyitems(config, items):
    """The longest files first; a package below tests/ (the browser tests, whose stack is
    the package's) as one, so that its files follow each other (longest first too).  A file
    not in durations.json counts as the longest."""
    try:
        seconds = json.loads(DURATIONS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    root = pathlib.Path(__file__).parent

    def unit(item) -> str:
        path = pathlib.Path(item.path)
        return str(path.parent if path.parent != root else path)

    def file(item) -> str:
        return item.nodeid.split("::")[0]

    weights: dict[str, float] = defaultdict(float)
    for name, found in {file(item): unit(item) for item in items}.items():
        weights[found] += seconds.get(name, math.inf)
    # Stable: a file's tests keep their order.
    items.sort(key=lambda item: (-weights[unit(item)], -seconds.get(file(item), math.inf)))


def pytest_runtest_logreport(report):
    _ran[report.nodeid.split("::")[0]] += report.duration


def pytest_sessionfinish(session):
    config = session.config
    if config.getoption("store_durations") and not hasattr(config, "workerinput"):
        found = {name: round(value, 1) for name, value in sorted(_ran.items())}
        DURATIONS.write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")


def pytest_unconfigure(config):
    if config.getoption("fresh_sites") or hasattr(config, "workerinput"):
        return
    templates.use(None)
    templates.SiteTemplates(os.environ.pop(TEMPLATES_FOLDER)).drop()


@pytest.fixture(scope="session")
def wordpress(tmp_path_factory):
    """A real WordPress 6.1 site, installed in a temporary folder and database."""
    site = WordPressSite(
        tmp_path_factory.mktemp("wordpress"), f"si_test_{os.getpid()}", table_prefix=PREFIX
    )
    site.start()
    yield site
    site.stop()
    site.drop()


@pytest.fixture(scope="session")
def app(wordpress):
    """The bridge, configured from the site's wp-config.php, schema migrated."""
    # Rate limits off here: the tests that are about them set their own.
    application = create_app(
        {
            "WP_CONFIG": str(wordpress.wp_config_path),
            "SECRET": SECRET,
            "RATE_PER_SPACE": "off",
            "RATE_OVERALL": "off",
        }
    )
    application.config["TESTING"] = True
    migrate.upgrade(application.extensions["space_inbox_engine"], PREFIX)
    wordpress.list_as_active(PLUGIN_FILE)
    yield application
    application.extensions["space_inbox_engine"].dispose()


#: The bridge's own tables (not WordPress'), parents first.
OWN_TABLES = [t for t in tables(PREFIX).metadata.sorted_tables if not t.info.get("wordpress")]
#: Which of them hold a row, in one query.
_WRITTEN = select(*(exists().select_from(table) for table in OWN_TABLES))


def _empty(connection) -> None:
    """Empty the inbox tables. Those that hold no row (most of them: a test writes to a few)
    are left alone: one query finds which do."""
    written = connection.execute(_WRITTEN).one()
    for table, rows in reversed(list(zip(OWN_TABLES, written, strict=True))):
        if rows:
            connection.execute(delete(table))


@pytest.fixture(autouse=True)
def _clean_inbox(request):
    """Empty the inbox tables before each test that uses the bridge."""
    if "app" not in request.fixturenames:
        yield
        return
    application = request.getfixturevalue("app")
    with application.extensions["space_inbox_engine"].begin() as connection:
        _empty(connection)
    yield


def inbox_rows(app) -> dict[str, list[dict]]:
    """Every row of the inbox tables, by table (in the order of their primary keys)."""
    with app.extensions["space_inbox_engine"].connect() as connection:
        return {
            table.name: [dict(row._mapping) for row in connection.execute(select(table))]
            for table in OWN_TABLES
        }


#: The scenes made so far in this process, by database and name: the rows of the inbox
#: tables once made, and what their making returned.
_scenes: dict[str, tuple[dict, object]] = {}


def _scene(app, name: str, make):
    """What ``make()`` returns, with the inbox tables as ``make()`` leaves them.

    The first time a name is asked for, ``make()`` runs (through the API, as a test would)
    and the rows of the inbox tables are kept; after that, the tables are emptied and those
    rows written back, in one transaction: the same state, without the requests.
    """
    engine = app.extensions["space_inbox_engine"]
    name = f"{engine.url}: {name}"  # rows of one database
    if name not in _scenes:
        made = make()
        _scenes[name] = (inbox_rows(app), made)
        return made
    rows, made = _scenes[name]
    with engine.begin() as connection:
        _empty(connection)
        for table in OWN_TABLES:
            if rows[table.name]:
                connection.execute(insert(table), rows[table.name])
    return made


@pytest.fixture
def client(app):
    """A test client that sends each caller's own Cookie header (no cookie jar)."""
    return app.test_client(use_cookies=False)


@pytest.fixture(scope="session")
def people(wordpress) -> dict[str, Caller]:
    """Real logged-in users of every kind, plus an anonymous and a forged caller."""
    found = {kind: log_in(wordpress, kind, *spec) for kind, spec in KINDS.items()}
    found["anonymous"] = Caller("anonymous", None, None, None, None, None, None)
    member = found["member"]
    name, value = member.cookie.split("=", 1)
    login, expiration, token, mac = value.split("%7C")
    # Same login and token, a made-up hmac: the cookie an attacker can build.
    forged = f"{name}={login}%7C{expiration}%7C{token}%7C{'0' * 64}"
    found["forged"] = Caller("forged", None, None, None, None, forged, member.nonce)
    return found


@pytest.fixture
def world(app, client, people):
    """Two Spaces: SPACE run by admin and admin2 (removed_admin was on it and left),
    OTHER_SPACE run by other_space_admin (made through the plugin's calls once, then kept:
    see :func:`_scene`)."""

    def make():
        team = [people["admin"].user_id, people["admin2"].user_id]
        upsert_space(client, SPACE, "Pizzeria Napoli", [*team, people["removed_admin"].user_id])
        upsert_space(client, SPACE, "Pizzeria Napoli", team)
        upsert_space(client, OTHER_SPACE, "T-Shirt Shop", [people["other_space_admin"].user_id])
        return people

    return _scene(app, "world", make)


@pytest.fixture
def rows_now(app):
    """``rows_now()``: every row of the inbox tables, by table (see :func:`inbox_rows`)."""
    return functools.partial(inbox_rows, app)


@pytest.fixture
def scene(app):
    """``scene(name, make)``: what ``make()`` returns, the inbox tables as it leaves them,
    made through the API once and then written back (see :func:`_scene`)."""
    return functools.partial(_scene, app)


@pytest.fixture(scope="session")
def redis_url():
    """The Redis the live tests use (``tools/ensure-stack`` starts it)."""
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        pytest.fail("Redis must run at 127.0.0.1:6379 for the live tests")
    return url
