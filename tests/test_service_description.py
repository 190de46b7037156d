"""The service description's dataset, as SPARQL 1.1 Service Description types it (issue 14, item 10).

Every value of ``sd:namedGraph`` is an ``sd:NamedGraph`` with exactly one ``sd:name`` (an
IRI) and one ``sd:graph`` (an ``sd:Graph``); the names are exactly the store's graphs, and a
query naming one of them finds its data.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from eulod.core.namespaces import SD

pytestmark = pytest.mark.server


def description(server) -> Graph:
    request = urllib.request.Request(server.url + "/sparql", headers={"Accept": "text/turtle"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return Graph().parse(data=response.read(), format="turtle")


def test_named_graphs_are_typed_with_their_name_and_graph(live_server, sample_build, sample_settings):
    graph = description(live_server)
    service = URIRef(sample_settings.base_iri + "sparql")  # named by the base IRI, not the Host asked
    dataset = graph.value(service, SD.defaultDataset)
    assert dataset is not None, "the service names its default dataset"
    named = list(graph.objects(dataset, SD.namedGraph))
    assert named, "the dataset lists its named graphs"
    names = set()
    for node in named:
        assert (node, RDF.type, SD.NamedGraph) in graph
        assert len(list(graph.objects(node, SD.name))) == 1 and isinstance(graph.value(node, SD.name), URIRef)
        described = list(graph.objects(node, SD.graph))
        assert len(described) == 1 and (described[0], RDF.type, SD.Graph) in graph
        names.add(str(graph.value(node, SD.name)))
    assert names == set(sample_build.manifest["graphs"].values())


def test_a_named_graph_of_the_description_can_be_queried_by_its_name(live_server):
    graph = description(live_server)
    name = sorted(str(n) for n in graph.objects(None, SD.name))[0]
    query = f"ASK {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"
    request = urllib.request.Request(live_server.url + "/sparql?" + urllib.parse.urlencode({"query": query}),
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert json.load(response)["boolean"] is True
