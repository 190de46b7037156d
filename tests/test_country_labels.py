"""Country names in the vocabulary graph: every in-use country of the EU authority table with its
preferred name in the EU languages and its ISO codes, so the example queries and pages can name
a country. Expectations are read from the table file itself (data/vocab/countries-skos.rdf)."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from functools import cache

import pytest

import pyoxigraph as ox

from conftest import DATA
from eulod.core.generation import vocabulary_graph_iri
from eulod.core.countries import EU_LANGUAGES
from eulod.core.generation import current_generation

SKOS = "http://www.w3.org/2004/02/skos/core#"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
EUVOC = "http://publications.europa.eu/ontology/euvoc#"


@cache
def table() -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=str(DATA / "vocab" / "countries-skos.rdf"), format=ox.RdfFormat.RDF_XML, lenient=True)
    return store


@cache
def in_use() -> frozenset[str]:
    """The table's country concepts with both ISO 3166 codes and no end of use."""
    query = f"""PREFIX skos: <{SKOS}>
        SELECT ?c WHERE {{
          ?c skos:inScheme <http://publications.europa.eu/resource/authority/country> ; skos:notation ?n , ?m .
          FILTER(DATATYPE(?n) = <{EUVOC}ISO_3166_1_ALPHA_2> && DATATYPE(?m) = <{EUVOC}ISO_3166_1_ALPHA_3>)
          FILTER NOT EXISTS {{ ?c <http://publications.europa.eu/ontology/authority/end.use> ?end }}
        }}"""
    return frozenset(row["c"].value for row in table().query(query))


def vocabulary_quads(settings) -> list[ox.Quad]:
    store = ox.Store.read_only(str(current_generation(settings.build_dir).store_path))
    graph = ox.NamedNode(vocabulary_graph_iri(settings))
    return [q for q in store.quads_for_pattern(None, None, None, graph) if q.subject.value.startswith(COUNTRY)]


def test_the_vocabulary_graph_names_each_in_use_country_as_the_table_does(sample_build, sample_settings):
    quads = vocabulary_quads(sample_settings)
    assert {q.subject.value for q in quads} == in_use()
    assert {q.predicate.value for q in quads} == {SKOS + "prefLabel", SKOS + "notation"}
    loaded = {(q.subject.value, q.object.language, q.object.value) for q in quads if q.predicate.value == SKOS + "prefLabel"}
    expected = {
        (row["c"].value, row["l"].language, row["l"].value)
        for row in table().query(f"SELECT ?c ?l WHERE {{ ?c <{SKOS}prefLabel> ?l }}")
        if row["c"].value in in_use() and row["l"].language in EU_LANGUAGES
    }
    assert loaded == expected
    assert (COUNTRY + "ITA", "en", "Italy") in loaded and (COUNTRY + "ITA", "it", "Italia") in loaded
    codes = {(q.subject.value, q.object.datatype.value, q.object.value) for q in quads if q.predicate.value == SKOS + "notation"}
    assert {(COUNTRY + "GRC", EUVOC + "ISO_3166_1_ALPHA_2", "GR"), (COUNTRY + "GRC", EUVOC + "ISO_3166_1_ALPHA_3", "GRC")} <= codes
    assert len(codes) == 2 * len(in_use())


def test_the_funding_per_country_example_names_italy(live_server):
    query = (DATA / "queries" / "eu-funding-per-country.rq").read_text("utf-8")
    request = urllib.request.Request(
        live_server.url + "/sparql?" + urllib.parse.urlencode({"query": query}),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        rows = json.load(response)["results"]["bindings"]
    italy = [row for row in rows if row["country"]["value"] == COUNTRY + "ITA"]
    english = {row["l"].value for row in table().query(
        f'SELECT ?l WHERE {{ <{COUNTRY}ITA> <{SKOS}prefLabel> ?l FILTER(LANG(?l) = "en") }}')}
    assert italy and {row["name"]["value"] for row in italy} == english and all(english)
    named = [row for row in rows if row.get("name", {}).get("value")]
    assert len(named) == len(rows)  # every country in the answer has its English name


@pytest.mark.parametrize("lang", ["en", "it"])
def test_pages_and_catalogue_name_countries_as_the_authority_table_does(lang):
    """Pages, the catalogue and the vocabulary graph give one name per country and language:
    the EU table's (CLDR, through Babel, says 'Bosnia & Herzegovina' where the table says 'and')."""
    from eulod.endpoint.catalogue import country_labels
    from eulod.endpoint.pages.facts import country

    bosnia = COUNTRY + "BIH"
    stated = {row["l"].language: row["l"].value
              for row in table().query(f"SELECT ?l WHERE {{ <{bosnia}> <{SKOS}prefLabel> ?l }}")
              if row["l"].language in EU_LANGUAGES}
    assert country(bosnia, lang)["name"] == stated[lang]
    assert country_labels(bosnia) == stated and len(stated) == len(EU_LANGUAGES)
    assert country("http://example.org/elsewhere", lang) is None
