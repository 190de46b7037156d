"""A JSON fact sheet (an API's answer, an export, GeoJSON) as labelled lines, one for each line of the file.

Read as plain text, a JSON document gives the extractor lines such as ``"startDate": "2025-01-01",``:
no label is recognised through the quotes, and a description runs on into the next keys. Each
line is rewritten in place instead, so that line numbers (and the review page's highlighting)
stay those of the file:

- ``"startDate": "2025-01-01T00:00:00+02:00",`` -> ``start date: 2025-01-01`` (a timestamp's date
  as stated, its time when not midnight; camelCase, snake_case and
  kebab-case keys split into words, which the labels of every language then match);
- ``"title": {`` or ``"partners": [`` -> ``title:``, a label whose values follow;
- ``"lv": "Mazo ostu ..."`` in ``"title": {...}`` (a language code as key) -> ``title (lv): Mazo ostu ...``,
  the labels of a sheet stating a name in several languages;
- ``"status": {"code": "ONGOING", "label": "Īstenošanā"}`` -> ``status: ONGOING, Īstenošanā``;
- a string's own line breaks (a Slack message: ``"text": "*Projekt címe:* X\\n*Azonosító:* Y"``) -> lines
  of the same file line, each read apart;
- a value alone (an array's item) -> the value; brackets alone -> an empty line, so each object
  of an array is a block of its own; ``null`` -> nothing.

A document on one line (minified) is indented first, with a warning: its line numbers then refer
to the indented form. Strings are unescaped as JSON defines.
"""

from __future__ import annotations

import json
import re

MAX_DEPTH = 64  # deeper than any sheet; the standard parser recurses in C and would fail without saying where

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|[{}\[\]:,]')
# The official EU languages' codes: a key that is one holds the value in that language.
_LANGUAGE_KEY = re.compile(r"^(?:bg|cs|da|de|el|en|es|et|fi|fr|ga|hr|hu|it|lt|lv|mt|nl|pl|pt|ro|sk|sl|sv)(?:-[A-Za-z]{2})?$")
_BREAK = re.compile(r"\r\n|\r|\n")  # JSON's line breaks; U+2028 and the like only inside a string
_OTHER_BREAKS = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")  # inside a string: its own lines
_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def parsed_json(text: str) -> object | None:
    """The document when ``text`` is one JSON object or array, else None (not JSON, or nested absurdly deep)."""
    stripped = text.lstrip()
    if not stripped[:1] in ("{", "[") or _depth(stripped) > MAX_DEPTH:
        return None
    try:
        return json.loads(stripped)
    except (ValueError, RecursionError):
        return None


def _depth(text: str) -> int:
    """An upper bound of the nesting depth: brackets counted, strings ignored."""
    deepest = level = 0
    for token in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]', text):
        char = token.group()
        if char in "[{":
            level += 1
            deepest = max(deepest, level)
        elif char in "]}":
            level -= 1
    return deepest


def key_words(key: str) -> str:
    """'startDate', 'eu_contribution_rate', 'total-cost', '@type' -> 'start date', 'eu contribution rate', ..."""
    spaced = _CAMEL.sub(" ", key.strip("@$_ "))
    return " ".join(re.split(r"[\s_\-.]+", spaced)).lower().strip()


def json_lines(text: str) -> tuple[list[str], list[str]] | None:
    """The lines of a JSON sheet rewritten as labelled lines, and warnings; None when ``text`` is not JSON.

    One text per line of the file; a string holding line breaks (a chat message, an export's notes) keeps
    them (``\\n``), and each of its lines is read as a line of that file line.
    """
    document = parsed_json(text)
    if document is None:
        return None
    raw = _BREAK.split(text)
    warnings: list[str] = []
    if len(raw) <= 2 and len(text) > 200:
        raw = _BREAK.split(json.dumps(document, indent=2, ensure_ascii=False))
        warnings.append("a JSON document on one line was read indented: line numbers refer to the indented form")
    lines: list[str] = []
    parents: list[str] = []  # the words of each open container's key ('' for an array's item or the top)
    for line in raw:
        tokens = _TOKEN.findall(line)
        lines.append(_OTHER_BREAKS.sub("\n", _rewritten(tokens, parents[-1] if parents else "")))
        keyed = len(tokens) >= 2 and tokens[0].startswith('"') and tokens[1] == ":"
        for index, token in enumerate(tokens):
            if token in "{[":
                parents.append(key_words(json.loads(tokens[0])) if keyed and index == 2 else "")
            elif token in "}]" and parents:
                parents.pop()
    return lines, warnings


def _value(token: str) -> str | None:
    """A scalar token as text (strings unescaped, a timestamp as its date and time); None for null and punctuation."""
    if token.startswith('"'):
        text = json.loads(token)
        stamp = _TIMESTAMP.match(text)
        if stamp:  # '2025-01-01T00:00:00+02:00': the date as stated, in the zone it is stated in
            return stamp.group(1) if stamp.group(2) == "00:00" else f"{stamp.group(1)} {stamp.group(2)}"
        return text
    if token in ("null", "{", "}", "[", "]", ":", ","):
        return None
    return token


def _members(tokens: list[str]) -> list[str]:
    """The values of an inline array or object: a number with its key's words ('total 740000'), a text alone."""
    out = []
    for index, token in enumerate(tokens):
        value = _value(token)
        if value is None or (index + 1 < len(tokens) and tokens[index + 1] == ":"):
            continue
        key = tokens[index - 2] if index >= 2 and tokens[index - 1] == ":" and tokens[index - 2].startswith('"') else None
        numeric = not token.startswith('"') and token not in ("true", "false")
        out.append(f"{key_words(json.loads(key))} {value}" if key and numeric and len(tokens) > 3 else value)
    return out


def _rewritten(tokens: list[str], parent: str) -> str:
    """One line's tokens as the extractor should read them (see the module's docstring); ``parent``: the
    words of the key of the object the line is in."""
    if len(tokens) >= 2 and tokens[0].startswith('"') and tokens[1] == ":":
        key = json.loads(tokens[0])
        rest = tokens[2:]
        scalars = _members(rest)
        opened = sum(t in "{[" for t in rest) - sum(t in "}]" for t in rest)
        if _LANGUAGE_KEY.match(key):
            label = f"{parent} ({key})" if parent else key.upper()
        else:
            label = key_words(key)
        if not label:
            return ", ".join(scalars)
        if opened > 0 and not scalars:
            return f"{label}:"
        if not scalars:
            return ""
        return f"{label}: {', '.join(scalars)}"
    values = [value for token in tokens if (value := _value(token)) is not None]
    return ", ".join(values)
