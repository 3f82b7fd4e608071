"""The data graph a validation run hands to pyshacl, assembled from a store or from an in-memory build.

What goes in: every asserted claim graph (merged), the provenance graph (integrity shapes check claims),
the ontology (its rdfs:subClassOf axioms make sh:targetClass reach subclasses), optionally the OWL RL
inferences, and the run's context: the `as of` day and, for each compliance shape, the rule it encodes
(so SPARQL constraints find their rule through $currentShape without naming it twice).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from ..namespaces import AIC, INFERRED_GRAPH, ONTOLOGY_GRAPH, PROVENANCE_GRAPH
from ..store.base import Quad, Store

CONTEXT = URIRef("urn:aichips:validation-context")


@dataclass
class DataGraphs:
    """The graphs of a knowledge graph, kept apart so a run can choose asserted or inferred data."""

    claim_graphs: dict[URIRef, Graph] = field(default_factory=dict)
    provenance: Graph = field(default_factory=Graph)
    ontology: Graph = field(default_factory=Graph)
    inferred: Graph = field(default_factory=Graph)

    @classmethod
    def from_store(cls, store: Store) -> DataGraphs:
        out = cls()
        for s, p, o, g in store.quads():
            if g == ONTOLOGY_GRAPH:
                out.ontology.add((s, p, o))
            elif g == PROVENANCE_GRAPH:
                out.provenance.add((s, p, o))
            elif g == INFERRED_GRAPH:
                out.inferred.add((s, p, o))
            else:
                out.claim_graphs.setdefault(g, Graph()).add((s, p, o))
        return out

    def quads(self) -> list[Quad]:
        out: list[Quad] = []
        for name, graph in ((ONTOLOGY_GRAPH, self.ontology), (PROVENANCE_GRAPH, self.provenance),
                            *self.claim_graphs.items(), (INFERRED_GRAPH, self.inferred)):
            out.extend((s, p, o, name) for s, p, o in graph)
        return out

    def claims_about(self, node: object) -> list[URIRef]:
        """The claims whose graphs say something about the node (as subject): its evidence."""
        return sorted(name for name, g in self.claim_graphs.items()
                      if next(g.predicate_objects(node), None) is not None)  # type: ignore[arg-type]


def data_graph(graphs: DataGraphs, *, as_of: date, inferred: bool,
               rules: dict[URIRef, URIRef]) -> Graph:
    """One throw-away graph holding everything the shapes read; pyshacl may add to it freely."""
    g = Graph()
    for part in (graphs.ontology, graphs.provenance, *graphs.claim_graphs.values()):
        g += part
    if inferred:
        g += graphs.inferred
    g.add((CONTEXT, RDF.type, AIC.ValidationContext))
    g.add((CONTEXT, AIC.asOf, Literal(as_of)))
    for shape, rule in rules.items():
        g.add((shape, AIC.encodesRule, rule))
    return g
