"""Pages of a long list (the home page's projects, an organisation's or a programme's): the
``?page=`` parameter and the pager's figures and links.

A list is cut into pages because a page naming every project does not scale: the busiest
organisation of 100 000 generated projects takes part in 9 000 of them, a programme in
60 000, and their pages took 20-30 s and weighed megabytes when they listed all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Response, request

from .. import i18n


class BadPage(ValueError):
    """``?page=`` is not a whole number from 1 up."""


def requested_page(raw: str) -> int:
    """The 1-based page asked for; no ``page`` (or an empty one) is the first page."""
    if raw == "":
        return 1
    if not (raw.isascii() and raw.isdigit()):
        raise BadPage(raw)
    try:
        number = int(raw)
    except ValueError:  # more digits than Python converts: not a page anyone means
        raise BadPage(raw) from None
    if number < 1:
        raise BadPage(raw)
    return number


def bad_page(bad: BadPage, lang: str) -> Response:
    """400, in plain words: the page number is not one."""
    message = i18n.translate("home.bad_page", lang, page=str(bad)[:40])
    response = Response(message + "\n", status=400, mimetype="text/plain")
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept-Language"
    return response


@dataclass(frozen=True)
class Pager:
    """Page ``number`` of a list of ``total`` items, ``size`` a page; ``link(n)`` is page n's address."""

    total: int
    number: int
    size: int
    link: Callable[[int], str]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        """The index of the page's first item."""
        return (self.number - 1) * self.size

    @property
    def past_end(self) -> bool:
        return self.number > self.pages

    def context(self, shown: int, lang: str) -> dict[str, Any]:
        """What the pager macro (templates/_macros.html) shows, ``shown`` items on this page."""
        return {
            "count": {key: i18n.number(value, lang) for key, value in (
                ("first", self.first + 1), ("last", self.first + shown), ("matching", self.total),
                ("page", self.number), ("pages", self.pages))},
            "pages": self.pages,
            "past_end": self.past_end,
            "previous_href": self.link(min(self.number, self.pages + 1) - 1) if self.number > 1 else None,
            "next_href": self.link(self.number + 1) if self.number < self.pages else None,
            "last_href": self.link(self.pages),
        }


def page_of(path: str, kept: tuple[str, ...] = ("lang",)) -> Callable[[int], str]:
    """Links to the pages of the page at ``/path``, keeping the query parameters ``kept`` (the
    reader's language; the home page's filters and search too)."""
    def link(number: int) -> str:
        found = [(key, value) for key, value in request.args.items() if key in kept and value]
        if number > 1:
            found.append(("page", str(number)))
        return f"/{path}?" + urlencode(found) if found else f"/{path}"

    return link
