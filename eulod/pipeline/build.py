"""``eulod build``: records -> RDF -> SHACL -> a new store generation with dumps.

Every record is loaded, converted and validated on its own, so one bad record never hides
the problems of another; the store is only switched when the whole data set is valid
(or, with ``skip_invalid``, when the valid records are loaded and the others reported).
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDF

from eulod import __version__
from eulod.converters.conflicts import organisation_conflicts, preferred_values
from eulod.converters.personal import contact_names
from eulod.converters.rdf import FieldError, MappingOptions, RecordMapper
from eulod.converters.records import Record, RecordProblem
from eulod.converters.sources import SourceDocument, SourceLocator, iter_sources, locate_source, source_roots
from eulod.core.clock import build_time
from eulod.core.config import Settings
from eulod.core.countries import label_triples as country_label_triples
from eulod.core.generation import Generation, data_graph_iri, dataset_graphs, summary_graph_iri, vocabulary_graph_iri
from eulod.core.listing import write_listing, write_parked_listing
from eulod.core.namespaces import bind_prefixes
from eulod.core.search import write_parked_search, write_search
from eulod.core.software import software
from eulod.pipeline.bulk import loader_threads
from eulod.pipeline.changes import DATA_FILE as CHANGED_DATA
from eulod.pipeline.changes import publish_changes
from eulod.pipeline.checkpoint import CHECKPOINT, RECORDS_NT, CheckpointWriter
from eulod.pipeline.checks import check_organisations
from eulod.pipeline.conflicts import conflict_warnings
from eulod.pipeline.delta import settle
from eulod.pipeline.dumps import write_dumps
from eulod.pipeline.findings import REPORT_FILE, Findings, RecordOutcome
from eulod.pipeline.generations import (
    build_lock,
    discard,
    new_generation,
    remove_interrupted,
    switch_to,
    write_manifest,
)
from eulod.pipeline.incremental import Fallback, build_incremental
from eulod.pipeline.publication import (
    SAID_ONE_BY_ONE,  # noqa: F401 - tests read it here
    Located,
    copy_sources,
    statistics,
    write_validation,
)
from eulod.pipeline.spool_indexes import Parked, park_indexes, record_ranges
from eulod.pipeline.stream import (
    Converter,
    Spools,
    append_preferred_labels,
    filtered_spool,
    scan,
    source_uses,
    uncount_labels,
)
from eulod.pipeline.summaries import add_summaries
from eulod.shapes import Report, Result, validate_graphs

log = logging.getLogger(__name__)


@dataclass
class ConvertedRecord:
    """One record converted to an rdflib graph and validated in memory (``eulod validate``, tests).

    ``eulod build`` keeps no graph: it streams (eulod/pipeline/stream.py) and its outcome
    holds :class:`eulod.pipeline.findings.RecordOutcome` rows read back from its report file.
    """

    record: Record
    graph: Graph | None = None
    report: Report = field(default_factory=Report)
    problems: list[RecordProblem] = field(default_factory=list)
    # Warnings of disagreements with other records about a shared organisation (eulod.pipeline.conflicts):
    # found before validation, added to the report by validate_outcomes.
    conflicts: list[Result] = field(default_factory=list)

    def valid(self, fail_on: str) -> bool:
        return self.graph is not None and not self.problems and not self.report.fails(fail_on)


@dataclass
class BuildOutcome:
    """What a build did: its report (read back from the report file on demand) and the generation it made."""

    findings: Findings | None = None
    generation: Generation | None = None
    manifest: dict = field(default_factory=dict)
    converted: int = 0

    @property
    def loaded(self) -> bool:
        return self.generation is not None

    @property
    def problems(self) -> list[RecordProblem]:
        """Records that never got to RDF (unreadable, against the schema, a duplicate id ...)."""
        return self.findings.load_problems() if self.findings else []

    @property
    def outcomes(self) -> list[RecordOutcome]:
        """The converted records that have something to report (problems or SHACL results)."""
        return self.findings.outcomes() if self.findings else []

    def invalid(self, fail_on: str) -> list[RecordOutcome]:
        return [o for o in self.outcomes if not o.valid(fail_on)]

    def ok(self, fail_on: str) -> bool:
        """No record refused and none invalid at ``fail_on``: asked of the report file, not read from it whole."""
        if self.findings is None:
            return True
        return not self.findings.count_load_problems() and not self.findings.any_rejected(fail_on)


def vocabulary_files() -> list[resources.abc.Traversable]:
    """The ontology and code-list Turtle files shipped with eulod."""
    folder = resources.files("eulod.ontology")
    return sorted((e for e in folder.iterdir() if e.name.endswith(".ttl")), key=lambda e: e.name)


def vocabulary_quads(name: str, turtle: bytes, graph: ox.NamedNode) -> Iterator[ox.Quad]:
    """One vocabulary file's triples in ``graph``, its blank nodes named by file and position.

    A parser names the blank nodes of ``[ ]`` and ``( )`` at random, so two builds of the same
    data would dump different bytes (and different ETags for harvesters). Naming them from the
    file name and the order in which they appear makes every build of the same input
    byte-identical.
    """
    stem = re.sub(r"[^A-Za-z0-9]", "", name)
    names: dict[ox.BlankNode, ox.BlankNode] = {}

    def fixed(term: Any) -> Any:
        if isinstance(term, ox.BlankNode):
            return names.setdefault(term, ox.BlankNode(f"{stem}b{len(names)}"))
        return term

    for quad in ox.parse(turtle, ox.RdfFormat.TURTLE, base_iri="https://w3id.org/eulod/"):
        yield ox.Quad(fixed(quad.subject), quad.predicate, fixed(quad.object), graph)


def convert_records(
    records: Iterable[Record], settings: Settings, progress: Callable[[Iterable], Iterable] = lambda x: x,
    when: datetime | None = None,
) -> list[ConvertedRecord]:
    """Map each record to its RDF graph; a converter failure is that record's problem only.

    ``when`` is the build's time, stamped on every record (one time for the whole build)."""
    records = list(records)
    # Without personal_data = publish, a contact person named in any record's free text is
    # taken out of every record's texts (converters/personal.py), so all names are known first.
    persons = contact_names(r.data for r in records) if settings.personal_data != "publish" else frozenset()
    # Records that disagree about an organisation they share: one value published, each statement kept.
    conflicts = organisation_conflicts(records, settings.base_iri)
    mapper = RecordMapper(MappingOptions(settings.base_iri, settings.personal_data, persons=persons, generated_at=when,
                                         preferred=preferred_values(conflicts)))
    warnings = conflict_warnings(conflicts)
    outcomes = []
    for record in progress(records):
        outcome = ConvertedRecord(record, conflicts=warnings.get(record.id, []))
        try:
            outcome.graph = mapper.graph(record)
        except FieldError as exc:  # a value that cannot become its IRI (converters.rdf): the record's problem
            outcome.problems.append(RecordProblem(record.file, record.id, exc.field, exc.reason))
        except Exception as exc:  # a converter bug must not stop the other records
            log.exception("converting %s failed", record.id)
            outcome.problems.append(RecordProblem(record.file, record.id, "", f"conversion failed: {exc}"))
        outcomes.append(outcome)
    return outcomes


def validate_outcomes(outcomes: list[ConvertedRecord]) -> Report:
    """Validate all converted records together and give each record the results about it.

    One whole-graph run (eulod.shapes.fast, identical to pySHACL on the union) instead of one
    pySHACL run per record: about 20x faster on large data, and organisations shared between
    records are checked as the store will hold them. A result belongs to every record whose
    graph types its focus node: a project and everything under it belongs to one record, an
    organisation to every record that names it. Returns the whole report (with its graph).
    The warnings of disagreements between records (RecordOutcome.conflicts) are added to the
    records that carry them, so every report shows them beside the shapes' results.
    """
    converted = [o for o in outcomes if o.graph is not None]
    report = validate_graphs([o.graph for o in converted], bind_prefixes(Graph()))
    owners: dict[str, list[ConvertedRecord]] = {}
    for outcome in converted:
        for subject in set(outcome.graph.subjects(RDF.type, None)):
            owners.setdefault(str(subject), []).append(outcome)
        outcome.report = Report()
    for result in report.results:
        for outcome in owners.get(result.focus, []):
            outcome.report.results.append(result)
    for outcome in converted:
        outcome.report.results.extend(outcome.conflicts)
    return report


def convert_and_validate(
    records: Iterable[Record], settings: Settings, progress: Callable[[Iterable], Iterable] = lambda x: x,
    stage: Callable[[str], None] = lambda name: None, when: datetime | None = None,
) -> list[ConvertedRecord]:
    outcomes = convert_records(records, settings, progress, when)
    stage("validating against the shapes")
    validate_outcomes(outcomes)
    return outcomes


def _ntriples(graph: Graph | bytes) -> bytes:
    """N-Triples of one graph; chunks already in N-Triples (converters.rdf.ntriples_stream) pass as they are."""
    if isinstance(graph, bytes):
        return graph
    return graph.serialize(format="nt", encoding="utf-8")


def _spool(chunks: Iterable[Graph | bytes], target: Path) -> int:
    """Write the data's N-Triples to a file as they come, so memory stays flat whatever the size."""
    written = 0
    with open(target, "wb") as handle:
        for chunk in chunks:
            written += handle.write(_ntriples(chunk))
    return written


def ntriples_file_chunks(path: Path, size: int = 8 << 20) -> Iterator[bytes]:
    """An N-Triples file as blocks cut at line ends: what :func:`load_generation` takes, read
    without holding the file (benchmarks load generated files this way)."""
    with open(path, "rb") as handle:
        rest = b""
        while block := handle.read(size):
            block = rest + block
            cut = block.rfind(b"\n") + 1
            rest = block[cut:]
            if cut:  # a line longer than the block: keep reading until it ends
                yield block[:cut]
        if rest:
            yield rest


def load_generation(settings: Settings, graphs: Iterable[Graph | bytes],
                    stage: Callable[[str], None] = lambda name: None, dumps: bool = True,
                    when: datetime | None = None) -> tuple[Generation, dict, dict]:
    """Bulk-load data and vocabulary into a new generation's store; write its summaries, listing and dumps.

    ``graphs`` are rdflib graphs or N-Triples chunks (the bulk path); either way they are
    spooled to a file in the generation and bulk-loaded from there, never held in memory.
    Returns the generation, its statistics and the description of its dumps (see
    :func:`load_spool`). Benchmarks and tests that start from N-Triples use this; ``eulod build``
    writes its spool itself (eulod/pipeline/stream.py) and calls :func:`load_spool`.
    """
    generation = new_generation(settings.build_dir)
    try:
        spool = generation.path / ".data.nt"
        started = time.perf_counter()
        size = _spool(graphs, spool)
        log.info("spooled %d bytes of N-Triples in %.2f s", size, time.perf_counter() - started)
        stats, written = load_spool(settings, generation, spool, stage=stage, dumps=dumps, when=when)
    except BaseException:
        discard(generation)
        raise
    return generation, stats, written


def write_summaries(store: ox.Store, generation: Generation, settings: Settings, year: int,
                    stage: Callable[[str], None], parked: Future | None = None) -> None:
    """The summaries, into the store; ``year`` ends the years of projects that state no end.

    With ``parked`` (whose result is :class:`Parked`), the memberships and dates are taken from
    the listing's rows read from the records beside the load, unless those records held a blank
    node (no data file then: a blank node's label differs from part to part, so its rows cannot
    be joined across parts); the store answers the rest."""
    # Summaries read the whole data graph: from the optimised store that takes half the
    # time (measured at 100 000 projects); the few they add need no second optimisation.
    files: Parked | None = parked.result() if parked is not None else None
    stage("computing the summaries")
    started = time.perf_counter()
    added = add_summaries(store, data_graph_iri(settings), summary_graph_iri(settings), settings.base_iri,
                          settings.summary_collaborations, current_year=year,
                          counts=generation.summary_counts_path,
                          parked=files.listing if files is not None and files.data is not None else None)
    store.flush()
    log.info("computed %d summary triples in %.2f s", added, time.perf_counter() - started)


def write_indexes(store: ox.Store, generation: Generation, year: int, stage: Callable[[str], None],
                  parked: Future | None = None, written: tuple[Future, Future] | None = None) -> None:
    """The home page listing and the search index, read from the store, or from the rows read
    from the spool during the load when ``parked`` (whose result is :class:`Parked`) is given.
    ``written`` are the listing and the search index already being written from those rows
    (:func:`indexes_from_parked`): they are waited for instead, and the parked listing, which
    the summaries read too, removed. Runs after the summaries."""
    files: Parked | None = parked.result() if parked is not None else None
    if written is not None and files is not None:
        for future in written:
            future.result()
        files.listing.unlink(missing_ok=True)
        return
    stage("writing the home page listing")
    if files is not None:
        write_parked_listing(files.listing, generation.listing_path, year, generation.id)
    else:
        write_listing(store, generation.listing_path, year, generation.id)
    stage("writing the search index")
    if files is not None:
        write_parked_search(files.search, generation.search_path, generation.id)
    else:
        write_search(store, generation.search_path, generation.id)


# The page cache of the listing's and the search index's reads of their parked rows beside the
# bulk load, where a build's memory peaks (64 MiB each, the default, raised that peak by 96 MiB at 100 000 projects).
BESIDE_LOAD_CACHE_KIB = 8 * 1024


def indexes_from_parked(early: ThreadPoolExecutor, parked: Future, generation: Generation, year: int,
                        stop: threading.Event) -> tuple[Future, Future]:
    """The listing and the search index from their parked rows, written as soon as they are, on
    the thread that parked them (``early``): the store is still loading then, on one core, and
    neither needs anything from it. At 1 000 000 projects they took 360 and 350-500 s after the
    load, beside the dumps (bench/RESULTS.md); the load's last minutes, on an idle core, now hold
    most of it. The parked listing is kept: the summaries read it after the load
    (:func:`write_indexes` removes it)."""

    def listing() -> int:
        return write_parked_listing(parked.result().listing, generation.listing_path, year, generation.id,
                                    keep=True, stop=stop.is_set, cache_kib=BESIDE_LOAD_CACHE_KIB)

    def search() -> int:
        return write_parked_search(parked.result().search, generation.search_path, generation.id, stop=stop.is_set,
                                   cache_kib=BESIDE_LOAD_CACHE_KIB)

    searched = early.submit(search)
    return early.submit(listing), searched


def load_spool(settings: Settings, generation: Generation, spool: Path,
               stage: Callable[[str], None] = lambda name: None, dumps: bool = True,
               when: datetime | None = None, keep: Path | None = None,
               records: list[tuple[int, int]] | None = None, parsed_before: bool = False) -> tuple[dict, dict]:
    """Bulk-load an N-Triples file and the vocabulary into ``generation``'s store;
    write its summaries, listing and dumps. The spool is removed once loaded, or renamed to
    ``keep`` (the generation's checkpoint of the records' triples, eulod/pipeline/checkpoint.py).

    Returns the statistics and the description of the dumps. ``stage`` is told the name of
    each step as it starts (minutes each at 100 000 projects), so a CLI can say what it is
    doing. Without ``dumps`` (benchmarks that measure the store, not the files) none are
    written. The generation stays incomplete (readers refuse it, the next build removes it if
    this process dies) until the caller seals it with
    :func:`eulod.pipeline.generations.write_manifest` and switches to it with
    :func:`eulod.pipeline.generations.switch_to`; on failure the caller discards it.

    ``records`` are the byte ranges of groups of whole records in ``spool``
    (eulod.pipeline.spool_indexes.record_ranges): the listing's and the search index's rows, and
    the data graph's N-Triples the change step and the dumps read, are then taken from them beside
    the bulk load, on the core the loader leaves idle, instead of from the loaded store.

    ``parsed_before``: the records' lines of the spool were parsed strictly already (the streaming
    build's validation batches parse each record's N-Triples; a line they refuse fails the build),
    and the preferred names appended after them repeat those records' organisation IRIs and
    language tags; so the loader does not check the IRIs a second time (3 % of the bulk load at
    100 000 projects).
    """
    early = ThreadPoolExecutor(1, thread_name_prefix="eulod-spool")
    stop = threading.Event()
    when = when or build_time()
    try:
        parked: Future | None = None
        indexes: tuple[Future, Future] | None = None
        if records is not None:  # opened before the spool is renamed or removed; park_indexes closes it
            parked = early.submit(park_indexes, open(spool, "rb"), records,
                                  Parked(generation.path / ".listing.parked", generation.path / ".search.parked",
                                         generation.path / CHANGED_DATA), stop, settings.base_iri)
            indexes = indexes_from_parked(early, parked, generation, when.year, stop)  # once parked, same thread
        # The store is held by _after_load alone, which closes it before returning.
        return _after_load(settings, generation, _bulk_loaded(settings, generation, spool, stage, keep, parsed_before),
                           stage, dumps, when, parked, indexes)
    except BaseException:
        stop.set()  # a failed build stops the reading, the listing and the search index beside it
        raise
    finally:
        early.shutdown(wait=True)


def _bulk_loaded(settings: Settings, generation: Generation, spool: Path, stage: Callable[[str], None],
                 keep: Path | None, parsed_before: bool = False) -> ox.Store:
    """The generation's store with the spool loaded into its data graph; the spool removed or kept as ``keep``."""
    store = ox.Store(str(generation.store_path))
    stage("loading the store")
    started = time.perf_counter()
    with loader_threads(settings.build_load_threads):
        store.bulk_load(path=str(spool), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(data_graph_iri(settings)),
                        lenient=parsed_before)
    if keep is not None:
        spool.rename(keep)
    else:
        spool.unlink()
    log.info("bulk-loaded the data in %.2f s", time.perf_counter() - started)
    return store


def _after_load(settings: Settings, generation: Generation, store: ox.Store,
                stage: Callable[[str], None], dumps: bool, when: datetime,
                parked: Future | None, indexes: tuple[Future, Future] | None = None) -> tuple[dict, dict]:
    """:func:`load_spool` once the data is in: vocabulary, optimisation, the steps after the load."""
    vocabulary = ox.NamedNode(vocabulary_graph_iri(settings))
    # Through the bulk loader too, not a transaction: right after a bulk load the store's first
    # transactional write waited for its background compaction (227 s at 1 000 000 projects,
    # bench/RESULTS.md), which the optimisation below does anyway.
    for entry in vocabulary_files():
        store.bulk_extend(list(vocabulary_quads(entry.name, entry.read_bytes(), vocabulary)))
    # Country names from the EU authority table, so queries and pages can name a country.
    store.bulk_extend([ox.Quad(t.subject, t.predicate, t.object, vocabulary) for t in country_label_triples()])
    store.flush()
    stage("optimising the store")
    started = time.perf_counter()
    store.optimize()
    log.info("optimised the store in %.2f s", time.perf_counter() - started)
    with ThreadPoolExecutor(1, thread_name_prefix="eulod-derived") as side:
        # The store's work runs outside the GIL: the summaries, listing and search index are
        # computed beside the change step and the dumps (the second core), which read only the
        # data and vocabulary graphs; the dumps wait for the summaries, whose graph they hold.
        summarised = side.submit(write_summaries, store, generation, settings, when.year, stage, parked)
        indexed = side.submit(write_indexes, store, generation, when.year, stage, parked, indexes)  # after them
        counted: Future | None = None
        try:
            # Before the dumps: they carry dcterms:modified, and take the data graph's N-Triples the change step read.
            publish_changes(store, generation, settings, when, stage, keep_data=dumps,
                            data_file=parked.result().data if parked is not None else None)
            # Every graph is whole once the summaries are in (the side thread's first step) and the
            # change step's dcterms:modified (just now): counted there while the dumps are written
            # (counting 72 M quads took 20 s from a cold store at 1 000 000 projects).
            counted = side.submit(statistics, store)
            written: dict = {}
            if dumps:  # the data graph's sections first, beside the summaries; the other graphs after them
                stage("writing the dumps")
                started = time.perf_counter()
                written = write_dumps(store, generation, (generation.path / CHANGED_DATA, data_graph_iri(settings)),
                                      settings.base_iri, ready=summarised.result,
                                      processes=settings.build_dump_processes)
                log.info("wrote the dumps in %.2f s", time.perf_counter() - started)
        except BaseException:
            for later in (indexed, counted):
                if later is not None:
                    later.cancel()
            wait([summarised, indexed])  # the side's error, if any, is second to this one
            raise
        summarised.result()  # raises the side's errors
        indexed.result()
        stats = counted.result() if counted is not None else statistics(store)
    store.flush()
    del store  # closes the database so readers can open it
    settle(generation.store_path)
    return stats, written


def source_file(record: Record, settings: Settings, roots: Sequence[Path] | None = None) -> SourceDocument | None:
    """Where a record's ``source.file`` is (beside the record, one folder up, or in the data
    folder), checked by :func:`eulod.converters.sources.locate_source`: None when missing.

    ``roots`` are the folders a source may resolve into (``source_roots`` of the build's
    inputs); without them, those of the configured record folders. Raises ``UnsafeSource``.
    """
    name = (record.data.get("source") or {}).get("file")
    if not name:
        return None
    if roots is None:
        roots = source_roots(settings.records, settings.data_dir)
    return locate_source(name, record.file, roots, settings.data_dir)


def build(
    settings: Settings,
    sources: list[Path] | None = None,
    *,
    fail_on: str = "violation",
    skip_invalid: bool = False,
    progress: Callable[[Iterable], Iterable] = lambda x: x,
    stage: Callable[[str], None] = lambda name: None,
    full: bool = False,
) -> BuildOutcome:
    """Run the whole pipeline; switch the store only when the outcome allows it.

    When the served generation has a checkpoint and ``full`` is not asked for, only what changed
    since it is converted and validated (eulod/pipeline/incremental.py); when that cannot be done
    (the reason is logged), every record is.

    ``progress`` wraps the records as they are converted (a progress bar); ``stage`` hears
    the name of each later step as it starts. The build folder is locked from start to end
    (:class:`eulod.pipeline.generations.BuildBusy` when another build holds it), and what killed builds left
    there is removed first.
    """
    with build_lock(settings.build_dir):
        remove_interrupted(settings.build_dir)
        if not full:
            outcome = BuildOutcome()
            try:
                if build_incremental(settings, sources or list(settings.records), fail_on, skip_invalid, build_time(),
                                     stage, outcome):
                    switch_to(settings.build_dir, outcome.generation)
                return outcome
            except Fallback as exc:
                log.info("building every record: %s", exc)
        return _build(settings, sources, fail_on, skip_invalid, progress, stage)


def _build(settings: Settings, sources: list[Path] | None, fail_on: str, skip_invalid: bool,
           progress: Callable[[Iterable], Iterable], stage: Callable[[str], None]) -> BuildOutcome:
    """Scan, convert and validate as a stream, then load; see eulod/pipeline/stream.py and checks.py."""
    inputs = sources or list(settings.records)
    locator = SourceLocator(source_roots(inputs, settings.data_dir), settings.data_dir)  # one look-up per document
    drafts: dict[Path, object] = {}  # fact sheets are extracted once, though the records are read twice

    def read() -> Iterator[Record | RecordProblem]:
        return iter_sources(inputs, settings.data_dir, locator, drafts)

    findings = Findings(settings.build_dir / REPORT_FILE)
    outcome = BuildOutcome(findings=findings)
    when = build_time()
    stage("reading the records")
    scanned = scan(read, settings, findings)
    generation = new_generation(settings.build_dir)
    try:
        spools = Spools(generation.path / ".data.nt", generation.path / ".organisations.nt",
                        generation.path / ".organisations-named.nt")
        checkpoint = CheckpointWriter(generation.path / CHECKPOINT, settings)
        converter = Converter(settings, scanned, findings, spools, checkpoint)
        outcome.converted = converter.run(read, when, progress)
        stage("validating the organisations")
        check_organisations((spools.organisations, spools.naming), generation.path / ".organisations",
                            converter.class_failures, findings, settings)
        rejected = findings.rejected(fail_on)  # converted records left out; the loader's refusals also stop a build
        refused = findings.count_load_problems()
        if (rejected or refused) and not skip_invalid:
            log.warning("not loading: %d records rejected, %d problems of records not converted", len(rejected), refused)
            discard(generation)
            return outcome
        if not any(True for _ in findings.converted_spans(rejected)):  # nothing valid to publish
            discard(generation)
            return outcome
        spool = spools.data
        if rejected:  # --skip-invalid: the store gets the valid records only
            uncount_labels(converter.labels, spools.data, (span for span in findings.converted_spans(set())
                                                            if span[0] in rejected))
            spool = generation.path / ".published.nt"
            filtered_spool(spools.data, spool, findings.converted_spans(rejected))
            spools.data.unlink()
        append_preferred_labels(converter.labels, spool)
        converter.labels.close()
        del converter
        # A checkpoint for the next build only when every record read is published: then the spool is theirs.
        whole = not rejected and not refused
        records = record_ranges(length for _, _, length in findings.converted_spans(rejected))
        stats, dumps = load_spool(settings, generation, spool, stage, when=when,
                                  keep=generation.path / RECORDS_NT if whole else None, records=records,
                                  parsed_before=True)
        outcome.manifest = {
            "generation": generation.id,
            "built": when.isoformat(),
            "eulod_version": __version__,
            "eulod_commit": software().commit,
            "base_iri": settings.base_iri,
            "records": list(findings.published(rejected)),
            "rejected": sorted(rejected | {p.record for p in findings.load_problems()}),
            "graphs": dataset_graphs(settings),
            "statistics": stats,
            "dumps": dumps,
        }
        write_validation(generation, findings.results_by_record(rejected))
        located: list[Located] = []
        outcome.manifest["sources"] = copy_sources(generation, source_uses(findings, rejected), settings, locator,
                                                   scanned.persons, located)
        findings.flush()
        if whole:
            checkpoint.documents(located, locator.listings(), locator.roots)
            checkpoint.finish(inputs, findings.path, {"built": when.isoformat()})
        else:
            checkpoint.discard()
        write_manifest(generation, outcome.manifest)  # last: from here on the generation counts as complete
    except BaseException:
        discard(generation)
        raise
    finally:
        findings.flush()
    switch_to(settings.build_dir, generation)
    outcome.generation = generation
    return outcome


def clean(settings: Settings) -> None:
    shutil.rmtree(settings.build_dir, ignore_errors=True)
