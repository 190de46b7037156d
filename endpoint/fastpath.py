"""A response cache in front of the Flask app, for repeated GET queries.

Researchers' tools and dashboards send the same GET query again and again, and over one
store generation its response never changes. Flask's request handling costs more than the
answer itself once that is cached, so the complete successful response (status, headers,
body) is kept here, keyed with the store generation, the query string and the Accept
header, and replayed without entering Flask.

Only responses that the SPARQL view marks as cacheable (``environ[CACHEABLE]``) are kept:
a response is marked only after the query passed the query policy and was answered, so a
replayed response never skips a check that the same request would have failed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

CACHEABLE = "eulod.cacheable"
PATH = "/sparql"

Headers = list[tuple[str, str]]


class ResponseCache:
    """WSGI middleware: replay cached 200 responses to GET /sparql, pass everything else on."""

    def __init__(self, app: Callable, generation: Callable[[], str], max_bytes: int) -> None:
        self.app = app
        self.generation = generation
        self.max_bytes = max_bytes
        self.max_entry_bytes = max(1, max_bytes // 16)
        self._entries: OrderedDict[tuple, tuple[str, Headers, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if self.max_bytes <= 0 or environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != PATH:
            return self.app(environ, start_response)
        query_string = environ.get("QUERY_STRING", "")
        if "query=" not in query_string:
            return self.app(environ, start_response)
        try:
            key = (self.generation(), query_string, environ.get("HTTP_ACCEPT", ""))
        except Exception:  # no store yet, say: let the app answer with its own error
            return self.app(environ, start_response)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
        if entry is not None:
            status, headers, body = entry
            start_response(status, headers)
            return [body]
        return self._fill(key, environ, start_response)

    def _fill(self, key: tuple, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: Headers, exc_info: Any = None) -> Callable:
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.app(environ, capture)
        if not environ.get(CACHEABLE) or not captured.get("status", "").startswith("200"):
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        self._store(key, (captured["status"], list(captured["headers"]), body))
        return [body]

    def _store(self, key: tuple, entry: tuple[str, Headers, bytes]) -> None:
        size = len(entry[2])
        if size > self.max_entry_bytes:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = entry
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted[2])
