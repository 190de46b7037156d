"""The description and an objective sentence when no section states them: the free paragraphs about the project.

A paragraph is left out when it is the title's, page furniture, quoted speech, boilerplate, a
list's heading, prose about partners, dates, money or funding; an opening such as 'Celem
projektu jest …' (labels.yaml ``objective_openers``) states the objective.
"""

from __future__ import annotations

import re

from .. import programmes as prog
from ..data import best_label, contains, load, words
from ..dates import find_dates, find_duration
from ..items import country_list_text
from ..numbers import find_amounts
from ..page import URL, furniture, stock_opening
from ..parties import participant_named
from ..segments import about_line, blocks
from ..sheet import SENTENCE_END, Sheet
from .participants import PARTIES


def read(sheet: Sheet) -> None:
    """The description from free paragraphs, and an objective sentence, when no section states them."""
    if "description" not in sheet.record:
        skip = set(sheet.title_lines) | ({sheet.subtitle_line.number} if sheet.subtitle_line is not None else set())
        paragraphs = _paragraphs(sheet, skip)
        if len(paragraphs) > 1:  # as under a description label (fields/texts.py): the first, the whole the other candidate
            sheet.put("description", paragraphs[0][0], paragraphs[0][1])
            sheet.ask("description", "several free paragraphs about the project: the first is taken; check it",
                      [paragraphs[0][0], "\n\n".join(p for p, _ in paragraphs)], [n for _, ns in paragraphs for n in ns])
        elif paragraphs:
            sheet.put("description", paragraphs[0][0], paragraphs[0][1])
    if "objectives" not in sheet.record:
        _objective_sentence(sheet, set(sheet.title_lines))
        stated = sheet.record.get("objectives") or [""]
        if sheet.record.get("description") == stated[0]:  # a paragraph that only states the objective is not a description
            del sheet.record["description"]
            sheet.provenance.pop("description", None)


def _paragraphs(sheet: Sheet, skip: set[int]) -> list[tuple[str, list[int]]]:
    """The free paragraphs that say what the project does (not the title's lines in ``skip``)."""
    boiler = [words(b) for b in load("labels.yaml")["boilerplate"]]
    cues = [words(c) for c in load("labels.yaml")["prose_beneficiary"]]
    out = []
    city_words = {"c": load("labels.yaml")["city_words"]}
    party_lines = {n for seg in sheet.segments if any(line.heading for line in seg.body)  # prose among partner cards
                   and (seg.kind in PARTIES or (seg.kind is None and best_label(seg.label, city_words)[0])) for n in seg.lines}
    found = blocks(sheet.free)
    for index, block in enumerate(found):
        text = " ".join(line.text for line in block)
        folded = words(text)
        if block and about_line(block[0].text):
            block = block[1:]  # "About EURE" heads the paragraph about the project
            text = " ".join(line.text for line in block)
            folded = words(text)
        if not block or any(line.number in skip for line in block) or block[0].bullet:
            continue
        if len(block) > 1 and all(line.bullet for line in block[1:]):
            continue  # 'IN THIS ISSUE' over a numbered list: a heading and its list, not a paragraph
        if text[:1] in "\"„“«‘'" or any(furniture(line.text) for line in block):
            continue  # quoted speech, page furniture
        camel = re.match(r"[a-z]+[A-Z]", text)  # 'proGIreg uses ...': a paragraph opening with a camel-case name
        if len(text.split()) < 12 or text.endswith(":") or (text[:1].islower() and not camel) or URL.search(text):
            continue
        if any(line.number in party_lines for line in block):
            continue  # prose among partner cards ('The consortium counts 35 partners ...') is about the partners
        if stock_opening(folded, boiler) or any(contains(folded, c) for c in cues):
            continue
        if find_dates(text, sheet.language) or find_amounts(text) or find_duration(text):
            continue
        if (prog.programmes(text, None) or prog.funds(text)) and participant_named(sheet, text) is not None:
            continue  # "Leiria leads Y, funded by URBACT III / ERDF": who and how funded, not what the project does
        if country_list_text(text):
            continue
        out.append((text, [line.number for line in block]))
    return out


def _objective_sentence(sheet: Sheet, skip: set[int]) -> None:
    """'Celem projektu jest …', 'Obiectivul general al proiectului îl reprezintă …': the first sentence of the free
    paragraphs that states the objective is the objective (a sheet without an objectives section)."""
    openers = [words(o) for o in load("labels.yaml")["objective_openers"]]
    for block in blocks(sheet.free):
        if block[0].bullet or any(line.number in skip for line in block):
            continue
        text = " ".join(line.text for line in block)
        # any sentence of the paragraph: text through pdftotext runs a page's sentences into one paragraph
        for sentence in SENTENCE_END.split(text):
            if any(words(sentence).startswith(o + " ") for o in openers):
                sheet.put("objectives", [sentence], [line.number for line in block])
                return
