"""Pages for people: the home page. (Project, organisation and programme pages grow here.)"""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from eulod.namespaces import sparql_prologue

from . import settings, store_handle

blueprint = Blueprint("pages", __name__)

PROJECTS = """
PREFIX eulod: <https://w3id.org/eulod/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?project (SAMPLE(?t) AS ?title) WHERE { ?project a eulod:Project ; dcterms:title ?t } GROUP BY ?project ORDER BY ?title"""


@blueprint.route("/")
def home() -> Response:
    handle = store_handle()
    rows = handle.store.query(PROJECTS, use_default_graph_as_union=True)
    projects = [(row["project"].value, row["title"].value) for row in rows]
    base = settings().base_iri
    projects = [(iri[len(base) - 1 :] if iri.startswith(base) else iri, title) for iri, title in projects]
    return Response(
        render_template("home.html", projects=projects, manifest=handle.manifest, settings=settings()),
        mimetype="text/html",
    )


@blueprint.app_context_processor
def globals_for_templates() -> dict:
    return {"prologue": sparql_prologue()}
