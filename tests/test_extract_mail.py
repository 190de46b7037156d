"""A fact sheet saved as an e-mail (.eml): read as its reader sees it, decoded, whatever the transfer encoding."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eulod.converters.extract.factsheet import extract_file
from eulod.converters.extract.text import read_document

# Words of any script a newsletter is written in, with the letters quoted-printable and base64 encode.
WORD = st.text(alphabet=st.characters(categories=("Lu", "Ll", "Nd"), min_codepoint=0x30, max_codepoint=0x2FFF),
               min_size=1, max_size=12)


def _message(plain: str | None, html: str | None, subject: str, cte: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Region Norrbotten – EU-nytt <nyhetsbrev@example.org>"
    message["To"] = "reader@example.org"
    message["Subject"] = subject
    message["Date"] = "Thu, 16 Oct 2025 08:30:12 +0200"
    if plain is not None:
        message.set_content(plain, cte=cte)
    if html is not None:
        if plain is None:
            message.set_content(html, subtype="html", cte=cte)
        else:
            message.add_alternative(html, subtype="html", cte=cte)
    return bytes(message)


def _texts(path: Path) -> list[str]:
    return [line.text for line in read_document(path).lines if line.text]


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(WORD, min_size=3, max_size=12), cte=st.sampled_from(["quoted-printable", "base64", "8bit"]))
def test_a_saved_messages_text_is_read_decoded(tmp_path: Path, words: list[str], cte: str) -> None:
    sentence = " ".join(words)
    path = tmp_path / "newsletter.eml"
    path.write_bytes(_message(f"Nyhetsbrev\n\n{sentence}\n", None, "EU-nytt nr 5/2025: grön kompetens", cte))
    texts = _texts(path)
    assert sentence in texts
    assert "Subject: EU-nytt nr 5/2025: grön kompetens" in texts  # the encoded header word decoded
    assert not any("=C3" in text or "=?utf-8?" in text for text in texts)


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(WORD, min_size=3, max_size=12))
def test_the_html_part_is_read_when_there_is_one(tmp_path: Path, words: list[str]) -> None:
    sentence = " ".join(words)
    path = tmp_path / "newsletter.eml"
    html = f"<html><body><h2>Projekt</h2><p>{sentence}</p></body></html>"
    path.write_bytes(_message(f"PLAIN {sentence}\n", html, "EU-nytt", "quoted-printable"))
    lines = read_document(path).lines
    texts = [line.text for line in lines if line.text]
    assert sentence in texts and f"PLAIN {sentence}" not in texts
    assert any(line.heading and line.text == "Projekt" for line in lines)  # the part's structure kept
    assert texts[0].startswith("From: ")


def test_a_pasted_header_block_over_plain_text_is_not_a_message(tmp_path: Path) -> None:
    """'From: ... Subject: ...' typed above a text (no MIME fields) is read as written: '=C3=A5' stays."""
    path = tmp_path / "pasted.txt"
    path.write_text("From: A <a@example.org>\nSubject: Notes\n\nProjektet p=C3=A5 gr=C3=B6n kompetens\n", encoding="utf-8")
    assert "Projektet p=C3=A5 gr=C3=B6n kompetens" in _texts(path)


def test_a_newsletters_project_facts_are_read_from_its_encoded_parts(tmp_path: Path) -> None:
    """The facts of a quoted-printable newsletter come out as text a reader sees, not '=C3=B6'."""
    html = ("<html lang=\"sv\"><body><h1>Grön kompetens Boden</h1>"
            "<p>Projektet pågår från den 1 september 2025 till den 31 augusti 2028.</p>"
            "<p><strong>Projektägare:</strong> Bodens kommun</p></body></html>")
    path = tmp_path / "newsletter.eml"
    path.write_bytes(_message(None, html, "Ny satsning på grön kompetens", "quoted-printable"))
    record = extract_file(path).record
    assert record is not None
    assert record["start_date"] == "2025-09-01" and record["end_date"] == "2028-08-31"
    assert record["language"] == "sv"
    assert any(p["organisation"]["name"].get("sv") == "Bodens kommun" for p in record.get("participants", []))
