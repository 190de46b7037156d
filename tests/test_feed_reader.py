"""The news-feed reader (converters/extract/text.py) on feeds nobody here wrote: generated and hostile.

A feed saved as fetched is read as the page it stands for, each tag replaced where it stands, so
that every line of the draft keeps the number of the line it came from (the review page
highlights those lines). What a hostile or broken feed must not do: shift the line numbers (an
escaped line break, ``&#10;``, in escaped HTML content), or make the reader quadratic (many
opening tags that never close), or crash the extraction.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from eulod.converters.extract.text import feed_as_html, html_lines, is_feed, read_document

TEXT_TAGS = ("description", "summary", "content", "content:encoded", "DESCRIPTION")
FRAGMENTS = st.sampled_from([
    "<item>", "</item>", "<entry>", "</entry>", "<title>", "</title>", "<link>", "</link>", "<guid>", "</guid>",
    *(f"<{t}>" for t in TEXT_TAGS), *(f"</{t}>" for t in TEXT_TAGS), "<description type='html'>",
    "<![CDATA[", "]]>", "&#10;", "&#13;", "&#x2028;", "&#xA;", "&lt;p&gt;", "&lt;/p&gt;", "&lt;br/&gt;", "&amp;",
    "&#x85;", "\n", "\r\n", "<p>", "</p>", "<br/>", "<", ">", "&", " ", "Text", "Ž", "Σ", "<!-- c -->",
])
BODY = st.lists(st.one_of(FRAGMENTS, st.text(max_size=6)), max_size=60).map("".join)


def feed(body: str) -> str:
    return f'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Site</title>\n{body}\n</channel></rss>\n'


@settings(max_examples=300, deadline=None)
@given(BODY)
def test_every_line_keeps_its_number(body: str) -> None:
    """Whatever the items hold, the page has as many lines as the feed, and each line of the
    feed gives one line of the page (counted as the HTML reader counts them: at "\\n")."""
    text = feed(body)
    assert is_feed(text)
    page = feed_as_html(text)
    assert page.count("\n") == text.count("\n")
    for line in html_lines(page):  # numbers within the feed's lines
        assert 1 <= line.number <= text.count("\n") + 1


def _reference(text: str) -> str:
    """What the reader did before its single pass (a lazy search for each closing tag), for
    content without escaped line breaks: the meaning the single pass keeps."""
    escaped = re.compile(r"(<(description|summary|content(?::encoded)?)\b[^<>]*>)(?!<!\[CDATA\[)(.*?)(</\2>)",
                         re.S | re.IGNORECASE)
    return escaped.sub(lambda m: m.group(1) + html.unescape(m.group(3)) + m.group(4), text)


ESCAPED = st.lists(st.sampled_from(["&lt;p&gt;", "&lt;/p&gt;", "&amp;amp;", "&quot;", "Obra", " ", "\n", "é", "&lt;b&gt;x"]),
                   max_size=12).map("".join)
ITEM = st.tuples(st.sampled_from(["description", "summary", "content:encoded"]), ESCAPED, st.booleans()).map(
    lambda t: f"<item><title>T</title><{t[0]}>" + (f"<![CDATA[{t[1]}]]>" if t[2] else t[1]) + f"</{t[0]}></item>")


@settings(max_examples=200, deadline=None)
@given(st.lists(ITEM, max_size=6))
def test_escaped_content_reads_as_before_on_well_formed_feeds(items: list[str]) -> None:
    text = feed("\n".join(items))
    assert _unescaped(text) == _reference(text)


def _unescaped(text: str) -> str:
    from eulod.converters.extract.text import _unescaped_contents

    return _unescaped_contents(text)


def test_an_escaped_line_break_is_a_space_not_a_new_line() -> None:
    text = feed("<item><title>Works</title><description>Start&#10;&#13;&#x2028;2024&lt;br&gt;end</description></item>")
    page = feed_as_html(text)
    assert page.count("\n") == text.count("\n")
    assert "Start   2024<br>end" in page


HOSTILE = {
    "openings that never close": "<description>x" * 130_000,
    "items nested eighty thousand deep": "<item><title>t</title>" * 80_000,
    "a megabyte of one tag's attributes": "<description " + "a='1' " * 180_000 + ">x</description>",
    "unterminated CDATA": "<description><![CDATA[" + "x" * 1_000_000,
    "escaped markup a megabyte long": "<description>" + "&lt;b&gt;" * 120_000 + "</description>",
}


def test_hostile_feeds_are_read_in_linear_time(tmp_path) -> None:
    """Each hostile feed (about a megabyte) is read by the extractor in a process of its own.
    Quadratic, the first took about 9 minutes; the limit is far above the second it takes."""
    for name, body in HOSTILE.items():
        path = tmp_path / "feed.xml"
        path.write_text(feed(body), "utf-8")
        program = ("import sys; from eulod.converters.extract.text import read_document; "
                   "d = read_document(__import__('pathlib').Path(sys.argv[1])); print(len(d.lines))")
        done = subprocess.run([sys.executable, "-c", program, str(path)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (name, done.stderr[-2000:])
        assert int(done.stdout) >= 0


def test_a_broken_feed_still_gives_its_words(tmp_path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(feed("<item><title>Solar roofs</title><description>&lt;p&gt;Total cost: 1 000 EUR"), "utf-8")
    texts = [line.text for line in read_document(path).lines if line.text]
    assert "Solar roofs" in texts and any("Total cost" in t for t in texts), texts
