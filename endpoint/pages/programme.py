"""The funding programme page: the code-list concept, its funds, narrower programmes and projects with totals."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from flask import Response

from .. import i18n
from .facts import DCT, EULOD, RDF_TYPE, SKOS, Facts, alternates, local, page_response, run
from .organisation import dates
from .project import BUDGET


def programme_page(iri: str, path: str) -> Response:
    lang = i18n.language()
    facts = Facts(run("page-programme.rq", this=iri), lang)
    projects = []
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for project in facts.subjects(RDF_TYPE, EULOD + "Project"):
        budget = {key: facts.amount(project, kind) for key, kind in BUDGET}
        for key, amount in budget.items():
            if amount:
                totals[key][amount["currency"]] += Decimal(amount["value"])
        programme = facts.iri(project, EULOD + "programme")
        projects.append({
            "href": local(project), "title": facts.text(project, DCT + "title"), "dates": dates(facts, project),
            "programme": {"label": facts.label(programme), "href": local(programme)} if programme else None,
            "partners": len(facts.iris(project, EULOD + "hasParticipation")), "budget": budget,
        })
    projects.sort(key=lambda p: p["title"].lower())
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
        "totals": [(key, [i18n.money(v, cur, lang) for cur, v in sorted(totals[key].items())])
                   for key, _kind in BUDGET if totals.get(key)],
    }
    return page_response("programme.html", iri, programme=programme, iri=iri, alternates=alternates(path))
