"""The source document page: the copy of a fact sheet the build kept, and the records made from it."""

from __future__ import annotations

import re
import stat

from flask import Response

from eulod.core.generation import SOURCES_DIR

from .. import i18n
from ..context import store_handle
from .facts import DCT, FOAF, PROV, Facts, alternates, local, page_response, run


def source_page(iri: str, path: str) -> Response:
    lang = i18n.language()
    facts = Facts(run("page-source.rq", this=iri), lang)
    # Only a document the build copied is shown: a plain file name as eulod.core.iris.slugify_file
    # makes it (no '/', '\', '..', NUL or escapes; not hidden), naming a regular file that is
    # directly in the generation's sources folder (a symlink there is refused, not followed).
    # A store that describes some other source IRI (a remote store, an edited one) shows none.
    name = iri.rsplit("/", 1)[-1]
    folder = store_handle().generation.path / SOURCES_DIR
    text = None
    if re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}", name):
        copy = folder / name
        try:
            plain = stat.S_ISREG(copy.lstat().st_mode) and copy.resolve().parent == folder.resolve()
        except OSError:
            plain = False
        if plain:
            text = copy.read_text("utf-8", errors="replace")
    records = [
        {"href": local(record), "project": {"href": local(p), "title": facts.text(p, DCT + "title")}
         if (p := facts.iri(record, FOAF + "primaryTopic")) else None}
        for record in facts.subjects(PROV + "wasDerivedFrom", iri)
    ]
    source = {"title": facts.label(iri), "page": facts.iri(iri, FOAF + "page"), "text": text, "records": records}
    return page_response("source.html", iri, source=source, iri=iri, alternates=alternates(path))
