"""Entry point of a query worker process (spawned by ProcessExecutor).

The worker cuts itself off the network before it opens the store (kg/sandbox.py), reports "ready" with
what it found (sandbox state, evidence-index build time), then answers tasks one at a time. Client
SPARQL queries run in a forked child, which the worker kills at the time limit and lowers to the idle
CPU priority once it runs long: a runaway query then costs neither the worker nor its evidence index
(rebuilt in seconds at 1M triples on a respawn), and pyoxigraph 0.5.13 aborting the whole process on
some sorts (a Rust panic, "comparison function does not correctly implement a total order") costs only
the child: the query is rerun once with total-order sort keys (kg/sparql/ordering.py). Named questions
and pages, the project's own bounded queries, run in the worker itself.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import gc
import os
import pickle
import select
import signal
import threading
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
    # What the worker holds from now on (store handle, evidence index) is left out of the collector's
    # passes, so a forked query child does not copy every page of it by touching its object headers.
    gc.freeze()
    conn.send(("ready", {"sandbox": state, "index_seconds": seconds}))
    background: list[threading.Thread] = []
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        task, payload, limit, slow_after = message
        try:
            if store.refresh():
                # Answers read evidence lazily until the new version's index is built.
                background[:] = [evidence_index(store).build_in_background()]
            if task == "sparql":
                # A fork copies only the thread that forks: while the index is being built in another
                # thread, the child could inherit a lock that thread holds inside RocksDB, so it then
                # opens a store handle of its own instead of touching the inherited one.
                own = any(t.is_alive() for t in background)
                conn.send(_query_in_child(TASKS[task], store, payload, limit, slow_after, own))
            else:
                conn.send(("ok", TASKS[task](store, payload)))
        except KGError as exc:
            conn.send(("error", encode_error(exc)))
        except Exception as exc:
            conn.send(("crash", f"{type(exc).__name__}: {exc}"))


def _query_in_child(task: Any, store: Any, payload: Any, limit: float, slow_after: float,
                    own: bool) -> tuple[str, Any]:
    """A client query in a child; if the engine aborts on its sort, once more with total-order keys."""
    started = time.monotonic()
    answer = _in_child(task, store, payload, limit, slow_after, own_handle=own)
    if answer[0] != "error" or answer[1][1] != EngineCrashError.__qualname__:
        return answer
    from .ordering import total_order

    rewritten = total_order(payload.query)
    left = limit - (time.monotonic() - started)
    if rewritten is None or left <= 0:
        return answer
    retry = _in_child(task, store, dataclasses.replace(payload, query=rewritten), left, slow_after,
                      own_handle=own)
    if retry[0] == "ok":
        retry[1].headers["KG-Order"] = "total-order-fallback"  # docs/api.md: how the rows were ordered
        return retry
    return answer


def _in_child(task: Any, store: Any, payload: Any, limit: float, slow_after: float, *,
              own_handle: bool = False) -> tuple[str, Any]:
    """Run one client query in a fork of this worker, so that neither a crash of the engine nor the
    time limit costs the worker (and its evidence index): only the child is killed. A child still
    running after `slow_after` seconds drops to the lowest CPU priority, so short queries keep the cores."""
    from .executor import encode_error, timeout_error

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer, write, leave without running any Python clean-up
        os.close(read_fd)
        try:
            gc.disable()  # short-lived: a collection would only copy the worker's pages (copy-on-write)
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # dies with a killed worker
            try:
                if own_handle:
                    from ..store.oxigraph import OxigraphStore

                    store = OxigraphStore(store.root, read_only=True)
                result: tuple[str, Any] = ("ok", task(store, payload))
            except KGError as exc:
                result = ("error", encode_error(exc))
            except Exception as exc:
                result = ("crash", f"{type(exc).__name__}: {exc}")
            data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            # Length first: the worker answers as soon as it has it all, without waiting for this process
            # to exit (tearing down a copy of a large worker takes milliseconds).
            view = memoryview(len(data).to_bytes(8, "little") + data)
            while view:
                view = view[os.write(write_fd, view):]
        finally:
            os._exit(0)
    os.close(write_fd)
    started = time.monotonic()
    chunks: list[bytes] = []
    received = 0
    expected: int | None = None
    lowered = False
    whole = False
    try:
        while True:
            elapsed = time.monotonic() - started
            if elapsed >= limit:
                os.kill(pid, signal.SIGKILL)
                return ("error", encode_error(timeout_error(limit)))
            wait = limit - elapsed if lowered else min(limit, slow_after) - elapsed
            ready, _, _ = select.select([read_fd], [], [], max(0.0, wait))
            if not ready:
                if not lowered and time.monotonic() - started >= slow_after:
                    with contextlib.suppress(OSError):
                        os.setpriority(os.PRIO_PROCESS, pid, 19)
                    lowered = True
                continue
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            received += len(chunk)
            if expected is None and received >= 8:
                expected = 8 + int.from_bytes(b"".join(chunks)[:8], "little")
            if expected is not None and received >= expected:
                whole = True
                break
    finally:
        os.close(read_fd)
        if not whole:
            _, status = os.waitpid(pid, 0)
    if whole:
        _reap(pid)
        answer: tuple[str, Any] = pickle.loads(b"".join(chunks)[8:])
        return answer
    what = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit {os.WEXITSTATUS(status)}"
    return ("error", encode_error(EngineCrashError(
        f"the query engine crashed evaluating this query ({what}): a known Oxigraph defect aborts some "
        "ORDER BY sorts over mixed kinds of terms (docs/api.md). The service is unaffected")))


def _reap(pid: int) -> None:
    """Collect a child that has sent its whole answer, without waiting for it to finish exiting."""
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG) != (0, 0):
            return
    threading.Thread(target=_wait_quietly, args=(pid,), name="kg-reap", daemon=True).start()


def _wait_quietly(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
