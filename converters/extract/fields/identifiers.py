"""Project identifiers: a grant agreement number, an Italian CUP or a programme's project code.

Labels are data (labels.yaml ``fields.grant_id``, ``project_code_labels``).
"""

from __future__ import annotations

import re

from ..data import best_label, load, words
from ..patterns import alternation, grant_number
from ..sheet import Sheet


def read(sheet: Sheet) -> None:
    found: list[dict[str, str]] = []
    where: list[int] = []
    unsure = False
    labels: set[str] = set()
    for seg in sheet.of("grant_id"):
        value, lines, rest = sheet.first_block(seg)
        sheet.release(rest)
        read_one = identifier(seg.label, value)
        if read_one and read_one[0] not in found and words(seg.label) in labels:
            # 'Código do projeto' again, with another code, under 'Projetos anteriores': another project of the page
            sheet.ask("identifiers", "the same label gives another identifier further down the page: another "
                                     "project's? left out", [f"{read_one[0]['scheme']}:{read_one[0]['value']}"],
                      seg.label_lines + lines)
            continue
        if read_one and read_one[0] not in found:
            found.append(read_one[0])
            labels.add(words(seg.label))
            unsure = unsure or not read_one[1]
            where.extend(seg.label_lines + lines)
    if found:
        sheet.put("identifiers", found, where, derived=_UNSURE if unsure else None)
        return
    labels = "|".join(re.escape(words(l)) for l in load("labels.yaml")["fields"]["grant_id"])
    for sentence, numbers in sheet.sentences():
        match = re.search(rf"\b({labels})\b\D{{0,12}}(\d{{5,10}})\b", words(sentence))
        if match:
            scheme, sure = _scheme(match.group(1), match.group(2))
            sheet.put("identifiers", [{"scheme": scheme, "value": match.group(2)}], numbers,
                      found="stated" if sure else None, derived=None if sure else _UNSURE)
            return


_UNSURE = "a number under a label that names neither a grant agreement nor a programme's code: which scheme it is, is a guess"


def labelled_identifier(label: str, value: str) -> dict[str, str] | None:
    """A labelled project identifier: a grant agreement number, an Italian CUP, or a project code."""
    found = identifier(label, value)
    return found[0] if found else None


def identifier(label: str, value: str) -> tuple[dict[str, str], bool] | None:
    """A labelled identifier and whether its scheme is sure: a grant agreement number, an Italian CUP, or a project code."""
    value = value.strip().rstrip(".")
    if re.search(r"\bkohesio\b", words(label)):  # 'Identificator Kohesio: Q8123456': the project's Kohesio item
        match = re.search(r"\bQ\d{3,12}\b", value)
        return ({"scheme": "kohesio", "value": match.group(0)}, True) if match else None
    if re.search(r"\bcup\b", words(label)):
        match = re.search(r"\b[A-Z0-9]{15}\b", value)
        return ({"scheme": "national-cup", "value": match.group(0)}, True) if match else None
    number = grant_number().fullmatch(value)
    if number:
        scheme, sure = _scheme(label, number.group(1))
        return {"scheme": scheme, "value": number.group(1)}, sure
    if re.search(r"\d", value) and re.search(r"[A-Za-z/.-]", value) and len(value) <= 40 and len(value.split()) <= 3:
        agreement = best_label(label, {"ga": load("labels.yaml")["grant_agreement_labels"]})[0] is not None
        return {"scheme": "eu-grant-agreement" if agreement else "project-code", "value": value}, True  # 'VN-2023-0158'
    match = re.search(r"\b\d{5,10}\b", value)
    if not match:
        return None
    scheme, sure = _scheme(label, match.group(0))
    return {"scheme": scheme, "value": match.group(0)}, sure


def _scheme(label: str, number: str) -> tuple[str, bool]:
    """A bare number's scheme and whether it is sure: a grant agreement's when the label names one, a project
    code when the label names a programme's own code; else by its shape (an EU grant agreement number's, or
    a project code, unsure)."""
    labels = load("labels.yaml")
    if best_label(label, {"ga": labels["grant_agreement_labels"]})[0]:
        return "eu-grant-agreement", True
    if best_label(label, {"code": labels["project_code_labels"]})[0]:
        return "project-code", True
    if re.fullmatch(alternation("eu_grant_number"), number):
        return "eu-grant-agreement", True
    return "project-code", False
