"""Both HTTP servers `eulod serve` offers answer the protocol the same way."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import descendants, process_table, start_server, still_running

QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/eulod/ontology#Project> }"


def fetch(url: str, accept: str = "text/csv"):
    """Status, headers (looked up case-insensitively, as HTTP says) and body."""
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.headers, response.read()


@pytest.mark.server
@pytest.mark.parametrize("server", ["granian", "gunicorn"])
def test_each_server_answers_queries_and_pages(server, sample_build, sample_settings, tmp_path):
    live = start_server(sample_settings.build_dir, tmp_path / "serve.log", {"EULOD_SERVER": server})
    try:
        status, headers, body = fetch(live.url + "/sparql?" + urllib.parse.urlencode({"query": QUERY}))
        assert status == 200 and headers["Vary"] == "Accept"
        assert body.decode().split() == ["n", str(len(sample_build.manifest["records"]))]
        values = " ".join(f'"v{i:05d}"' for i in range(430))  # a 6 KiB GET request line
        long_query = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?v {{ {values} }} }}"
        status, _, body = fetch(live.url + "/sparql?" + urllib.parse.urlencode({"query": long_query}))
        assert status == 200 and body.decode().split() == ["n", "430"]
        status, headers, body = fetch(live.url + "/", accept="text/html")
        assert status == 200 and headers["Content-Type"].startswith("text/html") and b"<html" in body
    finally:
        live.stop()


@pytest.mark.server
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.parametrize("server", ["granian", "gunicorn"])
def test_a_killed_server_takes_its_workers_and_query_processes_with_it(server, sample_build, sample_settings,
                                                                        tmp_path):
    """``kill -9`` of ``eulod serve`` (no handler runs) ends every process it started, and the port is free:
    granian's workers would otherwise go on answering, and the query processes waiting for work."""
    live = start_server(sample_settings.build_dir, tmp_path / "serve.log", {"EULOD_SERVER": server})
    try:
        assert fetch(live.url + "/sparql?" + urllib.parse.urlencode({"query": QUERY}))[0] == 200
        started = descendants(live.process.pid, process_table())
        assert len(started) >= 3, started  # a worker, its fork server and query processes at least
        live.process.kill()
        live.process.wait()
        left = still_running(started, limit=120)
        assert not left, f"processes of the killed server still run: {left}"
        with pytest.raises((urllib.error.URLError, ConnectionError)):
            fetch(live.url + "/")
    finally:
        live.stop()
