"""eulod.shapes.fast gives the results pySHACL gives, on the same graphs.

Compared per result: focus node, source shape, constraint component, severity, path and value,
and the messages in every language. The graphs: every bad/good case of tests/test_shapes.py
(each breaks one constraint on purpose), the sample records together, and generated
CORDIS-like graphs with deliberately broken records (bench/generate.py).
"""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import FOAF, RDF, SH

from eulod.converters.rdf import MappingOptions, RecordMapper
from eulod.converters.records import Record, load_records
from eulod.core.namespaces import bind_prefixes
from eulod.pipeline.build import convert_and_validate, convert_records, validate_outcomes
from eulod.shapes import Report, fast, validate, validate_graphs

ROOT = Path(__file__).parent.parent
CASES = sorted((ROOT / "tests" / "data" / "shapes").rglob("*.ttl"))
BASE = "http://127.0.0.1:5000/"


def keys(report: Report) -> Counter:
    return Counter((r.focus, r.source_shape, r.constraint, r.severity, r.path, r.value) for r in report.results)


NUMBER = re.compile(r"-?\d+\.\d+")
IRI_LIST = re.compile(r"https?://[^\s,]*[^\s,.](?:, https?://[^\s,]*[^\s,.])+")


def normalised(message: str) -> str:
    """A message up to what SPARQL engines may legitimately differ in when filling it.

    pyoxigraph keeps numbers by value (1054575.00 is read back as 1054575) and a
    GROUP_CONCAT has no defined order; everything else must be the same text.
    """
    message = NUMBER.sub(lambda m: format(Decimal(m.group()).normalize(), "f"), message)
    return IRI_LIST.sub(lambda m: ", ".join(sorted(m.group().split(", "))), message)


def with_messages(report: Report) -> Counter:
    return Counter(
        (r.focus, r.source_shape, r.constraint, r.severity, r.path, r.value,
         tuple(sorted((lang, normalised(text)) for lang, text in r.messages.items())))
        for r in report.results
    )


def assert_same(graph: Graph, messages: bool = True) -> Report:
    expected, actual = validate(graph), validate_graphs([graph])
    assert keys(actual) == keys(expected), (
        f"only pySHACL: {keys(expected) - keys(actual)}\nonly fast: {keys(actual) - keys(expected)}"
    )
    if messages:
        assert with_messages(actual) == with_messages(expected)
    return expected


def generator():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Generator


def generated_graph(projects: int, seed: int, invalid_every: int) -> Graph:
    mapper = RecordMapper(MappingOptions(BASE, "publish"))
    graph = bind_prefixes(Graph())
    for data in generator()(projects, seed, invalid_every).records():
        graph += mapper.graph(Record(data, "generated.jsonl"))
    return graph


def test_the_shapes_compile_to_a_fast_plan():
    """A shape the fast validator cannot reproduce would silently send everything to pySHACL."""
    from eulod.shapes import shapes_graph

    plan = fast.compile_plan(shapes_graph())
    rules = sum(len(shape.sparql) for _classes, shape in plan.targeted)
    assert rules == len(set(shapes_graph().objects(None, SH.sparql))) >= 8
    assert {shape.shape.node for _classes, shape in plan.targeted} == set(shapes_graph().subjects(SH.targetClass, None))


def test_an_unsupported_feature_is_refused_not_misread():
    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:a ; sh:lessThan ex:b ] .""",
        format="turtle",
    )
    with pytest.raises(fast.Unsupported):
        fast.compile_plan(shapes)


@pytest.mark.parametrize("case", CASES, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_each_shapes_case_gives_pyshacls_results(case):
    assert_same(Graph().parse(case, format="turtle"))


@pytest.mark.parametrize("case", [c for c in CASES if ".bad" in c.name], ids=lambda p: str(p.relative_to(p.parents[1])))
def test_results_read_without_the_report_graph_are_those_read_from_it(case):
    """The streaming build reads pySHACL's result tuples directly (shapes.results_of): the same
    results, messages in every language and inverse paths included, as the report graph gives."""
    from eulod.shapes import parse_report, results_of, shapes_graph

    triples = fast.triples_from_graphs([Graph().parse(case, format="turtle")])
    expected = parse_report(fast.validate_triples(triples, shapes_graph())).results
    _plan, reports = fast.validate_reports(triples, shapes_graph())
    assert results_of(reports) == expected and expected


def test_a_bad_case_really_has_results():
    """The comparison above would pass on two empty reports: make sure it compares something."""
    found = sum(len(validate_graphs([Graph().parse(c, format="turtle")]).results) for c in CASES if ".bad" in c.name)
    assert found >= 100


def test_the_sample_records_together_give_pyshacls_results():
    loaded = load_records([ROOT / "data" / "records"])
    mapper = RecordMapper(MappingOptions(BASE, "publish"))
    graph = bind_prefixes(Graph())
    for record in loaded.records:
        graph += mapper.graph(record)
    report = assert_same(graph)
    assert any(r.severity == "warning" for r in report.results)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_graphs_with_broken_records_give_pyshacls_results(seed):
    graph = generated_graph(projects=45, seed=seed, invalid_every=4)
    report = assert_same(graph)
    assert {r.source_shape.rsplit("#", 1)[1] for r in report.results if r.severity == "violation"} >= {
        "Project-endBeforeStart", "Project-multipleCoordinators",
    }


def test_the_build_gives_each_record_the_results_about_it(sample_settings):
    """Whole-graph validation in the build, split per record, equals validating each record alone."""
    loaded = load_records([ROOT / "data" / "records"])
    outcomes = convert_and_validate(loaded.records, sample_settings)
    assert len(outcomes) == len(loaded.records) >= 5
    for outcome in outcomes:
        assert keys(outcome.report) == keys(validate(outcome.graph)), outcome.record.id


def test_an_organisation_result_goes_to_every_record_naming_it(sample_settings):
    """Cesena takes part in seeds 000 and 001: a bad homepage stated by one is both records' problem."""
    loaded = load_records([ROOT / "data" / "records"])
    outcomes = convert_records(loaded.records[:3], sample_settings)
    cesena = URIRef(BASE + "organisation/cesena-municipality")
    assert all((cesena, RDF.type, None) in o.graph for o in outcomes[:2])
    outcomes[0].graph.add((cesena, FOAF.homepage, URIRef("ftp://files.example/cesena")))
    validate_outcomes(outcomes)
    named = [{r.source_shape.rsplit("#", 1)[1] for r in o.report.results if r.focus == str(cesena)} for o in outcomes]
    assert named[0] == named[1] == {"Organisation-homepage"}
    assert named[2] == set()


@pytest.mark.slow
def test_two_worker_processes_give_the_same_results():
    """Large data is split over forked workers; the results must not depend on it."""
    from eulod.shapes import parse_report, shapes_graph

    graph = generated_graph(projects=30, seed=5, invalid_every=3)
    split = parse_report(fast.validate_triples(fast.triples_from_graphs([graph]), shapes_graph(), graph, workers=2))
    assert split.results and with_messages(split) == with_messages(validate(graph))
