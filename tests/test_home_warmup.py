"""The home page's listing is read when a server process starts and when a build switches the
store, before anyone asks for ``/``: the server log says which reading served the home page
(``(warm-up)`` or ``(first request)``), and the tests read that log before and after the first
``/`` request. The Flask app that tests build with ``create_app`` starts no warm-up."""

from __future__ import annotations

import re
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import RECORDS, start_server
from eulod.pipeline.build import build
from eulod.core.config import load_settings
from eulod.endpoint.listing import LISTING_CACHE
from eulod.endpoint.pages.warmup import WARMUP_THREAD

QUERY_WARMUP = re.compile(r"query processes: (\d+) of (\d+) answered a first query on generation (\S+) \(warm-up\)")
READING = re.compile(r"home page: (\d+) projects of generation (\S+) read in [\d.]+ s \(([^)]+)\)")


def readings(log: Path) -> list[tuple[str, str]]:
    """(generation, reason) of each listing reading the server logged, in order."""
    return [(m.group(2), m.group(3)) for m in READING.finditer(log.read_text("utf-8", errors="replace"))]


def wait_for_reading(log: Path, generation: str, timeout: float = 60) -> list[tuple[str, str]]:
    """The readings once one of ``generation`` is logged; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = readings(log)
        if any(g == generation for g, _ in found):
            return found
        time.sleep(0.2)
    pytest.fail(f"no reading of generation {generation} within {timeout} s:\n{log.read_text()}")


def fetch_home(url: str) -> tuple[int, str]:
    request = urllib.request.Request(url + "/", headers={"Accept": "text/html"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, response.read().decode("utf-8")


def build_samples(build_dir: Path) -> str:
    outcome = build(load_settings(environ={}, build_dir=build_dir, records=(RECORDS,)))
    assert outcome.loaded, [str(p) for p in outcome.problems]
    return outcome.manifest["generation"]


@pytest.mark.server
@pytest.mark.parametrize("server", ["granian", "gunicorn"])
def test_the_listing_is_read_before_the_first_home_request_and_after_a_build(server, tmp_path: Path):
    build_dir = tmp_path / "build"
    first = build_samples(build_dir)
    live = start_server(build_dir, tmp_path / "serve.log", {"EULOD_SERVER": server})
    try:
        # No request for / has been sent yet: only the warm-up can have read the listing.
        assert wait_for_reading(live.log, first) == [(first, "warm-up")]
        # ... and before it, every query process answered a first query on the store.
        processes = load_settings(environ={}).query_processes
        assert QUERY_WARMUP.findall(live.log.read_text("utf-8")) == [(str(processes), str(processes), first)]
        status, html = fetch_home(live.url)
        assert status == 200 and "Projects 1–5 of 5." in html
        assert readings(live.log) == [(first, "warm-up")]  # the request used the warm listing

        second = build_samples(build_dir)  # a new generation beside the running server
        assert second != first
        assert wait_for_reading(live.log, second) == [(first, "warm-up"), (second, "warm-up")]
        status, html = fetch_home(live.url)
        assert status == 200 and "Projects 1–5 of 5." in html
        assert readings(live.log) == [(first, "warm-up"), (second, "warm-up")]
    finally:
        live.stop()


def test_the_flask_app_of_the_tests_starts_no_warm_up(app, client):
    assert LISTING_CACHE not in app.extensions
    assert WARMUP_THREAD not in {thread.name for thread in threading.enumerate()}
    assert client.get("/", headers={"Accept": "text/html"}).status_code == 200
    assert app.extensions[LISTING_CACHE].holds(app.extensions["eulod_store"].generation.id)  # read by the request
