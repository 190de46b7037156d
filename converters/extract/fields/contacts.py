"""Contacts under a contact label: role (the label, or the block's first part), name, e-mail, office, organisation.

A contact block is cut into parts; the e-mail and a person's name are patterns, a part naming a
participant gives the organisation, and whatever is left is the office (a guess, so inferred).
Honorifics, office words and the labels before phone numbers are data (patterns.yaml,
labels.yaml ``office_words``).
"""

from __future__ import annotations

import re
from typing import Any

from ..data import contains, load, word_set, words
from ..matching import abbreviates, begins_words, declined, with_bare_forms
from ..page import EMAIL, boilerplate
from ..parties import participant_named
from ..patterns import (
    contact_heading,
    contact_heading_stems,
    contact_noise,
    contact_sentence,
    dropped_titles,
    office_joins,
    person,
)
from ..places import looks_like_organisation, organisation, organisation_type
from ..segments import blocks, classify
from ..sheet import Participant, Sheet
from ..text import Line

PHONE = re.compile(r"^\+?[\d\s()/.-]{6,}$")
_CRUMBS = re.compile(r"\s[›»>]\s.*\s[›»>]\s")


def read(sheet: Sheet) -> None:
    contacts = []
    for seg in sheet.of("contact"):
        found = blocks(seg.body)
        own = _own_contacts(sheet, seg.label, found) if found and found[0][0].number not in seg.label_lines else []
        if own:
            contacts.extend(own)
            continue
        parts: list[str] = []
        lines: list[int] = list(seg.label_lines)
        complete = bool(found) and found[0][0].number in seg.label_lines and EMAIL.search(" ".join(l.text for l in found[0]))
        for index, block in enumerate(found):
            block = [line for line in block if not _CRUMBS.search(line.text)]  # 'Начало » Проекти » Еразъм+': a breadcrumb
            if not block:
                continue
            text = " ".join(line.text for line in block)
            # a contact stated whole on its label line (with its e-mail) ends there; menus and footers are no contact
            if index and (len(text.split()) > 20 or boilerplate(text) or complete or " | " in text):
                sheet.release(block)
                continue
            lines.extend(line.number for line in block)
            for line in block:
                parts.extend(link[7:] for link in line.links if link.startswith("mailto:") and link[7:] not in text)
            joined = block[0].text
            for line in block[1:]:
                joined += (" " if joined.endswith(",") else ", ") + line.text
            parts.append(joined)
        contact = _contact(sheet, seg.label, parts)
        if contact and classify(seg.label) is None and "email" not in contact:
            continue  # 'Sdílet: Facebook | X', 'Senest opdateret: ...' under a contact: an unknown label with no address is no contact
        if contact:
            contacts.append((contact, lines, seg.label))
    contacts = _distinct(_joined(contacts))
    if contacts:
        sheet.put("contacts", [c for c, _, _ in contacts], [n for _, ns, _ in contacts for n in ns])
    for index, (contact, lines, label) in enumerate(contacts):
        # the e-mail and a name are patterns, the role is a contact label (the block's own, or one standing alone
        # in the block: 'Mette Eksempel, projektleder'); an office is whatever part of the block is left over, and
        # a role that is no known label (an unknown label inside a contact section) is a guess
        guessed = ["office"] if contact.get("office") else []
        if contact.get("role") and (not _role_stated(contact["role"], label) or _bare_heading(contact["role"])):
            # a bare contact heading ('Contacto', 'Kontakt: Kadri Näidis') is kept as the role (docs/extraction.md,
            # decision 2) but asked: readers of the blind sets recorded it, the person's position or no role as often
            guessed.append("role")
        owner = next((p for p in sheet.participants if p.org.id == contact.get("organisation")), None)
        if owner is not None and not owner.org.recognised:
            guessed.append("organisation")  # the body the contact works for is itself unconfirmed: so is its id
        mailbox = (contact.get("email") or "").split("@")[0].replace(".", " ").replace("_", " ").replace("-", " ")
        if names_press(label) or names_press(contact.get("role") or "") or names_press(mailbox):
            # 'Meediapäringud', 'Sajtókapcsolat', 'Press enquiries', 'presse@...': the press office's contact, which
            # readers of the blind sets did not record as the project's; every part of it is asked
            guessed = list(contact)
        if any(names_procurement(text) for text in (label, contact.get("role") or "", contact.get("office") or "",
                                                     mailbox, _heading_above(sheet, min(lines, default=0)))):
            # 'Persona de contacto: ..., Jefa de Sección de Contratación' under 'Entidad Adjudicadora': a tender's
            # buyer, not the project's contact; every part of it is asked
            guessed = list(contact)
        if _programme_body(label) or _programme_body(contact.get("office") or "") \
                or _programme_body(_heading_above(sheet, min(lines, default=0))):
            # 'Segretariato congiunto' over 'Responsabile di progetto: Giulia Prova': the programme's officer for the
            # project, not the project's contact; readers of the blind sets left such contacts out
            guessed = list(contact)
        for part in guessed:
            sheet.provenance[f"contacts[{index}].{part}"] = {"file": sheet.source_file, "lines": sorted(set(lines)), "found": "inferred"}
        if "name" not in guessed and _KEPT_TITLE.match(contact.get("name") or ""):
            # 'Dr. Katrin Beispiel': the first sets' readers kept the 'Dr', the later ones left it out; both are offered
            sheet.provenance[f"contacts[{index}].name"] = {
                "file": sheet.source_file, "lines": sorted(set(lines)), "found": "inferred",
                "derived": f"a title before the name: {contact['name']!r} or {_KEPT_TITLE.sub('', contact['name'])!r}"}


# A doctor's title before a name, which the record keeps (patterns.yaml person_titles; 'An Dr.' in Irish)
_KEPT_TITLE = re.compile(r"^(?:An\s+)?[Dd]r\.?\s+(?=\S)")


def _programme_body(text: str) -> bool:
    """Whether ``text`` names a body that runs a programme (labels.yaml ``programme_bodies``): each word of an
    entry begins the next word of the text, so declined forms count ('secretariatului comun')."""
    return begins_words(text, word_set("labels.yaml", "programme_bodies"))


def _heading_above(sheet: Sheet, number: int) -> str:
    """The text of the last heading line before line ``number`` (empty when there is none)."""
    return next((line.text for line in reversed(sheet.doc.lines) if line.number < number and line.heading), "")


CARD_LINES = 6  # lines of one person's card at most (name, position, unit, address, phone, mailbox)


def _own_contacts(sheet: Sheet, label: str, found: list[list[Line]]) -> list[tuple[dict[str, Any], list[int], str]]:
    """Blocks under a contact heading standing alone that each hold one mailbox ('• Referente capofila italiano: Marco
    Esempio, Comunità Montana ... – marco.esempio@...' over the Swiss lead's line): a contact each, not one
    contact whose office is the next person. A person's card over several blocks (name, position, unit, then the
    mailbox: a university's staff cards) is one such block. Empty unless there are two such cards and nothing else."""
    cards: list[list[Line]] = []
    card: list[Line] = []
    for block in found:
        text = " ".join(line.text for line in block)
        if not card and cards and all(contact_noise().match(line.text) for line in block):
            cards[-1].extend(block)  # 'puh. 029 445 0000' below the card's mailbox
            continue
        card.extend(block)
        mailboxes = len(EMAIL.findall(text))
        if mailboxes > 1 or len(card) > CARD_LINES:
            return []
        if mailboxes:
            cards.append(card)
            card = []
    rest = " ".join(line.text for line in card)
    if card and (len(rest.split()) > 20 or rest.endswith(".") or boilerplate(card[0].text)):
        sheet.release(card)  # the page's funding statement below the cards: no part of a contact
        card = []
    if card or len(cards) < 2 or any(len(c) > 1 and not person().match(c[0].text.strip()) for c in cards):
        return []  # cards over several blocks each open with the person's name ('Liisa Esimerkki' over her position)
    out = []
    for block in cards:
        joined = ", ".join(line.text for line in block)
        contact = _contact(sheet, label, [joined])
        if contact:
            out.append((contact, [line.number for line in block], label))
    return out


def _joined(contacts: list[tuple[dict[str, Any], list[int], str]]) -> list[tuple[dict[str, Any], list[int], str]]:
    """A person's name in one block and their mailbox in the next ('Kontakt: Kadri Näidis' over
    'Projektijuht, kadri.naidis@...', a slide's two boxes) are one contact: the mailbox whose name is the
    person's (``kadri.naidis``) joins the contact that has the name and no mailbox."""
    out = list(contacts)
    for named in list(out):
        person_, _, _ = named
        if "email" in person_ or "name" not in person_:
            continue
        tokens = words(person_["name"]).split()
        for other in out:
            mailbox, _, _ = other
            if other is named or "name" in mailbox or "email" not in mailbox:
                continue
            local = words(re.sub(r"[._-]", " ", mailbox["email"].split("@")[0])).split()
            if len(tokens) >= 2 and tokens[0] in local and tokens[-1] in local:
                joined = {**person_, "email": mailbox["email"]}
                if _bare_heading(person_.get("role") or "") and mailbox.get("role") and _only_label(mailbox["role"], "contact"):
                    joined["role"] = mailbox["role"]  # 'Projektijuht' beside the mailbox, under a bare 'Kontakt'
                for key in ("office", "organisation"):
                    if key in mailbox and key not in joined:
                        joined[key] = mailbox[key]
                out[out.index(named)] = (joined, sorted(set(named[1] + other[1])), named[2])
                out.remove(other)
                break
    return out


def _distinct(contacts: list[tuple[dict[str, Any], list[int], str]]) -> list[tuple[dict[str, Any], list[int], str]]:
    """The same person given twice (a GeoJSON feature's attributes repeated on each feature, a contact box
    at the top and the foot of a page) is one contact: one with the e-mail of an earlier one, or its name
    and no other e-mail, fills what the earlier one lacks."""
    out: list[tuple[dict[str, Any], list[int], str]] = []
    for contact, lines, label in contacts:
        same = next((i for i, (seen, _, _) in enumerate(out) if _same_person(seen, contact)), None)
        if same is None:
            out.append((contact, lines, label))
            continue
        seen, seen_lines, seen_label = out[same]
        out[same] = ({**contact, **seen}, sorted(set(seen_lines + lines)), seen_label)
    return out


def _same_person(one: dict[str, Any], other: dict[str, Any]) -> bool:
    if one.get("email") and other.get("email"):
        return one["email"].lower() == other["email"].lower()
    return bool(one.get("name")) and words(one["name"]) == words(other.get("name") or "")


_SECTION_NUMBER = re.compile(r"^\s*\d{1,2}(?:\.\d{1,2})*\.?\s+(?=\D)")


def _bare_heading(role: str) -> bool:
    """A role that is a contact heading ('Kontakt', 'Kontaktní osoba', 'Organisering og kontakt', 'Kontakt na
    projektový tím'): a word of patterns.yaml ``contact_heading_stems`` in a label of at most five words."""
    stems = contact_heading_stems()
    return contact_heading().match(role) is not None or (
        len(role.split()) <= 5 and any(stems.match(word) for word in re.findall(r"\w+", role)))


def names_press(text: str) -> bool:
    """Whether a contact's label or role names the press, the media or communications (labels/<lang>.yaml
    ``press_contact_stems``: a stem of five letters or more begins a word, a shorter one is a whole word).
    Also read by the website field: a press office's block gives the office's site."""
    return begins_words(text, word_set("labels.yaml", "press_contact_stems"), whole_below=5)


def names_procurement(text: str) -> bool:
    """Whether a text names a public buyer's procurement office ('Servicio de Contratación', 'Vergabestelle',
    'Entidad adjudicadora': labels.yaml ``procurement_stems``, several words each beginning the next word)."""
    return begins_words(text, word_set("labels.yaml", "procurement_stems"), whole_below=5)


def _role_stated(role: str, label: str) -> bool:
    """The role is the block's label when that names a contact, or a contact label standing alone in the block."""
    if words(role) == words(label.rstrip(":：")):
        # 'Teagmháil / Contact': which half a record keeps, or both, the label does not say
        return classify(label) == "contact" and not re.search(r"\s/\s", label)
    return _only_label(role, "contact") or _only_label(role, "coordinator")  # the latter only beside a name (_position)


def _position(token: str, tokens: list[str]) -> bool:
    """A position standing alone in a contact block: a contact label ('projektleder'), or a coordinator
    label ('Project Coordinator', which heads a coordinating body elsewhere) beside a person's name."""
    if _only_label(token, "contact"):
        return True
    if _titled_position(token, tokens):
        return True
    return _only_label(token, "coordinator") and any(person().match(t) for t in tokens if t != token)


def _titled_position(token: str, tokens: list[str]) -> bool:
    """'Heritage Trails Project Officer' under 'Aoife Sample': a few words closed by a contact label, after the
    token naming the person, is the position in full (not a name and a label)."""
    folded = f" {words(token)}"
    return len(token.split()) <= 5 and token in tokens and _person_before(tokens, tokens.index(token)) \
        and any(folded.endswith(f" {words(label)}") for label in load("labels.yaml")["fields"]["contact"])


def _said(token: str) -> tuple[str, str] | None:
    """'Ansprechpartnerin für das Projekt in der Verwaltung ist Frau Anna Beispiel': the role and the name a
    sentence gives (patterns.yaml ``contact_copulas``, ``forms_of_address``); the role must name a contact."""
    match = contact_sentence().match(token)
    if match is None or not person().match(match.group("name")):
        return None
    role = match.group("role")
    if classify(role) != "contact" and not _bare_heading(role):
        return None
    return role, match.group("name")


def _position_and_name(token: str) -> tuple[str, str] | None:
    """'Hankepäällikkö Aino Esimerkki', 'Tóth Eszter projektmenedzser': a contact label (a position) beside a person's name."""
    cuts = token.split()
    for index in range(1, len(cuts)):
        head, tail = " ".join(cuts[:index]), " ".join(cuts[index:])
        if _only_label(head, "contact") and _personal(tail):
            return head, tail
        if _only_label(tail, "contact") and _personal(head):
            return tail, head
    return None


def _personal(token: str) -> bool:
    """A person's name, not an office's ('Γραφείο Τύπου', 'Press Office': capitalised words too; labels ``office_words``)."""
    return bool(person().match(token)) and not any(contains(words(token), w) for w in word_set("labels.yaml", "office_words")) \
        and not _street(token)


def _person_before(tokens: list[str], index: int) -> bool:
    """Whether a token before ``tokens[index]`` names the contact person ('Aoife Sample' over her position)."""
    return any(_personal(token) for token in tokens[:index])


def _street(token: str) -> bool:
    """'Plaza del Pan', 'Bahnhofstraße 4', 'Kaiserring 12': a street's name (labels.yaml ``street_words``,
    ``street_endings``; ``street_endings_alone`` only in one word or beside a number, as surnames end so too)."""
    tokens = words(token).split()
    alone = len(tokens) == 1 or any(t.isdigit() for t in tokens)
    return bool(tokens) and (tokens[0] in word_set("labels.yaml", "street_words")
                             or _ends_in(tokens, word_set("labels.yaml", "street_endings"))
                             or (alone and _ends_in(tokens, word_set("labels.yaml", "street_endings_alone"))))


def _ends_in(tokens: list[str], endings: frozenset[str]) -> bool:
    return any(t.endswith(e) for t in tokens for e in endings if len(t) > len(e))


def _without_degree(name: str) -> str:
    """'Ing. Tomáš Příkladný' -> 'Tomáš Příkladný': degrees a record leaves out (patterns.yaml ``dropped_titles``)."""
    return dropped_titles().sub("", name).strip() or name


def _contact(sheet: Sheet, label: str, parts: list[str]) -> dict[str, Any] | None:
    contact: dict[str, Any] = {}
    office: list[str] = []
    owner = participant_named(sheet, label)
    named = [(n, p) for p in sheet.participants for n in p.org.names.values() if len(n.split()) >= 2]
    for name, participant in sorted(named, key=lambda pair: -len(pair[0])):  # 'SPEA – Sociedade ...' whole, before it is cut
        alone = re.compile(rf"(?:^|,\s*|\s[–—-]\s)\s*{re.escape(name)}(?=\s*(?:,|\s[–—-]\s|$))")  # a token of its own
        if any(alone.search(part) for part in parts):
            parts = [alone.sub(", ", part) for part in parts]
            owner = owner or participant
    # 'voditeljica projekta (Općina Čepin)': a bracket is a part of its own
    tokens = [t.strip(" .;") for part in parts for t in re.split(r",\s+|\s+[–—]\s+|\s+-\s+|:\s+|\s+\((?=[^()]{3,}\)\s*(?:,|$))|(?<=\w)\)(?=\s*(?:,|$))", part)
              if t.strip(" .;,")]
    tokens = [t.strip(" ,–—-") for t in tokens if t.strip(" ,–—-")]
    split: list[str] = []
    for index, token in enumerate(tokens):
        # 'Heritage Trails Project Officer' under 'Aoife Sample': the position in full, when a token before it names the person
        pair = _said(token) or (None if _person_before(tokens, index) else _position_and_name(token))
        split.extend(pair if pair else [token])
    tokens = split
    label = _SECTION_NUMBER.sub("", label)  # '4. Ansprechpartnerin': a numbered heading's number is no part of a role
    role = "" if words(label.rstrip(":：")) in word_set("labels.yaml", "contact_cues") else label.strip()
    if tokens and classify(label) == "contact":
        # 'Contacto: Coordenadora do projeto, ...', 'Date de contact: Maria Exemplu, manager de proiect': the role the
        # contact label leaves out
        stated = next((t for t in tokens if _position(t, tokens) and words(t) != words(label)), None)
        if stated is None and _only_label(label, "contact") and classify(tokens[0]) == "contact" \
                and words(tokens[0]) != words(label) and not EMAIL.search(tokens[0]):
            stated = tokens[0]
        if stated is not None:
            role = stated
            tokens.remove(stated)
    for token in tokens:
        email = EMAIL.search(token)
        if email:
            contact.setdefault("email", email.group(0))
            token = token.replace(email.group(0), "").strip(" ,;:")
            if not token:
                continue
        if contact_noise().match(token) or PHONE.match(token):
            continue  # "tel. 32 000 00 00", the "e-mail" label before the address
        token, named = _office_of(sheet, token)
        if named is not None:
            owner = owner or named
        body_name = looks_like_organisation(token) or organisation_type(token) is not None  # 'RWTH Aachen University'
        participant = participant_named(sheet, token) if not person().match(token) or body_name else None
        if participant is None and len(token.split()) <= 4:  # 'CJ Călărași' for 'Consiliul Județean Călărași'
            participant = next((p for p in sheet.participants for n in p.org.names.values() if abbreviates(token, n)), None)
            if participant is not None:
                owner = owner or participant
                continue
        bare_names = [words(n) for n in with_bare_forms(participant.org.names.values())] if participant is not None else []
        if participant is not None and len(token.split()) <= 6 and (looks_like_organisation(token) or words(token) in bare_names):
            owner = owner or participant
            continue
        if "name" not in contact and _personal(token) and not body_name:
            contact["name"] = _without_degree(token)
            continue
        office.append(token)
    if office:
        contact["office"] = ", ".join(office)
    if "email" in contact and owner is None:
        domain = contact["email"].split("@", 1)[1]
        for participant in sheet.participants:
            base = participant.org.id.replace("-municipality", "").replace("-", "")
            if len(base) >= 4 and base in domain.replace("-", ""):
                owner = participant
                break
    if not contact:
        return None
    contact = {"role": role, **contact} if role and classify(label) != "website" else contact  # "More information: ..." names no role
    if owner is not None:
        contact["organisation"] = owner.org.id
    return contact


def _office_of(sheet: Sheet, token: str) -> tuple[str, Participant | None]:
    """'Service communication de la Ville de Versailles' -> the office and the participant it belongs to."""
    joins = office_joins()
    for match in re.finditer(rf"\s+{joins}\s*(?=[A-ZÀ-ÖØ-ÞĀ-Ž])", token):
        head, tail = token[: match.start()].strip(), token[match.end():].strip()
        if not head:
            continue
        participant = None
        if looks_like_organisation(tail):
            org = organisation(tail, sheet.language)
            participant = next((p for p in sheet.participants if p.org.id == org.id), None)
        if participant is None and len(tail.split()) >= 2:  # '... din cadrul Inspectoratului General pentru Imigrări'
            folded = words(tail)
            participant = next((p for p in sheet.participants for n in with_bare_forms(p.org.names.values())
                                if folded == words(n) or (len(folded.split()) == len(words(n).split()) and declined(folded, words(n)))), None)
        if participant is not None:
            return head, participant
    tokens = token.split()
    for participant in sheet.participants:  # 'Wydział Oceanografii i Geografii Uniwersytetu Gdańskiego': a genitive, no join word
        for name in participant.org.names.values():
            size = len(name.split())
            if size >= 2 and len(tokens) > size + 1 and declined(words(" ".join(tokens[-size:])), words(name)) \
                    and len(words(" ".join(tokens[-size:])).split()) == len(words(name).split()):
                return " ".join(tokens[:-size]), participant
    return token, None


def _only_label(text: str, kind: str) -> bool:
    """The text is one of the kind's labels and nothing more ('Contacto', not 'Contacto del socio principal')."""
    return words(text) in {words(label) for label in load("labels.yaml")["fields"][kind]}
