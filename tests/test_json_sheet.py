"""A JSON fact sheet read as labelled lines (converters/extract/jsonsheet.py): one line per line of the
file, every value kept, keys as words; and what the extractor then finds in it."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from converters.extract.factsheet import extract_file
from converters.extract.jsonsheet import json_lines, key_words, parsed_json
from converters.extract.text import read_document

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30))
KEYS = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
DOCUMENTS = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
                         max_leaves=25).filter(lambda d: isinstance(d, (dict, list)))


def _strings(document) -> list[str]:
    if isinstance(document, str):
        return [document]
    if isinstance(document, dict):
        return [s for value in document.values() for s in _strings(value)]
    if isinstance(document, list):
        return [s for value in document for s in _strings(value)]
    return []


@settings(max_examples=300, deadline=None)
@given(DOCUMENTS)
def test_every_line_kept_and_every_text_value_read(document):
    text = json.dumps(document, indent=2, ensure_ascii=False)
    lines, warnings = json_lines(text)
    assert len(lines) == text.count("\n") + 1  # the review page highlights by the file's line numbers
    assert warnings == []
    assert not any(ch in line for line in lines for ch in "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")  # breaks: \n
    joined = " ".join(lines)
    for value in _strings(document):
        assert " ".join(value.split()) in " ".join(joined.split())


@given(st.text(max_size=200))
def test_text_that_is_not_json_is_left_to_the_text_reader(text):
    if parsed_json(text) is None:
        assert json_lines(text) is None
    else:
        assert isinstance(json.loads(text), (dict, list))


def test_deep_nesting_is_not_json_here():
    assert json_lines("[" * 100_000 + "]" * 100_000) is None


def test_keys_become_words():
    assert key_words("startDate") == "start date"
    assert key_words("eu_contribution_rate") == "eu contribution rate"
    assert key_words("total-cost") == "total cost"
    assert key_words("@type") == "type"
    assert key_words("HTMLTitle") == "html title"


def test_lines_rewritten_in_place():
    text = ('{\n  "title": {\n    "lv": "Mazo ostu dvīņi",\n    "en": "Small harbour twins"\n  },\n'
            '  "startDate": "2025-01-01T00:00:00+02:00",\n  "modifiedAt": "2025-09-30T08:41:27Z",\n  "status": {"code": "ONGOING", "label": "Īstenošanā"},\n'
            '  "budget": {"total": 740000, "erdf": 555000},\n  "note": null,\n  "tags": ["a\\"b", 3]\n}')
    lines, _ = json_lines(text)
    assert lines == ["", "title:", "title (lv): Mazo ostu dvīņi", "title (en): Small harbour twins", "", "start date: 2025-01-01",
                     "modified at: 2025-09-30 08:41", "status: ONGOING, Īstenošanā", "budget: total 740000, erdf 555000", "", 'tags: a"b, 3', ""]


def test_a_string_keeps_its_line_breaks_as_lines_of_its_file_line(tmp_path: Path):
    sheet = tmp_path / "slack.json"
    sheet.write_text(json.dumps([{"type": "message", "text": "*Projektadatok*\n*Projekt címe:* Esővíz Szegeden\n"
                                  "*Kezdés:* 2024. március 1."}], indent=2, ensure_ascii=False), encoding="utf-8")
    document = read_document(sheet)
    texts = [(line.number, line.text) for line in document.lines if line.text]
    assert (4, "Projekt címe: Esővíz Szegeden") in texts
    assert (4, "Kezdés: 2024. március 1.") in texts


def test_minified_document_is_indented_with_a_warning():
    document = {"projectTitle": "Fossil-free depots in Östersund", "partners": [{"name": "Region Jämtland"}] * 5}
    lines, warnings = json_lines(json.dumps(document, ensure_ascii=False))
    assert "project title: Fossil-free depots in Östersund" in lines
    assert warnings and "indented" in warnings[0]


def test_a_json_sheet_gives_labelled_facts(tmp_path: Path):
    sheet = tmp_path / "api.json"
    sheet.write_text(json.dumps({"data": {
        "projectTitle": "Green harbours of the Baltic",
        "acronym": "GREENHARB",
        "startDate": "2025-01-01T00:00:00+01:00",
        "endDate": "2027-12-31",
        "totalBudget": "1 850 000 EUR",
        "website": "https://greenharb.example.org",
    }}, indent=2), encoding="utf-8")
    document = read_document(sheet)
    assert sorted({line.number for line in document.lines}) == list(range(1, 11))  # the file's lines, no others
    record = extract_file(sheet, language="en").record
    assert record.get("start_date") == "2025-01-01"
    assert record.get("end_date") == "2027-12-31"
    assert record.get("acronym") == "GREENHARB"
