"""The canonical record format: the curated records hold, and bad ones are named precisely."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import DATA, RECORDS
from eulod.converters.records import check_record, field_path, load_file, load_records, to_decimal

CURATED = sorted(RECORDS.glob("*.yaml"))


def test_there_is_one_curated_record_per_fact_sheet():
    sheets = sorted(p.name for p in (DATA / "factsheets").iterdir())
    sources = sorted(yaml.safe_load(p.read_text("utf-8"))["source"]["file"].split("/")[-1] for p in CURATED)
    assert sources == sheets


def test_the_schema_is_a_valid_json_schema():
    schema = json.loads((DATA / "record.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", CURATED, ids=lambda p: p.name)
def test_curated_record_is_valid(path: Path):
    result = load_file(path)
    assert result.problems == []
    assert len(result.records) == 1


def test_dates_stay_at_the_stated_precision():
    records = {r.id: r for r in load_records([RECORDS]).records}
    assert records["amif-820885-volunteering"].data["start_date"] == "2019-02"
    assert records["cities-at-heart"].data["start_date"] == "2023-06-01"


def _problems(tmp_path: Path, text: str):
    path = tmp_path / "bad.yaml"
    path.write_text(text, "utf-8")
    return load_file(path).problems


MINIMAL = """
id: demo
language: en
title: Demo
source: {file: factsheets/demo.txt}
"""


def test_a_minimal_record_is_valid(tmp_path: Path):
    assert _problems(tmp_path, MINIMAL) == []


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ("start_date: 2019-13-01", "start_date", "does not match"),
        ("start_date: '1 June 2023'", "start_date", "does not match"),
        ("budget: {total_cost: 'lots'}", "budget.total_cost", "lots"),
        ("participants: [{role: boss, organisation: {name: X}}]", "participants[0].role", "boss"),
        ("participants: [{role: partner, organisation: {name: X, country: XX}}]", "participants[0].organisation.country", "XX"),
        ("participants: [{role: partner, organisation: {name: X, country: ITA}}]", "participants[0].organisation.country", "ITA"),
        ("contacts: [{email: not-an-address}]", "contacts[0].email", "not-an-address"),
        ("colour: blue", "(record)", "colour"),
    ],
)
def test_problems_name_the_file_record_and_field(tmp_path: Path, extra: str, field: str, words: str):
    problems = _problems(tmp_path, MINIMAL + extra + "\n")
    assert problems, "the bad record was accepted"
    problem = problems[0]
    assert problem.file.endswith("bad.yaml")
    assert problem.record == "demo"
    assert problem.field == field
    assert words in problem.reason
    assert f"record 'demo': field {field}" in str(problem)


def test_a_missing_title_is_reported(tmp_path: Path):
    problems = _problems(tmp_path, MINIMAL.replace("title: Demo\n", ""))
    assert [p.reason for p in problems] == ["'title' is a required property"]


@pytest.mark.parametrize(
    ("payload", "words"),
    [(b"id: [unclosed\n", "cannot be parsed"), (b"\xff\xfe\x00garbage", "not UTF-8"), (b"", "holds no record")],
)
def test_unreadable_files_are_problems_not_exceptions(tmp_path: Path, payload: bytes, words: str):
    path = tmp_path / "broken.yaml"
    path.write_bytes(payload)
    result = load_file(path)
    assert result.records == []
    assert words in result.problems[0].reason


def test_one_bad_record_does_not_stop_the_good_ones(tmp_path: Path):
    (tmp_path / "a.yaml").write_text(MINIMAL, "utf-8")
    (tmp_path / "b.yaml").write_text(MINIMAL.replace("id: demo", "id: other").replace("title: Demo\n", ""), "utf-8")
    (tmp_path / "c.yaml").write_text(MINIMAL.replace("id: demo", "id: third"), "utf-8")
    result = load_records([tmp_path])
    assert [r.id for r in result.records] == ["demo", "third"]
    assert [p.record for p in result.problems] == ["other"]


def test_duplicate_ids_are_reported_on_the_later_file(tmp_path: Path):
    (tmp_path / "a.yaml").write_text(MINIMAL, "utf-8")
    (tmp_path / "b.yaml").write_text(MINIMAL, "utf-8")
    result = load_records([tmp_path])
    assert len(result.records) == 1
    assert result.problems[0].file.endswith("b.yaml")
    assert "already used" in result.problems[0].reason


def test_check_record_rejects_a_non_mapping():
    assert "must be a mapping" in check_record(["x"], "f.yaml")[0].reason


def test_field_path_formats_json_paths():
    assert field_path(["participants", 3, "organisation", "country"]) == "participants[3].organisation.country"


@pytest.mark.parametrize(("value", "expected"), [("841061.50", "841061.50"), (71275.5, "71275.5"), (3, "3")])
def test_amounts_are_exact_decimals(value, expected):
    assert str(to_decimal(value)) == expected


def test_json_lines_report_bad_lines_and_keep_the_good_ones(tmp_path: Path):
    good = json.dumps(yaml.safe_load(MINIMAL))
    path = tmp_path / "bulk.jsonl"
    path.write_text(good + "\n{not json\n\n" + good.replace('"demo"', '"second"') + "\n", "utf-8")
    result = load_file(path)
    assert [(r.id, r.position) for r in result.records] == [("demo", 1), ("second", 4)]
    assert [(p.record, p.reason.split(":")[0]) for p in result.problems] == [("line 2", "cannot be parsed")]


# The fast validity check (jsonschema-rs) must never accept what the Python validator rejects:
# a record it passes is not looked at again. Checked on every record in the repository and on
# records mutated at random from them.

@cache  # parsing the YAML for each of the 300 examples below took ~3 min
def _every_record() -> list[dict]:
    paths = [*CURATED, *sorted((Path(__file__).parent / "data").glob("extraction*/*.expected.yaml"))]
    return [yaml.safe_load(path.read_text("utf-8")) for path in paths]


def _python_valid(data) -> bool:
    from eulod.converters.records import _validator

    return not any(True for _ in _validator().iter_errors(data))


def test_fast_and_python_validators_agree_on_every_record_here():
    from eulod.converters.records import _fast_validator

    records = _every_record()
    assert len(records) > 10
    for data in records:
        assert _fast_validator().is_valid(data) == _python_valid(data), data.get("id")


from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402

_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**12), st.floats(allow_nan=False),
                    st.text(max_size=12), st.sampled_from(["2021", "2021-13", "2021-06-31", "IT", "GBR", "x@y", "EUR",
                                                           "841061.50", "-1", "coordinator", "boss", "https://a.b"]),
                    st.lists(st.text(max_size=3), max_size=2), st.dictionaries(st.text(max_size=4), st.integers(), max_size=2))


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


@hsettings(max_examples=300, deadline=None)
@given(st.data())
def test_fast_validator_never_accepts_what_python_rejects(data):
    from copy import deepcopy

    from eulod.converters.records import _fast_validator

    record = deepcopy(data.draw(st.sampled_from(_every_record())))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(list(_paths(record))[1:]))
        parent = record
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and data.draw(st.booleans()):
            parent[data.draw(st.sampled_from([path[-1], "extra_field"]))] = data.draw(_VALUES)
        elif isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(_VALUES)
    if _fast_validator().is_valid(record):
        assert _python_valid(record), "jsonschema-rs accepted a record the Python validator rejects"
