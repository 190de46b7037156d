"""Error answers, one way for the whole app: short, in the form the client reads, never a traceback.

- ``/sparql`` and the other machine addresses (:data:`MACHINE_PATHS`) answer plain text, as
  :func:`endpoint.sparql.error` does for the protocol's own errors: a SPARQL client logs it.
- Every other address answers an HTML page (in the site's layout and the reader's language)
  when the client prefers HTML to plain text, else plain text; ``Vary: Accept`` says so.
- An exception nobody expected is logged with its traceback and answered with a 500 that
  says only that something went wrong.

Errors that already carry their own response (the SPARQL protocol's ``ProtocolError``) are
sent as they are.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from . import i18n

log = logging.getLogger(__name__)

# Addresses that programs call: their errors are plain text whatever the Accept header says.
MACHINE_PATHS = ("/sparql", "/dumps/", "/static/")
PLAIN = "text/plain"
HTML = "text/html"

# The short reason given for a status when the code that raised it gave none of its own.
REASONS = {
    404: "nothing is served at this address",
    405: "this address does not answer {method} requests",
    406: "no acceptable format: ask for one of those this address offers",
    413: "the request is too large",
    500: "something went wrong on the server; the error was logged",
}


def wants_html() -> bool:
    """Whether this request's error should be a page: not a machine address, and HTML preferred."""
    if request.path == "/sparql" or request.path.startswith(MACHINE_PATHS):
        return False
    return request.accept_mimetypes.best_match([PLAIN, HTML]) == HTML


def reason(exc: HTTPException) -> str:
    """The raiser's own description when it gave one, else the short reason for the status."""
    default = type(exc).description
    if exc.description and exc.description != default:
        return exc.description
    template = REASONS.get(exc.code or 500, "the request could not be answered")
    return template.format(method=request.method)


def error_answer(status: int, name: str, message: str, headers: list[tuple[str, str]] | None = None) -> Response:
    """The error response for this request: an HTML page or one line of plain text."""
    response: Response | None = None
    if wants_html():
        try:
            lang = i18n.language()
            key = f"error.{status}" if f"error.{status}" in i18n.catalogue(i18n.DEFAULT) else "error.other"
            body = render_template("error.html", status=status, name=name, message=message,
                                   explanation=i18n.translate(key, lang))
            response = Response(body, status=status, mimetype=HTML)
            response.headers["Content-Language"] = lang
        except Exception:  # noqa: BLE001 -- the error page must not become a second error
            log.exception("could not render the error page for a %d", status)
    if response is None:
        response = Response(f"{status} {name}: {message}\n", status=status, mimetype=PLAIN)
    for key, value in headers or []:
        if key.lower() not in ("content-type", "content-length"):
            response.headers[key] = value
    response.headers["Vary"] = "Accept"
    return response


def http_error(exc: HTTPException) -> Response:
    """A 4xx/5xx raised on purpose (abort, routing's 404 and 405): in the client's form."""
    if exc.response is not None:  # it built its own answer
        return exc.response
    status = exc.code or 500
    return error_answer(status, exc.name, reason(exc), exc.get_headers())


def unexpected_error(exc: Exception) -> Response:
    """An exception nobody expected: log it with its traceback, answer a bare 500."""
    if isinstance(exc, HTTPException):  # Flask hands these to the more specific handler; just in case
        return http_error(exc)
    log.exception("unexpected error answering %s %s", request.method, request.path)
    server_error = InternalServerError()
    return error_answer(500, server_error.name, REASONS[500])


def install(app: Flask) -> None:
    """Answer every error of ``app`` through this module."""
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected_error)
