"""The review page: a fact sheet beside its draft, saved as a curated record.

It runs on the publisher's own machine, but the sheet is someone else's page and is treated
as hostile: its text is only ever escaped into the page (Jinja's autoescaping, no
``innerHTML`` in the script), the Content-Security-Policy allows no script or style but the
page's own files, and nothing the sheet says can name a file. Only the sheets given on the
command line can be opened, by their number, and each can write only its own record.
The server listens on 127.0.0.1 and answers only requests addressed to that host (a page
elsewhere cannot reach it by DNS rebinding); every route but the static files sits under a
random key printed with the URL (another user of the machine cannot guess it); and a save
needs the page's CSRF token and, when the browser sends one, an Origin of the page itself.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, abort, redirect, render_template, request, url_for

from eulod.converters.extract import extract_file

from .curate import (
    Sheet,
    SheetProblem,
    curated_record,
    digest,
    dump,
    read_saved,
    read_sheet,
    sheet_lines,
    write_atomically,
)
from .fields import Field, fields_of, shown

log = logging.getLogger(__name__)

LOCAL_HOSTS = ("127.0.0.1", "localhost")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # the key is in the URL; no-referrer would make a form's Origin "null"
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


@dataclass
class ReviewState:
    """The sheets of one ``eulod review`` and the secrets of its pages."""

    sheets: list[Sheet]
    key: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    port: int | None = None  # set once the server is bound; None: any port of a local host
    drafts: dict[int, tuple[str, Any]] = field(default_factory=dict)  # sheet -> (hash, draft)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class View:
    """Everything one sheet's page shows."""

    number: int
    sheet: Sheet
    lines: list[str]
    sheet_hash: str
    draft: dict[str, Any] | None
    draft_problems: list[str]
    warnings: list[str]
    saved: dict[str, Any] | None
    fields: list[Field]
    refusal: str | None = None  # why nothing can be saved for this sheet


def create_app(state: ReviewState) -> Flask:
    app = Flask(__name__)
    app.config["REVIEW"] = state
    app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024  # a record is a few kilobytes; a post this size is no review

    def allowed_host(host: str) -> bool:
        name, _, port = host.rpartition(":") if host.count(":") == 1 else (host, "", "")
        if state.port is None:
            return (name or host) in LOCAL_HOSTS
        return name in LOCAL_HOSTS and port == str(state.port)

    @app.before_request
    def local_only():
        if not allowed_host(request.host):
            abort(421, "this page answers only at 127.0.0.1")

    @app.after_request
    def headers(response):
        response.headers.update(SECURITY_HEADERS)
        return response

    def check_key(key: str) -> None:
        if not hmac.compare_digest(key.encode(), state.key.encode()):
            abort(404)

    def sheet_of(number: int) -> Sheet:
        if not 0 <= number < len(state.sheets):
            abort(404)
        return state.sheets[number]

    def draft_of(number: int, data: bytes) -> Any:
        sheet_hash = digest(data)
        with state.lock:
            known = state.drafts.get(number)
            if known is None or known[0] != sheet_hash:
                known = (sheet_hash, extract_file(state.sheets[number].path))
                state.drafts[number] = known
        return known[1]

    def view_of(number: int) -> View:
        sheet = sheet_of(number)
        try:
            data = read_sheet(sheet)
        except SheetProblem as exc:
            abort(409, str(exc))
        draft = draft_of(number, data)
        refusal = None
        try:
            saved = read_saved(sheet)
        except SheetProblem as exc:
            saved, refusal = None, str(exc)
        return View(number, sheet, sheet_lines(data, sheet.path), digest(data), draft.record, list(draft.problems),
                    list(draft.warnings), saved, fields_of(draft.record, saved), refusal)

    def render(view: View, submitted: dict[str, tuple[str, bool]] | None = None,
               problems: dict[str, list[str]] | None = None, message: str | None = None, status: int = 200):
        texts = {f.name: (submitted or {}).get(f.name, (shown(f.start, f.kind), f.accepted)) for f in view.fields}
        changed_sheet = bool(view.saved and view.saved.get("curation", {}).get("sha256") not in (None, view.sheet_hash))
        page = render_template("sheet.html", view=view, texts=texts, problems=problems or {}, message=message,
                               csrf=state.csrf, key=state.key, changed_sheet=changed_sheet,
                               count=len(state.sheets))
        return page, status

    @app.get("/<key>/")
    def index(key: str):
        check_key(key)
        if len(state.sheets) == 1:
            return redirect(url_for("sheet_page", key=key, number=0))
        return render_template("index.html", sheets=state.sheets, key=key)

    @app.get("/<key>/sheet/<int:number>")
    def sheet_page(key: str, number: int):
        check_key(key)
        view = view_of(number)
        message = f"Saved {view.sheet.target.name}." if request.args.get("saved") == "1" else None
        return render(view, message=message)

    @app.post("/<key>/sheet/<int:number>")
    def save(key: str, number: int):
        check_key(key)
        origin = request.headers.get("Origin")
        if origin is not None and origin != request.host_url.rstrip("/"):
            abort(403, "a save must come from the review page itself")
        if request.headers.get("Sec-Fetch-Site") not in (None, "same-origin", "none"):
            abort(403, "a save must come from the review page itself")
        if not hmac.compare_digest(request.form.get("csrf", "").encode(), state.csrf.encode()):
            abort(403, "the page's token is missing or wrong: reload the page")
        view = view_of(number)
        submitted = {f.name: (request.form.get(f"value.{f.name}", ""), request.form.get(f"accept.{f.name}") == "1")
                     for f in view.fields if f"value.{f.name}" in request.form}
        if view.refusal:
            return render(view, submitted, {"": [view.refusal]}, status=409)
        if request.form.get("sheet_hash") != view.sheet_hash:
            return render(view, submitted, {"": ["the fact sheet changed since the page was loaded: its new draft is "
                                                 "shown; check your changes and save again"]}, status=409)
        outcome = curated_record(view.sheet, view.draft, view.fields, submitted, view.sheet_hash, view.saved)
        if outcome.problems:
            return render(view, submitted, outcome.problems, status=422)
        with state.lock:
            write_atomically(view.sheet.target, dump(outcome.record))
        log.info("%s: curated record written to %s", view.sheet.path, view.sheet.target)
        return redirect(url_for("sheet_page", key=key, number=number, saved=1), code=303)

    @app.errorhandler(400)
    @app.errorhandler(403)
    @app.errorhandler(404)
    @app.errorhandler(405)
    @app.errorhandler(409)
    @app.errorhandler(421)
    def refused(error):
        return render_template("refused.html", error=error), error.code

    return app
