"""Records to RDF: what the mapping emits for the curated records (docs/mapping.md)."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from conftest import RECORDS
from eulod.converters.rdf import MappingOptions, RecordMapper, preferred_labels
from eulod.converters.records import load_records
from eulod.core.namespaces import COUNTRY, CURRENCY, EULOD, PROGRAMME, ROLE, VCARD

BASE = "http://data.example.org/"
WHEN = datetime(2026, 1, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def records():
    return {r.id: r for r in load_records([RECORDS]).records}


def graph_of(record, personal_data="publish"):
    return RecordMapper(MappingOptions(BASE, personal_data, WHEN)).graph(record)


def amount(graph, owner, predicate):
    node = graph.value(owner, predicate)
    return graph.value(node, EULOD.amount).toPython(), graph.value(node, EULOD.rate)


def test_project_core_fields(records):
    graph = graph_of(records["cities-at-heart"])
    project = URIRef(BASE + "project/cities-at-heart")
    assert (project, RDF.type, EULOD.Project) in graph
    assert graph.value(project, EULOD.startDate) == Literal("2023-06-01", datatype=XSD.date)
    assert graph.value(project, EULOD.durationMonths) == Literal(30)
    assert graph.value(project, EULOD.programme) == PROGRAMME["URBACT-IV"]
    assert amount(graph, project, EULOD.totalCost) == (Decimal("841061.50"), None)
    assert graph.value(graph.value(project, EULOD.totalCost), EULOD.currency) == CURRENCY.EUR
    assert graph.value(project, DCTERMS.title).language == "en"


def test_month_precision_dates_are_not_given_a_day(records):
    graph = graph_of(records["amif-820885-volunteering"])
    start = graph.value(URIRef(BASE + "project/amif-820885-volunteering"), EULOD.startDate)
    assert start == Literal("2019-02", datatype=XSD.gYearMonth)


def test_partner_money_and_stated_rate(records):
    graph = graph_of(records["amif-820885-volunteering"])
    cesena = URIRef(BASE + "project/amif-820885-volunteering/participation/cesena-municipality")
    value, rate = amount(graph, cesena, EULOD.euContribution)
    assert value == Decimal("20458.94")
    assert rate.toPython() == Decimal("80")
    assert graph.value(cesena, EULOD.role) == ROLE.partner


def test_corrected_country_keeps_what_the_source_said(records):
    graph = graph_of(records["cities-at-heart"])
    celje = URIRef(BASE + "project/cities-at-heart/participation/celje-municipality")
    org = graph.value(celje, EULOD.organisation)
    assert graph.value(org, EULOD.country) == COUNTRY.SVN
    assert str(graph.value(celje, EULOD.statedCountry)) == "SL"


def test_exactly_one_coordinator_where_the_source_names_one(records):
    graph = graph_of(records["conet"])
    roles = [graph.value(p, EULOD.role) for p in graph.objects(URIRef(BASE + "project/conet"), EULOD.hasParticipation)]
    assert roles.count(ROLE.coordinator) == 1
    assert len(roles) == 12


def test_no_blank_nodes(records):
    for record in records.values():
        graph = graph_of(record)
        assert not any(isinstance(term, BNode) for triple in graph for term in triple), record.id


@pytest.mark.parametrize(
    ("mode", "names", "contacts"), [("publish", True, 2), ("role-only", False, 2), ("omit", False, 0)]
)
def test_personal_data_setting(records, mode, names, contacts):
    graph = graph_of(records["cities-at-heart"], mode)
    points = list(graph.subjects(RDF.type, EULOD.ContactPoint))
    assert len(points) == contacts
    assert any(graph.triples((None, VCARD.fn, None))) is names
    assert any(graph.triples((None, VCARD.hasEmail, None))) is names
    if mode == "role-only":
        assert all(graph.value(p, VCARD.role) is not None for p in points)


def test_one_organisation_iri_across_records_with_one_preferred_label_per_language(records):
    graphs = [graph_of(r) for r in records.values()]
    cesena = URIRef(BASE + "organisation/cesena-municipality")
    using = [g for g in graphs if (cesena, RDF.type, EULOD.Organisation) in g]
    assert len(using) >= 3
    labels = preferred_labels(graphs)
    languages = [label.language for label in labels.objects(cesena, SKOS.prefLabel)]
    assert sorted(languages) == sorted(set(languages))
    names = {str(label) for g in using for label in g.objects(cesena, SKOS.altLabel)}
    assert {"Municipality of Cesena", "City of Cesena"} <= names


def test_provenance_names_the_source_and_version(records):
    graph = graph_of(records["conet"])
    record = URIRef(BASE + "record/conet")
    assert graph.value(URIRef(BASE + "project/conet"), URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")) == record
    source = graph.value(record, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
    assert str(source).endswith("004_fd8f106ac58b7d0c.txt")
    assert graph.value(record, EULOD.converterVersion) is not None


@pytest.mark.parametrize("name, slug", [
    ("Métropole du Grand Paris", "metropole-du-grand-paris"),
    ("Uniwersytet Wrocławski", "uniwersytet-wroclawski"),  # ł has no accent to strip
    ("Technische Universität München – Straße", "technische-universitat-munchen-strasse"),
    ("Δήμος Αθηναίων", "dimos-athinaion"),  # Greek and Cyrillic names still get an id
    ("Община Силистра", "obshtina-silistra"),
    # Bulgarian letters as its Transliteration Act writes them, not as Russian: ъ a, щ sht, х h, ь y
    ("Сдружение „Приятели на Сребърна“", "sdruzhenie-priyateli-na-srebarna"),
    ("Търговище", "targovishte"),
    ("Христо Ботев", "hristo-botev"),
    ("Фондация „Мисия Криле“", "fondatsiya-misiya-krile"),
    ("Aarhus Ø", "aarhus-o"),
    # Greek digraphs as ELOT 743 writes them: ου is ou; αυ, ευ before a voiceless consonant af, ef, else av, ev
    ("Περιφέρεια Νοτίου Αιγαίου", "perifereia-notiou-aigaiou"),
    ("Περιφερειακή Διεύθυνση Πυρασφάλειας", "perifereiaki-diefthynsi-pyrasfaleias"),
    ("Κέντρο Έρευνας και Τεχνολογίας", "kentro-erevnas-kai-technologias"),
    ("ΑΥΤΟΚΙΝΗΤΟΔΡΟΜΟΣ", "aftokinitodromos"),
    ("Ευρωπαϊκή Ένωση", "evropaiki-enosi"),
])
def test_slugs_transliterate_letters_of_every_eu_alphabet(name, slug):
    from eulod.core.iris import slugify

    assert slugify(name) == slug
