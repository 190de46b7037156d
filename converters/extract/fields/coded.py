"""Fields of intervention (the Common Provisions Regulation's categories, 001-182): 'Field of
intervention: 121 Infrastructure for early childhood education and care'.

A value under the label that starts with a category's code gives ``{code, label}``; one that
does not is not a field of intervention and goes back to the free text. The labels are data
(labels.yaml ``intervention_field``).
"""

from __future__ import annotations

import re

from ..sheet import Sheet

_CODED = re.compile(r"^(?P<code>\d{2,3})(?![\d.,])\s*[-–—:.)]?\s*(?P<label>.*)$")


def read(sheet: Sheet) -> None:
    """Each labelled value starting with a code, in the page's order, once per code."""
    found: list[dict[str, str]] = []
    lines: list[int] = []
    for seg in sheet.of("intervention_field"):
        value, value_lines, rest = sheet.first_block(seg)
        sheet.release(rest)
        before = len(found)
        for part in re.split(r"\s*;\s*", value):
            match = _CODED.match(part.strip())
            if not match or any(f["code"] == match.group("code").zfill(3) for f in found):
                continue
            entry = {"code": match.group("code").zfill(3)}
            if match.group("label").strip():
                entry["label"] = match.group("label").strip()
            found.append(entry)
        if len(found) > before:
            lines += seg.label_lines + value_lines
    if found:
        sheet.put("intervention_fields", found, lines)
