"""Everything `eulod build` can read: record files and fact sheets, in one list of records.

Record files (.yaml, .yml, .json) load through converters.records; fact sheets (.txt, .md,
.html, .htm) go through the extractor and become draft records. A curated record whose
``source.file`` names a fact sheet (matched on the file name) takes precedence over that fact
sheet's extraction, so curating a record never needs the fact sheet removed.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterable

from .extract import extract_file
from .extract.text import SUFFIXES as FACTSHEET_SUFFIXES
from .records import RECORD_SUFFIXES, LoadResult, Record, RecordProblem, check_record, load_file

log = logging.getLogger(__name__)


def source_files(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """(record files, fact sheets) under the given files and folders, in a stable order."""
    records: list[Path] = []
    sheets: list[Path] = []
    for path in paths:
        found = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in found:
            suffix = file.suffix.lower()
            if suffix in FACTSHEET_SUFFIXES:
                sheets.append(file)
            elif suffix in RECORD_SUFFIXES or not path.is_dir():
                records.append(file)
    return records, sheets


def load_sources(paths: Iterable[Path]) -> LoadResult:
    """Load records and extract fact sheets; problems are collected, never raised."""
    record_paths, sheets = source_files(list(paths))
    total = LoadResult()
    seen: dict[str, str] = {}
    curated_sources: set[str] = set()

    def keep(record: Record) -> None:
        if record.id in seen:
            total.problems.append(RecordProblem(record.file, record.id, "id", f"the id is already used by {seen[record.id]}"))
            return
        seen[record.id] = record.file
        total.records.append(record)

    for path in record_paths:
        result = load_file(path)
        total.problems.extend(result.problems)
        for record in result.records:
            curated_sources.add(Path(str(record.data["source"]["file"])).name)
            keep(record)
    for sheet in sheets:
        if sheet.name in curated_sources:
            log.info("%s: a curated record takes precedence over extraction", sheet)
            continue
        draft = extract_file(sheet)
        for warning in draft.warnings:
            log.warning("%s", warning)
        if draft.record is None:
            total.problems.extend(RecordProblem(str(sheet), "(fact sheet)", "", reason) for reason in draft.problems)
            continue
        problems = check_record(draft.record, str(sheet))
        if problems:
            total.problems.extend(problems)
            continue
        if draft.record.get("review"):
            log.warning("%s: draft has %d field(s) to review", sheet, len(draft.record["review"]))
        keep(Record(draft.record, str(sheet)))
    log.info("loaded %d records (%d fact sheets), %d problems", len(total.records), len(sheets), len(total.problems))
    return total
