"""HTTP validators for everything served from a store generation: ETag, Last-Modified, Vary."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import Response, request

from .context import store_handle


def caching(response: Response, variant: str) -> Response:
    """ETag and Last-Modified from the store generation: they change exactly when the data does."""
    manifest = store_handle().manifest
    generation = manifest.get("generation", "")
    response.set_etag(hashlib.sha256(f"{generation}|{variant}".encode()).hexdigest()[:32])
    if manifest.get("built"):
        response.last_modified = datetime.fromisoformat(manifest["built"])
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response.make_conditional(request)
