"""What a build finds wrong, per record, written to disk as it is found.

A build of a million records cannot keep every record's outcome in memory, and a publisher
must see the problems of the records read an hour ago even if the build is stopped. So each
problem (a record that cannot be read, checked or converted) and each SHACL result is
written to a SQLite file in the build folder (``report.sqlite``) the moment it is known,
with the record's file and position; the build's outcome, the CLI's report and the
generation's ``validation.json`` are read back from it. Records with nothing to report cost
one row in ``records`` (where their N-Triples sit in the build's spool, so that
``--skip-invalid`` can leave them out) and one in ``sources`` (the source document it names, so
that each document is copied once, redacted of the names of the contacts of every record naming
it, ``source_people``): a build of a million records, each naming a document of its own, keeps
none of that in memory.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from eulod.converters.records import RecordProblem
from eulod.core.sqlitefiles import temporary_table
from eulod.shapes import SEVERITY_RANK, Report, Result

REPORT_FILE = "report.sqlite"

SCHEMA = """
CREATE TABLE records (id TEXT PRIMARY KEY, file TEXT NOT NULL, position INTEGER NOT NULL,
                      offset INTEGER NOT NULL, length INTEGER NOT NULL);
CREATE TABLE findings (seq INTEGER PRIMARY KEY, record TEXT NOT NULL, file TEXT NOT NULL,
                       stage TEXT NOT NULL, severity TEXT NOT NULL, payload TEXT NOT NULL);
CREATE INDEX findings_record ON findings (record);
CREATE TABLE sources (folder TEXT NOT NULL, name TEXT NOT NULL, record TEXT NOT NULL, file TEXT NOT NULL,
                      position INTEGER NOT NULL);
CREATE TABLE source_people (folder TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL);
"""


def _rejecting(fail_on: str) -> tuple[str, list[str]]:
    """The findings that reject a record at ``fail_on``, as a WHERE clause and its parameters:
    a conversion problem, or a SHACL result at or above ``fail_on``."""
    severities = [s for s, rank in SEVERITY_RANK.items() if rank >= SEVERITY_RANK[fail_on]]
    return f"stage = 'convert' OR (stage = 'shapes' AND severity IN ({', '.join('?' * len(severities))}))", severities


@dataclass(frozen=True)
class RecordRef:
    """A record as the report names it, without its data (which a streaming build does not keep)."""

    id: str
    file: str
    position: int = 1


@dataclass
class RecordOutcome:
    """What was found about one converted record: its conversion problems and SHACL results."""

    record: RecordRef
    report: Report = field(default_factory=Report)
    problems: list[RecordProblem] = field(default_factory=list)

    def valid(self, fail_on: str) -> bool:
        return not self.problems and not self.report.fails(fail_on)


class Findings:
    """The build's report file: one row per problem or result, and where each record's triples are."""

    def __init__(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        self.path = path
        self.db = sqlite3.connect(path)
        self.db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + SCHEMA)
        self._pending: list[tuple] = []
        self._sources: list[tuple] = []
        self._people: list[tuple] = []

    # --- writing ---------------------------------------------------------------------------

    def load_problem(self, problem: RecordProblem) -> None:
        """A record that never reached RDF (unreadable, against the schema, a duplicate id ...)."""
        self._add(problem.record, problem.file, "load", "error", asdict(problem))

    def convert_problem(self, problem: RecordProblem) -> None:
        """A record whose conversion failed on one of its fields."""
        self._add(problem.record, problem.file, "convert", "error", asdict(problem))

    def results(self, record: RecordRef, results: Iterable[Result]) -> None:
        for result in results:
            self._add(record.id, record.file, "shapes", result.severity, asdict(result))

    def converted(self, rows: Iterable[tuple[str, str, int, int, int]]) -> None:
        """(id, file, position, offset, length) of converted records: where their N-Triples are in the spool."""
        self.db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?)", rows)

    def source_use(self, folder: str, name: str, record: RecordRef, names: Iterable[str], emails: Iterable[str]) -> None:
        """A record names a source document (``name`` as its ``source.file``, in ``folder``)."""
        self._sources.append((folder, name, record.id, record.file, record.position))
        self._people.extend((folder, name, "name", value) for value in names)
        self._people.extend((folder, name, "email", value) for value in emails)
        if len(self._sources) >= 1000:
            self.flush()

    def _add(self, record: str, file: str, stage: str, severity: str, payload: dict) -> None:
        self._pending.append((record, file, stage, severity, json.dumps(payload, ensure_ascii=False)))
        if len(self._pending) >= 1000:
            self.flush()

    def flush(self) -> None:
        if self._sources:
            self.db.executemany("INSERT INTO sources VALUES (?, ?, ?, ?, ?)", self._sources)
            self._sources.clear()
        if self._people:
            self.db.executemany("INSERT INTO source_people VALUES (?, ?, ?, ?)", self._people)
            self._people.clear()
        if self._pending:
            self.db.executemany("INSERT INTO findings (record, file, stage, severity, payload) VALUES (?, ?, ?, ?, ?)",
                                self._pending)
            self._pending.clear()
        self.db.commit()

    # --- reading ---------------------------------------------------------------------------

    def file_of(self, record_id: str) -> RecordRef | None:
        row = self.db.execute("SELECT id, file, position FROM records WHERE id = ?", (record_id,)).fetchone()
        return RecordRef(*row) if row else None

    def count_converted(self) -> int:
        return self.db.execute("SELECT count(*) FROM records").fetchone()[0]

    def rejected(self, fail_on: str) -> set[str]:
        """Ids of the converted records that are not published: a conversion problem, or a result
        at or above ``fail_on``.

        Not the records the loader refused (:meth:`load_problem`): they were never converted, and
        the id of one may be that of a valid record read before it (a repeated id refuses the
        later record only), which is published, as whole-graph validation publishes it.
        """
        self.flush()
        where, severities = _rejecting(fail_on)
        return {row[0] for row in self.db.execute(f"SELECT DISTINCT record FROM findings WHERE {where}", severities)}

    def count_load_problems(self) -> int:
        self.flush()
        return self.db.execute("SELECT count(*) FROM findings WHERE stage = 'load'").fetchone()[0]

    def converted_spans(self, leave_out: set[str]) -> Iterator[tuple[str, int, int]]:
        """(id, offset, length) of the converted records not in ``leave_out``, in spool order."""
        for record_id, offset, length in self.db.execute("SELECT id, offset, length FROM records ORDER BY offset"):
            if record_id not in leave_out:
                yield record_id, offset, length

    def published(self, leave_out: set[str]) -> Iterator[str]:
        for record_id, _offset, _length in self.converted_spans(leave_out):
            yield record_id

    def documents_named(self, only: Iterable[tuple[str, str]] | None = None
                        ) -> Iterator[tuple[str, str, list[RecordRef], set[str], set[str]]]:
        """(folder, name, records naming it, their contact names, their e-mail addresses) of every
        source document, in the order first named, in two ordered reads rather than two queries
        per document (a build of 100 000 records each naming its own document made 200 000)."""
        self.flush()
        self.db.execute("CREATE INDEX IF NOT EXISTS sources_document ON sources (folder, name)")
        self.db.execute("CREATE INDEX IF NOT EXISTS source_people_document ON source_people (folder, name)")
        first = "(SELECT folder, name, min(rowid) AS first FROM sources GROUP BY folder, name)"
        if only is not None:  # these documents alone (an incremental build's)
            table = temporary_table(self.db, "only_documents", "folder TEXT, name TEXT", only)
            first = ("(SELECT folder, name, min(rowid) AS first FROM sources WHERE (folder, name) IN "
                     f"(SELECT folder, name FROM {table}) GROUP BY folder, name)")
        uses = self.db.execute(f"SELECT d.first, s.folder, s.name, s.record, s.file, s.position FROM sources s "
                               f"JOIN {first} d ON d.folder = s.folder AND d.name = s.name ORDER BY d.first, s.rowid")
        people = self.db.cursor().execute(
            f"SELECT d.first, p.kind, p.value FROM source_people p JOIN {first} d "
            f"ON d.folder = p.folder AND d.name = p.name ORDER BY d.first")
        pending = next(people, None)

        def people_of(order: int) -> tuple[set[str], set[str]]:
            nonlocal pending
            names: set[str] = set()
            emails: set[str] = set()
            while pending is not None and pending[0] == order:
                (names if pending[1] == "name" else emails).add(pending[2])
                pending = next(people, None)
            return names, emails

        for order, group in itertools.groupby(uses, key=lambda row: row[0]):
            rows = list(group)
            yield rows[0][1], rows[0][2], [RecordRef(*row[3:]) for row in rows], *people_of(order)

    def load_problems(self, limit: int | None = None) -> list[RecordProblem]:
        """Records that never reached RDF, in the order found; the first ``limit`` only when given."""
        self.flush()
        rows = self.db.execute("SELECT payload FROM findings WHERE stage = 'load' ORDER BY seq LIMIT ?",
                               (-1 if limit is None else limit,))
        return [RecordProblem(**json.loads(payload)) for (payload,) in rows]

    def outcomes(self) -> list[RecordOutcome]:
        """The converted records that have something to report, in the order it was first found."""
        return list(self.iter_outcomes())

    def iter_outcomes(self) -> Iterator[RecordOutcome]:
        """:meth:`outcomes` one record at a time: SQLite orders the rows by each record's first
        finding, so a report of a million records is never held whole (issue 19)."""
        self.flush()
        rows = self.db.execute(
            "SELECT f.record, f.file, coalesce(r.position, 1), f.stage, f.payload FROM findings AS f "
            "JOIN (SELECT file, record, MIN(seq) AS first FROM findings WHERE stage != 'load' GROUP BY file, record) "
            "AS o ON o.file = f.file AND o.record = f.record "
            "LEFT JOIN records AS r ON r.id = f.record WHERE f.stage != 'load' ORDER BY o.first, f.seq")
        outcome: RecordOutcome | None = None
        for record_id, file, position, stage, payload in rows:
            if outcome is None or (outcome.record.file, outcome.record.id) != (file, record_id):
                if outcome is not None:
                    yield outcome
                outcome = RecordOutcome(RecordRef(record_id, file, position))
            data = json.loads(payload)
            if stage == "shapes":
                outcome.report.results.append(Result(**data))
            else:
                outcome.problems.append(RecordProblem(**data))
        if outcome is not None:
            yield outcome

    def severity_counts(self) -> dict[str, int]:
        """How many problems (``error``) and SHACL results of each severity the build found."""
        self.flush()
        counts = {"error": 0, "violation": 0, "warning": 0, "info": 0}
        for severity, number in self.db.execute("SELECT severity, count(*) FROM findings GROUP BY severity"):
            counts[severity] = counts.get(severity, 0) + number
        return counts

    def count_reported_records(self) -> int:
        """Records (by file and id) with at least one problem or result."""
        self.flush()
        return self.db.execute("SELECT count(*) FROM (SELECT DISTINCT file, record FROM findings)").fetchone()[0]

    def any_rejected(self, fail_on: str) -> bool:
        """Whether :meth:`rejected` would name any record, without reading their ids."""
        self.flush()
        where, severities = _rejecting(fail_on)
        return self.db.execute(f"SELECT 1 FROM findings WHERE {where} LIMIT 1", severities).fetchone() is not None

    def results_by_record(self, leave_out: set[str], only: Iterable[str] | None = None
                          ) -> Iterator[tuple[str, list[dict]]]:
        """(record id, its SHACL results as validation.json holds them), for published records with
        results; with ``only``, for those of these records (an incremental build's, whose results may
        have changed)."""
        self.flush()
        current, results = None, []
        if only is None:
            rows = self.db.execute("SELECT record, payload FROM findings WHERE stage = 'shapes' ORDER BY record, seq")
        else:
            table = temporary_table(self.db, "only_records", "id TEXT PRIMARY KEY", ((i,) for i in only))
            rows = self.db.execute("SELECT record, payload FROM findings WHERE stage = 'shapes' "
                                   f"AND record IN (SELECT id FROM {table}) ORDER BY record, seq")
        for record_id, payload in rows:
            if record_id in leave_out:
                continue
            if record_id != current:
                if current is not None:
                    yield current, results
                current, results = record_id, []
            data = json.loads(payload)
            results.append({key: data[key] for key in ("severity", "focus", "path", "value", "messages")})
        if current is not None:
            yield current, results

    def close(self) -> None:
        self.flush()
        self.db.close()
