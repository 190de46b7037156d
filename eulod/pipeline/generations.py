"""Writing generations: one build at a time, an atomic switch, and what killed builds left behind.

A build writes a complete new generation (eulod.core.generation) in its own folder and then
repoints one symlink, ``build/current``, with an atomic rename. Readers therefore see either
the old generation or the new one, never a half-loaded store; a failed build leaves ``current``
untouched.

A build can die at any point without a chance to clean up (``kill -9``, the OOM killer, a
power cut), so what is on disk says by itself how far it got: a generation is *complete*
once its manifest exists, and the manifest is written last, after every other file of the
generation is flushed to disk (:func:`write_manifest`). One build at a time writes in a build
folder (:func:`build_lock`, an ``flock`` on ``build/.lock``, released by the kernel when its
holder dies), so a generation without a manifest that no running build owns was left by a
build that died: the next build removes it, with every generation but the one it serves and
the one served before it (a running server may still be reading that one).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from eulod.core.generation import (
    CURRENT,
    GENERATIONS,
    LOCK,
    MANIFEST,
    PRIVATE_DIR,
    STORE_DIR,
    Generation,
    current_generation,
)

log = logging.getLogger(__name__)


class BuildBusy(RuntimeError):
    """Another process is writing a generation in this build folder; the message names it."""


_held: dict[Path, list[int]] = {}  # build folder -> [lock file descriptor, holds], in this process
_pending: set[Path] = set()  # generations this process made and has not yet switched to or discarded
_guard = threading.Lock()


def acquire(build_dir: Path) -> None:
    """Take the build folder's lock, or raise :class:`BuildBusy` naming the process that holds it.

    An ``flock`` rather than a file whose existence is the lock: the kernel releases it when
    its holder dies, however it dies, so a killed build never blocks the next one. Re-entrant
    within a process (a build holds it from start to end, and the steps it calls take it too).
    """
    build_dir.mkdir(parents=True, exist_ok=True)
    key = build_dir.resolve()
    with _guard:
        if key in _held:
            _held[key][1] += 1
            return
        descriptor = os.open(key / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 64, 0).decode("ascii", "replace").strip()
            os.close(descriptor)
            raise BuildBusy(
                f"another eulod build{f' (process {holder})' if holder else ''} is writing in {build_dir}: "
                "wait for it to finish, or build into another --build-dir"
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode("ascii"), 0)
        _held[key] = [descriptor, 1]


def release(build_dir: Path) -> None:
    """Give back one hold of the build folder's lock; the last one unlocks it."""
    key = build_dir.resolve()
    with _guard:
        entry = _held.get(key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] == 0:
            del _held[key]
            os.close(entry[0])  # closing the descriptor drops the flock


@contextmanager
def build_lock(build_dir: Path) -> Iterator[None]:
    """Hold the build folder's lock for a block (:func:`acquire`)."""
    acquire(build_dir)
    try:
        yield
    finally:
        release(build_dir)


def new_generation(build_dir: Path) -> Generation:
    """A fresh, empty generation folder, named so that names sort by creation time.

    The build folder stays locked for this process until the generation is switched to or
    discarded, so no other build counts it as left over while it is being written.
    """
    acquire(build_dir)
    try:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        path = build_dir / GENERATIONS / f"{stamp}-{os.getpid()}"
        path.mkdir(parents=True)
    except BaseException:
        release(build_dir)
        raise
    with _guard:
        _pending.add(path.resolve())
    return Generation(path)


def _finished(generation: Generation) -> None:
    """This process is done with ``generation`` (switched to or discarded): its hold on the lock goes."""
    key = generation.path.resolve()
    with _guard:
        if key not in _pending:
            return
        _pending.discard(key)
    release(key.parent.parent)


def write_manifest(generation: Generation, manifest: dict[str, Any]) -> None:
    """Seal a generation: flush everything in it to disk, then write its manifest, last.

    From here on it counts as complete (:attr:`Generation.complete`); a build killed before
    this leaves a folder without a manifest, which readers refuse and the next build removes.
    The flush comes first so that even after a power cut a manifest never names a file whose
    content did not reach the disk.
    """
    _fsync_tree(generation.path)
    atomic_write_bytes(generation.manifest_path, json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8"))
    _fsync_folder(generation.path)
    _fsync_folder(generation.path.parent)


def atomic_write_bytes(target: Path, payload: bytes) -> None:
    """Write via a temporary file in the same folder and rename: readers never see half a file."""
    with atomic_writer(target) as handle:
        handle.write(payload)


@contextmanager
def atomic_writer(target: Path) -> Iterator[BinaryIO]:
    """A file to write ``target``'s content into as it comes: a temporary file in the same
    folder, flushed to disk and renamed to ``target`` when the block ends, removed if it fails."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (files created or renamed in it) to disk."""
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_tree(folder: Path) -> None:
    """Flush every file and folder under ``folder`` to disk, folders after what they hold."""
    for parent, _, files in os.walk(folder, topdown=False):
        for name in files:
            path = os.path.join(parent, name)
            if os.path.islink(path):
                continue
            descriptor = os.open(path, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        _fsync_folder(Path(parent))


def switch_to(build_dir: Path, generation: Generation) -> None:
    """Make a complete ``generation`` current with one atomic rename, then prune.

    The new link is made under a temporary name and renamed over ``current`` (a rename is
    atomic: readers see the old target or the new one), then the build folder is flushed so
    the switch survives a power cut. The generation served until now is kept beside the new
    one (:func:`prune`).
    """
    with build_lock(build_dir):
        if not generation.complete:
            raise ValueError(f"generation {generation.path} is incomplete (no {MANIFEST}): not switching to it")
        previous = current_generation(build_dir) or _newest_complete(build_dir, but=generation)
        link = build_dir / CURRENT
        temporary = build_dir / f".{CURRENT}.{os.getpid()}.tmp"
        if temporary.is_symlink() or temporary.exists():
            temporary.unlink()
        temporary.symlink_to(generation.path.relative_to(build_dir))
        os.replace(temporary, link)
        _fsync_folder(build_dir)
        _link_conveniences(build_dir)
        _finished(generation)
        prune(build_dir, previous)


def _link_conveniences(build_dir: Path) -> None:
    """build/store and build/dumps point through build/current, so they never need updating."""
    for name in (STORE_DIR, "dumps"):
        link = build_dir / name
        if not link.is_symlink():
            if link.exists():
                continue  # something the user put there; leave it alone
            link.symlink_to(Path(CURRENT) / name)


def prune(build_dir: Path, previous: Generation | None = None) -> None:
    """Remove every generation but the current one and ``previous`` (the one served before it).

    ``previous`` is what a running server may still be reading for a moment after a switch;
    every other generation goes: older complete ones, a complete one a killed build never
    switched to, and incomplete ones left by a killed build. Generations this process is
    still writing stay, and other processes write only while holding the lock, which this
    takes: so whatever else is incomplete is left over.
    """
    with build_lock(build_dir):
        current = current_generation(build_dir)
        keep = {g.path.resolve() for g in (current, previous) if g is not None}
        for path in _generation_folders(build_dir):
            if path.resolve() in keep or path.resolve() in _pending:
                continue
            log.info("removing %s generation %s", "old" if Generation(path).complete else "interrupted", path.name)
            shutil.rmtree(path, ignore_errors=True)
        remove_private(build_dir)
        for leftover in build_dir.glob(f".{CURRENT}.*.tmp"):  # a switch killed before its rename
            leftover.unlink(missing_ok=True)


def remove_private(build_dir: Path) -> None:
    """Remove what the private folder keeps for generations that are gone (their checkpoints)."""
    for path in (build_dir / PRIVATE_DIR).glob("*"):
        if not (build_dir / GENERATIONS / path.name.split(".", 1)[0]).is_dir():
            log.info("removing %s, kept for a generation that is gone", path.name)
            path.unlink(missing_ok=True)


def remove_interrupted(build_dir: Path) -> None:
    """Remove the incomplete generations killed builds left (a build's first step: disk space back at once)."""
    with build_lock(build_dir):
        for path in _generation_folders(build_dir):
            if not Generation(path).complete and path.resolve() not in _pending:
                log.info("removing interrupted generation %s", path.name)
                shutil.rmtree(path, ignore_errors=True)
        remove_private(build_dir)


def _newest_complete(build_dir: Path, but: Generation) -> Generation | None:
    """The newest complete generation other than ``but``: what to keep as the previous one when
    ``current`` names none (it was pointed by hand at an incomplete or missing folder)."""
    for path in reversed(_generation_folders(build_dir)):
        if path.resolve() != but.path.resolve() and Generation(path).complete:
            return Generation(path)
    return None


def _generation_folders(build_dir: Path) -> list[Path]:
    folder = build_dir / GENERATIONS
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()), key=lambda p: p.name)


def discard(generation: Generation) -> None:
    """Remove a generation that was never made current (a failed or interrupted build)."""
    shutil.rmtree(generation.path, ignore_errors=True)
    _finished(generation)
