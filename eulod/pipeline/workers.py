"""Processes a build hands Python work to, started clean.

A build holds a store (RocksDB's threads, open files) and an interpreter lock its threads share.
Work that is Python through and through (validating batches, rendering the dumps' sections)
goes to processes of its own; they start from a fresh server process, never as forks of the
build, whose threads and store a fork would copy half-way."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor


def fresh_context() -> multiprocessing.context.BaseContext:
    """The forkserver start method where the platform has it, else spawn: never a fork of the build."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def process_pool(processes: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=processes, mp_context=fresh_context())
