"""Dates at the precision the source gives, in every EU language.

"1st June 2023" -> 2023-06-01, "giugno 2023" / "February 2019" -> 2023-06 / 2019-02 (never a
made-up day), 01/06/2023 and 01.06.2023 -> day first, 2023-06-01 as is. Month names come from
the CLDR data shipped with Babel, so every EU language is covered without a hand-typed list.
Durations: "30 months", "24 mesi", "18 luni", "60 Monate", "33 miesiące".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml
from babel.dates import get_month_names

LANGUAGES = ("en", "it", "fr", "es", "de", "pt", "ro", "pl", "nl", "sv", "da", "fi", "cs", "sk", "sl",
             "hr", "hu", "lt", "lv", "et", "el", "bg", "mt", "ga", "ca")

@lru_cache(maxsize=1)
def _pattern_words() -> dict[str, list[str]]:
    """patterns.yaml, read here: data.py and patterns.py read this module, so it reads none of them."""
    return yaml.safe_load(resources.files(__package__).joinpath("patterns.yaml").read_text("utf-8"))


@lru_cache(maxsize=1)
def _duration() -> re.Pattern[str]:
    """A number of months ('36 months', '24 μήνες'): patterns.yaml ``duration_units``."""
    units = "|".join(_pattern_words()["duration_units"])
    return re.compile(rf"\b(\d{{1,3}})\s*(?:-\s*|de\s+)?(?:{units})(?!\w)", re.IGNORECASE)


_UNDECOMPOSED = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "ħ": "h", "þ": "th", "ð": "d"})


def fold(text: str) -> str:
    """Lower-case, accent-free: how labels and month names are compared (length may change)."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_UNDECOMPOSED))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


@lru_cache(maxsize=None)
def month_table(language: str) -> dict[str, int]:
    """Folded month name -> number, the document language first, then every other EU language."""
    table: dict[str, int] = {}
    for lang in (language, *LANGUAGES):
        try:
            for width in ("wide", "abbreviated"):
                for context in ("format", "stand-alone"):
                    for number, name in get_month_names(width, context=context, locale=lang).items():
                        key = fold(name).rstrip(".")
                        if len(key) >= 3:
                            table.setdefault(key, number)
        except (ValueError, LookupError):  # a locale Babel does not know
            continue
    for key, number in list(table.items()):  # stems, for names a case ending changes (see _patterns)
        stem = key[:-2] if len(key) >= 7 else key[:-1] if len(key) == 6 else None
        if stem is not None:
            table.setdefault(stem, number)
    return table


def _month_regex(language: str) -> str:
    names = sorted(month_table(language), key=len, reverse=True)
    return "|".join(re.escape(n) for n in names)


def _particles() -> list[str]:
    """patterns.yaml ``day_month_particles``."""
    return list(_pattern_words()["day_month_particles"])


@lru_cache(maxsize=None)
def _patterns(language: str) -> list[tuple[re.Pattern[str], str]]:
    months = _month_regex(language)
    day = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th|er|º|°|\.)?"
    between = "|".join(_particles())  # '1 de marzo', '1st of March', "1 ta' Marzu"
    return [
        (re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b"), "ymd"),
        (re.compile(r"\b(?P<d>[0-3]?\d)[/.\-](?P<m>[01]?\d)[/.\-](?P<y>(?:19|20)\d\d)\b"), "dmy"),
        # spaced, as Czech, Slovak, Slovenian and Croatian write it: '1. 9. 2024'; Hungarian year first: '2024. 09. 01.'
        (re.compile(r"\b(?P<d>[0-3]?\d)\.\s(?P<m>[01]?\d)\.\s(?P<y>(?:19|20)\d\d)\b"), "dmy"),
        (re.compile(r"\b(?P<y>(?:19|20)\d\d)\.\s?(?P<m>[01]\d)\.\s?(?P<d>[0-3]\d)\.?(?!\d)"), "ymd"),
        # a day, a month and a year: the month's name may carry a case ending ('1. juulist 2025', '31. detsembrini
        # 2027', '1. jūlijā', '1. julija 2025'), its stem then standing for it (month_table)
        (re.compile(rf"\b{day}\s+(?:(?:{between})\s*)?(?P<mn>{months})(?P<ending>[^\W\d_]{{0,5}})\.?,?\s+(?:de\s+|del\s+)?"
                    rf"(?P<y>(?:19|20)\d\d)\b"), "dMy"),
        (re.compile(rf"\b(?P<mn>{months})\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,\s*(?P<y>(?:19|20)\d\d)\b"), "Mdy"),
        (re.compile(rf"\b(?P<mn>{months})\.?,?\s+(?:de\s+|del\s+)?(?P<y>(?:19|20)\d\d)\b"), "My"),
        # year first, as Hungarian, Lithuanian and Latvian write it: '2021. március 1.', '2021 m. kovo 1 d.'
        (re.compile(rf"\b(?P<y>(?:19|20)\d\d)\.?\s+(?:m\.\s+|gada\s+)?(?P<mn>{months})\.?\s+(?P<d>[0-3]?\d)\b"), "yMd"),
        # Latvian: the year, 'gada', the day and the month in the genitive ('2024. gada 1. septembra')
        (re.compile(rf"\b(?P<y>(?:19|20)\d\d)\.?\s+gada\s+(?P<d>[0-3]?\d)\.\s+(?P<mn>{months})(?P<ending>[^\W\d_]{{0,5}})"),
         "ydM"),
        (re.compile(r"\b(?P<m>[01]?\d)[/.](?P<y>(?:19|20)\d\d)\b"), "my"),
    ]


@dataclass(frozen=True)
class FoundDate:
    date: PartialDate
    start: int
    end: int


CASE_STEM = 5  # the shortest month name or stem a case ending may follow


def find_dates(text: str, language: str = "en") -> list[FoundDate]:
    """Every date in a text, in order, at the precision written; overlapping readings dropped."""
    folded = fold(text)
    if len(folded) != len(text):  # folding changed offsets (rare ligatures): work on the folded text
        text = folded
    taken: list[FoundDate] = []
    table = month_table(language)
    for pattern, _kind in _patterns(language):
        for match in pattern.finditer(folded):
            if any(match.start() < f.end and f.start < match.end() for f in taken):
                continue
            parts = match.groupdict()
            if parts.get("ending") and len(parts["mn"]) < CASE_STEM:
                continue  # 'mar' + 'ket': an abbreviation takes no case ending
            month = int(parts["m"]) if parts.get("m") else table.get(parts["mn"].rstrip(".")) if parts.get("mn") else None
            day = int(parts["d"]) if parts.get("d") else None
            year = int(parts["y"])
            if month is None or not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
                continue
            taken.append(FoundDate(PartialDate(year, month, day), match.start(), match.end()))
    return sorted(taken, key=lambda f: f.start)


def parse_date(text: str, language: str = "en") -> PartialDate | None:
    found = find_dates(text, language)
    return found[0].date if found else None


def find_duration(text: str) -> int | None:
    match = _duration().search(text)
    return int(match.group(1)) if match else None


def months_between(start: PartialDate, end: PartialDate) -> int:
    """Inclusive month count, the way programmes count a project's months."""
    months = (end.year - start.year) * 12 + (end.month or 12) - (start.month or 1) + 1
    if start.day and end.day and end.day < start.day:
        months -= 1
    return months


def add_months(start: PartialDate, months: int) -> PartialDate:
    """The last month of a project of ``months`` months starting at ``start`` (month precision)."""
    index = start.year * 12 + (start.month or 1) - 1 + months - 1
    return PartialDate(index // 12, index % 12 + 1)
