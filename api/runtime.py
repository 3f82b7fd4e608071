"""What the app holds for its lifetime: settings, the store (opened once) and the query executor."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from fastapi.templating import Jinja2Templates

from kg.config import Settings
from kg.sparql.executor import Executor
from kg.store import Store


@dataclass
class Runtime:
    settings: Settings
    store: Store
    executor: Executor
    templates: Jinja2Templates
    # Writes run on this one thread: one at a time, and cut off the network (kg/sandbox.py) so that an
    # update the safety check missed cannot LOAD from anywhere.
    writer: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, "kg-writer"))
    writer_sandbox: str = "off"
    quad_count: tuple[str, int] | None = None  # (store version, quads): /health counts once per version

    def run(self, task: str, payload: Any = None) -> Any:
        return self.executor.run(task, payload, client=CLIENT.get())


# The address of the client being served (set by api.middleware.AccessLog): what admission control counts.
CLIENT: ContextVar[str | None] = ContextVar("kg_client", default=None)
