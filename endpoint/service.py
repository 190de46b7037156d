"""SPARQL 1.1 Service Description and the VoID description it links to, from the manifest."""

from __future__ import annotations

from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, XSD

from eulod.core.config import Settings
from eulod.core.namespaces import SD, VOID, bind_prefixes

from .media import GRAPHS, RESULTS

FORMATS = "http://www.w3.org/ns/formats/"
RESULT_FORMATS = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/ld+json": "JSON-LD",
    "application/n-triples": "N-Triples",
    "application/rdf+xml": "RDF_XML",
}


def dataset_iri(settings: Settings) -> URIRef:
    return URIRef(f"{settings.base_iri}dataset")


def void_description(settings: Settings, manifest: dict[str, Any], sparql_url: str) -> Graph:
    graph = bind_prefixes(Graph())
    dataset = dataset_iri(settings)
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, DCTERMS.title, Literal(settings.dataset_title, lang="en")))
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(sparql_url)))
    graph.add((dataset, VOID.uriSpace, Literal(settings.base_iri)))
    graph.add((dataset, VOID.vocabulary, URIRef("https://w3id.org/eulod/ontology#")))
    stats = manifest.get("statistics", {})
    if "triples" in stats:
        graph.add((dataset, VOID.triples, Literal(stats["triples"], datatype=XSD.integer)))
    if manifest.get("built"):
        graph.add((dataset, DCTERMS.modified, Literal(manifest["built"], datatype=XSD.dateTime)))
    for name in manifest.get("dumps", {}):
        graph.add((dataset, VOID.dataDump, URIRef(f"{settings.base_iri}dumps/{name}")))
    graph.add((dataset, FOAF.homepage, URIRef(settings.base_iri)))
    catalogue = URIRef(f"{settings.base_iri}catalogue")  # the DCAT-AP catalogue (endpoint/catalogue.py)
    graph.add((catalogue, RDF.type, DCAT.Catalog))
    graph.add((catalogue, DCAT.dataset, dataset))
    graph.add((dataset, RDFS.seeAlso, catalogue))
    return graph


SEARCH_FUNCTION = URIRef("https://w3id.org/eulod/ontology#search")  # endpoint/search_function.py
SEARCH_FUNCTION_COMMENT = (
    "eulod:search(?entity, \"words\" [, \"language tag\"]): the full-text relevance (xsd:double, positive) of a "
    "project or organisation matching every word (titles, acronyms, descriptions, objectives, results, "
    "organisation names; case, accents and word endings aside), an error (unbound) otherwise. "
    "Example: BIND(eulod:search(?project, \"soil\") AS ?score) FILTER(BOUND(?score))")


def service_description(settings: Settings, endpoint_url: str, manifest: dict[str, Any],
                        search_function: bool = True) -> Graph:
    """The description; ``search_function``: the endpoint evaluates eulod:search (not over a remote store)."""
    graph = void_description(settings, manifest, endpoint_url)
    service = URIRef(endpoint_url)
    default_dataset = BNode()
    default_graph = BNode()
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    if search_function:
        graph.add((service, SD.extensionFunction, SEARCH_FUNCTION))
        graph.add((SEARCH_FUNCTION, RDF.type, SD.Function))
        graph.add((SEARCH_FUNCTION, RDFS.label, Literal("eulod:search", lang="en")))
        graph.add((SEARCH_FUNCTION, RDFS.comment, Literal(SEARCH_FUNCTION_COMMENT, lang="en")))
    for media_type in list(RESULTS) + list(GRAPHS):
        if media_type in RESULT_FORMATS:
            graph.add((service, SD.resultFormat, URIRef(FORMATS + RESULT_FORMATS[media_type])))
    graph.add((service, SD.defaultDataset, default_dataset))
    graph.add((default_dataset, RDF.type, SD.Dataset))
    graph.add((default_dataset, DCTERMS.source, dataset_iri(settings)))
    graph.add((default_dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    for graph_iri in manifest.get("graphs", {}).values():
        add_named_graph(graph, default_dataset, URIRef(graph_iri))
    return graph


def add_named_graph(graph: Graph, dataset: BNode, name: URIRef) -> None:
    """One named graph of the dataset, as the SPARQL 1.1 Service Description class sd:NamedGraph has it:
    typed ``sd:NamedGraph``, with its ``sd:name`` (the IRI a query names) and its ``sd:graph``
    (the ``sd:Graph`` behind that name)."""
    named, described = BNode(), BNode()
    graph.add((dataset, SD.namedGraph, named))
    graph.add((named, RDF.type, SD.NamedGraph))
    graph.add((named, SD.name, name))
    graph.add((named, SD.graph, described))
    graph.add((described, RDF.type, SD.Graph))
