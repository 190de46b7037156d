"""SHACL in a streaming build: a batch of records at a time, then the organisations they share.

Validating the whole data set at once (eulod.pipeline.build.validate_outcomes) holds every
triple in memory. The streaming build validates instead:

1. **each batch of records** (setting ``build_batch_records``) with the shapes of the nodes a
   record holds alone: its project, participations, amounts, contacts, results, identifiers,
   source record. Every such node and everything the shapes look at from it (the SPARQL rules
   of a project walk its participations and amounts) is minted under the record's project
   IRI and written by that record only, so the batch holds all of it;
2. **the organisations**, which records share (the same IRI from every record naming it, each
   adding what it states), once all records are converted: their triples, from every record,
   are bulk-loaded into a store of their own (small: organisations only) and validated from
   there, a batch of organisations at a time (by the validation processes, as the records'
   batches are), with the organisation shapes. So a rule over an
   organisation sees what all records say of it, as whole-graph validation does; the results
   go to every record naming the organisation, as they did (which record names which node is
   a file of its own, read once after the pass for the nodes with results: :func:`named_results`).

The nodes minted under an organisation's IRI (``{organisation}/identifier/eu-pic``: its PIC,
its VAT number) are shared as well: every record naming the organisation with that identifier
states the same node, so two records giving two PICs give it two notations. A batch leaves the
results about them out, and the organisation pass validates them with their organisation.

One more shared case: ``sh:class`` on a value another record types (a contact's organisation
that only another record lists as a participant). A batch cannot see that type, so a batch's
``sh:class`` failures are checked again against the organisations' store and dropped when the
type is there. tests/test_streaming_build.py and tests/test_streaming_property.py (on generated
records) compare the results with whole-graph validation.
"""

from __future__ import annotations

import gc
import logging
import shutil
from collections import defaultdict, deque
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from eulod.core.config import Settings
from eulod.core.namespaces import EULOD, bind_prefixes
from eulod.pipeline.bulk import loader_threads
from eulod.pipeline.findings import Findings, RecordRef
from eulod.pipeline.workers import process_pool
from eulod.shapes import Result, shapes_graph, validate_part

log = logging.getLogger(__name__)

SHARED_CLASSES = frozenset({str(EULOD.Organisation)})  # nodes records share: validated in the organisation pass
RDF_TYPE = ox.NamedNode(str(RDF.type))
NAMED_BY = ox.NamedNode("urn:eulod:build:namedBy")  # organisation -> id of a record naming it (build store only)
CLASS_CONSTRAINT = str(SH.ClassConstraintComponent)


def record_shapes(classes: list) -> bool:
    """The shapes a batch of records runs: those not targeting a shared class."""
    return not any(str(c) in SHARED_CLASSES for c in classes)


def shared_nodes(triples: list[tuple]) -> set[str]:
    """The nodes of ``triples`` that records share: the organisations, and the nodes minted under
    an organisation that it points to (what :meth:`OrganisationStore.description` gives with it)."""
    organisations = {s.value for s, p, o in triples if p == RDF_TYPE and o.value in SHARED_CLASSES}
    inner = {o.value for s, p, o in triples
             if s.value in organisations and isinstance(o, ox.NamedNode) and o.value.startswith(s.value + "/")}
    return organisations | inner


TYPE_MARK = f" <{RDF.type}> ".encode()


def typed_subjects(text: bytes) -> Iterator[str]:
    """The subjects of the ``rdf:type`` lines of a record's N-Triples (as converters/rdf.py writes
    them: one triple a line, IRIs in brackets), found by searching the bytes: parsing each record
    apart to learn which record types a node cost a third of a batch's validation."""
    at = text.find(TYPE_MARK)
    while at != -1:
        start = text.rfind(b"\n", 0, at) + 1
        if text[start:start + 1] == b"<" and text.find(b"> ", start) == at - 1:  # the mark follows the subject
            yield text[start + 1:at - 1].decode("utf-8")
        at = text.find(TYPE_MARK, at + 1)


def parsed(text: bytes) -> list[tuple]:
    """N-Triples as (subject, predicate, object) pyoxigraph terms: what the validator takes."""
    return [(q.subject, q.predicate, q.object) for q in ox.parse(text, ox.RdfFormat.N_TRIPLES)]


class BatchChecker:
    """Validates batches of converted records and says which record each result belongs to."""

    def __init__(self) -> None:
        self.namespaces = bind_prefixes(Graph())
        self.class_failures: list[tuple[list[RecordRef], Result]] = []  # checked again by the organisation pass

    def check(self, batch: list[tuple[RecordRef, bytes]]) -> Iterator[tuple[RecordRef, list[Result]]]:
        """(record, its results) for each record of the batch that has any.

        A result belongs to every record of the batch whose triples type its focus node. A result
        about a node records share (:func:`shared_nodes`) is left to the organisation pass, which
        sees what every record says of it.
        """
        owners: dict[str, list[RecordRef]] = defaultdict(list)
        for ref, text in batch:
            for subject in typed_subjects(text):
                owners[subject].append(ref)
        text = b"".join(text for _ref, text in batch)
        triples = parsed(text)
        if not triples:
            return
        report = validate_part(triples, self.namespaces, record_shapes, text)
        shared = shared_nodes(triples)
        found: dict[RecordRef, list[Result]] = defaultdict(list)
        for result in report.results:
            if result.focus in shared:
                continue
            holders = list(dict.fromkeys(owners.get(result.focus, ())))
            if result.constraint == CLASS_CONSTRAINT:
                self.class_failures.append((holders, result))
                continue
            for ref in holders:
                found[ref].append(result)
        yield from found.items()


_CHECKER: BatchChecker | None = None  # the one of a validation process


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off for one batch, on again (and run once) after it.

    A batch makes a few hundred thousand short-lived terms, tuples and dicts, almost none in a
    cycle; the collector, triggered every 700 allocations, walked them again and again and took a
    third of a batch's validation (bench/RESULTS.md). Pausing it for the batch keeps memory
    bounded by the batch, as before: what the batch leaves in cycles is collected right after.
    """
    if not gc.isenabled():  # someone (a caller, a test) decided already
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(1)


def check_batch(batch: list[tuple[RecordRef, bytes]]) -> tuple[list[tuple[RecordRef, list[Result]]],
                                                               list[tuple[list[RecordRef], Result]]]:
    """One batch's results and its ``sh:class`` failures to check again: what a validation process returns."""
    global _CHECKER
    if _CHECKER is None:
        _CHECKER = BatchChecker()
    with collector_paused():
        found = list(_CHECKER.check(batch))
    failures, _CHECKER.class_failures = _CHECKER.class_failures, []
    return found, failures


class BatchQueue:
    """Validates batches in the order given, in processes of their own when asked, so that the build
    converts the next batch while others are validated (the machine's other cores).

    ``work`` is what a process does with a batch (default :func:`check_batch`); ``done`` is given
    its answer, batch after batch in the order submitted. The processes start with the first batch
    not submitted as the last: a single batch is validated in the build's own process. At most one batch
    more than there are processes waits for its results, so memory stays bounded by the batch size
    and the number of processes. A validation process that fails or dies fails the build, as a
    failure in the build's own process does: the served generation is untouched.
    """

    def __init__(self, processes: int, work: Callable[[Any], Any] = check_batch) -> None:
        self.processes, self.work = processes, work
        self.pool: ProcessPoolExecutor | None = None
        self.pending: deque = deque()

    def submit(self, batch: Any, done: Callable[[Any], None], last: bool = False) -> None:
        if self.pool is None and (last or self.processes < 1):
            done(self.work(batch))
            return
        if self.pool is None:
            self.pool = process_pool(self.processes)  # started clean, not as forks of the build
        self.pending.append((self.pool.submit(self.work, batch), done))
        while len(self.pending) > self.processes + 1:
            self._finish_one()

    def _finish_one(self) -> None:
        future, done = self.pending.popleft()
        done(future.result())

    def close(self) -> None:
        """Wait for every batch's results, then stop the validation processes."""
        try:
            while self.pending:
                self._finish_one()
        finally:
            if self.pool is not None:
                self.pool.shutdown(cancel_futures=True)


class OrganisationStore:
    """The organisations' triples from every record, in a store of their own, to validate them whole."""

    def __init__(self, folder: Path, spool: Path) -> None:
        self.store = ox.Store(str(folder))
        if spool.stat().st_size:
            self.store.bulk_load(path=str(spool), format=ox.RdfFormat.N_TRIPLES)

    def typed(self, node: str, cls: str) -> bool:
        return any(True for _ in self.store.quads_for_pattern(ox.NamedNode(node), RDF_TYPE, ox.NamedNode(cls)))

    def organisations(self) -> Iterator[ox.NamedNode]:
        for cls in SHARED_CLASSES:
            for quad in self.store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(cls)):
                yield quad.subject

    def description(self, node: ox.NamedNode) -> Iterator[tuple]:
        """A node's triples, and those of the nodes minted under it that it points to (its
        identifiers, whose types ``sh:class`` checks)."""
        for quad in self.store.quads_for_pattern(node, None, None):
            yield quad.subject, quad.predicate, quad.object
            if isinstance(quad.object, ox.NamedNode) and quad.object.value.startswith(node.value + "/"):
                for inner in self.store.quads_for_pattern(quad.object, None, None):
                    yield inner.subject, inner.predicate, inner.object

    def close(self) -> None:
        del self.store


class Described:
    """The organisations' shapes and those of the nodes minted under them: the shapes whose
    target classes type some node of a batch of organisations (picklable, for a validation process)."""

    def __init__(self, present: set[str]) -> None:
        self.present = present

    def __call__(self, classes: list) -> bool:
        return any(str(c) in self.present for c in classes)


def check_organisation_batch(text: bytes) -> list[Result]:
    """The results of the organisation shapes on a batch of organisations' N-Triples: what a
    validation process returns in the organisation pass."""
    with collector_paused():
        triples = parsed(text)
        present = {o.value for _s, p, o in triples if p == RDF_TYPE}
        return validate_part(triples, bind_prefixes(Graph()), Described(present), text).results


def organisation_results(organisations: OrganisationStore, batch_size: int, processes: int = 0) -> Iterator[Result]:
    """Every result of the organisation shapes.

    Batches of ``batch_size`` organisations are validated by ``processes`` processes (a
    :class:`BatchQueue`), their results given in the batches' order."""
    queue = BatchQueue(processes, check_organisation_batch)
    answered: list[Result] = []

    def submit(nodes: list[ox.NamedNode], last: bool) -> Iterator[Result]:
        text = ox.serialize([ox.Triple(*t) for node in nodes for t in organisations.description(node)],
                            format=ox.RdfFormat.N_TRIPLES)
        queue.submit(text, answered.extend, last)
        yield from given()

    def given() -> Iterator[Result]:
        yield from answered
        answered.clear()

    batch: list[ox.NamedNode] = []
    try:
        for node in organisations.organisations():
            batch.append(node)
            if len(batch) >= batch_size:
                yield from submit(batch, False)
                batch = []
        if batch:
            yield from submit(batch, True)
    finally:
        queue.close()
    yield from given()


def named_results(naming: Path, results: dict[str, list[Result]]) -> Iterator[tuple[str, list[Result]]]:
    """(record id, results) for every record typing a node with results (``results``: by focus
    node), from the namings file (:func:`eulod.pipeline.stream.organisation_lines`), read once:
    a record's results in the order it names its nodes, each node's once per record.

    Only the lines of nodes with results are parsed; the others are skipped on their subject's bytes
    (about four million lines at 1 000 000 projects, a few of them about nodes with results)."""
    wanted = {f"<{focus}>".encode() for focus in results}
    if not wanted:
        return
    given: set[tuple[str, str]] = set()
    with open(naming, "rb") as lines:
        for line in lines:
            if line[:line.find(b">") + 1] not in wanted:
                continue
            for quad in ox.parse(line, ox.RdfFormat.N_TRIPLES):
                pair = (quad.subject.value, quad.object.value)
                if quad.predicate == NAMED_BY and pair not in given:
                    given.add(pair)
                    yield quad.object.value, results[quad.subject.value]


def confirmed_class_failures(failures: Iterable[tuple[list[RecordRef], Result]],
                             organisations: OrganisationStore) -> Iterator[tuple[list[RecordRef], Result]]:
    """The ``sh:class`` failures of the batches that hold over all records: the value is typed nowhere."""
    for holders, result in failures:
        classes = [str(c) for c in shapes_graph().objects(URIRef(result.source_shape), SH["class"])]
        if result.value and classes and all(organisations.typed(result.value, c) for c in classes):
            continue
        yield holders, result


def check_organisations(spools: tuple[Path, Path], folder: Path,
                        class_failures: list[tuple[list[RecordRef], Result]],
                        findings: Findings, settings: Settings) -> None:
    """The organisation pass of a build: load the organisations' spool (``spools``: it and the
    namings file) into a store in ``folder``, write the results of the organisation shapes to every
    record naming the organisation, and those of the batches' ``sh:class`` failures that hold over
    all records; then remove the store and both files."""
    spool, naming = spools
    with loader_threads(settings.build_load_threads):
        organisations = OrganisationStore(folder, spool)
    try:
        by_focus: dict[str, list[Result]] = defaultdict(list)
        for result in organisation_results(organisations, settings.build_batch_records,
                                           settings.build_check_processes):
            by_focus[result.focus].append(result)
        for record_id, results in named_results(naming, by_focus):
            ref = findings.file_of(record_id)
            if ref is not None:
                findings.results(ref, results)
        for holders, result in confirmed_class_failures(class_failures, organisations):
            for ref in holders:
                findings.results(ref, [result])
    finally:
        organisations.close()
        shutil.rmtree(folder, ignore_errors=True)
        spool.unlink(missing_ok=True)
        naming.unlink(missing_ok=True)
