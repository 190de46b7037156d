"""The extractor's data files (labels.yaml, places.yaml), loaded once and folded for matching."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from .dates import fold


@lru_cache(maxsize=None)
def load(name: str) -> dict[str, Any]:
    return yaml.safe_load(resources.files(__package__).joinpath(name).read_text("utf-8"))


@lru_cache(maxsize=1 << 16)
def words(text: str) -> str:
    """Folded text with punctuation as single spaces: 'EU-Förderung:' -> 'eu forderung'.

    Cached: the label tables are folded again on every line a rule asks about (best_label), which
    was nine tenths of an extraction's time."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())


@lru_cache(maxsize=None)
def word_set(name: str, key: str) -> frozenset[str]:
    """A list of a data file (``load(name)[key]``) as folded words (:func:`words`), for membership tests.

    Rules ask "is this one of the project-scope words" on every line; the set is made once.
    """
    return frozenset(words(entry) for entry in load(name)[key])


def contains(haystack: str, needle: str) -> bool:
    """Whole-word containment on folded text."""
    return f" {needle} " in f" {haystack} "


def best_label(text: str, table: dict[str, list[str]]) -> tuple[str | None, int]:
    """The key whose longest label occurs in ``text`` (whole words), with that label's length."""
    folded = words(text)
    best, length = None, 0
    for key, labels in table.items():
        for label in labels:
            label = words(label)
            if label and len(label) > length and contains(folded, label):
                best, length = key, len(label)
    return best, length
