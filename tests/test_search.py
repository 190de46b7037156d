"""Full-text search (eulod.core.search): the index the build writes, and where people use it.

The index is checked directly (accents, case, stems, ranking, language filter, a store
without the file), then through a real server: the JSON API, the home page's search box
with the filters, and the eulod:search function inside SPARQL queries.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from eulod.core import search
from eulod.core.generation import current_generation

EULOD = "https://w3id.org/eulod/ontology#"


def index(sample_settings) -> sqlite3.Connection:
    generation = current_generation(sample_settings.build_dir)
    assert generation is not None and generation.search_path.is_file(), "the build writes search.sqlite"
    return sqlite3.connect(f"{generation.search_path.as_uri()}?mode=ro", uri=True)


def found(db: sqlite3.Connection, text: str, **options) -> list[str]:
    asked = search.question(text, search.languages(db), **options)
    return [iri.rsplit("/", 2)[-2] + "/" + iri.rsplit("/", 1)[-1] for iri, _, _ in search.ranked(db, asked)]


def test_accents_case_and_stems(sample_build, sample_settings) -> None:
    db = index(sample_settings)
    assert "organisation/malmo-municipality" in found(db, "MALMO")  # "Città di Malmö"
    assert "organisation/berlin-municipality" in found(db, "citta di berlino")
    # Romanian stems: "regenerare" is written in co4cities' description as "regenerarea"
    assert "project/co4cities" in found(db, "regenerare")
    # English stems: the title says "Regeneration"
    assert "project/co4cities" in found(db, "regenerating")
    assert found(db, "zzzyzzy") == []
    assert found(db, '"; DROP TABLE doc; --') == []  # any text is a question, never FTS syntax


def test_ranking_kind_and_language(sample_build, sample_settings) -> None:
    db = index(sample_settings)
    hits = found(db, "Cesena")
    assert hits[0] == "organisation/cesena-municipality"  # named so: ahead of the projects it takes part in
    assert set(found(db, "Cesena", kind="project")) >= {"project/cities-at-heart", "project/citta-attrattive-e-partecipate"}
    assert all(hit.startswith("project/") for hit in found(db, "Cesena", kind="project"))
    assert found(db, "Cesena", kind="project", lang="ro") == []  # no Romanian text mentions Cesena
    assert "project/co4cities" in found(db, "Torino", lang="ro")


def test_index_written_from_any_store_is_the_same(sample_build, sample_settings, tmp_path: Path) -> None:
    generation = current_generation(sample_settings.build_dir)
    store = ox.Store.read_only(str(generation.store_path))
    target = tmp_path / "search.sqlite"
    count = search.write_search(store, target, generation.id)
    built = index(sample_settings)
    again = sqlite3.connect(target)
    assert count == built.execute("SELECT COUNT(*) FROM entity").fetchone()[0]
    assert again.execute("SELECT iri, labels, names FROM entity ORDER BY id").fetchall() == \
        built.execute("SELECT iri, labels, names FROM entity ORDER BY id").fetchall()


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, Any, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def test_search_api(live_server, sample_settings) -> None:
    status, headers, body = get(live_server.url + "/api/search?q=cesena&type=project&limit=2")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert headers["Access-Control-Allow-Origin"] == "*"
    answer = json.loads(body)
    assert answer["total"] == 3 and len(answer["results"]) == 2
    assert all(r["type"] == "project" and r["score"] > 0 and r["label"] for r in answer["results"])
    status, _, _ = get(live_server.url + "/api/search?q=cesena&type=project&limit=2", {"If-None-Match": headers["ETag"]})
    assert status == 304
    _, _, body = get(live_server.url + "/api/search?q=cesena&type=project&limit=2&offset=2")
    assert len(json.loads(body)["results"]) == 1
    for bad in ("q=", "q=x&limit=0", "q=x&limit=101", "q=x&type=person", "q=x&lang=%3Cb%3E", "q=x&offset=-1"):
        status, _, body = get(live_server.url + "/api/search?" + bad)
        assert status == 400, bad
        assert "error" in json.loads(body)


def test_home_page_search_box_with_filters(live_server, sample_settings) -> None:
    _, _, page = get(live_server.url + "/?" + urllib.parse.urlencode({"q": "Cesena"}))
    text = page.decode("utf-8")
    assert 'name="q"' in text and 'value="Cesena"' in text
    assert "/project/cities-at-heart" in text and "/project/co4cities" not in text
    _, _, page = get(live_server.url + "/?" + urllib.parse.urlencode({"q": "Cesena", "country": "ROU"}))
    text = page.decode("utf-8")
    assert "/project/cities-at-heart" not in text  # no Romanian partner
    _, _, page = get(live_server.url + "/?" + urllib.parse.urlencode({"q": "Cesena", "country": "ESP"}))
    assert "/project/cities-at-heart" in page.decode("utf-8")  # Granada takes part
    _, _, page = get(live_server.url + "/?" + urllib.parse.urlencode({"q": "zzzyzzy"}))
    assert "/project/" not in page.decode("utf-8").split('id="shown"', 1)[1].split("</main>", 1)[0]


def sparql(live_server, query: str) -> dict:
    status, _, body = get(live_server.url + "/sparql?" + urllib.parse.urlencode({"query": query}),
                          {"Accept": "application/sparql-results+json"})
    assert status == 200, body
    return json.loads(body)


def test_search_function_in_sparql(live_server, sample_settings) -> None:
    answer = sparql(live_server, f"""
        PREFIX eulod: <{EULOD}>
        SELECT ?project ?score WHERE {{
          ?project a eulod:Project ; eulod:hasParticipation/eulod:organisation ?organisation .
          ?organisation eulod:country <http://publications.europa.eu/resource/authority/country/ROU> .
          BIND(eulod:search(?project, "regeneration") AS ?score)
          FILTER(BOUND(?score))
        }} ORDER BY DESC(?score)""")
    projects = {b["project"]["value"] for b in answer["results"]["bindings"]}
    assert projects == {f"{sample_settings.base_iri}project/co4cities"}
    score = answer["results"]["bindings"][0]["score"]
    assert score["datatype"] == "http://www.w3.org/2001/XMLSchema#double" and float(score["value"]) > 0
    answer = sparql(live_server, f"""
        PREFIX eulod: <{EULOD}>
        SELECT (COUNT(*) AS ?n) WHERE {{ ?p a eulod:Project FILTER(eulod:search(?p, "Cesena", "it")) }}""")
    assert answer["results"]["bindings"][0]["n"]["value"] == "1"  # only one project says Cesena in Italian


def test_service_description_names_the_function(live_server) -> None:
    _, _, body = get(live_server.url + "/sparql", {"Accept": "text/turtle"})
    graph = ox.Store()
    graph.load(body, format=ox.RdfFormat.TURTLE, base_iri=live_server.url + "/sparql")
    assert graph.query(f"""ASK {{ ?service <http://www.w3.org/ns/sparql-service-description#extensionFunction>
                                   <{EULOD}search> }}""")
