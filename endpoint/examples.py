"""The example queries the SPARQL editor offers, kept as data files in data/queries.

A file is an example when its first line is ``# Example: <title>``; the comment lines
after it say what the query answers. Other queries in that folder (the catalogue's, say)
are not offered.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

MARKER = "# Example:"


def parse(name: str, text: str) -> dict[str, Any] | None:
    lines = text.splitlines()
    if not lines or not lines[0].startswith(MARKER):
        return None
    description = []
    for line in lines[1:]:
        if not line.startswith("#"):
            break
        description.append(line.lstrip("#").strip())
    return {
        "name": name.removesuffix(".rq"),
        "title": lines[0][len(MARKER):].strip(),
        "description": " ".join(description),
        "query": text,
    }


def load() -> list[dict[str, Any]]:
    """Every example, sorted by file name."""
    folder = resources.files("eulod.data.queries")
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            example = parse(entry.name, entry.read_text("utf-8"))
            if example:
                found.append(example)
    return found
