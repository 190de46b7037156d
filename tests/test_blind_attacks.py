"""A blind adversarial set against `eulod serve`: every attack of tests/data/blind-attacks/attacks.yaml
sent to a real server, with a canary listening on 127.0.0.1 and ::1 and a canary file holding a
random token.

Why "blind": the attacks were written from README.md and the pages the server serves, without
reading the defence (its code, its documentation or its tests), so they test what the defence
does rather than what its authors thought of. An attack passes when the server

- makes no connection to the canary (an SSRF is any connection at all),
- answers without the canary file's token, /etc/passwd's first line, the canary's own answer,
  a raw script payload in an HTML page, an injected header or a redirect elsewhere,
- answers at all within the query timeout plus the wait for a query process plus slack
  (a hang is a failure, found by the socket's timeout, not by timing the answer), and
- answers with the refusal the README promises (a 4xx) or, where no refusal is promised,
  anything but a server error (5xx; 503 and 504 only where the attack is meant to be heavy).

An attack that gets through is kept, marked xfail(strict=True) in the YAML (`xfail: why`), so
the defence's fix turns it into a pass the suite then insists on.

Requests are written to a socket byte for byte, so a path keeps its `..`, `%2e` and backslashes
and a header its CR LF: an HTTP library would normalise exactly what is being tested.
"""

from __future__ import annotations

import re
import secrets
import socket
import threading
import time
import urllib.parse
from xml.etree import ElementTree
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from conftest import start_server

ATTACKS_FILE = Path(__file__).parent / "data" / "blind-attacks" / "attacks.yaml"
QUERY_TIMEOUT = 5  # EULOD_QUERY_TIMEOUT of the attacked server, low so heavy attacks end soon
QUERY_WAIT = 5  # EULOD_QUERY_WAIT
SLACK = 25  # seconds beyond timeout and wait before an unanswered request counts as a hang
CANARY_SETTLE = 0.3  # seconds to let a late connection (a query process's) reach the canary
PASSWD_LINE = "root:x:0:0"
CANARY_ANSWER = "CANARY-ANSWER-"  # the listener's reply body prefix: a fetched answer shown back
SCAN_LIMIT = 4 * 1024 * 1024  # bytes of a response kept for the checks (the rest is only scanned)

SPECIAL = {
    "{LS}": "\u2028",
    "{NEL}": "\u0085",
    "{CR}": "\r",
    "{LF}": "\n",
    "{TAB}": "\t",
    "{FF}": "\f",
    "{VT}": "\v",
    "{NBSP}": "\u00a0",
    "{BOM}": "\ufeff",
    "{NUL}": "\x00",
}
BIG = re.compile(r"\{BIG:(\d+):(.*?):GIB\}", re.S)


def load_attacks() -> list[dict]:
    attacks = yaml.safe_load(ATTACKS_FILE.read_text(encoding="utf-8"))
    ids = [attack["id"] for attack in attacks]
    assert len(ids) == len(set(ids)), "attack ids must be unique"
    return attacks


# ------------------------------------------------------------------------------------ the canary


class Canary:
    """Listens on 127.0.0.1 and ::1 and remembers every connection; answers each with a marker
    so that a fetched answer shown back to the attacker is recognisable too."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.connections: list[str] = []
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.port4 = self._listen(socket.AF_INET, "127.0.0.1")
        self.port6 = self._listen(socket.AF_INET6, "::1") if socket.has_ipv6 else self.port4

    def _listen(self, family: int, host: str) -> int:
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.bind((host, 0))
        except OSError:
            return 0
        sock.listen(64)
        self._sockets.append(sock)
        threading.Thread(target=self._accept, args=(sock, host), daemon=True).start()
        return sock.getsockname()[1]

    def _accept(self, sock: socket.socket, host: str) -> None:
        while True:
            try:
                conn, peer = sock.accept()
            except OSError:
                return
            conn.settimeout(1)
            try:
                first = conn.recv(400)
            except OSError:
                first = b""
            with self._lock:
                self.connections.append(f"{host} from {peer[0]}: {first[:200]!r}")
            try:
                conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + f"{CANARY_ANSWER}{self.token}\n".encode())
            except OSError:
                pass
            conn.close()

    def count(self) -> int:
        with self._lock:
            return len(self.connections)

    def since(self, start: int) -> list[str]:
        with self._lock:
            return self.connections[start:]

    def close(self) -> None:
        for sock in self._sockets:
            sock.close()


# ------------------------------------------------------------------------------------ raw HTTP


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes  # at most SCAN_LIMIT bytes
    length: int
    leaks: list[str] = field(default_factory=list)  # secrets seen anywhere in the full body

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def send(port: int, method: str, target: bytes, headers: list[tuple[str, str]], body: bytes | None,
         chunked: bool, timeout: float, secrets_: list[bytes], raw_request: bytes | None = None,
         source: str = "127.0.0.1") -> Response:
    """One request, written byte for byte (or ``raw_request`` as it is: smuggling attempts); the
    answer read to its end (Connection: close). ``source`` is the client address to send from
    (any 127.x address is this machine's loopback, so two "clients" can be told apart)."""
    lines = [method.encode() + b" " + target + b" HTTP/1.1"]
    names = {name.lower() for name, _ in headers}
    if "host" not in names:
        headers = [("Host", f"127.0.0.1:{port}"), *headers]
    headers = [*headers, ("Connection", "close")]
    if body is not None:
        headers.append(("Transfer-Encoding", "chunked") if chunked else ("Content-Length", str(len(body))))
    for name, value in headers:
        lines.append(name.encode("latin-1") + b": " + value.encode("utf-8"))
    payload = b"\r\n".join(lines) + b"\r\n\r\n"
    if body is not None:
        if chunked:
            step = 65536
            payload += b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + step]), body[i:i + step]) for i in range(0, len(body), step))
            payload += b"0\r\n\r\n"
        else:
            payload += body
    if raw_request is not None:
        payload = raw_request
    with socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0)) as sock:
        try:
            sock.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer (413) before reading all of a body
        raw = bytearray()
        seen: set[str] = set()
        tail = b""
        total = 0
        while True:
            try:
                chunk = sock.recv(1 << 16)
            except ConnectionResetError:
                break
            if not chunk:
                break
            total += len(chunk)
            window = tail + chunk
            for secret in secrets_:
                if secret in window:
                    seen.add(secret.decode())
            tail = window[-64:]
            if len(raw) < SCAN_LIMIT:
                raw += chunk
    head, _, rest = bytes(raw).partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    parsed = [tuple(s.strip() for s in line.split(":", 1)) for line in header_lines if ":" in line]
    return Response(status, parsed, rest, total, sorted(seen))


# ------------------------------------------------------------------------------------ building requests


def fill(text: str, values: dict[str, str]) -> str:
    text = BIG.sub(lambda m: m.group(2) * int(m.group(1)), text)
    for key, value in {**SPECIAL, **values}.items():
        text = text.replace(key, value)
    return text


def quote(text: str) -> str:
    return urllib.parse.quote(text, safe="")


def reconcile_batch(size: int) -> str:
    import json

    queries = {f"q{i}": {"query": f"city municipality {i}", "type": "https://w3id.org/eulod/ontology#Organisation",
                         "properties": [{"pid": "country", "v": "Italia"}]} for i in range(size)}
    return "queries=" + quote(json.dumps(queries))


def request_of(spec: dict, values: dict[str, str]) -> tuple[str, bytes, list[tuple[str, str]], bytes | None]:
    """(method, request target, headers, body) of one attack step."""
    method = spec.get("method", "GET")
    path = fill(spec.get("path", "/sparql"), values)
    headers = [(name, fill(str(value), values)) for name, value in (spec.get("headers") or {}).items()]
    params = [(name, fill(str(value), values)) for name, value in (spec.get("params") or {}).items()]
    body: bytes | None = None
    encoding = spec.get("body_encoding", "utf-8")
    if "query" in spec:
        query = fill(spec["query"], values)
        via = spec.get("via", "get")
        if via == "get":
            params.insert(0, ("query", query))
        elif via == "form":
            method = "POST"
            body = urllib.parse.urlencode([("query", query)]).encode()
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        else:  # direct
            method = "POST"
            body = query.encode(encoding)
            if not any(name.lower() == "content-type" for name, _ in headers):
                headers.append(("Content-Type", "application/sparql-query"))
    if "body" in spec:
        body = fill(spec["body"], values).encode(encoding)
    if "reconcile_batch" in spec:
        body = reconcile_batch(int(spec["reconcile_batch"])).encode()
    if params:
        path += ("&" if "?" in path else "?") + "&".join(f"{quote(k)}={quote(v)}" for k, v in params)
    return method, path.encode("utf-8"), headers, body


# ------------------------------------------------------------------------------------ judging answers


def problems_of(spec: dict, response: Response | None, error: str | None, values: dict[str, str],
                canary_hits: list[str]) -> list[str]:
    """What got through, as sentences; empty when the server held."""
    found = [f"canary connection: {hit}" for hit in canary_hits]
    if response is None:
        return [*found, f"no answer: {error}"]
    found += [f"response holds {leak!r}" for leak in response.leaks]
    status = response.status
    allowed = set(spec.get("allow") or [])
    expect = spec.get("expect", "safe")
    if status >= 500 and status not in allowed:
        found.append(f"server error {status}")
    elif expect == "refuse" and not (400 <= status < 500) and status not in allowed:
        found.append(f"expected a refusal (4xx), got {status}")
    elif expect == "ok" and not (200 <= status < 300) and status not in allowed:
        found.append(f"expected an answer (2xx), got {status}")
    elif spec.get("status") and status not in spec["status"]:
        found.append(f"expected status {' or '.join(map(str, spec['status']))}, got {status}")
    elif status == 0:
        found.append("no HTTP status line")
    text = response.text
    for needle in spec.get("forbid") or []:
        if fill(needle, values) in text:
            found.append(f"response holds {needle!r}")
    content_type = (response.header("Content-Type") or "").lower()
    if "html" in content_type or "xml" in content_type or not content_type:
        for needle in spec.get("forbid_html") or []:
            if fill(needle, values) in text:
                found.append(f"{content_type or 'untyped'} response holds raw {needle!r}")
    for name in spec.get("forbid_headers") or []:
        if response.header(name) is not None:
            found.append(f"injected header {name}: {response.header(name)}")
    location = response.header("Location") or ""
    for needle in spec.get("forbid_location") or []:
        if needle in location:
            found.append(f"redirects to {location!r}")
    for kind in spec.get("forbid_content_type") or []:
        if kind in content_type:
            found.append(f"answered as {content_type}")
    if "javascript" in content_type:
        found.append(f"script response ({content_type}): JSONP")
    if spec.get("well_formed_xml") and "xml" in content_type and 200 <= status < 300:
        try:
            ElementTree.fromstring(response.body)
        except ElementTree.ParseError as exc:
            found.append(f"{content_type} answer is not well-formed XML: {exc}")
    return found


@dataclass
class Outcome:
    problems: list[str]
    status: int | None
    seconds: float
    excerpt: str


def run_attack(spec: dict, port: int, canary: Canary, canary_file: Path) -> list[Outcome]:
    values = {"{C4}": str(canary.port4), "{C6}": str(canary.port6), "{CF}": str(canary_file)}
    secrets_ = [canary.token.encode(), PASSWD_LINE.encode(), CANARY_ANSWER.encode()]
    outcomes = []
    step: dict | None = spec
    while step is not None:
        method, target, headers, body = request_of(step, values)
        before = canary.count()
        started = time.monotonic()
        response, error = None, None
        raw = fill(step["raw_request"], values).replace("\n", "\r\n").encode() if "raw_request" in step else None
        try:
            response = send(port, method, target, headers, body, bool(step.get("chunked")),
                            QUERY_TIMEOUT + QUERY_WAIT + SLACK, secrets_, raw)
        except (TimeoutError, socket.timeout) as exc:
            error = f"timed out after {time.monotonic() - started:.0f} s ({exc})"
        except OSError as exc:
            error = f"connection failed: {exc!r}"
        seconds = time.monotonic() - started
        time.sleep(CANARY_SETTLE)
        problems = problems_of(step, response, error, values, canary.since(before))
        excerpt = "" if response is None else response.text[:300]
        outcomes.append(Outcome(problems, response.status if response else None, seconds, excerpt))
        step = step.get("then")
    return outcomes


# ------------------------------------------------------------------------------------ the tests

ATTACKS = load_attacks()


@pytest.fixture(scope="module")
def canary_token() -> str:
    return f"CANARY-{secrets.token_hex(12)}"


@pytest.fixture(scope="module")
def canary(canary_token: str):
    listener = Canary(canary_token)
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def canary_file(tmp_path_factory: pytest.TempPathFactory, canary_token: str) -> Path:
    path = tmp_path_factory.mktemp("canary") / "attack-canary.txt"
    path.write_text(canary_token + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def attacked_server(sample_build, sample_settings, tmp_path_factory: pytest.TempPathFactory):
    """`eulod serve` over the sample build, with a short query timeout so heavy attacks end soon."""
    server = start_server(sample_settings.build_dir, tmp_path_factory.mktemp("attack-logs") / "serve.log",
                          {"EULOD_QUERY_TIMEOUT": str(QUERY_TIMEOUT), "EULOD_QUERY_WAIT": str(QUERY_WAIT)})
    yield server
    server.stop()


HOSTILE_RECORDS = ATTACKS_FILE.parent / "hostile" / "records"


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory):
    """`eulod serve` over a build of hostile/records: markup in every text, name and address of a
    record, and an HTML fact sheet with scripts (the stored-XSS attacks)."""
    from eulod.core.config import load_settings
    from eulod.pipeline.build import build

    settings = load_settings(environ={}, build_dir=tmp_path_factory.mktemp("hostile-build"), records=(HOSTILE_RECORDS,),
                             personal_data="publish")
    outcome = build(settings)
    assert outcome.loaded, "the hostile record did not build: " + "; ".join(map(str, outcome.problems))
    server = start_server(settings.build_dir, tmp_path_factory.mktemp("hostile-logs") / "serve.log")
    yield server
    server.stop()


def cases() -> list:
    params = []
    for attack in ATTACKS:
        marks = []
        if attack.get("xfail"):
            marks.append(pytest.mark.xfail(strict=True, reason=attack["xfail"]))
        params.append(pytest.param(attack, id=attack["id"], marks=marks))
    return params


@pytest.mark.parametrize("attack", cases())
def test_attack_is_held(attack: dict, attacked_server, canary: Canary, canary_file: Path,
                        request: pytest.FixtureRequest) -> None:
    server = request.getfixturevalue("hostile_server") if attack.get("server") == "hostile" else attacked_server
    port = int(server.url.rsplit(":", 1)[1])
    outcomes = run_attack(attack, port, canary, canary_file)
    report = [f"step {n}: status {o.status}, {o.seconds:.1f} s: {p}" for n, o in enumerate(outcomes) for p in o.problems]
    assert not report, "\n".join(report) + f"\nfirst answer begins: {outcomes[0].excerpt!r}"


def test_server_still_answers_after_the_attacks(attacked_server, canary: Canary) -> None:
    """Runs after the parametrised attacks (file order): no attack left the server unable to
    answer a plain query, and no connection reached the canary during the whole run."""
    port = int(attacked_server.url.rsplit(":", 1)[1])
    response = send(port, "GET", b"/sparql?query=ASK%7B%7D", [("Accept", "application/sparql-results+json")], None,
                    False, QUERY_TIMEOUT + QUERY_WAIT + SLACK, [])
    assert response.status == 200, response.text[:300]
    assert canary.connections == [], canary.connections


# ------------------------------------------------------------------------------------ the checks can fail


def test_the_canary_sees_a_connection_and_the_checks_report_it(canary: Canary, canary_file: Path) -> None:
    """The judge is not vacuous: a request that does reach the canary (here, made by the test to
    the canary itself, standing for a server that fetched it) is reported as a connection and as
    a leak of the canary's answer and token."""
    spec = {"id": "self-check", "path": "/leak", "expect": "refuse"}
    outcomes = run_attack(spec, canary.port4, canary, canary_file)
    problems = outcomes[0].problems
    assert any(p.startswith("canary connection") for p in problems), problems
    assert any(CANARY_ANSWER in p for p in problems), problems
    assert any(canary.token in p for p in problems), problems
    assert any("expected a refusal" in p for p in problems), problems
    canary.connections.clear()  # the self-check's own connection is not an attack's


def test_the_judge_reports_leaks_scripts_headers_and_errors() -> None:
    """Each check turns a bad answer into a problem, so a passing attack means the server held."""
    spec = {"expect": "refuse", "forbid_html": ["<svg/onload=blindxss>"], "forbid_headers": ["x-blind-injected"],
            "forbid_location": ["evil.example"]}
    bad = Response(200, [("Content-Type", "text/html"), ("X-Blind-Injected", "1"), ("Location", "http://evil.example/")],
                   b"<p><svg/onload=blindxss></p>", 30, [PASSWD_LINE])
    problems = problems_of(spec, bad, None, {}, [])
    assert len(problems) == 5, problems
    assert problems_of({"expect": "safe"}, Response(500, [], b"", 0), None, {}, []) == ["server error 500"]
    assert problems_of({"expect": "safe"}, None, "timed out after 35 s", {}, []) == ["no answer: timed out after 35 s"]
    good = Response(400, [("Content-Type", "text/plain")], b"&lt;svg/onload=blindxss&gt;", 30, [])
    assert problems_of(spec, good, None, {}, []) == []


def test_one_client_flooding_does_not_shut_out_another(attacked_server) -> None:
    """Resource abuse by one client: while 127.0.0.1 keeps a dozen cross-join queries going
    (each held until the query timeout), a cheap query from another address (127.0.0.2, the same
    loopback) is still answered, not refused with 503 or 429. No time is asserted: the flood
    lasts as long as it takes the other client's queries to be answered."""
    port = int(attacked_server.url.rsplit(":", 1)[1])
    done = threading.Event()
    flood_statuses: list[int] = []

    def flood(n: int) -> None:
        k = 0
        while not done.is_set():
            k += 1
            query = f"SELECT (COUNT(*) AS ?n{n}x{k}) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }}"
            try:
                answer = send(port, "GET", b"/sparql?query=" + quote(query).encode(), [], None, False,
                              QUERY_TIMEOUT + QUERY_WAIT + SLACK, [])
                flood_statuses.append(answer.status)
            except OSError:
                pass

    threads = [threading.Thread(target=flood, args=(n,), daemon=True) for n in range(12)]
    for thread in threads:
        thread.start()
    try:
        while len(flood_statuses) < 12:  # the flood is in full swing: its first answers are back
            time.sleep(0.2)
        statuses = []
        for n in range(5):
            query = f"SELECT ?t WHERE {{ ?s a ?t }} LIMIT {n + 1}"
            answer = send(port, "GET", b"/sparql?query=" + quote(query).encode(), [], None, False,
                          QUERY_TIMEOUT + QUERY_WAIT + SLACK, [], source="127.0.0.2")
            statuses.append(answer.status)
    finally:
        done.set()
        for thread in threads:
            thread.join()
    assert set(flood_statuses) <= {200, 429, 503, 504}, flood_statuses
    assert statuses == [200] * 5, f"the other client got {statuses} while the flood got {sorted(set(flood_statuses))}"
