"""The summaries the build computes (eulod.summaries) agree with the data they summarise.

Each summary is checked against the same question asked of the data graph itself in
SPARQL, on the sample build, and against hand-made stores for the cases the sample data
does not have (two currencies, ties at the cut, a participation without a country).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pyoxigraph as ox
import pytest

from eulod.build import data_graph_iri, summary_graph_iri
from eulod.namespaces import EULOD
from eulod.store import current_generation
from eulod.summaries import add_summaries, most_frequent

BASE = "http://example.org/"
DATA = ox.NamedNode(BASE + "graph/data")
SUMMARIES = BASE + "graph/summaries"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
CURRENCY = "http://publications.europa.eu/resource/authority/currency/"
PREFIX = f"PREFIX eulod: <{EULOD}>\n"


def n(value: str) -> ox.NamedNode:
    return ox.NamedNode(value if value.startswith("http") else BASE + value)


def e(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(EULOD[name]))


def participation(store: ox.Store, project: str, organisation: str, amount: str | None = None,
                  currency: str = "EUR") -> None:
    node = n(f"{project}#{organisation}")
    store.add(ox.Quad(n(project), e("hasParticipation"), node, DATA))
    store.add(ox.Quad(node, e("organisation"), n(organisation), DATA))
    if amount is not None:
        money = n(f"{project}#{organisation}-eu")
        store.add(ox.Quad(node, e("euContribution"), money, DATA))
        store.add(ox.Quad(money, e("amount"), ox.Literal(amount, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")), DATA))
        store.add(ox.Quad(money, e("currency"), n(CURRENCY + currency), DATA))


def located(store: ox.Store, organisation: str, country: str) -> None:
    store.add(ox.Quad(n(organisation), e("country"), n(COUNTRY + country), DATA))


def rows(store: ox.Store, query: str) -> list[dict[str, str]]:
    result = store.query(PREFIX + query, use_default_graph_as_union=True)
    return [{v.value: s[v].value for v in result.variables if s[v] is not None} for s in result]


def totals(store: ox.Store) -> dict[tuple[str, str], tuple[Decimal, int]]:
    found = rows(store, """SELECT ?c ?cur ?t ?k WHERE { ?x a eulod:CountryTotal ; eulod:totalFor ?c ;
                           eulod:totalCurrency ?cur ; eulod:totalAmount ?t ; eulod:participationCount ?k }""")
    return {(r["c"].rsplit("/", 1)[1], r["cur"].rsplit("/", 1)[1]): (Decimal(r["t"]), int(r["k"])) for r in found}


def pairs(store: ox.Store) -> dict[tuple[str, str], int]:
    found = rows(store, """SELECT ?a ?b ?k WHERE { ?x a eulod:Collaboration ; eulod:collaborator ?a , ?b ;
                           eulod:sharedProjects ?k FILTER(STR(?a) < STR(?b)) }""")
    return {(r["a"].rsplit("/", 1)[1], r["b"].rsplit("/", 1)[1]): int(r["k"]) for r in found}


def test_country_totals_keep_currencies_apart_and_skip_what_has_no_country():
    store = ox.Store()
    participation(store, "p1", "rome", "100.50")
    participation(store, "p2", "rome", "0.25")
    participation(store, "p3", "rome", "7", currency="PLN")
    participation(store, "p3", "nowhere", "1000")  # organisation without a country
    participation(store, "p4", "lyon")  # no EU contribution stated
    located(store, "rome", "ITA")
    located(store, "lyon", "FRA")
    add_summaries(store, DATA.value, SUMMARIES, BASE, 10)
    assert totals(store) == {("ITA", "EUR"): (Decimal("100.75"), 2), ("ITA", "PLN"): (Decimal("7"), 1)}


def test_summaries_go_to_their_own_graph_only():
    store = ox.Store()
    participation(store, "p1", "a", "1")
    participation(store, "p1", "b", "2")
    located(store, "a", "ITA")
    before = len(store)
    added = add_summaries(store, DATA.value, SUMMARIES, BASE, 10)
    assert added > 0 and len(store) == before + added
    graphs = {q.graph_name.value for q in store.quads_for_pattern(None, e("sharedProjects"), None)}
    assert graphs == {SUMMARIES}
    assert sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(SUMMARIES))) == added


def test_collaborations_count_shared_projects_once_per_pair():
    store = ox.Store()
    for project, members in {"p1": "abc", "p2": "ab", "p3": "bc", "p4": "ab"}.items():
        for member in members:
            participation(store, project, member)
    participation(store, "p4", "a")  # the same organisation twice in one project counts once
    add_summaries(store, DATA.value, SUMMARIES, BASE, 10)
    assert pairs(store) == {("a", "b"): 3, ("b", "c"): 2, ("a", "c"): 1}


def test_only_the_most_frequent_pairs_are_kept_with_their_ties():
    counts = Counter({("a", "b"): 5, ("a", "c"): 3, ("b", "c"): 3, ("c", "d"): 3, ("d", "e"): 1})
    keyed = Counter({(n(a), n(b)): k for (a, b), k in counts.items()})
    kept = most_frequent(keyed, 2)
    assert [k for _, k in kept] == [5, 3, 3, 3]  # the tie at the cut is kept whole
    assert most_frequent(keyed, 0) == []
    assert len(most_frequent(keyed, 99)) == 5


@pytest.fixture(scope="module")
def sample_store(sample_build, sample_settings):
    store = ox.Store.read_only(str(current_generation(sample_settings.build_dir).store_path))
    yield store, sample_settings


def test_sample_country_totals_equal_the_sum_over_the_data(sample_store):
    store, settings = sample_store
    found = rows(store, f"""SELECT ?c ?cur (SUM(?a) AS ?t) (COUNT(?p) AS ?k) WHERE {{ GRAPH <{data_graph_iri(settings)}> {{
        ?p eulod:organisation/eulod:country ?c ; eulod:euContribution [ eulod:amount ?a ; eulod:currency ?cur ] }} }}
        GROUP BY ?c ?cur""")
    expected = {(r["c"].rsplit("/", 1)[1], r["cur"].rsplit("/", 1)[1]): (Decimal(r["t"]), int(r["k"])) for r in found}
    assert expected, "the sample data states EU contributions of located partners"
    assert totals(store) == expected


def test_sample_collaborations_equal_the_pairs_in_the_data(sample_store):
    store, settings = sample_store
    found = rows(store, f"""SELECT ?a ?b (COUNT(DISTINCT ?project) AS ?k) WHERE {{ GRAPH <{data_graph_iri(settings)}> {{
        ?project eulod:hasParticipation/eulod:organisation ?a , ?b FILTER(STR(?a) < STR(?b)) }} }} GROUP BY ?a ?b""")
    expected = {(r["a"].rsplit("/", 1)[1], r["b"].rsplit("/", 1)[1]): int(r["k"]) for r in found}
    assert len(expected) < settings.summary_collaborations, "the sample data fits under the cut: every pair is kept"
    assert pairs(store) == expected
    assert sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(summary_graph_iri(settings)))) > 0


def test_the_manifest_names_the_summary_graph(sample_build, sample_settings):
    assert sample_build.manifest["graphs"]["summaries"] == summary_graph_iri(sample_settings)
