"""Printed pages' running headers and footers (eulod.converters.extract.furniture) are blanked, and
nothing else: a section running over a page break no longer takes them in (the twentieth blind
set's final report read "Sida 1 av 3" and the footer's address as objectives)."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from eulod.converters.extract import extract_file
from eulod.converters.extract.furniture import furniture
from eulod.converters.extract.text import read_document

HEADER = ["Svenska ESF-rådet", "", "Slutrapport – sammanfattning", ""]


def page(number: int, body: list[str]) -> list[str]:
    return [*HEADER, f"Sida {number} av 3", "", *body, "", f"Sida {number} av 3", "",
            "Svenska ESF-rådet · Box 47141 · 100 74 Stockholm"]


def report() -> str:
    bodies = [["Mål", "Projektets syfte var att minska antalet unga utan arbete."],
              ["att utveckla en gemensam arbetsmodell för de tre kommunerna.", "", "Samverkan",
               "Sundsvalls kommun med Timrå kommun och Ånge kommun."],
              ["Kontaktperson", "Anna Exempelsson"]]
    return "\n\f".join("\n".join(page(n + 1, body)) for n, body in enumerate(bodies)) + "\n"


def test_headers_and_footers_go_the_first_pages_top_and_the_text_stay():
    text = report()
    lines = text.splitlines()
    blank = furniture(text)
    kept = [line for i, line in enumerate(lines) if i not in blank and line.strip()]
    assert kept[:3] == ["Svenska ESF-rådet", "Slutrapport – sammanfattning", "Sida 1 av 3"]  # the first page's top
    assert sum("Sida" in line for line in kept) == 1 and not any("Box 47141" in line for line in kept)
    assert sum("Svenska ESF-rådet" == line for line in kept) == 1
    for words in ("Projektets syfte", "gemensam arbetsmodell", "Samverkan", "Anna Exempelsson", "Kontaktperson", "Mål"):
        assert any(words in line for line in kept), words


def test_the_sheet_keeps_its_line_numbers(tmp_path: Path):
    sheet = tmp_path / "report.txt"
    sheet.write_text(report(), "utf-8")
    document = read_document(sheet)
    lines = report().splitlines()
    for line in document.lines:
        if line.text:
            assert line.text in lines[line.number - 1] or lines[line.number - 1].strip() in line.text
    assert not any("Sida 2 av 3" in line.text for line in document.lines)


def test_text_without_page_breaks_and_a_single_page_are_left_alone():
    text = "Svenska ESF-rådet\nSida 1 av 3\nText\n"
    assert furniture(text) == set() and furniture(text + "\f") == set()


lines_drawn = st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=30), max_size=8)


def key(line: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", line)).strip().casefold()


@settings(max_examples=200, deadline=None)
@given(pages=st.lists(lines_drawn, min_size=1, max_size=5))
def test_only_lines_at_the_edge_of_two_pages_or_more_are_blanked(pages):
    """Whatever the pages: a blanked line stands near the top or bottom of its page and a line like it
    (digits aside) stands near the edge of another page; a line that is on one page only stays."""
    text = "\f".join("\n".join(p) for p in pages)
    blank = furniture(text)
    lines = text.splitlines()
    assert all(0 <= i < len(lines) for i in blank)
    for i in blank:
        assert lines[i].strip() and key(lines[i]).strip("#").strip()
        assert sum(1 for p in pages if any(key(line) == key(lines[i]) for line in p)) >= 2


def test_the_final_report_no_longer_reads_its_page_furniture_as_objectives():
    sheet = Path(__file__).resolve().parent / "data" / "extraction-twentieth" / \
        "sv-esf-sundsvall-slutrapport-sammanfattning-pdftotext.txt"
    record = extract_file(sheet).record
    said = " ".join(record.get("objectives", [])).casefold()
    assert "sida 1 av 3" not in said and "box 47141" not in said and "slutrapport" not in said
