"""SPARQL 1.1 Protocol (query, update) and Graph Store Protocol over HTTP, with the store's errors.

Truncated answers (Virtuoso's ResultSetMaxRows, partial "anytime" answers) are refused with
:class:`RemoteRefusal` instead of being served.
"""

from __future__ import annotations

import base64
import logging
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, BinaryIO, Iterable, Mapping

import pyoxigraph as ox

from eulod.core.config import Settings

log = logging.getLogger(__name__)

PASSWORD_VARIABLE = "EULOD_REMOTE_PASSWORD"
RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"


class RemoteError(RuntimeError):
    """The remote store could not be reached or answered with an error."""


class RemoteRefusal(RemoteError):
    """The remote store's answer would be wrong or incomplete, so it is not served."""


@dataclass(frozen=True)
class Remote:
    """Where the remote store is and who we are there. The password only ever comes from the environment."""

    query_url: str
    update_url: str = ""
    gsp_url: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def from_settings(cls, settings: Settings, environ: Mapping[str, str] | None = None) -> "Remote":
        env = os.environ if environ is None else environ
        return cls(
            query_url=settings.remote_query_url,
            update_url=settings.remote_update_url,
            gsp_url=settings.remote_gsp_url,
            user=settings.remote_user,
            password=env.get(PASSWORD_VARIABLE, ""),
        )


class SparqlClient:
    """SPARQL 1.1 Protocol (query, update) and Graph Store Protocol over HTTP.

    With a user, requests answer HTTP Basic and Digest challenges (Virtuoso's ``-auth``
    endpoints use Digest); without one, requests are anonymous.
    """

    def __init__(self, remote: Remote, timeout: float = 60.0) -> None:
        self.remote = remote
        self.timeout = timeout
        handlers: list[urllib.request.BaseHandler] = []
        self._digest: urllib.request.HTTPDigestAuthHandler | None = None
        if remote.user:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in (remote.query_url, remote.update_url, remote.gsp_url):
                if url:
                    passwords.add_password(None, url, remote.user, remote.password)
            self._digest = urllib.request.HTTPDigestAuthHandler(passwords)
            handlers += [self._digest, urllib.request.HTTPBasicAuthHandler(passwords)]
        self._opener = urllib.request.build_opener(*handlers)

    def _preauthorise(self, request: urllib.request.Request) -> None:
        """Answer the store's challenge before sending a large body.

        A server that challenges (401) closes the connection without reading the body, so an
        upload would break ("broken pipe") before urllib could retry with credentials. A
        body-less GET fetches the challenge first and the upload carries its answer.
        """
        if self._digest is None:
            return
        probe = urllib.request.Request(request.full_url, method="GET")
        try:
            with urllib.request.urlopen(probe, timeout=self.timeout):
                return  # no challenge: nothing to answer
        except urllib.error.HTTPError as exc:
            challenge = exc.headers.get("WWW-Authenticate", "") if exc.code == 401 else ""
            exc.close()
        except (urllib.error.URLError, OSError) as exc:
            raise RemoteError(f"remote store at {request.full_url} is unreachable: {getattr(exc, 'reason', exc)}") from None
        scheme, _, parameters = challenge.partition(" ")
        if scheme.lower() == "digest":
            fields = urllib.request.parse_keqv_list(filter(None, urllib.request.parse_http_list(parameters)))
            answer = self._digest.get_authorization(request, fields)
            if answer:
                request.add_unredirected_header("Authorization", f"Digest {answer}")
        elif scheme.lower() == "basic":
            token = base64.b64encode(f"{self.remote.user}:{self.remote.password}".encode()).decode("ascii")
            request.add_unredirected_header("Authorization", f"Basic {token}")

    def _send(self, request: urllib.request.Request, timeout: float | None = None) -> tuple[int, Any, bytes]:
        try:
            with self._opener.open(request, timeout=timeout or self.timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read()
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RemoteError(f"remote store at {request.full_url} is unreachable: {reason}") from None

    def query(
        self, text: str, accept: str, default_graphs: Iterable[str] = (), named_graphs: Iterable[str] = ()
    ) -> tuple[Any, bytes]:
        """POST a query (form-encoded, so long queries fit); returns the headers and the body."""
        fields = [("query", text)]
        fields += [("default-graph-uri", g) for g in default_graphs]
        fields += [("named-graph-uri", g) for g in named_graphs]
        request = urllib.request.Request(
            self.remote.query_url,
            data=urllib.parse.urlencode(fields).encode("utf-8"),
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
        )
        status, headers, body = self._send(request)
        if status == 400:
            raise SyntaxError(f"the remote store rejected the query: {_message(body)}")
        if status != 200:
            raise RemoteError(f"remote store answered {status} to a query: {_message(body)}")
        return headers, body

    def update(self, text: str) -> None:
        if not self.remote.update_url:
            raise RemoteError("no update URL: set EULOD_REMOTE_UPDATE_URL")
        request = urllib.request.Request(
            self.remote.update_url,
            data=urllib.parse.urlencode({"update": text}).encode("utf-8"),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "*/*"},
        )
        status, _, body = self._send(request, timeout=max(self.timeout, 600.0))
        if status not in (200, 204):
            raise RemoteError(f"remote store answered {status} to an update: {_message(body)}")

    def put_graph(self, graph: str, body: BinaryIO, length: int) -> None:
        """Replace ``graph`` with the N-Triples in ``body`` (Graph Store Protocol PUT)."""
        if not self.remote.gsp_url:
            raise RemoteError("no Graph Store Protocol URL: set EULOD_REMOTE_GSP_URL")
        separator = "&" if "?" in self.remote.gsp_url else "?"
        request = urllib.request.Request(
            f"{self.remote.gsp_url}{separator}{urllib.parse.urlencode({'graph': graph})}",
            data=body,
            method="PUT",
            headers={"Content-Type": N_TRIPLES, "Content-Length": str(length)},
        )
        self._preauthorise(request)
        status, _, answer = self._send(request, timeout=max(self.timeout, 600.0))
        if status not in (200, 201, 204):
            raise RemoteError(f"remote store answered {status} to PUT of graph <{graph}>: {_message(answer)}")

    def count(self, graph: str) -> int:
        headers, body = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", RESULTS_JSON)
        rows = list(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))
        return int(rows[0]["n"].value)


def _message(body: bytes) -> str:
    """The first lines of a store's error body: enough to act on, short enough for a log line."""
    text = body.decode("utf-8", "replace").strip()
    return " ".join(text.splitlines()[:3])[:500] or "(no message)"


def check_complete(headers: Any) -> None:
    """Refuse answers the store marks as partial: never serve a silently shortened result."""
    if headers.get("X-SPARQL-MaxRows"):
        raise RemoteRefusal(
            f"the remote store cut the answer at {headers['X-SPARQL-MaxRows']} rows (its ResultSetMaxRows): "
            "add LIMIT/OFFSET to page through it"
        )
    if headers.get("X-SQL-State"):
        raise RemoteRefusal(
            f"the remote store gave a partial answer ({headers['X-SQL-State']}: {headers.get('X-SQL-Message', '')})"
        )
