"""Word lists are data: every entry of every YAML word list is text.

YAML 1.1 reads bare ``on``, ``no``, ``yes``, ``off`` as booleans and ``null``/``~`` as nothing, so an
Estonian or Finnish "on" (is), an English "on" or a Portuguese "no" (in the) once vanished from
the extractor's stopwords without a word. Every list in the repository's YAML data must hold
strings (or mappings of them), never a boolean or a null.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("converters", "endpoint", "eulod", "data/publisher")


def word_list_files() -> list[Path]:
    return sorted(p for folder in FOLDERS for p in (ROOT / folder).rglob("*.yaml")
                  if "node_modules" not in p.parts)


def not_text(node, path: str = "") -> list[str]:
    """Paths of list entries that YAML read as something other than text, a number or a mapping."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            found += not_text(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            if isinstance(item, bool) or item is None:
                found.append(f"{path}[{index}] = {item!r}")
            else:
                found += not_text(item, f"{path}[{index}]")
    return found


def test_there_are_word_lists_to_check():
    assert len(word_list_files()) >= 20


@pytest.mark.parametrize("path", word_list_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_list_entry_is_text(path: Path):
    for document in yaml.safe_load_all(path.read_text("utf-8")):
        assert not_text(document) == [], f"{path.relative_to(ROOT)}: quote these words"
