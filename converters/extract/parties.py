"""The participants found so far: adding one (merged with the same body named again) and finding one by name.

Every reader that meets a body (a partner list, a sentence, a money label, a contact's
employer) goes through :func:`merge`, so a body named twice is one participant with the
strongest role; money and contact readers ask :func:`participant_named` whose share or
address a line is.
"""

from __future__ import annotations

import re

from .data import contains, words
from .matching import declined, with_bare_forms
from .places import read_country
from .sheet import Participant, Sheet

ROLE_ORDER = {"coordinator": 0, "beneficiary": 1, "partner": 2, "associated-partner": 3}


def participant_with_line(sheet: Sheet, number: int) -> Participant | None:
    """The participant last read from a line (a table row's body, whose cells go on to add to it)."""
    return next((p for p in reversed(sheet.participants) if number in p.org.lines), None)


def merge(sheet: Sheet, new: Participant) -> Participant:
    """Add a participant, or fold it into the one with the same id: the stronger role wins, names and facts add up.
    A name without a letter ('+-----+', '00262999') names no body: it is returned, not added."""
    if not new.org.id or not any(c.isalpha() for name in new.org.names.values() for c in name):
        return new
    for old in sheet.participants:
        if old.org.id == new.org.id:
            if ROLE_ORDER[new.role] < ROLE_ORDER[old.role]:
                old.role, old.role_guessed = new.role, new.role_guessed
                names = dict(new.org.names)
                names.update({k: v for k, v in old.org.names.items() if k not in names})
                old.org.names, old.org.name_guessed = names, new.org.name_guessed
            else:
                for lang, value in new.org.names.items():
                    old.org.names.setdefault(lang, value)
            old.org.country = old.org.country or new.org.country
            old.org.city = old.org.city or new.org.city
            if not old.org.type or (old.org.type_guessed and new.org.type and not new.org.type_guessed):
                old.org.type, old.org.type_guessed = new.org.type, new.org.type_guessed
            old.org.recognised = old.org.recognised or new.org.recognised
            old.org.lines.extend(new.org.lines)
            return old
    sheet.participants.append(new)
    return new


def acronyms(sheet: Sheet) -> dict[str, str]:
    """'Leibniz-Institut für ökologische Raumentwicklung (IÖR)' anywhere on the page: folded long name -> acronym."""
    if sheet.acronym_table is None:
        sheet.acronym_table = {}
        for line in sheet.doc.lines:
            for match in re.finditer(r"([^()]{3,160}?)\s*\(([A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ž0-9&+-]{1,9})\)", line.text):
                short = match.group(2)
                if sum(c.isupper() for c in short) >= max(2, len(short) // 2) and not read_country(short):
                    sheet.acronym_table.setdefault(" ".join(words(match.group(1)).split()[-12:]), short)
    return sheet.acronym_table


def participant_named(sheet: Sheet, text: str) -> Participant | None:
    """The participant a text names: by a name, an acronym the page spells out, its city, or its name declined."""
    folded = words(text)
    for participant in sheet.participants:
        names = [*participant.org.names.values()]
        names += [short for before, short in acronyms(sheet).items()
                  if any(len(words(n)) >= 8 and f" {before}".endswith(f" {words(n)}") for n in participant.org.names.values())]
        if participant.org.city:
            names.append(participant.org.city)
        names += with_bare_forms(participant.org.names.values())  # 'Lapin ammattikorkeakoulu' for '... Oy'
        if any(contains(folded, words(n)) for n in names if len(words(n)) >= 3):
            return participant
        if participant.org.id.endswith("-municipality"):
            base = participant.org.id[: -len("-municipality")].replace("-", " ")
            if contains(folded, base) or contains(folded.replace("s ", " "), base):
                return participant
    for participant in sheet.participants:  # 'Bugetul Consiliului Județean Călărași': the name declined
        if any(declined(folded, words(n)) for n in participant.org.names.values()):
            return participant
    return None
