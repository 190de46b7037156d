"""When a build or an import happened: now, or ``SOURCE_DATE_EPOCH`` for reproducible output."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Mapping


def build_time(environ: Mapping[str, str] | None = None) -> datetime:
    """Now (UTC, whole seconds), or the moment ``SOURCE_DATE_EPOCH`` names when it is set.

    The reproducible-builds convention (https://reproducible-builds.org/specs/source-date-epoch/):
    with the variable set, two builds of the same input give byte-identical dumps, and an
    import of the same files gives the same records whatever day it runs.
    """
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), timezone.utc)
    return datetime.now(timezone.utc).replace(microsecond=0)
