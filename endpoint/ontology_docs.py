"""HTML documentation of the eulod ontology and its code lists, generated from the shipped Turtle.

There is no hand-kept HTML copy: the ontology page (``/ontology``, where every hash IRI such as
``…/ontology#Project`` lands on its ``id="Project"`` section) and the code-list pages
(``/code/<scheme>`` and ``/code/<scheme>/<notation>``) are rendered from ``eulod.ttl`` and the
SKOS files next to it, read once per process. Labels and comments follow the reader's
Accept-Language (English or Italian, English when neither fits; ``?lang=`` overrides it).
Machine formats of the same IRIs stay with :mod:`eulod.endpoint.resources`.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources as package_files
from typing import Any

from flask import Response, render_template, request
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from eulod.core.namespaces import ONTOLOGY_IRI, VOCAB_BASE

from . import media
from .caching import caching
from .media import EXTENSIONS
from .ontology_diagram import render_svg

LANGUAGES = ("en", "it")
CODE_BASE = VOCAB_BASE + "code/"
ONTOLOGY = URIRef(ONTOLOGY_IRI)
NAMESPACE = ONTOLOGY_IRI + "#"

# Statements linking a term to other vocabularies, in the order the page lists them.
ALIGNMENTS = (
    RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty,
    SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch,
)
# Concept statements shown in their own columns, so not repeated among "other properties".
CONCEPT_CORE = {
    RDF.type, SKOS.prefLabel, SKOS.altLabel, SKOS.definition, SKOS.notation, SKOS.inScheme,
    SKOS.topConceptOf, SKOS.broader, SKOS.narrower,
}

# The words of the pages themselves (term labels and comments come from the Turtle).
UI: dict[str, dict[str, str]] = {
    "en": {
        "classes": "Classes", "object_properties": "Object properties", "datatype_properties": "Datatype properties",
        "datatypes": "Datatypes", "code_lists": "Code lists", "diagram": "Main classes and how they link",
        "diagram_note": "Boxes are classes; an arrow is an object property from its domain to its range.",
        "domain": "Domain", "range": "Range", "properties": "Properties", "used_by": "Range of",
        "union_of": "Union of", "version": "Version", "license": "Licence", "created": "Created",
        "modified": "Modified", "creator": "Creator", "prefix": "Prefix", "namespace": "Namespace",
        "also_as": "Also as", "contents": "Contents", "concepts": "Concepts", "notation": "Code",
        "label": "Label", "definition": "Definition", "alt_labels": "Also called", "scheme": "Code list",
        "broader": "Broader", "narrower": "Narrower", "labels": "Labels", "language": "Language",
        "other": "Other statements", "in_scheme": "Part of", "term": "Term", "kind": "Kind",
        "class": "class", "object_property": "object property", "datatype_property": "datatype property",
        "datatype": "datatype", "concept_count": "concepts", "other_language": "Italiano",
    },
    "it": {
        "classes": "Classi", "object_properties": "Proprietà di oggetto", "datatype_properties": "Proprietà di dato",
        "datatypes": "Tipi di dato", "code_lists": "Elenchi di codici", "diagram": "Classi principali e loro legami",
        "diagram_note": "I riquadri sono classi; una freccia è una proprietà di oggetto dal suo dominio al suo codominio.",
        "domain": "Dominio", "range": "Codominio", "properties": "Proprietà", "used_by": "Codominio di",
        "union_of": "Unione di", "version": "Versione", "license": "Licenza", "created": "Creazione",
        "modified": "Modifica", "creator": "Autori", "prefix": "Prefisso", "namespace": "Spazio dei nomi",
        "also_as": "Anche come", "contents": "Indice", "concepts": "Concetti", "notation": "Codice",
        "label": "Etichetta", "definition": "Definizione", "alt_labels": "Detto anche", "scheme": "Elenco di codici",
        "broader": "Più generale", "narrower": "Più specifici", "labels": "Etichette", "language": "Lingua",
        "other": "Altre affermazioni", "in_scheme": "Fa parte di", "term": "Termine", "kind": "Tipo",
        "class": "classe", "object_property": "proprietà di oggetto", "datatype_property": "proprietà di dato",
        "datatype": "tipo di dato", "concept_count": "concetti", "other_language": "English",
    },
}

# (rdf:type, kind name, UI key of the section listing that kind)
KINDS = ((OWL.Class, "class", "classes"), (OWL.ObjectProperty, "object_property", "object_properties"),
         (OWL.DatatypeProperty, "datatype_property", "datatype_properties"), (RDFS.Datatype, "datatype", "datatypes"))


# ---------------------------------------------------------------------------------------------
# The Turtle, read once per process
# ---------------------------------------------------------------------------------------------


def _parse(names: list[str]) -> Graph:
    graph = Graph()
    folder = package_files.files("eulod.ontology")
    for name in names:
        graph.parse(data=folder.joinpath(name).read_bytes(), format="turtle", publicID=ONTOLOGY_IRI)
    return graph


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    return _parse(["eulod.ttl"])


@lru_cache(maxsize=1)
def code_list_graph() -> Graph:
    """The code lists, with the ontology too so their eulod: properties have labels."""
    folder = package_files.files("eulod.ontology")
    names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".ttl"))
    return _parse(names)


@lru_cache(maxsize=1)
def namespaces() -> tuple[tuple[str, str], ...]:
    """Prefixes as the Turtle files bind them, longest namespace first (for CURIEs)."""
    found = {str(ns): prefix for prefix, ns in code_list_graph().namespaces() if prefix}
    return tuple(sorted(((ns, p) for ns, p in found.items()), key=lambda item: -len(item[0])))


# ---------------------------------------------------------------------------------------------
# Language and small views
# ---------------------------------------------------------------------------------------------


def language() -> str:
    """The reader's language: ``?lang=``, else the best Accept-Language match, else English."""
    asked = request.args.get("lang", "").lower()
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES, default="en") or "en"


def pick(graph: Graph, subject, predicate, lang: str) -> str | None:
    """One literal of subject/predicate in ``lang``, else English, else untagged, else any."""
    values = [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]
    for wanted in (lang, "en", None):
        for value in sorted(values):
            if value.language == wanted:
                return str(value)
    return str(sorted(values)[0]) if values else None


def texts(graph: Graph, subject, predicate, lang: str) -> list[str]:
    """All literals in ``lang`` (falling back to English), e.g. every alternative label."""
    values = [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]
    for wanted in (lang, "en"):
        chosen = sorted(str(v) for v in values if v.language == wanted)
        if chosen:
            return chosen
    return sorted(str(v) for v in values if v.language is None)


def curie(iri: str) -> str:
    for ns, prefix in namespaces():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def href(iri: str, on_ontology_page: bool) -> str:
    """Where a link to ``iri`` goes: a section of this page, a local vocabulary path, or the IRI."""
    if iri.startswith(NAMESPACE):
        return ("" if on_ontology_page else "/ontology") + "#" + iri[len(NAMESPACE):]
    if iri == ONTOLOGY_IRI or iri.startswith(CODE_BASE):
        return "/" + iri[len(VOCAB_BASE):]
    return iri


def link(graph: Graph, node, lang: str, on_ontology_page: bool) -> dict[str, Any]:
    """A link to a term, labelled in the reader's language when we know a label, else as a CURIE."""
    if isinstance(node, BNode):
        union = graph.value(node, OWL.unionOf)
        if union is not None:
            return {"union": [link(graph, m, lang, on_ontology_page) for m in Collection(graph, union)]}
        return {"text": str(node), "href": None, "iri": None}
    if isinstance(node, Literal):
        return {"text": str(node), "href": None, "iri": None}
    iri = str(node)
    own = iri.startswith(VOCAB_BASE)
    text = (pick(graph, node, RDFS.label, lang) or pick(graph, node, SKOS.prefLabel, lang)) if own else None
    return {"text": text or curie(iri), "href": href(iri, on_ontology_page), "iri": iri, "curie": curie(iri)}


# ---------------------------------------------------------------------------------------------
# The ontology page
# ---------------------------------------------------------------------------------------------


def kind_of(graph: Graph, term: URIRef) -> str | None:
    for cls, name, _ in KINDS:
        if (term, RDF.type, cls) in graph:
            return name
    return None


def _members(graph: Graph, node) -> set:
    union = graph.value(node, OWL.unionOf)
    return set(Collection(graph, union)) if union is not None else {node}


def term_view(graph: Graph, term: URIRef, lang: str) -> dict[str, Any]:
    """Everything the page says about one class, property or datatype."""
    ref = lambda node: link(graph, node, lang, True)  # noqa: E731
    view: dict[str, Any] = {
        "iri": str(term),
        "anchor": str(term)[len(NAMESPACE):],
        "curie": curie(str(term)),
        "kind": kind_of(graph, term),
        "label": pick(graph, term, RDFS.label, lang) or curie(str(term)),
        "comment": pick(graph, term, RDFS.comment, lang),
        "domain": [ref(d) for d in graph.objects(term, RDFS.domain)],
        "range": [ref(r) for r in graph.objects(term, RDFS.range)],
        "union": [ref(m) for u in graph.objects(term, OWL.unionOf) for m in Collection(graph, u)],
        "alignments": [
            {"predicate": curie(str(p)), "targets": sorted((ref(t) for t in graph.objects(term, p)), key=lambda l: l["text"])}
            for p in ALIGNMENTS
            if any(True for _ in graph.objects(term, p))
        ],
    }
    if view["kind"] == "class":
        view["properties"] = sorted(
            (ref(p) for p, d in graph.subject_objects(RDFS.domain) if term in _members(graph, d)),
            key=lambda l: l["text"].lower(),
        )
        view["used_by"] = sorted(
            (ref(p) for p, r in graph.subject_objects(RDFS.range)
             if term in _members(graph, r) and (p, RDF.type, OWL.ObjectProperty) in graph),
            key=lambda l: l["text"].lower(),
        )
    return view


@lru_cache(maxsize=len(LANGUAGES))
def diagram(lang: str) -> str:
    graph = ontology_graph()
    return render_svg(
        graph,
        label=lambda iri: link(graph, iri, lang, True)["text"],
        href=lambda iri: href(str(iri), True),
    )


def ontology_context(lang: str) -> dict[str, Any]:
    graph, o = ontology_graph(), ONTOLOGY
    terms = [s for s in set(graph.subjects(RDF.type, None)) if isinstance(s, URIRef) and str(s).startswith(NAMESPACE)]
    views = sorted((term_view(graph, t, lang) for t in terms), key=lambda v: v["label"].lower())
    sections = [(name, heading, [v for v in views if v["kind"] == name]) for _, name, heading in KINDS]
    schemes = sorted(code_list_graph().subjects(RDF.type, SKOS.ConceptScheme))
    return {
        "title": pick(graph, o, DCTERMS.title, lang),
        "description": pick(graph, o, DCTERMS.description, lang),
        "version": pick(graph, o, OWL.versionInfo, lang),
        "version_iri": graph.value(o, OWL.versionIRI),
        "license": graph.value(o, DCTERMS.license),
        "created": graph.value(o, DCTERMS.created),
        "modified": graph.value(o, DCTERMS.modified),
        "creator": pick(graph, o, DCTERMS.creator, lang),
        "prefix": "eulod",
        "namespace": NAMESPACE,
        "sections": [section for section in sections if section[2]],
        "schemes": [scheme_summary(s, lang) for s in schemes],
        "diagram": diagram(lang),
    }


# ---------------------------------------------------------------------------------------------
# Code-list pages
# ---------------------------------------------------------------------------------------------


def scheme_summary(scheme: URIRef, lang: str) -> dict[str, Any]:
    graph = code_list_graph()
    return {
        "iri": str(scheme),
        "href": href(str(scheme), False),
        "label": pick(graph, scheme, SKOS.prefLabel, lang) or curie(str(scheme)),
        "definition": pick(graph, scheme, SKOS.definition, lang),
        "count": len(set(graph.subjects(SKOS.inScheme, scheme))),
    }


def concept_view(concept: URIRef, lang: str, depth: int = 0) -> dict[str, Any]:
    graph = code_list_graph()
    ref = lambda node: link(graph, node, lang, False)  # noqa: E731
    other = sorted(
        {p for p in graph.predicates(concept, None) if p not in CONCEPT_CORE}, key=lambda p: curie(str(p))
    )
    return {
        "iri": str(concept),
        "href": href(str(concept), False),
        "notation": pick(graph, concept, SKOS.notation, lang) or "",
        "label": pick(graph, concept, SKOS.prefLabel, lang) or curie(str(concept)),
        "alt_labels": texts(graph, concept, SKOS.altLabel, lang),
        "definition": pick(graph, concept, SKOS.definition, lang),
        "depth": depth,
        "broader": [ref(b) for b in sorted(graph.objects(concept, SKOS.broader))],
        "narrower": [ref(n) for n in sorted(set(graph.subjects(SKOS.broader, concept)) | set(graph.objects(concept, SKOS.narrower)))],
        "types": [ref(t) for t in sorted(graph.objects(concept, RDF.type)) if t != SKOS.Concept],
        "labels": sorted(
            (v.language or "", str(v)) for v in graph.objects(concept, SKOS.prefLabel) if isinstance(v, Literal)
        ),
        "other": [
            {"predicate": ref(p), "objects": [ref(v) for v in sorted(graph.objects(concept, p))]} for p in other
        ],
    }


def concept_tree(scheme: URIRef, lang: str) -> list[dict[str, Any]]:
    """The scheme's concepts, each followed by its narrower ones (indented), sorted by code."""
    graph = code_list_graph()
    members = set(graph.subjects(SKOS.inScheme, scheme))
    children: dict[URIRef, list[URIRef]] = {}
    roots = []
    for concept in members:
        parents = [b for b in graph.objects(concept, SKOS.broader) if b in members]
        if parents:
            for parent in parents:
                children.setdefault(parent, []).append(concept)
        else:
            roots.append(concept)
    notation = lambda c: str(graph.value(c, SKOS.notation) or c)  # noqa: E731
    rows: list[dict[str, Any]] = []

    def walk(concept: URIRef, depth: int, seen: frozenset) -> None:
        rows.append(concept_view(concept, lang, depth))
        for child in sorted(children.get(concept, []), key=notation):
            if child not in seen:
                walk(child, depth + 1, seen | {child})

    for root in sorted(roots, key=notation):
        walk(root, 0, frozenset({root}))
    return rows


def codelist_context(iri: str, lang: str) -> dict[str, Any]:
    graph, node = code_list_graph(), URIRef(iri)
    focus = None
    scheme = node
    if (node, RDF.type, SKOS.ConceptScheme) not in graph:
        focus = concept_view(node, lang)
        scheme = graph.value(node, SKOS.inScheme)
    return {
        "scheme": scheme_summary(scheme, lang),
        "license": graph.value(scheme, DCTERMS.license),
        "focus": focus,
        "concepts": concept_tree(scheme, lang),
    }


# ---------------------------------------------------------------------------------------------
# Serving
# ---------------------------------------------------------------------------------------------


def documents(iri: str) -> bool:
    """Whether this module renders the HTML of ``iri``: the ontology, a code list or one of its concepts."""
    if iri == ONTOLOGY_IRI:
        return True
    if not iri.startswith(CODE_BASE):
        return False
    graph, node = code_list_graph(), URIRef(iri)
    return (node, RDF.type, SKOS.ConceptScheme) in graph or (node, SKOS.inScheme, None) in graph


def render(iri: str, path: str) -> str:
    """The HTML page of the ontology or of a code list / concept, in the reader's language."""
    lang = language()
    common = {"lang": lang, "t": UI[lang], "other_lang": next(l for l in LANGUAGES if l != lang),
              "iri": iri, "path": path, "extensions": [e for e in EXTENSIONS if e != "html"]}
    if iri == ONTOLOGY_IRI:
        return render_template("ontology.html", **common, **ontology_context(lang))
    return render_template("codelist.html", **common, **codelist_context(iri, lang))


def respond(iri: str, path: str) -> Response:
    """The HTML response, cached per store generation and language, like every other document."""
    lang = language()
    response = Response(render(iri, path), mimetype=media.HTML)
    response.headers["Link"] = ", ".join(
        f'</{path}.{ext}>; rel="alternate"; type="{mt}"' for ext, mt in EXTENSIONS.items()
    )
    response.headers["Content-Language"] = lang
    response = caching(response, f"{iri}|{media.HTML}|{lang}")
    response.headers["Vary"] = "Accept, Accept-Language"
    return response
