"""The real server on 127.0.0.1, asked by real clients (SPARQLWrapper, urllib) over HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
import yaml
from rdflib import Graph, URIRef
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper

from conftest import RECORDS

PREFIX = "PREFIX eulod: <https://w3id.org/eulod/ontology#>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"
TITLES = PREFIX + "SELECT ?project ?title WHERE { ?project a eulod:Project ; dcterms:title ?title }"


def expected_titles() -> set[str]:
    """The titles of the curated records, read from the records themselves."""
    titles = set()
    for path in RECORDS.glob("*.yaml"):
        title = yaml.safe_load(path.read_text("utf-8"))["title"]
        titles.update(title.values() if isinstance(title, dict) else [title])
    return titles


def client(server, fmt=JSON, method="GET") -> SPARQLWrapper:
    sparql = SPARQLWrapper(server.url + "/sparql")
    sparql.setReturnFormat(fmt)
    sparql.setMethod(method)
    return sparql


@pytest.mark.server
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_five_projects_and_their_titles(live_server, method):
    sparql = client(live_server, method=method)
    sparql.setQuery(TITLES)
    rows = sparql.queryAndConvert()["results"]["bindings"]
    assert len({row["project"]["value"] for row in rows}) == 5
    assert {row["title"]["value"] for row in rows} == expected_titles()


@pytest.mark.server
def test_count_of_projects_as_xml(live_server):
    sparql = client(live_server, XML)
    sparql.setQuery(PREFIX + "SELECT (COUNT(?p) AS ?n) WHERE { ?p a eulod:Project }")
    document = sparql.queryAndConvert()
    values = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert values == ["5"]


@pytest.mark.server
@pytest.mark.parametrize(("fmt", "separator"), [(CSV, ","), (TSV, "\t")])
def test_tabular_results(live_server, fmt, separator):
    sparql = client(live_server, fmt)
    sparql.setQuery(PREFIX + "SELECT ?p WHERE { ?p a eulod:Project } ORDER BY ?p")
    text = sparql.queryAndConvert().decode("utf-8")
    lines = text.strip().splitlines()
    assert len(lines) == 6
    assert lines[0].strip() in ("p", "?p")


@pytest.mark.server
def test_construct_as_turtle(live_server):
    sparql = client(live_server, TURTLE)
    sparql.setQuery(PREFIX + "CONSTRUCT { ?p dcterms:title ?t } WHERE { ?p a eulod:Project ; dcterms:title ?t }")
    graph = Graph().parse(data=sparql.queryAndConvert(), format="turtle")
    assert {str(o) for o in graph.objects()} == expected_titles()


@pytest.mark.server
def test_ask(live_server):
    sparql = client(live_server)
    sparql.setQuery(PREFIX + "ASK { ?p a eulod:Project }")
    assert sparql.queryAndConvert()["boolean"] is True


def fetch(url: str, accept: str | None = None, data: bytes | None = None, content_type: str | None = None):
    request = urllib.request.Request(url, data=data)
    if accept:
        request.add_header("Accept", accept)
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


@pytest.mark.server
def test_project_iri_dereferences_to_its_triples(live_server):
    status, headers, body = fetch(live_server.url + "/project/conet", "text/turtle")
    assert status == 200
    assert headers["Content-Type"].startswith("text/turtle")
    assert "Accept" in headers["Vary"]
    graph = Graph().parse(data=body, format="turtle")
    project = URIRef("http://127.0.0.1:5000/project/conet")
    assert len(list(graph.predicate_objects(project))) > 10
    assert len(set(graph.subjects())) >= 2  # the project and the parts it owns


@pytest.mark.server
def test_unknown_iri_is_404(live_server):
    assert fetch(live_server.url + "/project/no-such-project", "text/turtle")[0] == 404


@pytest.mark.server
def test_post_direct_query(live_server):
    status, headers, body = fetch(
        live_server.url + "/sparql",
        "application/sparql-results+json",
        (PREFIX + "SELECT (COUNT(?p) AS ?n) WHERE { ?p a eulod:Project }").encode(),
        "application/sparql-query",
    )
    assert status == 200
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "5"


@pytest.mark.server
def test_malformed_query_is_400_with_the_parser_message(live_server):
    query = urllib.parse.quote("SELECT ?x WHERE { ?x ?y }")
    status, _, body = fetch(live_server.url + "/sparql?query=" + query)
    assert status == 400
    assert b"malformed query" in body
    assert b"Traceback" not in body


@pytest.mark.server
def test_updates_are_refused(live_server):
    update = b"update=" + urllib.parse.quote_plus("INSERT DATA { <urn:a> <urn:b> <urn:c> }").encode()
    status, _, body = fetch(live_server.url + "/sparql", data=update, content_type="application/x-www-form-urlencoded")
    assert status == 403
    assert b"read-only" in body
    sparql = client(live_server)
    sparql.setQuery("ASK { <urn:a> <urn:b> <urn:c> }")
    assert sparql.queryAndConvert()["boolean"] is False


@pytest.mark.server
def test_service_description_without_a_query(live_server, sample_settings):
    status, headers, body = fetch(live_server.url + "/sparql", "text/turtle")
    assert status == 200
    graph = Graph().parse(data=body, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = URIRef(sample_settings.base_iri + "sparql")  # the configured base IRI, not the Host asked
    assert (endpoint, URIRef(sd + "endpoint"), endpoint) in graph
