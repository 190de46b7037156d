"""Programmes, funds and programme reference codes named in a fact sheet.

The CCI -> programme table is read from the programme code list itself
(eulod:referenceCode in ontology/programmes.ttl), so a code added there is recognised here.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from rdflib import Graph, Namespace
from rdflib.namespace import SKOS

from .data import load

_EULOD = Namespace("https://w3id.org/eulod/ontology#")


@lru_cache(maxsize=1)
def programme_codes() -> dict[str, str]:
    """CCI reference code -> programme notation, from the code list."""
    graph = Graph()
    graph.parse(data=resources.files("eulod.ontology").joinpath("programmes.ttl").read_text("utf-8"), format="turtle")
    return {str(code): str(graph.value(concept, SKOS.notation)) for concept, code in graph.subject_objects(_EULOD.referenceCode)}


def references(text: str) -> list[str]:
    return re.findall(load("programmes.yaml")["cci"], text)


def programmes(text: str, start_year: int | None) -> list[tuple[str, int]]:
    """(notation, offset) of every programme the text names, in order of appearance."""
    found: list[tuple[str, int]] = []
    taken: list[tuple[int, int]] = []
    for entry in load("programmes.yaml")["programmes"]:
        if entry.get("requires") and not re.search(entry["requires"], text, re.IGNORECASE):
            continue
        for match in re.finditer(entry["pattern"], text, re.IGNORECASE):
            if any(match.start() < e and s < match.end() for s, e in taken):
                continue
            notation = entry.get("programme")
            if "periods" in entry:
                notation = None
                if start_year is not None:
                    for year, name in sorted(entry["periods"].items()):
                        if start_year >= year:
                            notation = name
                notation = notation or entry.get("otherwise")
            taken.append((match.start(), match.end()))
            if notation:
                found.append((notation, match.start()))
    first: dict[str, int] = {}
    for notation, offset in sorted(found, key=lambda f: f[1]):
        first.setdefault(notation, offset)
    return list(first.items())


@lru_cache(maxsize=None)
def _fund_patterns(start_year: int | None) -> dict[str, list[str]]:
    """Fund notation -> the patterns naming it; a fund both programming periods name alike (plain
    'ESF') is placed by the project's start year (``fund_periods``), as programmes are."""
    data = load("programmes.yaml")
    out: dict[str, list[str]] = {}
    for name, pattern in data["funds"].items():
        periods = data.get("fund_periods", {}).get(name, {})
        notation = _placed(name, periods, start_year) if start_year is not None else name
        out.setdefault(notation, []).append(pattern)
    return out


def fund_mentions(text: str, notation: str, start_year: int | None = None) -> int:
    """How many times the text names a fund (by any of its names and abbreviations)."""
    patterns = _fund_patterns(start_year).get(notation, [])
    return sum(len(re.findall(pattern, text, re.IGNORECASE)) for pattern in patterns)


def funds(text: str, start_year: int | None = None) -> list[str]:
    """Funds named in the text, in order of first mention; ``start_year`` places a fund both
    periods name alike (:func:`period_told`)."""
    hits = []
    text = " ".join(text.split())  # a fund's name broken over two lines ('fondu pro regionální' / 'rozvoj') is one name
    for notation, patterns in _fund_patterns(start_year).items():
        starts = [match.start() for pattern in patterns if (match := re.search(pattern, text, re.IGNORECASE))]
        if starts:
            hits.append((min(starts), notation))
    return [notation for _, notation in sorted(hits)]


def period_told(text: str, start_year: int | None) -> str | None:
    """Why a fund of the text is a guess, when one is named only by a name both programming periods
    use (plain 'ESF', 'Fondo sociale europeo') and the project's start year does not settle it: no
    start year, or one from the later period, in which projects of the earlier one still started."""
    data = load("programmes.yaml")
    for name, periods in data.get("fund_periods", {}).items():
        if not re.search(data["funds"][name], text, re.IGNORECASE):
            continue
        later = [notation for _year, notation in sorted(periods.items())]
        if any(re.search(data["funds"][notation], text, re.IGNORECASE) for notation in later):
            continue  # the later fund is named as such too
        if start_year is None:
            return f"{name} named without 'Plus' and no start date: {name} (2014-2020) or {', '.join(later)}?"
        if any(start_year >= year for year in periods):
            return (f"{name} named without 'Plus' in a project starting in {start_year}: read as "
                    f"{_placed(name, periods, start_year)}, though projects of the earlier period started then too")
    return None


def _placed(name: str, periods: dict[int, str], start_year: int) -> str:
    notation = name
    for year, later in sorted(periods.items()):
        if start_year >= year:
            notation = later
    return notation
