"""Start Debian's Virtuoso on 127.0.0.1 in a temporary folder, ready for eulod, and stop it.

The Debian package installs ``virtuoso-t`` and ``isql-vt`` but starts no server, so the
tests start their own: a fresh database in a temp folder, HTTP and SQL ports picked free
on 127.0.0.1, a user ``eulod`` with a random password and the SPARQL_UPDATE role (it
writes through the Digest-authenticated ``/sparql-auth`` and ``/sparql-graph-crud-auth``;
anonymous ``/sparql`` stays read-only). A fresh database starts in about five seconds.

Run it by hand with ``python tests/virtuoso/harness.py``: it prints the EULOD_REMOTE_*
settings and serves until Ctrl-C.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

SERVER = "virtuoso-t"
ISQL = "isql-vt"
USER = "eulod"

INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
ThreadsPerQuery = 2
MaxClientConnections = 10

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}/www
ServerThreads = 10
MaxClientConnections = 10
EnabledDavVSP = 0
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 0
"""


def installed() -> bool:
    return bool(shutil.which(SERVER) and shutil.which(ISQL))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Virtuoso:
    """One Virtuoso server in ``folder``; ``start()`` returns once SPARQL answers."""

    def __init__(self, folder: Path, max_rows: int = 100_000) -> None:
        self.folder = folder
        self.max_rows = max_rows
        self.http_port = _free_port()
        self.sql_port = _free_port()
        self.password = secrets.token_urlsafe(16)
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_url(self) -> str:
        return self.base + "/sparql"

    @property
    def update_url(self) -> str:
        return self.base + "/sparql-auth"

    @property
    def gsp_url(self) -> str:
        return self.base + "/sparql-graph-crud-auth"

    def env(self) -> dict[str, str]:
        """The eulod settings that point at this server."""
        return {
            "EULOD_REMOTE_QUERY_URL": self.query_url,
            "EULOD_REMOTE_UPDATE_URL": self.update_url,
            "EULOD_REMOTE_GSP_URL": self.gsp_url,
            "EULOD_REMOTE_USER": USER,
            "EULOD_REMOTE_PASSWORD": self.password,
        }

    def start(self, timeout: float = 60.0) -> "Virtuoso":
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "www").mkdir(exist_ok=True)
        ini = self.folder / "virtuoso.ini"
        ini.write_text(
            INI.format(folder=self.folder, sql_port=self.sql_port, http_port=self.http_port, max_rows=self.max_rows)
        )
        log = open(self.folder / "server.out", "wb")
        self.process = subprocess.Popen(
            [SERVER, "+foreground", "+configfile", str(ini)], cwd=self.folder, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.query_url + "?query=ASK%7B%7D", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError(f"Virtuoso did not answer within {timeout:.0f} s:\n{self.log_tail()}")
        self.isql(
            f"DB.DBA.USER_CREATE('{USER}', '{self.password}');",
            f'GRANT SPARQL_UPDATE TO "{USER}";',
            f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{USER}', 3);",
            "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 1);",
        )
        return self

    def isql(self, *statements: str) -> str:
        """Run SQL as dba through isql-vt (the fresh database's dba password is the default)."""
        completed = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", "dba", "dba", "exec=" + " ".join(statements)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if completed.returncode != 0 or "*** Error" in completed.stdout + completed.stderr:
            raise RuntimeError(f"isql failed: {completed.stdout}\n{completed.stderr}")
        return completed.stdout

    def log_tail(self, lines: int = 30) -> str:
        path = self.folder / "server.out"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def main() -> int:
    import tempfile

    if not installed():
        print("virtuoso-t/isql-vt not found: apt-get install virtuoso-opensource", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="eulod-virtuoso-") as folder:
        server = Virtuoso(Path(folder)).start()
        for name, value in server.env().items():
            print(f"export {name}={value}")
        try:
            while server.process and server.process.poll() is None:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
