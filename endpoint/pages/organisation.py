"""The organisation page: its names, type, place, and the projects it takes part in, a page at a time.

The projects come from the generation's listing (which organisation takes part in which
project, each project's title and dates), ordered by title in the reader's language; only
the page shown is read from the store, for the participations' roles and amounts. Read from
the store whole, the busiest of 100 000 generated organisations' pages took 33 s.
"""

from __future__ import annotations

from flask import Response, request

from .. import i18n
from .facts import ADMS, EULOD, FOAF, SKOS, Facts, alternates, country, local, page_response, run
from .home import language_view, listing, present_listing
from .paging import BadPage, Pager, bad_page, page_of, requested_page
from .project import BUDGET, gross

OWL = "http://www.w3.org/2002/07/owl#"
PAGE_SIZE = 100  # projects per page of an organisation's list


def organisation_page(iri: str, path: str) -> Response:
    lang = i18n.language()
    try:
        number = requested_page(request.args.get("page", ""))
    except BadPage as bad:
        return bad_page(bad, lang)
    index = listing()
    ids = index.organisation_projects(iri, lang)
    pager = Pager(len(ids), number, PAGE_SIZE, page_of(path))
    rows = index.rows(ids[pager.first:pager.first + PAGE_SIZE])
    facts = Facts(run("page-organisation.rq", this=iri, projects=[row.iri for row in rows]), lang)
    labels = language_view(index, lang)["labels"]
    projects = []
    for row in rows:
        listed = present_listing(row, lang, labels)
        programme = facts.iri(row.iri, EULOD + "programme") or facts.iri(row.iri, EULOD + "operationalProgramme")
        for part in facts.iris(row.iri, EULOD + "hasParticipation"):
            if iri not in facts.iris(part, EULOD + "organisation"):
                continue
            projects.append({
                **listed,
                "role": facts.label(facts.iri(part, EULOD + "role")),
                "programme": {"label": facts.label(programme), "href": local(programme)} if programme else None,
                "budget": {key: facts.amount(part, kind) for key, kind in BUDGET},
                "gross": gross(facts, part),
            })
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
    return page_response("organisation.html", f"{iri}|{pager.number}", status=404 if pager.past_end else 200,
                         organisation=organisation, iri=iri, alternates=alternates(path),
                         **pager.context(len(rows), lang))
