"""Hashes of the entities of a data graph, in one streamed pass over its N-Triples (eulod.pipeline.changes).

An entity's hash is the sum, modulo 2**128, of a hash of each of its triples (its own and those
of the IRIs it owns): it does not depend on the order the store returns triples in and needs no
sorting. Blank nodes are named by a hash of what they say, so a relabelled blank node is no
change. The full build parks the partial sums on disk as it goes (:func:`scan_to_disk`), so
memory does not grow with the number of entities; an incremental build scans its few entities
in memory.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyoxigraph as ox

from eulod.core.feed import Owners

MODULUS = 1 << 128


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


def graph_hash(store: ox.Store, graph: str) -> int:
    """A hash of a whole (small) graph's triples, in any order: the lines the store dumps (in
    Rust: ten times faster than a quad at a time), each as :func:`triple_hash` hashes it."""
    lines = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)).splitlines()
    digest = hashlib.blake2b
    return sum(int.from_bytes(digest(line, digest_size=16).digest(), "big") for line in lines if line)


def limbs(value: int) -> tuple[int, int, int, int]:
    """A 128-bit sum as four 32-bit parts: SQLite adds up to 2**31 of each in its 64-bit integers."""
    value %= MODULUS
    return value & 0xFFFFFFFF, (value >> 32) & 0xFFFFFFFF, (value >> 64) & 0xFFFFFFFF, value >> 96


def joined(limbs: Iterable[int | None]) -> int:
    return sum((limb or 0) << (32 * n) for n, limb in enumerate(limbs)) % MODULUS


HELD_ENTITIES = 100_000  # entities whose partial hashes the full scan holds before parking them on disk


def scan_to_disk(data: Path, db: sqlite3.Connection, owners: Owners, volatile: frozenset[str]) -> Scan:
    """:func:`scan_entities` with each entity's partial sums parked in ``db``'s ``part`` table."""
    db.execute("CREATE TABLE part (entity TEXT NOT NULL, kind TEXT NOT NULL, l0 INTEGER, l1 INTEGER, l2 INTEGER, "
               "l3 INTEGER)")

    def spill(kinds: dict[str, str], sums: dict[str, int]) -> None:
        db.executemany("INSERT INTO part VALUES (?, ?, ?, ?, ?, ?)",
                       ((entity, kind, *limbs(sums.get(entity, 0))) for entity, kind in kinds.items()))

    with open(data, "rb") as lines:
        scan = scan_entities(lines, owners, volatile, spill, HELD_ENTITIES)
    db.execute("CREATE INDEX part_entity ON part (entity)")
    return scan


def hashed(db: sqlite3.Connection) -> Iterator[tuple[str, str, str, bool]]:
    """(entity, kind, hash, True) of every entity of the data graph, in IRI order, from the parked parts."""
    for entity, kind, *limbs in db.execute("SELECT entity, MIN(kind), SUM(l0), SUM(l1), SUM(l2), SUM(l3) FROM part "
                                           "GROUP BY entity ORDER BY entity"):
        yield entity, kind, hex128(joined(limbs)), True
