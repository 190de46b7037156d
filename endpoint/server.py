"""Run the endpoint under gunicorn, configured from eulod's settings.

gthread workers: pyoxigraph releases the GIL while it evaluates a query, so threads in a
few processes serve concurrent clients without a process per request.
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from eulod.config import Settings


class EulodServer(BaseApplication):
    def __init__(self, settings: Settings, options: dict[str, Any] | None = None) -> None:
        self.settings = settings
        self.options = options or {}
        super().__init__()

    def load_config(self) -> None:
        defaults = {
            "bind": f"{self.settings.host}:{self.settings.port}",
            "workers": self.settings.workers,
            "threads": self.settings.threads,
            "worker_class": "gthread",
            "timeout": int(self.settings.query_timeout) + 30,
            "graceful_timeout": 10,
            "keepalive": 5,
            # SPARQLWrapper and notebooks send queries with GET: allow request lines up to
            # gunicorn's largest bounded limit (8 KiB; its default is 4 KiB). Longer queries go
            # by POST, where the body may reach 1 MiB (413 beyond).
            "limit_request_line": 8190,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "info",
            "proc_name": "eulod",
            # one shared control socket in $HOME would clash between servers (tests run several)
            "control_socket_disable": True,
        }
        for key, value in {**defaults, **self.options}.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self):
        from eulod.endpoint import create_app

        return create_app(self.settings)


def serve(settings: Settings, **options: Any) -> None:
    EulodServer(settings, options).run()
