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
import queue
import threading
import time
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, KGError, QueryTimeoutError, StoreError
from ..store.base import Store
from .errors import ServerBusyError
from .tasks import TASKS

log = logging.getLogger("kg.sparql.executor")


class Executor(ABC):
    timeout: float

    @abstractmethod
    def run(self, task: str, payload: Any, timeout: float | None = None) -> Any:
        """Run TASKS[task](store, payload); raise its KGError, QueryTimeoutError or ServerBusyError."""

    def close(self) -> None:  # noqa: B027 - nothing to release by default
        """Stop the workers."""


def _timeout_error(seconds: float) -> QueryTimeoutError:
    return QueryTimeoutError(f"the query ran longer than its time limit of {seconds:g} s (KG_QUERY_TIMEOUT) "
                             "and was stopped")


class ThreadExecutor(Executor):
    def __init__(self, store: Store, *, workers: int = 4, timeout: float = 5.0) -> None:
        self.store = store
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kg-query")

    def run(self, task: str, payload: Any, timeout: float | None = None) -> Any:
        limit = timeout or self.timeout
        future = self._pool.submit(TASKS[task], self.store, payload)
        try:
            return future.result(timeout=limit)
        except FutureTimeout:
            future.cancel()  # only helps if it has not started; rdflib evaluation cannot be stopped
            raise _timeout_error(limit) from None

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


class ProcessExecutor(Executor):
    def __init__(self, store_path: Path, *, workers: int = 2, timeout: float = 5.0,
                 start_timeout: float = 120.0) -> None:
        self.store_path = store_path
        self.timeout = timeout
        self.size = workers
        self._ctx = mp.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self._lock = threading.Lock()
        self._all: set[int] = set()
        self._processes: list[Any] = []
        started = [self._spawn() for _ in range(workers)]
        for w in started:
            self._await_ready(w, start_timeout)
            self._idle.put(w)

    def _spawn(self) -> _Worker:
        from .worker import main

        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=main, args=(child, str(self.store_path)), daemon=True,
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

    def run(self, task: str, payload: Any, timeout: float | None = None) -> Any:
        limit = timeout or self.timeout
        try:
            w = self._idle.get(timeout=limit)
        except queue.Empty:
            raise ServerBusyError(f"every query worker stayed busy for {limit:g} s; try again") from None
        try:
            w.conn.send((task, payload))
            ready = w.conn.poll(limit)
        except (OSError, EOFError, ValueError):
            ready = None
        if not ready:
            self._kill(w)
            self._replace()
            if ready is None:
                raise StoreError("a query worker stopped unexpectedly; it is being replaced")
            raise _timeout_error(limit)
        try:
            status, value = w.conn.recv()
        except (OSError, EOFError):
            self._kill(w)
            self._replace()
            raise StoreError("a query worker stopped unexpectedly; it is being replaced") from None
        self._idle.put(w)
        if status == "ok":
            return value
        if status == "error":
            raise decode_error(value)
        raise RuntimeError(f"query worker failed: {value}")

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


def make_executor(store: Store, *, workers: int, timeout: float) -> Executor:
    """Worker processes for the Oxigraph store; threads for any other store."""
    root = getattr(store, "root", None)
    if store.kind == "oxigraph" and isinstance(root, Path):
        return ProcessExecutor(root, workers=workers, timeout=timeout)
    return ThreadExecutor(store, workers=max(workers, 2), timeout=timeout)
