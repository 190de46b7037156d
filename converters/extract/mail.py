"""A fact sheet that is an e-mail as saved (``.eml``, RFC 5322 with MIME parts), read as its reader sees it.

A newsletter saved from a mail client holds its text encoded (quoted-printable, base64, headers in
``=?utf-8?b?...?=`` words), often twice: a plain-text part and an HTML part. Read raw, every
accented letter is ``=C3=A5`` and every fact appears in markup. Python's ``email`` package decodes
the message; the HTML part is taken when there is one (its headings and labels are the structure
the extractor reads), else the plain text, and the header fields a reader sees open the text.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage

# A header block's first line ('Return-Path: <...>', 'From: ...') and the MIME fields that make it a message.
_HEADER = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{1,40}:")
_MIME = re.compile(rb"^(?:MIME-Version|Content-Type|Content-Transfer-Encoding)\s*:", re.IGNORECASE | re.MULTILINE)
SHOWN_HEADERS = ("From", "To", "Date", "Subject")


@dataclass
class Mail:
    """The message as read: the header lines a reader sees, and the body part's text."""

    headers: list[str]
    body: str
    html: bool


def is_message(data: bytes) -> bool:
    """A MIME message: it opens with a header field, and its header block (up to the first blank line)
    declares MIME. A pasted 'From: ... Subject: ...' block over plain text is not one."""
    start = data.lstrip()[:64]
    if not _HEADER.match(start):
        return False
    head = re.split(rb"\r?\n\r?\n", data.lstrip(), maxsplit=1)[0]
    return bool(_MIME.search(head))


def read_message(data: bytes) -> Mail | None:
    """The message's shown headers and its HTML (else plain-text) part, decoded; None when it has neither."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage):
        return None
    part = message.get_body(preferencelist=("html", "plain"))
    if part is None:
        return None
    try:
        body = part.get_content()
    except (LookupError, ValueError):  # an unknown charset or a broken encoding: the bytes as UTF-8, replaced where broken
        body = (part.get_payload(decode=True) or b"").decode("utf-8", errors="replace")
    if not isinstance(body, str):
        return None
    headers = []
    for name in SHOWN_HEADERS:
        value = message.get(name)
        if value is not None:
            headers.append(f"{name}: {' '.join(str(value).split())}")
    return Mail(headers, body.replace("\r\n", "\n"), part.get_content_subtype() == "html")
