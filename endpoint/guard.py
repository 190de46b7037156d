"""Query policy: what the endpoint refuses to run, decided on the very text the engine runs.

The endpoint is read-only and never talks to another host. pyoxigraph would evaluate
``SERVICE <http://elsewhere/sparql>`` by sending an HTTP request, so such a query must be
stopped before evaluation; updates (``INSERT``, ``LOAD`` ...) are refused with a message
that says why; ``FROM`` / ``FROM NAMED`` / ``default-graph-uri`` / ``named-graph-uri`` may
only name graphs this dataset holds.

The engine is oxigraph, and no parser but its own reads a query exactly as it does:
rdflib expands ``\\uXXXX`` escapes everywhere before tokenising (as SPARQL 1.1, section
19.2, says), oxigraph only inside strings and IRIs; rdflib ends a ``#`` comment at a line
feed only, oxigraph at a carriage return too; oxigraph's grammar reads ``trueSERVICEr:``
as ``true SERVICE r:`` where rdflib sees one prefixed name. Each of these hid a SERVICE
clause from a check made with rdflib. So:

- the check first makes the one text both read alike (:func:`canonical`: escapes expanded
  once, as the specification reads them, and refused where the expansion spells another
  escape; line ends made line feeds), and it is that text that the engine runs;
- SERVICE is refused on the letters, not on a parse tree (:func:`keyword_outside_names`):
  once strings, IRIs and comments are set aside (whose extent is unambiguous in the
  canonical text), the letters "service" anywhere but in a variable's name or a prefixed
  name's local part refuse the query, however they are glued to what surrounds them;
- rdflib's parse then decides the rest (updates, FROM, the query form), and a query that
  mentions SERVICE and cannot be parsed is not run.

What is left of the parsers' differences meets the second wall: query processes cannot
open a network socket (sandbox.py).

Parsing is not cheap (pyparsing takes seconds over a long expression), so it runs inside
a query process, under the time limit that can kill it (evaluate.py); what the serving
thread checks first (:func:`screen`) costs one pass over the text.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from pyparsing import ParseException
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

# SPARQL 1.1, 19.2: \u followed by four hexadecimal digits, \U by eight.
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# What either parser would still read as an escape (rdflib: \u or \U, four or eight digits).
_ANY_ESCAPE = re.compile(r"\\[uU][0-9A-Fa-f]{4}")
_WORD = re.compile(r"[A-Za-z]+")
UPDATE_WORDS = frozenset({"insert", "delete", "load", "clear", "drop", "create", "add", "move", "copy", "with"})
# Keywords whose every spelling sends the query to the parser: found as letters anywhere.
PARSED_KEYWORDS = ("service", "from")
XSD = "http://www.w3.org/2001/XMLSchema#"
FORMS = {"SelectQuery": "results", "AskQuery": "results", "ConstructQuery": "graph", "DescribeQuery": "graph"}
BRACKETS = {"(": ")", "{": "}", "[": "]"}
MAX_OPERATORS = 2_000  # operator characters in one query (oxigraph overflowed its stack at 10 000 in a chain)
_IRI_REF = re.compile(r"<[^<>\s]*>")  # what SPARQL allows between < and >, near enough: slashes there are no path steps
PARSE_RECURSION = 50_000  # Python's recursion limit while rdflib parses: about 3 000 triple patterns in one group


class Refused(Exception):
    """A query the endpoint will not run. ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Prepared:
    """A query made ready to run: the text the engine runs and what the check learnt of it.

    ``form`` is "results" (SELECT, ASK) or "graph" (CONSTRUCT, DESCRIBE), or None when the
    query was not parsed; ``from_graphs`` and ``from_named`` the graphs of its own FROM and
    FROM NAMED clauses, ``has_dataset`` whether it has any such clause.
    """

    text: str
    form: str | None = None
    from_graphs: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()
    has_dataset: bool = False


def screen(query: str, max_depth: int) -> None:
    """The serving thread's cheap check: brackets nested deeper than ``max_depth`` are refused,
    and so are longer chains of operators than :data:`MAX_OPERATORS`.

    Both parsers recurse per bracket: pyparsing raises RecursionError, and oxigraph's
    parser could exhaust a query process's stack. Counting brackets inside strings too
    overcounts only for pathological text, which is refused with a message that says so.
    Oxigraph also recurses per operator of a chain without brackets (``!!!...!true``, ``a || b
    || ...``, a path ``p/p/p/...``): 10 000 of them overflowed a query process's stack (a
    crash, answered 503, found by the blind attack set), so the operator characters are
    counted too, slashes outside IRIs only.
    """
    operators = sum(query.count(char) for char in "!|&^")
    if operators > MAX_OPERATORS or _IRI_REF.sub("", query).count("/") > MAX_OPERATORS:
        raise Refused(400, f"the query chains more than {MAX_OPERATORS} operators (!, ||, &&, |, ^ or /); this endpoint "
                           "does not run queries that long: use VALUES or IN for long lists of alternatives")
    if query.count("(") + query.count("{") + query.count("[") <= max_depth:
        return  # cannot nest deeper than it has brackets
    depth = 0
    for char in query:
        if char in "({[":
            depth += 1
            if depth > max_depth:
                raise Refused(400, f"the query nests brackets more than {max_depth} deep; this endpoint does not "
                                   "run queries nested that deeply")
        elif char in ")}]" and depth:
            depth -= 1


def canonical(query: str) -> str:
    """The query text both parsers read alike: escapes expanded once, line ends as line feeds."""

    def expand(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise Refused(400, f"malformed query: {match.group(0)} is not a Unicode character")
        return chr(code)

    text = _CODEPOINT.sub(expand, query)
    leftover = _ANY_ESCAPE.search(text)
    if leftover:
        raise Refused(400, f"malformed query: an escape sequence spells another one ({leftover.group(0)} after "
                           "expanding \\u escapes); write the character itself")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Refused(400, "malformed query: the text holds a lone surrogate, which is no Unicode character") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


# Lexemes whose extent is the same for every SPARQL parser once escapes are expanded: long
# and short strings (with their escapes), IRIs, comments; then variables, and runs of name
# characters (keywords, prefixed names, numbers, language tags) for the keyword test.
_LONG_STRINGS = r'"""(?:[^"\\]|\\.|"(?!""))*"""' + r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
_STRINGS = r'"(?:[^"\\\n\r]|\\.)*"' + r"|'(?:[^'\\\n\r]|\\.)*'"
_IRI = r'<[^<>"{}|^`\\\x00-\x20]*>'
_COMMENT = r"#[^\r\n]*"
_LEXEME = re.compile(
    rf"(?P<skip>{_LONG_STRINGS}|{_STRINGS}|{_IRI}|{_COMMENT})"
    r"|(?P<variable>[?$][\w\u00b7]+)"
    r"|(?P<name>[\w\-.\u00b7]*(?::(?:[\w\-.:%\u00b7]|\\.)*)?)",  # a local name may escape \' \# ...
    re.DOTALL,
)


def keyword_outside_names(text: str, keyword: str) -> bool:
    """Whether ``keyword``'s letters occur where a parser could read them as the keyword.

    Strings, IRIs, comments and variables are skipped; of a prefixed name only the prefix
    counts. Case, Unicode compatibility forms and glued neighbours ("trueSERVICEr:") do
    not hide the letters. Errs on the side of finding them: a prefix label containing the
    keyword (``service:``) counts too.
    """
    for match in _LEXEME.finditer(text):
        name = match.group("name")
        if name and keyword in _folded(name.split(":", 1)[0]):
            return True
    return False


def words(text: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(text)}


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def prepare(query: str, graphs: Iterable[str], dataset: Iterable[str] = (), *, strict: bool = False,
            base_iri: str = "") -> Prepared:
    """Check a query and give the text to run; raise :class:`Refused` for what eulod will not run.

    ``graphs`` are the names of the graphs in the store; ``dataset`` the IRIs given as
    ``default-graph-uri`` / ``named-graph-uri`` protocol parameters. ``strict`` (a remote
    store, which has extensions of its own: Virtuoso's ``bif:`` functions, ``DEFINE``
    pragmas) runs only what parses as standard SPARQL and calls no function but the XSD
    casts.
    """
    known = frozenset(graphs)
    for iri in dataset:
        _require_local(iri, known, "the dataset parameter")
    text = canonical(query)
    if keyword_outside_names(text, "service"):
        raise Refused(400, "SERVICE is not allowed: this endpoint never sends requests to other SPARQL services "
                           "(a prefix whose label holds the word 'service' counts as SERVICE too: rename it)")
    folded = _folded(text)
    mentions = [keyword for keyword in PARSED_KEYWORDS if keyword in folded]
    updating = bool(words(text) & UPDATE_WORDS)
    if not (strict or mentions or updating):
        return Prepared(text)
    try:
        with _deeper_recursion():
            tree = parseQuery(text)
    except (ParseException, RecursionError, ValueError) as exc:
        if updating and _is_update(text):
            raise Refused(403, "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, ...) is not accepted")
        if strict or "service" in mentions:
            # Cannot prove what the query does, so it is not run; report the parse error.
            raise Refused(400, f"malformed query: {_parse_message(exc)}") from None
        return Prepared(text)  # the engine reports its own error, with its position
    nodes = list(_walk(tree))
    if any(_named(node, "ServiceGraphPattern") for node in nodes):
        raise Refused(400, "SERVICE is not allowed: this endpoint never sends requests to other SPARQL services")
    prefixes, base = _prologue(nodes, base_iri)
    clauses = [node for node in nodes if _named(node, "DatasetClause")]
    from_graphs = tuple(_resolve(node["default"], prefixes, base) for node in clauses if "default" in node)
    from_named = tuple(_resolve(node["named"], prefixes, base) for node in clauses if "default" not in node)
    for iri in from_graphs + from_named:
        _require_local(iri, known, "FROM")
    if strict:
        _require_standard_functions(nodes, prefixes, base)
    form = FORMS.get(getattr(tree[1], "name", ""), None)
    return Prepared(text, form, from_graphs, from_named, bool(clauses))


@contextmanager
def _deeper_recursion() -> Iterator[None]:
    """Python's recursion limit raised to :data:`PARSE_RECURSION` while rdflib parses.

    pyparsing recurses once per triple pattern of a group, so Python's default limit (1 000)
    refused a flat query of 100 patterns that mentioned "service" in a comment or a string
    ("the query nests too deeply"; found by the blind attack set, tests/data/blind-attacks).
    Brackets are held to ``max_depth`` before (:func:`screen`), and since Python 3.11 these
    calls use no C stack, so the higher limit costs only time, which the query time limit bounds.
    """
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(max(before, PARSE_RECURSION))
    try:
        yield
    finally:
        sys.setrecursionlimit(before)


def _require_local(iri: str, known: frozenset[str], where: str) -> None:
    if iri not in known:
        raise Refused(
            400,
            f"{where} names <{iri[:200]}>, which is not a graph of this dataset; this endpoint never fetches "
            "remote data. Its graphs are: " + (", ".join(f"<{g}>" for g in sorted(known)) or "(none)"),
        )


def _require_standard_functions(nodes: list[Any], prefixes: dict[str, str], base: str) -> None:
    for node in nodes:
        if _named(node, "Function"):
            iri = _resolve(node["iri"], prefixes, base)
            if not iri.startswith(XSD):
                raise Refused(400, f"the function <{iri[:200]}> is not available on this endpoint: it runs "
                                   "standard SPARQL 1.1 functions and XSD casts only")


def _is_update(query: str) -> bool:
    try:
        parseUpdate(query)
    except (ParseException, RecursionError, ValueError):
        return False
    return True


def _parse_message(exc: Exception) -> str:
    if isinstance(exc, ParseException):
        return f"{exc.msg} at line {exc.lineno}, column {exc.col}"
    if isinstance(exc, RecursionError):
        return "the query nests too deeply"
    return str(exc)[:200]


def _named(node: Any, name: str) -> bool:
    return isinstance(node, CompValue) and node.name == name


def _walk(node: Any) -> Iterator[Any]:
    """Every node of a pyparsing/rdflib parse tree, depth first, without recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, CompValue):
            stack.extend(reversed(list(current.values())))
        elif isinstance(current, (list, tuple)) or type(current).__name__ == "ParseResults":
            stack.extend(reversed(list(current)))


def _prologue(nodes: list[Any], base_iri: str) -> tuple[dict[str, str], str]:
    prefixes: dict[str, str] = {}
    base = base_iri
    for node in nodes:
        if _named(node, "PrefixDecl"):
            prefixes[node["prefix"] if "prefix" in node else ""] = str(node["iri"])
        elif _named(node, "Base"):
            base = urljoin(base, str(node["iri"])) if base else str(node["iri"])
    return prefixes, base


def _resolve(term: Any, prefixes: dict[str, str], base: str) -> str:
    if _named(term, "pname"):
        prefix = term["prefix"] if "prefix" in term else ""
        if prefix not in prefixes:
            raise Refused(400, f"malformed query: undeclared prefix '{prefix}:'")
        return prefixes[prefix] + (term["localname"] if "localname" in term else "")
    return urljoin(base, str(term)) if base else str(term)
