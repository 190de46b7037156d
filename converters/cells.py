"""Reading spreadsheet cells the way EU exports write them, for the bulk importers.

Each parser returns the record's form of a value or raises :class:`CellError` with a
reason a person can act on; the importers turn that into a problem naming the file,
line and column, and go on with the next row.
"""

from __future__ import annotations

import csv
import re
import sys
from contextlib import contextmanager
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


_SNIFF_BYTES = 4096
_MARKUP = re.compile(rb"^\s*<(?:!doctype\s+html|html|head|body|\?xml|!--)", re.IGNORECASE)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def not_a_table(path: Path, encoding: str = "utf-8-sig") -> str | None:
    """Why a file meant to be a CSV table is not one (None when it may be): checked once per file.

    A failed download saved under a .csv name (Kohesio answers a time-out with an HTML
    "504 Gateway Time-out" page), an empty file or a binary one must be one clear error naming
    the file, not a "missing column" message repeated for every line of markup. Only the first
    few kilobytes are read.
    """
    with open(path, "rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if not head.strip():
        return "the file is empty (no header row)"
    if _MARKUP.match(head.removeprefix(b"\xef\xbb\xbf")):
        title = _TITLE.search(head)
        said = " ".join(title.group(1).decode("utf-8", "replace").split()) if title else ""
        return "not a table but an HTML page" + (f" ({printable_title(said)})" if said else "") + \
            " (a failed download saved as a file?)"
    if b"\0" in head:
        return "not a table but a binary file"
    try:
        head.decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not merely a character cut by the sniff's end
            return f"not {encoding.removesuffix('-sig').upper()} text ({exc.reason} at byte {exc.start})"
    return None


def printable_title(text: str) -> str:
    """A page title as a message may quote it: short, on one line."""
    return repr(text[:80])


def require_table(path: Path, encoding: str = "utf-8-sig") -> None:
    """Raise CellError naming the file when it is not a table at all (see not_a_table)."""
    reason = not_a_table(path, encoding)
    if reason:
        raise CellError(f"{path.name}: {reason}")


def csv_header(path: Path, delimiter: str = ";", encoding: str = "utf-8-sig") -> list[str]:
    """The column names of a CSV file's header row; CellError naming the file when there is none."""
    require_table(path, encoding)
    with open(path, newline="", encoding=encoding) as handle:
        try:
            return [name.strip() for name in next(csv.reader(handle, delimiter=delimiter))]
        except StopIteration:
            raise CellError(f"{path.name}: the file is empty (no header row)") from None


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
    with _worksheet(path, sheet) as worksheet:
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


def xlsx_header(path: Path, sheet: str | None = None, header_row: int = 1) -> list[str]:
    """The column names of an XLSX sheet's header row; CellError naming the file when there is none."""
    with _worksheet(path, sheet) as worksheet:
        for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
            if number == header_row:
                return [str(cell).strip() if cell is not None else "" for cell in row]
        raise CellError(f"{path.name}: the sheet has no header row (row {header_row})")


@contextmanager
def _worksheet(path: Path, sheet: str | None) -> Iterator[Any]:
    """The named sheet (else the first) of a workbook opened read-only; closed on leaving.

    openpyxl is imported here, not at the top: only XLSX inputs need it."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet and sheet not in workbook.sheetnames:
            names = ", ".join(map(repr, workbook.sheetnames))
            raise CellError(f"{path.name}: no sheet named {sheet!r} (the workbook has {names})")
        yield workbook[sheet] if sheet else workbook.worksheets[0]
    finally:
        workbook.close()


_DECIMAL_DEGREES = re.compile(r"^[+-]?\d{1,3}(\.\d+)?$")
_WKT_POINT = re.compile(r"^point\s*\(\s*(\S+)\s+(\S+)\s*\)$", re.IGNORECASE)


def coordinates(value: Any) -> dict[str, str]:
    """A point as {latitude, longitude} (WGS84 decimal degrees, as written) from 'lat,long' or WKT 'Point(long lat)'.

    Kohesio writes "49.2577886,4.031926" (latitude first); WKT puts the longitude first. A
    value out of range (|latitude| > 90, |longitude| > 180) is an error, not a guess at a swap.
    """
    text = str(value).strip()
    wkt = _WKT_POINT.match(text)
    if wkt:
        longitude, latitude = wkt.group(1), wkt.group(2)
    else:
        parts = [part.strip() for part in text.split(",")]
        if len(parts) != 2:
            raise CellError(f"{value!r} is not a point (latitude,longitude or Point(longitude latitude))")
        latitude, longitude = parts
    if not (_DECIMAL_DEGREES.match(latitude) and _DECIMAL_DEGREES.match(longitude)):
        raise CellError(f"{value!r} is not a point (latitude,longitude in decimal degrees)")
    if abs(Decimal(latitude)) > 90 or abs(Decimal(longitude)) > 180:
        raise CellError(f"{value!r} is not a point on Earth (latitude within ±90, longitude within ±180)")
    return {"latitude": format(Decimal(latitude), "f"), "longitude": format(Decimal(longitude), "f")}
