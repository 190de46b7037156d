"""validation.json of an incremental build (eulod.pipeline.publication.update_validation): the
previous file's entries copied and the changed records' written anew must give, byte for byte,
the file a full build writes."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from eulod.core.generation import VALIDATION_FILE, Generation
from eulod.pipeline.publication import update_validation, write_validation

IDS = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=8) | st.sampled_from(
    ['a": [', 'a\\"b', "é", "\u2028", "z,", "A"])
RESULTS = st.lists(st.fixed_dictionaries({"severity": st.sampled_from(["Violation", "Warning"]),
                                          "focus": st.text(max_size=5), "path": st.none() | st.text(max_size=5),
                                          "value": st.none() | st.text(max_size=5),
                                          "messages": st.lists(st.text(max_size=6), max_size=2)}),
                   min_size=1, max_size=3)
ENTRIES = st.dictionaries(IDS, RESULTS, max_size=8)


def written(entries: dict[str, list[dict]], folder: Path) -> Generation:
    generation = Generation(folder)
    folder.mkdir()
    write_validation(generation, sorted(entries.items()))
    return generation


@given(ENTRIES, ENTRIES, st.sets(IDS, max_size=6))
def test_an_updated_file_is_the_file_a_full_build_writes(before, now, also_changed):
    changed = set(now) | also_changed  # records converted again or gone: ``now`` holds those with results
    expected = {k: v for k, v in before.items() if k not in changed} | now
    with tempfile.TemporaryDirectory() as scratch:
        previous = written(before, Path(scratch) / "previous")
        full = written(expected, Path(scratch) / "full")
        generation = Generation(Path(scratch) / "incremental")
        generation.path.mkdir()
        assert update_validation(previous, generation, changed, sorted(now.items()))
        assert (generation.path / VALIDATION_FILE).read_bytes() == (full.path / VALIDATION_FILE).read_bytes()


def test_a_file_of_another_shape_is_not_updated(tmp_path: Path):
    previous, generation = Generation(tmp_path / "a"), Generation(tmp_path / "b")
    previous.path.mkdir()
    generation.path.mkdir()
    (previous.path / VALIDATION_FILE).write_text('{"a": []}', "utf-8")
    assert not update_validation(previous, generation, set(), [])
    assert not update_validation(Generation(tmp_path / "missing"), generation, set(), [])
    assert not (generation.path / VALIDATION_FILE).exists()
