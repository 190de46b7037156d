"""The readers that rewrite a sheet's lines before the field rules run keep the file's line count.

Every value of a draft points at its source lines, and the review page highlights those lines in
the file as the publisher wrote it; a reader that adds or drops a line shifts every later
highlight. These readers were written from hand-made sheets (a pandoc export with tracked changes,
a ``lynx -dump`` page, Hugo and YAML front matter), so hypothesis feeds them arbitrary text built
from their own syntax, and the line count must hold whatever it gets.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from eulod.converters.extract.text import front_matter_lines, lynx_references, tracked_changes

# Pieces of each syntax, mixed with arbitrary text and line breaks: the shapes the readers match
# on, whole and broken.
_TRACKED_PIECES = st.sampled_from([
    "[old]{.deletion author=\"A\" date=\"2025-01-01\"}", "[new]{.insertion author=\"B\"}",
    "[]{.comment-start id=\"0\" author=\"C\"}", "[]{.comment-end id=\"0\"}", "[x]{.insertion\nauthor=\"D\"}",
    "[a\nb]{.deletion}", "{.deletion}", "[", "]", "{", "}", "\n", "\n\n", " ", "\x00",
])
_LYNX_PIECES = st.sampled_from([
    "References", "\nReferences\n", "   1. https://example.org/a", "  12. http://example.org/b\n", "[1]", "[12]",
    "#[3]Site news [4]alternate", "Visible links", "\n", "\n\n", " ", "7.", "https://example.org/",
])
_FRONT_PIECES = st.sampled_from([
    "---", "+++", "---\n", "+++\n", "title = \"X\"", "nazov_de = 'Y'", "[projekt]", "[a.b]", "key: value",
    "list:\n  - one", "  nested: 1", "partners = [\"A\", \"B\"]", "date = 2024-01-01", "\n", " ", "# comment",
])


def _texts(pieces: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(pieces, st.text(max_size=12)), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(_texts(_TRACKED_PIECES))
def test_tracked_changes_keeps_the_line_count(text: str) -> None:
    assert tracked_changes(text).count("\n") == text.count("\n")


@settings(max_examples=400, deadline=None)
@given(_texts(_LYNX_PIECES))
def test_lynx_references_keeps_the_line_count(text: str) -> None:
    raw = text.split("\n")
    lines, references = lynx_references(raw)
    assert len(lines) == len(raw)
    if not references:
        assert lines == raw  # not read as a lynx page: the lines as they were


@settings(max_examples=400, deadline=None)
@given(_texts(_FRONT_PIECES))
def test_front_matter_lines_keeps_the_line_count(text: str) -> None:
    raw = text.split("\n")
    lines = front_matter_lines(raw)
    assert len(lines) == len(raw)
    assert all("\n" not in line for line in lines)


def test_the_readers_do_change_what_they_read() -> None:
    """The properties above hold trivially for a reader that returns its input: these cases do not."""
    assert tracked_changes("a [old]{.deletion}[new]{.insertion} b") == "a new b"
    assert tracked_changes("[x]{.insertion\nauthor=\"D\"} y\n\nz") == "x y\n\n\nz"
    lines, references = lynx_references(["See [1]one [2]two [3]three", "References", "   1. https://a.example.org/",
                                         "   2. https://b.example.org/", "   3. https://c.example.org/"])
    assert references == {1: "https://a.example.org/", 2: "https://b.example.org/", 3: "https://c.example.org/"}
    assert lines[1:] == ["", "", "", ""]
    assert front_matter_lines(["+++", "nazov_de = \"X\"", "+++", "body"])[1] == "nazov de: X"
