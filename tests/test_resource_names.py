"""Generic Linked Data pages name the terms they show, in the reader's language.

A summary node has no page of its own kind: its HTML is the generic triple table. The
names come from the vocabulary graph (ontology labels, authority-table country names) and,
for currencies, from CLDR, so each expected name is read here from those sources, not typed in.
"""

from __future__ import annotations

import html
from importlib import resources

import pyoxigraph as ox
import pytest
from babel.numbers import get_currency_name

from eulod.core.countries import label_triples
from eulod.core.namespaces import EULOD

SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ITALY = "http://publications.europa.eu/resource/authority/country/ITA"
EURO = "http://publications.europa.eu/resource/authority/currency/EUR"


def ontology_label(term: str, lang: str) -> str:
    text = resources.files("eulod.ontology").joinpath("eulod.ttl").read_bytes()
    graph = ox.Store()
    graph.load(text, ox.RdfFormat.TURTLE, base_iri="https://w3id.org/eulod/")
    return next(q.object.value for q in graph.quads_for_pattern(ox.NamedNode(str(EULOD[term])), ox.NamedNode(RDFS_LABEL), None)
                if q.object.language == lang)


def country_name(iri: str, lang: str) -> str:
    return next(t.object.value for t in label_triples()
                if t.subject.value == iri and t.predicate.value == SKOS_PREF and t.object.language == lang)


@pytest.mark.parametrize("lang", ["en", "it"])
def test_a_summary_page_names_its_terms_in_the_readers_language(client, lang):
    response = client.get(f"/summary/country-total/ITA/EUR?lang={lang}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert f">{ontology_label('totalFor', lang)}</a>" in page
    assert f">{country_name(ITALY, lang)}</a>" in page
    assert f'title="{ITALY}"' in page  # the IRI stays at hand
    assert f">{get_currency_name('EUR', locale=lang)}</a>" in page  # no table names currencies: CLDR does
    assert f'title="{EURO}"' in page
    assert "Accept-Language" in response.headers["Vary"]


def test_each_language_has_its_own_etag(client):
    tags = {client.get(f"/summary/country-total/ITA/EUR?lang={lang}", headers={"Accept": "text/html"}).headers["ETag"]
            for lang in ("en", "it")}
    assert len(tags) == 2


def test_a_term_nobody_names_stays_an_iri(app):
    from eulod.endpoint.resources import term_names

    unknown = ox.NamedNode("http://example.org/vocabulary/unknown")
    money = ox.NamedNode("http://publications.europa.eu/resource/authority/currency/XQZ")  # no such currency
    triples = [ox.Triple(ox.NamedNode("http://example.org/s"), unknown, money),
               ox.Triple(ox.NamedNode("http://example.org/s"), ox.NamedNode(str(EULOD["totalFor"])), ox.NamedNode(ITALY))]
    with app.test_request_context("/"):
        names = term_names(triples, "en")
    assert unknown.value not in names and money.value not in names
    assert names[ITALY] == country_name(ITALY, "en")
