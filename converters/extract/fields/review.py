"""The last step: every inferred value not yet in the review list goes there with its value and lines.

A draft may ask; it may not be confidently wrong (issue 16).
"""

from __future__ import annotations

from ..data import contains, word_set, words
from ..sheet import Sheet
from ..values import value_at


def read(sheet: Sheet) -> None:
    """Every inferred value not yet in the review list goes there, with its value and source lines."""
    if procurement_notice(sheet):
        for path, entry in sheet.provenance.items():
            if entry.get("found") == "stated" and path not in ("language", "funds", "programme_reference"):
                entry["found"] = "inferred"
                entry["derived"] = ("a public procurement notice: its labels state the contract's title, contacts and "
                                    "values, which need not be the project's")
    if job_advert(sheet):
        for path, entry in sheet.provenance.items():
            if entry.get("found") == "stated" and path.split("[")[0].split(".")[0] in JOB_FIELDS:
                entry["found"] = "inferred"
                entry["derived"] = ("a job advertisement: its contacts, dates and text are the job's (who to ask, when it "
                                    "starts), which need not be the project's")
    asked = {item["field"] for item in sheet.review}
    for path, entry in sheet.provenance.items():
        if entry.get("found") != "inferred" or path in asked:
            continue
        value = value_at(sheet.record, path) if path != "language" else None
        if path == "language":
            why = ("the language the text reads as; the page declares "
                   f"{sheet.doc.declared_language!r}" if sheet.doc.declared_language else "the language the text reads as")
            sheet.ask(path, f"inferred ({why}): check it", sheet.language_candidates)
            continue
        how = entry.get("derived") or ("the type a word of the name suggests" if path.endswith(".organisation.type")
                                       else "read from the page's layout or prose, not from a label naming the field")
        sheet.ask(path, f"inferred ({how}): check it", [value] if value is not None else None, entry.get("lines"))


PROCUREMENT_MARKERS = 3  # distinct markers a page needs to be taken for a procurement notice
VACANCY_MARKERS = 3  # distinct markers a page needs to be taken for a job advertisement
JOB_FIELDS = frozenset({"contacts", "start_date", "end_date", "duration_months", "description"})


def procurement_notice(sheet: Sheet) -> bool:
    """Whether the page is a public procurement notice (TED's structure: a contracting authority, CPV
    codes, the procurement directive, an award): words in labels.yaml ``procurement_markers``."""
    text = words(" ".join(line.text for line in sheet.doc.lines[:400]))
    return sum(1 for marker in word_set("labels.yaml", "procurement_markers") if contains(text, marker)) >= PROCUREMENT_MARKERS


def job_advert(sheet: Sheet) -> bool:
    """Whether the page advertises a job on the project (a vacancy, its salary and how to apply): words
    in labels.yaml ``vacancy_markers``."""
    text = words(" ".join(line.text for line in sheet.doc.lines[:400]))
    return sum(1 for marker in word_set("labels.yaml", "vacancy_markers") if contains(text, marker)) >= VACANCY_MARKERS
