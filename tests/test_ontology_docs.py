"""The ontology and code lists, served: HTML documentation for people, RDF for machines.

Every expectation is read from the shipped Turtle (ontology/*.ttl), never from a hand list:
the HTML must name every declared term in the reader's language, the RDF must round-trip,
and the diagram must show every class that an object property links.
"""

from __future__ import annotations

import html
import re
import urllib.request
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from conftest import code_lists, ontology

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
ONTOLOGY_IRI = URIRef("https://w3id.org/eulod/ontology")
NAMESPACE = str(ONTOLOGY_IRI) + "#"
VOCAB_BASE = "https://w3id.org/eulod/"
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDFS.Datatype)
MACHINE_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml"}


def terms() -> list[URIRef]:
    g = ontology()
    return sorted({s for kind in TERM_TYPES for s in g.subjects(RDF.type, kind) if str(s).startswith(NAMESPACE)})


def label(term: URIRef, lang: str) -> str:
    values = [str(o) for o in ontology().objects(term, RDFS.label) if isinstance(o, Literal) and o.language == lang]
    assert values, f"{term} has no {lang} label"
    return values[0]


def schemes() -> list[URIRef]:
    return sorted(code_lists().subjects(RDF.type, SKOS.ConceptScheme))


def local(iri: str) -> str:
    return "/" + iri[len(VOCAB_BASE):]


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def get_html(client, path: str, lang: str | None = None):
    headers = {"Accept": "text/html"}
    if lang:
        headers["Accept-Language"] = lang
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return response


def svg_of(response) -> ET.Element:
    body = response.get_data(as_text=True)
    match = re.search(r"<svg\b.*?</svg>", body, re.DOTALL)
    assert match, "no inline SVG diagram"
    return ET.fromstring(match.group(0))


def parse(data: bytes, media_type: str, base: str) -> Graph:
    """Parse a served document with rdflib (its JSON-LD parser warns about its own internals)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return Graph().parse(data=data, format=MACHINE_FORMATS[media_type], publicID=base)


def members(graph: Graph, node) -> set:
    union = graph.value(node, OWL.unionOf)
    return set(Collection(graph, union)) if union is not None else {node}


# ---------------------------------------------------------------------------------------------
# The ontology page
# ---------------------------------------------------------------------------------------------


def test_there_are_terms_to_document():
    assert len(terms()) > 40 and len(schemes()) >= 7


@pytest.mark.parametrize("lang", ["en", "it"])
def test_the_ontology_page_documents_every_term_in_the_readers_language(client, lang: str):
    response = get_html(client, "/ontology", f"{lang},en;q=0.5")
    assert response.headers["Content-Language"] == lang
    text = page_text(response)
    missing = [str(t) for t in terms() if label(t, lang) not in text]
    assert missing == []
    # every term has its own section, so its hash IRI lands on it
    anchors = set(re.findall(r'<section class="term" id="([^"]+)"', text))
    assert anchors == {str(t)[len(NAMESPACE):] for t in terms()}


def test_comments_follow_the_language_and_english_is_the_fallback(client):
    project = URIRef(NAMESPACE + "Project")
    comments = {o.language: str(o) for o in ontology().objects(project, RDFS.comment)}
    italian = page_text(get_html(client, "/ontology", "it-IT,it;q=0.9"))
    assert comments["it"] in italian and comments["en"] not in italian
    german = get_html(client, "/ontology", "de-DE,de;q=0.9")
    assert german.headers["Content-Language"] == "en"
    assert comments["en"] in page_text(german)
    by_parameter = get_html(client, "/ontology?lang=it", "en")
    assert comments["it"] in page_text(by_parameter)


def test_the_html_varies_by_language_for_caches(client):
    english = get_html(client, "/ontology", "en")
    italian = get_html(client, "/ontology", "it")
    assert "Accept-Language" in english.headers["Vary"]
    assert english.headers["ETag"] != italian.headers["ETag"]
    again = client.get("/ontology", headers={"Accept": "text/html", "Accept-Language": "en",
                                             "If-None-Match": english.headers["ETag"]})
    assert again.status_code == 304


def test_alignment_targets_are_linked(client):
    text = page_text(get_html(client, "/ontology"))
    targets = {
        str(o)
        for p in (RDFS.subClassOf, RDFS.subPropertyOf, SKOS.closeMatch, SKOS.relatedMatch)
        for o in ontology().objects(None, p)
        if isinstance(o, URIRef) and not str(o).startswith(VOCAB_BASE)
    }
    assert len(targets) > 30
    missing = sorted(t for t in targets if f'href="{t}"' not in text)
    assert missing == []


@pytest.mark.parametrize("term", terms()[:: max(1, len(terms()) // 8)], ids=lambda t: t.split("#")[-1])
def test_a_term_iri_dereferences_to_the_document_that_defines_it(client, term: URIRef):
    document, fragment = urldefrag(str(term))
    assert document == str(ONTOLOGY_IRI)
    text = page_text(get_html(client, local(document)))
    section = re.search(rf'<section class="term" id="{re.escape(fragment)}">(.*?)</section>', text, re.DOTALL)
    assert section and label(term, "en") in section.group(1)
    for media_type in MACHINE_FORMATS:
        response = client.get(local(document), headers={"Accept": media_type})
        graph = parse(response.get_data(), media_type, str(ONTOLOGY_IRI))
        assert set(graph.objects(term, RDF.type)) & set(TERM_TYPES), f"{term} missing from {media_type}"


@pytest.mark.parametrize("media_type", sorted(MACHINE_FORMATS))
def test_the_ontology_in_machine_formats(client, media_type: str):
    response = client.get("/ontology", headers={"Accept": media_type})
    assert response.status_code == 200 and response.mimetype == media_type
    graph = parse(response.get_data(), media_type, str(ONTOLOGY_IRI))
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in graph
    assert {t for t in terms() if any(graph.objects(t, RDF.type))} == set(terms())
    assert len(graph) == len(ontology())


# ---------------------------------------------------------------------------------------------
# The diagram
# ---------------------------------------------------------------------------------------------


def linked_classes() -> set[str]:
    g = ontology()
    out = set()
    for prop in g.subjects(RDF.type, OWL.ObjectProperty):
        for predicate in (RDFS.domain, RDFS.range):
            for node in g.objects(prop, predicate):
                out |= {str(m) for m in members(g, node)}
    return out


def test_the_diagram_shows_every_linked_class_and_every_object_property(client):
    svg = svg_of(get_html(client, "/ontology"))
    shown = {a.get("data-term") for a in svg.iter("{http://www.w3.org/2000/svg}a")}
    assert len(linked_classes()) >= 10
    assert shown == linked_classes()
    drawn = {p for path in svg.iter("{http://www.w3.org/2000/svg}path") for p in (path.get("data-property") or "").split()}
    assert drawn == {str(p) for p in ontology().subjects(RDF.type, OWL.ObjectProperty)}


def test_diagram_boxes_are_labelled_in_the_readers_language_and_do_not_overlap(client):
    svg = svg_of(get_html(client, "/ontology", "it"))
    ns = "{http://www.w3.org/2000/svg}"
    boxes = []
    for a in svg.iter(ns + "a"):
        term = URIRef(a.get("data-term"))
        if str(term).startswith(NAMESPACE):
            assert a.find(ns + "text").text == label(term, "it")
            assert a.get("href") == "#" + str(term)[len(NAMESPACE):]
        rect = a.find(ns + "rect")
        boxes.append(tuple(float(rect.get(k)) for k in ("x", "y", "width", "height")))
    for i, (x, y, w, h) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1:]:
            assert not (x < x2 + w2 and x2 < x + w and y < y2 + h2 and y2 < y + h), "two class boxes overlap"


# ---------------------------------------------------------------------------------------------
# Code lists
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", schemes(), ids=lambda s: s.rsplit("/", 1)[-1])
def test_a_code_list_page_lists_every_concept_with_label_and_definition(client, scheme: URIRef):
    g = code_lists()
    response = get_html(client, local(str(scheme)))
    text = page_text(response)
    concepts = set(g.subjects(SKOS.inScheme, scheme))
    assert concepts
    listed = set(re.findall(r'data-concept="([^"]+)"', text))
    assert listed == {str(c) for c in concepts}
    for concept in concepts:
        prefs = [str(o) for o in g.objects(concept, SKOS.prefLabel) if o.language == "en"]
        assert prefs[0] in text
        for definition in (str(o) for o in g.objects(concept, SKOS.definition) if o.language == "en"):
            assert definition in text


@pytest.mark.parametrize("scheme", schemes(), ids=lambda s: s.rsplit("/", 1)[-1])
def test_a_code_list_iri_dereferences_in_machine_formats(client, scheme: URIRef):
    for media_type in MACHINE_FORMATS:
        response = client.get(local(str(scheme)), headers={"Accept": media_type})
        assert response.status_code == 200 and response.mimetype == media_type
        graph = parse(response.get_data(), media_type, str(scheme))
        assert (scheme, RDF.type, SKOS.ConceptScheme) in graph


def test_a_concept_page_in_italian_and_in_rdf(client):
    g = code_lists()
    concept = URIRef(VOCAB_BASE + "code/role/coordinator")
    italian = {str(o) for o in g.objects(concept, SKOS.prefLabel) if o.language == "it"}
    text = page_text(get_html(client, local(str(concept)), "it"))
    assert italian and all(label_it in text for label_it in italian)
    # every language's label is listed, and the rest of its code list follows
    for o in g.objects(concept, SKOS.prefLabel):
        assert str(o) in text
    assert set(re.findall(r'data-concept="([^"]+)"', text)) == {str(c) for c in g.subjects(SKOS.inScheme, g.value(concept, SKOS.inScheme))}
    response = client.get(local(str(concept)), headers={"Accept": "application/ld+json"})
    graph = parse(response.get_data(), "application/ld+json", str(concept))
    assert (concept, RDF.type, SKOS.Concept) in graph


def test_a_narrower_programme_is_indented_below_its_umbrella(client):
    g = code_lists()
    child = URIRef(VOCAB_BASE + "code/programme/URBACT-IV")
    parent = g.value(child, SKOS.broader)
    text = get_html(client, "/code/programme").get_data(as_text=True)
    # the depth is a class (docs.css indents each level), not a style attribute the CSP would block
    rows = re.findall(r'data-concept="([^"]+)">\s*<td class="depth depth-(\d+)"', text)
    depth = {iri: int(level) for iri, level in rows}
    assert depth[str(child)] > depth[str(parent)]
    order = [iri for iri, _ in rows]
    assert order.index(str(parent)) < order.index(str(child))


def test_other_vocabulary_iris_still_get_the_generic_page(client):
    response = client.get("/code/role/no-such-role", headers={"Accept": "text/html"})
    assert response.status_code == 404


# ---------------------------------------------------------------------------------------------
# Through the real server
# ---------------------------------------------------------------------------------------------


def test_the_live_server_serves_the_documentation(live_server):
    request = urllib.request.Request(live_server.url + "/ontology", headers={"Accept": "text/html", "Accept-Language": "it"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read().decode("utf-8")
        assert response.headers["Content-Language"] == "it"
    assert label(URIRef(NAMESPACE + "Participation"), "it") in html.unescape(body)
    assert "<svg" in body
    request = urllib.request.Request(live_server.url + "/code/role", headers={"Accept": "application/ld+json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        graph = parse(response.read(), "application/ld+json", live_server.url + "/code/role")
    assert (URIRef(VOCAB_BASE + "code/role"), RDF.type, SKOS.ConceptScheme) in graph
