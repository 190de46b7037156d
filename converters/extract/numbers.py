"""Amounts and percentages as European fact sheets write them.

841.061,50 EUR, EUR 841,061.50, 841 061,50 EUR, € 899.973,58, 30.013.716 (no currency), 24,6
Mio. Euro. Amounts come back as exact decimal strings ("841061.50"), never floats.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel.core import get_global
from babel.numbers import get_currency_symbol, get_territory_currencies

from .data import load
from .dates import fold

# Currency signs and names as fact sheets write them, by ISO 4217 code (the euro first).
CURRENCIES: dict[str, list[str]] = {
    # the euro's forms after a number in the EU languages ('480 000 eurot', '1.003.000,00 eura', '920 000 eiro')
    "EUR": ["€", "EUR", "euro", "euros", "Euro", "Euros", "eur", "eurot", "eura", "eurá", "eurų", "eurai", "eiro",
            "euró", "ευρώ", "евро", "evrov", "evra", "eurów", "ewro"],
    "PLN": ["zł", "zl", "PLN", "złotych", "zlotych", "złote", "złoty"],
    "RON": ["lei", "RON", "leu"],
    "CZK": ["Kč", "CZK", "korun"],
    "HUF": ["Ft", "HUF", "forint"],
    "BGN": ["лв", "BGN", "leva"],
    "GBP": ["£", "GBP"],
    "CHF": ["CHF"],
    "SEK": ["SEK", "kronor"],
    "DKK": ["DKK"],
    "HRK": ["HRK", "kn", "kuna"],
}
# Signs several currencies share: 'kr.' and 'kr' are the Danish and the Swedish krone alike. Which one an amount is
# in, the sheet's language tells (:func:`read_in`); without one it states no currency.
LOCAL_SIGNS = ("kr.", "kr")
_SIGN = {sign.lower(): code for code, signs in CURRENCIES.items() for sign in signs}
_CURRENCY = "(?:" + "|".join(
    re.escape(sign) + ("" if not sign[-1].isalnum() else r"(?!\w)")
    for sign in sorted({s for signs in CURRENCIES.values() for s in signs} | set(LOCAL_SIGNS), key=len, reverse=True)) + ")"
_LOCAL: ContextVar[dict[str, str]] = ContextVar("local_currency_signs", default={})


def local_signs(language: str) -> dict[str, str]:
    """The shared signs (:data:`LOCAL_SIGNS`) a language writes its country's currency with, by CLDR (through Babel):
    the country the language is most likely written in, its currency and that currency's sign in the language
    ('da' -> Denmark -> DKK, written 'kr.'; 'sv' -> SEK, 'kr'; 'fi' -> EUR, '€': none)."""
    likely = get_global("likely_subtags").get(language, "")
    territory = likely.split("_")[-1] if likely.count("_") == 2 else None
    currencies = get_territory_currencies(territory) if territory else []
    if not currencies:
        return {}
    code = currencies[0]
    sign = get_currency_symbol(code, locale=language).lower()
    return {local: code for local in LOCAL_SIGNS} if sign in LOCAL_SIGNS else {}


def read_in(language: str | None) -> None:
    """Read the shared signs of amounts found from now on (in this context) as ``language``'s country writes them."""
    _LOCAL.set(local_signs(language) if language else {})
MULTIPLIER = r"(?:mio\.?|mln\.?|million(?:s|e)?|milioni|millones|milhões|milhoes|milioane|miliony|milionów|mil\.|mn)"
_NUMBER = r"\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
AMOUNT = re.compile(
    rf"(?P<pre>{_CURRENCY}\s*)?(?P<num>{_NUMBER})(?:\s*(?P<mult>{MULTIPLIER}))?(?:\s*(?:di|de|d')?\s*(?P<post>{_CURRENCY}))?",
    re.IGNORECASE,
)
PERCENT = re.compile(r"(\d{1,3}(?:[.,]\d{1,2})?)\s*%")


@dataclass(frozen=True)
class Amount:
    value: str  # exact decimal string
    currency: str | None
    start: int
    end: int
    text: str


def parse_number(text: str) -> Decimal:
    """'841.061,50' / '841,061.50' / '841 061,50' / '30.013.716' -> Decimal."""
    digits = re.sub(r"[\s\u00a0\u202f]", "", text)
    dots, commas = digits.count("."), digits.count(",")
    if dots and commas:
        decimal_mark = "." if digits.rfind(".") > digits.rfind(",") else ","
    elif dots + commas == 1:
        mark = "." if dots else ","
        decimals = len(digits) - digits.rfind(mark) - 1
        decimal_mark = mark if decimals != 3 else ""
    else:
        decimal_mark = ""  # several marks of one kind: thousands separators only
    thousands = {".", ","} - {decimal_mark}
    for mark in thousands:
        digits = digits.replace(mark, "")
    if decimal_mark:
        digits = digits.replace(decimal_mark, ".")
    return Decimal(digits)


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text


def find_amounts(text: str, *, need_currency: bool = False, min_value: int = 100) -> list[Amount]:
    """Money amounts in a text; bare numbers count only when large and grouped (30.013.716)."""
    found = []
    for match in AMOUNT.finditer(text):
        number = match.group("num")
        currency = match.group("pre") or match.group("post")
        after = text[match.end(): match.end() + 2]
        if after.strip().startswith("%"):
            continue
        try:
            value = parse_number(number)
        except InvalidOperation:
            continue
        if match.group("mult"):
            value = (value * Decimal(1_000_000)).normalize()
            value = value.quantize(Decimal(1)) if value == value.to_integral() else value
        elif not currency and (need_currency or not re.search(r"\d[.,\s\u00a0]\d{3}", number)
                               or _measure().match(text, match.end())):
            continue
        if value < min_value:
            continue
        if re.fullmatch(r"(19|20)\d\d", number) and not currency:
            continue
        sign = currency.strip().lower() if currency else None
        code = (_SIGN.get(sign) or _LOCAL.get().get(sign)) if sign else None
        found.append(Amount(_plain(value), code, match.start(), match.end(), match.group(0).strip()))
    return found


@lru_cache(maxsize=1)
def _measure() -> re.Pattern[str]:
    """A unit of measure right after a number ('1 250 ha'): the number is a quantity (patterns.yaml ``measure_units``)."""
    units = "|".join(re.escape(unit) for unit in load("patterns.yaml")["measure_units"])
    return re.compile(rf"\s*(?:{units})(?!\w)")


_BARE = re.compile(r"^\s*(\d{3,}(?:[.,]\d{1,2})?)\s*$")


def bare_amount(text: str, min_value: int = 100) -> Amount | None:
    """A value that is one ungrouped number ('38412650,00'), as an export's money column writes it:
    an amount only where a money label stands over it (find_amounts takes no ungrouped bare number)."""
    match = _BARE.match(text)
    if not match or re.fullmatch(r"(19|20)\d\d", match.group(1)):
        return None
    try:
        value = parse_number(match.group(1))
    except InvalidOperation:
        return None
    if value < min_value:
        return None
    return Amount(_plain(value), None, match.start(1), match.end(1), match.group(1))


def declared_currency(text: str, phrases: list[str]) -> str | None:
    """The currency a sheet declares for its amounts ('amounts in CZK', 'částky v CZK'): one of ``phrases``
    (folded: lower case, no accents) followed by a currency's code or sign, read as written."""
    folded = fold(text)
    if len(folded) != len(text):  # a letter that folds to two: look in the folded text alone
        text = folded
    for phrase in sorted(phrases, key=len, reverse=True):
        for found in re.finditer(rf"(?<!\w){re.escape(phrase)}\s+", folded):
            currency = re.match(_CURRENCY, text[found.end():], re.IGNORECASE)
            if currency:
                return _SIGN.get(currency.group(0).strip().lower())
    return None


def find_percentages(text: str) -> list[float | int]:
    """'(80%)', '85 %', '12,5%' -> numbers as stated."""
    out: list[float | int] = []
    for number in PERCENT.findall(text):
        value = Decimal(number.replace(",", "."))
        out.append(int(value) if value == value.to_integral() else float(value))
    return out
