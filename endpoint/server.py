"""Run the endpoint under a production HTTP server, configured from eulod's settings.

The default is granian, an HTTP server written in Rust that runs WSGI apps in a pool of
threads per worker process: for answers eulod replays from its caches, the Python HTTP
servers cost far more than the answer (gunicorn's gthread workers gave ~5x fewer requests
per second on the same machine; bench/RESULTS.md). gunicorn stays available
(``server = "gunicorn"``) for deployments that standardise on it. Either way pyoxigraph
evaluates queries in query processes (executor.py), so threads only wait on them.

Each worker process builds its own app from the environment, so the settings this
command was given are exported as EULOD_* variables first, with this process's id: a worker
leaves when this process ends, even killed with no chance to stop its workers (granian's would
otherwise go on answering on the port, and hold it, until killed one by one).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from eulod.core.config import Settings, load_settings, settings_environ
from eulod.core.lifetime import leave_with

log = logging.getLogger(__name__)

SERVER_PROCESS = "EULOD_SERVER_PROCESS"  # the id of the process that runs the server, its workers' parent


def app_from_environment():
    """The WSGI app of one worker process (granian's factory target, gunicorn's load()).

    Each worker starts reading the home page's listing in the background at once
    (eulod.endpoint.pages.warmup.start_home_warmup), so the first visitor does not wait for it.
    """
    from eulod.endpoint.app import create_app  # here, not at the top: the master process needs no app
    from eulod.endpoint.pages.warmup import start_home_warmup

    server = int(os.environ.get(SERVER_PROCESS, 0))
    if server and server != os.getpid():
        leave_with(server)
    app = create_app(load_settings())
    start_home_warmup(app)
    return app


def serve(settings: Settings, **options: Any) -> None:
    os.environ.update(settings_environ(settings))
    os.environ[SERVER_PROCESS] = str(os.getpid())
    _log_what_the_server_does()
    if settings.server == "gunicorn":
        _serve_gunicorn(settings, options)
    else:
        _serve_granian(settings, options)


def _log_what_the_server_does() -> None:
    """eulod's info lines (store switches, home-page readings) reach the server log, like the servers' own.

    granian and gunicorn log worker starts at info level; without this, eulod's own
    lines about what each worker does would need ``-v``. Worker processes are forked
    from this one and keep the setting.
    """
    logger = logging.getLogger("eulod")
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)


def _serve_granian(settings: Settings, options: dict[str, Any]) -> None:
    from granian import Granian
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings

    Granian(
        f"{__name__}:app_from_environment",
        factory=True,
        interface=Interfaces.WSGI,
        address=settings.host,
        port=settings.port,
        workers=settings.workers,
        blocking_threads=settings.threads,
        backpressure=settings.threads,  # requests beyond the threads wait in the socket backlog
        websockets=False,
        # A request line or headers beyond 64 KiB are refused; queries that long go by POST.
        http1_settings=HTTP1Settings(max_buffer_size=64 * 1024),
        respawn_failed_workers=True,
        workers_kill_timeout=10,
        log_access=False,
        **options,
    ).serve()


def _serve_gunicorn(settings: Settings, options: dict[str, Any]) -> None:
    from gunicorn.app.base import BaseApplication

    class EulodServer(BaseApplication):
        def load_config(self) -> None:
            defaults = {
                "bind": f"{settings.host}:{settings.port}",
                "workers": settings.workers,
                "threads": settings.threads,
                "worker_class": "gthread",
                "timeout": int(settings.query_timeout) + 30,
                "graceful_timeout": 10,
                "keepalive": 5,
                # SPARQLWrapper sends queries with GET: allow request lines up to gunicorn's
                # largest bounded limit (8 KiB; its default is 4 KiB).
                "limit_request_line": 8190,
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "info",
                "proc_name": "eulod",
                # one shared control socket in $HOME would clash between servers (tests run several)
                "control_socket_disable": True,
            }
            for key, value in {**defaults, **options}.items():
                if key in self.cfg.settings and value is not None:
                    self.cfg.set(key, value)

        def load(self):
            return app_from_environment()

    EulodServer().run()
