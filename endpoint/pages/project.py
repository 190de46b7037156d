"""The project page: what a project is, who takes part, its money, results, contacts and SHACL results."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
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

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
NUTS = "http://data.europa.eu/nuts/code/"


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
    reference = facts.value(iri, EULOD + "statedProgrammeReference")
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
        # The reference as the source states it, unless it is the CCI of a programme shown above.
        "reference": reference if reference not in {facts.value(node, EULOD + "referenceCode")
                                                    for node in facts.iris(iri, EULOD + "operationalProgramme")} else None,
        "funds": [{"label": facts.label(f), "href": local(f)} for f in facts.iris(iri, EULOD + "fund")],
        "status": facts.label(facts.iri(iri, EULOD + "status")),
        "grant_status": concept(facts, facts.iri(iri, EULOD + "grantStatus")),
        "operational_programmes": [operational_programme(facts, node)
                                   for node in facts.iris(iri, EULOD + "operationalProgramme")],
        "categories": [(key, [concept(facts, node) for node in facts.iris(iri, EULOD + kind)])
                       for key, kind in CATEGORIES if facts.iris(iri, EULOD + kind)],
        "place": place(facts, iri),
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
# The code lists a cohesion-policy project is classified by (Kohesio), in the order pages show them.
CATEGORIES = (("project.intervention_fields", "interventionField"), ("project.thematic_objectives", "thematicObjective"),
              ("project.policy_objectives", "policyObjective"), ("project.specific_objectives", "specificObjective"))


def concept(facts: Facts, node: str | None) -> dict[str, str] | None:
    """A code-list concept as pages show it: its notation (when it has one), label and link."""
    if not node:
        return None
    notation = facts.value(node, SKOS + "notation") or ""
    label = facts.label(node)
    return {"notation": notation if notation != label else "", "label": label, "href": local(node)}


def operational_programme(facts: Facts, node: str) -> dict[str, str]:
    """A cohesion-policy programme a project is funded under: its name, CCI and period."""
    return {"label": facts.label(node), "cci": facts.value(node, EULOD + "referenceCode") or "",
            "period": facts.value(node, EULOD + "programmingPeriod") or "", "href": local(node)}


def place(facts: Facts, iri: str) -> dict[str, Any]:
    """Where the project takes place (dcterms:spatial): NUTS regions, LAUs, points, postal codes."""
    regions, laus, points = [], [], []
    for node in facts.iris(iri, DCT + "spatial"):
        lat, long = facts.value(node, GEO + "lat"), facts.value(node, GEO + "long")
        name = facts.value(node, RDFS + "label") or ""
        notation = facts.value(node, SKOS + "notation") or node.rstrip("/").rsplit("/", 1)[-1]
        if lat is not None and long is not None:
            points.append({"lat": lat, "long": long, "href": local(node)})
        elif node.startswith(NUTS):
            regions.append({"notation": notation, "label": name, "href": node})
        else:
            laus.append({"notation": notation, "label": name, "href": local(node)})
    regions.sort(key=lambda r: (len(r["notation"]), r["notation"]))
    return {"regions": regions, "laus": laus, "points": points,
            "postal_codes": sorted(o.value for o in facts.objects(iri, EULOD + "postalCode"))}


ROLE_RANK = {"coordinator": 0, "beneficiary": 1, "partner": 2, "third-party": 3, "associated-partner": 4}


def describe_participation(facts: Facts, part: str) -> dict[str, Any]:
    organisation = facts.iri(part, EULOD + "organisation") or ""
    role = facts.iri(part, EULOD + "role") or ""
    same_as = facts.iri(organisation, OWL + "sameAs")
    return {
        "href": local(organisation),
        # An organisation known only by its IRI elsewhere (a Kohesio beneficiary) is named by that
        # IRI, as its own page is, never by a name made from it.
        "name": facts.text(organisation, SKOS + "prefLabel") or same_as or facts.label(organisation),
        "role": facts.label(role),
        "role_rank": ROLE_RANK.get(role.rsplit("/", 1)[-1], 9),
        "country": country(facts.iri(organisation, EULOD + "country"), facts.lang),
        "city": facts.text(organisation, EULOD + "city"),
        "budget": {key: facts.amount(part, kind) for key, kind in BUDGET},
        "gross": gross(facts, part),
    }


def gross(facts: Facts, part: str) -> dict[str, str] | None:
    """The gross EU contribution of a participation and what of it goes to others, or None.

    A beneficiary's gross contribution (CORDIS ecContribution) includes the shares it passes on
    to its linked third parties; its eulod:euContribution is what it keeps (docs/mapping.md,
    "Who receives what"). The page shows the net amount as the organisation's, and beside it
    the gross amount and the difference, so a reader sees who receives what. Only when both
    are stated in the same currency is the difference computed.
    """
    amount = facts.amount(part, "grossEuContribution")
    if amount is None:
        return None
    net = facts.amount(part, "euContribution")
    passed = None
    if net is not None and net["currency"] == amount["currency"]:
        difference = Decimal(amount["value"]) - Decimal(net["value"])
        if not difference:
            return None  # the organisation keeps all it signs for: the net amount says it all
        passed = i18n.money(difference, amount["currency"], facts.lang) if difference > 0 else None
    return {**amount, "passed_on": passed}


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
