"""A fact sheet that is an e-mail as saved (``.eml``, RFC 5322 with MIME parts), read as its reader sees it.

A newsletter saved from a mail client holds its text encoded (quoted-printable, base64, headers in
``=?utf-8?b?...?=`` words), often twice: a plain-text part and an HTML part. Read raw, every
accented letter is ``=C3=A5`` and every fact appears in markup. Python's ``email`` package decodes
the message; the HTML part is taken when there is one (its headings and labels are the structure
the extractor reads), else the plain text, and the header fields a reader sees open the text.

Saved messages come from many clients and some are hostile, so reading one never raises anything
but :class:`UnreadableMessage`, whose text says why for the user: a message with only attachments,
parts nested beyond reason, a charset nobody knows (read as UTF-8 with a warning instead).
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.message import EmailMessage

# A header block's first line ('Return-Path: <...>', 'From: ...') and the MIME fields that make it a message.
_HEADER = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{1,40}:")
_MIME = re.compile(rb"^(?:MIME-Version|Content-Type|Content-Transfer-Encoding)\s*:", re.IGNORECASE | re.MULTILINE)
# The separator line an mbox export puts before each message ('From - Thu Oct 16 08:30:12 2025',
# 'From sender@example.org Thu Oct 16 ...'): no colon after 'From', so not a header field.
_MBOX_FROM = re.compile(rb"^From [^\r\n:]*(?::[^\r\n]*)?\r?\n")
SHOWN_HEADERS = ("From", "To", "Date", "Subject")
MAX_MESSAGE_BYTES = 25_000_000  # attachments make a saved message far larger than its text; mail systems refuse more
MAX_PARTS = 500  # a newsletter has a few parts; thousands are an attack on the reader, not a fact sheet


class UnreadableMessage(Exception):
    """The message holds nothing a fact sheet can be read from; the text says why, for the user."""


@dataclass
class Mail:
    """The message as read: the header lines a reader sees, and the body part's text."""

    headers: list[str]
    body: str
    html: bool
    warnings: list[str] = field(default_factory=list)


def _without_mbox_line(data: bytes) -> bytes:
    """The message without the mbox separator line a client's export may open with."""
    data = data.lstrip()
    found = _MBOX_FROM.match(data)
    if found and _HEADER.match(data[found.end():found.end() + 64]):
        return data[found.end():]
    return data


def is_message(data: bytes) -> bool:
    """A MIME message: it opens with a header field (after an mbox separator line, if any), and its
    header block (up to the first blank line) declares MIME. A pasted 'From: ... Subject: ...' block
    over plain text is not one."""
    data = _without_mbox_line(data)
    if not _HEADER.match(data[:64]):
        return False
    head = re.split(rb"\r?\n\r?\n", data, maxsplit=1)[0]
    return bool(_MIME.search(head))


def _decoded(part: EmailMessage, warnings: list[str]) -> str:
    """A text part's characters: in its declared charset; with none declared (or only ASCII, which
    mailers that send 8-bit text without a charset claim by default) UTF-8 where the bytes are, else
    Windows-1252 as mail clients read them; an unknown charset as UTF-8, with a warning."""
    payload = part.get_payload(decode=True) or b""
    charset = (part.get_content_charset() or "").lower()
    if charset and charset not in ("us-ascii", "ascii"):
        try:
            return payload.decode(charset, errors="replace")
        except LookupError:
            warnings.append(f"the message's text declares an unknown charset ({charset[:40]}); read as UTF-8")
            return payload.decode("utf-8", errors="replace")
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload.decode("cp1252", errors="replace")


def _attachments(message: EmailMessage) -> list[str]:
    """The names of a message's parts that are not text (what to tell a user whose message has no text)."""
    try:
        return [str(part.get_filename() or part.get_content_type()) for part in message.walk()
                if not part.is_multipart() and part.get_content_maintype() != "text"]
    except Exception:  # noqa: BLE001 - the names only decorate the error; a hostile part's name is left out
        return []


def _shown(message: EmailMessage, name: str) -> str | None:
    """A header field as a reader sees it (encoded words decoded); as written when it cannot be parsed.

    The policy parses a field when it is asked for, and a hostile or broken field can make that
    parser raise anything; the raw text is what a mail client would show then."""
    try:
        value = message.get(name)
        return None if value is None else str(value)
    except Exception:  # noqa: BLE001 - any parser failure on a hostile field: show it as written
        return next((str(raw) for key, raw in message.raw_items() if key.lower() == name.lower()), None)


def read_message(data: bytes) -> Mail:
    """The message's shown headers and its HTML (else plain-text) part, decoded.

    Raises :class:`UnreadableMessage` when there is no text to read (only attachments), when the
    message is larger than any mail system carries, or when its parts are too many or nested too deeply."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise UnreadableMessage(f"the message has {len(data):,} bytes; a saved e-mail over "
                                f"{MAX_MESSAGE_BYTES:,} bytes is not read")
    try:
        message = email.message_from_bytes(_without_mbox_line(data), policy=email.policy.default)
        if sum(1 for _ in message.walk()) > MAX_PARTS:
            raise UnreadableMessage(f"the message has more than {MAX_PARTS} parts; it is not a fact sheet")
        part = message.get_body(preferencelist=("html", "plain"))
    except RecursionError:
        raise UnreadableMessage("the message's parts are nested too deeply to read") from None
    if not isinstance(message, EmailMessage) or part is None:
        found = _attachments(message) if isinstance(message, EmailMessage) else []
        raise UnreadableMessage("the message holds no text or HTML part to read"
                                + (f" (only {', '.join(found[:5])}: save an attached fact sheet and extract it)"
                                   if found else ""))
    warnings: list[str] = []
    body = _decoded(part, warnings)
    headers = [f"{name}: {' '.join(value.split())}" for name in SHOWN_HEADERS
               if (value := _shown(message, name)) is not None]
    return Mail(headers, body.replace("\r\n", "\n").replace("\r", "\n"), part.get_content_subtype() == "html", warnings)
