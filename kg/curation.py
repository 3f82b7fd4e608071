"""Compile curated YAML (document claims and reference assertions) into RDF with provenance.

Every asserted triple lands in the named graph of the claim that asserts it; the claim itself (its
quote, document, attribution, status and time) is described in the provenance graph with PROV-O and
Web Annotation terms. Nothing is written to a store here: compilation either succeeds whole or raises
a LoadError naming the file, line and term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from .dates import parse_fuzzy_date
from .documents import Document
from .namespaces import AIC, CLAIM, CURATOR, DOC, ID, OA, PROV, PROVENANCE_GRAPH, SCHEMA, SOURCE, WD
from .vocabulary import Kind, Vocabulary
from .yamlsrc import Mapping, Scalar, Source, as_list

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
END_DATE_PROPERTIES = {AIC.endDate, AIC.suspendedUntil}
SPECIAL_KEYS = {"a": RDF.type, "label": RDFS.label, "altLabel": SKOS.altLabel}
DOC_STATUSES = {
    "reported": AIC.Reported, "confirmed": AIC.Confirmed, "estimated": AIC.Estimated,
    "prospective": AIC.Prospective, "opinion": AIC.Opinion,
}
REF_STATUSES = {"reference": AIC.ReferenceFact, "unconfirmed": AIC.Unconfirmed}
TIME_RELATIONS = {"at", "since", "before", "until", "after"}
GENRE_CLASSES = {"news-article": SCHEMA.NewsArticle, "web-page": SCHEMA.WebPage,
                 "official-publication": SCHEMA.Article}
CLAIM_KEYS = {"id", "quote", "by", "status", "time", "note", "facts", "review"}
# Keys only a proposal carries (kg.ingest.propose); a proposals file is compiled with them allowed so a
# curator's edit is checked where it was made, before anything is accepted.
PROPOSAL_KEYS = {"confidence", "why", "digest"}
REVIEW_KEYS = {"by", "date", "confidence", "cue", "edited"}
ASSERTION_KEYS = {"id", "source", "status", "note", "facts"}


@dataclass
class Curated:
    """Compiled curation: one graph of facts per claim plus the provenance graph."""

    claim_graphs: dict[URIRef, Graph] = field(default_factory=dict)
    provenance: Graph = field(default_factory=Graph)

    def add_to(self, ds: Dataset) -> None:
        for name, graph in self.claim_graphs.items():
            target = ds.graph(name)
            for t in graph:
                target.add(t)
        prov = ds.graph(PROVENANCE_GRAPH)
        for t in self.provenance:
            prov.add(t)

    def asserted(self) -> Graph:
        """All asserted domain facts in one graph (what reasoning and shapes run on)."""
        out = Graph()
        for graph in self.claim_graphs.values():
            for t in graph:
                out.add(t)
        return out


@dataclass
class _Parsed:
    src: Source
    kind: str  # "claims" | "reference"
    root: Mapping


class Compiler:
    def __init__(self, vocab: Vocabulary, documents: dict[str, Document], *, proposals: bool = False,
                 only: dict[Path, set[str]] | None = None) -> None:
        self.vocab = vocab
        self.documents = documents
        self.proposals = proposals  # accept the proposer's keys (review: proposed, confidence, why, new)
        # Per file, the claim ids to compile (the proposals being accepted); other entries are skipped
        # whole, so an unreviewed proposal neither blocks nor declares anything.
        self.only = {path.resolve(): ids for path, ids in (only or {}).items()}
        self.entities: dict[str, tuple[str, int]] = {}  # id -> (file, line) of its first typing

    def compile(self, claim_files: list[Path], reference_files: list[Path]) -> Curated:
        parsed = [self._parse(p, "claims") for p in claim_files]
        parsed += [self._parse(p, "reference") for p in reference_files]
        for p in parsed:
            self._collect_entities(p)
        out = Curated()
        for name, doc in self.documents.items():
            self._describe_document(out.provenance, name, doc)
        seen_claims: dict[URIRef, str] = {}
        for p in parsed:
            if p.kind == "claims":
                self._compile_claims(p, out, seen_claims)
            else:
                self._compile_reference(p, out, seen_claims)
        return out

    # -- pass 1 -----------------------------------------------------------------------------------

    def _parse(self, path: Path, kind: str) -> _Parsed:
        src = Source.read(path)
        return _Parsed(src, kind, src.mapping(src.root, "the file"))

    def _items(self, p: _Parsed) -> list[Mapping]:
        key = "claims" if p.kind == "claims" else "assertions"
        items = [p.src.mapping(n, f"an entry of '{key}'")
                 for n in p.src.sequence(p.src.require(p.root, key), f"'{key}'").items]
        keep = self.only.get(p.src.path.resolve())
        if keep is None:
            return items
        return [i for i in items if _id_of(i) in keep]

    def _collect_entities(self, p: _Parsed) -> None:
        for item in self._items(p):
            facts = item.get("facts")
            if facts is None:
                continue
            for subject, (knode, body) in p.src.mapping(facts, "'facts'").items.items():
                if not SLUG.match(subject):
                    raise p.src.error(f"entity id '{subject}' must be lower-case letters, digits and dashes",
                                      knode, term=subject)
                if isinstance(body, Mapping) and body.get("a") is not None:
                    self.entities.setdefault(subject, (str(p.src.path), knode.line))

    # -- documents and claims --------------------------------------------------------------------

    def _describe_document(self, g: Graph, name: str, doc: Document) -> None:
        d = DOC[name]
        g.add((d, RDF.type, AIC.SourceDocument))
        g.add((d, RDF.type, GENRE_CLASSES[doc.genre]))
        g.add((d, RDFS.label, Literal(doc.title)))
        g.add((d, DCTERMS.title, Literal(doc.title)))
        g.add((d, DCTERMS.identifier, Literal(doc.id)))
        g.add((d, DCTERMS.language, Literal(doc.language)))
        g.add((d, DCTERMS.format, Literal(doc.media_type)))
        dtype = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}[doc.date.precision]
        g.add((d, DCTERMS.date, Literal(doc.date.text, datatype=dtype)))
        g.add((d, AIC.datePrecision, doc.date.precision_iri))
        g.add((d, AIC.datingMethod, Literal(doc.dating_method)))
        g.add((d, AIC.localCopy, Literal(f"documents/{doc.path.name}")))
        g.add((d, AIC.sha256, Literal(doc.sha256)))
        if doc.publisher:
            g.add((d, DCTERMS.publisher, Literal(doc.publisher)))
        if doc.not_before:
            g.add((d, AIC.notBefore, Literal(doc.not_before.first)))
        if doc.retells:
            g.add((d, AIC.retells, Literal(doc.retells)))
        if doc.source_url:
            g.add((d, SCHEMA.url, Literal(doc.source_url, datatype=XSD.anyURI)))
        if doc.licence:
            if re.match(r"https?://", doc.licence):
                g.add((d, DCTERMS.license, URIRef(doc.licence)))
            else:
                g.add((d, DCTERMS.rights, Literal(doc.licence)))
        if doc.excerpt:
            g.add((d, AIC.excerpt, Literal(doc.excerpt)))

    def _compile_claims(self, p: _Parsed, out: Curated, seen: dict[URIRef, str]) -> None:
        src = p.src
        src.check_keys(p.root, {"document", "claims"}, "a claims file")
        doc_node = src.scalar(src.require(p.root, "document"), "document")
        doc = self.documents.get(doc_node.value)
        if doc is None:
            raise src.error(f"unknown document '{doc_node.value}' (not in the document registry)",
                            doc_node, term=doc_node.value)
        g = out.provenance
        for item in self._items(p):
            src.check_keys(item, CLAIM_KEYS | PROPOSAL_KEYS if self.proposals else CLAIM_KEYS, "a claim")
            claim_id = self._slug(src, item, "id")
            iri = CLAIM[f"{doc.id}/{claim_id}"]
            self._unique(src, item, iri, seen)
            quote_node = src.scalar(src.require(item, "quote"), "quote")
            start = doc.find(quote_node.value)
            if start < 0:
                hint = doc.near_miss(quote_node.value)
                extra = f"; the document has it as: \"{hint}\"" if hint else ""
                raise src.error(f"quote not found in document {doc.id}{extra}", quote_node,
                                term=_short(quote_node.value))
            end = start + len(quote_node.value)
            prefix, suffix = doc.context(start, end)
            target, selector, position = URIRef(f"{iri}#target"), URIRef(f"{iri}#quote"), URIRef(f"{iri}#position")
            # Typed as aic:Claim too: provenance is not reasoned over, and queries select on aic:Claim.
            g.add((iri, RDF.type, AIC.DocumentClaim))
            g.add((iri, RDF.type, AIC.Claim))
            g.add((iri, RDFS.label, Literal(f"claim {claim_id} of document {doc.id}")))
            g.add((iri, PROV.wasQuotedFrom, DOC[doc.id]))
            g.add((iri, OA.hasTarget, target))
            g.add((target, RDF.type, OA.SpecificResource))
            g.add((target, OA.hasSource, DOC[doc.id]))
            g.add((target, OA.hasSelector, selector))
            g.add((target, OA.hasSelector, position))
            g.add((selector, RDF.type, OA.TextQuoteSelector))
            g.add((selector, OA.exact, Literal(quote_node.value)))
            g.add((selector, OA.prefix, Literal(prefix)))
            g.add((selector, OA.suffix, Literal(suffix)))
            g.add((position, RDF.type, OA.TextPositionSelector))
            g.add((position, OA.start, Literal(start)))
            g.add((position, OA.end, Literal(end)))
            by = src.scalar(src.require(item, "by"), "by")
            g.add((iri, PROV.wasAttributedTo, self._entity(src, by)))
            g.add((iri, AIC.claimStatus, self._status(src, item, DOC_STATUSES)))
            self._time(src, item, g, iri)
            self._note(src, item, g, iri)
            self._review(src, item, g, iri)
            out.claim_graphs[iri] = self._facts(src, item)

    def _review(self, src: Source, item: Mapping, g: Graph, iri: URIRef) -> None:
        """An accepted proposal's review: a prov:Activity that generated the claim, with the reviewer,
        the day, and the proposer's confidence and cue (kg.review writes the `review` mapping)."""
        node = item.get("review")
        if node is None:
            return
        if isinstance(node, Scalar):
            if self.proposals and node.value == "proposed":
                return
            raise src.error(f"review '{node.value}' is not a review record (by, date, confidence, cue)", node,
                            term=node.value)
        r = src.mapping(node, "'review'")
        src.check_keys(r, REVIEW_KEYS, "'review'")
        by = src.scalar(src.require(r, "by"), "review by").value
        dnode = src.scalar(src.require(r, "date"), "review date")
        try:
            day = parse_fuzzy_date(dnode.value)
        except ValueError as exc:
            raise src.error(str(exc), dnode, term=dnode.value) from exc
        if day.precision != "day":
            raise src.error("a review date is a day (YYYY-MM-DD)", dnode, term=dnode.value)
        review = URIRef(f"{iri}#review")
        agent = CURATOR[re.sub(r"[^a-z0-9]+", "-", by.lower()).strip("-") or "unnamed"]
        g.add((iri, PROV.wasGeneratedBy, review))
        g.add((review, RDF.type, AIC.ClaimReview))
        g.add((review, RDF.type, PROV.Activity))
        g.add((review, PROV.wasAssociatedWith, agent))
        g.add((review, PROV.endedAtTime, Literal(day.first)))
        g.add((agent, RDF.type, PROV.Agent))
        g.add((agent, RDFS.label, Literal(by)))
        if r.get("confidence") is not None:
            cnode = src.scalar(r.get("confidence"), "confidence")
            try:
                confidence = Decimal(cnode.value)
            except InvalidOperation as exc:
                raise src.error(f"confidence '{cnode.value}' is not a number", cnode, term=cnode.value) from exc
            if not 0 <= confidence <= 1:
                raise src.error(f"confidence {cnode.value} is outside 0-1", cnode, term=cnode.value)
            g.add((review, AIC.proposalConfidence, Literal(_canonical_decimal(confidence), datatype=XSD.decimal)))
        if r.get("cue") is not None:
            g.add((review, AIC.proposalCue, Literal(src.scalar(r.get("cue"), "cue").value)))
        if r.get("edited") is not None:
            enode = src.scalar(r.get("edited"), "edited")
            if enode.value not in ("true", "false"):
                raise src.error(f"edited '{enode.value}' is not true or false", enode, term=enode.value)
            g.add((review, AIC.editedInReview, Literal(enode.value == "true")))

    def _compile_reference(self, p: _Parsed, out: Curated, seen: dict[URIRef, str]) -> None:
        src = p.src
        src.check_keys(p.root, {"sources", "assertions"}, "a reference file")
        g = out.provenance
        sources: set[str] = set()
        for node in src.sequence(src.require(p.root, "sources"), "'sources'").items:
            entry = src.mapping(node, "a source")
            src.check_keys(entry, {"id", "citation", "title", "date", "url", "publisher"}, "a source")
            sid = self._slug(src, entry, "id")
            if sid in sources:
                raise src.error(f"duplicate source id '{sid}'", entry, term=sid)
            sources.add(sid)
            s = SOURCE[sid]
            citation = src.scalar(src.require(entry, "citation"), "citation").value
            g.add((s, RDF.type, AIC.ReferenceSource))
            g.add((s, RDFS.label, Literal(citation)))
            g.add((s, DCTERMS.bibliographicCitation, Literal(citation)))
            for key, prop in (("title", DCTERMS.title), ("publisher", DCTERMS.publisher)):
                if entry.get(key) is not None:
                    g.add((s, prop, Literal(src.scalar(entry.get(key), key).value)))
            if entry.get("url") is not None:
                g.add((s, SCHEMA.url, Literal(src.scalar(entry.get("url"), "url").value, datatype=XSD.anyURI)))
            if entry.get("date") is not None:
                dnode = src.scalar(entry.get("date"), "date")
                try:
                    fd = parse_fuzzy_date(dnode.value)
                except ValueError as exc:
                    raise src.error(str(exc), dnode, term=dnode.value) from exc
                g.add((s, DCTERMS.date, Literal(fd.first)))
                if fd.precision != "day":
                    g.add((s, AIC.datePrecision, fd.precision_iri))
        for item in self._items(p):
            src.check_keys(item, ASSERTION_KEYS, "an assertion")
            aid = self._slug(src, item, "id")
            iri = CLAIM[f"reference/{aid}"]
            self._unique(src, item, iri, seen)
            g.add((iri, RDF.type, AIC.ReferenceAssertion))
            g.add((iri, RDF.type, AIC.Claim))
            g.add((iri, RDFS.label, Literal(f"reference assertion {aid}")))
            for snode in as_list(src.require(item, "source")):
                sid = src.scalar(snode, "source").value
                if sid not in sources:
                    raise src.error(f"unknown source '{sid}' (declare it under 'sources')", snode, term=sid)
                g.add((iri, PROV.wasDerivedFrom, SOURCE[sid]))
            status = self._status(src, item, REF_STATUSES) if item.get("status") else AIC.ReferenceFact
            g.add((iri, AIC.claimStatus, status))
            self._note(src, item, g, iri)
            out.claim_graphs[iri] = self._facts(src, item)

    # -- pieces -----------------------------------------------------------------------------------

    def _slug(self, src: Source, item: Mapping, key: str) -> str:
        node = src.scalar(src.require(item, key), key)
        if not SLUG.match(node.value):
            raise src.error(f"{key} '{node.value}' must be lower-case letters, digits and dashes", node,
                            term=node.value)
        return node.value

    def _unique(self, src: Source, item: Mapping, iri: URIRef, seen: dict[URIRef, str]) -> None:
        here = f"{src.path}:{item.line}"
        if iri in seen:
            raise src.error(f"duplicate claim id (first at {seen[iri]})", item, term=str(iri))
        seen[iri] = here

    def _status(self, src: Source, item: Mapping, allowed: dict[str, URIRef]) -> URIRef:
        node = src.scalar(src.require(item, "status"), "status")
        if node.value not in allowed:
            raise src.error(f"unknown status '{node.value}' (allowed: {', '.join(allowed)})", node,
                            term=node.value)
        return allowed[node.value]

    def _note(self, src: Source, item: Mapping, g: Graph, iri: URIRef) -> None:
        if item.get("note") is not None:
            g.add((iri, AIC.note, Literal(src.scalar(item.get("note"), "note").value)))

    def _time(self, src: Source, item: Mapping, g: Graph, iri: URIRef) -> None:
        node = item.get("time")
        if node is None:
            return
        t = src.mapping(node, "'time'")
        src.check_keys(t, {"value", "relation", "expression"}, "'time'")
        vnode = src.scalar(src.require(t, "value"), "time value")
        try:
            fd = parse_fuzzy_date(vnode.value)
        except ValueError as exc:
            raise src.error(str(exc), vnode, term=vnode.value) from exc
        relation = src.scalar(t.get("relation"), "relation").value if t.get("relation") else "at"
        if relation not in TIME_RELATIONS:
            raise src.error(f"unknown time relation '{relation}' (allowed: {', '.join(sorted(TIME_RELATIONS))})",
                            t.get("relation"), term=relation)
        g.add((iri, AIC.refersToTime, Literal(fd.first)))
        g.add((iri, AIC.timePrecision, fd.precision_iri))
        g.add((iri, AIC.timeRelation, Literal(relation)))
        if t.get("expression") is not None:
            g.add((iri, AIC.timeExpression, Literal(src.scalar(t.get("expression"), "expression").value)))

    def _entity(self, src: Source, node: Scalar) -> URIRef:
        if node.value not in self.entities:
            raise src.error(f"unknown entity '{node.value}' (no claim or assertion gives it a type with 'a:')",
                            node, term=node.value)
        return ID[node.value]

    def _facts(self, src: Source, item: Mapping) -> Graph:
        facts = src.mapping(src.require(item, "facts"), "'facts'")
        if not facts.items:
            raise src.error("'facts' is empty: a claim must assert something", facts)
        g = Graph()
        for subject, (_knode, body_node) in facts.items.items():
            s = ID[subject]
            body = src.mapping(body_node, f"the facts about '{subject}'")
            for key, (knode, value_node) in body.items.items():
                if key == "new" and self.proposals:
                    continue  # the proposer's mark on an entity the graph does not know yet
                prop = self._property(src, key, knode)
                for vnode in as_list(value_node):
                    value = src.scalar(vnode, f"the value of '{key}'")
                    if prop == RDF.type:
                        term = self.vocab.lookup(value.value, Kind.CLASS)
                        if term is None:
                            raise src.error(f"unknown class '{value.value}'", value, term=value.value)
                        g.add((s, RDF.type, term.iri))
                    else:
                        self._add_value(src, g, s, prop, value)
        return g

    def _property(self, src: Source, key: str, knode: Scalar) -> URIRef:
        if key in SPECIAL_KEYS:
            return SPECIAL_KEYS[key]
        term = self.vocab.lookup(key, Kind.OBJECT, Kind.DATATYPE, Kind.ANNOTATION)
        if term is None:
            raise src.error(f"unknown property '{key}' (not declared in the ontology)", knode, term=key)
        return term.iri

    def _add_value(self, src: Source, g: Graph, s: URIRef, prop: URIRef, value: Scalar) -> None:
        term = self.vocab.terms.get(prop)
        text = value.value
        if term is not None and term.kind is Kind.OBJECT:
            g.add((s, prop, self._object(src, prop, value)))
            return
        datatype = self.vocab.literal_datatype(term) if term is not None else XSD.string
        if datatype == XSD.date:
            try:
                fd = parse_fuzzy_date(text)
            except ValueError as exc:
                raise src.error(str(exc), value, term=text) from exc
            g.add((s, prop, Literal(fd.last if prop in END_DATE_PROPERTIES else fd.first)))
            if fd.precision != "day":
                g.add((s, AIC.datePrecision, fd.precision_iri))
        elif datatype in (XSD.decimal, XSD.integer):
            try:
                number = Decimal(text) if datatype == XSD.decimal else int(text)
            except (InvalidOperation, ValueError) as exc:
                raise src.error(f"'{text}' is not a {datatype.removeprefix(str(XSD))}", value, term=text) from exc
            lexical = _canonical_decimal(number) if isinstance(number, Decimal) else str(number)
            g.add((s, prop, Literal(lexical, datatype=datatype)))
        elif datatype == XSD.boolean:
            if text not in ("true", "false"):
                raise src.error(f"'{text}' is not a boolean (write true or false)", value, term=text)
            g.add((s, prop, Literal(text == "true")))
        else:
            g.add((s, prop, Literal(text)))

    def _object(self, src: Source, prop: URIRef, value: Scalar) -> URIRef:
        text = value.value
        if text.startswith("wd:") and re.fullmatch(r"wd:Q\d+", text):
            return WD[text[3:]]
        if SLUG.match(text):
            if text in self.entities:
                return ID[text]
            raise src.error(f"unknown entity '{text}' (no claim or assertion gives it a type with 'a:')",
                            value, term=text)
        term = self.vocab.lookup(text, Kind.INDIVIDUAL, Kind.CLASS)
        if term is None:
            raise src.error(f"unknown term '{text}' (neither an entity id nor a term of the ontology)", value,
                            term=text)
        return term.iri


def _id_of(item: Mapping) -> str | None:
    node = item.get("id")
    return node.value if isinstance(node, Scalar) else None


def _canonical_decimal(number: Decimal) -> str:
    """XSD 1.1 canonical form ("15", "4.8"), as Oxigraph stores it, so every store shows the same lexical form."""
    text = format(number.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"

