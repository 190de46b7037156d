"""The layers of ARCHITECTURE.md hold: each imports only the ones below it, and no module imports itself back.

Every ``import`` statement counts, wherever it sits (module top, function body, ``if
TYPE_CHECKING``), so a circle or a forbidden import cannot hide inside a function. The import
graph is read from the source files with :mod:`ast`; the endpoint is also imported for real,
with the app created and a page served, and ``sys.modules`` must hold nothing of the pipeline.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from conftest import ROOT

# Layer of each part of the package, bottom first. A module may import its own layer and the
# ones listed as below it; the command line (top) may import anything.
LAYERS = {
    "core": ("eulod", "eulod.core", "eulod.ontology", "eulod.data"),
    "pipeline": ("eulod.pipeline", "eulod.converters", "eulod.shapes"),
    "endpoint": ("eulod.endpoint",),
    "cli": ("eulod.cli", "eulod.commands", "eulod.review"),
}
BELOW = {"core": {"core"}, "pipeline": {"core", "pipeline"}, "endpoint": {"core", "endpoint"},
         "cli": {"core", "pipeline", "endpoint", "cli"}}
# Inside the pipeline the data flows one way too: converters make RDF, shapes check it, and
# eulod.pipeline runs both; neither converters nor shapes reach up into the pipeline.
NOT_FROM = {
    "eulod.converters": ("eulod.pipeline", "eulod.shapes"),
    "eulod.shapes": ("eulod.pipeline", "eulod.converters"),
}
# Third-party packages a layer must not import: the server never loads the SHACL engine.
FORBIDDEN_PACKAGES = {"core": ("pyshacl", "flask"), "endpoint": ("pyshacl",)}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (a submodule when ``from package import submodule``)
    line: int

    def __str__(self) -> str:
        return f"{self.source} (line {self.line}) imports {self.target}"


@cache
def modules() -> dict[str, Path]:
    """eulod's modules by dotted name, from pyproject's package-dir table (the folders of the design card)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    folders = config["package-dir"]
    found: dict[str, Path] = {}
    for package in config["packages"]:
        root = max((p for p in folders if package == p or package.startswith(p + ".")), key=len)
        folder = ROOT / folders[root] / Path(*package[len(root):].lstrip(".").split(".") if package != root else ())
        for path in folder.glob("*.py"):
            name = package if path.name == "__init__.py" else f"{package}.{path.stem}"
            found[name] = path
    return found


def layer_of(module: str) -> str:
    best = max(((prefix, layer) for layer, prefixes in LAYERS.items() for prefix in prefixes
                if module == prefix or module.startswith(prefix + ".")), key=lambda pl: len(pl[0]))
    return best[1]


def imports_of(module: str, path: Path) -> list[Import]:
    """Every import in ``path``: eulod's resolved to modules, others by their top package."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    known = modules()
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.append(Import(module, sub if sub in known else target, node.lineno))
    return found


@cache
def graph() -> tuple[Import, ...]:
    return tuple(i for module, path in sorted(modules().items()) for i in imports_of(module, path))


def eulod_edges(edges) -> list[Import]:
    """Imports of eulod's own modules; ``import eulod.x.y`` also means eulod.x.y and nothing else."""
    known = modules()
    return [e for e in edges if e.target in known and e.target != e.source]


def layering_violations(edges) -> list[str]:
    problems = []
    for edge in eulod_edges(edges):
        source, target = layer_of(edge.source), layer_of(edge.target)
        if target not in BELOW[source]:
            problems.append(f"{edge}: the {source} layer may not import the {target} layer")
        for prefix, banned in NOT_FROM.items():
            if edge.source.startswith(prefix) and edge.target.startswith(banned):
                problems.append(f"{edge}: {prefix} may not import {edge.target.split('.')[1]}")
    for edge in edges:
        source = layer_of(edge.source)
        if edge.target.split(".")[0] in FORBIDDEN_PACKAGES.get(source, ()):
            problems.append(f"{edge}: the {source} layer may not import {edge.target.split('.')[0]}")
    return problems


def cycles(edges) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each a circle of imports."""
    following: dict[str, set[str]] = {}
    for edge in eulod_edges(edges):
        following.setdefault(edge.source, set()).add(edge.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(following.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(following):
        if node not in index:
            visit(node)
    return found


# ---------------------------------------------------------------- the checks on eulod itself


def test_the_module_table_finds_every_layer():
    names = modules()
    assert len(names) > 60
    for layer, prefixes in LAYERS.items():
        assert any(layer_of(name) == layer for name in names), f"no module in the {layer} layer"
    assert {"eulod.core.config", "eulod.pipeline.build", "eulod.endpoint.app", "eulod.cli"} <= set(names)


def test_each_layer_imports_only_the_layers_below_it():
    assert layering_violations(graph()) == []


def test_no_module_imports_itself_back_through_others():
    assert cycles(graph()) == []


def test_the_endpoint_runs_without_loading_the_pipeline_converters_shapes_or_pyshacl(sample_build, sample_settings):
    """Imported for real: every endpoint module, the app created, the home page and a project page served."""
    script = f"""
import importlib, json, pkgutil, sys
import eulod.endpoint
for info in pkgutil.walk_packages(eulod.endpoint.__path__, "eulod.endpoint."):
    importlib.import_module(info.name)
from eulod.core.config import load_settings
from eulod.endpoint.app import create_app
client = create_app(load_settings(environ={{}}, build_dir={str(sample_settings.build_dir)!r})).test_client()
statuses = [client.get(path, headers={{"Accept": "text/html"}}).status_code for path in ("/", "/project/conet")]
print(json.dumps({{"statuses": statuses, "modules": sorted(sys.modules)}}))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["statuses"] == [200, 200]
    unwanted = [m for m in loaded["modules"]
                if m.startswith(("eulod.pipeline", "eulod.converters", "eulod.shapes", "eulod.commands", "eulod.review", "pyshacl"))]
    assert unwanted == []
    assert "eulod.endpoint.pages" in loaded["modules"]


def test_a_query_process_imports_only_what_it_needs():
    """The forkserver preloads eulod.endpoint.evaluate: it must not drag in Flask's app and pages."""
    script = "import sys, eulod.endpoint.evaluate; print(' '.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.split())
    assert not loaded & {"eulod.endpoint.app", "eulod.endpoint.pages", "eulod.endpoint.sparql", "pyshacl"}


# Where an import of eulod's own modules may wait inside a function: the command line (so
# `eulod --help` loads neither pySHACL nor the server) and the server factory (the master
# process needs no app). Anywhere else it used to hide a circle.
LAZY_ALLOWED = ("eulod.cli", "eulod.commands", "eulod.endpoint.server")


def imports_inside_functions(module: str, path: Path) -> list[Import]:
    inner = {sub.lineno for node in ast.walk(ast.parse(path.read_text("utf-8")))
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
             for sub in ast.walk(node) if isinstance(sub, (ast.Import, ast.ImportFrom))}
    return [i for i in imports_of(module, path) if i.line in inner] if inner else []


def test_eulod_modules_are_imported_inside_functions_only_where_startup_time_needs_it():
    known = modules()
    late = [str(i) for module, path in sorted(known.items()) if not module.startswith(LAZY_ALLOWED)
            for i in imports_inside_functions(module, path) if i.target in known]
    assert late == []


# ---------------------------------------------------------------- the checks can fail


def edges_of(**sources: str) -> list[Import]:
    """The import graph of made-up modules (name -> source text), resolved like eulod's."""
    made = []
    for module, text in sources.items():
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                made += [Import(module, node.module, node.lineno) for _ in node.names]
            elif isinstance(node, ast.Import):
                made += [Import(module, a.name, node.lineno) for a in node.names]
    return made


def test_an_endpoint_module_importing_the_build_inside_a_function_is_caught(monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "modules", lambda: {"eulod.endpoint.pages": Path(), "eulod.pipeline.build": Path(), "eulod.core.config": Path()})
    edges = edges_of(**{"eulod.endpoint.pages": "def f():\n    from eulod.pipeline.build import SOURCES_DIR\n"})
    assert layering_violations(edges) == [
        "eulod.endpoint.pages (line 2) imports eulod.pipeline.build: the endpoint layer may not import the pipeline layer"]


def test_the_core_importing_pyshacl_or_the_endpoint_importing_it_is_caught():
    edges = edges_of(**{"eulod.core.generation": "import pyshacl\n", "eulod.endpoint.media": "from pyshacl import validate\n"})
    assert len(layering_violations(edges)) == 2


def test_a_circle_hidden_in_a_function_is_caught(monkeypatch):
    names = {"eulod.core.a": Path(), "eulod.core.b": Path(), "eulod.core.c": Path()}
    monkeypatch.setattr(sys.modules[__name__], "modules", lambda: names)
    edges = edges_of(**{"eulod.core.a": "from eulod.core.b import x\n", "eulod.core.b": "def f():\n    import eulod.core.c\n",
                        "eulod.core.c": "from eulod.core.a import y\n"})
    assert cycles(edges) == [["eulod.core.a", "eulod.core.b", "eulod.core.c"]]
    assert cycles(edges[:2]) == []


@pytest.mark.parametrize("module", ["eulod.converters.rdf", "eulod.shapes"])
def test_converters_and_shapes_reaching_into_the_pipeline_are_caught(module, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "modules", lambda: {module: Path(), "eulod.pipeline.build": Path()})
    edges = edges_of(**{module: "from eulod.pipeline.build import build\n"})
    assert any("may not import pipeline" in p for p in layering_violations(edges))


def test_an_import_inside_a_function_is_found(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("import json\n\ndef f():\n    from eulod.core import iris\n    return iris\n")
    assert [(i.target, i.line) for i in imports_inside_functions("eulod.endpoint.m", source)] == [("eulod.core.iris", 4)]
