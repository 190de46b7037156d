"""How many projects every pair of organisations shares, kept with the generation.

The collaborations summary (eulod.pipeline.summaries) keeps only the most frequent pairs,
but which pairs those are depends on every pair's count: when a count at the cut goes down,
pairs no summary ever named can tie with the new last one. Counting the pairs again is the
most expensive summary (the pairs of a project's partners grow with the square of its
partnership: about 900 000 pairs and 15 s at 100 000 projects), so the full build keeps the
counts it computed anyway, and the next build updates them from the projects that changed
(eulod.pipeline.summaries_update) and chooses the top list with two indexed queries.

SQLite, like the listing: a table updated a few rows at a time and read by an ordered
index, from Python's standard library. Organisations are numbered within the file (their
IRIs once, not once per pair); the numbers mean nothing outside it, so two files of the
same data compare by the pairs' IRIs and counts (:func:`read_pairs`), not by bytes.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from eulod.core.sqlitefiles import written_whole

log = logging.getLogger(__name__)

FORMAT = "1"  # bumped when the schema changes; an update refuses a file of another format and counts again

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE organisation (id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE);
CREATE TABLE pair (
    first INTEGER NOT NULL REFERENCES organisation (id),   -- the IRI that sorts first (Python's str order)
    second INTEGER NOT NULL REFERENCES organisation (id),
    shared INTEGER NOT NULL                                 -- projects both take part in, never 0 (no row then)
);
"""
# Made once the rows are in: sorting 900 000 pairs into a key is faster in one go than row by row
# (4 s against 9 s for a table keyed on the pair, measured on a busy machine).
INDEXES = """
CREATE UNIQUE INDEX pair_key ON pair (first, second);
CREATE INDEX pair_shared ON pair (shared);  -- the cut of the top list, and the pairs above it
"""

Pair = tuple[str, str]  # organisation IRIs, the smaller first


class CountsBroken(RuntimeError):
    """The counts cannot be the data's (a count would drop below zero): the caller counts again."""


# Counting in SQL: the (project, organisation) pairs are a table on disk (a temporary one, or
# the parked listing's), the organisations are numbered in IRI order, and the pairs are a
# self-join grouped by SQLite's sorter, which spills to temporary files. In Python the counts
# took about 200 bytes a pair: 1.8 GB at 1 000 000 projects (issue 19). ``{members}``: the
# table of distinct (project, organisation) rows. The numbers come from one sort of the
# memberships (dense_rank), not from a sort of the distinct organisations and a lookup per
# membership: 11 s against 16 s at 1 000 000 projects, 4 000 000 memberships (bench/RESULTS.md).
_COUNT = """
CREATE TEMP TABLE numbered AS
    SELECT project, dense_rank() OVER (ORDER BY organisation) - 1 AS organisation, organisation AS iri FROM {members};
INSERT OR IGNORE INTO organisation SELECT organisation, iri FROM temp.numbered;
CREATE INDEX temp.numbered_project ON numbered (project, organisation);
INSERT INTO pair SELECT a.organisation, b.organisation, COUNT(*)
    FROM temp.numbered AS a JOIN temp.numbered AS b ON b.project = a.project AND b.organisation > a.organisation
    GROUP BY a.organisation, b.organisation;
"""
# No DROP of temp.numbered: its file goes when the connection closes, and dropping it first
# wrote every freed page to the temporary file's free list: 1.7 of 30 s at 1 000 000 projects,
# and the count's fastest-growing statement (28 times the 100 000 figure).
_SETTINGS = "PRAGMA temp_store = FILE; PRAGMA cache_size = -65536;"


def count_pairs(target: Path, memberships: Iterable[tuple[str, str]], meta: Callable[[int], Mapping[str, str]],
                keep: int) -> list[tuple[Pair, int]]:
    """Count how many projects each pair of organisations shares, from (project, organisation IRI)
    pairs (duplicates counted once), into a new file ``target``, written whole or not at all
    (eulod.core.sqlitefiles); returns :meth:`PairCounts.top` of ``keep``.

    ``meta`` is given the number of distinct memberships and returns what the counts were computed for.
    Memory does not grow with the data: the memberships and the pairs are sorted by SQLite on disk.
    """
    def fill(db: sqlite3.Connection) -> tuple[str, str]:
        db.executescript("CREATE TEMP TABLE member (project TEXT, organisation TEXT, "
                         "PRIMARY KEY (project, organisation)) WITHOUT ROWID;")
        db.executemany("INSERT OR IGNORE INTO temp.member VALUES (?, ?)", memberships)  # streamed, one at a time
        return "temp.member", "DROP TABLE temp.member"

    return _counted(target, fill, meta, keep)


def count_parked_pairs(target: Path, parked: Path, meta: Callable[[int], Mapping[str, str]],
                       keep: int) -> list[tuple[Pair, int]]:
    """:func:`count_pairs` from the ``member`` table of a parked listing (eulod.core.listing.PARKED,
    one row per project and organisation), attached, not read through Python.

    Why: a build counts the pairs on a side thread while its main thread compares and writes the
    change feed in Python. Streaming the memberships through Python took the interpreter's lock
    for every row, and waited for it beside that work: 243 s at 1 000 000 projects for what
    takes 41 s alone. Each statement here runs inside SQLite, which does not hold the lock.
    """
    def fill(db: sqlite3.Connection) -> tuple[str, str]:
        db.execute("ATTACH DATABASE ? AS parked", (str(parked),))
        return "parked.member", "DETACH DATABASE parked"

    return _counted(target, fill, meta, keep)


def _counted(target: Path, fill: Callable[[sqlite3.Connection], tuple[str, str]],
             meta: Callable[[int], Mapping[str, str]], keep: int) -> list[tuple[Pair, int]]:
    """The counts file from the memberships table that ``fill`` makes or attaches: it returns the table's
    name and the statement that lets it go once counted."""
    started = time.perf_counter()
    with written_whole(target, SCHEMA) as db:
        db.executescript(_SETTINGS)
        members_table, let_go = fill(db)
        (members,) = db.execute(f"SELECT COUNT(*) FROM {members_table}").fetchone()
        db.executescript(_COUNT.format(members=members_table))
        db.commit()  # DETACH is refused inside a transaction
        db.execute(let_go)
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("format", FORMAT), *sorted(meta(members).items())])
        db.executescript(INDEXES)
        top = PairCounts(db).top(keep)
        (pairs,) = db.execute("SELECT COUNT(*) FROM pair").fetchone()
    log.info("counted %d pairs of organisations from %d memberships in %.2f s", pairs, members,
             time.perf_counter() - started)
    return top


def read_meta(path: Path) -> dict[str, str]:
    """The file's ``meta`` table; empty when the file is missing. Raises sqlite3.DatabaseError on a broken file."""
    if not path.is_file():
        return {}
    with _connect(path) as db:
        return dict(db.execute("SELECT key, value FROM meta"))


def read_pairs(path: Path) -> dict[Pair, int]:
    """Every pair with its count, by IRIs (tests compare an updated file with a freshly counted one)."""
    with _connect(path) as db:
        return {(a, b): n for a, b, n in db.execute(_PAIRS)}


_PAIRS = ("SELECT a.iri, b.iri, p.shared FROM pair AS p JOIN organisation AS a ON a.id = p.first "
          "JOIN organisation AS b ON b.id = p.second")


@contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        yield db
    finally:
        db.close()


class PairCounts:
    """An open counts file being updated (see :func:`updated_counts`)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def meta(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM meta"))

    def set_meta(self, values: Mapping[str, str]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", sorted(values.items()))

    def _id(self, iri: str) -> int:
        found = self.db.execute("SELECT id FROM organisation WHERE iri = ?", (iri,)).fetchone()
        if found is not None:
            return found[0]
        return self.db.execute("INSERT INTO organisation (iri) VALUES (?)", (iri,)).lastrowid

    def change(self, changes: Mapping[Pair, int]) -> int:
        """Add each pair's change to its count (a pair reaching 0 goes); returns the pairs changed.

        Raises :class:`CountsBroken` when a count would go below zero: the file was not of the
        data the change was computed against.
        """
        changed = 0
        for (first, second), step in sorted(changes.items()):
            if not step:
                continue
            a, b = self._id(first), self._id(second)
            found = self.db.execute("SELECT shared FROM pair WHERE first = ? AND second = ?", (a, b)).fetchone()
            shared = (found[0] if found else 0) + step
            if shared < 0:
                raise CountsBroken(f"{first} and {second} would share {shared} projects")
            if shared == 0:
                self.db.execute("DELETE FROM pair WHERE first = ? AND second = ?", (a, b))
            else:
                self.db.execute("INSERT OR REPLACE INTO pair VALUES (?, ?, ?)", (a, b, shared))
            changed += 1
        return changed

    def top(self, keep: int) -> list[tuple[Pair, int]]:
        """The ``keep`` most frequent pairs and every pair tied with the last of them, as
        :func:`eulod.pipeline.summaries.most_frequent` chooses them from all the counts: the cut is
        the ``keep``-th largest count (the smallest when there are fewer pairs), read from the
        count's index, and every pair at or above it is kept."""
        if keep <= 0:
            return []
        cut = self.db.execute("SELECT shared FROM pair ORDER BY shared DESC LIMIT 1 OFFSET ?", (keep - 1,)).fetchone()
        if cut is None:
            cut = self.db.execute("SELECT MIN(shared) FROM pair").fetchone()
        if cut is None or cut[0] is None:
            return []
        kept = [((a, b), n) for a, b, n in self.db.execute(_PAIRS + " WHERE p.shared >= ?", (cut[0],))]
        return sorted(kept, key=lambda item: (-item[1], item[0][0], item[0][1]))


@contextmanager
def updated_counts(source: Path, target: Path) -> Iterator[PairCounts]:
    """A copy of ``source`` to update, put at ``target`` once the block ends without an exception.

    The copy is made beside ``target`` and renamed, so ``source`` (the previous generation's,
    which servers may still read) never changes and a failed update leaves no file.
    """
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.copyfile(source, temporary)
    try:
        db = sqlite3.connect(temporary)
        try:
            db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
            yield PairCounts(db)
            db.commit()
        finally:
            db.close()
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def pair_changes(before: Mapping[object, frozenset[str]], after: Mapping[object, frozenset[str]]) -> Counter[Pair]:
    """How the pair counts change when each project's organisations go from ``before`` to ``after``
    (a project missing from one side has none there)."""
    changes: Counter[Pair] = Counter()
    for project in before.keys() | after.keys():
        old, new = before.get(project, frozenset()), after.get(project, frozenset())
        if old == new:
            continue
        changes.subtract(_pairs(old))
        changes.update(_pairs(new))
    return Counter({pair: step for pair, step in changes.items() if step})


def _pairs(organisations: frozenset[str]) -> Iterator[Pair]:
    ordered = sorted(organisations)
    for i, first in enumerate(ordered):
        for second in ordered[i + 1:]:
            yield first, second
