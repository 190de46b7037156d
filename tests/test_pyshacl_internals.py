"""eulod.shapes.fast runs on pySHACL's private API (fast.PYSHACL_INTERNALS): these tests tie it down.

The installed pySHACL must be inside the range pyproject.toml pins (the versions
tests/test_fast_validation.py passed with, docs/shapes.md), every listed internal must be there as
fast.py uses it, and a pySHACL that lacks one must be validated by whole pySHACL, not crash the
fast validator or feed it something else. One process holds one pySHACL, so the other versions
are simulated by taking an internal away with monkeypatch.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import logging
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pyshacl.pytypes
import pyshacl.shape
import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from pyshacl.constraints import CONSTRAINT_PARAMETERS_MAP
from rdflib import Graph
from rdflib.namespace import SH

from eulod.shapes import Report, fast, shapes_graph, validate, validate_graphs

ROOT = Path(__file__).parent.parent
CASES = ROOT / "tests" / "data" / "shapes"
# A Core constraint and a SPARQL rule broken on purpose: the fallback must report both.
BROKEN = [CASES / "amount" / "amount-min-count.bad.ttl", CASES / "project" / "end-before-start.bad.ttl"]


def pinned() -> SpecifierSet:
    """The pyshacl versions pyproject.toml allows."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    (requirement,) = [r for r in map(Requirement, project["dependencies"]) if r.name == "pyshacl"]
    return requirement.specifier


def keys(report: Report) -> Counter:
    return Counter((r.focus, r.source_shape, r.constraint, r.severity, r.path, r.value) for r in report.results)


@pytest.fixture
def fresh_checks():
    """Forget the checked internals and compiled plans before and after (the test changes pySHACL)."""
    fast.missing_internals.cache_clear()
    fast.compile_plan.cache_clear()
    yield
    fast.missing_internals.cache_clear()
    fast.compile_plan.cache_clear()


def test_pyshacl_is_pinned_to_a_range_and_the_installed_one_is_inside_it():
    spec = pinned()
    assert any(s.operator in ("<", "<=", "==", "~=", "===") for s in spec), f"pyshacl{spec}: no upper bound"
    assert spec.contains(version("pyshacl")), f"pyshacl {version('pyshacl')} is outside the pinned pyshacl{spec}"


def test_every_listed_internal_is_there_as_fast_uses_it(fresh_checks):
    assert fast.missing_internals() == ()


def test_every_private_pyshacl_import_of_fast_is_listed():
    """A new `from pyshacl.x import y` in fast.py must come with its row in PYSHACL_INTERNALS."""
    tree = ast.parse(Path(fast.__file__).read_text("utf-8"))
    imported = {
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pyshacl")
        for alias in node.names
    }
    listed = {(i.module, i.name.split(".")[0]) for i in fast.PYSHACL_INTERNALS}
    assert len(imported) >= 5 and imported <= listed


def test_attributes_set_by_pyshacls_constructors_are_on_real_objects():
    """Rows marked instance cannot be checked on a class: check them on the objects of eulod's shapes."""
    plan = fast.compile_plan(shapes_graph())
    component = next(rule.component for _classes, shape in plan.targeted for rule in shape.sparql)
    examples = [plan.shapes_graph, component, *component.sparql_constraints]
    rows = [i for i in fast.PYSHACL_INTERNALS if i.instance]
    assert len(rows) >= 5
    for row in rows:
        class_name, attribute = row.name.split(".")
        cls = getattr(importlib.import_module(row.module), class_name)
        found = [example for example in examples if isinstance(example, cls)]
        assert found, f"no example object of {row.module}.{class_name}"
        assert all(hasattr(example, attribute) for example in found), row


@dataclass
class RenamedExecutor:
    """SHACLExecutor as a pySHACL that renamed its allow_warnings option would have it."""

    advanced_mode: bool = False
    allow_warning_results: bool = False


@pytest.mark.parametrize(
    "change, seen",
    [
        (lambda mp: mp.delattr(pyshacl.shape, "Shape"), "pyshacl.shape.Shape.path is missing"),
        (lambda mp: mp.setattr(pyshacl.pytypes, "SHACLExecutor", RenamedExecutor), "allow_warnings"),
    ],
    ids=["a class moved", "a keyword renamed"],
)
def test_a_pyshacl_without_an_internal_gets_whole_pyshacls_results(monkeypatch, caplog, fresh_checks, change, seen):
    graph = Graph()
    for path in BROKEN:
        graph.parse(path, format="turtle")
    expected = validate(graph)
    change(monkeypatch)
    with pytest.raises(fast.Unsupported, match=seen):
        fast.compile_plan(shapes_graph())
    with caplog.at_level(logging.WARNING, logger="eulod.shapes"):
        report = validate_graphs([graph])
    assert "fast validation unavailable" in caplog.text and seen in caplog.text
    assert {r.source_shape.rsplit("#", 1)[1] for r in report.results} >= {"Project-endBeforeStart"}
    assert keys(report) == keys(expected)


def test_a_component_class_that_changed_a_method_of_constraintcomponent_is_reported(monkeypatch, fresh_checks):
    """fast.py calls each component's own evaluate: ConstraintComponent's rows are checked on it too."""
    datatype = CONSTRAINT_PARAMETERS_MAP[SH.datatype]
    monkeypatch.setattr(datatype, "evaluate", lambda self, executor, target_graph, focus_value_nodes: (True, []))
    assert [p for p in fast.missing_internals() if p.startswith(f"{datatype.__qualname__} (ConstraintComponent.evaluate)")]


def test_a_pyshacl_without_a_private_module_still_imports_fast(monkeypatch):
    """fast.py is imported by every validation: a moved module must give Unsupported, not ImportError."""
    monkeypatch.setitem(sys.modules, "pyshacl.shapes_graph", None)  # `import pyshacl.shapes_graph` now fails
    spec = importlib.util.spec_from_file_location("fast_without_shapes_graph", fast.__file__)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    with pytest.raises(module.Unsupported, match="pyshacl.shapes_graph.ShapesGraph is missing"):
        module.compile_plan(shapes_graph())
