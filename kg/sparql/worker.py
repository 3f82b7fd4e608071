"""Entry point of a query worker process (spawned by ProcessExecutor)."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

from ..errors import KGError


def main(conn: Any, store_path: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops us; Ctrl-C goes to it
    from ..evidence_index import evidence_index
    from ..store.oxigraph import OxigraphStore
    from .executor import encode_error
    from .tasks import TASKS

    try:
        store = OxigraphStore(Path(store_path), read_only=True)
        evidence_index(store).build()  # before "ready": the first big answer is as fast as the rest
    except KGError as exc:
        conn.send(("error", encode_error(exc)))
        return
    conn.send(("ready", None))
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
            conn.send(("ok", TASKS[task](store, payload)))
        except KGError as exc:
            conn.send(("error", encode_error(exc)))
        except Exception as exc:
            conn.send(("crash", f"{type(exc).__name__}: {exc}"))
