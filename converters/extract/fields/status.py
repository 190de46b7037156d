"""The project's status (planned, ongoing, closed): 'Status: abgeschlossen', or a short 'Network · Closed' line.

The words are data (labels.yaml ``status_values``).
"""

from __future__ import annotations

import re

from ..data import best_label, load, words
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
