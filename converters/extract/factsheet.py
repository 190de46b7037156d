"""The fact-sheet extractor: one file in, one draft record (or reasons why not) out.

Rule-based on purpose: labels, month names, country names and organisation patterns are data
(labels.yaml, labels/<lang>.yaml, patterns.yaml, places.yaml, programmes.yaml, the EU country
table, CLDR month names), and the rules only say where facts sit in a page. A rule for one
field is one module of ``fields/``; ``steps.py`` runs them in order over a :class:`.sheet.Sheet`.
Every value keeps the lines it was read from (``provenance``) and how it was found; every
inferred value and every field with rival candidates is listed in ``review``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import parts, steps
from .sheet import Sheet
from .text import Document, UnreadableFile, read_document


@dataclass
class Draft:
    """What one fact sheet gave: a record (None when there is nothing to record) and why."""

    file: str
    record: dict[str, Any] | None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def source_name(path: Path) -> str:
    """The record's source.file: the fact sheet's folder and name (factsheets/000.txt)."""
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


def extract_document(document: Document, source_file: str, *, language: str | None = None, derive: bool = False) -> Draft:
    """Run the steps over a read document; a page with no project fact gives no record, and says so."""
    sheet = Sheet(document, source_file, language, derive)
    steps.run(sheet)
    sheet = _in_project_part(sheet, document, source_file, language, derive)
    record = sheet.record
    facts = [k for k in ("start_date", "programme", "budget", "objectives", "actions", "description", "identifiers") if k in record]
    if not facts and not sheet.participants:
        return Draft(source_file, None, ["no project facts found (no programme, dates, budget, partners, objectives or description): "
                                         "this does not look like a project fact sheet"], sheet.warnings)
    ordered: dict[str, Any] = {"id": sheet.record_id, "language": sheet.language, "source": {"file": source_file}}
    ordered.update({k: v for k, v in record.items()})
    if sheet.warnings:
        ordered["notes"] = "Draft extracted by eulod extract. " + " ".join(w.split(": ", 1)[-1] + "." for w in sheet.warnings)
    else:
        ordered["notes"] = "Draft extracted by eulod extract."
    if sheet.review:
        ordered["review"] = sheet.review
    ordered["provenance"] = sheet.provenance
    return Draft(source_file, ordered, [], sheet.warnings)


def _in_project_part(sheet: Sheet, document: Document, source_file: str, language: str | None, derive: bool) -> Sheet:
    """The draft read again from the part of the document about the project, when the document treats
    several items and the first draft's names lie in one of them (see :mod:`.parts`); else ``sheet``."""
    part = parts.project_part(document, sheet.record)
    if part is None:
        return sheet
    narrowed = Document(document.file, part.lines, list(document.warnings), document.declared_language, document.front_matter)
    again = Sheet(narrowed, source_file, language, derive)
    steps.run(again)
    if not again.record:
        return sheet
    first, last = part.lines[0].number, part.lines[-1].number
    again.warnings.append(f"{source_file}: the document treats several items under headings like {part.series!r}; "
                          f"only lines {first}-{last}, the part headed {part.heading!r} that names the project, were read")
    return again


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
