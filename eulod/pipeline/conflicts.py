"""The warning a disagreement between records gets (converters/conflicts.py finds them).

A disagreement is reported as a result of severity ``warning`` beside the SHACL results, so
every report reads it the same way: the build's text report, ``validation.json`` (the project
page), and ``eulod validate`` in text, JSON and JUnit (not in Turtle, which holds only the
shapes' own report graph). It is not a violation: the build publishes one value by the rule
and keeps every record's statement. ``--fail-on warning`` still lets a publisher refuse it.

One warning per disagreement, given to the first record whose value was not published: the
record whose page should say that the organisation is shown otherwise, and why.
"""

from __future__ import annotations

from eulod.converters.conflicts import Conflict, Stated, lexical
from eulod.converters.documents import printable
from eulod.converters.rdf import Term
from eulod.shapes import Result

CONFLICT = "urn:eulod:build:organisation-conflict"  # source shape and constraint of these results: no SHACL shape

PROPERTIES = {  # the last part of the predicate -> how the message names it
    "organisationType": {"en": "organisation type", "it": "tipo di organizzazione"},
    "country": {"en": "country", "it": "paese"},
    "city": {"en": "city", "it": "città"},
    "homepage": {"en": "website", "it": "sito web"},
}

TEXTS = {
    "en": ("Records disagree on the {what} of organisation {organisation}: {stated}. Published: {chosen}, "
           "the value most records state (a tie goes to the alphabetically first); each record's statement "
           "is kept with its source.", "{value} in {who}", "{records} and {more} more"),
    "it": ("Le schede non concordano su {what} dell'organizzazione {organisation}: {stated}. Pubblicato: "
           "{chosen}, il valore indicato dal maggior numero di schede (a parità, il primo in ordine "
           "alfabetico); la dichiarazione di ogni scheda è conservata con la sua fonte.", "{value} in {who}",
           "{records} e altre {more}"),
}


def shown(value: Term) -> str:
    """A value as a reader knows it: a code's notation (company, NLD), a web address, a name."""
    text = lexical(value)
    if isinstance(value, str) and not text.startswith(("http://publications", "https://w3id.org/")):
        return text  # a web address is shown whole
    return text.rsplit("/", 1)[-1]


def who(stated: Stated, language: str) -> str:
    """The records stating a value: file and id of the first few, and how many more."""
    records = ", ".join(f"{printable(r.file, 300)} record {printable(r.id)!r}" for r in stated.records)
    more = stated.count - len(stated.records)
    return TEXTS[language][2].format(records=records, more=more) if more > 0 else records


def message(conflict: Conflict, language: str) -> str:
    template, each, _more = TEXTS[language]
    name = conflict.predicate.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    what = PROPERTIES.get(name, {}).get(language, name)
    if conflict.language:
        what = f"{what} ({conflict.language})"
    stated = "; ".join(each.format(value=shown(value), who=who(holders, language))
                       for value, holders in conflict.stated.items())
    return template.format(what=what, organisation=conflict.organisation.rsplit("/", 1)[-1], stated=stated,
                           chosen=shown(conflict.chosen))


def conflict_result(conflict: Conflict) -> Result:
    """The warning of one disagreement; its value is the first value not published."""
    return Result(
        severity="warning",
        focus=conflict.organisation,
        path=conflict.predicate,
        value=lexical(conflict.others()[0]),
        messages={language: message(conflict, language) for language in TEXTS},
        source_shape=CONFLICT,
        constraint=CONFLICT,
    )


def conflict_warnings(conflicts: list[Conflict]) -> dict[str, list[Result]]:
    """record id -> the warnings it carries: each disagreement's, on the first record whose value lost."""
    warnings: dict[str, list[Result]] = {}
    for conflict in conflicts:
        owner = conflict.stated[conflict.others()[0]].records[0]
        warnings.setdefault(owner.id, []).append(conflict_result(conflict))
    return warnings
