"""The streamed indexes on the real exports (../shared/real), built as a user builds them (issue 19).

The home page listing, the search index and the collaborations' pair counts are written from the
store one entity at a time (eulod.core.staging, eulod.pipeline.paircounts). tests/test_streamed_indexes.py
holds them to the per-entity definitions on generated stores; here the same comparison runs on
what CORDIS and Kohesio publish, which no generator shaped: each file the build wrote must be what
the per-entity definitions make of its store read the simple way (every project in a dict), and
writing it again from the same store must give the same file.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import subprocess
import sys
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from eulod.core import listing, search
from eulod.core.generation import current_generation
from eulod.pipeline import paircounts, summaries

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("EULOD_SHARED", ROOT.parent / "shared")) / "real"
CORDIS = SHARED / "cordis-he"
PROJECTS, ORGANISATIONS = CORDIS / "project_df_100.csv", CORDIS / "organization_df_100.csv"
KOHESIO = SHARED / "kohesio-2021-2027"
COUNTRIES = ["BG", "CZ", "FR", "PL", "PT"]
BASE = "https://example.org/eulod/"
YEAR = 2026  # ends the years of projects that state no end, in both readings

pytestmark = [pytest.mark.skipif(not (PROJECTS.is_file() and KOHESIO.is_dir()),
                                 reason=f"the real exports are not in {SHARED} (set EULOD_SHARED)"),
              pytest.mark.slow]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EULOD_")}
    return subprocess.run([sys.executable, "-m", "eulod.cli", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def generation(tmp_path_factory: pytest.TempPathFactory):
    """Both real sources imported and built into one generation; its store opened read-only."""
    folder = tmp_path_factory.mktemp("real-streamed")
    inputs = []
    result = run("import", "cordis", str(PROJECTS), str(ORGANISATIONS), "-o", "cordis.jsonl", cwd=folder)
    assert result.returncode == 0, result.stderr
    inputs.append("cordis.jsonl")
    for country in COUNTRIES:
        result = run("import", "csv", str(KOHESIO / f"{country}-sample.csv"), "--mapping", "kohesio",
                     "-o", f"{country}.jsonl", cwd=folder)
        assert result.returncode == 0, result.stderr
        inputs.append(f"{country}.jsonl")
    result = run("build", *inputs, "--build-dir", "build", "--base-iri", BASE, "-q", cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    built = current_generation(folder / "build")
    assert built is not None
    return built, ox.Store.read_only(str(built.store_path))


def rows(path: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def tables(path: Path) -> dict[str, list[tuple]]:
    """Every table of an SQLite file, its rows sorted (full-text shadow tables included)."""
    names = [name for (name,) in rows(path, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {name: sorted(rows(path, f'SELECT * FROM "{name}"'), key=repr) for name in names}


def test_the_real_build_has_projects_of_both_sources(generation):
    built, store = generation
    (count,) = rows(built.listing_path, "SELECT COUNT(*) FROM project")[0]
    assert count >= 150  # 100 CORDIS projects and the Kohesio samples
    kinds = {iri.split("/project/")[1].split("-")[0] for (iri,) in rows(built.listing_path, "SELECT iri FROM project")}
    assert len(kinds) >= 2, kinds


def test_the_streamed_listing_of_the_real_exports_is_what_the_per_project_definitions_make(generation, tmp_path):
    built, store = generation
    target = tmp_path / "listing.sqlite"
    listing.write_listing(store, target, YEAR, built.id)
    items, partners = listing._read_projects(store), listing._read_partners(store)
    expected = [listing.project_rows(position, iri, items[iri], partners.get(iri), YEAR)
                for position, iri in enumerate(sorted(items))]
    assert len(expected) >= 150
    assert rows(target, "SELECT * FROM project ORDER BY id") == [row.project for row in expected]
    assert rows(target, "SELECT * FROM title ORDER BY project, position") == [t for row in expected for t in row.titles]
    assert rows(target, "SELECT * FROM project_country ORDER BY country, project") == sorted(
        p for row in expected for p in row.places)
    assert rows(target, "SELECT * FROM project_funding ORDER BY project, currency") == sorted(
        (row.project[0], *amount) for row in expected for amount in row.amounts)
    assert rows(target, "SELECT * FROM project_amount ORDER BY project, kind, currency") == sorted(
        (row.project[0], *stated) for row in expected for stated in row.stated)
    assert rows(target, "SELECT o.iri, p.iri FROM membership AS m JOIN organisation AS o ON o.id = m.organisation "
                        "JOIN project AS p ON p.id = m.project ORDER BY 1, 2") == sorted(
        (o, row.project[1]) for row in expected for o in row.organisations)
    funding: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in expected:
        for currency, amount in row.amounts:
            funding[(row.project[2] or "", currency)] += Decimal(amount)
    assert rows(target, "SELECT * FROM funding ORDER BY programme, currency") == [
        (*key, str(total)) for key, total in sorted(funding.items()) if total]


def test_the_builds_listing_is_the_one_written_again_from_its_store(generation, tmp_path):
    """The build's own file, written beside its summaries, against a second write from the sealed store
    with the year the build ran with (its meta table says it)."""
    built, store = generation
    meta = dict(rows(built.listing_path, "SELECT key, value FROM meta"))
    again = tmp_path / "listing.sqlite"
    listing.write_listing(store, again, int(meta["current_year"]), built.id)
    written, expected = tables(again), tables(built.listing_path)
    written["meta"] = [row for row in written["meta"] if row[0] != "software"]
    expected["meta"] = [row for row in expected["meta"] if row[0] != "software"]
    assert written == expected


def test_the_streamed_search_index_of_the_real_exports_is_what_the_per_entity_definitions_make(generation, tmp_path):
    built, store = generation
    target = tmp_path / "search.sqlite"
    search.write_search(store, target, built.id)
    items, members = search._read(store)
    names_of = {iri: search._unique(item.names) for iri, item in items.items()}
    expected = []
    for kind in search.KINDS:
        first = search.KIND_ROWIDS[kind][0]
        of_kind = sorted(iri for iri, item in items.items() if item.kind == kind)
        expected += [search.Document.of(first + position * search.GAP, iri, items[iri], names_of, members)
                     for position, iri in enumerate(of_kind, start=1)]
    assert len(expected) >= 300  # projects and organisations
    assert rows(target, "SELECT * FROM entity ORDER BY id") == [d.entity for d in expected]
    columns = ", ".join(name for name, _ in search.COLUMNS)
    assert rows(target, f"SELECT rowid, {columns} FROM doc ORDER BY rowid") == [(d.id, *d.columns) for d in expected]
    assert rows(built.search_path, "SELECT * FROM entity ORDER BY id") == [d.entity for d in expected]


def test_the_real_pair_counts_are_the_pairs_counted_in_memory(generation):
    """The build's pair counts against a Counter of each project's organisation pairs, from the
    memberships the summary reads."""
    built, store = generation
    graph = ox.NamedNode(f"{BASE}graph/projects")  # eulod.core.generation.data_graph_iri
    members: dict[str, set[str]] = defaultdict(set)
    for project, organisation in summaries.memberships(store, graph, {}):
        members[project].add(organisation)
    model: Counter = Counter()
    for organisations in members.values():
        model.update(itertools.combinations(sorted(organisations), 2))
    assert len(model) >= 100  # the CORDIS sample's consortia share some 200 pairs
    assert paircounts.read_pairs(built.summary_counts_path) == dict(model)
