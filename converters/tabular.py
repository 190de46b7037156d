"""Any tabular export (CSV or XLSX) -> eulod records, through a declarative column mapping.

A mapping is a YAML file (shipped ones in converters/mappings/) that says, for each record
field, where its value comes from. A *value spec* is one of:

- ``"Column name"``: the cell as text;
- ``{column: C, type: T, map: {...}, strict: false, split: ";", default: D}``: the cell
  read as ``T`` (text, date, amount, rate, integer, country, url, code), translated through
  ``map`` when given (a value not in it is a problem, or left out with ``strict: false``),
  split into a list when ``split`` is given, ``default`` when blank;
- ``{template: "kohesio-{Project ID}", slug: true}``: cells put into a text;
- ``{value: V}``: a constant.

``record`` maps dotted record fields (``budget.total_cost``) to specs; ``identifiers`` and
``participants`` are lists of small mappings of their own. Rows are streamed (XLSX in
openpyxl's read-only mode), each record is checked against the record schema, and each
bad row is reported with its line (CSV) or row (XLSX) number while the good ones go on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

import yaml

from eulod.iris import slugify

from . import cells
from .cells import ImportItem, RowProblems
from .organisations import municipality_city, organisation_id
from .records import RecordProblem, check_record

log = logging.getLogger(__name__)

TYPES = ("text", "date", "amount", "rate", "integer", "country", "url", "code")
SHIPPED = "mappings"


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the file and the key."""


@dataclass
class Mapping:
    name: str
    record: dict[str, Any]
    identifiers: list[dict[str, Any]] = field(default_factory=list)
    participants: list[dict[str, Any]] = field(default_factory=list)
    language: Any = "en"
    format: str | None = None
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    sheet: str | None = None
    header_row: int = 1
    countries: dict[str, str] = field(default_factory=dict)


def shipped_mappings() -> dict[str, str]:
    """Name -> YAML text of the mappings shipped with eulod (kohesio, keep-eu, municipality)."""
    folder = resources.files("eulod.converters").joinpath(SHIPPED)
    return {e.name[:-5]: e.read_text("utf-8") for e in folder.iterdir() if e.name.endswith(".yaml") and e.name != "cordis.yaml"}


def load_mapping(path_or_name: str) -> Mapping:
    """A mapping from a YAML file, or a shipped one by name (``kohesio``)."""
    path = Path(path_or_name)
    if path.is_file():
        text, name = path.read_text("utf-8"), str(path)
    else:
        shipped = shipped_mappings()
        if path_or_name not in shipped:
            raise MappingError(f"{path_or_name}: no such mapping file, nor a shipped mapping ({', '.join(sorted(shipped))})")
        text, name = shipped[path_or_name], path_or_name
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError(f"{name}: cannot be parsed: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("record"), dict):
        raise MappingError(f"{name}: a mapping needs a 'record' section mapping record fields to columns")
    known = {"record", "identifiers", "participants", "language", "format", "delimiter", "encoding", "sheet",
             "header_row", "countries", "description"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise MappingError(f"{name}: unknown key(s) {', '.join(unknown)}")
    if "id" not in data["record"] or "title" not in data["record"]:
        raise MappingError(f"{name}: record: 'id' and 'title' must be mapped")
    data.pop("description", None)
    mapping = Mapping(name=name, **data)
    for where, spec in _all_specs(mapping):
        _check_spec(name, where, spec)
    return mapping


def _all_specs(mapping: Mapping) -> Iterator[tuple[str, Any]]:
    if not isinstance(mapping.language, str):
        yield "language", mapping.language
    for key, spec in mapping.record.items():
        yield f"record.{key}", spec
    for n, identifier in enumerate(mapping.identifiers):
        yield f"identifiers[{n}].value", identifier.get("value")
    for n, participant in enumerate(mapping.participants):
        yield f"participants[{n}].role", participant.get("role")
        for key, spec in (participant.get("organisation") or {}).items():
            yield f"participants[{n}].organisation.{key}", spec
        for key, spec in (participant.get("budget") or {}).items():
            yield f"participants[{n}].budget.{key}", spec


def _check_spec(name: str, where: str, spec: Any) -> None:
    if isinstance(spec, str):
        return
    if not isinstance(spec, dict) or not ({"column", "template", "value"} & set(spec)):
        raise MappingError(f"{name}: {where}: give a column name, or a mapping with column, template or value")
    if spec.get("type", "text") not in TYPES:
        raise MappingError(f"{name}: {where}: type {spec['type']!r} is not one of {', '.join(TYPES)}")


class _Row:
    """One row being mapped: reads specs, collects problems under the row's line."""

    def __init__(self, mapping: Mapping, row: dict[str, Any], problems: RowProblems) -> None:
        self.mapping, self.row, self.problems = mapping, row, problems

    def value(self, spec: Any) -> Any:
        """The value a spec gives for this row; None for blank cells and unreadable ones."""
        if isinstance(spec, str):
            spec = {"column": spec}
        if "value" in spec:
            return spec["value"]
        if "template" in spec:
            try:
                text = spec["template"].format_map(_Cells(self.row))
            except KeyError as exc:
                self.problems.add(str(exc.args[0]), "the column is empty or missing")
                return None
            return slugify(text) if spec.get("slug") else text
        column = spec["column"]
        if column not in self.row:
            self.problems.add(column, "no such column in the file")
            return None
        raw = self.row[column]
        if cells.blank(raw):
            return spec.get("default")
        if spec.get("split"):
            parts = [part.strip() for part in str(raw).split(spec["split"]) if part.strip()]
            values = [self._one(spec, column, part) for part in parts]
            return [v for v in values if v is not None] or None
        return self._one(spec, column, raw)

    def _one(self, spec: dict[str, Any], column: str, raw: Any) -> Any:
        if "map" in spec:
            key = str(raw).strip()
            if key not in spec["map"]:
                if spec.get("strict", True) is False:
                    return None  # the mapping says unknown values are left out
                self.problems.add(column, f"{key!r} is not one of the values the mapping knows ({', '.join(map(str, spec['map']))})")
                return None
            return spec["map"][key]
        parse = {
            "text": lambda v: " ".join(str(v).split()) if "\n" not in str(v) else str(v).strip(),
            "code": lambda v: str(v).strip(),
            "date": cells.iso_date,
            "amount": cells.amount,
            "rate": cells.rate,
            "integer": _integer,
            "country": partial(cells.country, eu_codes=self.mapping.countries),
            "url": _url,
        }[spec.get("type", "text")]
        try:
            return parse(raw)
        except (cells.CellError, ArithmeticError, ValueError) as exc:
            self.problems.add(column, str(exc))
            return None


class _Cells(dict):
    """Template lookups: the row's cells, with blank ones missing."""

    def __init__(self, row: dict[str, Any]) -> None:
        super().__init__({k: str(v).strip() for k, v in row.items() if not cells.blank(v)})


def _integer(value: Any) -> int:
    number = Decimal(cells.amount(value))
    if number != number.to_integral_value():
        raise cells.CellError(f"{value!r} is not a whole number")
    return int(number)


def _url(value: Any) -> str:
    found = cells.url(value)
    if found is None:
        raise cells.CellError(f"{value!r} is not a web address")
    return found


def _put(target: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for key in parents:
        target = target.setdefault(key, {})
    target[last] = value


def _country_into(organisation: dict[str, Any]) -> None:
    """A 'country' spec gives (code, stated); the record keeps both fields."""
    found = organisation.pop("country", None)
    if found:
        organisation["country"] = found[0]
        if found[1]:
            organisation["country_as_stated"] = found[1]


def map_row(mapping: Mapping, row: dict[str, Any], source: str, problems: RowProblems) -> dict[str, Any] | None:
    """The record one row gives, or None when the row has problems (in ``problems``)."""
    reader = _Row(mapping, row, problems)
    record: dict[str, Any] = {"id": None, "language": None, "source": {"file": source}}
    # A plain string is the language tag itself; a spec reads it from a column.
    language = mapping.language if isinstance(mapping.language, str) else reader.value(mapping.language)
    record["language"] = language or "en"
    for key, spec in mapping.record.items():
        value = reader.value(spec)
        if value is not None:
            _put(record, key, value)
    identifiers = []
    for identifier in mapping.identifiers:
        value = reader.value(identifier["value"])
        if value is not None:
            identifiers.append({"scheme": identifier["scheme"], "value": str(value)})
    if identifiers:
        record["identifiers"] = identifiers
    participants = []
    for spec in mapping.participants:
        participants.extend(_participants(reader, spec))
    if participants:
        record["participants"] = participants
    if not record.get("id"):
        spec = mapping.record["id"]
        problems.add(spec if isinstance(spec, str) else str(spec.get("column") or spec.get("template")), "no project id")
    return None if problems.items else record


def _participants(reader: _Row, spec: dict[str, Any]) -> list[dict[str, Any]]:
    fields = dict(spec.get("organisation") or {})
    names = reader.value(fields.pop("name"))
    if names is None:
        return []
    shared: dict[str, Any] = {}
    for key, value_spec in fields.items():
        value = reader.value(value_spec)
        if value is not None:
            shared[key] = value
    _country_into(shared)
    role = reader.value(spec.get("role", {"value": "partner"}))
    budget = {k: v for k, v in ((k, reader.value(s)) for k, s in (spec.get("budget") or {}).items()) if v is not None}
    out = []
    for name in names if isinstance(names, list) else [names]:
        organisation = {"name": name, **shared}
        if "type" not in organisation and municipality_city(name):
            organisation["type"] = "municipality"
        organisation["id"] = organisation_id(name, kind=organisation.get("type"), city=organisation.get("city"))
        participant: dict[str, Any] = {"organisation": organisation, "role": role}
        if budget and not isinstance(names, list):
            participant["budget"] = budget
        out.append(participant)
    return out


def table_rows(path: Path, mapping: Mapping) -> Iterator[tuple[int, dict[str, Any]]]:
    """The file's rows, CSV or XLSX as the mapping (or else the file suffix) says."""
    kind = mapping.format or ("xlsx" if path.suffix.lower() in (".xlsx", ".xlsm") else "csv")
    if kind == "xlsx":
        return cells.xlsx_rows(path, mapping.sheet, mapping.header_row)
    return cells.csv_rows(path, mapping.delimiter, mapping.encoding)


def read_table(path: Path, mapping: Mapping, *, check: bool = True) -> Iterator[ImportItem]:
    """Records from a tabular file, one item per row (a record or a problem)."""
    source = path.name
    unit = "row" if (mapping.format or path.suffix.lower().lstrip(".")) in ("xlsx", "xlsm") else "line"
    seen: dict[str, int] = {}  # id -> line: one small entry per record, for duplicate ids
    for line, row in table_rows(path, mapping):
        problems = RowProblems(source, line, unit)
        if "\0cells" in row:
            problems.add("", row.pop("\0cells"))
        record = map_row(mapping, row, source, problems) if not problems.items else None
        if record is not None and record["id"] in seen:
            problems.add("id", f"the id {record['id']!r} is already used on line {seen[record['id']]}")
            record = None
        if record is not None and check:
            for problem in check_record(record, source, line):
                problems.add(problem.field, problem.reason)
            if problems.items:
                record = None
        for problem in problems.items:
            yield ImportItem(line, problem=problem)
        if record is not None:
            seen[record["id"]] = line
            yield ImportItem(line, record=record)
