"""The bulk N-Triples sink gives exactly the graph the rdflib sink gives (one mapping, two sinks)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic, to_isomorphic

from conftest import RECORDS
from eulod.core.generation import data_graph_iri
from eulod.pipeline.build import load_generation, ntriples_file_chunks
from eulod.core.config import load_settings
from eulod.converters.rdf import MappingOptions, RecordMapper, ntriples_stream, preferred_labels
from eulod.converters.records import Record, check_record, load_records

BASE = "http://data.example.org/"
WHEN = datetime(2026, 1, 1, tzinfo=timezone.utc)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[Record]:
    """300 records from the seeded benchmark generator, deliberately invalid ones included."""
    target = tmp_path_factory.mktemp("generated") / "records.jsonl"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--projects", "300", "--invalid-every", "50", "--out", str(target)],
        check=True, capture_output=True,
    )
    return [Record(json.loads(line), str(target)) for line in target.read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def curated() -> list[Record]:
    return load_records([RECORDS]).records


def awkward_record() -> Record:
    """Escapes, several languages, numbers as JSON numbers: what a serialiser gets wrong first."""
    data = {
        "id": "awkward",
        "language": "en",
        "source": {"file": "x/awkward.json", "url": "https://example.org/a?b=c"},
        "title": {"en": 'A "quoted" \\ title', "en-GB": "Colour", "it": "Città\nnuova"},
        "description": "Line one\r\nline two\ttab",
        "duration_months": 36,
        "budget": {"total_cost": 1000.5, "eu_contribution": 1000, "eu_contribution_rate": 80.0},
        "participants": [
            {"organisation": {"name": "Høje-Taastrup Kommune", "type": "municipality", "country": "DK"}, "role": "coordinator"},
            {"organisation": {"name": "Høje-Taastrup Kommune", "type": "municipality", "country": "DK"}, "role": "partner"},
        ],
        "contacts": [{"name": "Ana", "email": "ana@example.org", "role": "lead", "office": "EU office"}],
        "results": [{"title": "Guide", "type": "guide", "url": "https://example.org/guide", "description": "d"}],
        "notes": "  spaced  ",
    }
    assert check_record(data, "awkward.json") == []
    return Record(data, "awkward.json")


def both(record: Record, personal_data: str) -> tuple[Graph, str]:
    mapper = RecordMapper(MappingOptions(BASE, personal_data, WHEN))
    return mapper.graph(record), mapper.ntriples(record)


@pytest.mark.parametrize("personal_data", ["publish", "role-only", "omit"])
def test_sinks_agree_on_curated_and_awkward_records(curated, personal_data):
    for record in [*curated, awkward_record()]:
        graph, text = both(record, personal_data)
        assert len(graph) > 10
        assert isomorphic(graph, Graph().parse(data=text, format="nt")), record.id
        # Line for line as rdflib writes N-Triples, not only the same graph. The stream may
        # repeat a triple (an organisation named twice); a graph, and the store, keep one.
        expected = {line for line in graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines() if line}
        assert {line for line in text.splitlines() if line} == expected, record.id


@pytest.mark.slow
def test_sinks_agree_on_generated_records(generated):
    mapper = RecordMapper(MappingOptions(BASE, "publish", WHEN))
    rdflib_graph, fast = Graph(), Graph()
    for record in generated:
        mapper.add_record(rdflib_graph, record)
        fast.parse(data=mapper.ntriples(record), format="nt")
    assert len(rdflib_graph) > 300 * 40
    assert to_isomorphic(rdflib_graph) == to_isomorphic(fast)


@pytest.mark.slow
def test_stream_ends_with_the_same_preferred_labels(generated, curated):
    mapper = RecordMapper(MappingOptions(BASE, "role-only", WHEN))
    records = [*curated, *generated]
    graphs = [mapper.graph(record) for record in records]
    expected = Graph()
    for graph in [*graphs, preferred_labels(graphs)]:
        expected += graph
    streamed = Graph().parse(data=b"".join(ntriples_stream(mapper, records, chunk_records=7)), format="nt")
    assert isomorphic(expected, streamed)


@pytest.mark.slow
def test_load_generation_takes_ntriples_chunks(tmp_path, curated, generated):
    settings = load_settings(build_dir=str(tmp_path / "build"), base_iri=BASE)
    mapper = RecordMapper(MappingOptions(BASE, "role-only", WHEN))
    records = [*curated, *generated]
    chunks = list(ntriples_stream(mapper, records, chunk_records=50))
    expected = sum(1 for _ in Graph().parse(data=b"".join(chunks), format="nt"))
    generation, stats, _dumps = load_generation(settings, iter(chunks))
    store = ox.Store.read_only(str(generation.store_path))
    graph = ox.NamedNode(data_graph_iri(settings))
    # and each project's dcterms:modified, stated by the change step (eulod.pipeline.changes)
    assert sum(1 for _ in store.quads_for_pattern(None, None, None, graph)) == expected + len(records)
    assert stats["projects"] == len(records)
    assert not (generation.path / ".data.nt").exists()


@pytest.mark.slow
def test_an_ntriples_file_loads_in_line_cut_blocks_without_dumps(tmp_path, curated, generated):
    """What the benchmarks load: a file read in blocks smaller than its lines' total, cut at line
    ends (a block boundary inside a line would break a triple), and no dumps when not asked for."""
    settings = load_settings(build_dir=str(tmp_path / "build"), base_iri=BASE)
    mapper = RecordMapper(MappingOptions(BASE, "role-only", WHEN))
    records = [*curated, *generated]
    path = tmp_path / "data.nt"
    path.write_bytes(b"".join(ntriples_stream(mapper, records, chunk_records=50)))
    blocks = list(ntriples_file_chunks(path, size=1000))
    assert len(blocks) > 10 and all(block.endswith(b"\n") for block in blocks)
    assert b"".join(blocks) == path.read_bytes()
    generation, stats, dumps = load_generation(settings, ntriples_file_chunks(path, size=1000), dumps=False)
    expected = sum(1 for _ in Graph().parse(path, format="nt"))
    store = ox.Store.read_only(str(generation.store_path))
    data = ox.NamedNode(data_graph_iri(settings))
    assert sum(1 for _ in store.quads_for_pattern(None, None, None, data)) == expected + len(records)  # + dcterms:modified
    assert stats["projects"] == len(records) and dumps == {}
    assert not generation.dumps_path.exists() or not any(generation.dumps_path.iterdir())
    assert generation.listing_path.is_file()
