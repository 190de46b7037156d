"""The project's status (planned, ongoing, closed): 'Status: abgeschlossen', or a short 'Network · Closed' line.

The words are data (labels.yaml ``status_values``).
"""

from __future__ import annotations

import re

from ..data import best_label, load, word_set, words
from ..sheet import Sheet


def read(sheet: Sheet) -> None:
    """'Status: abgeschlossen', or a short 'Action Planning Network · Closed' line."""
    values = load("labels.yaml")["status_values"]
    exact = lambda text: next((k for k, ws in values.items() if words(text) in {words(w) for w in ws}), None)  # noqa: E731
    for seg in sheet.of("status"):
        value, lines, rest = sheet.first_block(seg)
        sheet.release(rest)
        found = exact(value) or best_label(value, values)[0]
        if found:
            sheet.put("status", found, seg.label_lines + lines)
            return
        if value:
            sheet.ask("status", f"the stated status {value!r} is not planned, ongoing or closed", [value])
    for line in sheet.free:
        if line.text and len(line.text.split()) <= 8 and re.search(r"\s[·•|]\s", line.text):
            for part in re.split(r"\s+[·•|]\s+", line.text):
                found = exact(part)
                if found:
                    sheet.put("status", found, [line.number])
                    return
    _said(sheet, values)


SAYING_WORDS = 14  # a sentence longer than this says more than the project's state


def _said(sheet: Sheet, values: dict[str, list[str]]) -> None:
    """'Projekt byl úspěšně ukončen.': a short sentence naming the project and one status's words; inferred
    (a sentence may speak of a phase, or of the future), and asked when sentences disagree."""
    scope = word_set("labels.yaml", "project_scope")
    folded_values = {kind: [f" {words(p)} " for p in phrases] for kind, phrases in values.items()}  # once, not a sentence
    said: dict[str, list[int]] = {}
    for text, lines in sheet.sentences():
        folded = f" {words(text)} "
        if len(folded.split()) > SAYING_WORDS or not any(f" {w} " in folded for w in scope):
            continue
        kinds = {kind for kind, phrases in folded_values.items() if any(p in folded for p in phrases)}
        if len(kinds) == 1:
            said.setdefault(kinds.pop(), lines)
    if len(said) == 1:
        kind, lines = said.popitem()
        sheet.put("status", kind, lines, derived="a sentence about the project says it")
    elif said:
        sheet.ask("status", "sentences about the project give different statuses", sorted(said),
                  sorted({n for lines in said.values() for n in lines}))
