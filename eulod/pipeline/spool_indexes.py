"""The home page listing's and the search index's rows, and the data graph's N-Triples, read from the
spool while the store loads from it.

At 1 000 000 projects the build's store (20-30 GB) no longer fits in the page cache, and each
answer a whole-store query reads turns every term's id back into its text by a random read
on disk: the listing's queries took 31 minutes after the load (bench/RESULTS.md), five and a
half times those at 300 000 for three times the data, and the search index's more. The spool
the store is bulk-loaded from holds the same triples, record after record, and the bulk
loader leaves the second core idle (it runs outside the GIL). So, beside the load, the same
queries (eulod.core.listing, eulod.core.search: one definition each) run over small in-memory
stores, each holding a group of whole records, and their answers are parked in two scratch
files; the listing and the index are then written from them
(:func:`eulod.core.listing.write_parked_listing`, :func:`eulod.core.search.write_parked_search`)
without reading the loaded store.

Why the answers are the same: a project is described by its own record only (its IRI is the
record's id, and ids are unique), so all its rows come from one group; an in-memory store
writes literals in the same canonical form as the on-disk one; what records say of a shared
organisation comes once per group naming it, and both writers read distinct rows (the listing
keeps the greatest country, the index each distinct text and fact). The spool ends with the
organisations' preferred labels, chosen across records (eulod/pipeline/stream.py): they are
read as a last part, cut at line ends. What the store holds beside the spool (vocabulary,
summaries, dcterms:modified) is not read by either's queries. Tests compare both files with
those written from the sealed store (tests/test_spool_indexes.py, tests/test_streamed_real.py).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

import pyoxigraph as ox

from eulod.core import listing, search
from eulod.core.staging import Stopped, connect, create_tables, fill_tables, finish_tables
from eulod.pipeline import summaries

log = logging.getLogger(__name__)

RECORDS_PER_STORE = 200  # records per in-memory store: about 14 000 triples of generated records
# The page cache of each of the two scratch files while rows are parked. The parking runs beside
# the bulk loader, whose own peak is the build's (1.9 GB at 1 000 000 projects): what it adds is
# these caches, one in-memory store and its answers, about 90 MB (bench/RESULTS.md).
CACHE_KIB = 8 * 1024
TAIL_BYTES = 4 << 20  # the preferred labels after the records, read this much at a time (cut at a line end)


class Parked(NamedTuple):
    """The scratch files holding the parked rows of the listing and of the search index, and the
    file for the data graph's N-Triples (None in a result when the spool could not give them)."""

    listing: Path
    search: Path
    data: Path | None = None


def record_ranges(lengths: Iterable[int], per_store: int | None = None) -> list[tuple[int, int]]:
    """(start, end) byte ranges of groups of ``per_store`` records (:data:`RECORDS_PER_STORE`) in a
    spool holding records of ``lengths`` one after the other from its start (as
    eulod/pipeline/stream.py writes it, and as the published records are copied out of it with
    --skip-invalid)."""
    per_store = per_store or RECORDS_PER_STORE
    ranges: list[tuple[int, int]] = []
    start = end = count = 0
    for length in lengths:
        end += length
        count += 1
        if count == per_store:
            ranges.append((start, end))
            start, count = end, 0
    if end > start:
        ranges.append((start, end))
    return ranges


def parts(spool: BinaryIO, ranges: Iterable[tuple[int, int]], tail_bytes: int | None = None) -> Iterator[bytes]:
    """The N-Triples of each range of ``spool``, then what follows the last range to the end of the
    file (lines that belong to no record: each a triple of its own), in parts of about ``tail_bytes``
    (:data:`TAIL_BYTES`) cut at line ends."""
    tail_bytes = tail_bytes or TAIL_BYTES
    end = 0
    for start, end in ranges:
        spool.seek(start)
        yield spool.read(end - start)
    spool.seek(end)
    carried = b""
    while chunk := spool.read(tail_bytes):
        cut = chunk.rfind(b"\n") + 1
        if cut == 0:
            carried += chunk
            continue
        yield carried + chunk[:cut]
        carried = chunk[cut:]
    if carried.strip():
        yield carried


def park_indexes(spool: BinaryIO, ranges: list[tuple[int, int]], targets: Parked,
                 stop: threading.Event | None = None, base_iri: str | None = None) -> Parked:
    """Park the listing's and the search index's query answers over each group of records of
    ``spool`` (and over the lines after them) in the new scratch files ``targets``, indexed for
    :func:`eulod.core.listing.write_parked_listing` and :func:`eulod.core.search.write_parked_search`.
    ``spool`` is an open file (it may be renamed or removed while this reads it), closed at the
    end. Raises :class:`Stopped` when ``stop`` is set before the end; ``targets`` are then removed.

    With ``targets.data`` and ``base_iri``, the data graph's N-Triples are also written there, as
    the store would write them (:class:`DataLines`); the result names no data file when the
    spool's parts hold blank nodes (their labels differ from part to part)."""
    started = time.perf_counter()
    with spool:
        for target in targets:
            if target is not None:
                target.unlink(missing_ok=True)
        listing_db, search_db = connect(targets.listing, CACHE_KIB), connect(targets.search, CACHE_KIB)
        lines = DataLines(targets.data, base_iri) if targets.data is not None and base_iri else None
        try:
            groups = _park(spool, ranges, listing_db, search_db, stop, lines)
            data = lines.close() if lines is not None else None
        except BaseException:
            for db in (listing_db, search_db):
                db.close()
            if lines is not None:
                lines.discard()
            for target in targets:
                if target is not None:
                    target.unlink(missing_ok=True)
            raise
        listing_db.close()
        search_db.close()
    log.info("read the listing's and the search index's rows%s from %d parts of the spool in %.2f s",
             " and the data graph's N-Triples" if data is not None else "", groups, time.perf_counter() - started)
    return Parked(targets.listing, targets.search, data)


# The listing's file also holds the summaries' own rows (read by eulod.pipeline.summaries before
# the listing is written from it).
LISTING_FILE = (*listing.PARKED, *summaries.PARKED)


def _park(spool: BinaryIO, ranges: list[tuple[int, int]], listing_db: sqlite3.Connection,
          search_db: sqlite3.Connection, stop: threading.Event | None, lines: DataLines | None) -> int:
    create_tables(listing_db, LISTING_FILE)
    create_tables(search_db, search.PARKED)
    groups = 0
    for part in parts(spool, ranges):
        if stop is not None and stop.is_set():
            raise Stopped("the build stopped before the indexes' rows were read from the spool")
        store = ox.Store()
        store.load(part, format=ox.RdfFormat.N_TRIPLES)
        fill_tables(listing_db, LISTING_FILE, store)
        fill_tables(search_db, search.PARKED, store)
        if lines is not None:
            lines.add(store)
        groups += 1
    finish_tables(listing_db, LISTING_FILE)
    finish_tables(search_db, search.PARKED, search.DISTINCT)
    return groups


SORT_MEMORY = "64M"  # sort(1)'s buffer for making the shared lines distinct; beyond it, temporary files


class DataLines:
    """The data graph's N-Triples, from the spool's parts, as the store would dump them.

    Each part's in-memory store writes its triples in the store's canonical text (the on-disk
    store writes the same: bench/RESULTS.md compares them at 100 000 projects). A project's
    lines (subjects under ``project/``, its record's alone) are written as they come; every
    other line (organisations and their identifiers, said by every record naming them, and the
    preferred names after the records) goes to a second file, made distinct by sort(1) at the
    end and appended. Blank nodes are labelled anew by each part, so a part holding one ends
    this: the change step then reads the data graph from the store.
    """

    def __init__(self, target: Path, base_iri: str) -> None:
        self.target = target
        self.shared = target.with_name(target.name + ".shared")
        self.own_prefix = f"<{base_iri}project/".encode("utf-8")
        self.own = open(target, "wb")
        self.others = open(self.shared, "wb")
        self.blank = False

    def add(self, store: ox.Store) -> None:
        if self.blank:
            return
        text = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        if b"_:" in text and any(line.startswith(b"_:") or b" _:" in line for line in text.split(b"\n")):
            self.blank = True
            return
        own, others = self.own.write, self.others.write
        for line in text.splitlines(keepends=True):
            (own if line.startswith(self.own_prefix) else others)(line)

    def close(self) -> Path | None:
        """The data file, complete; None (and no file) when a blank node was seen."""
        self.others.close()
        if self.blank:
            self.own.close()
            self.discard()
            return None
        self.own.flush()
        environment = dict(os.environ, LC_ALL="C")
        subprocess.run(["sort", "-u", "-S", SORT_MEMORY, "-T", str(self.target.parent), str(self.shared)],
                       stdout=self.own, check=True, env=environment)
        self.own.close()
        self.shared.unlink()
        return self.target

    def discard(self) -> None:
        for handle in (self.own, self.others):
            handle.close()
        self.target.unlink(missing_ok=True)
        self.shared.unlink(missing_ok=True)
