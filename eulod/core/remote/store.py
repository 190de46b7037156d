"""The part of ``pyoxigraph.Store`` the endpoint uses, answered by a remote SPARQL store."""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Iterable, Mapping

import pyoxigraph as ox

from eulod.core.remote.client import N_TRIPLES, RESULTS_JSON, RemoteError, RemoteRefusal, SparqlClient, check_complete
from eulod.core.remote.rewrite import rewrite_date_comparisons, substitute, with_prologue

log = logging.getLogger(__name__)


class RemoteStore:
    """The part of ``pyoxigraph.Store`` the endpoint uses, answered by a remote store.

    ``graphs`` are the data set's graphs (data, vocabulary, summaries): the union default graph of
    the embedded store is their union here, and they are the only named graphs a query sees.
    """

    def __init__(self, client: SparqlClient, graphs: list[str], max_rows: int | None = None,
                 names: Mapping[str, str] | None = None) -> None:
        self.client = client
        self.graphs = graphs
        self.max_rows = max_rows
        self.names = dict(names or {})  # a graph's public IRI -> its name in the remote store

    def query(
        self,
        query: str,
        *,
        prefixes: Mapping[str, str] | None = None,
        base_iri: str | None = None,
        use_default_graph_as_union: bool = False,
        default_graph: Any = None,
        named_graphs: Any = None,
        substitutions: Mapping[ox.Variable, Any] | None = None,
        form: str | None = None,
        **unsupported: Any,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Answer a query as ``pyoxigraph.Store.query`` would, from the remote store.

        ``form`` ("results" or "graph") is the query form when the caller knows it: the
        endpoint's query check finds it (in a query process, under the time limit) for a
        visitor's query. Without it the query is parsed by the embedded engine (over an
        empty store) to find the form and report syntax errors alike on both backends;
        eulod's own queries take that path, never a visitor's, since that parse also
        evaluates what needs no data (VALUES, ORDER BY) in this process.
        """
        if unsupported:
            raise RemoteError(f"the remote store does not support {', '.join(sorted(unsupported))}")
        if form is None:
            local = ox.Store().query(query, prefixes=prefixes, base_iri=base_iri, use_default_graph_as_union=True)
            form = "graph" if isinstance(local, ox.QueryTriples) else "results"
        text = with_prologue(query, prefixes, base_iri)
        if substitutions:
            text = substitute(text, substitutions)
        rewritten = rewrite_date_comparisons(text)
        if rewritten != text:
            log.debug("rewrote xsd:date comparisons for the remote store")
        defaults = self.graphs if use_default_graph_as_union or default_graph is None else self._stored(default_graph)
        named = self.graphs if named_graphs is None else self._stored(named_graphs)
        if form == "graph":
            headers, body = self.client.query(rewritten, N_TRIPLES, defaults, named)
            check_complete(headers)
            triples = [quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
            if self.max_rows is not None and len(triples) >= self.max_rows:
                raise RemoteRefusal(
                    f"the remote store returned {len(triples)} triples, the row limit: the answer may be cut short"
                )
            return as_query_triples(triples)
        headers, body = self.client.query(rewritten, RESULTS_JSON, defaults, named)
        check_complete(headers)
        return ox.parse_query_results(self._checked_solutions(body), format=ox.QueryResultsFormat.JSON)

    def _stored(self, graphs: Any) -> list[str]:
        """The remote store's names of graphs given by their public IRIs (or already by those names)."""
        return [self.names.get(iri, iri) for iri in _iris(graphs)]

    def _checked_solutions(self, body: bytes) -> bytes:
        """SPARQL JSON results made safe to parse, or a refusal when they may be cut short.

        Virtuoso does not always flag an answer cut at its ResultSetMaxRows, so an answer
        with that many rows is refused rather than served short; and it names blank nodes
        ``nodeID://b123``, which is no valid blank node label, so labels are rewritten
        (consistently within the answer, as their identity only matters there).
        """
        try:
            document = json.loads(body)
        except ValueError as exc:
            raise RemoteError(f"the remote store sent malformed SPARQL JSON: {exc}") from None
        bindings = (document.get("results") or {}).get("bindings")
        if bindings is None:
            return body  # an ASK answer
        if self.max_rows is not None and len(bindings) >= self.max_rows:
            raise RemoteRefusal(
                f"the remote store returned {len(bindings)} rows, its row limit (ResultSetMaxRows): the answer may be "
                "cut short; "
                "add LIMIT/OFFSET to page through it"
            )
        for row in bindings:
            for term in row.values():
                if term.get("type") == "bnode":
                    term["value"] = _BNODE_UNSAFE.sub("_", term["value"])
        return json.dumps(document).encode("utf-8")


_BNODE_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def as_query_triples(triples: Iterable[ox.Triple]) -> ox.QueryTriples:
    """Triples as a genuine ``pyoxigraph.QueryTriples``, the type the embedded store's CONSTRUCT gives.

    pyoxigraph cannot build one from Python, so the triples go through a throw-away
    in-memory store and a CONSTRUCT that copies them; blank nodes bound to variables keep
    their identity, so their structure is preserved.
    """
    scratch = ox.Store()
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    return scratch.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")


def _iris(graphs: Any) -> list[str]:
    items = graphs if isinstance(graphs, (list, tuple)) else [graphs]
    out = []
    for item in items:
        if not isinstance(item, ox.NamedNode):
            raise ValueError(f"the remote store takes only IRIs as graph names, not {item}")
        out.append(item.value)
    return out
