"""YAML reading that keeps line numbers, so every curation error can name its file and line.

Scalars are kept as the text the curator typed (no implicit YAML typing: `2025-04` stays a string and
`15` is typed later by the ontology's range for the property it is a value of).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import LoadError


@dataclass(frozen=True)
class Scalar:
    value: str
    line: int
    quoted: bool


@dataclass(frozen=True)
class Mapping:
    items: dict[str, tuple[Scalar, Node]]  # key text -> (key scalar, value)
    line: int

    def get(self, key: str) -> Node | None:
        hit = self.items.get(key)
        return hit[1] if hit else None


@dataclass(frozen=True)
class Sequence:
    items: list[Node]
    line: int


Node = Scalar | Mapping | Sequence


class Source:
    """A YAML file parsed into located nodes; `error()` builds a LoadError pointing into it."""

    def __init__(self, path: Path, root: Node) -> None:
        self.path = path
        self.root = root

    @classmethod
    def read(cls, path: Path) -> Source:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise LoadError(f"cannot read file: {exc}", file=str(path)) from exc
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc)
            raise LoadError(f"YAML does not parse: {problem}", file=str(path), line=line) from exc
        if node is None:
            raise LoadError("file is empty", file=str(path))
        return cls(path, _convert(node, path))

    def error(self, message: str, node: Node | None = None, term: str | None = None) -> LoadError:
        return LoadError(message, file=str(self.path), line=node.line if node else None, term=term)

    # Typed accessors that fail with a located message.
    def mapping(self, node: Node | None, what: str) -> Mapping:
        if not isinstance(node, Mapping):
            raise self.error(f"{what} must be a mapping", node)
        return node

    def sequence(self, node: Node | None, what: str) -> Sequence:
        if not isinstance(node, Sequence):
            raise self.error(f"{what} must be a list", node)
        return node

    def scalar(self, node: Node | None, what: str) -> Scalar:
        if not isinstance(node, Scalar) or node.value == "":
            raise self.error(f"{what} must be a non-empty value", node)
        return node

    def require(self, mapping: Mapping, key: str) -> Node:
        node = mapping.get(key)
        if node is None:
            raise self.error(f"missing required key '{key}'", mapping, term=key)
        return node

    def check_keys(self, mapping: Mapping, allowed: set[str], what: str) -> None:
        for key, (knode, _) in mapping.items.items():
            if key not in allowed:
                raise self.error(f"unknown key '{key}' in {what} (allowed: {', '.join(sorted(allowed))})",
                                 knode, term=key)


def _convert(node: yaml.Node, path: Path) -> Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        return Scalar(str(node.value), line, node.style in ("'", '"', "|", ">"))
    if isinstance(node, yaml.SequenceNode):
        return Sequence([_convert(n, path) for n in node.value], line)
    if isinstance(node, yaml.MappingNode):
        items: dict[str, tuple[Scalar, Node]] = {}
        for knode, vnode in node.value:
            key = _convert(knode, path)
            if not isinstance(key, Scalar):
                raise LoadError("mapping keys must be plain values", file=str(path), line=line)
            if key.value in items:
                raise LoadError(f"duplicate key '{key.value}'", file=str(path), line=key.line, term=key.value)
            items[key.value] = (key, _convert(vnode, path))
        return Mapping(items, line)
    raise LoadError(f"unsupported YAML node {node.tag}", file=str(path), line=line)


def as_list(node: Node) -> list[Node]:
    return node.items if isinstance(node, Sequence) else [node]
