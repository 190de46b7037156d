"""A SQLite file of a generation, written whole or not at all.

The listing and the search index are files the servers open by name while a build may be
writing the next generation's: each is written to a temporary file beside its target and renamed
when complete, so a reader never opens half of one, and a failed write leaves nothing.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import contextmanager
from functools import cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Iterable, Iterator

from eulod.core.software import version


@cache
def writer() -> str:
    """What writes a file's rows (its meta "software"): eulod's and the stemmer's versions. An
    incremental update keeps the rows of the previous file it does not touch, so it writes the
    file whole when another version made them. (Not the git commit: every commit would then write
    them whole; a change of what a row holds within one version bumps the file's FORMAT.)"""
    try:
        stemmer = package_version("snowballstemmer")
    except PackageNotFoundError:
        stemmer = "unknown"
    return f"eulod {version()}; snowballstemmer {stemmer}"


@contextmanager
def written_whole(target: Path, schema: str) -> Iterator[sqlite3.Connection]:
    """A connection to a new database with ``schema``, renamed to ``target`` once the block
    ends without an exception (committed and closed first); on one, the file is removed."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    try:
        db = sqlite3.connect(temporary)
        try:
            db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + schema)
            yield db
            db.commit()
        finally:
            db.close()
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextmanager
def patched_copy(previous: Path, target: Path) -> Iterator[sqlite3.Connection]:
    """A connection to a copy of ``previous`` (the previous generation's file), renamed to
    ``target`` once the block ends without an exception, as :func:`written_whole` does.

    An incremental step changes a few rows of a copy instead of writing the file again; the
    previous file is never written to (a server may be reading it).
    """
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    try:
        shutil.copyfile(previous, temporary)
        db = sqlite3.connect(temporary)
        try:
            db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
            yield db
            db.commit()
        finally:
            db.close()
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def temporary_table(db: sqlite3.Connection, name: str, columns: str, rows: Iterable[tuple]) -> str:
    """Fill the connection's temporary table ``name`` with ``rows`` (duplicates kept once when the
    columns declare a key); returns the name to join with, ``temp.name``.

    A set of ids or names (the records an incremental build converts again, the documents they
    name) joined in SQL rather than bound as parameters: they can be tens of thousands. The
    table is created on first use and emptied each time, so a connection asking twice never
    mixes two sets.
    """
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns})")
    db.execute(f"DELETE FROM temp.{name}")
    marks = ", ".join("?" * len(columns.split(",")))
    db.executemany(f"INSERT OR IGNORE INTO temp.{name} VALUES ({marks})", rows)
    return f"temp.{name}"
