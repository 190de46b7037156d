"""Store access: generations on disk, an atomic switch, and read-only handles for serving.

A build writes a complete new *generation* (store, dumps, manifest) in its own folder and
then repoints one symlink, ``build/current``, with an atomic rename. Readers therefore see
either the old generation or the new one, never a half-loaded store; a failed build leaves
``current`` untouched. The endpoint's :class:`StoreHandle` notices a new generation and
reopens, so ``eulod build`` can run beside a live server.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

if TYPE_CHECKING:
    from eulod.config import Settings
    from eulod.remote import RemoteHandle

log = logging.getLogger(__name__)

CURRENT = "current"
GENERATIONS = "generations"
STORE_DIR = "store"
MANIFEST = "manifest.json"
LISTING = "listing.sqlite"  # the home page's listing (eulod.listing)
KEEP_GENERATIONS = 2  # the current one and the one a running server may still hold open


@lru_cache(maxsize=None)
def stored_query(package: str, name: str) -> str:
    """The text of a SPARQL query kept as a data file in ``package``'s ``queries`` folder."""
    return resources.files(package).joinpath("queries", name).read_text("utf-8")


class StoreMissing(RuntimeError):
    """No built store where one was expected; the message says how to make one."""


@dataclass(frozen=True)
class Generation:
    """One complete build output: ``path/store``, ``path/dumps``, ``path/listing.sqlite``, ``path/manifest.json``."""

    path: Path

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def store_path(self) -> Path:
        return self.path / STORE_DIR

    @property
    def dumps_path(self) -> Path:
        return self.path / "dumps"

    @property
    def listing_path(self) -> Path:
        """The home page's listing (eulod.listing), absent from generations built before it existed."""
        return self.path / LISTING

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    def manifest(self) -> dict[str, Any]:
        return json.loads(self.manifest_path.read_text("utf-8"))


def new_generation(build_dir: Path) -> Generation:
    """A fresh, empty generation folder, named so that names sort by creation time."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    path = build_dir / GENERATIONS / f"{stamp}-{os.getpid()}"
    path.mkdir(parents=True)
    return Generation(path)


def current_generation(build_dir: Path) -> Generation | None:
    link = build_dir / CURRENT
    if not link.is_symlink() and not link.exists():
        return None
    target = link.resolve()
    return Generation(target) if target.is_dir() else None


def write_manifest(generation: Generation, manifest: dict[str, Any]) -> None:
    atomic_write_bytes(generation.manifest_path, json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8"))


def atomic_write_bytes(target: Path, payload: bytes) -> None:
    """Write via a temporary file in the same folder and rename: readers never see half a file."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)


def switch_to(build_dir: Path, generation: Generation) -> None:
    """Make ``generation`` current with one atomic rename, then prune old generations."""
    link = build_dir / CURRENT
    temporary = build_dir / f".{CURRENT}.{os.getpid()}.tmp"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(generation.path.relative_to(build_dir))
    os.replace(temporary, link)
    _link_conveniences(build_dir)
    prune(build_dir, keep=KEEP_GENERATIONS)


def _link_conveniences(build_dir: Path) -> None:
    """build/store and build/dumps point through build/current, so they never need updating."""
    for name in (STORE_DIR, "dumps"):
        link = build_dir / name
        if not link.is_symlink():
            if link.exists():
                continue  # something the user put there; leave it alone
            link.symlink_to(Path(CURRENT) / name)


def prune(build_dir: Path, keep: int) -> None:
    current = current_generation(build_dir)
    folder = build_dir / GENERATIONS
    if not folder.is_dir():
        return
    generations = sorted((p for p in folder.iterdir() if p.is_dir()), key=lambda p: p.name)
    survivors = set(generations[-keep:])
    if current is not None:
        survivors.add(current.path.resolve())
    for path in generations:
        if path.resolve() not in {s.resolve() for s in survivors}:
            log.info("removing old generation %s", path.name)
            shutil.rmtree(path, ignore_errors=True)


def discard(generation: Generation) -> None:
    """Remove a generation that was never made current (a failed or interrupted build)."""
    shutil.rmtree(generation.path, ignore_errors=True)


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
                if self._store is None:
                    raise StoreMissing(
                        f"no built store under {self.build_dir}/{CURRENT}: run 'eulod build' first"
                    )
                return
            if self._generation is None or generation.path != self._generation.path:
                log.info("opening store generation %s", generation.id)
                self._store = ox.Store.read_only(str(generation.store_path))
                self._manifest = generation.manifest()
                self._generation = generation

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
        from eulod.remote import RemoteHandle

        log.info("serving the remote store at %s", settings.remote_query_url)
        return RemoteHandle(settings)
    return StoreHandle(settings.build_dir)
