"""Running queries under a time limit, fairly: a pool of query processes, admission, a cache.

pyoxigraph cannot cancel a query, and a thread that runs one cannot be stopped. So each
query runs in a separate *query process* (a few per server process, forked from a clean
fork server so none inherits an open store or the HTTP server's threads) that opens the store
read-only. The serving thread hands it a :class:`~.evaluate.Job` over a pipe and waits
at most until the deadline; when the deadline passes, the query process is killed (which
really stops the query and frees its memory), a fresh one takes its place, and the client
is told at once. Other clients' queries run meanwhile in the other query processes.

Admission keeps a few clients from starving the others (:class:`Admission`):

- waiting for a free query process is bounded (``queue_wait``) and is not part of the
  query's time limit: a query that only waited is answered 503 with ``Retry-After``,
  never "stopped after the time limit";
- every query first runs as a *short* query; one that has used ``short_seconds`` of
  processor time (or run three times that long) becomes a *long* query, and at most ``long_queries`` long queries run at a time (the
  other processes stay free for short ones), each client at most one; a query that cannot
  become long is stopped (503, ``Retry-After``); a long query's process runs at a lower CPU
  priority, so pages and short queries keep the processor;
- a client whose query ran long recently (``penalty_seconds``), or a query text that did,
  starts as a long query directly, so it does not take a short query's place again;
- a process that frees up goes to the waiting client holding the fewest processes, so a
  client with many connections waits behind the others, not before them;
- each client has at most ``client_queries`` queries in progress, waiting or running
  (429, ``Retry-After``): a bound on what one address can queue.

A client is an address (see sparql.client_address for proxies). Every answer depends
only on the query, the dataset, the format, the row cap and the store generation, and a
generation never changes once built; so answers are cached per server process, keyed with
the generation, and a new build makes old entries unreachable.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Callable, Hashable

from .evaluate import READY, Job, Outcome, serve

log = logging.getLogger(__name__)

# Query processes are forked from a fork server that has imported the query modules once:
# a process killed at the time limit is replaced in milliseconds instead of the second or
# two a fresh interpreter takes (which, under a stream of killed queries, kept processes
# away from other clients). The fork server is started fresh, so no query process inherits
# the HTTP server's threads or an open store.
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["eulod.endpoint.evaluate"])
STARTUP_SECONDS = 120.0  # a query process not ready by then is replaced
LONG_QUERY_NICENESS = 10  # added to a long query's process: pages and short queries come first


class QueryTimeout(Exception):
    """The query ran past the time limit and its process was killed."""


class QueryBusy(Exception):
    """The endpoint cannot take the query now; ``retry_after`` seconds is a fair wait."""

    def __init__(self, reason: str, retry_after: int, status: int = 503) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.status = status


class QueryCrashed(Exception):
    """The query process died (out of memory, for example) before it answered."""


@dataclass(frozen=True)
class Limits:
    """How the pool shares its query processes (documented in README, settings)."""

    timeout: float = 30.0  # a query's time limit, counted from when a process takes it
    queue_wait: float = 5.0  # longest wait for a free query process
    short_seconds: float = 1.0  # a query running longer becomes a long query
    long_queries: int = 2  # long queries running at once (per server process)
    client_queries: int = 32  # queries in progress per client, waiting or running (per server process)
    penalty_seconds: float = 60.0  # a client (or query text) that ran long starts long for this long


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    connection: Connection
    cpu_mark: float | None = None  # processor time used when it last answered (idle since: the same now)


@dataclass
class _Waiter:
    client: str
    sequence: int
    handed: threading.Event = field(default_factory=threading.Event)  # set: a process may be free for it


class Admission:
    """Who may run what: per-client counts, long-query slots, and the memory of long runners."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._in_progress: dict[str, int] = {}
        self._long: dict[str, int] = {}
        self._long_total = 0
        self._penalised: dict[Hashable, float] = {}  # client or query key -> until (monotonic)

    def enter(self, client: str) -> None:
        with self._lock:
            if self._in_progress.get(client, 0) >= self.limits.client_queries:
                raise QueryBusy(f"this client already has {self.limits.client_queries} queries in progress; "
                                "wait for their answers", self._retry_after(), status=429)
            self._in_progress[client] = self._in_progress.get(client, 0) + 1

    def leave(self, client: str) -> None:
        with self._lock:
            left = self._in_progress.get(client, 1) - 1
            if left:
                self._in_progress[client] = left
            else:
                self._in_progress.pop(client, None)

    def starts_long(self, client: str, text_key: Hashable) -> bool:
        now = time.monotonic()
        with self._lock:
            for key in (client, text_key):
                until = self._penalised.get(key)
                if until is not None and until > now:
                    return True
                if until is not None:
                    del self._penalised[key]
            return False

    def penalise(self, client: str, text_key: Hashable) -> None:
        until = time.monotonic() + self.limits.penalty_seconds
        with self._lock:
            if len(self._penalised) > 10000:  # bounded memory under a flood of addresses
                self._penalised.clear()
            self._penalised[client] = self._penalised[text_key] = until

    def take_long(self, client: str) -> bool:
        with self._lock:
            if self._long_total >= self.limits.long_queries or self._long.get(client, 0) >= 1:
                return False
            self._long[client] = self._long.get(client, 0) + 1
            self._long_total += 1
            return True

    def give_long(self, client: str) -> None:
        with self._lock:
            self._long_total -= 1
            left = self._long.get(client, 1) - 1
            if left:
                self._long[client] = left
            else:
                self._long.pop(client, None)

    def _retry_after(self) -> int:
        return max(1, round(self.limits.short_seconds * 2))

    def long_busy(self) -> QueryBusy:
        return QueryBusy("the endpoint is running as many long queries as it allows; try again later, or narrow the "
                         "query down (LIMIT, more specific patterns) so it answers within "
                         f"{self.limits.short_seconds:g} s", max(1, round(self.limits.timeout / 2)))


def text_key(job: Job) -> tuple[str, int]:
    """The key under which a query text that ran long is remembered (this process only)."""
    return ("query", hash(job.query))


class QueryPool:
    """``size`` query processes, started on first use and replaced when killed, shared fairly."""

    def __init__(self, size: int, limits: Limits | None = None) -> None:
        self.size = size
        self.limits = limits or Limits()
        self.admission = Admission(self.limits)
        self._dispatch = threading.Lock()
        self._free: list[_Worker] = []  # ready processes, the most recently used last
        self._waiting: list[_Waiter] = []
        self._running: dict[str, int] = {}  # client -> processes it holds
        self._sequence = itertools.count()
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
                    self._spawn()
                self._started = True

    def _spawn(self, attempt: int = 1) -> None:
        """Start a query process; it joins the idle ones once it says it is ready.

        A fresh process spends a second or more importing its modules; a query handed to
        it meanwhile would count that time as its own (and could be taken for a long one).
        """
        parent_end, child_end = _CONTEXT.Pipe(duplex=True)
        process = _CONTEXT.Process(target=serve, args=(child_end,), name="eulod-query", daemon=True)
        process.start()
        child_end.close()
        worker = _Worker(process, parent_end)
        threading.Thread(target=self._when_ready, args=(worker, attempt), name="eulod-query-start", daemon=True).start()

    def _when_ready(self, worker: _Worker, attempt: int) -> None:
        try:
            if worker.connection.poll(STARTUP_SECONDS) and worker.connection.recv() == READY:
                self._hand_over(worker)
                return
        except (EOFError, OSError):
            pass
        log.warning("a query process did not start (attempt %d)", attempt)
        worker.process.kill()
        worker.connection.close()
        if not self._closed and attempt < 3:
            self._spawn(attempt + 1)

    def _discard(self, worker: _Worker) -> None:
        """Kill a query process and start a fresh one in its place."""
        worker.process.kill()
        worker.process.join(timeout=5)
        worker.connection.close()
        if not self._closed:
            self._spawn()

    def warm(self, job: Job, timeout: float) -> Outcome | None:
        """Run ``job`` on whichever process is free, outside admission (the server's own warm-up)."""
        self._ensure_started()
        client = f"(warm-up {threading.get_ident()})"
        try:
            worker = self._acquire(client, timeout)
        except QueryBusy:
            return None
        try:
            worker.connection.send(job)
            if worker.connection.poll(timeout):
                outcome = worker.connection.recv()
                self._hand_over(worker)
                return outcome
        except (EOFError, OSError):
            pass
        finally:
            self._done(client)
        self._discard(worker)
        return None

    def _acquire(self, client: str, timeout: float) -> _Worker:
        """A ready query process for ``client``, waiting at most ``timeout`` seconds (QueryBusy after).

        Fair between clients: a freed process goes to the waiting client that holds the
        fewest (first come among equals), and a thread arriving while others wait may take
        a free process at once only before its own client's waiters and those of clients
        holding more. Within one client, a running thread may so take a process before a
        sleeping one (a thread switch per query cost a fifth of the throughput at 32
        connections); the bounded wait keeps any one request from waiting long.
        """
        deadline = time.monotonic() + timeout
        with self._dispatch:
            if self._free and self._may_take(client):
                return self._take(client)
            waiter = _Waiter(client, next(self._sequence))
            self._waiting.append(waiter)
        while True:
            waiter.handed.wait(max(0.0, deadline - time.monotonic()))
            with self._dispatch:
                waiter.handed.clear()
                if self._free and self._fairest() is waiter:
                    self._waiting.remove(waiter)
                    return self._take(client)
                if time.monotonic() < deadline:
                    self._wake_fairest()  # the shares moved since this waiter was woken: pass it on
                    continue
                self._waiting.remove(waiter)
                self._wake_fairest()
            raise QueryBusy("every query process is busy; try again shortly", max(1, round(timeout)))

    def _take(self, client: str) -> _Worker:
        self._running[client] = self._running.get(client, 0) + 1
        return self._free.pop()

    def _may_take(self, client: str) -> bool:
        """Whether an arriving thread may take a free process before the waiters: only before its own
        client's waiters and those of clients holding more."""
        held = self._running.get(client, 0)
        return all(waiter.client == client or self._running.get(waiter.client, 0) > held for waiter in self._waiting)

    def _fairest(self) -> _Waiter | None:
        if not self._waiting:
            return None
        return min(self._waiting, key=lambda w: (self._running.get(w.client, 0), w.sequence))

    def _wake_fairest(self) -> None:
        if self._free:
            fairest = self._fairest()
            if fairest is not None:
                fairest.handed.set()

    def _hand_over(self, worker: _Worker) -> None:
        """A process is free: keep it ready and wake the fairest waiter to take it."""
        with self._dispatch:
            self._free.append(worker)
            self._wake_fairest()

    def _done(self, client: str) -> None:
        with self._dispatch:
            left = self._running.get(client, 1) - 1
            if left > 0:
                self._running[client] = left
            else:
                self._running.pop(client, None)
            self._wake_fairest()  # who is fairest may have changed

    def _release(self, worker: _Worker, long: bool) -> None:
        if long:
            _set_niceness(worker, 0)
            if worker.process.is_alive() and _niceness(worker) > 0:
                # an unprivileged process cannot raise its priority back: replace it instead
                self._discard(worker)
                return
        self._hand_over(worker)

    def run(self, job: Job, timeout: float | None = None, client: str = "") -> Outcome:
        """Answer ``job`` within the time limit, or raise QueryTimeout/QueryBusy/QueryCrashed."""
        limit = self.limits.timeout if timeout is None else timeout
        self._ensure_started()
        key = text_key(job)
        self.admission.enter(client)
        try:
            long = self.admission.starts_long(client, key)
            if long and not self.admission.take_long(client):
                raise self.admission.long_busy()
            try:
                return self._run_admitted(job, limit, client, key, long)
            finally:
                if long:
                    self.admission.give_long(client)
        finally:
            self.admission.leave(client)

    def _run_admitted(self, job: Job, limit: float, client: str, key: Hashable, long: bool) -> Outcome:
        worker = self._acquire(client, self.limits.queue_wait)
        try:
            return self._run_on(worker, job, limit, client, key, long)
        finally:
            self._done(client)

    def _run_on(self, worker: _Worker, job: Job, limit: float, client: str, key: Hashable, long: bool) -> Outcome:
        started = time.monotonic()
        if long:
            _set_niceness(worker, LONG_QUERY_NICENESS)
        try:
            cpu_at_start = worker.cpu_mark if worker.cpu_mark is not None else _cpu_seconds(worker)
            worker.connection.send(job)
            if long:
                answered = worker.connection.poll(limit)
            else:
                answered = self._wait_while_short(worker, limit, started, cpu_at_start)
            if answered:
                outcome = worker.connection.recv()
                worker.cpu_mark = outcome.cpu_seconds
                self._release(worker, long)
                return outcome
            if not long and time.monotonic() - started < limit:
                self.admission.penalise(client, key)
                if not self.admission.take_long(client):
                    log.info("query stopped after %.1f s: no room for another long query", time.monotonic() - started)
                    self._discard(worker)
                    raise self.admission.long_busy()
                try:
                    _set_niceness(worker, LONG_QUERY_NICENESS)
                    if worker.connection.poll(max(0.0, limit - (time.monotonic() - started))):
                        outcome = worker.connection.recv()
                        worker.cpu_mark = outcome.cpu_seconds
                        self._release(worker, True)
                        return outcome
                finally:
                    self.admission.give_long(client)
        except (EOFError, OSError):
            log.warning("a query process died while answering a query")
            self._discard(worker)
            raise QueryCrashed() from None
        log.info("query stopped after %.1f s", limit)
        self._discard(worker)
        raise QueryTimeout()

    def _wait_while_short(self, worker: _Worker, limit: float, started: float, cpu_at_start: float | None) -> bool:
        """Wait for the answer while the query is still a short one; True when it answered.

        A query is long once its process has spent ``short_seconds`` of processor time on
        it, or has run three times that long whatever it spent: on a busy machine a cheap
        query can take a second of wall time while using milliseconds of processor, and
        taking it for a long one would penalise an innocent client (wall time alone is
        what counts where processor time cannot be read).
        """
        short = self.limits.short_seconds
        while True:
            elapsed = time.monotonic() - started
            remaining = limit - elapsed
            if remaining <= 0:
                return False
            if worker.connection.poll(min(short, remaining)):
                return True
            elapsed = time.monotonic() - started
            cpu = _cpu_seconds(worker)
            if cpu is None or cpu_at_start is None or cpu - cpu_at_start >= short or elapsed >= 3 * short:
                return worker.connection.poll(0)

    def close(self) -> None:
        self._closed = True
        with self._dispatch:
            free, self._free = self._free, []
        for worker in free:
            worker.process.kill()
            worker.connection.close()


def _set_niceness(worker: _Worker, value: int) -> None:
    """Set a query process's niceness (best effort: lowering priority is always allowed)."""
    pid = worker.process.pid
    if pid is None or not hasattr(os, "setpriority"):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, pid, value)
    except OSError:
        pass


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(worker: _Worker) -> float | None:
    """Processor time a query process has used (user + system), from /proc; None where unreadable."""
    try:
        with open(f"/proc/{worker.process.pid}/stat", "rb") as file:
            stat = file.read()
    except OSError:
        return None
    fields = stat[stat.rfind(b")") + 2:].split()
    try:
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    except (IndexError, ValueError):
        return None


def _niceness(worker: _Worker) -> int:
    try:
        return os.getpriority(os.PRIO_PROCESS, worker.process.pid or 0)
    except OSError:
        return 0


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
