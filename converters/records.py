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
from typing import Any, Iterable, Iterator

import jsonschema
import jsonschema_rs
import yaml
from jsonschema.exceptions import ValidationError, best_match

from .countries import by_alpha2
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


class _RecordLoader(yaml.SafeLoader):
    """Safe YAML that keeps dates as the strings the author wrote.

    PyYAML turns 2023-06-01 into a date and would reject 2019-02; records carry dates at
    the precision the source states, so they stay text and the schema checks their form.
    """


_RecordLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


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


def check_record(data: Any, file: str, position: int = 1) -> list[RecordProblem]:
    """Every schema problem of one record, plus the checks a schema cannot express."""
    name = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else f"#{position}"
    if not isinstance(data, dict):
        return [RecordProblem(file, name, "", f"a record must be a mapping, not {type(data).__name__}")]
    problems = []
    for error in schema_errors(data):
        detail = _reason(error)
        path = field_path(detail.absolute_path) or field_path(error.absolute_path)
        message = _address_problem(detail) or detail.message
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
        for key in ("total_cost", "eu_contribution", "co_financing"):
            if key in budget:
                try:
                    to_decimal(budget[key])
                except (InvalidOperation, ValueError, TypeError):
                    problems.append(RecordProblem(file, name, f"{prefix}.{key}", f"{budget[key]!r} is not a decimal amount"))

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


def _documents(path: Path) -> Iterator[Any]:
    """The documents of a YAML or JSON file; a JSON file may hold one record or a list."""
    text = path.read_text("utf-8")
    if path.suffix == ".json":
        document = json.loads(text)
        yield from document if isinstance(document, list) else [document]
    else:
        yield from yaml.load_all(text, Loader=_RecordLoader)  # noqa: S506 - a SafeLoader subclass


def _jsonl_documents(path: Path, shown: str) -> Iterator[tuple[int, Any]]:
    """(line number, record or problem) for each line: one bad line never hides the others."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                yield number, json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                yield number, RecordProblem(shown, f"line {number}", "", f"not UTF-8 text ({exc.reason})")
            except json.JSONDecodeError as exc:
                yield number, RecordProblem(shown, f"line {number}", "", f"cannot be parsed: {exc.msg} at column {exc.colno}")


def _file_problem(shown: str, reason: str) -> LoadResult:
    return LoadResult(problems=[RecordProblem(shown, "(file)", "", reason)])


def load_file(path: Path, display: str | None = None) -> LoadResult:
    """Load and check every record of one file; problems are collected, never raised.

    A record's position is its document number in a YAML/JSON file and its line number
    in a JSON Lines file, so a report points straight at it.
    """
    shown = display or str(path)
    result = LoadResult()
    try:
        if path.suffix == ".jsonl":
            documents = list(_jsonl_documents(path, shown))
        else:
            documents = list(enumerate(_documents(path), start=1))
    except UnicodeDecodeError as exc:
        return _file_problem(shown, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
    except json.JSONDecodeError as exc:
        return _file_problem(shown, f"cannot be parsed: {exc.msg} at line {exc.lineno} column {exc.colno}")
    except yaml.YAMLError as exc:
        return _file_problem(shown, f"cannot be parsed: {exc}")
    except OSError as exc:
        return _file_problem(shown, f"cannot be read: {exc.strerror}")
    for position, document in documents:
        if document is None:
            continue
        if isinstance(document, RecordProblem):
            result.problems.append(document)
            continue
        problems = check_record(document, shown, position)
        if problems:
            result.problems.extend(problems)
        else:
            result.records.append(Record(document, shown, position))
    if not documents:
        result.problems.append(RecordProblem(shown, "(file)", "", "holds no record"))
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
