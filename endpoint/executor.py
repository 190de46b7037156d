"""Running queries under a time limit: a pool of query processes, and a cache of answers.

pyoxigraph cannot cancel a query, and a thread that runs one cannot be stopped. So each
query runs in a separate *query process* (a few per server process, started with
``spawn`` so none inherits an open store or the HTTP server's threads) that opens the store
read-only. The serving thread hands it a :class:`~.evaluate.Job` over a pipe and waits
at most until the deadline; when the deadline passes, the query process is killed (which
really stops the query and frees its memory), a fresh one takes its place, and the client
is told at once. Other clients' queries run meanwhile in the other query processes.

Every answer depends only on the query, the dataset, the format, the row cap and the store
generation, and a generation never changes once built; so answers are cached per server
process, keyed with the generation, and a new build makes old entries unreachable.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Callable, Hashable

from .evaluate import Job, Outcome, serve

log = logging.getLogger(__name__)

_CONTEXT = multiprocessing.get_context("spawn")


class QueryTimeout(Exception):
    """The query ran past the time limit and its process was killed."""


class QueryBusy(Exception):
    """Every query process stayed busy until the deadline."""


class QueryCrashed(Exception):
    """The query process died (out of memory, for example) before it answered."""


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    connection: Connection


class QueryPool:
    """``size`` query processes, started on first use and replaced when killed."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False

    def start(self) -> None:
        self._ensure_started()

    def _ensure_started(self) -> None:
        if self._started:
            return
        with self._lock:
            if not self._started:
                for _ in range(self.size):
                    self._idle.put(self._spawn())
                self._started = True

    def _spawn(self) -> _Worker:
        parent_end, child_end = _CONTEXT.Pipe(duplex=True)
        process = _CONTEXT.Process(target=serve, args=(child_end,), name="eulod-query", daemon=True)
        process.start()
        child_end.close()
        return _Worker(process, parent_end)

    def _discard(self, worker: _Worker) -> None:
        """Kill a query process and put a fresh one in its place."""
        worker.process.kill()
        worker.process.join(timeout=5)
        worker.connection.close()
        if not self._closed:
            self._idle.put(self._spawn())

    def run(self, job: Job, timeout: float) -> Outcome:
        """Answer ``job`` within ``timeout`` seconds, or raise QueryTimeout/QueryBusy/QueryCrashed."""
        deadline = time.monotonic() + timeout
        self._ensure_started()
        try:
            worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise QueryBusy() from None
        try:
            worker.connection.send(job)
            if worker.connection.poll(max(0.0, deadline - time.monotonic())):
                outcome = worker.connection.recv()
                self._idle.put(worker)
                return outcome
        except (EOFError, OSError):
            log.warning("a query process died while answering a query")
            self._discard(worker)
            raise QueryCrashed() from None
        log.info("query stopped after %.1f s", timeout)
        self._discard(worker)
        raise QueryTimeout()

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return
            worker.process.kill()
            worker.connection.close()


class AnswerCache:
    """A least-recently-used cache of answers, bounded by the bytes of their bodies."""

    def __init__(self, max_bytes: int, max_entry_bytes: int | None = None) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes or max(1, max_bytes // 16)
        self._entries: OrderedDict[Hashable, Outcome] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._flights: dict[Hashable, threading.Event] = {}

    def get(self, key: Hashable) -> Outcome | None:
        with self._lock:
            outcome = self._entries.get(key)
            if outcome is not None:
                self._entries.move_to_end(key)
            return outcome

    def get_or_compute(self, key: Hashable, compute: Callable[[], Outcome]) -> Outcome:
        """The cached answer, or ``compute()``'s; concurrent callers with one key compute it once.

        Without this, 32 clients sending the same expensive query at once would start 32
        evaluations of it before the first answer lands in the cache.
        """
        outcome = self.get(key)
        if outcome is not None:
            return outcome
        with self._lock:
            flight = self._flights.get(key)
            leader = flight is None
            if leader:
                flight = self._flights[key] = threading.Event()
        if not leader:
            flight.wait()
            outcome = self.get(key)
            if outcome is not None:
                return outcome
            return compute()  # the leader failed or its answer was not cacheable
        try:
            outcome = compute()
            if outcome.status == 200:
                self.put(key, outcome)
            return outcome
        finally:
            with self._lock:
                del self._flights[key]
            flight.set()

    def put(self, key: Hashable, outcome: Outcome) -> None:
        size = len(outcome.body)
        if self.max_bytes <= 0 or size > self.max_entry_bytes:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = outcome
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)
