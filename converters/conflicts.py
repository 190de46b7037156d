"""Records that disagree about an organisation they share: every statement kept, one value published.

An organisation's IRI is shared by every record naming it (converters/organisations.py), and
sources disagree about it: CORDIS gives one organisation activityType PRC in one year's rows and
HES in another's, a fact sheet and an import give two websites. An organisation has one type,
one country, one website and one city name per language (the shapes say so), so before the build
publishes anything it compares what the records state (:func:`organisation_conflicts`) and, for
each (organisation, property, language) on which they disagree:

- one value is published on the organisation, by this rule: **the value most records state wins;
  a tie goes to the alphabetically first** (of the lexical form: the code's IRI, the web address,
  the city's name), so every build of the same data chooses the same (names follow the same rule,
  converters/rdf.py ``preferred_labels``). A record counts once, however often it names the
  organisation. The records carry no date of their source's statement, so "most recent" cannot
  be a rule;
- each record's own statement is kept, as an rdf:Statement derived from the record
  (converters/rdf.py ``RecordMapper._fact``), so a reader can see who said what;
- the build reports one warning per disagreement, naming the records and values
  (eulod/pipeline/conflicts.py).

Where the records agree, or only one states a value, nothing changes: the value is on the
organisation as before, and no statement is added.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Iterable

from .organisations import record_organisation_id
from .rdf import Lit, Term, fact_key, organisation_facts
from .records import Record

log = logging.getLogger(__name__)

SAMPLE = 3  # records kept per value to name in the warning; the others are counted


@dataclass
class Stated:
    """The records that state one value: how many, and the first few to name."""

    count: int = 0
    records: list[Record] = field(default_factory=list)
    last: str | None = None  # the last record counted, so a record names a value once

    def add(self, record: Record) -> None:
        if self.last == record.id:
            return
        self.last = record.id
        self.count += 1
        if len(self.records) < SAMPLE:
            self.records.append(record)


@dataclass(frozen=True)
class Conflict:
    """Records that disagree on one property (in one language) of one organisation."""

    organisation: str
    predicate: str
    language: str | None
    stated: dict[Term, Stated]  # value -> who states it, in the order the values first appear
    chosen: Term

    @property
    def key(self) -> tuple[str, str, str | None]:
        return self.organisation, self.predicate, self.language

    def others(self) -> list[Term]:
        """The values not published, in the order they first appear."""
        return [value for value in self.stated if value != self.chosen]


def lexical(value: Term) -> str:
    """A value's text: what ties are ordered by."""
    return value.lexical if isinstance(value, Lit) else str(value)


def choose(stated: dict[Term, Stated]) -> Term:
    """The value most records state; a tie goes to the alphabetically first."""
    return min(stated, key=lambda value: (-stated[value].count, lexical(value)))


def record_facts(record: Record, base_iri: str) -> Iterable[tuple[str, str, Term]]:
    """(organisation IRI, predicate, value) of everything a record states about its organisations.

    A participant whose organisation cannot be mapped is skipped here: converting the record
    reports it, naming the field.
    """
    for participant in record.data.get("participants") or []:
        try:
            organisation = participant["organisation"]
            iri = f"{base_iri}organisation/{record_organisation_id(organisation)}"
            facts = organisation_facts(organisation, record.language, check=False)
        except Exception:  # noqa: BLE001 - the mapping names the problem; comparing must not stop the build
            continue
        for predicate, value in facts:
            yield iri, predicate, value


class ConflictFinder:
    """Finds the disagreements between records while they stream past, in one or two passes.

    A first pass (:meth:`see`) keeps the first value of each (organisation, property, language)
    and notes where another one appears; only if some do (:attr:`disputed`), a second pass
    (:meth:`count`) counts the records stating each value of those. Most organisations are
    named by one record or agreed on, so the common case is one pass holding one value per
    organisation and property (a count per record and value for all of them cost a
    20 000-project build seconds of garbage collection).
    """

    def __init__(self, base_iri: str) -> None:
        self.base_iri = base_iri
        self.first: dict[tuple[str, str, str | None], Term] = {}
        self.disputed: set[tuple[str, str, str | None]] = set()
        self.stated: dict[tuple[str, str, str | None], dict[Term, Stated]] = {}

    def see(self, record: Record) -> None:
        for organisation, predicate, value in record_facts(record, self.base_iri):
            key = fact_key(organisation, predicate, value)
            if self.first.setdefault(key, value) != value:
                self.disputed.add(key)

    def count(self, record: Record) -> None:
        if not self.stated:
            self.stated = {key: {} for key in self.first if key in self.disputed}
        for organisation, predicate, value in record_facts(record, self.base_iri):
            values = self.stated.get(fact_key(organisation, predicate, value))
            if values is not None:
                values.setdefault(value, Stated()).add(record)

    def conflicts(self) -> list[Conflict]:
        conflicts = [Conflict(*key, values, choose(values)) for key, values in self.stated.items()]
        if conflicts:
            log.info("%d disagreements between records about shared organisations: one value published each, "
                     "every record's statement kept", len(conflicts))
        return conflicts


def organisation_conflicts(records: Iterable[Record], base_iri: str) -> list[Conflict]:
    """Every disagreement between records about an organisation they share, with the value chosen."""
    records = records if isinstance(records, list) else list(records)
    finder = ConflictFinder(base_iri)
    for record in records:
        finder.see(record)
    if not finder.disputed:
        return []
    for record in records:
        finder.count(record)
    return finder.conflicts()


def preferred_values(conflicts: Iterable[Conflict]) -> dict[tuple[str, str, str | None], Term]:
    """What the mapping needs (converters/rdf.py MappingOptions.preferred): the value chosen for each dispute."""
    return {conflict.key: conflict.chosen for conflict in conflicts}
