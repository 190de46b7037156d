"""The draft being filled from one fact sheet, shared by every field's reader.

A :class:`Sheet` holds what the readers of ``fields/`` work on and leave for each other: the
page's lines, its labelled segments and the free text no label claimed, the record, the
provenance of each value (its lines and whether it was stated or inferred), the review list,
and the participants found so far. A reader takes what it needs and writes its field with
:meth:`Sheet.put` or asks with :meth:`Sheet.ask`; lines a scalar label does not use go back
to the free text (:meth:`Sheet.release`) for the readers of prose that run after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .data import load
from .patterns import CAPITALS
from .places import Organisation
from .segments import Segment, blocks, segment
from .text import Document, Line
from .values import shown


@dataclass
class Participant:
    """A body the sheet names, its role, and its share of the budget (``_lines``: where the share is stated)."""

    role: str
    org: Organisation
    budget: dict[str, Any] = field(default_factory=dict)
    role_guessed: bool = False  # a role cell said something no role label names: the role is the default, asked


# A sentence ends at '.', '!' or '?' before a capital of the Latin, Greek or Cyrillic script (or an opening
# quote); not after a day's ordinal point ("am 1. Januar 2021"), which German and Polish dates carry, nor after
# a one-letter abbreviation or initial ('р. Дунав': the river Danube; 'J. Smith') unless a number comes before
# it ('31.12.2027 г.': the year's). Without the Greek and Cyrillic capitals a Bulgarian council's minutes were one
# sentence from its heading to its vote.
SENTENCE_END = re.compile(rf"(?<!\b\d\.)(?<!\b\d\d\.)(?<!(?<!\d\s)\b[^\W\d_]\.)(?<=[.!?])\s+(?=[{CAPITALS}„“\"])")


class Sheet:
    """State of one extraction: the record being filled, its provenance and review lists."""

    def __init__(self, document: Document, source_file: str, language: str | None, derive: bool) -> None:
        self.doc = document
        self.source_file = source_file
        self.derive = derive
        self.record: dict[str, Any] = {}
        self.provenance: dict[str, dict[str, Any]] = {}
        self.review: list[dict[str, Any]] = []
        self.warnings: list[str] = list(document.warnings)
        self.participants: list[Participant] = []
        self.currencies: list[str] = []
        self.declared_currency: str | None = None  # 'amounts in CZK': the currency of unmarked amounts
        self.acronym_table: dict[str, str] | None = None  # parties.acronyms, read once
        self.segments, free = segment(document.lines)
        self.free: list[Line] = free
        self.stated_language = language  # given by the caller; else fields/language.py tells it
        self.language = language or "en"
        self.language_candidates: list[str] = [self.language]
        self.record_id = "project"
        self.title_lines: list[int] = []  # the title's lines and its tagline's, which no description repeats
        self.subtitle_line: Line | None = None

    def put(self, path: str, value: Any, lines: list[int], derived: str | None = None, found: str | None = None) -> None:
        """Set a field, with where it was read and how (``found``: stated or inferred, see found.yaml)."""
        target = self.record
        keys = path.split(".")
        for key in keys[:-1]:
            target = target.setdefault(key, {})
        target[keys[-1]] = value
        entry: dict[str, Any] = {"file": self.source_file}
        if lines:
            entry["lines"] = sorted(set(lines))
        if derived:
            entry["derived"] = derived
        entry["found"] = found or ("inferred" if derived else self.found(path, lines))
        self.provenance[path] = entry

    def found(self, path: str, lines: list[int]) -> str:
        """``stated`` when the value's lines lie in a segment labelled for its field (or the field is a
        self-naming pattern), else ``inferred``."""
        table = load("found.yaml")
        if path in table["patterns"]:
            return "stated"
        kinds = set(table["stated_by"].get(path, []))
        labelled = {n for seg in self.segments if seg.kind in kinds for n in seg.lines} if lines else set()
        return "stated" if lines and set(lines) & labelled else "inferred"

    def infer(self, path: str, lines: list[int]) -> None:
        """Mark a part of a value (a result's type, a contact's office) as inferred, without setting it."""
        self.provenance[path] = {"file": self.source_file, "lines": lines, "found": "inferred"}

    def ask(self, path: str, reason: str, candidates: list[Any] | None = None, lines: list[int] | None = None) -> None:
        item: dict[str, Any] = {"field": path, "reason": reason}
        if candidates:
            item["candidates"] = [shown(c) for c in candidates]
        if lines:
            item["lines"] = sorted(set(lines))
        self.review.append(item)

    def of(self, kind: str) -> list[Segment]:
        return [s for s in self.segments if s.kind == kind]

    @staticmethod
    def first_block(segment: Segment) -> tuple[str, list[int], list[Line]]:
        """A segment's first block as one text with its lines, and the lines of the blocks after it."""
        found = blocks(segment.body)
        if not found:
            return "", [], []
        head = found[0]
        return " ".join(line.text for line in head), [line.number for line in head], [line for b in found[1:] for line in b]

    def release(self, lines: list[Line]) -> None:
        """Lines after a scalar value go back to the free text (with a separating blank)."""
        if lines:
            self.free.append(Line(lines[0].number, ""))
            previous = None
            for line in lines:
                if previous is not None and line.number > previous + 1:
                    self.free.append(Line(line.number, ""))
                self.free.append(line)
                previous = line.number
            self.free.append(Line(lines[-1].number, ""))

    def labelled_value(self, segment: Segment) -> tuple[str, list[int]]:
        """The value under a scalar label and its lines (the label's too); the rest goes back to the free text."""
        value, lines, rest = self.first_block(segment)
        self.release(rest)
        return value, segment.label_lines + lines

    def sentences(self) -> list[tuple[str, list[int]]]:
        """Sentences of the free paragraphs, with their lines."""
        out = []
        for block in blocks(self.free):
            text = " ".join(line.text for line in block)
            numbers = [line.number for line in block]
            for sentence in SENTENCE_END.split(text):
                out.append((sentence, numbers))
        return out

    def line_of(self, offset: int) -> int:
        """The line number of a character offset in the page's text (its lines joined by newlines)."""
        text = "\n".join(line.text for line in self.doc.lines)
        index = text.count("\n", 0, offset)
        return self.doc.lines[min(index, len(self.doc.lines) - 1)].number
