"""Participants under their labels: a coordinator, partner or beneficiary section as cards, bullets, table rows or lines.

Which labels open such a section is data (labels.yaml ``fields``: ``coordinator``, ``partners``,
``beneficiary``; ``city_words`` for a list of cities); roles within an item are
``item_roles``, a table's columns ``table_columns``.
"""

from __future__ import annotations

import itertools
import re

from ..data import best_label, contains, load, words
from ..items import add_item, country_list_text, is_place, municipality_of, preferred_role
from ..numbers import find_amounts
from ..parties import participant_with_line
from ..patterns import conjunctions
from ..places import city, looks_like_organisation, organisation_type, read_country
from ..segments import Segment, blocks, card_lines, place_and_country
from ..sheet import Sheet
from ..tables import column_kinds, row_number, total_row
from ..text import Line

PARTIES = {"coordinator", "partners", "beneficiary"}


def read(sheet: Sheet) -> None:
    for seg in sheet.segments:
        kind = seg.kind
        if kind is None and (best_label(seg.label, {"c": load("labels.yaml")["city_words"]})[0] or _all_places(seg)):
            kind = "partners"
            is_city = bool(best_label(seg.label, {"c": load("labels.yaml")["city_words"]})[0])
        else:
            is_city = False
        if kind not in PARTIES:
            continue
        default = {"coordinator": "coordinator", "beneficiary": "beneficiary"}.get(kind, "partner")
        if default == "partner" and best_label(seg.label, load("labels.yaml")["item_roles"])[0] == "associated-partner":
            default = "associated-partner"  # 'Associated partner: Sligo County Council, Ireland'
        _party_segment(sheet, seg, default, is_city)
        members = [p for p in sheet.participants if set(p.org.lines) & set(seg.lines)]
        _cities_among_cities(members)
        if kind == "coordinator" and len(members) >= 2:
            # A project has one lead: a lead partner's badge inside the first of several partner cards reads as a
            # label over all of them ('Vadošais partneris' over eight cities); the first stays the lead, the others ask
            for member in members[1:]:
                member.role_guessed = member.role_guessed or member.role == "coordinator"
        if len(members) >= 2 and any(p.role == "coordinator" for p in members):
            for member in members:  # a list of beneficiaries with its lead marked: the others are its partners
                if member.role == "beneficiary":
                    member.role = "partner"
    _free_role_table(sheet)


def _free_role_table(sheet: Sheet) -> None:
    """A table no label heads, whose header row names the bodies and their roles ('Εταίρος | Ρόλος | Έδρα | …' under
    'Εταιρικό σχήμα και προϋπολογισμός', a heading of two things): the participants, whatever the heading says.
    Only when no label gave any: a table of another kind (contractors, a price list) names no roles."""
    if sheet.participants:
        return
    found = blocks(sheet.free)
    for index, block in enumerate(found):
        if "|" not in block[0].text:
            continue
        columns = column_kinds(block[0].text)
        if "name" not in columns or "role" not in columns:
            continue
        _add_rows(sheet, list(itertools.takewhile(lambda line: "|" in line.text,
                                                  (line for b in found[index:] for line in b))), columns, "partner")
        return


def _cities_among_cities(members: list) -> None:
    """'San Donà di Piave (Italia)' in a list of municipalities ('Radlin (Polska)', 'Comune di Udine'): a place no city
    list knows, read as a city like the others around it, is confirmed; among other bodies it stays asked."""
    guessed = [p for p in members if p.org.city_guessed and not p.org.recognised]
    others = [p for p in members if p not in guessed]
    towns = [p for p in others if p.org.type == "municipality" and p.org.recognised]
    if guessed and len(others) >= 2 and len(towns) * 3 >= len(others) * 2:
        for member in guessed:
            member.org.recognised = True


def _party_segment(sheet: Sheet, seg: Segment, default: str, is_city: bool) -> None:
    """The bodies a coordinator, partner or beneficiary section lists: cards, bullets, table rows or lines."""
    if any(line.heading for line in seg.body):
        _cards(sheet, seg.body, default, is_city)
        return
    found = blocks(seg.body)
    if found and all(2 <= len(b) <= 3 and not b[0].bullet and place_and_country(b[-1].text) for b in found):
        _add_cards(sheet, [(b[0], b[1:]) for b in found], default, is_city)  # 'Province of Gelderland' over 'Gelderland, Netherlands'
        return
    paired = next(((index, pairs) for index, block in enumerate(found) if (pairs := _name_place_pairs(block))), None)
    if paired is not None and all(all(is_place(line.text) for line in block) for block in found[:paired[0]]):
        # a slide's map legend ('Turku', 'Tukholma', ...) over the partners, each over its 'Place, Country' line: the
        # partners are the pairs; the places before them are where they are, no bodies of their own
        sheet.release([line for index, block in enumerate(found) if index > paired[0] for line in block])
        _add_cards(sheet, paired[1], default, is_city)
        return
    if len(found) >= 2 and len(found[0]) == 1 and found[0][0].text.endswith(":") and found[1][0].bullet \
            and len(found[0][0].text.split()) <= 15:
        # 'Im Projekt arbeiten acht Einrichtungen aus sieben Ländern zusammen:' over the bullets: the list's
        # introduction, no body of its own
        sheet.release(found[0])
        found = found[1:]
    if found and found[0][0].bullet:
        items: list[Line] = []
        rest: list[Line] = []
        started = False
        for block in found:
            if all(line.bullet for line in block) or (started and block[0].bullet):
                items.extend(line for line in block if line.bullet)
                started = True
            elif started:
                rest.extend(block)
            else:
                rest.extend(block)
        sheet.release(rest)
    elif found and "|" in found[0][0].text:  # table rows, one block each
        rows = [b for b in found if all("|" in line.text for line in b)]
        items = [line for b in rows for line in b]
        sheet.release([line for b in found if b not in rows for line in b])
        columns = column_kinds(items[0].text) if items else {}
        if columns:
            _add_rows(sheet, items, columns, default)
            return
        # a table whose header names no column the extractor knows: which cell is the name, the country or
        # the role is a guess, so every row's body is unconfirmed (inferred, asked); a row's number is no name
        for line in items:
            cells = [c.strip() for c in line.text.split("|")]
            while len(cells) > 1 and row_number(cells[0]):
                cells.pop(0)
            if not total_row(cells[0]):
                add_item(sheet, " | ".join(cells), default, line.number, is_city, confirmed=False)
        return
    elif found and _record_card(found[0]):
        # 'TEKNOLOGIAN TUTKIMUSKESKUS VTT OY' over 'Net EU contribution', '€ 2 041 250,00', 'Address', '02150 Espoo',
        # 'Finland': one body's record, not a list of bodies; its country or role lines stay with it
        card = [line for line in found[0][1:] if read_country(line.text) or best_label(line.text, load("labels.yaml")["item_roles"])[0]]
        _add_cards(sheet, [(found[0][0], card)], default, is_city)
        sheet.release([line for b in found[1:] for line in b])
        return
    elif found and _placed_lines(found):
        items = [b[0] for b in found]  # 'GRASSI Museum, Lipsko (Německo)' / 'Moravská galerie v Brně (Česko)': a cell's lines
    elif found:
        items = found[0]
        sheet.release([line for b in found[1:] for line in b])
    else:
        items = []
    item_roles = load("labels.yaml")["item_roles"]
    for line in items:
        text, role = line.text, default
        body, remark = _without_remark(text)
        stated, size = best_label(remark, item_roles) if remark else (None, 0)
        whole = stated is not None and size >= len(words(remark))  # '(Ledende partner)': the bracket is a role, all of it
        if stated and len(words(remark).split()) <= 3 and ("," in body or whole):
            # 'Forschungszentrum Jülich GmbH, Jülich, Deutschland (Koordinator)': the role apart, then name, city, country
            text, role = body, preferred_role(stated, default)
        parts = _split_items(text)
        listed = _comma_list(text) if len(parts) == 1 and not is_city else None
        for part in listed or parts:
            add_item(sheet, part, role, line.number, is_city, confirmed=listed is None)


def _comma_list(text: str) -> list[str] | None:
    """'Waterschap De Dommel, Tilburg University, IVN Natuureducatie, WoonTilburg' under a partners label: three or
    more short capitalised parts with no figure and no known place last are several bodies, most likely; read one
    by one but asked, since 'University of X, Department of Y, Z' is one body with its department and town."""
    if "|" in text or re.search(r"\d", text):
        return None
    parts = [p.strip(" .;") for p in text.split(",")]
    if not all(p and p[0].isupper() and len(p.split()) <= 6 for p in parts):
        return None
    if len(parts) == 2 and not all(looks_like_organisation(p) or organisation_type(p) for p in parts):
        return None  # two parts: several bodies only when each reads as one ('Nyíregyházi Egyetem, Váci Mihály ... Központ')
    if len(parts) < 2:
        return None
    if city(parts[-1]) or read_country(parts[-1]):
        return None
    return parts


def _cards(sheet: Sheet, body: list[Line], default: str, is_city: bool = False) -> None:
    """Partner cards: a heading names the body, the short lines under it give its role, country and city."""
    lines = [line for line in body if line.text]
    cards = [(lines[i], card_lines(lines, i)) for i, line in enumerate(lines) if line.heading]
    used = {id(line) for heading, card in cards for line in (heading, *card)}
    sheet.release([line for line in lines if id(line) not in used])  # prose between or after the cards
    _add_cards(sheet, cards, default, is_city)


def _add_cards(sheet: Sheet, cards: list[tuple[Line, list[Line]]], default: str, is_city: bool) -> None:
    """One participant per card (a name line and the short lines under it: role, 'Place, Country', country, city).

    A 'Place, Country' line gives a city only when the places of the list are the cities the names
    carry ('City of Dortmund' / 'Dortmund, DE'); lists whose places are regions ('Lombardy Region' /
    'Lombardia, Italy') give no city.
    """
    item_roles = load("labels.yaml")["item_roles"]
    stated = [(name, _placed(line.text)) for name, card in cards for line in card if _placed(line.text)]
    towns = sum(1 for name, (place, _) in stated if city(place) or contains(words(name.text), words(place)))
    cities_given = bool(stated) and towns * 2 > len(stated)
    for name, card in cards:
        role, country, town = default, "", ""
        for line in card:
            stated_role, _ = best_label(line.text, item_roles)
            pair = _placed(line.text)
            remark = _without_remark(line.text)[1] if pair and not place_and_country(line.text) else ""
            if remark:  # 'Maarianhamina, Suomi (liitännäiskumppani)': the place, and the role in brackets
                stated_role = best_label(remark, item_roles)[0]
            if stated_role and (remark or len(words(line.text).split()) <= 6):
                role = preferred_role(stated_role, role)
                if not remark:
                    continue  # a role line, nothing more
            if pair and not country:
                country = pair[1]
                town = pair[0] if cities_given and not town else town
            elif read_country(line.text) and not country:
                country = line.text
            elif is_place(line.text) and not town:
                town = line.text
        participant = add_item(sheet, f"{name.text} | {country}" if country else name.text, role, name.number, is_city, town=town)
        if participant is not None:
            participant.org.lines.extend(line.number for line in card)
            if town:
                participant.org.city = town  # the card states the city: it wins over one read from the name


def _add_rows(sheet: Sheet, rows: list[Line], columns: dict[str, int], role: str) -> None:
    """The body rows under a partner table's header row (``rows[0]``, whose cells ``columns`` names)."""
    width = len(rows[0].text.split("|"))
    for line in rows[1:]:
        _add_row(sheet, line, columns, role, width)


def _add_row(sheet: Sheet, line: Line, columns: dict[str, int], role: str, width: int) -> None:
    """One row of a partner table whose header row names its columns (Partner | Città | Paese | Ruolo).

    A row with another number of cells than the header does not parse like the others: which cell
    is which is a guess, so its body is unconfirmed. A row whose name cell is empty, a number or a
    total ('Total', 'Yhteensä') names no body.
    """
    cells = [c.strip() for c in line.text.split("|")]
    cell = lambda kind: cells[columns[kind]] if kind in columns and columns[kind] < len(cells) else ""  # noqa: E731
    name = cell("name") or cells[0]
    if not re.search(r"[^\W\d_]", name) or total_row(name) or total_row(cells[0]):
        return
    stated_role, _ = best_label(cell("role"), load("labels.yaml")["item_roles"])
    if stated_role:
        role = preferred_role(stated_role, role)
    town = cell("city")
    if cell("country"):  # 'Tirano (SO)' beside a country column: the bracket is a province's code, not the country
        town = re.sub(r"\s*\([A-Z]{2}\)$", "", town)
    placed = place_and_country(town) if town else None
    if placed is not None:  # 'Valga, Eesti' in a place column: the town, and the country the row gives no column for
        town = placed[0]
    rest = [cell(k) or (placed[1] if k == "country" and placed else "") for k in ("country", "type")]
    rest = [r for r in rest if r]
    add_item(sheet, " | ".join([name, *rest]) if rest else name, role, line.number, False, confirmed=len(cells) == width,
             row=True)
    participant = participant_with_line(sheet, line.number)
    if town and participant is not None:
        participant.org.city = town  # the table states the city: it wins over one read from the name
        municipality_of(participant.org, name, town)
    if participant is not None and words(cell("role")) and not stated_role and participant.role == role:
        participant.role_guessed = True  # 'Susijęs trečiasis subjektas': a role no role label names
    for column, kind in (("budget", "total_cost"), ("eu_budget", "eu_contribution")):
        amounts = find_amounts(cell(column)) if participant is not None else []
        if amounts:  # a budget column: the row's body's share ("Presupuesto (€) | 12.104.650")
            participant.budget.setdefault(kind, amounts[0].value)
            participant.budget.setdefault("_lines", []).append(line.number)
            if amounts[0].currency:
                sheet.currencies.append(amounts[0].currency)
                participant.budget["_currency"] = amounts[0].currency


def _without_remark(text: str) -> tuple[str, str]:
    """'Turku, Suomi (päätoteuttaja)' -> ('Turku, Suomi', 'päätoteuttaja'): a bracketed remark closing a line, apart."""
    match = re.fullmatch(r"(.*?)\s*\(([^()]{2,40})\)\s*", text)
    return (match.group(1), match.group(2)) if match else (text, "")


def _placed(text: str) -> tuple[str, str] | None:
    """A 'Place, Country' line, with a bracketed remark after it or not."""
    return place_and_country(text) or place_and_country(_without_remark(text)[0])


def _name_place_pairs(block: list[Line]) -> list[tuple[Line, list[Line]]] | None:
    """'Turun ammattikorkeakoulu' over 'Turku, Suomi (päätoteuttaja)', 'Tallinna Tehnikakõrgkool' over 'Tallinna,
    Viro', ...: bodies each over its place line, with no blank line between (a slide's or a PDF's column)."""
    if len(block) < 4 or len(block) % 2:
        return None
    pairs = []
    for name, place in zip(block[::2], block[1::2]):
        if name.bullet or _placed(name.text) or _placed(place.text) is None:
            return None
        pairs.append((name, [place]))
    return pairs


def _placed_lines(found: list[list[Line]]) -> bool:
    """Lines apart (a table cell's lines split by ``<br>``), each a short name closed by its country ('X (Polsko)',
    'X, Trondheim, Norway'): one body each, as the items of one line would be."""
    if len(found) < 2 or any(len(block) != 1 or block[0].bullet for block in found):
        return False
    for (line,) in found:
        text = line.text.strip()
        bracket = re.search(r"\(([^()]{2,30})\)$", text)
        if len(text.split()) > 12 or not ((bracket and read_country(bracket.group(1))) or place_and_country(text)):
            return False
    return True


def _record_card(block: list[Line]) -> bool:
    """Lines under one body's name that are its record, not more bodies: an amount, or two lines with figures
    (an address, a postcode)."""
    rest = block[1:]
    return len(rest) >= 2 and (any(find_amounts(line.text) for line in rest)
                               or sum(bool(re.search(r"\d", line.text)) for line in rest) >= 2)


def _split_items(text: str) -> list[str]:
    """'orașele Torino (Italia), Gdansk (Polonia)' -> one item per place; table rows stay whole.

    A line of three or more short parts separated by semicolons ('A; B; C.'), or of parts that
    each end in a country ('A (DE); B (NL)'), is a delimited list: one item per part.
    """
    if "|" not in text and text.count(";") >= 1:
        parts = [p.strip().rstrip(".;").strip() for p in text.split(";")]
        parts = [p for p in parts if p]
        placed = len(parts) >= 2 and all(re.search(r"\([^()]+\)$", p) for p in parts)  # 'A (DE); B (NL)'
        if (len(parts) >= 3 or placed) and all(len(p.split()) <= 15 for p in parts):
            return parts
    if "|" in text or ("," not in text and text.count("(") < 2):
        return [text]
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    parts = [p.strip().rstrip(".;") for p in parts if p.strip()]
    if parts:  # "..., Radlin (Polska) i Valašské Meziříčí (Czechy)": the last two items share a conjunction
        joiners = conjunctions()
        last = re.split(rf"(?<=\))\s+(?:{joiners})\s+(?=[A-ZÀ-ÖØ-ÞĀ-Ž])", parts[-1], flags=re.IGNORECASE)
        parts[-1:] = [p.strip() for p in last if p.strip()]
    with_country = sum(1 for p in parts if re.search(r"\([^()]+\)\s*$", p))
    if len(parts) > 1 and (with_country == len(parts) or (len(parts) >= 3 and with_country >= len(parts) - 1)):
        return parts
    return [text]


def _all_places(seg: Segment) -> bool:
    found = blocks(seg.body)
    if not found:
        return False
    return country_list_text(" ".join(line.text for line in found[0]))
