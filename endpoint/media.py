"""Media types eulod speaks, as module constants, and content negotiation over them."""

from __future__ import annotations

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept

from eulod.core.namespaces import PREFIXES

# SELECT and ASK results: media type -> pyoxigraph format. The first entry is the default.
RESULTS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
}

# CONSTRUCT and DESCRIBE results, and Linked Data documents. The first entry is the default.
GRAPHS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}

# Short names for the ``format=`` parameter and for file extensions.
SHORT_NAMES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "rdf": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
    "html": "text/html",
    "rdf+xml": "application/rdf+xml",
    "n3": "text/turtle",  # Turtle is N3 too; SPARQLWrapper asks for N3 with format=n3
}

# Short names that mean one thing for SELECT/ASK and another for CONSTRUCT/DESCRIBE.
GRAPH_SHORT_NAMES: dict[str, str] = {
    "xml": "application/rdf+xml",
    "json": "application/ld+json",
}

HTML = "text/html"
# A resource IRI with one of these suffixes asks for that format, in place of content negotiation.
EXTENSIONS = {"ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples",
              "rdf": "application/rdf+xml", "html": HTML}


def negotiate(accept: MIMEAccept, offered: list[str], override: str | None = None) -> str | None:
    """The offered media type the client prefers, honouring q-values and wildcards.

    ``override`` is a ``format=`` value (a short name or a media type) that wins over
    Accept, for browsers that cannot set headers. None means nothing fits (406).
    """
    if override:
        name = override.lower()
        for wanted in (SHORT_NAMES.get(name, name), GRAPH_SHORT_NAMES.get(name, name)):
            if wanted in offered:
                return wanted
        return None
    if not accept or not list(accept.values()):
        return offered[0]
    # Media-type parameters (charset=utf-8, a JSON-LD profile) name nothing these answers vary by,
    # but Werkzeug matches them exactly: without them, "text/turtle; charset=utf-8" gets Turtle, not 406.
    return MIMEAccept([(value.split(";", 1)[0].strip(), quality) for value, quality in accept]).best_match(offered)


# Formats whose writers shorten IRIs with prefixes.
PREFIXED_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML)


def serialize_triples(triples, fmt: ox.RdfFormat, prefixes: dict[str, str] = PREFIXES) -> bytes:
    """The one RDF writer of the endpoint: pyoxigraph, with eulod's prefixes where a format has them."""
    if fmt in PREFIXED_FORMATS:
        return ox.serialize(triples, format=fmt, prefixes=prefixes)
    return ox.serialize(triples, format=fmt)


def serialize_graph(graph, media_type: str) -> bytes:
    """Serialise a small rdflib graph with pyoxigraph, so every route shares one set of writers."""
    triples = ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return serialize_triples(triples, GRAPHS[media_type])
