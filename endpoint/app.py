"""The Flask application: SPARQL 1.1 Protocol endpoint and Linked Data over the built store.

``create_app`` builds the app, each concern is a blueprint, and the store is reached
through one store handle (eulod.core.handle) kept on the app (eulod.endpoint.context).
"""

from __future__ import annotations

import logging

from flask import Flask, Response, request

from eulod.core.config import Settings, load_settings
from eulod.core.handle import open_handle
from eulod.core.remote.client import RemoteError

from . import body, catalogue, errors, feed, links, pages, reconcile, resources, search_api, security, sparql
from .fastpath import ResponseCache

log = logging.getLogger(__name__)

READ_METHODS = "GET, HEAD, POST, OPTIONS"


def create_app(settings: Settings | None = None) -> Flask:
    # No default static route: endpoint/static holds YASGUI's npm install too, and only an
    # allow-list of it is served (endpoint/security.py).
    app = Flask(__name__, static_folder=None)
    settings = settings or load_settings()
    app.config["EULOD"] = settings
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024  # queries and forms beyond 1 MiB get 413
    app.extensions["eulod_store"] = open_handle(settings)

    body.install(app)
    security.install(app)
    links.install(app)
    errors.install(app)

    app.register_blueprint(sparql.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(catalogue.blueprint)
    app.register_blueprint(search_api.blueprint)
    app.register_blueprint(reconcile.blueprint)
    app.register_blueprint(feed.blueprint)
    app.register_blueprint(resources.blueprint)  # last: its catch-all route resolves data IRIs
    _cache_responses(app, settings)

    @app.errorhandler(RemoteError)
    def remote_failed(exc: RemoteError) -> Response:
        """A remote store that failed or gave an answer it marks as partial: say so, never serve it."""
        log.warning("remote store: %s", exc)
        return errors.error_answer(502, "Bad Gateway", f"the triple store behind this endpoint: {exc}")

    @app.after_request
    def read_only_cors(response: Response) -> Response:
        """Everything served is public and read-only, so any origin may read it."""
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = READ_METHODS
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type, If-None-Match, If-Modified-Since"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Link, Vary"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Max-Age"] = "86400"
        return response

    return app


def _cache_responses(app: Flask, settings: Settings) -> None:
    """Replay repeated GET queries without entering Flask (endpoint/fastpath.py)."""
    handle = app.extensions["eulod_store"]
    app.wsgi_app = ResponseCache(app.wsgi_app, lambda: handle.generation.id, settings.result_cache_mb * 1024 * 1024)
