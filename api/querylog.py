"""The structured query log: one JSON line per SPARQL query, SPARQL update and named question.

Off unless `KG_QUERY_LOG` is set: a file path (appended to; opened per line, so log rotation needs no
signal) or `-` for stderr. Each line:

    {"ts": "2026-12-02T03:04:05.678Z", "kind": "query", "sha256": "3f5c0e9a1b2d4c6e", "ms": 12.3,
     "rows": 42, "client": "127.0.0.1", "outcome": "ok", "status": 200, "text": "SELECT ..."}

`kind` is query, update or question; `sha256` is the first 16 hex digits of the SHA-256 of the text (for a
question: `name?param=value&...`, parameters sorted); `rows` is the number of result rows or triples when
known (SPARQL queries), else null; `outcome` is `ok` or the error class; `status` the HTTP status of the
outcome. `text` is left out when `KG_QUERY_LOG_TEXT=false` (the hash still lets one group and count
queries without keeping what users asked).

Routers wrap the call that executes:

    with querylog.logged(request, "query", text):
        response = execute(...)
        ...  querylog.note_rows(result.count)   # anywhere below, also in a worker thread of the request
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

from kg.errors import KGError

from .errors import status_of


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass
class Entry:
    kind: str
    text: str
    client: str | None
    started: float = field(default_factory=time.perf_counter)
    rows: int | None = None


_CURRENT: contextvars.ContextVar[Entry | None] = contextvars.ContextVar("kg_query_log_entry", default=None)


def note_rows(rows: int | None) -> None:
    """Record the result size of the query being logged (no-op when nothing is being logged)."""
    entry = _CURRENT.get()
    if entry is not None and rows is not None:
        entry.rows = int(rows)


class QueryLog:
    def __init__(self, target: str, *, include_text: bool = True) -> None:
        self.target = target
        self.include_text = include_text
        self._lock = threading.Lock()

    def write(self, entry: Entry, outcome: str, status: int) -> None:
        record: dict[str, Any] = {
            "ts": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "kind": entry.kind,
            "sha256": text_hash(entry.text),
            "ms": round((time.perf_counter() - entry.started) * 1000, 2),
            "rows": entry.rows,
            "client": entry.client,
            "outcome": outcome,
            "status": status,
        }
        if self.include_text:
            record["text"] = entry.text
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            if self.target == "-":
                sys.stderr.write(line)
                sys.stderr.flush()
            else:
                with open(self.target, "a", encoding="utf-8", errors="backslashreplace") as out:
                    out.write(line)


_LOGS: dict[tuple[str, bool], QueryLog] = {}
_LOGS_LOCK = threading.Lock()


def query_log_for(settings: Any) -> QueryLog | None:
    """The QueryLog of these settings (KG_QUERY_LOG, KG_QUERY_LOG_TEXT), or None when the log is off."""
    target = getattr(settings, "query_log", None)
    if not target:
        return None
    key = (str(target), bool(getattr(settings, "query_log_text", True)))
    with _LOGS_LOCK:
        found = _LOGS.get(key)
        if found is None:
            found = _LOGS[key] = QueryLog(key[0], include_text=key[1])
        return found


def _settings_of(request: Request) -> Any:
    runtime = getattr(request.app.state, "runtime", None)
    return getattr(runtime, "settings", None)


@contextmanager
def logged(request: Request, kind: str, text: str) -> Iterator[Entry]:
    """Log the work done in the block as one line (outcome from the exception it raises, if any)."""
    qlog = query_log_for(_settings_of(request))
    entry = Entry(kind, text, request.client.host if request.client else None)
    if qlog is None:
        yield entry
        return
    token = _CURRENT.set(entry)
    try:
        yield entry
    except KGError as exc:
        qlog.write(entry, type(exc).__name__, status_of(exc))
        raise
    except BaseException as exc:
        status = getattr(exc, "status_code", 500)
        qlog.write(entry, type(exc).__name__, status if isinstance(status, int) else 500)
        raise
    else:
        qlog.write(entry, "ok", 200)
    finally:
        _CURRENT.reset(token)


def question_text(name: str, params: dict[str, str]) -> str:
    """What is logged (and hashed) for a named question: its name and its parameters, sorted."""
    return name + ("?" + urlencode(sorted(params.items())) if params else "")
