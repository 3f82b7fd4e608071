"""The change feed: every published store version has a record of the claims and documents it added or
removed, readable since a version (store, CLI and HTTP), and no version goes unrecorded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import create_app
from kg.loader import Build
from kg.store import changes
from kg.store.oxigraph import OxigraphStore
from tests.api_support import api_store_dir_fixture, settings  # noqa: F401 - fixture

CLAIM = "https://w3id.org/aichips/claim/"


def test_each_version_records_its_claims(shipped: Build, tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path)
    store.replace_all(shipped.quads())
    loaded = store.version
    store.update(f"INSERT DATA {{ GRAPH <{CLAIM}newdoc/c1> {{ <urn:a> <urn:b> <urn:c> }} }}")
    added = store.version
    store.update(f"DROP GRAPH <{CLAIM}newdoc/c1>")
    records = store.changes_since(None)
    assert [r["kind"] for r in records] == ["create", "load", "update", "update"]
    load = records[1]
    claims = {str(g) for *_, g in shipped.quads() if str(g).startswith(CLAIM)}
    assert load["version"] == loaded and load["claims_added"] == len(claims)
    assert "000_27b38dd4aa941715" in load["documents_added"]
    assert records[2]["added"] == [f"{CLAIM}newdoc/c1"] and records[2]["documents_added"] == ["newdoc"]
    assert records[3]["removed"] == [f"{CLAIM}newdoc/c1"] and records[3]["documents_removed"] == ["newdoc"]
    assert [r["version"] for r in store.changes_since(added)] == [store.version]  # only what came after
    assert store.changes_since(store.version) == []
    with pytest.raises(ValueError, match="not a store version"):
        store.changes_since("yesterday")
    store.close()


def test_a_version_published_without_its_record_is_said_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = OxigraphStore(tmp_path)

    def lost(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(changes, "record", lost)
    store.update(f"INSERT DATA {{ GRAPH <{CLAIM}d/c> {{ <urn:a> <urn:b> <urn:c> }} }}")  # published all the same
    monkeypatch.undo()
    version = store.version
    store.close()
    again = OxigraphStore(tmp_path)
    last = again.changes_since(None)[-1]
    assert last["version"] == version and last["kind"] == "unrecorded"
    again.close()


def test_changes_over_http_and_cli(api_store_dir: Path, tmp_path: Path) -> None:
    from tests.api_support import copy_store

    path = copy_store(api_store_dir, tmp_path / "store")
    with TestClient(create_app(settings(path, query_workers=1))) as client:
        body = client.get("/changes").json()
        assert body["version"] == body["changes"][-1]["version"]
        assert client.get("/changes", params={"since": body["version"]}).json()["changes"] == []
        r = client.get("/changes", params={"since": "gen-1"})
        assert r.status_code == 400 and r.json()["error"] == "ParameterError"
    kg = str(Path(sys.executable).parent / "kg")
    out = subprocess.run([kg, "changes", "--store-path", str(path), "-f", "json"], capture_output=True, text=True,
                         check=True).stdout
    assert json.loads(out)["changes"][-1]["kind"] == "load"
    text = subprocess.run([kg, "changes", "--store-path", str(path)], capture_output=True, text=True,
                          check=True).stdout
    assert "load" in text and "claims" in text
