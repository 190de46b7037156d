"""Every labelled fact sheet under tests/data/extraction*/ against a floor it must not fall below.

A sheet is a file beside NAME.expected.yaml in any folder whose name starts with "extraction", so a
new set of sheets joins the suite by being copied in. Each sheet's floor is in
tests/data/sheet-floors.yaml (written by ``bench/extraction.py --write-floors``):

* ``silent``: at most this many emitted values may be wrong and missing from the review list;
* ``right``: at least this many expected values must be extracted right;
* ``title``: the title may not get worse (silent < flagged or missing < right).

A sheet with no floor yet (a new set) must still give a draft that validates, and its title must
not be silently wrong: the one error issue 16 says a publisher cannot live with.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from eulod.converters.extract import extract_file
from eulod.converters.extract.compare import compare, floor, silent_and_stated
from eulod.converters.extract.compare import labelled_sheets as sheets_of
from eulod.converters.records import check_record

DATA = Path(__file__).resolve().parent / "data"
FLOORS = DATA / "sheet-floors.yaml"
TITLE_RANK = {"silent": 0, "missing": 1, "flagged": 1, "right": 2}


def labelled_sheets() -> list[Path]:
    return sorted(sheet for folder in DATA.glob("extraction*") if folder.is_dir() for sheet in sheets_of(folder))


@lru_cache(maxsize=1)
def floors() -> dict[str, dict]:
    return yaml.safe_load(FLOORS.read_text("utf-8")) or {}


def test_the_suite_sees_every_labelled_sheet() -> None:
    """The glob finds the sets the benchmark scores (a renamed folder or suffix would silently drop them)."""
    sheets = labelled_sheets()
    assert len(sheets) >= 55
    assert {s.parent.name for s in sheets} >= {"extraction", "extraction-blind", "extraction-sixth"}
    assert set(floors()) <= {f"{s.parent.name}/{s.name}" for s in sheets}, "a floor names a sheet that is gone"


@pytest.mark.parametrize("sheet", labelled_sheets(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sheet_keeps_its_floor(sheet: Path) -> None:
    expected = yaml.safe_load(sheet.with_name(sheet.stem + ".expected.yaml").read_text("utf-8"))
    draft = extract_file(sheet)
    base = floors().get(f"{sheet.parent.name}/{sheet.name}")
    if draft.record is None:  # the extractor refuses it (not a fact sheet to it): its floor must say it gets nothing
        assert base is not None and base["right"] == 0 and base["title"] == "missing", draft.problems
        return
    assert check_record(draft.record, sheet.name) == []
    score = compare(expected, draft.record)
    safety = silent_and_stated(score, draft.record)
    now = floor(score, safety, draft.record)
    detail = "\n".join([f"silent: {p}" for p in safety.silent_paths] + score.differences)
    if base is None:
        assert now["title"] != "silent", f"a wrong title not in the review list: {draft.record.get('title')!r}"
        return
    assert now["silent"] <= base["silent"], f"more silent errors than the floor ({base['silent']}):\n{detail}"
    assert now["right"] >= base["right"], f"fewer right values than the floor ({base['right']}):\n{detail}"
    assert TITLE_RANK[now["title"]] >= TITLE_RANK[base["title"]], f"title {base['title']} -> {now['title']}: {draft.record.get('title')!r}"
