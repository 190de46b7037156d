"""One participant from a list item, a table row's cells or a card: its name, role, country, city and type.

Items carry more than a name: a role after a dash or a colon ('... – coordinator'), a country
in brackets or after a comma, a legal form, an acronym, the same body named in two languages.
:func:`add_item` reads them off and merges the body into the sheet's participants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from eulod.converters.organisations import known_city
from eulod.core.iris import slugify

from .data import best_label, contains, load, word_set, words
from .numbers import find_amounts
from .parties import merge
from .patterns import entries
from .places import (
    CountryReading,
    Organisation,
    city,
    country_name,
    looks_like_organisation,
    name_language,
    organisation,
    organisation_type,
    read_country,
)
from .sheet import Participant, Sheet
from .tables import header_row, type_in_cell


@dataclass
class _Item:
    """What an item states beside its name, read off it step by step."""

    name: str
    role: str
    is_city: bool
    country: str | None = None
    kind: str | None = None  # the type a table column or a dash phrase gives
    city_hint: str | None = None
    in_table: bool = False  # a table row's cells, whose name column holds any kind of body
    row: bool = False  # a row of a table under its header (not a card's lines joined as cells)
    bracket: str | None = None  # a bracket read off the name's end that was neither its country nor kept in it


def add_item(sheet: Sheet, text: str, role: str, number: int, is_city: bool, town: str = "",
             stated_country: CountryReading | None = None, confirmed: bool = True, row: bool = False) -> Participant | None:
    """One participant from a list item, table row or card; ``town`` is a city stated apart from the name,
    ``stated_country`` a country read around it (an adjective in prose). ``confirmed`` False: the item
    comes from a structure the extractor cannot confirm (a table with an unknown header), so the body
    is not recognised, whatever its name says, and the draft asks about it.

    Returns the participant it was merged into, or None when the text names nobody.
    """
    cells = [c.strip() for c in text.split("|")] if "|" in text else [text]
    item = _Item(cells[0], role, is_city, in_table=len(cells) > 1, row=row)
    if len(cells) > 1:
        if header_row(cells):
            return None
        _read_cells(item, cells[1:])
    _read_role(item)
    name, dash_country, dash_type = _dash_attributes(item.name)
    item.name, item.country, item.kind = name, item.country or dash_country, item.kind or dash_type
    _read_country(item)
    _read_city(item)
    abbreviated = re.search(r"(?:^|[\s,])(?:[A-Za-z]{1,2}\.)+[A-Za-z]{1,2}\.$", item.name.strip(" „”\"'“;"))
    item.name = _unquoted(item.name.strip(" .;")) + ("." if abbreviated else "")  # 'S.L.', 'E.P.E.' keep their last point
    if not item.name:
        return None
    names = _bilingual(item.name, sheet.language)
    own_name = None if names else _own_name_in_brackets(item, stated_country, sheet.language)
    if own_name:
        item.name = own_name[0]
    if names:
        item.name = names[0]
    org = _body(sheet, item, names, town)
    if item.country or stated_country:
        reading = stated_country or read_country(item.country, org.city)
        org.country = reading
        if reading and reading.warning:
            sheet.warnings.append(f"{sheet.source_file} line {number}: {item.name}: {reading.warning}")
    _name_languages(sheet, org, names, item.name)
    if own_name:
        _own_name(org, own_name, sheet.language)
    org.lines.append(number)
    if not confirmed:
        org.recognised = False
    return merge(sheet, Participant(item.role, org))


def preferred_role(stated: str, current: str) -> str:
    """The role a body takes when an item states one: any stated role replaces the current one, but a stated
    'partner' replaces only 'partner' (a coordinator's or beneficiary's section keeps its role)."""
    return stated if stated != "partner" or current == "partner" else current


def _read_cells(item: _Item, cells: list[str]) -> None:
    """A table row's other cells: a role, a country, or a description that gives the body's type."""
    item_roles = load("labels.yaml")["item_roles"]
    for cell in cells:
        stated_role, _ = best_label(cell, item_roles)
        if stated_role and len(words(cell).split()) <= 3:
            item.role = preferred_role(stated_role, item.role)
        elif read_country(cell):
            item.country = cell
        elif not find_amounts(cell):
            item.kind = item.kind or type_in_cell(cell)


def _read_role(item: _Item) -> None:
    """'Coordinator: X', 'Città di X' in a list of cities, 'X (ES) – coordinator': a role or a city prefix around the name."""
    item_roles = load("labels.yaml")["item_roles"]
    match = re.match(r"^([^:]{1,40}):\s*(.+)$", item.name)
    if match:
        stated_role, _ = best_label(match.group(1), item_roles)
        if stated_role:
            item.role, item.name = stated_role, match.group(2)
    folded = words(item.name)
    for prefix in sorted(load("labels.yaml")["city_list_prefixes"], key=len, reverse=True):
        if folded.startswith(words(prefix) + " ") and not looks_like_organisation(item.name.split("(")[0].strip()):
            item.name = item.name.split(None, len(words(prefix).split()))[-1]
            item.is_city = True
            break
    dash_role = re.search(r"\s+[–—-]\s+([^–—-]{2,40})$", item.name)
    if dash_role and len(words(dash_role.group(1)).split()) <= 3:
        stated_role, size = best_label(dash_role.group(1), item_roles)
        if stated_role and len(words(dash_role.group(1))) <= size + 4:  # the role label, a few letters more at most
            item.role, item.name = stated_role, item.name[: dash_role.start()].strip()  # 'Autoridad Portuaria de Vigo (ES) – coordinator'
            return
    described = re.search(r"\s+[–—]\s+([a-zà-öø-ÿā-ž][^–—]*)$", item.name)
    if described and len(described.group(1).split()) >= 2 and not item.in_table:
        # 'Nantes Métropole – autorité urbaine, chef de file', 'Université de Nantes – évaluation du projet': words in
        # lower case after a dash say what the body is or does in the project, not its name; a role among them is read
        for part in described.group(1).split(","):
            stated_role, size = best_label(part, item_roles)
            if stated_role and len(words(part)) <= size + 4:
                item.role = stated_role
        item.name = item.name[: described.start()].strip()


def _read_country(item: _Item) -> None:
    """A country closing the name after a comma, or in brackets (which otherwise go, unless they name the body)."""
    name = item.name
    tail_country = re.search(r",\s*([^,()]{2,30})$", name)
    if tail_country and item.country is None and "(" not in name[tail_country.start():] \
            and (read_country(tail_country.group(1)) and (tail_country.group(1).isupper() or country_name(tail_country.group(1)))):
        item.country = tail_country.group(1).strip()  # "University of X, Trondheim, NO": the country closes the item
        name = name[: tail_country.start()].strip()
    paren = re.search(r"\s*\(([^()]*)\)\s*$", name)
    # 'Consejería de ... (Junta de Andalucía)', 'Comunidade ... (AMAL)' keep it; 'EUROCITIES (Rete di ...)' spells it out
    kept = paren is not None and _names_body(paren.group(1)) and not name[: paren.start()].strip().isupper()
    if paren and not _acronym_of(paren.group(1), name[: paren.start()]) and not kept:
        name = name[: paren.start()].strip()
        if read_country(paren.group(1)):
            item.country = paren.group(1)
        else:
            item.bracket = paren.group(1).strip()
    item.name = name


def _read_city(item: _Item) -> None:
    """'X, Trondheim': a short capitalised tail after a comma is the body's city (a grouping's territories stay in its name)."""
    territorial = {"association-of-municipalities", "regional-authority", "metropolitan-authority"}
    # 'Bord Iascaigh Mhara – Dún Laoghaire, Éire': a place after a spaced dash, where a country closed the item
    dash = re.search(r"\s+[–—-]\s+([^–—,()]{2,40})$", item.name)
    if dash and item.country and is_place(dash.group(1)) and not looks_like_organisation(dash.group(1)) \
            and organisation_type(dash.group(1)) is None \
            and len(dash.group(1).split()) <= 3 and item.name[: dash.start()].strip():
        item.name, item.city_hint = item.name[: dash.start()].strip(), dash.group(1).strip()
        return
    if "," in item.name and not looks_like_organisation(item.name):
        head, tail = item.name.rsplit(",", 1)
        # 'Communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane': a grouping's name lists its territories
        if len(tail.split()) <= 2 and tail.strip()[:1].isupper() and not tail.strip().isupper() \
                and (organisation_type(head) not in territorial or city(tail.strip())):
            item.name, item.city_hint = head.strip(), tail.strip()


def _body(sheet: Sheet, item: _Item, names: list[str], town: str) -> Organisation:
    """The organisation an item names: a city alone stands for its municipality; other-language names join it."""
    name = item.name
    is_city = item.is_city
    # "Cork (IE)", "Viana do Castelo (Portugal)": a city named alone stands for its municipality; in a table's
    # name column, several capitalised words that name no known city ('Provincie Oost-Vlaanderen | BE',
    # 'Tallinna Tehnikaülikool | Estland') may be any body
    guessed_city = False
    if not is_city and is_place(name) and (city(name) or (item.country and (len(name.split()) == 1 or not item.in_table))) \
            and organisation_type(name) is None and (not town or words(town) == words(name)) \
            and (not item.city_hint or words(item.city_hint) == words(name)):  # a body in another place is no city
        is_city = True
        # a name of several words that no city list knows may be a body named like a place ('Principado de Asturias')
        # and so may one word in a table's name column ('Luonnonvarakeskus | Suomi', the Finnish natural resources institute)
        guessed_city = not city(name) and (len(name.split()) > 1 or item.row) and not looks_like_organisation(name)
    if is_city and town and contains(words(name), words(town)) and not looks_like_organisation(name):
        org = organisation(town, sheet.language, is_city=True)  # 'Ningbo Municipal Government' in a list of cities
        org.names = {sheet.language: name}
    else:
        org = organisation(name, sheet.language, is_city=is_city)
    if names:
        for other in names[1:]:
            extra = organisation(other, sheet.language)
            for lang, value in extra.names.items():
                org.names.setdefault(lang, value)
    if item.kind and (org.type is None or org.type == item.kind):
        org.type, org.type_guessed, org.recognised = item.kind, False, True
    if item.city_hint and not org.city:
        org.city = item.city_hint
        municipality_of(org, name, item.city_hint)
    if guessed_city:
        org.recognised, org.city_guessed = False, True
    return org


def _name_languages(sheet: Sheet, org: Organisation, names: list[str], name: str) -> None:
    """Which language each of the body's names is in: the country's own language for the side not in the page's."""
    own_language = load("places.yaml")["country_languages"].get(org.country.code if org.country else "")
    if names and own_language and own_language != sheet.language:
        foreign = [n for n in names if not page_words(n, sheet.language)]
        if len(foreign) == 1:  # 'Budapesti ... Egyetem – ... Universität Budapest, Ungarn': the other side is Hungarian
            other = next(n for n in names if n != foreign[0])
            org.names = {own_language: foreign[0], sheet.language: other}
    if not names and not looks_like_organisation(name) and org.type != "municipality" and list(org.names) == [sheet.language]:
        own = name_language(name, sheet.language, org.country.code if org.country else None)
        org.names = {own: org.names[sheet.language]}
        # nothing in the name says it is in the page's language, and its country speaks another: a guess
        org.name_guessed = own == sheet.language and own_language not in (None, sheet.language) and not page_words(name, sheet.language)


def municipality_of(org: Organisation, name: str, town: str) -> None:
    """'Turun kaupunki, Åbo, Finland': the name gives the type but not the town's own name (a genitive); when the
    town stated beside it is a known one, or one the name's first word inflects ('Tornion kaupunki | Tornio'),
    the municipality's id is the town's."""
    if org.type != "municipality" or org.recognised or org.id != slugify(name):
        return
    known = known_city(town)
    if known or _inflected_town(name, town):
        org.id, org.recognised, org.type_guessed = f"{known[0] if known else slugify(town)}-municipality", True, False


def _inflected_town(name: str, town: str) -> bool:
    """'Tornion kaupunki' beside 'Tornio': the name opens with the town's name in a case ending (all of the town's
    letters but its last, four at least), as the genitive of a municipality's name does in Finnish or Estonian."""
    first, place = words(name).split()[:1], words(town)
    stem = place[:-1]
    return bool(first) and " " not in place and len(stem) >= 4 and first[0] != place and first[0].startswith(stem)


def _own_name_in_brackets(item: _Item, stated: CountryReading | None, language: str) -> tuple[str, str, str] | None:
    """'Luulajan teknillinen yliopisto (Luleå tekniska universitet)', 'Kolín nad Rýnom (Stadt Köln)': the body named
    in the page's language, then in brackets in its own country's: (page's name, own name, own language).

    Only for a body of a country that speaks another language than the page, and a bracket that is a
    name (capitalised, with small letters: no acronym, country, town or role) of the same kind of body as
    the name before it, the municipality of the town before it, or one word beside a name no type word
    tells ('Tornionlaakson neuvosto (Tornedalsrådet)').
    """
    kept = re.fullmatch(r"(.+?)\s*\(([^()]+)\)", item.name)
    outer, inner = (kept.group(1).strip(), kept.group(2).strip()) if kept else (item.name, item.bracket)
    reading = stated or (read_country(item.country) if item.country else None)
    own = load("places.yaml")["country_languages"].get(reading.code if reading else "")
    if not inner or not outer or not own or own == language:
        return None
    if not inner[:1].isupper() or not re.search(r"[^\W\d_A-ZÀ-Þ]", inner) or read_country(inner) or city(inner) \
            or best_label(inner, load("labels.yaml")["item_roles"])[0] or find_amounts(inner):
        return None
    types = organisation(outer, language).type, organisation(inner, own).type
    same_kind = types[0] is not None and types[0] == types[1]
    town_and_council = city(outer) is not None and types[0] is None and types[1] == "municipality"
    unnamed_kinds = types == (None, None) and len(inner.split()) == 1 and len(outer.split()) >= 2
    return (outer, inner, own) if same_kind or town_and_council or unnamed_kinds else None


def _own_name(org: Organisation, own_name: tuple[str, str, str], language: str) -> None:
    """The body's names in both languages, its id made from its own (as readers make it: 'lulea-tekniska-universitet')."""
    outer, inner, own = own_name
    named = organisation(inner, own)
    org.names = {language: outer, own: inner}
    org.id = named.id
    if named.type and (org.type is None or org.type_guessed):
        org.type, org.type_guessed = named.type, named.type_guessed


def _names_body(text: str) -> bool:
    """'(Junta de Andalucía)', '(AMAL)': a parenthesis that names the body (its parent or short name), kept in the name.

    A country ('(ES)', '(Portugal)') or a remark ('(lead partner)') is not; an upper-case short
    name is, and so is a name with a body's type word ('Junta de', 'Universidad').
    """
    text = text.strip()
    if not text or read_country(text) or best_label(text, load("labels.yaml")["item_roles"])[0]:
        return False
    if re.fullmatch(r"[A-ZÀ-Þ][A-ZÀ-Þ0-9&-]{1,9}(?: [A-ZÀ-Þ0-9&-]{2,9})?", text):
        return True  # 'AMAL', 'VILNIUS TECH': a short name in capitals
    return text[:1].isupper() and len(text.split()) <= 6 and (looks_like_organisation(text) or organisation_type(text) is not None)



_OPENING, _CLOSING = "„“”\"'«‚", "”“\"'»‘’"


def _unquoted(name: str) -> str:
    """Quotes around the whole name go; a quote closing a quoted part stays ('UAB „Vilniaus vystymo kompanija“')."""
    name = name.strip()
    while len(name) >= 2 and name[0] in _OPENING and name[-1] in _CLOSING:
        name = name[1:-1].strip()
    if name[:1] in _OPENING and not any(c in _CLOSING for c in name[1:]):
        name = name[1:].strip()  # an opening quote never closed
    if name[-1:] in _CLOSING and not any(c in _OPENING for c in name[:-1]):
        name = name[:-1].strip()  # a closing quote never opened
    return name.strip(" .;")


@lru_cache(maxsize=1)
def particles() -> frozenset[str]:
    """The small words of place names (patterns.yaml ``place_particles``), which need not be capitalised."""
    return frozenset(entries("place_particles"))


def is_place(name: str) -> bool:
    """A name that reads as a place alone: capitalised words (and particles), no acronym, digits or type words."""
    tokens = re.split(r"[\s]+", name.strip())
    if not 1 <= len(tokens) <= 5 or re.search(r"\d|[&/@]", name):
        return False
    if set(words(name).split()) & word_set("places.yaml", "not_place_words"):
        return False
    for token in tokens:
        parts = [t for t in re.split(r"[-'’]", token) if t]
        for part in parts:
            if part.lower() in particles():
                continue
            if not part[:1].isupper() or (len(part) > 1 and part.isupper()):
                return False
    return True


def _bilingual(name: str, language: str) -> list[str]:
    """'Comune di Udine / Municipality of Udine' or 'X Egyetem – Y Universität': one body named in two languages.

    Both sides must name a body by a pattern, or share its type (university, municipality ...),
    so 'IHS – Institute for ...' (an acronym then its expansion) stays one name.
    """
    for separator in (r"\s+/\s+", r"\s+[–—-]\s+"):
        parts = [p.strip() for p in re.split(separator, name) if p.strip()]
        if len(parts) != 2 or any(len(p.split()) < 2 for p in parts):
            continue
        if all(looks_like_organisation(p) for p in parts):
            return parts
        types = [organisation_type(p) for p in parts]
        if separator != r"\s+/\s+" and types[0] and types[0] == types[1] \
                and sorted(bool(page_words(p, language)) for p in parts) == [False, True]:
            return parts  # one side in the page's language, the other not: a translation
    return []


def page_words(name: str, language: str) -> set[str]:
    """The name's words that are name words of the page's language ('und', 'di', 'de')."""
    return set(words(name).split()) & set(load("places.yaml")["name_words"].get(language, []))


_DASH = re.compile(r"\s+[–—-]\s+")


def _type_phrase(text: str) -> bool:
    """'NGO', 'Higher education and research', 'Agency, owned by ...': a type word phrase, not a proper name.

    Its head (before any comma) has at most six words, no capitalised word after the first
    (acronyms aside) and names a type; 'Basque Centre for Climate Change' is a name.
    """
    head = text.split(",")[0].strip()
    tokens = head.split()
    if not 1 <= len(tokens) <= 6 or looks_like_organisation(head):
        return False
    if any(not (t.islower() or t.isupper()) for t in tokens[1:]):
        return False
    return organisation_type(head) is not None


def _dash_attributes(name: str) -> tuple[str, str | None, str | None]:
    """'Stadt Komárno – Slowakei', 'Catholic Relief Services - NGO': the name and the country or type after a dash.

    Trailing dash-separated parts are read from the end while each is a country name (or an
    upper-case code) or a short organisation-type phrase; the first part is always kept.
    """
    country = kind = None
    while True:
        cuts = list(_DASH.finditer(name))
        if not cuts:
            break
        last = name[cuts[-1].end():].strip()
        if country is None and read_country(last) and (country_name(last) or last.isupper()):
            country = last
        elif kind is None and _type_phrase(last) and not re.fullmatch(r"[A-ZÀ-ÖØ-Þ0-9&-]{2,10}", name[: cuts[0].start()].strip()):
            # after a lone acronym ('ENEA – Agenzia nazionale ...') the words are its expansion, not a type
            kind = organisation_type(last.split(",")[0])
        else:
            break
        name = name[: cuts[-1].start()].strip()
    return name, country, kind


def _acronym_of(short: str, name: str) -> bool:
    """'NTNU' after 'Norwegian University of Science and Technology': a short form the name's capitals spell."""
    short = short.strip()
    initials = "".join(w[0] for w in re.findall(r"[^\W\d_]+", name) if w[0].isupper())
    if re.fullmatch(r"[a-zà-ž]{2,6}", short):  # 'Vorarlberger Architektur Institut (vai)': a brand in small letters
        return short == initials.lower()
    if not re.fullmatch(r"[A-ZÀ-Þ][A-Za-zÀ-ž0-9&]{1,9}", short) or sum(c.isupper() for c in short) < 2:
        return False
    return short.upper()[0] == initials[:1].upper() and all(c in initials.upper() for c in short.upper() if c.isalpha())


def country_list_text(text: str) -> bool:
    parts = re.findall(r"\(([^()]{1,25})\)", text)
    return len(parts) >= 2 and all(read_country(p) for p in parts)
