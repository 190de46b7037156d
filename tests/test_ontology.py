"""The ontology (ontology/eulod.ttl) and the SKOS code lists (ontology/*.ttl).

Checks that every file parses, that every term and concept is labelled in English and Italian,
that the ontology declares every eulod: term docs/mapping.md uses, that every alignment target
is a real term of its vocabulary (declared in the excerpts under tests/data/vocabularies/), and
that the code lists cover exactly the enums of data/record.schema.json.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest
import yaml
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
VOCABULARIES = Path(__file__).resolve().parent / "data" / "vocabularies"
MAPPING = ROOT / "docs" / "mapping.md"
SCHEMA = ROOT / "data" / "record.schema.json"
RECORDS = ROOT / "data" / "records"

EULOD = Namespace("https://w3id.org/eulod/ontology#")
CODE = "https://w3id.org/eulod/code/"
ONTOLOGY_IRI = URIRef("https://w3id.org/eulod/ontology")
VANN = Namespace("http://purl.org/vocab/vann/")
OWN_NAMESPACES = ("https://w3id.org/eulod/",)

TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)

# code-list file -> (scheme name, class its concepts also belong to)
CODE_LISTS = {
    "roles.ttl": ("role", EULOD.Role),
    "organisation-types.ttl": ("organisation-type", EULOD.OrganisationType),
    "result-types.ttl": ("result-type", EULOD.ResultType),
    "identifier-schemes.ttl": ("identifier-scheme", EULOD.IdentifierScheme),
    "statuses.ttl": ("status", EULOD.Status),
    "funds.ttl": ("fund", EULOD.Fund),
    "programmes.ttl": ("programme", EULOD.FundingProgramme),
    "grant-statuses.ttl": ("grant-status", EULOD.GrantStatus),
}

# code list -> where its enum lives in the record JSON Schema (a path of keys)
ENUM_PATHS = {
    "roles.ttl": ("$defs", "participant", "properties", "role"),
    "organisation-types.ttl": ("$defs", "organisation", "properties", "type"),
    "result-types.ttl": ("$defs", "result", "properties", "type"),
    "identifier-schemes.ttl": ("properties", "identifiers", "items", "properties", "scheme"),
    "statuses.ttl": ("properties", "status"),
    "grant-statuses.ttl": ("properties", "grant_status"),
}

ALIGNMENT_PREDICATES = (
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    OWL.equivalentClass,
    OWL.equivalentProperty,
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
)
CLASS_PREDICATES = (RDFS.subClassOf, OWL.equivalentClass)
PROPERTY_PREDICATES = (RDFS.subPropertyOf, OWL.equivalentProperty)
CLASS_TYPES = {OWL.Class, RDFS.Class}
PROPERTY_TYPES = {
    RDF.Property,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.FunctionalProperty,
}

CCI = re.compile(r"^\d{4}[A-Z]{2}\d{2}[A-Z0-9]{4}\d{3}$")
PERIOD = re.compile(r"^(\d{4})-(\d{4})$")


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def turtle_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.ttl"))


@cache
def parse(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


@cache
def ontology() -> Graph:
    return parse(ONTOLOGY / "eulod.ttl")


@cache
def everything() -> Graph:
    graph = Graph()
    for path in turtle_files(ONTOLOGY):
        graph += parse(path)
    return graph


@cache
def fixtures() -> Graph:
    graph = Graph()
    for path in turtle_files(VOCABULARIES):
        graph += parse(path)
    return graph


def scheme_iri(name: str) -> URIRef:
    return URIRef(CODE + name)


def schema_enum(path: tuple[str, ...]) -> list[str]:
    node = json.loads(SCHEMA.read_text(encoding="utf-8"))
    for key in path:
        node = node[key]
    return node["enum"]


# ---------------------------------------------------------------------------------------------
# Checkers (also exercised on broken input at the end of this file)
# ---------------------------------------------------------------------------------------------


def languages(graph: Graph, subject: URIRef, predicate: URIRef) -> set[str]:
    return {
        obj.language
        for obj in graph.objects(subject, predicate)
        if isinstance(obj, Literal) and obj.language and str(obj).strip()
    }


def declared_terms(graph: Graph) -> set[URIRef]:
    return {
        subject
        for kind in TERM_TYPES
        for subject in graph.subjects(RDF.type, kind)
        if isinstance(subject, URIRef) and str(subject).startswith(str(EULOD))
    }


def term_problems(graph: Graph, term: URIRef) -> list[str]:
    problems = []
    for predicate, name in ((RDFS.label, "rdfs:label"), (RDFS.comment, "rdfs:comment")):
        missing = {"en", "it"} - languages(graph, term, predicate)
        if missing:
            problems.append(f"{term}: no {name} in {sorted(missing)}")
    if (term, RDFS.isDefinedBy, ONTOLOGY_IRI) not in graph:
        problems.append(f"{term}: not rdfs:isDefinedBy the ontology")
    return problems


def concept_problems(graph: Graph, concept: URIRef, scheme: URIRef, cls: URIRef) -> list[str]:
    problems = []
    missing = {"en", "it"} - languages(graph, concept, SKOS.prefLabel)
    if missing:
        problems.append(f"{concept}: no skos:prefLabel in {sorted(missing)}")
    if "en" not in languages(graph, concept, SKOS.definition):
        problems.append(f"{concept}: no English skos:definition")
    notations = [str(n) for n in graph.objects(concept, SKOS.notation)]
    if len(notations) != 1:
        problems.append(f"{concept}: {len(notations)} skos:notation values, expected 1")
    elif str(concept) != f"{scheme}/{notations[0]}":
        problems.append(f"{concept}: IRI does not end in its notation {notations[0]!r}")
    if set(graph.objects(concept, SKOS.inScheme)) != {scheme}:
        problems.append(f"{concept}: skos:inScheme is not exactly {scheme}")
    if (concept, RDF.type, cls) not in graph:
        problems.append(f"{concept}: not typed {cls}")
    top = (concept, SKOS.topConceptOf, scheme) in graph
    broader_in_scheme = any(
        (parent, SKOS.inScheme, scheme) in graph for parent in graph.objects(concept, SKOS.broader)
    )
    if not (top or broader_in_scheme):
        problems.append(f"{concept}: neither skos:topConceptOf its scheme nor below a concept of it")
    return problems


def alignment_targets(graph: Graph) -> set[tuple[URIRef, URIRef, URIRef]]:
    """(our term, predicate, external target) for every alignment statement."""
    return {
        (subject, predicate, target)
        for predicate in ALIGNMENT_PREDICATES
        for subject, target in graph.subject_objects(predicate)
        if isinstance(target, URIRef) and not str(target).startswith(OWN_NAMESPACES)
    }


def alignment_problems(graph: Graph, vocabularies: Graph) -> list[str]:
    problems = []
    for subject, predicate, target in sorted(alignment_targets(graph)):
        types = set(vocabularies.objects(target, RDF.type))
        if not types:
            problems.append(f"{subject} {predicate} {target}: target not declared in any fixture")
        elif predicate in CLASS_PREDICATES and not types & CLASS_TYPES:
            problems.append(f"{subject} {predicate} {target}: target is not a class")
        elif predicate in PROPERTY_PREDICATES and not types & PROPERTY_TYPES:
            problems.append(f"{subject} {predicate} {target}: target is not a property")
    return problems


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def test_the_expected_files_are_there():
    names = {path.name for path in turtle_files(ONTOLOGY)}
    assert {"eulod.ttl", *CODE_LISTS} <= names


@pytest.mark.parametrize("path", turtle_files(ONTOLOGY), ids=lambda p: p.name)
def test_every_ontology_file_parses(path: Path):
    assert len(parse(path)) > 0


@pytest.mark.parametrize("path", turtle_files(VOCABULARIES), ids=lambda p: p.name)
def test_every_vocabulary_excerpt_parses_and_names_its_source(path: Path):
    assert len(parse(path)) > 0
    head = path.read_text(encoding="utf-8").splitlines()[:12]
    comments = " ".join(line for line in head if line.startswith("#"))
    assert re.search(r"github|repository|rdflib|https?://", comments, re.IGNORECASE), (
        f"{path.name} does not say where its declarations were read from"
    )


# ---------------------------------------------------------------------------------------------
# The ontology
# ---------------------------------------------------------------------------------------------


def test_ontology_header():
    g = ontology()
    o = ONTOLOGY_IRI
    assert (o, RDF.type, OWL.Ontology) in g
    assert (o, OWL.versionIRI, URIRef("https://w3id.org/eulod/ontology/0.1.0")) in g
    assert (o, OWL.versionInfo, Literal("0.1.0")) in g
    assert (o, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in g
    assert (o, DCTERMS.creator, Literal("eulod contributors")) in g
    for predicate in (DCTERMS.created, DCTERMS.modified):
        assert (o, predicate, Literal("2026-11-23", datatype=XSD.date)) in g
    assert (o, VANN.preferredNamespacePrefix, Literal("eulod")) in g
    assert (o, VANN.preferredNamespaceUri, Literal(str(EULOD))) in g
    for predicate in (DCTERMS.title, DCTERMS.description):
        assert {"en", "it"} <= languages(g, o, predicate)


def mapping_terms() -> set[str]:
    return set(re.findall(r"`eulod:([A-Za-z]+)`", MAPPING.read_text(encoding="utf-8")))


def test_mapping_names_some_terms():
    # guards the regular expression below: docs/mapping.md names dozens of eulod terms
    assert {"Project", "hasParticipation", "referenceCode"} <= mapping_terms()


@pytest.mark.parametrize("name", sorted(mapping_terms()))
def test_every_term_of_the_mapping_is_declared(name: str):
    g = ontology()
    term = EULOD[name]
    if name[0].isupper():
        assert (term, RDF.type, OWL.Class) in g, f"eulod:{name} is not an owl:Class"
    else:
        kinds = set(g.objects(term, RDF.type)) & {OWL.ObjectProperty, OWL.DatatypeProperty}
        assert len(kinds) == 1, f"eulod:{name} is not declared as exactly one kind of property"


BRIEF_CLASSES = (
    "Project Organisation Participation MonetaryAmount ContactPoint Result Identifier SourceRecord "
    "FundingProgramme Fund Role OrganisationType ResultType IdentifierScheme Status"
).split()


@pytest.mark.parametrize("name", BRIEF_CLASSES)
def test_every_class_is_declared(name: str):
    assert (EULOD[name], RDF.type, OWL.Class) in ontology()


def test_there_are_terms_to_check():
    terms = declared_terms(ontology())
    assert len(terms) >= len(BRIEF_CLASSES) + 30


@pytest.mark.parametrize("term", sorted(declared_terms(ontology())), ids=lambda t: t.split("#")[-1])
def test_every_term_is_labelled_and_explained_in_english_and_italian(term: URIRef):
    assert term_problems(ontology(), term) == []


@pytest.mark.parametrize(
    "term",
    sorted(
        s
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in ontology().subjects(RDF.type, kind)
    ),
    ids=lambda t: t.split("#")[-1],
)
def test_every_property_has_a_domain_and_datatype_properties_a_range(term: URIRef):
    g = ontology()
    assert g.value(term, RDFS.domain) is not None
    if (term, RDF.type, OWL.DatatypeProperty) in g:
        assert g.value(term, RDFS.range) is not None


def test_code_list_classes_are_skos_concepts():
    g = ontology()
    for _, cls in CODE_LISTS.values():
        assert (cls, RDFS.subClassOf, SKOS.Concept) in g, cls


# ---------------------------------------------------------------------------------------------
# Alignment
# ---------------------------------------------------------------------------------------------


def test_there_are_alignments_to_check():
    targets = alignment_targets(everything())
    assert len(targets) >= 40
    namespaces = {
        str(t).rsplit("#", 1)[0] if "#" in t else str(t).rsplit("/", 1)[0] for *_, t in targets
    }
    for expected in (
        "http://data.europa.eu/s66",
        "https://schema.org",
        "http://www.w3.org/ns/org",
        "http://purl.org/cerif/frapo",
        "http://xmlns.com/foaf/0.1",
        "http://www.w3.org/2006/vcard/ns",
        "http://purl.org/dc/terms",
        "http://www.w3.org/ns/prov",
        "http://www.w3.org/2004/02/skos/core",
        "http://www.w3.org/ns/adms",
    ):
        assert expected in namespaces, f"nothing is aligned to {expected}"


def test_every_alignment_target_is_a_real_term_of_its_vocabulary():
    assert alignment_problems(everything(), fixtures()) == []


def test_every_class_and_property_is_mentioned_in_alignment_md():
    text = (ONTOLOGY / "ALIGNMENT.md").read_text(encoding="utf-8")
    for term in declared_terms(ontology()):
        assert f"eulod:{term.split('#')[-1]}" in text, f"{term} has no row in ALIGNMENT.md"


# ---------------------------------------------------------------------------------------------
# Code lists
# ---------------------------------------------------------------------------------------------


def concepts_of(name: str) -> set[URIRef]:
    scheme, _ = CODE_LISTS[name]
    return set(parse(ONTOLOGY / name).subjects(SKOS.inScheme, scheme_iri(scheme)))


@pytest.mark.parametrize("name", sorted(CODE_LISTS))
def test_code_list_scheme(name: str):
    scheme, _ = CODE_LISTS[name]
    g = parse(ONTOLOGY / name)
    iri = scheme_iri(scheme)
    assert (iri, RDF.type, SKOS.ConceptScheme) in g
    assert {"en", "it"} <= languages(g, iri, SKOS.prefLabel)
    assert concepts_of(name), f"{name} has no concepts"
    # every concept typed skos:Concept in the file belongs to the file's scheme
    assert set(g.subjects(RDF.type, SKOS.Concept)) == concepts_of(name)
    assert set(g.objects(iri, SKOS.hasTopConcept)) == set(g.subjects(SKOS.topConceptOf, iri))


@pytest.mark.parametrize(
    ("name", "concept"),
    sorted((name, c) for name in CODE_LISTS for c in concepts_of(name)),
    ids=lambda v: v.rsplit("/", 1)[-1] if isinstance(v, str) else v,
)
def test_every_concept_is_complete(name: str, concept: URIRef):
    scheme, cls = CODE_LISTS[name]
    assert concept_problems(parse(ONTOLOGY / name), concept, scheme_iri(scheme), cls) == []


@pytest.mark.parametrize("name", sorted(ENUM_PATHS))
def test_code_list_matches_the_record_schema_enum(name: str):
    enum = schema_enum(ENUM_PATHS[name])
    assert enum, f"empty enum at {ENUM_PATHS[name]}"
    g = parse(ONTOLOGY / name)
    notations = {str(g.value(c, SKOS.notation)) for c in concepts_of(name)}
    assert set(enum) - notations == set(), "enum values without a concept"
    assert notations - set(enum) == set(), "concepts that the record schema does not allow"


def test_coordinator_is_also_called_lead_partner():
    g = parse(ONTOLOGY / "roles.ttl")
    coordinator = URIRef(CODE + "role/coordinator")
    assert Literal("lead partner", lang="en") in set(g.objects(coordinator, SKOS.altLabel))


def test_funds():
    g = parse(ONTOLOGY / "funds.ttl")
    notations = {str(g.value(c, SKOS.notation)) for c in concepts_of("funds.ttl")}
    assert {"ERDF", "AMIF", "ESF-PLUS", "CF", "FSC"} <= notations
    assert "H2020" not in notations and "HORIZON-2020" not in notations  # a programme, not a fund
    for concept, target in g.subject_objects(SKOS.exactMatch):
        assert str(target).startswith("http://publications.europa.eu/resource/authority/eu-programme/")


def test_programmes():
    g = parse(ONTOLOGY / "programmes.ttl")
    funds = concepts_of("funds.ttl")
    programmes = concepts_of("programmes.ttl")
    notations = {str(g.value(c, SKOS.notation)): c for c in programmes}
    for expected in (
        "URBACT-II",
        "URBACT-III",
        "URBACT-IV",
        "AMIF-2014-2020",
        "UIA",
        "INTERREG-EUROPE-2021-2027",
        "HORIZON-2020",
    ):
        assert expected in notations, expected
    urbact_iv = notations["URBACT-IV"]
    assert g.value(urbact_iv, EULOD.referenceCode) == Literal("2021TC16FFIR001")
    assert (urbact_iv, SKOS.broader, notations["URBACT"]) in g
    for concept in programmes:
        for fund in g.objects(concept, EULOD.fund):
            assert fund in funds, f"{concept} names a fund outside the fund code list: {fund}"
        for code in g.objects(concept, EULOD.referenceCode):
            assert CCI.match(str(code)), f"{concept}: {code} is not a CCI"
        period = g.value(concept, EULOD.programmingPeriod)
        has_narrower = any(True for _ in g.subjects(SKOS.broader, concept))
        if period is None:
            assert has_narrower, f"{concept} has no programming period and is no umbrella programme"
        else:
            start, end = map(int, PERIOD.match(str(period)).groups())
            assert end - start == 6, f"{concept}: {period} is not a seven-year period"
    expected_periods = {
        "URBACT-II": "2007-2013",
        "URBACT-III": "2014-2020",
        "URBACT-IV": "2021-2027",
        "UIA": "2014-2020",
        "HORIZON-2020": "2014-2020",
    }
    for notation, period in expected_periods.items():
        assert str(g.value(notations[notation], EULOD.programmingPeriod)) == period


def notation_of(name: str, concept: URIRef) -> str:
    return str(parse(ONTOLOGY / name).value(concept, SKOS.notation))


def record_files() -> list[Path]:
    return sorted(p for p in RECORDS.glob("*") if p.suffix in {".yaml", ".yml", ".json"})


@pytest.mark.parametrize("path", record_files(), ids=lambda p: p.name)
def test_records_name_only_programmes_and_funds_of_the_code_lists(path: Path):
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    programmes = {notation_of("programmes.ttl", c) for c in concepts_of("programmes.ttl")}
    funds = {notation_of("funds.ttl", c) for c in concepts_of("funds.ttl")}
    if "programme" in record:
        assert record["programme"] in programmes
    assert set(record.get("funds", [])) <= funds


# ---------------------------------------------------------------------------------------------
# The checkers catch what they are meant to catch
# ---------------------------------------------------------------------------------------------

BROKEN = """
@prefix eulod: <https://w3id.org/eulod/ontology#> .
@prefix owl:   <http://www.w3.org/2002/07/owl#> .
@prefix rdfs:  <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:  <http://www.w3.org/2004/02/skos/core#> .
@prefix c:     <https://w3id.org/eulod/code/role/> .

eulod:Thing a owl:Class ; rdfs:label "Thing"@en ; rdfs:comment "A thing."@en ;
    rdfs:subClassOf <http://example.org/NotARealClass> ;
    skos:closeMatch <http://xmlns.com/foaf/0.1/Project> .
eulod:prop a owl:ObjectProperty ;
    rdfs:subPropertyOf <http://xmlns.com/foaf/0.1/Project> .
c:chair a skos:Concept , eulod:Role ;
    skos:notation "chairperson" ;
    skos:prefLabel "chair"@en ;
    skos:inScheme <https://w3id.org/eulod/code/role> .
"""


def test_the_checkers_reject_broken_input():
    g = Graph().parse(data=BROKEN, format="turtle")
    thing_problems = term_problems(g, EULOD.Thing)
    assert any("rdfs:label" in p and "it" in p for p in thing_problems)
    assert any("rdfs:comment" in p for p in thing_problems)
    assert any("isDefinedBy" in p for p in thing_problems)

    alignment = alignment_problems(g, fixtures())
    assert any("NotARealClass" in p and "not declared" in p for p in alignment)
    assert any("prop" in p and "not a property" in p for p in alignment)
    assert not any("closeMatch" in p for p in alignment)  # foaf:Project is a real term

    concept = concept_problems(g, URIRef(CODE + "role/chair"), scheme_iri("role"), EULOD.Role)
    assert any("prefLabel" in p for p in concept)
    assert any("definition" in p for p in concept)
    assert any("notation" in p for p in concept)
    assert any("topConceptOf" in p for p in concept)
