"""The canonical record: loading, checking and reporting what is wrong with it.

A record is a plain mapping that conforms to ``data/record.schema.json``; every converter
(fact sheets, CSV, CORDIS) produces this one model, so everything downstream of it is
shared. Errors never stop at the first bad record: each one is reported with its file,
record and field, and the good records go on.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Container, Iterable, Iterator

import jsonschema
import jsonschema_rs
import yaml
from jsonschema.exceptions import ValidationError, best_match

from eulod.core.countries import by_alpha2

from .documents import (
    LimitExceeded,
    bounded_lines,
    json_plain,
    load_json,
    printable,
    read_text,
    value_problems,
    yaml_documents,
    yaml_reason,
)
from .urls import email_problem, web_address_problem

log = logging.getLogger(__name__)

RECORD_SUFFIXES = (".yaml", ".yml", ".json", ".jsonl")


@dataclass(frozen=True)
class RecordProblem:
    """One thing wrong with one record: enough to find and fix it without reading code."""

    file: str
    record: str
    field: str
    reason: str

    def __post_init__(self) -> None:
        # Every part may come from the input (a record id, a key, a file name): each is kept
        # printable (no lone surrogate, which cannot be written to a UTF-8 terminal) and short.
        for name, limit in (("file", 500), ("record", 200), ("field", 200), ("reason", 1000)):
            value = getattr(self, name)
            object.__setattr__(self, name, printable(value if isinstance(value, str) else str(value), limit))

    def __str__(self) -> str:
        where = f"{self.file}: record {self.record!r}"
        return f"{where}: field {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"


@dataclass
class Record:
    """A checked record and where it came from."""

    data: dict[str, Any]
    file: str
    position: int = 1  # 1-based index of the document within its file

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def language(self) -> str:
        return self.data["language"]


@dataclass
class LoadResult:
    records: list[Record] = field(default_factory=list)
    problems: list[RecordProblem] = field(default_factory=list)


@lru_cache(maxsize=1)
def record_schema() -> dict[str, Any]:
    return json.loads(resources.files("eulod.data").joinpath("record.schema.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    schema = record_schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@lru_cache(maxsize=1)
def _fast_validator() -> jsonschema_rs.Validator:
    """The same schema compiled by jsonschema-rs, which decides validity ~100x faster.

    Bulk imports check every record; the pure-Python validator managed ~600 records/s,
    which bounded a CORDIS import. jsonschema-rs only says whether a record is valid: the
    records it rejects go through the Python validator too, whose messages (best branch
    of a oneOf, JSON path) are what users see. It checks formats that the Python
    validator skips ("uri"), so it is never the more lenient of the two.
    """
    return jsonschema_rs.validator_for(record_schema(), validate_formats=True)


def schema_errors(data: Any) -> list[ValidationError]:
    """The record's schema errors, in field order; none for a valid record."""
    if _fast_validator().is_valid(data):
        return []
    return sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))


def field_path(path: Iterable[Any]) -> str:
    """['participants', 3, 'organisation', 'country'] -> 'participants[3].organisation.country'."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _reason(error: ValidationError) -> ValidationError:
    """For oneOf/anyOf failures, the branch error that explains the most."""
    if error.context:
        deepest = best_match(error.context)
        if deepest is not None:
            return deepest
    return error


def _address_problem(error: ValidationError) -> str | None:
    """A web or e-mail address refused by its schema pattern, said in words instead of the pattern."""
    if error.validator != "pattern" or not isinstance(error.instance, str):
        return None
    definitions = record_schema()["$defs"]
    if error.validator_value == definitions["url"]["pattern"]:
        return web_address_problem(error.instance)
    if error.validator_value == definitions["contact"]["properties"]["email"]["pattern"]:
        return email_problem(error.instance)
    return None


_AMOUNT_KEYS = frozenset({"total_cost", "eu_contribution", "co_financing"})


def _negative_amount(error: ValidationError) -> str | None:
    """A negative amount refused by the schema, said in words instead of its oneOf branches."""
    path = list(error.absolute_path)
    if not path or path[-1] not in _AMOUNT_KEYS:
        return None
    try:
        negative = to_decimal(error.instance) < 0
    except (InvalidOperation, ValueError, TypeError):
        return None
    return f"{printable(repr(error.instance), 80)} is negative: an amount is zero or more" if negative else None


def check_record(data: Any, file: str, position: int = 1, plain: bool = False) -> list[RecordProblem]:
    """Every schema problem of one record, plus the checks a schema cannot express.

    ``plain``: the record's JSON text already proved it holds nothing :func:`value_problems`
    reports (:func:`converters.documents.json_plain`), so its values are not walked again.
    """
    name = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else f"#{position}"
    if not isinstance(data, dict):
        return [RecordProblem(file, name, "", f"a record must be a mapping, not {type(data).__name__}")]
    unsafe = [] if plain else value_problems(data)
    if unsafe:  # the schema check and the converter would fail on these values, or take too long
        return [RecordProblem(file, name, field_path(path) or "(record)", reason) for path, reason in unsafe]
    problems = []
    for error in schema_errors(data):
        detail = _reason(error)
        path = field_path(detail.absolute_path) or field_path(error.absolute_path)
        message = _address_problem(detail) or _negative_amount(error) or detail.message
        if len(message) > 200:
            message = message[:197] + "..."
        problems.append(RecordProblem(file, name, path or "(record)", message))
    problems.extend(_check_amounts(data, file, name))
    problems.extend(_check_countries(data, file, name))
    return problems


def _check_countries(data: dict[str, Any], file: str, name: str) -> list[RecordProblem]:
    """A well-formed country code must also be in the EU authority table."""
    problems = []
    for index, participant in enumerate(data.get("participants") or []):
        organisation = participant.get("organisation") if isinstance(participant, dict) else None
        code = organisation.get("country") if isinstance(organisation, dict) else None
        if isinstance(code, str) and len(code) == 2 and by_alpha2(code) is None:
            problems.append(
                RecordProblem(
                    file,
                    name,
                    f"participants[{index}].organisation.country",
                    f"{code!r} is not an ISO 3166-1 alpha-2 code of the EU countries table",
                )
            )
    return problems


def _check_amounts(data: dict[str, Any], file: str, name: str) -> list[RecordProblem]:
    """Amounts must be exact decimals; a float that cannot round-trip is an error, not a guess."""
    problems = []

    def visit(budget: Any, prefix: str) -> None:
        if not isinstance(budget, dict):
            return
        for key in ("total_cost", "eu_contribution", "co_financing", "gross_eu_contribution"):
            if key in budget:
                try:
                    to_decimal(budget[key])
                except (InvalidOperation, ValueError, TypeError):
                    shown = printable(repr(budget[key]), 80)
                    problems.append(RecordProblem(file, name, f"{prefix}.{key}", f"{shown} is not a decimal amount"))

    visit(data.get("budget"), "budget")
    for index, participant in enumerate(data.get("participants") or []):
        if isinstance(participant, dict):
            visit(participant.get("budget"), f"participants[{index}].budget")
    return problems


def to_decimal(value: Any) -> Decimal:
    """A record amount (number or decimal string) as an exact Decimal."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not an amount")
    if isinstance(value, float):
        value = repr(value)
    result = Decimal(str(value))
    if not result.is_finite():
        raise InvalidOperation(f"{value!r} is not finite")
    return result


class _Unparsable(ValueError):
    """A YAML file that cannot be read past some point; the message says where and why."""


def _documents(path: Path, found: list[tuple[int, Any, bool]]) -> None:
    """Append (position, document, False) for each document of a YAML or JSON file to ``found``.

    A JSON file may hold one record or a list. YAML documents are appended as they are read,
    so those before a document that cannot be read are kept when the error is raised.
    """
    text = read_text(path)
    if path.suffix == ".json":
        document = load_json(text)
        found.extend((position, item, False) for position, item in
                     enumerate(document if isinstance(document, list) else [document], start=1))
        return
    try:
        for position, document in enumerate(yaml_documents(text), start=1):
            found.append((position, document, False))
    except yaml.YAMLError as exc:
        raise _Unparsable(yaml_reason(exc, text)) from None


def _jsonl_documents(path: Path, shown: str, only: Container[int] | None = None) -> Iterator[tuple[int, Any, bool]]:
    """(line number, record or problem, whether its text proved it plain) for each line:
    one bad line never hides the others. With ``only``, the lines of those numbers alone are
    decoded (an incremental build reads the lines that changed)."""

    def problem(number: int, reason: str) -> tuple[int, RecordProblem, bool]:
        return number, RecordProblem(shown, f"line {number}", "", reason), False

    with path.open("rb") as handle:
        for number, raw in bounded_lines(handle):
            if only is not None and number not in only:
                continue
            if raw is None:
                yield problem(number, "the line is longer than a record file may be (setting max_record_file_mb)")
                continue
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8-sig")
                yield number, load_json(text), json_plain(text, len(raw))
            except UnicodeDecodeError as exc:
                yield problem(number, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
            except json.JSONDecodeError as exc:
                yield problem(number, f"cannot be parsed: {exc.msg} at column {exc.colno}")
            except LimitExceeded as exc:
                yield problem(number, f"cannot be read: {exc}")


def _file_problem(shown: str, reason: str) -> RecordProblem:
    return RecordProblem(shown, "(file)", "", reason)


def _read_documents(path: Path, shown: str) -> tuple[list[tuple[int, Any, bool]], RecordProblem | None]:
    """The file's (position, document or line problem, plain) triples, and what stopped the reading, if anything."""
    documents: list[tuple[int, Any, bool]] = []
    try:
        if path.suffix == ".jsonl":
            documents.extend(_jsonl_documents(path, shown))
        else:
            _documents(path, documents)
    except UnicodeDecodeError as exc:
        line = exc.object.count(b"\n", 0, exc.start) + 1
        return documents, _file_problem(shown, f"not UTF-8 text ({exc.reason} at byte {exc.start}, line {line})")
    except json.JSONDecodeError as exc:
        return documents, _file_problem(shown, f"cannot be parsed: {exc.msg} at line {exc.lineno} column {exc.colno}")
    except (_Unparsable, LimitExceeded) as exc:
        verb = "cannot be parsed" if isinstance(exc, _Unparsable) else "cannot be read"
        kept = f"; the {len(documents)} document(s) before it were read" if documents else ""
        return documents, _file_problem(shown, f"{verb}: {exc}{kept}")
    except OSError as exc:
        return documents, _file_problem(shown, f"cannot be read: {exc.strerror or exc}")
    return documents, None


def _check_document(document: Any, shown: str, position: int, plain: bool = False) -> list[RecordProblem]:
    """check_record, with any failure of the checks themselves as this record's problem."""
    try:
        return check_record(document, shown, position, plain)
    except Exception as exc:  # a value no check foresaw must not stop the other records
        log.debug("checking %s #%d failed", shown, position, exc_info=True)
        return [RecordProblem(shown, f"#{position}", "", f"cannot be checked: {type(exc).__name__}: {exc}")]


def iter_file(path: Path, display: str | None = None, lines: Container[int] | None = None,
              ) -> Iterator[Record | RecordProblem]:
    """The records and problems of one file, as they are read.

    A JSON Lines file is read line by line, so a file of any size costs the memory of one
    line (the streaming build reads exports of a million rows this way); a YAML or JSON file
    is one document tree and is read whole (:func:`load_file`). Same records, problems and
    positions as :func:`load_file`. ``lines`` reads only those lines of a JSON Lines file.
    """
    if path.suffix != ".jsonl":
        result = load_file(path, display)
        yield from result.records
        yield from result.problems
        return
    shown = display or str(path)
    empty = True
    try:
        for position, document, plain in _jsonl_documents(path, shown, lines):
            if document is None:
                continue
            empty = False
            if isinstance(document, RecordProblem):
                yield document
                continue
            problems = _check_document(document, shown, position, plain)
            if problems:
                yield from problems
            else:
                yield Record(document, shown, position)
    except LimitExceeded as exc:
        yield _file_problem(shown, f"cannot be read: {exc}")
        return
    except OSError as exc:
        yield _file_problem(shown, f"cannot be read: {exc.strerror or exc}")
        return
    if empty and lines is None:
        yield _file_problem(shown, "holds no record")


def load_file(path: Path, display: str | None = None) -> LoadResult:
    """Load and check every record of one file; problems are collected, never raised.

    A record's position is its document number in a YAML/JSON file and its line number
    in a JSON Lines file, so a report points straight at it. What a file may cost to read
    is bounded (converters.documents): over a limit, the file (or line) is a problem that
    says where, and the records read before it still count.
    """
    shown = display or str(path)
    result = LoadResult()
    documents, stopped = _read_documents(path, shown)
    for position, document, plain in documents:
        if document is None:
            continue
        if isinstance(document, RecordProblem):
            result.problems.append(document)
            continue
        problems = _check_document(document, shown, position, plain)
        if problems:
            result.problems.extend(problems)
        else:
            result.records.append(Record(document, shown, position))
    if stopped is not None:
        result.problems.append(stopped)
    elif all(document is None for _position, document, _plain in documents):  # empty, or only `null` / `---`
        result.problems.append(_file_problem(shown, "holds no record"))
    return result


def record_files(paths: Iterable[Path]) -> list[Path]:
    """Record files under the given files and folders, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in RECORD_SUFFIXES and p.is_file()))
        else:
            found.append(path)
    return found


def load_records(paths: Iterable[Path]) -> LoadResult:
    """Load every record under ``paths``; duplicate ids are problems of the later file."""
    total = LoadResult()
    seen: dict[str, str] = {}
    for path in record_files(paths):
        result = load_file(path)
        total.problems.extend(result.problems)
        for record in result.records:
            if record.id in seen:
                total.problems.append(
                    RecordProblem(record.file, record.id, "id", f"the id is already used by {seen[record.id]}")
                )
                continue
            seen[record.id] = record.file
            total.records.append(record)
    log.info("loaded %d records, %d problems", len(total.records), len(total.problems))
    return total
