"""Read-only handles on the store a server serves: the local build's current generation, or a remote store.

The endpoint's :class:`StoreHandle` notices a new generation and reopens, so ``eulod build``
can run beside a live server; it refuses an incomplete generation (eulod.core.generation).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from eulod.core.generation import CURRENT, MANIFEST, Generation, StoreMissing, current_generation, linked_generation
from eulod.core.remote.handle import RemoteHandle

if TYPE_CHECKING:
    from eulod.core.config import Settings

log = logging.getLogger(__name__)


class StoreHandle:
    """The current generation's store, opened read-only, reopened when a build switches it.

    Checking is a readlink at most every ``check_interval`` seconds, cheap enough to do on
    every request.
    """

    def __init__(self, build_dir: Path, check_interval: float = 1.0) -> None:
        self.build_dir = build_dir
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._generation: Generation | None = None
        self._store: ox.Store | None = None
        self._manifest: dict[str, Any] = {}
        self._checked = 0.0
        self._refused: Path | None = None  # the incomplete generation last refused, so it is logged once

    def _refresh(self) -> None:
        now = time.monotonic()
        if self._store is not None and now - self._checked < self.check_interval:
            return
        with self._lock:
            if self._store is not None and now - self._checked < self.check_interval:
                return
            self._checked = now
            generation = current_generation(self.build_dir)
            if generation is None:
                refused = self._incomplete_target()
                if self._store is None:
                    raise StoreMissing(
                        f"{self.build_dir}/{CURRENT} points to generation {refused.id}, which is incomplete "
                        f"(no {MANIFEST}: its build did not finish): run 'eulod build'" if refused else
                        f"no built store under {self.build_dir}/{CURRENT}: run 'eulod build' first"
                    )
                return
            if self._generation is None or generation.path != self._generation.path:
                log.info("opening store generation %s", generation.id)
                store = ox.Store.read_only(str(generation.store_path))
                manifest = generation.manifest()
                self._store, self._manifest, self._generation = store, manifest, generation

    def _incomplete_target(self) -> Generation | None:
        """The incomplete generation ``current`` points to, if that is why there is none; said once in the log."""
        linked = linked_generation(self.build_dir)
        if linked is not None and linked.path != self._refused:
            self._refused = linked.path
            log.warning("generation %s is incomplete (no %s), not serving it; %s", linked.id, MANIFEST,
                        f"still serving {self._generation.id}" if self._generation else "nothing to serve")
        return linked

    @property
    def store(self) -> ox.Store:
        self._refresh()
        assert self._store is not None
        return self._store

    @property
    def generation(self) -> Generation:
        self._refresh()
        assert self._generation is not None
        return self._generation

    @property
    def manifest(self) -> dict[str, Any]:
        self._refresh()
        return self._manifest


def open_handle(settings: "Settings") -> "StoreHandle | RemoteHandle":
    """The store the endpoint serves: a remote SPARQL store when one is configured, else the local build.

    Both handles have ``.store`` (with pyoxigraph's ``query`` signature and result types),
    ``.manifest`` and ``.generation``, so the endpoint does not know which one it has.
    """
    if settings.remote_query_url:
        log.info("serving the remote store at %s", settings.remote_query_url)
        return RemoteHandle(settings)
    return StoreHandle(settings.build_dir)
