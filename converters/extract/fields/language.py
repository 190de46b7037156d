"""The sheet's language, and the language of a short text such as a title.

The sheet's language is told by py3langid (langid.py's character n-gram model, limited to the
official EU languages): counting each language's small words, as before, took Slovak for
Portuguese and Slovenian for Romanian (their lists share the short words that diacritics folding
makes alike); the model names all 101 labelled sheets right, the word counts 98. A short text
is still told by its small words (labels.yaml ``stopwords``, one list per language in
labels/<lang>.yaml): a model of character sequences needs more text than a title. Either way an
inferred language is in the review list; a caller's ``--language`` is stated. A title in English words on a sheet in another language is a language
map (``{en: ...}``), and so are both halves of a bilingual 'A / B' title (``english_words``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from babel import Locale

from eulod.core.countries import EU_LANGUAGES

from ..data import load, words
from ..numbers import read_in
from ..sheet import Sheet


def read(sheet: Sheet) -> None:
    """The language the caller stated; else the one the page declares (``<html lang>``) when the
    model finds it too (stated: a declaration, checked, since templates declare a default language
    whatever a page holds); else the one the model tells (inferred)."""
    if sheet.stated_language:
        sheet.language, found = sheet.stated_language, "stated"
    else:
        sheet.language = _detect(sheet)
        declared = sheet.doc.declared_language
        found = "stated" if declared == sheet.language else "inferred"
        if declared in EU_LANGUAGES and declared not in sheet.language_candidates:
            sheet.language_candidates = [*sheet.language_candidates[:2], declared]
    sheet.provenance["language"] = {"file": sheet.source_file, "found": found}
    read_in(sheet.language)  # 'kr.' on a Danish page is DKK, 'kr' on a Swedish one SEK


SHORT = 60  # words: below this a sheet is told by its small words, as a short text is


def _detect(sheet: Sheet) -> str:
    """The sheet's language by the model (its three likeliest are the review's candidates), or by
    its small words when it is too short for the model; English when neither tells. Inferred, so
    always in review."""
    text = " ".join(line.text for line in sheet.doc.lines)
    tokens = words(text).split()
    if len(tokens) < SHORT:
        scores = _stopword_scores(tokens)
        ranked = sorted(scores, key=lambda k: -scores[k])
        sheet.language_candidates = [k for k in ranked[:3] if scores[k]] or ["en"]
        return ranked[0] if scores[ranked[0]] else "en"
    ranked = [language for language, _score in _identifier().rank(text)]
    sheet.language_candidates = ranked[:3]
    return ranked[0]


def _stopword_scores(tokens: list[str]) -> dict[str, int]:
    return {lang: sum(1 for t in tokens if t in set(stop)) for lang, stop in load("labels.yaml")["stopwords"].items()}


@lru_cache(maxsize=1)
def _identifier() -> Any:
    """py3langid's model, limited to the official EU languages (loaded once: about 0.1 s)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages(sorted(EU_LANGUAGES))
    return identifier


def text_language(sheet: Sheet, text: str) -> str | None:
    """The language whose small words a short text uses most (None when it uses none).

    One or two small words against the page's own language ('Sava bez granica – zajednička
    zaštita od poplava' has Polish 'od' and no Croatian one the list holds) are weak: the model,
    whose letters tell č and š apart from Polish, chooses between the two.
    """
    tokens = words(text).split()
    scores = _stopword_scores(tokens)
    best = max(scores.values())
    if not best:
        return None
    leaders = [lang for lang, score in scores.items() if score == best]
    if sheet.language in leaders:
        return sheet.language
    if best <= 2 and len(tokens) >= 4 and sheet.language in EU_LANGUAGES:
        order = [language for language, _score in _identifier().rank(text)]
        if order.index(sheet.language) < order.index(leaders[0]):
            return sheet.language
    return leaders[0]


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


def marked_language(sheet: Sheet, marker: str) -> str | None:
    """The language a word before a name in brackets says the name is in ('engl. Drava Green Link',
    'latviski – „…“', 'in English: …'): the page's own or another, by its name or a shortening of it
    to three letters or more that only one language's name starts with ('engl.', 'angl.')."""
    if names_own_language(sheet, marker):
        return sheet.language
    named = named_language(sheet, marker)
    if named:
        return named
    for token in words(marker).split():
        starting = {code for code, name in _language_names(sheet.language) if len(token) >= 3 and name.startswith(token)}
        if len(starting) == 1:
            return starting.pop()
    return None


def names_own_language(sheet: Sheet, label: str) -> bool:
    """A label that says its value is in the page's own language ('Tinklo pavadinimas lietuviškai', 'Titre en
    français'): the page's other name, its heading, is then in another language."""
    names = Locale.parse(sheet.language).languages
    own = words(names.get(sheet.language, "")).split()
    if not own:
        return False
    stem = min(len(own[0]), 4)  # 'suomi' declines as 'suomen-' ('Hankkeen suomenkielinen nimi'): four letters
    return any(len(token) >= min(len(own[0]), 4) and token[:stem] == own[0][:stem] for token in words(label).split())


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
