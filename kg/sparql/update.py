"""SPARQL 1.1 Update through the protocol: safety checks, the protocol's dataset parameters, atomic apply."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import KGError, QueryError
from ..store.base import Store
from .errors import ProtocolError
from .safety import inspect_update
from .tokens import is_safe_iri, tokens


def with_using(text: str, using: Sequence[str], using_named: Sequence[str]) -> str:
    """Give every DELETE/INSERT ... WHERE operation the protocol's `using-graph-uri` and
    `using-named-graph-uri` as USING / USING NAMED clauses (SPARQL 1.1 Protocol 2.2.3). The IRIs are
    checked to be plain absolute IRIs, so nothing but an IRI term is ever added to the text."""
    for iri in (*using, *using_named):
        if not is_safe_iri(iri):
            raise ProtocolError(f"'{iri}' is not an absolute IRI", term=iri)
    clause = "".join(f" USING <{i}>" for i in using) + "".join(f" USING NAMED <{i}>" for i in using_named)
    inserts: list[int] = []
    previous = None
    for tok in tokens(text):
        if tok.kind == "word" and tok.depth == 0 and tok.text.upper() == "WHERE":
            if previous is not None and previous.kind == "word" and previous.text.upper() == "DELETE":
                raise ProtocolError("using-graph-uri / using-named-graph-uri cannot apply to DELETE WHERE; "
                                    "write DELETE { ... } WHERE { ... } instead")
            inserts.append(tok.start)
        previous = tok
    for pos in reversed(inserts):
        text = text[:pos] + clause.strip() + " " + text[pos:]
    return text


def apply_update(store: Store, text: str, *, using: Sequence[str] = (), using_named: Sequence[str] = (),
                 base_iri: str | None = None, timeout: float | None = None) -> list[str]:
    """Check and run an update atomically (a failed update leaves the store unchanged).
    Returns the operation names. LOAD and SERVICE are refused; a dataset given both by the request
    and by the update (USING, USING NAMED, WITH) is a protocol error; the protocol's using-graph-uri
    must name graphs of this store, as USING must. Relative IRIs resolve against `base_iri`."""
    info = inspect_update(text, store.has_graph)
    text = info.text
    if using or using_named:
        if info.has_dataset:
            raise ProtocolError("the dataset is given both by using-graph-uri/using-named-graph-uri and by "
                                "USING/USING NAMED/WITH in the update (SPARQL 1.1 Protocol 2.2.3)")
        text = with_using(text, using, using_named)
        text = inspect_update(text, store.has_graph).text
    try:
        if store.kind == "oxigraph":  # stopped at `timeout` (KG_UPDATE_TIMEOUT); nothing applied then
            store.update(text, base_iri=base_iri, timeout=timeout)  # type: ignore[call-arg]
        elif base_iri is not None and is_safe_iri(base_iri):
            store.update(f"BASE <{base_iri}>\n{text}")  # a BASE in the text is still the one that counts
        else:
            store.update(text)
    except KGError:
        raise
    except Exception as exc:  # rdflib (memory store) raises plain exceptions on evaluation errors
        raise QueryError(f"update failed: {exc}") from None
    return info.operations
