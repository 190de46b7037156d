"""SPARQL queries kept as data files (``queries/*.rq`` beside the package that runs them)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=None)
def stored_query(package: str, name: str) -> str:
    """The text of a SPARQL query kept as a data file in ``package``'s ``queries`` folder."""
    return resources.files(package).joinpath("queries", name).read_text("utf-8")
