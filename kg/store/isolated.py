"""Write one store generation from a SPARQL update in a child process, under a time limit that really
stops it.

An Oxigraph update cannot be interrupted in its thread, so a runaway `INSERT … WHERE` would hold the
writer (and every write after it) for as long as it runs. The time limit covers the update and keeping
the default graph the union of the named graphs after it. The child (kg/store/write_child.py) writes
the new generation only, never the published one, and is killed at the limit; the caller then deletes
what it left and nothing was applied. A child started from a thread inherits that thread's network
namespace, so the writer's sandbox holds in the child too.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ..errors import QueryError, QuerySyntaxError, QueryTimeoutError, StoreError, UpdateEvaluationError

CHILD = Path(__file__).with_name("write_child.py")


def write_generation(source: Path | None, target: Path, update: str, base_iri: str | None, meta: str,
                     timeout: float, *, probe: str | None = None) -> None:
    """Back up `source` into `target`, apply `update`, bring the default graph back in line with the
    named graphs (with `probe`, only for the triples it names: kg/store/write_child.py) and write `meta`."""
    job = json.dumps({"source": str(source) if source else None, "target": str(target), "update": update,
                      "base_iri": base_iri, "meta": meta, "probe": probe})
    # -I: no user site, no PYTHON* variables, no current directory on the path: the child runs only itself.
    with subprocess.Popen([sys.executable, "-I", str(CHILD)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as child:
        try:
            out, err = child.communicate(job, timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            raise QueryTimeoutError(f"the update ran longer than its time limit of {timeout:g} s "
                                    "(KG_UPDATE_TIMEOUT) and was stopped; nothing was applied") from None
    if child.returncode == 0:
        return
    try:
        failure = json.loads(out)
    except ValueError:
        raise StoreError(f"the update stopped unexpectedly (exit {child.returncode}); nothing was applied: "
                         f"{err.strip().splitlines()[-1] if err.strip() else 'no message'}") from None
    kind, message = failure["kind"], failure["message"]
    if kind == "syntax":
        raise QuerySyntaxError(f"malformed SPARQL update: {message}")
    if kind == "missing_graph":
        raise UpdateEvaluationError(f"update failed: {message} (add SILENT to ignore this)")
    if kind == "os":
        raise StoreError(f"the write failed and was not applied: {message}")
    raise QueryError(f"update failed: {message}")
