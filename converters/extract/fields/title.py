"""The title, subtitle and acronym, and the record's id made from them.

In order: a project-name label; an 'About X' line; a name the text quotes after a project word;
the first heading or free block that is not page furniture, a generic heading (never a title,
labels/<lang>.yaml ``page_headings``), boilerplate or an organisation's name. A name line over a
tagline gives both; 'CILIFO – Centro Ibérico ...' gives the acronym and the title.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from eulod.core.iris import slugify

from .. import programmes as prog
from ..data import load, word_set, words
from ..dates import find_dates, fold
from ..numbers import find_amounts
from ..page import LABELISH, URL, about_name, eu_name, furniture, generic_heading, navigation_path, page_meta
from ..patterns import acronym_label, postal_address
from ..places import city, looks_like_organisation, organisation_type
from ..segments import blocks
from ..sheet import Sheet
from ..text import Line
from .language import marked_language, named_language, names_own_language, tagged, text_language

_DASHED = re.compile(r"\s[–—-]\s")
# a word, then a name in quotes; the word starts at a word's start and is bounded, so that a line of one very
# long word is not tried at every position and length (a 2 MB front-matter value took hours)
_QUOTED = re.compile(r"(?<!\w)(\w{1,40})\s*[«„“\"]\s*([^«»„“”\"]{3,200}?)\s*[»”“\"]")


def read(sheet: Sheet) -> None:
    """The title (the file name, asked, when there is none), subtitle and acronym; the record's id from them."""
    for seg in sheet.of("project_name"):
        if postal_address().search(sheet.first_block(seg)[0]):
            seg.kind = None  # 'Cím: Szekszárdi Sárköz Gimnázium, 7100 Szekszárd, ...': Hungarian 'cím' is an address too
    about = about_name(sheet.doc.lines)
    headline, subtitle_line = _headline(sheet, about)
    title, subtitle, acronym, title_lines = _labelled_name(sheet)
    if title and navigation_path(title):  # 'Projekt: Forskning › Forskning', a research portal's type line: a path, no name
        sheet.ask("title", "a project-name label gives a navigation path, not a name", [title], title_lines)
        title, acronym, title_lines = None, None, []
    other = next((named_language(sheet, seg.label) for seg in sheet.of("project_name")), None) if title else None
    pair: dict[str, str] | None = None
    if other:  # 'Hankkeen nimi englanniksi: X' beside the page's heading: the name in two languages
        own, _, _, own_lines = _unlabelled_name(sheet, about, headline, subtitle_line, [])
        if own and generic_heading(own):  # the page's heading is a generic one ('Informační list projektu'): no half
            sheet.ask("title", "the page's heading beside the name in another language is a generic page heading",
                      [own], own_lines)
            own, own_lines = None, []
        whole = " ".join(line.text for line in headline).rstrip(".")
        if own and headline and _DASHED.search(title) and _DASHED.search(whole) and words(own) in words(whole):
            own = whole  # 'Kotona Turussa – kotoutumisen polut perheille' beside 'At Home in Turku – Integration ...'
        pair = {sheet.language: own, other: title} if own and words(own) != words(title) else {other: title}
        title_lines = own_lines + title_lines if own else title_lines
        named = _named_names(sheet)
        if len(named) > 1:  # 'Projekt címe angolul: ...', 'Projekt címe szlovákul: ...': each name under its language
            pair = ({sheet.language: own} if own else {}) | {lang: value for lang, value, _ in named}
            title_lines = sorted(set(title_lines) | {n for _, _, lines in named for n in lines})
    if title and not other and any(names_own_language(sheet, seg.label) for seg in sheet.of("project_name")):
        # 'Tinklo pavadinimas lietuviškai: Mokyklų gatvės visiems' under the heading 'School Streets for All'
        own, _, _, own_lines = _unlabelled_name(sheet, about, headline, subtitle_line, [])
        language = text_language(sheet, own) if own and not generic_heading(own) else None
        if own and words(own) != words(title) and language and language != sheet.language:
            pair, title_lines = {language: own, sheet.language: title}, own_lines + title_lines
        elif own and words(own) != words(title):
            sheet.ask("title", "the label names the page's language, and the page's heading another name in a "
                               "language the text does not tell", [own], own_lines)
        if pair is None and not any(item["field"] == "title" for item in sheet.review):
            # 'Hankkeen suomenkielinen nimi: ...': a label that says which language its name is in says the
            # project has a name in another language too, which no label gives: the title may be half of it
            sheet.ask("title", "the label gives the name in the page's language; the project may have a name in "
                               "another language too", [title], title_lines)
    rivals = _rival_names(sheet) if title and pair is None else []
    generic = [(name, numbers) for name, numbers in rivals if generic_heading(name)]
    if generic and len(generic) < len(rivals):  # 'title: Informační list projektu – PRACOVNÍ VERZE 3' in front matter
        sheet.ask("title", "a project-name label gives a generic page heading", [name for name, _ in generic],
                  [n for _name, numbers in generic for n in numbers])
        rivals = [rival for rival in rivals if rival not in generic]
    if len(rivals) == 2:  # 'Designação do projeto' and 'Project title' on one sheet
        languages = [text_language(sheet, name) for name, _lines in rivals]
        lines = [n for _name, numbers in rivals for n in numbers]
        if None not in languages and languages[0] != languages[1]:
            pair, title_lines = {languages[0]: rivals[0][0], languages[1]: rivals[1][0]}, lines
        else:
            sheet.ask("title", "two project-name labels give different names", [name for name, _ in rivals], lines)
    elif len(rivals) > 2:
        sheet.ask("title", "project-name labels give different names", [name for name, _ in rivals],
                  [n for _name, numbers in rivals for n in numbers])
    if not title:
        title, subtitle, acronym, title_lines = _unlabelled_name(sheet, about, headline, subtitle_line, title_lines)
    acronym_lines = title_lines
    labelled = None if acronym else _labelled_acronym(sheet)
    if labelled:
        acronym, acronym_lines = labelled
    if title and not acronym:
        # 'CLEAR-STREETS (Citizen-Led ...)': a hyphenated acronym whole, never its last part
        match = re.search(r"(?<![\w-])([A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*[A-Z][A-Za-z0-9]*)\s*\(([^()]{5,80})\)",
                          " ".join(l.text for l in sheet.doc.lines))
        if match and words(match.group(2)) in words(title) and (f" {words(match.group(1))} " in f" {words(title)} "
                                                               or words(match.group(2)) == words(title)):
            acronym = match.group(1)
    if title and _QUOTED_HEADLINE.match(title):  # '«Il-fortifikazzjonijiet mhumiex biss għat-turisti» – intervista dwar X'
        sheet.ask("title", "a quotation and what it is (an interview's or article's headline), not the project's name",
                  [title], title_lines)
    if title and generic_heading(title):
        sheet.ask("title", "the only title candidate is a site section or generic page heading", [title], title_lines)
        title, subtitle, title_lines = None, None, []
    if not title:
        if not any(item["field"] == "title" for item in sheet.review):
            sheet.ask("title", "no title found; the file name stands in")
        title = Path(sheet.source_file).stem
    if pair is not None and title and len(rivals) == 2:  # both halves under labels
        sheet.put("title", pair, title_lines)
    elif pair is not None and title:
        # the page's half is its heading, taken by position: the pair is a guess
        sheet.put("title", pair, title_lines, derived="the name the label gives in another language, beside the page's heading")
    elif (translated := _translated(sheet, title)) is not None:
        sheet.put("title", translated[0], title_lines + translated[1])
    else:
        sheet.put("title", tagged(sheet, title), title_lines)
    if subtitle:
        sheet.put("subtitle", tagged(sheet, subtitle), title_lines)
    if acronym:
        sheet.put("acronym", acronym, acronym_lines)
    sheet.title_lines, sheet.subtitle_line = title_lines, subtitle_line
    sheet.record_id = _record_id(acronym or title)


def _unlabelled_name(sheet: Sheet, about: tuple[str, list[int]] | None, headline: list[Line], subtitle_line: Line | None,
                     title_lines: list[int]) -> tuple[str | None, str | None, str | None, list[int]]:
    """A name no label states: the 'About X' line, a quoted name after a project word, or the headline."""
    title = subtitle = acronym = None
    if about and (not any(line.heading for line in headline) or _news_headline(headline)):
        title, title_lines = about  # 'Apie EDIH „…“' under 'KTU … gaus 5,4 mln. eurų …': the news is not the name
    elif _quoted_name(sheet) is not None:
        quoted, title_lines, acronym = _quoted_name(sheet)
        title = quoted  # 'le projet « AlcoTraité »', 'operação "Prolongamento ..."': the name the text quotes
    elif about and len(headline) == 1 and headline[0].number in about[1]:
        title, title_lines = about  # an 'About proGIreg' heading: the name, and the line under it its long form
        if subtitle_line is not None:
            subtitle = subtitle_line.text.rstrip(".")
            title_lines = title_lines + [subtitle_line.number]
    elif headline:
        title, subtitle, acronym, title_lines = _from_headline(sheet, headline, subtitle_line)
    return title, subtitle, acronym, title_lines


_BRACKET_AFTER = r"[\s”“»«\"'’]*\(([^()]{3,200})\)"  # a name's closing quote, then its bracket
_MARKED = (re.compile(r"^([^\W\d_]{2,20}\.?)\s*[:–—-]?\s+(.+)$"),  # 'engl. X', 'latviski – X'
           re.compile(r"^([^\W\d_]{2,20}\s+[^\W\d_]{2,20}\.?)\s*[:–—-]?\s+(.+)$"))  # 'in English: X'

TRANSLATION_WORDS = 2  # a shorter bracket is an acronym ('(HeriTrails)'), not the name in another language


def _translated(sheet: Sheet, title: str) -> tuple[dict[str, str], list[int]] | None:
    """The title and its translation, when the text gives the name with the other in brackets after it:
    '„Dravska zelena poveznica“ (engl. Drava Green Link)', '«Pont għax-Xogħol» (Bridge to Work)', '„Cross-border
    Network …” (HeriTrails; latviski – „Pārrobežu …”)': each half by its language (a marker's, else its small
    words'), both differing; with the lines of the bracket."""
    lines = [line for line in sheet.doc.lines if line.text]
    text = " ".join(line.text for line in lines)
    own = text_language(sheet, title) or sheet.language
    for match in re.finditer(re.escape(" ".join(title.split())) + _BRACKET_AFTER, text):
        for piece in re.split(r"[;,]", match.group(1)):  # '(engl. Drava Green Link, akronim DRAVA-LINK)'
            piece, language, name = piece.strip(), None, piece.strip()
            for shape in _MARKED:
                marked = shape.match(piece)
                language = marked_language(sheet, marked.group(1)) if marked else None
                if language:
                    name = marked.group(2)
                    break
            name = name.strip(" „“”\"'«»’")
            language = language or text_language(sheet, name)
            if language and language != own and len(name.split()) >= TRANSLATION_WORDS \
                    and words(name) != words(title):
                start, end = match.start(1), match.end(1)
                offsets, numbers = 0, []
                for line in lines:
                    if offsets <= end and offsets + len(line.text) >= start:
                        numbers.append(line.number)
                    offsets += len(line.text) + 1
                return {own: title, language: " ".join(name.split())}, numbers
    return None


def _news_headline(headline: list[Line]) -> bool:
    """A news headline, not a name: it states an amount of money ('… gaus 5,4 mln. eurų …', '€11.6 miljun …')."""
    return bool(find_amounts(" ".join(line.text for line in headline), need_currency=True, min_value=1))


def _record_id(key: str) -> str:
    """The record's id: the acronym or title as a slug of whole words, at most 60 characters (ids allow 80)."""
    slug = slugify(key.replace("@", " at ")) or "project"
    while len(slug) > 60 and "-" in slug:  # ids are at most 80 characters; keep whole words
        slug = slug.rsplit("-", 1)[0]
    return slug


# a quotation (its opening mark perhaps stripped with a label's quotes), then a dash and what it is
_QUOTED_HEADLINE = re.compile(r"^[«„“\"‘‚]?[^«»„“”\"‘’]{3,}[»”“\"’‘]\s*[–—:-]\s*\S")


def _named_names(sheet: Sheet) -> list[tuple[str, str, list[int]]]:
    """(language, name, lines) of each project-name label that names the language of its value, once a language."""
    out: dict[str, tuple[str, str, list[int]]] = {}
    for seg in sheet.of("project_name"):
        language = named_language(sheet, seg.label)
        value, lines, _rest = sheet.first_block(seg)
        value = value.strip(" „”\"'“")
        if language and value and language not in out:
            out[language] = (language, value, seg.label_lines + lines)
    return list(out.values())


def _rival_names(sheet: Sheet) -> list[tuple[str, list[int]]]:
    """The different names project-name labels give, in order, with their lines: two in two
    languages are the title in both; otherwise rivals are a question, not a choice."""
    found: dict[str, tuple[str, list[int]]] = {}
    for seg in sheet.of("project_name"):
        value, lines, _rest = sheet.first_block(seg)
        value = value.strip(" „”\"'“")
        if value and words(value) not in found:
            found[words(value)] = (value, seg.label_lines + lines)
    return list(found.values())


def _named_elsewhere(sheet: Sheet, short: str, lines: list[int]) -> bool:
    """Whether the page names ``short`` as a word on a line other than ``lines`` (the project's short name in use)."""
    pattern = re.compile(rf"(?<![\w-]){re.escape(short)}(?![\w-])")
    return any(pattern.search(line.text) for line in sheet.doc.lines if line.number not in lines)


def _labelled_name(sheet: Sheet) -> tuple[str | None, str | None, str | None, list[int]]:
    """The name under a project-name label, with an acronym it states ('Acronym: X', '... – SIRT')."""
    title = acronym = None
    title_lines: list[int] = []
    for seg in sheet.of("project_name"):
        value, lines, rest = sheet.first_block(seg)
        sheet.release(rest)
        title, title_lines = value, seg.label_lines + lines
    if title:
        match = acronym_label().search(title)
        if match:
            acronym = match.group(1).strip("„”\"'“ ")
            title = title[: match.start()]
        title = title.strip(" „”\"'“")
        tail = re.match(r"^(.+?)\s+[–—-]\s+([A-ZÀ-Þ][A-ZÀ-Þ0-9]{1,11})$", title)
        if tail and not acronym and _spells(tail.group(2), tail.group(1)):
            title, acronym = tail.group(1), tail.group(2)  # '„Sprijin pentru integrarea ... – SIRT”'
        bracket = re.match(r"^(.+?)\s*\(([A-ZÀ-Þ][A-ZÀ-Þ0-9-]{2,14})\)$", title)
        if bracket and not acronym and len(bracket.group(1).split()) >= 3 and not prog.funds(bracket.group(2)) \
                and (_spells(bracket.group(2), bracket.group(1)) or _named_elsewhere(sheet, bracket.group(2), title_lines)):
            title, acronym = bracket.group(1), bracket.group(2)  # 'Teideal: Voices of Small Languages ... (VOCES)'
        head = re.match(r"^([A-ZÀ-Þ][A-ZÀ-Þ0-9]{2,14})\s+[–—]\s+(\S.{9,})$", title)
        if head and not acronym and len(head.group(2).split()) >= 2:
            acronym, title = head.group(1), head.group(2)  # 'Nimi: CIRCMARINA – Kiertotaloutta saariston venesatamiin'
    return title, None, acronym, title_lines


def _labelled_acronym(sheet: Sheet) -> tuple[str, list[int]] | None:
    """The value under an acronym label of its own ('Akronym   BorderReady', '"acronym": "HARBOURTWIN"'): a short name."""
    for seg in sheet.of("acronym"):
        value, lines = sheet.labelled_value(seg)
        value = value.strip(" „”\"'“.")
        if value and len(value) <= 30 and len(value.split()) <= 3 and not value.endswith(":"):
            return value, lines
    return None


def _headline(sheet: Sheet, about: tuple[str, list[int]] | None) -> tuple[list[Line], Line | None]:
    """The lines that head the page's project (an <h1>, or the first free block that is not page header) and a tagline."""
    boiler = [words(b) for b in load("labels.yaml")["boilerplate"]]
    headline: list[Line] = []
    subtitle_line: Line | None = None
    free_blocks = [b for b in blocks(sheet.free)]
    heading = next((line for line in sheet.free if line.heading and _title_candidate(line.text, boiler)), None)
    if heading is not None:  # an <h1> / "# " heading names the page's project
        after = [line for line in sheet.free if line.number > heading.number and line.text]
        headline = [heading]
        if after and not after[0].heading and not after[0].bullet and 3 <= len(after[0].text.split()) <= 30 \
                and not URL.search(after[0].text) and not LABELISH.match(after[0].text) \
                and after[0].text.count(". ") == 0:
            subtitle_line = after[0]
        free_blocks = []
    for index, block in enumerate(free_blocks):
        if _page_header(block, index, free_blocks, boiler):
            continue
        text = " ".join(line.text for line in block)
        shortest = 2 if len(block[0].text.split()) <= 3 else 3  # "ROOF" over "Ending homelessness"
        if len(block) == 2 and len(block[0].text.split()) <= 12 and shortest <= len(block[1].text.split()) <= 30 \
                and not page_meta(block[1].text) \
                and not block[0].text.endswith((".", ":")) and not looks_like_organisation(block[1].text) \
                and not LABELISH.match(block[1].text) and not block[1].bullet and not URL.search(block[1].text):
            headline, subtitle_line = [block[0]], block[1]  # a name line over its tagline
            break
        if len(text.split()) > 25:
            break
        if len(block) == 1 and index + 1 < len(free_blocks) and _name_over_tagline(free_blocks[index + 1]):
            continue  # a section name over the project's name-and-tagline block: the block below names the project
        if about and (len(text.split()) > 6 or find_dates(text, sheet.language)):
            break  # a press-release headline: the project is the one the "About X" line names
        headline = block
        if index + 1 < len(free_blocks):
            nxt = free_blocks[index + 1]
            nxt_text = " ".join(line.text for line in nxt)
            if len(nxt) == 1 and 3 <= len(nxt_text.split()) <= 25 and ":" not in nxt_text and not URL.search(nxt_text) \
                    and nxt_text.count(". ") == 0 and not nxt[0].bullet and not page_meta(nxt_text) \
                    and not (nxt_text.endswith(".") and len(nxt_text.split()) >= 12):  # a sentence, not a tagline
                subtitle_line = nxt[0]
        break
    return headline, subtitle_line


def _page_header(block: list[Line], index: int, free_blocks: list[list[Line]], boiler: list[str]) -> bool:
    """A free block above the project's name that does not name it: site name, menu, section, owner, a fund's kicker."""
    text = " ".join(line.text for line in block)
    folded = words(text)
    if any(furniture(line.text) for line in block) or all(generic_heading(line.text) for line in block):
        return True  # the page header: site name, navigation, breadcrumb, a site section's heading
    if len(block) >= MENU_LINES and all(len(line.text.split()) <= 2 for line in block):
        return True  # 'Instagram', 'Home', 'Search', 'Explore', …: a menu saved as text, an item a line
    if len(block) <= 3 and eu_name(block[0].text):
        return True  # 'Unjoni Ewropea' over 'Fondi Strutturali u ta’ Investiment Ewropej': the emblem's words on a poster
    if len(block) <= 3 and _PERIOD.search(text) and index + 1 < len(free_blocks) \
            and any(folded.startswith(word + " ") for word in _programme_words()):
        return True  # 'Programm Operattiv I – Politika ta’ Koeżjoni 2014-2020': the programme's name over the operation's
    if not folded or any(folded == b or folded.startswith(b + " ") and len(folded.split()) <= len(b.split()) + 4 for b in boiler):
        return True
    if len(block) > 1 and any(words(line.text) in boiler for line in block):
        return True  # 'Jäta vahele ja mine sisu juurde' over the site's search line: a skip link opens the header
    if looks_like_organisation(text) or URL.fullmatch(text.strip("<>")) or block[0].bullet:
        return True
    if not re.search(r"[A-Za-zÀ-ɏ]", text):
        return True  # 'Δήμος Αθηναίων': a name in another script heads the page, it does not title the project
    if text.isupper() and len(block) <= 3 and any(f"{folded} ".startswith(f"{head} ") for head in word_set("labels.yaml", "portfolio_heads")):
        return True  # 'MINISTERSTVO / PRŮMYSLU A OBCHODU': a ministry's logo over a poster names the authority
    if text.isupper() and len(block) == 1 and organisation_type(text) is not None:
        return True  # 'CONSILIUL JUDEȚEAN CĂLĂRAȘI': the site owner's name as page header
    if len(block) <= 4 and (prog.funds(text) or prog.programmes(text, None)) and index + 1 < len(free_blocks) \
            and _title_line(free_blocks[index + 1]):
        return True  # 'EFRE-Vorhaben im Leipziger Osten' over the operation's name: a kicker naming the fund
    return False


MENU_LINES = 5  # lines of one or two words each, one under the other: a menu's items, not a name wrapped over lines
_ACRONYM_ONLY = re.compile(r"(?=(?:[^A-Z]*[A-Z]){3})[A-Z][A-Z0-9]*(?:[-+&][A-Z0-9]+)*")  # 'ALTARISK', 'CO-GREEN'
_PERIOD = re.compile(r"\b20\d\d\s*[-–—/]\s*20\d\d\b")  # a programming period: '2014-2020', '2021–2027'


@lru_cache(maxsize=1)
def _programme_words() -> tuple[str, ...]:
    """The programme labels of every language (labels.yaml fields.programme), folded: a block opening with one names a programme."""
    return tuple(sorted({words(w) for w in load("labels.yaml")["fields"]["programme"] if words(w)}, key=len, reverse=True))


def _from_headline(sheet: Sheet, headline: list[Line],
                   subtitle_line: Line | None) -> tuple[str | None, str | None, str | None, list[int]]:
    """Title, subtitle and acronym from the heading lines: 'Athens – Curing the Limbo', 'CILIFO – Centro ...', 'X: tagline'."""
    title = subtitle = acronym = None
    text = " ".join(line.text for line in headline).rstrip(".")
    title_lines = [line.number for line in headline]
    parts = re.split(r"\s+[–—-]\s+|:\s+", text, maxsplit=1)
    head = parts[0]
    by_city = re.split(r"\s+[–—-]\s+", headline[0].text, maxsplit=1)
    if len(by_city) == 2 and city(by_city[0]) and len(by_city[1].split()) <= 8:
        title = by_city[1]  # 'Athens – Curing the Limbo': the city, then the project's name
        below = " ".join(line.text for line in headline[1:])
        if not below and subtitle_line is not None and 0 < subtitle_line.number - headline[-1].number <= 2:
            below = subtitle_line.text
            title_lines.append(subtitle_line.number)
        subtitle = below.rstrip(".") or None
    elif len(parts) == 2 and re.fullmatch(r"[A-ZÀ-Þ][A-ZÀ-Þ0-9]{1,11}", head) and _spells(head, parts[1]):
        title, acronym = parts[1], head  # 'CILIFO – Centro Ibérico para la Investigación y Lucha contra Incendios Forestales'
    elif len(parts) == 2 and len(head.split()) <= 3 and all(w[:1].isupper() or w[:1].isdigit() for w in head.split()):
        title, subtitle = head, parts[1]
    elif subtitle_line is not None and _ACRONYM_ONLY.fullmatch(text) and len(subtitle_line.text.split()) >= 3 \
            and not generic_heading(text) and 0 < subtitle_line.number - headline[-1].number <= 2:
        # 'ALTARISK' over 'Monitoraggio condiviso dei pericoli naturali ...': no reader of the sets kept an acronym
        # heading as the title when the name stood under it
        title, acronym = subtitle_line.text.rstrip("."), text
        title_lines.append(subtitle_line.number)
        sheet.ask("title", "an acronym heading over a name: the name is taken as the title (the later sets' readers), "
                           "the heading as the acronym; the first sets' readers kept the heading as the title and the "
                           "name as its subtitle", [title, text], title_lines)
    else:
        title = text
        if subtitle_line is not None and (len(text.split()) <= 3 or 0 < subtitle_line.number - headline[-1].number <= 2):
            subtitle = subtitle_line.text.rstrip(".")
            title_lines.append(subtitle_line.number)
        else:
            name = _name_token(sheet)
            if name and words(name[0]) not in words(text):
                title, subtitle = name[0], text
                title_lines = name[1] + title_lines
    return title, subtitle, acronym, title_lines


def _quoted_name(sheet: Sheet) -> tuple[str, list[int], str | None] | None:
    """The first name quoted after a project word ('projektu „…”', 'le projet « … »', 'operação "…"'), its line and
    the acronym in brackets after it ('„Smart Control …” (SCORE)')."""
    stems = {words(w)[:5] for w in load("labels.yaml")["project_scope"] if len(words(w)) >= 5}
    for block in blocks(sheet.doc.lines):
        # a block's lines joined: a name quoted over a line break ('proiectului „Creșterea ... din' / 'Municipiul Pașcani”')
        text, starts = "", []
        for line in block:
            starts.append(len(text))
            text += line.text + " "
        for match in _QUOTED.finditer(text):
            if fold(match.group(1)).lower()[:5] in stems and len(match.group(2).split()) <= 25:
                short = re.match(r"\s*\(([A-Z][A-Za-z0-9&-]{1,11})\)", text[match.end():])
                numbers = [line.number for line, start in zip(block, starts)
                           if start < match.end() and start + len(line.text) >= match.start()]
                return " ".join(match.group(2).split()), numbers, short.group(1) if short else None
    return None


def _name_token(sheet: Sheet) -> tuple[str, list[int]] | None:
    """A project name opening the objectives or description ('Cities@Heart proposes ...')."""
    for seg in sheet.of("objectives") + sheet.of("description"):
        for line in seg.body:
            match = re.match(r"^([A-Z][\w]*(?:[@&][\w]+|[a-z][A-Z][\w]*)+)\b", line.text)
            if match:
                return match.group(1), [line.number]
            if line.text:
                break
    return None


def _title_line(block: list[Line]) -> bool:
    """A block that can be a project's name: one line of 3 to 25 words, not a sentence, label, link or page date."""
    if len(block) != 1 or block[0].bullet:
        return False
    text = block[0].text
    return 3 <= len(text.split()) <= 25 and not text.endswith((".", ":")) and not LABELISH.match(text) \
        and not URL.search(text) and not page_meta(text) and not furniture(text)


def _name_over_tagline(block: list[Line]) -> bool:
    """'Playful Paradigm' over 'Il gioco per città inclusive / Games for inclusive cities': a short name and its tagline."""
    if len(block) != 2 or block[0].bullet or block[1].bullet:
        return False
    name, tagline = block[0].text, block[1].text
    return len(name.split()) <= 5 and not name.endswith((".", ":")) and 3 <= len(tagline.split()) <= 30 \
        and not tagline.endswith(".") and not LABELISH.match(tagline) and not URL.search(tagline) \
        and not looks_like_organisation(name) and not page_meta(tagline)


def _spells(short: str, name: str) -> bool:
    """An upper-case short name made of the starts of the name's words, in order ('CILIFO' from 'Centro Ibérico ...
    Investigación ... Lucha ... Incendios FOrestales', 'SIRT' from 'Sprijin ... Integrarea Resortisanților ... Terțe').

    The first word gives the first letter, a word gives one or two letters, words may be passed over.
    """
    letters = fold(short).lower()
    tokens = [fold(t).lower() for t in re.findall(r"[^\W\d_]+", name)]
    if len(tokens) < 2 or len(letters) < 2:
        return False

    @lru_cache(maxsize=None)
    def match(i: int, j: int) -> bool:
        if i == len(letters):
            return True
        if j == len(tokens):
            return False
        for take in (2, 1):
            if tokens[j][:take] == letters[i:i + take] and len(letters[i:i + take]) == take and match(i + take, j + 1):
                return True
        return j > 0 and match(i, j + 1)

    return match(0, 0)


def _title_candidate(text: str, boiler: list[str]) -> bool:
    folded = words(text)
    if not folded or furniture(text) or looks_like_organisation(text) or len(text.split()) > 20 or generic_heading(text):
        return False
    return not any(folded == b or folded.startswith(b + " ") and len(folded.split()) <= len(b.split()) + 4 for b in boiler)
