"""REST questions and entity endpoints on the shipped data, with the evidence of every row."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from kg.questions import questions
from tests.api_support import api_store_dir_fixture, client_fixture  # noqa: F401 - fixtures

ID = "https://w3id.org/aichips/id/"


def check_evidence(evidence: list[dict[str, Any]]) -> None:
    assert evidence, "every row carries evidence"
    for ev in evidence:
        assert ev["claim"].startswith("https://w3id.org/aichips/claim/")
        assert ev["status"]
        if ev["kind"] == "document":
            assert ev["quote"] and ev["document"].startswith("https://w3id.org/aichips/doc/")
            assert ev["attributed_to"]
        else:
            assert ev["kind"] == "reference" and ev["citation"]


def test_questions_listed_with_title_description_parameters(client: TestClient) -> None:
    listed = {q["name"]: q for q in client.get("/questions").json()}
    assert set(listed) == set(questions())
    for q in listed.values():
        assert q["title"] and q["description"] and q["path"] == f"/questions/{q['name']}"
        for p in q["parameters"]:
            assert p["type"] in ("entity", "date", "string", "integer") and p["description"]


def test_questions_typed_in_openapi(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for q in questions().values():
        op = spec["paths"][f"/questions/{q.name}"]["get"]
        assert op["summary"] == q.title
        names = {p["name"] for p in op.get("parameters", [])}
        assert names == {p.name for p in q.parameters}


@pytest.mark.parametrize("name", sorted(questions()))
def test_every_question_answers_with_evidence(client: TestClient, name: str) -> None:
    r = client.get(f"/questions/{name}")
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["question"] == name and answer["variables"]
    assert answer["rows"], f"{name} has no answer on the shipped data with its default parameters"
    for row in answer["rows"]:
        check_evidence(row["evidence"])


def test_firms_training_outside_china_on_nvidia(client: TestClient) -> None:
    r = client.get("/questions/firms-training-outside", params={"vendor": "nvidia", "jurisdiction": "china"})
    assert r.status_code == 200
    firms = {row["values"]["firm"]["value"] for row in r.json()["rows"]}
    assert firms == {ID + "alibaba", ID + "bytedance"}
    assert ID + "deepseek" not in firms


def test_firms_training_inside_china_includes_deepseek(client: TestClient) -> None:
    r = client.get("/questions/firms-training-inside", params={"jurisdiction": "china"})
    firms = {row["values"]["firm"]["value"] for row in r.json()["rows"]}
    assert ID + "deepseek" in firms


def test_entity_parameter_by_iri(client: TestClient) -> None:
    r = client.get("/questions/where-firm-trains", params={"firm": ID + "alibaba"})
    assert r.status_code == 200 and r.json()["rows"]


@pytest.mark.parametrize(("params", "term"), [
    ({"vendor": "no-such-firm"}, "no-such-firm"),
    ({"vendor": "china"}, "china"),  # exists, but is not a ChipVendor
    ({"extra": "1"}, "extra"),
])
def test_question_parameter_errors(client: TestClient, params: dict[str, str], term: str) -> None:
    r = client.get("/questions/firms-training-outside", params=params)
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "ParameterError" and body["term"] == term


def test_question_date_parameter(client: TestClient) -> None:
    assert client.get("/questions/rules-for-chip", params={"date": "2025-05-01"}).status_code == 200
    r = client.get("/questions/rules-for-chip", params={"date": "01/05/2025"})
    assert r.status_code == 400 and r.json()["error"] == "ParameterError"


def test_unknown_question_404(client: TestClient) -> None:
    r = client.get("/questions/who-knows")
    assert r.status_code == 404 and r.json()["error"] == "UnknownQuestionError"


def test_parameter_values_are_bound_not_pasted(client: TestClient) -> None:
    injection = 'alibaba> } UNION { ?s ?p ?o } #'
    r = client.get("/questions/where-firm-trains", params={"firm": injection})
    assert r.status_code == 400


# -- entities ----------------------------------------------------------------------------------------------

def test_entities_by_type(client: TestClient) -> None:
    r = client.get("/entities", params={"type": "Chip"})
    assert r.status_code == 200
    ids = {e["id"] for e in r.json()["entities"]}
    assert {"h20", "h100"} <= ids
    assert all("aic:Chip" in e["types"] for e in r.json()["entities"])


def test_entities_by_inferred_type(client: TestClient) -> None:
    # AIDeveloper is a subclass of Company: membership is inferred
    companies = {e["id"] for e in client.get("/entities", params={"type": "Company", "limit": 1000}).json()["entities"]}
    assert {"alibaba", "bytedance", "nvidia"} <= companies


def test_entities_search(client: TestClient) -> None:
    found = client.get("/entities", params={"q": "BYTEDANCE"}).json()["entities"]
    assert "bytedance" in {e["id"] for e in found}
    assert client.get("/entities", params={"q": "zzzz-nothing"}).json()["total"] == 0


def test_entities_paging(client: TestClient) -> None:
    everything = client.get("/entities", params={"limit": 1000}).json()
    page = client.get("/entities", params={"limit": 5, "offset": 5}).json()
    assert page["total"] == everything["total"]
    assert [e["id"] for e in page["entities"]] == [e["id"] for e in everything["entities"][5:10]]


def test_entity_with_facts_and_evidence(client: TestClient) -> None:
    r = client.get("/entities/alibaba")
    assert r.status_code == 200
    entity = r.json()
    assert entity["iri"] == ID + "alibaba" and entity["label"]
    assert "aic:AIDeveloper" in entity["types"]
    assert entity["facts"]
    for fact in entity["facts"] + entity["incoming"]:
        check_evidence(fact["evidence"])
    trainers = [f for f in entity["incoming"] if f["property"]["curie"] == "aic:trainer"]
    assert trainers, "training activities point at alibaba"


def test_entity_inferred_facts(client: TestClient) -> None:
    activity = client.get("/entities/alibaba", params={}).json()["incoming"]
    training = next(f["subject"]["value"] for f in activity if f["property"]["curie"] == "aic:trainer")
    entity = client.get("/entities/" + training.rsplit("/", 1)[1]).json()
    outside = {f["value"]["value"] for f in entity["inferred"] if f["property"]["curie"] == "aic:outside"}
    assert ID + "china" in outside


def test_entity_not_found(client: TestClient) -> None:
    r = client.get("/entities/no-such-thing")
    assert r.status_code == 404 and r.json()["error"] == "NotFoundError"
