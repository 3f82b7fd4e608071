"""Build the whole knowledge graph from its sources and put it into a store in one atomic step.

Order matters for "a failed load leaves the store unchanged": everything that can fail (parsing,
quote checks, term checks, reasoning, consistency) happens in memory first; the store is touched only
by the final `replace_all`, which is itself atomic.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from .config import Settings
from .curation import Compiler, Curated
from .documents import read_documents
from .errors import LoadError
from .namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, PROVENANCE_GRAPH
from .reasoning_scaled import closure_for
from .store.base import Quad, Store
from .validation import DataGraphs, check_integrity
from .vocabulary import Vocabulary, load_ontology


@dataclass(frozen=True)
class Sources:
    """Where the knowledge graph's inputs live."""

    ontology: Path
    data_dir: Path
    shapes_dir: Path | None = None  # None: the checkout's shapes/

    @classmethod
    def from_settings(cls, settings: Settings) -> Sources:
        return cls(settings.ontology, settings.data_dir, settings.shapes_dir)

    @property
    def registry(self) -> Path:
        return self.data_dir / "documents" / "documents.yaml"

    def claim_files(self) -> list[Path]:
        return sorted((self.data_dir / "claims").glob("*.yaml"))

    def reference_files(self) -> list[Path]:
        return sorted((self.data_dir / "reference").glob("*.yaml"))


@dataclass
class Build:
    """The knowledge graph, complete, in memory."""

    ontology: Graph
    curated: Curated
    inferred: Graph
    counts: dict[str, int] = field(default_factory=dict)

    def quads(self) -> Iterator[Quad]:
        for graph_name, graph in self.named_graphs():
            for s, p, o in graph:
                yield s, p, o, graph_name

    def named_graphs(self) -> Iterator[tuple[URIRef, Graph]]:
        yield ONTOLOGY_GRAPH, self.ontology
        yield PROVENANCE_GRAPH, self.curated.provenance
        yield from self.curated.claim_graphs.items()
        yield INFERRED_GRAPH, self.inferred


def build(sources: Sources, *, reason: bool = True) -> Build:
    """Compile, check (integrity shapes included) and reason; raise LoadError (file, line, term) on the
    first problem, or IntegrityError carrying the validation report."""
    if not sources.registry.exists():
        raise LoadError("document registry not found", file=str(sources.registry))
    ontology = load_ontology(sources.ontology)
    vocab = Vocabulary(ontology)
    documents = read_documents(sources.registry)
    curated = Compiler(vocab, documents).compile(sources.claim_files(), sources.reference_files())
    # Integrity shapes run on the asserted data, before reasoning, so a refused load names what the
    # curators wrote rather than what the reasoner derived from it.
    check_integrity(DataGraphs(dict(curated.claim_graphs), curated.provenance, ontology),
                    shapes_dir=sources.shapes_dir)
    inferred = closure_for()(ontology, curated.claim_graphs.values()) if reason else Graph()
    result = Build(ontology, curated, inferred)
    result.counts = {
        "ontology": len(ontology),
        "provenance": len(curated.provenance),
        "claims": len(curated.claim_graphs),
        "asserted": sum(len(g) for g in curated.claim_graphs.values()),
        "inferred": len(inferred),
    }
    return result


def load(store: Store, sources: Sources) -> Build:
    """Build everything, then replace the store's content with it in one atomic write."""
    result = build(sources)
    store.replace_all(result.quads())
    return result


def reason(store: Store) -> Graph:
    """Recompute the inferred graph from what the store asserts now, and replace it atomically."""
    ontology = Graph()
    asserted = Graph()
    for s, p, o, g in store.quads():
        if g == ONTOLOGY_GRAPH:
            ontology.add((s, p, o))
        elif g not in (INFERRED_GRAPH, PROVENANCE_GRAPH):
            asserted.add((s, p, o))
    inferred = closure_for()(ontology, [asserted])
    store.replace_graph(INFERRED_GRAPH, inferred)
    return inferred
