"""The two passes of a streaming build over the records: what must be known first, then RDF.

``eulod build`` reads the records twice and never holds them:

1. :func:`scan` reads every record once to learn what converting one record needs from all
   the others: the contact persons' names (taken out of every text unless personal data is
   published), the values records disagree on about a shared organisation (one is published,
   converters/conflicts.py), and which records name which source document. Problems of
   records that cannot be read or checked are written to the build's report as they come.
2. :class:`Converter` reads them again and turns each record into N-Triples, appended to the
   generation's spool file (what the store is bulk-loaded from) with the organisations'
   triples also in a spool of their own; a batch of records at a time is validated
   (eulod/pipeline/checks.py) and its results written to the report.

What stays in memory across the records: their ids, the first value of each organisation fact,
the contact names, and one batch; the counts of organisation names are on disk
(eulod/pipeline/label_counts.py).
"""

from __future__ import annotations

import hashlib
import logging
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyoxigraph as ox
from rdflib.namespace import SKOS

from eulod.converters.conflicts import Conflict, ConflictFinder, preferred_values
from eulod.converters.personal import contact_emails, contact_names
from eulod.converters.rdf import FieldError, LabelCounter, Lit, MappingOptions, NTriplesSink, RecordMapper
from eulod.converters.records import Record, RecordProblem
from eulod.core.config import Settings
from eulod.pipeline.checkpoint import CheckpointWriter
from eulod.pipeline.checks import NAMED_BY, RDF_TYPE, BatchQueue
from eulod.pipeline.conflicts import conflict_warnings
from eulod.pipeline.findings import Findings, RecordRef
from eulod.pipeline.label_counts import LabelCounts

log = logging.getLogger(__name__)

ALT_LABEL = str(SKOS.altLabel)
PREF_LABEL = str(SKOS.prefLabel)
Records = Callable[[], Iterable[Record | RecordProblem]]  # one read of the build's inputs


@dataclass
class SourceUse:
    """The records of one folder naming one source document: enough to copy it once, redacted.

    Read back from the build's report file (eulod.pipeline.findings) one document at a time."""

    ids: list[str] = field(default_factory=list)
    sample: list[RecordRef] = field(default_factory=list)  # the first few, for messages
    names: set[str] = field(default_factory=set)  # their contact persons' names
    emails: set[str] = field(default_factory=set)


def source_uses(findings: Findings, leave_out: set[str]) -> Iterator[tuple[Path, str, SourceUse]]:
    """(folder, name, who names it) of each source document the records not in ``leave_out`` name."""
    for folder, name, named, names, emails in findings.documents_named():
        refs = [ref for ref in named if ref.id not in leave_out] if leave_out else named
        if refs:
            yield Path(folder), name, SourceUse([ref.id for ref in refs], refs[:3], names, emails)


@dataclass
class Scan:
    """What the first pass learnt about all records."""

    records: int = 0
    persons: frozenset[str] = frozenset()
    conflicts: list[Conflict] = field(default_factory=list)


def scan(read: Records, settings: Settings, findings: Findings,
         progress: Callable[[Iterable], Iterable] = lambda x: x) -> Scan:
    """First pass: persons, disagreements, source documents; load problems go to ``findings``."""
    out = Scan()
    persons: set[str] = set()
    finder = ConflictFinder(settings.base_iri)
    for item in progress(read()):
        if isinstance(item, RecordProblem):
            findings.load_problem(item)
            continue
        out.records += 1
        if settings.personal_data != "publish":
            persons.update(contact_names([item.data]))
        finder.see(item)
        name = (item.data.get("source") or {}).get("file")
        findings.source_use(str(Path(item.file).parent), str(name) if name else "",
                            RecordRef(item.id, item.file, item.position), contact_names([item.data]),
                            contact_emails([item.data]))
    if finder.disputed:  # a second read only when records disagree, to count who says what
        for item in read():
            if not isinstance(item, RecordProblem):
                finder.count(item)
        out.conflicts = finder.conflicts()
    out.persons = frozenset(persons)
    findings.flush()
    return out


@dataclass
class Spools:
    """The generation's N-Triples spools: all data, the organisations' triples alone, and which records
    type each organisation node (``naming``: read once after the organisation pass, for the nodes with results)."""

    data: Path
    organisations: Path
    naming: Path


class Converter:
    """Second pass: records -> N-Triples spools, validated a batch at a time."""

    def __init__(self, settings: Settings, scanned: Scan, findings: Findings, spools: Spools,
                 checkpoint: CheckpointWriter | None = None) -> None:
        self.settings = settings
        self.checkpoint = checkpoint  # told each converted record, for the next build to redo only what changes
        self.findings = findings
        self.spools = spools
        self.labels = LabelCounts(spools.data.with_name(".labels.sqlite"))  # on disk: see label_counts.py
        self.class_failures: list = []  # sh:class failures of the batches, checked again by the organisation pass
        # Other processes validate while this one converts, when there is more than one batch.
        self.queue = BatchQueue(settings.build_check_processes)
        self.warnings = conflict_warnings(scanned.conflicts)
        self.preferred = preferred_values(scanned.conflicts)
        self.persons = scanned.persons
        self.records = scanned.records  # sizes the organisation spool's filter
        self._organisation_prefix = f"<{settings.base_iri}organisation/".encode()
        self._typing = f" <{RDF_TYPE.value}> <".encode()

    def run(self, read: Records, when, progress: Callable[[Iterable], Iterable] = lambda x: x) -> int:
        """Convert and validate every record; returns how many were converted."""
        mapper = RecordMapper(MappingOptions(self.settings.base_iri, self.settings.personal_data, persons=self.persons,
                                             generated_at=when, preferred=self.preferred))
        size = self.settings.build_batch_records
        self.converted = 0
        with (open(self.spools.data, "wb") as data, open(self.spools.organisations, "wb") as organisations,
              open(self.spools.naming, "wb") as naming):
            try:
                self._convert_all(read, mapper, size, data, (organisations, naming), progress)
            finally:
                self.queue.close()
            self.findings.flush()
        if self.checkpoint is not None:
            self.checkpoint.flush()
        return self.converted

    def _convert_all(self, read: Records, mapper: RecordMapper, size: int, data, organisations: tuple,
                     progress: Callable[[Iterable], Iterable]) -> None:
        """Write each record to the data spool, its organisations' triples and namings to theirs
        (``organisations``: both files), and validate the records a batch at a time."""
        triples, naming = organisations
        batch: list[tuple[RecordRef, bytes]] = []
        rows: list[tuple[str, str, int, int, int]] = []
        written = WrittenLines(WrittenLines.slots_for(self.records))
        for item in progress(read()):
            if isinstance(item, RecordProblem):
                continue  # reported by the first pass
            text = self._convert(mapper, item)
            if text is None:
                continue
            ref = RecordRef(item.id, item.file, item.position)
            offset = data.tell()
            data.write(text)
            said, named = organisation_lines(text, item.id, self._organisation_prefix, self._typing, written)
            triples.write(said)
            naming.write(named)
            if self.checkpoint is not None:
                self.checkpoint.record(item, text)
            rows.append((ref.id, ref.file, ref.position, offset, len(text)))
            batch.append((ref, text))
            self.converted += 1
            if len(batch) >= size:
                self._check(batch, rows, last=False)
                batch, rows = [], []
        self._check(batch, rows, last=True)

    def _convert(self, mapper: RecordMapper, record: Record) -> bytes | None:
        """One record's N-Triples; a record the mapping refuses is its problem, said once."""
        labels = LabelCounter()
        sink = NTriplesSink(labels)
        try:
            mapper.emit(sink, record)
        except FieldError as exc:  # a value that cannot become its IRI (converters.rdf): the record's problem
            self.findings.convert_problem(RecordProblem(record.file, record.id, exc.field, exc.reason))
            return None
        except Exception as exc:  # a converter bug must not stop the other records
            log.exception("converting %s failed", record.id)
            self.findings.convert_problem(RecordProblem(record.file, record.id, "", f"conversion failed: {exc}"))
            return None
        self.labels.add_record(labels)
        return sink.take().encode("utf-8")

    def _check(self, batch: list[tuple[RecordRef, bytes]], rows: list[tuple[str, str, int, int, int]],
               last: bool) -> None:
        if not batch:
            return
        self.findings.converted(rows)
        refs = [ref for ref, _text in batch]

        def done(checked: tuple[list, list]) -> None:
            found, failures = checked
            for ref, results in found:
                self.findings.results(ref, results)
            for ref in refs:
                warnings = self.warnings.get(ref.id)
                if warnings:
                    self.findings.results(ref, warnings)
            self.class_failures.extend(failures)
            self.findings.flush()

        self.queue.submit(batch, done, last)


class WrittenLines:
    """Digests of the organisation triples written lately, so that an organisation's triples go to the spool
    once, not once per record naming it (an organisation named by 7 records on average at 1 000 000 projects).

    The organisations' store keeps each triple once whatever the spool repeats, so leaving a repeat out
    changes nothing but the bulk load's work, which was 60 % of the organisation pass (bench/RESULTS.md).
    A direct-mapped table: each line's 8-byte digest has one slot, and a line whose slot holds another
    digest is written (again) and takes the slot. So a repeat can get through, which the store drops,
    and a new line is never taken for a repeat unless two lines share all 64 bits of a digest (one in
    10^19 per pair; it would leave a triple out of the organisation pass's store only, never out of
    the data). Why not a set: digests in a set are Python objects, 78 bytes each, and at 1 000 000
    projects (2.7 million distinct organisation triples) either the set outgrew the build's memory
    bound or, bounded, it emptied itself and let popular organisations through again; a freed set also
    leaves the heap fragmented for the load that follows. The table is one block of ``slots`` x 8
    bytes, sized to the records (``slots_for``), given back whole when the conversion ends.
    """

    def __init__(self, slots: int = 1 << 23) -> None:
        self.mask = (1 << max(slots - 1, 1).bit_length()) - 1  # slots rounded up to a power of two
        self.table = array("Q", bytes(8 * (self.mask + 1)))

    @staticmethod
    def slots_for(records: int) -> int:
        """Eight slots a record (a record states about four organisation triples), 64 MiB at most."""
        return min(max(records * 8, 1 << 10), 1 << 23)

    def first(self, line: bytes) -> bool:
        """Whether ``line`` is not among the lines written lately (and note it as written)."""
        digest = int.from_bytes(hashlib.blake2b(line, digest_size=8).digest(), "little") or 1
        slot = digest & self.mask
        if self.table[slot] == digest:
            return False
        self.table[slot] = digest
        return True


def organisation_lines(text: bytes, record_id: str, prefix: bytes, typing: bytes,
                       written: WrittenLines | None = None) -> tuple[bytes, bytes]:
    """The record's triples about organisations and the nodes minted under them (their
    identifiers), and its namings: which of those nodes the record types (``NAMED_BY`` lines:
    a result about one goes to every record typing it, as in whole-graph validation).
    ``prefix`` is ``<{base}organisation/`` and ``typing`` `` <rdf:type> <`` as N-Triples bytes.

    The namings go to a file of their own (:class:`Spools`), not to the organisations' store:
    they were 59 % of its lines at 100 000 projects, loaded and indexed only to be read back for
    the few nodes with results.

    Lines are cut at line feeds only: N-Triples escapes a line feed and a carriage return
    in a literal but leaves the other line breaks Unicode knows (U+2028, U+0085, a form
    feed), at which ``str.splitlines`` would cut a name in two.
    """
    said, named = [], []
    typed: set[bytes] = set()
    for line in text.split(b"\n"):
        if line.startswith(prefix):
            if written is None or written.first(line):  # a triple written for an earlier record: the store has it
                said.append(line + b"\n")
            subject_end = line.index(b">") + 1
            if line.startswith(typing, subject_end) and line[:subject_end] not in typed:
                typed.add(line[:subject_end])
                named.append(line[:subject_end] + f' <{NAMED_BY.value}> "{_escaped(record_id)}" .\n'.encode())
    return b"".join(said), b"".join(named)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def uncount_labels(labels: LabelCounts, spool: Path, spans: Iterator[tuple[str, int, int]]) -> None:
    """Take the organisation names of records left out (``spans`` in ``spool``) back out of ``labels``."""
    with open(spool, "rb") as handle:
        for _record, offset, length in spans:
            handle.seek(offset)
            record = LabelCounter()
            for quad in ox.parse(handle.read(length), ox.RdfFormat.N_TRIPLES):
                if quad.predicate.value == ALT_LABEL and isinstance(quad.object, ox.Literal):
                    record.count(quad.subject.value, Lit(quad.object.value, quad.object.language))
            labels.add_record(record, sign=-1)


def append_preferred_labels(labels: LabelCounts, spool: Path, chunk: int = 10_000) -> None:
    """End the spool with one skos:prefLabel per organisation and language, chosen across the
    published records (converters/rdf.py ``LabelCounter.preferred``), so they load with the data;
    written ``chunk`` labels at a time (an organisation each: half a million at 1 000 000 projects)."""
    sink = NTriplesSink()
    with open(spool, "ab") as out:
        for number, (organisation, label) in enumerate(labels.preferred(), start=1):
            sink.add(organisation, PREF_LABEL, label)
            if number % chunk == 0:
                out.write(sink.take().encode("utf-8"))
        out.write(sink.take().encode("utf-8"))


def filtered_spool(spool: Path, target: Path, spans: Iterator[tuple[str, int, int]]) -> None:
    """Copy the N-Triples of the records in ``spans`` from ``spool`` to ``target``."""
    with open(spool, "rb") as source, open(target, "wb") as out:
        for _record, offset, length in spans:
            source.seek(offset)
            out.write(source.read(length))
