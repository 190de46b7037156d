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
from collections import Counter, defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from real_exports import ABSENT, PRESENT, build_real
from streamed_expectations import assert_listing_is_the_definitions, assert_search_is_the_definitions, rows

from eulod.core import listing, search
from eulod.core.generation import current_generation
from eulod.pipeline import paircounts, summaries

BASE = "https://example.org/eulod/"
YEAR = 2026  # ends the years of projects that state no end, in both readings

pytestmark = [pytest.mark.skipif(not PRESENT, reason=ABSENT), pytest.mark.slow]


@pytest.fixture(scope="module")
def generation(tmp_path_factory: pytest.TempPathFactory):
    """Both real sources imported and built into one generation; its store opened read-only."""
    built = current_generation(build_real(tmp_path_factory.mktemp("real-streamed"), BASE))
    assert built is not None
    return built, ox.Store.read_only(str(built.store_path))


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
    assert assert_listing_is_the_definitions(store, target, YEAR) >= 150


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
    expected = assert_search_is_the_definitions(store, target)
    assert len(expected) >= 300  # projects and organisations
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
