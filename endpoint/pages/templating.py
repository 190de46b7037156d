"""What every HTML page shares: the reader's language in ``Vary``, and the template globals."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from flask import Response, request

from eulod.core.namespaces import sparql_prologue

from .. import i18n


def vary_on_language(response: Response) -> Response:
    """Every HTML page speaks the reader's language, so caches must keep one copy per language."""
    if response.mimetype == "text/html" and "Accept-Language" not in response.headers.get("Vary", ""):
        response.headers["Vary"] = ", ".join(v for v in (response.headers.get("Vary"), "Accept-Language") if v)
    return response


def globals_for_templates() -> dict:
    """The interface language, its messages and the formatting helpers, in every template."""
    lang = i18n.language()
    args = {k: v for k, v in request.args.items() if k != "lang"}

    def switch(target: str) -> str:
        """This page in another language: a query-only link, so the path (whatever the
        visitor typed, ``//host`` included) is never written into the page."""
        return "?" + urlencode({**args, "lang": target})

    return {
        "prologue": sparql_prologue(),
        "lang": lang,
        "languages": i18n.LANGUAGES,
        "_": lambda key, **values: i18n.translate(key, lang, **values),
        "switch_language": switch,
        "today": date.today,
    }
