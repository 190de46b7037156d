"""An incremental build of real exports, against a full build of the same changed rows (issue 19).

The incremental build was developed on the generator's records and on small hand-made ones.
Here the records are the real CORDIS Horizon Europe export in ../shared/real/cordis-he and a
real Kohesio file, imported with the command line as a publisher would; one row of the CSV is
changed as the next export would change it, imported again, and built in the folder of the
first build (incremental) and in a folder of its own (full). Everything a reader sees of the
two must be the same (tests/test_incremental_build.py's ``compare``). The changes are made to
the CSV rows, never to eulod's records, so the importer's reading of the change is part of the
test.
"""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path
from typing import Callable

import pytest
from test_cordis_real import ORGANISATIONS, PROJECTS, read_csv, run
from test_incremental_build import run_case

KOHESIO = PROJECTS.parent.parent / "kohesio-2021-2027" / "PT-sample.csv"

pytestmark = [pytest.mark.skipif(not (PROJECTS.is_file() and KOHESIO.is_file()),
                                 reason="the real exports are not in ../shared/real (set EULOD_SHARED)"),
              pytest.mark.slow]


def write_rows(target: Path, rows: list[dict[str, str]]) -> None:
    """Rows written as the real files are (commas, quotes where needed)."""
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def imported(folder: Path, kind: str, *files: Path) -> list[dict]:
    folder.mkdir(parents=True, exist_ok=True)
    output = folder / f"{kind}.jsonl"
    how = ["cordis", *map(str, files)] if kind == "cordis" else ["csv", *map(str, files), "--mapping", kind]
    result = run("import", *how, "-o", str(output), cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    return [json.loads(line) for line in output.read_text("utf-8").splitlines()]


def shared_pic() -> str:
    """The PIC of an organisation that takes part in more than one of the export's projects."""
    projects: dict[str, set[str]] = {}
    for row in read_csv(ORGANISATIONS):
        projects.setdefault(row["organisationID"], set()).add(row["projectID"])
    return min(pic for pic, grants in projects.items() if len(grants) > 1)


def first_with_organisations() -> str:
    return read_csv(ORGANISATIONS)[0]["projectID"]


Rows = list[dict[str, str]]


def set_in(rows: Rows, column: str, value: str, where: Callable[[dict[str, str]], bool]) -> None:
    touched = [row for row in rows if where(row)]
    assert touched, f"no row to change {column} in"
    for row in touched:
        row[column] = value


def withdraw(projects: Rows, organisations: Rows, grant: str) -> None:
    projects[:] = [r for r in projects if r["id"] != grant]
    organisations[:] = [r for r in organisations if r["projectID"] != grant]


# Each change as the next export would make it, to the rows of (projects, organisations).
CORDIS_CHANGES: dict[str, Callable[[Rows, Rows], None]] = {
    "a project's title": lambda p, o: set_in(p, "title", "A retitled real project",
                                              lambda r: r["id"] == first_with_organisations()),
    "a project's end date": lambda p, o: set_in(p, "endDate", "2031-12-31",
                                                 lambda r: r["id"] == first_with_organisations()),
    "a participation's EU contribution, written with a decimal comma": lambda p, o: set_in(
        o, "ecContribution", "123456,78", lambda r: r["projectID"] == first_with_organisations() and r["role"] == "coordinator"),
    "a shared organisation's city, in every row that names it": lambda p, o: set_in(
        o, "city", "Ljubljana", lambda r: r["organisationID"] == shared_pic()),
    "a project withdrawn from the export, with its partners' rows": lambda p, o: withdraw(p, o, "101113245"),
}


@pytest.mark.parametrize("change", sorted(CORDIS_CHANGES))
def test_a_changed_cordis_export_builds_incrementally_as_in_full(tmp_path, change, caplog):
    first = imported(tmp_path / "first", "cordis", PROJECTS, ORGANISATIONS)
    changed = tmp_path / "changed"
    changed.mkdir()
    projects, organisations = read_csv(PROJECTS), read_csv(ORGANISATIONS)
    CORDIS_CHANGES[change](projects, organisations)
    write_rows(changed / PROJECTS.name, projects)
    write_rows(changed / ORGANISATIONS.name, organisations)
    second = imported(changed, "cordis", changed / PROJECTS.name, changed / ORGANISATIONS.name)
    assert first != second, "the change must reach the records"
    with caplog.at_level(logging.INFO, logger="eulod.pipeline.build"):
        incremental, full = run_case(tmp_path / "builds", first, second)
    assert incremental.loaded and full.loaded
    assert full.manifest["statistics"]["projects"] == len(second)
    done = incremental.manifest.get("incremental")
    assert done, "the second build must be an incremental one"
    assert done["converted"] + done["removed"] <= 2  # the records the change touches, no others


def test_a_changed_kohesio_export_builds_incrementally_as_in_full(tmp_path):
    first = imported(tmp_path / "first", "kohesio", KOHESIO)
    changed = tmp_path / "changed" / KOHESIO.name
    changed.parent.mkdir()

    rows = read_csv(KOHESIO)
    rows[0]["Operation_Name_Programme_Language"] = "Operação com um nome novo"
    rows.pop()
    write_rows(changed, rows)
    second = imported(changed.parent, "kohesio", changed)
    assert first != second
    incremental, full = run_case(tmp_path / "builds", first, second)
    assert incremental.loaded and full.loaded
    assert full.manifest["statistics"]["projects"] == len(second)
    assert incremental.manifest.get("incremental", {}).get("removed") == 1
