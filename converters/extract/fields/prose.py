"""Participants named in the free text's sentences: 'led by X, based in Vigo (ES)', 'A (RO), B (PL) and C (FR)',
'aziende olandesi X e Y', 'La Ville de Versailles a été retenue', a city benefiting.

The cue words are data (labels.yaml ``lead_cues``, ``seat_cues``, ``participation_cues``,
``prose_beneficiary``, ``conjunctions``); a body's name in prose is capitalised words with the
small words names carry.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from ..data import best_label, contains, load, small_words, word_set, words
from ..items import add_item, particles
from ..matching import cue_regex
from ..parties import merge
from ..patterns import CAPITALS, alternation, conjunctions, lead_article, leading_article, prose_name
from ..places import (
    Organisation,
    city,
    country_adjective,
    looks_like_organisation,
    municipality_in_text,
    name_language,
    organisation,
    organisation_type,
    read_country,
)
from ..sheet import Participant, Sheet


def read_led_by(sheet: Sheet) -> None:
    """Bodies named in sentences: 'led by X, ... based in Vigo (ES)', 'A (RO), B (PL) and C (FR)'."""
    labels = load("labels.yaml")
    lead = sorted((words(c) for c in labels["lead_cues"]), key=len, reverse=True)
    seat = sorted((words(c) for c in labels["seat_cues"]), key=len, reverse=True)
    for sentence, numbers in sheet.sentences():
        coordinator, seat_spans = _lead(sheet, sentence, numbers, lead, seat)
        _bracketed(sheet, sentence, numbers[0], coordinator, seat_spans)


def _lead(sheet: Sheet, sentence: str, numbers: list[int], lead: list[str],
          seat: list[str]) -> tuple[Organisation | None, list[tuple[int, int]]]:
    """The coordinator a lead cue names ('led by X (Ireland)', 'X, based in Vigo (ES)') and the spans of its seat."""
    seat_spans: list[tuple[int, int]] = []
    for match, before_cue in _lead_matches(sentence, lead):
        name = leading_article().sub("", match.group(1)) if before_cue else match.group(1)  # 'Il Comune di Lucca coordina'
        following = re.match(r"\s+([^\W\d_]+)", sentence[match.end(1):])
        if not before_cue and following and following.group(1).islower() and following.group(1) not in load("labels.yaml")["place_prepositions"]:
            # 'Tržna občina Pliberk': a body's name goes on in lower case words, not a place after its first word
            whole = re.split(rf"\s*[,(;:]\s*|\s+(?:{conjunctions()})\s+", sentence[match.start(1):])[0].rstrip(" .")
            if len(whole.split()) <= 8 and (looks_like_organisation(whole) or organisation_type(whole)):
                name = whole
        coordinator = organisation(name, sheet.language)
        if list(coordinator.names) == [sheet.language] and coordinator.type != "municipality":
            coordinator.names = {name_language(name, sheet.language): name}  # 'Institute of Technology Sligo' in Polish prose
        coordinator.lines.extend(numbers)
        after = sentence[match.end():]
        for seat_cue in seat:
            where = re.search(rf"^[^.;]*?\b{cue_regex(seat_cue)}\s+({prose_name()})(?:\s*\(([^()]{{1,30}})\))?", after)
            if where:
                coordinator.city = where.group(1)
                if where.group(2) and read_country(where.group(2)):
                    coordinator.country = read_country(where.group(2), where.group(1))
                seat_spans.append((match.end() + where.start(1), match.end() + where.end()))
                break
        stated = re.match(r"\s*\(([^()]{1,30})\)", after)
        if stated and coordinator.country is None and read_country(stated.group(1)):
            coordinator.country = read_country(stated.group(1), coordinator.city)  # "led by X (Ireland)"
            seat_spans.append((match.start(1), match.end() + stated.end()))
        merge(sheet, Participant("coordinator", coordinator))
        return coordinator, seat_spans
    return None, seat_spans


def _lead_matches(sentence: str, lead: list[str]) -> Iterator[tuple[re.Match[str], bool]]:
    """Where a sentence names its lead, the name as group 1: after a cue ('led by X'), else before one ('Aabenraa
    Kommune står i spidsen for projektet', 'X coordina il progetto': labels.yaml ``lead_after_cues``), with
    whether the name comes before its cue (and so ends there)."""
    for cue in lead:
        match = re.search(rf"\b{cue_regex(cue)}\s+{lead_article()}({prose_name()})", sentence)
        if match:
            yield match, False
    folded = f" {words(sentence)} "
    for cue in _after_cues():
        if f" {cue} " not in folded:  # the cheap test first: the name's pattern is searched only where the cue is
            continue
        match = re.search(rf"({prose_name()})\s+{cue_regex(cue)}(?!\w)", sentence, re.IGNORECASE)
        if match is None or not match.group(1)[:1].isupper():
            continue
        rest = sentence[match.end():]
        following = re.match(r"\s+([^\W\d_]+)", rest)
        with_others = any(f" {words(rest)} ".startswith(f" {words(c)} ") for c in load("labels.yaml")["partner_list_cues"])
        if following and following.group(1).islower() and words(following.group(1)) not in _small_words() \
                and not with_others:
            continue  # 'juhib projekti teist tööpaketti': it leads a part of the project, not the project
        yield match, True


@lru_cache(maxsize=1)
def _after_cues() -> tuple[str, ...]:
    return tuple(sorted((words(c) for c in load("labels.yaml")["lead_after_cues"]), key=len, reverse=True))


@lru_cache(maxsize=1)
def _small_words() -> frozenset[str]:
    """Words that may follow a lead cue ('... leder projektet och ...'): project scope, stop words, conjunctions."""
    return small_words() | word_set("labels.yaml", "conjunctions")


def _bracketed(sheet: Sheet, sentence: str, number: int, coordinator: Organisation | None,
               seat_spans: list[tuple[int, int]]) -> None:
    """'A (RO), B (PL) and C (FR)': each name with a country in brackets is a partner, or has the role named after it."""
    named = {m.end(): m for m in re.finditer(rf"({prose_name()})\s*\(([^()]{{1,30}})\)", sentence)}
    # 'et la Mission opérationnelle transfrontalière (F)': after an article, a name with lower-case words
    for m in re.finditer(rf"(?<![\w'’])(?:{alternation('bracket_articles')})\s+([A-ZÀ-ÖØ-Þ][\w'’-]*(?:\s+[\w'’-]+){{1,5}}?)"
                         r"\s*\(([^()]{1,30})\)", sentence):
        if m.end() not in named or named[m.end()].start(1) > m.start(1):
            named[m.end()] = m
    for match in sorted(named.values(), key=lambda m: m.start()):
        if any(a <= match.start(1) < b for a, b in seat_spans):
            continue
        stated = match.group(2)
        if not read_country(stated):
            continue
        name = leading_article().sub("", match.group(1)).strip()
        if not name or (coordinator is not None and words(name) in words(" ".join(coordinator.names.values()))):
            continue
        role = "partner"
        marker = re.match(r"\s*,?\s*([^,.;()]{3,40}?)\s*(?:[,.;]|$)", sentence[match.end():])
        if marker and len(words(marker.group(1)).split()) <= 4:  # 'la Regione Liguria (I), chef de file, ...'
            stated_role, length = best_label(marker.group(1), load("labels.yaml")["item_roles"])
            if stated_role and length >= len(words(marker.group(1))) - 4:
                role = stated_role
        add_item(sheet, f"{name} ({stated})", role, number, False)


def read_partner_lists(sheet: Sheet) -> None:
    """'It brings together the University of Galway, the Port of Gdańsk Authority in Poland and TNO', 'tillsammans
    med Falu kommun, Ludvika kommun och studieförbundet ABF Dalarna': after a cue (labels.yaml
    ``partner_list_cues``), each part of the list that reads as a body is a partner (its role when the part
    names one: 'joining as an associated partner'); a place after it ('in Poland', '(Francia)') goes with it."""
    labels = load("labels.yaml")
    cues = sorted((words(c) for c in labels["partner_list_cues"]), key=len, reverse=True)
    joiners = conjunctions()
    places = "|".join(re.escape(p) for p in labels["place_prepositions"])
    for sentence, numbers in sheet.sentences():
        folded = f" {words(sentence)} "
        cue = next((c for c in cues if f" {c} " in folded), None)
        if cue is None:
            continue
        found = re.search(rf"(?<!\w){cue_regex(cue)}(?!\w)", sentence, re.IGNORECASE)
        if found is None:
            continue
        for part in re.split(rf",\s*|;\s*|\s+(?:{joiners})\s+", sentence[found.end():].rstrip(" .")):
            _listed_partner(sheet, part.strip(), places, numbers[0])


def _listed_partner(sheet: Sheet, part: str, places: str, number: int) -> None:
    """One part of a partner list in prose: a body's name ('Falu kommun', 'the Port of Gdańsk Authority'),
    perhaps a type word before it ('studieförbundet ABF Dalarna'), a place or a country after it, and a role
    the part names ('joining as an associated partner')."""
    part = leading_article().sub("", part)
    kind = None
    typed = re.match(r"^((?:[^\W\d_A-ZÀ-ÖØ-ÞĀ-Ž][\w-]*\s+){1,3})(?=[A-ZÀ-ÖØ-ÞĀ-Ž])", part)
    if typed and organisation_type(typed.group(1)):
        kind, part = organisation_type(typed.group(1)), part[typed.end():]
    elif typed:  # 'with the Green Quays Foundation joining as ...': the small words before the name go
        part = leading_article().sub("", part[typed.end():])
    bracketed = re.match(r"^(.*?\S)\s*\(([^()]{1,40})\)(.*)$", part)
    head, bracket, rest = (bracketed.group(1), bracketed.group(2), bracketed.group(3)) if bracketed else (part, None, "")
    match = re.match(rf"({prose_name()})", head)
    if match and (looks_like_organisation(match.group(1)) or organisation_type(match.group(1)) or kind
                  or not (looks_like_organisation(head) or organisation_type(head))):
        name, rest = match.group(1), head[match.end():] + rest  # 'Green Quays Foundation', then 'joining as ...'
    elif len(head.split()) <= 8 and (looks_like_organisation(head) or organisation_type(head)):
        name = head  # 'Ludvika kommun', 'Turun yliopisto': a body's name whatever its case
    else:
        return
    town = ""
    inside = re.match(rf"^(.*?\S)\s+(?:{places})\s+(?:the\s+)?({prose_name()})$", name)
    after = re.match(rf"^\s*(?:{places})\s+(?:the\s+)?({prose_name()})", rest)
    where = inside.group(2) if inside else after.group(1) if after else None
    if after and not inside and where and not (city(where) or read_country(where)):
        # 'Občina Ravne na Koroškem': a particle and a word no place list knows continue the name (a town's own
        # name), they are not where the body is
        name, rest, where = f"{name} {rest[:after.end()].strip()}", rest[after.end():], None
    if where and (city(where) or read_country(where)):
        if inside:
            name, rest = inside.group(1), f" {where}{rest}"
        if read_country(where) and not bracket:
            bracket = where  # 'Sampleford City Council in Belgium'
        elif not read_country(where):
            town = where  # 'Chalmers University of Technology in Gothenburg'
    if not name[:1].isupper() or not (looks_like_organisation(name) or organisation_type(name) or kind) \
            or len(name.split()) > 10:
        return
    role = best_label(rest, load("labels.yaml")["item_roles"])[0] if rest.strip() else None
    stated = bracket if bracket and read_country(bracket) else None
    participant = add_item(sheet, f"{name} ({stated})" if stated else name, role or "partner", number, False, town=town)
    if participant is not None and kind and (not participant.org.type or participant.org.type_guessed):
        participant.org.type, participant.org.type_guessed = kind, False


def read_adjective_lists(sheet: Sheet) -> None:
    """'hiszpańskie firmy ENT Environment & Management i Naider', 'aziende olandesi X e Y':
    a country adjective and a plural type word (either order), then capitalised names joined by commas or a conjunction."""
    joiners = conjunctions()
    for sentence, numbers in sheet.sentences():
        for match in re.finditer(r"(?<![\w-])([^\W\d_]{4,})\s+([^\W\d_]{3,})[\s,:]+(?=[A-ZÀ-ÖØ-ÞĀ-Ž])", sentence):
            first, second = match.group(1), match.group(2)
            reading, kind = country_adjective(first), organisation_type(second) if second.islower() else None
            if reading is None or kind is None:  # 'aziende olandesi', 'firmes espagnoles': the type word first
                reading, kind = country_adjective(second), organisation_type(first) if first.islower() else None
            if reading is None or kind is None:
                continue
            for name in _capitalised_run(sentence[match.end():], joiners):
                participant = add_item(sheet, name, "partner", numbers[0], False, stated_country=reading)
                if participant is not None:
                    if not participant.org.type or participant.org.type_guessed:
                        participant.org.type, participant.org.type_guessed = kind, False
                    participant.org.lines.extend(numbers)


def read_participating_bodies(sheet: Sheet) -> None:
    """'La Ville de Versailles a été retenue parmi ...', 'Miasto X uczestniczy w projekcie': a municipality the
    prose says takes part is a partner (a body already listed keeps its role)."""
    cues = [words(c) for c in load("labels.yaml")["participation_cues"]]
    for sentence, numbers in sheet.sentences():
        folded = words(sentence)
        if not any(contains(folded, cue) for cue in cues):
            continue
        for pattern, _ in municipality_in_text():
            found = pattern.search(sentence)
            if found and found.start() < len(sentence) // 2:  # the sentence's subject, not a body named in passing
                org = organisation(found.group(0), sheet.language)
                if org.type == "municipality":
                    org.lines.extend(numbers)
                    merge(sheet, Participant("partner", org))
                break


def read_beneficiaries(sheet: Sheet) -> None:
    """Beneficiaries named in prose, page-heading names, and the description."""
    cues = [words(c) for c in load("labels.yaml")["prose_beneficiary"]]
    for sentence, numbers in sheet.sentences():
        folded = words(sentence)
        if any(contains(folded, cue) for cue in cues):
            for token in re.findall(rf"\b[{CAPITALS}][\w'’-]+(?:[ -][{CAPITALS}][\w'’-]+)?", sentence):
                if city(token):
                    org = organisation(token, sheet.language, is_city=True)
                    org.lines.extend(numbers)
                    merge(sheet, Participant("beneficiary", org))
    for line in sheet.free:
        if line.text and looks_like_organisation(line.text) and len(line.text.split()) <= 6:
            org = organisation(line.text, sheet.language)
            for participant in sheet.participants:
                if participant.org.id == org.id:
                    for lang, name in org.names.items():
                        participant.org.names.setdefault(lang, name)


def _capitalised_run(text: str, joiners: str) -> list[str]:
    """'ENT Environment & Management i Naider. Then ...' -> the names at the start, up to the first non-name."""
    names = []
    head = re.split(r"[.;:!?](?:\s|$)|\s[–—(]", text, maxsplit=1)[0]
    for item in re.split(rf"\s*,\s*|\s+(?:{joiners})\s+", head):
        item = item.strip(" .,")
        tokens = item.split()
        if not tokens or not all(t[:1].isupper() or t[:1].isdigit() or t in ("&", "+") or t.lower() in particles() for t in tokens):
            break
        names.append(item)
    return names

