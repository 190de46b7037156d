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


def fund_mentions(text: str, notation: str) -> int:
    """How many times the text names a fund (by any of its names and abbreviations)."""
    return len(re.findall(load("programmes.yaml")["funds"][notation], text, re.IGNORECASE))


def funds(text: str) -> list[str]:
    """Funds named in the text, in order of first mention."""
    hits = []
    for notation, pattern in load("programmes.yaml")["funds"].items():
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            hits.append((match.start(), notation))
    return [notation for _, notation in sorted(hits)]
