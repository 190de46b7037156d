"""The project page: what a project is, who takes part, its money, results, contacts and SHACL results."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pyoxigraph as ox
from flask import Response

from .. import charts, i18n
from ..context import settings
from .facts import (
    ADMS,
    DCT,
    EULOD,
    FOAF,
    PROV,
    SKOS,
    VCARD,
    Facts,
    alternates,
    country,
    local,
    page_response,
    run,
    validation_results,
)


def project_page(iri: str, path: str) -> Response:
    lang = i18n.language()
    facts = Facts(run("page-project.rq", this=iri), lang)
    project = describe_project(facts, iri)
    return page_response("project.html", iri, project=project, iri=iri, alternates=alternates(path))


def describe_project(facts: Facts, iri: str) -> dict[str, Any]:
    lang = facts.lang
    record = facts.iri(iri, PROV + "wasDerivedFrom")
    source = facts.iri(record, PROV + "wasDerivedFrom") if record else None
    programme = facts.iri(iri, EULOD + "programme")
    partners = [describe_participation(facts, part) for part in facts.iris(iri, EULOD + "hasParticipation")]
    partners.sort(key=lambda p: (p["role_rank"], p["name"].lower()))
    record_id = iri.rstrip("/").rsplit("/", 1)[-1]
    per_country = Counter(p["country"]["name"] for p in partners if p["country"])
    chart = charts.bar_chart(
        "project-partners",
        i18n.translate("chart.project_partners", lang),
        i18n.translate("chart.project_partners.desc", lang),
        [(name, count, i18n.number(count, lang), None) for name, count in per_country.items()],
    )
    return {
        "iri": iri,
        "title": facts.text(iri, DCT + "title"),
        "subtitle": facts.text(iri, EULOD + "subtitle"),
        "acronym": facts.value(iri, EULOD + "acronym"),
        "description": facts.text(iri, DCT + "description"),
        "objectives": facts.texts(iri, EULOD + "objective"),
        "actions": facts.texts(iri, EULOD + "action"),
        "expected": facts.texts(iri, EULOD + "expectedResult"),
        "themes": facts.texts(iri, EULOD + "theme"),
        "programme": {"label": facts.label(programme), "href": local(programme)} if programme else None,
        "reference": facts.value(iri, EULOD + "statedProgrammeReference"),
        "funds": [{"label": facts.label(f), "href": local(f)} for f in facts.iris(iri, EULOD + "fund")],
        "status": facts.label(facts.iri(iri, EULOD + "status")),
        "start": i18n.date_text(facts.value(iri, EULOD + "startDate"), lang),
        "end": i18n.date_text(facts.value(iri, EULOD + "endDate"), lang),
        "months": facts.value(iri, EULOD + "durationMonths"),
        "website": facts.iri(iri, FOAF + "homepage"),
        "budget": [(key, facts.amount(iri, kind)) for key, kind in BUDGET if facts.amount(iri, kind)],
        "identifiers": [
            {"notation": facts.value(node, SKOS + "notation"), "scheme": facts.label(facts.iri(node, EULOD + "identifierScheme"))}
            for node in facts.iris(iri, ADMS + "identifier")
        ],
        "results": [
            {"title": facts.text(node, DCT + "title"), "description": facts.text(node, DCT + "description"),
             "page": facts.iri(node, FOAF + "page"), "href": local(node)}
            for node in facts.iris(iri, EULOD + "result")
        ],
        "partners": partners,
        "chart": chart,
        "contacts": [describe_contact(facts, node) for node in facts.iris(iri, EULOD + "contactPoint")],
        "validation": [present_result(r, lang) for r in validation_results(record_id)],
        "record": {
            "href": local(record),
            "generated": facts.value(record, PROV + "generatedAtTime"),
            "notes": facts.text(record, SKOS + "editorialNote"),
        } if record else None,
        "source": {"href": local(source), "title": facts.label(source), "page": facts.iri(source, FOAF + "page")}
        if source else None,
        "links": related(facts, iri),
    }


def related(facts: Facts, iri: str) -> list[dict[str, str]]:
    """Every resource the project links to that is served here (parts, partners, codes, provenance)."""
    base = settings().base_iri
    served = ("https://w3id.org/eulod/", base)
    found = {o for (s, _p), objects in facts.index.items() if s == iri or s.startswith(iri + "/")
             for o in (x.value for x in objects if isinstance(x, ox.NamedNode)) if o.startswith(served)}
    found.discard(iri)
    return [{"href": local(o), "label": facts.label(o) if not o.startswith(iri) else local(o)}
            for o in sorted(found, key=local)]


BUDGET = (("col.total_cost", "totalCost"), ("col.eu_contribution", "euContribution"), ("col.co_financing", "coFinancing"))


ROLE_RANK = {"coordinator": 0, "beneficiary": 1, "partner": 2, "third-party": 3, "associated-partner": 4}


def describe_participation(facts: Facts, part: str) -> dict[str, Any]:
    organisation = facts.iri(part, EULOD + "organisation") or ""
    role = facts.iri(part, EULOD + "role") or ""
    return {
        "href": local(organisation),
        "name": facts.label(organisation),
        "role": facts.label(role),
        "role_rank": ROLE_RANK.get(role.rsplit("/", 1)[-1], 9),
        "country": country(facts.iri(organisation, EULOD + "country"), facts.lang),
        "city": facts.text(organisation, EULOD + "city"),
        "budget": {key: facts.amount(part, kind) for key, kind in BUDGET},
    }


def describe_contact(facts: Facts, node: str) -> dict[str, Any]:
    organisation = facts.iri(node, EULOD + "contactFor")
    email = facts.iri(node, VCARD + "hasEmail")
    return {
        "name": facts.value(node, VCARD + "fn"),
        "role": facts.value(node, VCARD + "role"),
        "unit": facts.value(node, VCARD + "organization-unit"),
        "email": email.removeprefix("mailto:") if email else None,
        "organisation": {"label": facts.label(organisation), "href": local(organisation)} if organisation else None,
        "href": local(node),
    }


def present_result(result: dict[str, Any], lang: str) -> dict[str, str]:
    messages = result.get("messages") or {}
    path = result.get("path") or ""
    return {
        "severity": result.get("severity", ""),
        "severity_text": i18n.translate(f"severity.{result.get('severity', '')}", lang),
        "message": i18n.in_language(messages, lang),
        "focus": local(result.get("focus") or ""),
        "path": path.rsplit("#", 1)[-1].rsplit("/", 1)[-1],
    }
