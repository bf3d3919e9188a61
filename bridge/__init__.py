"""Space Inbox bridge: shared Space inboxes served from the WordPress database."""

from __future__ import annotations

import os

from flask import Flask

from bridge import config as settings_module


def create_app(config: dict | None = None) -> Flask:
    """Create the bridge app.

    :param config: the settings given (``WP_CONFIG``, any setting by name), as the command
        line hands them to each worker; None reads them from ``SPACE_INBOX_*`` variables
        (``SPACE_INBOX_WP_CONFIG`` names the wp-config.php), as a plain gunicorn does.
    """
    from bridge.api import errors, pages, routes
    from bridge.background import live, outbox, replica
    from bridge.inbox.kept_figures import told_statement
    from bridge.inbox.statements import header_statement
    from bridge.storage import db, rate_limits
    from bridge.storage.tables import tables
    from bridge.wordpress.auth import (
        SiteKeys,
        fingerprints_statement,
        login_statement,
    )

    given = settings_module.from_environment(os.environ) if config is None else config
    settings = settings_module.resolve(given)

    app = Flask(__name__, static_folder=None)  # the bridge serves JSON only
    app.config.update(settings)
    app.json.sort_keys = False
    app.extensions["space_inbox_keys"] = SiteKeys(settings)
    app.extensions["space_inbox_limiter"] = rate_limits.from_settings(settings)
    engine = db.make_engine(settings)
    app.extensions["space_inbox_engine"] = engine
    site_tables = tables(settings["TABLE_PREFIX"])
    db.init_app(app, engine, site_tables)
    live.init_app(app, app.extensions["space_inbox_db"])
    outbox.init_app(app, app.extensions["space_inbox_db"])
    # The statements every request begins with: the login, or the header poll's all-in-one.
    reads = db.make_read_engine(settings)
    app.extensions["space_inbox_login"] = db.OneStatement(reads, login_statement(site_tables))
    app.extensions["space_inbox_header"] = db.OneStatement(reads, header_statement(site_tables))
    app.extensions["space_inbox_told"] = db.OneStatement(reads, told_statement(site_tables))
    live.watch_logins(app, reads, fingerprints_statement(site_tables))
    if settings.get("REPLICA_URL"):
        replica.init_app(
            app,
            app.extensions["space_inbox_db"],
            replica.Replica(
                db.make_sessions(db.make_engine(settings, settings["REPLICA_URL"]), site_tables),
                reads,
                db.make_read_engine(settings, settings["REPLICA_URL"]),
                settings["REDIS_URL"],
                settings["SITE_KEY"],
                settings["REPLICA_MAX_LAG"],
            ),
        )
    errors.init_app(app)

    @app.after_request
    def _no_sniffing(response):
        # JSON is data: a browser must never sniff it into HTML or script.
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    routes(app)
    # A live stream's connection is held by the process once its answer has begun.
    app.wsgi_app = pages.hand_over(app.wsgi_app)
    return app
