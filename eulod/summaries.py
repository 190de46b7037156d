"""Summaries that the build computes from the loaded data: totals per country, frequent collaborations.

Researchers ask some questions of the whole data set again and again (two of the query
editor's examples: EU funding per country, the organisations that worked together most
often). Answered from the data, each must join every participation with its organisation,
amount and country: about half a million participations at 100 000 projects, seconds in
any store, and the pairs of a project's partners grow with the square of its partnership.
Their answers change only when the data does, so the build computes them once, streaming
mostly inside the store, and stores them as plain RDF in their own named graph
(``{base}graph/summaries``): a query reads a few hundred nodes instead. The questions
stay answerable from the data itself; the summaries only make the common ones cheap.
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal

import pyoxigraph as ox

from eulod.iris import last_segment
from eulod.namespaces import EULOD
from eulod.store import stored_query

log = logging.getLogger(__name__)

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_DECIMAL = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


def _p(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(EULOD[name]))


def _query(store: ox.Store, name: str, graph: ox.NamedNode) -> ox.QuerySolutions:
    return store.query(stored_query("eulod", name), default_graph=graph)


def country_totals(store: ox.Store, graph: ox.NamedNode, base_iri: str) -> Iterator[ox.Quad]:
    """One eulod:CountryTotal per (country, currency): the participations' EU contributions summed.

    Amounts in different currencies are never added; a participation without a stated
    EU contribution, or whose organisation has no country, is not counted.
    """
    for row in _query(store, "summary-country-totals.rq", graph):
        country, currency = row["country"], row["currency"]
        node = ox.NamedNode(f"{base_iri}summary/country-total/{last_segment(country.value)}/{last_segment(currency.value)}")
        yield from (
            ox.Quad(node, RDF_TYPE, _p("CountryTotal")),
            ox.Quad(node, _p("totalFor"), country),
            ox.Quad(node, _p("totalCurrency"), currency),
            ox.Quad(node, _p("totalAmount"), ox.Literal(_decimal(Decimal(row["total"].value)), datatype=XSD_DECIMAL)),
            ox.Quad(node, _p("participationCount"), ox.Literal(row["participations"].value, datatype=XSD_INTEGER)),
        )


def _decimal(value: Decimal) -> str:
    """xsd:decimal's canonical-enough form: no exponent, at least one digit after a point."""
    text = format(value, "f")
    return text if "." in text else text + ".0"


def shared_projects(store: ox.Store, graph: ox.NamedNode) -> Counter[tuple[ox.NamedNode, ox.NamedNode]]:
    """How many projects each pair of organisations shares, each pair once (ordered by IRI)."""
    members: dict[ox.NamedNode, set[ox.NamedNode]] = defaultdict(set)
    for row in _query(store, "summary-project-members.rq", graph):
        members[row["project"]].add(row["organisation"])
    pairs: Counter[tuple[ox.NamedNode, ox.NamedNode]] = Counter()
    for organisations in members.values():
        pairs.update(itertools.combinations(sorted(organisations, key=lambda node: node.value), 2))
    return pairs


def most_frequent(pairs: Counter, keep: int) -> list[tuple[tuple[ox.NamedNode, ox.NamedNode], int]]:
    """The ``keep`` most frequent pairs, and every pair tied with the last of them.

    Cutting inside a tie would pick among equal pairs by accident; keeping the whole tie
    means the summary answers "the most frequent" exactly, whatever the order.
    """
    if keep <= 0 or not pairs:
        return []
    ranked = sorted(pairs.items(), key=lambda item: (-item[1], item[0][0].value, item[0][1].value))
    if len(ranked) <= keep:
        return ranked
    floor = ranked[keep - 1][1]
    return [item for item in ranked if item[1] >= floor]


def collaborations(store: ox.Store, graph: ox.NamedNode, base_iri: str, keep: int) -> Iterator[ox.Quad]:
    """One eulod:Collaboration per frequent pair of organisations, with the projects they share."""
    for (first, second), count in most_frequent(shared_projects(store, graph), keep):
        node = ox.NamedNode(f"{base_iri}summary/collaboration/{last_segment(first.value)}/{last_segment(second.value)}")
        yield from (
            ox.Quad(node, RDF_TYPE, _p("Collaboration")),
            ox.Quad(node, _p("collaborator"), first),
            ox.Quad(node, _p("collaborator"), second),
            ox.Quad(node, _p("sharedProjects"), ox.Literal(str(count), datatype=XSD_INTEGER)),
        )


def add_summaries(store: ox.Store, data_graph: str, summary_graph: str, base_iri: str, collaborations_kept: int) -> int:
    """Compute every summary from ``data_graph`` into ``summary_graph``; returns the triples added."""
    source, target = ox.NamedNode(data_graph), ox.NamedNode(summary_graph)
    quads = [
        ox.Quad(q.subject, q.predicate, q.object, target)
        for q in itertools.chain(
            country_totals(store, source, base_iri),
            collaborations(store, source, base_iri, collaborations_kept),
        )
    ]
    store.extend(quads)
    return len(quads)
