"""The funding programme page: the code-list concept, its funds, narrower programmes, and its
projects (a page at a time) with the totals they state.

The projects and the sums come from the generation's listing (eulod.core.listing): the
projects of the programme or of a narrower one, in title order, and the totals stated per
programme. Read from the store, a programme of 8 000 generated projects took 20 s.
"""

from __future__ import annotations

from decimal import Decimal

from flask import Response, request

from eulod.core.iris import last_segment

from .. import i18n
from ..listing import Filter
from .facts import EULOD, SKOS, Facts, alternates, local, page_response, run
from .home import language_view, listing, present_listing
from .paging import BadPage, Pager, bad_page, page_of, requested_page
from .project import BUDGET

PAGE_SIZE = 100  # projects per page of a programme's list


def programme_page(iri: str, path: str) -> Response:
    lang = i18n.language()
    try:
        number = requested_page(request.args.get("page", ""))
    except BadPage as bad:
        return bad_page(bad, lang)
    facts = Facts(run("page-programme.rq", this=iri), lang)
    index = listing()
    view = language_view(index, lang)
    code = last_segment(iri)  # the home page's programme filter: this programme and the narrower ones
    programmes = frozenset(p for p, chain in view["lineages"].items() if code in chain)
    ids = index.matching(lang, Filter(programmes=programmes))
    pager = Pager(len(ids), number, PAGE_SIZE, page_of(path))
    shown = ids[pager.first:pager.first + PAGE_SIZE]
    stated = index.amounts(shown)
    projects = []
    for row, id_ in zip(index.rows(shown), shown):
        amounts = stated.get(id_, {})
        projects.append({**present_listing(row, lang, view["labels"]),
                         "budget": {key: money(amounts.get(kind), lang) for key, kind in BUDGET}})
    sums = index.programme_amounts(programmes)
    broader = facts.iri(iri, SKOS + "broader")
    programme = {
        "name": facts.label(iri),
        "definition": facts.text(iri, SKOS + "definition"),
        "code": facts.value(iri, EULOD + "referenceCode"),
        "period": facts.value(iri, EULOD + "programmingPeriod"),
        "funds": [{"label": facts.label(f), "href": local(f)} for f in facts.iris(iri, EULOD + "fund")],
        "broader": {"label": facts.label(broader), "href": local(broader)} if broader else None,
        "narrower": [{"label": facts.label(n), "href": local(n)} for n in facts.subjects(SKOS + "broader", iri)],
        "projects": projects,
        "totals": [(key, [i18n.money(str(v), cur, lang) for cur, v in sorted(sums[kind].items())])
                   for key, kind in BUDGET if sums.get(kind)],
    }
    return page_response("programme.html", f"{iri}|{pager.number}", status=404 if pager.past_end else 200,
                         programme=programme, iri=iri, alternates=alternates(path), **pager.context(len(shown), lang))


def money(amount: tuple[str, Decimal] | None, lang: str) -> dict[str, str] | None:
    """A stated total as the money cell shows it."""
    if amount is None:
        return None
    currency, value = amount
    return {"value": str(value), "currency": currency, "text": i18n.money(str(value), currency, lang), "rate": ""}
