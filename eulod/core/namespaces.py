"""Every namespace eulod writes or reads, declared once.

The ontology and code-list namespaces are persistent (w3id.org) and never depend on
where a deployment runs; data IRIs are minted under the configurable base IRI instead
(see :mod:`eulod.core.iris`).
"""

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

VOCAB_BASE = "https://w3id.org/eulod/"
ONTOLOGY_IRI = VOCAB_BASE + "ontology"

EULOD = Namespace(ONTOLOGY_IRI + "#")
CODE = Namespace(VOCAB_BASE + "code/")

ROLE = Namespace(CODE + "role/")
ORGTYPE = Namespace(CODE + "organisation-type/")
FUND = Namespace(CODE + "fund/")
PROGRAMME = Namespace(CODE + "programme/")
RESULT_TYPE = Namespace(CODE + "result-type/")
ID_SCHEME = Namespace(CODE + "identifier-scheme/")
STATUS = Namespace(CODE + "status/")
GRANT_STATUS = Namespace(CODE + "grant-status/")

# EU Publications Office authority tables.
AUTHORITY = "http://publications.europa.eu/resource/authority/"
COUNTRY = Namespace(AUTHORITY + "country/")
CURRENCY = Namespace(AUTHORITY + "currency/")
EU_PROGRAMME = Namespace(AUTHORITY + "eu-programme/")
EUVOC = Namespace("http://publications.europa.eu/ontology/euvoc#")

ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
EURIO = Namespace("http://data.europa.eu/s66#")
FRAPO = Namespace("http://purl.org/cerif/frapo/")
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
# W3C Basic Geo (WGS84 lat/long) vocabulary, for the points where a project takes place.
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
# Eurostat's NUTS regions as linked data (http://data.europa.eu/nuts/code/FRF23).
NUTS = Namespace("http://data.europa.eu/nuts/code/")

PREFIXES: dict[str, str] = {
    "eulod": str(EULOD),
    "role": str(ROLE),
    "orgtype": str(ORGTYPE),
    "fund": str(FUND),
    "programme": str(PROGRAMME),
    "resulttype": str(RESULT_TYPE),
    "idscheme": str(ID_SCHEME),
    "status": str(STATUS),
    "country": str(COUNTRY),
    "currency": str(CURRENCY),
    "dcterms": str(DCTERMS),
    "dcat": str(DCAT),
    "foaf": str(FOAF),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "xsd": str(XSD),
    "adms": str(ADMS),
    "vcard": str(VCARD),
    "schema": str(SCHEMA),
    "org": str(ORG),
    "eurio": str(EURIO),
    "void": str(VOID),
    "geo": str(GEO),
    "nuts": str(NUTS),
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind eulod's prefixes so serialisations read the same everywhere."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def sparql_prologue() -> str:
    """PREFIX lines for queries written inside eulod."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
