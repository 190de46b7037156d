"""The project's website: under its label (a link or a URL), else a free line that is only a URL.

A website label that also names another field's subject ('Spletna stran programa', 'Partner website')
gives that one's page, not the project's.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from ..data import best_label, contains, load, word_set, words
from ..page import URL
from ..segments import Segment, blocks
from ..sheet import Sheet
from .contacts import names_press, names_procurement

_OTHERS = ("programme", "fund", "coordinator", "partners", "beneficiary")


def read(sheet: Sheet) -> None:
    for seg in sheet.of("website"):
        value, lines, rest = sheet.first_block(seg)
        sheet.release(rest)
        if _names_another(seg.label):
            continue  # the programme's or a partner's page
        if _bare(seg.label) and _office_block(sheet, seg):
            # 'Rückfragehinweis ... Pressesprecher ... Website: www.verwaltung...': the press office's site; under
            # 'Entidad Adjudicadora ... Perfil del Contratante', 'Sitio Web': the tender's buyer's
            continue
        shown = URL.search(_mended(seg))
        if shown and _names_another(value[max(0, shown.start() - 40): shown.start()].rsplit(".", 1)[-1]):
            continue  # '..., tel. 03 000 00 00. Spletna stran programa: www.interregeurope.eu': another's page
        links = [l for line in seg.body for l in line.links if l.startswith("http")]
        match = links[0] if links else (shown.group(0) if shown else None)
        if match and (_unsubscribe(seg.label) or _unsubscribe(match)):
            continue  # 'Avregistrera dig: https://...': the newsletter's own link
        if match:
            address = absolute(match)
            deeper = _deeper(sheet, address)
            # a site's home page under 'Website' (a social profile's, a city's) beside a page of its own on that
            # site the post links ('https://www.zittau.example.org/auennetz'): which is the project's, no label says
            sheet.put("website", address, seg.label_lines + lines,
                      derived=f"a site's home page; the page also links {deeper[0]} on that site, perhaps the "
                              "project's own page" if deeper else None)
            return
    for block in blocks(sheet.free):
        address = lone_address(" ".join(line.text for line in block))
        if address and not _unsubscribe(address):
            sheet.put("website", address, [line.number for line in block])
            return


# a line that is only the rest of an address broken after a slash: 'networks/greenquays', 'en/projects/x.html'
# (a slash, dot or hyphen in it: a word alone, 'Kontakt', is the next line's text)
_PATH_REST = re.compile(r"(?=[\w~-]*[/.-])[\w~-]+(?:[/.?=&#%-][\w~=&%-]*)*/?")


def _mended(seg: Segment) -> str:
    """The segment's first block as one text, an address broken after a slash at a line's end joined again
    ('https://urbact.example.eu/' over 'networks/greenquays', a box's value column in a PDF's text)."""
    head = (blocks(seg.body) or [[]])[0]
    texts = [line.text for line in head]
    for n in range(len(texts) - 1, 0, -1):
        if texts[n - 1].endswith("/") and URL.search(texts[n - 1].split()[-1]) and _PATH_REST.fullmatch(texts[n].strip()):
            texts[n - 1 : n + 1] = [texts[n - 1] + texts[n].strip()]
    # the same read into one table cell ('| Website: | https://urbact.example.eu/ networks/greenquays |'): the
    # value's last word, a path with a slash, dot or hyphen in it, after an address ending in a slash
    return _BROKEN_AT_END.sub(r"\1\2", " ".join(texts))


_BROKEN_AT_END = re.compile(rf"((?:https?://|www\.)\S+/) ({_PATH_REST.pattern})$")


def _bare(label: str) -> bool:
    """A website label that says nothing of whose site it is ('Website', 'Web:'), not 'Project website' or
    'Pour en savoir plus', which point on to the project below a press contact as well."""
    tokens = words(label).split()
    return len(tokens) <= 2 and not _scoped(tokens)


def _scoped(tokens: list[str]) -> bool:
    """A word naming the project itself ('project', 'projektu', 'operazione': labels.yaml ``project_scope``)."""
    return any(t.startswith(s) for t in tokens for s in word_set("labels.yaml", "project_scope"))


def _office_block(sheet: Sheet, seg: Segment) -> bool:
    """Whether the segment's label stands in a press office's or a public buyer's block: one of the few lines
    above it in its section (up to the heading over it, which counts) names the press (labels/<lang>.yaml
    ``press_contact_stems``) or procurement (labels.yaml ``procurement_stems``). Not any heading further up:
    a page headed 'Pressemitteilung' is no press block. Lines are taken in the document's order: an HTML
    paragraph's lines share one source line number."""
    lines = sheet.doc.lines
    first = min(seg.label_lines, default=0)
    label = words(seg.label)
    at = next((i for i, line in enumerate(lines) if line.number == first and words(line.text).startswith(label)),
              next((i for i, line in enumerate(lines) if line.number == first), 0))
    block = []
    for line in reversed(lines[:at]):
        if not line.text:
            continue
        block.append(line)
        if line.heading or len(block) >= _CONTACT_BLOCK:
            break
    return any(names_press(line.text) or names_procurement(line.text) for line in block)


_CONTACT_BLOCK = 6  # lines a contact block takes above its website: office, name, position, phone, e-mail, heading


def _deeper(sheet: Sheet, address: str) -> list[str]:
    """When ``address`` is a site's home page, the addresses the page gives on that site with a path of
    their own, other than the site's own pages (legal notice, privacy, contact: patterns.yaml ``site_pages``)."""
    parts = urlsplit(address)
    if parts.path.strip("/") or parts.query:
        return []
    site = _site(parts.hostname)
    found = []
    for line in sheet.doc.lines:
        for candidate in [*line.links, *(m.group(0) for m in URL.finditer(line.text))]:
            if not candidate.lower().startswith(("http://", "https://", "www.")):
                continue
            given = absolute(candidate)
            other = urlsplit(given)
            first = other.path.strip("/").split("/")[0].lower()
            if _site(other.hostname) == site and first and not _site_page(first) and not _document(other.path):
                found.append(given)
    return list(dict.fromkeys(found))


def _document(path: str) -> bool:
    """A file the site serves ('/rizorsi/il-malti.pdf'), not a page: a project's summary, not its page."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return bool(suffix) and suffix not in ("html", "htm", "php", "asp", "aspx", "jsp")


def _site(host: str | None) -> str:
    host = (host or "").lower()
    return host[4:] if host.startswith("www.") else host


def _site_page(segment: str) -> bool:
    return any(segment.startswith(stem) for stem in load("patterns.yaml")["site_pages"])


def _unsubscribe(text: str) -> bool:
    """A newsletter's unsubscribe or settings link, by its label or its address (patterns.yaml ``unsubscribe_stems``)."""
    if URL.fullmatch(text.strip()):
        parts = urlsplit(absolute(text.strip()))
        text = f"{parts.path} {parts.query}"  # the host is the sender's, whatever its name
    folded = f" {words(text)}"
    return any(f" {words(stem)}" in folded for stem in load("patterns.yaml")["unsubscribe_stems"])


def lone_address(text: str) -> str | None:
    """The web address a text is made of alone ('<www.x.example.org>'), as a record holds it; None otherwise."""
    text = text.strip("<> ")
    return absolute(text) if URL.fullmatch(text) else None


def _names_another(label: str) -> bool:
    """The label names a programme, fund or partner, declined too ('Strona programu', 'Website of the lead partner'),
    or the EU's funds without the project ('Više informacija o EU fondovima')."""
    fields = load("labels.yaml")["fields"]
    others = {kind: fields[kind] for kind in _OTHERS}
    if best_label(label, others)[0]:
        return True
    folded = words(label)
    tokens = folded.split()
    eu = any(t in word_set("labels.yaml", "eu_initials") for t in tokens) \
        or any(contains(folded, n) for n in word_set("labels.yaml", "eu_names"))
    if eu and any(t.startswith(s) for t in tokens for s in word_set("labels.yaml", "fund_stems")) and not _scoped(tokens):
        return True
    stems = {words(l) for kind in _OTHERS for l in fields[kind] if " " not in words(l) and len(words(l)) >= 6}
    return any(token.startswith(stem) and len(token) - len(stem) <= 3 for token in tokens for stem in stems)


def absolute(url: str) -> str:
    """The address as a record holds it: with its scheme, and unwrapped from a redirect (patterns.yaml ``redirect_wrappers``)."""
    url = url if url.lower().startswith(("http://", "https://")) else f"https://{url}"
    return unwrapped(url)


# An archived page's address: '/web/20210727093312/http://x.example.org/', Archive-It's '/<collection>/<timestamp>/...'
_ARCHIVED = re.compile(r"^/(?:web/|\d+/)?\d{4,14}(?:[a-z]{2}_)?/(https?:/{1,2}.+)$", re.IGNORECASE)


def _on(host: str, site: str) -> bool:
    """Whether ``host`` is ``site`` or one of its subdomains ('www.google.com' on 'google.com')."""
    return host == site or host.endswith("." + site)


def unwrapped(url: str) -> str:
    """'https://www.google.com/url?q=https://x.example.org/&sa=D' -> 'https://x.example.org/'; a web archive's
    copy ('https://web.archive.org/web/2021.../http://x.example.org/') -> the original address."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    archived = _ARCHIVED.match(url[url.find(parts.netloc) + len(parts.netloc):]) if parts.netloc else None
    if archived and any(_on(host, site) for site in load("patterns.yaml")["archive_hosts"]):
        return re.sub(r"^(https?:)/(?!/)", r"\1//", archived.group(1))  # 'http:/x' as some archives write it
    for wrapper in load("patterns.yaml")["redirect_wrappers"]:
        if _on(host, wrapper["host"]) and parts.path == wrapper["path"]:
            target = parse_qs(parts.query).get(wrapper["parameter"], [""])[0]
            if target.lower().startswith(("http://", "https://")):
                return target
    return url
