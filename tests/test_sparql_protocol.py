"""SPARQL 1.1 Protocol, query operation, against the live server (names follow the W3C protocol tests)."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

pytestmark = pytest.mark.server

PREFIX = "PREFIX eulod: <https://w3id.org/eulod/ontology#>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"
COUNT = PREFIX + "SELECT (COUNT(?p) AS ?n) WHERE { ?p a eulod:Project }"
DATA_GRAPH = "http://127.0.0.1:5000/graph/projects"
VOCABULARY_GRAPH = "http://127.0.0.1:5000/graph/vocabulary"
SD = "http://www.w3.org/ns/sparql-service-description#"


def fetch(url, data=None, headers=None, method=None):
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def get(server, query, accept="application/sparql-results+json", **params):
    pairs = [("query", query)] + [(k.replace("_", "-"), v) for k, vs in params.items() for v in vs]
    return fetch(server.url + "/sparql?" + urllib.parse.urlencode(pairs), headers={"Accept": accept})


def count(body: bytes) -> int:
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_query_get(live_server):
    status, headers, body = get(live_server, COUNT)
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+json")
    assert count(body) == 5
    assert "Accept" in headers["Vary"]


def test_query_post_form(live_server):
    status, _, body = fetch(live_server.url + "/sparql", urllib.parse.urlencode({"query": COUNT}).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and count(body) == 5


def test_query_post_direct(live_server):
    status, _, body = fetch(live_server.url + "/sparql", COUNT.encode(), {"Content-Type": "application/sparql-query"})
    assert status == 200 and count(body) == 5


def test_query_dataset_default_graphs_get(live_server):
    assert count(get(live_server, COUNT, default_graph_uri=[DATA_GRAPH])[2]) == 5
    assert count(get(live_server, COUNT, default_graph_uri=[VOCABULARY_GRAPH])[2]) == 0


def test_query_dataset_default_graphs_post(live_server):
    form = urllib.parse.urlencode([("query", COUNT), ("default-graph-uri", VOCABULARY_GRAPH)]).encode()
    status, _, body = fetch(live_server.url + "/sparql", form, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and count(body) == 0


NAMED = PREFIX + "SELECT (COUNT(?p) AS ?n) WHERE { GRAPH ?g { ?p a eulod:Project } }"


def test_query_dataset_named_graphs_get(live_server):
    assert count(get(live_server, NAMED, named_graph_uri=[DATA_GRAPH])[2]) == 5
    assert count(get(live_server, NAMED, named_graph_uri=[VOCABULARY_GRAPH])[2]) == 0


def test_query_dataset_named_graphs_post(live_server):
    url = live_server.url + "/sparql?" + urllib.parse.urlencode({"named-graph-uri": DATA_GRAPH})
    status, _, body = fetch(url, NAMED.encode(), {"Content-Type": "application/sparql-query"})
    assert status == 200 and count(body) == 5


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "application/sparql-results+xml", "application/sparql-results+xml"),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "text/csv;q=0.9, text/tab-separated-values", "text/tab-separated-values"),
        ("ASK { ?s ?p ?o }", "application/sparql-results+json", "application/sparql-results+json"),
        ("DESCRIBE <http://127.0.0.1:5000/project/conet>", "application/rdf+xml", "application/rdf+xml"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3", "text/turtle;q=0.5, application/ld+json", "application/ld+json"),
    ],
    ids=["select", "select_q_values", "ask", "describe", "construct"],
)
def test_query_content_type(live_server, query, accept, expected):
    status, headers, body = get(live_server, query, accept)
    assert status == 200
    assert headers["Content-Type"].split(";")[0] == expected
    assert body


def test_format_parameter_overrides_accept(live_server):
    status, headers, _ = get(live_server, COUNT, "application/sparql-results+json", format=["csv"])
    assert status == 200 and headers["Content-Type"].startswith("text/csv")


def test_nothing_acceptable_is_406(live_server):
    status, headers, body = get(live_server, COUNT, "image/png")
    assert status == 406 and b"application/sparql-results+json" in body and "Accept" in headers["Vary"]


def test_bad_query_method(live_server):
    assert fetch(live_server.url + "/sparql?" + urllib.parse.urlencode({"query": COUNT}), method="PUT")[0] == 405


def test_bad_multiple_queries(live_server):
    url = live_server.url + "/sparql?" + urllib.parse.urlencode([("query", COUNT), ("query", "ASK {}")])
    status, _, body = fetch(url)
    assert status == 400 and b"more than one" in body


def test_bad_query_wrong_media_type(live_server):
    status, _, body = fetch(live_server.url + "/sparql", COUNT.encode(), {"Content-Type": "text/plain"})
    assert status == 415 and b"application/sparql-query" in body


def test_bad_query_missing_form_type(live_server):
    status, _, _ = fetch(live_server.url + "/sparql", b"query=ASK%20%7B%7D", {"Content-Type": ""})
    assert 400 <= status < 500


def test_bad_query_non_utf8(live_server):
    status, _, body = fetch(live_server.url + "/sparql", "ASK { ?s ?p 'é' }".encode("latin-1"),
                            {"Content-Type": "application/sparql-query"})
    assert status == 400 and b"UTF-8" in body


def test_bad_query_syntax(live_server):
    status, _, body = get(live_server, "SELECT ?x WHERE { ?x ?y }")
    assert status == 400
    assert body.startswith(b"malformed query") and b"1:" in body  # the parser's message with its position
    assert b"Traceback" not in body


def test_bad_update_get(live_server):
    url = live_server.url + "/sparql?" + urllib.parse.urlencode({"update": "CLEAR ALL"})
    status, _, body = fetch(url)
    assert status == 403 and b"read-only" in body


def test_service_description_returns_rdf(live_server):
    for accept in ("text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples"):
        status, headers, body = fetch(live_server.url + "/sparql", headers={"Accept": accept})
        assert status == 200 and headers["Content-Type"].startswith(accept)
        assert len(list(ox.parse(body, format=ox.RdfFormat.from_media_type(accept)))) > 10


def test_service_description_has_endpoint_triple_and_void(live_server, sample_settings):
    """The endpoint is named by the configured base IRI, whatever Host the request carried (a client's
    Host header must not reach an answer a shared cache keeps; the blind attack set)."""
    answer = fetch(live_server.url + "/sparql", headers={"Accept": "text/turtle", "Host": "evil.example"})[2]
    graph = Graph().parse(data=answer, format="turtle")
    assert b"evil.example" not in answer
    endpoint = URIRef(sample_settings.base_iri + "sparql")
    assert (endpoint, URIRef(SD + "endpoint"), endpoint) in graph
    assert (endpoint, URIRef(SD + "supportedLanguage"), URIRef(SD + "SPARQL11Query")) in graph
    dataset = next(graph.subjects(URIRef("http://rdfs.org/ns/void#sparqlEndpoint"), endpoint))
    assert (None, URIRef("http://purl.org/dc/terms/source"), dataset) in graph  # SD links the VoID dataset


def test_browser_without_query_gets_the_editor(live_server):
    status, headers, body = fetch(live_server.url + "/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"yasgui" in body


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_in_every_results_format(live_server, fmt, method):
    sparql = SPARQLWrapper(live_server.url + "/sparql")
    sparql.setReturnFormat(fmt)
    sparql.setMethod(method)
    sparql.setQuery(PREFIX + "SELECT ?p WHERE { ?p a eulod:Project } ORDER BY ?p")
    result = sparql.queryAndConvert()
    if fmt == JSON:
        assert len(result["results"]["bindings"]) == 5
    elif fmt == XML:
        assert len(result.getElementsByTagName("result")) == 5
    else:
        assert len(result.decode("utf-8").strip().splitlines()) == 6


@pytest.mark.parametrize("fmt", [TURTLE, RDFXML, JSONLD, N3])
def test_sparqlwrapper_construct_in_every_graph_format(live_server, fmt):
    sparql = SPARQLWrapper(live_server.url + "/sparql")
    sparql.setReturnFormat(fmt)
    sparql.setQuery(PREFIX + "CONSTRUCT { ?p dcterms:title ?t } WHERE { ?p a eulod:Project ; dcterms:title ?t }")
    response = sparql.query().response  # parsed with pyoxigraph: rdflib's JSON-LD/RDF-XML paths warn
    media_type = response.headers["Content-Type"].split(";")[0]
    triples = list(ox.parse(response.read(), format=ox.RdfFormat.from_media_type(media_type)))
    assert len({t.subject for t in triples}) == 5


def test_curl_get_and_post(live_server):
    got = subprocess.run(["curl", "-sS", "-G", live_server.url + "/sparql", "-H", "Accept: text/csv",
                          "--data-urlencode", "query=" + COUNT], capture_output=True, text=True, timeout=20)
    assert got.stdout.strip().splitlines() == ["n", "5"]
    posted = subprocess.run(["curl", "-sS", "-w", "%{http_code}", "-o", "/dev/null", live_server.url + "/sparql",
                             "-H", "Content-Type: application/sparql-query", "--data-binary", "SELECT ?x WHERE {"],
                            capture_output=True, text=True, timeout=20)
    assert posted.stdout == "400"
