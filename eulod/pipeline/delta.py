"""The change of the data graph between two builds, and a store patched with it.

Re-publishing after a small change (``eulod build`` when a checkpoint of the previous
generation is there, eulod/pipeline/incremental.py) must not redo what the whole data set
costs: it copies the previous generation's store, applies the :class:`Delta` of the records
that changed, and lets every later step (summaries, listing, search index, change feed) update
its previous output from the same delta instead of reading the whole store again.

A delta holds triples of the data graph as the records and their preferred labels state them,
never ``dcterms:modified``, which the change step (eulod/pipeline/changes.py) states after the
others ran. A changed record's ``prov:generatedAtTime`` (the build's time) is in it; an unchanged
record keeps the time of the build that converted it. So a full build and an incremental one
differ in the triples eulod/core/feed.yaml calls ``volatile``, by design, and only there:
:func:`difference`, which tests compare the two with, leaves those out.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from eulod.core.feed import rules


@dataclass(frozen=True)
class Delta:
    """Triples of the data graph taken out and put in; never both for one triple."""

    removed: frozenset[ox.Triple] = field(default_factory=frozenset)
    added: frozenset[ox.Triple] = field(default_factory=frozenset)

    @classmethod
    def between(cls, before: Iterable[ox.Triple], after: Iterable[ox.Triple]) -> "Delta":
        """The net change from ``before`` to ``after`` (a triple in both is no change)."""
        old, new = frozenset(before), frozenset(after)
        return cls(old - new, new - old)

    @property
    def empty(self) -> bool:
        return not self.removed and not self.added

    def subjects(self) -> set[ox.NamedNode | ox.BlankNode]:
        """Every subject whose description changed (a triple about it removed or added)."""
        return {t.subject for t in self.removed} | {t.subject for t in self.added}

    def objects(self) -> set[ox.Term]:
        """Every IRI or literal a changed triple points to, before or after (an organisation a
        project stopped or started naming is touched even when its own triples stay)."""
        return {t.object for t in self.removed} | {t.object for t in self.added}


def volatile_predicates() -> frozenset[str]:
    """The predicates whose values vary with the build (feed.yaml), and dcterms:modified."""
    return frozenset(rules().volatile)


def graph_triples(store: ox.Store, graph: str, leave_out: frozenset[str] | None = None) -> set[ox.Triple]:
    """The triples of one named graph, without those whose predicate is in ``leave_out``
    (by default :func:`volatile_predicates`). Holds the whole graph: for tests and small data."""
    leave_out = volatile_predicates() if leave_out is None else leave_out
    return {q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
            if q.predicate.value not in leave_out}


def difference(before: ox.Store, after: ox.Store, graph: str) -> Delta:
    """The delta between one graph of two stores, build-time triples left out (tests compare
    an incremental build with a full one through it)."""
    return Delta.between(graph_triples(before, graph), graph_triples(after, graph))


def apply(store: ox.Store, delta: Delta, graph: str) -> None:
    """Take ``delta.removed`` out of ``graph`` and put ``delta.added`` in, in one transaction."""
    target = ox.NamedNode(graph)
    for triple in delta.removed:
        store.remove(ox.Quad(triple.subject, triple.predicate, triple.object, target))
    store.extend(ox.Quad(t.subject, t.predicate, t.object, target) for t in delta.added)
    store.flush()


def settle(path: Path) -> None:
    """Leave a closed store with no write-ahead log to copy: opening it once more makes RocksDB
    drop the logs whose writes a flush already put in table files (a build's last writes leave
    about 100 MB of them at 100 000 projects, which :func:`copy_store` would otherwise copy)."""
    store = ox.Store(str(path))
    store.flush()
    del store


def copy_store(source: Path, target: Path) -> None:
    """A private, writable copy of a closed store folder (the previous generation's), in moments.

    A RocksDB store never rewrites its table files (``*.sst``): compaction writes new ones and
    deletes the old. So the copy hard-links them (no bytes copied, a 1 GB store copies in
    milliseconds) and copies the small files that do change (manifest, write-ahead log, options).
    Writing to the copy then never touches the source's files. Falls back to copying where
    hard links are not possible (another file system).
    """
    target.mkdir(parents=True)
    for entry in os.scandir(source):
        destination = target / entry.name
        if entry.name == "LOCK":
            continue  # the copy's own lock file is made when it is opened
        if entry.is_dir(follow_symlinks=False):
            copy_store(Path(entry.path), destination)
        elif entry.name.endswith(".sst"):
            try:
                os.link(entry.path, destination)
            except OSError:
                shutil.copy2(entry.path, destination)
        else:
            shutil.copy2(entry.path, destination)
