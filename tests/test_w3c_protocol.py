"""The W3C SPARQL 1.1 Protocol tests (sparql/sparql11/protocol/manifest.ttl), one pytest test each, run by
the project's runner (tests/w3c/) against a real `kg serve` process on loopback, update on, on a
throwaway store. Plus regression tests of protocol-layer fixes found while running them."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl

import httpx
import pytest

from tests.w3c import PROTOCOL_DIR, missing_reason

if (_missing := missing_reason()) is not None:
    pytest.skip(_missing, allow_module_level=True)

from tests.w3c.manifest import protocol_tests
from tests.w3c.protocol import CASES, KASEI, Case
from tests.w3c.runner import Service, kg_serve, run_case

MANIFEST = {t.iri: t for t in protocol_tests(PROTOCOL_DIR)}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """One `kg serve` for the module, on an empty throwaway store (each test loads its own data)."""
    with kg_serve(tmp_path_factory.mktemp("w3c-protocol"), data=False) as s:
        yield s


def test_table_covers_exactly_the_manifest() -> None:
    assert [c.iri for c in CASES] == list(MANIFEST)  # same tests, in manifest order
    assert len(CASES) == 34


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.test)
def test_table_agrees_with_manifest(case: Case) -> None:
    """The table sends what the manifest describes and expects what it expects."""
    spec = MANIFEST[case.iri]
    assert case.name == spec.name
    assert {(f, KASEI + f.removesuffix(".nt") + ".rdf") for f in case.graph_data} == spec.graph_data
    assert len(case.requests) == len(spec.requests)
    for req, want in zip(case.requests, spec.requests, strict=True):
        assert req.method == want.method
        assert list(req.params) == parse_qsl(want.query_string, keep_blank_values=True)
        assert req.content_type == want.content_type
        assert req.body == want.body
        assert req.encoding == (want.encoding or "UTF-8")
        assert req.expect == want.statuses
        assert req.boolean == want.boolean
        assert req.format == want.format
    if case.refused is not None and case.refused.param is not None:
        assert case.refused.param in case.requests[0].params


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_protocol(service: Service, case: Case) -> None:
    problems = run_case(service, case)
    assert not problems, f"{case.iri} ({case.name}):\n  " + "\n  ".join(problems)


# -- regression tests: protocol-layer fixes -------------------------------------------------------------

@pytest.mark.parametrize(("path", "allowed"), [("/sparql", {"GET", "POST", "OPTIONS"}),
                                               ("/sparql/update", {"POST", "OPTIONS"})])
def test_options_and_405_list_every_method(service: Service, path: str, allowed: set[str]) -> None:
    r = httpx.options(service.url + path, timeout=60)
    assert r.status_code == 204, r.text
    assert {m.strip() for m in r.headers["allow"].split(",")} >= allowed
    r = httpx.put(service.url + path, timeout=60)
    assert r.status_code == 405, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert {m.strip() for m in r.headers["allow"].split(",")} >= allowed


def test_server_survived(service: Service) -> None:
    """Runs last in the module: the server still answers, and no query worker crashed on the way."""
    assert service.alive(), service.log.read_text()
    assert not service.worker_deaths()
