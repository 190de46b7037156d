"""Shared fixtures: the sample data built once per session, and a real server over it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from functools import cache
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from rdflib import Graph

from eulod.pipeline.build import build
from eulod.core.config import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
DATA = ROOT / "data"
RECORDS = DATA / "records"
EULOD = Path(sys.executable).with_name("eulod")


@cache
def ontology() -> Graph:
    """The shipped ontology, parsed once per session."""
    return Graph().parse(ONTOLOGY / "eulod.ttl", format="turtle")


@cache
def code_lists() -> Graph:
    """Every shipped code list (the ontology folder's other Turtle files), parsed once."""
    graph = Graph()
    for path in sorted(ONTOLOGY.glob("*.ttl")):
        if path.name != "eulod.ttl":
            graph.parse(path, format="turtle")
    return graph


def reuse_parsed_sparql() -> None:
    """Let rdflib parse each distinct SPARQL query text once per session instead of on every call.

    pySHACL hands rdflib the text of each SHACL-SPARQL constraint on every validation, and rdflib
    parses it again with pyparsing: 90 % of a shapes test's time (~1 s per validated graph, hundreds
    of graphs). The parsed and translated query is what rdflib's own prepareQuery returns for reuse
    with other bindings, keyed here on everything the translation reads (text, base, prefixes);
    evaluation only reads it. Tests only: the library is unchanged for users.
    """
    from functools import lru_cache

    from rdflib.plugins.sparql import processor

    @lru_cache(maxsize=512)
    def prepared(text: str, base: str | None, namespaces: tuple) -> processor.Query:
        return processor.translateQuery(processor.parseQuery(text), base, dict(namespaces))

    original = processor.SPARQLProcessor.query

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
        if isinstance(strOrQuery, str):
            strOrQuery = prepared(strOrQuery, base, tuple(sorted((initNs or {}).items())))
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    processor.SPARQLProcessor.query = query


def pytest_configure(config: pytest.Config) -> None:
    """Before any test runs, so every pySHACL validation in the session profits."""
    reuse_parsed_sparql()


# What a test needs beyond Python, told by the fixtures it uses (pytest has already resolved the
# fixtures' own fixtures into item.fixturenames), so a new test is marked without anyone
# remembering to: `make check` leaves these out with -m "not server and not browser and not virtuoso".
NEEDS_BY_FIXTURE = {"browser": "browser", "virtuoso": "virtuoso"}
SERVER_FIXTURE_SUFFIX = "_server"  # live_server, broken_server, ...: each runs ``eulod serve``


def needs(fixturenames: list[str]) -> set[str]:
    """The markers (server, browser, virtuoso) a test needs, from the names of the fixtures it uses."""
    found = {NEEDS_BY_FIXTURE[name] for name in fixturenames if name in NEEDS_BY_FIXTURE}
    if any(name.endswith(SERVER_FIXTURE_SUFFIX) for name in fixturenames):
        found.add("server")
    return found


# `make check` runs with --hypothesis-profile=check: every property test tries at most this many
# examples, even one whose @settings asks for hundreds (those counts hold for `make test`).
CHECK_PROFILE = "check"
hypothesis_settings.register_profile(CHECK_PROFILE, max_examples=10)


def cap_examples(item: pytest.Item) -> None:
    """Under the check profile, lower a property test's own max_examples to the profile's.

    Hypothesis lets a test's @settings win over the loaded profile, so the profile alone would
    not shorten the tests that ask for 300 or 1000 examples; their settings are replaced here,
    derived from their own (deadline, health checks kept)."""
    test = getattr(item, "obj", None)
    own = getattr(test, "_hypothesis_internal_use_settings", None)
    cap = hypothesis_settings.default.max_examples
    if own is not None and hasattr(test, "hypothesis") and own.max_examples > cap:
        test._hypothesis_internal_use_settings = hypothesis_settings(own, max_examples=cap)


@pytest.hookimpl(tryfirst=True)  # before -m deselects by these markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test with what it needs, so `make check` can leave out the ones it cannot run fast."""
    checking = hypothesis_settings.get_current_profile_name() == CHECK_PROFILE
    for item in items:
        for name in sorted(needs(getattr(item, "fixturenames", []))):
            item.add_marker(name)
        if checking:
            cap_examples(item)


_running: list[pytest.Item] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """Remember the running test, for start_server's check of its marker."""
    _running.append(item)
    try:
        return (yield)
    finally:
        _running.pop()


def require_marker(name: str) -> None:
    """Refuse to start a server for a test not marked for it: `make check` would run that test,
    which must need no server. A fixture named *_server is marked by itself; a test calling
    start_server directly needs an explicit @pytest.mark.server."""
    if _running and _running[-1].get_closest_marker(name) is None:
        raise RuntimeError(f"{_running[-1].nodeid} starts a {name} without pytest.mark.{name}: add the marker, "
                           f"or start it in a fixture named *{SERVER_FIXTURE_SUFFIX}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def sample_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for a build of the sample records into a session temp folder."""
    build_dir = tmp_path_factory.mktemp("build")
    return load_settings(environ={}, build_dir=build_dir, records=(RECORDS,), personal_data="publish")


@pytest.fixture(scope="session")
def sample_build(sample_settings: Settings):
    outcome = build(sample_settings)
    problems = "\n".join(map(str, outcome.problems)) + "\n".join(
        f"{o.record.id}: {r.severity} {r.message()}" for o in outcome.invalid("violation") for r in o.report.results
    )
    assert outcome.loaded, f"the sample data did not build:\n{problems}"
    return outcome


class LiveServer:
    def __init__(self, url: str, process: subprocess.Popen, log: Path, handle) -> None:
        self.url = url
        self.process = process
        self.log = log
        self._handle = handle

    def stop(self) -> None:
        stop_process(self.process)
        self._handle.close()


def stop_process(process: subprocess.Popen, timeout: float = 15) -> None:
    """Ask a server process to end (SIGTERM), and kill it if it has not within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def process_table() -> dict[int, tuple[int, str]]:
    """Every process on the machine (from /proc): its parent and its state letter (``Z``: ended, not reaped)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended while read
            continue
        fields = text[text.rindex(")") + 2:].split()
        found[int(stat.parent.name)] = (int(fields[1]), fields[0])
    return found


def descendants(pid: int, table: dict[int, tuple[int, str]]) -> set[int]:
    """The processes below ``pid``: children, theirs (a fork server's workers), and so on."""
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        children = {p for p, (ppid, _) in table.items() if ppid == parent}
        found |= children
        todo += children
    return found


def still_running(pids: set[int], limit: float) -> set[int]:
    """Those of ``pids`` still running (not ended) after waiting up to ``limit`` seconds for them all to end."""
    deadline = time.monotonic() + limit
    while (left := {p for p, (_, state) in process_table().items() if p in pids and state != "Z"}) \
            and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def start_server(build_dir: Path, log: Path, env_extra: dict[str, str] | None = None) -> LiveServer:
    """``eulod serve`` as a user runs it, on a free port; returns once it answers."""
    require_marker("server")
    port = free_port()
    env = {**os.environ, "EULOD_BUILD_DIR": str(build_dir), "EULOD_PORT": str(port), **(env_extra or {})}
    handle = open(log, "wb")
    process = subprocess.Popen([str(EULOD), "serve", "--workers", "1"], env=env, stdout=handle, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60  # generous: CI machines can be busy
    while time.monotonic() < deadline:
        if process.poll() is not None:
            handle.close()
            raise RuntimeError(f"eulod serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/sparql?query=ASK%7B%7D", timeout=2) as response:
                if response.status == 200:
                    return LiveServer(url, process, log, handle)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    process.kill()
    process.wait()
    handle.close()
    raise RuntimeError(f"eulod serve did not answer within 60 s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def live_server(sample_build, sample_settings: Settings, tmp_path_factory: pytest.TempPathFactory):
    server = start_server(sample_settings.build_dir, tmp_path_factory.mktemp("logs") / "serve.log")
    yield server
    server.stop()


@pytest.fixture()
def records_copy(tmp_path: Path) -> Path:
    """A private copy of the sample records, for tests that break one."""
    target = tmp_path / "records"
    shutil.copytree(RECORDS, target)
    return target


@pytest.fixture()
def app(sample_build, sample_settings: Settings):
    from eulod.endpoint.app import create_app

    application = create_app(sample_settings)
    application.config["TESTING"] = True
    return application


@pytest.fixture()
def client(app):
    return app.test_client()



@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory):
    """Debian's headless Chromium driven by Selenium through Debian's chromedriver.

    Outside CI a machine without Chromium skips browser tests; in CI (CI=true) a missing
    browser is a failure, because `make test` installs it (make system-deps).
    """
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and chromedriver):
        message = "Debian's chromium and chromium-driver are not installed (make system-deps installs them)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
