"""A project page finds its record's SHACL results by a binary search over validation.json's
lines, not by loading the file (105 MB at 300 000 records: two seconds for each server process's
first project page, and a dict of every record in each; issue 19). The search must find exactly
what loading the file finds, for any record ids (quotes, backslashes, non-ASCII, prefixes of
one another), for records without results, and after an incremental build rewrote the file."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from endpoint.pages.facts import find_validation
from eulod.core.generation import VALIDATION_FILE, Generation
from eulod.pipeline.publication import update_validation, write_validation

ids_ = st.text(st.sampled_from('ab"\\\u00e9\u4e2d-1'), min_size=1, max_size=6)
result_ = st.fixed_dictionaries({"severity": st.sampled_from(["info", "warning"]), "messages": st.just({"en": "x"})})
entries_ = st.dictionaries(ids_, st.lists(result_, min_size=1, max_size=2), max_size=25)


def written(folder: Path, entries: dict) -> Generation:
    generation = Generation(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_validation(generation, sorted(entries.items()))
    return generation


@settings(max_examples=150, deadline=None)
@given(entries_, st.lists(ids_, max_size=5))
def test_the_search_finds_what_loading_the_file_finds(entries, others):
    with tempfile.TemporaryDirectory() as folder:
        path = written(Path(folder) / "g", entries).path / VALIDATION_FILE
        loaded = json.loads(path.read_text("utf-8"))
        assert loaded == entries
        for record_id in [*entries, *others]:
            assert find_validation(path, record_id) == loaded.get(record_id, [])


@settings(max_examples=60, deadline=None)
@given(entries_, entries_)
def test_the_search_reads_a_file_an_incremental_build_rewrote(before, changed):
    with tempfile.TemporaryDirectory() as folder:
        previous = written(Path(folder) / "a", before)
        generation = Generation(Path(folder) / "b")
        generation.path.mkdir()
        assert update_validation(previous, generation, set(changed), sorted(changed.items()))
        path = generation.path / VALIDATION_FILE
        loaded = json.loads(path.read_text("utf-8"))
        assert loaded == {**{k: v for k, v in before.items() if k not in changed}, **changed}
        for record_id in [*before, *changed]:
            assert find_validation(path, record_id) == loaded.get(record_id, [])


def test_a_missing_or_other_file_is_read_as_before(tmp_path):
    assert find_validation(tmp_path / "none.json", "a") == []
    other = tmp_path / "one-line.json"
    other.write_text(json.dumps({"b": [{"severity": "info"}], "a": []}))  # not one entry a line, not sorted
    assert find_validation(other, "b") == [{"severity": "info"}]
