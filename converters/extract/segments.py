"""A fact sheet's lines cut into labelled segments and free text.

Fact sheets state facts three ways: ``Label: value`` on one line, a label line (``Start
date:``, possibly wrapped over two lines) followed by a value block, and a heading
(``OBJECTIVES``, ``## Partenaires``) over paragraphs or bullets. Every such label starts a
:class:`Segment`; lines outside segments are free text, where prose facts and the title live.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .data import best_label, contains, load, small_words, word_set, words
from .dates import fold
from .numbers import find_amounts
from .patterns import CAPITALS, contact_noise
from .places import read_country
from .text import Line, runs

_LABEL_VALUE = re.compile(r"^(?P<label>[^:：]{1,70}?)\s*[:：]\s*(?:\|\s+)?(?P<value>\S.*)$")  # "Label: | value": a table row
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass
class Segment:
    kind: str | None
    label: str
    label_lines: list[int]
    body: list[Line] = field(default_factory=list)

    @property
    def lines(self) -> list[int]:
        return self.label_lines + [line.number for line in self.body if line.text]


# Fields a bulleted "Label: value" line can state (a fact sheet as a bullet list); other bullets are list items.
_SCALAR_KINDS = {"period", "start_date", "end_date", "duration", "total_cost", "eu_contribution", "co_financing", "eu_rate",
                 "programme", "fund", "programme_reference", "grant_id", "website", "project_name", "acronym", "page_meta", "status", "country",
                 "intervention_field"}
_TEXT_KINDS = {"objectives", "actions", "expected_results", "results"}
_LIST_KINDS = {"coordinator", "partners", "beneficiary", "objectives", "actions", "expected_results", "results"}


def _sheet_heading(text: str) -> bool:
    folded = words(text.rstrip(":："))
    return bool(folded) and folded in word_set("labels.yaml", "sheet_headings")


def classify(label: str) -> str | None:
    """The field a label names, when the label is short enough to be a label."""
    fields = load("labels.yaml")["fields"]
    kind, _ = best_label(label, fields)
    if kind is None or len(words(label).split()) > 9:
        return None
    if kind in _PARTY_KINDS and re.search(r"\d", label) and len(words(label).split()) > 3:
        return None  # 'The consortium counts 35 partners': a count in a sentence, not a list's label
    if kind in _PARTY_KINDS and best_label(label, {"contact": fields["contact"]})[0]:
        return "contact"  # 'Lead partner contact', 'Coordinator contact': a contact, not the partner list
    if kind in _PARTY_KINDS and any(contains(words(label), a) for a in word_set("labels.yaml", "party_attributes")
                                    | word_set("labels.yaml", "party_people")):
        return None  # 'IČO příjemce', 'Partner address', 'Beteiligte Personen': the party's attributes or people, no list of parties
    if kind in _TEXT_KINDS and _agenda(label, kind):
        return None  # 'Upcoming activities', 'Attivitajiet li ġejjin': dated events to come, not the project's actions
    if kind in _TEXT_KINDS:  # "Objectives, activities and results": a label naming several sections is a description
        named = {k for k in _TEXT_KINDS if best_label(label, {k: fields[k]})[0]}
        if len(named) >= 2 and not {"expected_results", "results"} >= named:
            return "description"
    return kind


LEAD_IN_WORDS = 8  # a line this long without an end before a line is a sentence the line goes on with


def _lead_in(text: str, previous: Line | None, prev_blank: bool) -> bool:
    """A line ending in a colon that no label can be: it holds an amount ('3 120 000,00 евро, от които:'),
    or it goes on with the sentence the line right above left without an end ('Общата стойност на
    проекта ... е' then '3 120 000,00 евро, от които:'). A list follows it, but in the sentence's
    own words, read as prose (the twenty-seventh set's council minutes)."""
    if find_amounts(text):
        return True
    if prev_blank or previous is None or previous.bullet or previous.heading:
        return False
    above = previous.text.rstrip()
    return len(above.split()) >= LEAD_IN_WORDS and not above.endswith((".", ":", ";", "!", "?", "：")) \
        and (text[:1].islower() or text[:1].isdigit())


def blocks(lines: list[Line]) -> list[list[Line]]:
    """Runs of non-blank lines."""
    return runs(lines, lambda line: bool(line.text))


def _is_heading(line: Line, kind: str | None, alone: bool) -> bool:
    if kind is None or line.text.endswith((".", ";", ",")) or _URL.search(line.text):
        return False
    count = len(words(line.text).split())
    _, length = best_label(line.text, load("labels.yaml")["fields"])
    exact = length >= len(words(line.text)) - 1 or _only_filler(line.text, kind) or _bilingual_label(line.text, kind)
    return (line.heading and count <= 6) or (exact and count <= 5) or (alone and count <= 3 and line.text.isupper())


def _whole_contact(segment: Segment) -> bool:
    """A contact stated whole on its label's line, its e-mail there ('Vodja projekta na KI: dr. Maja Zgled
    (maja.zgled@…)'): a paragraph after a blank line below it is no part of it (fields/contacts.py reads no
    block after it either), while a label there ('Press enquiries: …') is the next contact's."""
    return segment.kind == "contact" and bool(segment.body) and segment.body[0].number in segment.label_lines \
        and bool(_EMAIL.search(segment.body[0].text)) and all(not line.text for line in segment.body[1:])


def _party_as_contact(kind: str | None, current: Segment | None) -> bool:
    """A party's label ('Projektleitung', 'Project coordination') right under a contact heading that holds
    nothing yet: the contact's role, not the coordinator's label."""
    return kind in _PARTY_KINDS and current is not None and current.kind == "contact" \
        and not any(body.text for body in current.body)


def _next_contact(line: Line, kind: str | None, current: Segment | None) -> bool:
    """'Yhteyshenkilö Ruotsissa' after a contact's e-mail address: the next contact's label (a contact label and
    one word more); before the address it is the contact's role ('Projectleider energietransitie')."""
    return kind == "contact" and current is not None and current.kind == "contact" \
        and any(_EMAIL.search(body.text) for body in current.body) \
        and len(words(line.text).split()) <= 3 and _other_words(line.text, kind) <= 1


def _bilingual_label(text: str, kind: str) -> bool:
    """'Obiettivi / Objectives', 'Contatti / Contacts': the same label in two languages."""
    halves = [h for h in re.split(r"\s+/\s+", text.rstrip(":：")) if h.strip()]
    if len(halves) != 2:
        return False
    for half in halves:
        found, length = best_label(half, load("labels.yaml")["fields"])
        if found != kind or length < len(words(half)) - 1:
            return False
    return True


@lru_cache(maxsize=None)
def _longest_labels(kind: str) -> tuple[str, ...]:
    """A field's labels, folded, longest first: sorted once, not on every label line a rule asks about."""
    return tuple(sorted((words(l) for l in load("labels.yaml")["fields"][kind]), key=len, reverse=True))


def _beside_label(text: str, kind: str) -> tuple[list[str], frozenset[str]]:
    """The words of ``text`` other than the field's longest label in it, and the small and scope words."""
    rest = f" {words(text)} "
    for label in _longest_labels(kind):
        if f" {label} " in rest:
            rest = rest.replace(f" {label} ", " ", 1)
            break
    return rest.split(), small_words()


# A sentence's end inside a label: a word, a full stop (or ! ?) and a capital ('... v Vidmu. Tema').
_SENTENCE_END = re.compile(rf"\w[.!?]\s+(?=[{CAPITALS}])")


def _after_a_sentence(label: str) -> bool:
    """Whether a label's text opens with a sentence of four words or more: the label is then a word of a
    paragraph ('Druga mobilnost bo v Vidmu. Tema: ...'), not a field's label ('Ref. No.', 'Proj. Nr.' are not)."""
    parts = _SENTENCE_END.split(label)
    return len(parts) > 1 and len(" ".join(parts[:-1]).split()) >= 4


def _agenda(text: str, kind: str) -> bool:
    """A text field's label beside a word of coming events (labels.yaml ``agenda_words``)."""
    rest = " ".join(_beside_label(text, kind)[0])
    return any(contains(rest, word) for word in word_set("labels.yaml", "agenda_words"))


def _other_words(text: str, kind: str) -> int:
    """How many words of a label are neither the field's label nor small or scope words ('Sostieni le nostre
    attività': 'sostieni', 'nostre')."""
    left, filler = _beside_label(text, kind)
    return sum(1 for token in left if token not in filler)


def _only_filler(text: str, kind: str) -> bool:
    """'Referente del progetto', 'Obiectivele proiectului': the label plus only small or scope words."""
    left, filler = _beside_label(text, kind)
    scope = word_set("labels.yaml", "project_scope")
    # a label wrapped over two lines ("EU Contribution to the") ends on a small word: not a heading
    return all(token in filler for token in left) and (not left or words(text).split()[-1] not in filler - scope)


# Segments a "Label: value" line with an unknown label ends (a list of bodies, a scalar fact).
_ENDED_BY_UNKNOWN_LABEL = {"coordinator", "partners", "beneficiary"} | _SCALAR_KINDS


def _foreign_label(label: str) -> bool:
    """A label-looking prefix that names no field: short, capitalised, not a URL, not a role inside a list."""
    label = label.strip()
    if not label[:1].isupper() or _URL.search(label) or len(label.split()) > 6 or re.search(r"\d", label):
        return False
    return classify(label) is None and best_label(label, load("labels.yaml")["item_roles"])[0] is None


def _only_label(text: str, vocabulary: list[str]) -> bool:
    """The line is (nearly) only a label of the vocabulary: 'Partner cities', not 'Sharing Cities'."""
    _, length = best_label(text, {"v": vocabulary})
    return length >= len(words(text)) - 3


def _names_cities(text: str) -> bool:
    return best_label(text, {"c": load("labels.yaml")["city_words"]})[0] is not None


def segment(lines: list[Line]) -> tuple[list[Segment], list[Line]]:
    """Labelled segments and the free lines around them (free lines keep blank separators)."""
    segments: list[Segment] = []
    free: list[Line] = []
    current: Segment | None = None
    previous: Line | None = None
    before_previous_blank = True
    lines = _badges_under_names(_split_joined_labels(_other_separators(lines)))
    mail = _mail_header_lines(lines)
    outline: tuple[int, int] | None = None  # the last numbered section heading's number and line
    members: set[int] = set()  # lines of partner cards: 'Partner' under a card heading is its role, not a label
    for index, line in enumerate(lines):
        text = line.text
        target = current.body if current else free
        if id(line) in members and current is not None:
            current.body.append(line)
            previous = line
            continue
        if not text:
            target.append(line)
            before_previous_blank, previous = (previous is None or not previous.text), line
            continue
        next_blank = index + 1 >= len(lines) or not lines[index + 1].text
        prev_blank = previous is None or not previous.text
        if _sheet_heading(text) or id(line) in mail:  # "Scheda progetto", "Eckdaten", "From: ...": says nothing itself
            current = None
            free.append(Line(line.number, ""))
            previous = line
            continue
        cells = text.split(" | ")
        if len(cells) == 2 and ":" not in cells[0] and (classify(cells[0]) or (
                current is not None and current.kind in _SCALAR_KINDS and _foreign_label(cells[0]))):
            text = f"{cells[0]}: {cells[1]}"  # a two-column fact table row (an unknown label in a fact table too)
        match = _LABEL_VALUE.match(text)
        if match and match.group("value").startswith("//"):
            match = None  # '[1] https://...': a link cut at its scheme's colon, not a label
        elif match and find_amounts(match.group("label")):
            match = None  # 'ZPR budžets projektā ir 214 600,00 EUR: ERAF …': a sentence and its parts, no label
        if not match and prev_blank and current is not None and _whole_contact(current):
            current, target = None, free  # a paragraph after it is the page's text, for the readers before contacts
        if match and not line.bullet and current is not None and _foreign_label(match.group("label")) and (
                current.kind in _ENDED_BY_UNKNOWN_LABEL
                or (current.kind != "contact" and current.body and current.body[0].number == current.label_lines[-1])
                or (current.kind in _TEXT_KINDS and prev_blank and any(body.text for body in current.body))):
            # "Beneficiario: X" then "Denominazione dell'operazione: Y": an unknown label closes the list;
            # after a blank line it closes a list of objectives or actions too ("Destinatari: ...")
            current = Segment(None, match.group("label").strip(), [line.number])
            current.body.append(Line(line.number, match.group("value").strip(), False, False, line.links, line.link_texts))
            segments.append(current)
            previous = line
            continue
        # '• Beneficiário: X' among '• Label: value' facts: a labelled fact too, not an item of a list above it
        inline = current is not None and bool(current.body) and current.body[0].number == current.label_lines[-1]
        facts = current is None or current.kind in _SCALAR_KINDS or inline
        stated = classify(match.group("label")) if match and line.bullet else None
        if match and line.bullet and ((current is not None and current.kind in _LIST_KINDS
                                       and not (inline and stated in _SCALAR_KINDS | _PARTY_KINDS))
                                      or stated not in _SCALAR_KINDS | (_PARTY_KINDS if facts else set())):
            match = None  # "* Coordinatore: Città di Berlino" is an item of a list, not a label
        if match and current is not None and current.kind == "contact" and contact_noise().match(match.group("label").strip()):
            current.body.append(line)  # 'Tel.: ...', 'E-mail: ...' under a contact: its phone and address, not a new label
            previous = line
            continue
        if match and current is not None and current.kind in _MONEY_KINDS and not of_which(current.label) \
                and of_which(match.group("label")):
            # '  ebből ERFA: 265 608 000 Ft (85 %)' under 'Szerződött támogatás összege: ...': a part of that amount,
            # not a new label (under an unknown label, 'Zuwendung: ...', parts stay labels of their own)
            current.body.append(line)
            previous = line
            continue
        if match:
            kind = classify(match.group("label"))
            if kind in _TEXT_KINDS and _other_words(match.group("label"), kind) >= 2:
                kind = None  # 'Sostieni le nostre attività: con il 5×1000 ...': a sentence naming a field, not its label
            if kind is not None and _after_a_sentence(match.group("label")):
                kind = None  # 'Druga mobilnost bo v Vidmu. Tema: ...': a word with a colon in running prose, not a label
            if kind is None and words(match.group("label")) in word_set("labels.yaml", "project_scope"):
                kind = "project_name"  # 'Projekt: Głęboka termomodernizacja ...': the project's name after the bare word
            if kind == "website" and _EMAIL.search(match.group("value")) and not _URL.search(match.group("value")):
                kind = "contact"  # 'Więcej informacji: Wydział ..., e-mail: x@y': a contact, not a web page
            in_contact = current is not None and current.kind == "contact"
            if in_contact and kind is None and _URL.match(match.group("value")) and len(match.group("value").split()) == 1:
                kind = "website"  # "More: https://...": a link line under a contact is the project's page
            if _party_as_contact(kind, current) or (in_contact and kind in _PARTY_KINDS
                                                     and _EMAIL.search(match.group("value"))):
                # "Contact" over "Project coordination: Chair of ...": the contact's role; after a contact, 'Per il
                # capofila: Comune di Cremona, ... – casacomune@...' is the lead partner's contact, its mailbox there
                kind = "contact"
            dated = in_contact and kind is None and re.match(r"\d", match.group("label").strip())
            if in_contact and words(match.group("label")) in word_set("labels.yaml", "mail_header_fields"):
                dated = True  # 'From: Lars ...', 'Message-ID: <...>' after a signature: the next message's header, not a role
            if dated:  # '8 april 2025 kl. 9.30: Nätverksträff ...': a calendar's entry after a contact, not its role
                current = None
                target = free
            elif kind or (in_contact and len(match.group("label").split()) <= 5 and not _URL.match(match.group("label"))) \
                    or _country_list(match.group("value")):
                current = Segment(kind or ("contact" if in_contact else None), match.group("label").strip(), [line.number])
                current.body.append(Line(line.number, match.group("value").strip(), False, False, line.links, line.link_texts))
                segments.append(current)
                previous = line
                continue
        if text.endswith((":", "：")) and not line.bullet and len(text.split()) <= 9 \
                and not _lead_in(text[:-1], previous, prev_blank):
            label = text[:-1].strip()
            numbers = [line.number]
            if previous is not None and previous.text and before_previous_blank and not previous.bullet \
                    and target and target[-1] is previous and len(previous.text.split()) <= 6:
                target.pop()
                label = f"{previous.text} {label}"
                numbers.insert(0, previous.number)
            kind = classify(label)
            if kind is None and current is not None and current.kind in _TEXT_KINDS and len(numbers) == 1 \
                    and not any(body.text for body in current.body) and (following := _next_text(lines, index)) \
                    and following.bullet:
                current.body.append(line)  # 'Eredmények' over 'A projekt során elkészült anyagok:' over the list:
                previous = line  # the list's lead-in, not a label of its own
                continue
            if kind or len(label.split()) <= 6:
                current = Segment(kind, label, numbers)
                segments.append(current)
                previous = line
                before_previous_blank = prev_blank
                continue
        kind = classify(text)
        if kind == "description" and about_line(text):
            kind = None  # 'About proGIreg' names the project: a title line, not the description's label
        if prev_blank and _outline_heading(lines, index):
            if kind is None and current is not None and outline is not None and line.item == outline[0] + 1 \
                    and current.label_lines and outline[1] <= current.label_lines[0]:
                # '3. Samverkan' after '2. Projektets syfte och mål' and the 'Mål:' under it: the outline's
                # next section ends the one its previous section held
                current = None
                free.append(line)
                outline = (line.item, line.number)
                before_previous_blank = prev_blank
                previous = line
                continue
            outline = (line.item, line.number)
        if kind is None and line.heading and len(text.split()) <= 6 and _names_cities(text) \
                and _only_label(text, load("labels.yaml")["city_words"]):
            current = Segment(None, text, [line.number])  # "Leuchtturmstädte": a list of cities follows
            segments.append(current)
            previous = line
            continue
        over_list = prev_blank and index + 1 < len(lines) and lines[index + 1].bullet and not line.bullet
        if _is_heading(line, kind, prev_blank and next_blank) or _next_contact(line, kind, current) or (
                kind is not None and over_list and len(words(text).split()) <= 4 and not _URL.search(text)
                and not text.endswith((".", ";", ","))):
            if _party_as_contact(kind, current):
                kind = "contact"  # 'Kontakt' over 'Projektleitung' over a person: the contact's role, as on a label's line
            current = Segment(kind, text, [line.number])  # a short labelled line over a bullet list heads it
            segments.append(current)
            previous = line
            continue
        if kind is None and line.heading and current is not None and _card_heading(lines, index) and (
                current.kind in _PARTY_KINDS or (current.kind is None and _names_cities(current.label))):
            current.body.append(line)  # a partner card's heading ("<h3>Comune di Milano</h3>" over role, city, country)
            members.update(id(member) for member in card_lines(lines, index))
            previous = line
            continue
        if kind is None and line.heading and current is not None and current.kind == "results" \
                and _next_text(lines, index) is not None and not _next_text(lines, index).heading:
            current.body.append(line)  # a result card: its title as a heading, its summary below
            previous = line
            continue
        title_case = prev_blank and next_blank and text.isupper() and len(text.split()) <= 10 \
            and not text.endswith(".") and not re.search(r"\d", text) and (len(text.split()) >= 2 or len(text) > 6)
        if kind is None and (line.heading or title_case) and current is not None:
            current = None  # an unknown heading (or an upper-case section title alone between blank lines) ("What the city does") ends the section above it
            target = free
        target.append(line)
        before_previous_blank = prev_blank
        previous = line
    return segments, _unclaimed(segments, free)


def _unclaimed(segments: list[Segment], free: list[Line]) -> list[Line]:
    """``free`` with the blocks after the first under each label no field claims, in document order.

    'PÄEVAKORD:' over an agenda, 'KUULATI:' over what was heard: a bare label that is no field's
    holds its first block; the paragraphs after it are the page's own text (a council's minutes
    held the project's money and dates under the agenda's label), not the label's value. A label
    naming a list of cities keeps its whole list.
    """
    moved: list[Line] = []
    for seg in segments:
        if seg.kind is not None or _names_cities(seg.label) or (seg.body and seg.body[0].number == seg.label_lines[-1]):
            continue
        found = blocks(seg.body)
        if len(found) < 2:
            continue
        kept = {id(line) for line in found[0]}
        for block in found[1:]:
            moved.extend([Line(block[0].number, ""), *block, Line(block[-1].number, "")])
        seg.body[:] = [line for line in seg.body if id(line) in kept]
    if not moved:
        return free
    return sorted(free + moved, key=lambda line: line.number)


_PARTY_KINDS = {"coordinator", "partners", "beneficiary"}
_MONEY_KINDS = {"total_cost", "eu_contribution", "co_financing"}


def _outline_heading(lines: list[Line], index: int) -> bool:
    """A numbered section heading of a plain-text outline ('3. Samverkan'): a numbered line of a few
    words without a closing stop, prose (no numbered line) right under it."""
    line = lines[index]
    if line.item is None or len(line.text.split()) > 6 or line.text.endswith((".", ";", ",", ":")):
        return False
    following = lines[index + 1] if index + 1 < len(lines) else None
    return following is not None and bool(following.text) and following.item is None


def _badges_under_names(lines: list[Line]) -> list[Line]:
    """A role badge over a partner card's name ('<li><span class="badge">Lead partner</span><h3>X</h3>'):
    moved under the name, where a card's role stands, so that it is that card's role and not the label
    of every card after it."""
    out = list(lines)
    for index, line in enumerate(out):
        if not (line.bullet and line.text and len(line.text.split()) <= 3 and classify(line.text) in _PARTY_KINDS):
            continue
        following = next((k for k in range(index + 1, len(out)) if out[k].text), None)
        if following is not None and out[following].heading and not out[following].bullet:
            name = out[following]
            out[index:following + 1] = [name, *out[index + 1:following], Line(line.number, line.text, False, False,
                                                                                  line.links, line.link_texts)]
    return out


def of_which(label: str) -> bool:
    """'| ebből Európai Regionális Fejlesztési Alap', 'davon EFRE': a label opening with an "of which" cue."""
    folded = words(label)
    return any(f"{folded} ".startswith(f"{cue} ") for cue in word_set("labels.yaml", "of_which"))


def _next_text(lines: list[Line], index: int) -> Line | None:
    return next((line for line in lines[index + 1:] if line.text), None)


def card_lines(lines: list[Line], index: int) -> list[Line]:
    """The short lines under the heading at ``index``, up to the next heading or a line of prose."""
    out = []
    for line in lines[index + 1:]:
        if line.heading or len(line.text.split()) > 8 or line.text.endswith("."):
            break
        if line.text:
            out.append(line)
    return out


def _card_heading(lines: list[Line], index: int) -> bool:
    """A heading over a card of one to five short lines, one of them a country or a role ('Germany', 'Lead partner').

    Partner pages show one card per body (a name heading, then role, city and country lines);
    a section heading is followed by prose instead.
    """
    body = card_lines(lines, index)
    if not 1 <= len(body) <= 5:
        return False
    roles = load("labels.yaml")["item_roles"]
    return any(read_country(line.text) is not None or place_and_country(line.text) or best_label(line.text, roles)[0]
               for line in body)


def place_and_country(text: str) -> tuple[str, str] | None:
    """'Aachen, DE', 'Gelderland, Netherlands': a place and the country after its comma (both short, the place capitalised)."""
    match = re.fullmatch(r"\s*([A-ZÀ-ÖØ-ÞĀ-Ž][^,;:()|]{1,40}?),\s*([^,;:()|]{2,30}?)\s*\.?", text)
    if not match or len(match.group(1).split()) > 4 or re.search(r"\d", match.group(1)):
        return None
    return (match.group(1).strip(), match.group(2).strip()) if read_country(match.group(2).strip()) else None


def _mail_header_lines(lines: list[Line]) -> set[int]:
    """The e-mail header blocks a newsletter opens with, or a forwarded or quoted message carries further
    down ('De : X <a@b>', 'Objet : ...', 'Teema: Edasi: ...'): ids of their lines.

    A block counts when two or more of its lines are header fields (labels.yaml ``mail_headers``, in
    the official languages), at most one is not, and one carries an e-mail address.
    """
    names = word_set("labels.yaml", "mail_headers")
    out: set[int] = set()
    for block in blocks(lines):
        found = [line for line in block if (m := _LABEL_VALUE.match(line.text)) and words(m.group("label")) in names]
        if len(found) >= 2 and len(found) >= len(block) - 1 and any(_EMAIL.search(line.text) for line in found):
            out |= {id(line) for line in block}
    return out


# 'Titel = Grenzeloos Zorgen' (a form pasted into an e-mail), 'Název projektu;Rekonstrukce…' (an
# export's 'field;value' rows, the value quoted when it holds the separator).
_OTHER_SEPARATOR = re.compile(r'^(?P<label>[^=;:"]{1,70}?)\s*(?P<separator>\s=\s|;)\s*(?P<value>\S.*)$')
OTHER_SEPARATOR_LINES = 3  # a sheet states at least this many facts so before its lines are read so


def _other_separators(lines: list[Line]) -> list[Line]:
    """``Label = value`` and ``Label;value`` lines as ``Label: value``, when the sheet uses that
    separator after at least :data:`OTHER_SEPARATOR_LINES` labels naming a field: prose uses ';'
    and '=' too, but not after a field's label at the start of line after line. Then every line
    so cut is a labelled one, the labels naming no field too (they end the value above them, as
    an unknown 'Label:' does)."""
    found: dict[str, list[int]] = {}
    named: dict[str, int] = {}
    for index, line in enumerate(lines):
        match = _OTHER_SEPARATOR.match(line.text) if line.text and not line.heading else None
        if match:
            separator = match.group("separator").strip()
            found.setdefault(separator, []).append(index)
            named[separator] = named.get(separator, 0) + bool(classify(match.group("label")))
    chosen = {i for separator, indexes in found.items() if named[separator] >= OTHER_SEPARATOR_LINES for i in indexes}
    if not chosen:
        return lines
    out = list(lines)
    for index in chosen:
        line = lines[index]
        match = _OTHER_SEPARATOR.match(line.text)
        value = match.group("value").strip()
        if match.group("separator") == ";" and len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1].replace('""', '"')  # a quoted CSV field
        out[index] = Line(line.number, f"{match.group('label').strip()}: {value}", line.bullet, line.heading,
                          line.links, line.link_texts)
    return out


def _split_joined_labels(lines: list[Line]) -> list[Line]:
    """'Office: a@b.eu — Website: https://...': two labelled facts on one line become two lines."""
    out: list[Line] = []
    for line in lines:
        pieces = re.split(r"\s+[—–·]\s+(?=[^:—–·|]{1,30}:\s)", line.text) if line.text and ":" in line.text else [line.text]
        if len(pieces) > 1 and all(_LABEL_VALUE.match(p) and classify(_LABEL_VALUE.match(p).group("label")) for p in pieces[1:]):
            for piece in pieces:
                out.append(Line(line.number, piece, line.bullet, line.heading, line.links, line.link_texts))
        else:
            out.append(line)
    return out


def _country_list(value: str) -> bool:
    """'Manchester (UK), Eindhoven (NL), Stavanger (N)': a list of places with countries."""
    parts = [p for p in re.findall(r"\(([^()]{1,25})\)", value)]
    return len(parts) >= 2 and all(read_country(p) for p in parts)


_ABOUT_QUOTED = re.compile(r"[„“\"«]([^„“”\"«»]{3,})[”“\"»]")


def about_line(text: str) -> str | None:
    """'About EURE' -> 'EURE': a short line naming the project after an 'about' cue."""
    for prefix in sorted(load("labels.yaml")["about_prefixes"], key=len, reverse=True):
        match = re.match(rf"^{re.escape(prefix)}\s+(?:the\s+|le\s+|la\s+|il\s+|el\s+|das\s+|το\s+|την\s+|τη\s+)?(?:project\s+|progetto\s+|projet\s+|proyecto\s+|projekt\s+|projeto\s+|proiectul\s+)?(.+?)[:.]?$",
                         fold(text), re.IGNORECASE)
        if match and len(match.group(1).split()) <= 4:
            start = len(text) - len(match.group(1)) - (1 if text.rstrip()[-1:] in ":." else 0)
            name = text[start:].strip(" :.")
            quoted = _ABOUT_QUOTED.search(name)  # 'Apie EDIH „Pramonė 5.0 Lietuva“': the name is the quoted part
            name = quoted.group(1).strip() if quoted else name
            if any(c.isupper() for c in name) and words(name) not in word_set("labels.yaml", "project_scope"):
                return name
    return None
