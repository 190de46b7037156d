"""How often each organisation name is used across a build's records, counted on disk.

The preferred label of an organisation is the name most records use (converters/rdf.py
``LabelCounter.preferred``). A build counts every record's names while it converts; held in the
heap, the counts took an entry per organisation and name (531 000 organisations at 1 000 000
generated projects, about 300 MB of small objects), allocated a few at a time all through the
conversion among the records' own short-lived objects. Freed before the bulk load, they left the
interpreter's memory pools too fragmented to give back: the build process still held 534 MB
when the load began at 1 000 000 projects, 43 MB of it in use (issue 19).

So the counts go to a SQLite file beside the spool: a batch of records' names is summed in a
small dict and added to the file's rows in one statement; the preferred label is a window
query over the rows. Ties go to the alphabetically first name, as in ``LabelCounter``: SQLite
compares text as UTF-8 bytes, which orders as Python orders its strings' code points.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Iterator

from eulod.converters.rdf import LabelCounter, Lit

PENDING = 50_000  # (organisation, language, name) sums held before they are added to the file

_SCHEMA = """
PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = FILE; PRAGMA cache_size = -32768;
CREATE TABLE label (organisation TEXT NOT NULL, language TEXT NOT NULL, name TEXT NOT NULL,
                    used INTEGER NOT NULL, PRIMARY KEY (organisation, language, name)) WITHOUT ROWID;
"""
_ADD = ("INSERT INTO label VALUES (?, ?, ?, ?) "
        "ON CONFLICT (organisation, language, name) DO UPDATE SET used = used + excluded.used")
_PREFERRED = """
SELECT organisation, language, name FROM (
    SELECT organisation, language, name,
           row_number() OVER (PARTITION BY organisation, language ORDER BY used DESC, name) AS rank
    FROM label WHERE used > 0)
WHERE rank = 1
"""


class LabelCounts:
    """:class:`LabelCounter`'s counting across records, in a scratch file at ``path`` (replaced, and
    removed by :meth:`close`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.unlink(missing_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.executescript(_SCHEMA)
        self.pending: dict[tuple[str, str, str], int] = {}

    def add_record(self, record: LabelCounter, sign: int = 1) -> None:
        """Count one record's names, each once (``sign`` -1 takes a record left out back out)."""
        pending = self.pending
        for (organisation, language), names in record.counts.items():
            for name in ((names[0],) if type(names) is tuple else names):
                key = (organisation, language, name)
                pending[key] = pending.get(key, 0) + sign
        if len(pending) >= PENDING:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        self.db.execute("BEGIN")
        self.db.executemany(_ADD, ((o, lang, n, used) for (o, lang, n), used in self.pending.items()))
        self.db.execute("COMMIT")
        self.pending = {}

    def preferred(self) -> Iterator[tuple[str, Lit]]:
        """(organisation, label): the name most records use wins, ties to the alphabetically first."""
        self.flush()
        for organisation, language, name in self.db.execute(_PREFERRED):
            yield organisation, Lit(name, language or None)

    def close(self) -> None:
        """Close and remove the file."""
        self.db.close()
        self.path.unlink(missing_ok=True)
