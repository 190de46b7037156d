"""Processes a build hands Python work to, started clean, and gone with the build.

A build holds a store (RocksDB's threads, open files) and an interpreter lock its threads share.
Work that is Python through and through (validating batches, rendering the dumps' sections)
goes to processes of its own; they start from a fresh server process, never as forks of the
build, whose threads and store a fork would copy half-way.

Such a process outlives a build killed without a chance to stop it (``kill -9``, the OOM
killer): it holds both ends of its task queue and the fork server's liveness pipe, so it never
reads an end of file, and it would wait for work forever, holding its batch's memory. Each one
therefore leaves when the build's process ends (eulod.core.lifetime).
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from eulod.core.lifetime import leave_with


def fresh_context() -> multiprocessing.context.BaseContext:
    """The forkserver start method where the platform has it, else spawn: never a fork of the build."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def process_pool(processes: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=processes, mp_context=fresh_context(),
                               initializer=leave_with, initargs=(os.getpid(),))
