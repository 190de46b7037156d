"""The build's source-document look-up answers as ``os.path.lexists`` would (converters/sources.py).

SourceLocator lists each folder once instead of asking the file system for every record's
document; whatever the tree holds (files, folders, symlinks to folders, broken symlinks, names
that differ only in case), the listing must say what lexists says.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converters.sources import SourceLocator

NAMES = st.sampled_from(["a.html", "A.html", "b.txt", "sub", "Sub", "link", "gone", "x y.md", "é.html"])
ENTRY = st.tuples(st.sampled_from(["", "sub", "sub/deeper", "other"]), NAMES,
                  st.sampled_from(["file", "folder", "link-to-folder", "broken-link"]))


def make(root: Path, entries: list[tuple[str, str, str]]) -> None:
    for folder, name, kind in entries:
        parent = root / folder
        try:
            parent.mkdir(parents=True, exist_ok=True)
            path = parent / name
            if os.path.lexists(path):
                continue
            if kind == "file":
                path.write_text("x")
            elif kind == "folder":
                path.mkdir()
            elif kind == "link-to-folder":
                path.symlink_to(root / "sub", target_is_directory=True)
            else:
                path.symlink_to(root / "nowhere")
        except OSError:
            continue  # a file where a folder was wanted, a link looping: the tree keeps what it has


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(ENTRY, max_size=12),
       asked=st.lists(st.tuples(st.sampled_from(["", "sub", "sub/deeper", "link", "other", "missing"]), NAMES),
                      min_size=1, max_size=10))
def test_the_listing_says_what_lexists_says(tmp_path_factory, entries, asked):
    root = tmp_path_factory.mktemp("tree")
    (root / "sub").mkdir()  # first: an entry named "sub" at the root must not make it a file or a loop
    make(root, entries)
    locator = SourceLocator([root])
    for folder, name in asked:
        candidate = root / folder / name if folder else root / name
        assert locator._exists(candidate) == os.path.lexists(candidate), candidate


def test_a_relative_path_is_looked_up_in_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sheet.html").write_text("x")
    locator = SourceLocator([tmp_path])
    assert locator._exists(Path("sheet.html")) and not locator._exists(Path("other.html"))


def test_missing_documents_cost_no_memory_per_record(tmp_path):
    """A build whose records each name a document of their own that is not there (an export that
    names one JSON file per project) kept an answer per record: 630 MB at 1 000 000 records."""
    import tracemalloc

    (tmp_path / "records.jsonl").write_text("")
    locator = SourceLocator([tmp_path])
    locator.locate("first.html", tmp_path / "records.jsonl")  # the folders listed once, before measuring
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for number in range(20_000):
        assert locator.locate(f"generated/{number:07d}.json", tmp_path / "records.jsonl") is None
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert grown < 1_000_000, f"{grown:,} bytes kept for 20 000 missing documents"


def test_a_found_document_and_a_refusal_are_the_same_answer_when_asked_again(tmp_path):
    """The build copies the documents its first pass found: what was found is kept, even if the
    file goes in between; a name refused stays refused; a missing one stays missing while its
    folder's listing says so (a file added during the build is seen by the next build)."""
    records = tmp_path / "records.jsonl"
    records.write_text("")
    (tmp_path / "sheet.html").write_text("<p>x</p>")
    locator = SourceLocator([tmp_path])
    found = locator.locate("sheet.html", records)
    assert found is not None and found.path.name == "sheet.html"
    assert locator.locate("missing.html", records) is None
    (tmp_path / "sheet.html").unlink()
    (tmp_path / "missing.html").write_text("<p>late</p>")
    assert locator.locate("sheet.html", records) == found
    assert locator.locate("missing.html", records) is None
    for _ in range(2):
        try:
            locator.locate("../outside.html", records)
        except Exception as exc:  # UnsafeSource, the same each time
            assert "outside" in str(exc) or ".." in str(exc)
        else:
            raise AssertionError("a name leading out of the folders was not refused")
