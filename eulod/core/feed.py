"""The change feed's format, shared by the build that writes it and the endpoint that serves it.

Each build compares itself with the generation before it (eulod.pipeline.changes) and appends
what changed to an event log: a Linked Data Event Stream (LDES 1.0 over TREE) whose members are
ActivityStreams activities, ``as:Create``, ``as:Update`` or ``as:Delete``, each with
``as:object`` the entity and ``as:published`` the build's time. A page beside a Create or an
Update carries the entity's description as that build published it (the entity's own triples
and those of the IRIs it owns, see ``feed.yaml``), so a harvester that replays the pages in
order, replacing an entity's description on Create and Update and removing it on Delete, holds
the data set of the last build it read.

On disk, in a generation (``feed/``): one N-Triples file per page, written once by the build
that made it and never changed, and ``pages.json``, the pages in order. A build hard-links the
previous generation's page files into its own (a copy where links are not possible) and adds
its pages, so every generation carries the whole log and is served alone. A page holds the
members of one build only, so no page states two versions of one entity. What a page links to
(the next page) is added when it is served: a page's file stays the same when later builds
append pages, and only the last page of the log can still gain a link.

``changes.sqlite`` beside it holds each entity's hash, kind and ``dcterms:modified``: what the
next build compares with, without reading this generation's store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import pyoxigraph as ox
import yaml

if TYPE_CHECKING:
    from eulod.core.generation import Generation

FEED_DIR = "feed"  # in a generation: the page files and PAGES_INDEX
PAGES_INDEX = "pages.json"
CHANGES = "changes.sqlite"  # entity -> kind, hash, modified (eulod.pipeline.changes)
PAGE_SUFFIX = ".nt"

AS = "https://www.w3.org/ns/activitystreams#"
LDES = "https://w3id.org/ldes#"
TREE = "https://w3id.org/tree#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
DCTERMS_MODIFIED = "http://purl.org/dc/terms/modified"
ACTIVITIES = {"create": AS + "Create", "update": AS + "Update", "delete": AS + "Delete"}

# Catalogue entries announced beside the data's entities (their DCAT description is the
# catalogue's, made by the endpoint from the generation; the feed names them).
CATALOGUE_KINDS = ("dataset", "distribution")


@dataclass(frozen=True)
class Kind:
    name: str
    path: str  # under the base IRI: "project/"
    modified: bool  # whether its entities carry dcterms:modified


@dataclass(frozen=True)
class FeedRules:
    kinds: tuple[Kind, ...]
    volatile: frozenset[str]
    page_size: int


@lru_cache(maxsize=1)
def rules() -> FeedRules:
    """What ``feed.yaml`` says: the entity kinds, the predicates left out of hashes, the page size."""
    data = yaml.safe_load(resources.files(__package__).joinpath("feed.yaml").read_text("utf-8"))
    kinds = tuple(Kind(name, spec["path"], bool(spec.get("modified"))) for name, spec in data["kinds"].items())
    return FeedRules(kinds, frozenset(data["volatile"]), int(data["page_size"]))


class Owners:
    """Which entity a subject IRI belongs to: ``{base}{kind path}{id}`` and every IRI under it.

    A string test on the IRI alone, so the build can route each triple of a streamed store to
    its entity in one pass (no join), and a harvester can do the same with a page's triples.
    """

    def __init__(self, base_iri: str, kinds: tuple[Kind, ...] | None = None) -> None:
        self.base = base_iri
        self.kinds = {k.path: k for k in (kinds if kinds is not None else rules().kinds)}

    def owner(self, iri: str) -> tuple[str, str] | None:
        """(kind, entity IRI) of a subject IRI; None for one that belongs to no entity."""
        if not iri.startswith(self.base):
            return None
        start = len(self.base)
        slash = iri.find("/", start)
        if slash < 0:
            return None
        kind = self.kinds.get(iri[start:slash + 1])
        if kind is None:
            return None
        end = len(iri)
        for mark in ("/", "#"):
            found = iri.find(mark, slash + 1)
            if 0 <= found < end:
                end = found
        if end == slash + 1:  # "{base}project/" itself, or "{base}project/#x": no id
            return None
        return kind.name, iri[:end]


def feed_iri(base_iri: str) -> str:
    """The event stream (``/feed``)."""
    return f"{base_iri}feed"


def page_iri(base_iri: str, name: str) -> str:
    return f"{base_iri}feed/{name}"


def activity_iri(base_iri: str, page: str, number: int) -> str:
    """A member: the page's IRI with the member's number as fragment, so it dereferences to its page."""
    return f"{page_iri(base_iri, page)}#{number}"


def dataset_iri(base_iri: str) -> str:
    return f"{base_iri}dataset"


def dump_distribution_iri(base_iri: str, dump_name: str) -> str:
    """The catalogue's distribution of one dump file (``eulod.nt.gz`` -> ``catalogue#dump-eulod-nt-gz``)."""
    return f"{base_iri}catalogue#dump-{dump_name.replace('.', '-')}"


def sparql_distribution_iri(base_iri: str) -> str:
    return f"{base_iri}catalogue#sparql"


def feed_distribution_iri(base_iri: str) -> str:
    return f"{base_iri}catalogue#feed"


@dataclass(frozen=True)
class Page:
    """One page of the log, as ``pages.json`` lists it."""

    name: str
    published: str  # the xsd:dateTime of its members (one build's time)
    members: int
    sha256: str  # of its file: its ETag with the name of the page after it

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "published": self.published, "members": self.members, "sha256": self.sha256}


def feed_folder(generation: Generation) -> Path:
    return generation.path / FEED_DIR


def read_pages(generation: Generation) -> list[Page]:
    """The pages of a generation's log in order; empty for a generation built without a feed."""
    index = feed_folder(generation) / PAGES_INDEX
    if not index.is_file():
        return []
    return [Page(**entry) for entry in json.loads(index.read_text("utf-8"))["pages"]]


def page_file(generation: Generation, name: str) -> Path:
    return feed_folder(generation) / f"{name}{PAGE_SUFFIX}"


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _time(value: str) -> ox.Literal:
    return ox.Literal(value, datatype=_n(XSD_DATETIME))


def stream_triples(base_iri: str, pages: list[Page]) -> Iterator[ox.Triple]:
    """The event stream's own description: its paths, how versions read, and its view (the first page).

    ``ldes:versionOfPath as:object``: every member is a version of the entity it names;
    ``ldes:timestampPath as:published``: members are ordered by build time; the create and delete
    paths tell a client which members make an entity appear and which remove it (LDES 1.0 4.3).
    There is no retention policy: every page of the log is kept.
    """
    stream, a = _n(feed_iri(base_iri)), _n(RDF_TYPE)
    yield ox.Triple(stream, a, _n(LDES + "EventStream"))
    yield ox.Triple(stream, _n(LDES + "timestampPath"), _n(AS + "published"))
    yield ox.Triple(stream, _n(LDES + "versionOfPath"), _n(AS + "object"))
    yield ox.Triple(stream, _n(LDES + "versionCreatePath"), a)
    yield ox.Triple(stream, _n(LDES + "versionCreateObject"), _n(ACTIVITIES["create"]))
    yield ox.Triple(stream, _n(LDES + "versionDeletePath"), a)
    yield ox.Triple(stream, _n(LDES + "versionDeleteObject"), _n(ACTIVITIES["delete"]))
    if pages:
        yield ox.Triple(stream, _n(TREE + "view"), _n(page_iri(base_iri, pages[0].name)))


def page_links(base_iri: str, pages: list[Page], index: int) -> Iterator[ox.Triple]:
    """What page ``index`` links to: it is a tree:Node of the stream, and every member at or
    after the next page was published at or after that page's time (tree:GreaterThanOrEqualToRelation).

    Nothing here depends on pages after the next one (no tree:remainingItems), so a page that
    has a next page never changes again: it is served as immutable."""
    page = _n(page_iri(base_iri, pages[index].name))
    yield ox.Triple(page, _n(RDF_TYPE), _n(TREE + "Node"))
    if index + 1 < len(pages):
        after = pages[index + 1]
        relation = _n(f"{page_iri(base_iri, pages[index].name)}#next")
        yield ox.Triple(page, _n(TREE + "relation"), relation)
        yield ox.Triple(relation, _n(RDF_TYPE), _n(TREE + "GreaterThanOrEqualToRelation"))
        yield ox.Triple(relation, _n(TREE + "node"), _n(page_iri(base_iri, after.name)))
        yield ox.Triple(relation, _n(TREE + "path"), _n(AS + "published"))
        yield ox.Triple(relation, _n(TREE + "value"), _time(after.published))


def activity_triples(base_iri: str, page: str, number: int, action: str, entity: str,
                     published: str) -> list[ox.Triple]:
    """One member: the activity, its object and time, and the stream's tree:member link to it."""
    member = _n(activity_iri(base_iri, page, number))
    return [
        ox.Triple(_n(feed_iri(base_iri)), _n(TREE + "member"), member),
        ox.Triple(member, _n(RDF_TYPE), _n(ACTIVITIES[action])),
        ox.Triple(member, _n(AS + "object"), _n(entity)),
        ox.Triple(member, _n(AS + "published"), _time(published)),
    ]
