"""The part of a document that is about the project, when the document is about several things.

Council minutes treat five agenda items, an annual report a chapter of projects, each with its
own amounts, dates and contacts. Read whole, such a document gives the project the first item's
budget and another project's contact (the twenty-seventh blind set: 5 of its 11 silent values
left). These series of part headings are recognised:

- a repeated heading in capitals naming an agenda item that differs in one word, an ordinal or a
  number ("ПО ПЪРВА ТОЧКА ОТ ДНЕВНИЯ РЕД", "ПО ВТОРА ТОЧКА ..."; not "WORK PACKAGE 2"), or an agenda item's
  word and its number alone on their line ("Točka 1.", "Punkt 2": labels.yaml ``agenda_item_words``;
  not "Članak 1." or "Diapositive 3", a partnership agreement's articles or a deck's slides);
- numbered sub-sections of one chapter, numbered 1, 2, 3 ... ("5.1 Overblik", "5.2 CIRCBUILD ..."), or
  a page's headings numbered 1, 2, 3 ... ("## 1. DRY-NWE", "## 2. Grenspeel").

The project's part is the one holding what the first draft says names it (its title, acronym or
code) when no other part does, the part a name heads when names point at two, or the one part a
name heads when every name is in several (an overview table names every project). Names found in
several parts and heading none (a running header taken for the title) tell nothing. A numbered
section is taken only when a name heads it: a report on one project numbers its own sections.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from .data import contains, word_set
from .data import words as folded
from .text import Document, Line

MIN_PARTS = 3  # a series of fewer headings is not a document of several items
MAX_HEADING_WORDS = 8  # a repeated heading in capitals
MAX_SECTION_WORDS = 12  # a numbered sub-section's heading
MIN_ANCHOR = 4  # a shorter name ('EU', a two-letter code) is found by chance
_NUMBERED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.?\s+(\S.*)$")
_CHAPTER = re.compile(r"^(\d{1,2})\.?\s+\S")  # a heading one level up, which ends the last sub-section
_SPACE = re.compile(r"\s+")
_ITEM_NUMBER = re.compile(r"\d{1,2}\.?")  # 'Točka 3.', 'Punkt 2'


@dataclass(frozen=True)
class Part:
    """The lines of one part (its heading first) and what the series' headings look like."""

    heading: str
    lines: list[Line]
    series: str  # the headings' shape, shown to the publisher ('ПО * ТОЧКА ОТ ДНЕВНИЯ РЕД')
    numbered: bool  # a numbered sub-section, which a report on one project has too ('1.1 Ταυτότητα της πράξης')


def _capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and text == text.upper() and 2 * len(letters) > len(text.replace(" ", ""))


def _names_an_item(text: str) -> bool:
    """A heading that names an agenda item ('ПО ПЪРВА ТОЧКА ОТ ДНЕВНИЯ РЕД', 'ITEM TWO ON THE AGENDA'): not a
    sheet's own 'WORK PACKAGE 2' or 'PARTNER 3', whose parts are all the project's."""
    plain = folded(text)
    return any(contains(plain, word) for word in word_set("labels.yaml", "agenda_item_words"))


def _repeated_headings(lines: list[Line]) -> list[tuple[str, list[int]]]:
    """Series of lines that are one heading with one word changed, each word distinct: in capitals and
    naming an agenda item ('ПО ПЪРВА ТОЧКА ОТ ДНЕВНИЯ РЕД'), or an agenda item's word and a number alone on their line
    ('Točka 3.', 'Punkt 2'). Mostly letters: a column of amounts ('EUR 540 000.00', 'EUR 405 000.00')
    is no series."""
    groups: dict[tuple[str, ...], list[tuple[int, str]]] = defaultdict(list)
    for index, line in enumerate(lines):
        words = line.text.split()
        if line.bullet or not 2 <= len(words) <= MAX_HEADING_WORDS:
            continue
        numbered_item = len(words) == 2 and _ITEM_NUMBER.fullmatch(words[1]) and words[0][:1].isupper() \
            and folded(words[0]) in word_set("labels.yaml", "agenda_item_words")
        if numbered_item:
            groups[(words[0], "*")].append((index, words[1].rstrip(".")))
        elif _capitals(line.text) and _names_an_item(line.text):
            for position in range(len(words)):
                groups[tuple(w if k != position else "*" for k, w in enumerate(words))].append((index, words[position]))
    return [(" ".join(key), [index for index, _ in members]) for key, members in groups.items()
            if len(members) >= MIN_PARTS and len({word for _, word in members}) == len(members)]


def _numbered_sections(lines: list[Line]) -> list[tuple[str, list[int]]]:
    """Series of sub-section headings of one chapter numbered 1, 2, 3 ... in order ('5.1 …', '5.2 …');
    a timetable's '9.00', '9.15' is not numbered so."""
    chapters: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for index, line in enumerate(lines):
        found = _NUMBERED.match(line.text.strip())
        if found and not line.bullet and len(found.group(3).split()) <= MAX_SECTION_WORDS \
                and not found.group(3).rstrip().endswith((".", ",", ";", ":")):
            chapters[found.group(1)].append((index, int(found.group(2))))
        if line.heading and line.item is not None and len(line.text.split()) <= MAX_SECTION_WORDS:
            chapters[""].append((index, line.item))  # '## 3. LIFE PEELBUFFER – projectkaart' (its number read apart)
    return [(f"{chapter}.1, {chapter}.2, …" if chapter else "1., 2., …", [index for index, _ in members])
            for chapter, members in chapters.items()
            if len(members) >= MIN_PARTS and [n for _, n in members] == list(range(1, len(members) + 1))]


def _section_end(lines: list[Line], start: int, chapter: str) -> int:
    """Where the last sub-section of ``chapter`` ends: at the next chapter's heading, or the document's end."""
    for index in range(start + 1, len(lines)):
        found = _CHAPTER.match(lines[index].text.strip())
        if found and not lines[index].bullet and int(found.group(1)) > int(chapter) \
                and len(lines[index].text.split()) <= MAX_SECTION_WORDS:
            return index
    return len(lines)


def parts(document: Document) -> list[Part]:
    """The parts of the document's first series of part headings (the outer one, when series nest:
    an agenda item's heading comes before its decision's); none when it has no series."""
    lines = document.lines
    series = [(name, heads, False) for name, heads in _repeated_headings(lines)]
    series += [(name, heads, True) for name, heads in _numbered_sections(lines)]
    if not series:
        return []
    name, heads, numbered = min(series, key=lambda s: (s[1][0], -len(s[1])))
    chapter = name.split(".")[0] if numbered and not name.startswith("1.,") else None
    ends = heads[1:] + [_section_end(lines, heads[-1], chapter) if chapter else len(lines)]
    return [Part(lines[start].text.strip(), lines[start:end], name, numbered) for start, end in zip(heads, ends)]


def _plain(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


def anchors(record: dict[str, Any]) -> list[str]:
    """What in a draft names its project: its title (each language's), acronym and codes."""
    title = record.get("title")
    names = list(title.values()) if isinstance(title, dict) else [title]
    names.append(record.get("acronym"))
    names += [item.get("value") for item in record.get("identifiers", []) if isinstance(item, dict)]
    return [_plain(name) for name in names if isinstance(name, str) and len(name.strip()) >= MIN_ANCHOR]


def project_part(document: Document, record: dict[str, Any]) -> Part | None:
    """The one part holding every name of the project that only one part holds (when such names point to
    several parts, the one of them a name heads), or, when every name is in several parts, the one part
    headed by a name; None when the document has no parts or the names point to no part or to several.

    A numbered sub-section must name the project in its heading ('5.2 CIRCBUILD – ...'): a final
    report on one project numbers its own sections too, and names the project in its identity
    section ('1.1 Ταυτότητα της πράξης') alone, while its budget and contacts are in the others.
    """
    found = parts(document)
    if not found:
        return None
    names = anchors(record)
    texts = [_plain(" ".join(line.text for line in part.lines)) for part in found]
    unique = set()
    for anchor in names:
        holding = [index for index, text in enumerate(texts) if anchor in text]
        if len(holding) == 1:
            unique.add(holding[0])
    headed = [index for index, part in enumerate(found) if any(anchor in _plain(part.heading) for anchor in names)]
    if len(unique) > 1:
        unique &= set(headed)  # a code read from another part ('3.4 LIGNOSTORE …') yields to the part the title heads
    if len(unique) == 1:
        chosen = unique.pop()
    elif not unique and len(headed) == 1:
        chosen = headed[0]  # named in an overview too ('3.1 Επισκόπηση'), but only one part is headed by the name
    else:
        return None
    part = found[chosen]
    return part if chosen in headed or not part.numbered else None
