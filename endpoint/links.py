"""Which values may become the target of a link in a page: the one check every template uses.

Data reaches the pages from records that anyone can publish (a project's website, a fact
sheet's address, any IRI of the generic Linked Data pages), and an ``<a href>`` with a
``javascript:``, ``data:`` or ``vbscript:`` target runs script when clicked. Escaping does
not help: the value is a valid attribute, only its scheme is hostile. So a value becomes a
link only when it is, exactly as stored (nothing stripped or decoded first, since a browser
strips leading spaces and control characters and drops tabs and newlines inside the scheme
before it looks at it):

- an absolute ``http:`` or ``https:`` URL with a host, or
- a reference within this site that the endpoint builds itself: a path starting with one
  ``/`` (never ``//`` or ``/\\``, which browsers read as another host), a query ``?...`` or a
  fragment ``#...``.

Anything else (other schemes, scheme look-alikes, whitespace, control characters, backslashes
anywhere) is shown as plain text. Templates call :func:`safe_href` as a filter or
:func:`link_to` as a global; both are registered by :func:`install`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

# An absolute http(s) URL: scheme (any case, as RFC 3986 allows), "//", then a host that
# starts with neither a slash nor a character that ends the authority.
ABSOLUTE = re.compile(r"https?://[^/?#@\s][^\s]*\Z", re.IGNORECASE | re.ASCII)
# A reference within this site: "/x" (not "//x"), "/", "?x" or "#x".
LOCAL = re.compile(r"(/(?![/\\])|[?#])")


def _has_forbidden_character(value: str) -> bool:
    """Whitespace, control/format/unassigned characters or a backslash anywhere in ``value``."""
    return "\\" in value or any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in value)


def safe_href(value: Any) -> str | None:
    """``value`` when it is a safe link target (see the module docstring), else None."""
    if not isinstance(value, str) or not value or _has_forbidden_character(value):
        return None
    if ABSOLUTE.match(value) or LOCAL.match(value):
        return value
    return None


def safe_mailto(address: Any) -> str | None:
    """A ``mailto:`` link for an e-mail address (the scheme is ours, the address percent-encoded)."""
    if not isinstance(address, str) or address.count("@") != 1 or _has_forbidden_character(address):
        return None
    local, domain = address.split("@")
    if not local or not domain:
        return None
    return "mailto:" + quote(address, safe="@.+-_~!$*'=")


def link_to(href: Any, text: Any, **attributes: Any) -> Markup:
    """``<a href=...>text</a>`` when ``href`` is safe, else ``text`` alone, escaped either way.

    ``attributes`` become further attributes of the link (``id``, ``rel``, ``title``...);
    an attribute whose value is None is left out, and ``class_`` stands for ``class``.
    """
    target = safe_href(href)
    if target is None:
        return escape(text)
    extra = "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"' for name, value in attributes.items() if value is not None
    )
    return Markup(f'<a href="{escape(target)}"{extra}>{escape(text)}</a>')


def install(app: Any) -> None:
    """Make the checks available to every template: ``x|safe_href``, ``safe_mailto``, ``link_to(...)``."""
    app.jinja_env.filters["safe_href"] = safe_href
    app.jinja_env.filters["safe_mailto"] = safe_mailto
    app.jinja_env.globals["safe_href"] = safe_href
    app.jinja_env.globals["link_to"] = link_to
