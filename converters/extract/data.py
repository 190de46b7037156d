"""The extractor's data files (labels.yaml, labels/<lang>.yaml, places.yaml), loaded once and folded for matching.

``labels.yaml`` holds the label words of the languages the first sheets were in, key by key;
``labels/<lang>.yaml`` holds one language's words under the same keys (a language is added by
adding its file). :func:`load` gives rules one merged table, so a rule never asks which file
a word came from.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from .dates import fold


@lru_cache(maxsize=None)
def load(name: str) -> dict[str, Any]:
    table = yaml.safe_load(resources.files(__package__).joinpath(name).read_text("utf-8"))
    if name == "labels.yaml":
        for lang, extra in language_files().items():
            _merge(table, extra, lang)
    return table


@lru_cache(maxsize=None)
def language_files() -> dict[str, dict[str, Any]]:
    """labels/<lang>.yaml by language code."""
    folder = resources.files(__package__).joinpath("labels")
    return {entry.name.removesuffix(".yaml"): yaml.safe_load(entry.read_text("utf-8")) or {}
            for entry in sorted(folder.iterdir(), key=lambda e: e.name) if entry.name.endswith(".yaml")}


def _merge(table: dict[str, Any], extra: dict[str, Any], lang: str) -> None:
    """One language's words into the shared table: lists are extended, tables key by key; a language's
    ``stopwords`` list becomes ``stopwords[lang]``."""
    for key, value in extra.items():
        if key == "stopwords":
            table.setdefault("stopwords", {}).setdefault(lang, [])
            table["stopwords"][lang] = list(dict.fromkeys(table["stopwords"][lang] + list(value)))
        elif isinstance(value, dict):
            target = table.setdefault(key, {})
            for sub, items in value.items():
                target[sub] = list(dict.fromkeys((target.get(sub) or []) + list(items or [])))
        else:
            table[key] = list(dict.fromkeys((table.get(key) or []) + list(value or [])))


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


@lru_cache(maxsize=1)
def small_words() -> frozenset[str]:
    """Every language's small words (labels.yaml ``stopwords``) and the project's own words (``project_scope``):
    what a label or a cue may carry beside its own words ('Referente del progetto', '... leder projektet och')."""
    labels = load("labels.yaml")
    return frozenset({w for stop in labels["stopwords"].values() for w in stop} | word_set("labels.yaml", "project_scope"))


def contains(haystack: str, needle: str) -> bool:
    """Whole-word containment on folded text."""
    return f" {needle} " in f" {haystack} "


def best_label(text: str, table: dict[str, list[str]]) -> tuple[str | None, int]:
    """The key whose longest label occurs in ``text`` (whole words), with that label's length."""
    padded = f" {words(text)} "
    for key, label in _longest_first(table):
        if label in padded:
            return key, len(label) - 2
    return None, 0


_FOLDED: dict[tuple[tuple[str, int], ...], tuple[list[tuple[str, str]], list[Any]]] = {}


def _longest_first(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(key, ' folded label ') pairs of a label table, longest label first (ties in table order), made once per table.

    Tables are the lists of the cached data files, so their identity names them; the lists are kept
    with the entry so an identity is never reused while it is cached."""
    ident = tuple((key, id(labels)) for key, labels in table.items())
    found = _FOLDED.get(ident)
    if found is None:
        pairs = [(key, f" {words(label)} ") for key, labels in table.items() for label in labels if words(label)]
        order = sorted(range(len(pairs)), key=lambda i: -len(pairs[i][1]))
        found = ([pairs[i] for i in order], list(table.values()))
        _FOLDED[ident] = found
    return found[0]
