"""`make check` leaves out every test that needs a server, a browser or Virtuoso, and shortens
property tests.

The markers come from the fixtures a test uses (tests/conftest.py). Here the need is found
another way, from the source: a fixture or function that calls ``start_server``, starts
``Virtuoso`` or opens a Chromium ``webdriver``, followed through the module's own helpers. A test
selected by the Makefile's expression must need none of them.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings, strategies as st

from conftest import CHECK_PROFILE, ROOT, cap_examples, start_server

TESTS = ROOT / "tests"
REFUSED = "tests/test_markers.py::test_start_server_refuses_a_test_not_marked_server"
STARTERS = {"start_server": "server", "Virtuoso": "virtuoso", "Chrome": "browser"}  # the calls that start one

DUMP_PLUGIN = '''
import json, os

def pytest_deselected(items):
    _seen.setdefault("deselected", []).extend(items)

def pytest_collection_finish(session):
    def row(item):
        return {"nodeid": item.nodeid, "path": str(item.path), "function": getattr(item, "originalname", item.name),
                "fixtures": list(getattr(item, "fixturenames", []))}
    with open(os.environ["EULOD_SELECTION"], "w", encoding="utf-8") as out:
        json.dump({"selected": [row(i) for i in session.items],
                   "deselected": [row(i) for i in _seen.get("deselected", [])]}, out)

_seen = {}
'''


def called_names(node: ast.AST) -> set[str]:
    """The names a function calls: ``f(...)`` and ``x.f(...)`` both give ``f``."""
    names = set()
    for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
        if isinstance(call.func, ast.Name):
            names.add(call.func.id)
        elif isinstance(call.func, ast.Attribute):
            names.add(call.func.attr)
    return names


def is_fixture(function: ast.FunctionDef) -> bool:
    return any("fixture" in ast.unparse(decorator) for decorator in function.decorator_list)


def module_needs(path: Path, shared: dict[str, set[str]]) -> tuple[dict[str, set[str]], set[str]]:
    """What each module-level function of ``path`` starts, directly or through another function
    of the module or of conftest (``shared``); and which of those functions are fixtures."""
    functions = {n.name: n for n in ast.parse(path.read_text("utf-8")).body if isinstance(n, ast.FunctionDef)}
    calls = {name: called_names(function) for name, function in functions.items()}
    needs = {name: {STARTERS[c] for c in called if c in STARTERS} for name, called in calls.items()}
    changed = True
    while changed:  # follow helpers until nothing new is learnt
        changed = False
        for name, called in calls.items():
            inherited = set().union(*(needs[c] if c in needs else shared.get(c, set()) for c in called if c != name))
            if not inherited <= needs[name]:
                needs[name] |= inherited
                changed = True
    return needs, {name for name, function in functions.items() if is_fixture(function)}


def check_markers() -> str:
    """The -m expression `make check` runs with, read from the Makefile."""
    found = re.search(r"^CHECK_MARKERS\s*:=\s*(.+)$", (ROOT / "Makefile").read_text("utf-8"), re.MULTILINE)
    assert found, "the Makefile names the check selection in CHECK_MARKERS"
    return found.group(1).strip()


def test_start_server_refuses_a_test_not_marked_server(tmp_path: Path):
    """A test that starts a server itself, without a *_server fixture, must say so with the marker."""
    with pytest.raises(RuntimeError, match="without pytest.mark.server"):
        start_server(tmp_path / "build", tmp_path / "serve.log")
    assert not (tmp_path / "serve.log").exists(), "refused before anything was started"


@pytest.mark.slow  # collects the whole suite once more: ~5 s
def test_make_check_selects_no_test_that_needs_a_server_browser_or_virtuoso(tmp_path: Path):
    (tmp_path / "dump_selection.py").write_text(DUMP_PLUGIN, "utf-8")
    env = {**os.environ, "EULOD_SELECTION": str(tmp_path / "selection.json"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))}
    run = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                          "-p", "dump_selection", "-m", check_markers()],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    selection = json.loads((tmp_path / "selection.json").read_text("utf-8"))

    shared, shared_fixtures = module_needs(TESTS / "conftest.py", {})
    per_module = {}

    def needs(row: dict) -> set[str]:
        """What a collected test starts: its own calls and those of every fixture it uses."""
        path = Path(row["path"])
        if path not in per_module:
            per_module[path] = module_needs(path, shared)
        functions, fixtures = per_module[path]
        found = set(functions.get(row["function"], set()))
        for name in row["fixtures"]:
            found |= functions[name] if name in fixtures else shared[name] if name in shared_fixtures else set()
        return found

    # The source reading finds what it must, or the check below would pass on nothing.
    assert shared["live_server"] == {"server"} and shared["browser"] == {"browser"}
    assert {"server", "browser", "virtuoso"} <= set().union(*map(needs, selection["deselected"]))

    needing = {row["nodeid"]: sorted(needs(row)) for row in selection["selected"] if needs(row)}
    # The one selected test that calls start_server does so to be refused (above): seen, so a
    # test's own call is found too.
    assert needing.pop(REFUSED, None) == ["server"]
    assert needing == {}, f"`make check` would run tests that need these: {needing}"
    assert len(selection["selected"]) > len(selection["deselected"])


def test_the_check_profile_caps_the_examples_a_test_asks_for():
    """A property test's own max_examples beats a profile in Hypothesis: the cap must still hold."""
    runs = []

    @settings(max_examples=300, deadline=None)
    @given(st.integers())
    def asks_for_300(number: int) -> None:
        runs.append(number)

    previous = settings.get_current_profile_name()
    settings.load_profile(CHECK_PROFILE)
    try:
        cap_examples(SimpleNamespace(obj=asks_for_300))  # what it reads of a pytest item
        asks_for_300()
    finally:
        settings.load_profile(previous)
    assert 0 < len(runs) <= settings.get_profile(CHECK_PROFILE).max_examples < 300
