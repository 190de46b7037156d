"""Finding a name or a cue in a page's words despite case endings, accents and abbreviations.

Sheets decline names ('Consiliului Județean' for 'Consiliul Județean'), write cues with or
without accents ('dirigé par'), and shorten bodies to initials ('CJ Călărași'); the rules match
folded words (:func:`.data.words`) with these tests.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Any, Iterable

from .data import words
from .dates import fold
from .patterns import without_legal_form


def declined(text: str, name: str) -> bool:
    """The folded name occurs in the folded text with its words inflected ('consiliului judetean' for 'consiliul judetean').

    Each word of a name of two words or more must start the text's word at the same place, sharing
    all but at most its last three letters (Romanian, Polish, German case endings).
    """
    wanted, tokens = name.split(), text.split()
    if len(wanted) < 2:
        return False
    same = lambda a, b: a == b or (min(len(a), len(b)) >= 4 and len(os.path.commonprefix([a, b])) >= max(4, min(len(a), len(b)) - 3))  # noqa: E731
    return any(all(same(w, t) for w, t in zip(wanted, tokens[i:i + len(wanted)])) for i in range(len(tokens) - len(wanted) + 1))


def begins_words(text: str, entries: Iterable[str], whole_below: int = 0) -> bool:
    """Whether the words of one of ``entries`` (folded) begin consecutive words of ``text``, so declined and
    compound forms count ('secretariatului comun', 'Pressesprecher', 'Työn alkamispäivä'); an entry's word
    shorter than ``whole_below`` letters counts only as a whole word."""
    tokens = words(text).split()
    for entry in entries:
        parts = entry.split()
        for at in range(len(tokens) - len(parts) + 1):
            if all(token == part or (len(part) >= whole_below and token.startswith(part))
                   for token, part in zip(tokens[at:], parts)):
                return True
    return False


def abbreviates(token: str, name: str) -> bool:
    """'CJ Călărași' for 'Consiliul Județean Călărași': the initials of the name's first words, then its last words as written."""
    short, long = token.split(), name.split()
    if len(short) < 2 or not re.fullmatch(r"[A-ZÀ-Þ]{2,5}", short[0]) or len(long) <= len(short):
        return False
    tail = len(short) - 1
    if words(" ".join(short[1:])) != words(" ".join(long[-tail:])):
        return False
    head = [w for w in long[:-tail] if w[:1].isupper()]
    return "".join(w[0] for w in head).upper() == fold(short[0]).upper()


def with_bare_forms(names: Any) -> list[str]:
    """Names and the same names without a legal form after a comma ('Metropolitano de Lisboa, E.P.E.') or closing
    them ('Lapin ammattikorkeakoulu Oy')."""
    out = []
    for name in names:
        out.append(name)
        bare = without_legal_form(re.sub(r",\s*(?:[A-Za-z]{1,4}\.?\s?){1,4}$", "", name))
        if bare != name and len(bare.split()) >= 2:
            out.append(bare)
    return out


@lru_cache(maxsize=1)
def _letter_forms() -> dict[str, str]:
    """Every Latin, Greek and Cyrillic letter with its accented forms, upper and lower case: 'e' ->
    'eEèéêëēęěÈÉ...', 'ι' -> 'ιΙίϊΐΊΪ' (a Greek cue, 'εκ των οποίων', is folded like any other)."""
    forms: dict[str, str] = {}
    for code in [*range(0x41, 0x250), *range(0x370, 0x400), *range(0x400, 0x530), *range(0x1F00, 0x2000)]:
        char = chr(code)
        base = fold(char)
        if len(base) == 1 and base.isalpha():
            forms[base] = forms.get(base, "") + char
    return forms


def cue_regex(cue: str) -> str:
    """A folded cue ('dirige par', 'guidato da') as a case- and accent-tolerant regex over the raw text ('dirigé par')."""
    forms = _letter_forms()
    # between words, what folding made a space: spaces, or an abbreviation's point ('в т.ч.', 'z.B.', 'd.h.')
    return r"(?:\s+|\.\s*)".join(r"".join(f"[{re.escape(forms.get(c, c))}]" if c.isalpha() else re.escape(c) for c in token)
                       for token in cue.split())
