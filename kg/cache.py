"""Answers to named questions cached per store content version, never served stale.

A cached answer is keyed by the store's `version` (which changes on every write), the question and
its raw parameters. Reading `version` is cheap for the embedded store (the generation name) and one
small query for a remote store. When the version changes, every older entry becomes unreachable and
is dropped. The cache is bounded (least recently used entries go first) and thread-safe.

    cache = AnswerCache()
    body = cache.answer_json(store, "firms-training-outside", {"vendor": "nvidia", "jurisdiction": "china"})

It holds answers as the JSON bytes the service sends (`kg.questions.answer_json`), so a hit costs no
serialisation.

Parameters such as `date=today` resolve against the clock, so questions whose answer depends on the
day are keyed on the resolved date too (the `today` value is expanded before keying).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date

from .questions import answer_json
from .store.base import Store

Key = tuple[str, str, tuple[tuple[str, str], ...]]


class AnswerCache:
    def __init__(self, max_entries: int = 256, max_bytes: int = 256 * 2**20) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes  # JSON answers of a big graph run to megabytes each
        self._entries: OrderedDict[Key, bytes] = OrderedDict()
        self._bytes = 0
        self._version: str | None = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def answer_json(self, store: Store, name: str, params: dict[str, str] | None = None) -> bytes:
        """`kg.questions.answer_json`, answered from the cache when the store has not changed since."""
        raw = {k: (date.today().isoformat() if v == "today" else v) for k, v in (params or {}).items()}
        version = store.version
        key: Key = (version, name, tuple(sorted(raw.items())))
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._bytes = 0
                self._version = version
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return hit
            self.misses += 1
        answer = answer_json(store, name, raw)
        # Keep it only if the store did not change while the question ran.
        if store.version == version:
            with self._lock:
                if self._version == version and key not in self._entries:
                    self._entries[key] = answer
                    self._bytes += len(answer)
                    while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                        _, dropped = self._entries.popitem(last=False)
                        self._bytes -= len(dropped)
        return answer

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self._version = None
