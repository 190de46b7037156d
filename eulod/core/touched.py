"""Which rows of a derived file a change of the data graph touches, and a small store to read them from.

The listing and the search index (eulod/core/listing.py, eulod/core/search.py) have one row
per project or organisation, read from the whole store in about half a minute at 100 000
projects. After a change of a few records (eulod/pipeline/incremental.py), their incremental
variants (listing_update.py, search_update.py) rewrite only the rows the change touches, and
read those rows with the very queries of the full write, from an *excerpt*: a temporary store
holding every triple of the touched projects or organisations and of the nodes their rows are
joined from (participations, amounts, partners, results, identifiers). One definition of a
row, so the two writes cannot drift apart.

A change is anything with ``removed`` and ``added`` collections of ``pyoxigraph.Triple``
(eulod.pipeline.delta.Delta is one; eulod/core does not import the pipeline). A row is
touched by a changed triple about its owner (any predicate), or about a node its row reads
through links, which :class:`Reach` names per predicate: a partner's new country touches the
listing rows of the partner's projects, its new name their search rows, its new city neither.
The links are walked backwards in the changed store; a link the change removed needs no walk,
since its own subject is changed and walked from in turn.

The full writes choose among several values of a row (two titles in one language, say) by
the values, never by the order of the store's answers, so the excerpt, a small in-memory store,
gives each row exactly as the whole store does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeVar

import pyoxigraph as ox

log = logging.getLogger(__name__)
T = TypeVar("T")

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
EULOD = "https://w3id.org/eulod/ontology#"


class TripleChange(Protocol):
    """What changed in the data graph: triples taken out and put in (eulod.pipeline.delta.Delta)."""

    @property
    def removed(self) -> Collection[ox.Triple]: ...

    @property
    def added(self) -> Collection[ox.Triple]: ...


@dataclass(frozen=True)
class Reach:
    """How changed triples reach the rows of one derived file.

    ``owners``: the classes whose instances have rows; a changed triple about an instance
    touches its row, whatever the predicate. ``up``: per predicate of a triple about some other
    node, the paths of links leading from that node to the owners whose rows read it, each
    path a sequence of predicates walked backwards (``(organisation, hasParticipation)`` goes
    from a partner to its participations, then to their projects). ``down``: the predicates
    the excerpt follows from an owner to the nodes its row is read from, up to ``depth`` links.
    """

    owners: frozenset[str]
    up: Mapping[str, tuple[tuple[str, ...], ...]]
    down: frozenset[str]
    depth: int = 2


def touched(store: ox.Store, change: TripleChange, reach: Reach) -> set[ox.NamedNode]:
    """The owners whose rows ``change`` touches: instances of ``reach.owners`` in ``store``
    (already changed) and those the change removed (their rows go)."""
    owners = {ox.NamedNode(iri) for iri in reach.owners}
    found: set[ox.NamedNode] = set()
    removed_owners = {t.subject for t in change.removed if t.predicate == RDF_TYPE and t.object in owners}
    is_owner: dict[ox.NamedNode, bool] = {}

    def owner(node: ox.NamedNode) -> bool:
        known = is_owner.get(node)
        if known is None:
            known = is_owner[node] = node in removed_owners or any(
                next(store.quads_for_pattern(node, RDF_TYPE, kind, None), None) is not None for kind in owners)
        return known

    walked: set[tuple[ox.NamedNode, tuple[str, ...]]] = set()
    for triple in _changed(change):
        subject = triple.subject
        if not isinstance(subject, ox.NamedNode):
            continue
        if owner(subject):
            found.add(subject)
        for path in reach.up.get(triple.predicate.value, ()):
            if (subject, path) in walked:
                continue
            walked.add((subject, path))
            nodes = {subject}
            for predicate in path:
                link = ox.NamedNode(predicate)
                nodes = {q.subject for node in nodes for q in store.quads_for_pattern(None, link, node, None)
                         if isinstance(q.subject, ox.NamedNode)}
            found.update(node for node in nodes if owner(node))
    return found


def blank_nodes(change: TripleChange) -> bool:
    """Whether a changed triple has a blank node: one from another store, which names nothing
    here (the data has none; an update is then not sure what it touches)."""
    return any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in _changed(change))


def _changed(change: TripleChange) -> Iterator[ox.Triple]:
    yield from change.removed
    yield from change.added


def instances(store: ox.Store, nodes: Iterable[ox.NamedNode], classes: Collection[str]) -> set[str]:
    """The IRIs of ``nodes`` that are an instance of one of ``classes`` in ``store``."""
    kinds = [ox.NamedNode(iri) for iri in classes]
    return {node.value for node in nodes
            if any(next(store.quads_for_pattern(node, RDF_TYPE, kind, None), None) is not None for kind in kinds)}


def read_excerpt(store: ox.Store, roots: Iterable[ox.NamedNode], reach: Reach, read: Callable[[ox.Store], T]) -> T:
    """``read`` applied to an in-memory store holding every quad (all graphs) about ``roots`` and
    about the nodes reached from them through ``reach.down`` links, ``reach.depth`` links at most."""
    down = frozenset(reach.down)
    seen: set[ox.NamedNode | ox.BlankNode] = set()
    frontier: set[ox.NamedNode | ox.BlankNode] = set(roots)
    part = ox.Store()
    for level in range(reach.depth + 1):
        following: set[ox.NamedNode | ox.BlankNode] = set()
        for node in frontier - seen:
            seen.add(node)
            quads = list(store.quads_for_pattern(node, None, None, None))
            part.extend(quads)
            if level < reach.depth:
                following.update(q.object for q in quads if q.predicate.value in down
                                 and isinstance(q.object, (ox.NamedNode, ox.BlankNode)))
        frontier = following
    return read(part)
