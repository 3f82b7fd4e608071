"""Entry point of a query worker process (spawned by ProcessExecutor).

The worker cuts itself off the network before it opens the store (kg/sandbox.py), reports "ready" with
what it found (sandbox state, evidence-index build time), then answers tasks one at a time. SPARQL
queries that sort (ORDER BY) run in a forked child: pyoxigraph 0.5.13 aborts the whole process on some
sorts (a Rust panic, "comparison function does not correctly implement a total order"), which would
otherwise take the worker and its evidence index with it. The child's death becomes a 500 answer; the
worker lives on.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import pickle
import signal
import time
from pathlib import Path
from typing import Any

from ..errors import KGError
from .errors import EngineCrashError

PR_SET_PDEATHSIG = 1


def main(conn: Any, store_path: str, sandbox: str = "auto") -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops us; Ctrl-C goes to it
    from ..sandbox import SandboxError, enter_network_sandbox
    from .executor import encode_error

    try:
        state = enter_network_sandbox(sandbox)  # type: ignore[arg-type]
    except SandboxError as exc:
        conn.send(("error", encode_error(KGError(str(exc)))))
        return
    from ..evidence_index import evidence_index
    from ..store.oxigraph import OxigraphStore
    from .tasks import TASKS

    try:
        store = OxigraphStore(Path(store_path), read_only=True)
        started = time.perf_counter()
        evidence_index(store).build()  # before "ready": the first big answer is as fast as the rest
        seconds = time.perf_counter() - started
    except KGError as exc:
        conn.send(("error", encode_error(exc)))
        return
    conn.send(("ready", {"sandbox": state, "index_seconds": seconds}))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        task, payload = message
        try:
            if store.refresh():
                # Answers read evidence lazily until the new version's index is built.
                evidence_index(store).build_in_background()
            if task == "sparql" and _sorts(payload):
                conn.send(_in_child(TASKS[task], store, payload))
            else:
                conn.send(("ok", TASKS[task](store, payload)))
        except KGError as exc:
            conn.send(("error", encode_error(exc)))
        except Exception as exc:
            conn.send(("crash", f"{type(exc).__name__}: {exc}"))


def _sorts(payload: Any) -> bool:
    from .tokens import tokens

    query = getattr(payload, "query", "")
    try:
        words = [t.text.upper() for t in tokens(query) if t.kind == "word"]
    except KGError:
        return False  # refused by the check in the task itself, before the engine sees it
    return any(a == "ORDER" and b == "BY" for a, b in itertools.pairwise(words))


def _in_child(task: Any, store: Any, payload: Any) -> tuple[str, Any]:
    """Run one task in a fork of this worker; its crash is an answer, not the worker's death."""
    from .executor import encode_error

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer, write, leave without running any Python clean-up
        os.close(read_fd)
        try:
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # dies with a killed worker
            try:
                result: tuple[str, Any] = ("ok", task(store, payload))
            except KGError as exc:
                result = ("error", encode_error(exc))
            except Exception as exc:
                result = ("crash", f"{type(exc).__name__}: {exc}")
            data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(data)
            while view:
                view = view[os.write(write_fd, view):]
        finally:
            os._exit(0)
    os.close(write_fd)
    chunks = []
    with os.fdopen(read_fd, "rb") as pipe:
        while chunk := pipe.read(1 << 20):
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if chunks and os.WIFEXITED(status):
        answer: tuple[str, Any] = pickle.loads(b"".join(chunks))
        return answer
    what = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit {os.WEXITSTATUS(status)}"
    return ("error", encode_error(EngineCrashError(
        f"the query engine crashed evaluating this query ({what}): a known Oxigraph defect aborts some "
        "ORDER BY sorts over mixed kinds of terms (docs/api.md). The service is unaffected")))
