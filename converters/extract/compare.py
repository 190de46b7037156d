"""Field-by-field comparison of an extracted draft with an expected (curated) record.

The rule, used by the tests and by bench/extraction.py:

* Structured fields (dates, duration, amounts, rates, currency, programme, programme reference,
  funds, identifiers, acronym, website, roles, organisation ids, types, cities, countries,
  country_as_stated, contact e-mails and organisations) must be equal after trivial
  normalisation (amounts as decimals, sets for funds and identifiers).
* Free-text fields (title, subtitle, description, objectives/actions/expected results/themes
  items, names, contact names/roles/offices, result titles/descriptions) match when their
  normalised forms (case, spacing, Markdown emphasis, quotes, a final full stop ignored) have a
  difflib similarity of at least 0.9. List items are matched one to one, in any order.
* Participants are matched by organisation id, contacts by e-mail (then name, then role),
  results by title; a participant, contact or result missing or extra counts every one of its
  fields as missed or extra.
* A value present in both but different counts once as a false positive and once as a miss.
  ``id``, ``notes``, ``source``, ``review`` and ``provenance`` are not compared.

Every extracted value is also kept in ``Score.emitted`` with its path in the extracted record
(``participants[2].organisation.city``) and whether it was right, so that a caller holding the
draft's ``review`` list and ``provenance`` can tell a flagged error from a silent one and a
stated value from an inferred one (:func:`silent_and_stated`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

TEXT_THRESHOLD = 0.9
SCALARS = ["language", "acronym", "start_date", "end_date", "duration_months", "programme", "programme_reference",
           "currency", "website", "status"]
TEXTS = ["title", "subtitle", "description"]
TEXT_LISTS = ["objectives", "actions", "expected_results", "themes"]
BUDGET = ["total_cost", "eu_contribution", "eu_contribution_rate", "co_financing", "co_financing_rate"]
ORG_EXACT = ["type", "city", "country", "country_as_stated"]


@dataclass(frozen=True)
class Emitted:
    """One value the extractor emitted: the scored field, its path in the draft, and whether it was right."""

    name: str
    path: str
    correct: bool


@dataclass
class Score:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    differences: list[str] = field(default_factory=list)
    emitted: list[Emitted] = field(default_factory=list)

    def add(self, other: "Score") -> None:
        self.tp.update(other.tp)
        self.fp.update(other.fp)
        self.fn.update(other.fn)
        self.differences.extend(other.differences)
        self.emitted.extend(other.emitted)

    def expected(self) -> int:
        return sum(self.tp.values()) + sum(self.fn.values())

    def fields(self) -> list[str]:
        return sorted(set(self.tp) | set(self.fp) | set(self.fn))

    def precision(self, name: str | None = None) -> float:
        tp, fp = (self.tp[name], self.fp[name]) if name else (sum(self.tp.values()), sum(self.fp.values()))
        return tp / (tp + fp) if tp + fp else 1.0

    def recall(self, name: str | None = None) -> float:
        tp, fn = (self.tp[name], self.fn[name]) if name else (sum(self.tp.values()), sum(self.fn.values()))
        return tp / (tp + fn) if tp + fn else 1.0


EXPECTED = ".expected.yaml"  # beside a labelled fact sheet: NAME.EXT and NAME.expected.yaml


def labelled_sheets(folder: Path) -> list[Path]:
    """The fact sheets of a folder with an expected record beside them, whatever their format (a
    JSON or XML export is a sheet too: the extractor says when it cannot read one)."""
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.endswith(EXPECTED) and p.with_name(p.stem + EXPECTED).is_file())


def norm_text(value: Any) -> str:
    if isinstance(value, dict):
        value = " ".join(str(v) for v in value.values())
    text = re.sub(r"\*\*|__|[„”“\"'’‘]", "", str(value)).lower()
    return " ".join(text.split()).rstrip(". ")


def similar(a: Any, b: Any) -> bool:
    x, y = norm_text(a), norm_text(b)
    return x == y or SequenceMatcher(None, x, y).ratio() >= TEXT_THRESHOLD


def norm_value(value: Any) -> Any:
    try:
        if isinstance(value, (int, float, str)) and not isinstance(value, bool) and re.fullmatch(r"-?\d+(\.\d+)?", str(value)):
            return Decimal(str(value)).normalize()
    except InvalidOperation:
        pass
    return value


def _one(score: Score, name: str, expected: Any, got: Any, text: bool = False, path: str | None = None) -> None:
    if expected is None and got is None:
        return
    path = path or name
    if expected is not None and got is not None and (similar(expected, got) if text else norm_value(expected) == norm_value(got)):
        score.tp[name] += 1
        score.emitted.append(Emitted(name, path, True))
        return
    if expected is not None:
        score.fn[name] += 1
    if got is not None:
        score.fp[name] += 1
        score.emitted.append(Emitted(name, path, False))
    score.differences.append(f"{name}: expected {expected!r}, got {got!r}")


def _text_list(score: Score, name: str, expected: list, got: list) -> None:
    left = list(enumerate(got or []))
    for item in expected or []:
        match = next(((i, g) for i, g in left if similar(item, g)), None)
        if match is not None:
            left.remove(match)
            score.tp[name] += 1
            score.emitted.append(Emitted(name, f"{name}[{match[0]}]", True))
        else:
            score.fn[name] += 1
            score.differences.append(f"{name}: missing {norm_text(item)[:80]!r}")
    for index, item in left:
        score.fp[name] += 1
        score.emitted.append(Emitted(name, f"{name}[{index}]", False))
        score.differences.append(f"{name}: extra {norm_text(item)[:80]!r}")


def _names(value: Any) -> dict[str, str]:
    return value if isinstance(value, dict) else {"": value} if value else {}


def _participant(score: Score, expected: dict | None, got: dict | None, at: str) -> None:
    e_org, g_org = (expected or {}).get("organisation", {}), (got or {}).get("organisation", {})
    _one(score, "participants.id", e_org.get("id"), g_org.get("id"), path=f"{at}.organisation.id")
    _one(score, "participants.role", (expected or {}).get("role"), (got or {}).get("role"), path=f"{at}.role")
    e_names, g_names = _names(e_org.get("name")), _names(g_org.get("name"))
    for lang in sorted(set(e_names) | set(g_names)):
        _one(score, "participants.name", e_names.get(lang), g_names.get(lang), text=True, path=f"{at}.organisation.name")
    for key in ORG_EXACT:
        _one(score, f"participants.{key}", e_org.get(key), g_org.get(key), path=f"{at}.organisation.{key}")
    e_budget, g_budget = (expected or {}).get("budget", {}), (got or {}).get("budget", {})
    for key in BUDGET:
        _one(score, f"participants.budget.{key}", e_budget.get(key), g_budget.get(key), path=f"{at}.budget.{key}")


def _contact_pairs(expected: list[dict], got: list[dict]) -> list[tuple[dict, int, dict]]:
    """Expected and extracted contacts paired (expected, index in the draft or -1, extracted): by e-mail where
    both have one, then by name, then by role. A person found without the e-mail the page gives elsewhere is
    still that person: the e-mail is scored missing, the name and role right, not all of it wrong twice."""
    left, right, pairs = list(expected), list(enumerate(got)), []
    for part in ("email", "name", "role"):
        for wanted in list(left):
            value = wanted.get(part)
            match = next(((i, g) for i, g in right if value and g.get(part)
                          and (g[part] == value if part == "email" else similar(g[part], value))), None)
            if match is not None:
                pairs.append((wanted, *match))
                left.remove(wanted)
                right.remove(match)
    return pairs + [(wanted, -1, {}) for wanted in left] + [({}, i, g) for i, g in right]


def compare(expected: dict[str, Any], got: dict[str, Any] | None) -> Score:
    """Score one extracted record against the expected one (see the module docstring)."""
    got = got or {}
    score = Score()
    for key in SCALARS:
        _one(score, key, expected.get(key), got.get(key))
    for key in TEXTS:
        _one(score, key, expected.get(key), got.get(key), text=True)
    for key in TEXT_LISTS:
        _text_list(score, key, expected.get(key), got.get(key))
    e_funds, g_funds = set(expected.get("funds") or []), set(got.get("funds") or [])
    for fund in e_funds | g_funds:
        _one(score, "funds", fund if fund in e_funds else None, fund if fund in g_funds else None)
    ident = lambda r: {f"{i['scheme']}:{i['value']}" for i in r.get("identifiers") or []}  # noqa: E731
    for value in ident(expected) | ident(got):
        _one(score, "identifiers", value if value in ident(expected) else None, value if value in ident(got) else None)
    codes = lambda r: {f["code"] for f in r.get("intervention_fields") or []}  # noqa: E731
    got_codes = [f.get("code") for f in got.get("intervention_fields") or []]
    for code in sorted(codes(expected) | codes(got)):
        at = f"intervention_fields[{got_codes.index(code)}]" if code in got_codes else "intervention_fields"
        _one(score, "intervention_fields", code if code in codes(expected) else None, code if code in codes(got) else None,
             path=at)
    for key in BUDGET:
        _one(score, f"budget.{key}", (expected.get("budget") or {}).get(key), (got.get("budget") or {}).get(key))
    e_parts = {p["organisation"].get("id"): p for p in expected.get("participants") or []}
    g_list = list(got.get("participants") or [])
    g_parts = {p["organisation"].get("id"): (i, p) for i, p in enumerate(g_list)}
    for org_id in list(e_parts) + [i for i in g_parts if i not in e_parts]:
        index, found = g_parts.get(org_id, (len(g_list), None))
        _participant(score, e_parts.get(org_id), found, f"participants[{index}]")
    for e, index, g in _contact_pairs(expected.get("contacts") or [], got.get("contacts") or []):
        at = f"contacts[{index}]"
        _one(score, "contacts.email", e.get("email"), g.get("email"), path=f"{at}.email")
        _one(score, "contacts.organisation", e.get("organisation"), g.get("organisation"), path=f"{at}.organisation")
        for part in ("role", "name", "office"):
            _one(score, f"contacts.{part}", e.get(part), g.get(part), text=True, path=f"{at}.{part}")
    e_results = list(expected.get("results") or [])
    g_results = list(enumerate(got.get("results") or []))
    for result in e_results:
        match = next(((i, g) for i, g in g_results if similar(result["title"], g["title"])), None)
        if match is not None:
            g_results.remove(match)
        index, found = match if match is not None else (-1, {})
        for key in ("title", "type", "description", "url"):
            _one(score, f"results.{key}", result.get(key), found.get(key), text=key in ("title", "description"),
                 path=f"results[{index}].{key}")
    for index, result in g_results:
        for key in ("title", "type", "description", "url"):
            _one(score, f"results.{key}", None, result.get(key), text=key in ("title", "description"), path=f"results[{index}].{key}")
    return score


def _covers(field_path: str, path: str) -> bool:
    """A review item on ``participants[2]`` flags ``participants[2].organisation.city``; one on
    ``participants`` flags every participant's values."""
    return path == field_path or path.startswith((field_path + ".", field_path + "["))


def flagged(record: dict[str, Any] | None, path: str) -> bool:
    """Whether the draft's review list names this value's field (or a field above it)."""
    return any(_covers(item["field"], path) for item in (record or {}).get("review") or [])


def flagged_strictly(record: dict[str, Any] | None, path: str) -> bool:
    """:func:`flagged`, not counting an item above the value that only says something is missing ('participants:
    no coordinator or lead partner is named', no candidates): a publisher told that is not asked about a partner's
    city. The stricter reading of "not in the review list", printed beside the other."""
    return any(_covers(item["field"], path) and (item["field"] == path or item.get("candidates") or item.get("lines")
                                                 or item["field"].count(".") + item["field"].count("[") > 0)
               for item in (record or {}).get("review") or [])


def found_as(record: dict[str, Any] | None, path: str) -> str | None:
    """``stated`` or ``inferred`` from the provenance entry nearest above ``path`` (None if unrecorded)."""
    provenance = (record or {}).get("provenance") or {}
    best, length = None, -1
    for key, entry in provenance.items():
        if _covers(key, path) and len(key) > length:
            best, length = entry.get("found"), len(key)
    return best


@dataclass
class Safety:
    """How far a reader can trust a draft without reading its review list."""

    emitted: int = 0
    wrong: int = 0
    silent: int = 0
    flagged: int = 0
    expected: int = 0
    stated_right: int = 0
    silent_strict: int = 0  # wrong values a field-wide note of something missing is all that covers (flagged_strictly)
    silent_paths: list[str] = field(default_factory=list)

    def add(self, other: "Safety") -> None:
        for name in ("emitted", "wrong", "silent", "flagged", "expected", "stated_right", "silent_strict"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.silent_paths.extend(other.silent_paths)

    def silent_rate(self) -> float:
        """Emitted values that are wrong and not in the review list, over all emitted values."""
        return self.silent / self.emitted if self.emitted else 0.0

    def stated_share(self) -> float:
        """Expected values emitted right, recorded as stated and not flagged, over all expected values."""
        return self.stated_right / self.expected if self.expected else 0.0


def silent_and_stated(score: Score, record: dict[str, Any] | None) -> Safety:
    """The safety figures of one draft (its ``review`` and ``provenance``) scored by :func:`compare`."""
    safety = Safety(emitted=len(score.emitted), expected=score.expected())
    for value in score.emitted:
        is_flagged = flagged(record, value.path)
        safety.flagged += is_flagged
        if not value.correct:
            safety.wrong += 1
            if not is_flagged:
                safety.silent += 1
                safety.silent_paths.append(value.path)
            if not flagged_strictly(record, value.path):
                safety.silent_strict += 1
        elif not is_flagged and found_as(record, value.path) == "stated":
            safety.stated_right += 1
    return safety


def floor(score: Score, safety: Safety, record: dict[str, Any] | None) -> dict[str, Any]:
    """What a sheet must keep: no more silent errors, no fewer right values, a title no worse."""
    return {"silent": safety.silent, "right": sum(score.tp.values()), "title": title_state(score, record)}


def title_state(score: Score, record: dict[str, Any] | None) -> str:
    """right, flagged (wrong or missing but in the review list), silent (wrong, not flagged) or missing."""
    title = next((e for e in score.emitted if e.name == "title"), None)
    if title is None:
        return "missing"
    if title.correct:
        return "right"
    return "flagged" if flagged(record, "title") else "silent"
