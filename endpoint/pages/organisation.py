"""The organisation page: its names, type, place, and the projects it takes part in."""

from __future__ import annotations

from flask import Response

from .. import i18n
from .facts import ADMS, DCT, EULOD, FOAF, SKOS, Facts, alternates, country, local, page_response, run
from .project import BUDGET, gross

OWL = "http://www.w3.org/2002/07/owl#"


def organisation_page(iri: str, path: str) -> Response:
    lang = i18n.language()
    facts = Facts(run("page-organisation.rq", this=iri), lang)
    projects = []
    for part in facts.subjects(EULOD + "organisation", iri):
        for project in facts.subjects(EULOD + "hasParticipation", part):
            programme = facts.iri(project, EULOD + "programme") or facts.iri(project, EULOD + "operationalProgramme")
            projects.append({
                "href": local(project),
                "title": facts.text(project, DCT + "title"),
                "role": facts.label(facts.iri(part, EULOD + "role")),
                "programme": {"label": facts.label(programme), "href": local(programme)} if programme else None,
                "dates": dates(facts, project),
                "budget": {key: facts.amount(part, kind) for key, kind in BUDGET},
                "gross": gross(facts, part),
            })
    projects.sort(key=lambda p: p["title"].lower())
    preferred = facts.text(iri, SKOS + "prefLabel")
    names = sorted({o.value for o in facts.objects(iri, SKOS + "altLabel")} - {preferred})
    # An organisation a source gives only by its IRI elsewhere (a Kohesio beneficiary) has no
    # name: the page is headed by that IRI, never by a made-up name.
    same_as = facts.iris(iri, OWL + "sameAs")
    organisation = {
        "name": preferred or (same_as[0] if same_as and not names else facts.label(iri)),
        "same_as": same_as,
        "names": names,
        "type": facts.label(facts.iri(iri, EULOD + "organisationType")),
        "type_href": local(facts.iri(iri, EULOD + "organisationType") or ""),
        "city": facts.text(iri, EULOD + "city"),
        "country": country(facts.iri(iri, EULOD + "country"), lang),
        "website": facts.iri(iri, FOAF + "homepage"),
        # The organisation's identifiers in other registers (CORDIS PIC, VAT number), by scheme.
        "identifiers": sorted(
            ({"scheme": facts.label(facts.iri(node, EULOD + "identifierScheme")),
              "notation": facts.value(node, SKOS + "notation") or ""}
             for node in facts.iris(iri, ADMS + "identifier")),
            key=lambda i: (i["scheme"].lower(), i["notation"])),
        "projects": projects,
    }
    return page_response("organisation.html", iri, organisation=organisation, iri=iri, alternates=alternates(path))


def dates(facts: Facts, project: str) -> str:
    start = i18n.date_text(facts.value(project, EULOD + "startDate"), facts.lang)
    end = i18n.date_text(facts.value(project, EULOD + "endDate"), facts.lang)
    return f"{start} – {end}" if start and end else start or end
