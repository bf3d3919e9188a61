"""The HTTP layer: one blueprint per audience, and the request guards they share."""

from __future__ import annotations

from flask import Flask


def blueprints() -> list:
    """The API's blueprints, one per audience (importing their modules declares the routes)."""
    from bridge.api import (
        desk,
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

    modules = (header, stream, member, space_admin, team, desk, public, plugin, moderation, service)
    return [module.bp for module in modules]


def routes(app: Flask) -> None:
    """Add every route of the API to ``app``, each guarded (:mod:`bridge.api.guards`)."""
    from bridge.api import guards

    app.url_map.converters["id"] = guards.IdConverter
    for blueprint in blueprints():
        app.register_blueprint(blueprint)
    guards.init_app(app)
