"""CORDIS open-data exports (project.csv + organization.csv) -> eulod records.

The exports are semicolon-separated, with quoted cells that may hold newlines; some
vintages write decimal commas; countries use EU codes (EL, UK). Participations live in
their own file, joined to projects by ``projectID``. To keep memory flat whatever the size,
the participations are first put in a temporary SQLite table indexed by project (on disk),
then the projects are streamed and each one picks up its rows. Every bad row is reported
with its file and line; the good rows go on.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import tempfile
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

import yaml

from . import cells
from .cells import ImportItem, RowProblems
from .organisations import municipality_city, organisation_id
from .records import RecordProblem, check_record

log = logging.getLogger(__name__)

PROJECT_COLUMNS = ("id", "acronym", "title", "startDate", "endDate", "totalCost", "ecMaxContribution", "frameworkProgramme")
ORGANISATION_COLUMNS = ("projectID", "name", "role", "country")
PROJECT_PAGE = "https://cordis.europa.eu/project/id/{id}"


@lru_cache(maxsize=1)
def tables() -> dict[str, dict[str, Any]]:
    """The CORDIS code tables (converters/mappings/cordis.yaml)."""
    text = resources.files("eulod.converters").joinpath("mappings/cordis.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def _require_columns(rows: Iterator[tuple[int, dict]], wanted: tuple[str, ...], file: str) -> Iterator[tuple[int, dict]]:
    first = next(rows, None)
    if first is None:
        return
    missing = [c for c in wanted if c not in first[1]]
    if missing:
        raise cells.CellError(f"{file}: not a CORDIS export: missing column(s) {', '.join(missing)}")
    yield first
    yield from rows


def _nonzero(amount: str | None) -> str | None:
    """CORDIS writes 0 where there is no contribution (third parties, partner organisations)."""
    return None if amount is None or Decimal(amount) == 0 else amount


def participant(row: dict[str, str], problems: RowProblems) -> tuple[int, dict[str, Any]] | None:
    """(order, participant) from one organization.csv row, or None when the row cannot be used."""
    table = tables()
    name = (row.get("name") or "").strip()
    if not name:
        problems.add("name", "the organisation has no name")
    role = table["roles"].get((row.get("role") or "").strip())
    if role is None:
        problems.add("role", f"{row.get('role')!r} is not a CORDIS role ({', '.join(table['roles'])})")
    stated = problems.read(row, "country", lambda v: cells.country(v, table["countries"]))
    activity = (row.get("activityType") or "").strip()
    kind = table["activity_types"].get(activity) if activity else None
    if activity and activity not in table["activity_types"]:
        problems.add("activityType", f"{activity!r} is not a CORDIS activity type ({', '.join(table['activity_types'])})")
    eu = _nonzero(problems.read(row, "ecContribution", cells.amount))
    total = _nonzero(problems.read(row, "totalCost", cells.amount))
    if problems.items or not name or role is None:
        return None
    city = (row.get("city") or "").strip() or None
    if kind == "public-body" and municipality_city(name):
        kind = "municipality"
    organisation: dict[str, Any] = {"id": organisation_id(name, kind=kind, city=city), "name": name}
    if not organisation["id"]:
        problems.add("name", f"{name!r} gives no usable identifier")
        return None
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
    out: dict[str, Any] = {"organisation": organisation, "role": role}
    budget = {k: v for k, v in (("total_cost", total), ("eu_contribution", eu)) if v is not None}
    if budget:
        out["budget"] = budget
    try:
        order = int(row.get("order") or 0)
    except ValueError:
        order = 0
    return order, out


def project_record(row: dict[str, str], source: str, problems: RowProblems) -> dict[str, Any] | None:
    """A record (without participants) from one project.csv row, or None when it cannot be used."""
    table = tables()
    grant = (row.get("id") or "").strip()
    if not grant.isdigit():
        problems.add("id", f"{grant!r} is not a CORDIS project id (digits)")
    title = (row.get("title") or "").strip()
    if not title:
        problems.add("title", "the project has no title")
    start = problems.read(row, "startDate", cells.iso_date)
    end = problems.read(row, "endDate", cells.iso_date)
    total = _nonzero(problems.read(row, "totalCost", cells.amount))
    eu = _nonzero(problems.read(row, "ecMaxContribution", cells.amount))
    if problems.items:
        return None
    record: dict[str, Any] = {
        "id": f"cordis-{grant}",
        "language": "en",
        "source": {"file": source, "url": PROJECT_PAGE.format(id=grant)},
        "title": " ".join(title.split()),
    }
    acronym = (row.get("acronym") or "").strip()
    if acronym:
        record["acronym"] = acronym
    identifiers = [{"scheme": "eu-grant-agreement", "value": grant}]
    if (row.get("rcn") or "").strip():
        identifiers.append({"scheme": "cordis-rcn", "value": row["rcn"].strip()})
    record["identifiers"] = identifiers
    if (row.get("objective") or "").strip():
        record["description"] = row["objective"].strip()
    status = table["statuses"].get((row.get("status") or "").strip().upper())
    if status:
        record["status"] = status
    if start:
        record["start_date"] = start
    if end:
        record["end_date"] = end
    programme = table["programmes"].get((row.get("frameworkProgramme") or "").strip())
    if programme:
        record["programme"] = programme
    record["currency"] = "EUR"
    budget = {k: v for k, v in (("total_cost", total), ("eu_contribution", eu)) if v is not None}
    if budget:
        record["budget"] = budget
    return record


class _ParticipationIndex:
    """organization.csv rows by project, in a temporary SQLite file: flat memory at any size."""

    def __init__(self, folder: str | None = None) -> None:
        handle, self.path = tempfile.mkstemp(prefix=".eulod-cordis-", suffix=".sqlite", dir=folder)
        os.close(handle)
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE part (project TEXT, line INTEGER, row TEXT)")
        self.db.execute("CREATE TABLE seen (project TEXT PRIMARY KEY)")

    def fill(self, rows: Iterator[tuple[int, dict]]) -> None:
        batch = []
        for line, row in rows:
            batch.append(((row.get("projectID") or "").strip(), line, json.dumps(row)))
            if len(batch) >= 5000:
                self.db.executemany("INSERT INTO part VALUES (?, ?, ?)", batch)
                batch.clear()
        self.db.executemany("INSERT INTO part VALUES (?, ?, ?)", batch)
        self.db.execute("CREATE INDEX part_project ON part (project)")
        self.db.commit()

    def rows_of(self, project: str) -> list[tuple[int, dict]]:
        self.db.execute("INSERT OR IGNORE INTO seen VALUES (?)", (project,))
        found = self.db.execute("SELECT line, row FROM part WHERE project = ? ORDER BY line", (project,))
        return [(line, json.loads(row)) for line, row in found]

    def orphans(self) -> Iterator[tuple[int, str]]:
        """Rows whose project is not in project.csv."""
        query = "SELECT line, project FROM part WHERE project NOT IN (SELECT project FROM seen) ORDER BY line"
        yield from self.db.execute(query)

    def close(self) -> None:
        self.db.close()
        os.unlink(self.path)


def read_cordis(projects: Path, organisations: Path, *, check: bool = True) -> Iterator[ImportItem]:
    """Records from a CORDIS project.csv and organization.csv, one item per project row or problem.

    Raises :class:`cells.CellError` (or UnicodeDecodeError/OSError) when a file as a whole
    cannot be read as a CORDIS export; a bad row is an item with a problem instead.
    """
    project_file, organisation_file = projects.name, organisations.name
    for path in (projects, organisations):
        cells.require_table(path)  # an HTML error page, an empty or a binary file: one error naming it
    index = _ParticipationIndex()  # in the system temporary folder, removed at the end
    try:
        index.fill(_require_columns(cells.csv_rows(organisations), ORGANISATION_COLUMNS, str(organisations)))
        for line, row in _require_columns(cells.csv_rows(projects), PROJECT_COLUMNS, str(projects)):
            problems = RowProblems(project_file, line)
            if "\0cells" in row:
                problems.add("", row["\0cells"])
                yield ImportItem(line, problem=problems.items[0])
                continue
            record = project_record(row, project_file, problems)
            parts = index.rows_of((row.get("id") or "").strip())
            for item in problems.items:
                yield ImportItem(line, problem=item)
            if record is None:
                continue
            joined = []
            for part_line, part_row in parts:
                part_problems = RowProblems(organisation_file, part_line)
                if "\0cells" in part_row:
                    part_problems.add("", part_row["\0cells"])
                    found = None
                else:
                    found = participant(part_row, part_problems)
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
                        yield ImportItem(line, problem=RecordProblem(project_file, f"line {line}", problem.field, problem.reason))
                    continue
            yield ImportItem(line, record=record)
        for line, project in index.orphans():
            yield ImportItem(
                line,
                problem=RecordProblem(organisation_file, f"line {line}", "projectID", f"project {project!r} is not in {project_file}"),
            )
    finally:
        index.close()
