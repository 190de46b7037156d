"""Issue 16: how each value was found, the review list, generic headings, every EU language and script."""

from __future__ import annotations

from typing import Any

import pytest

from eulod.converters.extract import extract_document
from eulod.converters.extract.compare import compare, silent_and_stated
from eulod.converters.extract.data import language_files, load
from eulod.converters.extract.dates import find_dates
from eulod.converters.extract.text import Document, clean_line
from eulod.converters.organisations import known_city
from eulod.core.countries import EU_LANGUAGES


def _draft(body: str, language: str | None = None) -> dict[str, Any]:
    lines = [clean_line(raw, n) for n, raw in enumerate(body.strip("\n").splitlines(), start=1)]
    draft = extract_document(Document("inline.txt", lines), "inline.txt", language=language)
    assert draft.record is not None, draft.problems
    return draft.record


def _review(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["field"]: item for item in record.get("review", [])}


@pytest.mark.parametrize("heading, language", [
    ("Aktuelles", "de"), ("Noticias", "es"), ("NOTIZIE", "it"), ("Projets européens – Fiche projet", "fr"),
    ("Comunicat", "ro"), ("Uutiset", "fi"), ("Hírek", "hu"), ("Νέα", "el"), ("Новини", "bg"),
])
def test_a_site_section_heading_is_never_the_title(heading: str, language: str) -> None:
    record = _draft(f"# {heading}\n\n01.03.2021 – 28.02.2023\n\nTotal: 1.000.000 EUR\n", language=language)
    assert record["title"] != heading
    assert "title" in _review(record)


def test_a_labelled_value_is_stated_and_a_heading_title_is_inferred_and_asked() -> None:
    record = _draft("""
# Green Roofs for Cities

Start date: 1 March 2021
End date: 28 February 2023
""", language="en")
    assert record["provenance"]["start_date"]["found"] == "stated"
    assert record["provenance"]["title"]["found"] == "inferred"
    title = _review(record)["title"]
    assert title["candidates"] == ["Green Roofs for Cities"] and title["lines"] == [1]
    assert "start_date" not in _review(record)


def test_rival_values_are_asked_with_their_lines() -> None:
    record = _draft("""
Project name: Canal Side

Start date: 1 March 2021
Start date: 1 April 2021
""", language="en")
    item = _review(record)["start_date"]
    assert item["candidates"] == ["2021-03-01", "2021-04-01"] and item["lines"] == [3, 4]


def test_an_unrecognised_body_in_a_partner_list_is_asked() -> None:
    record = _draft("""
Project name: Canal Side
Start date: 1 March 2021

Partners:
- Comune di Torino
- Address
""", language="en")
    names = {p["organisation"]["name"].get("en") or next(iter(p["organisation"]["name"].values())): i
             for i, p in enumerate(record["participants"])}
    asked = _review(record)
    assert f"participants[{names['Address']}]" in asked
    assert f"participants[{names['Comune di Torino']}]" not in asked


def test_the_silent_error_rate_counts_only_unflagged_wrong_values() -> None:
    record = _draft("# Aktuelles\n\nProjektname: Grüne Dächer\nProjektbeginn: 01.03.2021\n", language="de")
    expected = {"title": "Grüne Dächer", "start_date": "2021-03-01", "language": "de"}
    safety = silent_and_stated(compare(expected, record), record)
    assert safety.silent == 0 and safety.stated_right == 3  # the language was given, so it is stated too


def test_the_strict_silent_rate_does_not_count_a_note_that_something_is_missing_as_a_flag() -> None:
    """A wrong partner's city under 'participants: no coordinator or lead partner is named' (a note, no
    candidates): flagged by the plain reading, silent by the strict one; a value's own item flags it in both."""
    record = {"participants": [{"role": "partner", "organisation": {"id": "x", "name": {"en": "X"}, "city": "Wrong"}}],
              "review": [{"field": "participants", "reason": "no coordinator or lead partner is named"}],
              "provenance": {"participants[0]": {"found": "stated", "lines": [3]}}}
    expected = {"participants": [{"role": "partner", "organisation": {"id": "x", "name": {"en": "X"}, "city": "Right"}}]}
    safety = silent_and_stated(compare(expected, record), record)
    assert (safety.silent, safety.silent_strict) == (0, 1)
    record["review"].append({"field": "participants[0].organisation.city", "reason": "check it", "candidates": ["Wrong"]})
    safety = silent_and_stated(compare(expected, record), record)
    assert (safety.silent, safety.silent_strict) == (0, 0)


def test_every_official_language_has_its_word_file_and_month_names() -> None:
    assert set(language_files()) == set(EU_LANGUAGES)
    assert set(load("labels.yaml")["stopwords"]) == set(EU_LANGUAGES)
    for text, language in [("1. maaliskuuta 2021", "fi"), ("1 Μαρτίου 2021", "el"), ("1 март 2021", "bg"),
                           ("2021. március 1.", "hu"), ("1. března 2021", "cs"), ("2021 m. kovo 1 d.", "lt")]:
        assert [f.date.iso() for f in find_dates(text, language)] == ["2021-03-01"], text


def test_city_names_in_greek_and_cyrillic_are_not_folded_away() -> None:
    assert known_city("Θεσσαλονίκη") == ("thessaloniki", "GR")
    assert known_city("ΑΘΗΝΑ") == ("athina", "GR")
    assert known_city("София") == ("sofia", "BG")
    assert known_city("Ηράκλειο") is None  # unknown stays unknown: no empty key matches everything


def test_a_finnish_sheet_is_read_by_its_labels() -> None:
    record = _draft("""
Hankkeen nimi: Viherkatot kaupunkiin

Alkamispäivä: 1.3.2021
Päättymispäivä: 28.2.2023
Kokonaisbudjetti: 1 200 000 €
""")
    assert record["language"] == "fi"
    assert record["title"] == "Viherkatot kaupunkiin" and record["provenance"]["title"]["found"] == "stated"
    assert record["start_date"] == "2021-03-01" and record["end_date"] == "2023-02-28"
    assert record["budget"]["total_cost"] == "1200000"
