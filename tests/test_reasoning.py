"""The OWL RL entailments the named questions depend on, on fixtures and on the shipped graph."""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from kg.errors import InconsistencyError
from kg.loader import Build
from kg.namespaces import AIC, ID, ORG, PROV
from kg.reasoning import closure
from kg.vocabulary import load_ontology

from .conftest import ONTOLOGY

JOHOR = """
@prefix aic: <https://w3id.org/aichips/ontology#> .
@prefix id: <https://w3id.org/aichips/id/> .
id:china a aic:Country .
id:malaysia a aic:Country ; aic:locatedIn id:south-eastern-asia .
id:south-eastern-asia a aic:Region ; aic:disjointFrom id:china .
id:johor a aic:Subdivision ; aic:locatedIn id:malaysia .
id:johor-dc a aic:DataCentre ; aic:locatedIn id:johor ; aic:operatedBy id:op .
id:op a aic:DataCentreOperator ; aic:headquarteredIn id:johor .
id:h100 a aic:Chip ; aic:chipVendor id:nvidia .
id:nvidia a aic:ChipVendor .
id:firm a aic:AIDeveloper .
id:run a aic:TrainingActivity ; aic:trainer id:firm ; aic:atFacility id:johor-dc ; aic:usesChip id:h100 .
"""


@pytest.fixture(scope="module")
def johor() -> Graph:
    data = Graph().parse(data=JOHOR, format="turtle")
    inferred = closure(load_ontology(ONTOLOGY), [data])
    return inferred + data


def test_facility_in_johor_is_in_malaysia_and_southeast_asia(johor: Graph) -> None:
    assert (ID["johor-dc"], AIC.locatedIn, ID["malaysia"]) in johor
    assert (ID["johor-dc"], AIC.locatedIn, ID["south-eastern-asia"]) in johor


def test_facility_in_johor_is_outside_china(johor: Graph) -> None:
    assert (ID["johor-dc"], AIC.outside, ID["china"]) in johor
    assert (ID["malaysia"], AIC.outside, ID["china"]) in johor


def test_training_at_a_facility_is_located_where_the_facility_is(johor: Graph) -> None:
    assert (ID["run"], AIC.locatedIn, ID["malaysia"]) in johor
    assert (ID["run"], AIC.outside, ID["china"]) in johor


def test_chip_used_implies_vendor_hardware_used(johor: Graph) -> None:
    assert (ID["run"], AIC.usesHardwareFrom, ID["nvidia"]) in johor


def test_headquarters_propagate_up_and_give_outside(johor: Graph) -> None:
    assert (ID["op"], AIC.headquarteredIn, ID["malaysia"]) in johor
    assert (ID["op"], AIC.headquarteredOutside, ID["china"]) in johor


def test_inverses_and_class_hierarchy(johor: Graph) -> None:
    assert (ID["op"], AIC.operates, ID["johor-dc"]) in johor
    assert (ID["firm"], RDF.type, ORG.Organization) in johor
    assert (ID["run"], RDF.type, PROV.Activity) in johor
    assert (ID["run"], PROV.wasAssociatedWith, ID["firm"]) in johor


def test_nothing_in_china_is_outside_china() -> None:
    data = Graph().parse(data=JOHOR + """
id:beijing-dc a aic:DataCentre ; aic:locatedIn id:china .
""", format="turtle")
    inferred = closure(load_ontology(ONTOLOGY), [data])
    assert (ID["beijing-dc"], AIC.outside, ID["china"]) not in inferred


def test_inconsistency_is_reported() -> None:
    data = Graph().parse(data=JOHOR + "id:h100 a aic:AIDeveloper .\n", format="turtle")
    with pytest.raises(InconsistencyError):
        closure(load_ontology(ONTOLOGY), [data])


def test_inferred_graph_holds_no_asserted_triples(shipped: Build) -> None:
    asserted = shipped.curated.asserted() + shipped.ontology
    assert not [t for t in shipped.inferred if t in asserted]


def test_shipped_offshore_training_is_outside_china_and_deepseek_is_not(shipped: Build) -> None:
    inferred = shipped.inferred
    assert (ID["alibaba-offshore-training"], AIC.outside, ID["china"]) in inferred
    assert (ID["bytedance-offshore-training"], AIC.outside, ID["china"]) in inferred
    assert (ID["deepseek-domestic-training"], AIC.outside, ID["china"]) not in inferred
