"""The summaries the build computes (eulod.pipeline.summaries) agree with the data they summarise.

Each summary is checked against the same question asked of the data graph itself in
SPARQL, on the sample build, and against hand-made stores for the cases the sample data
does not have (two currencies, ties at the cut, a participation without a country).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eulod.core.generation import current_generation, data_graph_iri, summary_graph_iri
from eulod.core.namespaces import EULOD
from eulod.core.years import project_years
from eulod.pipeline.summaries import add_summaries, most_frequent

BASE = "http://example.org/"
DATA = ox.NamedNode(BASE + "graph/data")
SUMMARIES = BASE + "graph/summaries"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
CURRENCY = "http://publications.europa.eu/resource/authority/currency/"
PREFIX = f"PREFIX eulod: <{EULOD}>\n"
XSD = "http://www.w3.org/2001/XMLSchema#"


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


def dated(store: ox.Store, project: str, predicate: str, value: str, datatype: str) -> None:
    store.add(ox.Quad(n(project), e(predicate), ox.Literal(value, datatype=ox.NamedNode(XSD + datatype)), DATA))


def years(store: ox.Store) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for row in rows(store, "SELECT ?p ?y WHERE { ?p eulod:activeInYear ?y }"):
        found.setdefault(row["p"].rsplit("/", 1)[1], set()).add(int(row["y"]))
    return found


def test_activity_runs_from_the_start_year_to_the_end_year_at_any_date_precision():
    store = ox.Store()
    dated(store, "day", "startDate", "2019-11-30", "date")
    dated(store, "day", "endDate", "2021-01-01", "date")
    dated(store, "month", "startDate", "2020-06", "gYearMonth")
    dated(store, "month", "endDate", "2020-09", "gYearMonth")
    dated(store, "year", "startDate", "2018", "gYear")
    dated(store, "open", "startDate", "2023-03-01", "date")  # no end date: runs up to the build's year
    dated(store, "backwards", "startDate", "2022-01-01", "date")
    dated(store, "backwards", "endDate", "2020-01-01", "date")  # ends before it starts: its start year only
    dated(store, "undated", "endDate", "2020-01-01", "date")  # no start: no years
    dated(store, "lasting", "startDate", "2020-07-01", "date")  # no end date, a duration: ends in 2022
    store.add(ox.Quad(n("lasting"), e("durationMonths"), ox.Literal("30", datatype=ox.NamedNode(XSD + "integer")), DATA))
    add_summaries(store, DATA.value, SUMMARIES, BASE, 10, current_year=2025)
    assert years(store) == {"day": {2019, 2020, 2021}, "month": {2020}, "year": set(range(2018, 2026)),
                            "open": {2023, 2024, 2025}, "backwards": {2022},
                            "lasting": {2020, 2021, 2022}}
    literal = next(store.quads_for_pattern(n("month"), e("activeInYear"), None)).object
    assert literal.datatype.value == XSD + "gYear" and literal.value == "2020"
    assert {q.graph_name.value for q in store.quads_for_pattern(None, e("activeInYear"), None)} == {SUMMARIES}


def test_project_years_edges():
    assert list(project_years(None, "2020", None, 2025)) == []
    assert list(project_years("2020-05-01", "2020-06-30", None, 2025)) == [2020]
    assert list(project_years("2027-01-01", None, None, 2025)) == [2027]  # starts after the build: its start year
    assert list(project_years("2019-11-01", "2021-01-31", 6, 2025)) == [2019, 2020, 2021]  # a stated end wins
    assert list(project_years("2019-11-01", None, 2, 2025)) == [2019]  # November and December
    assert list(project_years("2019-11-01", None, 3, 2025)) == [2019, 2020]  # into January
    assert list(project_years("2019", None, 24, 2025)) == [2019, 2020]  # a year alone counts from January
    assert list(project_years("2019-11", None, 0, 2025)) == list(range(2019, 2026))  # no duration: not ended


def test_sample_activity_agrees_with_the_dates_compared_as_text(sample_store):
    """Projects with an end date, compared with their dates as text; the one sample project
    stating only a duration (AMIF volunteering: February 2019, 24 months) ends in January 2021."""
    store, settings = sample_store
    for year in (2008, 2015, 2021, 2023):
        found = rows(store, f"""SELECT DISTINCT ?p WHERE {{ GRAPH <{data_graph_iri(settings)}> {{
            ?p eulod:startDate ?s FILTER(STR(?s) < "{year + 1}")
            OPTIONAL {{ ?p eulod:endDate ?e }} FILTER(!BOUND(?e) || STR(?e) >= "{year}")
            FILTER(BOUND(?e) || NOT EXISTS {{ ?p eulod:durationMonths ?months }}) }} }}""")
        indexed = rows(store, f"""SELECT ?p WHERE {{ ?p eulod:activeInYear "{year}"^^<{XSD}gYear>
            FILTER(EXISTS {{ ?p eulod:endDate ?e }} || NOT EXISTS {{ ?p eulod:durationMonths ?months }}) }}""")
        assert {r["p"] for r in indexed} == {r["p"] for r in found}, year
    assert any(rows(store, 'SELECT ?p WHERE { ?p eulod:activeInYear "2021"^^<%sgYear> }' % XSD))
    by_duration = rows(store, "SELECT ?p ?y WHERE { ?p eulod:durationMonths ?m ; eulod:activeInYear ?y "
                              "FILTER NOT EXISTS { ?p eulod:endDate ?e } }")
    assert {(r["p"].rsplit("/", 1)[1], r["y"]) for r in by_duration} == {
        ("amif-820885-volunteering", str(y)) for y in (2019, 2020, 2021)}

@pytest.mark.parametrize("durations", [["9", "30", "12"], ["30", "9"], ["12", "9", "x", "30"]])
def test_of_several_durations_the_longest_counts_in_the_summaries_and_the_listing(tmp_path, durations):
    """A project stating several durations (the shapes warn) runs for the longest in eulod:activeInYear
    and in the listing's years alike, whatever order a store gives them in: "the last the store
    gives" differed between the store of a full build, the parts a build reads beside its load
    and the store an update reads."""
    from eulod.core import listing

    store = ox.Store()
    dated(store, "p", "startDate", "2020-07-01", "date")
    for months in durations:
        store.add(ox.Quad(n("p"), e("durationMonths"), ox.Literal(months, datatype=ox.NamedNode(XSD + "integer")), DATA))
    add_summaries(store, DATA.value, SUMMARIES, BASE, 10, current_year=2030)
    assert years(store) == {"p": {2020, 2021, 2022}}  # 30 months from July 2020: to December 2022
    item = listing.project_item([], [(fact, value) for fact, value in
                                     [("start", "2020-07-01")] + [("months", m) for m in durations]], [], [])
    assert item["months"] == 30


# -- city keys ------------------------------------------------------------------------------

def city(store: ox.Store, organisation: str, name: str, lang: str | None = "it") -> None:
    store.add(ox.Quad(n(organisation), e("city"), ox.Literal(name, language=lang) if lang else ox.Literal(name), DATA))


def city_keys(store: ox.Store) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for q in store.quads_for_pattern(None, e("cityKey"), None, ox.NamedNode(SUMMARIES)):
        found.setdefault(q.subject.value.rsplit("/", 1)[1], set()).add(q.object.value)
    return found


def test_city_keys_fold_case_and_white_space_but_keep_letters():
    """One key per organisation and spelling that differs only in case, white space or Unicode
    composition; plain strings, in the summary graph; accents, Greek and Cyrillic letters kept."""
    store = ox.Store()
    city(store, "a", "Torino")
    city(store, "b", "  TORINO ", "en")
    city(store, "c", "torino", None)
    city(store, "d", "Mo\u0308nchengladbach", "de")  # o and a combining diaeresis: NFC makes ö
    city(store, "e", "ΘΕΣΣΑΛΟΝΊΚΗ", "el")
    city(store, "f", "София", "bg")
    city(store, "g", "Reggio   nell'Emilia")
    city(store, "h", "   ", None)  # nothing to look up
    city(store, "i", "Turin", "en")
    city(store, "i", "TORINO", "it")  # two names: two keys
    add_summaries(store, DATA.value, SUMMARIES, BASE, 10)
    assert city_keys(store) == {"a": {"torino"}, "b": {"torino"}, "c": {"torino"}, "d": {"m\u00f6nchengladbach"},
                                "e": {"θεσσαλονίκη"}, "f": {"софия"}, "g": {"reggio nell'emilia"},
                                "i": {"turin", "torino"}}
    assert all(q.object.datatype.value == XSD + "string"
               for q in store.quads_for_pattern(None, e("cityKey"), None, ox.NamedNode(SUMMARIES)))
    answer = rows(store, 'SELECT ?o WHERE { ?o eulod:cityKey "torino" }')
    assert {r["o"].rsplit("/", 1)[1] for r in answer} == {"a", "b", "c", "i"}


@settings(max_examples=300, deadline=None)
@given(name=st.text(st.characters(blacklist_categories=("Cs", "Zs", "Cc", "Zl", "Zp", "Cn")), min_size=1, max_size=12))
def test_a_city_key_is_what_sparql_lcase_makes_of_the_name(name):
    """The key of a name without white space or decomposed letters is the store's own LCASE of it, so
    the example's look-up finds what the FILTER over the data finds (Greek final sigma, dotted
    capital I and the like included). Only for characters Python's Unicode tables know: letters of
    scripts encoded since (U+10D50, Garay, Unicode 16) the store lower-cases and Python 3.11 does not."""
    from unicodedata import normalize

    from eulod.pipeline.summaries import city_key

    name = normalize("NFC", name)
    store = ox.Store()
    answer = store.query("SELECT (LCASE(?n) AS ?k) WHERE { VALUES ?n { %s } }" % ox.Literal(name))
    assert city_key(name) == next(iter(answer))["k"].value


# -- amounts nobody checked --------------------------------------------------------------------

DECIMAL = ox.NamedNode(XSD + "decimal")
WELL_FORMED = ["10.5", "0", "-3", "+7.25", ".5", "12.", "0001.100"]
HOSTILE = [ox.Literal("abc", datatype=DECIMAL), ox.Literal("1e3", datatype=DECIMAL), ox.Literal("NaN", datatype=DECIMAL),
           ox.Literal("", datatype=DECIMAL), ox.Literal(" 5", datatype=DECIMAL), ox.Literal("5", datatype=ox.NamedNode(XSD + "integer")),
           ox.Literal("1.5", datatype=ox.NamedNode(XSD + "double")), ox.Literal("7"), ox.Literal("8", language="en"),
           ox.Literal("1" * 40, datatype=DECIMAL), ox.Literal("0." + "1" * 30, datatype=DECIMAL), n("amount-iri")]
amount_terms = st.sampled_from(WELL_FORMED).map(lambda v: ox.Literal(v, datatype=DECIMAL)) | st.sampled_from(HOSTILE)
contributions = st.lists(st.tuples(st.sampled_from("abc"), amount_terms, st.sampled_from(["EUR", "PLN"])), max_size=6)
parts_drawn = st.lists(st.tuples(contributions, st.dictionaries(st.sampled_from("abc"), st.sampled_from(["ITA", "FRA"]),
                                                                max_size=2)), min_size=1, max_size=4)


@settings(max_examples=150, deadline=None)
@given(parts=parts_drawn)
def test_country_totals_count_only_well_formed_decimals_from_the_store_and_from_parked_parts(tmp_path_factory, parts):
    """An amount that is not a well-formed xsd:decimal (the shapes' violation, so a build that
    checks never gets here, but a summary must not depend on it): not counted, neither when
    the store sums (SPARQL's SUM would leave the group unbound) nor when the parked parts are
    summed as decimals (Decimal would raise); the two agree triple for triple and with the
    sum of the well-formed amounts."""
    from decimal import InvalidOperation

    from eulod.core.staging import create_tables, fill_tables, finish_tables
    from eulod.pipeline.spool_indexes import LISTING_FILE
    from eulod.pipeline.summaries import country_totals, parked_country_totals

    whole = ox.Store()
    parked = tmp_path_factory.mktemp("parked") / "listing.sqlite"
    import sqlite3
    db = sqlite3.connect(parked)
    create_tables(db, LISTING_FILE)
    located: dict[str, str] = {}
    for number, (paid, countries) in enumerate(parts):
        part = ox.Store()
        for k, (organisation, amount, currency) in enumerate(paid):
            node, money = n(f"part{number}/p{k}"), n(f"part{number}/p{k}/eu")
            for t in ((node, e("organisation"), n(organisation)), (node, e("euContribution"), money),
                      (money, e("amount"), amount), (money, e("currency"), n(CURRENCY + currency))):
                part.add(ox.Quad(*t))
        for organisation, country in countries.items():
            if located.setdefault(organisation, country) == country:  # one country each, as the shapes ask
                part.add(ox.Quad(n(organisation), e("country"), n(COUNTRY + country)))
        fill_tables(db, LISTING_FILE, part)
        whole.extend(ox.Quad(q.subject, q.predicate, q.object, DATA) for q in part)
    finish_tables(db, LISTING_FILE)
    db.close()
    from_store = set(country_totals(whole, DATA, BASE))
    assert set(parked_country_totals(parked, BASE)) == from_store
    expected: dict[tuple[str, str], list] = {}
    for paid, _countries in parts:
        for organisation, amount, currency in paid:
            if organisation in located and isinstance(amount, ox.Literal) and amount.datatype == DECIMAL:
                try:
                    value = Decimal(amount.value)
                except InvalidOperation:
                    continue
                if amount.value.strip() != amount.value or not value.is_finite() or "e" in amount.value.lower() \
                        or abs(value) >= 10 ** 20 or -value.as_tuple().exponent > 18:
                    continue
                group = expected.setdefault((located[organisation], currency), [Decimal(0), 0])
                group[0] += value
                group[1] += 1
    store = ox.Store()
    store.extend(ox.Quad(subject, predicate, value, ox.NamedNode(SUMMARIES)) for subject, predicate, value in from_store)
    assert totals(store) == {key: (value[0], value[1]) for key, value in expected.items()}


_TERM_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(_TERM_TEXT, min_size=1, max_size=6), language=st.sampled_from([None, "en", "pt-BR"]),
       blank_at=st.sets(st.integers(0, 5)))
def test_loaded_statements_are_the_terms_given(texts, language, blank_at):
    """The summaries go to the store as N-Triples text (eulod.pipeline.summaries.load_statements):
    every literal, with quotes, backslashes, line breaks, control characters or any script, reads
    back as the term it was, and a blank node keeps its label (the loader renames those of a
    text, so they go as quads). The model: the same statements added as quads."""
    from eulod.pipeline.summaries import load_statements

    graph = n(SUMMARIES)
    blank = ox.BlankNode()
    statements = []
    for number, text in enumerate(texts):
        subject = blank if number in blank_at else n(f"{BASE}organisation/{number}")
        value = ox.Literal(text, language=language) if language else ox.Literal(text)
        statements.append((subject, e("cityKey"), value))
        statements.append((subject, e("sharedWith"), blank if number + 1 in blank_at else n(f"{BASE}o/{number}")))
    store, model = ox.Store(), ox.Store()
    assert load_statements(store, iter(statements), graph) == len(statements)
    model.extend(ox.Quad(subject, predicate, value, graph) for subject, predicate, value in statements)
    assert set(store) == set(model)
