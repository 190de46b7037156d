"""From a reviewed draft to a curated record: the decisions, the checks, the atomic write.

The record a review saves is what ``eulod build`` then takes in place of the fact sheet
(``converters/sources.py`` matches its ``source.file`` to the sheet's name), so it is checked
against the record schema exactly as the build checks it, and written only when it holds:
under a temporary name in the same folder, flushed, then renamed over the old one, so the
build never reads half a record. What the reviewer did is kept in the record's ``curation``
(data/record.schema.json): the sheet's hash, and for each field whether its value was
accepted as extracted, edited, filled where the draft had none, removed, or left open.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from eulod import __version__
from eulod.converters.extract import source_name
from eulod.converters.records import check_record, record_schema
from eulod.converters.sources import FACTSHEET_SUFFIXES, MAX_SOURCE_BYTES

from .fields import BadValue, Field, parse, shown

log = logging.getLogger(__name__)

HTML_SUFFIXES = (".html", ".htm")


class SheetProblem(Exception):
    """A sheet or a record file the review may not use; the message is for the person."""


@dataclass(frozen=True)
class Sheet:
    """A fact sheet given on the command line and the one file its review may write."""

    path: Path
    target: Path
    source_file: str  # the record's source.file

    @property
    def name(self) -> str:
        return self.path.name


def record_path(sheet: Path, records: Path | None = None) -> Path:
    """Where a sheet's curated record goes: beside it (or in ``records``), named after it."""
    return (records if records is not None else sheet.parent) / f"{sheet.stem}.yaml"


def source_file_for(sheet: Path, target: Path) -> str:
    """The ``source.file`` that the build finds the sheet by from the record's folder.

    The build looks beside the record and one folder up (``converters/sources.py``); the
    extractor's own name (``folder/sheet.txt``) is kept when it is found there, so the source
    document's IRI is the one a build from the sheet gives.
    """
    real = sheet.resolve()
    usual = source_name(real)
    for folder in (target.parent, target.parent.parent):
        if (folder / usual).resolve() == real:
            return usual
    for folder in (target.parent, target.parent.parent):
        relative = os.path.relpath(real, folder.resolve())
        if not relative.startswith(".."):
            return Path(relative).as_posix()
    log.warning("%s: the build will not find the sheet from %s; the record names it %s", sheet, target.parent, usual)
    return usual


def make_sheet(path: Path, records: Path | None = None) -> Sheet:
    """A sheet the review may open; raises :class:`SheetProblem` for what it may not."""
    if path.suffix.lower() not in FACTSHEET_SUFFIXES:
        raise SheetProblem(f"{path}: not a fact sheet ({', '.join(FACTSHEET_SUFFIXES)})")
    if not path.is_file():
        raise SheetProblem(f"{path}: no such file")
    if records is not None and not records.is_dir():
        raise SheetProblem(f"{records}: no such folder")
    target = record_path(path, records)
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise SheetProblem(f"{target}: not a regular file; the review writes no record there")
    return Sheet(path, target, source_file_for(path, target))


# --- reading ------------------------------------------------------------------------------


def _read_regular(path: Path, limit: int) -> bytes:
    """A regular file's bytes, without following a symlink or blocking on a pipe."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise SheetProblem(f"{path}: not a regular file")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise SheetProblem(f"{path}: larger than {limit:,} bytes")
    return data


def read_sheet(sheet: Sheet) -> bytes:
    try:
        return _read_regular(sheet.path.resolve(strict=True), MAX_SOURCE_BYTES)  # the file named on the command line
    except OSError as exc:
        raise SheetProblem(f"{sheet.path}: cannot be read ({exc.strerror})") from None


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sheet_lines(data: bytes, path: Path) -> list[str]:
    """The sheet's lines as the extractor numbers them (HTML: the page source's lines)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
    if path.suffix.lower() in HTML_SUFFIXES or text.lstrip()[:200].lower().startswith(("<!doctype html", "<html")):
        return text.split("\n")  # the HTML parser counts line feeds
    return text.splitlines()


def read_saved(sheet: Sheet) -> dict[str, Any] | None:
    """The curated record a previous review of this sheet saved, or None.

    Raises :class:`SheetProblem` when the file is there but is not that record: the review
    never writes over a file it did not write.
    """
    if not os.path.lexists(sheet.target):
        return None
    try:
        data = _read_regular(sheet.target, MAX_SOURCE_BYTES)
        saved = yaml.safe_load(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, SheetProblem):
        saved = None
    named = saved.get("source", {}).get("file") if isinstance(saved, dict) and isinstance(saved.get("source"), dict) else None
    if not isinstance(named, str) or Path(named).name != sheet.name:
        raise SheetProblem(f"{sheet.target} exists and is not the curated record of {sheet.name}: "
                           "the review does not write over it (move it, or give --records DIR)")
    return saved


# --- saving -------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a save gave: the record (written when there are no problems) and the problems by field."""

    record: dict[str, Any]
    problems: dict[str, list[str]] = field(default_factory=dict)  # top-level field ('' for the record) -> messages

    def add(self, name: str, message: str) -> None:
        self.problems.setdefault(name, []).append(message)


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def decide(item: Field, value: Any, accepted: bool) -> str | None:
    """What the reviewer did with a field, told by its value against the extractor's."""
    if value is None and item.extracted is None:
        return None
    if item.extracted is None:
        return "filled"
    if value is None:
        return "removed"
    if value != item.extracted:
        return "edited"
    return "accepted" if accepted or not item.flagged else "open"


def curated_record(sheet: Sheet, draft: dict[str, Any] | None, fields: list[Field], submitted: dict[str, tuple[str, bool]],
                   sheet_hash: str, saved: dict[str, Any] | None = None, when: str | None = None) -> Outcome:
    """The record the submitted values make, with its curation, and every problem it has."""
    draft = draft or {}
    when = when or now()
    before = {d.get("field"): d for d in (saved or {}).get("curation", {}).get("decisions", []) if isinstance(d, dict)}
    values: dict[str, Any] = {}
    decisions: list[dict[str, Any]] = []
    open_questions: list[dict[str, Any]] = []
    kept_provenance: set[str] = set()
    outcome = Outcome({})
    for item in fields:
        text, accepted = submitted.get(item.name, (shown(item.start, item.kind), item.accepted))
        try:
            value = parse(text, item.kind)
        except BadValue as exc:
            outcome.add(item.name, str(exc))
            continue
        decision = decide(item, value, accepted)
        if value is not None:
            values[item.name] = value
        if decision is None:
            continue
        entry: dict[str, Any] = {"field": item.name, "decision": decision, "at": when}
        earlier = before.get(item.name)
        if earlier and earlier.get("decision") == decision and (saved or {}).get(item.name) == value:
            entry["at"] = earlier.get("at", when)  # unchanged since the last save: decided then
        if item.flagged:
            entry["flagged"] = True
            entry["question"] = "; ".join(dict.fromkeys(str(q.get("reason", "")) for q in item.questions))
        if item.found:
            entry["found"] = item.found
        if item.lines:
            entry["lines"] = item.lines
        if decision in ("edited", "removed"):
            entry["extracted"] = item.extracted
        decisions.append(entry)
        if decision in ("accepted", "open"):
            kept_provenance.add(item.name)
        if decision == "open":
            open_questions.extend(item.questions)
    source = dict(draft.get("source") or {}) | {"file": sheet.source_file}
    record: dict[str, Any] = {}
    for name in record_schema()["properties"]:
        if name == "source":
            record["source"] = source
        elif name in values:
            record[name] = values[name]
    if open_questions:
        record["review"] = open_questions
    provenance = {path: entry for path, entry in (draft.get("provenance") or {}).items()
                  if any(path == name or path.startswith((f"{name}.", f"{name}[")) for name in kept_provenance)}
    if provenance:
        record["provenance"] = provenance
    record["curation"] = {"file": sheet.source_file, "sha256": sheet_hash, "reviewed": when,
                          "tool": f"eulod review {__version__}", "decisions": decisions}
    outcome.record = record
    if outcome.problems:
        return outcome  # a field that is no value at all: the schema check would only repeat it
    for problem in check_record(record, str(sheet.target)):
        name = problem.field.split(".")[0].split("[")[0] if problem.field and problem.field != "(record)" else ""
        missing = re.fullmatch(r"'(\w+)' is a required property", problem.reason) if not name else None
        name = missing.group(1) if missing else name
        shown_name = name if any(f.name == name for f in fields) else ""
        where = f"{problem.field}: " if problem.field and problem.field not in (name, "(record)") else ""
        outcome.add(shown_name, f"{where}{problem.reason}")
    return outcome


class _Dumper(yaml.SafeDumper):
    """No anchors and aliases: a curated record is read and edited by people."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(record: dict[str, Any]) -> bytes:
    return yaml.dump(record, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100).encode("utf-8")


def write_atomically(target: Path, payload: bytes) -> None:
    """Write under a temporary name in the target's folder, flush, rename, flush the folder.

    A reader (``eulod build``) sees the old record or the new one, never part of one; a
    temporary name of its own per write keeps two saves from sharing one.
    """
    if target.is_symlink():
        raise SheetProblem(f"{target}: a symbolic link; the review writes no record there")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    folder = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
