"""The document pipeline over HTTP: upload (token), proposals, accept (live in the graph at once) and reject,
each bad request a 4xx with a JSON body and nothing written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api import create_app
from kg.ingest.ingest import Metadata, ingest_bytes
from kg.ingest.proposals import claims_path, proposals_path, write_proposals
from kg.loader import Sources, load
from kg.store import open_store

from .api_support import TOKEN, settings
from .conftest import ONTOLOGY
from .test_review import DOC, FIXTURES, proposal, tree

AUTH = {"Authorization": f"Bearer {TOKEN}"}
HEADLINE = "/questions/firms-training-outside?vendor=nvidia&jurisdiction=china"


@pytest.fixture
def served(data_copy: Path, tmp_path: Path) -> Iterator[tuple[TestClient, Path]]:
    ingest_bytes(data_copy, (FIXTURES / "dateline-snippet.txt").read_bytes(), "dateline-snippet.txt",
                 Metadata(publisher="Example Wire"), max_bytes=100_000, today=date(2026, 12, 2))
    write_proposals(data_copy, DOC, [proposal("zentrix-trains-in-malaysia"),
                                     proposal("zentrix-hardware", quote="on Nvidia hardware",
                                              facts={"zentrix-ai-training": {"usesHardwareFrom": "nvidia"}})])
    store_dir = tmp_path / "store"
    with open_store("oxigraph", store_dir) as store:
        load(store, Sources(ONTOLOGY, data_copy))
    app = create_app(settings(store_dir, data_dir=data_copy, update_token=SecretStr(TOKEN), ontology=ONTOLOGY))
    with TestClient(app) as client:
        yield client, data_copy


def firms(client: TestClient) -> set[str]:
    r = client.get(HEADLINE, headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return {row["values"]["firmLabel"]["value"] for row in r.json()["rows"]}


def test_proposals_are_listed_with_their_quote_offsets(served: tuple[TestClient, Path]) -> None:
    client, data = served
    r = client.get(f"/documents/{DOC}/proposals")
    assert r.status_code == 200
    body = r.json()
    assert body["document"]["id"] == DOC and body["document"]["date"] == "2026-03-03"
    text = (data / "documents" / "dateline-snippet.txt").read_text(encoding="utf-8")
    for claim in body["claims"]:
        assert text[claim["start"]:claim["end"]] == claim["quote"]


def test_accept_makes_the_claim_live(served: tuple[TestClient, Path]) -> None:
    client, data = served
    assert "Zentrix AI" not in firms(client)
    version = client.get("/health").json()["version"]
    r = client.post(f"/documents/{DOC}/proposals/zentrix-trains-in-malaysia/accept", headers=AUTH,
                    json={"reviewer": "A. Curator"})
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == ["zentrix-trains-in-malaysia"] and r.json()["version"] != version
    assert "Zentrix AI" in firms(client)
    assert "A. Curator" in claims_path(data, DOC).read_text(encoding="utf-8")
    assert [c["id"] for c in client.get(f"/documents/{DOC}/proposals").json()["claims"]] == ["zentrix-hardware"]


def test_reject_is_remembered_and_changes_no_graph(served: tuple[TestClient, Path]) -> None:
    client, data = served
    version = client.get("/health").json()["version"]
    r = client.post(f"/documents/{DOC}/proposals/zentrix-hardware/reject", headers=AUTH)
    assert r.status_code == 200 and r.json()["rejected"] == ["zentrix-hardware"]
    assert r.json()["version"] == version
    assert "zentrix-hardware" in (data / "claims" / f"{DOC}.rejected.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("method", "path", "headers", "body", "status", "error"), [
    ("post", f"/documents/{DOC}/proposals/zentrix-hardware/accept", {}, None, 401, "UnauthorizedError"),
    ("post", f"/documents/{DOC}/proposals/zentrix-hardware/accept", {"Authorization": "Bearer wrong-token"}, None,
     401, "UnauthorizedError"),
    ("post", f"/documents/{DOC}/proposals/no-such/accept", AUTH, None, 404, "NotFoundError"),
    ("post", "/documents/no-such-doc/proposals/x/reject", AUTH, None, 404, "NotFoundError"),
    ("get", "/documents/no-such-doc/proposals", {}, None, 404, "NotFoundError"),
    ("post", "/documents", {}, {"text": "x"}, 401, "UnauthorizedError"),
    ("post", "/documents", AUTH, {"text": "", "published": "2025"}, 400, "LoadError"),
    ("post", "/documents", AUTH, {"text": "Some text.", "published": "2099-01-01"}, 400, "LoadError"),
    ("post", "/documents", AUTH, {"text": "Some text.", "published": "2025", "colour": "red"}, 400, "InputError"),
    ("post", "/documents", AUTH, {"text": "Some text.", "published": "2025", "id": "000_27b38dd4aa941715"}, 400,
     "LoadError"),
])
def test_bad_requests_are_4xx_json_and_write_nothing(served: tuple[TestClient, Path], method: str, path: str,
                                                     headers: dict[str, str], body: object, status: int,
                                                     error: str) -> None:
    client, data = served
    before, version = tree(data), client.get("/health").json()["version"]
    r = getattr(client, method)(path, headers={**headers, "Accept": "application/json"},
                                **({"json": body} if body is not None else {}))
    assert r.status_code == status, r.text
    assert r.json()["error"] == error and r.json()["message"]
    assert tree(data) == before and client.get("/health").json()["version"] == version


def test_an_edited_quote_is_refused_naming_the_file_not_the_server_path(served: tuple[TestClient, Path]) -> None:
    client, data = served
    path = proposals_path(data, DOC)
    path.write_text(path.read_text(encoding="utf-8").replace("data centre in Johor", "data center in Johor"),
                    encoding="utf-8")
    before = tree(data)
    r = client.post(f"/documents/{DOC}/proposals/zentrix-trains-in-malaysia/accept", headers=AUTH)
    assert r.status_code == 400
    body = r.json()
    assert body["file"] == f"data/claims/{DOC}.proposed.yaml" and body["line"] and "quote not found" in body["message"]
    assert str(data) not in json.dumps(body)
    assert tree(data) == before


def test_upload_ingests_and_proposes(served: tuple[TestClient, Path]) -> None:
    client, data = served
    text = ("KUALA LUMPUR, June 2, 2026 \u2014 Orbiton Labs, a Chinese AI start-up, is training its models at a data "
            "centre in Malaysia on Nvidia chips, according to people familiar with the matter.\n")
    r = client.post("/documents", headers=AUTH, json={"text": text, "filename": "orbiton.txt",
                                                      "publisher": "Example Wire"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["document"]["id"] == "orbiton" and body["document"]["date"] == "2026-06-02"
    assert (data / "documents" / "orbiton.txt").read_text(encoding="utf-8") == text
    proposals = client.get(body["links"]["proposals"]).json()["claims"]
    assert proposals and all(text[p["start"]:p["end"]] == p["quote"] for p in proposals)
    again = client.post("/documents", headers=AUTH, json={"text": text, "filename": "again.txt"})
    assert again.status_code == 400 and "exact duplicate of document 'orbiton'" in again.json()["message"]
