"""A SQLite file of a generation, written whole or not at all.

The listing and the search index are files the servers open by name while a build may be
writing the next generation's: each is written to a temporary file beside its target and renamed
when complete, so a reader never opens half of one, and a failed write leaves nothing.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


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
