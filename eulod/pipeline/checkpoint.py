"""What a build keeps in its generation so that the next build can redo only what changed.

A generation built with a checkpoint holds, beside its store:

- ``records.nt``: every published record's N-Triples, as converted (the build's spool, kept
  instead of deleted), and ``checkpoint.sqlite``, which says where each record's triples are
  in it;
- what converting one record needs from the others, per record: the contact names (taken out
  of every text unless personal data is published), the facts it states about organisations
  (records that disagree about one make the build choose a value), and the subjects it shares
  with other records (organisations, programmes, source documents);
- how each input was read: a hash per file, and per line of a JSON Lines file, so the next
  build finds the records that changed without parsing the others;
- the build's findings (problems, SHACL results) per record, so the next build reports them
  for the records it does not validate again.

Unless personal data is published, a checkpoint whose records name contact persons holds
what the generation must not (the names are taken out of every published file), so it is
kept outside the generation, in the build folder's ``.private/`` (mode 0700, the file 0600),
named for its generation, and removed with it (eulod.pipeline.generations.prune). A
generation can then be copied or served whole without the names.

eulod/pipeline/incremental.py reads it. A checkpoint describes one build's settings and
software; the next build uses it only when they are the same (:data:`FORMAT`, the eulod
version, the settings that change conversion or validation).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
from pathlib import Path
from typing import Iterable, Iterator

from eulod import __version__
from eulod.converters.conflicts import record_facts
from eulod.converters.documents import bounded_lines
from eulod.converters.personal import contact_emails, contact_names
from eulod.converters.records import Record
from eulod.converters.sources import source_files
from eulod.core.config import Settings
from eulod.core.generation import PRIVATE_DIR, Generation

log = logging.getLogger(__name__)

CHECKPOINT = "checkpoint.sqlite"
RECORDS_NT = "records.nt"
FORMAT = 2  # 2: the source documents found and the folders looked in

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (path TEXT PRIMARY KEY, kind TEXT NOT NULL, size INTEGER NOT NULL, mtime INTEGER NOT NULL,
                    hash TEXT NOT NULL);
CREATE TABLE lines (path TEXT NOT NULL, number INTEGER NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (path, number));
CREATE TABLE records (id TEXT PRIMARY KEY, file TEXT NOT NULL, position INTEGER NOT NULL, offset INTEGER NOT NULL,
                      length INTEGER NOT NULL);
CREATE TABLE persons (record TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL);
CREATE TABLE facts (record TEXT NOT NULL, organisation TEXT NOT NULL, fact TEXT NOT NULL, value TEXT NOT NULL);
CREATE TABLE subjects (record TEXT NOT NULL, subject TEXT NOT NULL);
CREATE TABLE findings (record TEXT NOT NULL, file TEXT NOT NULL, stage TEXT NOT NULL, severity TEXT NOT NULL,
                       payload TEXT NOT NULL);
CREATE TABLE sources (folder TEXT NOT NULL, name TEXT NOT NULL, record TEXT NOT NULL, file TEXT NOT NULL,
                      position INTEGER NOT NULL);
CREATE TABLE source_people (folder TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL);
CREATE TABLE documents (folder TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL,
                        mtime INTEGER NOT NULL, inode INTEGER NOT NULL, file TEXT, PRIMARY KEY (folder, name));
CREATE TABLE listings (folder TEXT PRIMARY KEY, mtime INTEGER);
"""
INDEXES = """
CREATE INDEX IF NOT EXISTS persons_record ON persons (record);
CREATE INDEX IF NOT EXISTS persons_value ON persons (value);
CREATE INDEX IF NOT EXISTS facts_record ON facts (record);
CREATE INDEX IF NOT EXISTS facts_organisation ON facts (organisation);
CREATE INDEX IF NOT EXISTS subjects_record ON subjects (record);
CREATE INDEX IF NOT EXISTS subjects_subject ON subjects (subject);
CREATE INDEX IF NOT EXISTS findings_record ON findings (record);
CREATE INDEX IF NOT EXISTS sources_record ON sources (record);
"""


def line_hash(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


_read: dict[tuple, tuple[str, list[tuple[int, str]]]] = {}  # the JSON Lines files hashed last, by identity


def file_hash(path: Path) -> str:
    if path.suffix == ".jsonl":
        return _hashed(path)[0]
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def line_hashes(path: Path) -> list[tuple[int, str]]:
    """(line number, hash) of each non-blank line of a JSON Lines file, numbered as the reader numbers them."""
    return _hashed(path)[1]


def _hashed(path: Path) -> tuple[str, list[tuple[int, str]]]:
    """A JSON Lines file's hash and its lines' hashes, from one read.

    A build asks for both twice (to find what changed, then for the next checkpoint): the last
    few files' answers are kept while a file's size, time and inode stay the same."""
    info = path.stat()
    key = (str(path), info.st_size, info.st_mtime_ns, info.st_ino)
    if key in _read:
        return _read[key]
    whole = hashlib.blake2b(digest_size=16)
    lines: list[tuple[int, str]] = []
    skipped = False
    with open(path, "rb") as handle:
        for number, raw in bounded_lines(handle):
            if raw is None:
                skipped = True
                lines.append((number, "too-long"))
                continue
            whole.update(raw)
            if raw.strip():
                lines.append((number, line_hash(raw)))
    digest = whole.hexdigest()
    if skipped:  # the over-long line's bytes were not seen: hash the file itself
        digest = hashlib.blake2b(digest_size=16)
        with open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
        digest = digest.hexdigest()
    while len(_read) >= 4:  # a few files' lines, not every file's: memory stays bounded
        _read.pop(next(iter(_read)))
    _read[key] = (digest, lines)
    return digest, lines


def fingerprint(settings: Settings) -> dict[str, str]:
    """What must be the same for a checkpoint to be used: software and the settings conversion and validation read."""
    return {
        "format": str(FORMAT),
        "eulod_version": __version__,
        "base_iri": settings.base_iri,
        "personal_data": settings.personal_data,
    }


def own_subject(subject: str, base_iri: str, record_id: str) -> bool:
    """Whether a subject (``<iri>`` as N-Triples writes it) is minted under the record's own
    project or source record, so that no other record states anything about it."""
    for kind in ("project", "record"):
        head = f"<{base_iri}{kind}/{record_id}"
        if subject.startswith(head) and subject[len(head):len(head) + 1] in (">", "/", "#"):
            return True
    return False


def shared_subjects(text: bytes, base_iri: str, record_id: str) -> set[str]:
    """The subjects of a record's N-Triples that other records may state triples about too.

    Most lines are about the record's own project: a run of lines with one subject is looked at
    once (a converter writes a subject's triples together), and only distinct subjects are decoded."""
    subjects: set[bytes] = set()
    last = b"\0"
    for line in text.split(b"\n"):
        if line.startswith(last) or not line.startswith(b"<"):
            continue
        subject = line[:line.index(b">") + 1]
        last = subject + b" "
        subjects.add(subject)
    return {s for s in (subject.decode("utf-8") for subject in subjects) if not own_subject(s, base_iri, record_id)}


def person_rows(record: Record) -> Iterator[tuple[str, str, str]]:
    """(record, "name" or "email", value) for the record's contact persons."""
    yield from ((record.id, "name", name) for name in contact_names([record.data]))
    yield from ((record.id, "email", email) for email in contact_emails([record.data]))


def fact_rows(record: Record, base_iri: str) -> Iterator[tuple[str, str, str, str]]:
    """(record, organisation, fact key, value) for what a record states about its organisations."""
    for organisation, predicate, value in record_facts(record, base_iri):
        language = getattr(value, "language", None)
        yield record.id, organisation, f"{predicate}|{language or ''}", repr(value)


class CheckpointWriter:
    """Collects a full build's per-record facts as the records are converted, then writes the file."""

    def __init__(self, path: Path, settings: Settings) -> None:
        path.unlink(missing_ok=True)
        self.path = path
        self.settings = settings
        self.db = sqlite3.connect(path)
        if settings.personal_data != "publish":
            os.chmod(path, 0o600)  # it may come to name contact persons
        self.db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + SCHEMA)
        self._rows: dict[str, list[tuple]] = {"persons": [], "facts": [], "subjects": []}

    def record(self, record: Record, text: bytes) -> None:
        """One converted record: its contact names, organisation facts and shared subjects."""
        base = self.settings.base_iri
        self._rows["persons"].extend(person_rows(record))
        self._rows["facts"].extend(fact_rows(record, base))
        self._rows["subjects"].extend((record.id, s) for s in shared_subjects(text, base, record.id))
        if len(self._rows["subjects"]) > 50_000:
            self.flush()

    def flush(self) -> None:
        marks = {"persons": "?, ?, ?", "facts": "?, ?, ?, ?", "subjects": "?, ?"}
        for table, rows in self._rows.items():
            if rows:
                self.db.executemany(f"INSERT INTO {table} VALUES ({marks[table]})", rows)
                rows.clear()
        self.db.commit()

    def documents(self, located: Iterable, listings: dict[str, int | None], roots: Iterable[Path]) -> None:
        """The source documents the build found, the folders it looked in and where it may look."""
        write_documents(self.db, located, listings, replace_all=True)
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('source_roots', ?)", (roots_key(roots),))

    def finish(self, inputs: Iterable[Path], report: Path, meta: dict[str, str]) -> None:
        """Write the inputs' hashes, the build's report rows and the fingerprint; index; close.

        Unless personal data is published, a checkpoint naming contact persons goes to the private
        folder (:func:`keep_private`): the generation must not hold what the build took out of it."""
        self.flush()
        write_inputs(self.db, inputs)
        copy_report(self.db, report)
        self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                            list({**fingerprint(self.settings), **meta}.items()))
        self.db.executescript(INDEXES)
        self.db.commit()
        people = holds_people(self.db, self.settings)
        self.db.close()
        if people:
            keep_private(self.path)

    def discard(self) -> None:
        """No checkpoint after all (a build that left records out): the next build is a full one."""
        self.db.close()
        self.path.unlink(missing_ok=True)


def private_checkpoint(generation: Generation) -> Path:
    """Where a generation's checkpoint is kept when it names contact persons the generation does not publish."""
    return generation.path.parent.parent / PRIVATE_DIR / f"{generation.id}.{CHECKPOINT}"


def locate(generation: Generation) -> Path | None:
    """The generation's checkpoint, in the generation or (naming contact persons) in the private folder."""
    for path in (generation.path / CHECKPOINT, private_checkpoint(generation)):
        if path.is_file():
            return path
    return None


def keep_private(path: Path) -> None:
    """Move a checkpoint written in its generation (``path``) to the build folder's private folder.

    Why not keep none, as before: then no build with contact persons, the common case, could be
    incremental. Why not in the generation: it is what gets served, copied and archived, and the
    names were taken out of everything else in it."""
    target = private_checkpoint(Generation(path.parent))
    target.parent.mkdir(mode=0o700, exist_ok=True)
    os.chmod(target.parent, 0o700)
    os.chmod(path, 0o600)
    _fsync(path)  # written without a journal or syncs, and outside the generation its manifest seals
    os.replace(path, target)
    _fsync(target.parent)
    log.info("the checkpoint names contact persons, which this build does not publish: kept in %s, not in the "
             "generation", target.parent)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_documents(db: sqlite3.Connection, located: Iterable, listings: dict[str, int | None],
                    replace_all: bool) -> None:
    """The source documents a build found (eulod.pipeline.publication.Located) and the folders it
    looked in, for the next build's eulod/pipeline/incremental_sources.py."""
    if replace_all:
        db.execute("DELETE FROM documents")
        db.execute("DELETE FROM listings")
    db.executemany("INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?)",
                   ((d.folder, d.name, d.path, d.size, d.mtime, d.inode, d.file) for d in located))
    db.executemany("INSERT OR REPLACE INTO listings VALUES (?, ?)", listings.items())


def holds_people(db: sqlite3.Connection, settings: Settings) -> bool:
    """Whether a checkpoint would keep personal data the generation does not publish."""
    if settings.personal_data == "publish":
        return False
    return db.execute("SELECT 1 FROM persons LIMIT 1").fetchone() is not None


def write_inputs(db: sqlite3.Connection, inputs: Iterable[Path]) -> None:
    """Hash every input file (and each line of a JSON Lines one) as the build read it."""
    db.execute("DELETE FROM files")
    db.execute("DELETE FROM lines")
    records, sheets = source_files(list(inputs))
    for kind, paths in (("records", records), ("sheet", sheets)):
        for path in paths:
            stat = path.stat()
            db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                       (str(path), kind, stat.st_size, stat.st_mtime_ns, file_hash(path)))
            if path.suffix == ".jsonl":
                db.executemany("INSERT INTO lines VALUES (?, ?, ?)",
                               ((str(path), number, digest) for number, digest in line_hashes(path)))


def copy_report(db: sqlite3.Connection, report: Path) -> None:
    """The build report's records (where their triples are), findings and source uses."""
    db.execute("ATTACH DATABASE ? AS report", (str(report),))
    try:
        db.execute("DELETE FROM records")
        db.execute("INSERT INTO records SELECT id, file, position, offset, length FROM report.records")
        db.execute("DELETE FROM findings")
        db.execute("INSERT INTO findings SELECT record, file, stage, severity, payload FROM report.findings "
                   "WHERE stage != 'load' ORDER BY seq")
        db.execute("DELETE FROM sources")
        db.execute("INSERT INTO sources SELECT * FROM report.sources")
        db.execute("DELETE FROM source_people")
        db.execute("INSERT INTO source_people SELECT * FROM report.source_people")
        db.commit()
    finally:
        db.execute("DETACH DATABASE report")


def read_meta(path: Path) -> dict[str, str]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return dict(db.execute("SELECT key, value FROM meta"))
    finally:
        db.close()


def roots_key(roots: Iterable[Path]) -> str:
    return json.dumps(sorted(str(r) for r in roots))


def meta_json(value: object) -> str:
    return json.dumps(value, sort_keys=True)
