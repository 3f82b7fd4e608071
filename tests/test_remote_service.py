"""The whole service on a remote store: a real `oxigraph serve` holds the graph, a real `kg serve`
process (KG_STORE=remote) answers over loopback HTTP: questions with evidence, SPARQL, validation
and entity pages give what the embedded store gives."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import orjson
import pytest

from bench.servers import oxigraph_serve
from kg.loader import Build
from kg.namespaces import PROVENANCE_GRAPH
from kg.questions import answer_json
from kg.store import Store
from kg.store.remote import RemoteStore
from kg.validation.engine import validate

from .api_support import free_port, running_kg_serve

DAY = date(2025, 12, 1)


@pytest.fixture(scope="module")
def remote_base(shipped: Build) -> Iterator[str]:
    with oxigraph_serve() as base:
        store = RemoteStore(f"{base}/query", f"{base}/update", f"{base}/store")
        store.replace_all(shipped.quads())
        store.close()
        yield base


@pytest.fixture(scope="module")
def service(remote_base: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("remote-service") / "server.log"
    env = {**os.environ, "KG_STORE": "remote", "KG_REMOTE_QUERY_URL": f"{remote_base}/query",
           "KG_REMOTE_UPDATE_URL": f"{remote_base}/update", "KG_REMOTE_GSP_URL": f"{remote_base}/store",
           "KG_HOST": "127.0.0.1", "KG_PORT": str(port), "KG_LOAD_IF_EMPTY": "false", "KG_QUERY_TIMEOUT": "30"}
    with running_kg_serve(env, log) as (url, _process):
        yield url


def _sorted_rows(answer: dict[str, object]) -> list[bytes]:
    rows = answer["rows"]
    assert isinstance(rows, list)
    return sorted(orjson.dumps(r, option=orjson.OPT_SORT_KEYS) for r in rows)


@pytest.mark.parametrize(("name", "params"), [
    ("firms-training-outside", {"vendor": "nvidia", "jurisdiction": "china"}),
    ("where-firm-trains", {"firm": "deepseek"}),
    ("rules-for-chip", {"chip": "h20", "destination": "china", "date": "2025-06-01"}),
])
def test_questions_over_http_answer_as_the_embedded_store(service: str, oxigraph_store: Store, name: str,
                                                          params: dict[str, str]) -> None:
    r = httpx.get(f"{service}/questions/{name}", params=params, timeout=60)
    assert r.status_code == 200, r.text
    there = r.json()
    here = orjson.loads(answer_json(oxigraph_store, name, params))
    assert there["rows"] and _sorted_rows(there) == _sorted_rows(here)
    assert all(row["evidence"] for row in there["rows"])


def test_headline_over_http_names_the_offshore_trainers_with_quotes(service: str) -> None:
    r = httpx.get(f"{service}/questions/firms-training-outside", timeout=60)
    rows = r.json()["rows"]
    assert {row["values"]["firm"]["value"].rsplit("/", 1)[-1] for row in rows} == {"alibaba", "bytedance"}
    assert all(any(e.get("quote") for e in row["evidence"]) for row in rows)


def test_sparql_endpoint_over_http_counts_as_the_embedded_store(service: str, oxigraph_store: Store) -> None:
    # (The remote store adds one quad of its own, the store version: compare a graph of ours.)
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?s ?p ?o }} }}"
    r = httpx.post(f"{service}/sparql", data={"query": query},
                   headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert r.status_code == 200, r.text
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == oxigraph_store.count(PROVENANCE_GRAPH) > 0


def test_sparql_endpoint_on_a_remote_store_still_refuses_service(service: str) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    r = httpx.post(f"{service}/sparql", data={"query": query}, timeout=60)
    assert r.status_code == 400 and r.json()["error"] == "UnsafeQueryError"


def test_validation_over_http_reports_as_the_embedded_store(service: str, oxigraph_store: Store) -> None:
    r = httpx.get(f"{service}/validation", params={"as_of": DAY.isoformat()}, timeout=180)
    assert r.status_code == 200, r.text
    there = r.json()
    here = validate(oxigraph_store, as_of=DAY)
    assert there["conforms"] == here.conforms
    assert there["results"] == here.to_dict()["results"] and there["results"]


def test_validation_in_process_on_the_remote_store(remote_base: str, oxigraph_store: Store) -> None:
    store = RemoteStore(f"{remote_base}/query", f"{remote_base}/update", f"{remote_base}/store")
    there, here = validate(store, as_of=DAY), validate(oxigraph_store, as_of=DAY)
    key = lambda f: (str(f.focus), str(f.shape), f.severity)  # noqa: E731
    assert sorted(map(key, there.findings)) == sorted(map(key, here.findings))


def test_entity_page_over_http_carries_evidence(service: str) -> None:
    r = httpx.get(f"{service}/entities/deepseek", headers={"Accept": "application/json"}, timeout=60)
    assert r.status_code == 200, r.text
    facts = r.json()["facts"]
    assert facts and any(e.get("quote") for f in facts for e in f["evidence"])


def test_service_builds_an_empty_remote_server_once_and_never_writes_one_with_data(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from api import create_app
    from kg.config import Settings

    with oxigraph_serve() as base:
        urls = {"remote_query_url": f"{base}/query", "remote_update_url": f"{base}/update",
                "remote_gsp_url": f"{base}/store"}
        config = Settings().model_copy(update={"store": "remote", "load_if_empty": True, **urls})
        with TestClient(create_app(config)) as client:
            rows = client.get("/questions/firms-training-outside").json()["rows"]
            assert {row["values"]["firm"]["value"].rsplit("/", 1)[-1] for row in rows} == {"alibaba", "bytedance"}
        store = RemoteStore(urls["remote_query_url"], urls["remote_update_url"], urls["remote_gsp_url"])
        version = store.version
        with TestClient(create_app(config)) as client:
            assert client.get("/health").status_code == 200
        assert store.version == version, "a server holding data must not be rebuilt at start"


def test_cli_loads_and_asks_a_remote_server(tmp_path: Path) -> None:
    with oxigraph_serve() as base:
        env = {**os.environ, "KG_STORE": "remote", "KG_REMOTE_QUERY_URL": f"{base}/query",
               "KG_REMOTE_UPDATE_URL": f"{base}/update", "KG_REMOTE_GSP_URL": f"{base}/store",
               "KG_STORE_PATH": str(tmp_path / "unused")}

        def kg(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, env=env,
                                  timeout=300, check=False)

        loaded = kg("load")
        assert loaded.returncode == 0, loaded.stderr
        asked = kg("ask", "firms-training-outside", "--format", "json")
        assert asked.returncode == 0, asked.stderr
        firms = {row["values"]["firm"]["value"].rsplit("/", 1)[-1] for row in orjson.loads(asked.stdout)["rows"]}
        assert firms == {"alibaba", "bytedance"}
        assert not (tmp_path / "unused").exists(), "a remote store must not touch the embedded store's path"
