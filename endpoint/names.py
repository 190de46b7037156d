"""Comparing names as people write them: folding, generic words, similarity.

The reconciliation service (reconcile.py) compares the name in a sheet ("Comune di Cesena",
"CITY OF CESENA", "Municipiul Cluj-Napoca") with every name eulod knows of an organisation
or project, in every language. Both sides are *folded* (anyascii: accents and scripts to
ASCII, then case-folded, every run of other characters one space) and then reduced to their
*core*: the words left once the generic ones (name-words.yaml: "City of", "Comune di",
"Stadt", legal forms, articles) are removed. Two names are as similar as their cores are
(rapidfuzz's token-set ratio, which does not mind word order or an extra word), with the
folded full names as a tie-breaker, so "City of Cesena" is closer to "City of Cesena" than
to "Comune di Cesena" although both cores are "cesena".
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import yaml
from anyascii import anyascii
from rapidfuzz import fuzz

_OTHER = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """``text`` in lower-case ASCII words separated by single spaces ("Città di Malmö" -> "citta di malmo")."""
    return _OTHER.sub(" ", anyascii(text).casefold()).strip()


@lru_cache(maxsize=1)
def generic_phrases() -> tuple[tuple[str, ...], ...]:
    """Every generic phrase of name-words.yaml, folded and split into words, longest first."""
    data = yaml.safe_load(resources.files(__package__).joinpath("name-words.yaml").read_text("utf-8"))
    phrases = {fold(str(p)) for words in data["generic"].values() for p in words}
    phrases |= {fold(str(p)) for p in data["legal_forms"]} | {fold(str(p)) for p in data["articles"]}
    return tuple(sorted((tuple(p.split()) for p in phrases if p), key=lambda words: (-len(words), words)))


@lru_cache(maxsize=65536)
def core(text: str) -> str:
    """The words of ``text`` that name it: folded, generic phrases removed; the folded text if nothing is left."""
    words = fold(text).split()
    phrases = generic_phrases()
    kept: list[str] = []
    at = 0
    while at < len(words):
        for phrase in phrases:
            if tuple(words[at:at + len(phrase)]) == phrase:
                at += len(phrase)
                break
        else:
            kept.append(words[at])
            at += 1
    return " ".join(kept) or " ".join(words)


def similarity(asked: str, name: str) -> float:
    """How alike two names are, 0 to 1: mostly their cores, a little their full folded forms."""
    a_core, n_core = core(asked), core(name)
    if not a_core or not n_core:
        return 0.0
    core_score = max(fuzz.token_set_ratio(a_core, n_core), fuzz.ratio(a_core, n_core)) / 100
    if a_core != n_core and min(len(a_core.split()), len(n_core.split())) == 1 and len(a_core.split()) != len(n_core.split()):
        # token_set_ratio gives 100 when one core's only word is in the other ("krakow" in "krakow
        # metropolitan area"): half of what the longer core says is unaccounted for.
        core_score = min(core_score, 0.75 + 0.25 * fuzz.ratio(a_core, n_core) / 100)
    full_score = fuzz.token_sort_ratio(fold(asked), fold(name)) / 100
    return 0.9 * core_score + 0.1 * full_score
