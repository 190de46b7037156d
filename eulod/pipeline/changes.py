"""What a build changed against the generation before it: hashes, dcterms:modified, the change feed.

One call, :func:`publish_changes`, runs in a build after the store is loaded and before the
dumps are written (eulod.pipeline.build.load_generation). It

1. hashes every entity of the data graph (projects, organisations: eulod/core/feed.yaml) in one
   streamed pass over the store (eulod.pipeline.entity_hashes): an entity's hash is the sum, modulo 2**128, of a hash of each
   of its triples in N-Triples (its own and those of the IRIs it owns), so it does not depend
   on the order the store returns triples in and needs no sorting; blank nodes are named by a
   hash of what they say (so a relabelled blank node is no change); triples whose predicate
   varies with the build (feed.yaml's ``volatile``) are left out;
2. compares the hashes with those the previous generation stored in its ``changes.sqlite``
   (a dictionary look-up per entity: the comparison is linear in the data, and never reads
   the previous store);
3. states ``dcterms:modified`` on each project in the store: the previous value when its hash
   is unchanged, else this build's time, so the dumps and the endpoint carry it;
4. writes this generation's ``changes.sqlite`` and its event log: the previous generation's
   pages linked in, then this build's pages, whose Create and Update members carry the
   entity's description as stored (a second streamed pass, over the changed entities' triples:
   eulod.pipeline.feed_pages).

``changes.sqlite`` also keeps the data graph's hash (its ``totals``), so that an incremental
build (eulod/pipeline/incremental_changes.py) can move it by the triples it changed alone.

The format of the log is eulod.core.feed's, shared with the endpoint that serves it.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import sqlite3
import time
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyoxigraph as ox

from eulod import __version__
from eulod.core.config import Settings
from eulod.core.feed import (
    CHANGES,
    DCTERMS_MODIFIED,
    PAGES_INDEX,
    XSD_DATETIME,
    Owners,
    dataset_iri,
    dump_distribution_iri,
    feed_distribution_iri,
    feed_folder,
    read_pages,
    rules,
    sparql_distribution_iri,
)
from eulod.core.generation import DUMP_NAME, Generation, current_generation, data_graph_iri, vocabulary_graph_iri
from eulod.core.staging import scratch
from eulod.pipeline.change_state import Diff, Previous
from eulod.pipeline.dumps import FILES
from eulod.pipeline.entity_hashes import MODULUS, graph_hash, hashed, hex128, joined, scan_to_disk, triple_hash
from eulod.pipeline.feed_pages import EVENTS, link_pages, published_time, write_event_pages

log = logging.getLogger(__name__)

DATA_FILE = ".feed-data.nt"  # the data graph's N-Triples, in the generation while it is built


def dump_graph(store: ox.Store, graph: str, target: Path) -> Path:
    """One graph's N-Triples, written by the store itself (no Python per triple): what both passes read."""
    store.dump(output=str(target), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
    return target


def read_previous(build_dir: Path, this: Generation, base_iri: str, generation: Generation | None = None,
                  entities: bool = True) -> Previous:
    """The state the previous generation stored; an empty one when there is none, when it was built
    without a feed, or for another base IRI (then this build starts a new log).

    The previous generation is ``generation`` when given (an incremental build names the one it
    patched), else the build folder's current one."""
    previous = generation if generation is not None and generation.complete else current_generation(build_dir)
    if previous is None or previous.path.resolve() == this.path.resolve():
        return Previous(None, {}, [])
    database = previous.path / CHANGES
    if not database.is_file():
        log.info("generation %s has no %s: the change feed starts anew", previous.id, CHANGES)
        return Previous(None, {}, [])
    if previous.manifest().get("base_iri") != base_iri:
        log.warning("the base IRI changed since generation %s: the change feed starts anew", previous.id)
        return Previous(None, {}, [])
    if not entities:  # the full build reads them as it compares (publish_changes)
        return Previous(previous, {}, read_pages(previous))
    held = {iri: (kind, digest, modified) for iri, kind, digest, modified in stored_entities(previous)}
    return Previous(previous, held, read_pages(previous))


def stored_entities(generation: Generation) -> Iterator[tuple[str, str, str, str]]:
    """(iri, kind, hash, modified) of each entity a generation's changes.sqlite holds, in IRI order."""
    with closing(sqlite3.connect(f"file:{generation.path / CHANGES}?mode=ro", uri=True)) as connection:
        yield from connection.execute("SELECT iri, kind, hash, modified FROM entities ORDER BY iri")


def compare(hashes: dict[str, str], kinds: dict[str, str], previous: dict[str, tuple[str, str, str]], now: str) -> Diff:
    """What changed, entity by entity: one look-up each, so linear in the number of entities."""
    diff = Diff()
    for entity, digest in hashes.items():
        before = previous.get(entity)
        if before is None:
            diff.actions[entity] = "create"
            modified = now
        elif before[1] != digest:
            diff.actions[entity] = "update"
            modified = now
        else:
            modified = before[2]
        diff.current[entity] = (kinds[entity], digest, modified)
    for entity in previous.keys() - hashes.keys():
        diff.actions[entity] = "delete"
    return diff


def catalogue_hashes(base_iri: str, content: str) -> tuple[dict[str, str], dict[str, str]]:
    """The catalogue's entries and their hashes: the dataset and its dumps change with the content
    (``content`` hashes the data and the vocabulary), the SPARQL and feed distributions never do."""
    dumps = [f"{DUMP_NAME}{suffix}" for suffix in FILES]
    entries = {dataset_iri(base_iri): ("dataset", content)}
    for name in dumps:
        entries[dump_distribution_iri(base_iri, name)] = ("distribution", hex128(triple_hash(f"{content} {name}")))
    entries[sparql_distribution_iri(base_iri)] = ("distribution", hex128(triple_hash("sparql")))
    entries[feed_distribution_iri(base_iri)] = ("distribution", hex128(triple_hash("feed")))
    return {iri: digest for iri, (_, digest) in entries.items()}, {iri: kind for iri, (kind, _) in entries.items()}


FORMAT = 1  # of changes.sqlite and its hashes: raise it when either changes, so no build trusts an older file's totals


def rules_fingerprint(base_iri: str) -> str:
    """What the hashes of a changes.sqlite depend on besides the data: its format, the base IRI and
    feed.yaml's kinds and volatile predicates. An incremental build (eulod.pipeline.incremental_changes)
    updates a previous file only when its fingerprint is this one."""
    current = rules()
    text = json.dumps([FORMAT, base_iri, [[k.name, k.path, k.modified] for k in current.kinds],
                       sorted(current.volatile)])
    return hex128(triple_hash(text))


def totals(base_iri: str, data: int, vocabulary: int) -> dict[str, str]:
    """changes.sqlite's ``totals``: the data graph's hash (the sum over its triples but the
    volatile ones), the vocabulary graph's, the eulod version whose vocabulary that is, and
    :func:`rules_fingerprint`."""
    return {"data": hex128(data), "vocabulary": hex128(vocabulary), "version": __version__,
            "format": rules_fingerprint(base_iri)}


def content_hash(data: int, vocabulary: int) -> str:
    """The catalogue's content hash: the data graph's (volatile triples left out), the vocabulary
    graph's and eulod's version, so a new release announces a new dataset version."""
    return hex128(data + vocabulary + triple_hash(__version__))


def compared(current: Iterable[tuple[str, str, str, bool]], previous: Iterable[tuple[str, str, str, str]],
             now: str) -> Iterator[tuple[str, str | None, tuple[str, str, str] | None, bool]]:
    """:func:`compare` as a merge of two streams in IRI order: (iri, action or None, (kind, hash,
    modified) or None when deleted, whether the entity is of the data graph). One entity in memory at a time."""
    before = iter(previous)
    old = next(before, None)
    for iri, kind, digest, data in current:
        while old is not None and old[0] < iri:
            yield old[0], "delete", None, False
            old = next(before, None)
        if old is not None and old[0] == iri:
            action, modified = (None, old[3]) if old[2] == digest else ("update", now)
            old = next(before, None)
        else:
            action, modified = "create", now
        yield iri, action, (kind, digest, modified), data
    while old is not None:
        yield old[0], "delete", None, False
        old = next(before, None)


CHANGES_SCHEMA = """
CREATE TABLE entities (iri TEXT PRIMARY KEY, kind TEXT NOT NULL, hash TEXT NOT NULL, modified TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE totals (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
"""


COMPARED_BATCH = 10_000  # entities compared and written at a time
# dcterms:modified quads written to the store in one transaction, each followed by a flush of the
# store's memory tables: pyoxigraph holds a transaction's quads and index writes in memory, and
# RocksDB its memory tables until they fill. 1 500 000 such quads into an empty store (bench/
# RESULTS.md): one transaction peaked at 2.8 GB, transactions of 100 000 at 1.3 GB, each flushed
# at 0.3 GB (and faster). The build's peak at 1 000 000 projects was at this step. No reader
# sees the new store before it is published, so the transactions need not be one.
MODIFIED_BATCH = 100_000


def _write_compared(path: Path, rows: Iterable[tuple[str, str | None, tuple[str, str, str] | None, bool]],
                    events: sqlite3.Connection, totals_: dict[str, str]) -> tuple[dict[str, int], int]:
    """changes.sqlite (what the next build compares with) and the ``event`` table of this build's
    members, both written as the comparison streams by; returns the members by action and the
    number of entities written."""
    counts = {"create": 0, "update": 0, "delete": 0}
    written = 0
    events.execute(EVENTS)
    with closing(sqlite3.connect(path)) as connection:
        connection.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + CHANGES_SCHEMA)
        rows = iter(rows)
        while batch := list(itertools.islice(rows, COMPARED_BATCH)):
            current = [(iri, *state) for iri, _, state, _ in batch if state is not None]
            connection.executemany("INSERT INTO entities VALUES (?, ?, ?, ?)", current)
            written += len(current)
            members = [(iri, action, state, data) for iri, action, state, data in batch if action is not None]
            events.executemany("INSERT INTO event VALUES (?, ?, ?, ?, ?, ?)", (
                (n, iri, action, state[0] if state else "", int(data), state[2] if state else None)
                for n, (iri, action, state, data) in enumerate(members, start=sum(counts.values()))))
            for _, action, _, _ in members:
                counts[action] += 1
        connection.executemany("INSERT INTO totals VALUES (?, ?)", sorted(totals_.items()))
        connection.commit()
    events.execute("CREATE INDEX event_iri ON event (iri)")
    return counts, written


def _modified(path: Path, graph: str) -> Iterator[ox.Quad]:
    """dcterms:modified of every entity of a kind that carries it, read back from changes.sqlite."""
    carrying = sorted(k.name for k in rules().kinds if k.modified)
    predicate, datatype, target = ox.NamedNode(DCTERMS_MODIFIED), ox.NamedNode(XSD_DATETIME), ox.NamedNode(graph)
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        for iri, modified in connection.execute(
                f"SELECT iri, modified FROM entities WHERE kind IN ({', '.join('?' * len(carrying))})", carrying):
            yield ox.Quad(ox.NamedNode(iri), predicate, ox.Literal(modified, datatype=datatype), target)


def publish_changes(store: ox.Store, generation: Generation, settings: Settings, when: datetime,
                    stage: Callable[[str], None] = lambda name: None, keep_data: bool = False,
                    previous_generation: Generation | None = None, data_file: Path | None = None) -> dict[str, int]:
    """Compare this build with the previous generation, state dcterms:modified, write the change feed.

    The build's one hook (eulod.pipeline.build.load_spool), called after the store is loaded and
    before the dumps are written. Returns the number of members by action. With ``keep_data``
    the data graph's N-Triples this step read out of the store, with the dcterms:modified it
    added, stay in :data:`DATA_FILE` for the dumps (eulod.pipeline.dumps), which then need not
    read the data graph a second time: at 100 000 projects each full read costs minutes.
    ``previous_generation`` is the generation compared with (default: the build folder's current one).
    ``data_file``, when given, already holds the data graph's N-Triples (every triple once, in any
    order: eulod.pipeline.spool_indexes writes it from the spool while the store loads), so the
    store is not read for it.

    Every entity's partial hashes, the comparison and the members are parked in a scratch
    SQLite file and streamed in IRI order (eulod.core.staging), so memory does not grow with
    the number of entities (issue 19); what the step writes is what :func:`compare` and
    :func:`write_pages` make of the same data.
    """
    stage("comparing with the previous build")
    started = time.perf_counter()
    base, graph = settings.base_iri, data_graph_iri(settings)
    current_rules = rules()
    owners = Owners(base, current_rules.kinds)
    previous = read_previous(settings.build_dir, generation, base, previous_generation, entities=False)
    data = data_file if data_file is not None else dump_graph(store, graph, generation.path / DATA_FILE)
    changes_path = generation.path / CHANGES
    with scratch(changes_path) as db:
        scan = scan_to_disk(data, db, owners, current_rules.volatile)
        data_hash = (joined(db.execute("SELECT SUM(l0), SUM(l1), SUM(l2), SUM(l3) FROM part").fetchone())
                     + scan.rest) % MODULUS
        vocabulary = graph_hash(store, vocabulary_graph_iri(settings))
        content = content_hash(data_hash, vocabulary)
        entries, entry_kinds = catalogue_hashes(base, content)
        published = published_time(when, previous.pages)
        catalogue = sorted((iri, entry_kinds[iri], digest, False) for iri, digest in entries.items())
        counts, entities = _write_compared(changes_path, compared(heapq.merge(hashed(db), catalogue),
                                                        stored_entities(previous.generation) if previous.generation
                                                        else iter(()), published),
                                 db, totals(base, data_hash, vocabulary))
        scanned = time.perf_counter()
        stage("writing the change feed")
        modified = _modified(changes_path, graph)
        for first in modified:  # a batch at a time, streamed: none is held in a list
            store.extend(itertools.chain((first,), itertools.islice(modified, MODIFIED_BATCH - 1)))
            store.flush()
        if keep_data:  # the file is the data graph again, as the store now holds it
            with open(data, "ab") as out:
                ox.serialize((q.triple for q in _modified(changes_path, graph)), output=out,
                             format=ox.RdfFormat.N_TRIPLES)
        folder = feed_folder(generation)
        folder.mkdir()
        link_pages(previous, folder)
        pages = previous.pages + write_event_pages(data, owners, db, scan.blank_owners, generation, base, published)
    if not keep_data:
        data.unlink()
    (folder / PAGES_INDEX).write_text(json.dumps({"pages": [p.as_json() for p in pages]}, indent=1), "utf-8")
    log.info("compared %d entities (%d triples) with %s in %.2f s; wrote the change feed in %.2f s: "
             "%d created, %d updated, %d removed, %d pages",
             entities, scan.triples,
             f"generation {previous.generation.id}" if previous.generation else "nothing (a new log)",
             scanned - started, time.perf_counter() - scanned, counts["create"], counts["update"], counts["delete"],
             len(pages))
    return counts
