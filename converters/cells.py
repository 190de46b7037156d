"""Reading spreadsheet cells the way EU exports write them, for the bulk importers.

Each parser returns the record's form of a value or raises :class:`CellError` with a
reason a person can act on; the importers turn that into a problem naming the file,
line and column, and go on with the next row.
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from eulod.core.countries import by_alpha2

from .records import RecordProblem
from .urls import web_address

# CORDIS objectives run to tens of thousands of characters; the csv default is 128 KiB.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_DMY_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")


class CellError(ValueError):
    """A cell that cannot be read as the value its column holds."""

@dataclass
class ImportItem:
    """One outcome of an import: a checked record, or a problem with the line it came from."""

    line: int
    record: dict[str, Any] | None = None
    problem: RecordProblem | None = None


class RowProblems:
    """Collects the problems of one row, named by file, line and column."""

    def __init__(self, file: str, line: int, unit: str = "line") -> None:
        self.file, self.line, self.unit = file, line, unit
        self.items: list[RecordProblem] = []

    def add(self, column: str, reason: str) -> None:
        self.items.append(RecordProblem(self.file, f"{self.unit} {self.line}", column, reason))

    def read(self, row: dict[str, Any], column: str, parse: Callable[[Any], Any]) -> Any:
        """The parsed cell, or None (and a problem) when it cannot be read; blank cells are None."""
        value = row.get(column)
        if blank(value):
            return None
        try:
            return parse(value)
        except CellError as exc:
            self.add(column, str(exc))
            return None



def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def without_markers(rows: Iterator[tuple[int, dict[str, Any]]], markers: Iterable[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rows with every cell that is one of ``markers`` ('N.a.', 'n/a', '-') made blank.

    Exports write "no value" in their own ways; a cell holding such a marker means a blank
    cell, not a date or an amount that cannot be read. Markers match the whole cell, spaces
    around it aside, and case as written (list 'N/A' and 'n/a' for both).
    """
    wanted = {marker.strip() for marker in markers}
    if not wanted:
        yield from rows
        return
    for line, row in rows:
        yield line, {k: None if isinstance(v, str) and v.strip() in wanted else v for k, v in row.items()}


def amount(value: Any) -> str:
    """A money amount as a plain decimal string: '1234,5' and '1.234,50' and '1,234.50' all work.

    Some CORDIS vintages write decimal commas; spreadsheets write either convention. The
    last separator is the decimal one when both appear; a lone comma is a decimal comma
    unless it groups exactly three digits more than once.
    """
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return format(Decimal(value), "f")
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace("€", "").replace("EUR", "")
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal_mark == "," else ",", "").replace(",", ".")
    elif text.count(",") > 1:
        text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(f"{value!r} is not an amount") from None
    if not number.is_finite():
        raise CellError(f"{value!r} is not an amount")
    return format(number, "f")


def rate(value: Any) -> float | int:
    """A percentage as the record keeps it (80 for 80 %); '80%', '0.8' (a share) and '80,5' work."""
    text = str(value).strip().rstrip("%").strip()
    number = Decimal(amount(text))
    if number <= 1 and "%" not in str(value) and isinstance(value, float | str) and "." in text:
        number *= 100  # spreadsheets often store 80 % as 0.8
    return int(number) if number == number.to_integral_value() else float(number)


def iso_date(value: Any) -> str:
    """A date as YYYY-MM-DD from ISO text (time part dropped), DD/MM/YYYY or an XLSX date cell."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    match = _ISO_DATE.match(text)
    if match:
        day = text[:10]
    else:
        match = _DMY_DATE.match(text)
        if not match:
            raise CellError(f"{value!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)")
        day = f"{match.group(3)}-{int(match.group(2)):02d}-{int(match.group(1)):02d}"
    try:
        date.fromisoformat(day)
    except ValueError:
        raise CellError(f"{value!r} is not a calendar date") from None
    return day


def country(value: Any, eu_codes: dict[str, str]) -> tuple[str, str | None]:
    """(ISO alpha-2 code, the cell as written when it had to be corrected): 'EL' -> ('GR', 'EL').

    The table is looked up upper-cased ('Greece' finds GREECE), but the stated form keeps the
    text as the source wrote it ('Greece'), since it records what the source said; a code that
    only differs in case ('it') needed no correction and states nothing.
    """
    written = " ".join(str(value).split())
    upper = written.upper()
    code = eu_codes.get(upper, upper)
    if len(code) != 2 or by_alpha2(code) is None:
        raise CellError(f"{value!r} is not a country code of the EU countries table")
    return code, (written if code != upper else None)


def url(value: Any) -> str | None:
    """A web address, with https:// added to a bare 'www.' one; anything that cannot be
    published as a link and an IRI (converters/urls.py: javascript:, quotes, spaces...) is dropped."""
    text = str(value).strip()
    if text.lower().startswith("www."):
        text = "https://" + text
    return web_address(text)


def csv_rows(path: Path, delimiter: str = ";", encoding: str = "utf-8-sig") -> Iterator[tuple[int, dict[str, str]]]:
    """(first line number, {column: cell}) for each data row; quoted cells may span lines.

    Raises CellError for a file without a header, and UnicodeDecodeError for a file in
    another encoding; a row with too few or too many cells is yielded with the cells it has
    and ``None`` for the missing ones, so the caller reports it and goes on.
    """
    with open(path, newline="", encoding=encoding) as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise CellError("the file is empty (no header row)") from None
        line = reader.line_num
        for cells in reader:
            first, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            row = dict(zip(header, cells))
            if len(cells) != len(header):
                row["\0cells"] = f"{len(cells)} cells where the header has {len(header)}"
            yield first, row


def xlsx_rows(path: Path, sheet: str | None = None, header_row: int = 1) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, {column: cell}) for each data row of an XLSX sheet, streamed (read-only mode)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet and sheet not in workbook.sheetnames:
            names = ", ".join(map(repr, workbook.sheetnames))
            raise CellError(f"{path.name}: no sheet named {sheet!r} (the workbook has {names})")
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        rows = worksheet.iter_rows(values_only=True)
        header: list[str] = []
        for number, cells in enumerate(rows, start=1):
            if number < header_row:
                continue
            if number == header_row:
                header = [str(cell).strip() if cell is not None else "" for cell in cells]
                continue
            if all(blank(cell) for cell in cells):
                continue
            yield number, dict(zip(header, cells))
    finally:
        workbook.close()
