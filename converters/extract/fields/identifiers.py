"""Project identifiers: a grant agreement number, an Italian CUP or a programme's project code.

Labels are data (labels.yaml ``fields.grant_id``, ``project_code_labels``).
"""

from __future__ import annotations

import re

from ..data import best_label, load, words
from ..patterns import grant_number
from ..sheet import Sheet


def read(sheet: Sheet) -> None:
    found: list[dict[str, str]] = []
    where: list[int] = []
    for seg in sheet.of("grant_id"):
        value, lines, rest = sheet.first_block(seg)
        sheet.release(rest)
        identifier = labelled_identifier(seg.label, value)
        if identifier and identifier not in found:
            found.append(identifier)
            where.extend(seg.label_lines + lines)
    if found:
        sheet.put("identifiers", found, where)
        return
    labels = "|".join(re.escape(words(l)) for l in load("labels.yaml")["fields"]["grant_id"])
    for sentence, numbers in sheet.sentences():
        match = re.search(rf"\b(?:{labels})\b\D{{0,12}}(\d{{5,10}})\b", words(sentence))
        if match:
            sheet.put("identifiers", [{"scheme": "eu-grant-agreement", "value": match.group(1)}], numbers, found="stated")
            return


def labelled_identifier(label: str, value: str) -> dict[str, str] | None:
    """A labelled project identifier: a grant agreement number, an Italian CUP, or a project code."""
    value = value.strip().rstrip(".")
    if re.search(r"\bcup\b", words(label)):
        match = re.search(r"\b[A-Z0-9]{15}\b", value)
        return {"scheme": "national-cup", "value": match.group(0)} if match else None
    number = grant_number().fullmatch(value)
    code_label = best_label(label, {"code": load("labels.yaml")["project_code_labels"]})[0] is not None
    if number:  # a bare number is a grant agreement unless the label names a programme's own code (Cod SMIS)
        return {"scheme": "project-code" if code_label else "eu-grant-agreement", "value": number.group(1)}
    if re.search(r"\d", value) and re.search(r"[A-Za-z]", value) and len(value) <= 40 and len(value.split()) <= 3:
        return {"scheme": "project-code", "value": value}
    match = re.search(r"\b\d{5,10}\b", value)
    return {"scheme": "eu-grant-agreement", "value": match.group(0)} if match else None
