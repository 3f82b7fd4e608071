"""Refuse queries and updates that would make the server reach out, judged from the parsed algebra.

The text is parsed with rdflib's SPARQL 1.1 parser and translated to algebra, so keywords inside
strings, comments or IRIs never count, and prefixed names are resolved. Refused:

- `SERVICE` anywhere (also inside EXISTS/NOT EXISTS, OPTIONAL, subqueries, update WHERE clauses);
- `LOAD` in an update;
- `FROM` / `FROM NAMED` (and update `USING` / `USING NAMED` / `WITH`) naming a graph the store
  does not hold: an engine that dereferences such IRIs would fetch them from the network.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from rdflib import URIRef
from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from ..errors import QuerySyntaxError, UnsafeQueryError

Form = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]
_FORMS: dict[str, Form] = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
                           "DescribeQuery": "DESCRIBE"}


@dataclass(frozen=True)
class QueryInfo:
    form: Form
    from_graphs: list[URIRef] = field(default_factory=list)
    from_named: list[URIRef] = field(default_factory=list)

    @property
    def has_dataset(self) -> bool:
        return bool(self.from_graphs or self.from_named)

    @property
    def result_kind(self) -> Literal["solutions", "boolean", "graph"]:
        return {"SELECT": "solutions", "ASK": "boolean"}.get(self.form, "graph")  # type: ignore[return-value]


@dataclass(frozen=True)
class UpdateInfo:
    operations: list[str]
    dataset_iris: list[URIRef] = field(default_factory=list)  # USING, USING NAMED, WITH

    @property
    def has_dataset(self) -> bool:
        return bool(self.dataset_iris)


def _walk(node: Any) -> Iterator[Any]:
    stack = [node]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        if isinstance(item, dict):  # CompValue is an OrderedDict
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set):
            stack.extend(item)


def _refuse_service(algebra: Any) -> None:
    for node in _walk(algebra):
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
            raise UnsafeQueryError("SERVICE is not allowed: this endpoint never calls other endpoints",
                                   term=str(node.get("term")))


def _check_graphs(iris: list[URIRef], is_local: Callable[[URIRef], bool], what: str) -> None:
    for iri in iris:
        if not is_local(iri):
            raise UnsafeQueryError(f"{what} <{iri}> is not a graph of this store; remote graphs are never "
                                   "fetched", term=str(iri))


@lru_cache(maxsize=512)
def _query_algebra(text: str) -> Any:
    """rdflib's algebra of a query, cached: parsing costs milliseconds and clients repeat their queries.
    The algebra is only read afterwards, never changed."""
    try:
        return translateQuery(parseQuery(text)).algebra
    except RecursionError:
        raise QuerySyntaxError("malformed SPARQL query: nested too deeply") from None
    except Exception as exc:  # pyparsing.ParseException and rdflib's errors for unknown prefixes etc.
        raise QuerySyntaxError(f"malformed SPARQL query: {exc}") from None


def inspect_query(text: str, is_local_graph: Callable[[URIRef], bool]) -> QueryInfo:
    """Parse `text`, refuse anything unsafe, and say what form of query it is and which dataset it names."""
    algebra = _query_algebra(text)
    form = _FORMS.get(algebra.name)
    if form is None:
        raise QuerySyntaxError(f"unsupported query form {algebra.name}")
    _refuse_service(algebra)
    default: list[URIRef] = []
    named: list[URIRef] = []
    for clause in (algebra["datasetClause"] if "datasetClause" in algebra else None) or []:  # noqa: SIM401
        if "default" in clause:
            default.append(URIRef(clause["default"]))
        if "named" in clause:
            named.append(URIRef(clause["named"]))
    _check_graphs(default, is_local_graph, "FROM")
    _check_graphs(named, is_local_graph, "FROM NAMED")
    return QueryInfo(form, default, named)


def inspect_update(text: str, is_local_graph: Callable[[URIRef], bool]) -> UpdateInfo:
    """Parse an update, refuse LOAD, SERVICE and remote USING/WITH graphs."""
    try:
        update = translateUpdate(parseUpdate(text))
    except RecursionError:
        raise QuerySyntaxError("malformed SPARQL update: nested too deeply") from None
    except Exception as exc:
        raise QuerySyntaxError(f"malformed SPARQL update: {exc}") from None
    names: list[str] = []
    dataset: list[URIRef] = []
    for op in update.algebra:
        names.append(op.name)
        if op.name == "Load":
            raise UnsafeQueryError("LOAD is not allowed: this endpoint never fetches documents",
                                   term=str(op.get("iri")))
        if "withClause" in op and op["withClause"] is not None:
            dataset.append(URIRef(op["withClause"]))
        for using in (op["using"] if "using" in op else None) or []:  # noqa: SIM401
            dataset.append(URIRef(using["default"] if "default" in using else using["named"]))
    _refuse_service(update.algebra)
    return UpdateInfo(names, dataset)
