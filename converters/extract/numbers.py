"""Amounts and percentages as European fact sheets write them.

841.061,50 EUR, EUR 841,061.50, 841 061,50 EUR, € 899.973,58, 30.013.716 (no currency), 24,6
Mio. Euro. Amounts come back as exact decimal strings ("841061.50"), never floats.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Currency signs and names as fact sheets write them, by ISO 4217 code (the euro first).
CURRENCIES: dict[str, list[str]] = {
    "EUR": ["€", "EUR", "euro", "euros", "Euro", "Euros", "eur"],
    "PLN": ["zł", "zl", "PLN", "złotych", "zlotych", "złote", "złoty"],
    "RON": ["lei", "RON", "leu"],
    "CZK": ["Kč", "CZK", "korun"],
    "HUF": ["Ft", "HUF", "forint"],
    "BGN": ["лв", "BGN", "leva"],
    "GBP": ["£", "GBP"],
    "CHF": ["CHF"],
    "SEK": ["SEK"],
    "DKK": ["DKK"],
    "HRK": ["HRK", "kn", "kuna"],
}
_SIGN = {sign.lower(): code for code, signs in CURRENCIES.items() for sign in signs}
_CURRENCY = "(?:" + "|".join(
    re.escape(sign) + ("" if not sign[-1].isalnum() else r"(?!\w)")
    for sign in sorted({s for signs in CURRENCIES.values() for s in signs}, key=len, reverse=True)) + ")"
_MULTIPLIER = r"(?:mio\.?|mln\.?|million(?:s|e)?|milioni|millones|milhões|milhoes|milioane|miliony|milionów|mil\.|mn)"
_NUMBER = r"\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
AMOUNT = re.compile(
    rf"(?P<pre>{_CURRENCY}\s*)?(?P<num>{_NUMBER})(?:\s*(?P<mult>{_MULTIPLIER}))?(?:\s*(?:di|de|d')?\s*(?P<post>{_CURRENCY}))?",
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
        elif not currency and (need_currency or not re.search(r"\d[.,\s\u00a0]\d{3}", number)):
            continue
        if value < min_value:
            continue
        if re.fullmatch(r"(19|20)\d\d", number) and not currency:
            continue
        code = _SIGN.get(currency.strip().lower()) if currency else None
        found.append(Amount(_plain(value), code, match.start(), match.end(), match.group(0).strip()))
    return found


def find_percentages(text: str) -> list[float | int]:
    """'(80%)', '85 %', '12,5%' -> numbers as stated."""
    out: list[float | int] = []
    for number in PERCENT.findall(text):
        value = Decimal(number.replace(",", "."))
        out.append(int(value) if value == value.to_integral() else float(value))
    return out
