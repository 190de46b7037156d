"""SPARQL 1.1 Protocol, query operation, over the read-only store.

One handler serves GET, POST with a form and POST with a direct query; the adapters only
extract the query and the dataset. Updates are refused: the endpoint is read-only.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, send_from_directory
from werkzeug.exceptions import HTTPException

from eulod.core.config import Settings
from eulod.core.handle import StoreHandle
from eulod.core.namespaces import PREFIXES, sparql_prologue

from . import evaluate, examples, executor, fastpath, guard, media
from .context import settings, store_handle
from .search_index import search_cache
from .service import service_description

log = logging.getLogger(__name__)

blueprint = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
# Answers say how many rows the endpoint gives at most, and whether this one was cut there.
MAX_ROWS_HEADER = "X-SPARQL-MaxRows"
TRUNCATED_HEADER = "X-SPARQL-Truncated"
# Answer a little before the limit, so the error reaches the client within it.
DEADLINE_MARGIN = 0.25

# YASGUI's built files: a clone's npm install (make install), else those a wheel carries
# (copied from the npm registry's package when the wheel was built: tools/wheel_assets.py).
_HERE = Path(__file__).resolve().parent
YASGUI_PLACES = (_HERE / "static" / "node_modules" / "@zazuko" / "yasgui" / "build", _HERE / "vendor" / "yasgui")
YASGUI_BUILD = next((p for p in YASGUI_PLACES if (p / "yasgui.min.js").is_file()), YASGUI_PLACES[0])
YASGUI_FILES = frozenset({"yasgui.min.js", "yasgui.min.css"})

_POOLS: dict[tuple[int, int, executor.Limits], executor.QueryPool] = {}
_POOLS_LOCK = threading.Lock()


@dataclass
class Operation:
    query: str
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)


def error(status: int, message: str) -> Response:
    """Plain-text errors: readable in a terminal and in any SPARQL client's log."""
    response = Response(message.rstrip() + "\n", status=status, mimetype="text/plain")
    response.headers["Vary"] = "Accept"
    return response


class ProtocolError(HTTPException):
    def __init__(self, status: int, message: str, response: Response | None = None) -> None:
        super().__init__(description=message, response=response or error(status, message))


def _single(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise ProtocolError(400, f"more than one '{name}' parameter: send exactly one")
    return values[0] if values else None


def read_operation() -> Operation | None:
    """The query operation of this request, or None for a request without a query."""
    args = request.args
    if "update" in args or "update" in request.form or request.mimetype == UPDATE:
        raise ProtocolError(403, "this endpoint is read-only: SPARQL Update is not accepted")
    default_graphs = args.getlist("default-graph-uri")
    named_graphs = args.getlist("named-graph-uri")
    if request.method in ("GET", "HEAD"):
        query = _single(args.getlist("query"), "query")
    elif request.mimetype == FORM:
        query = _single(request.form.getlist("query"), "query")
        default_graphs += request.form.getlist("default-graph-uri")
        named_graphs += request.form.getlist("named-graph-uri")
    elif request.mimetype == DIRECT:
        try:
            query = request.get_data(cache=False).decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError(400, "the query is not UTF-8 text") from None
    elif not request.mimetype:
        raise ProtocolError(415, f"POST needs a Content-Type: {FORM} or {DIRECT}")
    else:
        raise ProtocolError(415, f"unsupported Content-Type {request.mimetype!r}: use {FORM} or {DIRECT}")
    if query is None:
        return None
    return Operation(query, default_graphs, named_graphs)


def _graphs() -> list[str]:
    return list(store_handle().manifest.get("graphs", {}).values())


def screen(operation: Operation) -> None:
    """What the serving thread refuses before a query process sees the query (see guard.screen).

    The policy itself (SERVICE, updates, FROM) is decided in the query process, on the
    text it runs and under its time limit (evaluate.run).
    """
    try:
        guard.screen(operation.query, settings().max_query_depth)
    except guard.Refused as refusal:
        raise ProtocolError(refusal.status, refusal.message) from None


def client_address() -> str:
    """The client's address, for its share of the query processes.

    Behind ``proxy_hops`` reverse proxies that append to X-Forwarded-For, the address the
    nearest of them saw; otherwise the peer's address (a client cannot choose it).
    """
    hops = settings().proxy_hops
    if hops:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.remote_addr or ""


def endpoint_iri() -> str:
    """The endpoint's own IRI, the base of a query's relative IRIs (SPARQL 1.1 Protocol leaves it to us).

    Taken from the configured base IRI, not from the request's Host header, so a client
    cannot make answers (and cached answers) depend on a header it chooses.
    """
    return settings().base_iri + "sparql"


def negotiated() -> tuple[str | None, str | None]:
    """The media types for a results answer and for a graph answer; the query form picks one."""
    override = request.values.get("format")
    accept = request.accept_mimetypes
    results = media.negotiate(accept, list(media.RESULTS), override)
    graph = media.negotiate(accept, list(media.GRAPHS), override)
    if results is None and graph is None:
        raise ProtocolError(
            406,
            "no acceptable format; SELECT and ASK give: " + ", ".join(media.RESULTS)
            + "; CONSTRUCT and DESCRIBE give: " + ", ".join(media.GRAPHS),
        )
    return results, graph


def limits(config: Settings) -> executor.Limits:
    """The pool's admission limits from the settings; long queries always leave one process for short ones."""
    return executor.Limits(
        timeout=max(config.query_timeout - DEADLINE_MARGIN, config.query_timeout * 0.8),
        queue_wait=config.query_wait,
        short_seconds=config.short_query_seconds,
        long_queries=max(1, min(config.long_queries, config.query_processes - 1)),
        client_queries=config.client_queries,
        penalty_seconds=config.long_query_penalty,
    )


def _pool(config: Settings) -> executor.QueryPool:
    """One pool per server process: each worker process of the HTTP server has its own."""
    key = (os.getpid(), config.query_processes, limits(config))
    with _POOLS_LOCK:
        if key not in _POOLS:
            _POOLS[key] = executor.QueryPool(config.query_processes, limits(config))
        return _POOLS[key]


def _app_pool() -> executor.QueryPool:
    """This app's pool, remembered on the app (so a request does not rebuild its limits)."""
    extensions = current_app.extensions
    pid, pool = extensions.get("eulod_pool", (None, None))
    if pid != os.getpid() or pool is None:
        pool = _pool(settings())
        extensions["eulod_pool"] = (os.getpid(), pool)
    return pool


@blueprint.record_once
def _start_query_processes(state) -> None:
    """Start the query processes with the app, so the first queries do not wait for them."""
    _pool(state.app.config["EULOD"]).start()


def _cache() -> executor.AnswerCache:
    extensions = current_app.extensions
    if "eulod_answers" not in extensions:
        extensions["eulod_answers"] = executor.AnswerCache(settings().result_cache_mb * 1024 * 1024)
    return extensions["eulod_answers"]


def answer(job: evaluate.Job, client: str = "") -> evaluate.Outcome:
    """Run a job on the store behind the endpoint: the one place that picks how.

    The embedded store runs each query in a query process that the time limit can kill.
    A remote store (eulod.core.remote) has the query checked in a query process all the same
    (the policy, standard SPARQL only, and the query form, without evaluating anything in
    this process) and is then queried from this thread, under the client's own timeout.
    """
    handle = store_handle()
    config = settings()
    pool = _app_pool()
    try:
        if isinstance(handle, StoreHandle):
            return pool.run(job, client=client)
        checked = pool.run(replace(job, strict=True, check_only=True), client=client)
        if checked.status != 200 or checked.prepared is None:
            return checked
        return evaluate.run(handle.store, job, checked.prepared)  # a RemoteError is the app's 502 (endpoint/app.py)
    except executor.QueryTimeout:
        raise ProtocolError(
            504,
            f"the query was stopped after the time limit of {config.query_timeout:g} s; "
            "narrow it down (LIMIT, more specific patterns) and try again",
        ) from None
    except executor.QueryBusy as busy:
        error_response = error(busy.status, busy.reason)
        error_response.headers["Retry-After"] = str(busy.retry_after)
        raise ProtocolError(busy.status, busy.reason, error_response) from None
    except executor.QueryCrashed:
        raise ProtocolError(503, "the query process stopped (too much memory?); narrow the query down") from None


def warm_query_processes() -> int:
    """Have every query process open the current store, so no visitor waits for it.

    A query process imports pyoxigraph and opens the store on its first job, which takes
    a second or two while the server starts; a trivial ASK sent to each (from as many
    threads at once, so that each takes a different process) does that before the first
    visitor. Returns how many answered; a remote store has no query processes (0).
    """
    handle = store_handle()
    if not isinstance(handle, StoreHandle):
        return 0
    config = settings()
    job = evaluate.Job(store_path=str(handle.generation.store_path), query="ASK {}",
                       results_format="application/sparql-results+json")
    pool = _pool(config)
    answered: list[bool] = []

    def ask() -> None:
        outcome = pool.warm(job, config.query_timeout)
        answered.append(outcome is not None and outcome.status == 200)

    threads = [threading.Thread(target=ask) for _ in range(config.query_processes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log.info("query processes: %d of %d answered a first query on generation %s (warm-up)",
             sum(answered), config.query_processes, handle.generation.id)
    return sum(answered)


def execute(operation: Operation) -> Response:
    """Answer a query operation: screen, cache, policy check and evaluation in a query process, response."""
    screen(operation)
    results_type, graph_type = negotiated()
    handle = store_handle()
    config = settings()
    job = evaluate.Job(
        store_path=str(handle.generation.store_path),
        query=operation.query,
        default_graphs=tuple(operation.default_graphs),
        named_graphs=tuple(operation.named_graphs),
        results_format=results_type,
        graph_format=graph_type,
        max_rows=config.max_rows,
        prefixes=PREFIXES,
        graphs=tuple(_graphs()),
        base_iri=endpoint_iri(),
        search_path=search_cache(current_app).path_if_ready(handle) if isinstance(handle, StoreHandle) else "",
    )
    key = (handle.generation.id, job.query, job.default_graphs, job.named_graphs, job.results_format,
           job.graph_format, job.max_rows, job.search_path)
    client = client_address()
    outcome = _cache().get_or_compute(key, lambda: answer(job, client))
    request.environ[fastpath.CACHEABLE] = True
    return respond(outcome, results_type if outcome.form == "results" else graph_type)


def respond(outcome: evaluate.Outcome, chosen: str | None) -> Response:
    """The HTTP response for an outcome; errors as plain text, answers with the row-cap headers."""
    if outcome.status not in (200, 406):
        raise ProtocolError(outcome.status, outcome.message)
    if outcome.status == 406 or chosen is None:
        offered = media.RESULTS if outcome.form == "results" else media.GRAPHS
        kind = "SELECT and ASK give" if outcome.form == "results" else "CONSTRUCT and DESCRIBE give"
        reason = outcome.message or "no acceptable format"  # an answer the chosen format cannot carry says why
        raise ProtocolError(406, f"{reason}; {kind}: " + ", ".join(offered))
    response = Response(outcome.body, mimetype=chosen)
    if chosen.startswith("text/"):
        response.charset = "utf-8"
    response.headers["Vary"] = "Accept"
    response.headers[MAX_ROWS_HEADER] = str(settings().max_rows)
    if outcome.truncated:
        response.headers[TRUNCATED_HEADER] = "true"
    return response


@blueprint.route("/sparql", methods=["GET", "HEAD", "POST", "OPTIONS"])
def endpoint() -> Response:
    if request.method == "OPTIONS":
        response = Response(status=204)
        response.headers["Allow"] = "GET, HEAD, POST, OPTIONS"
        return response
    operation = read_operation()
    if operation is None:
        return without_query()
    return execute(operation)


@blueprint.route("/sparql/examples")
def examples_route() -> Response:
    """The example queries of the editor, read from data/queries (files marked '# Example:')."""
    response = jsonify(examples.load())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@blueprint.route("/sparql/yasgui/<name>")
def yasgui_asset(name: str) -> Response:
    """YASGUI's build, installed from the npm registry (endpoint/static/package.json), served here."""
    if name not in YASGUI_FILES:
        abort(404)
    return send_from_directory(YASGUI_BUILD, name, max_age=86400)


def without_query() -> Response:
    """No query: the query editor for browsers, the service description for machines."""
    offered = list(media.GRAPHS) + [media.HTML]
    chosen = media.negotiate(request.accept_mimetypes, offered, request.args.get("format"))
    if chosen is None:
        abort(406)
    if chosen == media.HTML:
        response = Response(render_template(
                "sparql.html", prologue=sparql_prologue(), timeout=f"{settings().query_timeout:g}",
                max_rows=settings().max_rows,
                # Without npm at set-up the editor is missing: the plain form still works.
                yasgui=(YASGUI_BUILD / "yasgui.min.js").is_file(),
            ), mimetype=media.HTML)
    else:
        # The configured base IRI, never the request's Host header: an attacker's Host must not end up in
        # an answer a shared cache may keep for everyone (found by the blind attack set).
        graph = service_description(settings(), settings().base_iri + "sparql", store_handle().manifest,
                                    search_function=isinstance(store_handle(), StoreHandle))
        response = Response(media.serialize_graph(graph, chosen), mimetype=chosen)
    response.headers["Vary"] = "Accept"
    return response
