"""Keeping the home page ready: a background thread reads each new generation's listing before anyone asks.

Opening the listing is quick when the build wrote it; ordering its titles takes a few
tenths of a second per language at 100 000 projects, and a store without a listing file
(a remote one) has it written from the store, a minute at that size. A server process
therefore prepares it in a background thread as soon as it starts serving, and again as
soon as a build switches the store, instead of making the first visitor after a start or
a build wait. The thread polls the generation at the store handle's own check interval
(a readlink): polling, rather than waiting for a request to notice the switch, is what
lets the new listing be ready before anyone asks for it. Requests arriving meanwhile wait
on the cache's lock, as they would for a reading of their own; they never see a partial
listing. Only the server factory (eulod.endpoint.server) starts it, so the Flask test
client and create_app() stay as they were.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from .. import i18n
from ..listing import Listing, ListingCache, listing_cache
from ..sparql import warm_query_processes
from .home import language_view

log = logging.getLogger(__name__)

WARMUP_THREAD = "eulod-home-warmup"


WARMUP_RETRY = 30.0  # seconds before trying again after a failed reading (e.g. a remote store down)


def start_home_warmup(app: Any, interval: float = 1.0) -> threading.Thread:
    """Keep the home page's listing ready for the current store generation, in the background."""
    thread = threading.Thread(target=_keep_warm, args=(app, interval), name=WARMUP_THREAD, daemon=True)
    thread.start()
    return thread


def _keep_warm(app: Any, interval: float) -> None:
    cache = listing_cache(app)
    handle = app.extensions["eulod_store"]
    while True:
        pause = interval
        try:
            if not cache.holds(handle.generation.id):
                warm(app, cache, handle)
        except Exception:  # noqa: BLE001 -- the thread must outlive any one failure; requests read on demand
            log.warning("home page warm-up failed; the first request will read the listing", exc_info=True)
            pause = WARMUP_RETRY
        time.sleep(pause)


def warm(app: Any, cache: ListingCache, handle: Any) -> Listing:
    """Start the query processes on the store, then open the listing and prepare every
    interface language's view of it (title order, labels, charts, the rank an organisation's
    projects are ordered by)."""
    with app.app_context():
        warm_query_processes()
        index = cache.get(handle, reason="warm-up")
        for lang in i18n.LANGUAGES:
            index.rank(lang)  # the title order, and each project's place in it (organisation pages)
            language_view(index, lang)
    return index
