"""Answers to named questions cached per store content version, never served stale.

A cached answer is keyed by the store's `version` (which changes on every write), the question and
its raw parameters. Reading `version` is cheap for the embedded store (the generation name) and one
small query for a remote store. When the version changes, every older entry becomes unreachable and
is dropped. The cache is bounded (least recently used entries go first) and thread-safe.

    cache = AnswerCache()
    answer = cache.ask(store, "firms-training-outside", {"vendor": "nvidia", "jurisdiction": "china"})

Parameters such as `date=today` resolve against the clock, so questions whose answer depends on the
day are keyed on the resolved date too (the `today` value is expanded before keying).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date

from .questions import Answer, ask
from .store.base import Store

Key = tuple[str, str, tuple[tuple[str, str], ...]]


class AnswerCache:
    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Key, Answer] = OrderedDict()
        self._version: str | None = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def ask(self, store: Store, name: str, params: dict[str, str] | None = None) -> Answer:
        """`kg.questions.ask`, answered from the cache when the store has not changed since."""
        raw = {k: (date.today().isoformat() if v == "today" else v) for k, v in (params or {}).items()}
        version = store.version
        key: Key = (version, name, tuple(sorted(raw.items())))
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._version = version
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return hit
            self.misses += 1
        answer = ask(store, name, raw)
        # Keep it only if the store did not change while the question ran.
        if store.version == version:
            with self._lock:
                if self._version == version:
                    self._entries[key] = answer
                    while len(self._entries) > self.max_entries:
                        self._entries.popitem(last=False)
        return answer

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._version = None
