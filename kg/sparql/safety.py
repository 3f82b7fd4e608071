"""Refuse queries and updates that would make the server reach out, judged on the text the engine runs.

`inspect_query` / `inspect_update` normalise the text (kg/sparql/tokens.py: no comments, no ambiguous
characters left) and decide on its tokens; the caller must then run `info.text`, never the original.
Refused:

- `SERVICE` anywhere. Oxigraph matches keywords as prefixes (`trueSERVICE<…>{…}` and `SERVICE:{…}` call
  out), so any bare word, prefix or language tag that contains SERVICE is refused, not just the word;
- `LOAD` in an update, by the same rule;
- `FROM` / `FROM NAMED` (and update `USING` / `USING NAMED`, and the protocol's `using-graph-uri`)
  naming a graph the store does not hold: an engine that dereferences such IRIs would fetch them from
  the network. `WITH` names the graph an update writes to, which may not exist yet; it is allowed.

This is the first wall. The second is that the processes and the thread that evaluate queries and
updates cannot open a network connection at all (kg/sandbox.py). Syntax is left to the engine, which
parses the same normalised text under the query time limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from rdflib import URIRef

from ..errors import QuerySyntaxError, UnsafeQueryError
from .tokens import Token, normalise, tokens, unescape_iri

Form = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]
_FORMS: tuple[Form, ...] = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_UPDATE_OPS = {"INSERT": "Insert", "DELETE": "Delete", "LOAD": "Load", "CLEAR": "Clear", "DROP": "Drop",
               "CREATE": "Create", "ADD": "Add", "MOVE": "Move", "COPY": "Copy", "WITH": "Modify"}


@dataclass(frozen=True)
class QueryInfo:
    form: Form
    text: str = ""  # the normalised text: what the engine must run
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
    text: str = ""
    dataset_iris: list[URIRef] = field(default_factory=list)  # USING, USING NAMED, WITH
    using_iris: list[URIRef] = field(default_factory=list)  # USING, USING NAMED: read, so must be local

    @property
    def has_dataset(self) -> bool:
        return bool(self.dataset_iris)


def _names_keyword(tok: Token, keyword: str) -> bool:
    if tok.kind in ("word", "langtag"):
        return keyword in tok.text.upper()
    if tok.kind == "pname":
        return keyword in tok.text.split(":", 1)[0].upper()
    return False


class _Prologue:
    """PREFIX and BASE declarations, read as they come, to resolve the IRIs of dataset clauses."""

    def __init__(self) -> None:
        self.prefixes: dict[str, str] = {}
        self.base: str | None = None

    def resolve(self, tok: Token) -> URIRef | None:
        if tok.kind == "iri":
            iri = unescape_iri(tok.text)
            if self.base is not None and ":" not in iri.split("/", 1)[0]:
                from urllib.parse import urljoin

                iri = urljoin(self.base, iri)
            return URIRef(iri)
        if tok.kind == "pname":
            prefix, _, local = tok.text.partition(":")
            if prefix not in self.prefixes:
                raise QuerySyntaxError(f"prefix '{prefix}:' is not declared", term=tok.text)
            return URIRef(self.prefixes[prefix] + local.replace("\\", ""))
        return None


def _scan(text: str, refuse: tuple[str, ...]) -> Iterator[tuple[Token, Token | None, Token | None, _Prologue]]:
    """Each token with the one after it and the one after that; refuses the forbidden keywords."""
    toks = list(tokens(text))
    prologue = _Prologue()
    for i, tok in enumerate(toks):
        for keyword in refuse:
            if _names_keyword(tok, keyword):
                if keyword == "SERVICE":
                    raise UnsafeQueryError("SERVICE is not allowed: this endpoint never calls other endpoints "
                                           "(a word or prefix containing SERVICE reads as the keyword)",
                                           term=tok.text)
                raise UnsafeQueryError("LOAD is not allowed: this endpoint never fetches documents "
                                       "(a word or prefix containing LOAD reads as the keyword)", term=tok.text)
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        after = toks[i + 2] if i + 2 < len(toks) else None
        word = tok.text.upper() if tok.kind == "word" else ""
        if word == "PREFIX" and nxt is not None and nxt.kind == "pname" and after is not None \
                and after.kind == "iri":
            base = prologue.resolve(after)
            prologue.prefixes[nxt.text[:-1]] = str(base)
        elif word == "BASE" and nxt is not None and nxt.kind == "iri":
            prologue.base = str(prologue.resolve(nxt))
        yield tok, nxt, after, prologue


def _dataset_iri(nxt: Token | None, after: Token | None, prologue: _Prologue) -> tuple[bool, URIRef] | None:
    """(named?, IRI) of a FROM / USING clause starting after the keyword, or None if malformed."""
    if nxt is None:
        return None
    named = nxt.kind == "word" and nxt.text.upper() == "NAMED"
    term = after if named else nxt
    iri = prologue.resolve(term) if term is not None else None
    return (named, iri) if iri is not None else None


def _check_graphs(iris: list[URIRef], is_local: Callable[[URIRef], bool], what: str) -> None:
    for iri in iris:
        if not is_local(iri):
            raise UnsafeQueryError(f"{what} <{iri}> is not a graph of this store; remote graphs are never "
                                   "fetched", term=str(iri))


def inspect_query(text: str, is_local_graph: Callable[[URIRef], bool]) -> QueryInfo:
    """Normalise `text`, refuse anything unsafe, and say what form of query it is and which dataset it
    names. Run `info.text`."""
    normal = normalise(text)
    form: Form | None = None
    default: list[URIRef] = []
    named: list[URIRef] = []
    for tok, nxt, after, prologue in _scan(normal, ("SERVICE",)):
        if tok.kind != "word":
            continue
        word = tok.text.upper()
        if form is None and word in _FORMS:
            form = word
        elif word == "FROM" and tok.depth == 0:
            clause = _dataset_iri(nxt, after, prologue)
            if clause is not None:
                (named if clause[0] else default).append(clause[1])
    if form is None:
        form = "SELECT"  # provisional: the engine's parse of the text says what is wrong with it
    _check_graphs(default, is_local_graph, "FROM")
    _check_graphs(named, is_local_graph, "FROM NAMED")
    return QueryInfo(form, normal, default, named)


def inspect_update(text: str, is_local_graph: Callable[[URIRef], bool]) -> UpdateInfo:
    """Normalise an update, refuse LOAD, SERVICE and remote USING/WITH graphs. Run `info.text`."""
    normal = normalise(text)
    names: list[str] = []
    dataset: list[URIRef] = []
    using: list[URIRef] = []
    expect_op = True
    for tok, nxt, after, prologue in _scan(normal, ("SERVICE", "LOAD")):
        if tok.depth != 0:
            continue
        word = tok.text.upper() if tok.kind == "word" else ""
        if expect_op and word in _UPDATE_OPS:
            names.append(_operation_name(word, nxt))
            expect_op = False
        if tok.kind == "other" and tok.text == ";":
            expect_op = True
        if word == "WITH":
            iri = prologue.resolve(nxt) if nxt is not None else None
            if iri is not None:
                dataset.append(iri)
        elif word == "USING":
            clause = _dataset_iri(nxt, after, prologue)
            if clause is not None:
                dataset.append(clause[1])
                using.append(clause[1])
    # WITH names the graph an operation writes to (it may not exist yet); no engine fetches it.
    _check_graphs(using, is_local_graph, "USING")
    return UpdateInfo(names, normal, dataset, using)


def _operation_name(word: str, nxt: Token | None) -> str:
    following = nxt.text.upper() if nxt is not None and nxt.kind == "word" else ""
    if word in ("INSERT", "DELETE") and following == "DATA":
        return f"{_UPDATE_OPS[word]}Data"
    if word == "DELETE" and following == "WHERE":
        return "DeleteWhere"
    if word in ("INSERT", "DELETE"):
        return "Modify"
    return _UPDATE_OPS[word]
