"""The data graph, the listing and the search index read from the spool's parts, on the real exports (issue 19).

tests/test_spool_indexes.py holds the build's reading beside the bulk load to the store on generated
records. Here the same comparison runs on what CORDIS and Kohesio publish (../shared/real), which no
generator shaped: long texts, organisations shared across sources, amounts with many decimals. The
records are read in parts of three (the preferred names after them in parts of 300 bytes), and the
generation is compared with the same records built the way builds did before, every file read from
the loaded store: the change log (each entity's hash and dcterms:modified), the dumps' triples, the
listing and the search index, table by table.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyoxigraph as ox
import pytest
from incremental_builds import assert_dumps_hold, parsed_dumps
from real_exports import ABSENT, PRESENT, import_real

from eulod.core.config import load_settings
from eulod.core.generation import Generation, current_generation
from eulod.pipeline import build as build_module
from eulod.pipeline import changes, paircounts, spool_indexes, summaries
from eulod.pipeline.build import build

pytestmark = [pytest.mark.skipif(not PRESENT, reason=ABSENT), pytest.mark.slow]

WHEN = 1_780_000_000  # SOURCE_DATE_EPOCH of both builds, so that their dcterms:modified agree


def _built(folder: Path, inputs: list[Path], name: str, patcher: pytest.MonkeyPatch) -> Generation:
    patcher.setenv("SOURCE_DATE_EPOCH", str(WHEN))
    settings = load_settings(environ={}, build_dir=folder / name, records=tuple(inputs))
    outcome = build(settings)
    assert outcome.loaded, [str(p) for p in outcome.problems]
    generation = current_generation(folder / name)
    assert generation is not None
    return generation


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory):
    """The real exports built twice: read in parts of three records beside the load, and from the store."""
    folder = tmp_path_factory.mktemp("real-spool")
    inputs = [folder / name for name in import_real(folder)]
    dumped: list[str] = []
    dump_graph = changes.dump_graph

    def dump_spy(store, graph, target):
        dumped.append(graph)
        return dump_graph(store, graph, target)

    asked: list[str] = []  # the summaries' questions to the store
    totals, members = summaries.country_totals, summaries.memberships

    def totals_spy(*args):
        asked.append("country totals")
        return totals(*args)

    def members_spy(*args):
        asked.append("memberships")
        return members(*args)

    with pytest.MonkeyPatch.context() as patcher:
        patcher.setattr(spool_indexes, "RECORDS_PER_STORE", 3)
        patcher.setattr(spool_indexes, "TAIL_BYTES", 300)
        patcher.setattr(changes, "dump_graph", dump_spy)
        patcher.setattr(summaries, "country_totals", totals_spy)
        patcher.setattr(summaries, "memberships", members_spy)
        spooled = _built(folder, inputs, "spooled", patcher)
    assert dumped == []  # the change step read the data graph from the parts, not from the store
    assert asked == []  # and the summaries their rows
    with pytest.MonkeyPatch.context() as patcher:
        patcher.setattr(build_module, "record_ranges", lambda lengths: None)
        patcher.setattr(changes, "dump_graph", dump_spy)
        stored = _built(folder, inputs, "stored", patcher)
    assert dumped  # the way builds did before: the data graph dumped from the store
    return spooled, stored


def _rows(path: Path, query: str) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute(query).fetchall()


def _tables(path: Path, ids: tuple[str, ...]) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, the generation's own id and the software's version aside."""
    names = [name for (name,) in _rows(path, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    found = {name: sorted(_rows(path, f'SELECT * FROM "{name}"'), key=repr) for name in names}
    found["meta"] = [row for row in found["meta"] if row[0] != "software" and not any(i in repr(row) for i in ids)]
    return found


def test_the_real_exports_change_log_from_the_spool_is_the_one_from_the_store(builds):
    spooled, stored = builds
    for table in ("entities", "totals"):
        query = f"SELECT * FROM {table} ORDER BY 1"
        rows = _rows(spooled.path / "changes.sqlite", query)
        assert rows == _rows(stored.path / "changes.sqlite", query), table
        assert len(rows) >= (300 if table == "entities" else 4)  # projects and organisations of both sources


def test_the_real_exports_dumps_from_the_spool_are_the_store_and_the_store_builds(builds):
    spooled, stored = builds
    assert_dumps_hold(spooled, ox.Store.read_only(str(spooled.store_path)), spooled.manifest()["dumps"])
    generated = "http://www.w3.org/ns/prov#generatedAtTime"
    mine, theirs = parsed_dumps(spooled), parsed_dumps(stored)
    for name in mine:
        assert {t for t in mine[name] if spooled.id not in t and generated not in t} == \
            {t for t in theirs[name] if stored.id not in t and generated not in t}, name


@pytest.mark.parametrize("kind", ["listing", "search"])
def test_the_real_exports_listing_and_index_from_the_spool_are_those_from_the_store(builds, kind):
    spooled, stored = builds
    ids = (spooled.id, stored.id)
    path = {"listing": lambda g: g.listing_path, "search": lambda g: g.search_path}[kind]
    mine, theirs = _tables(path(spooled), ids), _tables(path(stored), ids)
    assert mine == theirs
    assert len(mine["project" if kind == "listing" else "entity"]) >= 150
    assert not list(spooled.path.glob("*.parked"))


def test_the_real_exports_summaries_from_the_spool_are_those_from_the_store(builds):
    """Country totals (CORDIS's amounts with many decimals, organisations shared between records),
    collaborations, years of activity and city keys (the exports' cities in capitals): every
    summary triple and pair count."""
    spooled, stored = builds

    def summary(generation: Generation) -> set[str]:
        store = ox.Store.read_only(str(generation.store_path))
        graph = ox.NamedNode(generation.manifest()["graphs"]["summaries"])
        return {str(q.triple) for q in store.quads_for_pattern(None, None, None, graph)}

    mine = summary(spooled)
    assert mine == summary(stored)
    assert sum("CountryTotal>" in t for t in mine) >= 5 and sum("activeInYear" in t for t in mine) >= 150
    assert sum("cityKey" in t for t in mine) >= 50
    pairs = paircounts.read_pairs(spooled.summary_counts_path)
    assert pairs == paircounts.read_pairs(stored.summary_counts_path) and pairs
