"""Pages for people: home (projects with filters, figures, charts), project, organisation,
programme and source-document pages, one module each.

Linked Data negotiation stays in :mod:`eulod.endpoint.resources`, which hands HTML requests for
these resource types to :func:`respond`. What the resource pages share is in :mod:`.facts`; the
home page reads the generation's listing file (:mod:`eulod.endpoint.listing`) a page at a time
and is kept ready by :mod:`.warmup`.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response

from ..context import settings
from . import home, templating
from .facts import EULOD, FOAF, RDF_TYPE
from .organisation import organisation_page
from .programme import programme_page
from .project import project_page
from .source import source_page

blueprint = Blueprint("pages", __name__)
blueprint.add_url_rule("/", view_func=home.home)
blueprint.after_app_request(templating.vary_on_language)
blueprint.app_context_processor(templating.globals_for_templates)


def respond(iri: str, triples: list[ox.Triple], path: str) -> Response | None:
    """The page for ``iri`` when it is a project, organisation, programme or source document."""
    types = {t.object.value for t in triples if t.subject.value == iri and t.predicate.value == RDF_TYPE}
    if EULOD + "Project" in types:
        return project_page(iri, path)
    if EULOD + "Organisation" in types:
        return organisation_page(iri, path)
    if EULOD + "FundingProgramme" in types:
        return programme_page(iri, path)
    if FOAF + "Document" in types and iri.startswith(settings().base_iri + "source/"):
        return source_page(iri, path)
    return None
