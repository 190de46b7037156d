"""CORDIS open-data exports (project + organization tables) -> eulod records.

CORDIS publishes each export as CSV (semicolon-separated, quoted cells that may hold
newlines, decimal commas in some vintages), XLSX and JSON (arrays of objects with the same
keys). Users also get them re-saved by a spreadsheet or pandas: comma-separated, quoted
minimally or fully, decimal points or commas. ``read_cordis`` takes any of these, each file
recognised by its suffix or, failing that, its first bytes; a CSV file's delimiter is found
from its header and each amount's decimal mark from the value or its column
(converters/sniff.py), never assumed.

Participations live in their own file, joined to projects by ``projectID``. To keep memory
flat whatever the size, the participations are first put in a temporary SQLite table indexed
by project (on disk), then the projects are streamed and each one picks up its rows. Every bad
row is reported with its file and line (CSV), row (XLSX) or record (JSON); the good rows go on.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml

from eulod.core.clock import build_time

from . import cells
from .cells import ImportItem, RowProblems
from .organisations import municipality_city, organisation_id
from .records import RecordProblem, check_record
from .sniff import DecimalMarks, detect_dialect

log = logging.getLogger(__name__)

PROJECT_COLUMNS = ("id", "acronym", "title", "startDate", "endDate", "totalCost", "ecMaxContribution", "frameworkProgramme")
ORGANISATION_COLUMNS = ("projectID", "name", "role", "country")
PROJECT_AMOUNTS = ("totalCost", "ecMaxContribution")
ORGANISATION_AMOUNTS = ("ecContribution", "netEcContribution", "totalCost")
PIC_ID = "pic-{pic}"

_XLSX_SUFFIXES = (".xlsx", ".xlsm")
_ZIP_MAGIC = b"PK\x03\x04"
_JSON_CHUNK = 1 << 20


@lru_cache(maxsize=1)
def tables() -> dict[str, dict[str, Any]]:
    """The CORDIS code tables (converters/mappings/cordis.yaml)."""
    text = resources.files("eulod.converters").joinpath("mappings/cordis.yaml").read_text("utf-8")
    return yaml.safe_load(text)


# --- reading the tables, whatever their format ----------------------------------------------


def _plain(value: Any) -> Any:
    """A cell as the importer reads it: text, or a typed number or date left typed.

    XLSX and JSON give numbers, booleans and dates as such: a whole number becomes its digits
    (an id 101116741.0 is "101116741"), a fraction stays a number so that no decimal mark has to
    be guessed, a boolean is written as CORDIS's CSV writes it.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        value = Decimal(repr(value))  # the shortest decimal that is this float, as a spreadsheet shows it
    if isinstance(value, Decimal):
        return str(int(value)) if value.is_finite() and value == value.to_integral_value() else value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def _text(row: dict[str, Any], column: str) -> str:
    """A cell as stripped text ('' for a blank or missing one)."""
    value = row.get(column)
    if value is None:
        return ""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value).strip()


def _json_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(record number, object) for each element of a JSON array, read a chunk at a time.

    CORDIS's project.json holds every project of a programme (hundreds of megabytes); the
    array is decoded one element at a time so that memory holds one chunk, not the whole file.
    """
    decoder = json.JSONDecoder(parse_float=Decimal)
    with open(path, encoding="utf-8-sig") as handle:
        buffer, position, number, finished = "", 0, 0, False

        def more() -> bool:
            nonlocal buffer, position, finished
            chunk = handle.read(_JSON_CHUNK)
            buffer, position = buffer[position:] + chunk, 0
            finished = not chunk
            return bool(chunk)

        def skip_space() -> None:
            nonlocal position
            while True:
                while position < len(buffer) and buffer[position] in " \t\r\n":
                    position += 1
                if position < len(buffer) or not more():
                    return

        skip_space()
        if position >= len(buffer) or buffer[position] != "[":
            raise cells.CellError(f"{path.name}: not a CORDIS JSON export (an array of objects)")
        position += 1
        expect_comma = False
        while True:
            skip_space()
            if position >= len(buffer):
                raise cells.CellError(f"{path.name}: the JSON array is cut short after record {number}")
            if buffer[position] == "]":
                return
            if expect_comma:
                if buffer[position] != ",":
                    raise cells.CellError(f"{path.name}: not valid JSON after record {number} (a ',' or ']' is missing)")
                position += 1
                skip_space()
            while True:
                try:
                    value, end = decoder.raw_decode(buffer, position)
                    break
                except json.JSONDecodeError as exc:
                    if finished or not more():
                        raise cells.CellError(f"{path.name}: not valid JSON in record {number + 1}: {exc.msg}") from None
            position, number, expect_comma = end, number + 1, True
            if isinstance(value, dict):
                yield number, {str(k): _plain(v) for k, v in value.items()}
            else:
                yield number, {"\0cells": f"a {type(value).__name__}, where a project or organisation object was expected"}


def _is_workbook(path: Path) -> bool:
    """Whether a ZIP file under another name (a download's .csv, .dat) is an XLSX workbook."""
    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _xlsx_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The first sheet's rows; the workbook is opened as a file, so any file name will do
    (openpyxl refuses a path whose suffix is not a spreadsheet's, such as a download's .dat).
    A file openpyxl cannot read is one error naming that file."""
    with open(path, "rb") as handle:
        try:
            yield from cells.xlsx_rows(handle)  # type: ignore[arg-type]  # a file object is what openpyxl opens
        except cells.CellError:
            raise
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise cells.CellError(f"{path.name}: not a readable XLSX workbook ({exc})") from None


@dataclass(frozen=True)
class Table:
    """One CORDIS file and how to read it; ``rows()`` may be called more than once."""

    path: Path
    kind: str  # csv, xlsx or json
    delimiter: str = ";"

    @property
    def unit(self) -> str:
        """How a problem names a place in the file: line (CSV), row (XLSX) or record (JSON)."""
        return {"csv": "line", "xlsx": "row", "json": "record"}[self.kind]

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        if self.kind == "xlsx":
            return ((n, {k: _plain(v) for k, v in row.items()}) for n, row in _xlsx_rows(self.path))
        if self.kind == "json":
            return _json_rows(self.path)
        return cells.csv_rows(self.path, self.delimiter)


def open_table(path: Path, expected: tuple[str, ...]) -> Table:
    """The table in ``path``: XLSX or JSON by suffix or first bytes, else CSV with its delimiter found."""
    suffix = path.suffix.lower()
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if suffix in _XLSX_SUFFIXES or (head.startswith(_ZIP_MAGIC) and _is_workbook(path)):
        return Table(path, "xlsx")
    if suffix == ".json" or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
        return Table(path, "json")
    cells.require_table(path)  # an HTML error page, an empty or a binary file: one error naming it
    dialect = detect_dialect(path, expected)
    log.debug("%s: CSV delimited by %r", path.name, dialect.delimiter)
    return Table(path, "csv", dialect.delimiter)


def _require_columns(rows: Iterator[tuple[int, dict]], wanted: tuple[str, ...], file: str) -> Iterator[tuple[int, dict]]:
    first = next(rows, None)
    if first is None:
        return
    missing = [c for c in wanted if c not in first[1]]
    if missing and "\0cells" not in first[1]:
        raise cells.CellError(f"{file}: not a CORDIS export: missing column(s) {', '.join(missing)}")
    yield first
    yield from rows


def _marks(table: Table, columns: tuple[str, ...]) -> DecimalMarks:
    """The decimal mark each amount column of the table shows (a first pass over its rows)."""
    marks = DecimalMarks(columns)
    for _, row in table.rows():
        marks.observe(row)
    return marks


# --- one row -> part of a record ------------------------------------------------------------


def _cost(total: str | None, *contributions: str | None) -> str | None:
    """A total cost as stated, except a 0 beside a positive EU contribution of the same row.

    A stated 0 is an amount (an associated partner's share, a beneficiary that passes all of
    its grant on); an empty cell is none. But CORDIS also writes a total cost of 0 where it
    reports no costs at all (most Horizon Europe coordination and support actions, whose
    ecMaxContribution is stated; linked third parties, whose costs are in their beneficiary's),
    and a cost below the EU contribution it funds is not a cost: that 0 is left out
    (docs/mapping.md, "Zero amounts").
    """
    if total is not None and Decimal(total) == 0 and any(c is not None and Decimal(c) > 0 for c in contributions):
        return None
    return total


def _amount(row: dict[str, Any], column: str, marks: DecimalMarks, problems: RowProblems) -> str | None:
    """The cell of an amount column as a plain decimal string, its decimal mark found (sniff.py)."""
    return problems.read(row, column, lambda value: cells.amount(marks.plain(column, value)))


def reference_day() -> str:
    """The day a project's activity is judged on: today (UTC), or SOURCE_DATE_EPOCH's day when set,
    as the build reads it (eulod.core.clock), so an import is reproducible like a build."""
    return build_time().date().isoformat()


def activity(start: str | None, end: str | None, ended: bool, today: str) -> str | None:
    """Where a project stands on ``today`` by its dates (planned, ongoing, closed), else None.

    ``ended``: the source says the grant is closed or terminated, which ends the project
    whatever its end date. Dates are ISO YYYY-MM-DD, so they compare as text.
    """
    if ended:
        return "closed"
    if start and start > today:
        return "planned"
    if end and end < today:
        return "closed"
    return "ongoing" if start else None


def _organisation_id(pic: str, name: str, kind: str | None, city: str | None) -> str:
    """``pic-<PIC>`` for an organisation CORDIS identifies, so every row naming it is one IRI.

    A municipality keeps ``<city>-municipality``, the id the fact sheets (which carry no PIC)
    give it; an organisation without a PIC keeps the slug of its name.
    """
    if pic and kind != "municipality":
        return PIC_ID.format(pic=pic)
    return organisation_id(name, kind=kind, city=city)


def participant(row: dict[str, Any], problems: RowProblems, marks: DecimalMarks | None = None) -> tuple[int, dict[str, Any]] | None:
    """(order, participant) from one organization row, or None when the row cannot be used."""
    table = tables()
    marks = marks or DecimalMarks(ORGANISATION_AMOUNTS)
    name = _text(row, "name")
    if not name:
        problems.add("name", "the organisation has no name")
    role = table["roles"].get(_text(row, "role"))
    if role is None:
        problems.add("role", f"{row.get('role')!r} is not a CORDIS role ({', '.join(table['roles'])})")
    stated = problems.read(row, "country", lambda v: cells.country(v, table["countries"]))
    activity_type = _text(row, "activityType")
    kind = table["activity_types"].get(activity_type) if activity_type else None
    if activity_type and activity_type not in table["activity_types"]:
        problems.add("activityType", f"{activity_type!r} is not a CORDIS activity type ({', '.join(table['activity_types'])})")
    pic = _text(row, "organisationID")
    if pic and not pic.isdigit():
        problems.add("organisationID", f"{pic!r} is not a CORDIS organisation id (PIC: digits)")
    gross = _amount(row, "ecContribution", marks, problems)
    net = _amount(row, "netEcContribution", marks, problems)
    total = _cost(_amount(row, "totalCost", marks, problems), gross, net)
    if problems.items or not name or role is None:
        return None
    city = _text(row, "city") or None
    if kind == "public-body" and municipality_city(name):
        kind = "municipality"
    organisation: dict[str, Any] = {"id": _organisation_id(pic, name, kind, city), "name": name}
    if not organisation["id"]:
        problems.add("name", f"{name!r} gives no usable identifier")
        return None
    former = organisation_id(name, kind=kind, city=city)
    if former and former != organisation["id"]:
        # Before organisations were identified by their PIC, this one was organisation/{slug of
        # its name}: that IRI stays an alias, answered with a 301 to the PIC IRI (docs/mapping.md).
        organisation["aliases"] = [former]
    if kind:
        organisation["type"] = kind
    if city:
        organisation["city"] = city
    if stated:
        organisation["country"] = stated[0]
        if stated[1]:
            organisation["country_as_stated"] = stated[1]
    website = cells.url(row["organizationURL"]) if not cells.blank(row.get("organizationURL")) else None
    if website:
        organisation["website"] = website
    identifiers = [{"scheme": "eu-pic", "value": pic}] if pic else []
    vat = _text(row, "vatNumber")
    if vat:
        identifiers.append({"scheme": "vat-number", "value": vat})
    if identifiers:
        organisation["identifiers"] = identifiers
    out: dict[str, Any] = {"organisation": organisation, "role": role}
    # What the organisation itself receives is the net contribution; the gross one (CORDIS
    # ecContribution) includes the shares of the beneficiary's linked third parties, who are
    # listed in rows of their own with their share as their net contribution. A row that states
    # no net amount (older exports have no such column) states only the gross one, which is
    # then all there is to say of what the organisation receives.
    net_stated = not cells.blank(row.get("netEcContribution"))
    if role == "third-party" and gross is not None and Decimal(gross) == 0:
        # A linked third party signs no grant: CORDIS writes its gross contribution as 0, and
        # its share is its net one. It has no gross amount ("Who receives what").
        gross = None
    amounts = (("total_cost", total), ("eu_contribution", net if net_stated else gross),
               ("gross_eu_contribution", gross if net_stated else None))
    budget = {k: v for k, v in amounts if v is not None}
    if budget:
        out["budget"] = budget
    try:
        order = int(_text(row, "order") or 0)
    except ValueError:
        order = 0
    return order, out


def _programme(row: dict[str, Any], problems: RowProblems) -> str | None:
    """The programme code of a project row: by legal basis first (Euratom), then by framework programme.

    An unknown framework programme is a problem naming the value; the project is kept without
    a programme (the caller yields it all the same).
    """
    table = tables()
    for basis in filter(None, (part.strip() for part in _text(row, "legalBasis").split(";"))):
        if basis in table["legal_basis_programmes"]:
            return table["legal_basis_programmes"][basis]
    stated = _text(row, "frameworkProgramme")
    if not stated:
        return None
    programme = table["programmes"].get(stated)
    if programme is None:
        problems.add("frameworkProgramme", f"{stated!r} is not a framework programme eulod knows "
                     f"({', '.join(table['programmes'])}); the project is kept without a programme")
    return programme


def _grant_status(row: dict[str, Any], problems: RowProblems) -> dict[str, Any] | None:
    """The grant-status entry of the row's status (code, ended), or None; an unknown one is a problem."""
    stated = _text(row, "status")
    if not stated:
        return None
    found = tables()["grant_statuses"].get(stated.upper())
    if found is None:
        problems.add("status", f"{stated!r} is not a CORDIS grant status ({', '.join(tables()['grant_statuses'])}); "
                     "the project is kept without one")
    return found


def project_record(row: dict[str, Any], source: str, problems: RowProblems, marks: DecimalMarks | None = None,
                   today: str | None = None, warnings: RowProblems | None = None) -> dict[str, Any] | None:
    """A record (without participants) from one project row, or None when it cannot be used.

    ``warnings`` collects what is reported but keeps the record (an unknown framework
    programme or status); without it those go to ``problems`` as well.
    """
    marks = marks or DecimalMarks(PROJECT_AMOUNTS)
    warnings = warnings if warnings is not None else problems
    grant = _text(row, "id")
    if not grant.isdigit():
        problems.add("id", f"{grant!r} is not a CORDIS project id (digits)")
    title = _text(row, "title")
    if not title:
        problems.add("title", "the project has no title")
    start = problems.read(row, "startDate", cells.iso_date)
    end = problems.read(row, "endDate", cells.iso_date)
    eu = _amount(row, "ecMaxContribution", marks, problems)
    total = _cost(_amount(row, "totalCost", marks, problems), eu)
    if problems.items:
        return None
    record: dict[str, Any] = {
        "id": f"cordis-{grant}",
        "language": "en",
        # No source.url: it is the page the source *document* was read from (one foaf:page of
        # the file's node), and the file holds every project of the export, not this one's page.
        "source": {"file": source},
        "title": " ".join(title.split()),
    }
    acronym = _text(row, "acronym")
    if acronym:
        record["acronym"] = acronym
    identifiers = [{"scheme": "eu-grant-agreement", "value": grant}]
    if _text(row, "rcn"):
        identifiers.append({"scheme": "cordis-rcn", "value": _text(row, "rcn")})
    record["identifiers"] = identifiers
    if _text(row, "objective"):
        record["description"] = _text(row, "objective")
    grant_status = _grant_status(row, warnings)
    if grant_status:
        record["grant_status"] = grant_status["code"]
    status = activity(start, end, bool(grant_status and grant_status.get("ended")), today or reference_day())
    if status:
        record["status"] = status
    if start:
        record["start_date"] = start
    if end:
        record["end_date"] = end
    programme = _programme(row, warnings)
    if programme:
        record["programme"] = programme
    record["currency"] = "EUR"
    budget = {k: v for k, v in (("total_cost", total), ("eu_contribution", eu)) if v is not None}
    if budget:
        record["budget"] = budget
    return record


# --- the join -------------------------------------------------------------------------------


class _ParticipationIndex:
    """organization rows by project, in a temporary SQLite file: flat memory at any size."""

    def __init__(self, folder: str | None = None) -> None:
        handle, self.path = tempfile.mkstemp(prefix=".eulod-cordis-", suffix=".sqlite", dir=folder)
        os.close(handle)
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE part (project TEXT, line INTEGER, row BLOB)")
        self.db.execute("CREATE TABLE seen (project TEXT PRIMARY KEY)")

    def fill(self, rows: Iterator[tuple[int, dict]], observe: Callable[[dict], None] = lambda row: None) -> None:
        """Index the rows by project; ``observe`` sees each row on the way (decimal marks)."""
        batch = []
        for line, row in rows:
            observe(row)
            # pickle, not JSON: XLSX and JSON cells keep their types (Decimal, datetime); the
            # file is this process's own temporary file, read back only by it.
            batch.append((_text(row, "projectID"), line, pickle.dumps(row)))
            if len(batch) >= 5000:
                self.db.executemany("INSERT INTO part VALUES (?, ?, ?)", batch)
                batch.clear()
        self.db.executemany("INSERT INTO part VALUES (?, ?, ?)", batch)
        self.db.execute("CREATE INDEX part_project ON part (project)")
        self.db.commit()

    def rows_of(self, project: str) -> list[tuple[int, dict]]:
        self.db.execute("INSERT OR IGNORE INTO seen VALUES (?)", (project,))
        found = self.db.execute("SELECT line, row FROM part WHERE project = ? ORDER BY line", (project,))
        return [(line, pickle.loads(row)) for line, row in found]

    def orphans(self) -> Iterator[tuple[int, str]]:
        """Rows whose project is not in the project table."""
        query = "SELECT line, project FROM part WHERE project NOT IN (SELECT project FROM seen) ORDER BY line"
        yield from self.db.execute(query)

    def close(self) -> None:
        self.db.close()
        os.unlink(self.path)


def read_cordis(projects: Path, organisations: Path, *, check: bool = True, today: str | None = None) -> Iterator[ImportItem]:
    """Records from a CORDIS project table and organization table, one item per project row or problem.

    Each file may be CSV (any delimiter, decimal commas or points), XLSX or JSON. ``today``
    (YYYY-MM-DD) is the day the projects' activity is judged on (default: :func:`reference_day`).
    Raises :class:`cells.CellError` (or UnicodeDecodeError/OSError) when a file as a whole
    cannot be read as a CORDIS export; a bad row is an item with a problem instead. A row with
    a problem that does not stop its record (an unknown framework programme) gives both.
    """
    project_file, organisation_file = projects.name, organisations.name
    project_table = open_table(projects, PROJECT_COLUMNS)
    organisation_table = open_table(organisations, ORGANISATION_COLUMNS)
    today = today or reference_day()
    index = _ParticipationIndex()  # in the system temporary folder, removed at the end
    try:
        part_marks = DecimalMarks(ORGANISATION_AMOUNTS)
        index.fill(_require_columns(organisation_table.rows(), ORGANISATION_COLUMNS, str(organisations)), part_marks.observe)
        marks = _marks(project_table, PROJECT_AMOUNTS)
        for line, row in _require_columns(project_table.rows(), PROJECT_COLUMNS, str(projects)):
            problems = RowProblems(project_file, line, project_table.unit)
            warnings = RowProblems(project_file, line, project_table.unit)
            if "\0cells" in row:
                problems.add("", row["\0cells"])
                yield ImportItem(line, problem=problems.items[0])
                continue
            record = project_record(row, project_file, problems, marks, today, warnings)
            parts = index.rows_of(_text(row, "id"))
            for item in problems.items + warnings.items:
                yield ImportItem(line, problem=item)
            if record is None:
                continue
            joined = []
            for part_line, part_row in parts:
                part_problems = RowProblems(organisation_file, part_line, organisation_table.unit)
                if "\0cells" in part_row:
                    part_problems.add("", part_row["\0cells"])
                    found = None
                else:
                    found = participant(part_row, part_problems, part_marks)
                for item in part_problems.items:
                    yield ImportItem(part_line, problem=item)
                if found is not None:
                    joined.append(found)
            if joined:
                record["participants"] = [p for _, p in sorted(joined, key=lambda item: item[0])]
            if check:
                found_problems = check_record(record, project_file, line)
                if found_problems:
                    for problem in found_problems:
                        place = f"{project_table.unit} {line}"
                        yield ImportItem(line, problem=RecordProblem(project_file, place, problem.field, problem.reason))
                    continue
            yield ImportItem(line, record=record)
        for line, project in index.orphans():
            place = f"{organisation_table.unit} {line}"
            problem = RecordProblem(organisation_file, place, "projectID", f"project {project!r} is not in {project_file}")
            yield ImportItem(line, problem=problem)
    finally:
        index.close()
