"""Both HTTP servers `eulod serve` offers answer the protocol the same way."""

from __future__ import annotations

import urllib.parse
import urllib.request

import pytest

from conftest import start_server

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
