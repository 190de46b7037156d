"""Queries rewritten so that Virtuoso answers them as SPARQL 1.1 (and the embedded store) does.

Virtuoso compares values of other types (xsd:dateTime, xsd:gYear, plain strings) with an
``xsd:date`` where SPARQL says the comparison is an error, so date FILTERs count rows that
the embedded store (and the standard) leave out; :func:`rewrite_date_comparisons` makes
such comparisons explicit. :func:`substitute` does what pyoxigraph's ``substitutions`` does.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

import pyoxigraph as ox

from eulod.core.remote.client import RemoteError

XSD = "http://www.w3.org/2001/XMLSchema#"

# Tokens that may contain look-alikes of a comparison and must be skipped as a whole.
_SKIP = r'\#[^\n]*|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|<[^<>"{}|^`\\\s]*>'


_STRING = r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''


_VAR = r"[?$][A-Za-z_0-9\u00B7-\uFFFF]+"


_OP = r"<=|>=|!=|=|<|>"


def _date_type(prefixes: Mapping[str, str]) -> str:
    """A regex for the xsd:date datatype as written in this query: full IRI or any prefix bound to XSD."""
    names = [re.escape(p) + r":date\b" for p, iri in prefixes.items() if iri == XSD]
    return "(?:" + "|".join([re.escape(f"<{XSD}date>")] + names) + ")"


def _prefixes(query: str) -> dict[str, str]:
    return dict(re.findall(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*|)\s*:\s*<([^>]*)>", query))


FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "!=": "!="}


PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _guarded(variable: str, op: str, lexical: str) -> str:
    """``?v op "lexical"^^xsd:date`` as the standard means it, written so Virtuoso evaluates it so too.

    SPARQL compares an xsd:date only with another xsd:date: anything else is an error and
    the row is dropped; Virtuoso instead compares dateTimes, gYears and strings too. The
    guard drops them explicitly. Time-zone-free dates (all eulod writes) compare as their
    lexical forms, which keeps Virtuoso off its typed range scan; dates with a zone fall
    back to the native comparison.
    """
    typed = f'"{lexical}"^^<{XSD}date>'
    if PLAIN_DATE.fullmatch(lexical):
        compare = f'IF(STRLEN(STR({variable})) = 10, STR({variable}) {op} "{lexical}", {variable} {op} {typed})'
    else:
        compare = f"{variable} {op} {typed}"
    return f"(DATATYPE({variable}) = <{XSD}date> && {compare})"


def rewrite_date_comparisons(query: str) -> str:
    """Wrap every comparison between a variable and an xsd:date literal in :func:`_guarded`.

    Comments, long strings and IRIs are skipped as whole tokens, so nothing inside them is
    touched. Comparisons between two variables are left alone.
    """
    date_type = _date_type(_prefixes(query))
    literal = rf'(?P<lq>"(?P<lex>[^"\\\n]*)"|\'(?P<lex2>[^\'\\\n]*)\')\^\^{date_type}'
    cast = rf'{date_type}\s*\(\s*(?:"(?P<clex>[^"\\\n]*)"|\'(?P<clex2>[^\'\\\n]*)\')\s*\)'
    value = rf"(?:{literal}|{cast})"
    value_r = value.replace("?P<lq>", "?P<rq>").replace("?P<lex>", "?P<rlex>").replace("?P<lex2>", "?P<rlex2>")
    value_r = value_r.replace("?P<clex>", "?P<rclex>").replace("?P<clex2>", "?P<rclex2>")
    pattern = re.compile(
        rf"(?P<vfirst>(?P<v1>{_VAR})\s*(?P<op1>{_OP})\s*{value})"
        rf"|(?P<lfirst>{value_r}\s*(?P<op2>{_OP})\s*(?P<v2>{_VAR}))"
        rf"|(?P<skip>{_SKIP}|{_STRING})"
    )

    def replace(match: re.Match[str]) -> str:
        if match["skip"] is not None:
            return match.group(0)
        if match["vfirst"] is not None:
            lexical = next(x for x in (match["lex"], match["lex2"], match["clex"], match["clex2"]) if x is not None)
            return _guarded(match["v1"], match["op1"], lexical)
        lexical = next(x for x in (match["rlex"], match["rlex2"], match["rclex"], match["rclex2"]) if x is not None)
        return _guarded(match["v2"], FLIP[match["op2"]], lexical)

    return pattern.sub(replace, query)


def substitute(query: str, substitutions: Mapping[ox.Variable, Any]) -> str:
    """Put the terms of ``substitutions`` in place of their variables, as pyoxigraph's ``substitutions`` does.

    Strings, comments and IRIs are skipped. A variable in a SELECT projection cannot be
    replaced by a term; such a query no longer parses and is refused rather than answered
    differently from the embedded store.
    """
    terms = {variable.value: str(term) for variable, term in substitutions.items()}
    pattern = re.compile(rf"(?P<skip>{_SKIP}|{_STRING})|[?$](?P<name>[A-Za-z_0-9\u00B7-\uFFFF]+)")

    def replace(match: re.Match[str]) -> str:
        if match["name"] is not None and match["name"] in terms:
            return terms[match["name"]]
        return match.group(0)

    text = pattern.sub(replace, query)
    try:
        ox.Store().query(text)
    except SyntaxError as exc:
        raise RemoteError(f"cannot apply the substitutions {sorted(terms)} for the remote store: {exc}") from None
    return text


def with_prologue(query: str, prefixes: Mapping[str, str] | None, base_iri: str | None) -> str:
    lines = [f"BASE <{base_iri}>"] if base_iri else []
    lines += [f"PREFIX {name}: <{iri}>" for name, iri in (prefixes or {}).items()]
    return "\n".join(lines + [query]) if lines else query
