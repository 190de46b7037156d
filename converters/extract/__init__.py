"""Fact sheets (text, Markdown, HTML, any EU language) to draft records.

``extract_file(path)`` returns a :class:`Draft`: the record in the canonical format with a
``review`` list and per-field ``provenance``, or the reasons there is none.
"""

from .factsheet import Draft, extract_document, extract_file, source_name

__all__ = ["Draft", "extract_document", "extract_file", "source_name"]
