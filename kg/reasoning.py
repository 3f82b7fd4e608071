"""OWL RL closure with owlrl, reduced to the entailments worth keeping.

The closure runs over the ontology plus every asserted claim graph (not the provenance graph, whose
annotations entail nothing the questions need). What it adds beyond the input goes to its own named
graph, minus owlrl's bookkeeping (reflexive sameAs, `owl:Thing` typing, facts about the RDF/OWL
vocabularies themselves), so the inferred graph holds what follows about the domain and the ontology.
"""

from __future__ import annotations

from collections.abc import Iterable

import owlrl
from owlrl.Namespaces import ERRNS
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from .errors import InconsistencyError
from .store.base import Triple

_META_NAMESPACES = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))
_NOISE_OBJECTS = {OWL.Thing, RDFS.Resource}


def closure(ontology: Graph, asserted: Iterable[Graph]) -> Graph:
    """The useful OWL RL entailments of ontology + asserted data that are not already asserted.

    Raises InconsistencyError listing owlrl's messages when the data contradicts the ontology.
    """
    work = Graph()
    base: set[Triple] = set()
    for g in (ontology, *asserted):
        for t in g:
            work.add(t)
            base.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False,
                           rdfs_closure=False).expand(work)
    errors = [str(o) for s in work.subjects(RDF.type, ERRNS.ErrorMessage) for o in work.objects(s, ERRNS.error)]
    if errors:
        raise InconsistencyError("OWL RL reasoning found inconsistencies: " + "; ".join(sorted(errors)))
    inferred = Graph()
    for t in work:
        if t not in base and _worth_keeping(t):
            inferred.add(t)
    return inferred


_SAME_AS, _TYPE = OWL.sameAs, RDF.type
_REFLEXIVE_NOISE = {OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf, RDFS.subPropertyOf}
_ERRNS = str(ERRNS)


def _worth_keeping(t: Triple) -> bool:
    s, p, o = t
    if isinstance(s, Literal) or not isinstance(p, URIRef):
        return False
    if isinstance(s, URIRef) and str(s).startswith(_META_NAMESPACES):
        return False
    if p == _TYPE:
        return o not in _NOISE_OBJECTS
    if s == o and (p == _SAME_AS or p in _REFLEXIVE_NOISE):
        return False
    return not str(p).startswith(_ERRNS)
