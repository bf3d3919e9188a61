"""The ``space-inbox`` command: serve, migrate, check, worker, service."""

from __future__ import annotations

import argparse
import functools
import os
import signal
import sys
import threading

from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bridge import config as settings_module
from bridge import service
from bridge.storage.tables import own, tables
from bridge.wordpress import site
from bridge.wordpress.auth import SiteKeys, get_options


def _given(args: argparse.Namespace) -> dict:
    """The settings given: ``SPACE_INBOX_*`` variables and the command line's."""
    given = settings_module.from_environment(os.environ)
    if args.wp_config:
        given["WP_CONFIG"] = os.path.abspath(args.wp_config)
    return given


def _settings(args: argparse.Namespace) -> dict:
    return settings_module.resolve(_given(args))


def _engine(settings: dict):
    from bridge.storage.db import make_engine

    return make_engine(settings)


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the API with gunicorn."""
    from gunicorn.app.base import BaseApplication

    given = _given(args)
    settings = settings_module.resolve(given)  # fail early, with a clear message

    dispatch = not args.no_dispatcher
    # Live streams need Redis (the fan-out) and an event-loop worker, which holds thousands
    # of idle streams where a thread each would not do.
    live = bool(settings.get("REDIS_URL")) if args.live is None else args.live
    if live and not settings.get("REDIS_URL"):
        raise settings_module.ConfigError("--live needs SPACE_INBOX_REDIS_URL")
    if not live:
        # The routes' declarations (their JSON schemas made at import) once, in the arbiter:
        # every worker it forks has them. Not for gevent's workers, which must patch the
        # standard library before requests is imported.
        from bridge.api import blueprints

        blueprints()
    limit = service.open_files_limit()
    connections = args.connections or service.connections_allowed(limit)
    if live and service.files_needed(connections) > limit:
        print(
            f"space-inbox: {connections} connections per worker need an open-files limit of"
            f" {service.files_needed(connections)}, this process has {limit}:"
            " raise it (LimitNOFILE= in systemd, ulimit -n) or give fewer --connections",
            file=sys.stderr,
        )

    if live:
        # A worker holds its pages' streams itself (bridge.api.pages), up to this many.
        given.setdefault("STREAMS_PER_PROCESS", connections)

    def started(worker) -> None:
        _quit_safely(worker)
        if dispatch:
            # Each worker runs an outbox dispatcher; SKIP LOCKED lets them share it.
            _start_dispatcher(worker)

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{args.host}:{args.port}")
            self.cfg.set("workers", args.workers)
            if live:
                self.cfg.set("worker_class", "gevent")
                self.cfg.set("worker_connections", connections)
            else:
                self.cfg.set("worker_class", "gthread")
                self.cfg.set("threads", args.threads)
            self.cfg.set("accesslog", "-" if args.access_log else None)
            if "control_socket_disable" in self.cfg.settings:
                # gunicorn 25+ opens a control socket at one fixed path per user: several
                # bridges on one host would fight over it, and nothing here uses it.
                self.cfg.set("control_socket_disable", True)
            self.cfg.set("post_worker_init", started)

        def load(self):
            from bridge import create_app

            return create_app(given)  # each worker builds the app from the same settings

    Server().run()
    return 0


def _quit_safely(worker) -> None:
    """Let a worker quit without deadlocking (gunicorn's quick shutdown: SIGQUIT, or Ctrl-C).

    gunicorn's gthread worker shuts its thread pool down inside its SIGQUIT handler: a signal
    that lands while the worker hands a request to that pool (holding the pool's lock), or a
    second one (Ctrl-C reaches the arbiter and its workers, and the arbiter then tells each
    worker to quit), deadlocks the worker until the graceful timeout kills it. So a worker
    leaves SIGINT to its arbiter and quits as gunicorn's other workers do, the pool left to
    the interpreter's exit.
    """
    from gunicorn.workers.base import Worker
    from gunicorn.workers.gthread import ThreadWorker

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if isinstance(worker, ThreadWorker):
        signal.signal(signal.SIGQUIT, functools.partial(Worker.handle_quit, worker))


def _start_dispatcher(worker) -> None:
    from bridge.background import outbox

    app = worker.wsgi
    outbox.start_thread(app, app.config["DISPATCH_INTERVAL"])


def cmd_worker(args: argparse.Namespace) -> int:
    """Deliver notification jobs from the outbox until stopped (SIGTERM or Ctrl-C)."""
    from bridge import create_app
    from bridge.background import outbox

    given = _given(args)
    settings_module.resolve(given)  # fail early, with a clear message
    app = create_app(given)
    stop = threading.Event()
    sessions, deliver = outbox.for_app(app)
    wake = outbox.wake_of(app)
    wake.serve()

    def _stop(*_) -> None:
        stop.set()
        wake.event.set()

    signal.signal(signal.SIGTERM, _stop)
    # No commit of this process queues jobs: without Redis, none wakes it.
    interval = app.config["DISPATCH_INTERVAL"]
    if not wake.shared:
        interval = min(interval, outbox.POLL)
    print("space-inbox worker: delivering notification jobs", flush=True)
    try:
        outbox.run(sessions, deliver, stop, interval, wake.event)
    except KeyboardInterrupt:
        pass
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """Upgrade the inbox tables to the newest schema."""
    from bridge.storage import migrate

    settings = _settings(args)
    before, after = migrate.upgrade(_engine(settings), settings["TABLE_PREFIX"])
    if before == after:
        print(f"schema already current ({after})")
    else:
        print(f"schema upgraded from {before or 'nothing'} to {after}")
    return 0


def cmd_uninstall(args: argparse.Namespace) -> int:
    """Drop the inbox tables, every conversation and message with them, once confirmed."""
    settings = _settings(args)
    prefix, engine = settings["TABLE_PREFIX"], _engine(settings)
    with engine.connect() as connection:
        names = sorted(
            n for n in inspect(connection).get_table_names() if n.startswith(own(prefix))
        )
    drop = "DROP TABLE " + ", ".join(f"`{name}`" for name in names) + ";"
    if args.print_sql:
        print(drop if names else "-- no inbox tables", flush=True)
        return 0
    if not names:
        print(f"no inbox tables ({own(prefix)}*) in {engine.url.database}: nothing to drop")
        return 0
    with Session(engine, info={"tables": tables(prefix)}) as session, session.begin():
        still_on = site.plugin_on(session, SiteKeys(settings), prefix, kept_for=0)
    if still_on:
        print(
            "space-inbox: the plugin is still active on this site: deactivate and delete it"
            " in WordPress first (and stop the bridge's service)",
            file=sys.stderr,
        )
        return 2
    print(f"This drops {len(names)} tables of {engine.url.database}, with every conversation:")
    print("".join(f"  {name}\n" for name in names), end="")
    if not args.yes:
        answer = input(f"Type the database's name ({engine.url.database}) to drop them: ")
        if answer.strip() != engine.url.database:
            print("nothing dropped")
            return 1
    with engine.begin() as connection:
        connection.execute(text(drop))
    print(f"dropped {len(names)} tables")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Report whether config, database, schema and WordPress are in order, and what the
    open-files limit allows live workers."""
    failures = 0

    def report(ok: bool, what: str) -> None:
        nonlocal failures
        failures += not ok
        print(f"[{'ok' if ok else 'FAIL'}] {what}")

    # Imported here, not at the top: requests imports ssl, which gevent must patch first in
    # `serve --live`'s workers (they are forked from the process that imports this module).
    import requests

    from bridge.storage import migrate

    try:
        settings = _settings(args)
    except settings_module.ConfigError as exc:
        report(False, f"configuration: {exc}")
        return 1
    report(True, f"configuration (tables prefixed {settings['TABLE_PREFIX']})")
    prefix = settings["TABLE_PREFIX"]
    try:
        with Session(_engine(settings), info={"tables": tables(prefix)}) as session:
            with session.begin():
                current = migrate.current_revision(session.connection(), prefix)
                siteurl = get_options(session, ("siteurl",)).get("siteurl")
    except SQLAlchemyError as exc:
        report(False, f"database: {exc.__class__.__name__}: {getattr(exc, 'orig', exc)}")
        return 1
    report(True, "database reachable")
    head = migrate.head_revision()
    report(
        current == head,
        f"schema at {current or 'nothing'}, newest {head}"
        + ("" if current == head else ": run `space-inbox migrate`"),
    )
    report(bool(siteurl), f"WordPress tables found (siteurl {siteurl})")
    if siteurl:
        try:
            answer = requests.get(siteurl.rstrip("/") + "/wp-login.php", timeout=5)
            report(
                answer.status_code < 500, f"WordPress answers at {siteurl} ({answer.status_code})"
            )
        except requests.RequestException as exc:
            report(False, f"WordPress not reachable at {siteurl}: {exc.__class__.__name__}")
    limit = service.open_files_limit()
    allowed = service.connections_allowed(limit)
    if args.connections and service.files_needed(args.connections) > limit:
        print(
            f"[warn] open files: the limit {limit} allows {allowed} live connections per"
            f" worker, not {args.connections}: raise it (LimitNOFILE=) or serve fewer"
        )
    else:
        print(f"[ok] open files: the limit {limit} allows {allowed} live connections per worker")
    return 1 if failures else 0


def cmd_service(args: argparse.Namespace) -> int:
    """Print a systemd unit that serves the bridge with these options."""
    if not args.wp_config:
        raise settings_module.ConfigError("service needs --wp-config, the site's wp-config.php")
    _settings(args)  # a wrong wp-config.php fails here, not when the service starts
    connections = args.connections or service.MOST_CONNECTIONS
    command = [
        _console_script(),
        "serve",
        "--wp-config",
        os.path.abspath(args.wp_config),
        "--host",
        args.host,
        "--port",
        str(args.port),
        "--workers",
        str(args.workers),
    ]
    if args.live is not False:
        command += ["--connections", str(connections)]
    if args.live is not None:
        command.append("--live" if args.live else "--no-live")
    print(
        service.systemd_unit(
            command,
            user=args.user,
            environment_file=args.environment_file,
            connections=connections if args.live is not False else 0,
        ),
        end="",
    )
    return 0


def _console_script() -> str:
    """The absolute path of this command (beside this Python when installed in a venv)."""
    beside = os.path.join(os.path.dirname(sys.executable), "space-inbox")
    return beside if os.path.exists(beside) else os.path.abspath(sys.argv[0])


def _serve_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--host", default="127.0.0.1")
    sub.add_argument("--port", type=int, default=8765)
    sub.add_argument("--workers", type=int, default=2)
    sub.add_argument(
        "--live",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="serve live streams with gevent workers (default: when Redis is set)",
    )
    sub.add_argument(
        "--connections",
        type=int,
        default=None,
        help="connections each live worker holds at most (default: what the open-files"
        " limit allows, at most 10000)",
    )


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    parser = argparse.ArgumentParser(prog="space-inbox", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, func, help_ in (
        ("serve", cmd_serve, "serve the API (gunicorn)"),
        ("migrate", cmd_migrate, "create or upgrade the inbox tables"),
        ("check", cmd_check, "check configuration, database, schema and WordPress"),
        ("worker", cmd_worker, "deliver notification jobs to WordPress (the outbox)"),
        ("service", cmd_service, "print a systemd unit that serves the bridge"),
        ("uninstall", cmd_uninstall, "drop the inbox tables (after the plugin is deleted)"),
    ):
        sub = commands.add_parser(name, help=help_)
        sub.set_defaults(func=func)
        sub.add_argument("--wp-config", help="path of the site's wp-config.php")
        if name == "check":
            sub.add_argument(
                "--connections", type=int, default=None, help="live connections per worker"
            )
        if name == "service":
            _serve_options(sub)
            sub.add_argument("--user", default="www-data", help="the user it runs as")
            sub.add_argument(
                "--environment-file",
                default="/etc/space-inbox.env",
                help="SPACE_INBOX_* settings, one per line (may be absent)",
            )
        if name == "uninstall":
            sub.add_argument("--yes", action="store_true", help="drop without asking")
            sub.add_argument("--print-sql", action="store_true", help="print the SQL, drop nothing")
        if name == "serve":
            _serve_options(sub)
            sub.add_argument("--threads", type=int, default=4)
            sub.add_argument("--access-log", action="store_true")
            sub.add_argument(
                "--no-dispatcher",
                action="store_true",
                help="deliver no notification jobs here (run `space-inbox worker` instead)",
            )
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except settings_module.ConfigError as exc:
        print(f"space-inbox: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
