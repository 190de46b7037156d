"""Which web addresses and e-mail addresses a record may give: the one rule behind every link.

A record's web addresses (``website``, ``source.url``, an organisation's ``website``, a
result's ``url``) become IRIs in the store and links on the pages, and a contact's e-mail a
``mailto:`` IRI. The record schema states the rule as patterns; this module states it as
code, for the places a value reaches without the schema in front of it (the RDF mapping,
the importers) and to say in words what is wrong, where the schema can only show its
pattern. A web address must be:

- absolute ``http://`` or ``https://`` (lower case): ``javascript:``, ``data:``,
  ``vbscript:`` and every other scheme can run code or read files when followed as a link;
- a valid IRI (RFC 3987), as pyoxigraph, the store, checks it: no spaces, no ``<>"{}|\\^```,
  no control characters, only well-formed %-escapes;
- free of invisible formatting characters (zero-width spaces, bidirectional overrides) and
  of unassigned code points, which make a link read as something it is not;
- with a host and without a user name (``https://trusted.eu@elsewhere.example/`` reads as
  trusted.eu but goes elsewhere) and with a valid port.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox

WEB_SCHEMES = ("http://", "https://")
MAX_URL_LENGTH = 2048  # as the schema's maxLength: no real page address is longer
MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path

# Unicode categories no published address may hold: controls (Cc), formatting characters such
# as zero-width spaces and bidi overrides (Cf), surrogates (Cs), private use (Co), unassigned
# (Cn), and every kind of space or separator (Zs, Zl, Zp).
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})


def _shown(value: str) -> str:
    """The value as a report quotes it: escaped, and cut short when long."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "...'"


def _hidden_character(value: str) -> str | None:
    """The first character of ``value`` that no published address may hold, named."""
    for char in value:
        if unicodedata.category(char) in _FORBIDDEN_CATEGORIES:
            name = unicodedata.name(char, "unnamed character")
            return f"U+{ord(char):04X} ({name.lower()})"
    return None


def _iri_problem(value: str) -> str | None:
    """Why the store would refuse ``value`` as an IRI, or None."""
    try:
        ox.NamedNode(value)
    except ValueError as exc:
        return str(exc)
    return None


def web_address_problem(value: Any) -> str | None:
    """Why ``value`` cannot be published as a web address (link and IRI), or None when it can."""
    if not isinstance(value, str):
        return f"{value!r} is not a web address (text expected)"
    return _web_text_problem(value)


@lru_cache(maxsize=1 << 16)
def _web_text_problem(value: str) -> str | None:
    """:func:`web_address_problem` of a text, kept: an organisation's website is checked once
    per build, not once per record naming it (a tenth of the mapping's time, issue 15)."""
    shown = _shown(value)
    if not value.startswith(WEB_SCHEMES):
        return f"{shown} is not an absolute http:// or https:// address"
    if len(value) > MAX_URL_LENGTH:
        return f"{shown} is longer than {MAX_URL_LENGTH} characters"
    hidden = _hidden_character(value)
    if hidden:
        return f"{shown} holds {hidden}, which a web address may not"
    invalid = _iri_problem(value)
    if invalid:
        return f"{shown} is not a valid IRI: {invalid}"
    parts = urlsplit(value)
    if "@" in parts.netloc:
        return f"{shown} names a user before its host, which a published link may not"
    if not parts.hostname:
        return f"{shown} has no host"
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return f"{shown} has an invalid port"
    return None


def email_problem(value: Any) -> str | None:
    """Why ``value`` cannot be published as an e-mail address (a ``mailto:`` IRI), or None."""
    if not isinstance(value, str):
        return f"{value!r} is not an e-mail address (text expected)"
    shown = _shown(value)
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain or "@" in local:
        return f"{shown} is not an e-mail address (name@domain)"
    if len(value) > MAX_EMAIL_LENGTH:
        return f"{shown} is longer than {MAX_EMAIL_LENGTH} characters"
    hidden = _hidden_character(value)
    if hidden:
        return f"{shown} holds {hidden}, which an e-mail address may not"
    if "%" in value:
        return f"{shown} holds '%', which a published e-mail address may not"
    invalid = _iri_problem(f"mailto:{value}")
    if invalid:
        return f"{shown} cannot be a mailto: IRI: {invalid}"
    return None


def web_address(value: Any) -> str | None:
    """``value`` when it may be published as a web address, else None (for importers that drop bad cells)."""
    return value if web_address_problem(value) is None else None
