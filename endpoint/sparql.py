"""SPARQL 1.1 Protocol, query operation, over the read-only store.

One handler serves GET, POST with a form and POST with a direct query; the adapters only
extract the query and the dataset. Updates are refused: the endpoint is read-only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request
from werkzeug.exceptions import HTTPException

from eulod.namespaces import sparql_prologue

from . import media, settings, store_handle
from .service import service_description

log = logging.getLogger(__name__)

blueprint = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


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
    def __init__(self, status: int, message: str) -> None:
        super().__init__(description=message, response=error(status, message))


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


def _dataset(operation: Operation) -> dict:
    """pyoxigraph arguments for the request's dataset; the union of all graphs by default."""
    if not operation.default_graphs and not operation.named_graphs:
        return {"use_default_graph_as_union": True}
    out: dict = {}
    if operation.default_graphs:
        out["default_graph"] = [ox.NamedNode(iri) for iri in operation.default_graphs]
    if operation.named_graphs:
        out["named_graphs"] = [ox.NamedNode(iri) for iri in operation.named_graphs]
    return out


def execute(operation: Operation):
    try:
        return store_handle().store.query(operation.query, prefixes=None, **_dataset(operation))
    except SyntaxError as exc:
        raise ProtocolError(400, f"malformed query: {exc}") from None
    except ValueError as exc:  # an invalid IRI in the dataset parameters
        raise ProtocolError(400, f"bad request: {exc}") from None


def respond(result) -> Response:
    """Serialise a query result in the format the client negotiated."""
    override = request.values.get("format")
    if isinstance(result, ox.QueryTriples):
        offered = list(media.GRAPHS)
        chosen = media.negotiate(request.accept_mimetypes, offered, override)
        if chosen is None:
            raise ProtocolError(406, "no acceptable format; CONSTRUCT and DESCRIBE give: " + ", ".join(offered))
        body = ox.serialize(result, format=media.GRAPHS[chosen])
    else:
        offered = list(media.RESULTS)
        chosen = media.negotiate(request.accept_mimetypes, offered, override)
        if chosen is None:
            raise ProtocolError(406, "no acceptable format; SELECT and ASK give: " + ", ".join(offered))
        body = result.serialize(format=media.RESULTS[chosen])
    response = Response(body, mimetype=chosen)
    if chosen.startswith("text/"):
        response.charset = "utf-8"
    response.headers["Vary"] = "Accept"
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
    return respond(execute(operation))


def without_query() -> Response:
    """No query: the query editor for browsers, the service description for machines."""
    offered = list(media.GRAPHS) + [media.HTML]
    chosen = media.negotiate(request.accept_mimetypes, offered, request.args.get("format"))
    if chosen is None:
        abort(406)
    if chosen == media.HTML:
        response = Response(render_template("sparql.html", prologue=sparql_prologue()), mimetype=media.HTML)
    else:
        graph = service_description(settings(), request.base_url, store_handle().manifest)
        response = Response(media.serialize_graph(graph, chosen), mimetype=chosen)
    response.headers["Vary"] = "Accept"
    return response
