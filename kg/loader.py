"""Build the whole knowledge graph from its sources and put it into a store in one atomic step.

Order matters for "a failed load leaves the store unchanged": everything that can fail (parsing,
quote checks, term checks, reasoning, consistency) happens in memory first; the store is touched only
by the final `replace_all`, which is itself atomic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
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
        # Proposals and the record of rejected ones sit beside the claims but are never loaded (kg.review).
        return sorted(p for p in (self.data_dir / "claims").glob("*.yaml")
                      if not p.name.endswith((".proposed.yaml", ".rejected.yaml")))

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


# Reports one step of a build (kg.progress.stage prints it; the default is silent).
Stage = Callable[[str], AbstractContextManager[None]]


def _quiet(_what: str) -> AbstractContextManager[None]:
    return nullcontext()


def build(sources: Sources, *, reason: bool = True, stage: Stage = _quiet) -> Build:
    """Compile, check (integrity shapes included) and reason; raise LoadError (file, line, term) on the
    first problem, or IntegrityError carrying the validation report."""
    if not sources.registry.exists():
        raise LoadError("document registry not found", file=str(sources.registry))
    with stage("compile: ontology, documents, claims and reference data"):
        ontology = load_ontology(sources.ontology)
        vocab = Vocabulary(ontology)
        documents = read_documents(sources.registry)
        curated = Compiler(vocab, documents).compile(sources.claim_files(), sources.reference_files())
    # Integrity shapes run on the asserted data, before reasoning, so a refused load names what the
    # curators wrote rather than what the reasoner derived from it.
    with stage(f"integrity shapes on {sum(len(g) for g in curated.claim_graphs.values()):,} asserted triples"):
        check_integrity(DataGraphs(dict(curated.claim_graphs), curated.provenance, ontology),
                        shapes_dir=sources.shapes_dir)
    with stage("OWL RL reasoning"):
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


def load(store: Store, sources: Sources, *, stage: Stage = _quiet,
         count: Callable[[Iterator[Quad], int], Iterator[Quad]] | None = None) -> Build:
    """Build everything, then replace the store's content with it in one atomic write. `count` wraps the
    quads on their way to the store (kg load shows a progress bar with it)."""
    result = build(sources, stage=stage)
    total = sum(len(g) for _, g in result.named_graphs())
    with stage(f"store: writing {total:,} quads"):
        store.replace_all(count(result.quads(), total) if count else result.quads())
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
