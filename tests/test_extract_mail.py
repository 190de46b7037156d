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


# Saved messages as mail clients export them, and as an attacker would write them.

def _sheet(tmp_path: Path, data: bytes, name: str = "message.eml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _raw(content_type: str, body: bytes, cte: str = "8bit", extra: str = "") -> bytes:
    head = ("From: EU-nytt <nyhetsbrev@example.org>\nSubject: Nyhetsbrev\nMIME-Version: 1.0\n"
            f"Content-Type: {content_type}\nContent-Transfer-Encoding: {cte}\n{extra}\n")
    return head.encode("ascii") + body


def test_an_mbox_exports_separator_line_opens_a_message_still_read_decoded(tmp_path: Path) -> None:
    """Thunderbird's and mutt's exports put 'From - <date>' (no colon) before the header block."""
    message = _message("Projektet pågår i Luleå och Boden.\n", None, "EU-nytt", "quoted-printable")
    for separator in (b"From - Thu Oct 16 08:30:12 2025\n", b"From nyhetsbrev@example.org Thu Oct 16 08:30:12 2025\r\n"):
        texts = _texts(_sheet(tmp_path, separator + message))
        assert "Projektet pågår i Luleå och Boden." in texts
        assert not any("=C3" in text for text in texts)


def test_the_html_part_of_a_mixed_message_is_read_and_its_attachment_is_not(tmp_path: Path) -> None:
    message = EmailMessage()
    message["From"], message["Subject"] = "Region <info@example.org>", "Faktablad"
    message.set_content("Projektet Grön kompetens (ren text)")
    message.add_alternative("<html><body><h2>Grön kompetens</h2><p>Projektet pågår till 2028.</p></body></html>",
                            subtype="html")
    attachment = b"%PDF-1.7\n" + bytes(range(256)) * 8
    message.add_attachment(attachment, maintype="application", subtype="pdf", filename="faktablad.pdf")
    lines = read_document(_sheet(tmp_path, bytes(message))).lines
    texts = [line.text for line in lines if line.text]
    assert "Projektet pågår till 2028." in texts
    assert "Projektet Grön kompetens (ren text)" not in texts
    assert not any("JVBERi0" in text or "faktablad.pdf" in text for text in texts)  # base64 of '%PDF-' not read


def test_a_message_with_only_an_attachment_says_so_and_names_it(tmp_path: Path) -> None:
    message = EmailMessage()
    message["From"], message["Subject"] = "Region <info@example.org>", "Faktablad"
    message.add_attachment(b"%PDF-1.7\n...", maintype="application", subtype="pdf", filename="faktablad.pdf")
    draft = extract_file(_sheet(tmp_path, bytes(message)))
    assert draft.record is None
    assert any("no text or HTML part" in error and "faktablad.pdf" in error for error in draft.problems)


def test_an_unknown_charset_is_read_as_utf8_and_said(tmp_path: Path) -> None:
    body = "Projektet pågår i Luleå.\n".encode()
    document = read_document(_sheet(tmp_path, _raw('text/plain; charset="x-klingon"', body)))
    assert "Projektet pågår i Luleå." in [line.text for line in document.lines]
    assert any("unknown charset" in warning and "x-klingon" in warning for warning in document.warnings)


@given(charset=st.sampled_from([None, "us-ascii"]), encoding=st.sampled_from(["utf-8", "cp1252"]))
@settings(max_examples=8, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_8bit_text_without_a_true_charset_is_read_as_its_bytes_are(tmp_path: Path, charset: str | None,
                                                                     encoding: str) -> None:
    """Mailers send 8-bit text with no charset, or claim ASCII by default: UTF-8 where the bytes are, else
    Windows-1252, never 'Ã¥' or replacement characters."""
    content_type = "text/html" + (f"; charset={charset}" if charset else "")
    body = "<html><body><p>Projektet pågår i Luleå, Göteborg och Malmö.</p></body></html>".encode(encoding)
    texts = _texts(_sheet(tmp_path, _raw(content_type, body)))
    assert "Projektet pågår i Luleå, Göteborg och Malmö." in texts


def _nested(depth: int) -> bytes:
    inner = "Content-Type: text/plain; charset=utf-8\n\nProjektet Grön kompetens\n".encode()
    for level in range(depth):
        inner = (f"Content-Type: multipart/mixed; boundary=b{level}\n\n--b{level}\n".encode()
                 + inner + f"\n--b{level}--\n".encode())
    return b"From: x@example.org\nMIME-Version: 1.0\n" + inner


def test_parts_nested_beyond_reason_are_refused_with_a_reason(tmp_path: Path) -> None:
    draft = extract_file(_sheet(tmp_path, _nested(3000)))
    assert draft.record is None
    assert any("nested too deeply" in error or "parts" in error for error in draft.problems)
    assert "Projektet Grön kompetens" in _texts(_sheet(tmp_path, _nested(3), "shallow.eml"))


def test_a_message_of_thousands_of_parts_is_refused_with_a_reason(tmp_path: Path) -> None:
    parts = b"".join(b"--p\nContent-Type: text/plain\n\nDel %d\n" % number for number in range(2000))
    data = b"From: x@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=p\n\n" + parts + b"--p--\n"
    draft = extract_file(_sheet(tmp_path, data))
    assert draft.record is None
    assert any("parts" in error for error in draft.problems)


HOSTILE_FIELDS = st.sampled_from([
    "<", "=?utf-8?q?=?=", "=?x-unknown?b?AAAA?=", "<<<@@@>>>", "\"unterminated <a@", "=?utf-8?b?////?=",
    "a" * 3000, "Grön <grön@exämple.org>", "=?utf-8?Q?G=C3=B6teborg?= <a@example.org>", ",,,;;;:::",
])
CONTENT_TYPES = st.sampled_from([
    "text/html", "text/plain; charset=utf-8", "text/html; charset=\"", "multipart/alternative; boundary=x",
    "multipart/mixed", "multipart/mixed; boundary=", "message/rfc822", "application/pdf", "text/plain; charset=utf-7",
    "text/html; charset=../../etc/passwd", "multipart/related; boundary=\"x\"; type=text/html",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sender=HOSTILE_FIELDS, subject=HOSTILE_FIELDS, content_type=CONTENT_TYPES,
       cte=st.sampled_from(["base64", "quoted-printable", "7bit", "8bit", "x-uuencode", "binary", "bogus"]),
       body=st.binary(max_size=600) | st.text(max_size=300).map(lambda text: ("--x\n" + text + "\n--x--").encode()))
def test_no_hostile_message_makes_the_reader_raise(tmp_path: Path, sender: str, subject: str, content_type: str,
                                                   cte: str, body: bytes) -> None:
    """Whatever the fields and parts, a saved message gives a draft or a reason, never an exception."""
    head = (f"From: {sender}\nSubject: {subject}\nMIME-Version: 1.0\nContent-Type: {content_type}\n"
            f"Content-Transfer-Encoding: {cte}\n\n").encode("utf-8")
    draft = extract_file(_sheet(tmp_path, head + body))
    assert draft.record is not None or draft.problems
