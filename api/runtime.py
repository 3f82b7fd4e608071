"""What the app holds for its lifetime: settings, the store (opened once) and the query executor."""

from __future__ import annotations

from dataclasses import dataclass
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

    def run(self, task: str, payload: Any = None) -> Any:
        return self.executor.run(task, payload)
