"""The home page: every project, filtered by programme, country and year, a page at a time, with figures and charts.

The home page lists every project, so what it needs is read once per store generation per
server process (a generation never changes once built; the build writes it as the listing
file, :mod:`..listing`) and kept as compact tuples: a request then only filters, pages and
renders one page. At CORDIS scale (100 000 projects) reading takes seconds, a request
afterwards milliseconds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from functools import lru_cache
from typing import Any

from flask import Response, current_app, request

from eulod.core.iris import last_segment

from .. import charts, i18n
from ..context import settings, store_handle
from ..listing import Filter, Listing, Row, listing_cache
from ..search_index import search_cache
from .facts import COUNTRY, country, local, page_response, run
from .paging import BadPage, Pager, bad_page, page_of, requested_page

PAGE_SIZE = 50  # projects per page of the home list


FILTERS = ("programme", "country", "year")
SEARCH = "q"  # the search box: words the projects must contain (eulod.core.search), ranked by relevance
MAX_QUESTION = 500  # characters of a search kept


def listing() -> Listing:
    """This process's listing of the current generation (opened, or read, on first need)."""
    return listing_cache(current_app).get(store_handle())


def language_view(index: Listing, lang: str) -> dict[str, Any]:
    """What the home page derives from the listing in one language: code labels, filter options, charts."""
    def make() -> dict[str, Any]:
        labels, broader = code_labels(lang)
        lineages = {p: frozenset(map(last_segment, lineage(p, broader))) for p in index.programmes}
        return {
            "labels": labels,
            "lineages": lineages,
            "filters": filter_options(index, lang, labels, lineages, broader),
            "funding_chart": funding_chart(index.funding, lang, labels),
            "country_chart": country_chart(index.participations, lang),
        }

    return index.memo(("view", lang), make)


def code_labels(lang: str) -> tuple[dict[str, str], dict[str, str]]:
    """Labels of code-list concepts in ``lang`` (else English), and each concept's broader one."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    broader: dict[str, str] = {}
    for row in run("labels.rq"):
        labels[row["concept"].value][row["label"].language or ""] = row["label"].value
        if row["broader"]:
            broader[row["concept"].value] = row["broader"].value
    chosen = {c: i18n.in_language(names, lang) for c, names in labels.items()}
    return chosen, broader


def lineage(programme: str | None, broader: dict[str, str]) -> list[str]:
    chain = []
    while programme and programme not in chain:
        chain.append(programme)
        programme = broader.get(programme)
    return chain


def home() -> Response:
    lang = i18n.language()
    try:
        number = requested_page(request.args.get("page", ""))
    except BadPage as bad:
        return bad_page(bad, lang)
    handle = store_handle()
    index = listing()
    view = language_view(index, lang)
    wanted = {key: request.args.get(key, "") for key in FILTERS}
    question = request.args.get(SEARCH, "").strip()[:MAX_QUESTION]
    selected = as_filter(wanted, view["lineages"])
    if question:
        found = index.among(search_cache(current_app).get(handle).ranked_iris(question, "project"), selected)
    else:
        found = index.matching(lang, selected)
    wanted[SEARCH] = question
    pager = Pager(len(found), number, PAGE_SIZE, page_of("", (*FILTERS, SEARCH, "lang")))
    shown = index.rows(found[pager.first:pager.first + PAGE_SIZE])
    paging = pager.context(len(shown), lang)
    paging["count"]["total"] = i18n.number(index.total, lang)
    context = {
        "projects": [present_listing(row, lang, view["labels"]) for row in shown],
        "filtered": any(wanted.values()),
        "ranked": bool(question),
        **paging,
        "filters": view["filters"],
        "wanted": wanted,
        "figures": figures(index, handle.manifest, lang),
        "funding_chart": view["funding_chart"],
        "country_chart": view["country_chart"],
        "manifest": handle.manifest,
        "settings": settings(),
    }
    # A page past the end is Not Found (the pager never links there); it still shows the
    # filters and a link back, and is not cached.
    return page_response("home.html", "home|" + request.query_string.decode("latin-1"),
                         status=404 if pager.past_end else 200, **context)


def as_filter(wanted: dict[str, str], lineages: dict[str, frozenset[str]]) -> Filter:
    """The home page's query parameters as a listing filter (a programme includes its narrower ones)."""
    year = as_year(wanted["year"]) if wanted["year"] else None
    return Filter(
        programmes=frozenset(p for p, chain in lineages.items() if wanted["programme"] in chain)
        if wanted["programme"] else None,
        country=COUNTRY + wanted["country"] if wanted["country"] else None,
        year=year,
        nothing=bool(wanted["year"]) and year is None,
    )


@lru_cache(maxsize=64)
def as_year(text: str) -> int | None:
    """A year filter as a number; anything else (letters, '²', a thousand digits) matches nothing."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None


def present_listing(row: Row, lang: str, labels: dict[str, str]) -> dict[str, Any]:
    start, end = i18n.date_text(row.start, lang), i18n.date_text(row.end, lang)
    return {
        "href": local(row.iri),
        "title": row.title(lang),
        "programme": {"label": labels.get(row.programme or "", ""), "href": local(row.programme)} if row.programme else None,
        "dates": f"{start} – {end}" if start and end else start or end,
        "partners": row.partners,
        "countries": [c.rsplit("/", 1)[-1] for c in row.countries],
    }


def filter_options(index: Listing, lang: str, labels: dict[str, str], lineages: dict[str, frozenset[str]],
                   broader: dict[str, str]) -> dict[str, list]:
    programmes = {p for programme in lineages for p in lineage(programme, broader)}
    years = {y for first, last in index.year_spans for y in range(first, last + 1)}
    return {
        "programme": sorted(((last_segment(p), labels.get(p, p)) for p in programmes), key=lambda o: o[1]),
        "country": sorted(((c.rsplit("/", 1)[-1], (country(c, lang) or {}).get("name", c)) for c in index.countries),
                          key=lambda o: o[1]),
        "year": [(str(y), str(y)) for y in sorted(years)],
    }


def figures(index: Listing, manifest: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    stats = manifest.get("statistics", {})
    return [
        (i18n.number(index.total, lang), i18n.translate("home.projects", lang)),
        (i18n.number(stats.get("organisations", 0), lang), i18n.translate("home.organisations", lang)),
        (i18n.number(len(index.countries), lang), i18n.translate("home.countries", lang)),
        (i18n.number(stats.get("triples", 0), lang), i18n.translate("home.triples", lang)),
    ]


def funding_chart(sums: dict[tuple[str, str], Decimal], lang: str, labels: dict[str, str]) -> charts.BarChart:
    return charts.bar_chart(
        "funding",
        i18n.translate("chart.funding", lang),
        i18n.translate("chart.funding.desc", lang),
        [(labels.get(p, p), float(v), i18n.money(v, cur, lang), local(p)) for (p, cur), v in sums.items() if v],
    )


def country_chart(counts: Counter[str], lang: str) -> charts.BarChart:
    return charts.bar_chart(
        "partners",
        i18n.translate("chart.partners", lang),
        i18n.translate("chart.partners.desc", lang),
        [((country(c, lang) or {}).get("name", c), n, i18n.number(n, lang), f"/?country={c.rsplit('/', 1)[-1]}")
         for c, n in counts.items()],
    )
