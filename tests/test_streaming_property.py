"""The streaming build equals whole-graph validation on generated records hostile to its batches (issue 19).

tests/test_streaming_build.py holds ``eulod build`` (a batch of records at a time, then the
organisations in a pass of their own, eulod/pipeline/checks.py) to whole-graph validation
(eulod.pipeline.build.convert_and_validate) on hand-written records. Here Hypothesis writes the
records: small sets (2 to 12) where what one record says depends on the others - an
organisation shared under different names and disagreeing facts, one known only by
``same_as``, PIC and VAT numbers shared or in conflict, a contact whose organisation only
another record lists, the same organisation twice in one record, repeated record ids - and
values hostile to the text paths (line and paragraph separators, control characters, quotes and
backslashes, scripts other than Latin, texts near the size limit), dates in the wrong order,
zero and negative amounts. A few records are broken so that the schema refuses them; both paths
must report the same problems for them. Each set is built at a drawn batch size (1 to one more
than the records) and compared with whole-graph validation: problems and SHACL results per
record, whether the build publishes, which records, and the published data graph.
"""

from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from streaming import (
    expected_graph,
    key_and_messages,
    problems,
    published_graph,
    results_by_record,
    whole_graph_validation,
    write_jsonl,
)

from eulod.core.config import PERSONAL_DATA_MODES, load_settings
from eulod.pipeline.build import build

# Texts that stress escaping and line handling: N-Triples escapes only \ " \n \r, so every other
# line break Unicode knows (U+2028, U+0085 ...) reaches the spools as it is.
SPECIALS = ["\u2028", "\u2029", "\x85", "\r", "\n", "\r\n", "\t", "\x7f", '"', "\\", "\\n", "<", ">", " .", "@en",
            "^^", "\ufeff", "\u200b", "\u202e", "e\u0301", "Ł", "ß", "Δήμος", "Община", "東京", "😀", " ",
            "> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <"]  # the build finds typed subjects in the bytes
# Control characters XML 1.0 cannot carry (a form feed, U+001C ...): the loader refuses a record
# holding one, so they come rarely, or most sets would hold a refused record.
CONTROLS = ["\x00", "\x08", "\x0b", "\x0c", "\x1c", "\x1e"]
MAX_TEXT_KB = 4  # a small limit, so texts over it are cheap to write: the record is refused


def maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.none(), strategy)


def one_in(n: int) -> st.SearchStrategy:
    """True about once in ``n`` draws: a middle value of a range, as Hypothesis draws a range's
    bounds far more often than the rest (``integers(0, n - 1) == 0`` would be true half the time).
    Shrinking goes towards False."""
    return st.integers(0, n - 1).map(lambda v: v == n // 2)


pieces = st.one_of(st.sampled_from(SPECIALS),
                   st.text(st.characters(exclude_categories=("Cs", "Cc", "Cn")), min_size=1, max_size=4),
                   one_in(150).flatmap(lambda control: st.sampled_from(CONTROLS if control else SPECIALS)))
hostile = st.lists(pieces, min_size=1, max_size=6).map("".join)
long_text = st.builds(lambda n, c: c * n, st.integers(MAX_TEXT_KB * 1024 - 40, MAX_TEXT_KB * 1024 + 40),
                      st.sampled_from(["x", "é"]))  # é: two bytes, over the limit
text = st.one_of(st.sampled_from(["Shared Org", "Comune di Roma", "Project"]), hostile)
languages = st.sampled_from(["en", "it", "fr"])
texts = st.one_of(text, st.dictionaries(languages, text, min_size=1, max_size=2))
titles = one_in(10).flatmap(lambda long: long_text if long else texts)  # over the limit: the record is refused

ORGANISATION_IDS = ["shared", "other", "third"]
NAMES = ["Shared Org", "SHARED ORG", "Shared Organisation", "Comune di Roma", "Città di Roma", "Municipality of Rome",
         "!!!", "Δήμος Αθηναίων", "Org\u2028Line", 'Quote " and \\ back']
SAME_AS = ["https://linkedopendata.eu/entity/Q1", "https://linkedopendata.eu/entity/Q2"]
IDENTIFIERS = [{"scheme": "eu-pic", "value": "999"}, {"scheme": "vat-number", "value": "IT0001"},
               {"scheme": "eu-pic", "value": "998"}, {"scheme": "vat-number", "value": "IT\u20280002"}]
ROLES = ["coordinator", "beneficiary", "partner", "associated-partner", "third-party"]
DATES = ["2019", "2020-06", "2020-06-15", "2019-12-31", "2024-01-01", "2024"]
AMOUNTS = [0, "0", "0.00", 100, "100.00", 250.5, "12.50", 10**9]


@st.composite
def organisations(draw) -> dict:
    """A participant's organisation: by curated id, by name (its id is then the name's slug) or
    by ``same_as`` only, with facts other records may contradict."""
    organisation: dict = {}
    if draw(st.integers(0, 3)):
        organisation["id"] = draw(st.sampled_from(ORGANISATION_IDS))
    if draw(st.integers(0, 4)):
        organisation["name"] = draw(st.one_of(st.sampled_from(NAMES), texts))
    if draw(st.booleans()) or not organisation.get("name"):
        organisation["same_as"] = draw(st.sampled_from(SAME_AS))
    for field, values in (("country", ["IT", "FR", "DE"]), ("type", ["ngo", "municipality", "company"]),
                          ("city", ["Roma", "Rome", "Paris", "Line\u2028city"]),
                          ("website", ["https://a.example/", "https://b.example/x"]),
                          ("country_as_stated", ["Italia", "IT", "SL"])):
        value = draw(maybe(st.sampled_from(values)))
        if value is not None:
            organisation[field] = value
    identifiers = draw(st.lists(st.sampled_from(IDENTIFIERS), max_size=2)) if draw(st.booleans()) else []
    if identifiers:
        organisation["identifiers"] = identifiers
    aliases = draw(st.lists(st.sampled_from(["old-shared", "other", "shared"]), max_size=1))
    if aliases:
        organisation["aliases"] = aliases
    return organisation


budgets = st.fixed_dictionaries({}, optional={"total_cost": st.sampled_from(AMOUNTS),
                                              "eu_contribution": st.sampled_from(AMOUNTS),
                                              "eu_contribution_rate": st.sampled_from([80, 150, 0])})
participants = st.fixed_dictionaries({"role": st.sampled_from(ROLES), "organisation": organisations()},
                                     optional={"budget": budgets})
CONTACT_FIELDS = {
    "name": st.one_of(st.sampled_from(["Ann Example", "Bo Ek"]), hostile),
    "email": st.sampled_from(["ann@example.org", "bo@example.eu"]),
    "role": st.one_of(st.just("press"), hostile),
}
contacts = st.sampled_from(sorted(CONTACT_FIELDS)).flatmap(  # a contact has a name, an e-mail or a role
    lambda first: st.fixed_dictionaries({first: CONTACT_FIELDS[first]}, optional={
        **{k: v for k, v in CONTACT_FIELDS.items() if k != first},
        "organisation": st.sampled_from([*ORGANISATION_IDS, "nowhere"])}))

# What makes the schema or the loader's checks refuse a record: both paths must say the same.
BREAKAGES = {
    "negative amount": lambda r: r.setdefault("budget", {}).update(total_cost=-5),
    "bad id": lambda r: r.update(id="Not A Slug"),
    "unknown country": lambda r: r.setdefault("participants", []).append(
        {"role": "partner", "organisation": {"name": "Nowhere Ltd", "country": "XX"}}),
    "no title": lambda r: r.pop("title"),
    "bad date": lambda r: r.update(start_date="2020-13-01"),
    "organisation without name or same_as": lambda r: r.setdefault("participants", []).append(
        {"role": "partner", "organisation": {"id": "shared"}}),
}


@st.composite
def records(draw, index: int, earlier: list[str]) -> dict:
    if earlier and draw(one_in(15)):
        record_id = draw(st.sampled_from(earlier))  # a repeated id: the later record is refused
    else:
        record_id = f"p{index}"
    data: dict = {"id": record_id, "language": draw(languages), "title": draw(titles),
                  "source": {"file": "none.txt"}}
    for field, values in (("start_date", st.sampled_from(DATES)), ("end_date", st.sampled_from(DATES)),
                          ("duration_months", st.sampled_from([0, -3, 12, 36])), ("budget", budgets),
                          ("description", texts), ("notes", text),
                          ("identifiers", st.lists(st.sampled_from(IDENTIFIERS), min_size=1, max_size=2)),
                          ("participants", st.lists(participants, min_size=1, max_size=4)),
                          ("contacts", st.lists(contacts, min_size=1, max_size=2)),
                          ("results", st.lists(st.fixed_dictionaries({"title": texts}), min_size=1, max_size=2))):
        value = draw(maybe(values))
        if value is not None:
            data[field] = value
    if draw(one_in(25)):
        BREAKAGES[draw(st.sampled_from(sorted(BREAKAGES)))](data)
    return data


@st.composite
def record_sets(draw) -> list[list[dict]]:
    """2 to 12 records in one or two JSON Lines files."""
    count = draw(st.integers(2, 12))
    rows: list[dict] = []
    for index in range(count):
        rows.append(draw(records(index, [r["id"] for r in rows])))
    cut = draw(st.integers(0, count)) if draw(st.booleans()) else count
    return [rows[:cut], rows[cut:]]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(files=record_sets(), data=st.data())
def test_the_streaming_build_is_whole_graph_validation(tmp_path_factory, files, data):
    count = sum(map(len, files))
    batch = data.draw(st.integers(1, count + 1), label="build_batch_records")
    processes = int(data.draw(one_in(8), label="a validation process"))  # now and then: it costs a second
    skip_invalid = not data.draw(one_in(4), label="not skip_invalid")  # mostly: most sets hold an invalid record
    fail_on = data.draw(st.sampled_from(["violation", "warning"]), label="fail_on")
    personal = data.draw(st.sampled_from(PERSONAL_DATA_MODES), label="personal_data")
    root = tmp_path_factory.mktemp("example")
    folder = root / "records"
    for name, rows in zip(("a.jsonl", "b.jsonl"), files):
        if rows:
            write_jsonl(folder / name, rows)
    settings_ = load_settings(environ={}, build_dir=root / "build", records=(folder,), personal_data=personal,
                              build_batch_records=batch, build_check_processes=processes, max_text_kb=MAX_TEXT_KB)

    load_problems, outcomes = whole_graph_validation(folder, settings_)
    outcome = build(settings_, fail_on=fail_on, skip_invalid=skip_invalid)
    event("batches", -(-count // batch))
    event("records refused by the loader", bool(load_problems))
    event("published", outcome.loaded)
    event("validation process", bool(processes and count > batch))

    assert problems(outcome.problems, outcome.outcomes) == problems(load_problems, outcomes)
    assert results_by_record(outcome.outcomes, key_and_messages) == results_by_record(outcomes, key_and_messages)
    good = [o.record.id for o in outcomes if o.valid(fail_on)]
    refused = bool(load_problems) or len(good) < len(outcomes)
    assert outcome.loaded == bool(good and (skip_invalid or not refused))
    if not outcome.loaded:
        return
    assert outcome.manifest["records"] == good
    assert outcome.manifest["rejected"] == sorted({o.record.id for o in outcomes if not o.valid(fail_on)}
                                                  | {p.record for p in load_problems})
    published, expected = set(published_graph(outcome, settings_)), set(expected_graph(outcomes, fail_on))
    assert published == expected, (sorted(published - expected)[:5], sorted(expected - published)[:5])

