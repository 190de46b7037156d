"""How a table was written, found from the table itself: delimiter, quoting, decimal marks.

The same export reaches users written in several ways: CORDIS publishes semicolon-separated
CSV with decimal commas in some vintages, a spreadsheet or pandas re-saves it with commas and
decimal points (or keeps decimal commas in quoted cells: ``"2835524,25"``), all cells quoted
or only those that need it. Nothing here assumes one way:

- the **delimiter** is the candidate that splits the header line into the most of the columns
  the reader expects (the header names are known, so this is decisive where a general sniffer
  guesses); :class:`csv.Sniffer` decides only when no candidate finds any expected column;
- the **quote character** is the one the header line starts with, else ``"``; the csv module
  reads minimal and full quoting alike;
- the **decimal mark** is decided per value where the value says it (``2835524,25``,
  ``1499998.0``, ``1.234.567,5``) and per column where it does not (``1,500`` or ``1.500``: three
  digits after one separator is a decimal part or a thousands group). Such a value is read by
  the mark the other values of its column show; a column that shows none, or both, leaves it
  ambiguous, and it is reported instead of guessed.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .cells import CellError

DELIMITERS = (";", ",", "\t", "|")
_SAMPLE = 64 * 1024

_NUMBER = re.compile(r"^[+-]?[0-9.,]*[0-9][0-9.,]*$")


@dataclass(frozen=True)
class Dialect:
    """What :func:`csv.reader` needs to read a file the way it was written."""

    delimiter: str
    quotechar: str = '"'


def _header_line(path: Path, encoding: str) -> str:
    """The file's first line (a header holds no newline in the exports eulod reads)."""
    with open(path, encoding=encoding, newline="") as handle:
        return handle.readline(_SAMPLE)


def detect_dialect(path: Path, expected: Iterable[str], encoding: str = "utf-8-sig") -> Dialect:
    """The delimiter and quote character that read ``path``'s header as the expected columns.

    Why the header: the reader knows the column names, and a header split by the right
    delimiter shows them, whereas the wrong one shows one long name (or a few broken ones).
    """
    line = _header_line(path, encoding)
    wanted = set(expected)
    quotechar = "'" if line.startswith("'") else '"'
    best, best_score = None, 0
    for delimiter in DELIMITERS:
        cells = next(csv.reader([line], delimiter=delimiter, quotechar=quotechar), [])
        score = len(wanted & {cell.strip() for cell in cells})
        if score > best_score:
            best, best_score = delimiter, score
    if best is not None:
        return Dialect(best, quotechar)
    try:
        with open(path, encoding=encoding, newline="") as handle:
            sniffed = csv.Sniffer().sniff(handle.read(_SAMPLE), delimiters="".join(DELIMITERS))
        return Dialect(sniffed.delimiter, sniffed.quotechar or '"')
    except csv.Error:
        return Dialect(DELIMITERS[0], quotechar)  # the CORDIS default; the caller reports the columns


def value_mark(text: str) -> str | None:
    """The decimal mark a number written as text shows by itself, or None when it does not say.

    ``2835524,25`` -> ``,``; ``1499998.0`` -> ``.``; ``1.234.567,5`` -> ``,`` (the other one
    groups); ``1,500`` and ``1500`` -> None (three digits after a lone separator: either).
    """
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if not _NUMBER.match(text):
        return None
    commas, points = text.count(","), text.count(".")
    if commas and points:
        return "," if text.rfind(",") > text.rfind(".") else "."
    if commas > 1:
        return "."  # 1,234,567: commas group, so a point would be the decimal mark
    if points > 1:
        return ","
    separator = "," if commas else "." if points else None
    if separator is None:
        return None
    digits_after = len(text) - text.rfind(separator) - 1
    return None if digits_after == 3 else separator


class DecimalMarks:
    """The decimal mark each amount column shows, gathered over all its values first."""

    def __init__(self, columns: Iterable[str]) -> None:
        self.columns = tuple(columns)
        self.seen: dict[str, set[str]] = defaultdict(set)

    def observe(self, row: dict[str, Any]) -> None:
        """Note the marks the row's amount cells show by themselves (typed numbers show none)."""
        for column in self.columns:
            value = row.get(column)
            if isinstance(value, str):
                mark = value_mark(value)
                if mark:
                    self.seen[column].add(mark)

    def column_mark(self, column: str) -> str | None:
        """The one mark the column's values show, or None (none shown, or both)."""
        marks = self.seen.get(column, set())
        return next(iter(marks)) if len(marks) == 1 else None

    def plain(self, column: str, value: Any) -> Any:
        """The cell as a number :func:`cells.amount` reads one way only (``1234.5``).

        A typed cell (XLSX, JSON number) is returned as it is. Raises CellError for a value
        that could be read two ways and that its column does not settle.
        """
        if not isinstance(value, str):
            return value
        text = value.strip().replace("\u00a0", "").replace(" ", "")
        if not _NUMBER.match(text):
            return value  # not a plain number: cells.amount says what is wrong with it
        mark = value_mark(text)
        if mark is None and ("," in text or "." in text):
            mark = self.column_mark(column)
            if mark is None:
                shown = self.seen.get(column, set())
                why = "the column shows both decimal commas and points" if shown else "no other value of the column shows its decimal mark"
                raise CellError(f"{value!r} could be read with a decimal {'comma' if ',' in text else 'point'} "
                                f"or a thousands separator, and {why}")
        if mark is None:
            return text
        group = "." if mark == "," else ","
        return text.replace(group, "").replace(mark, ".")
