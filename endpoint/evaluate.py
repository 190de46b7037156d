"""Query evaluation and serialisation, as run inside a query process (see executor.py).

This module is the one place that touches the store to answer a SPARQL query: a
different backend (a remote store, say) replaces :func:`open_store` and :func:`run`.
It needs nothing from Flask: a query process only evaluates and serialises.

The result is serialised here too, so the time limit covers serialisation, and the row
cap is applied while reading the solutions: at most ``max_rows`` rows (or triples) are
ever materialised, whatever the query asks for.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field, replace
from itertools import islice
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from eulod.core.xmlchars import NOT_XML_UTF8

from . import guard, sandbox, search_function
from .media import serialize_triples

log = logging.getLogger(__name__)

READY = "ready"  # a query process's first message: imported, walled in, waiting for jobs
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(frozen=True)
class Job:
    """One query to answer. Formats are media types; None: the client accepts none of that kind."""

    store_path: str
    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    results_format: str | None = None  # for SELECT and ASK, e.g. "application/sparql-results+json"
    graph_format: str | None = None  # for CONSTRUCT and DESCRIBE, e.g. "text/turtle"
    max_rows: int = 10000
    prefixes: dict[str, str] = field(default_factory=dict)
    graphs: tuple[str, ...] = ()  # the store's graphs: FROM and the dataset parameters may name only these
    base_iri: str = ""  # relative IRIs of the query resolve against it (the endpoint's URL)
    strict: bool = False  # a remote store: standard SPARQL 1.1 only (guard.prepare)
    check_only: bool = False  # answer with the prepared query (Outcome.prepared), evaluate nothing
    search_path: str = ""  # the generation's search.sqlite, for eulod:search (search_function.py); '' for none


@dataclass(frozen=True)
class Outcome:
    """A serialised answer, or an error status and message for the client."""

    body: bytes = b""
    form: str = ""  # "results" (SELECT/ASK) or "graph" (CONSTRUCT/DESCRIBE)
    truncated: bool = False
    rows: int = 0
    status: int = 200
    message: str = ""
    prepared: guard.Prepared | None = None  # for a check_only job
    cpu_seconds: float = 0.0  # processor time the query process had used when it answered (admission reads it)


def open_store(path: str) -> ox.Store:
    return ox.Store.read_only(path)


def prepare(job: Job) -> guard.Prepared:
    """The query policy applied to a job: the text to run, or guard.Refused."""
    return guard.prepare(job.query, job.graphs, job.default_graphs + job.named_graphs, strict=job.strict,
                         base_iri=job.base_iri)


def dataset(job: Job, prepared: guard.Prepared) -> dict[str, Any]:
    """pyoxigraph arguments for the job's dataset.

    The protocol's parameters win over the query's FROM clauses (SPARQL 1.1 Protocol,
    2.1.4); a query with FROM / FROM NAMED clauses gets the dataset they describe (a
    default graph merged from its FROM graphs, empty without one; only its FROM NAMED
    graphs as named graphs); any other query the union of all graphs as default graph.
    The union flag would override FROM, so it is passed only when there is none.
    """
    if job.default_graphs or job.named_graphs:
        out: dict[str, Any] = {}
        if job.default_graphs:
            out["default_graph"] = [ox.NamedNode(iri) for iri in job.default_graphs]
        if job.named_graphs:
            out["named_graphs"] = [ox.NamedNode(iri) for iri in job.named_graphs]
        return out
    if prepared.has_dataset:
        return {"default_graph": [ox.NamedNode(iri) for iri in prepared.from_graphs],
                "named_graphs": [ox.NamedNode(iri) for iri in prepared.from_named]}
    return {"use_default_graph_as_union": True}


def run(store: Any, job: Job, prepared: guard.Prepared | None = None, functions: dict | None = None) -> Outcome:
    """Check, evaluate and serialise one job; errors the client caused become 4xx outcomes.

    ``store`` is a pyoxigraph store, or a remote store that answers the same calls and
    is told the query form (it has no parser of its own to find it). ``functions`` are the
    custom functions a pyoxigraph store evaluates (eulod:search).
    """
    try:
        prepared = prepared or prepare(job)
    except guard.Refused as refusal:
        return Outcome(status=refusal.status, message=refusal.message)
    options = dataset(job, prepared)
    if not isinstance(store, ox.Store):
        options["form"] = prepared.form
    elif functions:
        options["custom_functions"] = functions
    try:
        result = store.query(prepared.text, base_iri=job.base_iri or None, **options)
    except SyntaxError as exc:
        return Outcome(status=400, message=f"malformed query: {exc}")
    except ValueError as exc:  # an invalid IRI among the dataset parameters
        return Outcome(status=400, message=f"bad request: {exc}")
    except RuntimeError as exc:
        if not isinstance(store, ox.Store):  # a remote store's failure (RemoteError): the app answers 502
            raise
        # pyoxigraph refuses the query as planned: a function it does not know (<urn:x:f>(1))
        return Outcome(status=400, message=f"query evaluation failed: {exc}")
    try:
        if isinstance(result, ox.QueryTriples):
            return _graph(result, job)
        return _results(result, job)
    except (OSError, ValueError, RuntimeError, SyntaxError) as exc:  # errors surface while iterating (a remote answer is parsed lazily)
        return Outcome(status=400, message=f"query evaluation failed: {exc}")


def _graph(triples: ox.QueryTriples, job: Job) -> Outcome:
    if job.graph_format is None:
        return Outcome(form="graph", status=406)
    kept = list(islice(triples, job.max_rows + 1))
    truncated = len(kept) > job.max_rows
    kept = kept[: job.max_rows]
    body = serialize_triples(kept, ox.RdfFormat.from_media_type(job.graph_format), job.prefixes)
    return _xml_checked(Outcome(body=body, form="graph", truncated=truncated, rows=len(kept)), job.graph_format)


# Records cannot hold what XML cannot carry, but a query can make it ("a\u0000b"): eulod.core.xmlchars.
XML_TYPES = frozenset({"application/sparql-results+xml", "application/rdf+xml"})


def _xml_checked(outcome: Outcome, media_type: str) -> Outcome:
    """``outcome``, or a 406 saying why when its XML body holds a character XML cannot carry."""
    if media_type not in XML_TYPES:
        return outcome
    found = NOT_XML_UTF8.search(outcome.body)
    if found is None:
        return outcome
    character = found.group().decode("utf-8")
    return Outcome(form=outcome.form, status=406,
                   message=f"the answer holds U+{ord(character):04X}, which XML cannot carry; ask for another format")


def _results(result: Any, job: Job) -> Outcome:
    if job.results_format is None:
        return Outcome(form="results", status=406)
    fmt = ox.QueryResultsFormat.from_media_type(job.results_format)
    if isinstance(result, ox.QueryBoolean):
        return Outcome(body=result.serialize(format=fmt), form="results", rows=1)  # true or false: nothing to check
    names = [variable.value for variable in result.variables]
    solutions = list(islice(result, job.max_rows + 1))
    truncated = len(solutions) > job.max_rows
    solutions = solutions[: job.max_rows]
    document = {
        "head": {"vars": names},
        "results": {"bindings": [_binding(names, solution) for solution in solutions]},
    }
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if fmt != ox.QueryResultsFormat.JSON:
        # pyoxigraph's own writers, fed the capped solutions through its JSON reader
        body = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=fmt)
    return _xml_checked(Outcome(body=body, form="results", truncated=truncated, rows=len(solutions)),
                        job.results_format)


def _binding(names: list[str], solution: ox.QuerySolution) -> dict[str, Any]:
    return {name: _term(value) for name, value in zip(names, solution) if value is not None}


def _term(term: Any) -> dict[str, Any]:
    """A term in the SPARQL 1.1 Query Results JSON format (with RDF 1.2 triple terms)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            if term.direction is not None:
                out["its:dir"] = str(term.direction.value if hasattr(term.direction, "value") else term.direction)
        elif term.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {"subject": _term(term.subject), "predicate": _term(term.predicate), "object": _term(term.object)},
        }
    raise ValueError(f"unexpected term {term!r}")


def check(job: Job) -> Outcome:
    """A check_only job's answer: the prepared query, or the refusal."""
    try:
        return Outcome(prepared=prepare(job))
    except guard.Refused as refusal:
        return Outcome(status=refusal.status, message=refusal.message)


def serve(connection: Connection) -> None:
    """A query process's loop: receive a job, answer it, until the parent closes the pipe.

    The network wall (sandbox.py) goes up before the first job is read.
    """
    sandbox.deny_network()
    stores: dict[str, ox.Store] = {}
    searches: dict[str, search_function.SearchFunction] = {}
    try:
        connection.send(READY)
    except (EOFError, OSError):
        return
    while True:
        try:
            job: Job = connection.recv()
        except (EOFError, OSError):
            return
        try:
            if job.check_only:
                outcome = check(job)
            else:
                store = stores.get(job.store_path)
                if store is None:
                    stores.clear()  # a new generation: let the old one's files go
                    store = stores[job.store_path] = open_store(job.store_path)
                outcome = run(store, job, functions=search_function.functions(job.search_path, searches))
        except MemoryError:
            outcome = Outcome(status=503, message="the query needed more memory than the endpoint allows")
        except Exception:  # a bug: log it here, answer without a traceback, keep serving
            log.exception("query failed unexpectedly: %.200s", job.query)
            outcome = Outcome(status=500, message="internal error while answering the query; it has been logged")
        times = os.times()
        connection.send(replace(outcome, cpu_seconds=times.user + times.system))
