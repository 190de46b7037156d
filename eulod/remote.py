"""A remote SPARQL 1.1 store behind the endpoint, and ``eulod publish`` into it.

Reading: :class:`RemoteHandle` has the surface of :class:`eulod.store.StoreHandle`
(``.store``, ``.manifest``, ``.generation``) and its ``.store.query`` answers with the
very pyoxigraph types the embedded store gives (QuerySolutions, QueryBoolean, QueryTriples),
so the endpoint code does not know which backend it runs on. Every query is first parsed
by pyoxigraph itself, so syntax errors read the same on both backends and only standard
SPARQL 1.1 reaches the store.

Writing: :func:`publish` uploads a built generation with the SPARQL 1.1 Graph Store
Protocol into graphs named for that generation, checks that the store holds exactly the
triples that were sent, then flips a pointer: the manifest in a small metadata graph names
the live graphs, and the new manifest goes in with one single-triple INSERT. Readers use
the newest manifest, so they see the old data set or the new one, never a half-published
one. The data set's stable graph names (``{base}graph/projects``, ``.../vocabulary``) stay
in the manifest; a query's union default graph is the live generation's graphs.

Known disagreements of the store are handled here, never passed on silently:
Virtuoso compares values of other types (xsd:dateTime, xsd:gYear, plain strings) with an
``xsd:date`` where SPARQL says the comparison is an error, so date FILTERs count rows that
the embedded store (and the standard) leave out; :func:`rewrite_date_comparisons` makes
such comparisons explicit. Truncated answers (Virtuoso's ResultSetMaxRows, partial
"anytime" answers) are refused with :class:`RemoteRefusal` instead of being served.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Mapping

import pyoxigraph as ox

from eulod.config import Settings
from eulod.store import GENERATIONS, Generation, StoreMissing, current_generation

log = logging.getLogger(__name__)

XSD = "http://www.w3.org/2001/XMLSchema#"
PASSWORD_VARIABLE = "EULOD_REMOTE_PASSWORD"
RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"


class RemoteError(RuntimeError):
    """The remote store could not be reached or answered with an error."""


class RemoteRefusal(RemoteError):
    """The remote store's answer would be wrong or incomplete, so it is not served."""


def meta_graph_iri(base_iri: str) -> str:
    """The small graph naming the published generation; never part of the data set's union."""
    return f"{base_iri}graph/meta"


def manifest_predicate(base_iri: str) -> str:
    """A deployment-local IRI (not a vocabulary term): the manifest is bookkeeping, not data."""
    return f"{meta_graph_iri(base_iri)}#manifest"


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


# ---------------------------------------------------------------- query rewriting

# Tokens that may contain look-alikes of a comparison and must be skipped as a whole.
_SKIP = r'\#[^\n]*|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|<[^<>"{}|^`\\\s]*>'
_STRING = r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
_VAR = r"[?$][A-Za-z_0-9\u00B7-\uFFFF]+"
_OP = r"<=|>=|!=|=|<|>"


def _date_type(prefixes: Mapping[str, str]) -> str:
    """A regex for the xsd:date datatype as written in this query: full IRI or any prefix bound to XSD."""
    names = [re.escape(p) + r":date\b" for p, iri in prefixes.items() if iri == XSD]
    return "(?:" + "|".join([re.escape(f"<{XSD}date>")] + names) + ")"


def _prefixes(query: str) -> dict[str, str]:
    return dict(re.findall(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*|)\s*:\s*<([^>]*)>", query))


FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "!=": "!="}
PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _guarded(variable: str, op: str, lexical: str) -> str:
    """``?v op "lexical"^^xsd:date`` as the standard means it, written so Virtuoso evaluates it so too.

    SPARQL compares an xsd:date only with another xsd:date: anything else is an error and
    the row is dropped; Virtuoso instead compares dateTimes, gYears and strings too. The
    guard drops them explicitly. Time-zone-free dates (all eulod writes) compare as their
    lexical forms, which keeps Virtuoso off its typed range scan; dates with a zone fall
    back to the native comparison.
    """
    typed = f'"{lexical}"^^<{XSD}date>'
    if PLAIN_DATE.fullmatch(lexical):
        compare = f'IF(STRLEN(STR({variable})) = 10, STR({variable}) {op} "{lexical}", {variable} {op} {typed})'
    else:
        compare = f"{variable} {op} {typed}"
    return f"(DATATYPE({variable}) = <{XSD}date> && {compare})"


def rewrite_date_comparisons(query: str) -> str:
    """Wrap every comparison between a variable and an xsd:date literal in :func:`_guarded`.

    Comments, long strings and IRIs are skipped as whole tokens, so nothing inside them is
    touched. Comparisons between two variables are left alone.
    """
    date_type = _date_type(_prefixes(query))
    literal = rf'(?P<lq>"(?P<lex>[^"\\\n]*)"|\'(?P<lex2>[^\'\\\n]*)\')\^\^{date_type}'
    cast = rf'{date_type}\s*\(\s*(?:"(?P<clex>[^"\\\n]*)"|\'(?P<clex2>[^\'\\\n]*)\')\s*\)'
    value = rf"(?:{literal}|{cast})"
    value_r = value.replace("?P<lq>", "?P<rq>").replace("?P<lex>", "?P<rlex>").replace("?P<lex2>", "?P<rlex2>")
    value_r = value_r.replace("?P<clex>", "?P<rclex>").replace("?P<clex2>", "?P<rclex2>")
    pattern = re.compile(
        rf"(?P<vfirst>(?P<v1>{_VAR})\s*(?P<op1>{_OP})\s*{value})"
        rf"|(?P<lfirst>{value_r}\s*(?P<op2>{_OP})\s*(?P<v2>{_VAR}))"
        rf"|(?P<skip>{_SKIP}|{_STRING})"
    )

    def replace(match: re.Match[str]) -> str:
        if match["skip"] is not None:
            return match.group(0)
        if match["vfirst"] is not None:
            lexical = next(x for x in (match["lex"], match["lex2"], match["clex"], match["clex2"]) if x is not None)
            return _guarded(match["v1"], match["op1"], lexical)
        lexical = next(x for x in (match["rlex"], match["rlex2"], match["rclex"], match["rclex2"]) if x is not None)
        return _guarded(match["v2"], FLIP[match["op2"]], lexical)

    return pattern.sub(replace, query)


def substitute(query: str, substitutions: Mapping[ox.Variable, Any]) -> str:
    """Put the terms of ``substitutions`` in place of their variables, as pyoxigraph's ``substitutions`` does.

    Strings, comments and IRIs are skipped. A variable in a SELECT projection cannot be
    replaced by a term; such a query no longer parses and is refused rather than answered
    differently from the embedded store.
    """
    terms = {variable.value: str(term) for variable, term in substitutions.items()}
    pattern = re.compile(rf"(?P<skip>{_SKIP}|{_STRING})|[?$](?P<name>[A-Za-z_0-9\u00B7-\uFFFF]+)")

    def replace(match: re.Match[str]) -> str:
        if match["name"] is not None and match["name"] in terms:
            return terms[match["name"]]
        return match.group(0)

    text = pattern.sub(replace, query)
    try:
        ox.Store().query(text)
    except SyntaxError as exc:
        raise RemoteError(f"cannot apply the substitutions {sorted(terms)} for the remote store: {exc}") from None
    return text


# ---------------------------------------------------------------- the store surface


class RemoteStore:
    """The part of ``pyoxigraph.Store`` the endpoint uses, answered by a remote store.

    ``graphs`` are the data set's graphs (data, vocabulary, summaries): the union default graph of
    the embedded store is their union here, and they are the only named graphs a query sees.
    """

    def __init__(self, client: SparqlClient, graphs: list[str], max_rows: int | None = None,
                 names: Mapping[str, str] | None = None) -> None:
        self.client = client
        self.graphs = graphs
        self.max_rows = max_rows
        self.names = dict(names or {})  # a graph's public IRI -> its name in the remote store

    def query(
        self,
        query: str,
        *,
        prefixes: Mapping[str, str] | None = None,
        base_iri: str | None = None,
        use_default_graph_as_union: bool = False,
        default_graph: Any = None,
        named_graphs: Any = None,
        substitutions: Mapping[ox.Variable, Any] | None = None,
        form: str | None = None,
        **unsupported: Any,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Answer a query as ``pyoxigraph.Store.query`` would, from the remote store.

        ``form`` ("results" or "graph") is the query form when the caller knows it: the
        endpoint's query check finds it (in a query process, under the time limit) for a
        visitor's query. Without it the query is parsed by the embedded engine (over an
        empty store) to find the form and report syntax errors alike on both backends;
        eulod's own queries take that path, never a visitor's, since that parse also
        evaluates what needs no data (VALUES, ORDER BY) in this process.
        """
        if unsupported:
            raise RemoteError(f"the remote store does not support {', '.join(sorted(unsupported))}")
        if form is None:
            local = ox.Store().query(query, prefixes=prefixes, base_iri=base_iri, use_default_graph_as_union=True)
            form = "graph" if isinstance(local, ox.QueryTriples) else "results"
        text = _with_prologue(query, prefixes, base_iri)
        if substitutions:
            text = substitute(text, substitutions)
        rewritten = rewrite_date_comparisons(text)
        if rewritten != text:
            log.debug("rewrote xsd:date comparisons for the remote store")
        defaults = self.graphs if use_default_graph_as_union or default_graph is None else self._stored(default_graph)
        named = self.graphs if named_graphs is None else self._stored(named_graphs)
        if form == "graph":
            headers, body = self.client.query(rewritten, N_TRIPLES, defaults, named)
            _check_complete(headers)
            triples = [quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
            if self.max_rows is not None and len(triples) >= self.max_rows:
                raise RemoteRefusal(
                    f"the remote store returned {len(triples)} triples, the row limit: the answer may be cut short"
                )
            return as_query_triples(triples)
        headers, body = self.client.query(rewritten, RESULTS_JSON, defaults, named)
        _check_complete(headers)
        return ox.parse_query_results(self._checked_solutions(body), format=ox.QueryResultsFormat.JSON)

    def _stored(self, graphs: Any) -> list[str]:
        """The remote store's names of graphs given by their public IRIs (or already by those names)."""
        return [self.names.get(iri, iri) for iri in _iris(graphs)]

    def _checked_solutions(self, body: bytes) -> bytes:
        """SPARQL JSON results made safe to parse, or a refusal when they may be cut short.

        Virtuoso does not always flag an answer cut at its ResultSetMaxRows, so an answer
        with that many rows is refused rather than served short; and it names blank nodes
        ``nodeID://b123``, which is no valid blank node label, so labels are rewritten
        (consistently within the answer, as their identity only matters there).
        """
        try:
            document = json.loads(body)
        except ValueError as exc:
            raise RemoteError(f"the remote store sent malformed SPARQL JSON: {exc}") from None
        bindings = (document.get("results") or {}).get("bindings")
        if bindings is None:
            return body  # an ASK answer
        if self.max_rows is not None and len(bindings) >= self.max_rows:
            raise RemoteRefusal(
                f"the remote store returned {len(bindings)} rows, its row limit (ResultSetMaxRows): the answer may be "
                "cut short; "
                "add LIMIT/OFFSET to page through it"
            )
        for row in bindings:
            for term in row.values():
                if term.get("type") == "bnode":
                    term["value"] = _BNODE_UNSAFE.sub("_", term["value"])
        return json.dumps(document).encode("utf-8")


_BNODE_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def as_query_triples(triples: Iterable[ox.Triple]) -> ox.QueryTriples:
    """Triples as a genuine ``pyoxigraph.QueryTriples``, the type the embedded store's CONSTRUCT gives.

    pyoxigraph cannot build one from Python, so the triples go through a throw-away
    in-memory store and a CONSTRUCT that copies them; blank nodes bound to variables keep
    their identity, so their structure is preserved.
    """
    scratch = ox.Store()
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    return scratch.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")


def _iris(graphs: Any) -> list[str]:
    items = graphs if isinstance(graphs, (list, tuple)) else [graphs]
    out = []
    for item in items:
        if not isinstance(item, ox.NamedNode):
            raise ValueError(f"the remote store takes only IRIs as graph names, not {item}")
        out.append(item.value)
    return out


def _with_prologue(query: str, prefixes: Mapping[str, str] | None, base_iri: str | None) -> str:
    lines = [f"BASE <{base_iri}>"] if base_iri else []
    lines += [f"PREFIX {name}: <{iri}>" for name, iri in (prefixes or {}).items()]
    return "\n".join(lines + [query]) if lines else query


def _check_complete(headers: Any) -> None:
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


class RemoteHandle:
    """The published generation on a remote store, with the surface of :class:`eulod.store.StoreHandle`.

    The manifest is read from the metadata graph at most every ``check_interval`` seconds,
    so a publish is noticed as quickly as a local build switch. Dumps are not in the store:
    ``generation`` is the local build's generation of the same id when this replica has it
    (a shared or copied build folder), else a folder that does not exist, so dumps are 404
    and are better served by a static host or CDN (see docs/deployment.md).
    """

    def __init__(self, settings: Settings, client: SparqlClient | None = None, check_interval: float = 1.0) -> None:
        self.settings = settings
        self.client = client or SparqlClient(Remote.from_settings(settings), timeout=settings.query_timeout + 5)
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._manifest: dict[str, Any] | None = None
        self._checked = 0.0

    def _refresh(self) -> None:
        now = time.monotonic()
        if self._manifest is not None and now - self._checked < self.check_interval:
            return
        with self._lock:
            if self._manifest is not None and now - self._checked < self.check_interval:
                return
            manifest = read_manifest(self.client, self.settings.base_iri)
            if manifest is None:
                if self._manifest is None:
                    raise StoreMissing(
                        f"nothing published at {self.client.remote.query_url} for {self.settings.base_iri}: "
                        "run 'eulod publish' first"
                    )
                return
            if self._manifest is None or manifest.get("generation") != self._manifest.get("generation"):
                log.info("remote store serves generation %s", manifest.get("generation"))
            self._manifest, self._checked = manifest, now

    @property
    def manifest(self) -> dict[str, Any]:
        self._refresh()
        assert self._manifest is not None
        return self._manifest

    @property
    def store(self) -> RemoteStore:
        manifest = self.manifest
        graphs = manifest["remote_graphs"]
        public = manifest.get("graphs", {})
        names = {public[name]: stored for name, stored in graphs.items() if name in public}
        return RemoteStore(self.client, list(graphs.values()), max_rows=self.settings.remote_max_rows, names=names)

    @property
    def generation(self) -> Generation:
        wanted = self.manifest.get("generation", "")
        local = current_generation(self.settings.build_dir)
        if local is not None and local.id == wanted:
            return local
        return Generation(self.settings.build_dir / GENERATIONS / wanted)


def read_manifest(client: SparqlClient, base_iri: str) -> dict[str, Any] | None:
    meta = meta_graph_iri(base_iri)
    query = f"SELECT ?m WHERE {{ GRAPH <{meta}> {{ <{meta}> <{manifest_predicate(base_iri)}> ?m }} }}"
    _, body = client.query(query, RESULTS_JSON)
    rows = list(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))
    if not rows:
        return None
    # Between a publish's INSERT of the new manifest and its DELETE of the old one both are
    # there: the newest is the live one.
    manifests = [json.loads(row["m"].value) for row in rows]
    return max(manifests, key=lambda m: m.get("published", 0))


# ---------------------------------------------------------------- publishing


def generation_graph(graph: str, generation_id: str) -> str:
    """Where one generation's copy of ``graph`` lives in the remote store."""
    return f"{graph}-{generation_id}"


def _literal(text: str) -> str:
    """A SPARQL string literal for any text (JSON included)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def _upload(client: SparqlClient, store: ox.Store, graph: str, target: str, folder: Path) -> int:
    """PUT one graph of the local store into ``target``; returns how many triples were sent."""
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".nt") as handle:
        store.dump(handle, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
        handle.flush()
        length = handle.tell()
        handle.seek(0)
        client.put_graph(target, handle, length)
    return sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))


def publish(generation: Generation, client: SparqlClient, base_iri: str) -> dict[str, Any]:
    """Upload ``generation`` to the remote store and make it live in one step; returns its manifest.

    The generation's graphs are uploaded under generation-specific names and counted; only
    then is the new manifest, which names them, added to the metadata graph (one INSERT of
    one triple), and the old manifest removed after it. Readers follow the newest manifest,
    so they switch from the complete old graphs to the complete new ones at once. The
    previous generation's graphs are kept for readers still holding the old manifest; older
    ones are dropped. (Virtuoso shows the rows of a running MOVE to readers, so moving
    staged data onto fixed graph names would not be atomic: the tests caught that.)
    """
    manifest = generation.manifest()
    if manifest.get("base_iri") != base_iri:
        raise RemoteError(
            f"the build in {generation.path} was made for base IRI {manifest.get('base_iri')}, not {base_iri}: "
            "build again with the deployment's base IRI"
        )
    graphs: dict[str, str] = manifest["graphs"]
    live = {key: generation_graph(graph, generation.id) for key, graph in graphs.items()}
    previous = read_manifest(client, base_iri)
    store = ox.Store.read_only(str(generation.store_path))
    try:
        for key, graph in graphs.items():
            sent = _upload(client, store, graph, live[key], generation.path)
            held = client.count(live[key])
            if held != sent:
                raise RemoteError(f"the remote store holds {held} triples of <{graph}> after receiving {sent}")
            log.info("uploaded %d triples of <%s>", sent, graph)
        published = {**manifest, "remote_graphs": live, "published": time.time_ns()}
        meta, predicate = meta_graph_iri(base_iri), manifest_predicate(base_iri)
        text = _literal(json.dumps(published, sort_keys=True))
        client.update(f"INSERT DATA {{ GRAPH <{meta}> {{ <{meta}> <{predicate}> {text} }} }}")
    except BaseException:
        _drop_quietly(client, live.values())
        raise
    finally:
        del store
    client.update(
        f"DELETE {{ GRAPH <{meta}> {{ <{meta}> <{predicate}> ?old }} }} "
        f"WHERE {{ GRAPH <{meta}> {{ <{meta}> <{predicate}> ?old FILTER(STR(?old) != {text}) }} }}"
    )
    keep = set(live.values()) | set((previous or {}).get("remote_graphs", {}).values())
    _drop_quietly(client, [g for g in _generation_graphs(client, graphs.values()) if g not in keep])
    return published


def _generation_graphs(client: SparqlClient, graphs: Iterable[str]) -> list[str]:
    """Every generation copy of ``graphs`` in the store."""
    tests = " || ".join(f"STRSTARTS(STR(?g), {_literal(g + '-')})" for g in graphs)
    _, body = client.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({tests}) }}", RESULTS_JSON)
    return [row["g"].value for row in ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)]


def _drop_quietly(client: SparqlClient, graphs: Iterable[str]) -> None:
    graphs = list(graphs)
    if not graphs:
        return
    try:
        client.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))
    except RemoteError as exc:
        log.warning("could not remove unused generation graphs: %s", exc)
