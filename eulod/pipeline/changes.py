"""What a build changed against the generation before it: hashes, dcterms:modified, the change feed.

One call, :func:`publish_changes`, runs in a build after the store is loaded and before the
dumps are written (eulod.pipeline.build.load_generation). It

1. hashes every entity of the data graph (projects, organisations: eulod/core/feed.yaml) in one
   streamed pass over the store: an entity's hash is the sum, modulo 2**128, of a hash of each
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
   entity's description as stored (a second streamed pass, over the changed entities' triples).

``changes.sqlite`` also keeps the data graph's hash (its ``totals``), so that an incremental
build (eulod/pipeline/incremental_changes.py) can move it by the triples it changed alone.

The format of the log is eulod.core.feed's, shared with the endpoint that serves it.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import logging
import os
import shutil
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyoxigraph as ox

from eulod import __version__
from eulod.core.config import Settings
from eulod.core.feed import (
    CHANGES,
    DCTERMS_MODIFIED,
    PAGE_SUFFIX,
    PAGES_INDEX,
    XSD_DATETIME,
    Owners,
    Page,
    activity_triples,
    dataset_iri,
    dump_distribution_iri,
    feed_distribution_iri,
    feed_folder,
    page_file,
    read_pages,
    rules,
    sparql_distribution_iri,
)
from eulod.core.generation import DUMP_NAME, Generation, current_generation, data_graph_iri, vocabulary_graph_iri
from eulod.core.staging import scratch
from eulod.pipeline.dumps import FILES

log = logging.getLogger(__name__)

MODULUS = 1 << 128
FLUSH_LINES = 200_000  # description lines held for the pages before they are appended to their files


def triple_hash(line: str) -> int:
    """A 128-bit hash of one triple's N-Triples line (``<s> <p> <o> .``)."""
    return int.from_bytes(hashlib.blake2b(line.encode("utf-8"), digest_size=16).digest(), "big")


def hex128(value: int) -> str:
    return f"{value % MODULUS:032x}"


@dataclass
class Scan:
    """What one pass over the data graph found: each entity's kind and hash, and the hash of the rest."""

    kinds: dict[str, str] = field(default_factory=dict)
    sums: dict[str, int] = field(default_factory=dict)
    rest: int = 0  # triples of no entity (source records, documents, programmes)
    blank_owners: dict[str, set[str]] = field(default_factory=dict)  # blank node id -> entities describing it
    triples: int = 0

    def hashes(self) -> dict[str, str]:
        return {entity: hex128(total) for entity, total in self.sums.items()}


class BlankNames:
    """Names for blank nodes from what they say: the hash of their sorted description, nested
    blank nodes named the same way first; a cycle of blank nodes is named by position."""

    def __init__(self, described: dict[str, list[tuple[str, ox.Term]]]) -> None:
        self.described = described
        self.names: dict[str, str] = {}

    def name(self, node: str, path: tuple[str, ...] = ()) -> str:
        if node in self.names:
            return self.names[node]
        if node in path:
            return f"_:cycle{len(path) - path.index(node)}"
        lines = sorted(f"{p} {self.term(o, (*path, node))}" for p, o in self.described.get(node, []))
        name = "_:h" + hashlib.blake2b("\n".join(lines).encode("utf-8"), digest_size=16).hexdigest()
        if not path or node not in path:
            self.names[node] = name
        return name

    def term(self, term: ox.Term, path: tuple[str, ...] = ()) -> str:
        return self.name(term.value, path) if isinstance(term, ox.BlankNode) else str(term)

    def closure(self, node: str, seen: set[str] | None = None) -> Iterator[tuple[str, str]]:
        """(blank node id, canonical N-Triples line) of every triple of ``node`` and the blank nodes under it."""
        seen = seen if seen is not None else set()
        if node in seen:
            return
        seen.add(node)
        for predicate, obj in self.described.get(node, []):
            yield node, f"{self.name(node)} {predicate} {self.term(obj)} ."
            if isinstance(obj, ox.BlankNode):
                yield from self.closure(obj.value, seen)


Spill = Callable[[dict[str, str], dict[str, int]], None]


def scan_entities(lines: Iterable[bytes], owners: Owners, volatile: frozenset[str], spill: Spill | None = None,
                  held: int = 100_000) -> Scan:
    """Hash every entity of one graph's N-Triples lines in one pass: see the module's docstring.

    Lines as the store writes them (``Store.dump``, in Rust): a line is hashed as it is, its
    subject read up to the first space (an IRI has none); only lines with a blank node are parsed.

    With ``spill``, the kinds and partial sums are handed to it whenever ``held`` entities are
    held, and at the end, and the scan returned holds none (the full build sums the parts on
    disk: :func:`publish_changes`); an entity may then be spilled several times, its parts to be added.
    """
    scan = Scan()
    kinds, sums = scan.kinds, scan.sums
    blanks: dict[str, list[tuple[str, ox.Term]]] = {}
    pointing: list[tuple[str, str, str, str, str]] = []  # (entity, kind, subject, predicate, blank object id)
    last_subject, found = b"", None  # the store writes a subject's triples together: one look-up per subject
    skip = tuple(f"<{iri}>".encode() for iri in volatile)
    digest = hashlib.blake2b
    rest = 0
    for line in lines:
        line = line.rstrip(b"\n")
        if not line:
            continue
        scan.triples += 1
        subject, predicate, obj = line.split(b" ", 2)
        if predicate in skip:
            continue
        if subject.startswith(b"_:") or obj.startswith(b"_:"):
            triple = next(iter(ox.parse(line + b"\n", ox.RdfFormat.N_TRIPLES))).triple
            if isinstance(triple.subject, ox.BlankNode):
                blanks.setdefault(triple.subject.value, []).append((str(triple.predicate), triple.object))
                continue
        if subject != last_subject:
            last_subject, found = subject, owners.owner(subject[1:-1].decode("utf-8"))
        if found is None:
            if not obj.startswith(b"_:"):
                rest += int.from_bytes(digest(line, digest_size=16).digest(), "big")
            continue
        kind, entity = found
        kinds[entity] = kind
        if obj.startswith(b"_:"):
            pointing.append((entity, kind, subject.decode("utf-8"), predicate.decode("utf-8"),
                             obj[2:].split(b" ")[0].decode()))
            continue
        sums[entity] = sums.get(entity, 0) + int.from_bytes(digest(line, digest_size=16).digest(), "big")
        if spill is not None and len(kinds) >= held:
            spill(kinds, sums)
            kinds.clear()
            sums.clear()
    if blanks or pointing:
        names = BlankNames(blanks)
        for entity, kind, subject_text, predicate_text, node in pointing:
            total = triple_hash(f"{subject_text} {predicate_text} {names.name(node)} .")
            for described, line_text in names.closure(node):
                total += triple_hash(line_text)
                scan.blank_owners.setdefault(described, set()).add(entity)
            sums[entity] = sums.get(entity, 0) + total
            kinds[entity] = kind
        for node in blanks:  # blank nodes no entity points to
            if node not in scan.blank_owners:
                rest += sum(triple_hash(line_text) for _, line_text in names.closure(node, set()))
    for entity in kinds:
        sums.setdefault(entity, 0)
    if spill is not None:
        spill(kinds, sums)
        kinds.clear()
        sums.clear()
    scan.rest = rest
    return scan


DATA_FILE = ".feed-data.nt"  # the data graph's N-Triples, in the generation while it is built


def dump_graph(store: ox.Store, graph: str, target: Path) -> Path:
    """One graph's N-Triples, written by the store itself (no Python per triple): what both passes read."""
    store.dump(output=str(target), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
    return target


def graph_hash(store: ox.Store, graph: str) -> int:
    """A hash of a whole (small) graph's triples, in any order: the lines the store dumps (in
    Rust: ten times faster than a quad at a time), each as :func:`triple_hash` hashes it."""
    lines = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)).splitlines()
    digest = hashlib.blake2b
    return sum(int.from_bytes(digest(line, digest_size=16).digest(), "big") for line in lines if line)


@dataclass(frozen=True)
class Previous:
    """What the generation before this build published: entity -> (kind, hash, modified), its pages."""

    generation: Generation | None
    entities: dict[str, tuple[str, str, str]]
    pages: list[Page]


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


@dataclass
class Diff:
    """Entity -> action ("create", "update", "delete"), and each current entity's kind, hash and modified."""

    actions: dict[str, str] = field(default_factory=dict)
    current: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    def count(self, action: str) -> int:
        return sum(1 for a in self.actions.values() if a == action)


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


def link_pages(previous: Previous, folder: Path) -> None:
    """The previous generation's page files in this one: hard links (no copy of data), or copies
    where the file system cannot link. Pages never change, so sharing their files is safe."""
    if previous.generation is None:
        return
    source_folder, target_folder = str(feed_folder(previous.generation)), str(folder)
    for page in previous.pages:  # plain strings: a log of thousands of pages links in a moment
        name = f"{page.name}{PAGE_SUFFIX}"
        source, target = os.path.join(source_folder, name), os.path.join(target_folder, name)
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)


def published_time(now: datetime, pages: list[Page]) -> str:
    """This build's timestamp for its members, never before the log's last (LDES: timestamps only grow)."""
    stamp = now.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")  # as the store writes it back
    if pages and datetime.fromisoformat(pages[-1].published) > now:
        return pages[-1].published
    return stamp


EVENTS = """CREATE TABLE event (
    n INTEGER PRIMARY KEY,  -- the member's number in this build's log, from 0, in IRI order
    iri TEXT NOT NULL,
    action TEXT NOT NULL,   -- create, update, delete
    kind TEXT NOT NULL,
    described INTEGER NOT NULL,  -- 1: an entity of the data graph whose description the page carries
    modified TEXT
)"""


def write_pages(data: Path, owners: Owners, scan: Scan, diff: Diff, generation: Generation,
                base_iri: str, published: str) -> list[Page]:
    """This build's pages from an in-memory ``diff`` (an incremental build's few entities):
    :func:`write_event_pages` over its events."""
    db = sqlite3.connect(":memory:")
    try:
        db.execute(EVENTS)
        db.executemany("INSERT INTO event VALUES (?, ?, ?, ?, ?, ?)", (
            (n, entity, action, *(_state(diff, entity, scan)))
            for n, (entity, action) in enumerate(sorted(diff.actions.items()))))
        db.execute("CREATE INDEX event_iri ON event (iri)")
        return write_event_pages(data, owners, db, scan.blank_owners, generation, base_iri, published)
    finally:
        db.close()


def _state(diff: Diff, entity: str, scan: Scan) -> tuple[str, int, str | None]:
    kind, _digest, modified = diff.current.get(entity, ("", "", None))
    return kind, int(entity in scan.kinds and entity in diff.current), modified


def write_event_pages(data: Path, owners: Owners, events: sqlite3.Connection, blank_owners: dict[str, set[str]],
                      generation: Generation, base_iri: str, published: str) -> list[Page]:
    """This build's pages: members in IRI order, ``page_size`` to a page, and beside each Create or
    Update the entity's description, gathered in a second pass over the graph's N-Triples
    (``data``, as dumped before dcterms:modified was stated; that triple is added from the events).

    ``events`` holds the :data:`EVENTS` table, indexed on ``iri``: the pages' lines are appended
    to their files ``FLUSH_LINES`` at a time, and a subject's page is asked of the table once
    per run of its lines, so memory does not grow with the number of members.
    """
    size = rules().page_size
    (count,) = events.execute("SELECT COUNT(*) FROM event").fetchone()
    if not count:
        return []
    folder = feed_folder(generation)
    names = [f"{generation.id}-{k + 1:05d}" for k in range((count + size - 1) // size)]
    carrying = {k.name for k in rules().kinds if k.modified}
    buffers: dict[int, list[bytes]] = {}
    held = 0

    def flush() -> None:
        for index, lines in buffers.items():
            with open(folder / f"{names[index]}.nt.part", "ab") as handle:
                handle.writelines(lines)
        buffers.clear()

    described = False
    for number, entity, action, kind, carries, modified in events.execute(
            "SELECT n, iri, action, kind, described, modified FROM event ORDER BY n"):
        index = number // size
        lines = buffers.setdefault(index, [])
        lines.extend(f"{t} .\n".encode("utf-8") for t in activity_triples(base_iri, names[index], number % size + 1,
                                                                          action, entity, published))
        held += 4
        if carries:
            described = True
            if kind in carrying:
                lines.append(f'<{entity}> <{DCTERMS_MODIFIED}> "{modified}"^^<{XSD_DATETIME}> .\n'.encode("utf-8"))
        if held >= FLUSH_LINES:
            flush()
            held = 0
    flush()
    held = 0
    if described:
        ask = "SELECT n FROM event WHERE iri = ? AND described = 1"

        def page(entity: str) -> int | None:
            found = events.execute(ask, (entity,)).fetchone()
            return found[0] // size if found else None

        blank_pages = {node: tuple(p for p in map(page, sorted(entities)) if p is not None)
                       for node, entities in blank_owners.items()}
        last_subject, targets = b"", ()  # a subject's lines are together in the dump: one look-up per subject
        with open(data, "rb") as handle:
            for line in handle:
                subject = line[:line.index(b" ")]
                if subject != last_subject:
                    last_subject = subject
                    if subject.startswith(b"_:"):
                        targets = blank_pages.get(subject[2:].decode("utf-8"), ())
                    else:
                        found = owners.owner(subject[1:-1].decode("utf-8"))
                        index = page(found[1]) if found else None
                        targets = (index,) if index is not None else ()
                for index in targets:
                    buffers.setdefault(index, []).append(line)
                    held += 1
                if held >= FLUSH_LINES:
                    flush()
                    held = 0
        flush()
    pages = []
    for index, name in enumerate(names):
        part, final = folder / f"{name}.nt.part", page_file(generation, name)
        os.replace(part, final)
        members = min(size, count - index * size)
        pages.append(Page(name, published, members, hashlib.sha256(final.read_bytes()).hexdigest()))
    return pages


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


def _limbs(value: int) -> tuple[int, int, int, int]:
    """A 128-bit sum as four 32-bit parts: SQLite adds up to 2**31 of each in its 64-bit integers."""
    value %= MODULUS
    return value & 0xFFFFFFFF, (value >> 32) & 0xFFFFFFFF, (value >> 64) & 0xFFFFFFFF, value >> 96


def _joined(limbs: Iterable[int | None]) -> int:
    return sum((limb or 0) << (32 * n) for n, limb in enumerate(limbs)) % MODULUS


HELD_ENTITIES = 100_000  # entities whose partial hashes the full scan holds before parking them on disk


def _scan_to_disk(data: Path, db: sqlite3.Connection, owners: Owners, volatile: frozenset[str]) -> Scan:
    """:func:`scan_entities` with each entity's partial sums parked in ``db``'s ``part`` table."""
    db.execute("CREATE TABLE part (entity TEXT NOT NULL, kind TEXT NOT NULL, l0 INTEGER, l1 INTEGER, l2 INTEGER, "
               "l3 INTEGER)")

    def spill(kinds: dict[str, str], sums: dict[str, int]) -> None:
        db.executemany("INSERT INTO part VALUES (?, ?, ?, ?, ?, ?)",
                       ((entity, kind, *_limbs(sums.get(entity, 0))) for entity, kind in kinds.items()))

    with open(data, "rb") as lines:
        scan = scan_entities(lines, owners, volatile, spill, HELD_ENTITIES)
    db.execute("CREATE INDEX part_entity ON part (entity)")
    return scan


def _hashed(db: sqlite3.Connection) -> Iterator[tuple[str, str, str, bool]]:
    """(entity, kind, hash, True) of every entity of the data graph, in IRI order, from the parked parts."""
    for entity, kind, *limbs in db.execute("SELECT entity, MIN(kind), SUM(l0), SUM(l1), SUM(l2), SUM(l3) FROM part "
                                           "GROUP BY entity ORDER BY entity"):
        yield entity, kind, hex128(_joined(limbs)), True


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
                    previous_generation: Generation | None = None) -> dict[str, int]:
    """Compare this build with the previous generation, state dcterms:modified, write the change feed.

    The build's one hook (eulod.pipeline.build.load_spool), called after the store is loaded and
    before the dumps are written. Returns the number of members by action. With ``keep_data``
    the data graph's N-Triples this step read out of the store, with the dcterms:modified it
    added, stay in :data:`DATA_FILE` for the dumps (eulod.pipeline.dumps), which then need not
    read the data graph a second time: at 100 000 projects each full read costs minutes.
    ``previous_generation`` is the generation compared with (default: the build folder's current one).

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
    data = dump_graph(store, graph, generation.path / DATA_FILE)
    changes_path = generation.path / CHANGES
    with scratch(changes_path) as db:
        scan = _scan_to_disk(data, db, owners, current_rules.volatile)
        data_hash = (_joined(db.execute("SELECT SUM(l0), SUM(l1), SUM(l2), SUM(l3) FROM part").fetchone())
                     + scan.rest) % MODULUS
        vocabulary = graph_hash(store, vocabulary_graph_iri(settings))
        content = content_hash(data_hash, vocabulary)
        entries, entry_kinds = catalogue_hashes(base, content)
        published = published_time(when, previous.pages)
        catalogue = sorted((iri, entry_kinds[iri], digest, False) for iri, digest in entries.items())
        counts, entities = _write_compared(changes_path, compared(heapq.merge(_hashed(db), catalogue),
                                                        stored_entities(previous.generation) if previous.generation
                                                        else iter(()), published),
                                 db, totals(base, data_hash, vocabulary))
        scanned = time.perf_counter()
        stage("writing the change feed")
        store.extend(_modified(changes_path, graph))
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
