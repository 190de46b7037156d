"""Records and comparisons shared by the tests that hold the streaming build to whole-graph validation.

``eulod build`` validates a batch of records at a time and the organisations in a pass of their
own (eulod/pipeline/checks.py); ``convert_and_validate`` validates every record in one graph.
tests/test_streaming_build.py compares the two on hand-written records,
tests/test_streaming_property.py on generated ones; both read the two outcomes the same way,
through these functions, so a finding is compared field by field whichever test found it.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox
from rdflib import Graph

from eulod.converters.rdf import preferred_labels
from eulod.converters.records import RecordProblem
from eulod.converters.sources import load_sources
from eulod.core.generation import data_graph_iri
from eulod.pipeline.build import BuildOutcome, ConvertedRecord, convert_and_validate

BASE = "http://127.0.0.1:5000/"


def record(record_id: str, **extra) -> dict:
    data = {"id": record_id, "language": "en", "title": f"Project {record_id}", "source": {"file": "none.txt"},
            "start_date": "2022-01-01", "end_date": "2024-12-31"}
    data.update(extra)
    return data


def participant(org_id: str, role: str = "partner", **organisation) -> dict:
    return {"role": role, "organisation": {"id": org_id, **organisation}}


def write_jsonl(target: Path, rows: Iterable[dict]) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    return target


def key(result) -> tuple:
    return result.severity, result.focus, result.path, result.value, result.source_shape, result.constraint


def key_and_messages(result) -> tuple:
    """:func:`key` and the words of the result's messages in each language, in sorted order: a
    message listing values (eulodsh:Project-multipleCoordinators names the organisations with
    GROUP_CONCAT, whose order SPARQL leaves open) lists them in the order the store holds the
    triples, which differs between a batch and the whole graph; what it says must not."""
    return *key(result), tuple(sorted((language, tuple(sorted(text.rstrip(".").replace(",", " ").split())))
                                      for language, text in result.messages.items()))


def results_by_record(outcomes: Iterable, by=key) -> dict[str, Counter]:
    """record id -> its results, for the records that have any (ConvertedRecord or the build's
    RecordOutcome), each as ``by`` gives it (:func:`key`, or :func:`key_and_messages` to compare
    what the report says too)."""
    return {o.record.id: Counter(map(by, o.report.results)) for o in outcomes if o.report.results}


def problem_key(problem: RecordProblem) -> tuple:
    return problem.file, problem.record, problem.field, problem.reason


def problems(load: Iterable[RecordProblem], outcomes: Iterable) -> Counter:
    """Every problem of the records: those that never reached RDF and those the converter refused."""
    return Counter(map(problem_key, [*load, *(p for o in outcomes for p in o.problems)]))


def whole_graph_validation(folder: Path, settings) -> tuple[list[RecordProblem], list[ConvertedRecord]]:
    """The load problems and the converted, validated records of whole-graph validation (the path
    before the streaming build)."""
    loaded = load_sources([folder], settings.data_dir)
    return loaded.problems, convert_and_validate(loaded.records, settings)


def whole_graph(folder: Path, settings) -> dict[str, Counter]:
    """record id -> its results, by whole-graph validation."""
    return results_by_record(whole_graph_validation(folder, settings)[1])


def streamed(outcome: BuildOutcome) -> dict[str, Counter]:
    return results_by_record(outcome.outcomes)


def _without_build_stamps(graph: Graph) -> Graph:
    """prov:generatedAtTime, and dcterms:modified stated by the change step (eulod.pipeline.changes),
    differ from build to build: left out of comparisons."""
    volatile = {p for p in graph.predicates() if str(p).endswith(("generatedAtTime", "/terms/modified"))}
    for p in volatile:
        graph.remove((None, p, None))
    return graph


def published_graph(outcome: BuildOutcome, settings) -> Graph:
    """The data graph a build loaded into its store."""
    store = ox.Store.read_only(str(outcome.generation.store_path))
    try:
        text = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(data_graph_iri(settings)))
    finally:
        del store
    return _without_build_stamps(Graph().parse(data=text, format="nt"))


def expected_graph(outcomes: Iterable[ConvertedRecord], fail_on: str = "violation") -> Graph:
    """What the build publishes, as it did before streaming: the union of the valid records'
    graphs plus the organisations' preferred labels chosen among them."""
    valid = [o for o in outcomes if o.valid(fail_on)]
    graph = Graph()
    for o in valid:
        graph += o.graph
    graph += preferred_labels([o.graph for o in valid])
    return _without_build_stamps(as_stored(graph))


def as_stored(graph: Graph) -> Graph:
    """``graph`` as the store gives it back: pyoxigraph writes literals of some datatypes in their
    canonical form (an xsd:decimal 0.00 comes back as 0)."""
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES)
    return Graph().parse(data=store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()), format="nt")
