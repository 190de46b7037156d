"""Tests of the SHACL shapes in shapes/eulod-shapes.ttl.

Data-driven: tests/data/shapes/index.yaml lists one case per constraint (Core component of a
property or node shape, or SPARQL-based rule), and each case has at least one graph that breaks
it ({case}.bad*.ttl) and one that satisfies it ({case}.good*.ttl). Adding a case means adding
files and an index entry, never code. A coverage test makes sure every constraint in the shapes
file has a case.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
import yaml
from pyshacl import validate
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH

ROOT = Path(__file__).parent.parent
SHAPES_FILE = ROOT / "shapes" / "eulod-shapes.ttl"
CASES_DIR = Path(__file__).parent / "data" / "shapes"
INDEX_FILE = CASES_DIR / "index.yaml"
COMPLETE_FILE = CASES_DIR / "complete-project.valid.ttl"

EULODSH = Namespace("https://w3id.org/eulod/shapes#")
DATA_BASE = "http://127.0.0.1:5000/"

# Constraint parameters (SHACL Core and SPARQL) and the component each one belongs to.
PARAMETER_COMPONENTS = {
    SH["class"]: "Class",
    SH.datatype: "Datatype",
    SH.nodeKind: "NodeKind",
    SH.minCount: "MinCount",
    SH.maxCount: "MaxCount",
    SH.minExclusive: "MinExclusive",
    SH.minInclusive: "MinInclusive",
    SH.maxExclusive: "MaxExclusive",
    SH.maxInclusive: "MaxInclusive",
    SH.minLength: "MinLength",
    SH.maxLength: "MaxLength",
    SH.pattern: "Pattern",
    SH.languageIn: "LanguageIn",
    SH.uniqueLang: "UniqueLang",
    SH.equals: "Equals",
    SH.disjoint: "Disjoint",
    SH.lessThan: "LessThan",
    SH.lessThanOrEquals: "LessThanOrEquals",
    SH["not"]: "Not",
    SH["and"]: "And",
    SH["or"]: "Or",
    SH.xone: "Xone",
    SH.node: "Node",
    SH.qualifiedValueShape: "QualifiedValueShape",
    SH.closed: "Closed",
    SH.hasValue: "HasValue",
    SH["in"]: "In",
    SH.sparql: "SPARQL",
}
# Shape properties that are not constraints.
NON_CONSTRAINT_PARAMETERS = {
    RDF.type, SH.path, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
    SH.property, SH.severity, SH.message, SH.name, SH.description, SH.order, SH.group,
    SH.deactivated, SH.flags, SH.ignoredProperties, SH.qualifiedMinCount, SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint,
}
SEVERITIES = {"Violation": SH.Violation, "Warning": SH.Warning, "Info": SH.Info}


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


def load_index() -> dict[str, dict]:
    return yaml.safe_load(INDEX_FILE.read_text(encoding="utf-8"))


def case_files(case: str, kind: str) -> list[Path]:
    folder, _, name = case.rpartition("/")
    return sorted((CASES_DIR / folder).glob(f"{name}.{kind}*.ttl"))


def component_iri(name: str) -> URIRef:
    return SH[f"{name}ConstraintComponent"]


def run(data_file: Path) -> list[dict]:
    """Validate one data file; return its results as dicts of sh: properties."""
    data = Graph().parse(data_file, format="turtle")
    _conforms, report, _text = validate(
        data, shacl_graph=shapes_graph(), advanced=True, allow_warnings=True
    )
    results = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        results.append({
            "shape": report.value(result, SH.sourceShape),
            "constraint": report.value(result, SH.sourceConstraint),
            "component": report.value(result, SH.sourceConstraintComponent),
            "severity": report.value(result, SH.resultSeverity),
            "focus": report.value(result, SH.focusNode),
            "messages": [str(m) for m in report.objects(result, SH.resultMessage)],
        })
    return results


def describe(results: list[dict]) -> str:
    return "\n".join(
        f"  {r['shape']} {r['component']} {r['severity']} focus={r['focus']}" for r in results
    ) or "  (no results)"


INDEX = load_index()
BAD = [pytest.param(case, path, id=f"{case}:{path.name}") for case in INDEX for path in case_files(case, "bad")]
GOOD = [pytest.param(case, path, id=f"{case}:{path.name}") for case in INDEX for path in case_files(case, "good")]


@pytest.mark.parametrize(("case", "path"), BAD)
def test_bad_graph_breaks_its_constraint(case: str, path: Path) -> None:
    spec = INDEX[case]
    shape = EULODSH[spec["shape"].removeprefix("eulodsh:")]
    component = component_iri(spec["component"])
    severity = SEVERITIES[spec["severity"]]
    results = run(path)
    from_shape = [r for r in results if r["shape"] == shape and r["component"] == component]
    assert from_shape, f"{path.name}: no {spec['component']} result from {shape}; got\n{describe(results)}"

    def focus_matches(focus) -> bool:
        if spec["focus"] == "_:":
            return isinstance(focus, BNode)
        return focus == URIRef(DATA_BASE + spec["focus"])

    matching = [r for r in from_shape if focus_matches(r["focus"])]
    assert matching, f"{path.name}: focus {spec['focus']} not among\n{describe(from_shape)}"
    assert all(r["severity"] == severity for r in matching), describe(matching)
    if spec["component"] == "SPARQL":
        expected_constraint = URIRef(str(shape) + "-sparql")
        assert all(r["constraint"] == expected_constraint for r in matching), describe(matching)
        for r in matching:
            assert len(r["messages"]) == 2, r["messages"]
            for message in r["messages"]:
                assert "{?" not in message and "{$" not in message, f"unsubstituted: {message}"


@pytest.mark.parametrize(("case", "path"), GOOD)
def test_good_graph_satisfies_its_shape(case: str, path: Path) -> None:
    shape = EULODSH[INDEX[case]["shape"].removeprefix("eulodsh:")]
    results = run(path)
    from_shape = [r for r in results if r["shape"] == shape]
    assert not from_shape, f"{path.name}: unexpected results from {shape}:\n{describe(from_shape)}"


def test_every_case_has_bad_and_good_graphs() -> None:
    for case, spec in INDEX.items():
        assert case_files(case, "bad"), f"{case}: no {case}.bad*.ttl"
        assert case_files(case, "good"), f"{case}: no {case}.good*.ttl"
        assert spec["severity"] in SEVERITIES, case
        assert spec["component"] == "SPARQL" or SH[f"{spec['component']}ConstraintComponent"], case


def test_every_data_file_belongs_to_a_case() -> None:
    known = {p for case in INDEX for kind in ("bad", "good") for p in case_files(case, kind)}
    stray = [
        p.relative_to(CASES_DIR) for p in CASES_DIR.rglob("*.ttl")
        if p not in known and p != COMPLETE_FILE
    ]
    assert not stray, f"files without an index.yaml entry: {stray}"


def named_shapes(graph: Graph) -> set:
    return set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(RDF.type, SH.PropertyShape))


def test_shapes_have_stable_names_and_severities() -> None:
    graph = shapes_graph()
    for shape in named_shapes(graph):
        assert isinstance(shape, URIRef) and shape.startswith(str(EULODSH)), shape
        assert graph.value(shape, SH.severity) in SEVERITIES.values(), f"{shape} has no sh:severity"
    for shape in graph.objects(None, SH.property):
        assert shape in named_shapes(graph), f"property shape {shape} is not a named sh:PropertyShape"


def test_every_constraint_has_a_case() -> None:
    graph = shapes_graph()
    constraints = set()
    for shape in named_shapes(graph):
        for parameter in set(graph.predicates(shape, None)):
            if parameter in PARAMETER_COMPONENTS:
                constraints.add((shape, PARAMETER_COMPONENTS[parameter]))
            else:
                assert parameter in NON_CONSTRAINT_PARAMETERS or not str(parameter).startswith(str(SH)), (
                    f"{shape}: unknown SHACL parameter {parameter}; add it to PARAMETER_COMPONENTS"
                )
    covered = {(EULODSH[spec["shape"].removeprefix("eulodsh:")], spec["component"]) for spec in INDEX.values()}
    missing = sorted(f"{shape.removeprefix(str(EULODSH))} {component}" for shape, component in constraints - covered)
    assert not missing, "constraints without a test case in index.yaml:\n" + "\n".join(missing)
    unknown = sorted(f"{shape} {component}" for shape, component in covered - constraints)
    assert not unknown, "index.yaml cases for constraints the shapes do not have:\n" + "\n".join(unknown)


def test_sparql_constraints_have_severity_and_english_and_italian_messages() -> None:
    graph = shapes_graph()
    sparql_constraints = set(graph.subjects(RDF.type, SH.SPARQLConstraint))
    assert sparql_constraints == set(graph.objects(None, SH.sparql))
    assert len(sparql_constraints) >= 8
    for constraint in sparql_constraints:
        languages = sorted(m.language for m in graph.objects(constraint, SH.message) if isinstance(m, Literal))
        assert languages == ["en", "it"], f"{constraint}: sh:message languages {languages}"
        severity = graph.value(constraint, SH.severity)
        assert severity in SEVERITIES.values(), f"{constraint} has no sh:severity"
        # pySHACL reports the severity of the shape, so the shape must say the same.
        (owner,) = graph.subjects(SH.sparql, constraint)
        assert graph.value(owner, SH.severity) == severity, f"{owner} and {constraint} disagree on severity"
        assert graph.value(constraint, SH.select) is not None
        assert "$this" in str(graph.value(constraint, SH.select))


def test_warning_and_info_core_shapes_have_english_and_italian_messages() -> None:
    graph = shapes_graph()
    for shape in named_shapes(graph):
        if graph.value(shape, SH.severity) in (SH.Warning, SH.Info) and graph.value(shape, SH.sparql) is None:
            languages = sorted(m.language for m in graph.objects(shape, SH.message))
            assert languages == ["en", "it"], f"{shape}: sh:message languages {languages}"


def sparql_prologue(graph: Graph, constraint) -> str:
    prefixes = graph.value(constraint, SH.prefixes)
    return "".join(
        f"PREFIX {graph.value(d, SH.prefix)}: <{graph.value(d, SH.namespace)}>\n"
        for d in graph.objects(prefixes, SH.declare)
    )


SPARQL_FILES = [
    pytest.param(case, path, id=f"{case}:{path.name}")
    for case, spec in INDEX.items() if spec["component"] == "SPARQL"
    for kind in ("bad", "good") for path in case_files(case, kind)
]


@pytest.mark.parametrize(("case", "path"), SPARQL_FILES)
def test_sparql_rule_run_once_unbound_finds_the_same_focus_nodes(case: str, path: Path) -> None:
    """Each rule is a single SELECT that stays correct with $this unbound, so it can also be
    run once over a whole graph instead of once per focus node."""
    graph = shapes_graph()
    shape = EULODSH[INDEX[case]["shape"].removeprefix("eulodsh:")]
    constraint = graph.value(shape, SH.sparql)
    query = sparql_prologue(graph, constraint) + str(graph.value(constraint, SH.select))
    data = Graph().parse(path, format="turtle")
    unbound = {row.this for row in data.query(query)}
    per_focus = {r["focus"] for r in run(path) if r["shape"] == shape}
    assert unbound == per_focus


def test_complete_project_produces_no_result_at_all() -> None:
    results = run(COMPLETE_FILE)
    assert results == [], describe(results)
