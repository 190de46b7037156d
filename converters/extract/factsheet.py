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
from .fields import contacts, country, dates, identifiers, money, participants, programme, prose, shares, status, texts, website
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
        self.read_title()
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


    def description_paragraphs(self, skip: set[int]) -> list[tuple[str, list[int]]]:
        boiler = [words(b) for b in load("labels.yaml")["boilerplate"]]
        cues = [words(c) for c in load("labels.yaml")["prose_beneficiary"]]
        out = []
        city_words = {"c": load("labels.yaml")["city_words"]}
        party_lines = {n for seg in self.segments if any(line.heading for line in seg.body)  # prose among partner cards
                       and (seg.kind in PARTIES or (seg.kind is None and best_label(seg.label, city_words)[0])) for n in seg.lines}
        found = blocks(self.free)
        for index, block in enumerate(found):
            text = " ".join(line.text for line in block)
            folded = words(text)
            if block and _about_line(block[0].text):
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
            if any(folded.startswith(b) for b in boiler) or any(contains(folded, c) for c in cues):
                continue
            if find_dates(text, self.language) or find_amounts(text) or find_duration(text):
                continue
            if (prog.programmes(text, None) or prog.funds(text)) and participant_named(self, text) is not None:
                continue  # "Leiria leads Y, funded by URBACT III / ERDF": who and how funded, not what the project does
            if country_list_text(text):
                continue
            out.append((text, [line.number for line in block]))
        return out

    def read_title(self) -> None:
        boiler = [words(b) for b in load("labels.yaml")["boilerplate"]]
        headline: list[Line] = []
        subtitle_line: Line | None = None
        free_blocks = [b for b in blocks(self.free)]
        about = about_name(self.doc.lines)
        heading = next((line for line in self.free if line.heading and _title_candidate(line.text, boiler)), None)
        if heading is not None:  # an <h1> / "# " heading names the page's project
            after = [line for line in self.free if line.number > heading.number and line.text]
            headline = [heading]
            if after and not after[0].heading and not after[0].bullet and 3 <= len(after[0].text.split()) <= 30 \
                    and not URL.search(after[0].text) and not LABELISH.match(after[0].text) \
                    and after[0].text.count(". ") == 0:
                subtitle_line = after[0]
            free_blocks = []
        for index, block in enumerate(free_blocks):
            text = " ".join(line.text for line in block)
            folded = words(text)
            if any(furniture(line.text) for line in block) or all(generic_heading(line.text) for line in block):
                continue  # the page header: site name, navigation, breadcrumb, a site section's heading
            if not folded or any(folded == b or folded.startswith(b + " ") and len(folded.split()) <= len(b.split()) + 4 for b in boiler):
                continue
            if looks_like_organisation(text) or URL.fullmatch(text.strip("<>")) or block[0].bullet:
                continue
            if not re.search(r"[A-Za-zÀ-ɏ]", text):
                continue  # 'Δήμος Αθηναίων': a name in another script heads the page, it does not title the project
            if text.isupper() and len(block) == 1 and organisation_type(text) is not None:
                continue  # 'CONSILIUL JUDEȚEAN CĂLĂRAȘI': the site owner's name as page header
            if len(block) <= 4 and (prog.funds(text) or prog.programmes(text, None)) and index + 1 < len(free_blocks) \
                    and _title_line(free_blocks[index + 1]):
                continue  # 'EFRE-Vorhaben im Leipziger Osten' over the operation's name: a kicker naming the fund
            shortest = 2 if len(block[0].text.split()) <= 3 else 3  # "ROOF" over "Ending homelessness"
            if len(block) == 2 and len(block[0].text.split()) <= 12 and shortest <= len(block[1].text.split()) <= 30 \
                    and not page_meta(block[1].text) \
                    and not block[0].text.endswith((".", ":")) and not looks_like_organisation(block[1].text) \
                    and not LABELISH.match(block[1].text) and not block[1].bullet and not URL.search(block[1].text):
                headline, subtitle_line = [block[0]], block[1]  # a name line over its tagline
                break
            if len(text.split()) > 25:
                break
            if len(block) == 1 and index + 1 < len(free_blocks) and _name_over_tagline(free_blocks[index + 1]):
                continue  # a section name over the project's name-and-tagline block: the block below names the project
            if about and (len(text.split()) > 6 or find_dates(text, self.language)):
                break  # a press-release headline: the project is the one the "About X" line names
            headline = block
            if index + 1 < len(free_blocks):
                nxt = free_blocks[index + 1]
                nxt_text = " ".join(line.text for line in nxt)
                if len(nxt) == 1 and 3 <= len(nxt_text.split()) <= 25 and ":" not in nxt_text and not URL.search(nxt_text) \
                        and nxt_text.count(". ") == 0 and not nxt[0].bullet and not page_meta(nxt_text) \
                        and not (nxt_text.endswith(".") and len(nxt_text.split()) >= 12):  # a sentence, not a tagline
                    subtitle_line = nxt[0]
            break
        title = subtitle = acronym = None
        title_lines: list[int] = []
        for seg in self.of("project_name"):
            value, lines, rest = self.first_block(seg)
            self.release(rest)
            title, title_lines = value, seg.label_lines + lines
        if title:
            match = re.search(r"\s*\b(?:acronym|acronim|acronimo|acrónimo|acronyme|sigle|akronym|akronim)\b\s*[:\-]?\s*(\S+)", title, re.IGNORECASE)
            if match:
                acronym = match.group(1).strip("„”\"'“ ")
                title = title[: match.start()]
            title = title.strip(" „”\"'“")
            tail = re.match(r"^(.+?)\s+[–—-]\s+([A-ZÀ-Þ][A-ZÀ-Þ0-9]{1,11})$", title)
            if tail and not acronym and _spells(tail.group(2), tail.group(1)):
                title, acronym = tail.group(1), tail.group(2)  # '„Sprijin pentru integrarea ... – SIRT”'
        elif about and not any(line.heading for line in headline):
            title, title_lines = about
        elif self.quoted_name() is not None:
            quoted, title_lines, acronym = self.quoted_name()
            title = quoted  # 'le projet « AlcoTraité »', 'operação "Prolongamento ..."': the name the text quotes
        elif about and len(headline) == 1 and headline[0].number in about[1]:
            title, title_lines = about  # an 'About proGIreg' heading: the name, and the line under it its long form
            if subtitle_line is not None:
                subtitle = subtitle_line.text.rstrip(".")
                title_lines = title_lines + [subtitle_line.number]
        elif headline:
            text = " ".join(line.text for line in headline).rstrip(".")
            title_lines = [line.number for line in headline]
            parts = re.split(r"\s+[–—-]\s+|:\s+", text, maxsplit=1)
            head = parts[0]
            by_city = re.split(r"\s+[–—-]\s+", headline[0].text, maxsplit=1)
            if len(by_city) == 2 and city(by_city[0]) and len(by_city[1].split()) <= 8:
                title = by_city[1]  # 'Athens – Curing the Limbo': the city, then the project's name
                below = " ".join(line.text for line in headline[1:])
                if not below and subtitle_line is not None and 0 < subtitle_line.number - headline[-1].number <= 2:
                    below = subtitle_line.text
                    title_lines.append(subtitle_line.number)
                subtitle = below.rstrip(".") or None
            elif len(parts) == 2 and re.fullmatch(r"[A-ZÀ-Þ][A-ZÀ-Þ0-9]{1,11}", head) and _spells(head, parts[1]):
                title, acronym = parts[1], head  # 'CILIFO – Centro Ibérico para la Investigación y Lucha contra Incendios Forestales'
            elif len(parts) == 2 and len(head.split()) <= 3 and all(w[:1].isupper() or w[:1].isdigit() for w in head.split()):
                title, subtitle = head, parts[1]
            else:
                title = text
                if subtitle_line is not None and (len(text.split()) <= 3 or 0 < subtitle_line.number - headline[-1].number <= 2):
                    subtitle = subtitle_line.text.rstrip(".")
                    title_lines.append(subtitle_line.number)
                else:
                    name = self._name_token()
                    if name and words(name[0]) not in words(text):
                        title, subtitle = name[0], text
                        title_lines = name[1] + title_lines
        if title and not acronym:
            match = re.search(r"\b([A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*)\s*\(([^()]{5,80})\)", " ".join(l.text for l in self.doc.lines))
            if match and words(match.group(1)) in words(title).split() and words(match.group(2)) in words(title):
                acronym = match.group(1)
        if title and generic_heading(title):
            self.ask("title", "the only title candidate is a site section or generic page heading", [title], title_lines)
            title, subtitle, title_lines = None, None, []
        if not title:
            if not any(item["field"] == "title" for item in self.review):
                self.ask("title", "no title found; the file name stands in")
            title = Path(self.source_file).stem
        self.put("title", language_field.tagged(self, title), title_lines)
        if subtitle:
            self.put("subtitle", language_field.tagged(self, subtitle), title_lines)
        if acronym:
            self.put("acronym", acronym, title_lines)
        if "description" not in self.record:
            skip = set(title_lines) | ({subtitle_line.number} if subtitle_line is not None else set())
            paragraphs = self.description_paragraphs(skip)
            if paragraphs:
                self.put("description", "\n\n".join(p for p, _ in paragraphs), [n for _, ns in paragraphs for n in ns])
        if "objectives" not in self.record:
            self.read_objective_sentence(set(title_lines))
            stated = self.record.get("objectives") or [""]
            if self.record.get("description") == stated[0]:  # a paragraph that only states the objective is not a description
                del self.record["description"]
                self.provenance.pop("description", None)
        key = acronym or title
        slug = slugify(key.replace("@", " at ")) or "project"
        while len(slug) > 60 and "-" in slug:  # ids are at most 80 characters; keep whole words
            slug = slug.rsplit("-", 1)[0]
        self.record_id = slug

    def read_objective_sentence(self, skip: set[int]) -> None:
        """'Celem projektu jest …', 'Obiectivul general al proiectului îl reprezintă …': a free paragraph's first sentence
        that states the objective is the objective (a sheet without an objectives section)."""
        openers = [words(o) for o in load("labels.yaml")["objective_openers"]]
        for block in blocks(self.free):
            if block[0].bullet or any(line.number in skip for line in block):
                continue
            text = " ".join(line.text for line in block)
            if any(words(text).startswith(o + " ") for o in openers):
                first = re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ž])", text, maxsplit=1)[0]
                self.put("objectives", [first], [line.number for line in block])
                return

    def quoted_name(self) -> tuple[str, list[int], str | None] | None:
        """The first name quoted after a project word ('projektu „…”', 'le projet « … »', 'operação "…"'), its line and
        the acronym in brackets after it ('„Smart Control …” (SCORE)')."""
        stems = {words(w)[:5] for w in load("labels.yaml")["project_scope"] if len(words(w)) >= 5}
        for line in self.doc.lines:
            for match in _QUOTED.finditer(line.text):
                if fold(match.group(1)).lower()[:5] in stems and len(match.group(2).split()) <= 25:
                    short = re.match(r"\s*\(([A-Z][A-Za-z0-9&-]{1,11})\)", line.text[match.end():])
                    return match.group(2).strip(), [line.number], short.group(1) if short else None
        return None

    def _name_token(self) -> tuple[str, list[int]] | None:
        """A project name opening the objectives or description ('Cities@Heart proposes ...')."""
        for seg in self.of("objectives") + self.of("description"):
            for line in seg.body:
                match = re.match(r"^([A-Z][\w]*(?:[@&][\w]+|[a-z][A-Z][\w]*)+)\b", line.text)
                if match:
                    return match.group(1), [line.number]
                if line.text:
                    break
        return None


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


def _title_line(block: list[Line]) -> bool:
    """A block that can be a project's name: one line of 3 to 25 words, not a sentence, label, link or page date."""
    if len(block) != 1 or block[0].bullet:
        return False
    text = block[0].text
    return 3 <= len(text.split()) <= 25 and not text.endswith((".", ":")) and not LABELISH.match(text) \
        and not URL.search(text) and not page_meta(text) and not furniture(text)


def _name_over_tagline(block: list[Line]) -> bool:
    """'Playful Paradigm' over 'Il gioco per città inclusive / Games for inclusive cities': a short name and its tagline."""
    if len(block) != 2 or block[0].bullet or block[1].bullet:
        return False
    name, tagline = block[0].text, block[1].text
    return len(name.split()) <= 5 and not name.endswith((".", ":")) and 3 <= len(tagline.split()) <= 30 \
        and not tagline.endswith(".") and not LABELISH.match(tagline) and not URL.search(tagline) \
        and not looks_like_organisation(name) and not page_meta(tagline)


def _spells(short: str, name: str) -> bool:
    """An upper-case short name made of the starts of the name's words, in order ('CILIFO' from 'Centro Ibérico ...
    Investigación ... Lucha ... Incendios FOrestales', 'SIRT' from 'Sprijin ... Integrarea Resortisanților ... Terțe').

    The first word gives the first letter, a word gives one or two letters, words may be passed over.
    """
    letters = fold(short).lower()
    tokens = [fold(t).lower() for t in re.findall(r"[^\W\d_]+", name)]
    if len(tokens) < 2 or len(letters) < 2:
        return False

    @lru_cache(maxsize=None)
    def match(i: int, j: int) -> bool:
        if i == len(letters):
            return True
        if j == len(tokens):
            return False
        for take in (2, 1):
            if tokens[j][:take] == letters[i:i + take] and len(letters[i:i + take]) == take and match(i + take, j + 1):
                return True
        return j > 0 and match(i, j + 1)

    return match(0, 0)


_QUOTED = re.compile(r"(\w+)\s*[«„“\"]\s*([^«»„“”\"]{3,200}?)\s*[»”“\"]")


def _title_candidate(text: str, boiler: list[str]) -> bool:
    folded = words(text)
    if not folded or furniture(text) or looks_like_organisation(text) or len(text.split()) > 20 or generic_heading(text):
        return False
    return not any(folded == b or folded.startswith(b + " ") and len(folded.split()) <= len(b.split()) + 4 for b in boiler)


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
