"""The incremental change step (issue 19): on the previous generation's store patched with a
delta, eulod.pipeline.incremental_changes.update_changes must leave what the full change step
leaves on a full build of the same records: the same changes.sqlite rows, the same
dcterms:modified in the store, the same pages (members and descriptions).

Two ways: the sample records built twice with ``eulod build`` (a shared organisation renamed,
partners, amounts and dates changed, a record removed, one added), and small generated data
graphs (hypothesis) where the full and the incremental step run side by side on stores made
directly.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings

from eulod.core.config import load_settings
from eulod.core.feed import CHANGES, DCTERMS_MODIFIED
from eulod.core.generation import Generation, data_graph_iri
from eulod.pipeline import incremental_changes
from eulod.pipeline.delta import Delta
from eulod.pipeline.generations import discard, switch_to
from eulod.pipeline.incremental_changes import update_changes

from incremental_builds import BASE, FIRST, SECOND, assert_same, generation_of, patch, triples, two_builds, world

FALLBACK = "the full one runs instead"


@pytest.fixture(scope="module")
def sample_builds(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return two_builds(tmp_path_factory.mktemp("incremental-changes"))


def test_the_changed_sample_gives_what_the_full_step_gives(sample_builds, caplog):
    settings_, g1, full = sample_builds["settings"], sample_builds["g1"], sample_builds["g2"]
    generation, store, delta = patch(settings_, g1, full)
    try:
        with caplog.at_level(logging.INFO, logger=incremental_changes.__name__):
            counts = update_changes(store, g1, generation, delta, settings_, SECOND)
        assert FALLBACK not in caplog.text  # the incremental path ran
        assert counts["create"] and counts["update"] and counts["delete"]
        assert_same(generation, store, full, data_graph_iri(settings_))
        modified = {q.subject.value: q.object.value for q in
                    store.quads_for_pattern(None, ox.NamedNode(DCTERMS_MODIFIED), None,
                                            ox.NamedNode(data_graph_iri(settings_)))}
        assert set(modified.values()) == {"2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"}  # kept and stated
    finally:
        del store
        discard(generation)


def test_an_older_changes_file_falls_back_to_the_full_step(sample_builds, tmp_path, caplog):
    """G1's changes.sqlite without its totals (as builds before them wrote it): the full step runs."""
    settings_, g1, full = sample_builds["settings"], sample_builds["g1"], sample_builds["g2"]
    older = Generation(tmp_path / g1.id)
    shutil.copytree(g1.path, older.path, symlinks=True)
    with sqlite3.connect(older.path / CHANGES) as connection:
        connection.execute("DROP TABLE totals")
    connection.close()
    generation, store, delta = patch(settings_, older, full)
    try:
        with caplog.at_level(logging.INFO, logger=incremental_changes.__name__):
            update_changes(store, older, generation, delta, settings_, SECOND)
        assert FALLBACK in caplog.text and "older format" in caplog.text
        assert_same(generation, store, full, data_graph_iri(settings_))
    finally:
        del store
        discard(generation)


def test_a_delta_that_is_not_the_stores_change_is_caught(sample_builds, caplog):
    """Told only part of a changed entity's change, the step finds its description in the store
    does not add up and runs the full step, which reads the store: still the right result."""
    settings_, g1, full = sample_builds["settings"], sample_builds["g1"], sample_builds["g2"]
    generation, store, delta = patch(settings_, g1, full)
    partial = Delta(delta.removed, frozenset(sorted(delta.added, key=str)[1:]))
    try:
        with caplog.at_level(logging.INFO, logger=incremental_changes.__name__):
            update_changes(store, g1, generation, partial, settings_, SECOND)
        assert FALLBACK in caplog.text
        assert_same(generation, store, full, data_graph_iri(settings_))
    finally:
        del store
        discard(generation)


# --- generated data graphs, full and incremental side by side ---------------------------------

@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=world, after=world)
def test_generated_changes_give_what_the_full_step_gives(tmp_path_factory, caplog, before, after):
    folder = tmp_path_factory.mktemp("generated")
    settings_ = load_settings(environ={}, build_dir=folder, base_iri=BASE)
    graph = data_graph_iri(settings_)
    g1 = generation_of(settings_, triples(before, "2026-01-01T00:00:00Z"), FIRST, None)
    switch_to(folder, g1)
    full = generation_of(settings_, triples(after, "2026-02-01T00:00:00Z"), SECOND, g1)
    generation, store, delta = patch(settings_, g1, full)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=incremental_changes.__name__):
        update_changes(store, g1, generation, delta, settings_, SECOND)
    reachable = all(p["linked"] or not p["partners"] for p in [*before["projects"].values(), *after["projects"].values()])
    if reachable:
        assert FALLBACK not in caplog.text
    assert_same(generation, store, full, graph)
    del store
    for made in (generation, full):
        discard(made)
    shutil.rmtree(folder)
