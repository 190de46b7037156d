"""The sheet's language, and the language of a short text such as a title.

Told by counting each language's small words (labels.yaml ``stopwords``, one list per language
in labels/<lang>.yaml), so an inferred language is always in the review list; a caller's
``--language`` is stated. A title in English words on a sheet in another language is a language
map (``{en: ...}``), and so are both halves of a bilingual 'A / B' title (``english_words``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from babel import Locale

from eulod.core.countries import EU_LANGUAGES

from ..data import load, words
from ..sheet import Sheet


def read(sheet: Sheet) -> None:
    """The language the caller stated, else the one the sheet's small words tell (inferred)."""
    sheet.language = sheet.stated_language or _detect(sheet)
    sheet.provenance["language"] = {"file": sheet.source_file, "found": "stated" if sheet.stated_language else "inferred"}


def _detect(sheet: Sheet) -> str:
    """The language whose small words the sheet uses most; told by counting, so always in review."""
    text = " ".join(line.text for line in sheet.doc.lines)
    tokens = words(text).split()
    scores = {lang: sum(1 for t in tokens if t in set(stop)) for lang, stop in load("labels.yaml")["stopwords"].items()}
    ranked = sorted(scores, key=lambda k: -scores[k])
    sheet.language_candidates = [k for k in ranked[:3] if scores[k]] or ["en"]
    return ranked[0] if scores[ranked[0]] else "en"


def text_language(sheet: Sheet, text: str) -> str | None:
    """The language whose small words a short text uses most (None when it uses none)."""
    tokens = words(text).split()
    scores = {lang: sum(1 for t in tokens if t in set(stop)) for lang, stop in load("labels.yaml")["stopwords"].items()}
    best = max(scores.values())
    leaders = [lang for lang, score in scores.items() if score == best]
    return (sheet.language if sheet.language in leaders else leaders[0]) if best else None


@lru_cache(maxsize=None)
def _language_names(language: str) -> tuple[tuple[str, str], ...]:
    """(code, folded name) of the official EU languages as the page's language names them (CLDR through Babel)."""
    names = Locale.parse(language).languages
    return tuple((code, words(names[code]).split()[0]) for code in EU_LANGUAGES if code != language and names.get(code))


def named_language(sheet: Sheet, label: str) -> str | None:
    """The language a label says its value is in ('Наименование на английски език', 'Hankkeen nimi englanniksi',
    'Titre en anglais'), when it is not the page's: a word of the label starting as the language's name does."""
    for token in words(label).split():
        for code, name in _language_names(sheet.language):
            stem = min(len(name), 5)
            if len(token) >= min(len(name), 4) and token[:stem] == name[:stem]:
                return code
    return None


def tagged(sheet: Sheet, text: str) -> Any:
    """A text in the record's language, {en: text} for an English name in another language, or both
    halves of a bilingual 'Il gioco per città inclusive / Games for inclusive cities' by their languages."""
    halves = [h.strip() for h in re.split(r"\s+/\s+", text)]
    if len(halves) == 2 and all(len(h.split()) >= 3 for h in halves):
        langs = [text_language(sheet, h) for h in halves]
        if None not in langs and langs[0] != langs[1]:
            return {langs[0]: halves[0], langs[1]: halves[1]}
    if sheet.language == "en":
        return text
    tokens = words(text).split()
    if len(tokens) < 2:
        return text
    labels = load("labels.yaml")
    english = sum(1 for t in tokens if t in set(labels["english_words"]))
    own = sum(1 for t in tokens if t in set(labels["stopwords"].get(sheet.language, [])))
    return {"en": text} if english >= max(1, own + 1) and english * 2 >= len(tokens) else text
