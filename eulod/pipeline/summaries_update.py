"""The summaries of a generation made from the previous generation's and the change between them.

After a change of a few records (issue 19), computing the summaries again reads the whole
data graph: about 30 s at 100 000 projects, for a handful of changed nodes. Each summary
depends on few triples per node, so :func:`update_summaries` changes only what the
:class:`~eulod.pipeline.delta.Delta` reaches, in the store that already holds the new data
graph and still the previous summary graph:

- a country total (per country and currency) changes by the solutions of its join that the
  delta adds or takes away: those of the participations whose contribution, amount,
  currency or organisation changed, compared one by one (the data graph as it was before
  is the store's less the delta's added triples plus its removed ones, :class:`DataView`,
  so both sides are read from the store by index), and those of every other participation
  of an organisation whose country changed, summed in the store by one query and moved
  from the old country to the new. The new total is the old one (read from the summary
  graph) plus the difference. The amounts are xsd:decimal (the shapes' violation) and the
  store sums them exactly (fixed point, 18 decimal places), so exact decimal arithmetic
  here gives the total a full computation would; anything else (another datatype, more
  places) counts again.
- the years of activity change for the projects whose dates or duration changed, the city
  keys for the organisations whose city changed.
- the collaborations are a top list over every pair's count, which the full computation
  keeps in the generation (eulod.pipeline.paircounts); the counts change by the pairs of
  the projects whose partners changed (their organisations before and after), and the top
  list is chosen again from the counts as the full computation chooses it, ties included.

When it cannot be sure, it computes everything again and says why in the log: no counts in
the previous generation (or of another format, data graph or base IRI), another current
year than the previous generation's (every project without an end runs one year longer),
a change as large as the data (:data:`LARGE_DELTA_SHARE`), or counts and summaries that do
not add up.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal, localcontext
from functools import reduce

import pyoxigraph as ox

from eulod.core.generation import Generation
from eulod.core.namespaces import EULOD
from eulod.core.queryfiles import stored_query
from eulod.core.years import DATE_PICK, project_years, stated_months
from eulod.pipeline.delta import Delta
from eulod.pipeline.paircounts import FORMAT, CountsBroken, Pair, pair_changes, read_meta, updated_counts
from eulod.pipeline.summaries import (
    KEPT,
    MEMBERSHIPS,
    XSD_DECIMAL,
    XSD_GYEAR,
    XSD_INTEGER,
    add_summaries,
    city_key_set,
    collaboration,
    collaboration_node,
    country_total,
    country_total_node,
    counts_meta,
)

log = logging.getLogger(__name__)

# The update's cost grows with the change, the full computation's with the data: about 0.25 ms
# per changed triple against 0.28 ms per (project, organisation) pair (20 000 projects, a busy
# machine). Above half as many changed triples as pairs, the whole computation is done instead;
# below the floor, never (small data is computed again quickly either way).
LARGE_DELTA_SHARE = 0.5
LARGE_DELTA_FLOOR = 10_000

# The store's xsd:decimal: 18 decimal places, values below 1.7e20 (pyoxigraph's fixed point).
DECIMAL_PLACES = 18
DECIMAL_LIMIT = Decimal(10) ** 20
DECIMAL_LEXICAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")  # XML Schema 1.1's decimal lexical space


def _p(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(EULOD[name]))


HAS_PARTICIPATION, ORGANISATION, COUNTRY = _p("hasParticipation"), _p("organisation"), _p("country")
EU_CONTRIBUTION, AMOUNT, CURRENCY = _p("euContribution"), _p("amount"), _p("currency")
START, END, DURATION, ACTIVE_IN = _p("startDate"), _p("endDate"), _p("durationMonths"), _p("activeInYear")
CITY, CITY_KEY = _p("city"), _p("cityKey")
TOTAL_FOR, TOTAL_CURRENCY = _p("totalFor"), _p("totalCurrency")
TOTAL_AMOUNT, PARTICIPATION_COUNT = _p("totalAmount"), _p("participationCount")


class NotSure(Exception):
    """The update cannot vouch for its result; the message says why, and everything is computed again."""


class DataView:
    """The data graph now, or (with a delta) as it was before the delta was applied.

    The store holds the data after the delta; before it, a triple the delta added was not
    there and one it removed was. Look-ups go to the store's indexes and are corrected by
    the delta's triples of the same subject and predicate (or predicate and object).
    """

    def __init__(self, store: ox.Store, graph: ox.NamedNode, undo: Delta | None = None) -> None:
        self.store, self.graph = store, graph
        self._hide_sp: dict[tuple, set] = defaultdict(set)
        self._show_sp: dict[tuple, set] = defaultdict(set)
        self._hide_po: dict[tuple, set] = defaultdict(set)
        self._show_po: dict[tuple, set] = defaultdict(set)
        if undo is not None:
            for t in undo.added:
                self._hide_sp[t.subject, t.predicate].add(t.object)
                self._hide_po[t.predicate, t.object].add(t.subject)
            for t in undo.removed:
                self._show_sp[t.subject, t.predicate].add(t.object)
                self._show_po[t.predicate, t.object].add(t.subject)

    def objects(self, subject: ox.Term, predicate: ox.NamedNode) -> set[ox.Term]:
        if isinstance(subject, ox.Literal):  # no triple has one as its subject
            return set()
        found = {q.object for q in self.store.quads_for_pattern(subject, predicate, None, self.graph)}
        key = (subject, predicate)
        return (found - self._hide_sp.get(key, set())) | self._show_sp.get(key, set())

    def subjects(self, predicate: ox.NamedNode, obj: ox.Term) -> set[ox.Term]:
        found = {q.subject for q in self.store.quads_for_pattern(None, predicate, obj, self.graph)}
        key = (predicate, obj)
        return (found - self._hide_po.get(key, set())) | self._show_po.get(key, set())


class Patch:
    """The summary graph's quads to take out and put in; nothing is written until :meth:`apply`."""

    def __init__(self) -> None:
        self.remove: list[ox.Quad] = []
        self.add: list[ox.Quad] = []

    def apply(self, store: ox.Store) -> int:
        for quad in self.remove:
            store.remove(quad)
        store.extend(self.add)
        return len(self.remove) + len(self.add)


def update_summaries(store: ox.Store, data_graph: str, summary_graph: str, base_iri: str, collaborations_kept: int,
                     current_year: int, delta: Delta, previous: Generation, target: Generation,
                     changed: dict[str, Delta] | None = None) -> int:
    """Bring ``summary_graph`` from ``previous``'s summaries to those of the data graph now in ``store``.

    ``store``'s data graph is the previous one with ``delta`` applied, its summary graph still
    the previous generation's; ``target`` is the generation being made, where the updated pair
    counts go. Leaves exactly the triples :func:`eulod.pipeline.summaries.add_summaries` would
    compute from the new data (falling back to it when unsure). Returns the summary triples
    written: those taken out and put in, or on a fallback those of the whole graph. When updated,
    ``changed`` (if given) gets the summary graph's own delta under its IRI, for the dumps
    (eulod.pipeline.incremental_dumps); after a fallback it gets nothing.
    """
    started = time.perf_counter()
    data, summaries = ox.NamedNode(data_graph), ox.NamedNode(summary_graph)
    try:
        _check(previous, counts_meta(data_graph, base_iri, current_year), delta)
        delta = canonical(delta)
        patch = Patch()
        before, after = DataView(store, data, delta), DataView(store, data)
        _country_totals(store, summaries, base_iri, before, after, delta, patch)
        _activity(store, summaries, after, delta, current_year, patch)
        _city_keys(store, summaries, after, delta, patch)
        with updated_counts(previous.summary_counts_path, target.summary_counts_path) as counts:
            meta = counts.meta()
            held = counts.top(int(meta[KEPT]))  # the previous generation's collaborations
            was, now = _partners(before, after, delta)
            counts.change(pair_changes(was, now))
            memberships = int(meta[MEMBERSHIPS]) + sum(map(len, now.values())) - sum(map(len, was.values()))
            counts.set_meta({**counts_meta(data_graph, base_iri, current_year), KEPT: str(collaborations_kept),
                             MEMBERSHIPS: str(memberships)})
            top = counts.top(collaborations_kept)
        _collaborations(base_iri, summaries, held, top, patch)
    except (NotSure, CountsBroken, sqlite3.DatabaseError) as exc:
        log.info("summaries: computing them all again: %s", exc)
        store.clear_graph(summaries)
        return add_summaries(store, data_graph, summary_graph, base_iri, collaborations_kept, current_year,
                             counts=target.summary_counts_path)
    written = patch.apply(store)
    if changed is not None:
        changed[summary_graph] = Delta(frozenset(q.triple for q in patch.remove), frozenset(q.triple for q in patch.add))
    log.info("summaries: updated from %d changed triples: %d summary triples out, %d in, in %.2f s",
             len(delta.removed) + len(delta.added), len(patch.remove), len(patch.add), time.perf_counter() - started)
    return written


def _check(previous: Generation, meta: dict[str, str], delta: Delta) -> None:
    """Raise :class:`NotSure` when the previous generation's counts cannot be updated to this build's."""
    found = read_meta(previous.summary_counts_path)
    if not found:
        raise NotSure(f"no pair counts in {previous.path}")
    if found.get("format") != FORMAT or not all(found.get(key, "").isdigit() for key in (KEPT, MEMBERSHIPS)):
        raise NotSure(f"the pair counts of {previous.path} are of format {found.get('format')}, not {FORMAT}")
    size = len(delta.removed) + len(delta.added)
    limit = max(LARGE_DELTA_FLOOR, LARGE_DELTA_SHARE * int(found[MEMBERSHIPS]))
    if size > limit:
        raise NotSure(f"{size} changed triples, more than {limit:.0f} (for {found[MEMBERSHIPS]} memberships)")
    for key, value in meta.items():
        if found.get(key) != value:
            raise NotSure(f"the previous generation's summaries were computed for {key} {found.get(key)}, not {value}")


def canonical(delta: Delta) -> Delta:
    """The delta's triples as the store holds them: it keeps one form of each value ("4321.00"
    is read back as "4321"), so a removed triple stated otherwise would not be recognised."""
    def held(triples: frozenset[ox.Triple]) -> frozenset[ox.Triple]:
        memory = ox.Store()
        memory.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        return frozenset(q.triple for q in memory)

    return Delta(held(delta.removed), held(delta.added))


def _changed(delta: Delta, predicates: Iterable[ox.NamedNode]) -> set[ox.Term]:
    wanted = set(predicates)
    return {t.subject for t in (*delta.removed, *delta.added) if t.predicate in wanted}


# -- country totals -------------------------------------------------------------------------

def _contributions(view: DataView, participation: ox.Term) -> list[tuple[ox.Term, ox.Term]]:
    """(currency, amount) of each EU contribution a participation states, every combination of them."""
    found = []
    for money in view.objects(participation, EU_CONTRIBUTION):
        amounts = view.objects(money, AMOUNT)
        found.extend((currency, amount) for currency in view.objects(money, CURRENCY) for amount in amounts)
    return found


def _solutions(view: DataView, participation: ox.Term) -> list[tuple[ox.Term, ox.Term, ox.Term]]:
    """(country, currency, amount) of each solution of summary-country-totals.rq for one participation:
    the join's every combination, so an organisation with two countries counts twice, as there."""
    countries = [c for o in view.objects(participation, ORGANISATION) for c in view.objects(o, COUNTRY)]
    if not countries:
        return []
    return [(country, currency, amount) for currency, amount in _contributions(view, participation)
            for country in countries]


def _exact(amount: ox.Term) -> Decimal:
    """An amount as the store sums it, or :class:`NotSure` when the store's sum would not be exact decimal."""
    if not isinstance(amount, ox.Literal) or amount.datatype != XSD_DECIMAL:
        raise NotSure(f"an amount that is not an xsd:decimal: {amount}")
    if DECIMAL_LEXICAL.fullmatch(amount.value) is None:  # "1e3", "NaN": Decimal reads them, the store does not
        raise NotSure(f"an amount that is not a well-formed xsd:decimal: {amount}")
    value = Decimal(amount.value)
    if not value.is_finite() or value.as_tuple().exponent < -DECIMAL_PLACES or abs(value) >= DECIMAL_LIMIT:
        raise NotSure(f"an amount the store's decimals do not hold exactly: {amount}")
    return value


Groups = dict[tuple, list]  # (country, currency) -> [change of the total, change of the count]


def _country_totals(store: ox.Store, summaries: ox.NamedNode, base_iri: str, before: DataView, after: DataView,
                    delta: Delta, patch: Patch) -> None:
    """Change the totals of the (country, currency) groups whose solutions the delta changes.

    The participations the delta reaches (their contribution, amount, currency or
    organisation) are compared one by one, before and after. An organisation that moved
    country takes the solutions of its other participations along: hundreds at 100 000
    projects for a busy one, so they are summed in the store (:func:`_moved`).
    """
    direct = _changed(delta, (EU_CONTRIBUTION, ORGANISATION))
    for money in _changed(delta, (AMOUNT, CURRENCY)):
        direct |= before.subjects(EU_CONTRIBUTION, money) | after.subjects(EU_CONTRIBUTION, money)
    groups: Groups = defaultdict(lambda: [Decimal(0), 0])
    with localcontext() as context:
        context.prec = 80  # exact for any sum of amounts the store holds
        for participation in direct:
            for sign, view in ((-1, before), (1, after)):
                for country, currency, amount in _solutions(view, participation):
                    group = groups[country, currency]
                    group[0] += sign * _exact(amount)
                    group[1] += sign
        _moved(store, before, after, _changed(delta, (COUNTRY,)), direct, groups)
        nodes: set[ox.NamedNode] = set()
        for (country, currency), (change, step) in groups.items():
            if not step and not change:
                continue
            node = country_total_node(base_iri, country, currency)
            if node in nodes:
                raise NotSure(f"two country totals named {node.value}")
            nodes.add(node)
            old = list(store.quads_for_pattern(node, None, None, summaries))
            total, participations = _previous_total(old, country, currency)
            total, participations = total + change, participations + step
            if participations < 0 or (participations == 0 and total != 0) or abs(total) >= DECIMAL_LIMIT:
                raise NotSure(f"the totals of {node.value} do not add up ({total} over {participations})")
            patch.remove.extend(old)
            if participations:
                total = Decimal(0) if total == 0 else total.normalize()  # the store's canonical form: no -0, no 1.50
                patch.add.extend(ox.Quad(subject, predicate, value, summaries) for subject, predicate, value
                                 in country_total(base_iri, country, currency, total, participations))


def _moved(store: ox.Store, before: DataView, after: DataView, organisations: set[ox.Term], direct: set[ox.Term],
           groups: Groups) -> None:
    """Move the solutions of the participations of organisations that changed country, but
    that the delta left as they were (those in ``direct`` are compared on their own), from
    each organisation's previous countries to its new ones.

    Their contributions are the same before and after, so the store sums them as they are
    now (summary-organisation-contributions.rq), less those of the participations in
    ``direct``. The sums are exact when they are xsd:decimal or xsd:integer (a double among
    the amounts would make one a double).
    """
    countries = {o: (before.objects(o, COUNTRY), after.objects(o, COUNTRY)) for o in organisations}
    moved = sorted((o for o, (old, new) in countries.items() if old != new), key=lambda o: o.value)
    if not moved:
        return
    if any(type(o) is not ox.NamedNode for o in moved):
        raise NotSure("an organisation that moved country is not an IRI")
    moving: Groups = defaultdict(lambda: [Decimal(0), 0])  # (organisation, currency) -> [total, solutions]
    text = stored_query(__package__, "summary-organisation-contributions.rq").replace(
        "$organisations", " ".join(str(o) for o in moved))
    for row in store.query(text, default_graph=after.graph):
        total = row["total"]
        if not isinstance(total, ox.Literal) or total.datatype not in (XSD_DECIMAL, XSD_INTEGER):
            raise NotSure(f"the contributions of {row['organisation']} do not sum as decimals: {total}")
        moving[row["organisation"], row["currency"]][0] += Decimal(total.value)
        moving[row["organisation"], row["currency"]][1] += int(row["solutions"].value)
    for participation in direct:
        for organisation in after.objects(participation, ORGANISATION) & set(moved):
            for currency, amount in _contributions(after, participation):
                moving[organisation, currency][0] -= _exact(amount)
                moving[organisation, currency][1] -= 1
    for (organisation, currency), (total, count) in moving.items():
        old, new = countries[organisation]
        for sign, places in ((-1, old), (1, new)):
            for country in places:
                groups[country, currency][0] += sign * total
                groups[country, currency][1] += sign * count


def _previous_total(quads: list[ox.Quad], country: ox.Term, currency: ox.Term) -> tuple[Decimal, int]:
    """The total and count a country-total node held (zero for none), if it is the one of (country, currency)."""
    if not quads:
        return Decimal(0), 0
    values: dict[ox.NamedNode, list[ox.Term]] = defaultdict(list)
    for quad in quads:
        values[quad.predicate].append(quad.object)
    if values[TOTAL_FOR] != [country] or values[TOTAL_CURRENCY] != [currency] or len(values[TOTAL_AMOUNT]) != 1 \
            or len(values[PARTICIPATION_COUNT]) != 1:
        raise NotSure(f"the summary node {quads[0].subject.value} is not one country's total in one currency")
    return Decimal(values[TOTAL_AMOUNT][0].value), int(values[PARTICIPATION_COUNT][0].value)


# -- years of activity ----------------------------------------------------------------------

def _activity(store: ox.Store, summaries: ox.NamedNode, after: DataView, delta: Delta, current_year: int,
              patch: Patch) -> None:
    """The years of the projects whose start, end or duration changed, as summaries.activity states them."""
    for project in _changed(delta, (START, END, DURATION)):
        starts = [o.value for o in after.objects(project, START) if isinstance(o, ox.Literal)]
        ends = [o.value for o in after.objects(project, END) if isinstance(o, ox.Literal)]
        months = stated_months(q.object.value for q in store.quads_for_pattern(project, DURATION, None, after.graph)
                               if isinstance(q.object, ox.Literal))
        years: set[ox.Term] = set()
        if starts:
            span = project_years(reduce(DATE_PICK["start"], starts), reduce(DATE_PICK["end"], ends) if ends else None,
                                 months, current_year)
            years = {ox.Literal(f"{year:04d}", datatype=XSD_GYEAR) for year in span}
        held = {q.object for q in store.quads_for_pattern(project, ACTIVE_IN, None, summaries)}
        patch.remove.extend(ox.Quad(project, ACTIVE_IN, year, summaries) for year in held - years)
        patch.add.extend(ox.Quad(project, ACTIVE_IN, year, summaries) for year in years - held)


# -- city keys ------------------------------------------------------------------------------

def _city_keys(store: ox.Store, summaries: ox.NamedNode, after: DataView, delta: Delta, patch: Patch) -> None:
    """The city keys of the organisations whose city changed, as summaries.city_key_statements states them."""
    for organisation in _changed(delta, (CITY,)):
        keys = {ox.Literal(key) for key in city_key_set(o.value for o in after.objects(organisation, CITY)
                                                        if isinstance(o, ox.Literal))}
        held = {q.object for q in store.quads_for_pattern(organisation, CITY_KEY, None, summaries)}
        patch.remove.extend(ox.Quad(organisation, CITY_KEY, key, summaries) for key in held - keys)
        patch.add.extend(ox.Quad(organisation, CITY_KEY, key, summaries) for key in keys - held)


# -- collaborations -------------------------------------------------------------------------

def _members(view: DataView, project: ox.Term) -> frozenset[str]:
    """The organisations taking part in a project (summary-project-members.rq), by IRI."""
    found = {o for p in view.objects(project, HAS_PARTICIPATION) for o in view.objects(p, ORGANISATION)}
    if any(type(o) is not ox.NamedNode for o in found):
        raise NotSure(f"{project}: an organisation taking part that is not an IRI")
    return frozenset(o.value for o in found)


def _partners(before: DataView, after: DataView, delta: Delta) -> tuple[dict, dict]:
    """The organisations of each project whose partnership the delta may change, before and after."""
    projects = _changed(delta, (HAS_PARTICIPATION,))
    for participation in _changed(delta, (ORGANISATION,)):
        projects |= before.subjects(HAS_PARTICIPATION, participation) | after.subjects(HAS_PARTICIPATION, participation)
    return ({p: _members(before, p) for p in projects}, {p: _members(after, p) for p in projects})


def _collaborations(base_iri: str, summaries: ox.NamedNode, before: list[tuple[Pair, int]],
                    after: list[tuple[Pair, int]], patch: Patch) -> None:
    """Change the collaborations from the previous top list's to the new one's, node by node.

    The previous list is the one the summary graph holds (chosen from the previous counts as
    this choice is made), so only the nodes whose pairs or counts differ are touched, without
    reading the graph. A node is the pair's two last IRI segments: two pairs can share one,
    so the quads of all the pairs of a changed node are compared, as sets.
    """
    def by_node(top: list[tuple[Pair, int]]) -> dict[ox.NamedNode, set[tuple[Pair, int]]]:
        nodes: dict[ox.NamedNode, set[tuple[Pair, int]]] = defaultdict(set)
        for (first, second), count in top:
            nodes[collaboration_node(base_iri, first, second)].add(((first, second), count))
        return nodes

    def quads(pairs: set[tuple[Pair, int]]) -> set[ox.Quad]:
        return {ox.Quad(subject, predicate, value, summaries)
                for (first, second), count in pairs
                for subject, predicate, value in collaboration(ox.NamedNode(first), ox.NamedNode(second), count,
                                                               base_iri)}

    old, new = by_node(before), by_node(after)
    for node in old.keys() | new.keys():
        if old.get(node) != new.get(node):
            held, wanted = quads(old.get(node, set())), quads(new.get(node, set()))
            patch.remove.extend(held - wanted)
            patch.add.extend(wanted - held)
