"""Fact sheets as numbered lines: plain text, Markdown and HTML all end up the same.

Every later step works on :class:`Line` objects that keep the source line number, so each
extracted value can say where it was read. Markdown emphasis and link syntax are removed but
the link targets are kept; HTML is reduced to its visible blocks (navigation, scripts and
footers dropped), one block per line, table cells joined with `` | ``.
"""

from __future__ import annotations

import csv
import html
import io
import re
import statistics
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable, TypeVar

from .data import load
from .furniture import furniture
from .jsonsheet import json_lines, key_words
from .mail import UnreadableMessage, is_message, read_message
from .patterns import place_class

MAX_BYTES = 2_000_000  # a fact sheet is a page or two; anything far larger is not one
TEXT_SUFFIXES = (".txt", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES


class UnreadableFile(Exception):
    """The file cannot be read as a fact sheet; the message says why, for the user."""


@dataclass
class Line:
    number: int
    text: str
    bullet: bool = False
    heading: bool = False
    links: list[str] = field(default_factory=list)
    link_texts: list[str] = field(default_factory=list)
    item: int | None = None  # a plain-text numbered line's number ('3. Samverkan' -> 3): an outline's place
    lang: str | None = None  # the language an HTML element around the line declares (<section lang="en">)


@dataclass
class Document:
    file: str
    lines: list[Line]
    warnings: list[str] = field(default_factory=list)
    declared_language: str | None = None  # a web page's own <html lang="..."> (primary subtag, lower case)
    front_matter: int = 0  # the number of the line closing a page's front matter (0: none)


# A list item's marker; '1. 3. 2025 – 30. 9. 2026' opens with a date, not an item number.
_BULLET = re.compile(r"^\s*(?:[-*•●▪◦‣–—](?!\*)\s+)+(?:\d{1,2}[.)]\s+)?|^\s*\d{1,2}[.)]\s+(?!\d{1,2}\.\s?(?:\d{4}|\d{1,2}\.\s?\d{4}))"
                     r"|^\s*\(?[a-h]\)\s+")
# Bullets of a symbol font (Symbol, Wingdings) as pdftotext and copies out of Word give them: code points of
# Unicode's private use area ('\uf0b7 Clădire școlară ...'), read as the bullet they show at a line's or column's start.
_SYMBOL_BULLET = re.compile(r"(^|(?<=[ \t]{2}))[\uf076\uf06e\uf0a7\uf0a8\uf0b7\uf0d7\uf0d8\uf0e8\uf0f0\uf0fc](?=[ \t])",
                            re.MULTILINE)
_ITEM = re.compile(r"^\s*(\d{1,2})[.)]\s+")  # the number of a numbered line ('3. Samverkan'), once _BULLET matched
_TABLE_RULE = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?$")
_MD_HEADING = re.compile(r"^\s*#{1,6}\s+")
# No bracket inside a link's text, no parenthesis inside its target: each try ends at the next one, so a
# line of 2 MB of '[' is read in one pass (with '[^\]]*' every '[' scanned to the line's end: hours).
_MD_LINK = re.compile(r"\[([^\[\]]*)\]\(([^()\s]*)\)")
_MD_IMAGE = re.compile(r"\[!\[[^\[\]]*\]\([^()]*\)\]\([^()]*\)|!\[[^\[\]]*\]\([^()]*\)")  # badges, pictures: no text
_QUOTE = re.compile(r"^(?:>\s?)+")
_ANGLE_URL = re.compile(r"<(https?://[^<>\s|]+)(?:\|[^<>]*)?>")  # '<https://x>', Slack's '<https://x|label>'
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u3000]+")


# Check boxes of a printed form: an unticked box and the words after it (up to the next box) state nothing
# ('☐ Euroopan sosiaalirahasto plus (ESR+)', '- [ ] send the report'); a ticked box's mark goes, its words stay.
_UNTICKED_MARKS = "\u2610\u25a1\u25fb\u2b1c\u274f\u2751"  # ☐ □ ◻ ⬜ ❏ ❑
_TICKED_MARKS = "\u2612\u2611\u2713\u2714"  # ☒ ☑ ✓ ✔
_UNTICKED = re.compile(rf"(?:[{_UNTICKED_MARKS}]|\[ \])[^{_UNTICKED_MARKS}{_TICKED_MARKS}\[]*")
_TICKED = re.compile(rf"(?:[{_TICKED_MARKS}]|\[[xX]\])\s*")
_ANY_BOX = re.compile(rf"[{_UNTICKED_MARKS}{_TICKED_MARKS}\[]")
_LEADER = re.compile(r"^([^.:]{1,60}?)\s*(?:\.\s?){4,}\s*(?=\S)")  # dot leaders between a label and its value
_BOX = re.compile(r"^[\s\u2500-\u257f]*$|^[\s\u2502\u2503\u2551]+|[\s\u2502\u2503\u2551]+$")  # box-drawing frames


# A template's instruction to whoever fills it in, a whole line in square brackets of two words or more ('[Uveďte
# hlavný cieľ ...]', '[doplní vedúci partner]'); a Markdown link has its address after it, a note number one word.
_INSTRUCTION = re.compile(r"\[[^\[\]]*\w\s+\w[^\[\]]*\]")


def clean_line(raw: str, number: int) -> Line:
    """One Markdown or text line, without list markers, emphasis, link syntax or box-drawing frames."""
    text = _BOX.sub("", _SPACES.sub(" ", raw).strip()) if re.search("[\u2500-\u257f]", raw) else _SPACES.sub(" ", raw).strip()
    if _TABLE_RULE.match(text) and text.count("-") >= 3:  # a Markdown table's header rule ('|---|:-:|--:|'): no content
        return Line(number, "")
    if re.fullmatch(r"[=_~]{3,}", text):  # a plain-text rule under or between sections
        return Line(number, "")
    if re.fullmatch(r"\+(?:[-=:]{2,}\+)+", text):  # a grid table's border (pandoc, psql): '+-----+-----+'
        return Line(number, "")
    if _INSTRUCTION.fullmatch(text):  # a form's bracketed instruction: '[max. 1 000 znakov vrátane medzier]'
        return Line(number, "")
    if text.startswith("|") and text.endswith("|") and len(text) > 2:  # a Markdown table row: cells as " | "
        text = " | ".join(cell.strip() for cell in text[1:-1].split("|"))
    text = _QUOTE.sub("", _MD_IMAGE.sub("", text)).strip()  # a blockquote's text is text; images say nothing
    heading = bool(_MD_HEADING.match(text))
    text = _MD_HEADING.sub("", text)
    found = _MD_LINK.findall(text)
    links = [url for _, url in found if url and url != "#"]
    link_texts = [label.strip() for label, _ in found if label.strip()]
    text = _MD_LINK.sub(r"\1", text)
    links += _ANGLE_URL.findall(text)
    text = _ANGLE_URL.sub(r"\1", text)
    bullet = bool(_BULLET.match(text))
    item = None
    if bullet:
        numbered = _ITEM.match(text)
        item = int(numbered.group(1)) if numbered else None
        text = _BULLET.sub("", text)
    text = _LEADER.sub(r"\1: ", text)  # 'Nimi ........ Karelia Oy': a form's label and its value
    if _ANY_BOX.search(text):
        text = _TICKED.sub("", _UNTICKED.sub("", text))
    text = _EMPHASIS.sub("", text).strip()
    return Line(number, text, bullet, heading, links, link_texts, item)


def decode(data: bytes, shown: str) -> tuple[str, list[str]]:
    """UTF-8 text; a few broken bytes are replaced with a warning, binary data is refused."""
    if not data.strip():
        raise UnreadableFile("the file is empty")
    if b"\x00" in data[:8192]:
        raise UnreadableFile("the file is binary (it holds NUL bytes), not a text or HTML fact sheet")
    if len(data) > MAX_BYTES:
        raise UnreadableFile(f"the file has {len(data):,} bytes; a fact sheet over {MAX_BYTES:,} bytes is not read")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        broken = text.count("\ufffd")
        if broken > max(8, len(text) // 100):
            try:
                return data.decode("cp1252"), [f"{shown}: not UTF-8 ({exc.reason} at byte {exc.start}); read as Windows-1252"]
            except UnicodeDecodeError:
                raise UnreadableFile(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        return text, [f"{shown}: {broken} byte(s) are not UTF-8 (first at byte {exc.start}) and were replaced"]


class _HtmlLines(HTMLParser):
    """Visible text of a page as lines, each with the source line where its block starts."""

    # a table's <caption> ('Partners and their budgets') heads its table as a heading would
    HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6", "caption"}
    BLOCK = {"p", "div", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "tr", "br", "section",
             "article", "table", "ul", "ol", "dl", "blockquote", "main", "header", "title", "hr"}
    SKIP = {"script", "style", "nav", "footer", "head", "noscript", "template", "svg", "form", "button", "select", "figcaption"}

    # Page furniture marked by its id or class: cookie and consent banners, sharing bars, a wiki's
    # "[edit | edit source]" beside each heading; breadcrumbs stay.
    FURNITURE = re.compile(r"cookie|consent|gdpr|share|social|skip-link|editsection", re.IGNORECASE)
    # An inline element marked as a field's label ('<span class="label">Budget</span><span class="value">…'):
    # its text is the label of the text after it, as in 'Budget: €14,797,415.00'.
    LABEL = re.compile(r"(?:^|[\s_-])(?:label|key|term|field-name|field-label)(?:$|[\s_-])", re.IGNORECASE)
    # A block marked as a field's label ('<div class="field__label">Baġit totali</div>' over '<div
    # class="field__item">€1,864,220.00</div>', Drupal's inline fields): read as 'Baġit totali:' over its value.
    BLOCK_LABEL = re.compile(r"(?:^|\s)(?:[\w-]*[_-])?(?:label|term)(?:\s|$)", re.IGNORECASE)
    # Modifier classes that say how a field's label is shown, on the field's wrapper, not its label
    # ('field--label-hidden' around a page title, 'field--label-inline').
    LABEL_MODIFIER = re.compile(r"\S*--label-\S*", re.IGNORECASE)
    VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}
    # A list marked as a site's menu ('<ul class="wsite-menu-default">', '<ul class="navbar-nav">') or any element
    # with the navigation landmark's role: the <nav> a site builder did not write, its links other pages' names.
    MENU_LIST = re.compile(r"(?:^|[\s_-])(?:menu|nav|navbar|navigation|menubar)(?:$|[\s_-])", re.IGNORECASE)
    NAV_ROLES = {"navigation", "menubar", "menu"}

    def __init__(self, content_only: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[Line] = []
        self.kinds: list[str] = []
        self.skip = 0
        self.stack: list[tuple[str, bool]] = []  # open elements that started a skip (tag, counted)
        self.content_only = content_only  # the page has <main> or <article>: read only inside it
        self.content = 0
        self.parts: list[str] = []
        self.start = 1
        self.kind = ""
        self.links: list[str] = []
        self.cells = 0
        self.header_cells = 0
        self.labels: list[int] = []  # stack depths of open inline label elements
        self.block_label = False  # the block being read is marked as a field's label
        self.in_cell = False  # a table cell is open
        self.cell_paragraph = False  # the open cell's first paragraph has started
        self.inlined: list[int] = []  # stack depths of open paragraphs read as their cell's text
        self.langs: list[tuple[int, str]] = []  # stack depths of open elements declaring a language, and the language
        self.part_lang: str | None = None  # the language declared around the block's text

    @property
    def hidden(self) -> bool:
        return bool(self.skip) or (self.content_only and not self.content)

    def flush(self) -> None:
        text = _SPACES.sub(" ", "".join(self.parts)).strip(" |")
        if text:
            if (self.kind == "dt" or self.block_label and len(text.split()) <= 8) and not text.endswith(":"):
                text += ":"
            if self.cells == 2 and self.header_cells == 1 and " | " in text:  # <tr><th>label</th><td>value</td></tr>
                label, value = text.split(" | ", 1)
                text = f"{label.rstrip(':')}: {value}"
            self.lines.append(Line(self.start, text, self.kind == "li", self.kind in self.HEADINGS, self.links,
                                   lang=self.part_lang))
            self.kinds.append(self.kind)
        self.parts, self.links, self.kind, self.cells, self.header_cells = [], [], "", 0, 0
        self.block_label = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        marks = self.LABEL_MODIFIER.sub(" ", " ".join(v or "" for k, v in attrs if k in ("id", "class", "role", "aria-label")))
        if tag in ("main", "article") and not self.skip:
            self.flush()
            self.content += 1
        # An inline element hidden from screen readers is decoration beside text that says the same
        # (a "PP" badge after a visually hidden "Lead partner:", an icon): not part of the value.
        decoration = tag not in self.BLOCK and dict(attrs).get("aria-hidden") == "true"
        # A form that is the page's body (ASP.NET WebForms, SharePoint: <body><form id="aspnetForm">
        # around everything) is read as the page; other forms are search boxes and newsletters.
        page_form = tag == "form" and (not self.stack or self.stack[-1][0] in ("body", "html"))
        menu = (tag in ("ul", "ol") and self.MENU_LIST.search(marks)) \
            or (dict(attrs).get("role") or "").lower() in self.NAV_ROLES
        if tag not in self.VOID and (tag in self.SKIP or self.FURNITURE.search(marks) or decoration or menu) \
                and tag not in ("main", "article", "body", "html") and not page_form:
            if not decoration:  # a badge inside a line leaves the line whole
                self.flush()
            self.skip += 1
            self.stack.append((tag, True))
            return
        if tag not in self.VOID:
            self.stack.append((tag, False))
            declared = dict(attrs).get("lang")
            if declared:
                self.langs.append((len(self.stack) - 1, declared.split("-")[0].strip().lower()))
            if tag not in self.BLOCK and tag not in ("td", "th") and self.LABEL.search(marks) and not self.hidden:
                self.labels.append(len(self.stack) - 1)
            elif tag not in self.BLOCK and self.kind in ("li", "dd", "div", "tr") and place_class().search(marks) \
                    and not self.hidden:  # an item's parts, not prose ('takes place in <span class="city">')
                said = "".join(self.parts).rstrip()  # 'Stadt Bocholt' + 'Bocholt (DE)': two parts, as a comma says
                if said and not said.endswith((",", ";", ":", "(", "|", "-", "–", "/", "·")):
                    self.parts = [said, ", "]
        if self.hidden:
            return
        if tag == "p" and self.in_cell and not self.cell_paragraph:
            # A cell's first paragraph is the cell's text: word processors and many editors write
            # every cell as <td><p>…</p></td>, and the row must stay one line ('Partner | Role | …').
            self.cell_paragraph = True
            self.inlined.append(len(self.stack) - 1)
            return
        if tag in self.BLOCK:
            self.in_cell = False
            self.flush()
            self.start = self.getpos()[0]
            self.kind = tag
            self.block_label = tag == "div" and bool(self.BLOCK_LABEL.search(" ".join(v or "" for k, v in attrs if k == "class")))
        elif tag in ("td", "th"):
            if self.cells or "".join(self.parts).strip():  # after a <br> in the cell before, the row's line goes on
                self.parts.append(" | ")
            self.cells += 1
            self.header_cells += tag == "th"
            self.in_cell, self.cell_paragraph = True, False
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("http://", "https://", "mailto:")):
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            if tag in self.BLOCK and not self.hidden:
                self.flush()
            return
        # close the innermost open element of this name (pages leave elements unclosed)
        inlined = False
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                inlined = bool(self.inlined) and self.inlined[-1] == index
                while self.inlined and self.inlined[-1] >= index:
                    del self.inlined[-1]
                if tag in ("td", "th"):
                    self.in_cell = False
                if self.labels and self.labels[-1] >= index:
                    del self.labels[-1]
                    said = "".join(self.parts).strip()
                    if said and not said.endswith((":", "：")):
                        self.parts.append(": ")
                for _, counted in self.stack[index:]:
                    self.skip -= counted
                del self.stack[index:]
                self.langs = [(depth, lang) for depth, lang in self.langs if depth < index]
                break
        if tag in ("main", "article") and self.content and not self.skip:
            self.flush()
            self.content -= 1
        elif not self.hidden and tag in self.BLOCK and not inlined:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            if not "".join(self.parts).strip():
                self.start = self.getpos()[0]
                self.part_lang = self.langs[-1][1] if self.langs else None
            self.parts.append(data.replace("\n", " "))


# A news feed (RSS 1.0 or 2.0, Atom) saved as it was fetched: items of a project's news, the
# feed's title often the site's. Read as the page it stands for, each element as the HTML element
# it plays (an item a section, its title a heading, its HTML content as HTML), everything else
# (ids, categories, generator, build dates) left out; tags are replaced where they stand, so every
# line keeps its number.
_FEED = re.compile(r"^\ufeff?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF)\b", re.S)
_FEED_AS = {"item": "section", "entry": "section", "title": "h2", "link": "p", "description": "div",
            "summary": "div", "content:encoded": "div", "content": "div", "pubdate": "p", "published": "p",
            "updated": "p", "dc:date": "p", "dc:creator": "p", "author": "p", "name": "span", "channel": "div",
            "rss": "div", "feed": "div", "rdf:rdf": "div"}
_FEED_HTML = frozenset({"p", "br", "li", "ul", "ol", "em", "strong", "a", "b", "i", "span", "div", "h1", "h2", "h3",
                        "h4", "h5", "h6", "table", "tr", "td", "th", "img", "blockquote", "dl", "dt", "dd"})
_FEED_TAG = re.compile(r"<(/?)([A-Za-z][\w.:-]*)([^<>]*?)(/?)>")
_FEED_TEXT_TAG = re.compile(r"<(/?)(description|summary|content(?::encoded)?)\b[^<>]*>", re.IGNORECASE)
_BREAKS = re.compile(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")  # what str.splitlines() breaks at
_FEED_LANGUAGE = re.compile(r"<language>\s*([A-Za-z]{2,3})|xml:lang=[\"']([A-Za-z]{2,3})")


def is_feed(text: str) -> bool:
    return bool(_FEED.match(text[:2000]))


def _unescaped_contents(text: str) -> str:
    """HTML content a feed gives escaped ('&lt;p&gt;...') rather than in CDATA, as the markup it
    stands for, each line apart: an escaped line break ('&#10;') becomes a space, so every line
    keeps its number.

    One pass over the tags (an element's text runs from its opening tag to the first closing
    tag of the same name): a search for each opening's closing tag was quadratic on a feed
    with many unclosed ones (220 KB took 26 s).
    """
    out: list[str] = []
    done = 0  # text[:done] is in out
    opened: tuple[str, int] | None = None  # (name, where its text starts)
    for found in _FEED_TEXT_TAG.finditer(text):
        closing, name = found.group(1), found.group(2).lower()
        if opened is None:
            if not closing:
                opened = (name, found.end())
        elif closing and name == opened[0]:
            start = opened[1]
            opened = None
            if text.startswith("<![CDATA[", start):
                continue
            out.append(text[done:start])
            out.append("\n".join(_BREAKS.sub(" ", html.unescape(line)) for line in text[start:found.start()].split("\n")))
            done = found.start()
    out.append(text[done:])
    return "".join(out)


def feed_as_html(text: str) -> str:
    """An RSS or Atom document as the HTML page it stands for, line for line."""
    text = _unescaped_contents(text)
    text = text.replace("<![CDATA[", "").replace("]]>", "")
    state = {"items": 0}

    def tag(found: re.Match[str]) -> str:
        closing, name, rest, empty = found.groups()
        key = name.lower()
        if key in ("item", "entry") and not closing:
            state["items"] += 1
        if key == "title" and not state["items"]:  # the feed's own title: the site's, not a heading
            return f"<{closing}p>"
        element = _FEED_AS.get(key)
        if element is None:
            if key in _FEED_HTML:  # markup of the content itself
                return found.group(0)
            return "" if empty else f"<{closing}template>"
        return "" if empty else f"<{closing}{element}>"

    return _FEED_TAG.sub(tag, text)


def html_lines(text: str) -> list[Line]:
    """Visible blocks of a page; only <main>/<article> when the page marks its content so."""
    parser = _HtmlLines(content_only=bool(re.search(r"<(?:main|article)[\s>]", text, re.IGNORECASE)))
    parser.feed(text)
    parser.close()
    parser.flush()
    out: list[Line] = []
    for index, line in enumerate(parser.lines):  # blank lines between blocks, so paragraphs stay apart
        out.append(line)
        following = parser.kinds[index + 1] if index + 1 < len(parser.lines) else ""
        if not (parser.kinds[index] == "dd" and following == "dd"):  # several <dd> of one <dt> stay one block
            out.append(Line(line.number, ""))
    return out


_CHUNK = re.compile(r"\S+(?: \S+)*")  # a cell of a space-aligned table: words apart by single spaces
_ITEM_START = re.compile(r"^(?:\d{1,2}[.)]|[–•*-])\s")  # '2. Hrvatski zavod ...': a list's next item, no run-on
_RULE = re.compile(r"^\s*[-=_~*]{3,}\s*$")
_FENCE = re.compile(r"^\s*(?:```|~~~)")


def _chunks(raw: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in _CHUNK.finditer(raw.replace("\t", "    "))]


_MARKER_GAP = re.compile(r"^(\s*(?:[•▪●◦■□➢►*–-]|\d{1,2}[.)]))[ \t]{2,}")


def _table_run(rows: list[str]) -> bool:
    """Two or more lines split into cells by wide gaps (three spaces or more), not prose with a double space,
    nor list items whose marker pdftotext sets apart ('•   засаждане на 3 200 дървета')."""
    rows = [_MARKER_GAP.sub(r"\1 ", raw) for raw in rows]
    split = [raw for raw in rows if len(_chunks(raw)) >= 2 and re.search(r"\S {3,}\S", raw.strip())]
    return len(split) >= 2 and "|" not in "".join(rows)


_TABS = re.compile(r"\s*\t\s*")


def _tab_run(rows: list[str]) -> bool:
    """Two or more lines whose cells a tab separates ('Projekto pavadinimas<TAB>Darnaus judumo ...'): a
    table copied from a word processor or a spreadsheet, whose cells no space alignment shows."""
    return sum(1 for raw in rows if len([c for c in _TABS.split(raw.strip()) if c]) >= 2) >= 2 \
        and "|" not in "".join(rows)


def _tab_rows(rows: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The rows of a tab-separated table as Markdown table rows, cut at the tabs; a line without a tab
    (a heading inside the block) stays as it is."""
    out: list[tuple[int, str]] = []
    for number, raw in rows:
        cells = [c for c in _TABS.split(raw.strip()) if c]
        out.append((number, "| " + " | ".join(cells) + " |") if len(cells) >= 2 else (number, raw))
    return out


def _aligned_rows(rows: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Rows of a space-aligned table as Markdown table rows ('| Programa | Interreg V-A ... |').

    The widest row gives the column starts; every cell goes to the column its last character
    falls in (right-aligned numbers too). A row with only a first cell, followed by a full row,
    is that row's name wrapped over two lines when the full row is indented ('Consejería de ..., Pesca y
    Desarrollo' over '  Sostenible (Junta de Andalucía)   Beneficiario principal ...'): the two are joined.
    Other one-cell lines (a heading inside the block) stay as they are.
    """
    header = max((_chunks(raw) for _, raw in rows), key=len)
    starts = [start for start, _, _ in header]
    starts[0] = 0
    out: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    last: list[str] | None = None  # the cells of the row just written, while a value may run on under it
    for number, raw in rows:
        chunks = _chunks(raw)
        cells = [""] * len(starts)
        for start, end, text in chunks:
            column = max(i for i, s in enumerate(starts) if s <= end - 1) if end - 1 >= starts[0] else 0
            cells[column] = f"{cells[column]} {text}".strip()
        if len(chunks) == 1 and last is not None and pending is None and len(starts) > 1 \
                and chunks[0][0] >= starts[-1] - 1 and last[-1] and not _ITEM_START.match(chunks[0][2]):
            # 'Naziv projekta:   Sava bez granica – zajednička zaštita od poplava' over '   Slavonskog Broda
            # i Broda' under its value: the value wrapped onto the next line
            last[-1] = f"{last[-1]} {chunks[0][2]}"
            out[-1] = (out[-1][0], "| " + " | ".join(last) + " |")
            continue
        last = None
        if len(chunks) == 1:  # a heading line, or the first line of a wrapped name
            if pending is not None:
                out.append(pending)
            pending = (number, raw)
            continue
        if pending is not None and chunks[0][0] > 0 and cells[0]:  # the indented rest of the name above
            cells[0] = f"{pending[1].strip()} {cells[0]}"
            number, pending = pending[0], None
        elif pending is not None:
            out.append(pending)
            pending = None
        out.append((number, "| " + " | ".join(cells) + " |"))
        last = cells
    if pending is not None:
        out.append(pending)
    return out


T = TypeVar("T")

# A page laid out in two columns, as pdftotext -layout writes it: a gutter of spaces at one position
# down a run of lines, prose on its left. What makes it prose rather than a space-aligned table.
GUTTER_LINES = 6  # lines with text on both sides of the gutter, at least
GUTTER_LEFT_WORDS = 4  # words in the left part of such a line, on average
GUTTER_LEFT_LETTERS = 30  # or letters (spaces inside included): long words, few of them
GUTTER_ALONE = 3  # lines with text on one side only (a paragraph's last line, a list running on)


def runs(items: list[T], keep: Callable[[T], bool]) -> list[list[T]]:
    """The runs of consecutive items ``keep`` accepts (the items between them left out)."""
    out: list[list[T]] = []
    current: list[T] = []
    for item in items:
        if keep(item):
            current.append(item)
        elif current:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def _gutter_ok(raw: str, column: int) -> bool:
    """Whether no text crosses ``column``: the line ends before it or has two spaces just before it."""
    return len(raw.rstrip()) <= column - 2 or raw[column - 2:column] == "  "


def _two_columns(rows: list[str], column: int) -> bool:
    both = [raw for raw in rows if raw[:column].strip() and raw[column:].strip()]
    alone = [raw for raw in rows if raw.strip() and not (raw[:column].strip() and raw[column:].strip())]
    if len(both) < GUTTER_LINES or len(alone) < GUTTER_ALONE:
        return False
    left_words = sum(len(raw[:column].split()) for raw in both) / len(both)
    # or as long in letters: Latvian or Finnish prose has fewer, longer words than a table's labels (but a left
    # part ending in labels, 'Κωδικός έργου:', is a table of facts with its values right of this position)
    left_letters = statistics.median(len(raw[:column].strip()) for raw in both)  # most lines: a run may cross pages
    labels = sum(1 for raw in both if raw[:column].rstrip().endswith(":"))
    long_words = left_letters >= GUTTER_LEFT_LETTERS and labels <= len(both) * 0.2
    aligned = _right_starts(rows, column)
    starts = sum(1 for raw in both if _first_text(raw, column) in aligned)  # the right column's text starts at the gutter
    return (left_words >= GUTTER_LEFT_WORDS or long_words) and starts >= len(both) * 0.6


def _first_text(raw: str, column: int) -> int:
    """Where the text right of ``column`` starts (the line's length if none)."""
    rest = raw[column:]
    return column + len(rest) - len(rest.lstrip(" "))


def _right_starts(rows: list[str], column: int) -> set[int]:
    """Where the right column's lines start: at the gutter, or where the values of its labels start ('Duration:
    June 2024 – December' over '2026 (31 months)': a value running on is indented to its value, not to the gutter)."""
    values = {column + found.start(1) for raw in rows if raw[column:column + 1].strip()
              for found in re.finditer(r":? {2,}(\S)", raw[column:].rstrip())}
    return {column} | values


def _box_end(lines: list[str], run: list[int], column: int) -> list[int]:
    """``run`` up to the end of the paragraph beside the right column's last line: below it the two columns
    have ended, and what stands right of the gutter is a table's column (a partner table's 'Role') or a box
    of facts starts at the left margin ('Fakta om CIRCBUILD' over 'Projektnummer  01C0087')."""
    aligned = _right_starts([lines[i] for i in run], column)
    last = max((n for n, i in enumerate(run) if lines[i][column:].strip() and _first_text(lines[i], column) in aligned),
               default=len(run) - 1)
    return run[:next((n for n in range(last + 1, len(run)) if not lines[run[n]].strip()), len(run))]


def columns_apart(raw_lines: list[str], page_ends: frozenset[int] = frozenset()) -> list[tuple[int, str]]:
    """Numbered lines, with each run laid out in two columns read column by column: its left
    halves, then its right halves (each keeping its line number).

    pdftotext -layout keeps a two-column page's columns side by side, so a line holds the
    end of one paragraph and a key fact of the other column ('bourhoods where noise, heat
    and poverty    ERDF co-financing: €598,500'). The gutter is the position where the right
    column's lines start, with no text crossing it down the run; a space-aligned table of key
    facts is no such run (its left cells are labels of a word or two, aligned_tables reads it).
    ``page_ends``: the indexes of lines a form feed closes (a page's last line); no run crosses them.
    """
    lines = [raw.replace("\t", "    ") for raw in raw_lines]
    starts: dict[int, int] = {}
    for raw in lines:
        for found in re.finditer(r"(?:\S {3,}|^ {20,})(\S)", raw):  # text after a wide gap, or indented far
            starts[found.start(1)] = starts.get(found.start(1), 0) + 1
    gutters: dict[int, list[list[int]]] = {}
    for column in sorted(starts, key=lambda c: -starts[c]):
        if starts[column] < GUTTER_LINES or column < 20:
            break
        # a run ends at a page's end (pdftotext's form feed): each page has its own layout
        found = runs(list(range(len(lines))), lambda index: _gutter_ok(lines[index], column) and index not in page_ends)
        chosen = [_box_end(lines, run, column) for run in found if _two_columns([lines[i] for i in run], column)]
        if chosen:
            gutters[column] = chosen
    if not gutters:
        return list(enumerate(raw_lines, start=1))
    # the leftmost: a side box's values, aligned after its labels, make a second gutter right of the real one
    column = min(gutters)
    chosen = gutters[column]
    taken = {i for run in chosen for i in run}
    first = {run[0]: run for run in chosen}
    out: list[tuple[int, str]] = []
    for index, raw in enumerate(raw_lines):
        run = first.get(index)
        if run is not None:  # the whole run, its left halves then its right halves
            out.extend((i + 1, lines[i][:column].rstrip()) for i in run)
            out.append((run[-1] + 1, ""))
            out.extend((i + 1, lines[i][column:].rstrip()) for i in run)
        elif index not in taken:
            out.append((index + 1, raw))
    return out


def aligned_tables(raw_lines: list[str], numbers: list[int] | None = None) -> list[tuple[int, str]]:
    """Numbered lines of a plain-text sheet, with space-aligned tables turned into Markdown table rows.

    Text fact sheets lay key facts and partner lists out in columns padded with spaces
    ('Presupuesto total (€)     24.609.312'); read as cells they are labelled facts and table
    rows like any HTML or Markdown table. Lines in code fences stay as they are, but for a fence of
    program code or a citation (patterns.yaml ``code_fences``: '```bash', '```bibtex'), whose lines are
    blank: a README's 'title = {...}' is its software's citation, not the project's facts.
    """
    out: list[tuple[int, str]] = []
    run: list[tuple[int, str]] = []
    fenced = False
    code = False
    languages = {name.lower() for name in load("patterns.yaml")["code_fences"]}

    def close() -> None:
        if _tab_run([raw for _, raw in run]):
            out.extend(_tab_rows(run))
        else:
            out.extend(_aligned_rows(run) if _table_run([raw for _, raw in run]) else run)
        run.clear()

    for number, raw in zip(numbers or range(1, len(raw_lines) + 1), raw_lines):
        if _FENCE.match(raw):
            fenced = not fenced
            code = fenced and raw.strip().lstrip("`~").strip().split(" ")[0].lower() in languages
        if fenced or _FENCE.match(raw) or not raw.strip() or _RULE.match(raw):
            close()
            out.append((number, "" if code and not _FENCE.match(raw) else raw))
        else:
            run.append((number, raw))
    close()
    return out


EXPORT_COLUMNS = 5  # a spreadsheet export's header names at least this many columns


def one_row_export(text: str) -> list[tuple[int, str]] | None:
    """A spreadsheet's rows exported as text (';', a tab or ',' between cells, quoted cells over several lines)
    with one header row and one row of data under it, as a managing authority's list of operations
    gives one operation: the row as 'Header: value' lines, numbered by the line each row starts on.
    Lines above and below the table keep their text (their cells joined). None for anything else
    (prose, a table of several rows, which the other readers take)."""
    for delimiter in (";", "\t", ","):
        if sum(1 for line in text.splitlines()[:40] if line.count(delimiter) >= EXPORT_COLUMNS - 1) < 2:
            continue
        rows: list[tuple[int, list[str]]] = []
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        start = 1
        try:
            for cells in reader:
                rows.append((start, [cell.strip() for cell in cells]))
                start = reader.line_num + 1
        except csv.Error:
            continue
        wide = [index for index, (_, cells) in enumerate(rows) if sum(1 for c in cells if c) >= EXPORT_COLUMNS]
        if len(wide) != 2 or wide[1] != wide[0] + 1:
            continue
        header, data = rows[wide[0]][1], rows[wide[1]][1]
        if any(len(cell) > 80 for cell in header) or len(data) > len(header) + 1:
            continue
        out: list[tuple[int, str]] = []
        for number, cells in rows[:wide[0]]:
            out += [(number, " ".join(c for c in cells if c)), (number, "")]
        number = rows[wide[1]][0]
        for name, value in zip(header, data):
            if name and value:
                first, *rest = value.splitlines()
                out += [(number, f"{name}: {first}"), *((number, more) for more in rest), (number, "")]
        for number, cells in rows[wide[1] + 1:]:
            out += [(number, " ".join(c for c in cells if c)), (number, "")]
        return out
    return None


def read_document(path: Path, shown: str | None = None) -> Document:
    """Read one fact sheet into numbered lines; raises UnreadableFile with a reason."""
    shown = shown or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"cannot be read: {exc.strerror}") from None
    declared, mail = None, None
    if is_message(data):  # a saved e-mail: its decoded part, the header fields a reader sees first
        try:
            mail = read_message(data)
        except UnreadableMessage as exc:
            raise UnreadableFile(str(exc)) from None
        text = mail.body if mail.html else "\n".join(mail.headers) + "\n\n" + mail.body
        warnings = [f"{shown}: {warning}" for warning in mail.warnings]
    else:
        text, warnings = decode(data, shown)
    text = _SYMBOL_BULLET.sub("•", text)
    structured = json_lines(text)  # None unless the text is one JSON object or array, whatever the file's suffix
    if mail is not None and mail.html:
        heads = [line for number, raw in enumerate(mail.headers, start=1) for line in (clean_line(raw, number), Line(number, ""))]
        lines = heads + [replace(line, number=line.number + len(mail.headers)) for line in html_lines(text)]
        found = _HTML_LANG.search(text)
        declared = found.group(1).lower() if found else None
    elif structured is not None:
        rewritten, more = structured
        # one fact per line, each its own block (as front matter): a value never runs on into the next key's line
        lines = [line for number, raw in enumerate(rewritten, start=1)
                 for part in raw.split("\n") for line in (clean_line(part, number), Line(number, ""))]
        warnings += [f"{shown}: {warning}" for warning in more]
    elif is_feed(text):
        lines = html_lines(feed_as_html(text))
        found = _FEED_LANGUAGE.search(text[:5000])
        declared = (found.group(1) or found.group(2)).lower() if found else None
    elif path.suffix.lower() in HTML_SUFFIXES or text.lstrip()[:200].lower().startswith(("<!doctype html", "<html")):
        lines = html_lines(text)
        found = _HTML_LANG.search(text)
        declared = found.group(1).lower() if found else None
    else:
        if "]{." in text:
            text = tracked_changes(text)
        blank = furniture(text)  # printed pages' running headers and footers
        source = [("" if index in blank else line) for index, line in enumerate(text.splitlines())]
        raw_lines, references = lynx_references(front_matter_lines(source))
        page_ends = frozenset(index for index, line in enumerate(text.splitlines(keepends=True)) if line.endswith("\f"))
        numbered = columns_apart(raw_lines, page_ends if len(raw_lines) == len(source) else frozenset())
        read = one_row_export(text) or aligned_tables([raw for _, raw in numbered], [number for number, _ in numbered])
        closing = front_matter_end(source)
        lines = _front_matter_apart([clean_line(raw, number) for number, raw in read], closing)
        if references:
            lines = [_referenced(line, references) for line in lines]
        return Document(shown, lines, warnings, declared, closing + 1 if closing is not None else 0)
    return Document(shown, lines, warnings, declared)


# The page's language as its root element declares it: <html lang="sk"> or <html xml:lang="sk-SK">.
_HTML_LANG = re.compile(r"<html\b[^>]*?\b(?:xml:)?lang\s*=\s*[\"']?\s*([A-Za-z]{2,3})(?![A-Za-z])", re.IGNORECASE)


_TOML_PAIR = re.compile(r"^\s*([A-Za-z_][\w.-]*)\s*=\s*(.*?)\s*$")
_TOML_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*$")
_YAML_PAIR = re.compile(r"^(\s*)([A-Za-z_][\w-]*)\s*:(?:\s+(.*))?$")
_TOML_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"|\'([^\']*)\'')


def front_matter_end(raw: list[str]) -> int | None:
    """The index of the line closing a page's front matter (``---`` YAML, ``+++`` Hugo TOML), None without one."""
    if not raw or raw[0].strip() not in ("---", "+++"):
        return None
    return next((i for i, r in enumerate(raw[1:200], start=1) if r.strip() == raw[0].strip()), None)


def front_matter_lines(raw: list[str]) -> list[str]:
    """A page's front matter read as labels: Hugo's TOML (``+++``, ``nazov_de = "X"``, ``[projekt]``) and
    YAML (``---``) keys as words ('nazov de: X'), strings unquoted, arrays and inline tables as their values.

    The keys are the site's own (in its language, snake_case): as words, the labels of every language
    match them. Line for line, so that line numbers stay the file's.
    """
    end = front_matter_end(raw)
    if end is None:
        return raw
    fence = raw[0].strip()
    out = list(raw)
    for index in range(1, end):
        line = raw[index]
        if fence == "+++":
            table, pair = _TOML_TABLE.match(line), _TOML_PAIR.match(line)
            if table:
                out[index] = f"{key_words(table.group(1).split('.')[-1])}:"
            elif pair:
                out[index] = f"{key_words(pair.group(1))}: {_toml_value(pair.group(2))}"
        else:
            pair = _YAML_PAIR.match(line)
            if pair and not pair.group(1):
                value = (pair.group(3) or "").strip()
                out[index] = f"{key_words(pair.group(2))}: {_toml_value(value)}" if value else f"{key_words(pair.group(2))}:"
    return out


def _toml_value(value: str) -> str:
    """'"X"' -> 'X'; '["a", "b"]' -> 'a, b'; '{ sirka = 48.4, dlzka = 16.9 }' -> 'sirka 48.4, dlzka 16.9'."""
    value = value.strip()
    if value.startswith("{") and value.endswith("}"):
        parts = [p.split("=", 1) for p in value[1:-1].split(",") if "=" in p]
        return ", ".join(f"{key_words(k)} {_toml_value(v)}" for k, v in parts)
    if value.startswith("[") and value.endswith("]"):
        items = [m.group(1) if m.group(1) is not None else m.group(2) for m in _TOML_STRING.finditer(value)]
        return ", ".join(items) if items else value[1:-1].strip()
    quoted = _TOML_STRING.fullmatch(value)
    if quoted:
        return quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
    return value


_TRACKED = re.compile(r"\[([^\[\]]*)\]\{\.(deletion|insertion|comment-start|comment-end)\b([^{}]*)\}")


def tracked_changes(text: str) -> str:
    """A Word draft through ``pandoc --track-changes=all``, read with every change accepted: deleted text
    (``[1. 3. 2025]{.deletion author=...}``) and comments go, inserted text stays.

    A change's attributes often wrap onto the next line; its line breaks are taken out so that the
    sentence stays one paragraph, and given back as empty lines at the paragraph's end, so that line
    numbers are the file's again from the next paragraph on.
    """
    parts: list[str] = []
    owed_at: list[int] = []  # for each line break a change took out: where in the result it was
    size = last = 0
    for match in _TRACKED.finditer(text):
        before = text[last:match.start()]
        kept = " ".join((match.group(1) if match.group(2) == "insertion" else "").split("\n"))
        parts += [before, kept]
        size += len(before) + len(kept)
        owed_at += [size] * match.group(0).count("\n")
        last = match.end()
    parts.append(text[last:])
    owed = taken = start = 0
    out: list[str] = []
    for line in "".join(parts).split("\n"):
        end = start + len(line)
        while taken < len(owed_at) and owed_at[taken] <= end:
            owed, taken = owed + 1, taken + 1
        out.append(line)
        if not line.strip() and owed:
            out.extend([""] * owed)
            owed = 0
        start = end + 1
    out.extend([""] * owed)
    return "\n".join(out)


_LYNX_REFERENCE = re.compile(r"^\s*(\d{1,5})\.\s+(\S+)\s*$")
_LYNX_MARK = re.compile(r"\[(\d{1,5})\]")


def lynx_references(raw: list[str]) -> tuple[list[str], dict[int, str]]:
    """A ``lynx -dump`` page: its closing 'References' list (``  17. https://...``) taken apart.

    The list's lines are emptied (they would read as free-standing web addresses), link header lines
    (``#[1]Site – news [2]alternate``) too; each ``[17]`` mark in the text then gives its line that
    address as a link (:func:`_referenced`). Not a lynx page (no list of at least three numbered
    addresses after a 'References' line, and marks in the text): the lines as they are.
    """
    at = next((i for i in range(len(raw) - 1, -1, -1) if raw[i].strip() == "References"), None)
    if at is None:
        return raw, {}
    references: dict[int, str] = {}
    for line in raw[at + 1:]:
        found = _LYNX_REFERENCE.match(line)
        if found:
            references[int(found.group(1))] = found.group(2)
        elif line.strip():
            return raw, {}
    marks = sum(len(_LYNX_MARK.findall(line)) for line in raw[:at])
    if len(references) < 3 or marks < 3:
        return raw, {}
    out = [("" if line.lstrip().startswith("#[") else line) for line in raw[:at]] + [""] * (len(raw) - at)
    return out, references


def _referenced(line: Line, references: dict[int, str]) -> Line:
    """A line of a lynx page without its ``[n]`` marks, each mark's address among its links."""
    numbers = [int(n) for n in _LYNX_MARK.findall(line.text) if int(n) in references]
    if not numbers:
        return line
    text = _SPACES.sub(" ", _LYNX_MARK.sub(lambda m: "" if int(m.group(1)) in references else m.group(0), line.text)).strip()
    return Line(line.number, text, line.bullet, line.heading, line.links + [references[n] for n in numbers],
                line.link_texts)


def _front_matter_apart(lines: list[Line], end: int | None) -> list[Line]:
    """A Markdown file's front matter ('---', 'title: "X"', 'layout: project', '---', closed at line index
    ``end``): one fact per line, each its own block, so a value never runs on into the next key's line."""
    if end is None:
        return lines
    out: list[Line] = []
    for line in lines:
        out.append(line)
        if 1 < line.number <= end and line.text:
            out.append(Line(line.number, ""))
    return out
