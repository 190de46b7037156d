"""A participant's share of the budget stated in prose ("Riga's share of the budget is EUR 180,410, including ...")."""

from __future__ import annotations

from ..data import best_label, load, word_set, words
from ..matching import declined
from ..numbers import find_amounts
from ..parties import merge
from ..places import organisation, organisation_type
from ..sheet import Participant, Sheet
from .money import money_parts, note_currency, share_owner


def read(sheet: Sheet) -> None:
    """"Riga's share of the budget is EUR 180,410, including an ERDF contribution of EUR 153,348": a participant budget."""
    header = _header_body(sheet)
    scope = {"b": load("labels.yaml")["budget_scope"]}
    project_words = word_set("labels.yaml", "project_scope")
    for sentence, numbers in sheet.sentences():
        amounts = find_amounts(sentence)
        owner = share_owner(sheet, sentence, amounts[0].start) if amounts else None
        opening = words(sentence[: amounts[0].start]) if amounts else ""
        if owner is None and header and best_label(opening, scope)[0] and declined(opening, words(header)) \
                and not set(opening.split()) & project_words:
            org = organisation(header, sheet.language)  # 'Budżet Uniwersytetu Gdańskiego to …' on the university's page
            org.lines.extend(numbers)
            owner = merge(sheet, Participant("partner", org))
        if owner is None or "total_cost" in owner.budget:
            continue
        owner.budget["total_cost"] = amounts[0].value
        for kind, value, rates in money_parts(sentence[amounts[0].start:])[1]:
            owner.budget.setdefault(kind, value)
            if rates:
                owner.budget.setdefault(f"{kind}_rate", rates[0])
        owner.budget.setdefault("_lines", []).extend(numbers)
        note_currency(sheet, amounts[0])
        if "currency" not in sheet.record:
            sheet.put("currency", amounts[0].currency or "EUR", [], found="stated" if amounts[0].currency else "inferred")


def _header_body(sheet: Sheet) -> str | None:
    """The body whose site the page is on, from its upper-case header line ('UNIWERSYTET GDAŃSKI' -> 'Uniwersytet Gdański')."""
    first = next((line for line in sheet.doc.lines if line.text), None)
    if first is None or not first.text.isupper() or organisation_type(first.text) is None or len(first.text.split()) > 6:
        return None
    small = {w for vocabulary in load("places.yaml")["name_words"].values() for w in vocabulary if len(w) <= 5}
    return " ".join(w.lower() if words(w) in small and i else w.capitalize() for i, w in enumerate(first.text.split()))
