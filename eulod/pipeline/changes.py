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
import json
import logging
import os
import shutil
import sqlite3
import time
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


def scan_entities(lines: Iterable[bytes], owners: Owners, volatile: frozenset[str]) -> Scan:
    """Hash every entity of one graph's N-Triples lines in one pass: see the module's docstring.

    Lines as the store writes them (``Store.dump``, in Rust): a line is hashed as it is, its
    subject read up to the first space (an IRI has none); only lines with a blank node are parsed.
    """
    scan = Scan()
    kinds, sums = scan.kinds, scan.sums
    blanks: dict[str, list[tuple[str, ox.Term]]] = {}
    pointing: list[tuple[str, str, str, str]] = []  # (entity, subject, predicate, blank object id)
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
            pointing.append((entity, subject.decode("utf-8"), predicate.decode("utf-8"), obj[2:].split(b" ")[0].decode()))
            continue
        sums[entity] = sums.get(entity, 0) + int.from_bytes(digest(line, digest_size=16).digest(), "big")
    if blanks or pointing:
        names = BlankNames(blanks)
        for entity, subject_text, predicate_text, node in pointing:
            total = triple_hash(f"{subject_text} {predicate_text} {names.name(node)} .")
            for described, line_text in names.closure(node):
                total += triple_hash(line_text)
                scan.blank_owners.setdefault(described, set()).add(entity)
            sums[entity] = sums.get(entity, 0) + total
        for node in blanks:  # blank nodes no entity points to
            if node not in scan.blank_owners:
                rest += sum(triple_hash(line_text) for _, line_text in names.closure(node, set()))
    for entity in kinds:
        sums.setdefault(entity, 0)
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


def read_previous(build_dir: Path, this: Generation, base_iri: str, generation: Generation | None = None) -> Previous:
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
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        entities = {iri: (kind, digest, modified)
                    for iri, kind, digest, modified in connection.execute("SELECT iri, kind, hash, modified FROM entities")}
    return Previous(previous, entities, read_pages(previous))


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


def modified_quads(diff: Diff, graph: str) -> Iterator[ox.Quad]:
    """dcterms:modified of every entity of a kind that carries it (feed.yaml)."""
    carrying = {k.name for k in rules().kinds if k.modified}
    predicate, datatype, target = ox.NamedNode(DCTERMS_MODIFIED), ox.NamedNode(XSD_DATETIME), ox.NamedNode(graph)
    for entity, (kind, _digest, modified) in diff.current.items():
        if kind in carrying:
            yield ox.Quad(ox.NamedNode(entity), predicate, ox.Literal(modified, datatype=datatype), target)


FORMAT = 1  # of changes.sqlite and its hashes: raise it when either changes, so no build trusts an older file's totals


def rules_fingerprint(base_iri: str) -> str:
    """What the hashes of a changes.sqlite depend on besides the data: its format, the base IRI and
    feed.yaml's kinds and volatile predicates. An incremental build (eulod.pipeline.incremental_changes)
    updates a previous file only when its fingerprint is this one."""
    current = rules()
    text = json.dumps([FORMAT, base_iri, [[k.name, k.path, k.modified] for k in current.kinds],
                       sorted(current.volatile)])
    return hex128(triple_hash(text))


def write_changes(path: Path, diff: Diff, totals: dict[str, str]) -> None:
    """The entities' kinds, hashes and modified times: what the next build compares with.

    ``totals`` (:func:`totals`) keeps what the catalogue's content hash is made of, so that an
    incremental build can update it from the triples it changed alone."""
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE entities (iri TEXT PRIMARY KEY, kind TEXT NOT NULL, hash TEXT NOT NULL,"
                           " modified TEXT NOT NULL) WITHOUT ROWID")
        connection.executemany("INSERT INTO entities VALUES (?, ?, ?, ?)",
                               ((iri, *state) for iri, state in sorted(diff.current.items())))
        connection.execute("CREATE TABLE totals (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
        connection.executemany("INSERT INTO totals VALUES (?, ?)", sorted(totals.items()))
    connection.close()


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


def write_pages(data: Path, owners: Owners, scan: Scan, diff: Diff, generation: Generation,
                base_iri: str, published: str) -> list[Page]:
    """This build's pages: members in IRI order, ``page_size`` to a page, and beside each Create or
    Update the entity's description, gathered in a second pass over the graph's N-Triples
    (``data``, as dumped before dcterms:modified was stated; that triple is added from ``diff``)."""
    size = rules().page_size
    events = sorted(diff.actions.items())
    if not events:
        return []
    folder = feed_folder(generation)
    names = [f"{generation.id}-{k + 1:05d}" for k in range((len(events) + size - 1) // size)]
    carrying = {k.name for k in rules().kinds if k.modified}
    page_of: dict[str, int] = {}
    buffers: dict[int, list[bytes]] = {}
    for number, (entity, action) in enumerate(events):
        index = number // size
        lines = buffers.setdefault(index, [])
        lines.extend(f"{t} .\n".encode("utf-8") for t in activity_triples(base_iri, names[index], number % size + 1,
                                                                          action, entity, published))
        if action != "delete" and entity in scan.kinds:
            page_of[entity] = index
            kind, _digest, modified = diff.current[entity]
            if kind in carrying:
                lines.append(f'<{entity}> <{DCTERMS_MODIFIED}> "{modified}"^^<{XSD_DATETIME}> .\n'.encode("utf-8"))
    held = 0

    def flush() -> None:
        for index, lines in buffers.items():
            with open(folder / f"{names[index]}.nt.part", "ab") as handle:
                handle.writelines(lines)
        buffers.clear()

    flush()
    if page_of:
        last_subject, targets = b"", ()  # a subject's lines are together in the dump: one look-up per subject
        blank_pages = {node: tuple(page_of[e] for e in entities if e in page_of)
                       for node, entities in scan.blank_owners.items()}
        with open(data, "rb") as handle:
            for line in handle:
                subject = line[:line.index(b" ")]
                if subject != last_subject:
                    last_subject = subject
                    if subject.startswith(b"_:"):
                        targets = blank_pages.get(subject[2:].decode("utf-8"), ())
                    else:
                        found = owners.owner(subject[1:-1].decode("utf-8"))
                        targets = (page_of[found[1]],) if found and found[1] in page_of else ()
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
        members = min(size, len(events) - index * size)
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
    """
    stage("comparing with the previous build")
    started = time.perf_counter()
    base, graph = settings.base_iri, data_graph_iri(settings)
    current_rules = rules()
    owners = Owners(base, current_rules.kinds)
    previous = read_previous(settings.build_dir, generation, base, previous_generation)
    data = dump_graph(store, graph, generation.path / DATA_FILE)
    with open(data, "rb") as lines:
        scan = scan_entities(lines, owners, current_rules.volatile)
    hashes = scan.hashes()
    data_hash = sum(scan.sums.values()) + scan.rest
    vocabulary = graph_hash(store, vocabulary_graph_iri(settings))
    content = content_hash(data_hash, vocabulary)
    entries, entry_kinds = catalogue_hashes(base, content)
    published = published_time(when, previous.pages)
    diff = compare({**hashes, **entries}, {**scan.kinds, **entry_kinds}, previous.entities, published)
    scanned = time.perf_counter()
    stage("writing the change feed")
    store.extend(modified_quads(diff, graph))
    store.flush()
    if keep_data:  # the file is the data graph again, as the store now holds it
        with open(data, "ab") as out:
            ox.serialize((q.triple for q in modified_quads(diff, graph)), output=out, format=ox.RdfFormat.N_TRIPLES)
    folder = feed_folder(generation)
    folder.mkdir()
    write_changes(generation.path / CHANGES, diff, totals(base, data_hash, vocabulary))
    link_pages(previous, folder)
    pages = previous.pages + write_pages(data, owners, scan, diff, generation, base, published)
    if not keep_data:
        data.unlink()
    (folder / PAGES_INDEX).write_text(json.dumps({"pages": [p.as_json() for p in pages]}, indent=1), "utf-8")
    counts = {action: diff.count(action) for action in ("create", "update", "delete")}
    log.info("compared %d entities (%d triples) with %s in %.2f s; wrote the change feed in %.2f s: "
             "%d created, %d updated, %d removed, %d pages",
             len(hashes) + len(entries), scan.triples,
             f"generation {previous.generation.id}" if previous.generation else "nothing (a new log)",
             scanned - started, time.perf_counter() - scanned, counts["create"], counts["update"], counts["delete"],
             len(pages))
    return counts
