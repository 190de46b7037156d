"""Query policy: what the endpoint refuses to run, decided before anything is executed.

The endpoint is read-only and never talks to another host. pyoxigraph would happily
evaluate ``SERVICE <http://elsewhere/sparql>`` by sending an HTTP request, so such a query
must be stopped here, before evaluation. Updates (``INSERT``, ``LOAD`` ...) are refused too,
with a message that says why, and ``FROM`` / ``FROM NAMED`` / ``default-graph-uri`` /
``named-graph-uri`` may only name graphs this dataset holds: eulod never fetches a graph.

Most queries mention none of the words these constructs start with, so a cheap screen on
the words of the query decides them; only a query that does mention one is parsed with
rdflib's SPARQL parser and its parse tree inspected, so a string such as ``"public
service"`` in a FILTER is not mistaken for a SERVICE clause.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin

from pyparsing import ParseException
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

log = logging.getLogger(__name__)

# SPARQL allows \uXXXX and \UXXXXXXXX anywhere in a query; screen the text as a parser could read it.
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_WORD = re.compile(r"[A-Za-z]+")
UPDATE_WORDS = frozenset({"insert", "delete", "load", "clear", "drop", "create", "add", "move", "copy", "with"})
SCREENED_WORDS = UPDATE_WORDS | {"service", "from"}


class Refused(Exception):
    """A query the endpoint will not run. ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Verdict:
    """What the check learnt: the graphs the query's own FROM / FROM NAMED clauses name."""

    from_graphs: tuple[str, ...] = ()


def unescape_codepoints(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        try:
            return chr(int(match.group(1) or match.group(2), 16))
        except (ValueError, OverflowError):
            return match.group(0)

    return _CODEPOINT.sub(replace, text)


def words(text: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(unescape_codepoints(text))}


def check(query: str, graphs: Iterable[str], dataset: Iterable[str] = ()) -> Verdict:
    """Raise :class:`Refused` for a query or dataset eulod will not run; return otherwise.

    ``graphs`` are the names of the graphs in the store; ``dataset`` the IRIs given as
    ``default-graph-uri`` / ``named-graph-uri`` protocol parameters.
    """
    known = frozenset(graphs)
    for iri in dataset:
        _require_local(iri, known, "the dataset parameter")
    if not words(query) & SCREENED_WORDS:
        return Verdict()
    verdict = inspect(query)
    for iri in verdict.from_graphs:
        _require_local(iri, known, "FROM")
    return verdict


def _require_local(iri: str, known: frozenset[str], where: str) -> None:
    if iri not in known:
        raise Refused(
            400,
            f"{where} names <{iri}>, which is not a graph of this dataset; this endpoint never fetches "
            "remote data. Its graphs are: " + (", ".join(f"<{g}>" for g in sorted(known)) or "(none)"),
        )


@lru_cache(maxsize=512)
def inspect(query: str) -> Verdict:
    """Parse a query that mentions a screened word and refuse SERVICE and updates.

    Cached: the same query text always gets the same answer, and rdflib's parser is slow.
    """
    try:
        tree = parseQuery(query)
    except ParseException as exc:
        if _is_update(query):
            raise Refused(403, "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, ...) is not accepted")
        if "service" in words(query):
            # Cannot prove the query has no SERVICE clause, so it is not run; report the parse error.
            raise Refused(400, f"malformed query: {_parse_message(exc)}") from None
        return Verdict()  # let the store's own parser report the error, with its position
    if any(_named(node, "ServiceGraphPattern") for node in _walk(tree)):
        raise Refused(
            400, "SERVICE is not allowed: this endpoint never sends requests to other SPARQL services"
        )
    return Verdict(tuple(_dataset_clause(tree)))


def _is_update(query: str) -> bool:
    if not words(query) & UPDATE_WORDS:
        return False
    try:
        parseUpdate(query)
    except ParseException:
        return False
    return True


def _parse_message(exc: ParseException) -> str:
    return f"{exc.msg} at line {exc.lineno}, column {exc.col}"


def _named(node: Any, name: str) -> bool:
    return isinstance(node, CompValue) and node.name == name


def _walk(node: Any) -> Iterator[Any]:
    """Every node of a pyparsing/rdflib parse tree, depth first."""
    yield node
    if isinstance(node, CompValue):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
        for value in node:
            yield from _walk(value)


def _dataset_clause(tree: Any) -> Iterator[str]:
    """The IRIs of FROM and FROM NAMED, prefixed names resolved against the prologue."""
    prefixes: dict[str, str] = {}
    base = ""
    for node in _walk(tree):
        if _named(node, "PrefixDecl"):
            prefixes[node["prefix"] if "prefix" in node else ""] = str(node["iri"])
        elif _named(node, "Base"):
            base = str(node["iri"])
    for node in _walk(tree):
        if _named(node, "DatasetClause"):
            term = node["default"] if "default" in node else node["named"]
            yield _resolve(term, prefixes, base)


def _resolve(term: Any, prefixes: dict[str, str], base: str) -> str:
    if _named(term, "pname"):
        prefix = term["prefix"] if "prefix" in term else ""
        if prefix not in prefixes:
            raise Refused(400, f"malformed query: undeclared prefix '{prefix}:'")
        return prefixes[prefix] + (term["localname"] if "localname" in term else "")
    return urljoin(base, str(term)) if base else str(term)
