"""``eulod build`` after a small change: convert and validate only what changed, patch a copy of the store.

When the generation being served has a checkpoint (eulod/pipeline/checkpoint.py) made with the
same software and settings, a build

1. finds the records that changed, were added or were removed, from the inputs' hashes: a file
   whose size, time and hash are the same is not read; in a JSON Lines file only the lines whose
   hash is new are parsed;
2. works out what else they touch: the organisations, programmes and source documents they share
   with unchanged records (whose triples stay as long as one record states them), the preferred
   names of those organisations (chosen across all records naming them);
3. converts and validates the changed records, and validates again the organisations they name,
   with what every record says of them (as the full build's organisation pass);
4. copies the previous store (its table files hard-linked: eulod.pipeline.delta.copy_store) and
   applies the change, then writes the summaries, listing, search index, change feed and dumps.

Some changes reach records that did not change, through what converting one record takes from
the others; then the build is a full one, and says why (:class:`Fallback`): the set of contact
names changed (every record's texts are redacted of them), records disagree about an
organisation a changed record names (the published value is chosen across records), a fact sheet
changed (sheets are extracted, not read), a changed record has problems (the full build reports
them in context), or records are left out. A full build stays available (``eulod build --full``)
and gives the same data graph, except the build's own time on records that were not converted
again (tests/test_incremental_build.py compares them).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import SH, SKOS

from eulod import __version__
from eulod.converters.conflicts import organisation_conflicts
from eulod.converters.personal import contact_emails, contact_names
from eulod.converters.rdf import FieldError, LabelCounter, Lit, MappingOptions, NTriplesSink, RecordMapper
from eulod.converters.records import Record, RecordProblem, iter_file
from eulod.converters.sources import SourceLocator, UnsafeSource, source_files, source_roots
from eulod.core.config import Settings
from eulod.core.generation import (
    Generation,
    current_generation,
    data_graph_iri,
    dataset_graphs,
    summary_graph_iri,
    vocabulary_graph_iri,
)
from eulod.core.listing_update import update_listing
from eulod.core.search_update import update_search
from eulod.core.software import software
from eulod.core.sqlitefiles import temporary_table
from eulod.pipeline.checkpoint import (
    CHECKPOINT,
    INDEXES,
    RECORDS_NT,
    copy_report,
    fact_rows,
    file_hash,
    fingerprint,
    holds_people,
    keep_private,
    line_hashes,
    locate,
    person_rows,
    roots_key,
    shared_subjects,
    write_documents,
    write_inputs,
)
from eulod.pipeline.checks import RDF_TYPE, BatchChecker, check_organisations
from eulod.pipeline.counted import CountedStore
from eulod.pipeline.delta import Delta, apply, copy_store, settle
from eulod.pipeline.findings import REPORT_FILE, Findings, RecordRef
from eulod.pipeline.generations import discard, new_generation, write_manifest
from eulod.pipeline.incremental_changes import update_changes
from eulod.pipeline.incremental_dumps import update_dumps
from eulod.pipeline.incremental_sources import copy_sources_since
from eulod.pipeline.publication import statistics, update_validation, write_validation
from eulod.pipeline.stream import organisation_lines
from eulod.pipeline.summaries_update import update_summaries
from eulod.shapes import shapes_graph

log = logging.getLogger(__name__)

PREF_LABEL = str(SKOS.prefLabel)
ALT_LABEL = str(SKOS.altLabel)
DCTERMS_MODIFIED = "http://purl.org/dc/terms/modified"


class Fallback(Exception):
    """Why this build cannot redo only what changed; the message says it, and a full build runs."""


@dataclass
class Changes:
    """What the inputs say changed since the checkpoint."""

    changed: list[Record] = field(default_factory=list)  # new or changed records, as read now
    gone: set[str] = field(default_factory=set)  # ids whose old version goes (removed, or changed)
    positions: dict[str, tuple[str, int]] = field(default_factory=dict)  # unchanged records that moved in their file

    @property
    def empty(self) -> bool:
        return not self.changed and not self.gone


def previous(settings: Settings) -> tuple[Generation, sqlite3.Connection]:
    """The served generation and its checkpoint, when they may be used; else :class:`Fallback`."""
    generation = current_generation(settings.build_dir)
    if generation is None:
        raise Fallback("no generation is published yet")
    path = locate(generation)
    if path is None or not (generation.path / RECORDS_NT).is_file():
        raise Fallback(f"generation {generation.id} has no checkpoint")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        meta = dict(db.execute("SELECT key, value FROM meta"))
    except sqlite3.DatabaseError as exc:
        db.close()
        raise Fallback(f"generation {generation.id}'s checkpoint cannot be read: {exc}") from None
    wanted = fingerprint(settings)
    differ = sorted(key for key, value in wanted.items() if meta.get(key) != value)
    if differ:
        db.close()
        raise Fallback(f"generation {generation.id} was built with another {', '.join(differ)}")
    return generation, db


def detect(db: sqlite3.Connection, inputs: list[Path]) -> Changes:
    """The records that changed since the checkpoint, read from the files and lines that changed only."""
    records, sheets = source_files(inputs)
    known = {path: (kind, size, mtime, digest) for path, kind, size, mtime, digest in db.execute("SELECT * FROM files")}
    now = {str(p) for p in records} | {str(p) for p in sheets}
    sheets_then = {path for path, row in known.items() if row[0] == "sheet"}
    if sheets_then != {str(p) for p in sheets} or any(_changed(p, known[str(p)]) for p in sheets):
        raise Fallback("a fact sheet was added, removed or changed (sheets are extracted again in a full build)")
    out = Changes()
    for path in set(known) - now:  # a record file no longer there: its records go
        out.gone.update(row[0] for row in db.execute("SELECT id FROM records WHERE file = ?", (path,)))
    for path in records:
        old = known.get(str(path))
        if old is not None and not _changed(path, old):
            continue
        if path.suffix == ".jsonl" and old is not None:
            _changed_lines(db, path, out)
        else:  # a new file, or a YAML/JSON one: all its records are read again
            out.gone.update(row[0] for row in db.execute("SELECT id FROM records WHERE file = ?", (str(path),)))
            _take(iter_file(path), out)
    return out


def _changed(path: Path, old: tuple) -> bool:
    """Whether a file differs from the checkpoint's: size and time first, the hash when they differ."""
    stat = path.stat()
    if stat.st_size == old[1] and stat.st_mtime_ns == old[2]:
        return False
    return stat.st_size != old[1] or file_hash(path) != old[3]


def _changed_lines(db: sqlite3.Connection, path: Path, out: Changes) -> None:
    """A JSON Lines file that changed: lines whose text the checkpoint knows are the same records
    (perhaps moved); the others are parsed; old lines no longer there are records gone."""
    ids = dict(db.execute("SELECT position, id FROM records WHERE file = ?", (str(path),)))
    old: dict[str, list[int]] = defaultdict(list)
    for number, digest in db.execute("SELECT number, hash FROM lines WHERE path = ?", (str(path),)):
        old[digest].append(number)
    fresh: set[int] = set()
    for number, digest in line_hashes(path):
        numbers = old.get(digest)
        if numbers:
            was = numbers.pop()
            if was != number and was in ids:
                out.positions[ids[was]] = (str(path), number)
        else:
            fresh.add(number)
    for numbers in old.values():
        out.gone.update(ids[n] for n in numbers if n in ids)
    if fresh:
        _take(iter_file(path, lines=fresh), out)


def _take(items: Iterable[Record | RecordProblem], out: Changes) -> None:
    for item in items:
        if isinstance(item, RecordProblem):
            raise Fallback(f"{item.file}: record {item.record} has a problem; the full build reports it")
        out.changed.append(item)


@dataclass
class Context:
    """The previous build's checkpoint, read for the records a change touches."""

    db: sqlite3.Connection
    data: Path  # the previous records.nt
    base_iri: str

    def span(self, record_id: str) -> bytes:
        row = self.db.execute("SELECT offset, length FROM records WHERE id = ?", (record_id,)).fetchone()
        with open(self.data, "rb") as handle:
            handle.seek(row[0])
            return handle.read(row[1])

    def lines_about(self, record_ids: Iterable[str], pattern: re.Pattern[bytes]) -> dict[str, bytes]:
        """Each record's previous lines that ``pattern`` matches, the records read in file order
        through one handle: a change to an organisation that 13 000 records name reads them all,
        and only the few lines about it are kept (and parsed) of each."""
        wanted = sorted(set(record_ids))
        if not wanted:
            return {}
        table = temporary_table(self.db, "wanted", "id TEXT PRIMARY KEY", ((i,) for i in wanted))
        rows = self.db.execute(f"SELECT r.id, r.offset, r.length FROM records r JOIN {table} w ON w.id = r.id "
                               "ORDER BY r.offset").fetchall()
        found: dict[str, bytes] = {}
        handle = os.open(self.data, os.O_RDONLY)
        try:
            for record_id, offset, length in rows:
                found[record_id] = matching_lines(pattern, os.pread(handle, length, offset))
        finally:
            os.close(handle)
        return found

    def naming(self, subject: str, leave_out: set[str]) -> list[str]:
        """Records (not in ``leave_out``) that state triples about a shared subject, in build order."""
        rows = self.db.execute("SELECT s.record FROM subjects s JOIN records r ON r.id = s.record "
                               "WHERE s.subject = ? ORDER BY r.offset", (subject,))
        return [r for (r,) in rows if r not in leave_out]


def lines_of(subjects: Iterable[str], below: bool = False) -> re.Pattern[bytes]:
    """The N-Triples lines whose subject is one of ``subjects`` (``<iri>``), or with ``below``
    also an IRI under one (``<iri/...>``, ``<iri#...>``), for :func:`matching_lines`. The pattern
    starts with a line feed: the engine searches for it, where ``^`` in multi-line mode is tried
    at every byte (five times slower over the 13 000 records naming a popular organisation)."""
    heads = b"|".join(re.escape(s[:-1].encode("utf-8")) for s in sorted(subjects)) or b"(?!)"
    end = rb"(?:>|[/#][^>]*>)" if below else rb">"
    return re.compile(rb"\n((?:" + heads + rb")" + end + rb" [^\n]*)")


def matching_lines(pattern: re.Pattern[bytes], text: bytes) -> bytes:
    """The lines of ``text`` that a :func:`lines_of` pattern matches, in order, each ending in a line feed."""
    return b"".join(line + b"\n" for line in pattern.findall(b"\n" + text))


def _triples(text: bytes) -> Iterator[ox.Triple]:
    for quad in ox.parse(text, ox.RdfFormat.N_TRIPLES):
        yield quad.triple


def _term(subject: str) -> ox.NamedNode:
    return ox.NamedNode(subject[1:-1])


def check_sources(db: sqlite3.Connection, changes: Changes, inputs: list[Path], settings: Settings) -> None:
    """:class:`Fallback` when a changed record names a source document the full build would refuse, or
    one of the fact sheets read (a curated record takes a sheet's place: the sheet's draft comes or goes)."""
    locator = SourceLocator(source_roots(inputs, settings.data_dir), settings.data_dir)
    for record in changes.changed:
        try:
            locator.locate(record.data["source"]["file"], record.file)
        except UnsafeSource as exc:
            raise Fallback(f"{record.file}: record {record.id}: field source.file: {exc}") from None
    _records, sheets = source_files(inputs)
    if not sheets:
        return
    named = {Path(str(r.data["source"]["file"])).name for r in changes.changed}
    gone = list(changes.gone)
    for start in range(0, len(gone), 500):
        part = gone[start:start + 500]
        named |= {Path(name).name for (name,) in db.execute(
            f"SELECT name FROM sources WHERE record IN ({','.join('?' * len(part))})", part)}
    if named & {sheet.name for sheet in sheets}:
        raise Fallback("a record that takes a fact sheet's place changed (the sheet's draft comes or goes)")


def check_persons(context: Context, gone: set[str], changed: list[Record], personal_data: str) -> None:
    """:class:`Fallback` when the set of contact names changes: each is taken out of every record's text."""
    if personal_data == "publish":
        return
    db = context.db
    before = {v for (v,) in db.execute("SELECT DISTINCT value FROM persons WHERE kind = 'name'")}
    kept = {v for (r, v) in db.execute("SELECT record, value FROM persons WHERE kind = 'name'") if r not in gone}
    after = kept | {value for record in changed for (_r, kind, value) in person_rows(record) if kind == "name"}
    if after != before:
        raise Fallback("the contact persons' names changed (they are taken out of every record's texts)")


def check_disagreements(context: Context, gone: set[str], changed: list[Record]) -> set[str]:
    """The organisations the change touches; :class:`Fallback` when records disagree about one of
    them, before or after (the value published is then chosen across all records)."""
    db = context.db
    marks = ",".join("?" * len(gone))
    touched = {o for (o,) in db.execute(f"SELECT DISTINCT organisation FROM facts WHERE record IN ({marks})",
                                         list(gone))} if gone else set()
    new_rows = [row for record in changed for row in fact_rows(record, context.base_iri)]
    touched |= {row[1] for row in new_rows}
    for organisation in touched:
        old = db.execute("SELECT record, fact, value FROM facts WHERE organisation = ?", (organisation,)).fetchall()
        new = [(r, f, v) for r, f, v in old if r not in gone]
        new += [(r, f, v) for r, o, f, v in new_rows if o == organisation]
        for rows in (old, new):
            values: dict[str, set[str]] = defaultdict(set)
            for _r, fact, value in rows:
                values[fact].add(value)
            if any(len(v) > 1 for v in values.values()):
                raise Fallback(f"records disagree about organisation {organisation} (one value is chosen across them)")
    return touched


def convert(changed: list[Record], settings: Settings, persons: frozenset[str], when: datetime) -> dict[str, bytes]:
    """The changed records' N-Triples; :class:`Fallback` when one cannot be converted (the full build reports it)."""
    mapper = RecordMapper(MappingOptions(settings.base_iri, settings.personal_data, persons=persons, generated_at=when,
                                         preferred={}))
    texts = {}
    for record in changed:
        sink = NTriplesSink(LabelCounter())
        try:
            mapper.emit(sink, record)
        except FieldError as exc:
            raise Fallback(f"{record.file}: record {record.id} cannot be converted ({exc.field}: {exc.reason})") from None
        texts[record.id] = sink.take().encode("utf-8")
    return texts


@dataclass
class Plan:
    """The change to the data graph, and what it touches."""

    delta: Delta
    organisations: set[str]  # `<iri>` of the organisations whose triples or names changed
    naming: dict[str, list[str]]  # shared subject -> unchanged records stating it


def plan(context: Context, store: ox.Store, gone: set[str], texts: dict[str, bytes], graph: str) -> Plan:
    """The delta of the data graph: the old triples of the records gone, the new ones of the records
    converted, the triples of shared subjects that unchanged records still state, preferred names."""
    base = context.base_iri
    old_texts = {record_id: context.span(record_id) for record_id in gone}
    before: set[ox.Triple] = set()
    after: set[ox.Triple] = set()
    shared: set[str] = set()
    for record_id, text in old_texts.items():
        before.update(_triples(text))
        shared |= shared_subjects(text, base, record_id)
    for record_id, text in texts.items():
        after.update(_triples(text))
        shared |= shared_subjects(text, base, record_id)
    leave_out = gone | set(texts)
    organisation_head = f"<{base}organisation/"
    organisations = {s for s in shared if s.startswith(organisation_head) and "/" not in s[len(organisation_head):-1]}
    naming = {s: context.naming(s, leave_out) for s in shared}
    # Triples of shared subjects that unchanged records state stay; their names count for the preferred ones.
    candidates = {t for t in before | after if f"<{t.subject.value}>" in shared}
    labels = LabelCounter()
    still: set[ox.Triple] = set()
    about = context.lines_about({r for records in naming.values() for r in records}, lines_of(shared))
    for record_id in sorted(about):
        record_labels = LabelCounter()
        for triple in _triples(about[record_id]):
            key = f"<{triple.subject.value}>"
            if key not in shared:
                continue
            if triple in candidates:
                still.add(triple)
            if key in organisations and triple.predicate.value == ALT_LABEL:
                record_labels.count(triple.subject.value, Lit(triple.object.value, triple.object.language))
        labels.add_record(record_labels)
    for text in texts.values():
        record_labels = LabelCounter()
        for triple in _triples(text):
            if f"<{triple.subject.value}>" in organisations and triple.predicate.value == ALT_LABEL:
                record_labels.count(triple.subject.value, Lit(triple.object.value, triple.object.language))
        labels.add_record(record_labels)
    target = ox.NamedNode(graph)
    pref = ox.NamedNode(PREF_LABEL)
    for organisation in organisations:
        node = _term(organisation)
        before.update(q.triple for q in store.quads_for_pattern(node, pref, None, target))
    for org, label in labels.preferred():
        literal = ox.Literal(label.lexical, language=label.language) if label.language else ox.Literal(label.lexical)
        after.add(ox.Triple(ox.NamedNode(org), pref, literal))
    before |= still
    after |= still
    delta = Delta.between(before, after)
    _check_typing(store, delta, organisations, leave_out, base, target)
    return Plan(delta, organisations, naming)


def _check_typing(store: ox.Store, delta: Delta, organisations: set[str], changed: set[str], base: str,
                  graph: ox.NamedNode) -> None:
    """:class:`Fallback` when an organisation starts or stops being typed (a record names it for the
    first time, or no record names it any more) and an unchanged record points to it (a contact's
    organisation): that record's ``sh:class`` result may change."""
    head = f"{base}project/"
    for triple in delta.added | delta.removed:
        if triple.predicate != RDF_TYPE or f"<{triple.subject.value}>" not in organisations:
            continue
        for quad in store.quads_for_pattern(None, None, triple.subject, graph):
            subject = quad.subject.value
            if subject.startswith(head):
                owner = re.split(r"[/#]", subject[len(head):], maxsplit=1)[0]
                if owner not in changed:
                    raise Fallback(f"organisation {triple.subject.value} is now typed differently and record "
                                   f"{owner} points to it")


def check(generation: Generation, settings: Settings, findings: Findings, context: Context, changed: list[Record],
          texts: dict[str, bytes], plan_: Plan, store: ox.Store) -> None:
    """Validate the changed records (a batch) and the organisations they touch (with every record's
    triples about them), writing the results to ``findings``. ``store`` is the patched store: a
    batch's ``sh:class`` failure (a contact's organisation only another record lists) holds when
    the value is not typed there either."""
    checker = BatchChecker()
    batch = [(RecordRef(r.id, r.file, r.position), texts[r.id]) for r in changed]
    for ref, results in checker.check(batch):
        findings.results(ref, results)
    graph = ox.NamedNode(data_graph_iri(settings))
    for holders, result in checker.class_failures:
        classes = [str(c) for c in shapes_graph().objects(URIRef(result.source_shape), SH["class"])]
        if result.value and classes and all(
                any(True for _ in store.quads_for_pattern(ox.NamedNode(result.value), RDF_TYPE, ox.NamedNode(c), graph))
                for c in classes):
            continue
        for ref in holders:
            findings.results(ref, [result])
    prefix = f"<{settings.base_iri}organisation/".encode()
    typing = f" <{RDF_TYPE.value}> <".encode()
    spool = generation.path / ".organisations.nt"
    inside = tuple(o[:-1].encode() for o in plan_.organisations)

    def about(lines: bytes) -> bytes:
        return b"".join(line + b"\n" for line in lines.split(b"\n")
                        if line and any(line.startswith(head) and line[len(head):len(head) + 1] in (b">", b"/")
                                        for head in inside))

    previous = context.lines_about({r for o in plan_.organisations for r in plan_.naming.get(o, [])},
                                   lines_of(plan_.organisations, below=True))
    naming = generation.path / ".organisations-named.nt"
    with open(spool, "wb") as out, open(naming, "wb") as named_out:
        for record_id, text in chain(((r, previous[r]) for r in sorted(previous)), ((ref.id, t) for ref, t in batch)):
            said, named = organisation_lines(text, record_id, prefix, typing)
            out.write(about(said))
            named_out.write(about(named))
    check_organisations((spool, naming), generation.path / ".organisations", [], findings, settings)


def carry_findings(findings: Findings, checkpoint: Path, leave_out: set[str], organisations: set[str],
                   positions: dict[str, tuple[str, int]]) -> None:
    """The previous build's report rows of the records not converted again, into this build's report:
    their SHACL results about the organisations validated again are left out (the organisation pass
    writes them anew). One SQL statement per table: at 100 000 records there are about a million rows."""
    db = findings.db
    findings.flush()
    db.execute("ATTACH DATABASE ? AS previous", (f"file:{checkpoint}?mode=ro",))
    try:
        temporary_table(db, "gone", "id TEXT PRIMARY KEY", ((i,) for i in leave_out))
        temporary_table(db, "heads", "iri TEXT PRIMARY KEY", ((o[1:-1],) for o in organisations))
        db.execute("INSERT INTO records SELECT * FROM previous.records WHERE id NOT IN (SELECT id FROM temp.gone)")
        db.executemany("UPDATE records SET file = ?, position = ? WHERE id = ?",
                       ((file, position, record_id) for record_id, (file, position) in positions.items()))
        # A result's focus is an organisation validated again, or a node minted under one (its identifiers).
        db.execute("""INSERT INTO findings (record, file, stage, severity, payload)
                      SELECT record, file, stage, severity, payload FROM previous.findings
                      WHERE record NOT IN (SELECT id FROM temp.gone)
                        AND NOT (stage = 'shapes' AND EXISTS (
                          SELECT 1 FROM temp.heads h, (SELECT json_extract(payload, '$.focus') AS focus) f
                          WHERE f.focus = h.iri OR substr(f.focus, 1, length(h.iri) + 1) = h.iri || '/'))
                      ORDER BY rowid""")
        db.execute("INSERT INTO sources SELECT * FROM previous.sources WHERE record NOT IN (SELECT id FROM temp.gone)")
        db.commit()
    finally:
        db.execute("DROP TABLE IF EXISTS temp.gone")
        db.execute("DROP TABLE IF EXISTS temp.heads")
        db.execute("DETACH DATABASE previous")


def write_records(previous: Path, target: Path, texts: dict[str, bytes], findings: Findings,
                  changed: list[Record]) -> None:
    """This generation's records.nt: the previous one's file, hard-linked, with the converted
    records' N-Triples appended; compacted into a new file when more than half of it is dead.

    Appending to the file the served generation also names is safe because only builds read it,
    one at a time, through their checkpoint's offsets: the served generation's checkpoint covers
    the bytes it was built with and never reads past them. A build that fails after appending
    leaves a dead tail, which the next compaction drops. Linking instead of copying is what keeps
    this step from growing with the data (a 1.3 GB copy at 100 000 projects)."""
    db = findings.db
    findings.flush()
    live = db.execute("SELECT coalesce(sum(length), 0) FROM records").fetchone()[0]
    if previous.stat().st_size > 2 * max(live, 1) + (64 << 20):
        with open(previous, "rb") as source, open(target, "wb") as out:
            moved = []
            for record_id, offset, length in db.execute("SELECT id, offset, length FROM records ORDER BY offset"):
                source.seek(offset)
                moved.append((out.tell(), record_id))
                out.write(source.read(length))
        db.executemany("UPDATE records SET offset = ? WHERE id = ?", moved)
    else:
        try:
            os.link(previous, target)
        except OSError:  # a file system without hard links
            shutil.copyfile(previous, target)
    with open(target, "ab") as out:
        rows = []
        for record in changed:
            offset = out.tell()
            out.write(texts[record.id])
            rows.append((record.id, record.file, record.position, offset, len(texts[record.id])))
    findings.converted(rows)
    findings.flush()


def write_checkpoint(previous: Path, target: Path, gone: set[str], changed: list[Record], texts: dict[str, bytes],
                     inputs: list[Path], report: Path, settings: Settings, when: datetime,
                     documents: tuple[list, dict, tuple] | None = None) -> None:
    """The previous checkpoint with the rows of the records gone replaced by the changed ones'."""
    shutil.copyfile(previous, target)
    if settings.personal_data != "publish":
        os.chmod(target, 0o600)  # it may name contact persons
    db = sqlite3.connect(target)
    # No rollback journal: a build that fails discards the whole file (the journal of a million
    # rows rewritten cost more than the rows); the file is flushed to disk with its generation.
    db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
    try:
        temporary_table(db, "gone", "id TEXT PRIMARY KEY", ((i,) for i in gone | set(texts)))
        for table in ("persons", "facts", "subjects"):
            db.execute(f"DELETE FROM {table} WHERE record IN (SELECT id FROM temp.gone)")
        base = settings.base_iri
        for record in changed:
            db.executemany("INSERT INTO persons VALUES (?, ?, ?)", person_rows(record))
            db.executemany("INSERT INTO facts VALUES (?, ?, ?, ?)", fact_rows(record, base))
            db.executemany("INSERT INTO subjects VALUES (?, ?)",
                           ((record.id, s) for s in shared_subjects(texts[record.id], base, record.id)))
        write_inputs(db, inputs)
        copy_report(db, report)
        if documents is not None:
            located, listings, roots = documents
            write_documents(db, located, listings, replace_all=True)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('source_roots', ?)", (roots_key(roots),))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('built', ?)", (when.isoformat(),))
        db.executescript(INDEXES)
        db.commit()
        people = holds_people(db, settings)
    finally:
        db.close()
    if people:  # records name contact persons: out of the generation (checkpoint.keep_private)
        keep_private(target)


def source_people(findings: Findings, checkpoint: Path, changed: list[Record]) -> None:
    """Who each source document's records name (for its redacted copy), from every record naming it:
    the checkpoint's persons of the records not converted again, the converted ones' own. One SQL
    statement (a Python loop over every person and document took 0.5 s at 100 000 projects)."""
    db = findings.db
    findings.flush()
    temporary_table(db, "changed_ids", "id TEXT PRIMARY KEY", ((r.id,) for r in changed))
    temporary_table(db, "changed_people", "record TEXT, kind TEXT, value TEXT",
                    (row for r in changed for row in person_rows(r)))
    db.execute("ATTACH DATABASE ? AS previous", (f"file:{checkpoint}?mode=ro",))
    try:
        db.execute("""INSERT INTO source_people
                      SELECT DISTINCT s.folder, s.name, p.kind, p.value
                      FROM (SELECT DISTINCT folder, name, record FROM sources) s
                      JOIN (SELECT record, kind, value FROM previous.persons
                            WHERE record NOT IN (SELECT id FROM temp.changed_ids)
                            UNION ALL SELECT record, kind, value FROM temp.changed_people) p ON p.record = s.record""")
        db.commit()
    finally:
        db.execute("DETACH DATABASE previous")


def build_incremental(settings: Settings, inputs: list[Path], fail_on: str, skip_invalid: bool, when: datetime,
                      stage: Callable[[str], None], outcome) -> bool:
    """Publish the change since the served generation's checkpoint; False when there is nothing to
    publish or the build is rejected. Raises :class:`Fallback` when only a full build can do it."""
    started = time.perf_counter()
    served, db = previous(settings)
    try:
        stage("finding what changed")
        changes = detect(db, inputs)
        changed_ids = {r.id for r in changes.changed}
        duplicate = [r.id for r in changes.changed if r.id not in changes.gone
                     and db.execute("SELECT 1 FROM records WHERE id = ?", (r.id,)).fetchone()]
        if duplicate or len(changed_ids) != len(changes.changed):
            raise Fallback(f"record id {duplicate[0] if duplicate else 'repeated'} is used twice")
        context = Context(db, served.path / RECORDS_NT, settings.base_iri)
        check_sources(db, changes, inputs, settings)
        check_persons(context, changes.gone, changes.changed, settings.personal_data)
        check_disagreements(context, changes.gone, changes.changed)
        if settings.personal_data != "publish":
            persons = frozenset(v for (v,) in db.execute("SELECT DISTINCT value FROM persons WHERE kind = 'name'"))
        else:
            persons = frozenset()
        if organisation_conflicts(changes.changed, settings.base_iri):
            raise Fallback("the changed records disagree about an organisation")
        stage(f"converting {len(changes.changed)} changed records")
        texts = convert(changes.changed, settings, persons, when)
        log.info("incremental build: %d records changed or added, %d removed (%.2f s to find and convert)",
                 len(changes.changed), len(changes.gone - changed_ids), time.perf_counter() - started)
        return _publish(settings, served, db, context, changes, texts, inputs, fail_on, skip_invalid, when, stage,
                        outcome)
    finally:
        db.close()


def _publish(settings: Settings, served: Generation, db: sqlite3.Connection, context: Context, changes: Changes,
             texts: dict[str, bytes], inputs: list[Path], fail_on: str, skip_invalid: bool, when: datetime,
             stage: Callable[[str], None], outcome) -> bool:
    graph = data_graph_iri(settings)
    findings = Findings(settings.build_dir / REPORT_FILE)
    outcome.findings = findings
    generation = new_generation(settings.build_dir)
    try:
        stage("copying the store")
        copy_store(served.store_path, generation.store_path)
        counted = served.manifest().get("statistics", {}).get("triples")
        store = CountedStore(ox.Store(str(generation.store_path)), counted)
        plan_ = plan(context, store, changes.gone, texts, graph)
        carry_findings(findings, locate(served), changes.gone | set(texts), plan_.organisations,
                       changes.positions)
        for record in changes.changed:
            name = (record.data.get("source") or {}).get("file")
            findings.source_use(str(Path(record.file).parent), str(name) if name else "",
                                RecordRef(record.id, record.file, record.position), contact_names([record.data]),
                                contact_emails([record.data]))
        findings.flush()
        source_people(findings, locate(served), changes.changed)
        write_records(served.path / RECORDS_NT, generation.path / RECORDS_NT, texts, findings, changes.changed)
        stage("applying the change to the store")
        apply(store, plan_.delta, graph)
        stage("validating the changed records")
        check(generation, settings, findings, context, changes.changed, texts, plan_, store)
        findings.flush()
        outcome.converted = len(texts)
        rejected = findings.rejected(fail_on)
        if rejected:
            del store
            discard(generation)
            if skip_invalid:
                raise Fallback("records are rejected and --skip-invalid leaves them out (a full build does that)")
            log.warning("not loading: %d records rejected", len(rejected))
            return False
        stats, dumps = derived(settings, served, generation, store, plan_.delta, when, stage)
        del store
        settle(generation.store_path)
        outcome.manifest = {
            "generation": generation.id,
            "built": when.isoformat(),
            "eulod_version": __version__,
            "eulod_commit": software().commit,
            "base_iri": settings.base_iri,
            "records": list(findings.published(set())),
            "rejected": [],
            "graphs": dataset_graphs(settings),
            "statistics": stats,
            "dumps": dumps,
            "incremental": {"from": served.id, "converted": len(texts),
                            "removed": len(changes.gone - set(texts)),
                            "triples_removed": len(plan_.delta.removed), "triples_added": len(plan_.delta.added)},
        }
        stage("writing the validation results and source documents")
        # Results change for the records converted or gone and those naming a subject they share
        # (an organisation validated again gives its results to every record naming it).
        touched = changes.gone | set(texts) | {r for named in plan_.naming.values() for r in named}
        if not update_validation(served, generation, touched, findings.results_by_record(set(), only=touched)):
            write_validation(generation, findings.results_by_record(set()))
        locator = SourceLocator(source_roots(inputs, settings.data_dir), settings.data_dir)
        persons = frozenset(v for (v,) in db.execute("SELECT DISTINCT value FROM persons WHERE kind = 'name'")) \
            if settings.personal_data != "publish" else frozenset()
        copied, located, listings = copy_sources_since(served, generation, db, findings, changes.gone | set(texts),
                                                       settings, locator, persons)
        outcome.manifest["sources"] = copied
        findings.flush()
        stage("writing the checkpoint")
        write_checkpoint(locate(served), generation.path / CHECKPOINT, changes.gone, changes.changed, texts,
                         inputs, findings.path, settings, when, (located, listings, locator.roots))
        write_manifest(generation, outcome.manifest)
    except BaseException:
        discard(generation)
        raise
    finally:
        findings.flush()
    outcome.generation = generation
    return True


def derived(settings: Settings, served: Generation, generation: Generation, store: ox.Store, delta: Delta,
            when: datetime, stage: Callable[[str], None]) -> tuple[dict, dict]:
    """Summaries, listing, search index, change feed and dumps of the patched store, each updated
    from the served generation's by the delta; each falls back to its full computation, with a
    log line, where it cannot be sure (an older file format, a change too large)."""
    graph = data_graph_iri(settings)
    stage("computing the summaries")
    changed = {vocabulary_graph_iri(settings): Delta()}  # the vocabulary graph is the served one's
    update_summaries(store, graph, summary_graph_iri(settings), settings.base_iri, settings.summary_collaborations,
                     when.year, delta, served, generation, changed)
    store.flush()
    stage("writing the home page listing")
    update_listing(store, served.listing_path, generation.listing_path, delta, when.year, generation.id)
    stage("writing the search index")
    update_search(store, served.search_path, generation.search_path, delta, generation.id)
    update_changes(store, served, generation, delta, settings, when, stage)
    stage("writing the dumps")
    written = update_dumps(store, served, generation, delta, settings, changed)
    store.flush()
    return statistics(store), written
