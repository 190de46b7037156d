"""A scratch SQLite file where a whole-store read is parked, so that memory does not grow with the data.

The listing and the search index are built from several queries over the whole store, each
answering rows about many entities in the store's own order (pyoxigraph's is by hashes of
terms). Joining those answers in Python dicts held every project's facts at once: about
10 GB at 1 000 000 projects (issue 19). Parked here instead, each answer is a table on
disk, sorted by SQLite (which spills to temporary files, not to the heap), and read back
one entity at a time in IRI order by :func:`grouped` and :func:`merged`: the memory a
writer needs is that of one entity and SQLite's page cache, whatever the size of the store.

The file lives beside the one being written (same disk, same permissions) and is removed
when the block ends, whether or not it ended well.
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CACHE_KIB = 64 * 1024  # SQLite's page cache for the scratch file; sorting beyond it goes to temporary files
BULK_ROWS = 10_000  # rows packed in one JSON text by :func:`in_bulk`


@contextmanager
def scratch(beside: Path) -> Iterator[sqlite3.Connection]:
    """A connection to a new, empty scratch database beside ``beside``, deleted afterwards.

    No journal and no syncing: the file is thrown away whatever happens, so there is nothing
    to recover. Sorting and indexing use files, never memory beyond the page cache.
    """
    path = beside.with_name(f".{beside.name}.{os.getpid()}.scratch")
    path.unlink(missing_ok=True)
    with taken(path) as db:
        yield db


def connect(path: Path, cache_kib: int = CACHE_KIB) -> sqlite3.Connection:
    """A connection to the scratch file ``path`` (made if missing) with :func:`scratch`'s settings:
    for a file one thread parks rows in and another reads (:func:`taken`). ``cache_kib``: its page cache."""
    db = sqlite3.connect(path)
    db.executescript(f"PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = FILE; "
                     f"PRAGMA cache_size = -{cache_kib};")
    return db


class Stopped(Exception):
    """Parking rows, or writing a file from parked rows, was stopped: the build failed meanwhile."""


@contextmanager
def opened(path: Path, cache_kib: int = CACHE_KIB) -> Iterator[sqlite3.Connection]:
    """A connection to the scratch file ``path``, closed when the block ends (the file stays)."""
    db = connect(path, cache_kib)
    try:
        yield db
    finally:
        db.close()


@contextmanager
def taken(path: Path, cache_kib: int = CACHE_KIB) -> Iterator[sqlite3.Connection]:
    """A connection to the scratch file ``path``, which is deleted when the block ends, however it ends."""
    try:
        with opened(path, cache_kib) as db:
            yield db
    finally:
        path.unlink(missing_ok=True)


def park(db: sqlite3.Connection, table: str, columns: str, rows: Iterable[tuple], *,
         unique: str | None = None, index: str | None = None) -> None:
    """Create ``table`` (``columns``: its column names, comma-separated) in ``db`` and fill it
    with ``rows``. ``unique`` (columns) keeps one row per such key, the first
    one given; ``index`` (columns) is indexed once the rows are in, for reading in that order."""
    create(db, table, columns, unique)
    fill(db, table, columns, rows)
    finish(db, table, index)


def create(db: sqlite3.Connection, table: str, columns: str, unique: str | None = None) -> None:
    """The empty ``table`` of :func:`park`, for rows that come in several parts (:func:`fill`)."""
    key = f", PRIMARY KEY ({unique})" if unique else ""
    db.execute(f"CREATE TABLE {table} ({columns}{key})")


def fill(db: sqlite3.Connection, table: str, columns: str, rows: Iterable[tuple]) -> None:
    """Add ``rows`` to ``table`` (a row whose unique key is in already is left out)."""
    marks = ", ".join("?" * len(columns.split(",")))
    db.executemany(f"INSERT OR IGNORE INTO {table} VALUES ({marks})", rows)  # one row at a time: none is held


# A table that a store's answer is parked in: (name, columns, one key kept or None, read in
# order of or None, the reader giving its rows from a store).
Table = tuple[str, str, "str | None", "str | None", Callable[[Any], Iterable[tuple]]]


def create_tables(db: sqlite3.Connection, tables: Iterable[Table]) -> None:
    """The empty ``tables``, for :func:`fill_tables` of one store or of many."""
    for name, columns, unique, _, _ in tables:
        create(db, name, columns, unique)


def fill_tables(db: sqlite3.Connection, tables: Iterable[Table], store: Any) -> None:
    """Each table's reader's answer over ``store``, added to it."""
    for name, columns, _, _, read in tables:
        fill(db, name, columns, read(store))


def finish_tables(db: sqlite3.Connection, tables: Iterable[Table], distinct: bool = False) -> None:
    """Index ``tables`` once all their rows are in; with ``distinct``, the tables without a kept key
    are first made distinct (rows that several parked stores repeat are then read once)."""
    for name, columns, unique, order, _ in tables:
        if distinct and unique is None:
            db.execute(f"ALTER TABLE {name} RENAME TO {name}_parked")
            db.execute(f"CREATE TABLE {name} AS SELECT DISTINCT {columns} FROM {name}_parked")
            db.execute(f"DROP TABLE {name}_parked")
        finish(db, name, order)


def finish(db: sqlite3.Connection, table: str, index: str | None = None) -> None:
    """Index ``table`` for reading in ``index`` order, once all its rows are in (a sort, not a row at a time)."""
    if index:
        db.execute(f"CREATE INDEX {table}_order ON {table} ({index})")
    db.commit()


def grouped(cursor: Iterable[tuple]) -> Iterator[tuple[Any, list[tuple]]]:
    """(key, rows) for rows sorted by their first column: each key's rows, without the key."""
    for key, rows in itertools.groupby(cursor, key=lambda row: row[0]):
        yield key, [row[1:] for row in rows]


def merged(keys: Iterable[Any], *streams: Iterable[tuple[Any, list[tuple]]]) -> Iterator[tuple[Any, list[list[tuple]]]]:
    """For each of ``keys`` (ascending), its rows in each of ``streams`` (each as :func:`grouped`
    gives them, ascending by the same order): a merge join, one key in memory at a time. Keys
    of a stream that are not in ``keys`` are skipped.

    The order must be the same on both sides: SQLite's BINARY collation compares UTF-8 bytes,
    which orders text as Python compares str (by code point).
    """
    heads: list[tuple[Any, list[tuple]] | None] = []
    iterators = [iter(stream) for stream in streams]
    for iterator in iterators:
        heads.append(next(iterator, None))
    for key in keys:
        found: list[list[tuple]] = []
        for n, iterator in enumerate(iterators):
            head = heads[n]
            while head is not None and head[0] < key:
                head = next(iterator, None)
            if head is not None and head[0] == key:
                found.append(head[1])
                head = next(iterator, None)
            else:
                found.append([])
            heads[n] = head
        yield key, found


def in_bulk(db: sqlite3.Connection, query: str, columns: Sequence[str], params: Sequence[Any] = (),
            rows: int = BULK_ROWS) -> Iterator[list]:
    """The rows of ``query`` (each as a list of ``columns``, expressions over its result columns),
    fetched ``rows`` at a time, packed by SQLite in one JSON text, in no particular order.

    Why: Python's sqlite3 gives the interpreter's lock away around every row it steps to. Beside
    a thread running Python (a build's change feed beside its summaries), each row then waits
    for that thread to give the lock back: reading the years of activity of 100 000 projects
    took 264 s instead of 1.4 s (bench/summary_reads.py). Packed, the lock changes hands once
    per ``rows`` rows. Values come back as JSON has them: text, integers, reals and nulls (a
    column holding a JSON text of its own is given as ``json(column)`` to come back parsed).
    """
    packed = ", ".join(columns)
    statement = (f"SELECT json_group_array(json_array({packed})) FROM "
                 f"(SELECT *, (row_number() OVER ()) / {int(rows)} AS bulk_part FROM ({query})) GROUP BY bulk_part")
    for (text,) in db.execute(statement, params):
        yield from json.loads(text)
