"""A throwaway OpenLink Virtuoso for the remote-store tests (Debian's `virtuoso-opensource`).

`virtuoso_serve(root)` writes a virtuoso.ini whose database, logs and HTTP root all live in `root`,
starts `virtuoso-t -f -c <ini>` on two free loopback ports (SQL and HTTP), waits for its /sparql
endpoint, grants the anonymous SPARQL user update rights and yields the HTTP base URL; at the end it
stops the server by its own process handle.

Update rights: Virtuoso's anonymous endpoint /sparql runs as the SQL user "SPARQL", which may only
read. `GRANT SPARQL_UPDATE TO "SPARQL"` (sent through `isql-vt` as `dba`, whose password is `dba` in
a fresh database) lets /sparql run SPARQL Update and /sparql-graph-crud take PUT/POST/DELETE, which is
what `KG_REMOTE_UPDATE_URL` needs (the store sends no credentials). The authenticated endpoints
(/sparql-auth, /sparql-graph-crud-auth, HTTP digest auth) also work without the grant, but the
service has no setting for credentials. Only ever do this on a server reachable from trusted hosts.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.servers import free_port, oxigraph_serve, stop, wait_until_up

VIRTUOSO = "virtuoso-t"
ISQL = "isql-vt"
MISSING = ("OpenLink Virtuoso is not installed (Debian: apt-get install virtuoso-opensource; "
           "scripts/test installs it when run as root)")


def virtuoso_installed() -> bool:
    return shutil.which(VIRTUOSO) is not None and shutil.which(ISQL) is not None


def skip_unless_virtuoso() -> None:
    if not virtuoso_installed():
        pytest.skip(MISSING)


def urls(base: str) -> dict[str, str]:
    """KG_REMOTE_* for a Virtuoso at `base`: /sparql takes queries and updates; GSP is /sparql-graph-crud."""
    return {"query": f"{base}/sparql", "update": f"{base}/sparql", "gsp": f"{base}/sparql-graph-crud"}


def _ini(root: Path, sql_port: int, http_port: int, result_rows: int) -> str:
    return f"""\
[Database]
DatabaseFile       = {root}/virtuoso.db
ErrorLogFile       = {root}/virtuoso.log
LockFile           = {root}/virtuoso.lck
TransactionFile    = {root}/virtuoso.trx
xa_persistent_file = {root}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile    = {root}/virtuoso-temp.db
TransactionFile = {root}/virtuoso-temp.trx
Striping        = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
MaxClientConnections = 10
CheckpointInterval   = 60
CaseMode             = 2
DirsAllowed          = {root}
NumberOfBuffers      = 20000
MaxDirtyBuffers      = 15000
MaxQueryMem          = 500M

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {root}
MaxClientConnections = 20
ServerThreads        = 20
Charset              = UTF-8

[SPARQL]
; Virtuoso's default (10,000) cuts longer results short, which the store refuses (see docs/scaling.md).
ResultSetMaxRows           = {result_rows}
MaxQueryExecutionTime      = 0
MaxQueryCostEstimationTime = 0
"""


@contextmanager
def virtuoso_serve(root: Path, *, result_rows: int = 1_000_000) -> Iterator[str]:
    """Virtuoso on 127.0.0.1 with its database in `root`; yields its HTTP base URL (e.g. http://127.0.0.1:PORT)."""
    skip_unless_virtuoso()
    root.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = root / "virtuoso.ini"
    ini.write_text(_ini(root, sql_port, http_port, result_rows))
    base = f"http://127.0.0.1:{http_port}"
    with (root / "stdout.log").open("wb") as out:
        proc = subprocess.Popen([VIRTUOSO, "-f", "-c", str(ini)], cwd=root, stdout=out, stderr=subprocess.STDOUT)
    try:
        try:
            wait_until_up(f"{base}/sparql?query=ASK%7B%7D", proc)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}: {(root / 'stdout.log').read_text(errors='replace')[-2000:]}") from exc
        isql(sql_port, 'GRANT SPARQL_UPDATE TO "SPARQL";')
        yield base
    finally:
        stop(proc, timeout=60)


def isql(sql_port: int, statements: str) -> str:
    done = subprocess.run([ISQL, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={statements}"],
                          capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
        raise RuntimeError(f"isql-vt failed: {done.stdout}{done.stderr}")
    return done.stdout


ENGINES = [pytest.param("oxigraph", id="oxigraph"),
           pytest.param("virtuoso", id="virtuoso", marks=pytest.mark.slow)]


@contextmanager
def sparql_server(engine: str, root: Path) -> Iterator[dict[str, str]]:
    """A fresh, empty SPARQL server of `engine` ("oxigraph" serve or "virtuoso"); yields its query/update/gsp
    URLs (and "engine")."""
    if engine == "oxigraph":
        with oxigraph_serve() as base:
            yield {"engine": engine, "query": f"{base}/query", "update": f"{base}/update", "gsp": f"{base}/store"}
    elif engine == "virtuoso":
        with virtuoso_serve(root) as base:
            yield {"engine": engine, **urls(base)}
    else:
        raise ValueError(engine)


def env_for(server: dict[str, str]) -> dict[str, str]:
    """The KG_* variables pointing the service (or the CLI) at `server`."""
    return {"KG_STORE": "remote", "KG_REMOTE_QUERY_URL": server["query"], "KG_REMOTE_UPDATE_URL": server["update"],
            "KG_REMOTE_GSP_URL": server["gsp"]}
