"""Reading YAML and JSON documents from files anyone may hand us, at a bounded cost.

A record file is input from outside: a 441-byte YAML "billion laughs" (anchors whose aliases
refer to aliases) expanded to 35 s and 2.3 GB in the schema check, 5 000 nested brackets
overflowed Python's stack, a lone surrogate ("\\ud800" in JSON) crashed the schema validator
and a 17 MiB text overflowed the store's term buffer, each ending the whole command with
"unexpected error" and no file named (issue 14, items 7 and 8). So every document is read
within :class:`Limits`, and going over one is a :class:`LimitExceeded` that says where (line
and column), never a crash and never the expanded value:

- the file's size (``max_record_file_mb``; for JSON Lines, each line's);
- how deep lists and mappings nest (:data:`MAX_DEPTH`, far beyond any record's 5 levels);
- YAML aliases: how many a document may use and how many values they may add in all
  (an alias costs the size of what it names), and no alias inside what it names;
- only the value types JSON has: YAML tags that make dates, sets, bytes or pairs are refused,
  and integers longer than Python converts (4 300 digits).

The composer is PyYAML's own (SafeLoader), subclassed to count as it composes, so nothing is
expanded before it is counted. What a well-formed document holds (text length, surrogates,
types) is checked on the parsed value by :func:`value_problems`, which also serves records
that never were YAML or JSON (fact-sheet drafts, table rows).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any, BinaryIO, Iterator

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError, SafeConstructor

from eulod.core.xmlchars import NOT_XML

MIB = 1024 * 1024
MAX_DEPTH = 32  # lists and mappings inside each other; a record needs 5 (participants[0].organisation.name.en)
MAX_ALIASES = 1_000  # YAML aliases (*name) per document
MAX_ALIAS_VALUES = 100_000  # values that aliases add to a document, all together
MAX_INT_DIGITS = 4_300  # Python's own limit for converting a decimal integer (sys.get_int_max_str_digits)


@dataclass(frozen=True)
class Limits:
    """How much one record file may cost to read; the two sizes are settings (eulod.core.config)."""

    file_bytes: int = 64 * MIB  # a YAML or JSON file, or one line of a JSON Lines file
    text_bytes: int = 1 * MIB  # one text value, in UTF-8
    depth: int = MAX_DEPTH
    aliases: int = MAX_ALIASES
    alias_values: int = MAX_ALIAS_VALUES


_current = Limits()


def set_limits(limits: Limits) -> None:
    """Use ``limits`` from now on, in every reader that is given none.

    The command line applies the settings once, at start (eulod.cli.apply_limits), so the
    loaders that the build and the validator share need no settings passed through them.
    """
    global _current
    _current = limits


def current_limits() -> Limits:
    return _current


class LimitExceeded(ValueError):
    """A document goes over a limit or holds what no record can; ``where`` says where, if known."""

    def __init__(self, reason: str, where: str = "") -> None:
        super().__init__(f"{where}: {reason}" if where else reason)
        self.reason = reason
        self.where = where


def _mark(mark: yaml.Mark | None) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def _refuse_tag(kind: str):
    def construct(loader: SafeConstructor, node: yaml.Node) -> Any:
        raise ConstructorError(
            None, None, f"the tag {node.tag!r} makes {kind}, which a record cannot hold: write it as text", node.start_mark
        )

    return construct


def _construct_int(loader: SafeConstructor, node: yaml.ScalarNode) -> int:
    if len(node.value) > MAX_INT_DIGITS:
        raise ConstructorError(None, None, f"a number with {len(node.value)} digits is too long", node.start_mark)
    return SafeConstructor.construct_yaml_int(loader, node)


class BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader that counts while it composes: depth, aliases and what they add.

    Dates stay the strings the author wrote (PyYAML would make 2023-06-01 a date and refuse
    2019-02; records carry dates at the precision the source states, and the schema checks
    their form).
    """

    def __init__(self, stream: str, limits: Limits | None = None) -> None:
        super().__init__(stream)
        self.limits = limits or current_limits()
        self._start_document()

    def _start_document(self) -> None:
        self._depth = 0
        self._aliases = 0
        self._values = 0  # values composed, counting each alias as the values it names
        self._alias_values = 0  # of which added by aliases
        self._sizes: dict[int, int] = {}  # id(anchored node) -> values in it, once it is complete

    def compose_document(self) -> yaml.Node | None:
        self._start_document()
        return super().compose_document()

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            return self._compose_alias(parent, index)
        event = self.peek_event()
        nests = not isinstance(event, yaml.ScalarEvent)
        if nests and self._depth >= self.limits.depth:
            raise ComposerError(None, None, f"lists and mappings nested more than {self.limits.depth} deep", event.start_mark)
        self._depth += nests
        before = self._values
        node = super().compose_node(parent, index)
        self._depth -= nests
        self._values += 1
        if event.anchor is not None:
            self._sizes[id(node)] = self._values - before
        return node

    def _compose_alias(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        node = super().compose_node(parent, index)  # PyYAML's checks: the anchor must exist
        size = self._sizes.get(id(node))
        if size is None:
            raise ComposerError(None, None, f"the alias *{event.anchor} is inside what it names", event.start_mark)
        self._aliases += 1
        if self._aliases > self.limits.aliases:
            raise ComposerError(None, None, f"more than {self.limits.aliases} aliases (*name) in one document", event.start_mark)
        self._values += size
        self._alias_values += size
        if self._alias_values > self.limits.alias_values:
            raise ComposerError(
                None, None, f"aliases (*name) add more than {self.limits.alias_values:,} values to the document", event.start_mark
            )
        return node


BoundedLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
BoundedLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
for _tag, _kind in (("timestamp", "a date"), ("binary", "bytes"), ("set", "a set"), ("omap", "pairs"), ("pairs", "pairs")):
    BoundedLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse_tag(_kind))


def yaml_reason(error: yaml.YAMLError, text: str = "") -> str:
    """A YAML error in a sentence with its line and column (PyYAML's own text quotes the line)."""
    if isinstance(error, yaml.reader.ReaderError):
        line = text.count("\n", 0, error.position) + 1 if text else None
        where = f"line {line}" if line else f"character {error.position + 1}"
        return f"{where}: the character #x{error.character:04x} is not allowed in YAML ({error.reason})"
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        what = printable("; ".join(str(part) for part in (error.context, error.problem) if part), 300)
        return f"{_mark(mark)}: {what}" if mark is not None else what
    return printable(str(error), 300)


def yaml_documents(text: str, limits: Limits | None = None) -> Iterator[Any]:
    """Each document of a YAML stream, read within ``limits``; raises yaml.YAMLError.

    Documents come one by one, so those before a bad one are kept by a caller that wants them.
    """
    loader = BoundedLoader(text, limits)
    try:
        while loader.check_data():
            yield loader.get_data()
    finally:
        loader.dispose()


def load_yaml(text: str, limits: Limits | None = None) -> Any:
    """One YAML document (a mapping file, say), read within ``limits``; raises yaml.YAMLError."""
    loader = BoundedLoader(text, limits)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


# --- JSON ----------------------------------------------------------------------------------

_JSON_STRING = r'"(?:[^"\\]|\\.)*"'  # any JSON string, escapes and all
_JSON_TOKENS = re.compile(_JSON_STRING + r"|[\[\]{}]", re.DOTALL)
_LONG_NUMBER = re.compile(r"\d{%d,}" % (MAX_INT_DIGITS + 1))


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    return f"line {line}, column {offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def too_deep_at(text: str, depth: int) -> int | None:
    """The offset where JSON ``text`` opens its ``depth + 1``-th nested bracket, if it does."""
    level = 0
    for token in _JSON_TOKENS.finditer(text):
        char = token.group()
        if char in "[{":
            level += 1
            if level > depth:
                return token.start()
        elif char in "]}":
            level -= 1
    return None


_PLAIN_STRING = re.compile(r'"[^"]*"')  # a JSON string holding no backslash
_ESCAPED_STRING = re.compile(_JSON_STRING, re.DOTALL)
_JSON_BRACKETS = re.compile(r"[\[\]{}]")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# What in a JSON text may decode to a character a record may not hold (one XML cannot carry, a
# surrogate): \b, \f, and \u escapes of C0 controls, surrogates and U+FFFE/U+FFFF (written raw,
# those two are looked for apart). May also match what is harmless ("\\b", an escaped backslash
# before b, or an emoji written as a surrogate pair): then the document is walked, which decides exactly.
_JSON_SUSPECT = re.compile(r"\\[bf]|\\u(?:00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F])|[dD][89a-fA-F]|[fF]{3}[eEfF])")


def json_plain(text: str, size: int, limits: Limits | None = None) -> bool:
    """Whether JSON ``text`` (``size`` bytes as read) certainly parses to a document needing no report.

    True only when the text alone proves what :func:`value_problems` would walk the document
    to find: no text can be over the limit (none is longer than the whole line), no more
    brackets than the depth limit (so nothing nests deeper), and no escape or character that
    can make a character a record may not hold. Any doubt gives False, and the document is
    walked. JSON Lines exports are read this way: the walk, a Python call per value, made
    loading records a quarter slower (issue 15's benchmark). Each test is one scan in C.
    """
    limits = limits or current_limits()
    if size > limits.text_bytes or "\ufffe" in text or "\uffff" in text:
        return False
    escaped = "\\" in text
    if escaped and _JSON_SUSPECT.search(text):
        return False
    if text.count("{") + text.count("[") <= limits.depth:  # fewer brackets than the limit: nothing nests deeper
        return True
    strings = _ESCAPED_STRING if escaped else _PLAIN_STRING  # the simpler reading is faster, and right without \
    brackets = _JSON_BRACKETS.findall(strings.sub("", text))  # brackets outside strings, in order
    return max(accumulate(_BRACKET_STEP[char] for char in brackets), default=0) <= limits.depth


def load_json(text: str, limits: Limits | None = None) -> Any:
    """A JSON document, read within ``limits``; raises json.JSONDecodeError or LimitExceeded.

    The standard library's parser recurses in C: thousands of brackets raise RecursionError,
    and an integer over 4 300 digits a ValueError, neither saying where; both are found here.
    """
    limits = limits or current_limits()
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        offset = too_deep_at(text, limits.depth)
        where = _position(text, offset) if offset is not None else ""
        raise LimitExceeded(f"lists and mappings nested more than {limits.depth} deep", where) from None
    except ValueError as exc:  # int too long to convert
        match = _LONG_NUMBER.search(text)
        where = _position(text, match.start()) if match else ""
        raise LimitExceeded(f"a number is too long ({str(exc).split(':')[0]})", where) from None
    return document


# --- files ---------------------------------------------------------------------------------

def read_text(path: Path, limits: Limits | None = None) -> str:
    """A whole record file as text, refused over the size limit (read no further than that).

    A byte-order mark (Windows editors write one) is not part of the text. Raises
    LimitExceeded, UnicodeDecodeError (with the byte position) or OSError.
    """
    limits = limits or current_limits()
    with path.open("rb") as handle:
        data = handle.read(limits.file_bytes + 1)
    if len(data) > limits.file_bytes:
        raise LimitExceeded(f"the file is larger than {_size(limits.file_bytes)} (setting max_record_file_mb)")
    return data.decode("utf-8-sig")


def bounded_lines(handle: BinaryIO, limits: Limits | None = None) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) for each line of a JSON Lines file; None for a line over the limit.

    The line over the limit is skipped to its end without being held, so one giant line
    neither fills memory nor hides the lines after it.
    """
    limits = limits or current_limits()
    number = 0
    while True:
        line = handle.readline(limits.file_bytes + 1)
        if not line:
            return
        number += 1
        if len(line) > limits.file_bytes and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = handle.readline(MIB)
            yield number, None
            continue
        yield number, line


def _size(count: int) -> str:
    return f"{count / MIB:g} MiB" if count >= MIB else f"{count / 1024:g} KiB" if count >= 1024 else f"{count} bytes"


# --- values --------------------------------------------------------------------------------

def value_problems(document: Any, limits: Limits | None = None, most: int = 10) -> list[tuple[list[Any], str]]:
    """(path, reason) for what in a parsed document no record can hold; at most ``most``.

    Only the types JSON has, text keys, text that is Unicode (no lone surrogate: it cannot be
    written as UTF-8, so the schema check, the store and the report would each fail on it)
    and no longer than the text limit, nesting no deeper than the depth limit, and no value
    inside itself. The schema is checked after this, on values it can safely walk.
    """
    limits = limits or current_limits()
    if _plain(document, limits):
        return []
    found: list[tuple[list[Any], str]] = []
    path: list[Any] = []
    inside: set[int] = set()

    def text(value: str, what: str) -> None:
        if value.isascii():
            size = len(value)
        else:
            try:
                size = len(value.encode("utf-8"))
            except UnicodeEncodeError as exc:
                found.append((list(path), f"{what} holds U+{ord(value[exc.start]):04X}, half of a surrogate pair, "
                                          f"which is not a character (at character {exc.start + 1})"))
                return
        if size > limits.text_bytes:
            found.append((list(path), f"{what} is {_size(size)} long; a text may be at most "
                                      f"{_size(limits.text_bytes)} (setting max_text_kb)"))
            return
        not_xml = _not_xml(value)
        if not_xml:
            found.append((list(path), f"{what} {not_xml}"))

    def visit(value: Any, depth: int) -> None:
        if len(found) >= most:
            return
        if isinstance(value, str):
            text(value, "the text")
            return
        if isinstance(value, (bool, int, float)) or value is None:
            return
        if not isinstance(value, (dict, list)):
            found.append((list(path), f"a {type(value).__name__} value is not allowed: records hold text, "
                                      "numbers, true/false, lists and mappings"))
            return
        if depth >= limits.depth:
            found.append((list(path), f"lists and mappings nested more than {limits.depth} deep"))
            return
        if id(value) in inside:
            found.append((list(path), "the value is inside itself (a YAML alias to what holds it)"))
            return
        inside.add(id(value))
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(value, dict):
                if not isinstance(key, str):
                    found.append((list(path), f"the key {_shown(key)} is not text: write it in quotes"))
                    continue
                path.append(key)
                text(key, "the key")
            else:
                path.append(key)
            visit(item, depth + 1)
            path.pop()
            if len(found) >= most:
                break
        inside.discard(id(value))

    visit(document, 0)
    return found


def _not_xml(text: str) -> str | None:
    """Why ``text`` cannot appear in XML, or None: the first such character and where it is."""
    found = NOT_XML.search(text)
    if found is None:
        return None
    return (f"holds the control character U+{ord(found.group()):04X} (at character {found.start() + 1}), "
            "which XML cannot carry (SPARQL XML results, RDF/XML): remove it, or write a line break or a space")


def _text_fits(text: str, limit: int) -> bool:
    """Whether ``text`` is Unicode (no lone surrogate) of at most ``limit`` bytes in UTF-8."""
    if text.isascii():
        return len(text) <= limit
    if len(text) > limit:
        return False
    try:
        return len(text.encode("utf-8")) <= limit
    except UnicodeEncodeError:
        return False


def _plain(document: Any, limits: Limits) -> bool:
    """Whether nothing in ``document`` needs reporting: the walk every record takes, so it is
    lean (no path kept); the rare document it rejects is walked again to say where and why.

    The walk only gathers the texts (keys too); they are then checked together, joined, so a
    record costs a few calls in C rather than one Python call per text (a record holds about a
    hundred; the per-text check made loading a quarter slower than before it, issue 15's
    benchmark): an encoding of the joined text finds any lone surrogate, a search any
    character XML cannot carry, and only a text long enough to be over the limit is measured.
    A value inside itself is not looked for here: it nests past the depth limit, so it is rejected.
    """
    text_limit, depth_limit = limits.text_bytes, limits.depth
    if type(document) is str:
        texts = [document]
    elif type(document) not in (dict, list):
        return document is None or type(document) in (int, float, bool)
    else:
        texts = []
        stack = [(document, 0)]
        keep, push = texts.append, stack.append
        while stack:
            value, depth = stack.pop()
            if depth >= depth_limit:
                return False
            if type(value) is dict:
                texts.extend(value)  # a key that is not text makes the join below fail
                items = value.values()
            else:
                items = value
            for item in items:
                kind = type(item)
                if kind is str:
                    keep(item)
                elif kind is dict or kind is list:
                    push((item, depth + 1))
                elif not (item is None or kind is int or kind is float or kind is bool):
                    return False
    try:
        joined = "\n".join(texts)
    except TypeError:  # a key that is not text
        return False
    if not joined.isascii():
        try:
            joined.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate somewhere
            return False
    if len(joined) > text_limit // 4:  # some text may be over the limit (UTF-8 takes at most 4 bytes a character)
        if not all(_text_fits(text, text_limit) for text in texts if len(text) > text_limit // 4):
            return False
    return NOT_XML.search(joined) is None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def printable(text: str, limit: int = 200) -> str:
    """``text`` safe to print and short: lone surrogates (from a file name or a JSON escape)
    written as \\udc80 escapes, and anything past ``limit`` characters cut with an ellipsis."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[: limit - 3] + "..."

