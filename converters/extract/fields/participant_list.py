"""The participants found by every earlier step written as the record's list, each with how it was found.

A city listed bare takes the name the page gives its municipality; a body recognised by a
pattern, a city or a type word under a partner label is stated, any other inferred; a type told
by a word of the name is inferred.
"""

from __future__ import annotations

import re
from typing import Any

from eulod.converters.organisations import known_city

from ..alphabets import spelling
from ..data import load, words
from ..numbers import find_amounts
from ..patterns import conjunctions, legal_forms
from ..places import municipality_mentions, organisation
from ..sheet import Sheet


def _official_names(sheet: Sheet) -> None:
    """A city listed bare ('Valladolid (España)') takes the name the page gives its municipality ('Ayuntamiento de Valladolid')."""
    # prose and money labels name participants; a contact's employer line or a result's title does not
    money = {n for seg in sheet.segments if seg.kind in ("total_cost", "eu_contribution", "co_financing") for n in seg.label_lines}
    shown = [line for line in sheet.free if line.text and not line.bullet] + \
            [line for line in sheet.doc.lines if line.number in money]
    text = "\n".join(line.text for line in shown)
    for participant in sheet.participants:
        org = participant.org
        bare = org.names.get(sheet.language)
        if org.type != "municipality" or not bare or bare != org.city:
            continue
        for pattern in municipality_mentions(bare, sheet.language):
            found = pattern.search(text)
            if found:
                org.names[sheet.language] = found.group(0)
                org.lines.append(shown[text.count("\n", 0, found.start())].number)
                break


def _translated_cities(sheet: Sheet) -> set[int]:
    """The municipalities whose id was made from a city name no city table knows and that is, or may be, the page's
    rendering of it: 'Pērnava' (Pärnu) on a Latvian page by its letters, and beside it 'Korka' (Cork), whose
    letters cannot tell. Such an id may not be the city's own."""
    spelled = {}
    for index, participant in enumerate(sheet.participants):
        org = participant.org
        if org.type == "municipality" and org.city and org.country is not None and not known_city(org.city):
            spelled[index] = spelling(org.city, org.country.code, sheet.language)
    if "translated" in spelled.values():
        return {index for index, how in spelled.items() if how != "own"}
    # no name shows the page's letters: a foreign town no table knows may still be the page's name for it, when the
    # body's name around it is in the page's language too ('Mesto Gradec, Gradec, Avstrija' on a Slovenian page is
    # Graz), on a page in a language that names foreign towns its own way; a town's name alone is taken as written
    if sheet.language not in load("places.yaml")["exonym_languages"]:
        return set()
    named = {index for index, how in spelled.items() if how is None
             and any(_around_town(name, sheet.participants[index].org.city) for name in sheet.participants[index].org.names.values())}
    return named


def _around_town(name: str, town: str) -> bool:
    """Whether a body's name says more than its town's ('Mesto Gradec', not 'Gradec')."""
    return bool(name) and words(name) != words(town) and words(town) in words(name)


def _other_language_part(sheet: Sheet, declared: dict[int, str], lines: list[int]) -> str | None:
    """The language of the page's part that alone names a body, when that part declares another language than the
    page's (a bilingual page's <section lang="en"> under <html lang="ga">); None otherwise. ``declared``: the
    language each line number's element declares."""
    found = {declared.get(number) for number in lines}
    if len(found) == 1 and None not in found and sheet.language not in found:
        return found.pop()
    return None


def _sentence(name: str) -> bool:
    """A 'name' that is a sentence: it introduces a list (ends in ':'), runs past fifteen words, or goes on
    after a full stop ('Le projet est coordonné par X, dont le siège est à Orléans. Ses quatre ... sont :')."""
    text = name.strip()
    return text.endswith((":", "：")) or len(text.split()) > 15 or bool(re.search(r"\w{3,}\.\s+[A-ZÀ-Þ]\w+\s+\w+", text))




def _two_bodies(name: str) -> bool:
    """Two legal forms in one name, a comma or 'and' between them ('Seinäjoen ammattikorkeakoulu Oy, Into Seinäjoki
    Oy'): a list of two participants read as one."""
    forms = list(legal_forms().finditer(name))
    return len(forms) >= 2 and bool(re.search(r",|;|\s(?:and|ja|och|og|und|et|e|y|i|a|és|ir|un|en)\s",
                                              name[forms[0].end():forms[-1].start()]))


_ACRONYM = re.compile(r"^(.*\S)\s*\(([A-ZÀ-Þ][\w+&-]{1,12})\)$")


def _bracketed_acronym(sheet: Sheet, index: int, org_id: str, names: dict[str, str], lines: list[int]) -> None:
    """'Atlantic Technological University (ATU)': most readers keep a body's acronym in brackets in its name
    and id, some leave it out (docs/extraction.md, decision 6): kept, and both readings offered."""
    for name in names.values():
        match = _ACRONYM.match(name)
        if match is None:
            continue
        suffix = "-" + re.sub(r"[^a-z0-9]+", "-", match.group(2).lower()).strip("-")
        _offer_shorter(sheet, index, "a body's acronym in brackets: kept in the name and id (most readers), or left out?",
                       (name, match.group(1)), (org_id, org_id[: -len(suffix)] if org_id.endswith(suffix) else org_id), lines)
        return


def _listed(name: str) -> bool:
    """'Naturstyrelsen, Aarhus Universitet (Institut for Ecoscience) og Danmarks Sportsfiskerforbund': capitalised
    parts joined by commas and a conjunction; or a name holding an amount ('Große Kreisstadt Zittau (Lead Partner):
    1 026 400 EUR'), a list's line read whole."""
    if find_amounts(name, need_currency=True):
        return True
    if any(f"{words(name)} ".startswith(f"{head} ") for head in load("labels.yaml")["portfolio_heads"]):
        return False  # 'Consejería de Agricultura, Ganadería, Pesca y ...': one body naming its portfolio
    return bool(re.search(rf"[A-ZÀ-ÞĀ-Ž][^,]*,\s*[A-ZÀ-ÞĀ-Ž][^,]*\s(?:{conjunctions()})\s+[A-ZÀ-ÞĀ-Ž]", name))


def _comma_tail(sheet: Sheet, index: int, org_id: str, names: dict[str, str], lines: list[int]) -> None:
    """'Malmö stad, Arbetsmarknads- och socialförvaltningen', 'Kanton St. Gallen, Amt für Umwelt': the part after a
    comma is a department, an address or the body's own words; readers kept it about as often as not (13 to 10 in
    the sets), so the name without it is offered. A legal form after the comma ('Docapesca, S.A.') is the name's."""
    for name in names.values():
        head, comma, tail = name.partition(", ")
        if comma and head and tail and not legal_forms().match(" " + tail) and len(name.split()) <= 12:
            _offer_shorter(sheet, index, "a comma in the name: is what follows it (a department, an address) part of "
                           "the body's name?", (name, head), (org_id, organisation(head, sheet.language).id), lines)
            return


def _offer_shorter(sheet: Sheet, index: int, reason: str, names: tuple[str, str], ids: tuple[str, str],
                   lines: list[int]) -> None:
    """Ask about a participant's name, the name as kept and the shorter reading as candidates, and about its id
    the same way when the shorter name gives another id."""
    sheet.ask(f"participants[{index}].organisation.name", reason, list(names), lines)
    if ids[1] != ids[0]:
        sheet.ask(f"participants[{index}].organisation.id", reason, list(ids), lines)


def read(sheet: Sheet) -> None:
    """The record's ``participants`` with each one's provenance; a review item when there are none or no coordinator."""
    _official_names(sheet)
    out = []
    translated = _translated_cities(sheet)
    leads = sum(p.role == "coordinator" and not p.role_guessed for p in sheet.participants)
    declared = {line.number: line.lang for line in sheet.doc.lines if line.text and line.lang}
    for index, participant in enumerate(sheet.participants):
        org = participant.org
        data: dict[str, Any] = {"id": org.id, "name": org.names}
        if org.type:
            data["type"] = org.type
        if org.city:
            data["city"] = org.city
        if org.country:
            data["country"] = org.country.code
            if org.country.corrected:
                data["country_as_stated"] = org.country.stated
        entry: dict[str, Any] = {"role": participant.role, "organisation": data}
        budget = {k: v for k, v in participant.budget.items() if not k.startswith("_")}
        other = participant.budget.get("_currency")
        if budget and other and other != sheet.record.get("currency", other):
            # 'CHF 238.000,00' in a budget column of a page in euros: the Swiss partners' money, which a record in
            # another currency cannot hold; asked, not recorded
            sheet.ask(f"participants[{index}].budget", f"the share is stated in {other}, the record's amounts in "
                      f"{sheet.record['currency']}: left out", [budget], participant.budget.get("_lines", []))
            budget = {}
        if budget:
            entry["budget"] = budget
        out.append(entry)
        lines = sorted(set(org.lines + participant.budget.get("_lines", [])))
        found = sheet.found("participants", org.lines) if org.recognised else "inferred"
        sheet.provenance[f"participants[{index}]"] = {"file": sheet.source_file, "lines": lines, "found": found}
        if any(_sentence(name) for name in org.names.values()):
            sheet.provenance[f"participants[{index}]"].update(
                found="inferred", derived="the name reads as a sentence, not an organisation's name")
        elif any(_two_bodies(name) for name in org.names.values()):
            sheet.provenance[f"participants[{index}]"].update(
                found="inferred", derived="the name holds two bodies' legal forms ('X Oy, Y Oy'): two participants?")
        elif any(_listed(name) for name in org.names.values()):
            sheet.provenance[f"participants[{index}]"].update(
                found="inferred", derived="the name reads as a list ('A, B og C') or holds an amount: more than one body's name?")
        other = _other_language_part(sheet, declared, org.lines)
        if found == "stated" and other:
            sheet.provenance[f"participants[{index}]"].update(
                found="inferred", derived=f"named only in the page's part in {other!r}, not in its own language "
                                          f"({sheet.language!r}): the body may have another name there, and its id")
        if found == "stated" and index in translated:
            sheet.provenance[f"participants[{index}]"].update(
                found="inferred", derived=f"the id {org.id!r} is made from {org.city!r}, which no city table knows and "
                                          f"which may be this page's name for a city of {org.country.code}, not the city's own")
        if org.type and org.type_guessed and found == "stated":
            sheet.provenance[f"participants[{index}].organisation.type"] = {"file": sheet.source_file, "lines": lines, "found": "inferred"}
        if org.name_guessed and found == "stated":
            sheet.provenance[f"participants[{index}].organisation.name"] = {"file": sheet.source_file, "lines": lines, "found": "inferred",
                                                                           "derived": "the name's language: the page's, for want of a sign"}
        _bracketed_acronym(sheet, index, org.id, org.names, lines)
        _comma_tail(sheet, index, org.id, org.names, lines)
        if participant.role == "coordinator" and found == "stated" and leads > 1:
            sheet.provenance[f"participants[{index}].role"] = {
                "file": sheet.source_file, "lines": lines, "found": "inferred",
                "derived": "more than one body is named lead ('Capofila italiano', 'Capofila svizzero'): one coordinator?"}
        if participant.role_guessed and found == "stated":
            sheet.provenance[f"participants[{index}].role"] = {"file": sheet.source_file, "lines": lines, "found": "inferred",
                                                              "derived": "a role the row states in words no role label has"}
    if out:
        sheet.record["participants"] = out
    else:
        sheet.ask("participants", "no coordinator, partner or beneficiary found")
    if not any(p.role == "coordinator" for p in sheet.participants) and out:
        sheet.ask("participants", "no coordinator or lead partner is named")
