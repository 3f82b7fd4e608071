"""Run graph work (queries, questions, page data) under a time limit that really stops it.

`ProcessExecutor` (Oxigraph): a small pool of spawned worker processes, each holding a read-only handle
on the store and moving to the newest generation before each task. A task that overruns its limit has
its worker killed (Oxigraph evaluation cannot be interrupted in-thread) and replaced in the background;
the caller gets QueryTimeoutError at once and the other workers keep answering.

`ThreadExecutor` (memory store, tests): the same interface on threads. Its timeout returns the error
to the caller on time but CANNOT stop rdflib's evaluation, which runs on in its thread to the end.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing as mp
import os
import queue
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, KGError, QueryTimeoutError, StoreError
from ..store.base import Store
from .errors import ServerBusyError, TooManyRequestsError
from .tasks import TASKS

log = logging.getLogger("kg.sparql.executor")


class Executor(ABC):
    timeout: float

    @abstractmethod
    def run(self, task: str, payload: Any, timeout: float | None = None, *, client: str | None = None) -> Any:
        """Run TASKS[task](store, payload); raise its KGError, QueryTimeoutError, ServerBusyError or
        TooManyRequestsError. `client` (an address) is what per-client limits count."""

    def stats(self) -> dict[str, float]:
        """Gauges and counters for /metrics; read without waiting for any worker."""
        return {}

    @property
    def sandbox_state(self) -> str:
        """"netns" when query evaluation cannot reach the network, "off" when it can."""
        return "off"

    def close(self) -> None:  # noqa: B027 - nothing to release by default
        """Stop the workers."""


def timeout_error(seconds: float) -> QueryTimeoutError:
    return QueryTimeoutError(f"the query ran longer than its time limit of {seconds:g} s (KG_QUERY_TIMEOUT) "
                             "and was stopped")


class ThreadExecutor(Executor):
    def __init__(self, store: Store, *, workers: int = 4, timeout: float = 5.0, sandbox: str | None = None) -> None:
        self.store = store
        self.timeout = timeout
        self._sandbox = "off"
        # rdflib evaluates SERVICE itself: its threads get the same wall as the worker processes (not for
        # a remote store, which they reach over the network by design).
        self._mode = sandbox
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kg-query",
                                        initializer=self._enter_sandbox if sandbox else None)

    def _enter_sandbox(self) -> None:
        from ..sandbox import enter_network_sandbox

        self._sandbox = enter_network_sandbox(self._mode)  # type: ignore[arg-type]

    @property
    def sandbox_state(self) -> str:
        return self._sandbox

    def run(self, task: str, payload: Any, timeout: float | None = None, *, client: str | None = None) -> Any:
        limit = timeout or self.timeout
        future = self._pool.submit(TASKS[task], self.store, payload)
        try:
            return future.result(timeout=limit)
        except FutureTimeout:
            future.cancel()  # only helps if it has not started; rdflib evaluation cannot be stopped
            raise timeout_error(limit) from None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


# -- worker processes ---------------------------------------------------------------------------------

def encode_error(exc: KGError) -> tuple[str, str, str, str | None, int | None, str | None]:
    if isinstance(exc, InputError):
        return type(exc).__module__, type(exc).__qualname__, exc.message, exc.file, exc.line, exc.term
    return type(exc).__module__, type(exc).__qualname__, str(exc), None, None, None


def decode_error(data: tuple[str, str, str, str | None, int | None, str | None]) -> KGError:
    module, name, message, file, line, term = data
    cls: Any = KGError
    with contextlib.suppress(ImportError, AttributeError):
        found = getattr(importlib.import_module(module), name)
        if isinstance(found, type) and issubclass(found, KGError):
            cls = found
    if issubclass(cls, InputError):
        return cls(message, file=file, line=line, term=term)  # type: ignore[no-any-return]
    return cls(message)  # type: ignore[no-any-return]


@dataclass
class _Worker:
    process: Any
    conn: Any
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Counters:
    timeouts: int = 0
    restarts: int = 0
    crashes: int = 0
    rejected: int = 0
    busy: int = 0
    queued: int = 0
    index_seconds: float = 0.0
    sandbox: str = "unknown"


class ProcessExecutor(Executor):
    """Worker processes with admission control: a client (its address) may hold at most
    `client_concurrency` workers (default: all but one, so no one client takes the service), at most
    `queue_max` requests wait for a worker, each at most
    `queue_wait` seconds (then 429 / 503 with Retry-After), and a task that runs longer than
    `slow_after` seconds is lowered to the idle CPU priority so that short queries keep the cores."""

    def __init__(self, store_path: Path, *, workers: int = 2, timeout: float = 5.0,
                 start_timeout: float = 120.0, queue_max: int = 64, queue_wait: float | None = None,
                 client_concurrency: int | None = None, slow_after: float = 0.5,
                 sandbox: str = "auto") -> None:
        self.store_path = store_path
        self.timeout = timeout
        self.size = workers
        self.queue_max = queue_max
        self.queue_wait = queue_wait if queue_wait is not None else timeout
        self.client_concurrency = client_concurrency or max(1, workers - 1)
        self.slow_after = slow_after
        self.sandbox = sandbox
        self._ctx = mp.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self._lock = threading.Lock()
        self._cond = threading.Condition()
        self._processes: list[Any] = []
        self._per_client: dict[str, int] = {}
        self.counters = _Counters()
        started = [self._spawn() for _ in range(workers)]
        for w in started:
            self._await_ready(w, start_timeout)
            self._idle.put(w)

    def _spawn(self) -> _Worker:
        from .worker import main

        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=main, args=(child, str(self.store_path), self.sandbox), daemon=True,
                                    name="kg-query-worker")
        process.start()
        child.close()
        with self._lock:
            self._processes.append(process)
        return _Worker(process, parent)

    def _await_ready(self, w: _Worker, limit: float) -> None:
        if not w.conn.poll(limit):
            self._kill(w)
            raise StoreError("a query worker did not start")
        status, detail = w.conn.recv()
        if status != "ready":
            self._kill(w)
            raise decode_error(detail) if status == "error" else StoreError(f"query worker failed: {detail}")
        w.info = dict(detail or {})
        self.counters.sandbox = str(w.info.get("sandbox", "unknown"))
        self.counters.index_seconds = float(w.info.get("index_seconds", 0.0))

    def _kill(self, w: _Worker) -> None:
        with contextlib.suppress(Exception):
            w.process.kill()
            w.process.join(5)
        with contextlib.suppress(Exception):
            w.conn.close()
        with self._lock:
            if w.process in self._processes:
                self._processes.remove(w.process)

    def _replace(self) -> None:
        self.counters.restarts += 1

        def start() -> None:
            for attempt in range(3):
                if self._closed:
                    return
                try:
                    w = self._spawn()
                    self._await_ready(w, 120.0)
                    self._idle.put(w)
                    return
                except KGError:
                    log.exception("cannot start a query worker (attempt %d)", attempt + 1)
                    time.sleep(1)

        threading.Thread(target=start, name="kg-worker-respawn", daemon=True).start()

    @contextlib.contextmanager
    def _admitted(self, client: str | None) -> Iterator[_Worker]:
        """Wait (at most `queue_wait`) for this client's turn and an idle worker; 429 if too many wait."""
        deadline = time.monotonic() + self.queue_wait
        with self._cond:
            if self.counters.queued >= self.queue_max:
                self.counters.rejected += 1
                raise TooManyRequestsError(f"{self.queue_max} requests are already waiting for a query worker; "
                                           "try again shortly", retry_after=1)
            self.counters.queued += 1
            try:
                # A client over its share waits for its own requests to finish, never for others'.
                while client is not None and self._per_client.get(client, 0) >= self.client_concurrency:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        self.counters.rejected += 1
                        raise TooManyRequestsError(
                            f"this client kept {self.client_concurrency} requests running (the most one client "
                            f"may hold) for {self.queue_wait:g} s; wait for them to finish",
                            retry_after=max(1, round(self.timeout)))
                    self._cond.wait(remaining)
                if client is not None:
                    self._per_client[client] = self._per_client.get(client, 0) + 1
            except BaseException:
                self.counters.queued -= 1
                raise
        try:
            try:
                w = self._idle.get(timeout=max(0.001, deadline - time.monotonic()))
            except queue.Empty:
                raise ServerBusyError(f"every query worker stayed busy for {self.queue_wait:g} s; try again",
                                      retry_after=max(1, round(self.timeout))) from None
            finally:
                with self._cond:
                    self.counters.queued -= 1
            with self._cond:
                self.counters.busy += 1
            try:
                yield w
            finally:
                with self._cond:
                    self.counters.busy -= 1
        finally:
            if client is not None:
                with self._cond:
                    left = self._per_client.get(client, 1) - 1
                    if left > 0:
                        self._per_client[client] = left
                    else:
                        self._per_client.pop(client, None)
                    self._cond.notify_all()

    def run(self, task: str, payload: Any, timeout: float | None = None, *, client: str | None = None) -> Any:
        limit = timeout or self.timeout
        with self._admitted(client) as w:
            return self._run_on(w, task, payload, limit)

    def _run_on(self, w: _Worker, task: str, payload: Any, limit: float) -> Any:
        try:
            w.conn.send((task, payload, limit, self.slow_after))
            ready = w.conn.poll(min(self.slow_after, limit))
            if not ready and task != "sparql":
                # A long task yields the CPU to short ones (nice 19), and gets its priority back after.
                # (Client queries run in a child of the worker, which lowers and kills it itself.)
                _set_nice(w.process.pid, 19)
            if not ready:
                # The worker stops its own child at the limit; the grace is for its answer to arrive.
                ready = w.conn.poll(max(0.0, limit - self.slow_after) + (_GRACE if task == "sparql" else 0.0))
        except (OSError, EOFError, ValueError):
            ready = None
        if not ready:
            self._kill(w)
            self._replace()
            if ready is None:
                self.counters.crashes += 1
                raise StoreError("a query worker stopped unexpectedly; it is being replaced")
            self.counters.timeouts += 1
            raise timeout_error(limit)
        try:
            status, value = w.conn.recv()
        except (OSError, EOFError):
            self.counters.crashes += 1
            self._kill(w)
            self._replace()
            raise StoreError("a query worker stopped unexpectedly; it is being replaced") from None
        if not _set_nice(w.process.pid, 0):
            # Without the right to raise a priority again, the lowered worker is recycled instead.
            self._kill(w)
            self._replace()
        else:
            self._idle.put(w)
        if status == "ok":
            return value
        if status == "error":
            error = decode_error(value)
            if isinstance(error, QueryTimeoutError):
                self.counters.timeouts += 1
            raise error
        raise RuntimeError(f"query worker failed: {value}")

    def stats(self) -> dict[str, float]:
        with self._lock:
            alive = sum(1 for p in self._processes if p.is_alive())
            c = self.counters
            return {"workers": float(self.size), "alive": float(alive), "busy": float(c.busy),
                    "queued": float(c.queued), "timeouts_total": float(c.timeouts),
                    "restarts_total": float(c.restarts), "crashes_total": float(c.crashes),
                    "rejected_total": float(c.rejected), "evidence_index_build_seconds": c.index_seconds}

    @property
    def sandbox_state(self) -> str:
        return self.counters.sandbox

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                w = self._idle.get_nowait()
            except queue.Empty:
                break
            with contextlib.suppress(Exception):
                w.conn.send(None)
        with self._lock:
            processes = list(self._processes)
        for p in processes:
            p.join(2)
            if p.is_alive():
                p.kill()
                p.join(2)


_GRACE = 2.0  # seconds past the limit before a worker that should have stopped its child is killed


def _set_nice(pid: int, value: int) -> bool:
    """Set a worker's CPU priority; False if not permitted (raising it back needs CAP_SYS_NICE)."""
    try:
        if os.getpriority(os.PRIO_PROCESS, pid) != value:
            os.setpriority(os.PRIO_PROCESS, pid, value)
        return True
    except PermissionError:
        return False
    except OSError:
        return True  # the worker is gone; the caller finds out from its pipe


def make_executor(store: Store, *, workers: int, timeout: float, **admission: Any) -> Executor:
    """Worker processes for the Oxigraph store; threads for any other store."""
    root = getattr(store, "root", None)
    if store.kind == "oxigraph" and isinstance(root, Path):
        return ProcessExecutor(root, workers=workers, timeout=timeout, **admission)
    sandbox = admission.get("sandbox") if store.kind == "memory" else None
    return ThreadExecutor(store, workers=max(workers, 2), timeout=timeout, sandbox=sandbox)
