"""Any tabular export (CSV or XLSX) -> eulod records, through a declarative column mapping.

A mapping is a YAML file (shipped ones in converters/mappings/) that says, for each record
field, where its value comes from. A *value spec* is one of:

- ``"Column name"``: the cell as text;
- ``{column: C, type: T, map: {...}, strict: false, split: ";", default: D, part: P}``: the
  cell read as ``T`` (text, date, amount, rate, integer, country, url, code), translated through
  ``map`` when given (a value not in it is a problem, or left out with ``strict: false``),
  split into a list when ``split`` is given, ``default`` when blank; ``column`` may be a list
  of columns, the first filled one counts; ``part: last-segment`` keeps only the last path
  segment of a web address (``https://linkedopendata.eu/entity/Q2861046`` -> ``Q2861046``);
- ``{template: "kohesio-{Project ID}", slug: true, part: P}``: cells put into a text (``part``
  applies to each cell put in);
- ``{value: V}``: a constant;
- ``{zip: {code: SPEC, label: SPEC}, split: "|"}``: a list of items whose keys come from cells
  split alike, paired by position (Kohesio's "144|146" with its two labels);
- ``[SPEC, SPEC, ...]``: the values of several specs as one list (NUTS 1, 2 and 3 codes).

A column spec may say ``optional: true`` (the file may lack the column: a mapping that reads
several vintages of an export), ``digits: N`` for ``code`` (a numeric code padded: "10.0" ->
"010"), and ``split`` may list several separators; ``coordinates`` reads "lat,long" or WKT
``Point(long lat)``. The header is checked once against every column the mapping reads, so a
missing column is one error for the file, not one per row.

``record`` maps dotted record fields (``budget.total_cost``) to specs; ``identifiers`` and
``participants`` are lists of small mappings of their own. ``blank_markers`` lists the texts an
export writes for "no value" ("N.a.", "n/a", "-"): such cells count as blank.

``join`` attaches the rows of a second table as participants: a sheet of the same workbook
(keep.eu puts one row per partner on its own sheet) or a second file, matched to each record's
row on key columns. ``keys`` is a list of alternative keys tried in order (keep.eu: programme and
project id, else programme and acronym); the first key whose cells are filled in the record's
row and that finds rows wins. Rows that match no record, or have no key, are reported with
their sheet (or file) and row; none is dropped silently.

Rows are streamed (XLSX in openpyxl's read-only mode), each record is checked against the
record schema, and each bad row is reported with its line (CSV) or row (XLSX) number while the
good ones go on. A joined table is the exception: it is read once and indexed in memory by key
(thousands of rows in the exports eulod reads), so that the main table can stream past it.
"""

from __future__ import annotations

import itertools
import logging
import re
import string
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

import yaml

from eulod.core.iris import last_segment, slugify

from . import cells
from .cells import ImportItem, RowProblems
from .documents import LimitExceeded, load_yaml, read_text, yaml_reason
from .organisations import municipality_city, organisation_id, same_as_id
from .records import RecordProblem, check_record

log = logging.getLogger(__name__)

TYPES = ("text", "date", "amount", "rate", "integer", "country", "url", "code", "coordinates")
PARTS = ("last-segment",)
SHIPPED = "mappings"


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the file and the key."""


@dataclass
class Join:
    """Rows of a second table attached to each record as participants, matched on key columns.

    ``keys`` holds the alternative keys in the order they are tried; each is a list of
    (column of the main table, column of the joined table) pairs.
    """

    keys: list[list[tuple[str, str]]]
    participants: list[dict[str, Any]]
    sheet: str | None = None
    file: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    header_row: int = 1


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
    blank_markers: list[str] = field(default_factory=list)
    join: list[Join] = field(default_factory=list)


def shipped_mappings() -> dict[str, str]:
    """Name -> YAML text of the mappings shipped with eulod (kohesio, keep-eu, municipality)."""
    folder = resources.files("eulod.converters").joinpath(SHIPPED)
    return {e.name[:-5]: e.read_text("utf-8") for e in folder.iterdir() if e.name.endswith(".yaml") and e.name != "cordis.yaml"}


def load_mapping(path_or_name: str) -> Mapping:
    """A mapping from a YAML file, or a shipped one by name (``kohesio``)."""
    path = Path(path_or_name)
    if path.is_file():
        name = str(path)
        try:
            text = read_text(path)
        except LimitExceeded as exc:
            raise MappingError(f"{name}: {exc}") from None
        except UnicodeDecodeError as exc:
            raise MappingError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    else:
        shipped = shipped_mappings()
        if path_or_name not in shipped:
            raise MappingError(f"{path_or_name}: no such mapping file, nor a shipped mapping ({', '.join(sorted(shipped))})")
        text, name = shipped[path_or_name], path_or_name
    try:
        data = load_yaml(text)  # bounded: depth, aliases and what they expand to (converters.documents)
    except yaml.YAMLError as exc:
        raise MappingError(f"{name}: cannot be parsed: {yaml_reason(exc, text)}") from None
    if not isinstance(data, dict) or not isinstance(data.get("record"), dict):
        raise MappingError(f"{name}: a mapping needs a 'record' section mapping record fields to columns")
    known = {"record", "identifiers", "participants", "language", "format", "delimiter", "encoding", "sheet",
             "header_row", "countries", "description", "blank_markers", "join"}
    unknown = sorted(map(str, set(data) - known))
    if unknown:
        raise MappingError(f"{name}: unknown key(s) {', '.join(unknown)}")
    if "id" not in data["record"] or "title" not in data["record"]:
        raise MappingError(f"{name}: record: 'id' and 'title' must be mapped")
    data.pop("description", None)
    markers = data.get("blank_markers", [])
    if not isinstance(markers, list) or not all(isinstance(m, str) and m.strip() for m in markers):
        raise MappingError(f"{name}: blank_markers: give a list of texts, such as [\"N.a.\", \"n/a\", \"-\"]")
    joins = data.get("join", [])
    if not isinstance(joins, list):
        raise MappingError(f"{name}: join: give a list of joins (sheet or file, keys, participants)")
    data["join"] = [_load_join(f"{name}: join[{n}]", entry) for n, entry in enumerate(joins)]
    mapping = Mapping(name=name, **data)
    for where, participant in _all_participants(mapping):
        if not isinstance(participant, dict) or not isinstance(participant.get("organisation"), dict) \
                or not {"name", "same_as"} & set(participant["organisation"]):
            raise MappingError(f"{name}: {where}: a participant needs organisation: {{name: ...}} (or same_as: ...)")
    joined = (spec for number, join in enumerate(mapping.join) for spec in joined_specs(join, number))
    for where, spec in itertools.chain(_all_specs(mapping), joined):
        _check_spec(name, where, spec)
    return mapping


def _load_join(where: str, data: Any) -> Join:
    """One ``join`` entry of a mapping, checked: every mistake names the entry and the key."""
    if not isinstance(data, dict):
        raise MappingError(f"{where}: give sheet (or file), keys and participants")
    unknown = sorted(map(str, set(data) - {"sheet", "file", "keys", "participants", "delimiter", "encoding", "header_row"}))
    if unknown:
        raise MappingError(f"{where}: unknown key(s) {', '.join(unknown)}")
    if bool(data.get("sheet")) == bool(data.get("file")):
        raise MappingError(f"{where}: give either sheet (a sheet of the same workbook) or file (another file), one of them")
    keys = data.get("keys")
    if not isinstance(keys, list) or not keys:
        raise MappingError(f"{where}: keys: give the columns to join on, or a list of alternative lists of them")
    if all(isinstance(k, (str, dict)) for k in keys):
        keys = [keys]  # one key, not a list of alternatives
    alternatives = []
    for alternative in keys:
        if not isinstance(alternative, list) or not alternative:
            raise MappingError(f"{where}: keys: each alternative is a list of columns")
        pairs = []
        for column in alternative:
            if isinstance(column, str):
                pairs.append((column, column))
            elif isinstance(column, dict) and len(column) == 1 and all(isinstance(c, str) for c in (*column, *column.values())):
                pairs.append(next(iter(column.items())))
            else:
                raise MappingError(f"{where}: keys: a key column is a name, or {{column of the main table: column of this one}}")
        alternatives.append(pairs)
    if not isinstance(data.get("participants"), list) or not data["participants"]:
        raise MappingError(f"{where}: participants: say how a joined row makes a participant (role, organisation, budget)")
    return Join(keys=alternatives, **{k: v for k, v in data.items() if k != "keys"})


def _all_participants(mapping: Mapping) -> Iterator[tuple[str, Any]]:
    for n, participant in enumerate(mapping.participants):
        yield f"participants[{n}]", participant
    for j, join in enumerate(mapping.join):
        for n, participant in enumerate(join.participants):
            yield f"join[{j}].participants[{n}]", participant


def _all_specs(mapping: Mapping) -> Iterator[tuple[str, Any]]:
    """(where, spec) for every spec read from the main table's rows."""
    if not isinstance(mapping.language, str):
        yield "language", mapping.language
    for key, spec in mapping.record.items():
        yield f"record.{key}", spec
    for n, identifier in enumerate(mapping.identifiers):
        yield f"identifiers[{n}].value", identifier.get("value")
    for n, participant in enumerate(mapping.participants):
        yield from _participant_specs(f"participants[{n}]", participant)


def joined_specs(join: Join, number: int = 0) -> Iterator[tuple[str, Any]]:
    """(where, spec) for every spec read from a joined table's rows."""
    for n, participant in enumerate(join.participants):
        yield from _participant_specs(f"join[{number}].participants[{n}]", participant)


def _participant_specs(where: str, participant: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    if "role" in participant:
        yield f"{where}.role", participant["role"]
    for key, spec in (participant.get("organisation") or {}).items():
        yield f"{where}.organisation.{key}", spec
    for key, spec in (participant.get("budget") or {}).items():
        yield f"{where}.budget.{key}", spec


def _check_spec(name: str, where: str, spec: Any) -> None:
    if isinstance(spec, str):
        return
    if isinstance(spec, list) and spec:  # values of several specs, one list
        for n, inner in enumerate(spec):
            _check_spec(name, f"{where}[{n}]", inner)
        return
    if isinstance(spec, dict) and "zip" in spec:
        if not isinstance(spec["zip"], dict) or not spec["zip"] or not spec.get("split"):
            raise MappingError(f"{name}: {where}: zip: give {{key: spec, ...}} and split (the separator of the cells)")
        for key, inner in spec["zip"].items():
            _check_spec(name, f"{where}.zip.{key}", inner)
        return
    if not isinstance(spec, dict) or not ({"column", "template", "value"} & set(spec)):
        raise MappingError(f"{name}: {where}: give a column name, or a mapping with column, template or value")
    if spec.get("type", "text") not in TYPES:
        raise MappingError(f"{name}: {where}: type {spec['type']!r} is not one of {', '.join(TYPES)}")
    if spec.get("part") is not None and spec["part"] not in PARTS:
        raise MappingError(f"{name}: {where}: part {spec['part']!r} is not one of {', '.join(PARTS)}")
    if "digits" in spec and not (isinstance(spec["digits"], int) and not isinstance(spec["digits"], bool)
                                 and 0 < spec["digits"] <= 20):
        raise MappingError(f"{name}: {where}: digits: give how many digits the code has (a whole number)")
    if "optional" in spec and not isinstance(spec["optional"], bool):
        raise MappingError(f"{name}: {where}: optional: give true (the file may lack the column) or false")
    split = spec.get("split")
    if split is not None and not (isinstance(split, str) and split or isinstance(split, list) and split
                                  and all(isinstance(s, str) and s for s in split)):
        raise MappingError(f"{name}: {where}: split: give a separator, or a list of them")
    column = spec.get("column")
    if isinstance(column, list) and not (column and all(isinstance(c, str) for c in column)):
        raise MappingError(f"{name}: {where}: column: give a column name, or a list of names (the first filled one counts)")


def _part(text: str, part: str | None) -> str:
    """The piece of a cell a spec's ``part`` keeps (the whole cell without one)."""
    if part == "last-segment":
        return last_segment(text.strip())
    return text


class _Row:
    """One row being mapped: reads specs, collects problems under the row's line."""

    def __init__(self, mapping: Mapping, row: dict[str, Any], problems: RowProblems) -> None:
        self.mapping, self.row, self.problems = mapping, row, problems

    def value(self, spec: Any) -> Any:
        """The value a spec gives for this row; None for blank cells and unreadable ones."""
        if isinstance(spec, str):
            spec = {"column": spec}
        if isinstance(spec, list):  # several specs, their values one list (NUTS codes of three columns)
            found = [self.value(inner) for inner in spec]
            values = [v for value in found if value is not None for v in (value if isinstance(value, list) else [value])]
            return values or None
        if "zip" in spec:
            return self._zipped(spec)
        if "value" in spec:
            return spec["value"]
        if "template" in spec:
            try:
                text = spec["template"].format_map(_Cells(self.row, spec.get("part")))
            except KeyError as exc:
                self.problems.add(str(exc.args[0]), "the column is empty or missing")
                return None
            return slugify(text) if spec.get("slug") else text
        found = self._cell(spec["column"])
        if found is None:
            return None
        column, raw = found
        if cells.blank(raw):
            return spec.get("default")
        if spec.get("split"):
            values = [self._one(spec, column, part) for part in _split(raw, spec["split"])]
            return [v for v in values if v is not None] or None
        return self._one(spec, column, raw)

    def _zipped(self, spec: dict[str, Any]) -> list[dict[str, Any]] | None:
        """Items made of several columns split alike, paired by position (codes and their labels).

        The first key leads: one item per value of it. A key whose cell splits into a different
        number of values cannot be paired (Kohesio writes 9 LAU codes beside 8 names), so the
        items go without it and a warning names the row; the values read are never re-paired by guess.
        """
        lists: dict[str, list[Any]] = {}
        columns: dict[str, Any] = {}
        for key, inner in spec["zip"].items():
            inner = {"column": inner} if isinstance(inner, str) else dict(inner)
            inner["split"] = spec["split"]
            columns[key] = inner.get("column", key)
            found = self.value(inner)
            lists[key] = found if isinstance(found, list) else ([] if found is None else [found])
        lead, *others = lists
        if not lists[lead]:
            return None
        for key in others:
            if lists[key] and len(lists[key]) != len(lists[lead]):
                log.warning("%s: %s %d: %s has %d values for the %d of %s: left unpaired (%s not published)",
                            self.problems.file, self.problems.unit, self.problems.line, columns[key], len(lists[key]),
                            len(lists[lead]), columns[lead], key)
                lists[key] = []
        return [{key: values[n] for key, values in lists.items() if values} for n in range(len(lists[lead]))]

    def _cell(self, columns: str | list[str]) -> tuple[str, Any] | None:
        """(column, cell): the column's cell, or the first filled one of a list of columns.

        Columns absent from the file were checked once against the header (check_header): a
        list may name columns of several vintages of an export, of which the file has some.
        """
        names = columns if isinstance(columns, list) else [columns]
        present = [c for c in names if c in self.row]
        if not present:
            return None
        names = present
        filled = [c for c in names if not cells.blank(self.row[c])]
        column = filled[0] if filled else names[0]
        return column, self.row[column]

    def _one(self, spec: dict[str, Any], column: str, raw: Any) -> Any:
        if spec.get("part"):
            raw = _part(str(raw), spec["part"])
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
            "code": partial(_code, digits=spec.get("digits")),
            "date": cells.iso_date,
            "amount": cells.amount,
            "rate": cells.rate,
            "integer": _integer,
            "country": partial(cells.country, eu_codes=self.mapping.countries),
            "url": _url,
            "coordinates": cells.coordinates,
        }[spec.get("type", "text")]
        try:
            return parse(raw)
        except (cells.CellError, ArithmeticError, ValueError) as exc:
            self.problems.add(column, str(exc))
            return None


class _Cells(dict):
    """Template lookups: the row's cells (or the ``part`` of them the spec keeps), with blank ones missing."""

    def __init__(self, row: dict[str, Any], part: str | None = None) -> None:
        super().__init__({k: _part(str(v).strip(), part) for k, v in row.items() if not cells.blank(v)})


def _split(raw: Any, separators: str | list[str]) -> list[str]:
    """A cell's values: split at any of the separators, blanks dropped."""
    pattern = "|".join(map(re.escape, [separators] if isinstance(separators, str) else separators))
    return [part.strip() for part in re.split(pattern, str(raw)) if part.strip()]


def _code(value: Any, digits: int | None = None) -> str:
    """A code as written; with ``digits``, a numeric code as that many digits ("10.0" -> "010").

    Some exports pass codes through a spreadsheet that makes numbers of them (Kohesio's French
    file writes category of intervention 010 as "10.0"); ``digits`` says how the code list
    writes them. A code that is not a whole number is kept as written.
    """
    text = str(value).strip()
    if digits:
        try:
            number = Decimal(text)
        except ArithmeticError:
            return text
        if number.is_finite() and number == number.to_integral_value() and number >= 0:
            return str(int(number)).zfill(digits)
    return text


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
    names = reader.value(fields.pop("name")) if "name" in fields else None
    shared: dict[str, Any] = {}
    for key, value_spec in fields.items():
        value = reader.value(value_spec)
        if value is not None:
            shared[key] = value
    if names is None:
        # Known only by its IRI elsewhere (Kohesio's 2021-2027 files give the beneficiary as a
        # linkedopendata.eu entity, no name): an organisation with that IRI, named by nobody.
        return _unnamed_participant(reader, spec, shared)
    _country_into(shared)
    role = reader.value(spec.get("role", {"value": "partner"}))
    budget = {k: v for k, v in ((k, reader.value(s)) for k, s in (spec.get("budget") or {}).items()) if v is not None}
    out = []
    for name in names if isinstance(names, list) else [names]:
        organisation = {"name": name, **shared}
        # As in the CORDIS importer: a public body whose name reads as a municipality's
        # ("Municipality of Palermo", typed "Local public authority") is that municipality,
        # so it gets the <city>-municipality id the fact sheets give it.
        if organisation.get("type") in (None, "public-body") and municipality_city(name):
            organisation["type"] = "municipality"
        organisation["id"] = organisation_id(name, kind=organisation.get("type"), city=organisation.get("city"))
        participant: dict[str, Any] = {"organisation": organisation, "role": role}
        if budget and not isinstance(names, list):
            participant["budget"] = budget
        out.append(participant)
    return out


def _unnamed_participant(reader: _Row, spec: dict[str, Any], organisation: dict[str, Any]) -> list[dict[str, Any]]:
    """The participant of an organisation the row gives only by its IRI (same_as), or none.

    Its id is the mapping's ``id`` when given, else the slug of the IRI's host and last segment
    (organisations.same_as_id), so every row naming the same IRI names the same organisation
    and nothing is made up for a name.
    """
    if not organisation.get("same_as"):
        return []
    _country_into(organisation)
    organisation.setdefault("id", same_as_id(organisation["same_as"]))
    participant: dict[str, Any] = {"organisation": organisation, "role": reader.value(spec.get("role", {"value": "partner"}))}
    budget = {k: v for k, v in ((k, reader.value(s)) for k, s in (spec.get("budget") or {}).items()) if v is not None}
    if budget:
        participant["budget"] = budget
    return [participant]


def _kind(path: Path, mapping: Mapping) -> str:
    return mapping.format or ("xlsx" if path.suffix.lower() in (".xlsx", ".xlsm") else "csv")


def _rows(path: Path, kind: str, sheet: str | None, header_row: int, delimiter: str | None, encoding: str | None,
          markers: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """A table's rows (a sheet of an XLSX workbook, or a CSV file), blank markers made blank."""
    if kind == "xlsx":
        rows = cells.xlsx_rows(path, sheet, header_row)
    else:
        rows = cells.csv_rows(path, delimiter, encoding)
    return cells.without_markers(rows, markers)


def _header(path: Path, kind: str, sheet: str | None, header_row: int, delimiter: str | None,
            encoding: str | None) -> list[str]:
    """The table's column names, read once; CellError naming the file when it is not a table."""
    if kind == "xlsx":
        return cells.xlsx_header(path, sheet, header_row)
    return cells.csv_header(path, delimiter or ",", encoding or "utf-8-sig")


def spec_column_groups(spec: Any) -> list[tuple[list[str], bool]]:
    """(columns, optional) for each cell a spec reads; a list of columns needs any one of them."""
    if isinstance(spec, str):
        return [([spec], False)]
    if isinstance(spec, list):
        return [group for inner in spec for group in spec_column_groups(inner)]
    if not isinstance(spec, dict):
        return []
    if "zip" in spec:
        return [group for inner in spec["zip"].values() for group in spec_column_groups(inner)]
    optional = spec.get("optional") is True
    if "column" in spec:
        return [(spec["column"] if isinstance(spec["column"], list) else [spec["column"]], optional)]
    if "template" in spec:
        fields = [name for _, name, _, _ in string.Formatter().parse(spec["template"]) if name]
        return [([name], optional) for name in fields]
    return []


def check_header(header: list[str], specs: Iterator[tuple[str, Any]], keys: Iterator[str], label: str,
                 mapping: str) -> None:
    """Every column the mapping reads must be in the header: one error for the file, not one per row.

    A column marked ``optional: true``, or any one of a list of columns, may be absent (a
    mapping may serve several vintages of an export, such as Kohesio's 2014-2020 and 2021-2027
    files).
    """
    have = set(header)
    missing = [" or ".join(columns) for _where, spec in specs for columns, optional in spec_column_groups(spec)
               if not optional and not have.intersection(columns)]
    missing.extend(key for key in keys if key not in have)
    if missing:
        shown = ", ".join(header)
        shown = shown if len(shown) <= 300 else shown[:297] + "..."
        raise cells.CellError(f"{label}: no column {', '.join(dict.fromkeys(missing))}, which mapping {mapping} reads "
                              f"(the file's header: {shown})")


def table_rows(path: Path, mapping: Mapping) -> Iterator[tuple[int, dict[str, Any]]]:
    """The file's rows, CSV or XLSX as the mapping (or else the file suffix) says, blank markers made blank."""
    return _rows(path, _kind(path, mapping), mapping.sheet, mapping.header_row, mapping.delimiter, mapping.encoding,
                 mapping.blank_markers)


def _key_cell(value: Any) -> str | None:
    """A key cell as compared across tables: spaces collapsed, case folded, 42.0 read as 42."""
    if cells.blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()).casefold()


class _JoinedTable:
    """The rows of one join, indexed in memory by key, and which of them a record has taken.

    Only the main table streams: a joined table (a partner sheet has a few rows per project,
    thousands in a whole export) is held as its rows plus a dict key -> row positions. A table
    too large for memory would need an on-disk index like the CORDIS importer's.
    """

    def __init__(self, join: Join, label: str, unit: str) -> None:
        self.join, self.label, self.unit = join, label, unit
        self.rows: list[tuple[int, dict[str, Any]]] = []
        self.index: dict[tuple[int, tuple[str, ...]], list[int]] = {}
        self.used: set[int] = set()

    def _key(self, row: dict[str, Any], number: int, side: int, label: str) -> tuple[int, tuple[str, ...]] | None:
        """Key ``number`` of a row (side 0: main table, 1: joined table); None when a key cell is blank."""
        values = []
        for pair in self.join.keys[number]:
            column = pair[side]
            if column not in row:
                raise cells.CellError(f"{label}: no column {column!r} to join on (mapping key join.keys)")
            value = _key_cell(row[column])
            if value is None:
                return None
            values.append(value)
        return number, tuple(values)

    def _columns(self, side: int) -> str:
        return ", ".join(dict.fromkeys(pair[side] for alternative in self.join.keys for pair in alternative))

    def fill(self, rows: Iterator[tuple[int, dict[str, Any]]]) -> Iterator[ImportItem]:
        """Index the rows; a row that cannot be joined is an item with a problem."""
        for line, row in rows:
            problems = RowProblems(self.label, line, self.unit)
            if "\0cells" in row:
                problems.add("", row.pop("\0cells"))
            keys = [k for k in (self._key(row, n, 1, self.label) for n in range(len(self.join.keys))) if k]
            if not keys:
                wanted = " or ".join(" + ".join(pair[1] for pair in alternative) for alternative in self.join.keys)
                problems.add(self._columns(1), f"no key to join the row to a record: {wanted} must be filled")
            if problems.items:
                yield from (ImportItem(line, problem=problem) for problem in problems.items)
                continue
            for key in keys:
                self.index.setdefault(key, []).append(len(self.rows))
            self.rows.append((line, row))

    def match(self, row: dict[str, Any], label: str) -> list[tuple[int, dict[str, Any]]]:
        """The joined rows of a main-table row: those of the first key that finds any."""
        for number in range(len(self.join.keys)):
            key = self._key(row, number, 0, label)
            if key is not None and key in self.index:
                positions = self.index[key]
                self.used.update(positions)
                return [self.rows[p] for p in positions]
        return []

    def participants(
        self, mapping: Mapping, rows: list[tuple[int, dict[str, Any]]]
    ) -> tuple[list[dict[str, Any]], list[ImportItem]]:
        """The participants the rows give, and the problems of the rows that cannot give one."""
        found: list[dict[str, Any]] = []
        items: list[ImportItem] = []
        for line, row in rows:
            problems = RowProblems(self.label, line, self.unit)
            reader = _Row(mapping, row, problems)
            participants = [p for spec in self.join.participants for p in _participants(reader, spec)]
            if not participants and not problems.items:
                # A joined row exists to give a participant: one without a name is reported, not dropped.
                name = self.join.participants[0]["organisation"]["name"]
                column = name if isinstance(name, str) else name.get("column") or name.get("template") or "name"
                problems.add(str(column), "the organisation has no name, so the row gives no participant")
            if problems.items:
                items.extend(ImportItem(line, problem=problem) for problem in problems.items)
            else:
                found.extend(participants)
        return found, items

    def unmatched(self, main_label: str) -> Iterator[ImportItem]:
        """A problem for each row no record took, with the key it was looked up by."""
        for position, (line, row) in enumerate(self.rows):
            if position in self.used:
                continue
            for alternative in self.join.keys:
                if all(_key_cell(row[pair[1]]) is not None for pair in alternative):
                    break
            stated = ", ".join(f"{pair[1]} {' '.join(str(row[pair[1]]).split())!r}" for pair in alternative)
            problem = RecordProblem(self.label, f"{self.unit} {line}", ", ".join(pair[1] for pair in alternative),
                                    f"matches no row of {main_label} ({stated})")
            yield ImportItem(line, problem=problem)


def _label(path: Path, sheet: str | None, kind: str) -> str:
    """How problems name a table: the file, and the sheet for a named sheet of a workbook."""
    return f"{path.name} [{sheet}]" if kind == "xlsx" and sheet else path.name


def _joined_table(path: Path, mapping: Mapping, join: Join) -> tuple[_JoinedTable, Iterator[tuple[int, dict[str, Any]]]]:
    """The (empty) index of a join and the rows to fill it with: a sheet of ``path``, or a file beside it."""
    if join.sheet:
        if _kind(path, mapping) != "xlsx":
            raise MappingError(f"{mapping.name}: join: sheet {join.sheet!r} needs an XLSX workbook, and {path.name} "
                               "is read as CSV (join a second CSV file with file:)")
        source, sheet, kind, label = path, join.sheet, "xlsx", _label(path, join.sheet, "xlsx")
    else:
        source = path.parent / str(join.file)  # relative to the imported file's folder
        if not source.is_file():
            raise cells.CellError(f"{path.name}: the mapping joins {join.file}, which is not beside it")
        sheet, kind, label = None, "xlsx" if source.suffix.lower() in (".xlsx", ".xlsm") else "csv", source.name
    header = _header(source, kind, sheet, join.header_row, join.delimiter or mapping.delimiter,
                     join.encoding or mapping.encoding)
    keys = (pair[1] for alternative in join.keys for pair in alternative)
    check_header(header, joined_specs(join), keys, label, mapping.name)
    rows = _rows(source, kind, sheet, join.header_row, join.delimiter or mapping.delimiter,
                 join.encoding or mapping.encoding, mapping.blank_markers)
    return _JoinedTable(join, label, "row" if kind == "xlsx" else "line"), rows


def read_table(path: Path, mapping: Mapping, *, check: bool = True) -> Iterator[ImportItem]:
    """Records from a tabular file, one item per row (a record or a problem).

    Joined tables are indexed first (their unusable rows reported then), the main table is
    streamed, and the joined rows no record took are reported at the end.
    """
    source = path.name
    kind = _kind(path, mapping)
    label, unit = _label(path, mapping.sheet, kind), "row" if kind == "xlsx" else "line"
    joins = [_joined_table(path, mapping, join) for join in mapping.join]  # their headers checked too
    header = _header(path, kind, mapping.sheet, mapping.header_row, mapping.delimiter, mapping.encoding)
    keys = (pair[0] for join in mapping.join for alternative in join.keys for pair in alternative)
    check_header(header, _all_specs(mapping), keys, label, mapping.name)
    tables: list[_JoinedTable] = []
    for table, rows in joins:
        yield from table.fill(rows)
        tables.append(table)
    seen: dict[str, int] = {}  # id -> line: one small entry per record, for duplicate ids
    for line, row in table_rows(path, mapping):
        problems = RowProblems(label, line, unit)
        if "\0cells" in row:
            problems.add("", row.pop("\0cells"))
        record = map_row(mapping, row, source, problems) if not problems.items else None
        # Matched even for a bad row, whose joined rows are then neither used nor reported again.
        joined = [(table, table.match(row, label)) for table in tables]
        if record is not None:
            for table, rows in joined:
                participants, items = table.participants(mapping, rows)
                yield from items
                if participants:
                    record.setdefault("participants", []).extend(participants)
        if record is not None and record["id"] in seen:
            problems.add("id", f"the id {record['id']!r} is already used on {unit} {seen[record['id']]}")
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
    for table in tables:
        yield from table.unmatched(label)
