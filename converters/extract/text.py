"""Fact sheets as numbered lines: plain text, Markdown and HTML all end up the same.

Every later step works on :class:`Line` objects that keep the source line number, so each
extracted value can say where it was read. Markdown emphasis and link syntax are removed but
the link targets are kept; HTML is reduced to its visible blocks (navigation, scripts and
footers dropped), one block per line, table cells joined with `` | ``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

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


@dataclass
class Document:
    file: str
    lines: list[Line]
    warnings: list[str] = field(default_factory=list)


_BULLET = re.compile(r"^\s*(?:[-*•●▪◦‣](?!\*)\s+)+(?:\d{1,2}[.)]\s+)?|^\s*\d{1,2}[.)]\s+")
_MD_HEADING = re.compile(r"^\s*#{1,6}\s+")
_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
_ANGLE_URL = re.compile(r"<(https?://[^>\s]+)>")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u3000]+")


def clean_line(raw: str, number: int) -> Line:
    """One Markdown or text line, without list markers, emphasis and link syntax."""
    text = _SPACES.sub(" ", raw).strip()
    heading = bool(_MD_HEADING.match(text))
    text = _MD_HEADING.sub("", text)
    found = _MD_LINK.findall(text)
    links = [url for _, url in found if url and url != "#"]
    link_texts = [label.strip() for label, _ in found if label.strip()]
    text = _MD_LINK.sub(r"\1", text)
    links += _ANGLE_URL.findall(text)
    text = _ANGLE_URL.sub(r"\1", text)
    bullet = bool(_BULLET.match(text))
    if bullet:
        text = _BULLET.sub("", text)
    text = _EMPHASIS.sub("", text).strip()
    return Line(number, text, bullet, heading, links, link_texts)


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

    BLOCK = {"p", "div", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br", "section",
             "article", "table", "ul", "ol", "dl", "blockquote", "main", "header", "title", "hr"}
    SKIP = {"script", "style", "nav", "footer", "head", "noscript", "template", "svg", "form", "button"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[Line] = []
        self.skip = 0
        self.parts: list[str] = []
        self.start = 1
        self.kind = ""
        self.links: list[str] = []
        self.cells = 0

    def flush(self) -> None:
        text = _SPACES.sub(" ", "".join(self.parts)).strip(" |")
        if text:
            if self.kind == "dt" and not text.endswith(":"):
                text += ":"
            self.lines.append(Line(self.start, text, self.kind == "li", self.kind.startswith("h") and len(self.kind) == 2, self.links))
        self.parts, self.links, self.kind, self.cells = [], [], "", 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        if tag in self.BLOCK:
            self.flush()
            self.start = self.getpos()[0]
            self.kind = tag
        elif tag in ("td", "th"):
            if self.cells:
                self.parts.append(" | ")
            self.cells += 1
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("http://", "https://", "mailto:")):
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif not self.skip and tag in self.BLOCK:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            if not "".join(self.parts).strip():
                self.start = self.getpos()[0]
            self.parts.append(data.replace("\n", " "))


def html_lines(text: str) -> list[Line]:
    parser = _HtmlLines()
    parser.feed(text)
    parser.close()
    parser.flush()
    out: list[Line] = []
    for line in parser.lines:  # blank lines between blocks, so paragraphs stay apart
        out.extend([line, Line(line.number, "")])
    return out


def read_document(path: Path, shown: str | None = None) -> Document:
    """Read one fact sheet into numbered lines; raises UnreadableFile with a reason."""
    shown = shown or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"cannot be read: {exc.strerror}") from None
    text, warnings = decode(data, shown)
    if path.suffix.lower() in HTML_SUFFIXES or text.lstrip()[:200].lower().startswith(("<!doctype html", "<html")):
        lines = html_lines(text)
    else:
        lines = [clean_line(raw, number) for number, raw in enumerate(text.splitlines(), start=1)]
    return Document(shown, lines, warnings)
