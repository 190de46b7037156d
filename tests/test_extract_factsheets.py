"""The extractor against the curated records and the hand-written cases, field by field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from eulod.converters.extract import extract_file
from eulod.converters.extract.compare import compare, similar
from eulod.converters.records import check_record, load_records
from eulod.converters.sources import load_sources

ROOT = Path(__file__).resolve().parent.parent
FACTSHEETS = ROOT / "data" / "factsheets"
CASES = ROOT / "tests" / "data" / "extraction"
CURATED = {Path(r.data["source"]["file"]).name: r.data for r in load_records([ROOT / "data" / "records"]).records}


@pytest.mark.parametrize("name", sorted(CURATED))
def test_seed_matches_curated_record_field_by_field(name: str) -> None:
    draft = extract_file(FACTSHEETS / name)
    assert draft.record is not None, draft.problems
    assert check_record(draft.record, name) == []
    score = compare(CURATED[name], draft.record)
    # a field the draft asks about with the curated value among its candidates is one the review page
    # offers right (several paragraphs under a description label: the first is taken, the whole offered)
    offered = {item["field"] for item in draft.record.get("review", [])
               if item["field"] in CURATED[name] and any(similar(c, CURATED[name][item["field"]]) for c in item.get("candidates", []))}
    differences = [d for d in score.differences if d.split(":")[0] not in offered]
    assert differences == [], "\n".join(differences)
    excused = {d.split(":")[0] for d in score.differences} - {d.split(":")[0] for d in differences}
    assert excused <= {"description"}, excused  # only the description's paragraphs are left to the review


@pytest.mark.parametrize("sheet", sorted(p for p in CASES.iterdir() if not p.name.endswith(".yaml")), ids=lambda p: p.name)
def test_written_cases_validate_and_score_well(sheet: Path) -> None:
    expected = yaml.safe_load(sheet.with_name(sheet.stem + ".expected.yaml").read_text("utf-8"))
    draft = extract_file(sheet)
    assert draft.record is not None and check_record(draft.record, sheet.name) == []
    # a title the review offers right, as one of two readings (docs/extraction.md, decision 6: an acronym heading
    # over the name), is judged on the review page with the subtitle and acronym the other reading moves
    offered = {"title", "subtitle", "acronym"} if any(
        item["field"] == "title" and any(similar(c, expected.get("title")) for c in item.get("candidates", []))
        for item in draft.record.get("review", [])) else set()
    score = compare({k: v for k, v in expected.items() if k not in offered},
                    {k: v for k, v in draft.record.items() if k not in offered})
    assert score.recall() >= 0.95 and score.precision() >= 0.95, "\n".join(score.differences)


def test_provenance_and_review() -> None:
    record = extract_file(FACTSHEETS / "001_4d66387e27bcc08a.txt").record
    assert record["provenance"]["start_date"] == {"file": "factsheets/001_4d66387e27bcc08a.txt", "lines": [6, 7], "found": "stated"}
    review = {item["field"]: item for item in record["review"]}
    assert review["end_date"]["candidates"] == ["2021-01"] and "end_date" not in record


def test_derive_fills_and_marks_the_end_date() -> None:
    record = extract_file(FACTSHEETS / "001_4d66387e27bcc08a.txt", derive=True).record
    assert record["end_date"] == "2021-01"
    assert record["provenance"]["end_date"]["derived"]


def test_corrected_codes_are_warned() -> None:
    draft = extract_file(FACTSHEETS / "000_541b14564dc59dea.txt")
    assert any("'SL'" in w for w in draft.warnings) and any("'IR'" in w for w in draft.warnings)


def bad_inputs(folder: Path) -> dict[str, Path]:
    files = {
        "empty": b"",
        "binary": bytes(range(256)) * 4,
        "not-a-project": b"Our bakery sells bread.\nOpen every day but Sunday.\n",
        "huge": b"Start date: 1 June 2023\n" * 450_000,
        "broken-encoding": "Start date: 1 June 2023\nCoordinator: City of Torino (IT)\nTotal cost: 10.000,00 €\n".encode() + b"caf\xe9\n",
    }
    out = {}
    for name, payload in files.items():
        path = folder / f"{name}.txt"
        path.write_bytes(payload)
        out[name] = path
    return out


def test_bad_input_gives_reasons_not_tracebacks(tmp_path: Path) -> None:
    files = bad_inputs(tmp_path)
    for name in ("empty", "binary", "not-a-project", "huge"):
        draft = extract_file(files[name])
        assert draft.record is None and draft.problems, name
    broken = extract_file(files["broken-encoding"])
    assert broken.record is not None and any("not UTF-8" in w for w in broken.warnings)


@pytest.mark.slow
def test_cli_extract_goes_on_after_bad_files(tmp_path: Path) -> None:
    files = bad_inputs(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    command = [sys.executable, "-m", "eulod.cli", "extract", *map(str, files.values()), str(FACTSHEETS / "004_fd8f106ac58b7d0c.txt"), "-o", str(out), "--format", "json"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "the file is empty" in result.stderr
    written = sorted(p.name for p in out.iterdir())
    assert written == ["004_fd8f106ac58b7d0c.txt.draft.json", "broken-encoding.txt.draft.json"]


@pytest.mark.slow
def test_cli_extract_personal_data_role_only(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "eulod.cli", "extract", str(FACTSHEETS / "001_4d66387e27bcc08a.txt"), "-o", str(tmp_path), "--personal-data", "role-only"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    draft = yaml.safe_load((tmp_path / "001_4d66387e27bcc08a.txt.draft.yaml").read_text("utf-8"))
    assert draft["contacts"] and all("name" not in c and "email" not in c for c in draft["contacts"])


@pytest.mark.slow
def test_curated_record_takes_precedence(tmp_path: Path) -> None:
    both = load_sources([ROOT / "data" / "records", FACTSHEETS])
    assert not both.problems and len(both.records) == 5
    assert all(r.file.endswith(".yaml") for r in both.records)
    sheets = load_sources([FACTSHEETS])
    assert not sheets.problems and sorted(r.id for r in sheets.records)[0] == "cities-at-heart"
    assert all(r.file.endswith(".txt") for r in sheets.records)
