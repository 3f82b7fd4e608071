"""Load the SHACL shapes files and refuse, with file and line, any that the engine could not run.

A shape set is `integrity`, `compliance` or `all`. Problems pyshacl would only report deep inside a
run (a Turtle syntax error, a SPARQL constraint that does not parse, a compliance shape not linked to
the rule it encodes) are found here, before any data is touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pyparsing import ParseException
from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from ..config import PROJECT_ROOT
from ..namespaces import AIC, SH
from .errors import ShapesError

SHAPE_SETS: dict[str, tuple[str, ...]] = {
    "integrity": ("integrity.ttl",),
    "compliance": ("compliance.ttl",),
    "all": ("integrity.ttl", "compliance.ttl"),
}


@dataclass(frozen=True)
class Shapes:
    """A parsed shapes graph, and for each shape that encodes a rule, the rule's IRI."""

    graph: Graph
    files: tuple[Path, ...]
    rules: dict[URIRef, URIRef]
    origins: dict[Node, str]  # shape (or any subject) -> the set it comes from, for reports


def default_shapes_dir() -> Path:
    """The checkout's shapes/ (callers with Settings pass `settings.shapes_dir` instead)."""
    return PROJECT_ROOT / "shapes"


_PARSED: dict[tuple[str, str, tuple[tuple[int, int] | None, ...]], Shapes] = {}


def load_shapes(which: str = "all", shapes_dir: Path | None = None) -> Shapes:
    """Parse the shape set `which` from `shapes_dir` (default: the configured shapes directory).

    Checking every SPARQL constraint with rdflib's parser takes seconds, so a parsed set is kept per
    process while its files are unchanged (same size and modification time); each call gets its own
    copy of the shapes graph."""
    if which not in SHAPE_SETS:
        raise ShapesError(f"unknown shape set '{which}' (use {', '.join(SHAPE_SETS)})", term=which)
    directory = shapes_dir if shapes_dir is not None else default_shapes_dir()
    files = tuple(directory / name for name in SHAPE_SETS[which])
    key = (which, str(directory), tuple(_stat(path) for path in files))
    cached = _PARSED.get(key)
    if cached is None:
        cached = _PARSED[key] = _load(files)
    graph = Graph()
    graph += cached.graph
    return Shapes(graph, cached.files, dict(cached.rules), dict(cached.origins))


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None  # unreadable: parse_shapes_file reports it
    return (st.st_mtime_ns, st.st_size)


def _load(files: tuple[Path, ...]) -> Shapes:
    graph = Graph()
    origins: dict[Node, str] = {}
    for path in files:
        own = parse_shapes_file(path, into=graph)
        for s in own.subjects():
            origins.setdefault(s, path.stem)
    rules = {s: r for s, r in graph.subject_objects(AIC.encodesRule)
             if isinstance(s, URIRef) and isinstance(r, URIRef)}
    return Shapes(graph, files, rules, origins)


def parse_shapes_file(path: Path, *, into: Graph | None = None) -> Graph:
    """Parse one shapes file; raise ShapesError naming the file and line of the first problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ShapesError(f"cannot read shapes file: {exc.strerror or exc}", file=str(path)) from exc
    own = Graph()
    try:
        own.parse(data=text, format="turtle")
    except BadSyntax as exc:
        raise ShapesError(f"Turtle syntax error: {exc._why}", file=str(path),
                          line=_line_of_offset(exc._str, exc._i)) from exc
    except Exception as exc:  # rdflib raises plain exceptions for bad IRIs, literals and prefixes
        raise ShapesError(f"Turtle error: {exc}", file=str(path)) from exc
    _check_sparql(own, path, text)
    _check_compliance_links(own, path, text)
    if into is not None:
        into += own
    return own


def _line_of_offset(data: bytes | str, offset: int) -> int:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return raw[:offset].count(b"\n") + 1


def _check_sparql(g: Graph, path: Path, text: str) -> None:
    for constraint, select in g.subject_objects(SH.select):
        prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in _declared_prefixes(g, constraint))
        try:
            prepareQuery(prefixes + str(select))
        except ParseException as exc:
            shape = next(g.subjects(SH.sparql, constraint), constraint)
            raise ShapesError(f"SPARQL constraint of {_short(shape)} does not parse: {exc.msg} "
                              f"(query line {exc.lineno})", file=str(path),
                              line=_line_of(text, shape), term=_short(shape)) from exc
        except Exception as exc:  # an undeclared prefix surfaces as a plain exception
            shape = next(g.subjects(SH.sparql, constraint), constraint)
            raise ShapesError(f"SPARQL constraint of {_short(shape)} is invalid: {exc}", file=str(path),
                              line=_line_of(text, shape), term=_short(shape)) from exc


def _declared_prefixes(g: Graph, constraint: object) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for holder in g.objects(constraint, SH.prefixes):  # type: ignore[arg-type]
        for decl in g.objects(holder, SH.declare):
            prefix, ns = g.value(decl, SH.prefix), g.value(decl, SH.namespace)
            if prefix is not None and ns is not None:
                out.append((str(prefix), str(ns)))
    return out


def _check_compliance_links(g: Graph, path: Path, text: str) -> None:
    """A compliance shape must name its rule: without it a result could not cite the rule's dates."""
    if path.name != "compliance.ttl":
        return
    for shape in g.subjects(RDF.type, SH.NodeShape):
        if g.value(shape, AIC.encodesRule) is None:
            raise ShapesError(f"compliance shape {_short(shape)} has no aic:encodesRule", file=str(path),
                              line=_line_of(text, shape), term=_short(shape))


def _short(node: object) -> str:
    text = str(node)
    return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]


def _line_of(text: str, node: object) -> int | None:
    """Line where the node is first described; good enough to send an editor to the right shape."""
    name = re.escape(_short(node))
    m = re.search(rf"^\S*:{name}\b", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else None
