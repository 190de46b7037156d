"""The last step: every inferred value not yet in the review list goes there with its value and lines.

A draft may ask; it may not be confidently wrong (issue 16).
"""

from __future__ import annotations

from typing import Callable, NamedTuple

from ..data import contains, word_set, words
from ..sheet import Sheet
from ..values import value_at


def read(sheet: Sheet) -> None:
    """Every inferred value not yet in the review list goes there, with its value and source lines."""
    _other_documents(sheet)
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


class OtherDocument(NamedTuple):
    """A kind of page that states the facts of something beside the project, in the project's words."""

    markers: str  # the labels.yaml word list that tells it
    needed: int  # distinct markers a page needs to be taken for one
    states: Callable[[str], bool]  # which provenance paths it states for that other thing
    why: str


OTHER_DOCUMENTS = (
    # TED's structure: a contracting authority, CPV codes, the procurement directive, an award
    OtherDocument("procurement_markers", 3, lambda path: path not in ("language", "funds", "programme_reference"),
                  "a public procurement notice: its labels state the contract's title, contacts and values, which "
                  "need not be the project's"),
    # a post on the project: a vacancy, its salary and how to apply
    OtherDocument("vacancy_markers", 3,
                  lambda path: path.split("[")[0].split(".")[0] in {"contacts", "start_date", "end_date",
                                                                    "duration_months", "description"},
                  "a job advertisement: its contacts, dates and text are the job's (who to ask, when it starts), which "
                  "need not be the project's"),
)


def _other_documents(sheet: Sheet) -> None:
    """On a page of a kind in :data:`OTHER_DOCUMENTS`, what it states for the other thing is inferred (asked)."""
    text = words(" ".join(line.text for line in sheet.doc.lines[:400]))
    for kind in OTHER_DOCUMENTS:
        if sum(1 for marker in word_set("labels.yaml", kind.markers) if contains(text, marker)) < kind.needed:
            continue
        for path, entry in sheet.provenance.items():
            if entry.get("found") == "stated" and kind.states(path):
                entry["found"] = "inferred"
                entry["derived"] = kind.why
