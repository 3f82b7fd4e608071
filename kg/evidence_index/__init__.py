"""The evidence index of one store version: which claims assert facts about which subject, and each
claim's evidence, ready to serialise.

Answers with thousands of rows need evidence for thousands of subjects. Walking the provenance graph
for each (`kg.evidence`) costs a dozen lookups per claim. The index remembers what it has read for
as long as the store version lasts (claims cannot change without the version changing, so it is
never stale), and `build()` reads *all* claims of the version in three queries (`queries/*.rq`),
after which a row's evidence is a dictionary lookup and its JSON is written once per version.

Until it is built (or on stores where building is not worth it: in-memory rdflib, remote servers),
the index reads claims lazily with the walk. `build()` may run in a background thread while answers
are being served lazily: it swaps its tables in whole, and both ways give the same evidence (a claim
whose provenance the queries cannot read unambiguously, a field with two values, is read by the walk).
Query workers build at start and, in the background, whenever they move to a new store version.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections import defaultdict
from functools import cache
from importlib import resources

import orjson
from rdflib import URIRef
from rdflib.namespace import DCTERMS

from ..evidence import Evidence, EvidenceReader, claim_evidence, claim_graphs_about, time_unit
from ..namespaces import AIC
from ..store.base import Store
from ..store.jsonrows import JsonTerm

LAZY_MEMO_MAX = 100_000  # claims remembered by an index that is not built
log = logging.getLogger("kg.evidence_index")


class _TooManyClaims(Exception):
    pass


class EvidenceIndex:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.version = store.version
        self._reader = EvidenceReader(store)
        self._subjects: dict[str, tuple[str, ...]] | None = None
        self._evidence: dict[str, Evidence | None] = {}
        self._json: dict[str, bytes] = {}
        self._build_lock = threading.Lock()
        self._tried = False

    @property
    def built(self) -> bool:
        return self._subjects is not None

    # -- reading -------------------------------------------------------------------------------------

    def claims_about(self, subject: str) -> tuple[str, ...]:
        """The claims (sorted by IRI) asserting a fact whose subject is `subject`."""
        if self._subjects is not None:
            return self._subjects.get(subject, ())
        graphs = claim_graphs_about(self.store, URIRef(subject))
        return tuple(c for g in graphs if self.evidence(c := str(g)) is not None)

    def evidence(self, claim: str) -> Evidence | None:
        """The claim's evidence, or None if the provenance graph has no such claim."""
        if claim in self._evidence:
            return self._evidence[claim]
        found = claim_evidence(self.store, URIRef(claim), self._reader)
        if self._subjects is None and len(self._evidence) >= LAZY_MEMO_MAX:
            self._evidence = {}  # an unbuilt index over a huge store must not grow without bound
            self._json = {}
            self._reader = EvidenceReader(self.store)
        self._evidence[claim] = found
        return found

    def subject_evidence(self, subject: str) -> list[Evidence]:
        return [e for c in self.claims_about(subject) if (e := self.evidence(c)) is not None]

    def subject_json(self, subject: str) -> bytes:
        """The JSON array of the evidence behind facts about `subject`, serialised once per version."""
        found = self._json.get(subject)
        if found is None:
            found = self._json[subject] = orjson.dumps([e.to_dict() for e in self.subject_evidence(subject)])
        return found

    def claim_json(self, claim: str) -> bytes:
        ev = self.evidence(claim)
        return orjson.dumps([ev.to_dict()] if ev is not None else [])

    # -- building -------------------------------------------------------------------------------------

    def build(self, max_claims: int | None = None) -> EvidenceIndex:
        """Read every claim of the version at once (idempotent; safe beside lazy readers). A store with
        more than `max_claims` claims (default: KG_EVIDENCE_INDEX_MAX_CLAIMS) is left lazy: the index
        would not fit comfortably in memory."""
        if max_claims is None:
            max_claims = _configured_max_claims()
        with self._build_lock:
            if self._subjects is None and not self._tried:
                self._tried = True  # once per version: a store too big now stays too big
                try:
                    self._build(max_claims)
                except _TooManyClaims:
                    log.warning("evidence index: more than %s claims; evidence is read per claim", max_claims)
        return self

    def build_in_background(self) -> threading.Thread:
        thread = threading.Thread(target=self.build, name="kg-evidence-index", daemon=True)
        thread.start()
        return thread

    def _build(self, max_claims: int) -> None:
        reader = EvidenceReader(self.store)  # its own: the lazy path may be using self._reader
        subjects: dict[str, list[str]] = defaultdict(list)
        for row in self.store.select_iter(_query("subject-claims")):
            if row["subject"]["type"] == "uri":
                subjects[row["subject"]["value"]].append(row["claim"]["value"])
        rows_of: dict[str, list[dict[str, JsonTerm]]] = defaultdict(list)
        for row in self.store.select_iter(_query("claim-fields")):
            rows_of[row["claim"]["value"]].append(row)
            if len(rows_of) > max_claims:
                raise _TooManyClaims
        citations: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for row in self.store.select_iter(_query("claim-citations")):
            citations[row["claim"]["value"]][row["source"]["value"]].append(row["citation"]["value"])
        evidence: dict[str, Evidence | None] = {}
        for claim, rows in rows_of.items():
            cited = citations.get(claim, {})
            if len(rows) == 1 and all(len(c) == 1 for c in cited.values()):
                evidence[claim] = _from_row(reader, rows[0], sorted({c[0] for c in cited.values()}))
            else:  # ambiguous for the query: read it as the walk does
                evidence[claim] = claim_evidence(self.store, URIRef(claim), reader)
        if self.store.version != self.version:
            return  # the handle moved to a newer version while we read: these tables may mix both
        evidence.update(self._evidence)
        self._evidence = evidence
        self._subjects = {s: tuple(sorted(c for c in claims if evidence.get(c) is not None))
                          for s, claims in subjects.items()}


def _from_row(reader: EvidenceReader, row: dict[str, JsonTerm], citation: list[str]) -> Evidence:
    def text(name: str) -> str | None:
        term = row.get(name)
        return term["value"] if term is not None else None

    def label(name: str) -> str | None:
        term = row.get(name)
        if term is None:
            return None
        return (reader.label(URIRef(term["value"])) if term["type"] == "uri" else None) or term["value"]

    document = text("document")
    start, end = text("start"), text("end")
    return Evidence(
        claim=row["claim"]["value"],
        kind="document" if text("kind") == str(AIC.DocumentClaim) else "reference",
        status=label("status"), attributed_to=label("agent"),
        quote=text("quote"), document=document,
        document_title=reader.text(URIRef(document), DCTERMS.title) if document else None,
        start=int(start) if start is not None else None, end=int(end) if end is not None else None,
        citation=citation, time=text("time"), time_precision=time_unit(text("precision")),
        time_relation=text("relation"), time_expression=text("expression"), note=text("note"),
    )


# An answer this big reads all claims at once instead of walking per row. The walk costs a dozen
# lookups per claim: index lookups in process (~0.6 ms a row; the full read takes ~5 s per million
# triples, worth it from thousands of rows), HTTP round trips on a remote server (worth it much sooner).
BUILD_FOR_ROWS = {"remote": 200, "default": 5_000}


@cache
def _configured_max_claims() -> int:
    from ..config import Settings

    return Settings().evidence_index_max_claims


def evidence_for_rows(store: Store, rows: int) -> EvidenceIndex:
    """The version's index, built first when an answer of `rows` rows would otherwise walk the
    provenance graph row by row: a dozen lookups per claim are a dozen round trips on a remote store."""
    index = evidence_index(store)
    if rows >= BUILD_FOR_ROWS.get(store.kind, BUILD_FOR_ROWS["default"]) and not index.built:
        index.build()
    return index


_INDEXES: weakref.WeakKeyDictionary[Store, EvidenceIndex] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def evidence_index(store: Store) -> EvidenceIndex:
    """The evidence index of the store's current version, one per version and store handle (lazy until
    someone calls its `build()`)."""
    with _LOCK:
        index = _INDEXES.get(store)
        if index is None or index.version != store.version:
            index = _INDEXES[store] = EvidenceIndex(store)
        return index


@cache
def _query(name: str) -> str:
    return (resources.files("kg.evidence_index") / "queries" / f"{name}.rq").read_text(encoding="utf-8")
