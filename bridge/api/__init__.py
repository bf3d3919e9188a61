"""The HTTP layer: one blueprint per audience, and the request guards they share."""

from __future__ import annotations

from flask import Flask


def routes(app: Flask) -> None:
    """Add every route of the API to ``app``, each guarded (:mod:`bridge.api.guards`)."""
    from bridge.api import (
        desk,
        guards,
        header,
        member,
        moderation,
        plugin,
        public,
        service,
        space_admin,
        stream,
        team,
    )

    app.url_map.converters["id"] = guards.IdConverter
    for blueprint in (
        header.bp,
        stream.bp,
        member.bp,
        space_admin.bp,
        team.bp,
        desk.bp,
        public.bp,
        plugin.bp,
        moderation.bp,
        service.bp,
    ):
        app.register_blueprint(blueprint)
    guards.init_app(app)
