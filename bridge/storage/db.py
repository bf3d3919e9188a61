"""The engine, and one session per request, closed at teardown."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Flask, current_app, g
from sqlalchemy import Row, create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.expression import Executable

from bridge.storage.tables import Tables


def make_engine(settings: dict, url: object = None) -> Engine:
    """Create the engine for the WordPress database (at *url*: its replica)."""
    return create_engine(
        url or settings["SQLALCHEMY_URL"],
        pool_pre_ping=True,
        pool_recycle=settings["DB_POOL_RECYCLE"],
        pool_size=settings["DB_POOL_SIZE"],
        # READ COMMITTED: each statement sees what other requests committed (a logout in
        # WordPress takes effect at once) and inserts take no gap locks.
        isolation_level="READ COMMITTED",
        # Every use of a connection is inside ``with session.begin():``, which always ends
        # its transaction: the pool's extra ROLLBACK on each return is a wasted round trip.
        pool_reset_on_return=None,
        # JSON_ARRAYAGG and GROUP_CONCAT stop at this many bytes (1 MiB by default): the
        # response figures read a Space's month of waiting periods as one JSON array.
        connect_args={"init_command": "SET SESSION group_concat_max_len = 4294967295"},
    )


def make_read_engine(settings: dict, url: object = None) -> Engine:
    """Create the engine of :class:`OneStatement`: autocommit, no ping, no reset."""
    return create_engine(
        url or settings["SQLALCHEMY_URL"],
        pool_recycle=settings["DB_POOL_RECYCLE"],
        pool_size=settings["DB_POOL_SIZE"],
        # One statement is its own transaction: no BEGIN, COMMIT or ROLLBACK to send, and
        # it sees what is committed, as READ COMMITTED does.
        isolation_level="AUTOCOMMIT",
        skip_autocommit_rollback=True,
        pool_pre_ping=False,
        pool_reset_on_return=None,
    )


class OneStatement:
    """A read that is one statement, compiled once, on a connection in autocommit.

    For the polled hot path, where each round trip counts: no ORM session, no SQL
    compiled per request, nothing sent to MariaDB but the statement. Instead of a ping
    on every checkout, a connection found dead is dropped (with the pool's other
    connections of its age) and the statement runs once more.
    """

    def __init__(self, engine: Engine, statement: Executable) -> None:
        compiled = statement.compile(dialect=engine.dialect)
        self.engine = engine
        self.sql = str(compiled)
        self.defaults = dict(compiled.params)

    def rows(self, **params: object) -> list[Row]:
        """Run the statement with these bound values; a failure raises :class:`DBAPIError`."""
        values = {**self.defaults, **params}
        try:
            return self._run(values)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
        return self._run(values)

    def _run(self, values: dict) -> list[Row]:
        with self.engine.connect() as conn:
            return list(conn.exec_driver_sql(self.sql, values))


def make_sessions(engine: Engine, tables: Tables) -> sessionmaker:
    """The session factory of an engine."""
    # autobegin=False: every use of the database is inside an explicit
    # ``with session.begin():``, so a view owns its transaction and none leaks.
    return sessionmaker(engine, autobegin=False, expire_on_commit=False, info={"tables": tables})


def init_app(app: Flask, engine: Engine, tables: Tables) -> None:
    """Attach the session factory to the app and close sessions at teardown."""
    app.extensions["space_inbox_db"] = make_sessions(engine, tables)
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """Return this request's session."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["space_inbox_db"]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def tables_of(session: Session) -> Tables:
    """Return the site's tables that a session works on."""
    return session.info["tables"]


#: MariaDB errors after which running the whole transaction again is the cure: a
#: deadlock, a lock wait timeout, and a duplicate key from a concurrent twin request.
RETRYABLE = {1213, 1205, 1062}
ATTEMPTS = 3


def retry_conflicts(view: Callable) -> Callable:
    """Run a write view again when its transaction lost a race with another request.

    The view's ``with session.begin():`` has rolled back by then, and the request body is
    cached, so a rerun sees the winner's data: a retried send then finds the message the
    twin request wrote and answers with it (or 409), instead of a 500.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        attempt = 1
        while True:
            try:
                return view(*args, **kwargs)
            except (IntegrityError, OperationalError) as exc:
                code = exc.orig.args[0] if exc.orig is not None and exc.orig.args else None
                if attempt >= ATTEMPTS or code not in RETRYABLE:
                    raise
                attempt += 1

    return wrapper
