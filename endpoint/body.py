"""Request bodies without a length (``Transfer-Encoding: chunked``) held to the same limit as the others.

Flask refuses a body whose Content-Length is over ``MAX_CONTENT_LENGTH`` with 413. A chunked
body has no Content-Length: Werkzeug then reads it through a stream that stops at the limit
and, when the body is longer, hands the application the first megabyte as if it were all
(a blind attack set found a 3 MB query cut and run, tests/data/blind-attacks). This WSGI
wrapper reads such a body first, one byte past the limit at most: a longer one is marked for a
413 (answered by Flask, so it carries the usual headers), a shorter one is handed on with its
length, so everything after sees an ordinary request.
"""

from __future__ import annotations

import io
from typing import Any, Callable, Iterable

from flask import Flask, abort, request

TOO_LARGE = "eulod.body_too_large"  # environ key set when a body without a length is over the limit
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CHUNK = 64 * 1024


class SizedBodies:
    """WSGI middleware: a body without Content-Length is read (up to ``limit`` + 1 bytes) and given one."""

    def __init__(self, wsgi_app: Callable, limit: int) -> None:
        self.wsgi_app = wsgi_app
        self.limit = limit

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") in BODY_METHODS and not environ.get("CONTENT_LENGTH"):
            body = _read_at_most(environ["wsgi.input"], self.limit + 1)
            if len(body) > self.limit:
                environ[TOO_LARGE] = True
                body = b""
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.wsgi_app(environ, start_response)


def _read_at_most(stream: Any, size: int) -> bytes:
    """Up to ``size`` bytes of ``stream`` (a WSGI input may return fewer per read than asked)."""
    parts, held = [], 0
    while held < size:
        part = stream.read(min(CHUNK, size - held))
        if not part:
            break
        parts.append(part)
        held += len(part)
    return b"".join(parts)


def install(app: Flask) -> None:
    """Wrap ``app``'s WSGI callable, and answer a marked request with 413 before any view reads it."""
    app.wsgi_app = SizedBodies(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"])

    @app.before_request
    def refuse_oversized_body() -> None:
        if request.environ.get(TOO_LARGE):
            abort(413)
