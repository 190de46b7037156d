"""The dumps cut into sections (eulod/pipeline/dumps.py) and their incremental update (issue 19):
every file, written in full or updated from the previous generation's, parses to exactly the
store's triples, and the manifest's description (bytes, sha256) is that of the file.

The sample's data graph is smaller than one section of the real size (a megabyte), so these
builds cut sections of 8 KiB: a change then copies most sections and rewrites a few.
"""

from __future__ import annotations

import logging
import re
import shutil

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eulod.core.config import load_settings
from eulod.core.feed import CHANGES, Owners
from eulod.core.generation import Generation
from eulod.pipeline import incremental_dumps
from eulod.pipeline.dumps import INDEX, Keys, read_index
from eulod.pipeline.generations import discard, switch_to
from eulod.pipeline.incremental_changes import update_changes
from eulod.pipeline.incremental_dumps import update_dumps

from incremental_builds import (
    BASE,
    FIRST,
    SECOND,
    assert_dumps_hold,
    generation_of,
    patch,
    put_summaries,
    triples,
    two_builds,
    world,
)

SECTION = 1 << 13
IN_FULL = "written in full"


@pytest.fixture(scope="module")
def sample_builds(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return two_builds(tmp_path_factory.mktemp("incremental-dumps"), chunk_bytes=SECTION)


def copied_and_written(log_text: str) -> tuple[int, int]:
    found = re.search(r"(\d+) sections copied, (\d+) written", log_text)
    assert found, log_text
    return int(found.group(1)), int(found.group(2))


def test_full_builds_write_dumps_in_sections_that_hold_the_store(sample_builds):
    for generation in (sample_builds["g1"], sample_builds["g2"]):
        store = ox.Store.read_only(str(generation.store_path))
        try:
            assert_dumps_hold(generation, store, generation.manifest()["dumps"])
        finally:
            del store
        index = read_index(generation)
        assert index is not None and len(index.sections) > 20


def test_an_incremental_build_copies_unchanged_sections_and_holds_the_store(sample_builds, caplog):
    settings_, g1, full = sample_builds["settings"], sample_builds["g1"], sample_builds["g2"]
    generation, store, delta = patch(settings_, g1, full)
    try:
        update_changes(store, g1, generation, delta, settings_, SECOND)
        with caplog.at_level(logging.INFO, logger=incremental_dumps.__name__):
            described = update_dumps(store, g1, generation, delta, settings_)
        assert IN_FULL not in caplog.text
        copied, written = copied_and_written(caplog.text)
        assert copied > written > 0
        assert_dumps_hold(generation, store, described)
    finally:
        del store
        discard(generation)


def test_dumps_without_an_index_are_written_in_full(sample_builds, tmp_path, caplog):
    """A previous generation written before the sections (no index): the dumps are written in full."""
    settings_, g1, full = sample_builds["settings"], sample_builds["g1"], sample_builds["g2"]
    older = Generation(tmp_path / g1.id)
    shutil.copytree(g1.path, older.path, symlinks=True)
    (older.path / INDEX).unlink()
    generation, store, delta = patch(settings_, older, full)
    try:
        update_changes(store, older, generation, delta, settings_, SECOND)
        with caplog.at_level(logging.INFO, logger=incremental_dumps.__name__):
            described = update_dumps(store, older, generation, delta, settings_)
        assert IN_FULL in caplog.text
        assert_dumps_hold(generation, store, described)
    finally:
        del store
        discard(generation)


def test_modified_renewed_outside_the_delta_is_in_the_dumps(sample_builds, tmp_path, caplog):
    """A previous generation without changes.sqlite: the change step starts a new log and states
    this build's time on every project, not only on those the delta touches; the dumps follow
    this build's feed members, so no section keeps a project's previous dcterms:modified."""
    settings_, g1, full = sample_builds["settings"], sample_builds["g1"], sample_builds["g2"]
    older = Generation(tmp_path / g1.id)
    shutil.copytree(g1.path, older.path, symlinks=True)
    (older.path / CHANGES).unlink()
    generation, store, delta = patch(settings_, older, full)
    try:
        update_changes(store, older, generation, delta, settings_, SECOND)
        with caplog.at_level(logging.INFO, logger=incremental_dumps.__name__):
            described = update_dumps(store, older, generation, delta, settings_)
        assert IN_FULL not in caplog.text
        assert_dumps_hold(generation, store, described)
    finally:
        del store
        discard(generation)


segments = st.sampled_from(["project", "organisation", "projects", "record", "", "a.b", "é"])


@settings(max_examples=300, deadline=None)
@given(base=st.sampled_from([BASE, "https://w3id.org/eulod/", "http://x/"]), first=segments,
       rest=st.lists(st.sampled_from(["/", "#", "x", "1", "/y", "#z", "-", ""]), max_size=5))
def test_a_sections_key_is_the_owning_entity_as_the_feed_finds_it(base, first, rest):
    """Keys (one regular expression on the N-Triples subject) agree with eulod.core.feed.Owners."""
    iri = base + first + "/" + "".join(rest) if first else base + "".join(rest)
    owner = Owners(base).owner(iri)
    expected = f"<{owner[1]}>" if owner else f"<{iri}>"
    assert Keys(base).key(f"<{iri}>".encode()) == expected.encode()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=world, after=world, section=st.sampled_from([64, 256, 4096]))
def test_generated_changes_give_dumps_that_hold_the_store(tmp_path_factory, caplog, before, after, section):
    folder = tmp_path_factory.mktemp("generated-dumps")
    settings_ = load_settings(environ={}, build_dir=folder, base_iri=BASE)
    g1 = generation_of(settings_, triples(before, "2026-01-01T00:00:00Z"), FIRST, None, chunk_bytes=section)
    switch_to(folder, g1)
    full = generation_of(settings_, triples(after, "2026-02-01T00:00:00Z"), SECOND, g1)
    generation, store, delta = patch(settings_, g1, full)
    put_summaries(store, settings_, triples(after, ""))
    update_changes(store, g1, generation, delta, settings_, SECOND)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=incremental_dumps.__name__):
        described = update_dumps(store, g1, generation, delta, settings_)
    assert IN_FULL not in caplog.text
    assert_dumps_hold(generation, store, described)
    del store
    for made in (generation, full):
        discard(made)
    shutil.rmtree(folder)
