"""Response headers that keep a browser from running, sniffing or framing what eulod serves,
and the allow-list of static files.

Pages show text that anyone publishing a record wrote, so the page itself must not be able
to run script that did not come from this site: the Content-Security-Policy allows scripts
and styles from this origin only (no inline ``<script>``, no ``style=""``, no ``eval``;
every script and stylesheet is a file under ``endpoint/static/`` or YASGUI's build), and no
page may be framed (but the reconciliation service's previews, which hold no script and are made
to be shown in another tool's frame). ``X-Content-Type-Options: nosniff`` goes on every response, since the
data answers (Turtle, CSV, N-Triples) hold published text too and must never be sniffed
into HTML.

``endpoint/static/`` also holds the npm install of YASGUI (package.json, its lock file and
``node_modules/``): only the folders and file types in :data:`STATIC_FILES` are served
from it; YASGUI's two build files are served by ``/sparql/yasgui/<name>``.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, abort, has_request_context, request, send_from_directory

STATIC = Path(__file__).resolve().parent / "static"

# YASGUI's result table (its column-resizer) adds two fixed <style> elements to the page: its
# layout rules when a table is drawn, and a cursor rule while a column is dragged. Their
# hashes allow exactly those two texts, where 'unsafe-inline' would allow any style; a test
# checks them against the installed YASGUI build (tests/test_security_headers.py).
YASGUI_STYLE_HASHES = (
    "'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk='",  # .grip-resizable{table-layout:fixed;} ...
    "'sha256-c0O6TmFAkgpNbHxKAa1BrveWHHopjEtC47i0PzMudxg='",  # *{cursor:col-resize!important}
)

# What the pages need: their own scripts and styles, YASGUI's (from this origin), the SPARQL
# endpoint for YASGUI's queries, images and fonts that YASGUI's stylesheet inlines as data: URLs.
PAGE_POLICY = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": " ".join(("'self'", *YASGUI_STYLE_HASHES)),
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
}
# Anything else (data, plain-text errors) is never a document to run or embed.
OTHER_POLICY = {"default-src": "'none'", "frame-ancestors": "'none'", "sandbox": ""}

# The reconciliation service's previews are made to be framed by any tool (OpenRefine shows them
# in an iframe): plain HTML without scripts, styles or images, so the only thing allowed is framing.
FRAMEABLE_PATHS = frozenset({"/reconcile/preview"})
FRAMEABLE_POLICY = {"default-src": "'none'", "base-uri": "'none'", "form-action": "'none'", "frame-ancestors": "*"}

REFERRER_POLICY = "strict-origin-when-cross-origin"

# Folder under endpoint/static -> the file suffixes served from it (and nothing else).
STATIC_FILES: dict[str, frozenset[str]] = {
    "css": frozenset({".css"}),
    "js": frozenset({".js"}),
}
STATIC_MAX_AGE = 3600


def policy_text(policy: dict[str, str]) -> str:
    """A CSP header value from a directive table."""
    return "; ".join(f"{name} {value}".rstrip() for name, value in policy.items())


def add_security_headers(response: Response) -> Response:
    """Every response: no sniffing, no framing, a referrer policy; HTML gets the page policy."""
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = REFERRER_POLICY
    html = response.mimetype == "text/html"
    if html and has_request_context() and request.path in FRAMEABLE_PATHS:
        headers["Content-Security-Policy"] = policy_text(FRAMEABLE_POLICY)
        return response
    headers["X-Frame-Options"] = "DENY"
    headers["Content-Security-Policy"] = policy_text(PAGE_POLICY if html else OTHER_POLICY)
    return response


def static_file(filename: str) -> Response:
    """A file of an allowed folder and type under endpoint/static; 404 for anything else.

    Checked before touching the disk: exactly ``<folder>/<name>`` with a known folder, a
    known suffix for it and no dotfile, so ``..``, encoded slashes and nested folders never
    reach ``send_from_directory`` (which refuses paths leaving the folder anyway).
    """
    folder, slash, name = filename.partition("/")
    allowed = STATIC_FILES.get(folder)
    if (not slash or allowed is None or not name or "/" in name or "\\" in name or name.startswith(".")
            or Path(name).suffix not in allowed):
        abort(404)
    return send_from_directory(STATIC / folder, name, max_age=STATIC_MAX_AGE)


def install(app: Flask) -> None:
    """Serve the static allow-list as the ``static`` endpoint and add the headers to every response."""
    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=static_file)
    app.after_request(add_security_headers)
