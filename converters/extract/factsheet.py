"""The fact-sheet extractor: one file in, one draft record (or reasons why not) out.

Rule-based on purpose: labels, month names, country names and organisation patterns are data
(labels.yaml, places.yaml, programmes.yaml, the EU country table, CLDR month names), and the
rules only say where facts sit in a page. Every value keeps the lines it was read from
(``provenance``); every field that was missing or had rival candidates is listed in ``review``
instead of being guessed.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from eulod.core.iris import slugify

from . import programmes as prog
from .data import best_label, contains, load, word_set, words
from .dates import PartialDate, add_months, find_dates, find_duration, fold, months_between
from .numbers import find_amounts, find_percentages
from .parties import merge, participant_named, participant_with_line
from .places import (
    Organisation,
    city,
    country_adjective,
    looks_like_organisation,
    municipality_in_text,
    municipality_mentions,
    name_language,
    organisation,
    organisation_type,
    read_country,
)
from .segments import Segment, blocks, card_lines, classify, place_and_country, segment
from .segments import about_line as _about_line
from .tables import column_kinds
from .matching import abbreviates, cue_regex, declined, with_bare_forms
from .items import PARTICLES, add_item, country_list_text, is_place
from .page import EMAIL, LABELISH, URL, about_name, boilerplate, furniture, generic_heading, page_meta
from .fields import language as language_field
from .fields import title, description, contacts, country, dates, identifiers, money, participants, programme, prose, shares, status, texts, website
from .fields.participants import PARTIES
from .sheet import Participant, Sheet
from .text import Document, Line, UnreadableFile, read_document
from .values import value_at

log = logging.getLogger(__name__)

SCALAR = {"start_date", "end_date", "period", "duration", "total_cost", "eu_contribution", "co_financing",
          "programme", "fund", "programme_reference", "grant_id", "website", "theme", "project_name", "acronym", "status"}
TEXTS = {"objectives", "actions", "expected_results", "results", "description"}


@dataclass
class Draft:
    """What one fact sheet gave: a record (None when there is nothing to record) and why."""

    file: str
    record: dict[str, Any] | None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _Reader(Sheet):
    """The steps of one extraction over a :class:`Sheet`."""

    def __init__(self, document: Document, source_file: str, language: str | None, derive: bool) -> None:
        super().__init__(document, source_file, language, derive)
        language_field.read(self)

    def ask_inferred(self) -> None:
        """Every inferred value not yet in the review list goes there, with its value and source lines:
        a draft may ask, it may not be confidently wrong (issue 16)."""
        asked = {item["field"] for item in self.review}
        for path, entry in self.provenance.items():
            if entry.get("found") != "inferred" or path in asked:
                continue
            value = value_at(self.record, path) if path != "language" else None
            if path == "language":
                self.ask(path, "inferred (the language whose small words the sheet uses most): check it",
                         getattr(self, "language_candidates", [self.language]))
                continue
            how = entry.get("derived") or ("the type a word of the name suggests" if path.endswith(".organisation.type")
                                           else "read from the page's layout or prose, not from a label naming the field")
            self.ask(path, f"inferred ({how}): check it", [value] if value is not None else None, entry.get("lines"))


    # -- the steps -------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        self.release_page_meta()
        participants.read(self)
        country.read(self)
        dates.read(self)
        programme.read(self)
        identifiers.read(self)
        money.read(self)
        texts.read(self)
        prose.read_led_by(self)
        prose.read_adjective_lists(self)
        prose.read_participating_bodies(self)
        shares.read(self)
        prose.read_beneficiaries(self)
        title.read(self)
        description.read(self)
        contacts.read(self)
        website.read(self)
        status.read(self)
        self.finish_participants()
        self.ask_inferred()
        return self.record

    def release_page_meta(self) -> None:
        """'Opublikowano: 28.07.2021' then paragraphs: the page's date is one line, the paragraphs are free text."""
        for seg in self.of("page_meta"):
            _, _, rest = self.first_block(seg)
            self.release(rest)


    def official_names(self) -> None:
        """A city listed bare ('Valladolid (España)') takes the name the page gives its municipality ('Ayuntamiento de Valladolid')."""
        # prose and money labels name participants; a contact's employer line or a result's title does not
        money = {n for seg in self.segments if seg.kind in ("total_cost", "eu_contribution", "co_financing") for n in seg.label_lines}
        shown = [line for line in self.free if line.text and not line.bullet] + \
                [line for line in self.doc.lines if line.number in money]
        text = "\n".join(line.text for line in shown)
        for participant in self.participants:
            org = participant.org
            bare = org.names.get(self.language)
            if org.type != "municipality" or not bare or bare != org.city:
                continue
            for pattern in municipality_mentions(bare, self.language):
                found = pattern.search(text)
                if found:
                    org.names[self.language] = found.group(0)
                    org.lines.append(shown[text.count("\n", 0, found.start())].number)
                    break

    def finish_participants(self) -> None:
        self.official_names()
        out = []
        for index, participant in enumerate(self.participants):
            org = participant.org
            data: dict[str, Any] = {"id": org.id, "name": org.names}
            if org.type:
                data["type"] = org.type
            if org.city:
                data["city"] = org.city
            if org.country:
                data["country"] = org.country.code
                if org.country.corrected:
                    data["country_as_stated"] = org.country.stated
            entry: dict[str, Any] = {"role": participant.role, "organisation": data}
            budget = {k: v for k, v in participant.budget.items() if not k.startswith("_")}
            if budget:
                entry["budget"] = budget
            out.append(entry)
            lines = sorted(set(org.lines + participant.budget.get("_lines", [])))
            found = self.found("participants", org.lines) if org.recognised else "inferred"
            self.provenance[f"participants[{index}]"] = {"file": self.source_file, "lines": lines, "found": found}
            if org.type and org.type_guessed and found == "stated":
                self.provenance[f"participants[{index}].organisation.type"] = {"file": self.source_file, "lines": lines, "found": "inferred"}
        if out:
            self.record["participants"] = out
        else:
            self.ask("participants", "no coordinator, partner or beneficiary found")
        if not any(p.role == "coordinator" for p in self.participants) and out:
            self.ask("participants", "no coordinator or lead partner is named")




def source_name(path: Path) -> str:
    """The record's source.file: the fact sheet's folder and name (factsheets/000.txt)."""
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


def extract_document(document: Document, source_file: str, *, language: str | None = None, derive: bool = False) -> Draft:
    reader = _Reader(document, source_file, language, derive)
    reader.run()
    record = reader.record
    facts = [k for k in ("start_date", "programme", "budget", "objectives", "actions", "description", "identifiers") if k in record]
    if not facts and not reader.participants:
        return Draft(source_file, None, ["no project facts found (no programme, dates, budget, partners, objectives or description): "
                                         "this does not look like a project fact sheet"], reader.warnings)
    ordered: dict[str, Any] = {"id": reader.record_id, "language": reader.language, "source": {"file": source_file}}
    ordered.update({k: v for k, v in record.items()})
    if reader.warnings:
        ordered["notes"] = "Draft extracted by eulod extract. " + " ".join(w.split(": ", 1)[-1] + "." for w in reader.warnings)
    else:
        ordered["notes"] = "Draft extracted by eulod extract."
    if reader.review:
        ordered["review"] = reader.review
    ordered["provenance"] = reader.provenance
    return Draft(source_file, ordered, [], reader.warnings)


def extract_file(path: Path, *, language: str | None = None, derive: bool = False) -> Draft:
    """Extract one fact sheet; never raises for bad input, the Draft says what went wrong."""
    shown = str(path)
    try:
        document = read_document(path, shown)
    except UnreadableFile as exc:
        return Draft(shown, None, [str(exc)])
    try:
        return extract_document(document, source_name(path), language=language, derive=derive)
    except RecursionError:  # pathological nesting in a page
        return Draft(shown, None, ["the page is too deeply nested to read"])
