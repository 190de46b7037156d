"""The home page listing's rows, read from the records' N-Triples while the store is loaded from them.

At 1 000 000 projects the build's store (20-30 GB) no longer fits in the page cache, and each
answer a whole-store query reads turns every term's id back into its text by a random read
on disk: the listing's seven queries took 31 minutes after the load (bench/RESULTS.md), five
and a half times those at 300 000 for three times the data. The spool the store is
bulk-loaded from holds the same triples, record after record, and the bulk loader leaves the
second core idle (it runs outside the GIL). So, beside the load, the same queries
(eulod.core.listing, one definition) run over small in-memory stores, each holding a group of
whole records, and their answers are parked in a scratch file; the listing is then written
from it (:func:`eulod.core.listing.write_parked_listing`) without reading the loaded store.

Why the answers are the same: a project is described by its own record only (its IRI is the
record's id, and ids are unique), so all its rows come from one group; an in-memory store
writes literals in the same canonical form as the on-disk one; the rows an organisation's
country gives are repeated per group and the listing keeps the greatest, as it does for one
store. What the store holds beside the records (vocabulary, summaries, dcterms:modified, the
preferred labels) is not read by the listing's queries. A test compares the two on generated
and real builds (tests/test_spool_listing.py, tests/test_streamed_real.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from eulod.core import listing
from eulod.core.staging import connect

log = logging.getLogger(__name__)

RECORDS_PER_STORE = 500  # records per in-memory store: about 35 000 triples of generated records


class Stopped(Exception):
    """The build stopped (the load failed) before the rows were all parked."""


def record_ranges(lengths: Iterable[int], per_store: int = RECORDS_PER_STORE) -> list[tuple[int, int]]:
    """(start, end) byte ranges of groups of ``per_store`` records in a spool holding records of
    ``lengths`` one after the other from its start (as eulod/pipeline/stream.py writes it, and as
    the published records are copied out of it with --skip-invalid)."""
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


def record_groups(spool: BinaryIO, ranges: Iterable[tuple[int, int]]) -> Iterator[bytes]:
    """The N-Triples of each range of ``spool``."""
    for start, end in ranges:
        spool.seek(start)
        yield spool.read(end - start)


def park_listing(spool: BinaryIO, ranges: list[tuple[int, int]], target: Path,
                 stop: threading.Event | None = None) -> Path:
    """Park the listing queries' answers over each group of records of ``spool`` in the new scratch
    file ``target``, indexed for :func:`eulod.core.listing.write_parked_listing`; returns ``target``.
    ``spool`` is an open file (it may be renamed or removed while this reads it), closed at the end. Raises
    :class:`Stopped` when ``stop`` is set before the end; ``target`` is then removed."""
    started = time.perf_counter()
    target.unlink(missing_ok=True)
    with spool:
        return _park(spool, ranges, target, stop, started)


def _park(spool: BinaryIO, ranges: list[tuple[int, int]], target: Path, stop: threading.Event | None,
          started: float) -> Path:
    db = connect(target)
    try:
        listing.park_tables(db)
        for chunk in record_groups(spool, ranges):
            if stop is not None and stop.is_set():
                raise Stopped(f"parking the listing's rows stopped before {target.name} was complete")
            store = ox.Store()
            store.load(chunk, format=ox.RdfFormat.N_TRIPLES)
            listing.park_rows(db, store)
        listing.index_tables(db)
    except BaseException:
        db.close()
        target.unlink(missing_ok=True)
        raise
    db.close()
    log.info("read the listing's rows from %d groups of records in %.2f s", len(ranges), time.perf_counter() - started)
    return target
