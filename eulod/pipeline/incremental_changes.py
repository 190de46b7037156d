"""The change step of an incremental build: what :func:`eulod.pipeline.changes.publish_changes`
does, at the cost of the change rather than of the data.

An incremental build (eulod/pipeline/incremental.py) copies the previous generation's store and
applies a :class:`eulod.pipeline.delta.Delta` to its data graph. The full change step would then
read the whole data graph out of the store to hash every entity (106 s at 100 000 projects).
Here only the entities the delta touches are looked at:

1. an entity's hash is a sum modulo 2**128 of the hashes of its triples (changes.py), so its new
   hash is the previous generation's (its ``changes.sqlite``) minus the removed triples' plus
   the added ones', volatile predicates left out as the full step leaves them out; the data
   graph's hash, of which the catalogue's content hash is made, moves the same way (it is kept
   in ``changes.sqlite``'s ``totals``);
2. each touched entity's description is read from the store by following, from the entity,
   the IRIs it owns (:class:`eulod.core.feed.Owners`) and the blank nodes it points to, and
   hashed as the full step hashes it. The two hashes must agree: a description that cannot be
   reached that way (an owned IRI nothing of the entity points to) would disagree, and the step
   then runs the full one instead. So the pages get the whole description, and a mistake in the
   delta shows instead of being published;
3. ``dcterms:modified``: the patched store still holds the previous generation's value on every
   project; the value of a changed project is replaced, a removed project's taken out, an
   unchanged one's kept, which is what the full step states;
4. ``changes.sqlite`` is the previous one copied, with the touched entities' and the catalogue's
   rows updated; the pages are the previous ones linked in and pages for this build's members.

When it cannot be sure (no previous ``changes.sqlite`` or one of another format or base IRI, blank
nodes in the delta, too large a change, a description that does not add up), it says why in the
log and runs :func:`eulod.pipeline.changes.publish_changes` on the store, after taking the previous
generation's ``dcterms:modified`` out of it: the full step states them all anew.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

import pyoxigraph as ox

from eulod import __version__
from eulod.core.config import Settings
from eulod.core.feed import CHANGES, DCTERMS_MODIFIED, PAGES_INDEX, XSD_DATETIME, Owners, feed_folder, read_pages, rules
from eulod.core.generation import Generation, data_graph_iri, vocabulary_graph_iri
from eulod.core.sqlitefiles import temporary_table
from eulod.pipeline.change_state import Diff, Previous
from eulod.pipeline.changes import catalogue_hashes, compare, content_hash, publish_changes, rules_fingerprint, totals
from eulod.pipeline.delta import Delta
from eulod.pipeline.entity_hashes import MODULUS, Scan, graph_hash, scan_entities, triple_hash
from eulod.pipeline.feed_pages import link_pages, published_time, write_pages

log = logging.getLogger(__name__)

# Past this many touched entities the full step is taken: reading descriptions one by one costs
# about a millisecond per entity, the full step about a millisecond per project at 100 000.
MOST_TOUCHED = 20_000
WORK_FILE = ".feed-changed.nt"  # the touched entities' descriptions, for write_pages, while the step runs


class Unsure(Exception):
    """The incremental step cannot vouch for its result: the full step runs instead (the message says why)."""


@dataclass(frozen=True)
class PreviousState:
    """What the previous generation's changes.sqlite says about the touched entities and the data."""

    rows: dict[str, tuple[str, str, str]]  # entity -> (kind, hash, modified), touched entities and catalogue only
    totals: dict[str, str]

    @property
    def data_hash(self) -> int:
        return int(self.totals["data"], 16)


def read_state(database: Path, base_iri: str, wanted: Iterable[str]) -> PreviousState:
    """The rows of ``wanted`` and the data graph's hash, from a changes.sqlite of this format."""
    if not database.is_file():
        raise Unsure(f"the previous generation has no {CHANGES}")
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        try:
            stored = dict(connection.execute("SELECT name, value FROM totals"))
        except sqlite3.OperationalError:
            raise Unsure(f"the previous {CHANGES} is of an older format (no totals)") from None
        if stored.get("format") != rules_fingerprint(base_iri) or "data" not in stored:
            raise Unsure(f"the previous {CHANGES} was made with other feed rules, format or base IRI")
        table = temporary_table(connection, "wanted", "iri TEXT PRIMARY KEY", ((iri,) for iri in wanted))
        rows = {iri: (kind, digest, modified) for iri, kind, digest, modified in connection.execute(
            f"SELECT iri, kind, hash, modified FROM entities JOIN {table} USING (iri)")}
    connection.close()
    return PreviousState(rows, stored)


def line(triple: ox.Triple) -> str:
    """A triple as the store's N-Triples dump writes it (what the full step hashes)."""
    return f"{triple} ."


def delta_sums(delta: Delta, owners: Owners, volatile: frozenset[str]) -> tuple[dict[str, tuple[str, int]], int]:
    """Entity -> (kind, added minus removed hashes) for every entity a counted triple of the delta
    is about, and the same difference over the whole delta (the data graph's hash moves by it)."""
    touched: dict[str, tuple[str, int]] = {}
    total = 0
    for sign, triples in ((-1, delta.removed), (1, delta.added)):
        for triple in triples:
            if isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode):
                raise Unsure("the delta holds blank nodes, whose hashes are not sums of their triples'")
            if triple.predicate.value in volatile:
                continue
            value = sign * triple_hash(line(triple))
            total += value
            found = owners.owner(triple.subject.value)
            if found is not None:
                kind, entity = found
                touched[entity] = (kind, touched.get(entity, (kind, 0))[1] + value)
    return touched, total


def description(store: ox.Store, graph: ox.NamedNode, entity: str, owners: Owners,
                seeds: Iterable[str] = ()) -> list[str]:
    """The entity's triples in the store, as N-Triples lines: those of the entity and of every IRI
    it owns that can be reached from it (or from ``seeds``) through owned IRIs and blank nodes.
    ``dcterms:modified`` is left out: the change step states it (the full step reads the graph
    before it does)."""
    todo: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(entity), *(ox.NamedNode(s) for s in seeds)]
    seen: set[ox.NamedNode | ox.BlankNode] = set()
    lines: list[str] = []
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for quad in store.quads_for_pattern(node, None, None, graph):
            if quad.predicate.value == DCTERMS_MODIFIED:
                continue
            lines.append(line(quad.triple))
            target = quad.object
            if isinstance(target, ox.BlankNode):
                todo.append(target)
            elif isinstance(target, ox.NamedNode):
                found = owners.owner(target.value)
                if found is not None and found[1] == entity:
                    todo.append(target)
    return lines


def rehash(store: ox.Store, graph: ox.NamedNode, touched: dict[str, tuple[str, int]], seeds: dict[str, set[str]],
           previous: dict[str, tuple[str, str, str]], owners: Owners, volatile: frozenset[str]) -> tuple[Scan, list[str]]:
    """The touched entities hashed from their descriptions in the store, checked against the
    previous hash moved by the delta; their lines (each once) for the pages."""
    lines: dict[str, None] = {}  # ordered, each line once (a blank node two entities point to)
    for entity in sorted(touched):
        lines.update(dict.fromkeys(description(store, graph, entity, owners, sorted(seeds.get(entity, ())))))
    scan = scan_entities((text.encode("utf-8") for text in lines), owners, volatile)
    for entity, (_kind, moved) in touched.items():
        before = int(previous[entity][1], 16) if entity in previous else 0
        expected = (before + moved) % MODULUS
        found = scan.sums.get(entity) if entity in scan.kinds else None
        if found is None and expected != 0:
            raise Unsure(f"{entity} has triples the delta leaves, but none reachable from it in the store")
        if found is not None and found % MODULUS != expected:
            raise Unsure(f"{entity}: its description in the store does not add up to its previous hash and the "
                         "delta (an owned IRI not reachable from it, or a delta that is not the store's change)")
    return scan, list(lines)


def vocabulary_hash(store: ox.Store, settings: Settings, before: dict[str, str]) -> int:
    """The vocabulary graph's hash: the previous generation's when this is the eulod version that
    wrote it (the patched store is a copy of that generation's, and only its data graph is
    patched), else read from the store (half a second at 100 000 projects: each term is a look-up)."""
    if before.get("version") == __version__ and "vocabulary" in before:
        return int(before["vocabulary"], 16)
    return graph_hash(store, vocabulary_graph_iri(settings))


def state_modified(store: ox.Store, graph: ox.NamedNode, diff: Diff) -> None:
    """dcterms:modified as the full step leaves it, for the entities that changed: the previous
    value taken out, this build's put in (none for a removed entity)."""
    carrying = {k.name for k in rules().kinds if k.modified}
    predicate, datatype = ox.NamedNode(DCTERMS_MODIFIED), ox.NamedNode(XSD_DATETIME)
    for entity, action in diff.actions.items():
        node = ox.NamedNode(entity)
        stale = list(store.quads_for_pattern(node, predicate, None, graph))
        for quad in stale:
            store.remove(quad)
        state = diff.current.get(entity)
        if action != "delete" and state is not None and state[0] in carrying:
            store.add(ox.Quad(node, predicate, ox.Literal(state[2], datatype=datatype), graph))
    store.flush()


def update_database(source: Path, target: Path, diff: Diff, new_totals: dict[str, str]) -> None:
    """The previous changes.sqlite copied, with the changed rows and the totals updated."""
    shutil.copyfile(source, target)
    with sqlite3.connect(target) as connection:
        connection.executemany("DELETE FROM entities WHERE iri = ?",
                               ((iri,) for iri, action in diff.actions.items() if action == "delete"))
        connection.executemany("INSERT OR REPLACE INTO entities VALUES (?, ?, ?, ?)",
                               ((iri, *state) for iri, state in sorted(diff.current.items())))
        connection.execute("DELETE FROM totals")
        connection.executemany("INSERT INTO totals VALUES (?, ?)", sorted(new_totals.items()))
    connection.close()


def update_changes(store: ox.Store, previous: Generation, generation: Generation, delta: Delta, settings: Settings,
                   when: datetime, stage: Callable[[str], None] = lambda name: None) -> dict[str, int]:
    """The change step of an incremental build: see the module's docstring.

    ``store`` is ``generation``'s, a copy of ``previous``'s with ``delta`` applied to its data
    graph. Returns the number of members by action, as :func:`publish_changes` does.
    """
    stage("comparing with the previous build")
    started = time.perf_counter()
    try:
        return _update(store, previous, generation, delta, settings, when, started)
    except Unsure as reason:
        log.info("change step: the full one runs instead: %s", reason)
        return full_changes(store, previous, generation, settings, when, stage)


def full_changes(store: ox.Store, previous: Generation, generation: Generation, settings: Settings, when: datetime,
                 stage: Callable[[str], None] = lambda name: None, keep_data: bool = False) -> dict[str, int]:
    """The full change step on a patched store: the previous generation's dcterms:modified taken
    out first (the full step states every one of them, from the previous changes.sqlite)."""
    graph = data_graph_iri(settings)
    store.update(f"DELETE WHERE {{ GRAPH <{graph}> {{ ?entity <{DCTERMS_MODIFIED}> ?modified }} }}")
    for leftover in (feed_folder(generation), generation.path / CHANGES):  # of an incremental attempt
        if leftover.is_dir():
            shutil.rmtree(leftover)
        elif leftover.exists():
            leftover.unlink()
    return publish_changes(store, generation, settings, when, stage, keep_data=keep_data, previous_generation=previous)


def _update(store: ox.Store, previous: Generation, generation: Generation, delta: Delta, settings: Settings,
            when: datetime, started: float) -> dict[str, int]:
    base = settings.base_iri
    graph = ox.NamedNode(data_graph_iri(settings))
    current_rules = rules()
    owners = Owners(base, current_rules.kinds)
    if not previous.complete or previous.manifest().get("base_iri") != base:
        raise Unsure("the previous generation is incomplete or of another base IRI")
    touched, moved = delta_sums(delta, owners, current_rules.volatile)
    if len(touched) > MOST_TOUCHED:
        raise Unsure(f"{len(touched)} entities touched (more than {MOST_TOUCHED})")
    entry_iris = catalogue_hashes(base, "")[0]  # the catalogue's entries: their hashes come below
    state = read_state(previous.path / CHANGES, base, [*touched, *entry_iris])
    seeds: dict[str, set[str]] = {}
    for triple in delta.added:
        found = owners.owner(triple.subject.value)
        if found is not None:
            seeds.setdefault(found[1], set()).add(triple.subject.value)
    scan, lines = rehash(store, graph, touched, seeds, state.rows, owners, current_rules.volatile)
    data_hash = (state.data_hash + moved) % MODULUS
    vocabulary = vocabulary_hash(store, settings, state.totals)
    entries, entry_kinds = catalogue_hashes(base, content_hash(data_hash, vocabulary))
    pages_before = read_pages(previous)
    published = published_time(when, pages_before)
    diff = compare({**scan.hashes(), **entries}, {**scan.kinds, **entry_kinds}, state.rows, published)
    compared = time.perf_counter()
    state_modified(store, graph, diff)
    update_database(previous.path / CHANGES, generation.path / CHANGES, diff, totals(base, data_hash, vocabulary))
    folder = feed_folder(generation)
    folder.mkdir()
    before = Previous(previous, {}, pages_before)  # the entities' rows are not needed: they stay in the copy
    link_pages(before, folder)
    work = generation.path / WORK_FILE
    work.write_text("".join(f"{text}\n" for text in lines), "utf-8")
    try:
        pages = before.pages + write_pages(work, owners, scan, diff, generation, base, published)
    finally:
        work.unlink()
    (folder / PAGES_INDEX).write_text(json.dumps({"pages": [p.as_json() for p in pages]}, indent=1), "utf-8")
    counts = {action: diff.count(action) for action in ("create", "update", "delete")}
    log.info("compared %d touched entities (%d triples read) with generation %s in %.2f s; wrote the change feed in "
             "%.2f s: %d created, %d updated, %d removed, %d pages", len(touched), len(lines), previous.id,
             compared - started, time.perf_counter() - compared, counts["create"], counts["update"],
             counts["delete"], len(pages))
    return counts
