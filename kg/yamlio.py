"""YAML written and read by the pipeline (proposals, reviews, registry entries), through libyaml when
PyYAML has it: the pure-Python emitter cost most of the time of proposing for a batch of documents."""

from __future__ import annotations

from typing import Any

import yaml

_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def dump(data: Any, *, width: int = 110) -> str:
    return str(yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=width))


def load(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)
