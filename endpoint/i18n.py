"""The interface language and locale formatting of the pages for people.

The language comes from ``?lang=`` (a link on every page) or else from Accept-Language;
messages are small JSON catalogues in ``translations/``, one per language, and numbers,
money and dates are formatted by Babel with the CLDR data of that language. Country names
are not CLDR's but the EU authority table's (eulod.core.countries), as in the data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_currency, format_decimal, get_currency_name
from flask import request

LANGUAGES = ("en", "it")
DEFAULT = "en"


def language() -> str:
    """``?lang=`` when it names a supported language, else the best Accept-Language match."""
    wanted = request.args.get("lang", "").lower()
    if wanted in LANGUAGES:
        return wanted
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT) or DEFAULT


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str | dict[str, str]]:
    text = resources.files(__package__).joinpath(f"translations/{lang}.json").read_text("utf-8")
    return json.loads(text)


def in_language(texts: Mapping[str, str], lang: str, default: str = "") -> str:
    """Of one text in several languages (language tag -> text), the one to show a reader of ``lang``.

    The reader's language, else English (every eulod label and message has it), else the
    untagged text, else the first there is: a reader always sees something rather than nothing.
    """
    return texts.get(lang) or texts.get(DEFAULT) or texts.get("") or next(iter(texts.values()), default) or default


def translate(key: str, lang: str, **values: object) -> str:
    """The message ``key`` in ``lang`` (falling back to English, then to the key itself).

    A message with a count is a map from CLDR plural category to text ("one": "{n} project",
    "other": "{n} projects"): the category of ``n`` in ``lang`` chooses (Babel's plural rules),
    "other" when the catalogue lacks it."""
    found = catalogue(lang).get(key)
    if not found:
        lang, found = DEFAULT, catalogue(DEFAULT).get(key)
    text = found or key
    if isinstance(text, dict):
        try:
            count = abs(Decimal(str(values.get("n"))))
        except (InvalidOperation, ValueError):
            count = None
        text = text.get(Locale.parse(lang).plural_form(count) if count is not None else "other", text["other"])
    return text.format(**values) if values else text


def money(amount: str | Decimal | None, currency: str, lang: str) -> str:
    """841.061,50 € in Italian, €841,061.50 in English; the amount is never rounded."""
    if amount is None:
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    return format_currency(value, currency, locale=lang, decimal_quantization=False, format_type="standard")


def currency_name(code: str, lang: str) -> str | None:
    """A currency's name in ``lang`` (CLDR, as the amounts on the pages are formatted); None for
    a code CLDR does not know. eulod ships no currency authority table to name it instead."""
    name = get_currency_name(code, locale=lang)
    return name if name and name != code else None


def number(value: float | int | Decimal, lang: str) -> str:
    return format_decimal(value, locale=lang)


def percent(value: str | Decimal, lang: str) -> str:
    return f"{format_decimal(Decimal(str(value)), locale=lang)} %"


def date_text(value: str | None, lang: str) -> str:
    """A date at the precision the source stated: 1 June 2023, June 2023 or 2023."""
    if not value:
        return ""
    parts = value.split("-")
    try:
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 2:
            return format_skeleton("yMMMM", date(int(parts[0]), int(parts[1]), 1), locale=lang)
        return format_date(date.fromisoformat(value[:10]), format="long", locale=lang)
    except ValueError:
        return value
