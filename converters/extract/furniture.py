"""Running headers and footers of a printed document's pages, in text that keeps its page breaks.

pdftotext ends each page with a form feed, and every page repeats the publisher's header and
footer ("Svenska ESF-rådet", "Sida 2 av 3", the footer's address). Read as lines, a section
that runs over a page break takes them in as its own: a final report's objectives came out
with "sida 1 av 3" and the footer's address among them (the twentieth blind set). What
repeats at the edge of two pages or more is the page's, not the text's, in any language:
such lines are blanked (their numbers kept, so source lines still point at the sheet). The
first page keeps its top lines, where a running header is often the document's own title;
page numbers differ from page to page, so digits do not count when lines are compared.
"""

from __future__ import annotations

import re

EDGE_LINES = 4  # non-empty lines at the top and at the bottom of a page that may be furniture
LONGEST = 160  # a longer line is text, not a header or footer
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


def _key(line: str) -> str:
    return _SPACE.sub(" ", _DIGITS.sub("#", line)).strip().casefold()


def _pages(lines: list[str]) -> list[list[int]]:
    """The indexes of ``lines`` (``str.splitlines(keepends=True)``) page by page: a page ends
    with a line that a form feed ends."""
    pages: list[list[int]] = [[]]
    for index, line in enumerate(lines):
        pages[-1].append(index)
        if line.endswith("\f"):
            pages.append([])
    return [page for page in pages if page]


def _paged(numbers_by_page: dict[int, tuple[int, ...]]) -> bool:
    """Whether a line's numbers from page to page are a running header's: the same on every page
    ('Protokol № 32 от 24.04.2025'), or one of them going up as the pages do ('Stranica 2 od 5',
    'Stranica 3 od 5'). An agenda's item headings that happen to open pages ('Točka 2.', 'Točka 4.')
    go up otherwise, and are the document's text."""
    pages = sorted(numbers_by_page)
    values = [numbers_by_page[page] for page in pages]
    if len(set(values)) == 1:
        return True
    if len({len(v) for v in values}) != 1:
        return False
    return any(all(values[k][position] - values[0][position] == pages[k] - pages[0] for k in range(len(pages)))
               for position in range(len(values[0])))


def furniture(text: str) -> set[int]:
    """The indexes (in ``text.splitlines()``) of the lines that are a running header or footer."""
    if "\f" not in text:
        return set()
    lines = text.splitlines(keepends=True)
    pages = _pages(lines)
    if len(pages) < 2:
        return set()
    edges: list[tuple[list[int], list[int]]] = []  # per page: its top and its bottom lines
    for page in pages:
        filled = [i for i in page if lines[i].strip() and len(lines[i].strip()) <= LONGEST]
        edges.append((filled[:EDGE_LINES], filled[-EDGE_LINES:]))
    seen: dict[str, dict[int, tuple[int, ...]]] = {}  # a line's key -> the pages it stands at the edge of, its numbers
    for number, (top, bottom) in enumerate(edges):
        for i in {*top, *bottom}:
            seen.setdefault(_key(lines[i]), {})[number] = tuple(int(n) for n in _DIGITS.findall(lines[i]))
    repeated = {key for key, where in seen.items() if len(where) >= 2 and key.strip("#").strip() and _paged(where)}
    found: set[int] = set()
    for number, (top, bottom) in enumerate(edges):
        edge = bottom if number == 0 else [*top, *bottom]
        found.update(i for i in edge if _key(lines[i]) in repeated)
    return found
