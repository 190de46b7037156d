"""The fields a review page shows: one per top-level property of the record schema.

A field's widget follows from the schema and the value it starts with: a plain line for a
string, number or date, a list for a code list (``enum``), and YAML for everything with an
inner structure (a budget, the participants, a title given in several languages), so every
property the schema allows can be accepted, edited or filled without a form per property.
The extractor's provenance and review items are keyed by field path
(``participants[2].organisation.type``); each belongs to the top-level field it starts with.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from eulod.converters.records import record_schema

# Properties the page never offers as fields: the source is the sheet under review, and the
# others say how the record was made, which the page writes itself.
MANAGED = ("source", "review", "provenance", "curation")
LONG_TEXT = ("description", "notes")  # strings edited in a box of several lines
_TOP = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*")

LINE, LONG, CHOICE, INTEGER, STRUCTURED = "line", "long", "choice", "integer", "yaml"


def top_field(path: str) -> str:
    """'participants[2].organisation.type' -> 'participants'."""
    found = _TOP.match(path)
    return found.group(0) if found else path


def _resolved(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in spec:
        spec = schema["$defs"][spec["$ref"].rsplit("/", 1)[-1]] | {k: v for k, v in spec.items() if k != "$ref"}
    return spec


@dataclass(frozen=True)
class FieldSpec:
    """What the schema says of one top-level property."""

    name: str
    description: str
    kind: str  # the widget for a field without a value or with a plain one
    choices: tuple[str, ...] = ()
    required: bool = False


def field_specs() -> dict[str, FieldSpec]:
    """Every property a reviewer may set, in the schema's order."""
    schema = record_schema()
    required = set(schema.get("required", ()))
    specs: dict[str, FieldSpec] = {}
    for name, raw in schema["properties"].items():
        if name in MANAGED:
            continue
        spec = _resolved(schema, raw)
        description = raw.get("description") or spec.get("description") or ""
        if "enum" in spec:
            kind = CHOICE
        elif spec.get("type") == "integer":
            kind = INTEGER
        elif spec.get("type") in ("array", "object"):
            kind = STRUCTURED
        else:  # strings, dates, addresses, and texts (a string or a language map)
            kind = LONG if name in LONG_TEXT else LINE
        specs[name] = FieldSpec(name, description, kind, tuple(spec.get("enum", ())), name in required)
    return specs


def widget(spec: FieldSpec, value: Any) -> str:
    """The widget for a field starting with ``value``: a text map or an odd value needs YAML."""
    if value is None or spec.kind == STRUCTURED:
        return spec.kind
    if spec.kind == INTEGER:
        return INTEGER if isinstance(value, int) and not isinstance(value, bool) else STRUCTURED
    if spec.kind == CHOICE:
        return CHOICE if value in spec.choices else LINE
    if isinstance(value, str):
        return LONG if spec.kind == LONG or "\n" in value or len(value) > 100 else LINE
    return STRUCTURED


def shown(value: Any, kind: str) -> str:
    """The text a widget starts with."""
    if value is None:
        return ""
    if kind == STRUCTURED:
        return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=100).rstrip("\n")
    return str(value)


class BadValue(ValueError):
    """A submitted text that is no value of its field; the message is for the reviewer."""


def _plain(value: Any) -> Any:
    """YAML's dates and times as the ISO strings the schema wants."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def parse(text: str, kind: str) -> Any:
    """The value a submitted text stands for; None for an empty text (the field is left out)."""
    text = text.replace("\r\n", "\n")
    if not text.strip():
        return None
    if kind == INTEGER:
        try:
            return int(text.strip())
        except ValueError:
            raise BadValue(f"{text.strip()!r} is not a whole number") from None
    if kind == STRUCTURED:
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark is not None else ""
            raise BadValue(f"not valid YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
        return _plain(value)
    return text.strip() if kind in (LINE, CHOICE) else text.strip("\n")


@dataclass
class Field:
    """One field as the page shows it: the extractor's reading and where the review starts."""

    spec: FieldSpec
    extracted: Any  # what the extractor gave (None: nothing)
    start: Any  # the value the page starts with (the extracted one, or a saved review's)
    provenance: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    questions: list[dict[str, Any]] = field(default_factory=list)  # the draft's review items
    accepted: bool = False  # a saved review accepted the value
    decision: str | None = None  # what the saved review decided (accepted, edited, filled, removed, open)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def flagged(self) -> bool:
        return bool(self.questions)

    @property
    def kind(self) -> str:
        return widget(self.spec, self.start)

    @property
    def lines(self) -> list[int]:
        """Every sheet line the field's values and candidates were read from, in order."""
        found = {n for _, entry in self.provenance for n in entry.get("lines", ())}
        found.update(n for item in self.questions for n in item.get("lines", ()))
        return sorted(n for n in found if isinstance(n, int))

    @property
    def found(self) -> str | None:
        """How the extractor found the field's own value: stated, inferred, derived, or None."""
        own = dict(self.provenance).get(self.name)
        if own is None:
            return "inferred" if any(e.get("found") == "inferred" for _, e in self.provenance) else (
                "stated" if self.provenance else None)
        return "derived" if own.get("derived") else own.get("found")


def fields_of(draft: dict[str, Any] | None, saved: dict[str, Any] | None = None) -> list[Field]:
    """The page's fields: flagged ones first, then those with a value, then the empty ones."""
    draft = draft or {}
    specs = field_specs()
    decided = {d["field"]: d for d in (saved or {}).get("curation", {}).get("decisions", [])}
    out = {name: Field(spec, draft.get(name), (saved if saved is not None else draft).get(name)) for name, spec in specs.items()}
    for name in out:
        out[name].decision = decided.get(name, {}).get("decision")
        out[name].accepted = out[name].decision == "accepted"
    for path, entry in (draft.get("provenance") or {}).items():
        if top_field(path) in out and isinstance(entry, dict):
            out[top_field(path)].provenance.append((path, entry))
    for item in draft.get("review") or []:
        if isinstance(item, dict) and top_field(str(item.get("field", ""))) in out:
            out[top_field(item["field"])].questions.append(item)
    ordered = list(out.values())
    return sorted(ordered, key=lambda f: (not f.flagged, f.start is None and f.extracted is None))
