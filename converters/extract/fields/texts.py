"""Sections of text under their labels: description, objectives, actions, expected results, results, themes.

A section's items are its bullets, paragraphs or sentence-per-line lines; an item stated in two
languages ('IT: ...' then 'EN: ...') is one item; a result is a titled product with a type told by
a word of its title (labels.yaml ``result_types``).
"""

from __future__ import annotations

import re
from typing import Any

from ..data import best_label, load, word_set, words
from ..page import EMAIL, LABELISH, stock_opening
from ..patterns import copyright_line, language_prefix
from ..segments import blocks
from ..sheet import Sheet
from ..text import Line
from .website import lone_address

MENU_ITEM_WORDS = 4  # a line of a menu or a footer's links: a few words, no sentence


def _menu(sheet: Sheet, numbers: list[int]) -> bool:
    """Lines that are a menu, not a text ('About' over 'Accessibility', 'User Agreement', 'Privacy Policy', ...):
    three or more, each of a few words, none ending a sentence; a copyright line under them is the footer's."""
    wanted = set(numbers)
    texts = [line.text for line in sheet.doc.lines if line.number in wanted and line.text
             and not copyright_line().match(line.text)]
    return len(texts) >= 3 and all(len(text.split()) <= MENU_ITEM_WORDS and not text.rstrip().endswith((".", "!", "?"))
                                   for text in texts)


def read(sheet: Sheet) -> None:
    """Each text section's items as its field; an objectives section's long opening paragraph is also the description."""
    for kind in ("description", "objectives", "actions", "expected_results", "results", "theme"):
        items: list[tuple[str, list[int], Line]] = []
        for seg in sheet.of(kind):
            found, rest = _items(seg.body)
            items.extend(found)
            sheet.release(rest)
        if kind == "theme":  # themes are phrases: paragraphs after a theme line ('Thema: Klimaat en groen') are the page's
            long = [item for item in items if isinstance(item[0], str) and _sentence(item[0])]
            numbers = {n for item in long for n in item[1]}
            sheet.release([line for line in sheet.doc.lines if line.number in numbers])
            items = [item for item in items if item not in long]
        listed = len(items)
        if kind in ("actions", "expected_results", "results"):  # an objective's clauses may share one aim ('Mål: a; b')
            items = [part for item in items for part in _inline_list(item)]
        if not items:
            continue
        # rows of a table under a list label ('Indicator | Value'): which cell says what is a guess
        unsure = "table rows under the label, read as items" if kind != "description" and any(
            isinstance(text, str) and " | " in text for text, _, _ in items) else None
        if len(items) > listed and not unsure:  # readers split 'a; b' under 'Rezultate așteptate', not always
            unsure = "a list written on one line: its parts apart by semicolons read as items"
        if kind in ("objectives", "theme") and not unsure and any(
                isinstance(text, str) and _NUMBERED_CODE.match(text) for text, _, _ in items):
            # '10 – Investovanie do vzdelávania ...', '1.2 - Enhancing transfer ...', 'OT 4 – Sostenere ...'
            unsure = "a numbered code with its label: a programme's thematic or specific objective or priority, not the project's own"
        if kind in ("objectives", "actions", "expected_results"):
            items = _language_pairs(items)
        if kind == "objectives":  # 'Obiectiv specific: OS2 Integrare/Migrație legală': the programme's coded objective
            items = [item for item in items if not (isinstance(item[0], str) and _PROGRAMME_CODE.match(item[0]))]
            if not items:
                continue
        lines = [n for _, numbers, _ in items for n in numbers]
        if kind == "theme":  # "Social cohesion · Housing · Poverty": one theme per separated part
            parts = [p.strip(" .") for text, _, _ in items for p in re.split(r"\s+[·•|/]\s+|\s*;\s*", text) if p.strip(" .")]
            if len(items) == 1 and len(parts) == 1 and _comma_list(parts[0]):
                # 'Thème : adaptation au changement climatique, nature en ville, écoles ouvertes': three themes, most
                # likely; 'Environment, climate and energy' is one, so the split is asked
                parts = [p.strip(" .") for p in parts[0].split(",")]
                unsure = unsure or "themes apart by commas read as one theme each"
            if parts and all(_CODE.fullmatch(part) for part in parts):  # 'Topic: HORIZON-CL2-2024-HERITAGE-01-03'
                sheet.ask("themes", "a code under the label, not a theme's words (a call's topic?): left out", parts, lines)
                continue
            sheet.put("themes", parts if len(items) == 1 else [text for text, _, _ in items], lines, derived=unsure)
        elif kind == "description":
            # 'entreprenor: Exempelbygg AB' after the text: a labelled value of its own is not the description, nor
            # is a web address alone ('Viac o projekte: https://...', a label of both: the project's page); a
            # paragraph said twice (a GeoJSON's features repeating the project's attributes) is one
            addresses = [lone_address(text) if isinstance(text, str) else None for text, _, _ in items]
            linked = next(((address, item[1]) for address, item in zip(addresses, items) if address), None)
            if linked is not None and "website" not in sheet.record:
                sheet.put("website", linked[0], linked[1], derived="a web address under a description label")
            # nor is the project's name in quotes ('„Jelgavas ... paaugstināšana”' under 'PROJEKTA APRAKSTS'), nor a
            # word or three ('Facebook', 'Instagram' under a channel's 'About' tab): a description says something
            # nor a contact's line ('Anna Przykładowa, Wydział Rozwoju ..., tel. 81 000 00 00, e-mail: a.przykladowa@...')
            mailed = [isinstance(item[0], str) and bool(EMAIL.search(item[0])) for item in items]
            kept = [item for index, (item, address) in enumerate(zip(items, addresses)) if not address
                    and not (index and isinstance(item[0], str) and LABELISH.match(item[0]))
                    and not (isinstance(item[0], str) and (_quoted_name(item[0]) or len(item[0].split()) < 4))
                    and not (mailed[index] and len(item[0].split()) <= 30)
                    and not (isinstance(item[0], str) and _menu(sheet, item[1]))]
            contact = any(with_mail and item not in kept for item, with_mail in zip(items, mailed))
            items = [item for index, item in enumerate(kept) if item[0] not in [text for text, _, _ in kept[:index]]]
            if not items:
                continue
            if contact:  # the label heads more than the description (a contact's line under it): what is left is a guess
                sheet.put("description", items[0][0], items[0][1],
                          derived="a contact's line under the label was left out: the text beside it may be no description either")
            elif len(items) > 1:
                # readers of the sets kept the first paragraph three times as often as all of them: the first is
                # the value, the whole section the other candidate
                whole = "\n\n".join(text for text, _, _ in items)
                sheet.put("description", items[0][0], items[0][1],
                          derived="paragraphs under the label: the first is taken, which of them the description holds is a guess")
                sheet.ask("description", "several paragraphs under the label: the first is taken; check it",
                          [items[0][0], whole], [n for _, ns, _ in items for n in ns])
                # the paragraphs after it are the page's text, for the readers of partners and money in prose
                # ('Il progetto è promosso dal Comune di Cremona in qualità di capofila, in partenariato con …')
                taken = {n for _, ns, _ in items[1:] for n in ns}
                sheet.release([line for line in sheet.doc.lines if line.number in taken and line.text])
            elif max(items[0][1], default=0) <= sheet.doc.front_matter:
                # Hugo's 'description: "LAGOONET – мрежа за …"': the page's summary for search engines, a tagline
                # as often as the text's own first paragraph, which readers took
                sheet.put("description", items[0][0], items[0][1],
                          derived="the page's summary in its front matter, not a paragraph of its text")
            else:
                sheet.put("description", items[0][0], items[0][1])
        elif kind == "results" and _targets(items) and "expected_results" not in sheet.record:
            sheet.put("expected_results", [text for text, _, _ in items], lines, derived=unsure)  # '• ograniczenie emisji CO2 o ok. 180 ton'
        elif kind == "results":
            notes = {m.group(1): m.group(2) for line in sheet.doc.lines if (m := _NOTE.match(line.text))}
            if _phrases(items) and not unsure:
                unsure = "phrases, not titles: achieved results or expected ones, the list does not say"
            if _counts(items) and not unsure:  # 'Lietuvių kalbos kursus baigė 168 asmenys.'
                unsure = "sentences that count what was reached: indicators, not titled products"
            sheet.put("results", _results(items, notes), lines, derived=unsure)
            for index, result in enumerate(sheet.record["results"]):  # a result's type is told by a word of its title
                if result.pop("_split", False):  # a title cut from a clause after its comma or dash: a guess
                    sheet.infer(f"results[{index}]", lines)
                elif result.get("type"):
                    sheet.infer(f"results[{index}].type", lines)
        else:
            if kind == "actions" and not unsure and any(isinstance(text, str) and _paragraph(text) for text, _, _ in items):
                # 'Projekta darbības' over two paragraphs of prose: what the project does, told, not listed
                unsure = "paragraphs of prose under an activities label, read as items: the activities, or the description?"
            sheet.put(kind, [text for text, _, _ in items], lines, derived=unsure)
            own_paragraph = len(items) > 1 and isinstance(items[0][0], str) and items[0][1] != items[1][1] \
                and len(items[0][0].split()) >= 25 \
                and not any(n in items[1][1] for n in items[0][1]) and items[0][1][-1] + 1 < items[1][1][0]
            if kind == "objectives" and own_paragraph and not items[0][2].bullet and "description" not in sheet.record:
                sheet.put("description", items[0][0], items[0][1])




def _language_pairs(items: list[tuple[Any, list[int], Line]]) -> list[tuple[Any, list[int], Line]]:
    """'IT: Trasferire ...' then 'EN: Transfer ...': one item stated in two languages, as {it: ..., en: ...}."""
    out: list[tuple[Any, list[int], Line]] = []
    run: list[tuple[str, str, list[int], Line]] = []

    def close() -> None:
        if len(run) >= 2 and len({lang for lang, _, _, _ in run}) == len(run):
            out.append(({lang: text for lang, text, _, _ in run}, [n for _, _, ns, _ in run for n in ns], run[0][3]))
        else:
            out.extend((f"{lang.upper()}: {text}", numbers, line) for lang, text, numbers, line in run)
        run.clear()

    for text, numbers, line in items:
        match = language_prefix().match(text) if isinstance(text, str) else None
        if match:
            run.append((match.group(1).lower(), match.group(2), numbers, line))
            continue
        close()
        out.append((text, numbers, line))
    close()
    return out


_NOTE = re.compile(r"^\[(\d{1,2})\]\s+(https?://\S+)$")  # a plain-text link note: '[1] https://...'


_CODE = re.compile(r"(?=[^\s]*\d)[A-Z0-9][A-Z0-9._/-]{5,}")  # 'HORIZON-CL2-2024-HERITAGE-01-03': capitals, digits, no words
_NUMBERED_CODE = re.compile(r"^(?:[A-Z]{1,3}\s?)?\d{1,2}(?:\.\d{1,2})?\.?\s+[-–—]\s+\w")
_PROGRAMME_CODE = re.compile(r"^(?:[A-Z]{1,4}\s?\d{1,2}(?:\.\d{1,2}){0,2}|\d{1,2}(?:\.\d{1,2}){2,3})\b(?!\s*%)")  # 'OS2', 'ESO4.1', '2.1.3.'


def _items(body: list[Line]) -> tuple[list[tuple[str, list[int], Line]], list[Line]]:
    """List items of a text section (bullets, paragraphs, or sentence-per-line lines), and the lines after its end.

    A bulleted list ends at the first block that does not open with a bullet (a paragraph after the
    list, 'Fakta om projektet', a table of facts); a non-bullet line under a bullet continues its item
    (a wrapped line, the item's translation). A section of paragraphs ends at a short line with no
    closing stop between blank lines (an unmarked heading, 'Základní údaje o projektu'). A heading
    line below items that are no headings opens the next section.
    """
    out: list[tuple[str, list[int], Line]] = []
    boiler = [words(b) for b in load("labels.yaml")["boilerplate"]]
    found = blocks(body)
    if len(found) >= 2 and len(found[0]) == 1 and found[0][0].text.endswith(":") and found[1][0].bullet:
        found = found[1:]  # 'A projekt során elkészült anyagok:' over the list: its lead-in, no item
    bulleted = bool(found) and found[0][0].bullet
    for index, block in enumerate(found):
        ended = index > 0 and out and (
            (bulleted and not block[0].bullet)
            or (block[0].heading and not found[0][0].heading)
            or (not bulleted and _unmarked_heading(block) and len(out[-1][0].split()) >= 12))
        if ended:
            return out, [line for b in found[index:] for line in b]
        groups: list[list[Line]] = []
        for line in block:
            if groups and _enumeration_closed(groups, out) and line.text[:1].isupper():
                # 'a;', 'b;', 'c.' then 'Valoarea totală ...': the list's stop closed it, prose follows
                kept = [n.number for g in groups for n in g]
                _append_groups(out, groups, boiler)
                return out, [l for l in block if l.number not in kept] + [l for b in found[index + 1:] for l in b]
            starts_new = not groups or line.bullet or (not groups[-1][0].bullet and
                                                      groups[-1][-1].text.endswith((".", ";", "!", "?")) and line.text[:1].isupper())
            if starts_new:
                groups.append([line])
            else:
                groups[-1].append(line)
        _append_groups(out, groups, boiler)
    return out, []


def _enumeration_closed(groups: list[list[Line]], out: list[tuple[str, list[int], Line]]) -> bool:
    """Two items or more closed by ';' and then one by '.': an enumeration's last item (how Romance and Slavic
    languages punctuate a list), so a capitalised line after it opens prose, not the list's next item."""
    ends = [text for text, _, _ in out] + [" ".join(line.text for line in group).strip() for group in groups]
    return len(ends) >= 3 and ends[-1].endswith(".") and all(end.endswith(";") for end in ends[:-1])


INLINE_ITEM_WORDS = (3, 25)  # each part of a list written on one line ('a; b; c'): a phrase, not a word or a paragraph


def _inline_list(item: tuple[Any, list[int], Line]) -> list[tuple[Any, list[int], Line]]:
    """A list written on one line, its items apart by semicolons ('Rezultate așteptate: cel puțin 250 de tineri
    angajați ...; 40 de afaceri noi ...'), as its items; a sentence with a semicolon in it stays whole."""
    text, numbers, line = item
    if not isinstance(text, str) or "; " not in text or ". " in text.rstrip("."):
        return [item]
    parts = [part.strip() for part in text.rstrip(" .;").split("; ")]
    low, high = INLINE_ITEM_WORDS
    if len(parts) < 2 or not all(low <= len(part.split()) <= high for part in parts):
        return [item]
    return [(part, numbers, line) for part in parts]


def _append_groups(out: list[tuple[str, list[int], Line]], groups: list[list[Line]], boiler: list[list[str]]) -> None:
    """Each group of lines as one item, but for empty ones, label-like lines ending in ':' and stock openings."""
    for group in groups:
        text = " ".join(line.text for line in group).strip()
        if not text or text.endswith(":") or stock_opening(words(text), boiler):  # whole words: not 'Proyectos'
            continue
        out.append((text, [line.number for line in group], group[0]))


def _unmarked_heading(block: list[Line]) -> bool:
    """A short capitalised line without a closing stop or digits, alone or over a few values that are no sentences
    ('Fields of science (EuroSciVoc)' over its terms): a section's title, or a fact's label, in plain text."""
    text = block[0].text
    title_like = 1 <= len(text.split()) <= 6 and text[:1].isupper() and not re.search(r"\d", text) \
        and not text.endswith((".", ";", ":", ",", "!", "?")) and not any(line.bullet for line in block)
    if not title_like:
        return False
    over_values = len(block) <= 4 and not any(line.text.endswith(".") for line in block[1:])
    # 'Основна цел' over the paragraph it heads, with no blank line between: a short line, then a new sentence
    over_paragraph = len(block) >= 2 and len(text.split()) <= 5 and block[1].text[:1].isupper() \
        and len(block[1].text.split()) >= 8
    return over_values or over_paragraph


_QUOTES = ("\"", "„", "“", "«", "‘", "‚", "'", "»", "”", "’")


def _quoted_name(text: str) -> bool:
    """A name in quotes, alone ('„Jelgavas PII „Mārīte” ēkas energoefektivitātes paaugstināšana”'): a few
    words between quotation marks, no sentence inside."""
    text = text.strip()
    return len(text) > 2 and text.startswith(_QUOTES) and text.endswith(_QUOTES) and len(text.split()) <= 20 \
        and not re.search(r"\w[.!?]\s+\w", text)


def _paragraph(text: str) -> bool:
    """Prose, not a list item: two sentences or more, or past 40 words."""
    return len(text.split()) > 40 or len(re.findall(r"\w[.!?](?:\s+|$)", text)) >= 2


def _sentence(text: str) -> bool:
    """A sentence or a paragraph, not a theme's phrase ('Blue growth; Fisheries and maritime', a thematic
    objective's 15-word name): past eight words it has a full stop at its end or between two sentences,
    or it runs past 25 words."""
    size = len(text.split())
    ends = text.rstrip().endswith((".", "!", "?")) or re.search(r"\w[.!?]\s+[A-ZÀ-ÖØ-ÞĀ-Ž]", text)
    return size > 25 or (size > 8 and bool(ends))


def check_delivered(sheet: Sheet) -> None:
    """Results read as stated stay so only when they are things the project delivered, not what it plans.

    Every item is linked or named by a kind of product ('Guide ...', 'Study ...'), or the page states
    the project closed (so this step runs after the status). Without that, readers of the blind sets
    recorded such lists ('Ergebnisse', 'Tulokset' on a running project's page) as expected results as
    often as results (docs/extraction.md).
    """
    results = sheet.record.get("results") or []
    entry = sheet.provenance.get("results")
    if not results or entry is None or entry.get("found") != "stated" or sheet.record.get("status") == "closed":
        return
    if all(r.get("url") or r.get("type") not in (None, "other") for r in results):
        return
    entry.update(found="inferred", derived="a list under a results label, of no product linked or named by its kind, on a "
                                           "page that does not say the project has closed: achieved results or expected "
                                           "ones, the list does not say")


def _targets(items: list[tuple[str, list[int], Line]]) -> bool:
    """Items that are quantified targets ('reduction of CO2 emissions by 180 t a year'), not titled products.

    Every item states a figure and none opens with a capital, as a document or tool's title would.
    """
    return bool(items) and all(isinstance(text, str) and re.search(r"\d", text) and not text[:1].isupper() for text, _, _ in items)


def _counts(items: list[tuple[str, list[int], Line]]) -> bool:
    """Items that are sentences stating a figure ('57 asmenys įsidarbino projekto metu.'): how far the project got
    (an indicator's value), where a result's title names a product and ends without a full stop."""
    return bool(items) and all(isinstance(text, str) and re.search(r"\d", text) and text.rstrip().endswith(".")
                               for text, _, _ in items)


def _phrases(items: list[tuple[str, list[int], Line]]) -> bool:
    """Items that are phrases of a sentence, not titles ('kopīgs pieejamības standarts ...;'): whether they were
    achieved (results) or are planned (expected results) the list does not say."""
    return bool(items) and all(isinstance(text, str) and not text[:1].isupper() for text, _, _ in items)


def _results(items: list[tuple[str, list[int], Line]], notes: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Results of a section; a heading item followed by a plain paragraph is one result card (title, then summary)."""
    out: list[dict[str, Any]] = []
    index = 0
    while index < len(items):
        text, _, line = items[index]
        result = _result(text, line, notes)
        following = items[index + 1] if index + 1 < len(items) else None
        if line.heading and following is not None and not following[2].heading and not following[2].bullet \
                and "description" not in result:
            result["description"] = following[0]
            index += 1
        out.append(result)
        index += 1
    return out


def _result(text: str, line: Line, notes: dict[str, str] | None = None) -> dict[str, Any]:
    reference = re.search(r"\s*\[(\d{1,2})\]$", text)
    note = (notes or {}).get(reference.group(1)) if reference else None
    if note:  # 'Guidelines for cities ... [2]' with '[2] https://...' further down: the reference is the link
        text = text[: reference.start()]
    title = line.link_texts[0] if line.link_texts and text.startswith(line.link_texts[0]) else None
    split_off = False
    if title:
        description = text[len(title):].strip(" -–—:")
    else:
        title, description = text, ""
        # "Integrated Action Plan of X, drawn up with the local group.": a clause after the comma describes the title
        split = re.match(r"^([A-ZÀ-ÖØ-ÞĀ-Ž][^,]{10,120}),\s+([a-zà-öø-ÿā-ž][^,]*\S)$", text) \
            or re.match(r"^([A-ZÀ-ÖØ-ÞĀ-Ž][^–—]{5,120}?)\s+[–—-]\s+([a-zà-öø-ÿā-ž0-9].*\S)$", text)  # 'Study - how the practice ...'
        quotes = len(re.findall(r"[\"«»„“”]", split.group(1))) if split else 0
        if split and len(split.group(2).split()) >= 3 and quotes % 2 == 0:  # not a comma inside a quoted name
            title, description = split.group(1), split.group(2)
            split_off = True
    result: dict[str, Any] = {"title": title}
    if split_off:
        result["_split"] = True
    kind, _ = best_label(title, load("labels.yaml")["result_types"])
    result["type"] = kind or "other"  # a product of no listed kind (an app, a route, a building) is 'other'
    if description:
        result["description"] = description
    urls = [l for l in line.links if l.startswith("http")] + ([note] if note else [])
    if urls:
        result["url"] = urls[0]
    return result


def _comma_list(text: str) -> bool:
    """Three or more short phrases apart by commas, none opening with a conjunction ('a, b and c' stays one):
    a list of themes written on one line."""
    parts = [p.strip() for p in text.split(",")]
    joins = word_set("labels.yaml", "conjunctions")
    return len(parts) >= 3 and all(words(p) and len(p.split()) <= 6 and words(p).split()[0] not in joins for p in parts)
