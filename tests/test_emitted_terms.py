"""Every term the converters emit is declared somewhere a reader can look it up.

The list of terms is not kept by hand: every sample record in data/records is converted with
RecordMapper (personal data published, so contact names and e-mails are emitted too) plus the
build's preferred_labels graph, and whatever comes out is checked:

- eulod: predicates and classes are declared in ontology/eulod.ttl;
- code-list IRIs (https://w3id.org/eulod/code/...) are concepts of the code lists;
- every other predicate and class is declared in the vocabulary excerpts under
  tests/data/vocabularies/ (each names the source it was read from).

It also checks that provenance (which record, when, by which eulod version) is emitted as the
ontology models it with PROV-O.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

from conftest import code_lists, ontology
from eulod import __version__
from eulod.converters.rdf import MappingOptions, RecordMapper, preferred_labels
from eulod.converters.records import load_records
from eulod.core.namespaces import CODE, EULOD

ROOT = Path(__file__).resolve().parent.parent
RECORDS = ROOT / "data" / "records"
ONTOLOGY = ROOT / "ontology"
VOCABULARIES = Path(__file__).resolve().parent / "data" / "vocabularies"
BASE = "http://example.org/eulod-test/"
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)

CLASS_TYPES = {OWL.Class, RDFS.Class}
PROPERTY_TYPES = {RDF.Property, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}


@cache
def emitted() -> Graph:
    """All sample records converted as the build converts them, in one graph."""
    loaded = load_records([RECORDS])
    assert not loaded.problems, "\n".join(map(str, loaded.problems))
    mapper = RecordMapper(MappingOptions(BASE, personal_data="publish", generated_at=WHEN))
    graphs = [mapper.graph(record) for record in loaded.records]
    assert graphs, "no sample records"
    out = Graph()
    for graph in [*graphs, preferred_labels(graphs)]:
        out += graph
    return out


@cache
def excerpts() -> Graph:
    graph = Graph()
    for path in sorted(VOCABULARIES.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def emitted_predicates() -> set[URIRef]:
    return set(emitted().predicates())


def emitted_classes() -> set[URIRef]:
    return {o for o in emitted().objects(None, RDF.type) if isinstance(o, URIRef)}


def is_eulod(term: URIRef) -> bool:
    return str(term).startswith(str(EULOD))


def code_iris() -> set[URIRef]:
    return {
        node
        for s, p, o in emitted()
        for node in (s, p, o)
        if isinstance(node, URIRef) and str(node).startswith(str(CODE))
    }


def short(term: URIRef) -> str:
    return str(term).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


# ---------------------------------------------------------------------------------------------
# The harvest itself covers the whole mapping
# ---------------------------------------------------------------------------------------------


def test_the_conversion_emits_a_broad_set_of_terms():
    # guards against an empty or truncated harvest, which would make every test below vacuous
    predicates = emitted_predicates()
    assert len([p for p in predicates if is_eulod(p)]) >= 25
    assert len([p for p in predicates if not is_eulod(p)]) >= 10
    assert {EULOD.Project, EULOD.Organisation, EULOD.Participation, EULOD.SourceRecord} <= emitted_classes()
    assert len(code_iris()) >= 10


# ---------------------------------------------------------------------------------------------
# eulod terms
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("predicate", sorted(p for p in emitted_predicates() if is_eulod(p)), ids=short)
def test_every_emitted_eulod_predicate_is_a_declared_property(predicate: URIRef):
    kinds = set(ontology().objects(predicate, RDF.type)) & {OWL.ObjectProperty, OWL.DatatypeProperty}
    assert len(kinds) == 1, f"{predicate} is emitted but not declared as one kind of property in eulod.ttl"


@pytest.mark.parametrize("cls", sorted(c for c in emitted_classes() if is_eulod(c)), ids=short)
def test_every_emitted_eulod_class_is_declared(cls: URIRef):
    assert (cls, RDF.type, OWL.Class) in ontology(), f"{cls} is emitted but not an owl:Class in eulod.ttl"


def test_object_and_datatype_properties_are_used_as_declared():
    """An owl:ObjectProperty never gets a literal, an owl:DatatypeProperty never an IRI."""
    g, problems = ontology(), []
    for s, p, o in emitted():
        if not is_eulod(p):
            continue
        if (p, RDF.type, OWL.ObjectProperty) in g and isinstance(o, Literal):
            problems.append(f"{p} is an object property but has the literal {o!r}")
        if (p, RDF.type, OWL.DatatypeProperty) in g and not isinstance(o, Literal):
            problems.append(f"{p} is a datatype property but points to {o}")
    assert problems == []


# ---------------------------------------------------------------------------------------------
# Code lists
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("iri", sorted(code_iris()), ids=lambda i: str(i)[len(str(CODE)):])
def test_every_code_list_iri_used_is_a_concept(iri: URIRef):
    g = code_lists()
    assert (iri, RDF.type, SKOS.Concept) in g, f"{iri} is emitted but is no concept of the code lists"
    scheme = g.value(iri, SKOS.inScheme)
    assert scheme is not None and (scheme, RDF.type, SKOS.ConceptScheme) in g


# ---------------------------------------------------------------------------------------------
# Other vocabularies
# ---------------------------------------------------------------------------------------------


def foreign(terms: set[URIRef]) -> list[URIRef]:
    # rdf:type is the RDF language itself, not a term of a vocabulary we reuse
    return sorted(t for t in terms if not is_eulod(t) and t != RDF.type)


@pytest.mark.parametrize("predicate", foreign(emitted_predicates()), ids=str)
def test_every_emitted_foreign_predicate_is_declared_in_an_excerpt(predicate: URIRef):
    types = set(excerpts().objects(predicate, RDF.type))
    assert types & PROPERTY_TYPES, (
        f"{predicate} is emitted but not declared as a property in tests/data/vocabularies/"
    )


@pytest.mark.parametrize("cls", foreign(emitted_classes()), ids=str)
def test_every_emitted_foreign_class_is_declared_in_an_excerpt(cls: URIRef):
    assert set(excerpts().objects(cls, RDF.type)) & CLASS_TYPES, (
        f"{cls} is emitted as a class but not declared as one in tests/data/vocabularies/"
    )


# ---------------------------------------------------------------------------------------------
# Provenance (PROV-O)
# ---------------------------------------------------------------------------------------------


def test_the_ontology_models_provenance_with_prov_o():
    g = ontology()
    assert (EULOD.SourceRecord, RDFS.subClassOf, PROV.Entity) in g
    assert (EULOD.converterVersion, RDFS.domain, EULOD.SourceRecord) in g
    # the PROV terms the converter uses on source records apply to prov:Entity
    for term in (PROV.wasDerivedFrom, PROV.generatedAtTime):
        assert excerpts().value(term, RDFS.domain) == PROV.Entity


def test_every_project_says_which_record_it_came_from_when_and_by_which_version():
    g = emitted()
    projects = set(g.subjects(RDF.type, EULOD.Project))
    assert len(projects) == len(load_records([RECORDS]).records)
    for project in projects:
        records = [r for r in g.objects(project, PROV.wasDerivedFrom) if (r, RDF.type, EULOD.SourceRecord) in g]
        assert len(records) == 1, f"{project} is not derived from exactly one source record"
        record = records[0]
        assert (record, FOAF.primaryTopic, project) in g
        assert g.value(record, PROV.generatedAtTime) == Literal(WHEN.isoformat(), datatype=XSD.dateTime)
        assert g.value(record, EULOD.converterVersion) == Literal(__version__)
        sources = list(g.objects(record, PROV.wasDerivedFrom))
        assert len(sources) == 1 and (sources[0], RDF.type, FOAF.Document) in g
